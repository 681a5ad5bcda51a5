"""Regression on sequences: read the frequency of a noisy oscillation.

Each sample is 40 noisy readings of a sine wave with random frequency, phase and
amplitude; the target is the frequency. No single step holds the answer: the
network has to integrate the whole sequence, which is what a recurrent model is
for. The score is R^2 on held-out sequences.

Run ``python examples/regression.py``; set ``SKLSTM_EXAMPLE_QUICK=1`` for the
few-second version the test suite runs.
"""

import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklstm import LSTMRegressor

QUICK = os.environ.get("SKLSTM_EXAMPLE_QUICK") == "1"


def make_oscillations(n_samples, n_timesteps=40, noise=0.2, random_state=0):
    """Noisy sines (n_samples, n_timesteps, 1) and their frequencies (n_samples,).

    Frequency is in cycles per 10 steps, uniform in [0.5, 2.0]; amplitude uniform
    in [0.5, 1.5]; phase uniform; Gaussian noise of standard deviation ``noise``.
    """
    rng = np.random.RandomState(random_state)
    frequency = rng.uniform(0.5, 2.0, n_samples)
    amplitude = rng.uniform(0.5, 1.5, n_samples)
    phase = rng.uniform(0, 2 * np.pi, n_samples)
    t = np.arange(n_timesteps) / 10.0
    X = amplitude[:, None] * np.sin(2 * np.pi * frequency[:, None] * t + phase[:, None])
    X += noise * rng.normal(size=X.shape)
    return X[:, :, None], frequency


def main():
    X, y = make_oscillations(600 if QUICK else 3000)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25,
                                                        random_state=0)
    reg = LSTMRegressor(hidden_size=32, learning_rate_init=0.01,
                        max_iter=3 if QUICK else 40, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # a fixed budget of epochs, by design
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    r2 = reg.score(X_test, y_test)
    print(f"LSTM reading the frequency of noisy sines: {len(X_train)} training "
          f"sequences of {X.shape[1]} steps")
    print(f"test R^2: {r2:.4f}")
    print(f"fit time: {fit_time:.1f} s ({reg.n_iter_} epochs)")
    return r2, fit_time


if __name__ == "__main__":
    main()
