"""Tests of sklstm._data: input formats, datasets, batching and to_sequences."""


import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from sklstm import LSTMClassifier
from sklstm._data import (
    PaddedSequences,
)

from tests.data.helpers import Est, ragged, read_X, rng
from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


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


# ------------------------------------------------------------------ NaN padding


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


# ------------------------------------------------------------------ dataset helpers


def test_dtype_list_keeps_listed_input_dtype():
    listed = [np.float64, np.float32]
    for make in (lambda a: a, lambda a: [a[0], a[1][:2]]):
        X32 = make(np.zeros((2, 3, 2), dtype=np.float32))
        data = read_X(Est(), X32, reset=True, dtype=listed)
        assert data.dtype == np.float32
        Xint = make(np.zeros((2, 3, 2), dtype=np.int64))
        data = read_X(Est(), Xint, reset=True, dtype=listed)
        assert data.dtype == np.float64


# --------------------------------------------------------------------- to_sequences


def test_3d_input_takes_other_lengths_at_predict_time():
    X, y = make_sequences(T=6)
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.n_features_in_ == 2
    assert clf.predict(np.zeros((4, 11, 2))).shape == (4,)
    rows = LSTMClassifier(**FAST).fit(X[:, :, 0], y)  # 2-D: univariate rows
    assert rows.n_features_in_ == 6
    with pytest.raises(ValueError, match="features"):
        rows.predict(np.zeros((4, 7)))
