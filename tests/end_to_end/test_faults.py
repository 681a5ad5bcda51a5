"""Faults during training: a non-finite loss and Ctrl-C.

A non-finite loss stops training with a ConvergenceWarning (or a clear error)
and keeps the weights of the best finite epoch: never NaN predictions.
KeyboardInterrupt during ``fit`` ends training early with a warning and leaves a
usable model, as ``MLPClassifier`` does; a child process receives a real SIGINT.
"""

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklstm import LSTMClassifier, LSTMRegressor

rng = np.random.RandomState(0)
X = rng.normal(size=(40, 6, 2))
Y_CLS = (X[:, :, 0].sum(axis=1) > 0).astype(int)
Y_REG = X[:, :, 0].mean(axis=1)

# Each blows up: (estimator, X, y). SGD without clipping at lr 1e20 overflows after an
# epoch (a milder rate is rolled back epoch by epoch instead); targets of 1e200
# overflow their own variance in float64 (a clear error).
BLOW_UPS = {
    "huge-learning-rate-sgd": (
        lambda **kw: LSTMRegressor(hidden_size=4, solver="sgd", learning_rate_init=1e20,
                                   clip_norm=None, random_state=0, **kw), X, Y_REG),
    "huge-learning-rate-sgd-early-stopping": (
        lambda **kw: LSTMRegressor(hidden_size=4, solver="sgd", learning_rate_init=1e20,
                                   clip_norm=None, early_stopping=True,
                                   n_iter_no_change=50, random_state=0, **kw), X, Y_REG),
    "absurd-targets-float64": (
        lambda **kw: LSTMRegressor(hidden_size=4, dtype="float64", solver="sgd",
                                   clip_norm=None, random_state=0, **kw), X, Y_REG * 1e200),
    "huge-learning-rate-adam-classifier": (
        lambda **kw: LSTMClassifier(hidden_size=4, learning_rate_init=1e6,
                                    random_state=0, **kw), X, Y_CLS),
}


def all_weights(est):
    arrays = [p for t in est.layers_ for layer in t for p in layer.params.values()]
    return arrays + list(est.head_.values())


def fit_recording(est, X, y):
    """Fit; return the estimator (or the exception it raised) and the warnings."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
            error = None
        except (ValueError, ArithmeticError) as exc:
            error = exc
    return error, record


@pytest.mark.parametrize("case", list(BLOW_UPS))
def test_non_finite_loss_keeps_finite_weights(case):
    make, Xc, yc = BLOW_UPS[case]
    est = make(max_iter=8)
    error, record = fit_recording(est, Xc, yc)
    if error is not None:  # a clear error is acceptable too
        assert "finite" in str(error) or "overflow" in str(error), error
        return
    convergence = [w for w in record if issubclass(w.category, ConvergenceWarning)]
    assert convergence, [str(w.message) for w in record]
    assert est.n_iter_ <= 8
    assert all(np.isfinite(w).all() for w in all_weights(est))
    assert np.isfinite(est.loss_curve_).all()
    out = est.predict_proba(Xc) if hasattr(est, "predict_proba") else est.predict(Xc)
    assert np.isfinite(out).all()
    assert out.shape[0] == len(Xc)


def test_non_finite_loss_warning_says_what_happened_and_what_to_do():
    make, Xc, yc = BLOW_UPS["huge-learning-rate-sgd"]
    with pytest.warns(ConvergenceWarning, match="(?i)non-finite") as record:
        make(max_iter=8).fit(Xc, yc)
    message = " ".join(str(w.message) for w in record)
    assert "learning_rate_init" in message and "scal" in message


def test_targets_of_1e30_train_in_float32_like_unit_targets():
    """Standardised inside, targets of any magnitude train alike: no overflow."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        unit = LSTMRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X, Y_REG)
        huge = LSTMRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X, Y_REG * 1e30)
    np.testing.assert_allclose(huge.loss_curve_, unit.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(huge.predict(X) / 1e30, unit.predict(X), rtol=1e-3, atol=1e-5)


def test_kept_weights_are_those_of_the_last_finite_epoch():
    make, Xc, yc = BLOW_UPS["huge-learning-rate-sgd"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        blown = make(max_iter=50).fit(Xc, yc)
        n_finite = blown.n_iter_
        assert 0 < n_finite < 50
        clean = make(max_iter=n_finite).fit(Xc, yc)  # same seed: the same epochs
    assert clean.n_iter_ == n_finite
    for a, b in zip(all_weights(blown), all_weights(clean)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(blown.predict(Xc), clean.predict(Xc))


def test_non_finite_partial_fit_keeps_the_weights_it_started_from():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = LSTMRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X, Y_REG)
    before = [w.copy() for w in all_weights(reg)]
    prediction = reg.predict(X)
    with pytest.warns(ConvergenceWarning, match="(?i)non-finite"):
        reg.partial_fit(X, Y_REG * 1e30)
    for a, b in zip(all_weights(reg), before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(reg.predict(X), prediction)


def test_non_finite_loss_raises_no_numpy_floating_point_warnings():
    """The library knows the loss overflowed and says so once, clearly; numpy's
    RuntimeWarnings about the same overflow are noise that hides that message."""
    make, Xc, yc = BLOW_UPS["huge-learning-rate-sgd"]
    _, record = fit_recording(make(max_iter=8), Xc, yc)
    numpy_noise = [str(w.message) for w in record if issubclass(w.category, RuntimeWarning)]
    assert not numpy_noise, numpy_noise


# ------------------------------------------------------------------------- Ctrl-C
CHILD = textwrap.dedent("""
    import json, pickle, signal, sys, warnings
    import numpy as np
    from sklstm import LSTMClassifier

    # Ctrl+C raises KeyboardInterrupt, as at a terminal, also where this test's
    # runner was started as a background job (which starts with SIGINT ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 20, 3))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    clf = LSTMClassifier(hidden_size=16, max_iter=100000, tol=0.0,
                         n_iter_no_change=100000, verbose=True, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.fit(X, y)
    proba = clf.predict_proba(X)
    with open(sys.argv[1], "wb") as f:
        pickle.dump(clf, f)
    print("RESULT " + json.dumps({
        "warnings": [f"{w.category.__name__}: {w.message}" for w in record],
        "n_iter": clf.n_iter_, "max_iter": clf.max_iter,
        "n_losses": len(clf.loss_curve_),
        "finite_losses": bool(np.isfinite(clf.loss_curve_).all()),
        "proba_shape": list(proba.shape),
        "proba_finite": bool(np.isfinite(proba).all()),
    }), flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child needs POSIX signals")
def test_ctrl_c_during_fit_ends_training_with_a_usable_model(tmp_path):
    model_path = tmp_path / "interrupted.pkl"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(model_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    try:
        lines, deadline = [], time.monotonic() + 60
        for line in child.stdout:  # wait until training has really started
            lines.append(line)
            if line.startswith("Epoch 3,"):
                break
            assert time.monotonic() < deadline, "child never reported epoch 3"
        else:
            pytest.fail(f"child ended before training started: {child.stderr.read()}")
        child.send_signal(signal.SIGINT)
        rest, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, stderr
    result_lines = [line for line in rest.splitlines() if line.startswith("RESULT ")]
    assert result_lines, f"no result; stdout: {rest[-2000:]} stderr: {stderr[-2000:]}"
    result = json.loads(result_lines[-1][len("RESULT "):])
    assert any("interrupt" in w.lower() for w in result["warnings"]), result["warnings"]
    assert 3 <= result["n_iter"] < result["max_iter"]
    assert result["n_losses"] == result["n_iter"] and result["finite_losses"]
    assert result["proba_shape"] == [200, 2] and result["proba_finite"]
    with open(model_path, "rb") as f:
        clf = pickle.load(f)
    proba = clf.predict_proba(np.random.RandomState(1).normal(size=(5, 9, 3)))
    assert proba.shape == (5, 2) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
