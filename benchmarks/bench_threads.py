"""Time the estimators' row blocks: BLAS budget 1 (never split) against 2.

The estimators compute with one BLAS thread, and run a large batch as row blocks on
as many threads as BLAS allowed when the call began (``sklstm/core/_parallel.py``).
This prints, for ``predict_proba`` on n sequences and for a fit of batch 256, the
median time under ``threadpool_limits(1)`` and ``threadpool_limits(2)``, alternating,
and the speed-up.

    python benchmarks/bench_threads.py
    python benchmarks/bench_threads.py --quick
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklstm import LSTMClassifier


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="sequences to predict")
    parser.add_argument("--n-fit", type=int, default=2000, help="sequences to fit")
    parser.add_argument("--T", type=int, default=50)
    parser.add_argument("--F", type=int, default=8)
    parser.add_argument("--hidden", default="64,128")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 round")
    args = parser.parse_args()
    if args.quick:
        args.n, args.n_fit, args.hidden, args.rounds = 2000, 512, "64", 1
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n, args.T, args.F)).astype(np.float32)
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"(T, F) = ({args.T}, {args.F}), float32, median of {args.rounds} alternating "
          f"rounds\n")
    print("| H | call | BLAS budget 1 (s) | BLAS budget 2 (s) | speed-up |")
    print("|---|---|---|---|---|")
    for hidden in (int(h) for h in args.hidden.split(",")):
        model = LSTMClassifier(hidden_size=hidden, max_iter=1, random_state=0)
        model.fit(X[:200], y[:200])
        calls = {
            f"predict_proba, n = {args.n}": lambda: model.predict_proba(X),
            f"fit, n = {args.n_fit}, batch 256, 2 epochs": lambda: LSTMClassifier(
                hidden_size=hidden, max_iter=2, batch_size=256, random_state=0,
            ).fit(X[:args.n_fit], y[:args.n_fit]),
        }
        for name, call in calls.items():
            times = {1: [], 2: []}
            for _ in range(args.rounds):
                for budget in times:
                    with threadpool_limits(limits=budget, user_api="blas"):
                        times[budget].append(timed(call))
            one, two = (statistics.median(times[b]) for b in (1, 2))
            print(f"| {hidden} | {name} | {one:.3f} | {two:.3f} | {one / two:.2f}x |")


if __name__ == "__main__":
    main()
