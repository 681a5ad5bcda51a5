"""Smoke test of sklstm as pip installed it, run by .ci/run from a temporary directory.

The test suite runs from the checkout, where ``import sklstm`` finds ``./sklstm``, so
it cannot tell whether the installed package is whole. This script, run from outside
the checkout, imports the installed package and uses it as a user would: fit, predict,
save with joblib, load, predict again.

    python .ci/smoke_test.py [CHECKOUT]

With CHECKOUT, it also fails when sklstm was imported from inside it (an editable
install, or the checkout on sys.path) and when a module of CHECKOUT/sklstm is
missing from the installed package.
"""

import sys
import tempfile
import warnings
from pathlib import Path

import joblib
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

import sklstm
from sklstm import LSTMClassifier, LSTMRegressor, trace, variant_grid
from sklstm.preprocessing import SequenceScaler


def check_installed(checkout):
    """sklstm comes from outside ``checkout`` and has every module it has."""
    installed = Path(sklstm.__file__).resolve().parent
    source = Path(checkout).resolve() / "sklstm"
    if installed == source or source in installed.parents:
        sys.exit(f"sklstm was imported from the checkout ({installed}), not from the "
                 "installed package: run this from outside the checkout, after a "
                 "regular (not editable) pip install.")
    modules = {path.relative_to(source) for path in source.rglob("*.py")}
    missing = sorted(str(m) for m in modules if not (installed / m).is_file())
    if missing:
        sys.exit(f"The installed sklstm ({installed}) lacks {missing}.")


def check_fit_predict_save_load():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 6, 2))  # 40 sequences of 6 steps, 2 features
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    clf = make_pipeline(SequenceScaler(), LSTMClassifier(hidden_size=4, max_iter=3,
                                                         random_state=0)).fit(X, y)
    reg = LSTMRegressor("gru", 4, max_iter=3, random_state=0).fit(
        [x[: 3 + i % 4] for i, x in enumerate(X)], X[:, 0, 1])  # ragged
    assert trace(clf, X[:2])["forget"].shape == (2, 6, 4)
    for grid in variant_grid():  # every variant builds and fits
        for variant in grid["variant"]:
            params = {name: values[0] for name, values in grid.items()
                      if name != "variant"}
            LSTMClassifier(variant, 4, max_iter=1, **params).fit(X, y)
    with tempfile.TemporaryDirectory() as directory:
        for model, data in ((clf, X), (reg, [x[:4] for x in X])):
            path = Path(directory) / "model.joblib"
            joblib.dump(model, path)
            loaded = joblib.load(path)
            np.testing.assert_array_equal(loaded.predict(data), model.predict(data))


def main():
    if len(sys.argv) > 1:
        check_installed(sys.argv[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 1-3 epochs on purpose
        check_fit_predict_save_load()
    print(f"smoke test passed: sklstm {sklstm.__version__} from "
          f"{Path(sklstm.__file__).resolve().parent}")


if __name__ == "__main__":
    main()
