"""Output activations and losses: dicts of pure functions.

Every loss takes the raw network output (before the output activation) so that
its gradient can be written in the numerically stable combined form (for
softmax + cross-entropy, logistic + binary cross-entropy, identity + squared
error, the gradient with respect to the raw output is ``(activation - y)``),
as in ``sklearn.neural_network._base``.

Each loss returns ``(loss, d_raw)`` where ``loss`` is the sample-weighted mean
over samples and ``d_raw`` (n_samples, n_outputs) is its gradient with respect to
``raw``. The L2 penalty is added separately by :func:`l2_penalty`.
"""

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax


def identity(raw):
    """Identity output activation: ``raw`` itself, (n_samples, n_outputs)."""
    return raw


def logistic(raw):
    """Logistic output activation, elementwise, (n_samples, n_outputs)."""
    return expit(raw)


def softmax_rows(raw):
    """Softmax over the last axis, (n_samples, n_classes)."""
    return softmax(raw, axis=1)


OUT_ACTIVATIONS = {"identity": identity, "logistic": logistic, "softmax": softmax_rows}


def _weights(sample_weight, n_samples, dtype):
    """Per-sample weights normalised to sum to one, shape (n_samples, 1)."""
    if sample_weight is None:
        return np.full((n_samples, 1), 1.0 / n_samples, dtype=dtype)
    w = np.asarray(sample_weight, dtype=dtype).reshape(-1, 1)
    return w / w.sum()


def squared_error(y, raw, sample_weight=None):
    """Half squared error, summed over outputs, weighted mean over samples.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
        Targets.
    raw : ndarray of shape (n_samples, n_outputs)
        Raw network output (the identity activation is applied).
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights; None weighs every sample equally.

    Returns
    -------
    loss : float
    d_raw : ndarray of shape (n_samples, n_outputs)
    """
    w = _weights(sample_weight, raw.shape[0], raw.dtype)
    diff = raw - y  # (n, k)
    loss = 0.5 * float(np.sum(w * diff * diff))
    return loss, w * diff


def binary_log_loss(y, raw, sample_weight=None):
    """Logistic cross-entropy of each output (binary and multilabel targets).

    Summed over outputs, weighted mean over samples; computed from ``raw``
    with ``log_expit`` so it never overflows. Parameters and returns as in
    :func:`squared_error`, with ``y`` in {0, 1}.
    """
    w = _weights(sample_weight, raw.shape[0], raw.dtype)
    # -[y log s(z) + (1 - y) log s(-z)]
    nll = -(y * log_expit(raw) + (1 - y) * log_expit(-raw))
    loss = float(np.sum(w * nll))
    return loss, w * (expit(raw) - y)


def log_loss(y, raw, sample_weight=None):
    """Multiclass cross-entropy of the softmax of ``raw``.

    Weighted mean over samples. Parameters and returns as in
    :func:`squared_error`, with ``y`` one-hot (n_samples, n_classes).
    """
    w = _weights(sample_weight, raw.shape[0], raw.dtype)
    log_p = log_softmax(raw, axis=1)  # (n, k)
    loss = -float(np.sum(w * y * log_p))
    return loss, w * (np.exp(log_p) - y)


LOSS_FUNCTIONS = {
    "squared_error": squared_error,
    "binary_log_loss": binary_log_loss,
    "log_loss": log_loss,
}

# The loss that goes with each output activation (canonical link).
LOSS_FOR_ACTIVATION = {
    "identity": "squared_error",
    "logistic": "binary_log_loss",
    "softmax": "log_loss",
}


def l2_penalty(weights, alpha, weight_sum):
    """L2 term ``alpha * 0.5 * sum ||W||^2 / weight_sum`` and its gradients.

    Parameters
    ----------
    weights : list of ndarray
        The penalised arrays (weight matrices, never biases).
    alpha : float
        Regularisation strength.
    weight_sum : float
        Number of samples (or total sample weight) in the batch, as in
        ``MLPClassifier``.

    Returns
    -------
    penalty : float
    grads : list of ndarray or None
        ``alpha * W / weight_sum`` for each array; None when ``alpha == 0``.
    """
    if alpha == 0:
        return 0.0, None
    scale = alpha / weight_sum
    penalty = 0.5 * scale * sum(float(np.dot(w.ravel(), w.ravel())) for w in weights)
    return penalty, [scale * w for w in weights]
