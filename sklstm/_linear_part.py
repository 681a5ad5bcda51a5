"""The linear part of ``LSTMRegressor(linear=...)``: ridge regression first, the
network on what it leaves.

A recurrent network trained on a few dozen noisy sequences fits noise, and one fed
raw windows of a trending series (CO2, prices, passengers) meets levels at
prediction time that it never saw in training. Both are helped the same way
(Zhang 2003 combines a linear and a neural model so): a ridge regression (on
standardised inputs, its penalty chosen by generalised cross-validation, in closed
form) is fitted first, and the network learns the residual; the prediction is their
sum. The linear part reads one of two things:

- ``"last"``: each sequence's last step, ``x_last``;
- ``"all"``: the whole sequence (window) flattened, the classic lag regression.

Where the samples are windows of one series, the ridge reads only the full
windows (the first ``window - 1`` rows' shortened ones would read zeros for the
missing rows), and the network reads each window relative to its last row,
``x_t - x_last``, which stays bounded however far the series drifts, so forecasts
follow a level beyond the training range.

The network's output is then weighed (:func:`network_weight`): on the held-out
samples, its least-squares weight against what the ridge leaves, less a margin for
how few they are, clipped to [0, 1]. A network that does not help there, or cannot
be told to, adds nothing: the prediction is the ridge's.
"""

import numpy as np

from ._chunking import DatasetView
from ._ridge import RidgeStatistics

#: The penalties GCV chooses from (the grid of the ridge in aeon's ROCKET).
ALPHAS = np.logspace(-3, 3, 13)
READINGS = ("last", "all")
#: The network's weight is the lower confidence bound of its least-squares weight on
#: the held-out samples: this many standard errors below it (one-sided, about 98%).
WEIGHT_MARGIN = 2.0
#: The held-out windows of a series overlap, so their errors are correlated: the
#: weight's variance is inflated by ``(1 + rho) / (1 - rho)``, ``rho`` a lag-1
#: autocorrelation clipped to [0, this].
MAX_AUTOCORRELATION = 0.95


#: Values of the linear part's inputs built at once: the lag matrix of a long
#: series in window mode is read a block of samples at a time, never whole.
BLOCK_VALUES = 2**20


def linear_inputs(dataset, reading, n_steps=None, samples=None):
    """What the linear part reads of the sequences ``samples`` (all by default).

    Parameters
    ----------
    dataset : SequenceDataset
    reading : {"last", "all"}
    n_steps : int, default=None
        With "all", how many of the last steps it reads (the longest training
        sequence's length); None reads the longest sequence of ``dataset``.
    samples : slice or ndarray of int, default=None

    Returns
    -------
    ndarray of shape (n, n_features) or (n, n_steps * n_features)
        "all" lays the steps out newest first (lag 0, 1, ...), with zeros
        where a sequence is shorter than ``n_steps``.
    """
    samples = slice(None) if samples is None else samples
    lengths = dataset.lengths[samples]
    ends = dataset.starts[samples] + lengths - 1  # (n,) row of each last step
    if reading == "last":
        return dataset.values[ends]
    n_steps = int(dataset.lengths.max()) if n_steps is None else n_steps
    lags = np.arange(n_steps)
    rows = ends[:, None] - lags  # (n, n_steps)
    valid = lags < lengths[:, None]
    lagged = dataset.values[np.where(valid, rows, 0)] * valid[:, :, None]  # (n, L, F)
    return lagged.reshape(len(rows), -1)


def _blocks(dataset, width):
    """Slices of samples whose inputs hold about :data:`BLOCK_VALUES` values."""
    size = max(1, BLOCK_VALUES // max(width, 1))
    return [slice(i, i + size) for i in range(0, dataset.n_samples, size)]


def _width(dataset, reading, n_steps):
    return dataset.n_features * (1 if reading == "last" else n_steps)


def linear_output(dataset, linear):
    """The fitted linear part's output on every sequence, (n_samples, n_outputs),
    computed a block of samples at a time."""
    reading, n_steps = linear["reading"], linear["n_steps"]
    out = np.empty((dataset.n_samples, linear["coef"].shape[1]), linear["coef"].dtype)
    for block in _blocks(dataset, _width(dataset, reading, n_steps)):
        inputs = linear_inputs(dataset, reading, n_steps, block)
        out[block] = inputs @ linear["coef"] + linear["intercept"]
    return out


def fit_linear(dataset, reading, Y, sample_weight):
    """Ridge regression of the targets on what the linear part reads, each input
    standardised (as ``StandardScaler`` before ``RidgeCV``), its penalty chosen from
    :data:`ALPHAS` by generalised cross-validation.

    GCV (Golub, Heath & Wahba 1979) scores a penalty by ``n * RSS / (n - df)^2``,
    ``df`` the trace of the hat matrix; with ``n`` the weight sum it treats an
    integer weight exactly as repeated samples, as scikit-learn expects of
    sample weights (leave-one-out, RidgeCV's default, does not: leaving out one
    copy of a repeated sample keeps the other); weights that sum to far less
    than the number of samples (normalised weights) make GCV read a tiny set.
    Everything comes from the weighted Gram matrix of the inputs, summed a block
    of samples at a time (:class:`sklstm._ridge.RidgeStatistics`).

    Parameters
    ----------
    dataset : SequenceDataset
    reading : {"last", "all"}
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    dict
        ``"reading"``, ``"n_steps"`` (the longest sequence, for "all"),
        ``"coef"`` (n_inputs, n_outputs), ``"intercept"`` (n_outputs,) and
        ``"alpha"``, the penalty chosen.
    """
    n_steps = int(dataset.lengths.max()) if reading == "all" else None
    width = _width(dataset, reading, n_steps)
    statistics = RidgeStatistics(width, Y.shape[1])
    sample_weight = _full_windows_only(dataset, sample_weight)
    for block in _blocks(dataset, width):
        inputs = linear_inputs(dataset, reading, n_steps, block)
        statistics.add(inputs, Y[block], sample_weight[block])
    alpha, coef, intercept = statistics.solve_gcv(ALPHAS)
    return {"reading": reading, "n_steps": n_steps, "coef": coef.astype(Y.dtype),
            "intercept": intercept.astype(Y.dtype), "alpha": alpha}


def _full_windows_only(dataset, sample_weight):
    """``sample_weight`` with the shortened windows of a series' first rows weighed
    zero, where the series has a full window; other datasets' weights unchanged."""
    if dataset.kind != "windowed":
        return sample_weight
    full = dataset.lengths == dataset.window  # (n_samples,)
    return sample_weight * full if full.any() else sample_weight


def network_weight(residual, contribution, sample_weight=None):
    """How much of the network's output to add to the linear part's, per output.

    For each output, the (weighted) least-squares weight ``b`` of the network's
    output ``c`` on what the linear part leaves, ``r``, over held-out samples, less
    :data:`WEIGHT_MARGIN` standard errors, clipped to [0, 1]: a stacking weight
    that a few dozen held-out samples must vouch for. The errors of overlapping
    windows are correlated; the standard error allows for it by the lag-1
    autocorrelation of ``c * (r - b c)`` (samples in time order; a random split's
    is near zero). Weights count through Kish's effective sample size, so that
    scaling them changes nothing.

    Parameters
    ----------
    residual : ndarray of shape (n_held_out, n_outputs)
        Targets less the linear part's output.
    contribution : ndarray of shape (n_held_out, n_outputs)
        The network's raw output.
    sample_weight : ndarray of shape (n_held_out,), default=None

    Returns
    -------
    ndarray of shape (n_outputs,)
        Weights in [0, 1]; 0 where fewer than 3 samples (effectively) or a
        network output of zero leave nothing to estimate.
    """
    w = (np.ones(len(residual)) if sample_weight is None
         else sample_weight.astype(np.float64))  # (n,)
    return np.array([_weight_bound(residual[:, j], contribution[:, j], w)
                     for j in range(residual.shape[1])])


def _weight_bound(r, c, w):
    """``b - WEIGHT_MARGIN * se(b)`` in [0, 1] for the regression of r on c (n,)
    with weights w (n,)."""
    wc = w * c  # (n,)
    cc, total = float(wc @ c), float(w.sum())
    n_effective = total**2 / float(w @ w) if total > 0 else 0.0
    if n_effective < 3 or cc <= 0:
        return 0.0
    b = float(wc @ r) / cc
    e = r - b * c  # (n,)
    sigma2 = float(w @ e**2) / total * n_effective / (n_effective - 1)
    rho = np.clip(_autocorrelation(wc * e), 0.0, MAX_AUTOCORRELATION)
    variance = sigma2 * float(wc @ wc) / cc**2 * (1 + rho) / (1 - rho)
    return float(np.clip(b - WEIGHT_MARGIN * np.sqrt(variance), 0.0, 1.0))


def _autocorrelation(u):
    """The lag-1 autocorrelation of u (n,); 0 for a constant u."""
    u = u - u.mean()
    total = float(u @ u)
    return float(u[1:] @ u[:-1]) / total if total > 0 else 0.0


class RelativeToLast(DatasetView):
    """A sequence dataset whose batches are read relative to each sequence's last
    valid step (padding stays zero)."""

    def batch(self, indices):
        """Padded batch (b, T_b, F) of ``x_t - x_last`` and the lengths (b,)."""
        X, lengths = self.dataset.batch(indices)
        last = X[np.arange(len(lengths)), lengths - 1]  # (b, F)
        X -= last[:, None, :]
        X[np.arange(X.shape[1]) >= lengths[:, None]] = 0  # padding stays zero
        return X, lengths

    def subset(self, indices):
        return RelativeToLast(self.dataset.subset(indices))
