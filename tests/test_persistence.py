"""Persistence: pickle, joblib and skops round trips, and the saved version.

A loaded model predicts bit-for-bit as before; skops loads it trusting only
sklstm's own types; the saved object carries the sklstm version, and loading it
under another version warns in the manner of scikit-learn's
InconsistentVersionWarning.
"""

import pickle
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")

skio = pytest.importorskip("skops.io", reason="skops is an optional test dependency "
                           "(pip install skops); it is in the [test] extra")

ROOT = Path(__file__).resolve().parents[1]
rng = np.random.RandomState(0)
X3 = rng.normal(size=(30, 7, 2))
Y_CLS = np.array(["up", "down", "flat"])[np.digitize(X3[:, :, 0].sum(axis=1), [-1, 1])]
Y_REG = np.c_[X3[:, :, 0].mean(axis=1), X3[:, :, 1].max(axis=1)]
SERIES = np.cumsum(rng.normal(size=(40, 3)), axis=0)  # one long series, window mode
X_RAGGED = [X3[i, : 3 + i % 4] for i in range(8)]

CONFIGS = {
    "classifier-lstm": (LSTMClassifier(hidden_size=5, max_iter=3, random_state=0),
                        X3, Y_CLS),
    "classifier-stacked-bidirectional-gru": (
        LSTMClassifier("gru", hidden_size=4, num_layers=2, bidirectional=True,
                       pooling="mean", max_iter=3, random_state=0), X3, Y_CLS),
    "regressor-peephole-float64": (
        LSTMRegressor("peephole", hidden_size=4, dtype="float64", max_iter=3,
                      random_state=0), X3, Y_REG),
    "regressor-window": (LSTMRegressor(hidden_size=4, window=5, max_iter=3,
                                       random_state=0), SERIES, SERIES[:, 0]),
    "regressor-clockwork": (LSTMRegressor("clockwork", hidden_size=8, max_iter=3,
                                          random_state=0), X3, Y_REG[:, 0]),
    "regressor-esn": (LSTMRegressor("esn", hidden_size=8, leak_rate=0.5, random_state=0),
                      X3, Y_REG),
    "classifier-esn-attention": (LSTMClassifier("esn", hidden_size=5, pooling="attention",
                                                max_iter=3, random_state=0), X3, Y_CLS),
    "classifier-grid-tied": (LSTMClassifier("grid", hidden_size=4, num_layers=3,
                                            tied_weights=True, bidirectional=False,
                                            max_iter=3, random_state=0), X3, Y_CLS),
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def model(request):
    est, X, y = CONFIGS[request.param]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = est.fit(X, y)
    return est, X


def outputs(est, X):
    """Every prediction a user can ask for, on X and (sequence mode) ragged input."""
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X))
    if est.window is None:
        out.append(est.predict(X_RAGGED))
    out.extend(est.trace(X).values())
    return out


def assert_bit_for_bit(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)  # equal, NaN where NaN: bit for bit


def _pickle_round_trip(est, path):
    path.write_bytes(pickle.dumps(est))
    return pickle.loads(path.read_bytes())


def _joblib_round_trip(est, path):
    joblib.dump(est, path)
    return joblib.load(path)


def _skops_round_trip(est, path):
    skio.dump(est, path)
    untrusted = skio.get_untrusted_types(file=path)
    return skio.load(path, trusted=untrusted)


ROUND_TRIPS = {"pickle": _pickle_round_trip, "joblib": _joblib_round_trip,
               "skops": _skops_round_trip}


@pytest.mark.parametrize("how", list(ROUND_TRIPS))
def test_round_trip_predicts_bit_for_bit(model, how, tmp_path):
    est, X = model
    before = outputs(est, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same versions: no warning at all
        loaded = ROUND_TRIPS[how](est, tmp_path / f"model.{how}")
    assert type(loaded) is type(est)
    assert loaded.get_params() == est.get_params()
    assert_bit_for_bit(outputs(loaded, X), before)
    assert_bit_for_bit(outputs(est, X), before)  # saving changed nothing either


def test_skops_trusts_only_sklstm_types(model, tmp_path):
    est, _ = model
    path = tmp_path / "model.skops"
    skio.dump(est, path)
    untrusted = skio.get_untrusted_types(file=path)
    assert untrusted, "an sklstm estimator cannot be a default-trusted type"
    assert all(name.startswith("sklstm.") for name in untrusted), untrusted
    with pytest.raises(Exception, match="(?i)untrusted"):
        skio.load(path)  # nothing is trusted unless the user says so


# --------------------------------------------------------------------- versions
def _set_version(monkeypatch, version):
    """Make sklstm report ``version`` wherever it keeps its version string."""
    for name, module in list(sys.modules.items()):
        if (name == "sklstm" or name.startswith("sklstm.")) and \
                isinstance(getattr(module, "__version__", None), str):
            monkeypatch.setattr(module, "__version__", version)


SAVED_VERSION = "0.0.1.saved"


def _version_model():
    """A small fitted model for the version tests (one is enough: the version is
    a property of the estimator's state, not of its configuration)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LSTMClassifier(hidden_size=3, max_iter=1, random_state=0).fit(X3, Y_CLS)
    return est, X3


@pytest.mark.parametrize("how", list(ROUND_TRIPS))
def test_saved_object_carries_the_sklstm_version(how, tmp_path, monkeypatch):
    est, _ = _version_model()
    _set_version(monkeypatch, SAVED_VERSION)
    path = tmp_path / f"model.{how}"
    _save(how, est, path)
    data = path.read_bytes()
    if how == "skops":  # a zip file: look inside its schema
        import zipfile
        with zipfile.ZipFile(path) as z:
            data = b"".join(z.read(n) for n in z.namelist())
    assert SAVED_VERSION.encode() in data, (
        f"the {how} file does not hold sklstm.__version__ ({SAVED_VERSION!r})")


def _save(how, est, path):
    if how == "pickle":
        path.write_bytes(pickle.dumps(est))
    elif how == "joblib":
        joblib.dump(est, path)
    else:
        skio.dump(est, path)


def _load(how, path):
    if how == "pickle":
        return pickle.loads(path.read_bytes())
    if how == "joblib":
        return joblib.load(path)
    return skio.load(path, trusted=skio.get_untrusted_types(file=path))


@pytest.mark.parametrize("how", list(ROUND_TRIPS))
def test_loading_under_another_version_warns(how, tmp_path, monkeypatch):
    est, X = _version_model()
    path = tmp_path / f"model.{how}"
    with monkeypatch.context() as m:
        _set_version(m, SAVED_VERSION)
        _save(how, est, path)
    current = sklstm.__version__
    with pytest.warns(UserWarning) as record:
        loaded = _load(how, path)
    messages = [str(w.message) for w in record]
    hits = [msg for msg in messages if SAVED_VERSION in msg and current in msg]
    assert hits, f"no warning naming both sklstm versions; got {messages}"
    assert any(type(est).__name__ in msg for msg in hits), hits
    # the model still works after the warning
    assert loaded.predict(X).shape == est.predict(X).shape


def test_docs_say_which_format_to_use_for_untrusted_files():
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    documented = [p.name for p in texts
                  if "skops" in (text := p.read_text(encoding="utf-8"))
                  and "pickle" in text and "trust" in text]
    assert documented, "README or docs/ must say: use skops for files you do not " \
                       "trust, and why pickle is unsafe then"


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
