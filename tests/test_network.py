"""Whole-network finite-difference gradient check (float64).

Stacked, bidirectional, every pooling (attention included), every loss, sample weights
and the L2 term, through :func:`sklstm._training.loss_and_grads`, the function training
uses; depth-gated and grid stacks pass cells up and their gradients down between
layers, and a tied grid's shared arrays get the sum of their layers' gradients.
"""

import numpy as np
import pytest

from sklstm._losses import LOSS_FUNCTIONS, l2_penalty
from sklstm._network import RecurrentNetwork
from sklstm._training import LoopSettings, loss_and_grads

# targets for each loss: (loss name, n_outputs, Y maker)
LOSSES = {
    "log_loss": (3, lambda rng, n: np.eye(3)[rng.randint(0, 3, n)]),
    "binary_log_loss": (2, lambda rng, n: rng.randint(0, 2, (n, 2)).astype(float)),
    "squared_error": (2, lambda rng, n: rng.normal(size=(n, 2))),
}


def _problem(variant, pooling, loss, seed=0, options=None, num_layers=2):
    rng = np.random.RandomState(seed)
    n_outputs, make_y = LOSSES[loss]
    network = RecurrentNetwork.build(
        variant, 2, 3, n_outputs, num_layers=num_layers, bidirectional=True,
        pooling=pooling, dropout=0.0, options={"n_modules": 2, "leak_rate": 0.5, **(options or {})},
        random_state=rng, dtype="float64")
    for p in network.params:  # move off the initial values (zero peepholes etc.)
        p += rng.normal(scale=0.3, size=p.shape)
    lengths = np.array([6, 3, 1, 5, 2])
    X = rng.normal(size=(5, 6, 2))
    X[np.arange(6) >= lengths[:, None]] = 0.0  # right padding
    Y = make_y(rng, 5)
    sample_weight = rng.uniform(0.5, 2.0, 5)
    settings = LoopSettings(loss=loss, max_iter=1, batch_size=5, alpha=0.3)
    return network, X, lengths, Y, sample_weight, settings


def _worst_relative_error(network, X, lengths, Y, sample_weight, settings, h=1e-3):
    """Largest |numeric - analytic| / max(|numeric|, |analytic|, 1e-5) over entries.

    Fourth-order central differences (truncation error O(h^4), rounding about
    1e-16 * loss / h, both far below 1e-8 here); the 1e-5 floor keeps entries
    whose gradient is nearly zero from reading rounding as relative error.
    """
    def objective():  # forward only: the same loss and penalty, no backward
        raw, _ = network.forward(X, lengths, training=False)
        loss, _ = LOSS_FUNCTIONS[settings.loss](Y, raw, sample_weight)
        weights = [p for p, f in zip(network.params, network.penalized) if f]
        return loss + l2_penalty(weights, settings.alpha, sample_weight.sum())[0]

    def shifted(param, idx, step):
        old = param[idx]
        param[idx] = old + step
        value = objective()
        param[idx] = old
        return value

    _, grads = loss_and_grads(network, X, lengths, Y, sample_weight, settings,
                              training=False)
    worst = 0.0
    for param, grad in zip(network.params, grads):
        for idx in np.ndindex(param.shape):
            f = [shifted(param, idx, k * h) for k in (-2, -1, 1, 2)]
            numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
            scale = max(abs(numeric), abs(grad[idx]), 1e-5)
            worst = max(worst, abs(numeric - grad[idx]) / scale)
    return worst


def _directional_error(network, X, lengths, Y, sample_weight, settings, h=1e-3,
                       n_directions=4, seed=1):
    """Largest relative error of the derivative along random unit directions of all
    the parameters at once, ``sum(grad * v)``, against fourth-order differences: any
    wrong entry shows in a random direction, at 4 forwards a direction (the grid's
    stacks have too many entries to difference one by one in the CI's time)."""
    def objective():
        raw, _ = network.forward(X, lengths, training=False)
        loss, _ = LOSS_FUNCTIONS[settings.loss](Y, raw, sample_weight)
        weights = [p for p, f in zip(network.params, network.penalized) if f]
        return loss + l2_penalty(weights, settings.alpha, sample_weight.sum())[0]

    _, grads = loss_and_grads(network, X, lengths, Y, sample_weight, settings,
                              training=False)
    rng, start = np.random.RandomState(seed), network.get_weights()
    worst = 0.0
    for _ in range(n_directions):
        directions = [rng.normal(size=p.shape) for p in network.params]
        norm = np.sqrt(sum(np.sum(v**2) for v in directions))
        f = []
        for k in (-2, -1, 1, 2):
            network.set_weights([w + k * h * v / norm for w, v in zip(start, directions)])
            f.append(objective())
        network.set_weights(start)
        numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h)
        analytic = sum(np.sum(g * v) for g, v in zip(grads, directions)) / norm
        worst = max(worst, abs(numeric - analytic) / max(abs(numeric), 1e-5))
    return worst


# every variant family and every pooling, each at least once, paired to keep it fast
@pytest.mark.parametrize("variant, pooling", [
    ("lstm", "last"), ("lstm", "mean"), ("lstm", "attention"), ("gru", "last"),
    ("gru", "attention"), ("peephole", "mean"), ("depth_gated", "last"),
    ("depth_gated", "attention"), ("clockwork", "mean"), ("esn", "attention"),
])
def test_whole_network_gradient(variant, pooling):
    problem = _problem(variant, pooling, "log_loss")
    assert _worst_relative_error(*problem) < 1e-6


@pytest.mark.parametrize("tied_weights, depth_priority, pooling",
                         [(False, True, "mean"), (True, True, "last"), (True, False, "attention")])
def test_grid_network_gradient(tied_weights, depth_priority, pooling):
    """Three grid layers; tied: U and b shared by all, W by the two above the bottom,
    each listed once with the sum of its layers' gradients."""
    problem = _problem("grid", pooling, "log_loss", num_layers=3, options={
        "tied_weights": tied_weights, "depth_priority": depth_priority})
    n_head = len(problem[0].head)
    assert len(problem[0].params) == n_head + (2 * 4 if tied_weights else 2 * 9)
    assert _directional_error(*problem) < 1e-7


@pytest.mark.parametrize("loss", ["binary_log_loss", "squared_error"])
@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_whole_network_gradient_each_loss(loss, pooling):
    problem = _problem("lstm", pooling, loss)
    assert _worst_relative_error(*problem) < 1e-6


def test_gradient_order_matches_params():
    network, X, lengths, Y, sw, settings = _problem("lstm", "last", "log_loss")
    _, grads = loss_and_grads(network, X, lengths, Y, sw, settings, training=False)
    assert [g.shape for g in grads] == [p.shape for p in network.params]
    assert network.penalized[-1] is False  # the head bias is not penalised
