"""Output activations and losses (``sklstm._losses``): values against their
definitions, gradients against central differences, the weights' normalisation."""

import numpy as np
import pytest
from scipy.special import expit, softmax

from sklstm._losses import (
    LOSS_FOR_ACTIVATION,
    LOSS_FUNCTIONS,
    OUT_ACTIVATIONS,
    l2_penalty,
)

N, K = 5, 3


def targets(loss, rng):
    """Targets each loss takes: real values, {0, 1} per output, one-hot rows."""
    if loss == "squared_error":
        return rng.standard_normal((N, K))
    if loss == "binary_log_loss":
        return (rng.random((N, K)) > 0.5).astype(float)
    return np.eye(K)[rng.integers(0, K, N)]


def central_differences(f, raw, step=1e-6):
    grad = np.zeros_like(raw)
    for index in np.ndindex(raw.shape):
        plus, minus = raw.copy(), raw.copy()
        plus[index] += step
        minus[index] -= step
        grad[index] = (f(plus) - f(minus)) / (2 * step)
    return grad


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("loss", sorted(LOSS_FUNCTIONS))
def test_gradient_matches_central_differences(loss, weighted):
    rng = np.random.default_rng(0)
    y, raw = targets(loss, rng), 2 * rng.standard_normal((N, K))
    weight = rng.random(N) + 0.1 if weighted else None
    function = LOSS_FUNCTIONS[loss]
    _, d_raw = function(y, raw, weight)
    numeric = central_differences(lambda r: function(y, r, weight)[0], raw)
    np.testing.assert_allclose(d_raw, numeric, rtol=1e-6, atol=1e-9)


def test_values_are_the_weighted_means_of_their_definitions():
    rng = np.random.default_rng(1)
    raw, w = rng.standard_normal((N, K)), rng.random(N) + 0.1
    share = (w / w.sum())[:, None]
    y = targets("squared_error", rng)
    loss, _ = LOSS_FUNCTIONS["squared_error"](y, raw, w)
    assert loss == pytest.approx(np.sum(share * 0.5 * (raw - y) ** 2))
    y = targets("binary_log_loss", rng)
    p = expit(raw)
    loss, _ = LOSS_FUNCTIONS["binary_log_loss"](y, raw, w)
    assert loss == pytest.approx(-np.sum(share * (y * np.log(p) + (1 - y) * np.log(1 - p))))
    y = targets("log_loss", rng)
    loss, _ = LOSS_FUNCTIONS["log_loss"](y, raw, w)
    assert loss == pytest.approx(-np.sum(share * y * np.log(softmax(raw, axis=1))))


@pytest.mark.parametrize("loss", sorted(LOSS_FUNCTIONS))
def test_integer_weights_equal_repeated_samples(loss):
    rng = np.random.default_rng(2)
    y, raw = targets(loss, rng), rng.standard_normal((N, K))
    counts = np.array([1, 0, 3, 2, 1])
    weighted = LOSS_FUNCTIONS[loss](y, raw, counts)[0]
    repeated = LOSS_FUNCTIONS[loss](np.repeat(y, counts, 0), np.repeat(raw, counts, 0))[0]
    assert weighted == pytest.approx(repeated, rel=1e-12)


def test_log_losses_do_not_overflow_on_large_raw_outputs():
    raw = np.array([[800.0, -800.0, 0.0]])
    y = np.array([[0.0, 1.0, 0.0]])
    for loss in ("binary_log_loss", "log_loss"):
        value, grad = LOSS_FUNCTIONS[loss](y, raw)
        assert np.isfinite(value) and np.isfinite(grad).all() and value > 700


def test_activations_and_their_losses():
    raw = np.array([[0.0, np.log(3.0)]])
    np.testing.assert_array_equal(OUT_ACTIVATIONS["identity"](raw), raw)
    np.testing.assert_allclose(OUT_ACTIVATIONS["logistic"](raw), [[0.5, 0.75]])
    np.testing.assert_allclose(OUT_ACTIVATIONS["softmax"](raw), [[0.25, 0.75]])
    assert set(LOSS_FOR_ACTIVATION) == set(OUT_ACTIVATIONS)
    assert set(LOSS_FOR_ACTIVATION.values()) == set(LOSS_FUNCTIONS)


def test_l2_penalty_and_its_gradient():
    weights = [np.array([1.0, 2.0]), np.array([[3.0]])]
    penalty, grads = l2_penalty(weights, alpha=0.5, weight_sum=4.0)
    assert penalty == pytest.approx(0.5 * 0.5 * 14 / 4)
    for w, g in zip(weights, grads):
        np.testing.assert_allclose(g, 0.5 * w / 4)
    assert l2_penalty(weights, 0.0, 4.0)[1] is None
