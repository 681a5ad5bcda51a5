"""Handwritten digits read row by row: the classic sequence-classification LSTM.

Each 8x8 image of ``sklearn.datasets.load_digits`` becomes a sequence of 8 time
steps (the rows) of 8 features (the pixels of the row), scaled to [0, 1]. An
LSTM reads the rows top to bottom and classifies the digit from its last hidden
state. A quarter of the images is held out for testing.

Run ``python examples/digits_sequences.py``; set ``SKLSTM_EXAMPLE_QUICK=1`` for the
few-second version the test suite runs.
"""

import os
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklstm import LSTMClassifier

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK") == "1"


def load_sequences():
    """Digits as (n_samples, 8 rows, 8 pixels) sequences in [0, 1], and labels."""
    digits = load_digits()
    X = digits.images / 16.0  # (1797, 8, 8)
    return X, digits.target


def main():
    X, y = load_sequences()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0)
    clf = LSTMClassifier(hidden_size=64, learning_rate_init=0.01,
                         max_iter=3 if QUICK else 40, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # a fixed budget of epochs, by design: the training loss is still
        # creeping down at the end, which is what ConvergenceWarning reports
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    accuracy = clf.score(X_test, y_test)
    print(f"LSTM on digits as 8 rows of 8 pixels: {len(X_train)} training sequences")
    print(f"test accuracy: {accuracy:.4f}")
    print(f"fit time: {fit_time:.1f} s ({clf.n_iter_} epochs)")
    return accuracy, fit_time


if __name__ == "__main__":
    main()
