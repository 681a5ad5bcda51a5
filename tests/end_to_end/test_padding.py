"""Padding never changes a result: the predictions for a ragged batch equal the
predictions for each sequence alone, for every variant, stacked and bidirectional,
every pooling, in float64 (1e-10) and float32 (1e-5)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklstm import LSTMRegressor
from sklstm.core import VARIANTS

TOLERANCE = {"float64": 1e-10, "float32": 1e-5}


def _lengths(seed, n=9, longest=11):
    """Lengths from 1 to ``longest``, shuffled, always both extremes."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.r_[1, longest, rng.integers(1, longest + 1, n - 2)])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_ragged_batch_equals_each_sequence_alone(variant, pooling, dtype):
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(length, 2)) for length in _lengths(seed=1)]
    y = np.array([s[:, 0].sum() for s in sequences])
    model = LSTMRegressor(variant, hidden_size=4, num_layers=2, bidirectional=True,
                          pooling=pooling, max_iter=2, dtype=dtype, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(sequences, y)
    together = model.predict(sequences)
    alone = np.concatenate([model.predict([s]) for s in sequences])
    np.testing.assert_allclose(together, alone, rtol=TOLERANCE[dtype],
                               atol=TOLERANCE[dtype])
    internals = model.trace(sequences, layer=0, direction=1)
    for s, hidden in zip(sequences, internals["hidden"]):
        alone_hidden = model.trace([s], layer=0, direction=1)["hidden"][0]
        np.testing.assert_allclose(hidden[:len(s)], alone_hidden, rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype])
