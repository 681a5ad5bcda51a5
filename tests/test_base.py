"""Behaviour of LSTMClassifier and LSTMRegressor beyond scikit-learn's common checks."""

import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from joblib import Parallel, delayed, parallel_config
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_info

import sklstm._prediction as prediction_module
import sklstm._train_data as train_data_module
import sklstm._training as training_module
from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.core._parallel import blocks_on_one_blas_thread
from sklstm._sklearn_private import InvalidParameterError
from sklstm.core import RecurrentLayer

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(hidden_size=8, max_iter=5, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def make_sequences(n=60, T=6, F=2, n_classes=2, seed=0):
    """3-D sequences whose class is the sign pattern of the first feature's sum."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T, F))
    s = X[:, :, 0].sum(axis=1)
    y = np.digitize(s, np.quantile(s, np.linspace(0, 1, n_classes + 1)[1:-1]))
    return X, y


def weights_of(est):
    net = est.network_
    return [p.copy() for p in net.params]


# --------------------------------------------------------------------- targets
def test_string_labels_multiclass_and_proba():
    X, y = make_sequences(n_classes=3)
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = LSTMClassifier(**FAST).fit(X, labels)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert set(clf.predict(X)) <= set(labels)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-6)


def test_binary_and_multilabel():
    X, y = make_sequences()
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.out_activation_ == "logistic" and clf.predict_proba(X).shape == (60, 2)
    Y = np.column_stack([y, 1 - y, y])
    multi = LSTMClassifier(**FAST).fit(X, Y)
    assert multi.predict(X).shape == (60, 3)
    assert multi.predict_proba(X).shape == (60, 3)


def test_regressor_one_and_two_outputs():
    X, y = make_sequences()
    target = X[:, :, 0].mean(axis=1)
    reg = LSTMRegressor(**FAST).fit(X, target)
    assert reg.predict(X).shape == (60,) and reg.predict(X).dtype == np.float64
    reg2 = LSTMRegressor(**FAST).fit(X, np.column_stack([target, -target]))
    assert reg2.predict(X).shape == (60, 2) and reg2.n_outputs_ == 2


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


# ---------------------------------------------------------------- persistence
def _weights_nbytes(est):
    return sum(p.nbytes for p in est.network_.params)


def test_pickle_and_joblib_round_trip(tmp_path):
    X, y = make_sequences(n=80)
    clf = LSTMClassifier(hidden_size=32, max_iter=3, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    # weights and configuration only: no optimizer moments (2x weights) or caches
    size, weights = path.stat().st_size, _weights_nbytes(clf)
    assert weights <= size < 1.5 * weights + 8000
    assert not hasattr(loaded, "_optimizer")
    assert loaded.loss_curve_ == clf.loss_curve_


def test_loaded_model_can_continue_training(tmp_path):
    X, y = make_sequences()
    clf = LSTMClassifier(**FAST).fit(X, y)
    loaded = pickle.loads(pickle.dumps(clf))
    loaded.partial_fit(X, y)
    assert len(loaded.loss_curve_) == len(clf.loss_curve_) + 1


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


def test_partial_fit_continues_and_needs_classes():
    X, y = make_sequences(n=80, n_classes=3)
    clf = LSTMClassifier(hidden_size=8, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    first = weights_of(clf)
    for _ in range(3):
        clf.partial_fit(X, y)
    assert clf._optimizer.t > 1 and len(clf.loss_curve_) == 4
    assert clf.n_iter_ == 4  # as MLPClassifier counts: one epoch per call
    assert clf.t_ == 40 + 3 * 80
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert any(not np.array_equal(a, b) for a, b in zip(first, weights_of(clf)))
    reg = LSTMRegressor(hidden_size=8, random_state=0)
    reg.partial_fit(X, X[:, :, 0].sum(1)).partial_fit(X, X[:, :, 0].sum(1))
    assert len(reg.loss_curve_) == 2


def test_partial_fit_with_early_stopping_raises():
    X, y = make_sequences()
    with pytest.raises(ValueError, match="early_stopping"):
        LSTMRegressor(early_stopping=True).partial_fit(X, y.astype(float))


# ----------------------------------------------------------------- verbosity
def test_verbose_reports_each_epoch(capsys):
    X, y = make_sequences(n=80)
    LSTMClassifier(hidden_size=8, max_iter=3, verbose=True, early_stopping=True,
                   random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    epochs = [line for line in lines if line.startswith("Epoch")]
    assert len(epochs) == 3
    for number, line in enumerate(epochs, start=1):
        assert line.startswith(f"Epoch {number}, loss = ")
        assert "validation score = " in line and line.endswith(" s")


def test_silent_when_not_verbose(capsys):
    X, y = make_sequences()
    LSTMClassifier(**FAST).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ------------------------------------------------------------- early stopping
def test_early_stopping_records_and_restores_best():
    X, y = make_sequences(n=120, n_classes=3)
    clf = LSTMClassifier(hidden_size=8, max_iter=40, learning_rate_init=0.05,
                         early_stopping=True, n_iter_no_change=3, random_state=0)
    clf.fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ <= 40
    assert clf.do_early_stopping_
    assert clf.best_validation_score_ in clf.validation_scores_  # the kept epoch's
    assert clf.best_loss_ is None


@pytest.mark.parametrize("y, stratified", [
    (np.repeat([0, 1, 2], [30, 6, 4]), True),
    (np.repeat([0, 1, 2], [30, 9, 1]), False),  # a class of one sample
    (np.arange(40) % 8, False),  # 8 classes, a validation set of 4
])
def test_early_stopping_split_is_stratified_when_it_can_be(monkeypatch, y, stratified):
    """As in MLPClassifier, but where train_test_split could not stratify, the split
    is a plain random one instead of an error."""
    X, _ = make_sequences(n=40)
    held_out = []

    def recording(*arrays, stratify=None, **kwargs):
        split = train_test_split(*arrays, stratify=stratify, **kwargs)
        held_out.append((stratify is not None, split[1]))
        return split

    monkeypatch.setattr(train_data_module, "train_test_split", recording)
    LSTMClassifier(hidden_size=4, max_iter=2, early_stopping=True,
                   random_state=0).fit(X, y)
    (was_stratified, val_idx), = held_out
    assert was_stratified == stratified and len(val_idx) == 4


def test_window_mode_validates_on_the_last_rows():
    rng = np.random.RandomState(0)
    series = rng.normal(size=(200, 2))
    target = np.convolve(series[:, 0], np.ones(3), mode="full")[:200]
    reg = LSTMRegressor(hidden_size=8, max_iter=8, window=5, early_stopping=True,
                        validation_fraction=0.2, random_state=0).fit(series, target)
    # the best validation score is the R^2 of the kept weights on the last 40 rows
    pred = reg.predict(series)
    assert r2_score(target[-40:], pred[-40:]) == pytest.approx(
        reg.best_validation_score_, rel=1e-5)


# --------------------------------------------------------------- weights
def test_class_weight_balanced_equals_sample_weight():
    X, y = make_sequences(n=80)
    y = np.where(np.arange(80) < 60, 0, y)  # imbalanced
    a = LSTMClassifier(**FAST, class_weight="balanced").fit(X, y)
    weights = compute_sample_weight("balanced", y)
    b = LSTMClassifier(**FAST).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


def test_class_weight_dict_shifts_predictions():
    X, y = make_sequences(n=80)
    plain = LSTMClassifier(**FAST).fit(X, y)
    heavy = LSTMClassifier(**FAST, class_weight={0: 1.0, 1: 20.0}).fit(X, y)
    assert heavy.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
def test_zero_sample_weight_equals_removing_samples(Estimator):
    X, y = make_sequences(n=40)
    y = y if Estimator is LSTMClassifier else X[:, :, 0].sum(1)
    sw = np.ones(40)
    sw[::4] = 0
    params = dict(FAST, dtype="float64", batch_size=64)  # one full batch
    a = Estimator(**params).fit(X, y, sample_weight=sw)
    b = Estimator(**params).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(a.predict(X) if Estimator is LSTMRegressor
                               else a.predict_proba(X),
                               b.predict(X) if Estimator is LSTMRegressor
                               else b.predict_proba(X), rtol=1e-6)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_regressor_targets_of_any_scale_train_alike(early_stopping):
    """The network learns standardised targets, so an affine change of y (per
    output) changes the predictions by the same map and nothing else."""
    X, _ = make_sequences(n=50)
    y = np.column_stack([X[:, :, 0].sum(1), X[:, -1, 1]])  # (n, 2)
    scale, shift = np.array([2.5e4, 1e-3]), np.array([-3e6, 7.0])
    sw = np.random.RandomState(1).uniform(0.5, 2.0, size=50)
    params = dict(FAST, dtype="float64", alpha=1e-3, early_stopping=early_stopping)
    unit = LSTMRegressor(**params).fit(X, y, sample_weight=sw)
    wide = LSTMRegressor(**params).fit(X, y * scale + shift, sample_weight=sw)
    np.testing.assert_allclose(wide.predict(X), unit.predict(X) * scale + shift,
                               rtol=1e-7, atol=1e-9 * np.abs(shift).max())
    np.testing.assert_allclose(wide.loss_curve_, unit.loss_curve_, rtol=1e-7)


def test_regressor_keeps_its_target_scale_when_training_continues():
    X, _ = make_sequences(n=40)
    y = 100.0 + 10.0 * X[:, :, 0].sum(1)
    reg = LSTMRegressor(**FAST, dtype="float64").partial_fit(X, y)
    before = reg.predict(X)
    reg.set_params(learning_rate_init=1e-12).partial_fit(X, y + 1e4)
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-9)


def test_regressor_constant_target_has_unit_scale_and_predicts_near_it():
    X, _ = make_sequences(n=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by a zero std
        reg = LSTMRegressor(**FAST).fit(X, np.full(20, 4.2e7))
    np.testing.assert_allclose(reg.predict(X), 4.2e7, rtol=1e-6)


# ------------------------------------------------------------- validation
@pytest.mark.parametrize("param, value, allowed", [
    ("variant", "nope", "lstm"),
    ("pooling", "max", "mean"),
    ("solver", "lbfgs", "adam"),
    ("dtype", "float16", "float32"),
    ("hidden_size", 0, "range"),
    ("dropout", 1.0, "range"),
    ("clip_norm", -1.0, "None"),
])
def test_invalid_hyperparameters(param, value, allowed):
    X, y = make_sequences()
    clf = LSTMClassifier(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter") as info:
        clf.fit(X, y)
    assert allowed in str(info.value)


def test_invalid_class_weight():
    X, y = make_sequences()
    with pytest.raises(InvalidParameterError, match="class_weight"):
        LSTMClassifier(class_weight="auto").fit(X, y)


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


# ------------------------------------------------------------ training rules
def test_convergence_warning_when_max_iter_ends_training():
    X, y = make_sequences()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        LSTMClassifier(**FAST).fit(X, y)


def test_non_finite_loss_stops_with_finite_weights():
    X, _ = make_sequences()
    diverging = dict(FAST, solver="sgd", learning_rate_init=1e30, clip_norm=None)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        reg = LSTMRegressor(**diverging).fit(X, X[:, 0, 0])
    assert all(np.isfinite(w).all() for w in weights_of(reg))
    assert reg.n_iter_ == 1 and np.isfinite(reg.predict(X)).all()


def test_keyboard_interrupt_becomes_a_warning(monkeypatch):
    X, y = make_sequences()
    calls = {"n": 0}
    real_epoch = training_module.run_epoch

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_epoch(*args, **kwargs)

    monkeypatch.setattr(training_module, "run_epoch", interrupted)
    with pytest.warns(UserWarning, match="interrupted"):
        clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.n_iter_ == 2 and clf.predict(X).shape == (60,)


def test_prediction_in_batches_matches(monkeypatch):
    X, y = make_sequences(n=50)
    clf = LSTMClassifier(**FAST, dtype="float64").fit(X, y)
    whole = clf.predict_proba(X)
    monkeypatch.setattr(prediction_module, "PREDICT_BUDGET", 6 * 8 * 7)  # 7 rows
    np.testing.assert_allclose(clf.predict_proba(X), whole, rtol=1e-12)


# ---------------------------------------------------------------- structure
def test_layers_and_trace():
    X, y = make_sequences()
    clf = LSTMClassifier(hidden_size=5, num_layers=2, bidirectional=True, max_iter=2,
                         random_state=0).fit(X, y)
    assert len(clf.layers_) == 2 and all(len(t) == 2 for t in clf.layers_)
    assert all(isinstance(layer, RecurrentLayer) for t in clf.layers_ for layer in t)
    assert clf.head_["head_W"].shape == (10, 1)
    ragged = [X[0, :6], X[1, :3]]
    internals = clf.trace(ragged, layer=0, direction=1)
    expected = {"hidden", "cell", "input", "forget", "candidate", "output"}
    assert set(internals) >= expected
    assert internals["hidden"].shape == (2, 6, 5)
    assert np.isnan(internals["forget"][1, 3:]).all()
    assert np.isfinite(internals["forget"][1, :3]).all()
    with pytest.raises(ValueError, match="direction"):
        clf.trace(X, direction=2)


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


@pytest.mark.parametrize("fitted, changed", [("last", "mean"), ("last", "attention"),
                                             ("attention", "last")])
def test_prediction_uses_the_pooling_the_network_was_trained_with(fitted, changed):
    """set_params shapes the next fit, not the fitted network (attention pooling has
    weights of its own: switching to it used to raise a KeyError)."""
    X, y = make_sequences(n=30, T=7)
    clf = LSTMClassifier(**FAST, pooling=fitted).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(pooling=changed)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.trace(X[:2]).keys() == LSTMClassifier(**FAST, pooling=fitted).fit(
        X, y).trace(X[:2]).keys()
    assert not np.array_equal(clf.fit(X, y).predict_proba(X), before)  # a new network


def test_prediction_reads_windows_as_in_fit():
    series = np.random.RandomState(0).normal(size=(40, 2))
    reg = LSTMRegressor(**FAST, window=5).fit(series, series[:, 0])
    before = reg.predict(series)
    np.testing.assert_array_equal(reg.set_params(window=None).predict(series), before)
    with pytest.raises(ValueError, match="window=8, but the fitted network was built "
                                         "with window=5"):
        reg.set_params(window=8, warm_start=True).fit(series, series[:, 0])


def test_continuing_keeps_settings_that_do_not_shape_the_network():
    X, y = make_sequences(n=30, T=7)
    clf = LSTMClassifier(**FAST, warm_start=True).fit(X, y)
    clf.set_params(learning_rate_init=0.05, dropout=0.2, forget_bias=3.0, n_modules=2,
                   alpha=0.0).fit(X, y)
    clf.partial_fit(X, y)
    assert clf.layers_[0][0].hidden_size == FAST["hidden_size"]


# ------------------------------------------------------------- composition
def test_grid_search_two_jobs_on_3d_data():
    X, y = make_sequences(n=60)
    search = GridSearchCV(LSTMClassifier(max_iter=3, random_state=0),
                          {"variant": ["lstm", "gru"], "hidden_size": [4, 8]},
                          cv=2, n_jobs=2)
    search.fit(X, y)
    assert set(search.cv_results_["param_variant"]) == {"lstm", "gru"}
    assert search.best_estimator_.predict(X).shape == (60,)


def test_pipeline_with_scaler_on_univariate_rows():
    X, y = make_sequences(n=60, F=1)
    rows = pd.DataFrame(X[:, :, 0] * 100 + 5, columns=[f"t{i}" for i in range(6)])
    pipe = Pipeline([("scale", StandardScaler()), ("lstm", LSTMClassifier(**FAST))])
    pipe.fit(rows, y)
    assert pipe.predict(rows).shape == (60,)
    assert pipe[-1].n_features_in_ == 6


def _blas_threads_in_fit():
    """BLAS threads inside the limit that fit, predict and trace hold."""
    with blocks_on_one_blas_thread():
        return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]


def test_fit_runs_on_one_blas_thread_in_workers_and_outside():
    """The per-step GEMMs are too small to share (sklstm/core/_blas.py): one BLAS thread
    in threading workers and in the main process, the count restored afterwards."""
    before = [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
    with parallel_config(backend="threading"):
        inside = Parallel(n_jobs=2)(delayed(_blas_threads_in_fit)() for _ in range(2))
    assert all(n == 1 for threads in inside for n in threads)
    assert all(n == 1 for n in _blas_threads_in_fit())
    assert [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"] == before


# ------------------------------------------------------------------ examples
@pytest.mark.parametrize("script", ["digits_sequences.py", "regression.py"])
def test_examples_run_in_quick_mode(script):
    env = dict(os.environ, SKLSTM_EXAMPLE_QUICK="1")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / script)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "test " in result.stdout and "fit time" in result.stdout


def test_warm_start_may_switch_early_stopping():
    X, y = make_sequences(n=80)
    clf = LSTMClassifier(**FAST, warm_start=True).fit(X, y)
    clf.set_params(early_stopping=True).fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_
    clf.set_params(early_stopping=False).fit(X, y)
    assert clf.validation_scores_ is None and len(clf.loss_curve_) == 15


def test_3d_input_takes_other_lengths_at_predict_time():
    X, y = make_sequences(T=6)
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.n_features_in_ == 2
    assert clf.predict(np.zeros((4, 11, 2))).shape == (4,)
    rows = LSTMClassifier(**FAST).fit(X[:, :, 0], y)  # 2-D: univariate rows
    assert rows.n_features_in_ == 6
    with pytest.raises(ValueError, match="features"):
        rows.predict(np.zeros((4, 7)))


def test_partial_fit_takes_sample_weight():
    X, y = make_sequences(n=40)
    sw = np.ones(40)
    sw[:20] = 0
    a = LSTMClassifier(hidden_size=4, random_state=0, dtype="float64",
                       batch_size=64)
    a.partial_fit(X, y, sample_weight=sw, classes=[0, 1])
    b = LSTMClassifier(hidden_size=4, random_state=0, dtype="float64",
                       batch_size=64)
    b.partial_fit(X[20:], y[20:], classes=[0, 1])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_solver_learns(nesterov):
    X, y = make_sequences(n=120)
    clf = LSTMClassifier(hidden_size=8, solver="sgd", learning_rate_init=0.1,
                         nesterovs_momentum=nesterov, max_iter=30, random_state=0)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.8
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


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


@pytest.mark.parametrize("n, expected", [(100, False), (1000, True)])
def test_early_stopping_auto_holds_out_validation_on_large_sets(n, expected):
    X, y = make_sequences(n=n, T=3)
    clf = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert clf.do_early_stopping_ is expected
    assert (clf.validation_scores_ is not None) is expected
    assert LSTMClassifier(hidden_size=4, max_iter=2, early_stopping=True,
                          random_state=0).fit(X, y).do_early_stopping_


def test_auto_patience_lasts_200_updates_on_a_small_set():
    """One minibatch an epoch: "auto" waits 200 updates, an int waits its epochs."""
    X, y = make_sequences(n=30, T=3)
    settings = dict(hidden_size=4, max_iter=500, tol=1e9, random_state=0)  # never improves
    assert LSTMClassifier(**settings).fit(X, y).n_iter_ == 201
    assert LSTMClassifier(**settings, n_iter_no_change=3).fit(X, y).n_iter_ == 5


def test_dropout_applies_from_the_first_fit():
    """A first fit with dropout trains differently from one without (it used to be
    built without it, and only a warm start applied it)."""
    X, y = make_sequences(n=40)
    plain = LSTMClassifier(**FAST).fit(X, y)
    dropped = LSTMClassifier(**FAST, dropout=0.5).fit(X, y)
    assert plain.loss_curve_[0] != dropped.loss_curve_[0]
    assert dropped.network_.dropout == 0.5


# ------------------------------------------------- the regressor's linear part
def trending_series(n=200, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(n, dtype=float)
    series = 0.05 * t + np.sin(t / 4) + 0.05 * rng.normal(size=n)
    return series[:-1, None], series[1:]  # X (n-1, 1), y: the next value


def test_linear_last_follows_a_trend_beyond_the_training_range():
    X, y = trending_series()
    fitted = dict(window=8, max_iter=30, random_state=0)
    with_linear = LSTMRegressor(**fitted, linear="last").fit(X[:150], y[:150])
    without = LSTMRegressor(**fitted, linear=None).fit(X[:150], y[:150])
    future = with_linear.predict(X)[150:]
    assert future.max() > y[:150].max() + 1  # the level keeps rising
    rmse = np.sqrt(np.mean((future - y[150:]) ** 2))
    rmse_without = np.sqrt(np.mean((without.predict(X)[150:] - y[150:]) ** 2))
    assert rmse < 0.5 * rmse_without
    assert with_linear.linear_["reading"] == "last" and without.linear_ is None
    assert with_linear.linear_["coef"].shape == (1, 1)


def test_linear_last_is_ridge_on_the_last_row_plus_a_network_on_relative_windows():
    """predict = (network(x - x_last) + x_last @ coef + intercept) * std + mean."""
    from sklstm._data import WindowedSequences

    X, y = trending_series(n=60)
    reg = LSTMRegressor(window=5, hidden_size=4, max_iter=3, linear="last",
                        random_state=0).fit(X, y)
    windows = WindowedSequences(X.astype(np.float32), 5)
    Xb, lengths = windows.batch(np.arange(len(X)))
    last = Xb[np.arange(len(X)), lengths - 1]  # (n, 1)
    relative = np.where(np.arange(5)[None, :, None] < lengths[:, None, None],
                        Xb - last[:, None, :], 0)
    raw, _ = reg.network_.forward(relative, lengths)
    raw = raw + last @ reg.linear_["coef"] + reg.linear_["intercept"]
    np.testing.assert_allclose(reg.predict(X), raw[:, 0] * reg._y_scale + reg._y_mean,
                               rtol=1e-5)


def gcv_choice(X, y, alphas):
    """The ridge penalty of least GCV score, n RSS / (n - tr(H) - 1)^2, from an
    explicit hat matrix on centred data."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    scores = []
    for alpha in alphas:
        hat = Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T)
        rss = np.sum((yc - hat @ yc) ** 2)
        scores.append(len(y) * rss / (len(y) - np.trace(hat) - 1) ** 2)
    return alphas[int(np.argmin(scores))]


def test_auto_reads_all_steps_of_windows_too():
    X, y = trending_series()
    reg = LSTMRegressor(window=8, hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert reg.linear_["reading"] == "all" and reg.linear_["n_steps"] == 8
    future = reg.predict(X)  # the shortened first windows read missing lags as zeros
    assert np.isfinite(future).all()


def test_linear_all_is_ridge_on_the_flattened_sequence():
    from sklearn.linear_model import Ridge

    from sklstm._linear_part import ALPHAS

    X, _ = make_sequences(n=50, T=6)
    y = X[:, :, 0] @ np.linspace(1, 2, 6) + np.sin(X[:, :, 1].sum(axis=1))
    reg = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert reg.linear_["reading"] == "all" and reg.linear_["n_steps"] == 6
    standardised = (y - reg._y_mean) / reg._y_scale
    newest_first = X[:, ::-1].reshape(50, -1)  # lag 0, 1, ... as the linear part reads
    assert reg.linear_["alpha"] == gcv_choice(newest_first, standardised, ALPHAS)
    ridge = Ridge(alpha=reg.linear_["alpha"]).fit(newest_first, standardised)
    np.testing.assert_allclose(reg.linear_["coef"][:, 0], ridge.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(reg.linear_["intercept"], ridge.intercept_, atol=1e-6)
    assert reg.predict(X[:, :4]).shape == (50,)  # the missing lags read as zeros
    ragged = [X[i, : 3 + i % 3] for i in range(50)]
    assert LSTMRegressor(hidden_size=4, max_iter=2).fit(ragged, y).linear_ is None


def test_linear_part_treats_integer_weights_as_repeated_samples():
    from sklstm._data import PaddedSequences
    from sklstm._linear_part import fit_linear

    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2, 2)), rng.normal(size=(30, 2))
    weights = rng.randint(0, 3, size=30)
    weighted = fit_linear(PaddedSequences(X), "all", Y, weights.astype(float))
    repeated = fit_linear(PaddedSequences(np.repeat(X, weights, axis=0)), "all",
                          np.repeat(Y, weights, axis=0), np.ones(weights.sum()))
    assert weighted["alpha"] == repeated["alpha"]
    for key in ("coef", "intercept"):
        np.testing.assert_allclose(weighted[key], repeated[key], rtol=1e-9, atol=1e-12)


def test_linear_part_reads_a_long_series_a_block_at_a_time(monkeypatch):
    """Blocks of a few samples give the fit and the output of one block."""
    from sklstm import _linear_part
    from sklstm._data import WindowedSequences

    rng = np.random.RandomState(0)
    series, Y = rng.normal(size=(200, 3)), rng.normal(size=(200, 2))
    windows = WindowedSequences(series, 6)
    whole = _linear_part.fit_linear(windows, "all", Y, np.ones(200))
    whole_output = _linear_part.linear_output(windows, whole)
    monkeypatch.setattr(_linear_part, "BLOCK_VALUES", 50)  # blocks of 2 windows
    blocks = _linear_part.fit_linear(windows, "all", Y, np.ones(200))
    np.testing.assert_allclose(blocks["coef"], whole["coef"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_linear_part.linear_output(windows, blocks), whole_output,
                               rtol=1e-9, atol=1e-12)


def test_a_linear_part_comes_with_validation_unless_told_otherwise():
    X, y = trending_series(n=80)
    assert LSTMRegressor(window=5, hidden_size=4, max_iter=2).fit(X, y).do_early_stopping_
    assert not LSTMRegressor(window=5, hidden_size=4, max_iter=2,
                             early_stopping=False).fit(X, y).do_early_stopping_
    assert not LSTMRegressor(window=5, hidden_size=4, max_iter=2,
                             linear=None).fit(X, y).do_early_stopping_


def test_continuing_keeps_the_linear_part_of_the_first_fit():
    X, y = trending_series(n=80)
    reg = LSTMRegressor(window=5, hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    coef = reg.linear_["coef"].copy()
    reg.partial_fit(X[:40], y[:40] + 100)
    np.testing.assert_array_equal(reg.linear_["coef"], coef)
    with pytest.raises(ValueError, match="linear"):
        reg.set_params(linear=None, warm_start=True).fit(X, y)


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


@pytest.mark.parametrize("n, expected_epochs", [
    (30, 1000),  # one update an epoch: 1000 epochs make 1000 updates
    (130, 334),  # three updates an epoch (64, 64, 2)
    (1300, 100),  # 21 updates an epoch: 100 epochs already make more
])
def test_max_iter_auto_makes_at_least_1000_updates(n, expected_epochs):
    X, y = make_sequences(n=n, T=2, F=1)
    clf = LSTMClassifier(hidden_size=2, n_iter_no_change=np.inf, early_stopping=False,
                         bidirectional=False, random_state=0).fit(X, y)
    assert clf.n_iter_ == expected_epochs
