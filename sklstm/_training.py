"""The training loop: minibatch steps, epochs, early stopping and history.

Plain functions over a :class:`~sklstm._network.RecurrentNetwork`, an optimizer
from :mod:`sklstm._optimizers` and datasets from :mod:`sklstm._data`; nothing
here knows about estimators. ``fit_loop`` runs epochs and records them in a
:class:`History`; each epoch is :func:`run_epoch` over length-bucketed
minibatches, each minibatch is :func:`train_step`.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._data import minibatches
from ._losses import LOSS_FUNCTIONS, l2_penalty
from ._optimizers import clip_grad_norm


class NonFiniteLossError(ArithmeticError):
    """Raised by :func:`train_step` when a batch's loss or gradient is not finite."""


@dataclass
class TrainData:
    """A dataset with its targets: ``dataset.batch(idx)`` gives (X, lengths).

    ``Y`` is (n_samples, n_outputs); ``sample_weight`` (n_samples,) or None.
    """

    dataset: object
    Y: np.ndarray
    sample_weight: np.ndarray = None


@dataclass
class LoopSettings:
    """What the loop needs from the estimator's hyperparameters."""

    loss: str
    max_iter: int
    batch_size: int
    shuffle: bool = True
    alpha: float = 0.0
    clip_norm: float = None
    tol: float = 1e-4
    n_iter_no_change: int = 10
    early_stopping: bool = False
    verbose: bool = False


@dataclass
class History:
    """Per-epoch record and the early-stopping state, carried across calls."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    best_loss: float = np.inf
    best_validation_score: float = None
    no_improvement_count: int = 0
    n_iter: int = 0
    t: int = 0
    best_weights: list = None

    @classmethod
    def start(cls, early_stopping):
        """A fresh history, set up as ``MLPClassifier`` sets its attributes."""
        if early_stopping:
            return cls(validation_scores=[], best_validation_score=-np.inf,
                       best_loss=None)
        return cls()


def loss_and_grads(network, X, lengths, Y, sample_weight, settings, *,
                   training=True, rng=None):
    """Penalised loss of one batch and its gradient, in ``network.params`` order.

    Parameters
    ----------
    network : RecurrentNetwork
    X : ndarray of shape (B, T, F)
        Right-padded batch.
    lengths : ndarray of shape (B,)
    Y : ndarray of shape (B, n_outputs)
        Encoded targets.
    sample_weight : ndarray of shape (B,) or None
    settings : LoopSettings
        ``loss`` and ``alpha`` are used.

    Returns
    -------
    loss : float
        Weighted mean loss plus ``alpha * 0.5 * ||weights||^2 / weight_sum``.
    grads : list of ndarray
    """
    raw, cache = network.forward(X, lengths, training=training, rng=rng)  # (B, k)
    loss, d_raw = LOSS_FUNCTIONS[settings.loss](Y, raw, sample_weight)
    grads = network.backward(d_raw, cache)
    weight_sum = len(Y) if sample_weight is None else float(sample_weight.sum())
    flags = network.penalized
    penalty, l2_grads = l2_penalty(
        [p for p, f in zip(network.params, flags) if f], settings.alpha, weight_sum)
    if l2_grads is not None:
        l2_iter = iter(l2_grads)
        for g, f in zip(grads, flags):
            if f:
                g += next(l2_iter)
    return loss + penalty, grads


def train_step(network, optimizer, X, lengths, Y, sample_weight, settings, rng):
    """One gradient step on one padded batch; returns the batch's penalised loss.

    Raises :class:`NonFiniteLossError`, before touching the weights, when the
    loss or the gradient norm is not finite. NumPy's overflow warnings on the
    way there are silenced: the error says the same, and the loop reports it
    once as a ``ConvergenceWarning``.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, grads = loss_and_grads(network, X, lengths, Y, sample_weight,
                                     settings, rng=rng)
        norm = clip_grad_norm(grads, settings.clip_norm)
    if not (np.isfinite(loss) and np.isfinite(norm)):
        raise NonFiniteLossError(f"loss = {loss}, gradient norm = {norm}")
    optimizer.update_params(network.params, grads)
    return loss


def run_epoch(network, optimizer, train, settings, rng):
    """One pass over ``train`` in minibatches; returns (mean loss, samples seen).

    The mean is weighted by each batch's total sample weight; batches whose
    weights are all zero are skipped (they carry no information).
    """
    batches = minibatches(train.dataset.lengths, settings.batch_size,
                          shuffle=settings.shuffle, random_state=rng)
    total_loss = total_weight = 0.0
    for idx in batches:
        sw = None if train.sample_weight is None else train.sample_weight[idx]
        weight = len(idx) if sw is None else float(sw.sum())
        if weight <= 0:
            continue
        X, lengths = train.dataset.batch(idx)  # (b, T_b, F), (b,)
        loss = train_step(network, optimizer, X, lengths, train.Y[idx], sw,
                          settings, rng)
        total_loss += loss * weight
        total_weight += weight
    return total_loss / max(total_weight, np.finfo(float).tiny), train.dataset.n_samples


def update_history(history, loss, val_score, tol, network):
    """Record one epoch and update the no-improvement count and best weights.

    As in ``MLPClassifier``: with a validation score, improvement means a score
    above the best by ``tol``, and the best weights are copied; without, a
    training loss below the best by ``tol``.
    """
    history.loss_curve.append(loss)
    if val_score is None:
        worse = loss > history.best_loss - tol
        history.best_loss = min(history.best_loss, loss)
    else:
        history.validation_scores.append(val_score)
        worse = val_score < history.best_validation_score + tol
        if val_score > history.best_validation_score:
            history.best_validation_score = val_score
            history.best_weights = network.get_weights()
    history.no_improvement_count = history.no_improvement_count + 1 if worse else 0


def report_epoch(history, elapsed):
    """The verbose line for the last recorded epoch."""
    line = f"Epoch {history.n_iter}, loss = {history.loss_curve[-1]:.8f}"
    if history.validation_scores:
        line += f", validation score = {history.validation_scores[-1]:.6f}"
    return line + f", elapsed = {elapsed:.2f} s"


def _stop_message(settings):
    what = ("Validation score did not improve" if settings.early_stopping
            else "Training loss did not improve")
    return (f"{what} more than tol={settings.tol:f} for "
            f"{settings.n_iter_no_change} consecutive epochs. Stopping.")


def _epochs(network, optimizer, train, settings, history, rng, score_fn, n_epochs):
    """Run up to ``n_epochs`` epochs; return True if the stopping rule fired."""
    start = time.perf_counter()
    for _ in range(n_epochs):
        last_finite = network.get_weights()
        try:
            loss, n_seen = run_epoch(network, optimizer, train, settings, rng)
        except NonFiniteLossError:
            network.set_weights(last_finite)
            raise
        history.n_iter += 1
        history.t += n_seen
        val_score = score_fn(network) if score_fn is not None else None
        update_history(history, loss, val_score, settings.tol, network)
        if settings.verbose:
            print(report_epoch(history, time.perf_counter() - start))
        if history.no_improvement_count > settings.n_iter_no_change:
            if settings.verbose:
                print(_stop_message(settings))
            return True
    return False


def fit_loop(network, optimizer, train, settings, history, rng, score_fn=None,
             incremental=False):
    """Train ``network`` in place and record every epoch in ``history``.

    Parameters
    ----------
    network : RecurrentNetwork
    optimizer : AdamOptimizer or SGDOptimizer
        Built over ``network.params``; its state carries over between calls.
    train : TrainData
    settings : LoopSettings
    history : History
        Updated in place.
    rng : RandomState
        Shuffling and dropout.
    score_fn : callable, default=None
        ``score_fn(network) -> float`` on the validation set (early stopping).
    incremental : bool, default=False
        One epoch, no stopping rule and no convergence warning (``partial_fit``).

    Notes
    -----
    A ``KeyboardInterrupt`` ends training with a warning; a non-finite loss
    ends it with a ``ConvergenceWarning`` and the weights of the last epoch
    whose loss was finite. With a validation set, the best weights are
    restored at the end.
    """
    n_epochs = 1 if incremental else settings.max_iter
    if score_fn is not None and history.best_weights is None:
        history.best_weights = network.get_weights()
    try:
        stopped = _epochs(network, optimizer, train, settings, history, rng,
                          score_fn, n_epochs)
        if not (stopped or incremental):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({settings.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning)
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
    except NonFiniteLossError as exc:
        warnings.warn(
            f"Training stopped at epoch {history.n_iter + 1}: non-finite loss "
            f"({exc}). The weights of the last finite epoch are kept; consider "
            "scaling the inputs or lowering learning_rate_init.",
            ConvergenceWarning)
    if history.best_weights is not None:
        network.set_weights(history.best_weights)
        history.best_weights = None
