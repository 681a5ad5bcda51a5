"""The floor under the LSTM rows of ``bench_core.py``: what a NumPy step costs here.

sklstm's LSTM misses issue 2's speed targets at the configurations with few
activations a step. This script shows how much of that is sklstm's and how much
is NumPy's, per time step of the forward pass, for each configuration of
``bench_core.py`` (float32, BLAS and torch on ``--threads`` threads):

- ``sklstm``: ``RecurrentLayer("lstm").forward`` (validation, masks, cache and all);
- ``bare``: the core's plan and nothing else, on preallocated buffers: the input
  projection of all steps in one GEMM, then per step the recurrent GEMM and its
  add, one ``exp`` with its add and divide over the four gate blocks, the
  candidate's shift, three calls for the cell, ``tanh`` of the cell and the output
  product (11 NumPy calls a step);
- ``GEMM + exp``: the recurrent GEMM alone plus ``exp`` over all (G+1)*H*B gate and
  cell activations alone. Every step has to evaluate one transcendental per
  activation, ``exp`` is NumPy's cheapest (``tanh`` costs twice as much per element
  here), and the product cannot be skipped, so no NumPy LSTM step runs faster than
  this, whatever its other calls;
- ``call``: one elementwise call (an add) on the H*B cells: what each further call
  of a step costs;
- ``torch``: ``torch.nn.LSTM`` forward under ``torch.no_grad()`` (oneDNN's fused
  kernel), when torch is installed;

then ``bare`` / torch and ``GEMM + exp`` / torch. Times are the minimum over
three rounds of ``--repeats`` runs, the rounds taking each measurement in turn: the
statistic that resists this machine's slow spells (see ``docs/benchmarks.md``).

    python benchmarks/bench_floor.py
"""

import argparse
import time

import numpy as np
from bench_core import CONFIGS, THREADS, make_data, torch, torch_runs
from threadpoolctl import threadpool_limits

from sklstm.core import RecurrentLayer

GATES = 4  # input, forget, candidate, output


def bare_forward(X, H, rng):
    """A callable running the core's LSTM forward plan on X (B, T, F), nothing else."""
    B, T, F = X.shape
    G = GATES
    x_t = np.concatenate([X, np.ones((B, T, 1), X.dtype)], axis=2).transpose(1, 2, 0)
    x_t = np.ascontiguousarray(x_t)  # (T, F+1, B): the bias rides on a row of ones
    input_t = (0.1 * rng.standard_normal((G * H, F + 1))).astype(X.dtype)  # (G*H, F+1)
    recurrent_t = (0.1 * rng.standard_normal((G * H, H))).astype(X.dtype)  # (G*H, H)
    gates = np.empty((T, G * H, B), X.dtype)
    hidden = np.zeros((T + 1, H, B), X.dtype)
    cell = np.zeros_like(hidden)
    squashed = np.empty((T, H, B), X.dtype)
    rec = np.empty((G * H, B), X.dtype)
    scratch = np.empty((H, B), X.dtype)
    numerator = np.ones((G * H, B), X.dtype)
    numerator[2 * H:3 * H] = 2  # 2 / (1 + exp(-2y)) = 1 + tanh(y) on the candidate
    input_gate, forget, candidate, output = (slice(k * H, (k + 1) * H) for k in range(G))

    def run():
        np.matmul(input_t, x_t, out=gates)  # (T, G*H, B)
        for t in range(T):
            pre = gates[t]
            np.matmul(recurrent_t, hidden[t], out=rec)
            pre += rec
            np.exp(pre, out=pre)
            pre += 1
            np.divide(numerator, pre, out=pre)
            pre[candidate] -= 1
            np.multiply(pre[forget], cell[t], out=cell[t + 1])
            np.multiply(pre[input_gate], pre[candidate], out=scratch)
            cell[t + 1] += scratch
            np.tanh(cell[t + 1], out=squashed[t])
            np.multiply(pre[output], squashed[t], out=hidden[t + 1])

    return run


def part_calls(B, H, rng):
    """Callables of the recurrent GEMM, ``exp`` over (G+1)*H*B values and one add."""
    recurrent_t = rng.standard_normal((GATES * H, H)).astype(np.float32)
    hidden = rng.standard_normal((H, B)).astype(np.float32)
    rec = np.empty((GATES * H, B), np.float32)
    values = rng.uniform(-4, 4, ((GATES + 1) * H, B)).astype(np.float32)
    out = np.empty_like(values)
    cells = values[:H]
    return {
        "gemm": lambda: np.matmul(recurrent_t, hidden, out=rec),
        "exp": lambda: np.exp(values, out=out),
        "call": lambda: np.add(cells, cells, out=out[:H]),
    }


def best_time(run, repeats, inner=1, warmup=2, pause=0.3):
    """Minimum wall time of ``inner`` calls of ``run``, over ``repeats``, in us per call,
    after a ``pause`` that lets the previous block's spinning worker threads sleep."""
    time.sleep(pause)
    for _ in range(warmup):
        run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            run()
        best = min(best, time.perf_counter() - start)
    return 1e6 * best / inner


def time_config(B, T, F, H, repeats, rounds=3):
    """Per-step times in us: sklstm, bare, gemm, exp, call, and torch if installed.

    Each is the minimum over ``rounds`` rounds that take every measurement in turn,
    so a slow spell of the machine spoils one round of each, not one measurement.
    """
    rng = np.random.default_rng(0)
    X, d_out = make_data(B, T, F, H)
    layer = RecurrentLayer("lstm", input_size=F, hidden_size=H, random_state=0,
                           dtype="float32")
    steps = {"sklstm": lambda: layer.forward(X), "bare": bare_forward(X, H, rng)}
    theirs = torch_runs("lstm", X, d_out)
    if theirs is not None:
        steps["torch"] = theirs[0]
    calls = part_calls(B, H, rng)
    per_step = dict.fromkeys([*steps, *calls], float("inf"))
    with np.errstate(over="ignore"):
        for _ in range(rounds):
            for name, run in steps.items():
                per_step[name] = min(per_step[name], best_time(run, repeats) / T)
            for name, call in calls.items():
                per_step[name] = min(per_step[name], best_time(call, repeats, inner=200))
    return per_step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed runs per cell and round (3 rounds)")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="BLAS (and torch) threads; the issue's table uses 2")
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(args.threads)
    header = ("| B | T | F | H | sklstm (us/step) | bare (us/step) | GEMM + exp (us) "
              "| call (us) | torch (us/step) | bare / torch | GEMM + exp / torch |")
    print(f"numpy {np.__version__}, {args.threads} threads, float32, "
          f"min of 3 rounds of {args.repeats}\n")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    with threadpool_limits(args.threads):
        for B, T, F, H in CONFIGS:
            s = time_config(B, T, F, H, args.repeats)
            floor = s["gemm"] + s["exp"]
            cells = [s["sklstm"], s["bare"], floor, s["call"]]
            if "torch" in s:
                cells += [s["torch"], s["bare"] / s["torch"], floor / s["torch"]]
            shown = [f"{value:.2f}" for value in cells] + ["n/a"] * (7 - len(cells))
            print(f"| {B} | {T} | {F} | {H} | " + " | ".join(shown) + " |", flush=True)


if __name__ == "__main__":
    main()
