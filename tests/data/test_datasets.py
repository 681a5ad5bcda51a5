"""Datasets and minibatches (``sklstm._data.datasets``): windows as views of the series,
subsets sharing storage, batches padded by hand, length buckets."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklstm._data import (
    RaggedSequences,
    WindowedSequences,
    minibatches,
)

from tests.data.helpers import Est, padded_by_hand, ragged, read_X, rng


def slow_windows(series, k):
    """Window i = rows max(0, i-k+1) .. i, built one by one."""
    return [series[max(0, i - k + 1) : i + 1] for i in range(len(series))]


@pytest.mark.parametrize("n_rows", [1, 2, 7, 20])
@pytest.mark.parametrize("window", [1, 3, 7, 30])
@pytest.mark.parametrize("n_features", [1, 3])
def test_window_batches_equal_slow_windows(n_rows, window, n_features):
    series = rng().standard_normal((n_rows, n_features))
    est = Est()
    data = read_X(est, series, reset=True, window=window, dtype=np.float64)
    assert isinstance(data, WindowedSequences)
    assert data.n_samples == n_rows and est.n_features_in_ == n_features
    windows = slow_windows(series, window)
    np.testing.assert_array_equal(data.lengths, [len(w) for w in windows])
    order = rng(1).permutation(n_rows)
    Xb, lengths = data.batch(order)
    expected, expected_lengths = padded_by_hand(windows, order)
    np.testing.assert_array_equal(Xb, expected)
    np.testing.assert_array_equal(lengths, expected_lengths)


@settings(max_examples=60, deadline=None)
@given(
    n_rows=st.integers(1, 40),
    window=st.integers(1, 50),
    picks=st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
)
def test_window_batches_property(n_rows, window, picks):
    series = np.arange(n_rows * 2, dtype=float).reshape(n_rows, 2) + 1.0  # no zeros
    data = read_X(Est(), series, reset=True, window=window,
                  dtype=np.float64)
    indices = [p % n_rows for p in picks]
    Xb, lengths = data.batch(indices)
    expected, expected_lengths = padded_by_hand(slow_windows(series, window), indices)
    np.testing.assert_array_equal(Xb, expected)
    np.testing.assert_array_equal(lengths, expected_lengths)


def test_window_memory_stays_linear_in_rows():
    n_rows, n_features, window = 1_000_000, 8, 64
    series = rng().standard_normal((n_rows, n_features)).astype(np.float32)
    tracemalloc.start()
    try:
        data = read_X(Est(), series, reset=True, window=window)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    all_windows = n_rows * window * n_features * 4
    assert peak < all_windows / 20, (peak, all_windows)
    assert np.shares_memory(data.values, series)  # the series is stored once, as is
    indices = np.r_[0:40, 500_000:500_216]  # short first windows and full ones
    Xb, lengths = data.batch(indices)
    assert Xb.shape == (256, window, n_features)
    for j, i in enumerate(indices):
        start = max(0, i - window + 1)
        np.testing.assert_array_equal(Xb[j, : lengths[j]], series[start : i + 1])
        assert not Xb[j, lengths[j]:].any()


def test_subset_shares_storage_and_batches_alike():
    data = read_X(Est(), ragged([3, 1, 4, 2]), reset=True)
    sub = data.subset([2, 0])
    assert isinstance(sub, RaggedSequences) and sub.values is data.values
    np.testing.assert_array_equal(sub.lengths, [4, 3])
    np.testing.assert_array_equal(sub.batch([1, 0])[0], data.batch([0, 2])[0])
    with pytest.raises(ValueError, match="not a subset"):
        sub.unflatten(sub.values)


def test_window_subset_keeps_window():
    data = read_X(Est(), np.arange(10.0)[:, None], reset=True, window=3)
    sub = data.subset(np.arange(6, 10))  # e.g. the last rows, for validation
    assert isinstance(sub, WindowedSequences) and sub.window == 3
    np.testing.assert_array_equal(sub.batch([0])[0][0, :, 0], [4.0, 5.0, 6.0])
    assert data.unflatten(data.values) is data.values


def test_empty_batch():
    data = read_X(Est(), np.zeros((3, 4, 2)), reset=True)
    Xb, lengths = data.batch([])
    assert Xb.shape == (0, 0, 2) and lengths.shape == (0,)


def padded_steps(batches, lengths):
    return sum(len(b) * lengths[b].max() - lengths[b].sum() for b in batches)


@pytest.mark.parametrize("batch_size", [16, 32, 64, 128])
@pytest.mark.parametrize("seed", [0, 1])
def test_minibatches_padding_bound(batch_size, seed):
    lengths = rng(seed).randint(10, 401, size=2000)
    batches = minibatches(lengths, batch_size, shuffle=True, random_state=seed)
    assert padded_steps(batches, lengths) < lengths.sum() / 4


@settings(max_examples=80, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 30), min_size=1, max_size=60),
    batch_size=st.integers(1, 20),
    shuffle=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_minibatches_every_index_exactly_once(lengths, batch_size, shuffle, seed):
    lengths = np.array(lengths)
    batches = minibatches(lengths, batch_size, shuffle=shuffle, random_state=seed)
    flat = np.concatenate(batches)
    np.testing.assert_array_equal(np.sort(flat), np.arange(len(lengths)))
    assert all(1 <= len(b) <= batch_size for b in batches)
    assert sum(len(b) < batch_size for b in batches) <= 1
    for b in batches:
        assert np.all(np.diff(lengths[b]) <= 0)  # longest first


def test_minibatches_equal_lengths_are_ordinary_shuffled_minibatches():
    lengths = np.full(100, 7)
    batches = minibatches(lengths, 32, shuffle=True, random_state=0)
    assert sorted(len(b) for b in batches) == [4, 32, 32, 32]
    assert not np.array_equal(np.concatenate(batches), np.arange(100))
    again = minibatches(lengths, 32, shuffle=True, random_state=0)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = minibatches(lengths, 32, shuffle=True, random_state=1)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))
    plain = minibatches(lengths, 32, shuffle=False)
    np.testing.assert_array_equal(np.concatenate(plain), np.arange(100))


def test_minibatches_shuffle_changes_batch_order():
    lengths = np.arange(1, 101)
    orders = {tuple(int(b[0]) for b in minibatches(lengths, 10, shuffle=True,
                                                   random_state=s)) for s in range(5)}
    assert len(orders) > 1


@pytest.mark.parametrize("batch_size", [0, -3, 2.0, None])
def test_minibatches_bad_batch_size(batch_size):
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        minibatches([1, 2], batch_size, shuffle=False)


def test_subset_by_slice_equals_subset_by_indices_and_keeps_views():
    """A time split's contiguous rows: the same sequences, no copies of the
    per-window arrays."""
    from sklstm._data import WindowedSequences

    windows = WindowedSequences(np.arange(40, dtype=np.float32).reshape(20, 2), 4)
    by_slice, by_index = windows.subset(slice(5, 15)), windows.subset(np.arange(5, 15))
    np.testing.assert_array_equal(by_slice.batch(np.arange(10))[0],
                                  by_index.batch(np.arange(10))[0])
    assert np.shares_memory(by_slice.starts, windows.starts)
    assert not np.shares_memory(by_index.starts, windows.starts)
