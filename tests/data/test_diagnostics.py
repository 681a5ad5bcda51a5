"""Hints and warnings about the input's layout (``sklstm._data.diagnostics``): single-step
3-D input, long tables passed as rows, channels first, a window longer than its
series, NaN padding, and where each warning points."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._data import (
    RaggedSequences,
    to_sequences,
)

from tests.data.helpers import Est, read_X, rng
from tests.helpers import RAGGED, SMALL, X2, X3, Y_REG, T, Y, with_value


@pytest.mark.parametrize("fit", ["fit", "partial_fit", "pipeline"])
def test_fit_on_one_step_sequences_warns_at_the_users_line(fit):
    """aeon's univariate (n, 1, T) layout, read as one step of T features: a warning
    that names the transpose, located at the caller's line through sklearn's wrappers."""
    from sklstm.preprocessing import SequenceScaler

    X = np.random.RandomState(0).normal(size=(12, 1, 20))
    y = np.arange(12) % 2
    clf = LSTMClassifier(hidden_size=4, max_iter=1, random_state=0)
    calls = {"fit": lambda: clf.fit(X, y),
             "partial_fit": lambda: clf.partial_fit(X, y, classes=[0, 1]),
             "pipeline": lambda: Pipeline([("scale", SequenceScaler()), ("lstm", clf)]).fit(X, y)}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        calls[fit]()
    layout = [w for w in record if "transpose(0, 2, 1)" in str(w.message)]
    assert layout and {w.filename for w in layout} == {__file__}
    assert all(w.category is UserWarning for w in layout)


def test_single_step_3d_at_fit_warns_about_the_aeon_layout():
    """(n, 1, T) is aeon's / sktime's univariate layout; read as sklstm's (n, T, F)
    it is one step of T features, so fitting on it warns, at the caller's line."""
    X = rng().normal(size=(4, 1, 30))
    with pytest.warns(UserWarning, match=r"X.transpose\(0, 2, 1\)") as record:
        read_X(Est(), X, reset=True)
    assert [w.filename for w in record] == [read_X.__code__.co_filename]  # the caller of sklstm


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
    assert [w.filename for w in record] == [read_X.__code__.co_filename]  # the caller of sklstm
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


def _fresh_clf(**kw):
    return LSTMClassifier(**{**SMALL, **kw})


def _fresh_reg(**kw):
    return LSTMRegressor(**{**SMALL, **kw})


# ------------------------------------------------ NaN inside a sequence
@pytest.mark.parametrize("X, where", [
    (with_value(X3, (3, 2, 1), np.nan), "sequence 3, at time step 2, feature 1"),
    (with_value(X2, (3, 2), np.nan), "sequence 3, at time step 2"),
    (pd.DataFrame(with_value(X2, (3, 2), np.nan)).astype("Float64"),
     "sequence 3, at time step 2"),
    (RAGGED[:3] + [with_value(RAGGED[3], (2, 1), np.nan)] + RAGGED[4:],
     "sequence 3, at time step 2"),
], ids=["3d", "2d", "nullable-frame", "ragged"])
def test_nan_inside_a_sequence_says_where_and_how_to_fill_sequences(X, where):
    with pytest.raises(ValueError, match=rf"^Input X contains NaN \(first in {where}\)"
                       ) as error:
        _fresh_clf().fit(X, Y)
    message = str(error.value)
    assert "fill the gaps along time within each sequence" in message
    assert "sklstm.to_sequences" in message
    # not scikit-learn's advice, whose imputers and models do not take sequences
    assert "HistGradientBoosting" not in message and "SimpleImputer" not in message


def test_nan_in_a_window_series_names_its_row_and_column():
    series = with_value(X2, (5, 1), np.nan)
    with pytest.raises(ValueError, match=r"^Input X contains NaN \(first in row 5, "
                                         r"column 1\).*df\.ffill\(\)") as error:
        _fresh_reg(window=3).fit(series, Y_REG)
    assert "HistGradientBoosting" not in str(error.value)


def test_nan_padding_keeps_its_hint_without_scikit_learns_advice():
    padded = with_value(X2, (1, slice(T - 2, None)), np.nan)
    with pytest.raises(ValueError, match=r"only pad the ends of sequences") as error:
        _fresh_clf().fit(padded, Y)
    assert "HistGradientBoosting" not in str(error.value)


def test_a_window_longer_than_the_series_warns_and_names_the_fix():
    series = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.warns(UserWarning, match=r"window=50, but the series X has only 20 rows"):
        LSTMRegressor(window=50, hidden_size=2, max_iter=1).fit(series, series[:, 0])


def test_a_window_as_long_as_the_series_fits_without_a_warning():
    """One full window: no layout warning, and none from the ridge's penalty search
    (GCV has no degree of freedom to judge by)."""
    series = np.random.RandomState(0).normal(size=(20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1
        LSTMRegressor(window=20, hidden_size=2, max_iter=1).fit(series, series[:, 0])
