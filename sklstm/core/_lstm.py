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
"""

import numpy as np

from ._cell import BackwardSteps, Cell, gate_major, recurrent_weight_grad
from ._ops import (
    contract_time_batch,
    orthogonal_blocks,
    sigmoid_grad_,
    sigmoid_of_negated_,
    tanh_grad_,
)
from ._registry import register
from ._workspace import SCRATCH

_LOGISTIC_ORDER = ("input", "forget", "depth", "output")
_PUBLIC_ORDER = ("input", "forget", "candidate", "output", "depth")


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
        self.logistic = tuple(g for g in _LOGISTIC_ORDER if present[g])
        self.order = self.logistic + ("candidate",)
        # Peephole to the output gate reads cell_t, so that gate activates after the cell.
        self.late_output = peepholes and output_gate
        self.early = tuple(g for g in self.logistic if not (self.late_output and g == "output"))
        # Gates with a peephole from the previous cell: the early ones.
        self.peep_previous = self.early if peepholes else ()

    def _blocks(self, hidden_size):
        """Slices of the internal gate axis: one per gate, ``early`` and ``logistic``."""
        blocks = {g: slice(k * hidden_size, (k + 1) * hidden_size)
                  for k, g in enumerate(self.order)}
        blocks["early"] = slice(0, len(self.early) * hidden_size)
        blocks["logistic"] = slice(0, len(self.logistic) * hidden_size)
        return blocks

    def _exp_runs(self, blocks):
        """Contiguous runs of blocks activated together, before the cell update."""
        runs = [blocks["early"]]
        if self.input_activation:
            candidate = blocks["candidate"]
            if runs[0].stop == candidate.start:
                runs = [slice(0, candidate.stop)]
            else:
                runs.append(candidate)
        return [run for run in runs if run.stop > run.start]

    def forward_params(self, params):
        """Logistic gates' columns negated, the candidate's scaled by -2 (if tanh).

        Then ``1 / (1 + exp(pre))`` is each logistic gate and ``2 / (1 + exp(pre)) - 1``
        the tanh candidate (see ``_ops.sigmoid_of_negated_``).
        """
        hidden_size = params["U"].shape[0]
        candidate_scale = -2 if self.input_activation else 1
        scale = np.repeat([-1] * len(self.logistic) + [candidate_scale], hidden_size)
        scale = scale.astype(params["U"].dtype)  # (G*H,)
        scaled = {key: params[key] * scale for key in ("W", "U", "b")}
        for key in ("p_input", "p_forget", "p_depth", "p_output", "p_lower", "R"):
            if key in params:  # every column of these feeds a logistic gate
                scaled[key] = -params[key]
        return self._mask_depth(scaled, self.order)

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

    def _peephole(self, params, gate):
        """The peephole of ``gate`` as an (H, 1) column, or None."""
        key = "p_" + gate
        return params[key][:, None] if key in params else None

    # ----------------------------------------------------------------- forward
    def forward(self, params, gates, h0, c0, lower_cell=None):
        hidden_size = h0.shape[0]
        blocks = self._blocks(hidden_size)
        exp_runs = self._exp_runs(blocks)
        hidden, cell = self._allocate(gates, h0, c0, with_cell=True)
        squashed = np.empty_like(cell[1:]) if self.output_activation else cell[1:]
        recurrent_t = params["U"].T  # (G*H, H)
        gate_recurrent_t = params["R"].T if self.gate_recurrence else None  # (3H, 3H)
        peep = {g: self._peephole(params, g) for g in self.logistic}
        rec = np.empty_like(gates[0])  # (G*H, B)
        scratch = np.empty_like(h0)  # (H, B)
        numerator = np.ones_like(rec)  # (G*H, B): 2 on the candidate, 2 / (1 + exp) = 1 + tanh
        if self.input_activation:
            numerator[blocks["candidate"]] = 2
        exp_runs = [(run, numerator[run]) for run in exp_runs]  # views made once, not per step
        with np.errstate(over="ignore"):
            for t in range(gates.shape[0]):
                pre = gates[t]  # (G*H, B)
                np.matmul(recurrent_t, hidden[t], out=rec)
                pre += rec
                if gate_recurrent_t is not None and t > 0:
                    logistic = blocks["logistic"]
                    np.matmul(gate_recurrent_t, gates[t - 1, logistic], out=rec[logistic])
                    pre[logistic] += rec[logistic]
                for gate in self.peep_previous:
                    np.multiply(peep[gate], cell[t], out=scratch)
                    pre[blocks[gate]] += scratch
                if lower_cell is not None:
                    np.multiply(params["p_lower"][:, None], lower_cell[t], out=scratch)
                    pre[blocks["depth"]] += scratch
                for run, run_numerator in exp_runs:
                    sigmoid_of_negated_(pre[run], run_numerator)
                if self.input_activation:  # tanh(y) = 2 * sigmoid(2 y) - 1
                    pre[blocks["candidate"]] -= 1
                self._cell_update(pre, blocks, cell[t], cell[t + 1], scratch)
                if lower_cell is not None:
                    np.multiply(pre[blocks["depth"]], lower_cell[t], out=scratch)
                    cell[t + 1] += scratch
                if self.late_output:
                    np.multiply(peep["output"], cell[t + 1], out=scratch)
                    pre[blocks["output"]] += scratch
                    sigmoid_of_negated_(pre[blocks["output"]])
                if self.output_activation:
                    np.tanh(cell[t + 1], out=squashed[t])
                if "output" in blocks:
                    np.multiply(pre[blocks["output"]], squashed[t], out=hidden[t + 1])
                else:
                    hidden[t + 1] = squashed[t]
        return {"gates": gates, "hidden": hidden, "cell": cell, "squashed": squashed,
                "lower_cell": lower_cell}

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
        gate ``grads["lower_cell"]`` (T, H, B) is the gradient w.r.t. ``lower_cell``."""
        gates, cell, squashed = state["gates"], state["cell"], state["squashed"]
        lower_cell = state["lower_cell"]
        n_steps, _, batch = gates.shape
        hidden_size = cell.shape[1]
        blocks = self._blocks(hidden_size)
        peep = {g: self._peephole(params, g) for g in self.logistic}
        recurrent = self._mask_depth(params, self.order)["U"]  # (H, G*H), as forward used it
        d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, G*H, B), all written
        dh = np.empty((hidden_size, batch), dtype=gates.dtype)
        dh_next = np.zeros_like(dh)
        dc = np.zeros_like(dh)  # carried d cell, from step t+1 into step t
        d_squashed = np.empty_like(dh)
        scratch = np.empty_like(dh)
        logistic = blocks["logistic"]
        d_gates_next = np.zeros_like(gates[0, logistic]) if self.gate_recurrence else None
        scratch_logistic = np.empty_like(gates[0, logistic])
        d_lower = None if lower_cell is None else np.empty_like(lower_cell)  # (T, H, B)
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            act, d_act = gates[t], d_gates[t]
            np.add(d_hidden[t + 1], dh_next, out=dh)
            if "output" in blocks:
                np.multiply(dh, squashed[t], out=d_act[blocks["output"]])
                np.multiply(dh, act[blocks["output"]], out=d_squashed)
                self._add_carried(d_act, d_gates_next, blocks, ("output",))
            else:
                d_squashed[...] = dh
            if self.output_activation:
                tanh_grad_(d_squashed, squashed[t], scratch)
            dc += d_squashed
            if d_cell is not None:
                dc += d_cell[t + 1]
            if self.late_output:
                sigmoid_grad_(d_act[blocks["output"]], act[blocks["output"]], scratch)
                np.multiply(peep["output"], d_act[blocks["output"]], out=scratch)
                dc += scratch
            self._cell_backward(act, d_act, blocks, cell[t], dc, scratch)
            if d_lower is not None:
                np.multiply(dc, lower_cell[t], out=d_act[blocks["depth"]])
            self._add_carried(d_act, d_gates_next, blocks, ("input", "forget"))
            if self.input_activation:
                tanh_grad_(d_act[blocks["candidate"]], act[blocks["candidate"]], scratch)
            early = blocks["early"]
            sigmoid_grad_(d_act[early], act[early], scratch_logistic[early])
            if d_lower is not None:  # cell_t reads lower_cell_t directly and via the depth gate
                np.multiply(dc, act[blocks["depth"]], out=d_lower[t])
                np.multiply(params["p_lower"][:, None], d_act[blocks["depth"]], out=scratch)
                d_lower[t] += scratch
                steps.cut(t, d_lower[t])
            self._cell_carry(act, d_act, blocks, peep, dc, scratch)
            steps.cut(t, d_act, dc)
            np.matmul(recurrent, d_act, out=dh_next)
            if d_gates_next is not None:
                np.matmul(params["R"], d_act[logistic], out=d_gates_next)
                steps.flush(t, d_gates_next)
            steps.flush(t, dh_next, dc)
        dh_next += d_hidden[0]
        if d_cell is not None:
            dc += d_cell[0]
        by_gate = gate_major(d_gates)  # (G*H, T*B)
        d_recurrent = recurrent_weight_grad(state["hidden"][:-1], by_gate)
        grads = {"U": self._masked_recurrent_grad(d_recurrent)}
        grads.update(self._extra_grads(blocks, gates, cell, d_gates, lower_cell))
        if d_lower is not None:
            grads["lower_cell"] = d_lower
        return by_gate, {"hidden": dh_next, "cell": dc}, grads

    def _masked_recurrent_grad(self, d_recurrent):
        """``dU`` (internal order) with the depth block, which is not a parameter, at 0."""
        return self._mask_depth({"U": d_recurrent}, self.order)["U"]

    def _cell_backward(self, act, d_act, blocks, cell_prev, dc, scratch):
        """Gradients w.r.t. the activations of input, forget and candidate from ``dc``."""
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

    def _cell_carry(self, act, d_act, blocks, peep, dc, scratch):
        """``dc`` becomes the gradient w.r.t. the previous cell, in place."""
        if "forget" in blocks:
            dc *= act[blocks["forget"]]
        for gate in self.peep_previous:
            np.multiply(peep[gate], d_act[blocks[gate]], out=scratch)
            dc += scratch

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
            grads["R"] = contract_time_batch(gates[:-1, logistic], d_gates[1:, logistic])
        return grads


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
