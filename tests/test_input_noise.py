"""Gaussian input noise in training batches (``input_noise``): where, how much, when not."""

import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor, _training
from sklstm._data import PaddedSequences
from sklstm._sequence_scaling import input_deviation
from sklstm._training import with_noise

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_with_noise_adds_the_given_deviation_per_input_at_valid_steps_only():
    rng = np.random.RandomState(0)
    X = np.zeros((400, 30, 2), dtype=np.float32)
    lengths = np.repeat([30, 10], 200)
    noisy = with_noise(X, lengths, np.array([0.5, 2.0]), rng)
    assert noisy.dtype == np.float32 and not X.any()  # a new array; X untouched
    assert not noisy[200:, 10:].any()  # the padding stays zero
    valid = noisy[:200].reshape(-1, 2)
    np.testing.assert_allclose(valid.std(axis=0), [0.5, 2.0], rtol=0.03)


def spy_noise(monkeypatch):
    """Record the (input, output, deviation) of every call of ``with_noise``."""
    calls = []
    real = _training.with_noise

    def recording(X, lengths, deviation, rng):
        noisy = real(X, lengths, deviation, rng)
        calls.append((X, noisy, deviation, lengths))
        return noisy

    monkeypatch.setattr(_training, "with_noise", recording)
    return calls


@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_the_noise_is_a_fraction_of_each_inputs_own_deviation(monkeypatch, scale):
    X, y = make_sequences(n=40, T=5)
    X = X * np.array([scale, 3 * scale])  # two features on different scales
    calls = spy_noise(monkeypatch)
    LSTMClassifier(**FAST, input_noise=0.2).fit(X, y)
    expected = 0.2 * input_deviation(PaddedSequences(X.astype(np.float32)))
    assert len(calls) == 5  # one batch of 40 an epoch, five epochs
    for _, _, deviation, _ in calls:
        np.testing.assert_allclose(deviation, expected, rtol=1e-5)
    assert expected[1] == pytest.approx(3 * expected[0], rel=0.2)


def test_only_training_batches_are_noisy(monkeypatch):
    X, y = make_sequences(n=80, T=5)
    calls = spy_noise(monkeypatch)
    clf = LSTMClassifier(**FAST, early_stopping=True).fit(X, y)
    # batches of 64 and 8 training sequences an epoch; the 8 held out are read clean
    assert sorted(len(clean) for clean, _, _, _ in calls) == [8] * 5 + [64] * 5
    before = clf.predict_proba(X)
    assert len(calls) == 2 * clf.n_iter_  # prediction adds none
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_the_noise_moves_only_valid_steps(monkeypatch):
    X = [np.random.RandomState(i).normal(size=(3 + i % 4, 2)) for i in range(30)]
    y = np.arange(30) % 2
    calls = spy_noise(monkeypatch)
    LSTMClassifier(**FAST).fit(X, y)
    for clean, noisy, _, lengths in calls:
        valid = np.arange(clean.shape[1]) < lengths[:, None]
        assert (noisy != clean)[valid].all()
        assert (noisy == clean)[~valid].all()


@pytest.mark.parametrize("make, expected_calls", [
    (lambda: LSTMClassifier(**FAST), 5),  # "auto" on sequences: 0.1
    (lambda: LSTMClassifier(**FAST, input_noise=0.0), 0),
    (lambda: LSTMClassifier(**FAST, window=4), 0),  # "auto": none for windows
    (lambda: LSTMRegressor(**FAST, linear=None), 0),  # "auto": none for a regressor
    (lambda: LSTMRegressor(**FAST, linear=None, input_noise=0.1), 5),
    (lambda: LSTMRegressor(**FAST, window=4, linear=None, input_noise=0.1), 5),
    (lambda: LSTMClassifier("esn", **FAST), 0),  # a reservoir's readout
])
def test_when_auto_adds_noise(monkeypatch, make, expected_calls):
    calls = spy_noise(monkeypatch)
    model = make()
    if model.window is None:
        X, y = make_sequences(n=40, T=5)
    else:
        X = np.random.RandomState(0).normal(size=(43, 2))
        y = (X[:, 0] > 0).astype(int)
    if isinstance(model, LSTMRegressor):
        y = y.astype(float)
    model.fit(X, y)
    assert len(calls) == expected_calls


def test_auto_is_a_tenth_of_each_inputs_deviation(monkeypatch):
    X, y = make_sequences(n=40, T=5)
    calls = spy_noise(monkeypatch)
    LSTMClassifier(**FAST).fit(X, y)
    expected = 0.1 * input_deviation(PaddedSequences(X.astype(np.float32)))
    np.testing.assert_allclose(calls[0][2], expected, rtol=1e-5)


def test_the_same_seed_gives_the_same_noisy_fit():
    X, y = make_sequences(n=40, T=5)
    first = LSTMClassifier(**FAST, input_noise=0.3).fit(X, y).predict_proba(X)
    again = LSTMClassifier(**FAST, input_noise=0.3).fit(X, y).predict_proba(X)
    clean = LSTMClassifier(**FAST, input_noise=0.0).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, clean)
