"""``sklstm.trace`` (``sklstm._inspection``) looks inside a fitted estimator or a Pipeline ending in one."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor, trace
from sklstm.preprocessing import SequenceScaler

COLUMNS = ["acc_x", "acc_y", "gyro_x", "gyro_z"]


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at a tiny max_iter
        return model.fit(X, y)


@pytest.fixture(scope="module")
def frames():
    """Ragged DataFrame items with named sensor columns, far from unit scale."""
    rng = np.random.RandomState(0)
    X = [pd.DataFrame(10 * rng.normal(size=(n, 4)) + 3, columns=COLUMNS)
         for n in rng.randint(4, 9, size=16)]
    return X, np.arange(16) % 2


@pytest.fixture(scope="module")
def pipeline(frames):
    return _fit(make_pipeline(SequenceScaler(), LSTMClassifier(hidden_size=3, max_iter=2,
                                                               random_state=0)), *frames)


def test_trace_of_a_pipeline_is_the_trace_of_its_transformed_input(frames, pipeline):
    X, _ = frames
    internals = trace(pipeline, X[:5], layer=0)
    expected = pipeline[-1].trace(pipeline[:-1].transform(X[:5]), layer=0)
    assert sorted(internals) == sorted(expected)
    for name, values in expected.items():
        np.testing.assert_array_equal(internals[name], values)
    assert internals["forget"].shape == (5, max(len(x) for x in X[:5]), 3)


def test_trace_of_an_estimator_equals_its_own_trace():
    X = np.random.RandomState(1).normal(size=(10, 5, 2))
    reg = _fit(LSTMRegressor("gru", 3, max_iter=1, random_state=0), X, X[:, 0, 0])
    np.testing.assert_array_equal(trace(reg, X)["update"], reg.trace(X)["update"])


def test_trace_applies_every_transformer_of_a_nested_pipeline(frames):
    X, y = frames
    double = FunctionTransformer(lambda items: [2 * np.asarray(x) for x in items])
    inner = make_pipeline(SequenceScaler(), LSTMClassifier(hidden_size=3, max_iter=1,
                                                           random_state=0))
    model = _fit(make_pipeline(double, inner), X, y)
    expected = inner[-1].trace(inner[0].transform([2 * x.to_numpy() for x in X[:3]]))
    np.testing.assert_array_equal(trace(model, X[:3])["hidden"], expected["hidden"])


def test_trace_refuses_what_is_not_an_sklstm_model(frames, pipeline):
    X, y = frames
    with pytest.raises(TypeError, match="Pipeline whose last step is one; got "
                                        "SequenceScaler"):
        trace(make_pipeline(SequenceScaler()).fit(X), X)
    with pytest.raises(TypeError, match="pass its best_estimator_"):
        trace(GridSearchCV(pipeline, {}), X)
    with pytest.raises(NotFittedError):
        trace(make_pipeline(SequenceScaler(), LSTMClassifier()), X)


def test_trace_is_public():
    assert sklstm.trace is trace and "trace" in sklstm.__all__
