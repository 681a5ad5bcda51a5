"""The estimators' defaults on real datasets from the UCR/UEA archive, over seeds.

For every ``<name>/<name>_TRAIN.ts`` and ``<name>/<name>_TEST.ts`` pair under
``--data-dir``, fits ``make_pipeline(SequenceScaler(), LSTMClassifier(...))`` on the
train split with several seeds and prints the test accuracy per configuration: the
defaults, and the alternatives the defaults were chosen against. Where the file
declares ``@targetlabel true`` the estimator is ``LSTMRegressor`` (which standardises
its target itself) and the score R^2. A 1-nearest-neighbour baseline on the raw equal-length series (the
archive's classic reference) gives each score its context.

The files are the archive's ``.ts`` format; aeon ships a few in its wheel::

    pip download aeon==1.6.0 --no-deps -d /tmp/aeon && cd /tmp/aeon && unzip -q aeon-*.whl
    python benchmarks/bench_real_data.py --data-dir /tmp/aeon/aeon/datasets/data

and https://timeseriesclassification.com has the whole archive in the same format.
Ragged datasets are read as lists of (T_i, n_channels) sequences; a dataset the
script cannot run (timestamped files, missing values) gets a row saying why.
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm.preprocessing import SequenceScaler

CONFIGS = {
    "defaults": {},
    "batch 32": {"batch_size": 32},
    "batch 16": {"batch_size": 16},
    "lr 0.002, batch 32, 200 epochs": {"learning_rate_init": 0.002, "batch_size": 32,
                                       "max_iter": 200},
    "mean pooling": {"pooling": "mean"},
    "attention pooling": {"pooling": "attention"},
}


def read_ts(path):
    """X (a 3-D array, or a list of (T_i, C) arrays if ragged), y, is_regression."""
    sequences, targets, regression, in_data = [], [], False, False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        lower = line.lower()
        if lower.startswith("@timestamps") and lower.split()[-1] == "true":
            raise ValueError("timestamped .ts files are not supported")
        if lower.startswith("@targetlabel"):
            regression = lower.split()[-1] == "true"
        elif lower.startswith("@data"):
            in_data = True
        elif in_data:
            *channels, target = line.split(":")
            columns = [[float(v) if v != "?" else np.nan for v in c.split(",")]
                       for c in channels]
            sequences.append(np.array(columns).T)  # (T_i, C)
            targets.append(target)
    y = np.array(targets, dtype=float) if regression else np.array(targets)
    if len({s.shape for s in sequences}) == 1:
        return np.stack(sequences), y, regression
    return sequences, y, regression


def nearest_neighbour_score(X_train, y_train, X_test, y_test, regression):
    """Test score of 1-NN on the flattened series; None for ragged data."""
    if isinstance(X_train, list) or isinstance(X_test, list):
        return None
    if X_train.shape[1:] != X_test.shape[1:]:
        return None
    model = (KNeighborsRegressor if regression else KNeighborsClassifier)(n_neighbors=1)
    model.fit(X_train.reshape(len(X_train), -1), y_train)
    return model.score(X_test.reshape(len(X_test), -1), y_test)


def run_config(data, regression, params, seeds):
    """Test scores and fit times of one configuration over ``seeds``."""
    X_train, y_train, X_test, y_test = data  # an int batch_size above n is clipped
    estimator = LSTMRegressor if regression else LSTMClassifier
    scores, times = [], []
    for seed in seeds:
        model = make_pipeline(SequenceScaler(), estimator(random_state=seed, **params))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
            start = time.perf_counter()
            model.fit(X_train, y_train)
            times.append(time.perf_counter() - start)
        scores.append(model.score(X_test, y_test))
    return scores, times


def datasets(data_dir, names):
    """(name, train path, test path) for every complete pair under ``data_dir``."""
    for train in sorted(Path(data_dir).glob("*/*_TRAIN.ts")):
        name = train.name[: -len("_TRAIN.ts")]
        test = train.with_name(f"{name}_TEST.ts")
        if test.exists() and (not names or name in names):
            yield name, train, test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True,
                        help="folder of <name>/<name>_TRAIN.ts and _TEST.ts files")
    parser.add_argument("--datasets", nargs="*", default=None, help="names to run (all)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS),
                        choices=list(CONFIGS), metavar="CONFIG",
                        help=f"configurations to run, of {list(CONFIGS)}")
    args = parser.parse_args()
    seeds = range(args.seeds)

    print(f"test score (accuracy, or R^2 for regression), mean ± std over {args.seeds} "
          "seeds [min-max]; fit time is the median")
    print("| dataset | n_train | T | C | 1-NN | configuration | score | fit |")
    print("|---|---|---|---|---|---|---|---|")
    for name, train_path, test_path in datasets(args.data_dir, args.datasets):
        try:
            run_dataset(name, train_path, test_path, args.configs, seeds)
        except ValueError as exc:  # an unsupported file, or data sklstm rejects
            reason = str(exc).splitlines()[0]
            print(f"| {name} | skipped: {reason} | | | | | | |", flush=True)


def run_dataset(name, train_path, test_path, configs, seeds):
    """Print one table row per configuration for one dataset."""
    X_train, y_train, regression = read_ts(train_path)
    X_test, y_test, _ = read_ts(test_path)
    lengths = sorted({len(s) for s in X_train})
    length = lengths[0] if len(lengths) == 1 else f"{lengths[0]}-{lengths[-1]}"
    baseline = nearest_neighbour_score(X_train, y_train, X_test, y_test, regression)
    baseline = "-" if baseline is None else f"{baseline:.3f}"
    data = (X_train, y_train, X_test, y_test)
    for label in configs:
        scores, times = run_config(data, regression, CONFIGS[label], seeds)
        print(f"| {name} | {len(X_train)} | {length} | {X_train[0].shape[-1]} | "
              f"{baseline} | {label} | {np.mean(scores):.3f} ± {np.std(scores):.3f} "
              f"[{min(scores):.3f}-{max(scores):.3f}] | "
              f"{statistics.median(times):.1f} s |", flush=True)


if __name__ == "__main__":
    main()
