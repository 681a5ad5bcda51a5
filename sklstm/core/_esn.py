"""The reservoir of an echo state network (Jaeger 2001; Lukoševičius 2012).

In the code's names (``*`` elementwise, ``a`` the option ``leak_rate``)::

    candidate = tanh(x_t @ W + h_{t-1} @ U + b)
    hidden_t  = (1 - a) * h_{t-1} + a * candidate

``hidden_t`` is the reservoir state (Jaeger's ``x(n)``), ``W`` (F, H) the input
weights (``W_in``), ``U`` (H, H) the reservoir weights (``W``), both right-multiplied.
The weights are drawn once and never trained (``trained = False``): ``W`` and ``b``
uniform in ``[-input_scaling, input_scaling]`` (the bias is the input weight of a
constant 1, scaled with the inputs), ``U`` sparse, each unit reading ``density * H``
units chosen at random through weights uniform in ``[-1, 1]``, then scaled to the
spectral radius ``spectral_radius``. The estimators train only the pooling and head
on these states (``sklstm/_readout.py``). The layer still differentiates the
recurrence exactly (``backward``), so a gradient can reach the input through it.

Defaults, after Lukoševičius (2012), "A Practical Guide to Applying Echo State
Networks": ``spectral_radius=1.0`` (the guide's initial reference point; greater for
tasks that need a longer memory of the input, smaller otherwise), ``density="auto"``
(each unit reading 10 others, the guide's small fixed number of connections
irrespective of the reservoir size), ``input_scaling=1.0`` (dense ``W`` uniform in
``[-1, 1]`` for standardised inputs) and ``leak_rate=1.0`` (Jaeger's original
non-leaky units; lower it to match slower dynamics of the input).
"""

import numbers

import numpy as np

from ._blas import single_blas_thread
from ._cell import BackwardSteps, Cell
from ._ops import tanh_grad_
from ._registry import register
from ._workspace import SCRATCH

#: ``density="auto"``: each reservoir unit reads this many others (all, in a smaller
#: reservoir), the guide's "small fixed number ... irrespective of the reservoir size".
AUTO_CONNECTIONS = 10


class ReservoirCell(Cell):
    """The leaky tanh reservoir of an echo state network; gate blocks ``("candidate",)``.

    Options
    -------
    spectral_radius : float >= 0, default=1.0
        Largest absolute eigenvalue of the drawn ``U``.
    leak_rate : float in (0, 1], default=1.0
        ``a`` of the leaky integration; 1 is the plain (non-leaky) reservoir.
    input_scaling : float > 0, default=1.0
        ``W`` and ``b`` are uniform in ``[-input_scaling, input_scaling]``.
    density : float in (0, 1] or "auto", default="auto"
        Share of each unit's recurrent weights that are non-zero; "auto" is 10
        connections per unit (``min(1, 10 / hidden_size)``).
    """

    gates = ("candidate",)
    order = gates
    trained = False
    options = {"spectral_radius": 1.0, "leak_rate": 1.0, "input_scaling": 1.0,
               "density": "auto"}

    def __init__(self, spectral_radius=1.0, leak_rate=1.0, input_scaling=1.0,
                 density="auto"):
        self.spectral_radius = _check_option(spectral_radius, "spectral_radius", 0, None)
        self.leak_rate = _check_option(leak_rate, "leak_rate", 0, 1, open_low=True)
        self.input_scaling = _check_option(input_scaling, "input_scaling", 0, None,
                                           open_low=True)
        if not (isinstance(density, str) and density == "auto"):
            density = _check_option(density, "density", 0, 1, open_low=True)
        self.density = density

    def with_options(self, **options):
        return ReservoirCell(**{**self.options, **options})

    def connections(self, hidden_size):
        """Non-zero recurrent weights per unit: ``density * H`` rounded, at least 1."""
        if self.density == "auto":
            return min(hidden_size, AUTO_CONNECTIONS)
        return max(1, round(self.density * hidden_size))

    def initial_params(self, rng, input_size, hidden_size, dtype):
        """The reservoir: ``W`` (F, H) and ``b`` (H,) uniform in +-input_scaling, ``U``
        (H, H) sparse at the spectral radius."""
        scale = self.input_scaling
        W = rng.uniform(-scale, scale, size=(input_size, hidden_size))
        b = rng.uniform(-scale, scale, size=hidden_size)
        return {"W": W.astype(dtype), "U": self._reservoir(rng, hidden_size).astype(dtype),
                "b": b.astype(dtype)}

    def _reservoir(self, rng, hidden_size):
        """(H, H) float64: column ``j`` (unit ``j``'s inputs) non-zero in
        ``connections`` rows drawn without replacement, scaled to the spectral radius."""
        k = self.connections(hidden_size)
        sources = rng.uniform(size=(hidden_size, hidden_size)).argsort(axis=0)[:k]  # (k, H)
        U = np.zeros((hidden_size, hidden_size))
        U[sources, np.arange(hidden_size)] = rng.uniform(-1, 1, size=(k, hidden_size))
        with single_blas_thread():  # 40x faster than two threads for H = 400 on a busy
            radius = np.abs(np.linalg.eigvals(U)).max()  # 2-core machine, reproducible
        return U * (self.spectral_radius / radius) if radius > 0 else U

    def forward(self, params, stacked, c0):
        hidden_size = params["A"].shape[0]
        weights = params["A"]  # (H, H+F+1) = [U^T, W^T, b]
        hidden = stacked[:, :hidden_size]  # (T+1, H, B), a view: h_t is written in place
        a = self.leak_rate
        # with a = 1 the candidate is the new state: written there, no separate array
        candidate = hidden[1:] if a == 1 else self._gates(stacked, hidden_size)  # (T, H, B)
        for t in range(stacked.shape[0] - 1):
            # candidate = tanh(x_t @ W + h_{t-1} @ U + b), one GEMM on [h; x; 1]
            np.matmul(weights, stacked[t], out=candidate[t])
            np.tanh(candidate[t], out=candidate[t])
            if a != 1:  # hidden_t = h_{t-1} + a * (candidate - h_{t-1})
                h_new = hidden[t + 1]
                np.subtract(candidate[t], hidden[t], out=h_new)
                h_new *= a
                h_new += hidden[t]
        return {"gates": candidate, "hidden": hidden, "stacked": stacked}

    def backward(self, params, d_hidden, state, valid):
        """See :meth:`Cell.backward`: with ``d_t = d_hidden_t + dh``, ``d_pre = a * d_t
        * (1 - candidate**2)`` and ``dh_{t-1} = (1 - a) * d_t + d_pre @ U^T``."""
        candidate = state["gates"]  # (T, H, B)
        n_steps, hidden_size, batch = candidate.shape
        recurrent = params["U"]  # (H, H)
        a = self.leak_rate
        d_gates = SCRATCH.empty("d_gates", candidate.shape, candidate.dtype)  # (T, H, B)
        dh_next = np.zeros((hidden_size, batch), dtype=candidate.dtype)
        d_total, scratch = np.empty_like(dh_next), np.empty_like(dh_next)
        steps = BackwardSteps(valid, n_steps)
        for t in steps:
            np.add(d_hidden[t + 1], dh_next, out=d_total)
            steps.cut(t, d_total)
            d_pre = d_gates[t]
            np.multiply(d_total, a, out=d_pre)
            tanh_grad_(d_pre, candidate[t], scratch)
            np.matmul(recurrent, d_pre, out=dh_next)
            if a != 1:  # the leaked share of the state passes its gradient straight back
                np.multiply(d_total, 1 - a, out=scratch)
                dh_next += scratch
            steps.flush(t, dh_next)
        dh_next += d_hidden[0]
        return d_gates, {"hidden": dh_next}, {}


def _check_option(value, name, low, high, open_low=False):
    """``value`` as a float in [low, high] (low excluded if ``open_low``; no upper
    bound if ``high`` is None), or a ValueError naming the option."""
    bad = (isinstance(value, bool) or not isinstance(value, numbers.Real)
           or not np.isfinite(value) or value < low or (open_low and value == low)
           or (high is not None and value > high))
    if bad:
        bounds = f"{'(' if open_low else '['}{low}, {'inf)' if high is None else f'{high}]'}"
        raise ValueError(f"{name} must be a real number in {bounds}; got {value!r}.")
    return float(value)


register("esn", ReservoirCell())
