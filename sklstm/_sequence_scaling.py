"""Each sequence read on its own scale (``scale_sequences``).

A scaler fitted over the whole training set (:class:`~sklstm.preprocessing.SequenceScaler`,
scikit-learn's ``StandardScaler``) gives every sequence the same mean and scale. Where
the sequences were recorded at very different scales (the currents of a kettle and
of a phone charger, the case counts of a city and of a country), that leaves most of
them within a hair of zero and the network sees little but the largest few. Read
instead, at every step, each feature of a sequence standardised by that sequence's
own mean and standard deviation, beside that mean and the log of that deviation
(those two standardised over the training sequences)::

    x_t  ->  [ (x_t - mean) / std,  mean,  log std ]        (F -> 3F features)

the network sees comparable shapes and still knows each one's level and size:
nothing is lost. A feature constant along a sequence reads zero for its shape.
"""

import numpy as np

from ._chunking import DatasetView

#: ``scale_sequences="auto"`` reads each sequence on its own scale when, in some
#: feature, the 90th percentile of the training sequences' standard deviations is more
#: than this many times the 10th.
AUTO_SPREAD = 100.0
#: A deviation below this fraction of the feature's deviation over the whole training
#: set counts as none (the sequence is constant in that feature).
RELATIVE_FLOOR = 1e-6
#: Sequences whose statistics are computed at once, a block at a time.
BLOCK = 256


def sequence_statistics(dataset):
    """Each sequence's own mean and standard deviation per feature.

    Parameters
    ----------
    dataset : a dataset of :mod:`sklstm._data` or a view of one

    Returns
    -------
    mean, std : ndarray of shape (n_samples, n_features)
    """
    n = dataset.n_samples
    mean = np.zeros((n, dataset.n_features))
    std = np.zeros((n, dataset.n_features))
    for start in range(0, n, BLOCK):
        block = np.arange(start, min(start + BLOCK, n))
        X, lengths = dataset.batch(block)  # (b, T_b, F), zero past each length
        X = X.astype(np.float64)
        mean[block] = X.sum(axis=1) / lengths[:, None]
        valid = np.arange(X.shape[1]) < lengths[:, None]  # (b, T_b)
        centred = np.where(valid[:, :, None], X - mean[block][:, None, :], 0.0)
        std[block] = np.sqrt((centred**2).sum(axis=1) / lengths[:, None])
    return mean, std


def pooled_deviation(mean, std, lengths):
    """Each feature's standard deviation over every step of every sequence, (F,),
    from the sequences' own ``mean`` and ``std`` (n, F) and their ``lengths`` (n,)."""
    grand_mean = np.average(mean, axis=0, weights=lengths)  # (F,)
    return np.sqrt(np.average(std**2 + (mean - grand_mean) ** 2, axis=0,
                              weights=lengths))


def input_deviation(dataset):
    """Each input's standard deviation over the steps of ``dataset`` as the network
    reads them (chunks, scaled sequences), (n_features,)."""
    mean, std = sequence_statistics(dataset)
    return pooled_deviation(mean, std, dataset.lengths)


def scales_spread(std):
    """Whether the sequences' deviations ``std`` (n, F) spread over more than
    :data:`AUTO_SPREAD` (90th over 10th percentile) in some feature, among the
    sequences not constant in it (a channel that is often flat, such as one of
    events, does not count as spread for that)."""
    varying = np.where(std > 0, std, np.nan)  # (n, F)
    varying = varying[:, ~np.isnan(varying).all(axis=0)]  # features never varying out
    if varying.size == 0:
        return False
    low, high = np.nanpercentile(varying, [10, 90], axis=0)  # (F,) each
    return bool(np.any(high > AUTO_SPREAD * low))


def fit_sequence_scaling(dataset, setting):
    """The fitted scaling of ``scale_sequences=setting`` on the training ``dataset``:
    None when off, else a dict of ``"floor"`` (F,), the smallest deviation that counts,
    and ``"center"``, ``"spread"`` (2F,), how the means and log deviations are
    standardised."""
    auto = isinstance(setting, str)  # "auto"; else a bool, NumPy's included
    if (auto and dataset.kind == "windowed") or not (auto or setting):
        return None
    mean, std = sequence_statistics(dataset)
    if auto and not scales_spread(std):
        return None
    overall = pooled_deviation(mean, std, dataset.lengths)
    overall = np.where(overall > 0, overall, 1.0)
    floor = RELATIVE_FLOOR * overall
    summary = _summary(mean, std, floor)  # (n, 2F)
    # a level or log size that hardly varies over the sequences is read as it is
    negligible = 1e-3 * np.concatenate([overall, np.ones_like(overall)])
    spread = summary.std(axis=0)
    return {"floor": floor, "center": summary.mean(axis=0),
            "spread": np.where(spread > negligible, spread, 1.0)}


def _summary(mean, std, floor):
    """The level and log size of each sequence, (n, 2F)."""
    return np.concatenate([mean, np.log(np.maximum(std, floor))], axis=1)


class ScaledSequences(DatasetView):
    """A dataset read with each sequence on its own scale (see the module docstring).

    Parameters
    ----------
    dataset : a dataset of :mod:`sklstm._data` or a view of one
    scaling : dict
        As from :func:`fit_sequence_scaling`.
    statistics : tuple of two ndarray of shape (n_samples, n_features), default=None
        The sequences' means and deviations, if already known.
    """

    def __init__(self, dataset, scaling, statistics=None):
        super().__init__(dataset)
        self.scaling = scaling
        self.statistics = statistics or sequence_statistics(dataset)
        mean, std = self.statistics
        floor = scaling["floor"]
        self.shift = mean.astype(dataset.dtype)  # (n, F)
        self.inverse_std = np.where(std > floor, 1 / np.maximum(std, floor), 0.0).astype(
            dataset.dtype)  # (n, F)
        self.summary = ((_summary(mean, std, floor) - scaling["center"])
                        / scaling["spread"]).astype(dataset.dtype)  # (n, 2F)

    @property
    def n_features(self):
        return 3 * self.dataset.n_features

    def batch(self, indices):
        """Padded batch (b, T_b, 3F) of the scaled steps beside each sequence's
        level and log size, zero past each length, and the lengths (b,)."""
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        X, lengths = self.dataset.batch(indices)  # (b, T_b, F)
        valid = (np.arange(X.shape[1]) < lengths[:, None])[:, :, None]  # (b, T_b, 1)
        shape = (X - self.shift[indices, None]) * self.inverse_std[indices, None]
        summary = np.broadcast_to(self.summary[indices, None], X.shape[:2] + (
            self.summary.shape[1],))  # (b, T_b, 2F)
        return np.concatenate([shape, summary], axis=2) * valid, lengths

    def subset(self, indices):
        mean, std = self.statistics
        return ScaledSequences(self.dataset.subset(indices), self.scaling,
                               statistics=(mean[indices], std[indices]))
