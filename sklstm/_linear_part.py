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

Where the samples are windows of one series, the network reads each window
relative to its last row, ``x_t - x_last``, which stays bounded however far the
series drifts, so forecasts follow a level beyond the training range.
"""

import numpy as np

from ._chunking import DatasetView

#: The penalties GCV chooses from (the grid of the ridge in aeon's ROCKET).
ALPHAS = np.logspace(-3, 3, 13)
READINGS = ("last", "all")


def linear_inputs(dataset, reading, n_steps=None):
    """What the linear part reads of every sequence.

    Parameters
    ----------
    dataset : SequenceDataset
    reading : {"last", "all"}
    n_steps : int, default=None
        With "all", how many of the last steps it reads (the longest training
        sequence's length); None reads the longest sequence of ``dataset``.

    Returns
    -------
    ndarray of shape (n_samples, n_features) or (n_samples, n_steps * n_features)
        "all" lays the steps out newest first (lag 0, 1, ...), with zeros
        where a sequence is shorter than ``n_steps``.
    """
    ends = dataset.starts + dataset.lengths - 1  # (n,) row of each last step
    if reading == "last":
        return dataset.values[ends]
    n_steps = int(dataset.lengths.max()) if n_steps is None else n_steps
    lags = np.arange(n_steps)
    rows = ends[:, None] - lags  # (n, n_steps)
    valid = lags < dataset.lengths[:, None]
    lagged = dataset.values[np.where(valid, rows, 0)] * valid[:, :, None]  # (n, L, F)
    return lagged.reshape(len(rows), -1)


def fit_linear(inputs, Y, sample_weight):
    """Ridge regression of the targets on the linear part's inputs, its penalty
    chosen from :data:`ALPHAS` by generalised cross-validation.

    GCV (Golub, Heath & Wahba 1979) scores a penalty by ``n * RSS / (n - df)^2``,
    ``df`` the trace of the hat matrix; with ``n`` the weight sum it treats an
    integer weight exactly as repeated samples, as scikit-learn expects of
    sample weights (leave-one-out, RidgeCV's default, does not: leaving out one
    copy of a repeated sample keeps the other).

    Parameters
    ----------
    inputs : ndarray of shape (n_samples, n_inputs)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    coef : ndarray of shape (n_inputs, n_outputs)
    intercept : ndarray of shape (n_outputs,)
    alpha : float
        The penalty chosen.
    """
    w = sample_weight.astype(np.float64)[:, None]  # (n, 1)
    total = w.sum()
    x_mean = (w * inputs).sum(axis=0) / total  # (p,)
    y_mean = (w * Y).sum(axis=0) / total  # (k,)
    root = np.sqrt(w)
    U, s, Vt = np.linalg.svd(root * (inputs - x_mean), full_matrices=False)
    projected = U.T @ (root * (Y - y_mean))  # (r, k)
    residual_outside = ((root * (Y - y_mean)) ** 2).sum() - (projected ** 2).sum()
    best = None
    for alpha in ALPHAS:
        shrink = s**2 / (s**2 + alpha)  # (r,)
        rss = residual_outside + (((1 - shrink)[:, None] * projected) ** 2).sum()
        dof = total - shrink.sum() - 1  # the intercept is one more parameter
        score = total * rss / max(dof, np.finfo(float).tiny) ** 2
        if best is None or score < best[0]:
            best = (score, alpha)
    alpha = best[1]
    coef = Vt.T @ ((s / (s**2 + alpha))[:, None] * projected)  # (p, k)
    intercept = y_mean - x_mean @ coef
    return coef.astype(Y.dtype), intercept.astype(Y.dtype), float(alpha)


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
