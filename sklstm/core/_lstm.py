"""The LSTM family: the LSTM, peepholes, coupled gates and the ablations of Greff et al.

One class, :class:`LSTMCell`, whose switches are the published variations; each variant
is one instance registered by name at the bottom of this module.

Equations of the full cell, in the code's names (``sigma`` the logistic function, ``*``
elementwise, every ``pre_k = x_t @ W_k + h_{t-1} @ U_k + b_k``)::

    input     = sigma(pre_input  + p_input  * cell_{t-1} [+ gates_{t-1} @ R_input])
    forget    = sigma(pre_forget + p_forget * cell_{t-1} [+ gates_{t-1} @ R_forget])
    candidate = tanh(pre_candidate)
    cell_t    = forget * cell_{t-1} + input * candidate
    output    = sigma(pre_output + p_output * cell_t     [+ gates_{t-1} @ R_output])
    hidden_t  = output * tanh(cell_t)

and each switch removes one piece: ``input_gate=False`` sets input = 1, ``forget_gate=False``
forget = 1, ``output_gate=False`` output = 1, ``coupled=True`` input = 1 - forget,
``peepholes=False`` drops the ``p_*`` terms, ``input_activation=False`` drops the tanh
on the candidate, ``output_activation=False`` the tanh on the cell, and
``gate_recurrence=True`` adds the bracketed terms, ``gates_{t-1} = [input, forget,
output]_{t-1}`` (zero before the first step).

One switch adds a piece: ``depth_gate=True`` (Yao et al. 2015) lets the cell read the
cell of the layer below at the same step, ``lower_cell_t``, through a depth gate that
sees this layer's input and cells but not its previous hidden state::

    depth     = sigma(x_t @ W_depth + b_depth + p_depth * cell_{t-1} + p_lower * lower_cell_t)
    cell_t    = forget * cell_{t-1} + input * candidate + depth * lower_cell_t

(``U``'s depth block is kept at zero, so the parameter layout stays the common one.)

Speed tricks, each named where it happens: one GEMM per step on the stacked
``[h; x; 1]`` (``_layout``); one ``tanh`` for every gate of a step, ``sigma(z) =
(1 + tanh(z / 2)) / 2`` with the 1/2 folded into the weights (``_ops.logistic_from_tanh_``);
the weight gradients from the stacked block (``_layout.stacked_weight_grad``); every
gate's derivative from one square over the step's rows (``_ops.gate_grads_``); and for
the plain LSTM, loops with nothing to decide per step (``_plain_forward``,
``_plain_backward``).
"""

import numpy as np

from ._cell import FLUSH_EVERY, BackwardSteps, Cell
from ._ops import (
    contract_time_batch,
    gate_grads_,
    logistic_from_tanh_,
    orthogonal_blocks,
    sigmoid_grad_,
    tanh_grad_,
)
from ._registry import register
from ._workspace import SCRATCH

# Internal order: the logistic gates first and contiguous (one multiply-add finishes
# them after the step's tanh), the output gate before the others, so that with a
# peephole from cell_t (activated after the cell) the early gates and the candidate
# stay one run of rows for the one tanh.
_INTERNAL_ORDER = ("output", "input", "forget", "depth", "candidate")
_PUBLIC_ORDER = ("input", "forget", "candidate", "output", "depth")
_RECURRENT_GATES = ("input", "forget", "output")  # R's blocks, on both axes
_PEEPHOLE_KEYS = ("p_input", "p_forget", "p_depth", "p_output", "p_lower")


class LSTMCell(Cell):
    """A long short-term memory cell with the published variations as switches.

    Parameters
    ----------
    input_gate, forget_gate, output_gate : bool
        Whether the gate exists (a missing gate is the constant 1).
    coupled : bool
        Input gate tied to ``1 - forget`` (no input block).
    peepholes : bool
        Diagonal peephole weights ``p_<gate>`` (H,) from the cell to each gate.
    input_activation, output_activation : bool
        tanh on the candidate / on the cell before the output gate.
    gate_recurrence : bool
        The gates also receive the previous step's gate activations through ``R``
        (3H, 3H), right-multiplied, blocks input, forget, output on both axes.
    depth_gate : bool
        A depth gate reading the cell of the layer below, given to ``forward`` as the
        side input ``lower_cell``; adds the diagonal weights ``p_lower`` (H,).
    """

    has_cell = True

    def __init__(self, *, input_gate=True, forget_gate=True, output_gate=True,
                 coupled=False, peepholes=False, input_activation=True,
                 output_activation=True, gate_recurrence=False, depth_gate=False):
        if gate_recurrence and depth_gate:
            raise ValueError("R has no depth block: gate_recurrence excludes depth_gate.")
        self.coupled = coupled
        self.peepholes = peepholes
        self.input_activation = input_activation
        self.output_activation = output_activation
        self.gate_recurrence = gate_recurrence
        self.depth_gate = depth_gate
        self.side_inputs = ("lower_cell",) if depth_gate else ()
        self.bottom_variant = "peephole" if depth_gate else None
        present = {"input": input_gate and not coupled, "forget": forget_gate,
                   "output": output_gate, "candidate": True, "depth": depth_gate}
        self.gates = tuple(g for g in _PUBLIC_ORDER if present[g])
        self.order = tuple(g for g in _INTERNAL_ORDER if present[g])
        self.logistic = self.order[:-1]
        # Peephole to the output gate reads cell_t, so that gate activates after the cell.
        self.late_output = peepholes and output_gate
        self.early = tuple(g for g in self.logistic if not (self.late_output and g == "output"))
        # Gates with a peephole from the previous cell: the early ones.
        self.peep_previous = self.early if peepholes else ()
        # The plain LSTM runs loops with nothing to decide per step (_plain_forward).
        self.plain = (self.order == ("output", "input", "forget", "candidate")
                      and not (peepholes or gate_recurrence or coupled)
                      and input_activation and output_activation)

    def _blocks(self, hidden_size):
        """Slices of the internal gate axis: one per gate, and the runs of rows that
        the loops treat together (see ``_INTERNAL_ORDER``)."""
        blocks = {g: slice(k * hidden_size, (k + 1) * hidden_size)
                  for k, g in enumerate(self.order)}
        n_rows = len(self.order) * hidden_size
        first_early = hidden_size if self.late_output else 0
        n_logistic = len(self.logistic) * hidden_size
        blocks["logistic"] = slice(0, n_logistic)
        blocks["early"] = slice(first_early, n_logistic)  # logistic, activated before the cell
        # One tanh activates the early gates and, with input_activation, the candidate.
        blocks["tanh"] = slice(first_early, n_rows if self.input_activation else n_logistic)
        return blocks

    def _recurrent_columns(self, hidden_size):
        """Indices of R's public rows/columns in the internal logistic order."""
        public = {g: k for k, g in enumerate(_RECURRENT_GATES)}
        return np.concatenate([np.arange(hidden_size) + public[g] * hidden_size
                               for g in self.logistic])

    def forward_params(self, params):
        """``A`` with the logistic rows halved (see ``Cell.forward_params``), and the
        peepholes and ``R``, which feed only logistic gates, halved too; ``R`` in the
        internal gate order and transposed, as the column-major step multiplies it."""
        scaled = super().forward_params(self._mask_depth(params, self.order))
        for key in _PEEPHOLE_KEYS:
            if key in params:
                scaled[key] = 0.5 * params[key][:, None]  # (H, 1)
        if self.gate_recurrence:
            columns = self._recurrent_columns(params["U"].shape[0])
            scaled["R_t"] = 0.5 * params["R"][np.ix_(columns, columns)].T
        return scaled

    def mask_params(self, params):
        """``U``'s depth block set to zero: the depth gate reads no hidden state."""
        return self._mask_depth(params, self.gates)

    def _mask_depth(self, params, order):
        if not self.depth_gate:
            return params
        hidden_size = params["U"].shape[0]
        k = order.index("depth")
        recurrent = params["U"].copy()
        recurrent[:, k * hidden_size:(k + 1) * hidden_size] = 0
        return dict(params, U=recurrent)

    def extra_params(self, rng, hidden_size, dtype):
        """Peepholes ``p_<gate>`` and ``p_lower`` (H,), zero; ``R`` (3H, 3H), orthogonal
        per block."""
        extras = {}
        if self.peepholes:
            for gate in self.logistic:
                extras["p_" + gate] = np.zeros(hidden_size, dtype=dtype)
        if self.depth_gate:
            extras["p_lower"] = np.zeros(hidden_size, dtype=dtype)
        if self.gate_recurrence:
            blocks = [orthogonal_blocks(rng, hidden_size, 3, dtype) for _ in range(3)]
            extras["R"] = np.vstack(blocks)
        return extras

    # ----------------------------------------------------------------- forward
    def forward(self, params, stacked, c0, lower_cell=None):
        """See :meth:`Cell.forward`; ``lower_cell`` (T, H, B) for the depth gate.

        A step of the full cell, in the code's names (bracketed terms belong to the
        variants that have them; a missing gate is the constant 1)::

            pre       = x_t @ W + h_{t-1} @ U + b  [+ gates_{t-1} @ R]
                        [+ p_<gate> * cell_{t-1}]  [+ p_lower * lower_cell_t]
            input     = sigma(pre_input)      forget = sigma(pre_forget)
            depth     = sigma(pre_depth)      candidate = tanh(pre_candidate)
            cell_t    = forget * cell_{t-1} + input * candidate  [+ depth * lower_cell_t]
            output    = sigma(pre_output  [+ p_output * cell_t])
            hidden_t  = output * tanh(cell_t)

        Speed tricks, each named in the loop: **one GEMM** gives every gate's input,
        recurrence and bias at once, ``A @ [h_{t-1}; x_t; 1]`` (``_layout``); **one
        tanh** activates the candidate and the early logistic gates together, as
        ``sigma(z) = (1 + tanh(z / 2)) / 2`` with the 1/2 folded into those gates'
        rows of ``A``, the peepholes and ``R`` (``forward_params``), so ``pre`` holds
        ``z / 2`` there; with a peephole from ``cell_t`` the output gate is activated
        after the cell, on its own.
        """
        if self.plain:
            return _plain_forward(params["A"], stacked, c0)
        hidden_size = c0.shape[0]
        blocks = self._blocks(hidden_size)
        weights = params["A"]  # (G*H, H+F+1) = [U^T, W^T, b], logistic rows halved
        gates = self._gates(stacked, weights.shape[0])  # (T, G*H, B)
        hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
        cell = np.empty_like(hidden)  # (T+1, H, B)
        cell[0] = c0
        squashed = np.empty_like(cell[1:]) if self.output_activation else cell[1:]
        gate_recurrent_t = params.get("R_t")  # (3H, 3H), halved
        peep = {g: params.get("p_" + g) for g in self.logistic}  # (H, 1) each, halved
        logistic, early, tanh_rows = blocks["logistic"], blocks["early"], blocks["tanh"]
        rec = np.empty_like(gates[0, logistic])
        scratch = np.empty_like(c0)  # (H, B)
        for t in range(gates.shape[0]):
            pre = gates[t]  # (G*H, B)
            np.matmul(weights, stacked[t], out=pre)  # one GEMM: A @ [h_{t-1}; x_t; 1]
            if gate_recurrent_t is not None and t > 0:  # + gates_{t-1} @ R
                np.matmul(gate_recurrent_t, gates[t - 1, logistic], out=rec)
                pre[logistic] += rec
            for gate in self.peep_previous:  # + p_<gate> * cell_{t-1}
                np.multiply(peep[gate], cell[t], out=scratch)
                pre[blocks[gate]] += scratch
            if lower_cell is not None:  # + p_lower * lower_cell_t
                np.multiply(params["p_lower"], lower_cell[t], out=scratch)
                pre[blocks["depth"]] += scratch
            # One tanh: candidate = tanh(pre); the early gates' tanh(z / 2), which
            # sigma(z) = (1 + tanh(z / 2)) / 2 finishes with one multiply-add.
            np.tanh(pre[tanh_rows], out=pre[tanh_rows])
            logistic_from_tanh_(pre[early])
            self._cell_update(pre, blocks, cell[t], cell[t + 1], scratch)
            if lower_cell is not None:  # cell_t += depth * lower_cell_t
                np.multiply(pre[blocks["depth"]], lower_cell[t], out=scratch)
                cell[t + 1] += scratch
            if self.late_output:  # output = sigma(pre_output + p_output * cell_t)
                self._late_output(pre[blocks["output"]], peep["output"], cell[t + 1], scratch)
            if self.output_activation:
                np.tanh(cell[t + 1], out=squashed[t])  # squashed = tanh(cell_t)
            if "output" in blocks:  # hidden_t = output * squashed, into stacked[t + 1, :H]
                np.multiply(pre[blocks["output"]], squashed[t], out=hidden[t + 1])
            else:
                hidden[t + 1] = squashed[t]
        return {"gates": gates, "hidden": hidden, "cell": cell, "squashed": squashed,
                "lower_cell": lower_cell, "stacked": stacked}

    @staticmethod
    def _late_output(output, peep_output, cell, scratch):
        """``output = sigma(pre_output + p_output * cell_t)`` in place, ``output`` and
        ``p_output`` holding halves: ``sigma(z) = (1 + tanh(z / 2)) / 2``."""
        np.multiply(peep_output, cell, out=scratch)
        output += scratch
        np.tanh(output, out=output)
        logistic_from_tanh_(output)

    def _cell_update(self, act, blocks, cell_prev, cell_new, scratch):
        """``cell_new = forget * cell_prev + input * candidate`` with this variant's gates."""
        candidate = act[blocks["candidate"]]
        if self.coupled:  # cell = candidate + forget * (cell_prev - candidate)
            np.subtract(cell_prev, candidate, out=cell_new)
            cell_new *= act[blocks["forget"]]
            cell_new += candidate
            return
        if "forget" in blocks:
            np.multiply(act[blocks["forget"]], cell_prev, out=cell_new)
        else:
            cell_new[...] = cell_prev
        if "input" in blocks:
            np.multiply(act[blocks["input"]], candidate, out=scratch)
            cell_new += scratch
        else:
            cell_new += candidate

    # ---------------------------------------------------------------- backward
    def backward(self, params, d_hidden, state, valid, d_cell=None):
        """See :meth:`Cell.backward`; ``d_cell`` (T+1, H, B) is an outside gradient
        w.r.t. each step's cell (a depth-gated layer above reads it), and with a depth
        gate ``grads["lower_cell"]`` (T, H, B) is the gradient w.r.t. ``lower_cell``.

        With ``dh`` the gradient reaching ``hidden_t``, ``dc`` the one reaching
        ``cell_t`` and ``d_<gate>`` the one reaching a gate's pre-activation, a step
        of the full cell is (``'`` an activation's derivative, taken from its output:
        ``sigma' = s (1 - s)``, ``tanh' = 1 - tanh^2``)::

            d_output    = dh * tanh(cell_t) * output'
            dc         += dh * output * tanh'(cell_t)  [+ p_output * d_output]
            d_input     = dc * candidate * input'       d_forget = dc * cell_{t-1} * forget'
            d_candidate = dc * input * candidate'       d_depth  = dc * lower_cell_t * depth'
            dc_{t-1}    = dc * forget  [+ p_<gate> * d_<gate> for the early gates]
            dh_{t-1}    = d_gates @ U^T  [and d gates_{t-1} += d_gates @ R^T]

        (Forming the factors that do not depend on ``dh`` or ``dc`` for a chunk of
        steps before the loop, 6 calls a step instead of 17, was measured 4-9% slower
        here: the same elementwise work, plus the factors' trip through memory.)
        """
        steps = BackwardSteps(valid, len(d_hidden) - 1)
        if self.plain and d_cell is None:
            return _plain_backward(params["U"], d_hidden, state, steps)
        gates, cell, squashed = state["gates"], state["cell"], state["squashed"]
        lower_cell = state["lower_cell"]
        hidden_size = cell.shape[1]
        blocks = self._blocks(hidden_size)
        logistic, early, output = blocks["logistic"], blocks["early"], blocks.get("output")
        tanh_rows, n_early = blocks["tanh"], early.stop - early.start
        recurrent, gate_recurrent, peep = self._backward_params(params, hidden_size)
        d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, G*H, B), all written
        dh, dh_next, dc, d_squashed, scratch = self._state_buffers(cell[0])
        d_carried = np.zeros_like(gates[0, logistic]) if self.gate_recurrence else None
        derivatives = np.empty_like(gates[0])
        d_lower = None if lower_cell is None else np.empty_like(lower_cell)  # (T, H, B)
        for t in steps:
            act, d_act = gates[t], d_gates[t]
            np.add(d_hidden[t + 1], dh_next, out=dh)  # dh: from out_t and from step t+1
            if output is not None:  # hidden_t = output * squashed
                np.multiply(dh, squashed[t], out=d_act[output])  # d output
                np.multiply(dh, act[output], out=d_squashed)
                self._add_carried(d_act, d_carried, blocks, ("output",))
            else:
                d_squashed[...] = dh
            if self.output_activation:  # squashed = tanh(cell_t)
                tanh_grad_(d_squashed, squashed[t], scratch)
            dc += d_squashed
            if d_cell is not None:
                dc += d_cell[t + 1]
            if self.late_output:  # output = sigma(pre_output + p_output * cell_t)
                self._late_output_backward(d_act[output], act[output], peep["output"], dc, scratch)
            self._cell_backward(act, d_act, blocks, cell[t], dc, scratch)
            if d_lower is not None:  # cell_t += depth * lower_cell_t: d depth
                np.multiply(dc, lower_cell[t], out=d_act[blocks["depth"]])
            self._add_carried(d_act, d_carried, blocks, ("input", "forget"))
            # * the early gates' sigma' and (with input_activation) candidate' at once
            gate_grads_(d_act[tanh_rows], act[tanh_rows], n_early, derivatives[tanh_rows])
            if d_lower is not None:
                self._lower_cell_backward(act, d_act, blocks, params, dc, d_lower[t], scratch)
                steps.cut(t, d_lower[t])
            if "forget" in blocks:  # dc_{t-1} = dc * forget [+ p_<gate> * d_<gate>]
                dc *= act[blocks["forget"]]
            for gate in self.peep_previous:
                np.multiply(peep[gate], d_act[blocks[gate]], out=scratch)
                dc += scratch
            steps.cut(t, d_act, dc)
            np.matmul(recurrent, d_act, out=dh_next)  # dh_{t-1} = d_gates @ U^T
            if d_carried is not None:  # d gates_{t-1}, before their derivative
                np.matmul(gate_recurrent, d_act[logistic], out=d_carried)
                steps.flush(t, d_carried)
            steps.flush(t, dh_next, dc)
        dh_next += d_hidden[0]
        if d_cell is not None:
            dc += d_cell[0]
        grads = self._extra_grads(blocks, gates, cell, d_gates, lower_cell)
        if d_lower is not None:
            grads["lower_cell"] = d_lower
        return d_gates, {"hidden": dh_next, "cell": dc}, grads

    def _backward_params(self, params, hidden_size):
        """The parameters as the backward loop reads them: ``U`` (H, G*H) as forward
        used it, ``R`` (3H, 3H) in internal order or None, the peepholes (H, 1)."""
        recurrent = self._mask_depth(params, self.order)["U"]
        gate_recurrent = None
        if self.gate_recurrence:
            columns = self._recurrent_columns(hidden_size)
            gate_recurrent = params["R"][np.ix_(columns, columns)]
        peep = {g: params["p_" + g][:, None] for g in self.logistic if "p_" + g in params}
        return recurrent, gate_recurrent, peep

    @staticmethod
    def _state_buffers(like):
        """``dh``, ``dh_next``, ``dc``, ``d_squashed`` and a scratch array, (H, B) each;
        the carried ``dh_next`` and ``dc`` start at zero."""
        dh = np.empty_like(like)
        return dh, np.zeros_like(dh), np.zeros_like(dh), np.empty_like(dh), np.empty_like(dh)

    @staticmethod
    def _late_output_backward(d_output, output, peep_output, dc, scratch):
        """``d_output *= output'``, then ``dc += p_output * d_output``: the output gate
        reads ``cell_t`` through its peephole."""
        sigmoid_grad_(d_output, output, scratch)
        np.multiply(peep_output, d_output, out=scratch)
        dc += scratch

    @staticmethod
    def _lower_cell_backward(act, d_act, blocks, params, dc, d_lower, scratch):
        """``d lower_cell_t = dc * depth + p_lower * d_depth``: ``cell_t`` reads
        ``lower_cell_t`` directly and through the depth gate."""
        np.multiply(dc, act[blocks["depth"]], out=d_lower)
        np.multiply(params["p_lower"][:, None], d_act[blocks["depth"]], out=scratch)
        d_lower += scratch

    def _cell_backward(self, act, d_act, blocks, cell_prev, dc, scratch):
        """Gradients w.r.t. the activations of input, forget and candidate from ``dc``:
        ``d_forget = dc * cell_prev``, ``d_input = dc * candidate``, ``d_candidate =
        dc * input``, with this variant's gates."""
        d_candidate = d_act[blocks["candidate"]]
        if self.coupled:  # cell = candidate + forget * (cell_prev - candidate)
            np.subtract(cell_prev, act[blocks["candidate"]], out=scratch)
            np.multiply(dc, scratch, out=d_act[blocks["forget"]])
            np.subtract(1, act[blocks["forget"]], out=scratch)
            np.multiply(dc, scratch, out=d_candidate)
            return
        if "forget" in blocks:
            np.multiply(dc, cell_prev, out=d_act[blocks["forget"]])
        if "input" in blocks:
            np.multiply(dc, act[blocks["candidate"]], out=d_act[blocks["input"]])
            np.multiply(dc, act[blocks["input"]], out=d_candidate)
        else:
            d_candidate[...] = dc

    @staticmethod
    def _add_carried(d_act, d_gates_next, blocks, names):
        """Add the gradient that ``R`` carried back from step t+1 to these gates."""
        if d_gates_next is None:
            return
        for gate in names:
            if gate in blocks:
                d_act[blocks[gate]] += d_gates_next[blocks[gate]]

    def _extra_grads(self, blocks, gates, cell, d_gates, lower_cell):
        """Gradients of the peepholes, ``p_lower`` and ``R``, vectorised over all steps."""
        grads = {}
        if self.peepholes:
            for gate in self.logistic:
                source = cell[1:] if gate == "output" else cell[:-1]  # (T, H, B)
                grads["p_" + gate] = np.einsum("thb,thb->h", d_gates[:, blocks[gate]], source)
        if lower_cell is not None:
            grads["p_lower"] = np.einsum("thb,thb->h", d_gates[:, blocks["depth"]], lower_cell)
        if self.gate_recurrence:
            logistic = blocks["logistic"]
            internal = contract_time_batch(gates[:-1, logistic], d_gates[1:, logistic])
            columns = self._recurrent_columns(cell.shape[1])
            grads["R"] = np.empty_like(internal)
            grads["R"][np.ix_(columns, columns)] = internal
        return grads


def _plain_forward(weights, stacked, c0):
    """``LSTMCell.forward`` of the plain LSTM: the same plan, with no switch to test,
    no dictionary to read and no method to call inside the loop (at (64, 50, 8, 32)
    the general loop's bookkeeping took 16% of its time). A step::

        pre                   = A @ [h_{t-1}; x_t; 1]   (logistic rows of A halved)
        output, input, forget = sigma(z) = (1 + tanh(pre)) / 2
        candidate             = tanh(pre_candidate)
        cell_t                = forget * cell_{t-1} + input * candidate
        hidden_t              = output * tanh(cell_t)
    """
    hidden_size = c0.shape[0]
    output, input_, forget, candidate = (slice(k * hidden_size, (k + 1) * hidden_size)
                                         for k in range(4))
    logistic = slice(0, 3 * hidden_size)
    gates = Cell._gates(stacked, weights.shape[0])  # (T, 4H, B)
    hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
    cell = np.empty_like(hidden)  # (T+1, H, B)
    cell[0] = c0
    squashed = np.empty_like(cell[1:])  # tanh(cell_t), (T, H, B)
    scratch = np.empty_like(c0)
    for t in range(gates.shape[0]):
        pre, cell_t, squashed_t = gates[t], cell[t + 1], squashed[t]
        np.matmul(weights, stacked[t], out=pre)  # one GEMM: A @ [h_{t-1}; x_t; 1]
        np.tanh(pre, out=pre)  # one tanh for every gate: sigma(z) = (1 + tanh(z/2)) / 2
        logistic_from_tanh_(pre[logistic])
        np.multiply(pre[forget], cell[t], out=cell_t)
        np.multiply(pre[input_], pre[candidate], out=scratch)
        np.add(cell_t, scratch, out=cell_t)
        np.tanh(cell_t, out=squashed_t)
        np.multiply(pre[output], squashed_t, out=hidden[t + 1])  # into stacked[t + 1, :H]
    return {"gates": gates, "hidden": hidden, "cell": cell, "squashed": squashed,
            "lower_cell": None, "stacked": stacked}


def _plain_backward(recurrent, d_hidden, state, steps):
    """``LSTMCell.backward`` of the plain LSTM (see ``_plain_forward``). A step::

        d_output    = dh * tanh(cell_t) * output'
        dc         += dh * output * tanh'(cell_t)
        d_input     = dc * candidate * input'     d_forget = dc * cell_{t-1} * forget'
        d_candidate = dc * input * candidate'
        dc_{t-1}    = dc * forget                 dh_{t-1} = d_gates @ U^T

    Speed tricks: ``output * tanh'(cell_t) = output - hidden_t * tanh(cell_t)``, from
    the stored ``hidden_t = output * tanh(cell_t)`` (two calls, not three); every
    gate's derivative in four calls over the step's rows (``_ops.gate_grads_``), not
    six in two runs.
    """
    gates, cell, squashed = state["gates"], state["cell"], state["squashed"]
    hidden = state["hidden"]  # hidden_t = output * tanh(cell_t)
    hidden_size, batch = cell.shape[1:]
    output, input_, forget, candidate = (slice(k * hidden_size, (k + 1) * hidden_size)
                                         for k in range(4))
    d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, 4H, B), all written
    dh, dh_next, dc, scratch = (np.zeros((hidden_size, batch), gates.dtype) for _ in range(4))
    derivatives = np.empty_like(gates[0])
    padded = steps.padded is not None
    for t in steps:
        act, d_act, squashed_t = gates[t], d_gates[t], squashed[t]
        np.add(d_hidden[t + 1], dh_next, out=dh)  # dh: from out_t and from step t+1
        np.multiply(dh, squashed_t, out=d_act[output])  # d output, before output'
        np.multiply(hidden[t + 1], squashed_t, out=scratch)  # output * tanh(cell_t)^2
        np.subtract(act[output], scratch, out=scratch)  # output * tanh'(cell_t)
        np.multiply(dh, scratch, out=scratch)
        np.add(dc, scratch, out=dc)
        np.multiply(dc, cell[t], out=d_act[forget])
        np.multiply(dc, act[candidate], out=d_act[input_])
        np.multiply(dc, act[input_], out=d_act[candidate])
        gate_grads_(d_act, act, 3 * hidden_size, derivatives)  # * output', input', ...
        np.multiply(dc, act[forget], out=dc)  # dc_{t-1}
        if padded:
            steps.cut(t, d_act, dc)
        np.matmul(recurrent, d_act, out=dh_next)  # dh_{t-1} = d_gates @ U^T
        if t % FLUSH_EVERY == 0:
            steps.flush(t, dh_next, dc)
    dh_next += d_hidden[0]
    return d_gates, {"hidden": dh_next, "cell": dc}, {}


register("lstm", LSTMCell())
register("peephole", LSTMCell(peepholes=True))
register("coupled", LSTMCell(coupled=True))
register("no_input_gate", LSTMCell(peepholes=True, input_gate=False))
register("no_forget_gate", LSTMCell(peepholes=True, forget_gate=False))
register("no_output_gate", LSTMCell(peepholes=True, output_gate=False))
register("no_input_activation", LSTMCell(peepholes=True, input_activation=False))
register("no_output_activation", LSTMCell(peepholes=True, output_activation=False))
register("full_gate_recurrence", LSTMCell(peepholes=True, gate_recurrence=True))
register("depth_gated", LSTMCell(peepholes=True, depth_gate=True))
