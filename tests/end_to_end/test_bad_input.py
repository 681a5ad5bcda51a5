"""Every malformed input gets a clear error, and a failed call loses nothing.

Each bad input must raise ValueError or TypeError (never IndexError,
ZeroDivisionError, a hang or a silent result) whose message names the offending
thing; a failing call on a fitted estimator must leave it exactly as it was
(scikit-learn semantics: validate first, overwrite after).
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from sklstm import LSTMClassifier, LSTMRegressor, to_sequences

from tests.helpers import ERRORS, RAGGED, SMALL, X2, X3, Y_REG, F, N, T, Y, with_value

pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.fixture(scope="module")
def fitted():
    """One fitted classifier and regressor per input format (never mutated: tests
    that change state work on deep copies)."""
    return {
        "clf3d": LSTMClassifier(**SMALL).fit(X3, Y),
        "reg3d": LSTMRegressor(**SMALL).fit(X3, Y_REG),
        "clf2d": LSTMClassifier(**SMALL).fit(X2, Y),
        "clf_df": LSTMClassifier(**SMALL).fit(
            pd.DataFrame(X2, columns=[f"t{i}" for i in range(T)]), Y),
    }


# ------------------------------------------------------------------ the battery
# Each case: (id, fitted estimator key or None, call(est), message pattern).
# For key None, ``call`` receives None and builds its own fresh estimator.

def _fresh_clf(**kw):
    return LSTMClassifier(**{**SMALL, **kw})


def _fresh_reg(**kw):
    return LSTMRegressor(**{**SMALL, **kw})


LONG = pd.DataFrame({"id": [1, 1, 2, 2, 2], "t": [0, 1, 0, 1, 2],
                     "v": [1.0, 2.0, 3.0, 4.0, 5.0]})

CASES = [
    # -- fit: non-finite values
    ("fit-nan-X3d", None, lambda _: _fresh_clf().fit(with_value(X3, (3, 2, 1), np.nan), Y),
     r"NaN"),
    ("fit-inf-X3d", None, lambda _: _fresh_clf().fit(with_value(X3, (0, 0, 0), np.inf), Y),
     r"(?i)inf"),
    ("fit-nan-X2d", None, lambda _: _fresh_clf().fit(with_value(X2, (5, 1), np.nan), Y),
     r"NaN"),
    ("fit-neg-inf-X2d", None,
     lambda _: _fresh_reg().fit(with_value(X2, (5, 1), -np.inf), Y_REG), r"(?i)inf"),
    ("fit-nan-ragged", None,
     lambda _: _fresh_clf().fit(RAGGED[:-1] + [with_value(RAGGED[-1], (0, 0), np.nan)], Y),
     r"NaN"),
    ("fit-inf-ragged", None,
     lambda _: _fresh_clf().fit([with_value(RAGGED[0], (1, 1), np.inf)] + RAGGED[1:], Y),
     r"(?i)inf"),
    ("fit-nan-y-regressor", None,
     lambda _: _fresh_reg().fit(X3, with_value(Y_REG, 4, np.nan)), r"y.*NaN|NaN.*\by\b"),
    ("fit-inf-y-regressor", None,
     lambda _: _fresh_reg().fit(X3, with_value(Y_REG, 4, np.inf)), r"y.*(?i:inf)"),
    ("fit-window-datetime-column", None,
     lambda _: _fresh_reg(window=3).fit(
         pd.DataFrame({"day": pd.date_range("2020", periods=N), "v": Y_REG}), Y_REG),
     r"date or time columns \['day'\].*numbers"),
    ("fit-only-datetime-columns", None,  # scikit-learn would read them as ~1e15 floats
     lambda _: _fresh_reg(window=3).fit(
         pd.DataFrame({"day": pd.date_range("2020", periods=N, tz="UTC")}), Y_REG),
     r"date or time columns \['day'\]"),
    ("predict-timedelta-column-2d", "clf_df",
     lambda est: est.predict(pd.DataFrame(X2, columns=[f"t{i}" for i in range(T)]).assign(
         t0=pd.to_timedelta(np.arange(N), "h"))), r"date or time columns \['t0'\]"),
    ("fit-window-shifted-target", None,
     lambda _: _fresh_reg(window=3).fit(X3[:, 0], with_value(Y_REG, slice(N - 2, N), np.nan)),
     r"NaN.*all in its last 2 rows.*shift\(-h\).*X\.iloc\[:-2\] and y\.iloc\[:-2\]"),
    ("fit-window-shifted-labels", None,
     lambda _: _fresh_clf(window=3).fit(X3[:, 0], with_value(Y, N - 1, np.nan)),
     r"NaN.*all in its last 1 rows.*X\.iloc\[:-1\]"),
    ("fit-window-nan-inside-target", None,
     lambda _: _fresh_reg(window=3).fit(X3[:, 0], with_value(Y_REG, 5, np.nan)),
     r"^Input y contains NaN\.$"),
    ("fit-y-overflows-its-variance", None,
     lambda _: _fresh_reg(dtype="float64").fit(X3, np.full(N, 1e200) * np.sign(Y_REG)),
     r"too large to standardise"),
    ("fit-nan-y-classifier", None,
     lambda _: _fresh_clf().fit(X3, with_value(Y, 4, np.nan)), r"NaN"),
    ("fit-value-overflows-float32", None,
     lambda _: _fresh_clf().fit(with_value(X3, (1, 1, 1), 1e300), Y), r"(?i)inf|large"),
    # -- fit: empty and zero-length input
    ("fit-empty-3d", None, lambda _: _fresh_clf().fit(np.zeros((0, T, F)), Y[:0]),
     r"0 sample"),
    ("fit-empty-2d", None, lambda _: _fresh_reg().fit(np.zeros((0, T)), Y_REG[:0]),
     r"0 sample"),
    ("fit-empty-list", None, lambda _: _fresh_clf().fit([], []), r"0 sequences"),
    ("fit-zero-timesteps-3d", None, lambda _: _fresh_clf().fit(np.zeros((N, 0, F)), Y),
     r"time step"),
    ("fit-zero-features-3d", None, lambda _: _fresh_clf().fit(np.zeros((N, T, 0)), Y),
     r"feature"),
    ("fit-zero-length-ragged-item", None,
     lambda _: _fresh_clf().fit(RAGGED[:-1] + [np.zeros((0, F))], Y), r"0 time steps"),
    # -- fit: wrong dimensionality, types
    ("fit-4d-X", None, lambda _: _fresh_clf().fit(np.zeros((N, T, F, 2)), Y),
     r"4 dimensions"),
    ("fit-1d-X", None, lambda _: _fresh_reg().fit(np.zeros(N), Y_REG), r"(?i)1D|2D"),
    ("fit-X-none", None, lambda _: _fresh_clf().fit(None, Y),
     r"X must be array-like.*NoneType"),
    ("fit-X-dict", None, lambda _: _fresh_clf().fit({"x": X3}, Y), r"array-like.*dict"),
    ("fit-X-string", None, lambda _: _fresh_reg().fit("data.csv", Y_REG), r"array-like.*str"),
    ("fit-ragged-differing-features", None,
     lambda _: _fresh_clf().fit(RAGGED[:-1] + [np.zeros((3, F + 1))], Y),
     r"features per time step"),
    ("fit-ragged-channels-first", None,  # aeon's unequal-length (n_channels, T_i) items
     lambda _: _fresh_clf().fit([np.zeros((F, 5 + i % 3)) for i in range(N)], Y),
     r"fewer rows than columns.*\[x\.T for x in X\]"),
    ("fit-strings-3d", None,
     lambda _: _fresh_clf().fit(np.full((N, T, F), "a", dtype=object), Y), r"string"),
    ("fit-strings-2d-frame", None,
     lambda _: _fresh_clf().fit(pd.DataFrame(np.full((N, T), "x")), Y), r"string"),
    ("fit-strings-ragged", None,
     lambda _: _fresh_clf().fit(RAGGED[:-1] + [np.array(["a", "b"])], Y), r"string"),
    ("fit-complex-X", None,
     lambda _: _fresh_clf().fit(X3.astype(complex) + 1j, Y), r"(?i)complex"),
    ("fit-sparse-X", None,
     lambda _: _fresh_clf().fit(sp.csr_matrix(X2), Y), r"(?i)sparse"),
    # -- fit: y
    ("fit-mismatched-lengths", None, lambda _: _fresh_clf().fit(X3, Y[:-1]),
     r"inconsistent numbers of samples"),
    ("fit-mismatched-lengths-ragged", None, lambda _: _fresh_reg().fit(RAGGED, Y_REG[:-3]),
     r"inconsistent numbers of samples"),
    ("fit-y-none", None, lambda _: _fresh_reg().fit(X3, None), r"\by\b"),
    ("fit-y-3d", None, lambda _: _fresh_reg().fit(X3, np.zeros((N, 2, 2))), r"dim 3"),
    ("fit-one-class", None, lambda _: _fresh_clf().fit(X3, np.zeros(N, dtype=int)),
     r"class"),
    ("fit-continuous-y-classifier", None, lambda _: _fresh_clf().fit(X3, Y_REG),
     r"continuous"),
    ("fit-string-y-regressor", None, lambda _: _fresh_reg().fit(X3, ["a"] * N),
     r"string"),
    # -- fit: window
    ("fit-window-0", None, lambda _: _fresh_reg(window=0).fit(X2, Y_REG), r"window"),
    ("fit-window-negative", None, lambda _: _fresh_reg(window=-3).fit(X2, Y_REG),
     r"window"),
    ("fit-window-with-3d", None, lambda _: _fresh_reg(window=3).fit(X3, Y_REG),
     r"window"),
    ("fit-window-with-ragged", None, lambda _: _fresh_reg(window=3).fit(RAGGED, Y_REG),
     r"window"),
    # -- fit: sample_weight
    ("fit-sw-too-long", None,
     lambda _: _fresh_clf().fit(X3, Y, sample_weight=np.ones(N + 1)), r"(?i)sample.?weight"),
    ("fit-sw-2d", None,
     lambda _: _fresh_reg().fit(X3, Y_REG, sample_weight=np.ones((N, 2))),
     r"(?i)sample.?weight"),
    ("fit-sw-negative", None,
     lambda _: _fresh_clf().fit(X3, Y, sample_weight=with_value(np.ones(N), 2, -1.0)),
     r"(?i)negative"),
    ("fit-sw-nan", None,
     lambda _: _fresh_reg().fit(X3, Y_REG, sample_weight=with_value(np.ones(N), 2, np.nan)),
     r"(?i)sample.?weight.*NaN"),
    ("fit-sw-all-zero", None,
     lambda _: _fresh_reg().fit(X3, Y_REG, sample_weight=np.zeros(N)), r"(?i)weight"),
    ("fit-class-weight-zeroes-every-sample", None,
     lambda _: _fresh_clf(class_weight={0: 0.0, 1: 0.0}).fit(X3, Y), r"class_weight"),
    # -- fit: combinations of hyperparameters that are fine one by one
    ("fit-clockwork-hidden-too-small", None,
     lambda _: _fresh_clf(variant="clockwork", hidden_size=2).fit(X3, Y), r"hidden_size"),
    ("fit-validation-set-too-small", None,
     lambda _: _fresh_reg(early_stopping=True, validation_fraction=0.01).fit(X3, Y_REG),
     r"(?i)validation"),
    # -- partial_fit
    ("partial-fit-first-call-without-classes", None,
     lambda _: _fresh_clf().partial_fit(X3, Y), r"classes"),
    ("partial-fit-label-not-in-classes", None,
     lambda _: _fresh_clf().partial_fit(X3, np.where(Y == 1, 2, Y), classes=[0, 1]),
     r"classes"),
    ("partial-fit-label-not-in-fitted-classes", "clf3d",
     lambda est: est.partial_fit(X3, np.where(Y == 1, 7, Y)), r"classes"),
    ("partial-fit-wrong-features", "clf3d",
     lambda est: est.partial_fit(np.zeros((4, T, F + 1)), Y[:4]), r"features"),
    ("partial-fit-nan-X", "reg3d",
     lambda est: est.partial_fit(with_value(X3, (0, 0, 0), np.nan), Y_REG), r"NaN"),
    ("partial-fit-nan-y", "reg3d",
     lambda est: est.partial_fit(X3, with_value(Y_REG, 0, np.nan)), r"NaN"),
    ("partial-fit-mismatched-lengths", "reg3d",
     lambda est: est.partial_fit(X3, Y_REG[:5]), r"inconsistent numbers of samples"),
    ("partial-fit-more-outputs", "reg3d",
     lambda est: est.partial_fit(X3, np.c_[Y_REG, Y_REG]), r"outputs"),
    ("partial-fit-negative-weights", "clf3d",
     lambda est: est.partial_fit(X3, Y, sample_weight=-np.ones(N)), r"(?i)negative"),
    ("partial-fit-early-stopping", None,
     lambda _: _fresh_reg(early_stopping=True).partial_fit(X3, Y_REG), r"early_stopping"),
    ("partial-fit-balanced", None,
     lambda _: _fresh_clf(class_weight="balanced").partial_fit(X3, Y, classes=[0, 1]),
     r"balanced"),
    ("warm-start-other-pooling", "clf3d",
     lambda est: est.set_params(warm_start=True, pooling="attention").fit(X3, Y),
     r"pooling='attention', but the fitted network was built with pooling='concat'.*"
     r"warm_start=False"),
    ("partial-fit-other-hidden-size", "reg3d",
     lambda est: est.set_params(hidden_size=9).partial_fit(X3, Y_REG),
     r"hidden_size=9, .*built with hidden_size=4, and partial_fit continues"),
    # -- predict / predict_proba
    ("predict-wrong-features-3d", "clf3d", lambda est: est.predict(np.zeros((3, T, F + 3))),
     r"features"),
    ("predict-wrong-columns-2d", "clf2d", lambda est: est.predict(np.zeros((3, T - 1))),
     r"features"),
    ("predict-2d-to-3d-fitted", "clf3d", lambda est: est.predict(np.zeros((3, F))),
     rf"fitted on sequences with {F} feature\(s\) per time step.*X\[np.newaxis\]"),
    ("predict-3d-to-2d-fitted", "clf2d", lambda est: est.predict(np.zeros((3, 4, T))),
     rf"with 1 feature\(s\) per time step, but X gives {T} .*2-D rows"),
    ("trace-one-sequence-without-sample-axis", "reg3d", lambda est: est.trace(X3[0]),
     r"X\[np.newaxis\]"),
    ("partial-fit-2d-to-3d-fitted", "clf3d",
     lambda est: est.partial_fit(np.zeros((4, F)), Y[:4]), r"X\[np.newaxis\]"),
    ("predict-X-none", "reg3d", lambda est: est.predict(None), r"X must be array-like"),
    ("predict-nan", "clf3d", lambda est: est.predict(with_value(X3[:4], (1, 1, 1), np.nan)),
     r"NaN"),
    ("predict-nan-padded-2d", "clf2d",
     lambda est: est.predict(with_value(X2[:4], (1, slice(T - 2, None)), np.nan)),
     r"NaN[\s\S]*only pad the ends of sequences[\s\S]*list of \(T_i, n_features\)"),
    ("predict-inf-ragged", "reg3d",
     lambda est: est.predict([with_value(RAGGED[0], (0, 0), np.inf)]), r"(?i)inf"),
    ("predict-empty", "reg3d", lambda est: est.predict(np.zeros((0, T, F))), r"0 sample"),
    ("predict-4d", "clf3d", lambda est: est.predict_proba(np.zeros((2, T, F, 1))),
     r"4 dimensions"),
    ("predict-strings", "clf3d",
     lambda est: est.predict(np.full((2, T, F), "b", dtype=object)), r"string"),
    ("predict-zero-length-item", "reg3d",
     lambda est: est.predict([RAGGED[0], np.zeros((0, F))]), r"0 time steps"),
    ("predict-window-with-3d", None,
     lambda _: _fresh_reg(window=2).fit(X3[:, 0], Y_REG).predict(X3),
     r"window=2 was given with a 3-D array.*fitted with window=2, so it reads the 2-D "
     r"rows"),
    ("predict-frame-renamed-columns", "clf_df",
     lambda est: est.predict(pd.DataFrame(X2, columns=[f"u{i}" for i in range(T)])),
     r"(?i)feature names"),
    # -- trace
    ("trace-wrong-features", "reg3d", lambda est: est.trace(np.zeros((2, T, F + 1))),
     r"features"),
    ("trace-nan", "reg3d", lambda est: est.trace(with_value(X3[:2], (0, 0, 0), np.nan)),
     r"NaN"),
    ("trace-layer-out-of-range", "reg3d", lambda est: est.trace(X3[:2], layer=5),
     r"layer"),
    ("trace-layer-not-int", "reg3d", lambda est: est.trace(X3[:2], layer="top"),
     r"layer"),
    ("trace-direction-out-of-range", "reg3d", lambda est: est.trace(X3[:2], direction=2),
     r"direction"),
    # -- to_sequences
    ("to-sequences-not-a-frame", None,
     lambda _: to_sequences(LONG.to_numpy(), id="id", time="t"), r"DataFrame"),
    ("to-sequences-empty", None, lambda _: to_sequences(LONG.iloc[:0], id="id", time="t"),
     r"empty"),
    ("to-sequences-missing-column", None,
     lambda _: to_sequences(LONG, id="id", time="when"), r"when"),
    ("to-sequences-duplicate-times", None,
     lambda _: to_sequences(pd.concat([LONG, LONG.iloc[:1]]), id="id", time="t"),
     r"duplicate"),
    ("to-sequences-strings", None,
     lambda _: to_sequences(LONG.assign(s="x"), id="id", time="t"), r"numeric"),
    ("to-sequences-missing-id", None,
     lambda _: to_sequences(LONG.assign(id=[1, np.nan, 2, 2, 2]), id="id", time="t"),
     r"missing"),
    ("to-sequences-id-is-time", None, lambda _: to_sequences(LONG, id="t", time="t"),
     r"different"),
    ("to-sequences-no-features", None,
     lambda _: to_sequences(LONG[["id", "t"]], id="id", time="t"), r"feature"),
    ("to-sequences-nan-then-fit", None,
     lambda _: _fresh_reg().fit(
         to_sequences(LONG.assign(v=[1.0, np.nan, 3.0, 4.0, 5.0]), id="id", time="t"),
         [0.0, 1.0]), r"NaN"),
]


def test_battery_is_big_enough():
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("key, call, pattern", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(fitted, key, call, pattern):
    est = None if key is None else copy.deepcopy(fitted[key])
    with pytest.raises(ERRORS, match=pattern):
        call(est)


# ------------------------------------------------ a failed call loses nothing
def snapshot(est, X):
    """Everything a user could observe of a fitted estimator."""
    fitted = [k for k in dir(est) if k.endswith("_") and not k.startswith("_")
              and k not in ("network_", "layers_", "head_") and hasattr(est, k)]
    public = {k: copy.deepcopy(getattr(est, k)) for k in fitted}
    weights = [p.copy() for t in est.layers_ for layer in t for p in layer.params.values()]
    weights += [v.copy() for v in est.head_.values()]
    out = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
    return {"keys": sorted(k for k in vars(est) if not k.startswith("_")), "public": public, "weights": weights,
            "params": est.get_params(), "output": out}


def assert_same_snapshot(before, after):
    assert after["keys"] == before["keys"]
    assert after["params"] == before["params"]
    assert set(after["public"]) == set(before["public"])
    for key, value in before["public"].items():
        np.testing.assert_equal(after["public"][key], value, err_msg=key)
    assert len(after["weights"]) == len(before["weights"])
    for a, b in zip(after["weights"], before["weights"]):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    np.testing.assert_array_equal(after["output"], before["output"])  # bit for bit


FAILING_CALLS = [
    # (id, fitted key, X to predict with, call(est), restore params after)
    ("predict-wrong-features", "clf3d", X3,
     lambda est: est.predict(np.zeros((3, T, F + 1))), {}),
    ("predict-nan", "reg3d", X3, lambda est: est.predict(X3 * np.nan), {}),
    ("predict-one-sequence-without-sample-axis", "clf3d", X3,
     lambda est: est.predict(X3[0]), {}),
    ("partial-fit-3d-to-2d-fitted", "clf2d", X2,
     lambda est: est.partial_fit(np.zeros((4, 3, T)), Y[:4]), {}),
    ("warm-start-other-variant", "clf3d", X3,
     lambda est: est.set_params(warm_start=True, variant="gru").fit(X3, Y),
     {"warm_start": False, "variant": "lstm"}),
    ("partial-fit-other-dtype", "reg3d", X3,
     lambda est: est.set_params(dtype="float64").partial_fit(X3, Y_REG),
     {"dtype": "float32"}),
    ("trace-wrong-features", "reg3d", X3,
     lambda est: est.trace(np.zeros((3, T, F + 1))), {}),
    ("partial-fit-unknown-label", "clf3d", X3,
     lambda est: est.partial_fit(X3, np.where(Y == 1, 5, Y)), {}),
    ("partial-fit-wrong-features", "clf3d", X3,
     lambda est: est.partial_fit(np.zeros((4, T, F + 1)), Y[:4]), {}),
    ("partial-fit-mismatched-y", "reg3d", X3,
     lambda est: est.partial_fit(X3, Y_REG[:-1]), {}),
    ("partial-fit-negative-weights", "reg3d", X3,
     lambda est: est.partial_fit(X3, Y_REG, sample_weight=-np.ones(N)), {}),
    ("fit-nan-X", "clf3d", X3,
     lambda est: est.fit(with_value(X3, (0, 0, 0), np.nan), Y), {}),
    ("fit-mismatched-y", "reg3d", X3, lambda est: est.fit(X3, Y_REG[:-1]), {}),
    # validation of y fails after X passed: X has another feature count
    ("fit-other-features-then-bad-y", "clf3d", X3,
     lambda est: est.fit(np.zeros((N, T, F + 2)), Y[:-2]), {}),
    ("fit-2d-then-bad-y", "clf3d", X3, lambda est: est.fit(X2, Y[:-1]), {}),
    ("fit-other-classes-then-bad-weights", "clf3d", X3,
     lambda est: est.fit(X3, np.where(Y == 1, 9, 4), sample_weight=-np.ones(N)), {}),
    ("fit-one-class", "clf3d", X3, lambda est: est.fit(X3, np.zeros(N, dtype=int)), {}),
    ("fit-bad-hyperparameter", "reg3d", X3,
     lambda est: est.set_params(alpha=-1.0).fit(X3, Y_REG), {"alpha": SMALL.get("alpha", 1e-4)}),
    # the failure comes after the weights would be initialised
    ("fit-validation-set-too-small", "reg3d", X3,
     lambda est: est.set_params(early_stopping=True, validation_fraction=0.01).fit(X3, Y_REG),
     {"early_stopping": "auto", "validation_fraction": 0.1}),
    ("fit-clockwork-hidden-too-small", "clf3d", X3,
     lambda est: est.set_params(variant="clockwork", hidden_size=2).fit(X3, Y),
     {"variant": "lstm", "hidden_size": SMALL["hidden_size"]}),
    ("fit-frame-then-nan-array", "clf_df",
     pd.DataFrame(X2, columns=[f"t{i}" for i in range(T)]),
     lambda est: est.fit(with_value(X2, (0, 0), np.nan), Y), {}),
    ("warm-start-fit-new-classes", "clf3d", X3,
     lambda est: est.set_params(warm_start=True).fit(X3, np.where(Y == 1, 3, Y)),
     {"warm_start": False}),
]


@pytest.mark.parametrize("key, X, call, restore", [c[1:] for c in FAILING_CALLS],
                         ids=[c[0] for c in FAILING_CALLS])
def test_failed_call_leaves_fitted_estimator_unchanged(fitted, key, X, call, restore):
    est = copy.deepcopy(fitted[key])
    before = snapshot(est, X)
    with pytest.raises(ERRORS):
        call(est)
    est.set_params(**restore)
    assert_same_snapshot(before, snapshot(est, X))


def test_failed_first_partial_fit_leaves_estimator_unfitted():
    clf = LSTMClassifier(**SMALL)
    with pytest.raises(ValueError, match="NaN"):
        clf.partial_fit(X3 * np.nan, Y, classes=[0, 1])
    assert not [k for k in vars(clf) if k.endswith("_")], vars(clf).keys()
    with pytest.raises(NotFittedError):
        clf.predict(X3)
    clf.partial_fit(X3, Y, classes=[0, 1])  # and it can still start cleanly
    assert clf.predict(X3).shape == (N,)


def test_failed_first_fit_leaves_estimator_unfitted():
    reg = LSTMRegressor(**SMALL)
    with pytest.raises(ValueError):
        reg.fit(X3, Y_REG[:-1])
    assert not [k for k in vars(reg) if k.endswith("_")], vars(reg).keys()
    with pytest.raises(NotFittedError):
        reg.predict(X3)
