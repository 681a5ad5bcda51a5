"""The tanh RNN of Elman (1990) and the Clockwork RNN of Koutník et al. (2014).

Plain RNN, in the code's names::

    hidden_t = tanh(x_t @ W + h_{t-1} @ U + b)

Its one gate block, ``"candidate"``, is the new hidden state itself.

Clockwork RNN: the hidden units are split into ``n_modules`` modules, module ``k``
(fastest first) running on the clock period ``2**k``. At step ``t`` (counted from 0 at
each sequence's first processed step, so every module reads the first input) only the
modules whose period divides ``t`` update by the equation above; the others keep their
state. Recurrent connections run only from slower (or equal) modules to faster ones:
block ``(source j, target k)`` of ``U`` is used only for ``j >= k``, so ``U`` is block
lower-triangular in this right-multiplied layout. With one module it is the plain RNN.
Because faster modules come first, the units updating at any step are a prefix
``hidden[:n_active]``, which the loops slice without masks.
"""

import numpy as np

from ._cell import BackwardSteps, Cell
from ._checks import is_int
from ._ops import tanh_grad_
from ._registry import register
from ._workspace import SCRATCH


class TanhCell(Cell):
    """The tanh RNN, with its units optionally on clocks; gate blocks ``("candidate",)``.

    Parameters
    ----------
    n_modules : int, default=1
        Number of clock modules (periods 1, 2, 4, ...); 1 is the plain RNN.
    """

    gates = ("candidate",)
    order = gates

    def __init__(self, n_modules=1):
        self.n_modules = n_modules

    def module_sizes(self, hidden_size):
        """Units per module, as equal as possible, fastest module first."""
        return np.diff(np.linspace(0, hidden_size, self.n_modules + 1).round().astype(int))

    def _active_units(self, hidden_size, n_steps):
        """(T,) number of leading units that update at each step."""
        ends = np.cumsum(self.module_sizes(hidden_size))  # (n_modules,)
        t = np.arange(n_steps)
        periods = 2 ** np.arange(self.n_modules)
        n_active = (t[:, None] % periods == 0).sum(axis=1)  # modules whose period divides t
        return ends[n_active - 1]

    def connectivity(self, hidden_size):
        """(H, H) 0/1 mask of the used entries of ``U``: source module >= target module."""
        module = np.repeat(np.arange(self.n_modules), self.module_sizes(hidden_size))
        return (module[:, None] >= module[None, :]).astype(float)

    def _masked(self, recurrent):
        if self.n_modules == 1:
            return recurrent
        return recurrent * self.connectivity(recurrent.shape[0]).astype(recurrent.dtype)

    def extra_params(self, rng, hidden_size, dtype):
        if self.n_modules > hidden_size:
            raise ValueError(
                f"n_modules={self.n_modules} needs hidden_size >= n_modules; "
                f"got hidden_size={hidden_size}."
            )
        return {}

    def mask_params(self, params):
        return dict(params, U=self._masked(params["U"]))

    def forward_params(self, params):
        return super().forward_params(self.mask_params(params))

    def forward(self, params, stacked, c0):
        """See :meth:`Cell.forward`. A step, ``n`` the units on the clock at step t
        (all of them for the plain RNN)::

            hidden_t[:n] = tanh(x_t @ W[:, :n] + h_{t-1} @ U[:, :n] + b[:n])
            hidden_t[n:] = h_{t-1}[n:]

        the pre-activation from one GEMM of the rows ``[:n]`` of ``A = [U^T, W^T, b]``
        on the stacked ``[h_{t-1}; x_t; 1]`` (``_layout``).
        """
        hidden_size = params["A"].shape[0]
        hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
        weights = params["A"]  # (H, H+F+1) = [U^T, W^T, b], unused entries of U zero
        active = self._active_units(hidden_size, stacked.shape[0] - 1)
        for t, n in enumerate(active):
            h_new = hidden[t + 1]
            # x_t @ W + h_{t-1} @ U + b of the units on the clock, in one GEMM on [h; x; 1]
            np.matmul(weights[:n], stacked[t], out=h_new[:n])
            np.tanh(h_new[:n], out=h_new[:n])
            h_new[n:] = hidden[t, n:]  # modules off the clock keep their state
        return {"hidden": hidden, "stacked": stacked}

    def backward(self, params, d_hidden, state, valid):
        """See :meth:`Cell.backward`. A step, with ``dh`` the gradient carried from
        step t+1::

            d_pre[:n]   = (d_hidden_t[:n] + dh[:n]) * (1 - hidden_t[:n]**2)
            dh_{t-1}    = d_pre[:n] @ U[:, :n]^T  [+ d_hidden_t[n:] + dh[n:] on rows n:]

        the units off the clock passing their gradient straight back."""
        hidden = state["hidden"]
        n_steps, hidden_size, batch = hidden[1:].shape
        recurrent = self._masked(params["U"])  # (H, H)
        active = self._active_units(hidden_size, n_steps)
        d_gates = SCRATCH.zeros("d_gates", hidden[1:].shape, hidden.dtype)  # (T, H, B); rows
        # off the clock stay 0
        dh_next = np.zeros((hidden_size, batch), dtype=hidden.dtype)
        kept = np.empty_like(dh_next)  # gradient of the units off the clock
        scratch = np.empty_like(dh_next)
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            n = active[t]
            d_pre = d_gates[t, :n]
            np.add(d_hidden[t + 1, :n], dh_next[:n], out=d_pre)
            tanh_grad_(d_pre, hidden[t + 1, :n], scratch[:n])
            steps.cut(t, d_pre)
            if n < hidden_size:  # the kept state passes its gradient straight back
                np.add(d_hidden[t + 1, n:], dh_next[n:], out=kept[n:])
            np.matmul(recurrent[:, :n], d_pre, out=dh_next)
            if n < hidden_size:
                dh_next[n:] += kept[n:]
            steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        return d_gates, {"hidden": dh_next}, {}

    def activations(self, state):
        return {"candidate": state["hidden"][1:]}


class ClockworkCell(TanhCell):
    """The Clockwork RNN: a tanh RNN whose modules update on periods 1, 2, 4, ...

    Options
    -------
    n_modules : int, default=4
        Number of modules; ``hidden_size`` units are split among them.
    """

    options = {"n_modules": 4}

    def __init__(self, n_modules=4):
        if not is_int(n_modules) or n_modules < 1:
            raise ValueError(f"n_modules must be an int >= 1; got {n_modules!r}.")
        super().__init__(int(n_modules))

    def with_options(self, **options):
        return ClockworkCell(**{**self.options, **options})


register("rnn", TanhCell())
register("clockwork", ClockworkCell())
