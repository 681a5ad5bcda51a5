"""sklstm's defaults as a forecaster on the real series statsmodels, aeon and sktime
ship, beside the forecasts a forecaster tries first.

Each series' last 20% (``--holdout``) is held out and forecast from every origin in it
with the true history up to the origin (rolling origin, no refit): one step ahead,
and ``--horizon`` (12) steps ahead. A model is fitted once, on the first 80%: its
training rows are the origins whose targets all lie there. Every method reads the
same windows, the ``w`` rows up to the origin; in the holdout they reach back into
the training rows, as a deployed model's would.

Methods, with ``w`` the series' window and ``m`` its season:

``naive``           the last value, for every horizon.
``seasonal naive``  the value one season before the target, ``s[t + h - m]``
                    (``m`` from the data's frequency: 12 monthly, 4 quarterly, 48
                    half-hourly; none for yearly series).
``RidgeCV``         ``make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3,
                    3, 10)))`` on the ``w`` lags (the window flattened); for ``h``
                    steps one multi-output model (direct forecasts of ``t+1 ..
                    t+h``); trained on the origins with a full window.
``sklstm ...``      ``make_pipeline(StandardScaler(), LSTMRegressor(window=w,
                    random_state=s, **config))`` for ``--seeds`` seeds; for ``h`` steps
                    one multi-output model on ``make_horizons(train, h)``'s targets.
                    Configurations (``--configs``): ``defaults`` (nothing else set)
                    and ``max_iter=500``.

Every method reads the series in its own units (the level, no differencing by hand),
as a new user would pass it.

Data
----
Nothing is downloaded, and nothing of the three packages is imported: the CSV files
their wheels ship are read from the installed packages' folders.

========================  =========  ==============================================
series                    frequency  file
========================  =========  ==============================================
airline                   monthly    aeon ``datasets/data/Airline/Airline.csv``
shampoo                   monthly    aeon ``ShampooSales`` (36 months)
lynx                      yearly     aeon ``Lynx`` (1821-1934)
pbs                       monthly    aeon ``PBS_dataset`` (prescription counts)
uschange_consumption      quarterly  aeon ``Uschange``, column Consumption
solar                     30 min     aeon ``solar`` (6 days of solar generation)
seatbelts                 monthly    sktime ``seatbelts`` (KSI, UK road deaths)
sunspots                  yearly     statsmodels ``sunspots`` (1700-2008)
co2                       monthly    statsmodels ``co2``, weekly (Mauna Loa),
                                     averaged per month, gaps interpolated
nile                      yearly     statsmodels ``nile`` (1871-1970)
elnino                    monthly    statsmodels ``elnino`` (sea temperature)
elec_equip                monthly    statsmodels ``elec_equip``
macro_realgdp, ...unemp,  quarterly  statsmodels ``macrodata`` (1959-2009)
...infl, ...tbilrate
interest_R                quarterly  statsmodels ``interest_inflation`` (E6), R
========================  =========  ==============================================

statsmodels ships sunspots yearly only (no monthly series). A series whose package is
missing is left out with a note. ``--csv FILE`` adds a series of your own: first
column the time (dates or numbers), then the values (``--column`` picks one); the
season comes from the dates' frequency (``--season`` to set it).

Setup and use
-------------
statsmodels, aeon and sktime are never dependencies of sklstm; give them an
environment of their own::

    python -m venv /tmp/bench
    /tmp/bench/bin/pip install statsmodels aeon sktime
    /tmp/bench/bin/pip install -e .
    /tmp/bench/bin/python benchmarks/bench_forecast.py

``--series`` picks series (``--list`` names those found), ``--seeds N`` runs seeds 0
to N-1 (5), ``--configs`` the sklstm configurations, ``--horizon 0`` one step only,
``--window W`` one window for every series.

Output
------
Per horizon a Markdown table, a row printed as soon as its series is done (progress
per fit goes to stderr): the series' length, training rows and holdout, window and
season, then each method's holdout RMSE in the series' units: mean ± std over the
seeds with the worst seed in brackets (one value for a deterministic method), and
sklstm's median (max) fit time in seconds. Summary lines follow per configuration and
horizon: the series where sklstm's mean RMSE is at or below RidgeCV's, and at or
below the naive forecast's.
"""

import argparse
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bench_real_data import package_dir, sklstm_provenance  # beside this script
from sklstm import LSTMRegressor
from sklstm.forecasting import make_horizons

CONFIGS = {"defaults": {}, "max_iter=500": {"max_iter": 500}}
BASELINES = ["naive", "seasonal naive", "RidgeCV"]
#: Relative difference within which an RMSE counts as equal to a baseline's: sklstm
#: computes in float32 and the baselines in float64, so a forecast that is the lag
#: ridge's own (the network weighed to zero, the same penalty) differs from RidgeCV's
#: by rounding (shampoo and seatbelts: 3e-8 and 9e-9).
TIE = 1e-6


# --- the series -----------------------------------------------------------------------

def _years(values):
    return pd.to_datetime(pd.Series(values).astype(int).astype(str), format="%Y")


def _quarters(years, quarters):
    return pd.to_datetime([f"{int(y)}-{3 * int(q) - 2:02d}-01"
                           for y, q in zip(years, quarters)])


def _indexed(values, index, name):
    return pd.Series(np.asarray(values, dtype=float), index=pd.DatetimeIndex(index),
                     name=name)


def read_two_columns(path, name, date_format=None):
    """A CSV of (time, value): the first column parsed as dates."""
    frame = pd.read_csv(path)
    index = pd.to_datetime(frame.iloc[:, 0], format=date_format)
    return _indexed(frame.iloc[:, 1], index, name)


def read_yearly(path, name, column=1):
    frame = pd.read_csv(path)
    return _indexed(frame.iloc[:, column], _years(frame.iloc[:, 0]), name)


def read_co2(path, name):
    """Weekly CO2 (ppm, some weeks missing) -> monthly means, gaps interpolated."""
    frame = pd.read_csv(path)
    weekly = _indexed(frame["co2"], pd.to_datetime(frame["date"].astype(str),
                                                   format="%Y%m%d"), name)
    return weekly.resample("MS").mean().interpolate()


def read_elnino(path, name):
    """A year per row, a month per column -> one monthly series."""
    frame = pd.read_csv(path).set_index("YEAR")
    values = frame.to_numpy(dtype=float).ravel()
    start = f"{int(frame.index[0])}-01-01"
    return _indexed(values, pd.date_range(start, periods=len(values), freq="MS"), name)


def read_quarterly(path, name, column):
    frame = pd.read_csv(path)
    return _indexed(frame[column], _quarters(frame["year"], frame["quarter"]), name)


def read_uschange(path, name):
    frame = pd.read_csv(path)
    year_quarter = frame["Quarter"].str.split(" Q", expand=True)
    return _indexed(frame["Consumption"], _quarters(year_quarter[0], year_quarter[1]),
                    name)


def read_solar(path, name):
    frame = pd.read_csv(path)
    index = pd.to_datetime(frame["datetime_gmt"], utc=True).dt.tz_localize(None)
    return _indexed(frame["solar_gen"], index, name)


@dataclass(frozen=True)
class Source:
    """One series: the package whose wheel ships ``path``, ``read(path, name)``, the
    season (None: no seasonal naive) and the window."""

    package: str
    path: str
    read: object
    season: object
    window: int


def _source(package, path, read, season, window, **options):
    def reader(file, name):
        return read(file, name, **options)
    return Source(package, path, reader, season, window)


_SM = "datasets/{0}/{0}.csv"
_AEON = "datasets/data/{0}/{0}.csv"
SERIES = {
    "airline": _source("aeon", _AEON.format("Airline"), read_two_columns, 12, 12,
                       date_format="%Y-%m"),
    "shampoo": _source("aeon", _AEON.format("ShampooSales"), read_two_columns, 12, 6,
                       date_format="%Y-%m"),
    "lynx": _source("aeon", _AEON.format("Lynx"), read_yearly, None, 10),
    "pbs": _source("aeon", _AEON.format("PBS_dataset"), read_two_columns, 12, 12,
                   date_format="%Y %b"),
    "uschange_consumption": _source("aeon", _AEON.format("Uschange"), read_uschange,
                                    4, 8),
    "solar": _source("aeon", "datasets/data/solar/solar.csv", read_solar, 48, 48),
    "seatbelts": _source("sktime", "datasets/data/seatbelts/seatbelts.csv",
                         read_two_columns, 12, 12),
    "sunspots": _source("statsmodels", _SM.format("sunspots"), read_yearly, None, 12),
    "co2": _source("statsmodels", _SM.format("co2"), read_co2, 12, 12),
    "nile": _source("statsmodels", _SM.format("nile"), read_yearly, None, 10),
    "elnino": _source("statsmodels", _SM.format("elnino"), read_elnino, 12, 12),
    "elec_equip": _source("statsmodels", _SM.format("elec_equip"), read_two_columns,
                          12, 12, date_format="%b-%d-%Y"),
    **{f"macro_{column}": _source("statsmodels", _SM.format("macrodata"),
                                  read_quarterly, 4, 8, column=column)
       for column in ("realgdp", "unemp", "infl", "tbilrate")},
    "interest_R": _source("statsmodels", "datasets/interest_inflation/E6.csv",
                          read_quarterly, 4, 8, column="R"),
}


def find_series(names=None):
    """({name: (series, season, window)}, [notes on what could not be read])."""
    found, notes = {}, []
    for name, source in SERIES.items():
        if names is not None and name not in names:
            continue
        root = package_dir(source.package)
        if root is None or not (root / source.path).exists():
            notes.append(f"{name}: {source.package} is not installed")
            continue
        found[name] = (source.read(root / source.path, name), source.season,
                       source.window)
    return found, notes


#: Season of a series by the median spacing of its dates, in days: months, quarters,
#: weeks, days, hours.
_SEASONS = [((27, 32), 12), ((88, 93), 4), ((6.5, 7.5), 52), ((0.9, 1.1), 7),
            ((0.9 / 24, 1.1 / 24), 24)]


def read_csv(path, column=None, season=None):
    """(series, season, window) from a CSV: time first, then values."""
    frame = pd.read_csv(path, index_col=0)
    values = frame[column] if column else frame.select_dtypes("number").iloc[:, 0]
    try:
        index = pd.DatetimeIndex(pd.to_datetime(frame.index))
    except (ValueError, TypeError):
        index = pd.RangeIndex(len(frame))
    if season is None and isinstance(index, pd.DatetimeIndex) and len(index) > 1:
        days = (index[1:] - index[:-1]).median() / pd.Timedelta(days=1)
        season = next((m for (low, high), m in _SEASONS if low <= days <= high), None)
    series = pd.Series(values.to_numpy(dtype=float), index=index, name=Path(path).stem)
    window = season if season and season <= 24 else 10
    return series, season, window


# --- the methods ----------------------------------------------------------------------

def origins(n_rows, n_train, horizon):
    """Forecast origins in the holdout: from the last training row to the last row
    whose ``horizon`` targets are all known."""
    return np.arange(n_train - 1, n_rows - horizon)


def truth(values, starts, horizon):
    """(n_origins, horizon): s[t+1 .. t+horizon] per origin t."""
    return np.stack([values[starts + h] for h in range(1, horizon + 1)], axis=1)


def naive(values, starts, horizon, season):
    return np.repeat(values[starts, None], horizon, axis=1)


def seasonal_naive(values, starts, horizon, season):
    """s[t + h - m * ceil(h / m)]: the value one (or more) season before the target."""
    if not season:
        return None
    lags = [h - season * math.ceil(h / season) for h in range(1, horizon + 1)]
    return np.stack([values[starts + lag] for lag in lags], axis=1)


def lag_windows(values, window):
    """(n_rows - window + 1, window): row j holds s[j .. j+window-1], the window of
    origin t = j + window - 1."""
    return sliding_window_view(values, window)


def ridge(values, n_train, starts, horizon, window):
    """RidgeCV on the flattened windows, one output per horizon."""
    lags = lag_windows(values, window)
    train_origins = np.arange(window - 1, n_train - horizon)
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10)))
    model.fit(lags[train_origins - window + 1],
              truth(values, train_origins, horizon))
    return model.predict(lags[starts - window + 1]).reshape(len(starts), horizon)


def sklstm(series, n_train, starts, horizon, window, seed, config):
    """(forecasts (n_origins, horizon), fit seconds) of the sklstm pipeline."""
    X, Y = make_horizons(series.iloc[:n_train], horizons=horizon)
    model = make_pipeline(StandardScaler(),
                          LSTMRegressor(window=window, random_state=seed,
                                        **CONFIGS[config]))
    start = time.perf_counter()
    model.fit(X, Y)
    fit_time = time.perf_counter() - start
    history = series.iloc[: starts[-1] + 1].to_frame()  # windows reach into training
    forecast = np.asarray(model.predict(history))[starts]
    return forecast.reshape(len(starts), horizon), fit_time


def rmse(forecast, actual):
    return float(np.sqrt(np.mean((forecast - actual) ** 2)))


def run_series(series, season, window, horizon, holdout, seeds, configs):
    """{method: [{"rmse", "fit_time"} per seed]} for one series and horizon, or None
    when the holdout is shorter than the horizon or training too short to fit."""
    values = series.to_numpy(dtype=float)
    n_rows = len(values)
    n_train = n_rows - math.ceil(holdout * n_rows)
    if n_rows - n_train < horizon or n_train - horizon - window < 4:
        return None
    starts = origins(n_rows, n_train, horizon)
    actual = truth(values, starts, horizon)
    results = {}
    for name, method in (("naive", naive), ("seasonal naive", seasonal_naive)):
        forecast = method(values, starts, horizon, season)
        results[name] = [] if forecast is None else [{"rmse": rmse(forecast, actual)}]
    results["RidgeCV"] = [{"rmse": rmse(ridge(values, n_train, starts, horizon,
                                              window), actual)}]
    for config in configs:
        runs = results[f"sklstm {config}"] = []
        for seed in seeds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ConvergenceWarning and the like
                forecast, fit_time = sklstm(series, n_train, starts, horizon, window,
                                            seed, config)
            runs.append({"rmse": rmse(forecast, actual), "fit_time": fit_time})
            log(f"  {series.name}, {horizon} step(s): sklstm {config} seed {seed}: "
                f"RMSE {runs[-1]['rmse']:.4g} ({fit_time:.1f} s)")
    return results


# --- the report -----------------------------------------------------------------------

def log(message):
    print(message, file=sys.stderr, flush=True)


def decimals(value):
    """Four significant digits."""
    return max(0, 3 - int(np.floor(np.log10(max(abs(value), 1e-12)))))


def rmse_cell(runs):
    if not runs:
        return "-"
    values = [r["rmse"] for r in runs]
    places = decimals(np.mean(values))
    if len(values) == 1:
        return f"{values[0]:.{places}f}"
    return (f"{np.mean(values):.{places}f} ± {np.std(values):.{places}f} "
            f"({max(values):.{places}f})")


def time_cell(runs):
    times = [r["fit_time"] for r in runs]
    return f"{statistics.median(times):.1f} ({max(times):.1f})" if times else "-"


def table_header(horizon, configs, n_seeds):
    title = "one step ahead" if horizon == 1 else f"{horizon} steps ahead (direct)"
    methods = BASELINES + [f"sklstm {c}" for c in configs]
    columns = (["series", "n", "train / holdout", "w", "m"] + methods
               + [f"fit s ({c})" for c in configs])
    return "\n".join([
        f"\n### Holdout RMSE, {title}\n",
        f"sklstm: mean ± std over {n_seeds} seed(s) (worst); fit s: median (max).\n",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns)])


def table_row(name, series, season, window, holdout, results, configs):
    n_rows = len(series)
    n_hold = math.ceil(holdout * n_rows)
    cells = [name, str(n_rows), f"{n_rows - n_hold} / {n_hold}", str(window),
             str(season or "-")]
    cells += [rmse_cell(results[m]) for m in BASELINES]
    cells += [rmse_cell(results[f"sklstm {c}"]) for c in configs]
    cells += [time_cell(results[f"sklstm {c}"]) for c in configs]
    return "| " + " | ".join(cells) + " |"


def mean_rmse(runs):
    return float(np.mean([r["rmse"] for r in runs]))


def summary(done, configs, horizon):
    """Lines: per configuration, the series at or below RidgeCV and the naive (within
    the relative :data:`TIE`)."""
    steps = "one step" if horizon == 1 else f"{horizon} steps"
    lines = []
    for config in configs:
        label = f"sklstm {config}"
        for baseline in ("RidgeCV", "naive"):
            wins = [name for name, results in done.items() if mean_rmse(results[label])
                    <= mean_rmse(results[baseline]) * (1 + TIE)]
            ratios = [mean_rmse(r[label]) / mean_rmse(r[baseline])
                      for r in done.values()]
            lines.append(
                f"- {steps}, {label}: RMSE <= {baseline} on {len(wins)} of "
                f"{len(done)} series ({', '.join(wins) or 'none'}); geometric mean "
                f"of RMSE / {baseline}: {math.exp(np.mean(np.log(ratios))):.3f}")
    return lines


# --- the command ----------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="sklstm's forecasts on statsmodels/aeon/sktime series beside "
                    "naive, seasonal naive and lag-window RidgeCV forecasts.")
    parser.add_argument("--series", nargs="+", metavar="NAME",
                        help=f"series to run (default: all found): {', '.join(SERIES)}")
    parser.add_argument("--csv", nargs="+", default=[], metavar="FILE",
                        help="series of your own: time first, then values")
    parser.add_argument("--column", help="the --csv files' value column")
    parser.add_argument("--season", type=int, help="the --csv files' season")
    parser.add_argument("--window", type=int, help="one window for every series")
    parser.add_argument("--seeds", type=int, default=5, help="sklstm seeds 0..N-1")
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS),
                        choices=list(CONFIGS), help="sklstm configurations")
    parser.add_argument("--horizon", type=int, default=12,
                        help="the multi-step horizon; 0 for one step only")
    parser.add_argument("--holdout", type=float, default=0.2,
                        help="the fraction of each series held out")
    parser.add_argument("--list", action="store_true", help="list the series found")
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    if args.seeds < 1 or not 0 < args.holdout < 1 or args.horizon < 0:
        parser.error("--seeds >= 1, 0 < --holdout < 1 and --horizon >= 0, please")
    unknown = sorted(set(args.series or []) - set(SERIES))
    if unknown:
        parser.error(f"unknown series {', '.join(unknown)}; known: {', '.join(SERIES)}")
    found, notes = ({}, []) if args.csv and not args.series else find_series(
        args.series)
    for path in args.csv:
        series, season, window = read_csv(path, args.column, args.season)
        found[series.name] = (series, season, window)
    if args.list:
        for name, (series, season, window) in found.items():
            print(f"{name}: {len(series)} rows, season {season}, window {window}")
        return
    if not found:
        parser.error("no series found: install statsmodels, aeon or sktime, or give "
                     "--csv")
    print(f"# Forecasting benchmark, sklstm {sklstm_provenance()}")
    print(f"holdout: last {args.holdout:.0%} of each series, rolling origin; "
          f"seeds 0..{args.seeds - 1}")
    for note in notes:
        print(f"note: {note}")
    horizons = [1] + ([args.horizon] if args.horizon > 1 else [])
    for horizon in horizons:
        print(table_header(horizon, args.configs, args.seeds), flush=True)
        done = {}
        for name, (series, season, window) in found.items():
            window = args.window or window
            results = run_series(series, season, window, horizon, args.holdout,
                                 range(args.seeds), args.configs)
            if results is None:
                log(f"{name}: holdout or training rows too short for {horizon} steps")
                continue
            done[name] = results
            print(table_row(name, series, season, window, args.holdout, results,
                            args.configs), flush=True)
        print()
        for line in summary(done, args.configs, horizon):
            print(line)


if __name__ == "__main__":
    main()
