"""The training loop: minibatch steps, epochs, early stopping and history.

Plain functions over a :class:`~sklstm._network.RecurrentNetwork`, an optimizer
from :mod:`sklstm._optimizers` and datasets from :mod:`sklstm._data`; nothing
here knows about estimators. ``fit_loop`` runs epochs and records them in a
:class:`~sklstm._history.History`; each epoch is :func:`run_epoch` over length-bucketed
minibatches, each minibatch is :func:`train_step`.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._data import minibatches
from ._history import SPIKE_LEARNING_RATE_FACTOR
from ._losses import LOSS_FUNCTIONS, l2_penalty
from ._optimizers import clip_grad_norm
from ._train_data import rows


class NonFiniteLossError(ArithmeticError):
    """Raised by :func:`train_step` when a batch's loss or gradient is not finite."""


#: ``n_iter_no_change="auto"``: the stopping rule waits this many epochs and at
#: least this many optimizer updates without an improvement, however few updates
#: an epoch makes: a set of 50 sequences is one update per epoch, and ten epochs
#: of patience would stop it after ten steps.
AUTO_PATIENCE_EPOCHS = 10
AUTO_PATIENCE_UPDATES = 200
#: ``max_iter="auto"``: this many epochs, or as many as make this many updates.
AUTO_MAX_EPOCHS = 100
AUTO_MAX_UPDATES = 1000
#: ``batch_size="auto"``: this many samples a batch, or all of a smaller set.
AUTO_BATCH_SIZE = 64
#: ``input_noise="auto"`` for a classifier reading sequences: the training noise's
#: deviation, as a fraction of each input's own.
AUTO_INPUT_NOISE = 0.1


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
    min_patience_updates: int = 0
    early_stopping: bool = False
    shift_chunks: bool = False
    input_noise: np.ndarray = None  # (F,) the noise's deviation per input, or None
    verbose: bool = False

    @classmethod
    def resolve(cls, params, n_train, *, loss, early_stopping, chunked=False,
                input_noise=None):
        """The settings of the estimators' hyperparameters ``params`` (a dict by
        name), each "auto" resolved for a training set of ``n_train`` samples
        (read in chunks of more than one step if ``chunked``); ``input_noise``
        is the noise's resolved deviation per input (F,), or None."""
        batch_size = params["batch_size"]
        batch_size = min(AUTO_BATCH_SIZE if batch_size == "auto" else batch_size, n_train)
        max_iter = params["max_iter"]
        if max_iter == "auto":
            updates_per_epoch = -(-n_train // batch_size)
            max_iter = max(AUTO_MAX_EPOCHS, -(-AUTO_MAX_UPDATES // updates_per_epoch))
        patience = {"n_iter_no_change": params["n_iter_no_change"]}
        if patience["n_iter_no_change"] == "auto":
            patience = {"n_iter_no_change": AUTO_PATIENCE_EPOCHS,
                        "min_patience_updates": AUTO_PATIENCE_UPDATES}
        return cls(loss=loss, max_iter=max_iter, batch_size=int(batch_size),
                   shuffle=params["shuffle"], alpha=params["alpha"],
                   clip_norm=params["clip_norm"], tol=params["tol"],
                   early_stopping=early_stopping, verbose=bool(params["verbose"]),
                   shift_chunks=bool(params["shift_chunks"]) and chunked,
                   input_noise=input_noise, **patience)


def loss_and_grads(network, X, lengths, Y, sample_weight, settings, *,
                   training=True, rng=None, offsets=None):
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
    offsets : ndarray of shape (B, n_outputs), default=None
        Added to the network's raw output before the loss.

    Returns
    -------
    loss : float
        Weighted mean loss plus ``alpha * 0.5 * ||weights||^2 / weight_sum``.
    grads : list of ndarray
    """
    raw, cache = network.forward(X, lengths, training=training, rng=rng)  # (B, k)
    if offsets is not None:
        raw = raw + offsets
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


def train_step(network, optimizer, X, lengths, Y, sample_weight, settings, rng,
               offsets=None):
    """One gradient step on one padded batch; returns the batch's penalised loss.

    Raises :class:`NonFiniteLossError`, before touching the weights, when the
    loss or the gradient norm is not finite. NumPy's overflow warnings on the
    way there are silenced: the error says the same, and the loop reports it
    once as a ``ConvergenceWarning``.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, grads = loss_and_grads(network, X, lengths, Y, sample_weight,
                                     settings, rng=rng, offsets=offsets)
        norm = clip_grad_norm(grads, settings.clip_norm)
    if not (np.isfinite(loss) and np.isfinite(norm)):
        raise NonFiniteLossError(f"loss = {loss}, gradient norm = {norm}")
    with np.errstate(over="ignore", invalid="ignore"):  # the next loss tells
        optimizer.update_params(network.params, grads)
    return loss


def with_noise(X, lengths, deviation, rng):
    """``X`` (b, T, F) plus Gaussian noise of standard deviation ``deviation`` (F,)
    at every valid step; the padding past each length stays zero."""
    valid = (np.arange(X.shape[1]) < lengths[:, None])[:, :, None]  # (b, T, 1)
    noise = rng.standard_normal(X.shape).astype(X.dtype) * deviation.astype(X.dtype)
    return X + noise * valid


def run_epoch(network, optimizer, train, settings, rng):
    """One pass over ``train`` in minibatches.

    Returns
    -------
    loss : float
        Mean penalised loss, weighted by each batch's total sample weight;
        batches whose weights are all zero are skipped (they carry no
        information).
    n_updates : int
        Optimizer updates made.
    """
    batches = minibatches(train.dataset.lengths, settings.batch_size,
                          shuffle=settings.shuffle, random_state=rng)
    total_loss = total_weight = 0.0
    n_updates = 0
    for idx in batches:
        sw = None if train.sample_weight is None else train.sample_weight[idx]
        weight = len(idx) if sw is None else float(sw.sum())
        if weight <= 0:
            continue
        # (b, T_b, F), (b,); chunks shifted by random steps if the settings say so
        X, lengths = (train.dataset.batch(idx, rng=rng) if settings.shift_chunks
                      else train.dataset.batch(idx))
        if settings.input_noise is not None:
            X = with_noise(X, lengths, settings.input_noise, rng)
        loss = train_step(network, optimizer, X, lengths, train.Y[idx], sw,
                          settings, rng, offsets=rows(train.offsets, idx))
        total_loss += loss * weight
        total_weight += weight
        n_updates += 1
    return total_loss / max(total_weight, np.finfo(float).tiny), n_updates


def update_history(history, loss, validation, n_updates, tol, weights):
    """Record one epoch; update the stopping rule's counts and the best weights.

    Parameters
    ----------
    history : History
    loss : float
        The epoch's training loss.
    validation : tuple of (float, float) or None
        Validation (loss, score), or None without a validation set.
    n_updates : int
        Optimizer updates the epoch made.
    tol : float
        Smallest decrease of the watched loss that counts as an improvement.
    weights : list of ndarray
        The weights the epoch was judged on, kept when it is at least as good
        as the best so far (a tie goes to the later, longer trained epoch):
        the epoch's last for a validation score, its first for the training
        loss (accumulated batch by batch before each update, so that a last
        update that wrecked the weights is never kept).

    Notes
    -----
    The patience counts on the validation loss (or the training loss), which
    tells while the network still learns; with a validation set the kept
    weights are those of the highest validation *score* (accuracy, R^2), as
    in scikit-learn's ``MLPClassifier``. On a few dozen held-out sequences
    the log-loss is lowest as soon as the network grows confident, long
    before the accuracy is highest, and its epoch is an undertrained network.
    """
    history.loss_curve.append(loss)
    history.best_loss = min(history.best_loss, loss)
    monitored = loss if validation is None else validation[0]
    if monitored < history.best_monitored - tol:
        history.no_improvement_count = history.no_improvement_updates = 0
    else:
        history.no_improvement_count += 1
        history.no_improvement_updates += n_updates
    if validation is None:
        keep = monitored <= history.best_monitored
    else:
        score = validation[1]
        history.validation_scores.append(score)
        keep = score >= history.best_validation_score
        if keep:
            history.best_validation_score = score
    history.best_monitored = min(history.best_monitored, monitored)
    if keep:
        history.best_weights = weights


def roll_back(history, network, optimizer):
    """Undo a spike: the best epoch's weights, a lower learning rate."""
    network.set_weights(history.best_weights)
    optimizer.learning_rate *= SPIKE_LEARNING_RATE_FACTOR
    history.n_rollbacks += 1


def report_epoch(history, elapsed):
    """The verbose line for the last recorded epoch."""
    line = f"Epoch {history.n_iter}, loss = {history.loss_curve[-1]:.8f}"
    if history.validation_scores:
        line += f", validation score = {history.validation_scores[-1]:.6f}"
    return line + f", elapsed = {elapsed:.2f} s"


def _stop_message(settings):
    what = ("Validation loss did not improve" if settings.early_stopping
            else "Training loss did not improve")
    return (f"{what} more than tol={settings.tol:f} for "
            f"{settings.n_iter_no_change} consecutive epochs and "
            f"{settings.min_patience_updates} updates. Stopping.")


def _validated(validate, network):
    """``validate(network)``; a :class:`NonFiniteLossError` when the epoch's last
    update left weights whose validation loss is not finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss, score = validate(network)
    if not np.isfinite(loss):
        raise NonFiniteLossError(f"validation loss = {loss}")
    return loss, score


def _epochs(network, optimizer, train, settings, history, rng, validate, incremental):
    """Run up to ``max_iter`` epochs (one if ``incremental``); return True if the
    stopping rule fired."""
    start = time.perf_counter()
    for _ in range(1 if incremental else settings.max_iter):
        start_weights = network.get_weights()
        try:
            loss, n_updates = run_epoch(network, optimizer, train, settings, rng)
            validation = None if validate is None else _validated(validate, network)
        except NonFiniteLossError:
            network.set_weights(start_weights)
            raise
        history.n_iter += 1
        history.t += train.dataset.n_samples
        spike = not incremental and history.is_spike(loss, settings.tol)
        measured = start_weights if validate is None else network.get_weights()
        update_history(history, loss, validation, n_updates, settings.tol, measured)
        if settings.verbose:
            print(report_epoch(history, time.perf_counter() - start))
        if spike:
            roll_back(history, network, optimizer)
            if settings.verbose:
                print(f"Loss spike: back to the best epoch's weights, learning rate "
                      f"lowered to {optimizer.learning_rate:g}.")
        if not incremental and history.patience_exhausted(settings):
            if settings.verbose:
                print(_stop_message(settings))
            return True
    return False


def fit_loop(network, optimizer, train, settings, history, rng, validate=None,
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
    validate : callable, default=None
        ``validate(network) -> (loss, score)`` on the validation set (early
        stopping): a :class:`~sklstm._train_data.Validation`.
    incremental : bool, default=False
        One epoch with no stopping rule, no spike check, no restoring of best
        weights and no convergence warning (``partial_fit``).

    Notes
    -----
    The stopping rule watches the validation loss, or without a validation
    set the training loss, and stops when it has not decreased by ``tol`` for
    ``n_iter_no_change`` epochs and ``min_patience_updates`` updates. An
    epoch whose training loss is a spike (:meth:`History.is_spike`) is undone:
    the best weights come back and the learning rate is lowered. At the end
    the weights of the best epoch (:func:`update_history`) are restored, also
    when a ``KeyboardInterrupt`` ends training (with a warning) or a
    non-finite loss does (with a ``ConvergenceWarning``); ``partial_fit``
    keeps the weights it started from when its epoch is not finite.
    """
    if not incremental:
        history.restart_monitoring(network.get_weights())
    try:
        stopped = _epochs(network, optimizer, train, settings, history, rng,
                          validate, incremental)
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
            f"({exc}). The weights of the best finite epoch are kept; consider "
            "scaling the inputs or lowering learning_rate_init.",
            ConvergenceWarning)
    if history.best_weights is not None and not incremental:
        network.set_weights(history.best_weights)
    history.best_weights = None
