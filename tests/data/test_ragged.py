"""Ragged containers, sktime's nested frames and pandas items (``sklstm._data.ragged``)."""

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMClassifier
from sklstm._data import (
    RaggedSequences,
)

from tests.data.helpers import Est, padded_by_hand, ragged, read_X
from tests.helpers import FAST, make_sequences
from tests.ragged_containers import ragged_container

pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_ragged_predictions_equal_alone(pooling):
    X, y = make_sequences(n=30, T=7)
    clf = LSTMClassifier(hidden_size=6, bidirectional=True, num_layers=2, max_iter=2,
                         pooling=pooling, dtype="float64", random_state=0).fit(X, y)
    ragged = [X[i, : 2 + i % 5] for i in range(6)]
    together = clf.predict_proba(ragged)
    alone = np.vstack([clf.predict_proba(x[None]) for x in ragged])
    np.testing.assert_allclose(together, alone, rtol=1e-10)


def test_sktime_nested_frame_fits_like_its_3d_array():
    """sktime's nested DataFrame (a pd.Series per case and channel) is the 3-D array
    it holds, with the channel names as feature names."""
    X, y = make_sequences(n=30, T=7)
    nested = pd.DataFrame({f"dim_{c}": [pd.Series(x[:, c]) for x in X]
                           for c in range(X.shape[2])})
    from_frame = LSTMClassifier(**FAST).fit(nested, y)
    from_array = LSTMClassifier(**FAST).fit(X, y)
    assert list(from_frame.feature_names_in_) == list(nested.columns)
    np.testing.assert_array_equal(from_frame.predict_proba(nested),
                                  from_array.predict_proba(X))


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
