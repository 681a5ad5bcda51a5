"""Tests of sklstm.preprocessing.SequenceScaler."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._data import read_for_fit
from sklstm.preprocessing import SequenceScaler

from tests.helpers import FAST, make_sequences, trending_series
from tests.ragged_containers import ragged_container

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def ragged_items(lengths=(3, 1, 6, 2), n_features=3, seed=0):
    r = np.random.RandomState(seed)
    scale = np.array([1.0, 100.0, 0.01])[:n_features]
    return [r.standard_normal((t, n_features)) * scale + 5 for t in lengths]


def container(items, kind):
    return ragged_container(items, kind, index=[10 * i for i in range(len(items))], name="s")


def items_of(X):
    return list(X.array) if isinstance(X, pd.Series) else list(X)


@parametrize_with_checks([SequenceScaler(), SequenceScaler(with_mean=False),
                          SequenceScaler(with_std=False)])
def test_sklearn_compatible(estimator, check):
    """scikit-learn's whole check suite, on the 2-D (univariate rows) path."""
    check(estimator)


# ----------------------------------------------------------------------- statistics


def test_stats_over_valid_steps_only():
    items = ragged_items()
    scaler = SequenceScaler().fit(items)
    steps = np.concatenate(items)  # every valid step once, no padding
    np.testing.assert_allclose(scaler.mean_, steps.mean(axis=0))
    np.testing.assert_allclose(scaler.var_, steps.var(axis=0))
    np.testing.assert_allclose(scaler.scale_, steps.std(axis=0))
    assert scaler.n_samples_seen_ == len(steps) and scaler.n_features_in_ == 3
    dataset, _ = read_for_fit(SequenceScaler(), items, dtype=np.float64)
    padded, _ = dataset.batch(range(len(items)))
    assert not np.allclose(scaler.mean_, padded.reshape(-1, 3).mean(axis=0))


def test_stats_3d_and_2d():
    X3 = np.random.RandomState(1).standard_normal((4, 5, 2)) * [1, 10]
    scaler = SequenceScaler().fit(X3)
    np.testing.assert_allclose(scaler.mean_, X3.reshape(-1, 2).mean(axis=0))
    np.testing.assert_allclose(scaler.scale_, X3.reshape(-1, 2).std(axis=0))
    assert scaler.n_features_in_ == 2
    X2 = X3[..., 1]  # (4, 5): univariate rows
    scaler = SequenceScaler().fit(X2)
    np.testing.assert_allclose(scaler.mean_, [X2.mean()])
    np.testing.assert_allclose(scaler.scale_, [X2.std()])
    assert scaler.n_features_in_ == 5 and scaler.mean_.shape == (1,)


def test_zero_variance_feature_keeps_scale_one():
    items = [np.c_[np.arange(3.0), np.full(3, 7.0)], np.array([[5.0, 7.0]])]
    scaler = SequenceScaler().fit(items)
    assert scaler.var_[1] == 0 and scaler.scale_[1] == 1.0
    Xt = scaler.transform(items)
    np.testing.assert_array_equal(Xt[0][:, 1], 0.0)


def test_with_mean_and_with_std_off():
    items = ragged_items()
    steps = np.concatenate(items)
    only_std = np.concatenate(SequenceScaler(with_mean=False).fit_transform(items))
    np.testing.assert_allclose(only_std, steps / steps.std(axis=0))
    only_mean = SequenceScaler(with_std=False).fit(items)
    assert only_mean.scale_ is None
    np.testing.assert_allclose(np.concatenate(only_mean.transform(items)),
                               steps - steps.mean(axis=0))


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("kind", ["list", "object_array", "series"])
def test_ragged_containers_round_trip(kind):
    items = ragged_items()
    X = container(items, kind)
    scaler = SequenceScaler().fit(X)
    Xt = scaler.transform(X)
    assert type(Xt) is type(X)
    if kind == "series":
        assert Xt.index.equals(X.index) and Xt.name == "s"
    out = items_of(Xt)
    assert [x.shape for x in out] == [x.shape for x in items]
    steps = np.concatenate(out)
    np.testing.assert_allclose(steps.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(steps.std(axis=0), 1)
    back = items_of(scaler.inverse_transform(Xt))
    for a, b in zip(back, items):
        np.testing.assert_allclose(a, b)


def test_ragged_1d_items_stay_1d():
    items = [np.arange(4.0), np.arange(2.0) * 3]
    scaler = SequenceScaler().fit(items)
    Xt = scaler.transform(items)
    assert [x.shape for x in Xt] == [(4,), (2,)]
    steps = np.concatenate(items)
    np.testing.assert_allclose(Xt[1], (items[1] - steps.mean()) / steps.std())
    np.testing.assert_allclose(scaler.inverse_transform(Xt)[1], items[1])


def test_dataframe_items_names_and_checks():
    items = [pd.DataFrame(x, columns=["a", "b", "c"]) for x in ragged_items()]
    scaler = SequenceScaler().fit(pd.Series(items))
    assert list(scaler.feature_names_in_) == ["a", "b", "c"]
    Xt = scaler.transform(items)
    assert isinstance(Xt, list) and isinstance(Xt[0], np.ndarray)
    back = scaler.inverse_transform(Xt)  # arrays, no names: no warning wanted
    np.testing.assert_allclose(back[2], items[2].to_numpy())
    with pytest.raises(ValueError, match="feature names should match"):
        scaler.transform([x[["c", "b", "a"]] for x in items])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_3d_round_trip_and_other_length(dtype):
    X = np.random.RandomState(2).standard_normal((6, 4, 2)) * [3, 0.1] + 1
    X = X.astype(dtype)
    scaler = SequenceScaler().fit(X)
    Xt = scaler.transform(X)
    assert Xt.shape == X.shape and Xt.dtype == dtype
    np.testing.assert_allclose(Xt.reshape(-1, 2).std(axis=0), 1, rtol=1e-5)
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-5, atol=1e-6)
    assert scaler.transform(X[:, :2]).shape == (6, 2, 2)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
@pytest.mark.parametrize("as_frame", [False, True])
def test_2d_univariate_rows(as_frame):
    X = np.random.RandomState(3).standard_normal((5, 7)) * 4 + 2
    Xin = pd.DataFrame(X, columns=[f"t{i}" for i in range(7)]) if as_frame else X
    scaler = SequenceScaler().fit(Xin)
    Xt = scaler.transform(Xin)
    assert isinstance(Xt, np.ndarray) and Xt.shape == (5, 7)
    np.testing.assert_allclose(Xt, (X - X.mean()) / X.std())
    np.testing.assert_allclose(scaler.inverse_transform(Xt), X)
    with pytest.raises(ValueError, match="X has 6 features, but SequenceScaler is "
                       "expecting 7"):
        scaler.transform(X[:, :6])


def test_int_input_becomes_float64_and_input_is_not_modified():
    X = np.arange(24).reshape(2, 4, 3)
    Xf = X.astype(np.float64)
    Xt = SequenceScaler().fit_transform(Xf)
    assert Xt.dtype == np.float64 and not np.shares_memory(Xt, Xf)
    np.testing.assert_array_equal(Xf, X)
    assert SequenceScaler().fit_transform(X).dtype == np.float64


def test_errors():
    with pytest.raises(NotFittedError):
        SequenceScaler().transform(np.zeros((2, 3, 1)))
    scaler = SequenceScaler().fit(ragged_items(n_features=2))
    with pytest.raises(ValueError, match="X has 3 features, but SequenceScaler"):
        scaler.transform(ragged_items(n_features=3))
    with pytest.raises(ValueError, match="Sequence 1 of X has 0 time steps"):
        scaler.transform([np.ones((2, 2)), np.ones((0, 2))])


def test_transform_needs_the_fitted_features_per_step():
    """The feature count alone matches in both cases; the format decides."""
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(5, 4, 3))
    with pytest.raises(ValueError, match=r"3 feature\(s\) per time step.*X\[np.newaxis\]"):
        SequenceScaler().fit(X3).transform(X3[0])  # one sequence, sample axis missing
    rows = SequenceScaler().fit(X3[:, :, 0])  # 4 steps of 1 feature, n_features_in_ = 4
    with pytest.raises(ValueError, match=r"1 feature\(s\) per time step, but X gives 4"):
        rows.transform(rng.normal(size=(2, 7, 4)))  # not scaled with the wrong stats


# -------------------------------------------------------------------------- pipelines


class MeanSignClassifier(ClassifierMixin, BaseEstimator):
    """Stand-in sequence classifier: sign of the mean of feature 0 over valid steps."""

    def fit(self, X, y):
        _, spec = read_for_fit(self, X, dtype=np.float64)
        spec.set_on(self)
        self.classes_ = np.array([0, 1])
        return self

    def predict(self, X):
        data = self.input_spec_.read(self, X, dtype=np.float64)
        Xb, lengths = data.batch(np.arange(data.n_samples))  # (n, T, F)
        means = Xb[..., 0].sum(axis=1) / lengths
        return (means > 0).astype(int)


def sign_data(kind, n=40, seed=0):
    """Sequences whose class is the sign of their level, offset by +100."""
    r = np.random.RandomState(seed)
    y = np.arange(n) % 2
    level = np.where(y == 1, 1.0, -1.0) + 100
    if kind == "2d":
        return level[:, None] + 0.1 * r.standard_normal((n, 6)), y
    if kind == "3d":
        return level[:, None, None] + 0.1 * r.standard_normal((n, 6, 2)), y
    items = [lv + 0.1 * r.standard_normal((r.randint(1, 9), 2)) for lv in level]
    return container(items, kind), y


@pytest.mark.parametrize("kind", ["2d", "3d", "list", "object_array", "series"])
def test_pipeline_with_a_sequence_classifier(kind):
    X, y = sign_data(kind)
    assert MeanSignClassifier().fit(X, y).score(X, y) == 0.5  # unscaled: all > 0
    pipe = make_pipeline(SequenceScaler(), MeanSignClassifier())
    assert cross_val_score(pipe, X, y, cv=3).min() == 1.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", ["2d", "3d", "list", "series"])
def test_pipeline_with_lstm_classifier(kind):
    X, y = sign_data(kind, n=24)
    model = clone(LSTMClassifier(hidden_size=4, max_iter=3, random_state=0))
    pipe = make_pipeline(SequenceScaler(), model).fit(X, y)
    assert pipe.predict(X).shape == (24,)


def test_pipeline_with_scaler_on_univariate_rows():
    X, y = make_sequences(n=60, F=1)
    rows = pd.DataFrame(X[:, :, 0] * 100 + 5, columns=[f"t{i}" for i in range(6)])
    pipe = Pipeline([("scale", StandardScaler()), ("lstm", LSTMClassifier(**FAST))])
    pipe.fit(rows, y)
    assert pipe.predict(rows).shape == (60,)
    assert pipe[-1].n_features_in_ == 6


# ----------------------------------------------------- a window model after it


def test_sequence_scaler_before_a_window_model_is_told_to_use_standard_scaler():
    """A series given to SequenceScaler is read as univariate rows: one mean and scale
    for all its columns. The warning names the scaler a window model wants."""
    from sklearn.pipeline import make_pipeline

    from sklstm.preprocessing import SequenceScaler

    X, y = trending_series(n=300)
    X = np.hstack([X, 100 + 10 * X])  # two columns of very different scales
    model = make_pipeline(SequenceScaler(), LSTMRegressor(window=5, max_iter=1))
    with pytest.warns(UserWarning, match="StandardScaler"):
        model.fit(X, y)
