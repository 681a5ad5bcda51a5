"""The training loop (``sklstm._training``): best weights, spikes, the stopping rule.

Each test drives ``fit_loop`` on a small real network with scripted epoch losses
or validation results, so the rule itself is checked, not an accuracy figure.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import sklstm._training as training_module
from sklstm import LSTMClassifier, LSTMRegressor, _training
from sklstm._data import PaddedSequences
from sklstm._history import History
from sklstm._network import RecurrentNetwork
from sklstm._optimizers import AdamOptimizer
from sklstm._train_data import TrainData
from sklstm._training import LoopSettings, fit_loop

from tests.helpers import FAST, make_sequences, weights_of

pytestmark = pytest.mark.usefixtures("quiet_convergence")


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
    assert history.best_validation_score == 0.9  # the epoch of the highest score
    assert_weights_equal(network.get_weights(), after[1])


def test_the_validation_score_not_its_loss_chooses_the_kept_epoch(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0, 0.9, 0.8, 0.7])
    # the loss is lowest at epoch 1 (a confident net scores worse in log-loss),
    # the accuracy highest at epoch 3
    results = iter([(0.3, 0.5), (0.5, 0.75), (0.7, 1.0), (0.9, 0.75)])
    history = History.start(early_stopping=True)
    run(network, optimizer, train, settings(early_stopping=True, max_iter=4), history,
        validate=lambda net: next(results))
    assert history.best_validation_score == 1.0
    assert_weights_equal(network.get_weights(), after[2])


def test_of_equally_scored_epochs_the_later_is_kept(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0, 0.9, 0.8, 0.7, 0.6])
    results = iter([(0.9, 0.5), (0.6, 0.75), (0.6, 0.75), (0.6, 0.75), (0.8, 0.5)])
    history = History.start(early_stopping=True)
    run(network, optimizer, train,
        settings(early_stopping=True, max_iter=5, n_iter_no_change=1), history,
        validate=lambda net: next(results))
    # epochs 3 and 4 tie epoch 2 in score and loss: patience runs out after epoch 4
    assert history.n_iter == 4
    assert_weights_equal(network.get_weights(), after[3])


def test_a_falling_validation_loss_keeps_training_while_the_score_is_flat(monkeypatch):
    network, optimizer, train = make_problem()
    after = scripted_epochs(monkeypatch, [1.0] * 7)
    results = iter([(0.9, 0.5), (0.8, 0.75), (0.7, 0.75), (0.6, 0.75), (0.5, 0.75),
                    (0.5, 0.75), (0.5, 0.75)])
    history = History.start(early_stopping=True)
    run(network, optimizer, train,
        settings(early_stopping=True, max_iter=7, n_iter_no_change=1), history,
        validate=lambda net: next(results))
    # the loss falls until epoch 5, then two flat epochs exhaust the patience
    assert history.n_iter == 7
    assert history.best_validation_score == 0.75
    assert_weights_equal(network.get_weights(), after[6])


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


# ----------------------------------------------------------------- verbosity
def test_verbose_reports_each_epoch(capsys):
    X, y = make_sequences(n=80)
    LSTMClassifier(hidden_size=8, max_iter=3, verbose=True, early_stopping=True,
                   random_state=0).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    epochs = [line for line in lines if line.startswith("Epoch")]
    assert len(epochs) == 3
    for number, line in enumerate(epochs, start=1):
        assert line.startswith(f"Epoch {number}, loss = ")
        assert "validation score = " in line and line.endswith(" s")


def test_silent_when_not_verbose(capsys):
    X, y = make_sequences()
    LSTMClassifier(**FAST).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ------------------------------------------------------------- early stopping
def test_early_stopping_records_and_restores_best():
    X, y = make_sequences(n=120, n_classes=3)
    clf = LSTMClassifier(hidden_size=8, max_iter=40, learning_rate_init=0.05,
                         early_stopping=True, n_iter_no_change=3, random_state=0)
    clf.fit(X, y)
    assert len(clf.validation_scores_) == clf.n_iter_ <= 40
    assert clf.do_early_stopping_
    assert clf.best_validation_score_ in clf.validation_scores_  # the kept epoch's
    assert clf.best_loss_ is None


# ------------------------------------------------------------ training rules
def test_convergence_warning_when_max_iter_ends_training():
    X, y = make_sequences()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        LSTMClassifier(**FAST).fit(X, y)


def test_non_finite_loss_stops_with_finite_weights():
    X, _ = make_sequences()
    diverging = dict(FAST, solver="sgd", learning_rate_init=1e30, clip_norm=None)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        reg = LSTMRegressor(**diverging).fit(X, X[:, 0, 0])
    assert all(np.isfinite(w).all() for w in weights_of(reg))
    assert reg.n_iter_ == 1 and np.isfinite(reg.predict(X)).all()


def test_keyboard_interrupt_becomes_a_warning(monkeypatch):
    X, y = make_sequences()
    calls = {"n": 0}
    real_epoch = training_module.run_epoch

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real_epoch(*args, **kwargs)

    monkeypatch.setattr(training_module, "run_epoch", interrupted)
    with pytest.warns(UserWarning, match="interrupted"):
        clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.n_iter_ == 2 and clf.predict(X).shape == (60,)


def test_auto_patience_lasts_200_updates_on_a_small_set():
    """One minibatch an epoch: "auto" waits 200 updates, an int waits its epochs."""
    X, y = make_sequences(n=30, T=3)
    settings = dict(hidden_size=4, max_iter=500, tol=1e9, random_state=0)  # never improves
    assert LSTMClassifier(**settings).fit(X, y).n_iter_ == 201
    assert LSTMClassifier(**settings, n_iter_no_change=3).fit(X, y).n_iter_ == 5


@pytest.mark.parametrize("n, expected_epochs", [
    (30, 1000),  # one update an epoch: 1000 epochs make 1000 updates
    (130, 334),  # three updates an epoch (64, 64, 2)
    (1300, 100),  # 21 updates an epoch: 100 epochs already make more
])
def test_max_iter_auto_makes_at_least_1000_updates(n, expected_epochs):
    X, y = make_sequences(n=n, T=2, F=1)
    clf = LSTMClassifier(hidden_size=2, n_iter_no_change=np.inf, early_stopping=False,
                         bidirectional=False, random_state=0).fit(X, y)
    assert clf.n_iter_ == expected_epochs
