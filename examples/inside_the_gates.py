"""Inside the gates: an LSTM learns to wipe its memory at reset markers.

The forget gate's story: a language model reading "The cat, which ..., was" must keep
the subject's number, and forget it when a new subject arrives. Here the same story in
a clean numeric task. Each sequence has T steps of two features, a value drawn
uniformly from [0, 1] and a reset marker; one to three markers sit at random steps
(their value is 0). The target is the sum of the values after the last marker. A
network that keeps a running sum in its cell must wipe the cell at every marker (it
cannot know which marker is the last), and the forget gate is the LSTM's tool for it.

The script trains an ``LSTMRegressor``, traces the trained network on test sequences
with ``estimator.trace``, prints the test MSE beside the baseline and the ablation
without a forget gate (``no_forget_gate``, Greff et al. 2015), and the forget gate's
mean activation at marker steps and elsewhere; it saves ``inside_the_gates.png`` (the
forget gate over time for a few sequences, markers as vertical lines) and
``gates_heatmap.png`` (``sklstm.plotting.plot_gates`` of one sequence).

Run ``python examples/inside_the_gates.py``. Environment variables:
``SKLSTM_EXAMPLE_QUICK=1`` shrinks everything to a few seconds (for the tests; the
numbers are then meaningless), ``SKLSTM_EXAMPLE_OUTPUT`` is the directory for the
plots (default: ``docs/images`` of the repository).
"""

import os
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_squared_error

from sklstm import LSTMRegressor
from sklstm.plotting import plot_gates

FULL = {"n_timesteps": 30, "n_train": 2000, "n_test": 500, "max_iter": 25}
QUICK = {"n_timesteps": 12, "n_train": 64, "n_test": 32, "max_iter": 2}
# One step at a time, one direction, no linear part beside the network and no
# validation split: what the gates do is all the model does.
MODEL = {"hidden_size": 8, "learning_rate_init": 0.01, "batch_size": 32,
         "n_iter_no_change": np.inf, "chunk_size": 1, "bidirectional": False,
         "linear": None, "early_stopping": False, "random_state": 0}
N_SHOWN = 3  # sequences in the forget-gate figure


def settings():
    """FULL, or QUICK when the environment variable SKLSTM_EXAMPLE_QUICK is set."""
    quick = os.environ.get("SKLSTM_EXAMPLE_QUICK", "") not in ("", "0")
    return QUICK if quick else FULL


def output_dir():
    """Where the plots go: $SKLSTM_EXAMPLE_OUTPUT, or docs/images of the repo."""
    default = Path(__file__).resolve().parent.parent / "docs" / "images"
    path = Path(os.environ.get("SKLSTM_EXAMPLE_OUTPUT", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def reset_task(n_samples, n_timesteps, random_state, max_markers=3):
    """Sequences with reset markers; the target is the sum after the last marker.

    Parameters
    ----------
    n_samples, n_timesteps : int
    random_state : int
    max_markers : int, default=3
        Each sequence has 1 to ``max_markers`` markers, at distinct steps between
        the second and the next-to-last.

    Returns
    -------
    X : ndarray of shape (n_samples, n_timesteps, 2)
        Feature 0: values uniform on [0, 1], 0 at the markers; feature 1: markers.
    y : ndarray of shape (n_samples,)
        Sum of the values after each sequence's last marker.
    """
    rng = np.random.RandomState(random_state)
    values = rng.uniform(size=(n_samples, n_timesteps))
    markers = np.zeros_like(values)
    inner = np.arange(1, n_timesteps - 1)
    for row in markers:
        row[rng.choice(inner, size=rng.randint(1, max_markers + 1), replace=False)] = 1
    values[markers == 1] = 0.0
    last = n_timesteps - 1 - np.argmax(markers[:, ::-1], axis=1)  # (n_samples,)
    after_last = np.arange(n_timesteps) > last[:, None]  # (n_samples, T)
    return np.stack([values, markers], axis=-1), (values * after_last).sum(axis=1)


def fit(variant, X, y, config):
    """A fitted LSTMRegressor of ``variant`` and its fit CPU seconds."""
    model = LSTMRegressor(variant, max_iter=config["max_iter"], **MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed epoch budget
        start = time.process_time()
        model.fit(X, y)
    return model, time.process_time() - start


def forget_summary(forget, markers):
    """Mean forget activation at marker steps and elsewhere, overall and per unit.

    Parameters
    ----------
    forget : ndarray of shape (n_samples, n_timesteps, hidden_size)
    markers : ndarray of bool of shape (n_samples, n_timesteps)

    Returns
    -------
    dict
        ``"at_markers"``, ``"elsewhere"``, ``"after_last"`` (the steps after the
        last marker, where the sum must be kept): floats; ``"units_at_markers"``,
        ``"units_elsewhere"``: (hidden_size,) arrays.
    """
    last = markers.shape[1] - 1 - np.argmax(markers[:, ::-1], axis=1)
    after_last = np.arange(markers.shape[1]) > last[:, None]  # (n_samples, T)
    return {"at_markers": float(forget[markers].mean()),
            "elsewhere": float(forget[~markers].mean()),
            "after_last": float(forget[after_last].mean()),
            "units_at_markers": forget[markers].mean(axis=0),
            "units_elsewhere": forget[~markers].mean(axis=0)}


def print_report(scores, summary, config):
    """The test MSE table and the forget gate's activation at and off markers."""
    print(f"Reset task: T={config['n_timesteps']}, 1-3 reset markers per sequence;")
    print("target = the sum of the values after the last marker.")
    print(f"{config['n_train']} training / {config['n_test']} test sequences; "
          f"hidden_size={MODEL['hidden_size']}, Adam at {MODEL['learning_rate_init']}, "
          f"{config['max_iter']} epochs.\n")
    print(f"{'model':<28}{'test MSE':>10}{'R^2':>8}{'fit CPU s':>11}")
    print("-" * 57)
    for name, (mse, r2, seconds) in scores.items():
        cpu = "-" if seconds is None else f"{seconds:.1f}"
        print(f"{name:<28}{mse:>10.4f}{r2:>8.3f}{cpu:>11}")
    ablation = scores["no_forget_gate"][0] / scores["lstm"][0]
    print(f"\nWithout a forget gate the test MSE is {ablation:.0f} times the lstm's.")
    print("\nlstm forget gate, mean activation over test steps and units:")
    print(f"  at marker steps   {summary['at_markers']:.3f}")
    print(f"  elsewhere         {summary['elsewhere']:.3f}")
    print(f"  (after the last marker, where the sum is kept: "
          f"{summary['after_last']:.3f})")
    ratio = summary["at_markers"] / summary["elsewhere"]
    print(f"At the markers the gate falls to {ratio:.0%} of its level elsewhere.")
    if summary["after_last"] < 0.9:
        print(f"Where the sum must be kept it stays well below 1 "
              f"({summary['after_last']:.2f}): the cell\nleaks, so the trained network "
              "is not the textbook integrator (forget = 1,\nthen 0 at a reset), though "
              "it predicts the sum as well as the table shows.")
    units_at = " ".join(f"{v:5.2f}" for v in summary["units_at_markers"])
    units_else = " ".join(f"{v:5.2f}" for v in summary["units_elsewhere"])
    print(f"per unit, at markers: {units_at}")
    print(f"per unit, elsewhere:  {units_else}")


def plot_forget(forget, markers, path):
    """Mean forget activation over time for the first N_SHOWN sequences."""
    fig, axes = plt.subplots(N_SHOWN, 1, sharex=True, sharey=True, squeeze=False,
                             figsize=(7.5, 1.1 + 1.5 * N_SHOWN), layout="constrained")
    steps = np.arange(forget.shape[1])
    for k, ax in enumerate(axes[:, 0]):
        ax.plot(steps, forget[k], color="C0", alpha=0.25, linewidth=0.8)  # each unit
        ax.plot(steps, forget[k].mean(axis=1), color="C0", linewidth=2.2,
                label="forget gate, mean over units" if k == 0 else None)
        for t in np.flatnonzero(markers[k]):
            ax.axvline(t, color="C3", linestyle="--", linewidth=1.2)
        ax.set(ylim=(0, 1), ylabel="activation", title=f"test sequence {k}")
    axes[0, 0].plot([], [], color="C0", alpha=0.25, label="forget gate, each unit")
    axes[0, 0].plot([], [], color="C3", linestyle="--", label="reset marker")
    fig.legend(loc="outside lower center", fontsize="small", ncols=3)
    axes[-1, 0].set_xlabel("time step")
    fig.suptitle("The trained LSTM's forget gate drops at the reset markers")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_heatmaps(model, x, unit_order, path):
    """``plot_gates`` of one sequence, units ordered by their drop at markers."""
    fig = plot_gates(model, x, unit_order=unit_order)
    fig.axes[0].set_yticks([0, 1], ["value", "marker"])  # the input's two features
    fig.suptitle("One test sequence inside the trained LSTM (markers at "
                 f"steps {', '.join(map(str, np.flatnonzero(x[:, 1])))})")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    config = settings()
    start = time.perf_counter()
    T = config["n_timesteps"]
    X, y = reset_task(config["n_train"], T, random_state=0)
    X_test, y_test = reset_task(config["n_test"], T, random_state=1)
    baseline = mean_squared_error(y_test, np.full_like(y_test, y.mean()))
    scores = {"predict the training mean": (baseline, 0.0, None)}
    models = {}
    for variant in ("lstm", "no_forget_gate"):
        models[variant], seconds = fit(variant, X, y, config)
        mse = mean_squared_error(y_test, models[variant].predict(X_test))
        scores[variant] = (mse, 1 - mse / baseline, seconds)
    markers = X_test[:, :, 1] == 1
    forget = models["lstm"].trace(X_test)["forget"]  # (n_test, T, hidden_size)
    summary = forget_summary(forget, markers)
    print_report(scores, summary, config)
    out = output_dir()
    plot_forget(forget, markers, out / "inside_the_gates.png")
    drop = summary["units_at_markers"] - summary["units_elsewhere"]
    plot_heatmaps(models["lstm"], X_test[0], np.argsort(drop),
                  out / "gates_heatmap.png")
    print(f"\nSaved {out / 'inside_the_gates.png'} and {out / 'gates_heatmap.png'}; "
          f"{time.perf_counter() - start:.0f} s in all.")
    if config is QUICK:
        print("(Quick mode: sizes far too small to learn; the figures mean nothing.)")


if __name__ == "__main__":
    main()
