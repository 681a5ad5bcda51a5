"""Training state (``sklstm._history.History``): a fresh start, what a new call
continues, the spike rule, the patience rule."""

import numpy as np

from sklstm._history import SPIKE_FACTOR, History
from sklstm._training import LoopSettings


def test_start_records_validation_scores_only_with_early_stopping():
    assert History.start(False).validation_scores is None
    with_validation = History.start(True)
    assert with_validation.validation_scores == []
    assert with_validation.best_validation_score == -np.inf


def test_continue_for_the_same_kind_of_call_is_the_same_history():
    history = History.start(True)
    assert history.continue_for(True) is history
    plain = History.start(False)
    assert plain.continue_for(False) is plain


def test_continue_for_another_kind_keeps_the_curve_and_counts_only():
    history = History.start(False)
    history.loss_curve += [3.0, 2.0]
    history.t, history.n_iter, history.best_loss = 40, 2, 2.0
    continued = history.continue_for(True)
    assert continued is not history
    assert continued.loss_curve is history.loss_curve  # one curve over both calls
    assert (continued.t, continued.n_iter) == (40, 2)
    assert continued.validation_scores == [] and continued.best_loss == np.inf
    back = continued.continue_for(False)
    assert back.validation_scores is None and back.loss_curve == [3.0, 2.0]


def test_restart_monitoring_starts_this_calls_search():
    history = History.start(False)
    history.loss_curve += [1.0, 0.5]
    history.no_improvement_count, history.no_improvement_updates = 4, 90
    history.restart_monitoring(["weights"])
    assert history.call_start == 2 and history.best_weights == ["weights"]
    assert history.best_monitored == np.inf
    assert history.no_improvement_count == history.no_improvement_updates == 0


def test_restart_monitoring_forgets_the_last_calls_best_validation_score():
    history = History.start(True)
    history.best_validation_score = 0.9
    history.restart_monitoring(["weights"])
    assert history.best_validation_score == -np.inf


def test_a_spike_is_far_above_the_best_and_never_the_first_epoch_of_a_call():
    history = History.start(False)
    assert not history.is_spike(1e9, tol=0.0)  # nothing recorded in this call yet
    history.loss_curve += [10.0, 1.0]
    history.best_loss = 1.0
    assert history.is_spike(SPIKE_FACTOR * 1.0 + 5.0, tol=0.0)
    assert not history.is_spike(SPIKE_FACTOR * 1.0 - 0.1, tol=0.0)  # not far enough above
    assert not history.is_spike(5.0, tol=0.0)  # below half way back to the first loss


def test_patience_needs_both_epochs_and_updates():
    settings = LoopSettings(loss="squared_error", max_iter=10, batch_size=8,
                            n_iter_no_change=2, min_patience_updates=100)
    history = History.start(False)
    history.no_improvement_count, history.no_improvement_updates = 3, 99
    assert not history.patience_exhausted(settings)
    history.no_improvement_updates = 100
    assert history.patience_exhausted(settings)
    history.no_improvement_count = 2
    assert not history.patience_exhausted(settings)


def test_reported_best_loss_is_none_when_validation_watched():
    history = History.start(False)
    history.best_loss = 0.25
    assert history.reported_best_loss == 0.25
    assert History.start(True).reported_best_loss is None
