"""The gated recurrent unit of Cho et al. (2014).

Equations in the code's names (``sigma`` the logistic function, ``*`` elementwise)::

    reset     = sigma(x_t @ W_reset  + h_{t-1} @ U_reset  + b_reset)
    update    = sigma(x_t @ W_update + h_{t-1} @ U_update + b_update)
    candidate = tanh(x_t @ W_candidate + (reset * h_{t-1}) @ U_candidate + b_candidate)
    hidden_t  = (1 - update) * h_{t-1} + update * candidate

The reset gate applies before the recurrent product, as published (``torch.nn.GRU``
applies it after), so each step needs two GEMMs: the gates' and the candidate's.
"""

import numpy as np

from ._cell import BackwardSteps, Cell, gate_major, recurrent_weight_grad
from ._ops import sigmoid_grad_, sigmoid_of_negated_, tanh_, tanh_grad_
from ._registry import register
from ._workspace import SCRATCH


class GRUCell(Cell):
    """Gated recurrent unit; gate blocks ``("reset", "update", "candidate")``."""

    gates = ("reset", "update", "candidate")
    order = gates

    def forward_params(self, params):
        """Reset and update columns negated, for ``_ops.sigmoid_of_negated_``."""
        two = 2 * params["U"].shape[0]
        scaled = {key: params[key].copy() for key in ("W", "U", "b")}
        for key in scaled:
            scaled[key][..., :two] *= -1
        return scaled

    def forward(self, params, gates, h0, c0):
        hidden_size = h0.shape[0]
        two = 2 * hidden_size  # reset and update blocks: [:two]; candidate: [two:]
        hidden, _ = self._allocate(gates, h0, c0, with_cell=False)
        reset_hidden = np.empty_like(hidden[1:])  # (T, H, B): reset * h_{t-1}
        gates_u_t = params["U"][:, :two].T  # (2H, H)
        candidate_u_t = params["U"][:, two:].T  # (H, H)
        rec = np.empty_like(gates[0])  # (3H, B)
        with np.errstate(over="ignore"):
            for t in range(gates.shape[0]):
                pre, h_prev = gates[t], hidden[t]
                np.matmul(gates_u_t, h_prev, out=rec[:two])
                pre[:two] += rec[:two]
                sigmoid_of_negated_(pre[:two])
                np.multiply(pre[:hidden_size], h_prev, out=reset_hidden[t])
                np.matmul(candidate_u_t, reset_hidden[t], out=rec[two:])
                pre[two:] += rec[two:]
                tanh_(pre[two:])
                h_new = hidden[t + 1]  # h_prev + update * (candidate - h_prev)
                np.subtract(pre[two:], h_prev, out=h_new)
                h_new *= pre[hidden_size:two]
                h_new += h_prev
        return {"gates": gates, "hidden": hidden, "reset_hidden": reset_hidden}

    def backward(self, params, d_hidden, state, valid):
        gates, hidden = state["gates"], state["hidden"]
        n_steps, _, batch = gates.shape
        hidden_size = hidden.shape[1]
        two = 2 * hidden_size
        gates_u = params["U"][:, :two]  # (H, 2H)
        candidate_u = params["U"][:, two:]  # (H, H)
        d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, 3H, B), all written
        dh = np.empty((hidden_size, batch), dtype=gates.dtype)
        dh_next = np.zeros_like(dh)
        d_reset_hidden = np.empty_like(dh)
        scratch = np.empty_like(dh)
        scratch_gates = np.empty_like(gates[0, :two])
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            act, d_act, h_prev = gates[t], d_gates[t], hidden[t]
            reset, update, candidate = (act[k * hidden_size:(k + 1) * hidden_size]
                                        for k in range(3))
            np.add(d_hidden[t + 1], dh_next, out=dh)
            d_candidate = d_act[two:]
            np.multiply(dh, update, out=d_candidate)
            np.subtract(candidate, h_prev, out=scratch)
            np.multiply(dh, scratch, out=d_act[hidden_size:two])
            np.subtract(dh, d_candidate, out=dh_next)  # dh * (1 - update)
            tanh_grad_(d_candidate, candidate, scratch)
            steps.cut(t, d_candidate)
            np.matmul(candidate_u, d_candidate, out=d_reset_hidden)
            np.multiply(d_reset_hidden, h_prev, out=d_act[:hidden_size])
            np.multiply(d_reset_hidden, reset, out=scratch)
            dh_next += scratch
            sigmoid_grad_(d_act[:two], act[:two], scratch_gates)
            steps.cut(t, d_act, dh_next)
            np.matmul(gates_u, d_act[:two], out=dh)
            dh_next += dh
            steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        by_gate = gate_major(d_gates)  # (3H, T*B)
        d_u = np.hstack([
            recurrent_weight_grad(hidden[:-1], by_gate[:two]),
            recurrent_weight_grad(state["reset_hidden"], by_gate[two:]),
        ])
        return by_gate, {"hidden": dh_next}, {"U": d_u}


register("gru", GRUCell())
