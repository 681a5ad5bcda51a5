"""Time the recurrent core against torch.nn.LSTM / torch.nn.GRU.

For each (B, T, F, H) configuration of issue 2, in float32 with BLAS (and
torch) limited to 2 threads, prints the median (or, with ``--stat min``, the
minimum) over ``--repeats`` runs of

- forward only (torch under ``torch.no_grad()``),
- forward + backward (sklstm ``backward`` with a random ``d_out``; torch
  ``out.backward(d_out)`` with ``X.requires_grad`` so that both compute dX
  and every weight gradient),

for sklstm and, when torch is importable and has the same cell, for torch,
with the ratio sklstm / torch (below 1 means sklstm is faster). Each of the
four timed calls of a row runs in blocks of consecutive repeats, after a pause,
never call by call beside another library: after a call, OpenBLAS's and torch's
OpenMP worker threads keep spinning for a while, and interleaving calls let each
library's idle threads take cycles from the other's next call (torch's forward
at (32, 400, 1, 64) took 2.3x as long interleaved as alone). Two rounds of
blocks alternate, so drift in the machine's load hits both sides; the header
gives the load average, since numbers from a busy machine mean little. The
output is a markdown table for ``docs/benchmarks.md``.

Usage::

    python benchmarks/bench_core.py                    # full table
    python benchmarks/bench_core.py --quick            # 2 small configs, 3 repeats
    python benchmarks/bench_core.py --variants lstm,gru,peephole --repeats 11
    python benchmarks/bench_core.py --stat min         # on a shared, busy machine
    python benchmarks/bench_core.py --threads 1 --clock thread   # CPU time, see below
    python benchmarks/bench_core.py --variants lstm,grid --layers 2   # two-layer stacks

``--clock thread`` times each call by the calling thread's CPU time instead of the
wall clock. With ``--threads 1`` both libraries compute on the calling thread, so
this is the work each one does, whatever else the machine runs: the comparison to
trust when other jobs share the cores (two-thread wall times then move by 2-3x).

``--layers N`` times a stack of N layers of each variant instead of one layer:
sklstm's ``RecurrentNetwork`` without its head's cost to speak of (mean pooling, one
output; ``sklstm.core.stack_variants`` gives the layers, e.g. the grid's bottom layer
and the depth memory passed up), torch's ``num_layers=N`` module. The last column is
sklstm's forward+backward time per time step, ``fwd+bwd / T``, the figure to compare
across variants (the grid against the stacked LSTM).
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from sklstm._network import RecurrentNetwork
from sklstm.core import VARIANTS, RecurrentLayer

try:
    import torch
except ImportError:  # torch is an optional benchmark dependency
    torch = None

CONFIGS = [  # (B, T, F, H)
    (64, 50, 8, 32),
    (128, 100, 16, 64),
    (256, 100, 32, 128),
    (32, 400, 1, 64),
    (512, 28, 28, 128),
]
THREADS = 2
TORCH_MODULES = {"lstm": "LSTM", "gru": "GRU"}
STATISTICS = {"median": statistics.median, "min": min}


def make_data(B, T, F, H, seed=0):
    """Realistic float32 input X (B, T, F) and upstream gradient d_out (B, T, H)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, T, F)).astype(np.float32)
    d_out = (0.1 * rng.standard_normal((B, T, H))).astype(np.float32)
    return X, d_out


def sklstm_runs(variant, X, d_out, num_layers=1):
    """(forward, forward+backward) callables of one sklstm layer, or of a stack."""
    if num_layers > 1:
        return stack_runs(variant, X, d_out, num_layers)
    layer = RecurrentLayer(variant, input_size=X.shape[2], hidden_size=d_out.shape[2],
                           random_state=0, dtype="float32")

    def forward():
        layer.forward(X)

    def forward_backward():
        _, cache = layer.forward(X)
        layer.backward(d_out, cache)

    return forward, forward_backward


def stack_runs(variant, X, d_out, num_layers):
    """(forward, forward+backward) callables of a ``num_layers`` stack: the network,
    mean-pooled into one output, backpropagating the mean of ``d_out`` over H."""
    network = RecurrentNetwork.build(variant, X.shape[2], d_out.shape[2], 1,
                                     num_layers=num_layers, bidirectional=False,
                                     pooling="mean", random_state=np.random.RandomState(0))
    lengths = np.full(X.shape[0], X.shape[1])
    d_raw = d_out.mean(axis=(1, 2))[:, None]  # (B, 1)

    def forward():
        network.forward(X, lengths)

    def forward_backward():
        _, cache = network.forward(X, lengths)
        network.backward(d_raw, cache)

    return forward, forward_backward


def torch_runs(variant, X, d_out, num_layers=1):
    """(forward, forward+backward) callables of the torch module, or None."""
    if torch is None or variant not in TORCH_MODULES:
        return None
    torch.manual_seed(0)
    module_class = getattr(torch.nn, TORCH_MODULES[variant])
    module = module_class(X.shape[2], d_out.shape[2], num_layers=num_layers,
                          batch_first=True).float()
    X_t = torch.from_numpy(X).requires_grad_()  # so that torch computes dX too
    d_out_t = torch.from_numpy(d_out)

    def forward():
        with torch.no_grad():
            module(X_t)

    def forward_backward():
        module.zero_grad(set_to_none=True)
        X_t.grad = None
        out, _ = module(X_t)
        out.backward(d_out_t)

    return forward, forward_backward


CLOCKS = {"wall": time.perf_counter, "thread": time.thread_time}


def summary_times(runs, repeats, statistic=statistics.median, warmup=2, rounds=2,
                  pause=0.3, clock=time.perf_counter):
    """``statistic`` (median by default) of the wall times in ms of each of ``runs``.

    Each callable runs in a block of consecutive calls (warm-up, then its share of
    the repeats), after a ``pause`` in seconds that lets the previous block's
    spinning worker threads go to sleep; ``rounds`` rounds of blocks alternate.
    """
    times = [[] for _ in runs]
    per_round = [len(range(r, repeats, rounds)) for r in range(rounds)]
    for count in per_round:
        for run, bucket in zip(runs, times):
            time.sleep(pause)
            for _ in range(warmup):
                run()
            for _ in range(count):
                start = clock()
                run()
                bucket.append(clock() - start)
    return [1e3 * statistic(bucket) for bucket in times]


def time_config(variant, B, T, F, H, repeats, statistic=statistics.median,
                clock=time.perf_counter, num_layers=1):
    """((sklstm fwd, fwd+bwd), (torch fwd, fwd+bwd) or (None, None)) in ms."""
    X, d_out = make_data(B, T, F, H)
    runs = list(sklstm_runs(variant, X, d_out, num_layers))
    theirs = torch_runs(variant, X, d_out, num_layers)
    if theirs is not None:
        runs += list(theirs)
    summary = summary_times(runs, repeats, statistic, clock=clock)
    ours = tuple(summary[:2])
    return ours, (tuple(summary[2:]) if theirs is not None else (None, None))


def ratio(ours, theirs):
    return "n/a" if theirs is None else f"{ours / theirs:.2f}"


def milliseconds(value):
    return "n/a" if value is None else f"{value:.2f}"


def run(variants, configs, repeats, statistic=statistics.median, clock=time.perf_counter,
        num_layers=1):
    """Print the markdown table; return its rows as dicts."""
    header = ("| variant | B | T | F | H | fwd sklstm (ms) | fwd torch (ms) | fwd ratio "
              "| fwd+bwd sklstm (ms) | fwd+bwd torch (ms) | fwd+bwd ratio "
              "| fwd+bwd sklstm per step (us) |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    rows = []
    for variant in variants:
        for B, T, F, H in configs:
            ours, theirs = time_config(variant, B, T, F, H, repeats, statistic, clock,
                                       num_layers)
            print(f"| {variant} | {B} | {T} | {F} | {H} "
                  f"| {milliseconds(ours[0])} | {milliseconds(theirs[0])} | {ratio(ours[0], theirs[0])} "
                  f"| {milliseconds(ours[1])} | {milliseconds(theirs[1])} | {ratio(ours[1], theirs[1])} "
                  f"| {1e3 * ours[1] / T:.1f} |", flush=True)
            rows.append({"variant": variant, "config": (B, T, F, H),
                         "sklstm": ours, "torch": theirs})
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per cell")
    parser.add_argument("--variants", default="lstm,gru",
                        help=f"comma-separated, from {', '.join(VARIANTS)}")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="summary of the repeats; 'min' resists load from other processes")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="BLAS (and torch) threads; the issue's table uses 2")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="wall",
                        help="'thread': the calling thread's CPU time (with --threads 1)")
    parser.add_argument("--quick", action="store_true",
                        help="only the first two configurations, 3 repeats")
    parser.add_argument("--layers", type=int, default=1,
                        help="time stacks of this many layers (the network, mean-pooled)")
    args = parser.parse_args(argv)
    args.variants = [name.strip() for name in args.variants.split(",") if name.strip()]
    unknown = [name for name in args.variants if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; expected names from {VARIANTS}")
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    if args.layers < 1:
        parser.error("--layers must be >= 1")
    if args.clock == "thread" and args.threads != 1:
        parser.error("--clock thread measures the calling thread only: use --threads 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    configs = CONFIGS[:2] if args.quick else CONFIGS
    repeats = 3 if args.quick else args.repeats
    torch_version = "not installed" if torch is None else torch.__version__
    print(f"numpy {np.__version__}, torch {torch_version}, python {platform.python_version()}, "
          f"{platform.machine()}, {args.threads} threads, float32, {args.stat} of {repeats}, "
          f"{args.clock} clock, {args.layers} layer(s), "
          f"load average {os.getloadavg()[0]:.2f}\n")
    if torch is not None:
        torch.set_num_threads(args.threads)
    with threadpool_limits(args.threads):
        run(args.variants, configs, repeats, STATISTICS[args.stat], CLOCKS[args.clock],
            args.layers)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
