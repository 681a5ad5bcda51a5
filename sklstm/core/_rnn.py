"""The plain recurrent network of Elman (1990): ``hidden_t = tanh(x_t @ W + h_{t-1} @ U + b)``.

Its one gate block, ``"candidate"``, is the new hidden state itself.
"""

import numpy as np

from ._cell import BackwardSteps, Cell, recurrent_weight_grad
from ._ops import tanh_, tanh_grad_
from ._registry import register


class TanhCell(Cell):
    """The tanh RNN; gate blocks ``("candidate",)``."""

    gates = ("candidate",)
    order = gates

    def forward(self, params, gates, h0, c0):
        hidden, _ = self._allocate(gates, h0, c0, with_cell=False)
        recurrent_t = params["U"].T  # (H, H)
        for t in range(gates.shape[0]):
            h_new = hidden[t + 1]
            np.matmul(recurrent_t, hidden[t], out=h_new)
            h_new += gates[t]
            tanh_(h_new)
        return {"hidden": hidden}

    def backward(self, params, d_hidden, state, valid):
        hidden = state["hidden"]
        n_steps, hidden_size, batch = hidden[1:].shape
        d_gates = np.empty_like(hidden[1:])  # (T, H, B), written each step
        dh_next = np.zeros((hidden_size, batch), dtype=hidden.dtype)
        scratch = np.empty_like(dh_next)
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            d_pre = d_gates[t]
            np.add(d_hidden[t + 1], dh_next, out=d_pre)
            tanh_grad_(d_pre, hidden[t + 1], scratch)
            steps.cut(t, d_pre)
            np.matmul(params["U"], d_pre, out=dh_next)
            steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        grads = {"U": recurrent_weight_grad(hidden[:-1], d_gates)}
        return d_gates, {"hidden": dh_next}, grads

    def activations(self, state):
        return {"candidate": state["hidden"][1:]}


register("rnn", TanhCell())
