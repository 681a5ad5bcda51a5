"""Does a grid search over ``window`` pick the window a full-history evaluation picks?

On the real series that statsmodels ships (monthly CO2 and yearly sunspots by default;
see ``bench_forecast.py`` for the data and the benchmark environment), one step ahead,
``make_pipeline(StandardScaler(), LSTMRegressor(random_state=s))`` is searched over
``window`` three ways on the same folds of ``TimeSeriesSplit(5, test_size=T, gap=1)``:

``plain``         ``GridSearchCV`` with the ``TimeSeriesSplit`` itself: each test fold's
                  windows are cut from that fold's rows alone (the first ``window - 1``
                  read shortened windows).
``FullWindowSplit``  ``GridSearchCV`` with ``sklstm.model_selection.FullWindowSplit`` and
                  its scorer: every scored prediction reads a full window.
``full history``  by hand: per fold, fit on the training rows, predict on every row up to
                  the fold's last, score the test rows (what a deployed model would do).

It prints the RMSE of each window under each, averaged over the folds and seeds, and
which window each picks. Run it in the benchmark environment::

    /tmp/bench/bin/python benchmarks/bench_window_search.py [--series co2 sunspots]
"""

import argparse
import warnings

import numpy as np
from bench_forecast import find_series
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm import LSTMRegressor
from sklstm.model_selection import FullWindowSplit

WINDOWS = {"co2": [6, 12, 24, 36], "sunspots": [3, 6, 12, 24]}
TEST_SIZE = {"co2": 60, "sunspots": 30}


def one_step(series):
    """X: the series' rows up to the last but one; y: the next value of each row."""
    values = np.asarray(series, dtype=float).reshape(-1, 1)
    return values[:-1], values[1:, 0]


def full_history_rmse(model, X, y, cv):
    """Mean over the folds of the RMSE of predictions that read the whole history."""
    scores = []
    for train, test in cv.split(X):
        fitted = clone(model).fit(X[train], y[train])
        predicted = np.asarray(fitted.predict(X[: test[-1] + 1]))[test]
        scores.append(np.sqrt(np.mean((predicted - y[test]) ** 2)))
    return float(np.mean(scores))


def searched_rmse(model, X, y, windows, cv, scoring):
    """Mean test RMSE of each window in a GridSearchCV over ``window``."""
    search = GridSearchCV(model, {"lstmregressor__window": windows}, cv=cv,
                          scoring=scoring, refit=False).fit(X, y)
    return -search.cv_results_["mean_test_score"]


def run(name, series, seeds):
    X, y = one_step(series)
    windows = WINDOWS.get(name, [3, 6, 12, 24])
    inner = TimeSeriesSplit(5, test_size=TEST_SIZE.get(name, len(y) // 10), gap=1)
    full = FullWindowSplit(inner, context=max(windows) - 1)
    table = {"plain": [], "FullWindowSplit": [], "full history": []}
    for seed in seeds:
        model = make_pipeline(StandardScaler(), LSTMRegressor(random_state=seed))
        table["plain"].append(searched_rmse(model, X, y, windows, inner,
                                            "neg_root_mean_squared_error"))
        table["FullWindowSplit"].append(searched_rmse(
            model, X, y, windows, full, full.scorer("neg_root_mean_squared_error")))
        table["full history"].append([full_history_rmse(
            model.set_params(lstmregressor__window=w), X, y, inner) for w in windows])
    return windows, {way: np.mean(rows, axis=0) for way, rows in table.items()}


def report(name, windows, means):
    print(f"\n### {name}\n")
    print("| window | " + " | ".join(means) + " |")
    print("|---|" + "---|" * len(means))
    for i, window in enumerate(windows):
        cells = []
        for values in means.values():
            best = int(np.argmin(values)) == i
            cells.append(f"**{values[i]:.4g}**" if best else f"{values[i]:.4g}")
        print(f"| {window} | " + " | ".join(cells) + " |")
    picks = {way: windows[int(np.argmin(values))] for way, values in means.items()}
    agree = picks["FullWindowSplit"] == picks["full history"]
    print(f"\n- picked: {picks}; FullWindowSplit {'agrees' if agree else 'DISAGREES'} "
          "with the full-history evaluation")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="+", default=["co2", "sunspots"])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    args = parser.parse_args()
    found, notes = find_series(args.series)
    for note in notes:
        print(f"- {note}")
    warnings.simplefilter("ignore", ConvergenceWarning)
    print("One step ahead; RMSE in the series' units, mean over the folds of "
          f"TimeSeriesSplit(5, gap=1) and seeds 0..{args.seeds - 1}; bold: the lowest.")
    for name, (series, _, _) in found.items():
        windows, means = run(name, series, range(args.seeds))
        report(name, windows, means)


if __name__ == "__main__":
    main()
