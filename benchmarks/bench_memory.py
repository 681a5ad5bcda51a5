"""Peak memory of a window-mode fit against what it must hold.

A window-mode fit on one long series must never materialise the windows: its peak
should stay near the series itself, plus the activations of one minibatch, plus the
weights (with the optimizer's state). This script fits ``LSTMRegressor(window=k)`` on
series of growing length, measures the peak of NumPy's allocations during ``fit`` with
tracemalloc, and prints it beside that budget and the size the windows would have had.

Run::

    python benchmarks/bench_memory.py            # rows 100k, 300k, 1M
    python benchmarks/bench_memory.py --quick    # rows 20k, 50k
"""

import argparse
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklstm import LSTMRegressor
from sklstm.core._workspace import SCRATCH

MB = 2**20


def batch_activation_bytes(batch, window, n_features, hidden, itemsize, n_gates=4):
    """Bytes one LSTM minibatch keeps alive: the forward cache and backward's buffers.

    Forward: the batch (B, T, F) and its time-major copy, the gates (T, 4H, B), the
    hidden and cell states (T+1, H, B), tanh of the cell (T, H, B). Backward: the gate
    gradients (T, 4H, B), the output gradients (T+1, H, B), the copies laid out for the
    weight-gradient GEMMs (4H + H + F rows of T*B), dX (T, F, B) and d_out (B, T, H).
    """
    steps = window * batch
    forward = 2 * steps * n_features + steps * n_gates * hidden + 2 * (steps + batch) * hidden \
        + steps * hidden
    backward = steps * n_gates * hidden + (steps + batch) * hidden \
        + steps * (n_gates * hidden + hidden + n_features) + 2 * steps * n_features \
        + steps * hidden
    return (forward + backward) * itemsize


def weight_bytes(model):
    """The fitted weights, times three: the weights and Adam's two moments."""
    arrays = [a for layers in model.layers_ for layer in layers for a in layer.params.values()]
    arrays += list(model.head_.values())
    return 3 * sum(a.nbytes for a in arrays)


def measure(n_rows, n_features, window, hidden, batch, seed=0):
    rng = np.random.default_rng(seed)
    series = rng.standard_normal((n_rows, n_features)).astype(np.float32)
    target = series[:, 0].cumsum().astype(np.float32) / np.sqrt(n_rows)
    model = LSTMRegressor(hidden_size=hidden, window=window, batch_size=batch,
                          max_iter=1, random_state=0, dtype="float32")
    SCRATCH.clear()  # backward's reusable buffers count in every run's peak
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(series, target)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data = series.nbytes + target.nbytes
    activations = batch_activation_bytes(batch, window, n_features, hidden, 4)
    budget = data + activations + weight_bytes(model)
    windows = n_rows * window * n_features * 4
    return data, activations, budget, peak, windows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small series only")
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()
    sizes = (20_000, 50_000) if args.quick else (100_000, 300_000, 1_000_000)
    print(f"LSTMRegressor(window={args.window}, hidden_size={args.hidden}, "
          f"batch_size={args.batch}), {args.features} float32 features, one epoch\n")
    print("| rows | data MB | one batch MB | budget MB | peak MB | peak / budget "
          "| all windows MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n_rows in sizes:
        data, act, budget, peak, windows = measure(
            n_rows, args.features, args.window, args.hidden, args.batch)
        print(f"| {n_rows:,} | {data / MB:.1f} | {act / MB:.1f} | {budget / MB:.1f} "
              f"| {peak / MB:.1f} | {peak / budget:.2f} | {windows / MB:,.0f} |")


if __name__ == "__main__":
    main()
