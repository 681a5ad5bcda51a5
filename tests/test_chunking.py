"""Sequences read ``chunk_size`` steps at a time (``sklstm._chunking``)."""

import numpy as np
import pytest

from sklstm import LSTMClassifier

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


# ------------------------------------------------------------ reading in chunks
@pytest.mark.parametrize("T, chunk_size", [(12, 3), (10, 4)])
def test_reading_in_chunks_equals_a_reshaped_input(T, chunk_size):
    """chunk_size=k on (n, T, F) is the same model as chunk_size=1 on the input
    reshaped to (n, T/k, k*F), zero-padded at the end when k does not divide T."""
    X, y = make_sequences(n=40, T=T)
    n, _, F = X.shape
    steps = -(-T // chunk_size)
    padded = np.zeros((n, steps * chunk_size, F))
    padded[:, :T] = X
    reshaped = padded.reshape(n, steps, chunk_size * F)
    chunked = LSTMClassifier(**FAST, chunk_size=chunk_size).fit(X, y)
    plain = LSTMClassifier(**FAST, chunk_size=1).fit(reshaped, y)
    np.testing.assert_array_equal(chunked.predict_proba(X), plain.predict_proba(reshaped))
    assert chunked.chunk_size_ == chunk_size and chunked.n_features_in_ == F
    assert chunked.trace(X[:2])["hidden"].shape == (2, steps, 8)


def test_auto_chunks_long_sequences_only():
    short, y = make_sequences(n=20, T=32)
    long, _ = make_sequences(n=20, T=100)
    ragged = [long[i, : 40 + 3 * i] for i in range(20)]  # longest: 97 steps
    assert LSTMClassifier(**FAST).fit(short, y).chunk_size_ == 1
    assert LSTMClassifier(**FAST).fit(long, y).chunk_size_ == 4  # 25 steps
    assert LSTMClassifier(**FAST).fit(ragged, y).chunk_size_ == 4  # 25 steps at most


def test_continuing_keeps_the_fitted_chunks():
    X, y = make_sequences(n=20, T=100)
    clf = LSTMClassifier(**FAST).fit(X, y)
    clf.partial_fit(X[:, :40], y)  # shorter sequences: still read 4 steps at a time
    assert clf.chunk_size_ == 4
    with pytest.raises(ValueError, match="chunk_size"):
        clf.set_params(chunk_size=2, warm_start=True).fit(X, y)
