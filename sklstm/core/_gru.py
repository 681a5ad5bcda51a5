"""The gated recurrent unit of Cho et al. (2014).

Equations in the code's names (``sigma`` the logistic function, ``*`` elementwise)::

    reset     = sigma(x_t @ W_reset  + h_{t-1} @ U_reset  + b_reset)
    update    = sigma(x_t @ W_update + h_{t-1} @ U_update + b_update)
    candidate = tanh(x_t @ W_candidate + (reset * h_{t-1}) @ U_candidate + b_candidate)
    hidden_t  = (1 - update) * h_{t-1} + update * candidate

The reset gate applies before the recurrent product, as published (``torch.nn.GRU``
applies it after), so each step needs two GEMMs: the gates' on the stacked
``[h_{t-1}; x_t; 1]`` and the candidate's on ``[reset * h_{t-1}; x_t; 1]``.
"""

import numpy as np

from ._cell import BackwardSteps, Cell
from ._ops import logistic_from_tanh_, logistic_slope, tanh_slope
from ._registry import register
from ._workspace import SCRATCH


class GRUCell(Cell):
    """Gated recurrent unit; gate blocks ``("reset", "update", "candidate")``."""

    gates = ("reset", "update", "candidate")
    order = gates
    logistic = ("reset", "update")

    def forward(self, params, stacked, c0):
        n_steps = stacked.shape[0] - 1
        weights = params["A"]  # (3H, H+F+1), reset and update rows halved
        hidden_size = weights.shape[0] // 3
        two = 2 * hidden_size  # reset and update rows: [:two]; candidate: [two:]
        gates_a, candidate_a = weights[:two], weights[two:]
        gates = self._gates(stacked, weights.shape[0])  # (T, 3H, B)
        hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
        reset_stacked = np.empty_like(stacked[:-1])  # (T, H+F+1, B): [reset * h_{t-1}; x_t; 1]
        reset_stacked[:, hidden_size:] = stacked[:-1, hidden_size:]
        for t in range(n_steps):
            pre, h_prev = gates[t], hidden[t]
            np.matmul(gates_a, stacked[t], out=pre[:two])
            np.tanh(pre[:two], out=pre[:two])  # sigma(z) = (1 + tanh(z/2)) / 2
            logistic_from_tanh_(pre[:two])
            np.multiply(pre[:hidden_size], h_prev, out=reset_stacked[t, :hidden_size])
            np.matmul(candidate_a, reset_stacked[t], out=pre[two:])
            np.tanh(pre[two:], out=pre[two:])
            h_new = hidden[t + 1]  # h_prev + update * (candidate - h_prev)
            np.subtract(pre[two:], h_prev, out=h_new)
            h_new *= pre[hidden_size:two]
            h_new += h_prev
        return {"gates": gates, "hidden": hidden, "stacked": stacked,
                "reset_stacked": reset_stacked}

    def weight_inputs(self, state):
        two = 2 * state["hidden"].shape[1]
        return [(slice(0, two), state["stacked"][:-1]),
                (slice(two, None), state["reset_stacked"])]

    def backward(self, params, d_hidden, state, valid):
        """See :meth:`Cell.backward`. A step, with ``'`` the derivative w.r.t. the
        pre-activation and ``dh`` the gradient reaching ``hidden_t``::

            d_candidate = dh * update * candidate'
            d_update    = dh * (candidate - h_{t-1}) * update'
            d_rh        = d_candidate @ U_candidate^T          (w.r.t. reset * h_{t-1})
            d_reset     = d_rh * h_{t-1} * reset'
            dh_{t-1}    = dh * (1 - update) + d_rh * reset + [d_reset, d_update] @ U_gates^T

        The factors of ``dh`` and ``d_rh`` (``update * candidate'`` and the like) depend
        on the forward pass alone and are formed for a chunk of steps at once."""
        gates, hidden = state["gates"], state["hidden"]
        n_steps, n_rows, batch = gates.shape
        hidden_size = hidden.shape[1]
        two = 2 * hidden_size
        gates_u = params["U"][:, :two]  # (H, 2H)
        candidate_u = params["U"][:, two:]  # (H, H)
        d_gates = SCRATCH.empty("d_gates", gates.shape, gates.dtype)  # (T, 3H, B), all written
        dh = np.empty((hidden_size, batch), dtype=gates.dtype)
        dh_next = np.zeros_like(dh)
        d_reset_hidden = np.empty_like(dh)
        scratch = np.empty_like(dh)
        steps = BackwardSteps(valid, n_steps)
        bytes_per_step = (n_rows + hidden_size) * batch * gates.itemsize
        for start, stop in steps.chunks(bytes_per_step):
            factors, keep = self._backward_factors(gates, hidden, start, stop)
            for t in range(stop - 1, start - 1, -1):
                d_act, factor = d_gates[t], factors[t - start]
                np.add(d_hidden[t + 1], dh_next, out=dh)
                # Update and candidate in one call: each is dh times its factor.
                np.multiply(factor[hidden_size:].reshape(2, hidden_size, batch), dh,
                            out=d_act[hidden_size:].reshape(2, hidden_size, batch))
                np.multiply(dh, keep[t - start], out=dh_next)
                d_candidate = d_act[two:]
                steps.cut(t, d_candidate)
                np.matmul(candidate_u, d_candidate, out=d_reset_hidden)
                np.multiply(d_reset_hidden, factor[:hidden_size], out=d_act[:hidden_size])
                np.multiply(d_reset_hidden, gates[t, :hidden_size], out=scratch)
                dh_next += scratch
                steps.cut(t, d_act, dh_next)
                np.matmul(gates_u, d_act[:two], out=dh)
                dh_next += dh
                steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        return d_gates, {"hidden": dh_next}, {}

    @staticmethod
    def _backward_factors(gates, hidden, start, stop):
        """For steps ``start:stop``: the factors (n, 3H, B) of ``d_rh`` in d_reset and
        of ``dh`` in d_update and d_candidate, and ``1 - update`` (n, H, B)."""
        act, h_prev = gates[start:stop], hidden[start:stop]
        hidden_size = h_prev.shape[1]
        update, candidate = act[:, hidden_size:2 * hidden_size], act[:, 2 * hidden_size:]
        factors = SCRATCH.empty("factor_gates", act.shape, act.dtype)
        keep = SCRATCH.empty("factor_keep", h_prev.shape, act.dtype)
        slope = logistic_slope(act[:, :2 * hidden_size], SCRATCH.empty(
            "factor_slope", (stop - start, 2 * hidden_size, act.shape[2]), act.dtype))
        np.multiply(h_prev, slope[:, :hidden_size], out=factors[:, :hidden_size])
        np.subtract(candidate, h_prev, out=factors[:, hidden_size:2 * hidden_size])
        factors[:, hidden_size:2 * hidden_size] *= slope[:, hidden_size:]
        tanh_slope(candidate, factors[:, 2 * hidden_size:])
        factors[:, 2 * hidden_size:] *= update
        np.subtract(1, update, out=keep)
        return factors, keep


register("gru", GRUCell())
