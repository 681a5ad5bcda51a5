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
from ._ops import logistic_from_tanh_, sigmoid_grad_, tanh_grad_
from ._registry import register
from ._workspace import SCRATCH


class GRUCell(Cell):
    """Gated recurrent unit; gate blocks ``("reset", "update", "candidate")``."""

    gates = ("reset", "update", "candidate")
    order = gates
    logistic = ("reset", "update")

    def forward(self, params, stacked, c0):
        """See :meth:`Cell.forward`. A step, in the code's names::

            reset     = sigma(x_t @ W_reset  + h_{t-1} @ U_reset  + b_reset)
            update    = sigma(x_t @ W_update + h_{t-1} @ U_update + b_update)
            candidate = tanh(x_t @ W_candidate + (reset * h_{t-1}) @ U_candidate + b_candidate)
            hidden_t  = h_{t-1} + update * (candidate - h_{t-1})

        Speed tricks, named in the loop: the two gates come from one GEMM on the
        stacked ``[h_{t-1}; x_t; 1]`` and the candidate from one on ``[reset * h_{t-1};
        x_t; 1]`` (``_layout``); the gates' rows of ``A`` are halved
        (``forward_params``), so one ``tanh`` and one multiply-add activate both,
        ``sigma(z) = (1 + tanh(z / 2)) / 2``.
        """
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
            np.matmul(gates_a, stacked[t], out=pre[:two])  # one GEMM for reset and update
            np.tanh(pre[:two], out=pre[:two])  # one tanh for both gates:
            logistic_from_tanh_(pre[:two])  # sigma(z) = (1 + tanh(z / 2)) / 2
            np.multiply(pre[:hidden_size], h_prev, out=reset_stacked[t, :hidden_size])
            np.matmul(candidate_a, reset_stacked[t], out=pre[two:])  # on [reset * h; x; 1]
            np.tanh(pre[two:], out=pre[two:])  # candidate
            h_new = hidden[t + 1]  # h_prev + update * (candidate - h_prev)
            np.subtract(pre[two:], h_prev, out=h_new)
            h_new *= pre[hidden_size:two]
            h_new += h_prev
        return {"gates": gates, "hidden": hidden, "stacked": stacked,
                "reset_stacked": reset_stacked}

    def weight_inputs(self, state):
        """The gates' rows read ``[h_{t-1}; x_t; 1]``, the candidate's ``[reset *
        h_{t-1}; x_t; 1]``."""
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

        ``'`` is taken from the activation (``s (1 - s)``, ``1 - tanh^2``) inside the loop;
        forming the factors that do not depend on ``dh`` for a chunk of steps before it
        was measured 3-10% slower (see ``LSTMCell.backward``)."""
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
            np.add(d_hidden[t + 1], dh_next, out=dh)  # dh: from out_t and from step t+1
            d_candidate = d_act[two:]
            np.multiply(dh, update, out=d_candidate)  # dh * update
            np.subtract(candidate, h_prev, out=scratch)
            np.multiply(dh, scratch, out=d_act[hidden_size:two])  # dh * (candidate - h_{t-1})
            np.subtract(dh, d_candidate, out=dh_next)  # dh * (1 - update)
            tanh_grad_(d_candidate, candidate, scratch)  # * candidate'
            steps.cut(t, d_candidate)
            np.matmul(candidate_u, d_candidate, out=d_reset_hidden)  # d_rh
            np.multiply(d_reset_hidden, h_prev, out=d_act[:hidden_size])  # d_rh * h_{t-1}
            np.multiply(d_reset_hidden, reset, out=scratch)
            dh_next += scratch  # + d_rh * reset
            sigmoid_grad_(d_act[:two], act[:two], scratch_gates)  # * reset', * update'
            steps.cut(t, d_act, dh_next)
            np.matmul(gates_u, d_act[:two], out=dh)  # [d_reset, d_update] @ U_gates^T
            dh_next += dh
            steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        return d_gates, {"hidden": dh_next}, {}


register("gru", GRUCell())
