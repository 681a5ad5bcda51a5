"""Helpers of the input side's tests: X read as fit and predict read it, batches
padded by hand, ragged sequences."""

import numpy as np
from sklearn.base import BaseEstimator

from sklstm._data import read_for_fit


class Est(BaseEstimator):
    """Bare estimator that receives n_features_in_ / feature_names_in_."""


def read_X(est, X, *, reset, window=None, dtype=np.float32):
    """X read as fit reads it (``reset``; the spec is then recorded on ``est``), or
    as the fitted ``est`` reads it: through its ``input_spec_``, with its window."""
    if reset:
        dataset, spec = read_for_fit(est, X, window=window, dtype=dtype)
        spec.set_on(est)
        return dataset
    assert window is None, "outside fit, X is read with the window of fit"
    return est.input_spec_.read(est, X, dtype)


def rng(seed=0):
    return np.random.RandomState(seed)


def padded_by_hand(sequences, indices):
    """The batch the slow way: a zero (b, T_b, F) array filled item by item."""
    seqs = [np.asarray(sequences[i], dtype=float).reshape(len(sequences[i]), -1)
            for i in indices]
    T = max(len(s) for s in seqs)
    out = np.zeros((len(seqs), T, seqs[0].shape[1]))
    for j, s in enumerate(seqs):
        out[j, : len(s)] = s
    return out, np.array([len(s) for s in seqs])


def ragged(lengths, n_features=2, seed=0):
    r = rng(seed)
    return [r.standard_normal((t, n_features)) for t in lengths]
