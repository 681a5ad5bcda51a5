"""Behaviour of LSTMClassifier and LSTMRegressor beyond scikit-learn's common checks."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.core import RecurrentLayer

from tests.helpers import FAST, make_sequences, weights_of

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_tags_and_mixins():
    assert is_classifier(LSTMClassifier()) and is_regressor(LSTMRegressor())
    tags = LSTMClassifier().__sklearn_tags__()
    assert tags.input_tags.three_d_array and not tags.non_deterministic
    assert tags.classifier_tags.multi_label


# ----------------------------------------------------------------- reproducible
@pytest.mark.parametrize("config", [dict(), dict(dropout=0.3, num_layers=2),
                                    dict(early_stopping=True)])
def test_same_random_state_same_predictions(config):
    X, y = make_sequences(n=80)
    a = LSTMClassifier(**FAST, **config).fit(X, y).predict_proba(X)
    b = LSTMClassifier(**FAST, **config).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_float32_default_sample_order_invariance():
    X, y = make_sequences(n=50)
    clf = LSTMClassifier(**FAST).fit(X, y)
    order = np.random.RandomState(1).permutation(50)
    np.testing.assert_allclose(clf.predict_proba(X)[order], clf.predict_proba(X[order]),
                               rtol=1e-5, atol=1e-6)


def test_clone_get_set_params():
    clf = LSTMClassifier(variant="gru", hidden_size=5, class_weight="balanced")
    params = clf.get_params()
    assert params["variant"] == "gru" and params["class_weight"] == "balanced"
    copy = clone(clf).set_params(hidden_size=7)
    assert copy.hidden_size == 7 and clf.hidden_size == 5
    for name in ("variant", "hidden_size", "num_layers", "bidirectional", "pooling",
                 "dropout", "forget_bias", "solver", "learning_rate_init", "batch_size",
                 "max_iter", "alpha", "clip_norm", "early_stopping",
                 "validation_fraction", "n_iter_no_change", "tol", "shuffle",
                 "random_state", "verbose", "warm_start", "dtype", "window",
                 "momentum", "nesterovs_momentum", "beta_1", "beta_2", "epsilon"):
        assert name in LSTMRegressor().get_params()


# ------------------------------------------------------ warm start, partial fit
def test_warm_start_continues_from_current_weights():
    X, y = make_sequences(n=80)
    clf = LSTMClassifier(hidden_size=8, max_iter=4, random_state=0, warm_start=True)
    clf.fit(X, y)
    before = weights_of(clf)
    steps = clf._optimizer.t
    first_curve = list(clf.loss_curve_)
    clf.fit(X, y)
    assert clf._optimizer.t == 2 * steps  # the same Adam, its state carried on
    assert clf.loss_curve_[:4] == first_curve and len(clf.loss_curve_) == 8
    assert clf.loss_curve_[4] < first_curve[0]  # did not restart from scratch
    assert any(not np.array_equal(a, b) for a, b in zip(before, weights_of(clf)))
    cold = LSTMClassifier(hidden_size=8, max_iter=4, random_state=0).fit(X, y)
    assert cold.loss_curve_ == first_curve  # without warm_start: a fresh model


def test_partial_fit_with_early_stopping_raises():
    X, y = make_sequences()
    with pytest.raises(ValueError, match="early_stopping"):
        LSTMRegressor(early_stopping=True).partial_fit(X, y.astype(float))


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
def test_zero_sample_weight_equals_removing_samples(Estimator):
    X, y = make_sequences(n=40)
    y = y if Estimator is LSTMClassifier else X[:, :, 0].sum(1)
    sw = np.ones(40)
    sw[::4] = 0
    # one full batch; no input noise (its draws depend on the batch's rows, as
    # dropout's do)
    params = dict(FAST, dtype="float64", batch_size=64, input_noise=0.0)
    a = Estimator(**params).fit(X, y, sample_weight=sw)
    b = Estimator(**params).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(a.predict(X) if Estimator is LSTMRegressor
                               else a.predict_proba(X),
                               b.predict(X) if Estimator is LSTMRegressor
                               else b.predict_proba(X), rtol=1e-6)


def test_unfitted_raises():
    with pytest.raises(NotFittedError):
        LSTMRegressor().predict(np.zeros((2, 3, 1)))


def _state(est):
    return pickle.dumps((weights_of(est), est.n_features_in_, est.loss_curve_,
                         est.classes_ if hasattr(est, "classes_") else None))


def test_failed_calls_leave_estimator_unchanged():
    X, y = make_sequences()
    clf = LSTMClassifier(**FAST).fit(X, y)
    before = _state(clf)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.zeros((3, 6, 5)))
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(np.zeros((3, 6, 5)), [0, 1, 0])
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="inconsistent"):
        clf.partial_fit(X, y[:-1])
    assert _state(clf) == before


# ---------------------------------------------------------------- structure
def test_layers_and_trace():
    X, y = make_sequences()
    clf = LSTMClassifier(hidden_size=5, num_layers=2, bidirectional=True, max_iter=2,
                         random_state=0).fit(X, y)
    assert len(clf.layers_) == 2 and all(len(t) == 2 for t in clf.layers_)
    assert all(isinstance(layer, RecurrentLayer) for t in clf.layers_ for layer in t)
    assert clf.head_["head_W"].shape == (30, 1)  # "concat": last, mean and max of 2x5
    ragged = [X[0, :6], X[1, :3]]
    internals = clf.trace(ragged, layer=0, direction=1)
    expected = {"hidden", "cell", "input", "forget", "candidate", "output"}
    assert set(internals) >= expected
    assert internals["hidden"].shape == (2, 6, 5)
    assert np.isnan(internals["forget"][1, 3:]).all()
    assert np.isfinite(internals["forget"][1, :3]).all()
    with pytest.raises(ValueError, match="direction"):
        clf.trace(X, direction=2)


def test_warm_start_may_switch_early_stopping():
    X, y = make_sequences(n=80)
    clf = LSTMClassifier(**FAST, warm_start=True).fit(X, y)
    clf.set_params(early_stopping=True).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    clf.set_params(early_stopping=False).fit(X, y)
    assert clf.validation_scores_ is None and len(clf.loss_curve_) == 15


def test_partial_fit_takes_sample_weight():
    X, y = make_sequences(n=40)
    sw = np.ones(40)
    sw[:20] = 0
    # no input noise: its draws depend on the batch's rows
    a = LSTMClassifier(hidden_size=4, random_state=0, dtype="float64",
                       batch_size=64, input_noise=0.0)
    a.partial_fit(X, y, sample_weight=sw, classes=[0, 1])
    b = LSTMClassifier(hidden_size=4, random_state=0, dtype="float64",
                       batch_size=64, input_noise=0.0)
    b.partial_fit(X[20:], y[20:], classes=[0, 1])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)
