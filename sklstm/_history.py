"""Training state: the per-epoch record, the stopping rule's counts, the best weights.

:class:`History` is the one place a fitted estimator's training state lives: the
loop (:mod:`sklstm._training`) updates it, and the estimators' ``n_iter_``,
``loss_curve_``, ``validation_scores_`` and the other training attributes read it.
"""

from dataclasses import dataclass, field

import numpy as np

#: An epoch is a spike when its training loss is above ``SPIKE_FACTOR`` times the
#: lowest so far (plus ``tol``) and has undone more than half the progress from the
#: first epoch's loss to the lowest: the weights go back to the best epoch's and the
#: learning rate is multiplied by ``SPIKE_LEARNING_RATE_FACTOR``. (The ratio alone
#: would call the noise of a loss near zero a spike.)
SPIKE_FACTOR = 2.0
SPIKE_LEARNING_RATE_FACTOR = 0.5


@dataclass
class History:
    """Per-epoch record, the stopping rule's state and the best weights.

    The stopping rule watches the validation loss when there is a validation
    set, else the training loss; ``best_weights`` are those of the epoch of the
    highest validation score, or else of the lowest training loss (the latest
    of equals), and ``fit_loop`` restores them at the end.
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    best_loss: float = np.inf  # lowest training loss
    best_validation_score: float = None  # score of the epoch of best_weights
    best_monitored: float = np.inf
    no_improvement_count: int = 0  # epochs
    no_improvement_updates: int = 0
    n_iter: int = 0
    t: int = 0
    n_rollbacks: int = 0
    call_start: int = 0  # index in loss_curve of this call's first epoch
    best_weights: list = None

    @classmethod
    def start(cls, early_stopping):
        """A fresh history; with early stopping it records validation scores."""
        if early_stopping:
            return cls(validation_scores=[], best_validation_score=-np.inf)
        return cls()

    def restart_monitoring(self, weights):
        """Start this call's search for the best weights from ``weights``."""
        self.best_monitored = np.inf
        if self.validation_scores is not None:
            self.best_validation_score = -np.inf
        self.no_improvement_count = self.no_improvement_updates = 0
        self.best_weights = weights
        self.call_start = len(self.loss_curve)

    def patience_exhausted(self, settings):
        """True when neither ``n_iter_no_change`` epochs nor
        ``min_patience_updates`` updates brought an improvement."""
        return (self.no_improvement_count > settings.n_iter_no_change
                and self.no_improvement_updates >= settings.min_patience_updates)

    def is_spike(self, loss, tol):
        """True when the epoch's training ``loss`` jumped far above the lowest
        (see :data:`SPIKE_FACTOR`); the first epoch of a call never is."""
        if not self.call_start < len(self.loss_curve):
            return False
        first = self.loss_curve[self.call_start]
        return (loss > SPIKE_FACTOR * self.best_loss + tol
                and loss - self.best_loss > 0.5 * (first - self.best_loss))

    def continue_for(self, early_stopping):
        """The history a new call continues: this one, or a fresh one keeping the
        loss curve and counts when the call records validation scores and the
        last did not (or the reverse)."""
        if (self.validation_scores is not None) == early_stopping:
            return self
        fresh = History.start(early_stopping)
        fresh.loss_curve, fresh.t, fresh.n_iter = self.loss_curve, self.t, self.n_iter
        return fresh

    @property
    def reported_best_loss(self):
        """``best_loss_``: the lowest training loss, None when validation watched."""
        return None if self.validation_scores is not None else self.best_loss
