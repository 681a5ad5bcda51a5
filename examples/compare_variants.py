"""Every cell variant under the same budget, several seeds: a Greff et al. style study.

Greff et al. (2015), "LSTM: A Search Space Odyssey", compared the vanilla LSTM
with eight variants, each removing or adding one piece (a gate, an activation,
peepholes, coupled gates, full gate recurrence), and found that none beat the
vanilla LSTM clearly, while removing the forget gate or the output activation
hurt most. This script runs the same kind of comparison, on a laptop scale, over
every variant in ``sklstm.core.VARIANTS`` (those ablations plus the plain tanh
``rnn``, the ``gru``, the Clockwork RNN and the depth-gated LSTM), and the ``lstm``
with attention pooling instead of its last hidden state.

Task: the handwritten digits of scikit-learn, each 8x8 image read as a sequence of
16 steps of 4 pixels (half a pixel row per step, so the model has to carry the
first half of the image across 8 or more steps). Budget, the same for every
variant: one layer of 16 units (two for ``depth_gated`` and ``grid``, which connect the
cells of adjacent layers and so need a layer below), Adam at learning rate 0.005, 25 epochs,
batch 64.
Each seed sets the stratified train/test split (75/25) and the initialisation,
and is shared by all variants, so the comparison is paired.

Prints a table (mean ± std test accuracy and fit time per variant, over the
seeds) and saves a box plot to ``$SKLSTM_EXAMPLE_OUTPUT/compare_variants.png``
(default ``docs/images``; skipped without matplotlib). ``SKLSTM_EXAMPLE_QUICK=1``
shrinks it to a smoke run of a few seconds.
"""

import os
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklstm import LSTMClassifier
from sklstm.core import VARIANTS, stack_variants

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK", "") not in ("", "0")
OUTPUT = Path(os.environ.get("SKLSTM_EXAMPLE_OUTPUT",
                           Path(__file__).resolve().parents[1] / "docs" / "images"))
SEEDS = [0] if QUICK else [0, 1, 2]
N_SAMPLES = 300 if QUICK else None
BUDGET = {"hidden_size": 16, "learning_rate_init": 0.005, "batch_size": 64,
          "max_iter": 2 if QUICK else 25}
N_JOBS = 1 if QUICK else 2  # the quick run is too short to pay for worker start-up


def load_digit_sequences():
    """Digits as (n, 16, 4) sequences: half a pixel row per step, scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 16, 4) / 16.0  # (n, T=16, F=4)
    if N_SAMPLES is not None:
        X, y = X[:N_SAMPLES], y[:N_SAMPLES]
    return X, y


def layers_needed(variant):
    """The fewest layers the variant can be stacked in: 1, or 2 for ``depth_gated`` and
    ``grid``."""
    try:
        stack_variants(variant, 1)
    except ValueError:
        return 2
    return 1


def variant_config(variant):
    """(label, hyperparameters) of one variant in the smallest stack it accepts."""
    layers = layers_needed(variant)
    label = variant if layers == 1 else f"{variant} ({layers} layers)"
    return label, {"variant": variant, "num_layers": layers}


#: label -> hyperparameters of each configuration compared
CONFIGS = dict([*map(variant_config, VARIANTS),
                ("lstm, attention pooling", {"variant": "lstm", "pooling": "attention"})])


def run_one(config, seed, X, y):
    """(test accuracy, fit seconds, None) of one variant on the split of one seed,
    or (nan, nan, error message) when the variant cannot be fitted this way."""
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed)
    model = LSTMClassifier(random_state=seed, **config, **BUDGET)
    start = time.perf_counter()
    try:
        model.fit(X_train, y_train)
    except ValueError as error:  # reported in the table, not hidden
        return np.nan, np.nan, f"{type(error).__name__}: {error}"
    fit_time = time.perf_counter() - start
    return model.score(X_test, y_test), fit_time, None


def plot(accuracy, fit_time, path):
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: plot skipped "
              "(pip install 'sklstm[plot]').")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(accuracy)
    fig, (ax_acc, ax_time) = plt.subplots(
        1, 2, figsize=(11, 5), sharey=True, width_ratios=[3, 1], layout="constrained")
    ax_acc.boxplot([accuracy[v] for v in names], orientation="horizontal",
                   tick_labels=names)
    lstm = np.median(accuracy["lstm"])
    ax_acc.axvline(lstm, color="C3", lw=1, ls=":", label="median of lstm")
    ax_acc.set(xlabel="test accuracy",
               title=f"Digits as 16 steps x 4 pixels, {len(SEEDS)} seeds, "
                     f"same budget for every variant")
    ax_acc.legend(loc="lower left")
    ax_time.barh(range(1, len(names) + 1), [np.mean(fit_time[v]) for v in names],
                 color="0.6")
    ax_time.set(xlabel="mean fit time (s)")
    ax_acc.invert_yaxis()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"plot saved to {path}")


def main():
    X, y = load_digit_sequences()
    budget = ", ".join(f"{k}={v}" for k, v in BUDGET.items())
    print(f"{len(CONFIGS)} configurations x {len(SEEDS)} seeds on digits as "
          f"{X.shape[1]} steps x {X.shape[2]} pixels ({len(X)} images); {budget}")
    jobs = [(label, seed) for label in CONFIGS for seed in SEEDS]
    start = time.perf_counter()
    scores = Parallel(n_jobs=N_JOBS)(
        delayed(run_one)(CONFIGS[label], seed, X, y) for label, seed in jobs)
    print(f"{len(jobs)} fits, n_jobs={N_JOBS}: {time.perf_counter() - start:.1f} s")

    accuracy = {label: [] for label in CONFIGS}
    fit_time = {label: [] for label in CONFIGS}
    errors = {}
    for (label, _), (score, seconds, error) in zip(jobs, scores):
        accuracy[label].append(score)
        fit_time[label].append(seconds)
        if error is not None:
            errors[label] = error

    print()
    print(f"{'configuration':<26} {'test accuracy':>15} {'fit time':>14}")
    for label in CONFIGS:
        if label in errors:
            print(f"{label:<26} {'fit failed (see below)':>30}")
            continue
        acc, sec = np.array(accuracy[label]), np.array(fit_time[label])
        print(f"{label:<26} {acc.mean():>7.3f} ± {acc.std():.3f} "
              f"{sec.mean():>7.2f} ± {sec.std():.2f}s")
    print("(mean ± std over the seeds; std is the population std, ddof=0)")
    for label, error in errors.items():
        print(f"{label}: {error}")
    fitted = [label for label in CONFIGS if label not in errors]
    plot({k: accuracy[k] for k in fitted}, {k: fit_time[k] for k in fitted},
         OUTPUT / "compare_variants.png")


if __name__ == "__main__":
    main()
