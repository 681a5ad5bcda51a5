"""Quickstart: handwritten digits read as sequences, one grid search over cell variants.

Each 8x8 digit image becomes a sequence of 8 time steps (the pixel rows) of 8
features (the pixels of a row, scaled to [0, 1]). A quarter of the data is held
out (stratified, seeded); ``GridSearchCV`` then compares five recurrent cells under
the same budget, and the script prints, per variant, the cross-validated accuracy,
the test accuracy of the variant refitted on the whole training set, and the time
of that one fit (not of the search's per-fold fits). Beside them, a baseline that
knows nothing of sequences: the 1-nearest-neighbour classifier on the 64 flattened
pixels, with the same folds.

Run it with ``python examples/quickstart.py`` (35-60 s on 2 shared cores).
``SKLSTM_EXAMPLE_QUICK=1`` shrinks it to a smoke run of a few seconds. It needs
nothing beyond sklstm's own dependencies: no plotting here.
"""

import os
import time
import warnings

from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from sklstm import LSTMClassifier

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK", "") not in ("", "0")
VARIANTS = ["lstm", "gru", "peephole", "coupled", "rnn"]
SEED = 0

# Full run: 5-fold CV, 40 epochs. Quick run: a subset, 3 folds, 3 epochs.
N_SAMPLES = 450 if QUICK else None
CV = 3 if QUICK else 5
MAX_ITER = 3 if QUICK else 40
# Measured on 2 busy cores: the full search took 27 s with n_jobs=2, 35 s with 1.
N_JOBS = 2


def load_digit_sequences():
    """Digits as (n, 8, 8) sequences: 8 steps (rows) of 8 pixels, scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    X = X.reshape(-1, 8, 8) / 16.0  # (n, T=8, F=8)
    if N_SAMPLES is not None:
        X, y = X[:N_SAMPLES], y[:N_SAMPLES]
    return X, y


def timed_fit(model, X, y):
    """``model`` fitted on (X, y), and the seconds the fit took."""
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def nearest_neighbour_row(X_train, y_train, X_test, y_test):
    """The 1-NN baseline on flattened pixels: (CV scores, test accuracy, fit time)."""
    flat_train = X_train.reshape(len(X_train), -1)  # (n, 64)
    flat_test = X_test.reshape(len(X_test), -1)
    knn = KNeighborsClassifier(n_neighbors=1)
    cv_scores = cross_val_score(knn, flat_train, y_train, cv=CV)
    knn, fit_time = timed_fit(knn, flat_train, y_train)
    return cv_scores, knn.score(flat_test, y_test), fit_time


def main():
    # A fixed number of epochs is the budget here, so "not converged" is expected.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load_digit_sequences()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    print(f"digits as sequences: {X_train.shape[0]} train, {X_test.shape[0]} test, "
          f"{X.shape[1]} steps x {X.shape[2]} features")

    # the same budget for every variant: MAX_ITER epochs on the whole training fold
    model = LSTMClassifier(hidden_size=32, max_iter=MAX_ITER, early_stopping=False,
                           random_state=SEED)
    search = GridSearchCV(model, {"variant": VARIANTS}, cv=CV, n_jobs=N_JOBS)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    print(f"GridSearchCV: {len(VARIANTS)} variants x {CV} folds, hidden_size=32, "
          f"max_iter={MAX_ITER}, n_jobs={N_JOBS}: "
          f"{time.perf_counter() - start:.1f} s")

    results = search.cv_results_
    best = search.best_params_["variant"]
    print()
    print(f"{'model':<10} {'CV accuracy':>15} {'test accuracy':>14} {'fit time':>9}")
    for i, variant in enumerate(results["param_variant"]):
        if variant == best:  # refit by the search on the whole training set
            fitted, fit_time = search.best_estimator_, search.refit_time_
        else:
            fitted, fit_time = timed_fit(clone(model).set_params(variant=variant),
                                         X_train, y_train)
        cv_mean = results["mean_test_score"][i]
        cv_std = results["std_test_score"][i]
        print(f"{variant:<10} {cv_mean:>8.3f} ± {cv_std:.3f} "
              f"{fitted.score(X_test, y_test):>14.3f} {fit_time:>8.2f}s")
    cv_scores, knn_test, knn_time = nearest_neighbour_row(X_train, y_train,
                                                          X_test, y_test)
    print(f"{'1-NN':<10} {cv_scores.mean():>8.3f} ± {cv_scores.std():.3f} "
          f"{knn_test:>14.3f} {knn_time:>8.2f}s")
    print(f"CV accuracy: mean ± std over {CV} folds; fit time: one fit on all "
          f"{len(X_train)} training sequences (not per fold)")
    print("1-NN: a baseline that ignores the sequences, the nearest training image by "
          "its 64 pixels")
    print()
    print(f"best variant by CV: {best}; its test accuracy: "
          f"{search.score(X_test, y_test):.3f}")


if __name__ == "__main__":
    main()
