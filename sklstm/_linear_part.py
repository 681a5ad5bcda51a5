"""The linear part of ``LSTMRegressor(linear=...)``: ridge regression first, the
network on what it leaves.

A recurrent network trained on a few dozen noisy sequences fits noise, and one fed
raw windows of a trending series (CO2, prices, passengers) meets levels at
prediction time that it never saw in training. Both are helped the same way
(Zhang 2003 combines a linear and a neural model so): a ridge regression (its
penalty chosen by generalised cross-validation, in closed form) is fitted first,
and the network learns the residual; the prediction is their sum. The linear part
reads one of two things:

- ``"last"``: each sequence's last step, ``x_last``;
- ``"all"``: the whole sequence (window) flattened, the classic lag regression.

Where the samples are windows of one series, the ridge reads only the full
windows (the first ``window - 1`` rows' shortened ones would read zeros for the
missing rows), and the network reads each window relative to its last row,
``x_t - x_last``, which stays bounded however far the series drifts, so forecasts
follow a level beyond the training range.
"""

import numpy as np

from ._chunking import DatasetView
from ._ridge import RidgeStatistics

#: The penalties GCV chooses from (the grid of the ridge in aeon's ROCKET).
ALPHAS = np.logspace(-3, 3, 13)
READINGS = ("last", "all")


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
    """Ridge regression of the targets on what the linear part reads, its penalty
    chosen from :data:`ALPHAS` by generalised cross-validation.

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
