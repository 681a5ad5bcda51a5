"""Tests of sklstm._data: input formats, datasets, batching and to_sequences."""

import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ragged_containers import ragged_container
from sklearn.base import BaseEstimator

from sklstm.core import mask_from_lengths
from sklstm._data import (
    InputSpec,
    PaddedSequences,
    RaggedSequences,
    WindowedSequences,
    check_sample_weight,
    minibatches,
    read_for_fit,
    to_sequences,
)


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


def slow_windows(series, k):
    """Window i = rows max(0, i-k+1) .. i, built one by one."""
    return [series[max(0, i - k + 1) : i + 1] for i in range(len(series))]


def ragged(lengths, n_features=2, seed=0):
    r = rng(seed)
    return [r.standard_normal((t, n_features)) for t in lengths]


# ----------------------------------------------------------------------------- 3-D


@pytest.mark.parametrize("as_list", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_3d_round_trip(as_list, dtype):
    X = rng().standard_normal((5, 4, 3))
    est = Est()
    Xin = X.tolist() if as_list else X
    data = read_X(est, Xin, reset=True, dtype=dtype)
    assert isinstance(data, PaddedSequences)
    assert (data.n_samples, data.n_features, est.n_features_in_) == (5, 3, 3)
    assert not hasattr(est, "feature_names_in_")
    np.testing.assert_array_equal(data.lengths, [4] * 5)
    Xb, lengths = data.batch([3, 0, 3])
    assert Xb.dtype == dtype and Xb.flags.c_contiguous
    np.testing.assert_allclose(Xb, X[[3, 0, 3]].astype(dtype))
    np.testing.assert_array_equal(lengths, [4, 4, 4])
    assert lengths.dtype == np.int64


def test_3d_other_length_at_predict_time_and_wrong_features():
    est = Est()
    read_X(est, np.zeros((3, 4, 2)), reset=True)
    data = read_X(est, np.ones((2, 9, 2)), reset=False)
    assert data.lengths.tolist() == [9, 9]
    with pytest.raises(ValueError, match="X has 5 features, but Est is expecting 2"):
        read_X(est, np.zeros((2, 4, 5)), reset=False)


def test_single_step_3d_at_fit_warns_about_the_aeon_layout():
    """(n, 1, T) is aeon's / sktime's univariate layout; read as sklstm's (n, T, F)
    it is one step of T features, so fitting on it warns, at the caller's line."""
    X = rng().normal(size=(4, 1, 30))
    with pytest.warns(UserWarning, match=r"X.transpose\(0, 2, 1\)") as record:
        read_X(Est(), X, reset=True)
    assert [w.filename for w in record] == [__file__]


@pytest.mark.parametrize("shape", [(4, 1, 1), (4, 5, 3), (4, 30, 1)])
def test_sequences_of_several_steps_or_one_feature_do_not_warn(shape):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_X(Est(), rng().normal(size=shape), reset=True)


def test_single_step_3d_at_predict_time_does_not_warn():
    est = Est()
    read_X(est, rng().normal(size=(4, 5, 3)), reset=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_X(est, rng().normal(size=(4, 1, 3)), reset=False)


# ------------------------------------------- layouts read the wrong way (issue 18)

def sensor_sequences(n, length, n_channels, seed=0):
    """n smooth multichannel recordings (length, n_channels): noisy sines of random
    phase and frequency, one offset per channel."""
    r = rng(seed)
    t = np.arange(length)[:, None]
    return [np.sin(r.uniform(0.1, 0.4) * t + r.uniform(0, 6, size=n_channels))
            + np.arange(n_channels) + 0.1 * r.normal(size=(length, n_channels))
            for _ in range(n)]


def sensor_long_table(n_sequences=60, length=20):
    """One row per time step: id, time, ax, ay and a label repeated per sequence."""
    items = sensor_sequences(n_sequences, length, 2)
    return pd.DataFrame({"id": np.repeat(np.arange(n_sequences), length),
                         "time": np.tile(np.arange(length), n_sequences),
                         "ax": np.concatenate([x[:, 0] for x in items]),
                         "ay": np.concatenate([x[:, 1] for x in items]),
                         "label": np.repeat(np.arange(n_sequences) % 3, length)})


def test_a_long_table_passed_as_rows_warns_and_names_the_fix():
    """fit(long[["ax", "ay"]], long["label"]) reads 1,200 sequences of 2 steps."""
    from sklstm import LSTMClassifier

    long = sensor_long_table()
    with pytest.warns(UserWarning, match=r"1200 rows of 2 columns.*long table.*"
                      r"sklstm\.to_sequences\(df, id=\.\.\., time=\.\.\.\).*window=k"
                      ) as record:
        LSTMClassifier(hidden_size=2, max_iter=1).fit(long[["ax", "ay"]], long["label"])
    assert [w.filename for w in record if "long table" in str(w.message)] == [__file__]
    with warnings.catch_warnings():  # the fix it names reads the sequences, silently
        warnings.simplefilter("error", UserWarning)
        X = to_sequences(long, id="id", time="time", columns=["ax", "ay"])
        dataset = read_X(Est(), X, reset=True)
    assert (dataset.n_samples, dataset.n_features) == (60, 2)


def test_a_long_table_of_random_walks_warns_too():
    walks = np.cumsum(rng(1).normal(size=(500, 3)), axis=0)
    with pytest.warns(UserWarning, match="long table"):
        read_X(Est(), walks, reset=True)


def legitimate_rows():
    """2-D X that really holds one univariate sequence per row."""
    from sklearn.datasets import load_digits, load_iris

    r = rng(2)
    series = np.sin(0.05 * np.arange(1000)) + 0.05 * r.normal(size=1000)
    return {
        "smooth rows": np.stack([x[:, 0] for x in sensor_sequences(300, 40, 1)]),
        "white noise": r.normal(size=(500, 3)),
        "sorted by class": np.vstack([r.normal(size=(300, 4)) + 5 * k for k in (0, 1)]),
        "sliding windows": np.lib.stride_tricks.sliding_window_view(series, 8),
        "windows of a random walk": np.lib.stride_tricks.sliding_window_view(
            np.cumsum(r.normal(size=1000)), 6),
        "daily rows of hours": np.stack([np.sin(2 * np.pi * np.arange(24) / 24 + d / 50)
                                         for d in range(400)]) + 0.05 * r.normal(size=(400, 24)),
        "digits": load_digits().data,
        "iris (scikit-learn's checks)": load_iris().data,
    }


@pytest.mark.parametrize("name", sorted(legitimate_rows()))
def test_univariate_rows_do_not_warn(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        read_X(Est(), legitimate_rows()[name], reset=True)


def test_aeon_multichannel_layout_warns_and_its_transpose_does_not():
    """aeon's (n_cases, n_channels, n_timepoints), here (60, 3, 20), would read as 3
    steps of 20 features."""
    X = np.stack(sensor_sequences(60, 20, 3)).transpose(0, 2, 1)  # (60, 3, 20)
    with pytest.warns(UserWarning, match=r"\(60, 3, 20\).*3 time steps of 20 "
                      r"features.*X\.transpose\(0, 2, 1\).*20 steps of 3 features"
                      ) as record:
        read_X(Est(), X, reset=True)
    assert [w.filename for w in record] == [__file__]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        read_X(Est(), X.transpose(0, 2, 1), reset=True)
        est = Est()
        read_X(est, rng().normal(size=(4, 3, 20)), reset=True)
        read_X(est, X, reset=False)  # only fit warns


@pytest.mark.parametrize("make_X", [
    lambda: rng().normal(size=(100, 5, 50)),  # short sequences of word embeddings
    lambda: np.random.RandomState(0).rand(200, 4, 16) * np.arange(16),  # scaled features
], ids=["embeddings", "features of many scales"])
def test_few_steps_of_many_unordered_features_do_not_warn(make_X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        read_X(Est(), make_X(), reset=True)


# ------------------------------------------------------------------ NaN padding

def nan_padded(lengths, n_features=None, seed=0):
    """Sequences of ``lengths`` padded with trailing NaN: (n, T) or (n, T, F)."""
    shape = (len(lengths), max(lengths)) + (() if n_features is None else (n_features,))
    X = rng(seed).normal(size=shape)
    for row, length in enumerate(lengths):
        X[row, length:] = np.nan
    return X


@pytest.mark.parametrize("n_features, container", [
    (None, np.asarray), (None, pd.DataFrame), (3, np.asarray)])
def test_nan_padding_error_names_the_ragged_format_and_its_fix_works(n_features, container):
    """tslearn and UCR's .tsv files pad shorter sequences with NaN: the error says so,
    and the conversion it suggests gives the ragged sequences, lengths intact."""
    lengths = [5, 3, 5, 1]
    X = container(nan_padded(lengths, n_features))
    with pytest.raises(ValueError, match="Input X contains NaN") as error:
        read_X(Est(), X, reset=True)
    message = str(error.value)
    assert "only pad the ends of sequences" in message
    fix = message[message.index("pass ") + 5:].split(" for 2-D X, or ")
    code = fix[0] if n_features is None else fix[1].removesuffix(" for 3-D X.")
    sequences = eval(code, {"np": np, "X": X})  # the message's own code
    dataset = read_X(Est(), sequences, reset=True)
    assert isinstance(dataset, RaggedSequences)
    assert list(dataset.lengths) == lengths
    assert dataset.n_features == (1 if n_features is None else n_features)


@pytest.mark.parametrize("make_X, window", [
    (lambda: nan_padded([5, 3, 5])[:, [0, 4, 1, 2, 3]], None),  # NaN inside a row
    (lambda: nan_padded([5, 5, 5]) * np.where(np.arange(5) == 0, np.nan, 1), None),  # leading
    (lambda: nan_padded([5, 3], 3) * np.array([1, np.nan, 1]) ** (np.arange(5)[:, None] > 3),
     None),  # a step with only some features missing
    (lambda: nan_padded([3, 3, 2, 2, 1, 1]).T, 2),  # one long series: rows are time
])
def test_other_nans_get_no_padding_hint(make_X, window):
    X = make_X()
    with pytest.raises(ValueError, match="Input X contains NaN") as error:
        read_X(Est(), X, reset=True, window=window)
    assert "pad the ends" not in str(error.value)


def test_reset_deletes_stale_feature_names():
    est = Est()
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    read_X(est, frame, reset=True)
    assert list(est.feature_names_in_) == ["a", "b"]
    read_X(est, np.zeros((2, 3, 1)), reset=True)
    assert not hasattr(est, "feature_names_in_")
    assert est.n_features_in_ == 1


# ----------------------------------------------------------------------------- 2-D


@pytest.mark.parametrize("container", ["array", "list", "frame"])
def test_2d_rows_are_univariate_sequences(container):
    X = rng().standard_normal((4, 6))
    Xin = {"array": X, "list": X.tolist(),
           "frame": pd.DataFrame(X, columns=[f"t{i}" for i in range(6)])}[container]
    est = Est()
    data = read_X(est, Xin, reset=True)
    assert isinstance(data, PaddedSequences)
    assert est.n_features_in_ == 6 and data.n_features == 1
    assert data.dtype == np.float32
    Xb, lengths = data.batch([2, 1])
    assert Xb.shape == (2, 6, 1)
    np.testing.assert_allclose(Xb[..., 0], X[[2, 1]].astype(np.float32))
    assert lengths.tolist() == [6, 6]
    if container == "frame":
        assert list(est.feature_names_in_) == [f"t{i}" for i in range(6)]
    else:
        assert not hasattr(est, "feature_names_in_")


def test_2d_reset_false_checks():
    frame = pd.DataFrame(np.zeros((3, 4)), columns=list("abcd"))
    est = Est()
    read_X(est, frame, reset=True)
    with pytest.raises(ValueError, match="X has 3 features, but Est is expecting 4"):
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            read_X(est, np.zeros((2, 3)), reset=False)
    with pytest.raises(ValueError, match="feature names should match"):
        read_X(est, frame[list("dcba")], reset=False)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        read_X(est, np.zeros((2, 4)), reset=False)
    est = Est()
    read_X(est, np.zeros((3, 4)), reset=True)
    with pytest.warns(UserWarning, match="X has feature names"):
        read_X(est, frame, reset=False)


def test_list_of_equal_lists_is_an_array_not_ragged():
    est = Est()
    data = read_X(est, [[1, 2, 3], [4, 5, 6]], reset=True)
    assert isinstance(data, PaddedSequences) and est.n_features_in_ == 3
    data = read_X(est, [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], reset=True)
    assert isinstance(data, PaddedSequences) and est.n_features_in_ == 2


# -------------------------------------------------------------------------- ragged


def as_container(items, kind):
    return ragged_container(items, kind, index=[f"s{i}" for i in range(len(items))])


@pytest.mark.parametrize("kind", ["list", "object_array", "series"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ragged_round_trip(kind, dtype):
    items = ragged([3, 1, 5, 2], n_features=3)
    est = Est()
    data = read_X(est, as_container(items, kind), reset=True, dtype=dtype)
    assert isinstance(data, RaggedSequences)
    assert est.n_features_in_ == 3 and not hasattr(est, "feature_names_in_")
    np.testing.assert_array_equal(data.lengths, [3, 1, 5, 2])
    order = [1, 2, 0, 1]
    Xb, lengths = data.batch(order)
    expected, expected_lengths = padded_by_hand(items, order)
    assert Xb.shape == (4, 5, 3) and Xb.dtype == dtype and Xb.flags.c_contiguous
    np.testing.assert_allclose(Xb, expected, rtol=1e-6)
    np.testing.assert_array_equal(lengths, expected_lengths)
    assert not Xb[0, 1:].any()  # padding is zeros


def test_ragged_1d_items_are_univariate():
    items = [np.arange(3.0), [1.0, 2.0], pd.Series([5.0, 6.0, 7.0, 8.0])]
    est = Est()
    data = read_X(est, items, reset=True)
    assert est.n_features_in_ == 1 and data.lengths.tolist() == [3, 2, 4]
    Xb, _ = data.batch([1])
    np.testing.assert_array_equal(Xb[..., 0], [[1.0, 2.0]])


def test_ragged_nested_lists_of_unequal_lengths():
    est = Est()
    data = read_X(est, [[[1, 2], [3, 4]], [[5, 6]]], reset=True)
    assert isinstance(data, RaggedSequences)
    assert est.n_features_in_ == 2 and data.lengths.tolist() == [2, 1]


def test_list_of_equal_length_arrays_stays_ragged_per_item():
    # a list of ndarrays is a container of sequences even when lengths agree, so
    # a train/test split of a ragged list never changes what n_features means
    est = Est()
    data = read_X(est, [np.arange(4.0), np.arange(4.0)], reset=True)
    assert isinstance(data, RaggedSequences) and est.n_features_in_ == 1


def test_ragged_dataframe_items_give_feature_names():
    items = [pd.DataFrame(x, columns=["a", "b"]) for x in ragged([2, 4])]
    est = Est()
    read_X(est, pd.Series(items), reset=True)
    assert list(est.feature_names_in_) == ["a", "b"]
    read_X(est, items, reset=False)  # same names: no warning
    with pytest.raises(ValueError, match="feature names should match"):
        read_X(est, [x[["b", "a"]] for x in items], reset=False)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        read_X(est, ragged([2, 3]), reset=False)


def test_ragged_pandas_nullable_dtype_missing_is_nan():
    item = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    with pytest.raises(ValueError, match="NaN .*sequence 0"):
        read_X(Est(), [item], reset=True)


def test_ragged_wrong_feature_count_at_predict_time():
    est = Est()
    read_X(est, ragged([2, 3], n_features=2), reset=True)
    with pytest.raises(ValueError, match="X has 4 features, but Est is expecting 2"):
        read_X(est, ragged([2, 3], n_features=4), reset=False)


def nested_frame(items, columns=("dim_0", "dim_1"), cell=pd.Series):
    """sktime's nested DataFrame of (T_i, C) items: cell (i, c) holds channel c of i."""
    return pd.DataFrame({name: [cell(item[:, c]) for item in items]
                         for c, name in enumerate(columns)},
                        index=[f"case{i}" for i in range(len(items))])


@pytest.mark.parametrize("cell", [pd.Series, np.asarray])
def test_nested_frame_reads_as_its_sequences(cell):
    items = ragged([3, 1, 5], n_features=2)
    est = Est()
    data = read_X(est, nested_frame(items, cell=cell), reset=True)
    assert isinstance(data, RaggedSequences)
    assert est.n_features_in_ == 2 and list(est.feature_names_in_) == ["dim_0", "dim_1"]
    Xb, lengths = data.batch([2, 0, 1])
    expected, expected_lengths = padded_by_hand(items, [2, 0, 1])
    np.testing.assert_allclose(Xb, expected, rtol=1e-6)
    np.testing.assert_array_equal(lengths, expected_lengths)


def test_nested_frame_round_trips_to_a_nested_frame():
    X = nested_frame(ragged([2, 4]))
    data = read_X(Est(), X, reset=True, dtype=np.float64)
    back = data.unflatten(data.values)
    assert isinstance(back, pd.DataFrame)
    assert back.index.equals(X.index) and back.columns.equals(X.columns)
    for i in range(2):
        for c in range(2):
            assert isinstance(back.iat[i, c], pd.Series)
            np.testing.assert_array_equal(back.iat[i, c], X.iat[i, c])


def test_nested_frame_checks():
    est = Est()
    read_X(est, nested_frame(ragged([2, 3])), reset=True)
    with pytest.raises(ValueError, match="feature names should match"):
        read_X(est, nested_frame(ragged([2]), columns=("b", "a")), reset=False)
    uneven = nested_frame(ragged([3, 3]))
    uneven.iat[1, 1] = pd.Series([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Sequence 1 of X has channels of different "
                                         r"lengths \(\[2, 3\] time steps\)"):
        read_X(Est(), uneven, reset=True)
    scalar = nested_frame(ragged([3, 3]))
    scalar.iat[0, 1] = 4.0
    with pytest.raises(ValueError, match="Sequence 0 of X holds float in column 'dim_1'"):
        read_X(Est(), scalar, reset=True)
    numeric_column = nested_frame(ragged([3, 3])).assign(extra=1.5)
    with pytest.raises(ValueError, match="Sequence 0 of X holds float in column 'extra'"):
        read_X(Est(), numeric_column, reset=True)
    strings = nested_frame(ragged([3, 3]))
    strings.iat[1, 0] = pd.Series(["a", "b", "c"])
    with pytest.raises(ValueError, match="Sequence 1 of X has non-numeric"):
        read_X(Est(), strings, reset=True)


# --------------------------------------------------------------------------- errors


def _frame_item(**columns):
    return pd.DataFrame(columns)


ERRORS = [
    # (X, exception, match)
    (np.arange(4.0), ValueError, "Expected 2D array, got 1D array instead"),
    (pd.Series([1.0, 2.0]), ValueError, "Expected a 2-dimensional container"),
    (sp.csr_matrix(np.eye(3)), TypeError, "dense data is required"),
    (sp.dok_matrix(np.eye(3)), TypeError, "dense data is required"),  # a dict in old scipy
    (None, TypeError, "X must be array-like.*NoneType"),
    ({"a": [1.0, 2.0]}, TypeError, "X must be array-like.*dict"),
    (np.array([[1.0, np.nan]]), ValueError, "NaN"),
    (np.array([[[1.0], [np.inf]]]), ValueError, "infinity"),
    ([np.ones((2, 1)), np.array([[1.0], [np.nan]])], ValueError,
     "contains NaN \\(first in sequence 1, at time step 1\\)"),
    ([np.ones(2), np.array([np.inf])], ValueError, "infinity .*sequence 1"),
    ([np.array([1e300])], ValueError, "too large for float32"),
    (np.array([[1 + 1j, 2]]), ValueError, "Complex data not supported"),
    ([np.array([1 + 1j])], ValueError, "Sequence 0 of X holds complex"),
    (np.zeros((0, 3)), ValueError, "0 sample"),
    (np.zeros((0, 3, 2)), ValueError, "0 sample"),
    (np.zeros((3, 0, 2)), ValueError, "at least one time step"),
    (np.zeros((2, 2, 2, 2)), ValueError, "with 4 dimensions"),
    ([], ValueError, "0 sequences"),
    (np.array([["a", "b"]]), ValueError, "X contains strings.*OrdinalEncoder"),
    (np.array([[["a"]]]), ValueError, "X contains strings"),
    (np.array([[{"a": 1}, 2.0]], dtype=object), TypeError, "not 'dict'"),
    ([np.array(["a", "b"])], ValueError, "Sequence 0 of X holds strings"),
    ([np.ones(2), np.array([None, "x"], dtype=object)], ValueError,
     "Sequence 1 of X holds values that are not numbers"),
    ([_frame_item(a=[1.0]), _frame_item(a=["x"])], ValueError,
     "Sequence 1 of X has non-numeric columns"),
    ([np.ones((2, 2)), np.zeros((0, 2))], ValueError,
     "Sequence 1 of X has 0 time steps"),
    ([np.ones((2, 2)), np.ones((2, 2)), np.ones((1, 3))], ValueError,
     "Sequence 2 of X has 3 features per time step, but sequence 0 has 2"),
    ([np.ones((2, 0))], ValueError, "0 features"),
    ([np.ones((2, 2, 2))], ValueError, "Sequence 0 of X has shape \\(2, 2, 2\\)"),
    ([np.ones(2), 3.0], ValueError, "Sequence 1 of X has shape \\(\\)"),
    ([[[1, 2], [3]], [[1, 2]]], ValueError, "Sequence 0 of X is not a rectangular"),
    ([_frame_item(a=[1.0]), _frame_item(b=[1.0])], ValueError,
     "Sequence 1 of X has columns \\['b'\\], but sequence 0 has \\['a'\\]"),
]


@pytest.mark.parametrize("X, exception, match", ERRORS)
def test_errors(X, exception, match):
    with pytest.raises(exception, match=match):
        read_X(Est(), X, reset=True)


@pytest.mark.parametrize("window", [0, -1, 2.5, True, "3", np.float64(3.0)])
def test_invalid_window(window):
    with pytest.raises(ValueError, match="window must be None or an int >= 1"):
        read_X(Est(), np.zeros((5, 2)), reset=True, window=window)


@pytest.mark.parametrize(
    "X, what",
    [(np.zeros((3, 4, 2)), "a 3-D array"),
     (ragged([2, 3]), "a ragged container"),
     (pd.Series(ragged([2, 3])), "a ragged container")],
)
def test_window_needs_2d_input(X, what):
    with pytest.raises(ValueError, match=f"window=4 was given with {what}.*window is "
                       "for one long time series.*set window=None"):
        read_X(Est(), X, reset=True, window=4)


def test_window_with_1d_series_asks_for_a_column():
    with pytest.raises(ValueError, match="reshape\\(-1, 1\\)"):
        read_X(Est(), np.arange(10.0), reset=True, window=3)


def test_wrong_feature_count_explains_formats():
    est = Est()
    read_X(est, np.zeros((3, 5, 1)), reset=True)
    with pytest.raises(ValueError, match="X has 5 features.*each column is one time"):
        read_X(est, np.zeros((3, 5)), reset=False)


# ------------------------------------------------------------------------- windows


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


def test_window_dataframe_names_and_predict_checks():
    frame = pd.DataFrame(
        rng().standard_normal((10, 3)), columns=["x", "y", "z"],
        index=pd.date_range("2020-01-01", periods=10, freq="D"),
    )
    est = Est()
    data = read_X(est, frame, reset=True, window=4)
    assert est.n_features_in_ == 3 and list(est.feature_names_in_) == ["x", "y", "z"]
    assert list(data.feature_names) == ["x", "y", "z"]
    with pytest.raises(ValueError, match="X has 2 features, but Est is expecting 3"):
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            read_X(est, frame[["x", "y"]].to_numpy(), reset=False)
    with pytest.raises(ValueError, match="feature names should match"):
        read_X(est, frame[["z", "y", "x"]], reset=False)


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


def test_input_spec_records_the_reading_of_fit():
    """read_for_fit sets nothing; set_on records the spec and scikit-learn's
    n_features_in_ / feature_names_in_; read uses the window of fit."""
    frame = pd.DataFrame(rng().normal(size=(10, 3)), columns=["x", "y", "z"])
    est = Est()
    _, spec = read_for_fit(est, frame, window=4)
    assert not vars(est)
    assert spec == InputSpec(4, "2d", 3, 3, ("x", "y", "z"))
    spec.set_on(est)
    assert est.input_spec_ is spec and est.n_features_in_ == 3
    assert est.feature_names_in_.tolist() == ["x", "y", "z"]
    assert isinstance(spec.read(est, frame), WindowedSequences)
    _, rows = read_for_fit(est, frame.to_numpy())  # univariate rows of 3 steps
    assert rows == InputSpec(None, "2d", 1, 3)
    rows.set_on(est)
    assert not hasattr(est, "feature_names_in_")  # a stale one is deleted
    assert est.input_spec_.read(est, frame.to_numpy()).lengths.tolist() == [3] * 10


# ------------------------------------------------------------------ dataset helpers


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


def test_mask_from_lengths():
    np.testing.assert_array_equal(
        mask_from_lengths([2, 0, 3]),
        [[True, True, False], [False, False, False], [True, True, True]],
    )
    assert mask_from_lengths([1], n_timesteps=4).shape == (1, 4)


def test_dtype_list_keeps_listed_input_dtype():
    listed = [np.float64, np.float32]
    for make in (lambda a: a, lambda a: [a[0], a[1][:2]]):
        X32 = make(np.zeros((2, 3, 2), dtype=np.float32))
        data = read_X(Est(), X32, reset=True, dtype=listed)
        assert data.dtype == np.float32
        Xint = make(np.zeros((2, 3, 2), dtype=np.int64))
        data = read_X(Est(), Xint, reset=True, dtype=listed)
        assert data.dtype == np.float64


# -------------------------------------------------------------------- sample weights
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("given, expected", [
    (None, [1.0, 1.0, 1.0]),
    (2, [2.0, 2.0, 2.0]),
    ([0, 1, 3], [0.0, 1.0, 3.0]),
    (pd.Series([0.5, 0, 2], index=[7, 8, 9]), [0.5, 0.0, 2.0]),
])
def test_sample_weight_values(given, expected, dtype):
    weights = check_sample_weight(given, 3, np.dtype(dtype))
    assert weights.dtype == dtype and weights.flags.c_contiguous
    np.testing.assert_array_equal(weights, expected)


def test_sample_weight_is_not_the_callers_array():
    given = np.ones(3)
    check_sample_weight(given, 3, np.dtype(np.float64))[0] = 5
    assert given[0] == 1


@pytest.mark.parametrize("given, match", [
    (np.ones(4), r"length 3.*shape \(4,\)"),
    (np.ones((3, 1)), r"1-D array.*shape \(3, 1\)"),
    ([1, -1, 1], "non-negative"),
    (-1, "non-negative"),
    ([1, np.nan, 1], "sample_weight contains NaN"),
    ([1, np.inf, 1], "sample_weight contains infinity"),
    (np.zeros(3), "at least one non-zero"),
    (0, "at least one non-zero"),
    (["a", "b", "c"], "could not convert"),
])
def test_sample_weight_errors(given, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(given, 3, np.dtype(np.float32))


# ---------------------------------------------------------------------- minibatches


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


# --------------------------------------------------------------------- to_sequences


def long_table():
    rows = [  # id, time, a, b (shuffled on purpose)
        ("z", 2, 3.0, 30.0), ("a", 1, 1.5, 15.0), ("z", 0, 1.0, 10.0),
        ("a", 0, 0.5, 5.0), ("z", 1, 2.0, 20.0), ("m", 5, 9.0, 90.0),
    ]
    return pd.DataFrame(rows, columns=["sid", "t", "a", "b"])


def test_to_sequences_orders_by_id_and_time():
    seqs = to_sequences(long_table(), id="sid", time="t")
    assert isinstance(seqs, pd.Series)
    assert list(seqs.index) == ["a", "m", "z"] and seqs.index.name == "sid"
    assert [len(s) for s in seqs] == [2, 1, 3]
    z = seqs["z"]
    assert list(z.columns) == ["a", "b"] and list(z.index) == [0, 1, 2]
    np.testing.assert_array_equal(z.to_numpy(), [[1, 10], [2, 20], [3, 30]])


def test_to_sequences_explicit_columns_and_datetime_time():
    df = long_table()
    df["t"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["t"], unit="h")
    seqs = to_sequences(df, id="sid", time="t", columns=["b"])
    assert list(seqs["z"]["b"]) == [10.0, 20.0, 30.0]
    assert seqs["z"].index.is_monotonic_increasing


def test_to_sequences_mixed_and_nullable_columns_are_numeric():
    df = long_table().assign(
        flag=[True, False, True, True, False, True],
        n=pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
    )
    seqs = to_sequences(df, "sid", "t", columns=["a", "flag", "n"])
    assert seqs["z"].to_numpy().dtype == np.float64
    np.testing.assert_array_equal(seqs["z"]["n"], [np.nan, 5.0, 1.0])
    data = read_X(Est(), seqs.drop("z"), reset=True)
    assert data.n_features == 3 and data.lengths.tolist() == [2, 1]


def test_to_sequences_goes_into_read_for_fit():
    est = Est()
    data = read_X(est, to_sequences(long_table(), "sid", "t"), reset=True)
    assert list(est.feature_names_in_) == ["a", "b"]
    assert data.lengths.tolist() == [2, 1, 3]


@pytest.mark.parametrize(
    "change, kwargs, exception, match",
    [
        (lambda df: df.iloc[:0], {}, ValueError, "df is empty"),
        (lambda df: df, {"id": "nope"}, ValueError,
         "Columns \\['nope'\\] are not in df"),
        (lambda df: df, {"columns": ["a", "c"]}, ValueError, "\\['c'\\] are not in df"),
        (lambda df: pd.concat([df, df.iloc[:1]]), {}, ValueError,
         "1 duplicate \\('sid', 't'\\) pairs, e.g. \\[\\('z', 2\\)\\]"),
        (lambda df: df.assign(c="x"), {}, ValueError, "\\['c'\\] are not numeric"),
        (lambda df: df.assign(t=[1, None, 2, 3, 4, 5]), {}, ValueError,
         "must not contain missing values"),
        (lambda df: df, {"time": "sid"}, ValueError, "must be different columns"),
        (lambda df: df, {"columns": ["a", "t"]}, ValueError, "must not include"),
        (lambda df: df[["sid", "t"]], {}, ValueError, "no feature columns"),
        (lambda df: df.to_numpy(), {}, TypeError, "must be a pandas DataFrame"),
    ],
)
def test_to_sequences_errors(change, kwargs, exception, match):
    args = {"id": "sid", "time": "t", **kwargs}
    with pytest.raises(exception, match=match):
        to_sequences(change(long_table()), **args)


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
