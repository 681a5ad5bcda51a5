"""Window models of a series whose level moves (``LSTMRegressor(level="last")``).

A network fed raw windows of a trending series (CO2, prices, passengers) meets
levels at prediction time that it never saw in training, and its saturating
units cannot follow them. Here the level is taken out twice:

- the network reads each window *relative to its last row*, ``x_t - x_last``,
  which is bounded however far the series drifts;
- a linear function of the last row, ``x_last @ coef + intercept`` (ridge
  regression with its penalty chosen by leave-one-out, fitted first in closed
  form), carries the level; the network learns what it leaves.

The prediction is the sum, so it extrapolates linearly beyond the training
range (Zhang 2003 combines a linear and a neural model the same way).
"""

import numpy as np
from sklearn.linear_model import RidgeCV

#: Penalties RidgeCV chooses the linear part's from.
ALPHAS = np.logspace(-3, 3, 13)


def last_rows(dataset):
    """The last valid step of every sequence, (n_samples, n_features)."""
    return dataset.values[dataset.starts + dataset.lengths - 1]


def fit_level(last, Y, sample_weight):
    """Ridge regression of the targets on the last rows.

    Parameters
    ----------
    last : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,)

    Returns
    -------
    coef : ndarray of shape (n_features, n_outputs)
    intercept : ndarray of shape (n_outputs,)
    """
    ridge = RidgeCV(alphas=ALPHAS).fit(last.astype(np.float64), Y.astype(np.float64),
                                        sample_weight=sample_weight)
    n_outputs = Y.shape[1]  # RidgeCV drops the axis of a single output
    coef = np.reshape(ridge.coef_, (n_outputs, last.shape[1])).T
    intercept = np.reshape(ridge.intercept_, (n_outputs,))
    return coef.astype(Y.dtype), intercept.astype(Y.dtype)


def level_of(last, coef, intercept):
    """The linear part's output, (n_samples, n_outputs)."""
    return last @ coef + intercept


class RelativeWindows:
    """A sequence dataset whose batches are read relative to each sequence's last
    valid step (padding stays zero); otherwise the wrapped dataset's interface."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.lengths = dataset.lengths

    @property
    def n_samples(self):
        return self.dataset.n_samples

    @property
    def n_features(self):
        return self.dataset.n_features

    @property
    def dtype(self):
        return self.dataset.dtype

    def batch(self, indices):
        """Padded batch (b, T_b, F) of ``x_t - x_last`` and the lengths (b,)."""
        X, lengths = self.dataset.batch(indices)
        last = X[np.arange(len(lengths)), lengths - 1]  # (b, F)
        X -= last[:, None, :]
        X[np.arange(X.shape[1]) >= lengths[:, None]] = 0  # padding stays zero
        return X, lengths

    def subset(self, indices):
        return RelativeWindows(self.dataset.subset(indices))
