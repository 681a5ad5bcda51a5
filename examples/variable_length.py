"""Classifying sequences whose lengths really differ: gesture-like sensor traces.

Each sample is a 3-channel trace (think of the x, y, z readings of a wrist
accelerometer, in raw sensor units with a bias on each channel) of a gesture
performed in 20 to 120 time steps. Four gestures share the same channels and
amplitudes; only their dynamics differ:

- ``circle``:  x = cos, y = sin (counter-clockwise);
- ``circle_cw``: x = cos, y = -sin (the same circle, clockwise);
- ``shake``:  x oscillates, y stays still;
- ``eight``:  a figure eight, y at twice the frequency of x.

Every trace has a random length, speed (1 to 2 cycles whatever its length), phase,
amplitude and noise, so neither the length nor the value at any given time step
gives the class away: the order of the movements does.

The sequences go to the model as they come, a ragged list of ``(T_i, 3)`` arrays,
through ``make_pipeline(SequenceScaler(), LSTMClassifier(...))``; the baseline is
the 1-nearest-neighbour classifier on the same scaled sequences zero-padded to the
longest length and flattened. The script prints the test accuracy of each.

Run with ``python examples/variable_length.py``; ``SKLSTM_EXAMPLE_QUICK=1``
shrinks it to a smoke run of a few seconds.
"""

import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklstm import LSTMClassifier
from sklstm.preprocessing import SequenceScaler

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK", "") not in ("", "0")
SEED = 0
GESTURES = ["circle", "circle_cw", "shake", "eight"]
N_SEQUENCES = 200 if QUICK else 800
MAX_ITER = 5 if QUICK else 40
MIN_LENGTH, MAX_LENGTH = 20, 120


def make_gesture(label, rng):
    """One trace (T, 3) in raw units: T random, 1-2 cycles, random phase and size."""
    length = rng.integers(MIN_LENGTH, MAX_LENGTH + 1)
    cycles = rng.uniform(1.0, 2.0)
    phase = rng.uniform(0, 2 * np.pi)
    angle = phase + 2 * np.pi * cycles * np.arange(length) / length  # (T,)
    amplitude = rng.uniform(0.5, 1.5)
    if label == "circle":
        x, y = np.cos(angle), np.sin(angle)
    elif label == "circle_cw":
        x, y = np.cos(angle), -np.sin(angle)
    elif label == "shake":
        x, y = np.sin(angle), np.zeros(length)
    else:  # eight
        x, y = np.sin(angle), np.sin(2 * angle) / 2
    z = 0.3 * np.sin(angle + rng.uniform(0, 2 * np.pi))  # the same for every class
    motion = amplitude * np.column_stack([x, y, z])  # (T, 3)
    motion += rng.normal(scale=0.15, size=motion.shape)
    bias = np.array([120.0, -40.0, 980.0])  # sensor offsets, gravity on z
    return (bias + 250.0 * motion).astype(np.float32)  # raw units, (T, 3)


def make_dataset(n, rng):
    labels = rng.choice(GESTURES, size=n)
    return [make_gesture(label, rng) for label in labels], labels


def pad_and_flatten(sequences):
    """Zero-pad ragged (T_i, F) arrays to (n, MAX_LENGTH * F): the 1-NN's input."""
    padded = np.zeros((len(sequences), MAX_LENGTH, sequences[0].shape[1]))
    for row, seq in zip(padded, sequences):
        row[: len(seq)] = seq
    return padded.reshape(len(sequences), -1)


def main():
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rng = np.random.default_rng(SEED)
    X, y = make_dataset(N_SEQUENCES, rng)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED)
    lengths = np.array([len(seq) for seq in X])
    print(f"{len(X)} gesture traces, 3 channels, {len(GESTURES)} classes; lengths "
          f"{lengths.min()}-{lengths.max()} (median {np.median(lengths):.0f}); "
          f"{len(X_train)} train, {len(X_test)} test")

    models = {
        "1-NN, zero-padded": make_pipeline(
            SequenceScaler(), FunctionTransformer(pad_and_flatten),
            KNeighborsClassifier(n_neighbors=1)),
    }
    for variant in ["lstm", "gru"]:
        models[f"{variant}, ragged"] = make_pipeline(
            SequenceScaler(),
            LSTMClassifier(variant, hidden_size=32, max_iter=MAX_ITER,
                           random_state=SEED))

    print()
    print(f"{'model':<20} {'test accuracy':>13} {'fit time':>9}")
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        print(f"{name:<20} {model.score(X_test, y_test):>13.3f} {fit_time:>8.2f}s")


if __name__ == "__main__":
    main()
