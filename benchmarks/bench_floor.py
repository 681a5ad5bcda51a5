"""The floor under the LSTM rows of ``bench_core.py``: what a NumPy step costs here.

For each configuration of ``bench_core.py`` (float32, BLAS and torch on
``--threads`` threads), per time step:

Forward:

- ``sklstm``: ``RecurrentLayer("lstm").forward`` (validation, masks, cache and all);
- ``bare``: the core's plan and nothing else, on preallocated buffers: one GEMM on
  the stacked ``[h; x; 1]`` for every gate's pre-activation, one ``tanh`` over all
  gate blocks (the logistic gates as ``(1 + tanh(z/2)) / 2``, the 1/2 in the
  weights), the logistic rows' multiply-add, three calls for the cell, ``tanh`` of
  the cell and the output product (9 NumPy calls a step);
- ``GEMM + tanh``: that GEMM alone plus one ``tanh`` over all (G+1)*H*B gate and
  cell activations alone: every step must make its pre-activations and evaluate
  one transcendental per activation, so no NumPy LSTM forward step of this plan
  runs faster than this, whatever its other calls;
- ``call``: one elementwise call (an add) on the H*B cells: what each further call
  of a step costs;
- ``torch``: ``torch.nn.LSTM`` forward under ``torch.no_grad()`` (oneDNN's fused
  kernel), when torch is installed.

Forward + backward:

- ``sklstm``: forward and ``backward`` (with dX, as ``bench_core.py``);
- ``bare``: the core's own plain-LSTM loops (``_plain_forward``, ``_plain_backward``:
  13 elementwise calls and the recurrent GEMM a backward step), the weight gradients
  from the stacked block (``stacked_weight_grad``) and dX, nothing else: the plan's
  floor; the difference to ``sklstm`` is the layer's bookkeeping (checks, layouts,
  positions), and at the large batches its row blocks on threads (``bare`` runs the
  whole batch in one loop);
- ``GEMMs``: the three products a step of forward + backward cannot skip, alone:
  the forward GEMM above, the backward's recurrent ``(H, G*H) @ (G*H, B)`` and the
  step's share of the weight gradient ``(G*H, B) @ (B, H+F+1)``;
- ``torch``: ``out.backward`` after the forward, as in ``bench_core.py``.

Ratios to torch follow. Times are the minimum over three rounds of ``--repeats``
runs, the rounds taking each measurement in turn: the statistic that resists this
machine's slow spells (see ``docs/benchmarks.md``).

    python benchmarks/bench_floor.py
"""

import argparse
import time

import numpy as np
from bench_core import CONFIGS, THREADS, make_data, sklstm_runs, torch, torch_runs
from threadpoolctl import threadpool_limits

from sklstm.core._cell import BackwardSteps
from sklstm.core._layout import stacked_weight_grad
from sklstm.core._lstm import _plain_backward, _plain_forward

GATES = 4  # input, forget, candidate, output
LOGISTIC = 3  # rows [0, 3H) of the bare loop's gates are logistic, [3H, 4H) the candidate


def bare_forward(X, H, rng):
    """A callable running the core's LSTM forward plan on X (B, T, F), nothing else."""
    B, T, F = X.shape
    stacked = np.empty((T + 1, H + F + 1, B), X.dtype)  # [h_t; x_t; 1] per step
    stacked[:T, H:H + F] = X.transpose(1, 2, 0)
    stacked[:, H + F] = 1
    stacked[0, :H] = 0
    weights = (0.1 * rng.standard_normal((GATES * H, H + F + 1))).astype(X.dtype)
    gates = np.empty((T, GATES * H, B), X.dtype)
    cell = np.zeros((T + 1, H, B), X.dtype)
    squashed = np.empty((T, H, B), X.dtype)
    scratch = np.empty((H, B), X.dtype)
    output, input_gate, forget, candidate = (slice(k * H, (k + 1) * H) for k in range(GATES))
    logistic = slice(0, LOGISTIC * H)

    def run():
        for t in range(T):
            pre = gates[t]
            np.matmul(weights, stacked[t], out=pre)
            np.tanh(pre, out=pre)
            pre[logistic] *= 0.5
            pre[logistic] += 0.5
            np.multiply(pre[forget], cell[t], out=cell[t + 1])
            np.multiply(pre[input_gate], pre[candidate], out=scratch)
            cell[t + 1] += scratch
            np.tanh(cell[t + 1], out=squashed[t])
            np.multiply(pre[output], squashed[t], out=stacked[t + 1, :H])

    return run


def bare_forward_backward(X, d_out, rng):
    """A callable running the core's plain LSTM loops forward and backward, the weight
    gradients and dX on X (B, T, F) and d_out (B, T, H), without the layer around them."""
    B, T, F = X.shape
    H = d_out.shape[2]
    stacked = np.empty((T + 1, H + F + 1, B), X.dtype)  # [h_t; x_t; 1] per step
    stacked[:T, H:H + F] = X.transpose(1, 2, 0)
    stacked[T, H:H + F] = 0
    stacked[:, H + F] = 1
    stacked[0, :H] = 0
    weights = (0.1 * rng.standard_normal((GATES * H, H + F + 1))).astype(X.dtype)
    recurrent = np.ascontiguousarray(weights[:, :H].T)  # U (H, 4H)
    input_weights = np.ascontiguousarray(weights[:, H:H + F].T)  # W (F, 4H)
    d_hidden = np.zeros((T + 1, H, B), X.dtype)
    d_hidden[1:] = d_out.transpose(1, 2, 0)
    c0 = np.zeros((H, B), X.dtype)

    def run():
        state = _plain_forward(weights, stacked, c0)
        d_gates, _, _ = _plain_backward(recurrent, d_hidden, state, BackwardSteps(None, T))
        stacked_weight_grad(d_gates, [(slice(None), stacked[:-1])])
        np.matmul(input_weights, d_gates)  # dX, (T, F, B)

    return run


def part_calls(B, F, H, rng):
    """Callables of the step's products, ``tanh`` over (G+1)*H*B values and one add."""
    def array(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    weights, inputs, pre = array(GATES * H, H + F + 1), array(H + F + 1, B), array(GATES * H, B)
    recurrent, d_hidden, d_weights = array(H, GATES * H), array(H, B), array(GATES * H, H + F + 1)
    values = rng.uniform(-4, 4, ((GATES + 1) * H, B)).astype(np.float32)
    out = np.empty_like(values)
    cells = values[:H]
    return {
        "gemm": lambda: np.matmul(weights, inputs, out=pre),
        "gemm_back": lambda: np.matmul(recurrent, pre, out=d_hidden),
        "gemm_weights": lambda: np.matmul(pre, inputs.T, out=d_weights),
        "tanh": lambda: np.tanh(values, out=out),
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
    """Per-step times in us of the whole runs and the parts (see the module docstring).

    Each is the minimum over ``rounds`` rounds that take every measurement in turn,
    so a slow spell of the machine spoils one round of each, not one measurement.
    """
    rng = np.random.default_rng(0)
    X, d_out = make_data(B, T, F, H)
    forward, forward_backward = sklstm_runs("lstm", X, d_out)
    steps = {"sklstm": forward, "sklstm_fb": forward_backward, "bare": bare_forward(X, H, rng),
             "bare_fb": bare_forward_backward(X, d_out, rng)}
    theirs = torch_runs("lstm", X, d_out)
    if theirs is not None:
        steps["torch"], steps["torch_fb"] = theirs
    calls = part_calls(B, F, H, rng)
    per_step = dict.fromkeys([*steps, *calls], float("inf"))
    for _ in range(rounds):
        for name, run in steps.items():
            per_step[name] = min(per_step[name], best_time(run, repeats) / T)
        for name, call in calls.items():
            per_step[name] = min(per_step[name], best_time(call, repeats, inner=200))
    return per_step


def cells(values, n_columns):
    """Formatted cells, "n/a" for the missing (torch not installed)."""
    shown = [f"{value:.2f}" for value in values]
    return shown + ["n/a"] * (n_columns - len(shown))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed runs per cell and round (3 rounds)")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="BLAS (and torch) threads; the issue's table uses 2")
    args = parser.parse_args(argv)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"numpy {np.__version__}, {args.threads} threads, float32, "
          f"min of 3 rounds of {args.repeats}; us per step\n")
    forward_header = ("| B | T | F | H | sklstm | bare | GEMM + tanh | call | torch "
                      "| bare / torch | GEMM + tanh / torch |")
    backward_header = ("| B | T | F | H | sklstm fwd+bwd | bare fwd+bwd | GEMMs | torch fwd+bwd "
                       "| sklstm / torch | bare / torch | GEMMs / torch |")
    rows = []
    with threadpool_limits(args.threads):
        for config in CONFIGS:
            rows.append((config, time_config(*config, args.repeats)))
    for header, columns in ((forward_header, 7), (backward_header, 7)):
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        for (B, T, F, H), s in rows:
            if header is forward_header:
                floor = s["gemm"] + s["tanh"]
                values = [s["sklstm"], s["bare"], floor, s["call"]]
                if "torch" in s:
                    values += [s["torch"], s["bare"] / s["torch"], floor / s["torch"]]
            else:
                floor = s["gemm"] + s["gemm_back"] + s["gemm_weights"]
                values = [s["sklstm_fb"], s["bare_fb"], floor]
                if "torch_fb" in s:
                    values += [s["torch_fb"], s["sklstm_fb"] / s["torch_fb"],
                               s["bare_fb"] / s["torch_fb"], floor / s["torch_fb"]]
            print(f"| {B} | {T} | {F} | {H} | " + " | ".join(cells(values, columns)) + " |")
        print()


if __name__ == "__main__":
    main()
