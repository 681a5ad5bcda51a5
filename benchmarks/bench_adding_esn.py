"""The adding problem for the echo state network, on the data of the gated cells' run.

``examples/long_term_dependencies.py`` trains the plain tanh RNN and the gated cells on
the adding problem of Hochreiter & Schmidhuber (1997) with one budget (hidden_size 8,
Adam, 30 epochs). An echo state network is not trained that way: its reservoir is drawn
once and only its readout is fitted, here in closed form (ridge regression on the last
reservoir state). This script fits ``LSTMRegressor("esn")`` on the same sequences (the
example's generator, seeds, lengths and test sets), as the example reads them (one step
at a time, one direction, no linear part: the reservoir alone must carry the first
marked value to the end), at several reservoir sizes and leak rates, and prints the
test MSE by length beside the baseline (predicting 1.0) with the fits' CPU seconds.

Run ``python benchmarks/bench_adding_esn.py`` (``--sizes``, ``--leak-rates``,
``--alpha`` to change the grid; ``SKLSTM_EXAMPLE_QUICK=1`` for a smoke run of a second).
The CPU time of a fit is the reservoir's one pass over the training set and one solve.
"""

import argparse
import importlib.util
import time
from pathlib import Path

from sklearn.metrics import mean_squared_error

from sklstm import LSTMRegressor

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "long_term_dependencies.py"


def load_example():
    """``examples/long_term_dependencies.py`` as a module: its data and budget."""
    spec = importlib.util.spec_from_file_location("long_term_dependencies", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fit_and_score(example, config, n_timesteps, hidden_size, leak_rate, alpha):
    """One ESN on one length: test MSE and the fit's CPU seconds."""
    X, y = example.adding_problem(config["n_train"], n_timesteps, random_state=n_timesteps)
    X_test, y_test = example.adding_problem(config["n_test"], n_timesteps,
                                            random_state=10_000 + n_timesteps)
    model = LSTMRegressor("esn", **{**example.MODEL, "hidden_size": hidden_size,
                                    "leak_rate": leak_rate, "alpha": alpha})
    start = time.process_time()
    model.fit(X, y)
    seconds = time.process_time() - start
    return {"mse": mean_squared_error(y_test, model.predict(X_test)), "seconds": seconds,
            "baseline": mean_squared_error(y_test, [1.0] * len(y_test))}


def run(example, config, sizes, leak_rates, alpha):
    """{(hidden_size, leak_rate, T): result} for every configuration and length."""
    return {(h, a, T): fit_and_score(example, config, T, h, a, alpha)
            for h in sizes for a in leak_rates for T in config["lengths"]}


def table(example, results, lengths, sizes, leak_rates):
    """The MSE table in the example's layout; * marks a solved length."""
    rows = [("predict 1.0", [f"{results[sizes[0], leak_rates[0], T]['baseline']:.4f} "
                             for T in lengths], "")]
    for h in sizes:
        for a in leak_rates:
            row = [results[h, a, T] for T in lengths]
            cells = [f"{r['mse']:.4f}{'*' if r['mse'] < example.SOLVED else ' '}"
                     for r in row]
            rows.append((f"H={h}, a={a:g}", cells,
                         f"{sum(r['seconds'] for r in row):.2f}"))
    return example._format(rows, lengths, last="fit CPU s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 100, 400],
                        help="reservoir sizes (hidden_size); 8 is the gated cells' budget")
    parser.add_argument("--leak-rates", type=float, nargs="+", default=[1.0, 0.3, 0.1])
    parser.add_argument("--alpha", type=float, default=1e-4,
                        help="the ridge penalty (the estimators' default 1e-4)")
    args = parser.parse_args(argv)
    example = load_example()
    config = example.settings()
    start = time.perf_counter()
    results = run(example, config, args.sizes, args.leak_rates, args.alpha)
    print(f"The adding problem, variant='esn' (default reservoir options but leak rate "
          f"a; alpha={args.alpha:g}):")
    print(f"test MSE by reservoir size H and length T, {config['n_train']} training and "
          f"{config['n_test']} test sequences per length,")
    print(f"the data of examples/long_term_dependencies.py. * = solved: MSE under "
          f"{example.SOLVED:.4f}.\n")
    print(table(example, results, config["lengths"], args.sizes, args.leak_rates))
    print(f"\n{time.perf_counter() - start:.0f} s in all.")


if __name__ == "__main__":
    main()
