"""The training loop (``sklstm._training``): best weights, spikes, the stopping rule.

Each test drives ``fit_loop`` on a small real network with scripted epoch losses
or validation results, so the rule itself is checked, not an accuracy figure.
"""

import warnings

import numpy as np
import pytest

from sklstm import _training
from sklstm._data import PaddedSequences
from sklstm._network import RecurrentNetwork
from sklstm._optimizers import AdamOptimizer
from sklstm._history import History
from sklstm._train_data import TrainData
from sklstm._training import LoopSettings, fit_loop


def make_problem(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5, 2)).astype(np.float32)
    Y = X[:, :, :1].sum(axis=1)  # (n, 1)
    network = RecurrentNetwork.build("lstm", 2, 4, 1, random_state=rng)
    optimizer = AdamOptimizer(network.params, 0.01)
    return network, optimizer, TrainData(PaddedSequences(X), Y)


def settings(**overrides):
    base = dict(loss="squared_error", max_iter=6, batch_size=40, n_iter_no_change=50)
    return LoopSettings(**{**base, **overrides})


def scripted_epochs(monkeypatch, losses, n_updates=1):
    """Make every epoch nudge the weights and report the next scripted loss; return
    the weights after each epoch."""
    losses, after = iter(losses), []

    def epoch(network, optimizer, train, loop_settings, rng):
        for p in network.params:
            p += 0.01
        after.append(network.get_weights())
        return next(losses), n_updates

    monkeypatch.setattr(_training, "run_epoch", epoch)
    return after


def run(network, optimizer, train, loop_settings, history, validate=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        fit_loop(network, optimizer, train, loop_settings, history,
                 np.random.RandomState(0), validate=validate)


def assert_weights_equal(actual, expected):
    for a, b in zip(actual, expected):
        np.testing.assert_array_equal(a, b)


def test_best_training_epoch_weights_are_restored(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0, 0.6, 0.5, 0.55, 0.58, 0.57])
    history = History.start(early_stopping=False)
    run(network, optimizer, train, settings(), history)
    assert history.loss_curve == [1.0, 0.6, 0.5, 0.55, 0.58, 0.57]
    assert history.best_loss == 0.5
    # epoch 3's loss was summed before its update: the weights it measured are
    # those epoch 2 ended with
    assert_weights_equal(network.get_weights(), after[1])


def test_best_validation_epoch_weights_are_restored(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0, 0.9, 0.8, 0.7, 0.6, 0.5])
    results = iter([(0.9, 0.5), (0.4, 0.9), (0.6, 0.6), (0.5, 0.7), (0.45, 0.8),
                    (0.8, 0.4)])
    history = History.start(early_stopping=True)
    run(network, optimizer, train, settings(early_stopping=True), history,
        validate=lambda net: next(results))
    assert history.validation_scores == [0.5, 0.9, 0.6, 0.7, 0.8, 0.4]
    assert history.best_validation_score == 0.9  # the epoch of the lowest loss
    assert_weights_equal(network.get_weights(), after[1])


def test_a_spike_is_rolled_back_and_the_learning_rate_lowered(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0, 0.5, 3.0, 0.45], n_updates=5)
    history = History.start(early_stopping=False)
    seen = []
    real_roll_back = _training.roll_back

    def watch(history, network, optimizer):
        real_roll_back(history, network, optimizer)
        seen.append((network.get_weights(), optimizer.learning_rate))

    monkeypatch.setattr(_training, "roll_back", watch)
    run(network, optimizer, train, settings(max_iter=4), history)
    assert history.n_rollbacks == 1
    (weights, rate), = seen
    assert_weights_equal(weights, after[0])  # back to the weights epoch 2 measured
    assert rate == pytest.approx(0.01 * _training.SPIKE_LEARNING_RATE_FACTOR)
    assert history.loss_curve == [1.0, 0.5, 3.0, 0.45]  # the spike is still recorded


def test_an_ordinary_rise_is_not_a_spike(monkeypatch):
    network, optimizer, train = make_problem()
    scripted_epochs(monkeypatch, [1.0, 0.5, 0.9, 0.4])
    history = History.start(early_stopping=False)
    run(network, optimizer, train, settings(max_iter=4), history)
    assert history.n_rollbacks == 0 and optimizer.learning_rate == 0.01


@pytest.mark.parametrize("n_updates, expected_epochs", [
    (1, 201),  # one update an epoch: 200 updates of patience after the first epoch
    (100, 4),  # many updates an epoch: n_iter_no_change epochs, after the first
])
def test_the_stopping_rule_counts_updates(monkeypatch, n_updates, expected_epochs):
    network, optimizer, train = make_problem()
    scripted_epochs(monkeypatch, [1.0] * 1000, n_updates=n_updates)
    history = History.start(early_stopping=False)
    loop = settings(max_iter=1000, n_iter_no_change=2, min_patience_updates=200)
    run(network, optimizer, train, loop, history)
    # epoch 1 sets the best; stopping needs > 2 epochs and >= 200 updates without it
    assert history.n_iter == expected_epochs


def test_real_training_decreases_the_loss_without_rollbacks():
    network, optimizer, train = make_problem()
    history = History.start(early_stopping=False)
    run(network, optimizer, train, settings(max_iter=30, batch_size=8), history)
    assert history.loss_curve[-1] < 0.5 * history.loss_curve[0]
    assert history.n_rollbacks == 0
