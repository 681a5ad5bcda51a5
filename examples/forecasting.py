"""Forecasting next month's airline passengers with LSTMRegressor(window=...).

The data is the classic monthly series of international airline passengers,
1949-1960 (Box & Jenkins, series G; ``examples/data/airline.csv``), read with
pandas into a DataFrame with a monthly DatetimeIndex.

The model. The series grows and its seasonal swing grows with it, so we work in
logs, and, as in Box & Jenkins' "airline model", on the seasonal and the ordinary
difference of the logs:

    dd[t] = (log P[t] - log P[t-12]) - (log P[t-1] - log P[t-13])

Row t of the DataFrame holds what is known at the end of month t (``dd`` and the
year-on-year log growth ``yoy``); the target of row t is ``dd[t+1]``, and the
forecast of next month's passengers is rebuilt from it:

    log P^[t+1] = log P[t-11] + yoy[t] + dd^[t+1]

A Pipeline (StandardScaler over the columns, then ``LSTMRegressor(window=k)``,
sample t being the window of rows t-k+1 .. t) is tuned by ``GridSearchCV`` over
the cell variant, the window and the number of epochs, on the first 80% of the
months, with ``sklstm.model_selection.FullWindowSplit``: ``TimeSeriesSplit`` folds
whose test rows are scored on full windows (the rows before each test fold serve
as window context, their targets never scored), so that long windows are not
judged on shortened ones. The last 20% is the holdout: one-step-ahead forecasts,
each made from the data up to the month before, scored by RMSE and MAE in
passengers (thousands) against the forecasts a forecaster tries first: the naive
forecast (last month's value), the seasonal-naive forecast (the value twelve
months earlier), last year's value times this year's year-on-year growth (the
forecast with dd^ = 0), and a lag-Ridge (``RidgeCV`` on the same window of rows,
flattened, with the window the search chose).

Run with ``python examples/forecasting.py``; ``SKLSTM_EXAMPLE_QUICK=1`` shrinks
the grid and the epochs to a smoke run. The plot, ``forecasting.png``, goes to the
directory in ``SKLSTM_EXAMPLE_OUTPUT``, by default the current directory
(``SKLSTM_EXAMPLE_OUTPUT=docs/images`` renews the README's figure); without
matplotlib it is skipped.
"""

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm import LSTMRegressor
from sklstm.model_selection import FullWindowSplit

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK", "") not in ("", "0")
OUTPUT = Path(os.environ.get("SKLSTM_EXAMPLE_OUTPUT", "."))
DATA = Path(__file__).resolve().parent / "data" / "airline.csv"
SEED = 0
HOLDOUT_FRACTION = 0.2

if QUICK:
    GRID = {"variant": ["lstm", "gru"], "window": [6, 12], "max_iter": [10]}
else:
    GRID = {"variant": ["lstm", "gru", "peephole", "rnn"], "window": [6, 12, 18],
            "max_iter": [30, 100]}

# The target of row t is dd[t+1], one step (h = 1) ahead of the row's inputs.
# A training fold [0, a) then ends with the target dd[a], the value of the first
# row of the test fold. gap >= h - 1 = 0 is enough to keep every test target out
# of training (each fold's forecasts are made by a model that knew only what was
# known at the first forecast's origin); gap = h = 1 also keeps the training
# targets out of the test fold's rows altogether, at the cost of one row per fold.
# docs/forecasting.md reasons this out. GridSearchCV hands the estimator the test
# fold's rows only, and windows are cut from the rows it is given: with plain
# TimeSeriesSplit the first window - 1 predictions of each fold would read
# shortened windows, which favours short windows. FullWindowSplit puts the
# max(window) - 1 rows before each test fold in front of it as context (gap rows,
# then training rows: features only) and its scorer leaves them unscored.
INNER = TimeSeriesSplit(n_splits=3, test_size=24, gap=1)
CV = FullWindowSplit(INNER, context=max(GRID["window"]) - 1)


def load_airline():
    """Monthly passengers (thousands) as a Series with a monthly DatetimeIndex."""
    frame = pd.read_csv(DATA, parse_dates=["date"], index_col="date")
    return frame["passengers"].asfreq("MS")


def make_features(passengers):
    """Rows known at the end of each month, and the target of each row (dd[t+1])."""
    log_p = np.log(passengers)
    yoy = log_p.diff(12)  # year-on-year log growth
    features = pd.DataFrame({"dd": yoy.diff(1), "yoy": yoy})
    target = features["dd"].shift(-1).rename("dd_next")
    usable = features.notna().all(axis=1) & target.notna()
    return features[usable], target[usable]


def make_model():
    """Scaler + windowed LSTM (which standardises the tiny target itself)."""
    return Pipeline([
        ("scale", StandardScaler()),
        ("lstm", LSTMRegressor(hidden_size=16, random_state=SEED)),
    ])


def lag_ridge(X, y, fitted_rows, window):
    """RidgeCV on the window of rows t-window+1 .. t side by side (the LSTM's window,
    flattened), fitted on ``fitted_rows`` that have a full window; its prediction
    for every row."""
    lags = pd.concat([X.shift(lag).add_suffix(f"[t-{lag}]") for lag in range(window)],
                     axis=1)
    full = lags.notna().all(axis=1).to_numpy()
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10)))
    model.fit(lags[fitted_rows & full], y[fitted_rows & full])
    return np.where(full, model.predict(lags.fillna(0.0)), np.nan)


def rmse_mae(forecast, actual):
    error = np.asarray(forecast) - np.asarray(actual)
    return np.sqrt(np.mean(error**2)), np.mean(np.abs(error))


def plot(passengers, forecasts, first_holdout, path):
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: plot skipped "
              "(pip install 'sklstm[plot]').")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    ax.plot(passengers.index, passengers, color="black", lw=1.5, label="actual")
    ax.plot(forecasts.index, forecasts["LSTM"], color="C3", lw=2, marker="o", ms=3,
            label="LSTM, one step ahead")
    ax.plot(forecasts.index, forecasts["seasonal naive"], color="C0", lw=1, ls="--",
            label="seasonal naive (12 months earlier)")
    ax.axvspan(first_holdout, passengers.index[-1], color="0.9", zorder=0)
    ax.text(first_holdout, passengers.max(), "  holdout", va="top")
    ax.set(title="Airline passengers: one-step-ahead forecasts on the last 20%",
           xlabel="month", ylabel="passengers (thousands)")
    ax.legend(loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved to {path}")


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    passengers = load_airline()
    X, y = make_features(passengers)
    target_month = X.index + pd.offsets.MonthBegin(1)  # the month each row forecasts
    n_holdout = int(np.ceil(HOLDOUT_FRACTION * len(passengers)))
    first_holdout = passengers.index[-n_holdout]
    in_holdout = target_month >= first_holdout
    X_train, y_train = X[~in_holdout], y[~in_holdout]
    print(f"airline passengers {passengers.index[0]:%Y-%m} .. "
          f"{passengers.index[-1]:%Y-%m}: {len(X_train)} training rows "
          f"(targets up to {target_month[~in_holdout][-1]:%Y-%m}), holdout "
          f"{n_holdout} months from {first_holdout:%Y-%m}")

    grid = {f"lstm__{name}": values for name, values in GRID.items()}
    search = GridSearchCV(make_model(), grid, cv=CV,
                          scoring=CV.scorer("neg_root_mean_squared_error"), n_jobs=2)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    n_candidates = len(search.cv_results_["params"])
    print(f"GridSearchCV: {n_candidates} candidates x {INNER.n_splits} TimeSeriesSplit "
          f"folds (test_size={INNER.test_size}, gap={INNER.gap}, scored on full "
          f"windows: context={CV.context} rows): "
          f"{time.perf_counter() - start:.1f} s")

    results = pd.DataFrame({
        "variant": search.cv_results_["param_lstm__variant"],
        "window": search.cv_results_["param_lstm__window"],
        "epochs": search.cv_results_["param_lstm__max_iter"],
        "CV RMSE (dd)": -search.cv_results_["mean_test_score"],
        "rank": search.cv_results_["rank_test_score"],
    }).sort_values("rank")
    print()
    print(results.head(8).to_string(index=False, float_format="{:.4f}".format))
    zero = np.sqrt([np.mean(y_train.iloc[test] ** 2)
                    for _, test in INNER.split(X_train)])
    print(f"for comparison, dd^ = 0 (naive yoy growth): CV RMSE (dd) {zero.mean():.4f}")
    best = {k.split("__")[-1]: v for k, v in search.best_params_.items()}
    print(f"best: {best}")

    # One-step-ahead forecasts for the holdout months: predict on every row so that
    # each window sees the months before it, then keep the holdout rows.
    dd_hat = search.predict(X)[in_holdout]
    dd_ridge = lag_ridge(X, y, ~in_holdout, best["window"])[in_holdout]
    last_year = passengers[target_month[in_holdout] - pd.DateOffset(months=12)].values
    last_month = passengers[target_month[in_holdout] - pd.DateOffset(months=1)].values
    actual = passengers[target_month[in_holdout]].values
    yoy_now = X["yoy"][in_holdout].values
    forecasts = pd.DataFrame({
        "actual": actual,
        "LSTM": last_year * np.exp(yoy_now + dd_hat),
        f"lag-Ridge (w={best['window']})": last_year * np.exp(yoy_now + dd_ridge),
        "naive": last_month,
        "seasonal naive": last_year,
        "naive yoy growth": last_year * np.exp(yoy_now),
    }, index=target_month[in_holdout])

    print()
    print(f"holdout, one step ahead ({len(forecasts)} months, passengers in thousands)")
    print(f"{'forecast':<18} {'RMSE':>7} {'MAE':>7}")
    for name in forecasts.columns[1:]:
        rmse, mae = rmse_mae(forecasts[name], forecasts["actual"])
        print(f"{name:<18} {rmse:>7.2f} {mae:>7.2f}")

    plot(passengers, forecasts, first_holdout, OUTPUT / "forecasting.png")


if __name__ == "__main__":
    main()
