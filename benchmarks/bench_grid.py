"""The adding problem for the Grid LSTM beside the stacked LSTM (issue 21).

The task, budget and data of ``examples/long_term_dependencies.py`` (Hochreiter &
Schmidhuber 1997: carry the first marked value across up to T steps), at T = 50 and
100, for two-layer stacks: ``"lstm"`` (a plain stack) and ``"grid"`` (memory cells
along depth too, Kalchbrenner et al. 2015), the grid untied and tied. Every fit
gets the example's budget (hidden_size=8, Adam 0.003, batch 32, 30 epochs, one
direction, one step a time, no linear part, no validation split); each
configuration runs with several seeds of the weights (``random_state``) on the same
data. Prints a markdown table for ``docs/benchmarks.md``: test MSE per seed and
their median (* = solved, under a tenth of the baseline's), the epoch at which the
training loss first fell under the solved threshold, and the median fit CPU time.

Usage::

    python benchmarks/bench_grid.py                  # T = 50, 100; seeds 0, 1, 2
    python benchmarks/bench_grid.py --quick          # tiny sizes, for a smoke test
    python benchmarks/bench_grid.py --seeds 0 --lengths 50 --n-jobs 2
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from joblib import Parallel, delayed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import long_term_dependencies as adding  # noqa: E402  (the example's task and budget)

#: (label, variant, estimator parameters changing the example's MODEL)
CONFIGS = [
    ("lstm, 2 layers", "lstm", {"num_layers": 2}),
    ("grid, 2 layers", "grid", {"num_layers": 2}),
    ("grid, 2 layers, tied", "grid", {"num_layers": 2, "tied_weights": True}),
]


def fit_one(label, variant, params, n_timesteps, seed, config):
    """One fit: the example's ``fit_and_score`` with a stack and a weight seed."""
    result = adding.fit_and_score(variant, n_timesteps, config, random_state=seed, **params)
    return {**result, "label": label, "seed": seed}


def table(results, lengths, seeds):
    """Markdown rows: one per configuration and length."""
    lines = ["| stack | T | test MSE per seed | median | solved at epoch | fit CPU s (median) |",
             "|---|---|---|---|---|---|"]
    for label, _, _ in CONFIGS:
        for T in lengths:
            runs = [results[label, T, seed] for seed in seeds]
            mse = [f"{r['mse']:.4f}{'*' if r['mse'] < adding.SOLVED else ''}" for r in runs]
            epochs = ["-" if r["solved_epoch"] is None else str(r["solved_epoch"]) for r in runs]
            median = statistics.median(r["mse"] for r in runs)
            seconds = statistics.median(r["seconds"] for r in runs)
            lines.append(f"| {label} | {T} | {', '.join(mse)} | {median:.4f} "
                         f"| {', '.join(epochs)} | {seconds:.1f} |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="50,100", help="comma-separated T")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated weight seeds")
    parser.add_argument("--n-jobs", type=int, default=1, help="fits run side by side")
    parser.add_argument("--quick", action="store_true",
                        help="the example's quick sizes (the figures mean nothing)")
    args = parser.parse_args(argv)
    args.lengths = [int(v) for v in args.lengths.split(",")]
    args.seeds = [int(v) for v in args.seeds.split(",")]
    return args


def main(argv=None):
    args = parse_args(argv)
    config = dict(adding.QUICK if args.quick else adding.FULL)
    start = time.perf_counter()
    tasks = [(config_, T, seed) for T in sorted(args.lengths, reverse=True)
             for config_ in CONFIGS for seed in args.seeds]
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(fit_one)(*config_, T, seed, config) for config_, T, seed in tasks)
    results = {(r["label"], r["T"], r["seed"]): r for r in runs}
    baselines = {r["T"]: r["baseline"] for r in runs}  # the same for every fit of a T
    print(f"The adding problem, two-layer stacks: {config['n_train']} training / "
          f"{config['n_test']} test sequences, hidden_size={adding.MODEL['hidden_size']}, "
          f"Adam {adding.MODEL['learning_rate_init']}, {config['max_iter']} epochs; "
          f"seeds {args.seeds}; predict 1.0 scores "
          + ", ".join(f"{baselines[T]:.4f} at T={T}" for T in args.lengths)
          + f"; * = MSE under {adding.SOLVED:.4f}.")
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}\n")
    print(table(results, args.lengths, args.seeds))
    print(f"\n{time.perf_counter() - start:.0f} s in all.")


if __name__ == "__main__":
    main()
