"""Small datasets and estimator settings shared by the estimator-level test files.

Plain values and functions (used in parametrisations and helpers as well as in test
bodies), imported as ``from tests.helpers import ...``; the fixtures are in
``conftest.py``.
"""

import numpy as np

from sklstm._losses import LOSS_FUNCTIONS, l2_penalty
from sklstm._training import loss_and_grads

#: A quick fit: a few epochs of a small network.
FAST = dict(hidden_size=8, max_iter=5, random_state=0)

#: A quicker fit, with ``X_TINY`` and ``Y_TINY`` (48 sequences of 8 steps, 2 features,
#: a binary label from the first half of the first feature).
TINY = {"hidden_size": 4, "max_iter": 3, "random_state": 0}
X_TINY = np.random.default_rng(0).normal(size=(48, 8, 2))
Y_TINY = (X_TINY[:, :4, 0].sum(axis=1) > 0).astype(int)


def make_sequences(n=60, T=6, F=2, n_classes=2, seed=0):
    """3-D sequences whose class is the sign pattern of the first feature's sum."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T, F))
    s = X[:, :, 0].sum(axis=1)
    y = np.digitize(s, np.quantile(s, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


#: Sizes of the small bad-input data: sequences, steps, features.
N, T, F = 24, 6, 2
#: A small fit, its errors.
SMALL = {"hidden_size": 4, "max_iter": 2, "random_state": 0}
ERRORS = (ValueError, TypeError)


def make_data(n=N, t=T, f=F, seed=0):
    """3-D sequences with a binary label, the sign of the first feature's sum."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, t, f))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    return X, y


X3, Y = make_data()
Y_REG = X3[:, :, 0].mean(axis=1)
X2 = X3[:, :, 0].copy()  # (N, T) univariate rows
RAGGED = [X3[i, : 2 + i % 4] for i in range(N)]


def with_value(array, index, value):
    """A float copy of ``array`` with ``value`` at ``index``."""
    out = np.array(array, dtype=float, copy=True)
    out[index] = value
    return out


def trending_series(n=200, seed=0):
    """A trend plus a seasonal wave: X (n-1, 1) the series, y the next value."""
    rng = np.random.RandomState(seed)
    t = np.arange(n, dtype=float)
    series = 0.05 * t + np.sin(t / 4) + 0.05 * rng.normal(size=n)
    return series[:-1, None], series[1:]


def weights_of(est):
    """A copy of every array of the fitted network, in ``network_.params`` order."""
    return [p.copy() for p in est.network_.params]


def network_gradient_error(network, X, lengths, Y, sample_weight, settings, h=1e-3):
    """A whole network's worst gradient error: the largest
    |numeric - analytic| / max(|numeric|, |analytic|, 1e-5) over entries.

    Fourth-order central differences (truncation error O(h^4), rounding about
    1e-16 * loss / h, both far below 1e-8 here); the 1e-5 floor keeps entries
    whose gradient is nearly zero from reading rounding as relative error.
    """
    def objective():  # forward only: the same loss and penalty, no backward
        raw, _ = network.forward(X, lengths, training=False)
        loss, _ = LOSS_FUNCTIONS[settings.loss](Y, raw, sample_weight)
        weights = [p for p, f in zip(network.params, network.penalized) if f]
        return loss + l2_penalty(weights, settings.alpha, sample_weight.sum())[0]

    def shifted(param, idx, step):
        old = param[idx]
        param[idx] = old + step
        value = objective()
        param[idx] = old
        return value

    _, grads = loss_and_grads(network, X, lengths, Y, sample_weight, settings,
                              training=False)
    worst = 0.0
    for param, grad in zip(network.params, grads):
        for idx in np.ndindex(param.shape):
            f = [shifted(param, idx, k * h) for k in (-2, -1, 1, 2)]
            numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
            scale = max(abs(numeric), abs(grad[idx]), 1e-5)
            worst = max(worst, abs(numeric - grad[idx]) / scale)
    return worst
