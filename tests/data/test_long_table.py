"""``sklstm.to_sequences`` (``sklstm._data.long_table``): a long table to a ragged X."""

import numpy as np
import pandas as pd
import pytest

from sklstm._data import (
    to_sequences,
)

from tests.data.helpers import Est, read_X


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
