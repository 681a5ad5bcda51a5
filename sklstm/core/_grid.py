"""Grid LSTM along time and depth (Kalchbrenner, Danihelka & Graves 2015).

A stack of ``"grid"`` layers is the paper's 2-D grid over (step ``t``, layer ``l``).
The block at (t, l) receives a hidden and a memory vector along each dimension: along
time, this layer's ``hidden_{t-1}`` and ``cell_{t-1}``; along depth, the layer
below's ``depth_hidden_t``, which is this layer's input ``x_t``, and its
``depth_cell_t``, the side input ``lower_cell_t``. It applies one LSTM transform per
dimension, each with its own weights and its own memory, to the incoming hidden
vectors concatenated. In the code's names (``sigma`` the logistic function, ``*``
elementwise; ``W_k``, ``U_k``, ``b_k`` the columns of gate block ``k``)::

    # along time: the layer's LSTM on [hidden_{t-1}; x_t]
    input          = sigma(x_t @ W_input  + hidden_{t-1} @ U_input  + b_input)
    forget         = sigma(x_t @ W_forget + hidden_{t-1} @ U_forget + b_forget)
    output         = sigma(x_t @ W_output + hidden_{t-1} @ U_output + b_output)
    candidate      = tanh(x_t @ W_candidate + hidden_{t-1} @ U_candidate + b_candidate)
    cell_t         = forget * cell_{t-1} + input * candidate
    hidden_t       = output * tanh(cell_t)
    # along depth: the same transform on [h; x_t], its own weights, the memory from below
    depth_input    = sigma(x_t @ W_depth_input  + h @ U_depth_input  + b_depth_input)
    depth_forget   = sigma(x_t @ W_depth_forget + h @ U_depth_forget + b_depth_forget)
    depth_output   = sigma(x_t @ W_depth_output + h @ U_depth_output + b_depth_output)
    depth_candidate = tanh(x_t @ W_depth_candidate + h @ U_depth_candidate + b_depth_candidate)
    depth_cell_t   = depth_forget * lower_cell_t + depth_input * depth_candidate
    depth_hidden_t = depth_output * tanh(depth_cell_t)

with ``h = hidden_t`` when ``depth_priority=True`` (the default: the paper's priority
dimension, depth, whose transform reads the time transform's new hidden vector) and
``h = hidden_{t-1}`` otherwise (the plain block: both transforms read the same
concatenation). The layer passes up ``out = depth_hidden`` and ``cell_output =
depth_cell``; its recurrent state (``initial_state``, ``final_state``) is the time
dimension's ``hidden`` and ``cell``. At the bottom of a stack ``lower_cell`` is zero
and ``x_t`` the data: the paper projects the input into the bottom block's depth hidden
vector, ``I x_t``, which here folds into ``W`` (``(I x_t) @ W' = x_t @ (I W')``).
``tied_weights=True`` ties the blocks of every layer (``tied_params``): one ``U`` and
one ``b`` for the whole stack, one ``W`` for the layers above the bottom (the bottom's
``W`` is the folded projection, so it stays its own).

The paper prints the LSTM's output as ``tanh(output * cell_t)``; this is the usual
``output * tanh(cell_t)`` of its public implementations and of ``"lstm"``.

Speed tricks, each named where it happens: each transform's four gates from one GEMM
on the stacked ``[h; x; 1]``, and both transforms from one GEMM without priority
(``_cell``); one ``tanh`` per transform, ``sigma(z) = (1 + tanh(z / 2)) / 2`` with the
1/2 folded into the weights (``_ops.logistic_from_tanh_``).
"""

import numpy as np

from ._cell import BackwardSteps, Cell
from ._ops import logistic_from_tanh_, sigmoid_grad_, tanh_grad_
from ._registry import register
from ._workspace import SCRATCH

# One transform's gates: internally the logistic ones first (one multiply-add finishes
# them after the transform's tanh), publicly torch's i, f, g, o.
_INTERNAL = ("output", "input", "forget", "candidate")
_PUBLIC = ("input", "forget", "candidate", "output")


class GridCell(Cell):
    """The block of a 2-D Grid LSTM over time and depth; see the module docstring.

    Parameters
    ----------
    tied_weights : bool, default=False
        Share the blocks' weights across the layers of a stack (the paper's tied
        Grid LSTM): ``tied_params`` tells the network which arrays are one.
    depth_priority : bool, default=True
        The depth transform reads the time transform's new hidden vector (the
        paper's priority dimension); False: both read ``[hidden_{t-1}; x_t]``.
    """

    has_cell = True
    side_inputs = ("lower_cell",)
    side_inputs_optional = True  # the bottom of a stack: no memory from below
    bottom_variant = "grid"
    outputs = ("depth_hidden", "depth_cell")
    forget_gates = ("forget", "depth_forget")
    options = {"tied_weights": False, "depth_priority": True}
    gates = _PUBLIC + tuple("depth_" + g for g in _PUBLIC)
    order = _INTERNAL + tuple("depth_" + g for g in _INTERNAL)  # time rows, then depth rows
    logistic = tuple(g for g in order if not g.endswith("candidate"))

    def __init__(self, tied_weights=False, depth_priority=True):
        for name, value in (("tied_weights", tied_weights), ("depth_priority", depth_priority)):
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool; got {value!r}.")
        self.tied_weights = bool(tied_weights)
        self.depth_priority = bool(depth_priority)
        # U and b: one for the stack; W: one above the bottom (whose W reads the data)
        self.tied_params = {"U": 0, "b": 0, "W": 1} if self.tied_weights else {}

    def with_options(self, **options):
        return GridCell(**{**self.options, **options})

    # ----------------------------------------------------------------- forward
    def forward(self, params, stacked, c0, lower_cell=None):
        """See :meth:`Cell.forward`; ``lower_cell`` (T, H, B) is the depth memory
        from below (None: zero, the bottom of a stack).

        A step, in the code's names (``pre`` holds z / 2 on the logistic rows)::

            pre[time]  = A[time] @ [h_{t-1}; x_t; 1]       # one GEMM for 4 gates
            pre[time]  = tanh(pre[time]); (1 + pre) / 2 on its logistic rows
            cell_t, hidden_t = transform(pre[time], cell_{t-1})  # hidden_t -> stacked[t+1]
            pre[depth] = A[depth] @ [hidden_t; x_t; 1]     # priority; else [h_{t-1}; ...],
                                                           # in the first GEMM
            depth_cell_t, depth_hidden_t = transform(activated pre[depth], lower_cell_t)
        """
        hidden_size = c0.shape[0]
        four = 4 * hidden_size
        weights = params["A"]  # (8H, H+F+1): time rows, then depth rows; logistic halved
        gates = self._gates(stacked, weights.shape[0])  # (T, 8H, B)
        hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
        cell = np.empty_like(hidden)
        cell[0] = c0
        # [0] of the outputs: the initial state, which reverse padded positions hold
        depth_hidden, depth_cell = np.empty_like(hidden), np.empty_like(hidden)
        depth_hidden[0], depth_cell[0] = hidden[0], c0
        squashed, depth_squashed = np.empty_like(cell[1:]), np.empty_like(cell[1:])
        depth_inputs = self._depth_inputs(stacked, hidden_size)  # (T, H+F+1, B)
        below = np.zeros_like(c0)  # (H, B): the memory under the bottom of a stack
        scratch = np.empty_like(c0)
        for t in range(gates.shape[0]):
            time, depth = gates[t, :four], gates[t, four:]  # (4H, B) each
            if self.depth_priority:
                np.matmul(weights[:four], stacked[t], out=time)
            else:  # both transforms read [h_{t-1}; x_t; 1]: one GEMM for 8 gates
                np.matmul(weights, stacked[t], out=gates[t])
            _activate(time)
            _transform(time, cell[t], cell[t + 1], squashed[t], hidden[t + 1], scratch)
            if self.depth_priority:  # the depth transform reads the new hidden_t
                depth_inputs[t, :hidden_size] = hidden[t + 1]
                np.matmul(weights[four:], depth_inputs[t], out=depth)
            _activate(depth)
            lower = below if lower_cell is None else lower_cell[t]
            _transform(depth, lower, depth_cell[t + 1], depth_squashed[t],
                       depth_hidden[t + 1], scratch)
        return {"gates": gates, "hidden": hidden, "cell": cell, "squashed": squashed,
                "depth_hidden": depth_hidden, "depth_cell": depth_cell,
                "depth_squashed": depth_squashed, "lower_cell": lower_cell,
                "stacked": stacked, "depth_inputs": depth_inputs}

    def _depth_inputs(self, stacked, hidden_size):
        """What the depth rows of ``A`` read at each step, (T, H+F+1, B):
        ``[hidden_t; x_t; 1]`` with priority (the hidden rows written by the loop),
        else ``[hidden_{t-1}; x_t; 1]``, the time rows' own ``stacked[:-1]``."""
        if not self.depth_priority:
            return stacked[:-1]
        inputs = np.empty_like(stacked[:-1])
        inputs[:, hidden_size:] = stacked[:-1, hidden_size:]
        return inputs

    def weight_inputs(self, state):
        if not self.depth_priority:
            return super().weight_inputs(state)
        four = 4 * state["hidden"].shape[1]
        return [(slice(0, four), state["stacked"][:-1]),
                (slice(four, None), state["depth_inputs"])]

    def states(self, state):
        names = ("hidden", "cell", "depth_hidden", "depth_cell")
        return {name: state[name][1:] for name in names}

    # ---------------------------------------------------------------- backward
    def backward(self, params, d_hidden, state, valid, d_cell=None):
        """See :meth:`Cell.backward`. ``d_hidden`` and ``d_cell`` (T+1, H, B) are the
        gradients w.r.t. what the layer passes up, ``depth_hidden`` and ``depth_cell``;
        ``grads["lower_cell"]`` (T, H, B) the one w.r.t. ``lower_cell``, when given.

        A step, from the depth transform down to the time transform (``transform'``:
        the LSTM's backward, ``d_memory_in = d_memory * forget``)::

            d_pre[depth], d_lower_cell_t = transform'(d_depth_hidden_t, d_depth_cell_t)
            dh = dh_next [+ d_pre[depth] @ U_depth^T]          # priority: it read hidden_t
            d_pre[time], dc = transform'(dh, dc)
            dh_next = d_pre[time] @ U_time^T [+ d_pre[depth] @ U_depth^T without priority]
        """
        gates = state["gates"]
        n_steps, n_rows, batch = gates.shape
        hidden_size = n_rows // 8
        four = 4 * hidden_size
        recurrent = params["U"]  # (H, 8H), internal order
        lower_cell = state["lower_cell"]
        d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, 8H, B), all written
        dh_next = np.zeros((hidden_size, batch), dtype=gates.dtype)  # d hidden_t, from t+1
        dc = np.zeros_like(dh_next)  # d cell_t, from t+1
        dh, d_memory, from_depth = (np.empty_like(dh_next) for _ in range(3))
        work = (np.empty_like(dh_next), np.empty_like(dh_next),
                np.empty_like(gates[0, :3 * hidden_size]))  # scratch of _transform_backward
        d_lower = None if lower_cell is None else np.empty_like(lower_cell)  # (T, H, B)
        below = np.zeros_like(dh_next)
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            act, d_act = gates[t], d_gates[t]
            d_memory[...] = 0 if d_cell is None else d_cell[t + 1]
            lower = below if lower_cell is None else lower_cell[t]
            _transform_backward(act[four:], d_act[four:], d_hidden[t + 1], d_memory, lower,
                                state["depth_squashed"][t], work)
            steps.cut(t, d_act[four:], d_memory)
            if d_lower is not None:
                d_lower[t] = d_memory
            np.copyto(dh, dh_next)
            if self.depth_priority:
                np.matmul(recurrent[:, four:], d_act[four:], out=from_depth)
                dh += from_depth
            _transform_backward(act[:four], d_act[:four], dh, dc, state["cell"][t],
                                state["squashed"][t], work)
            steps.cut(t, d_act[:four], dc)
            if self.depth_priority:
                np.matmul(recurrent[:, :four], d_act[:four], out=dh_next)
            else:  # both transforms read hidden_{t-1}
                np.matmul(recurrent, d_act, out=dh_next)
            steps.flush(t, dh_next, dc)
        dh_next += d_hidden[0]  # reverse padded positions hold the initial state
        if d_cell is not None:
            dc += d_cell[0]
        grads = {} if d_lower is None else {"lower_cell": d_lower}
        return d_gates, {"hidden": dh_next, "cell": dc}, grads


def _split(act):
    """A transform's four (H, B) blocks of a (4H, B) array, internal order: views
    (basic slices; ``np.split`` cost a third of a small fit's time)."""
    size = act.shape[0] // 4
    return act[:size], act[size:2 * size], act[2 * size:3 * size], act[3 * size:]


def _activate(pre):
    """One transform's gates activated in place, (4H, B), internal order: one ``tanh``
    for all four, ``sigma(z) = (1 + tanh(z/2)) / 2`` finishing the logistic rows."""
    np.tanh(pre, out=pre)
    logistic_from_tanh_(pre[:3 * (pre.shape[0] // 4)])


def _transform(act, memory_in, memory_out, squashed, hidden_out, scratch):
    """``memory_out = forget * memory_in + input * candidate``, ``squashed =
    tanh(memory_out)``, ``hidden_out = output * squashed``; each (H, B)."""
    output, input_, forget, candidate = _split(act)
    np.multiply(forget, memory_in, out=memory_out)
    np.multiply(input_, candidate, out=scratch)
    memory_out += scratch
    np.tanh(memory_out, out=squashed)
    np.multiply(output, squashed, out=hidden_out)


def _transform_backward(act, d_act, d_hidden, d_memory, memory_in, squashed, work):
    """The adjoint of :func:`_transform`: ``d_act`` (4H, B) the gradient w.r.t. the
    pre-activations, given ``d_hidden`` and ``d_memory`` w.r.t. its outputs;
    ``d_memory`` becomes the gradient w.r.t. ``memory_in``, in place."""
    d_squashed, scratch, scratch_logistic = work
    output, input_, forget, candidate = _split(act)
    d_output, d_input, d_forget, d_candidate = _split(d_act)
    np.multiply(d_hidden, squashed, out=d_output)
    np.multiply(d_hidden, output, out=d_squashed)
    tanh_grad_(d_squashed, squashed, scratch)
    d_memory += d_squashed
    np.multiply(d_memory, candidate, out=d_input)
    np.multiply(d_memory, memory_in, out=d_forget)
    np.multiply(d_memory, input_, out=d_candidate)
    tanh_grad_(d_candidate, candidate, scratch)
    sigmoid_grad_(d_act[:3 * len(d_memory)], act[:3 * len(d_memory)], scratch_logistic)
    d_memory *= forget


register("grid", GridCell())
