"""Whole-network finite-difference gradient check (float64).

Stacked, bidirectional, every pooling (attention included), every loss, sample weights
and the L2 term, through :func:`sklstm._training.loss_and_grads`, the function training
uses; depth-gated and grid stacks pass cells up and their gradients down between
layers, and a tied grid's shared arrays get the sum of their layers' gradients.
"""

import joblib
import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._losses import LOSS_FUNCTIONS, l2_penalty
from sklstm._network import RecurrentNetwork
from sklstm._training import LoopSettings, loss_and_grads

from tests.helpers import FAST, TINY, X_TINY, Y_TINY, make_sequences, network_gradient_error

pytestmark = pytest.mark.usefixtures("quiet_convergence")


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
    ("lstm", "max"), ("gru", "concat"),
])
def test_whole_network_gradient(variant, pooling):
    problem = _problem(variant, pooling, "log_loss")
    assert network_gradient_error(*problem) < 1e-6


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
    assert network_gradient_error(*problem) < 1e-6


def test_gradient_order_matches_params():
    network, X, lengths, Y, sw, settings = _problem("lstm", "last", "log_loss")
    _, grads = loss_and_grads(network, X, lengths, Y, sw, settings, training=False)
    assert [g.shape for g in grads] == [p.shape for p in network.params]
    assert network.penalized[-1] is False  # the head bias is not penalised


def test_dropout_applies_from_the_first_fit():
    """A first fit with dropout trains differently from one without (dropout is
    built into the first network, not only applied by a warm start)."""
    X, y = make_sequences(n=40)
    plain = LSTMClassifier(**FAST).fit(X, y)
    dropped = LSTMClassifier(**FAST, dropout=0.5).fit(X, y)
    assert plain.loss_curve_[0] != dropped.loss_curve_[0]
    assert dropped.network_.dropout == 0.5


def shared(layers):
    """{(depth, direction, name): depth of the first layer holding the same array}."""
    owners = {}
    for depth, layer_tuple in enumerate(layers):
        for direction, layer in enumerate(layer_tuple):
            for name, array in layer.params.items():
                first = next(d for d in range(depth + 1)
                             if layers[d][direction].params[name] is array)
                owners[depth, direction, name] = first
    return owners


def test_tied_weights_are_one_array_per_shared_parameter():
    """U and b: the bottom's, for the whole stack; W: the second layer's, above it
    (the bottom's W reads the data); each direction its own."""
    clf = LSTMClassifier("grid", num_layers=4, tied_weights=True, **TINY).fit(X_TINY, Y_TINY)
    owners = shared(clf.layers_)
    for (depth, _, name), owner in owners.items():
        assert owner == ({"U": 0, "b": 0, "W": min(depth, 1)}[name]), (depth, name)
    assert clf.layers_[1][0].params["U"] is not clf.layers_[1][1].params["U"]
    untied = LSTMClassifier("grid", num_layers=4, **TINY).fit(X_TINY, Y_TINY)
    assert all(depth == owner for (depth, _, _), owner in shared(untied.layers_).items())


def test_tied_weights_stay_tied_after_joblib_and_warm_start(tmp_path):
    """joblib saves every array apart; the fitted network is tied again when it is
    assembled, and training continues on one array per shared parameter."""
    clf = LSTMRegressor("grid", num_layers=3, tied_weights=True, warm_start=True,
                        linear=None, **TINY).fit(X_TINY, Y_TINY.astype(float))
    tied = shared(clf.layers_)
    joblib.dump(clf, tmp_path / "grid.joblib")
    loaded = joblib.load(tmp_path / "grid.joblib")
    np.testing.assert_array_equal(loaded.predict(X_TINY), clf.predict(X_TINY))
    assert shared(loaded.layers_) == tied
    loaded.fit(X_TINY, Y_TINY.astype(float))  # warm start: continues the tied network
    assert shared(loaded.layers_) == tied
    assert not np.array_equal(loaded.predict(X_TINY), clf.predict(X_TINY))  # it trained


X, y = X_TINY, Y_TINY


def test_attention_weights_are_a_distribution_over_the_valid_steps():
    ragged = [X[i, :2 + i % 7] for i in range(10)]
    clf = LSTMClassifier(pooling="attention", **TINY).fit(ragged, y[:10])
    weights = clf.trace(ragged)["attention"]  # (10, 8)
    for row, sequence in zip(weights, ragged):
        valid = row[:len(sequence)]
        assert np.all(valid >= 0) and np.isclose(valid.sum(), 1.0, atol=1e-5)
        assert np.isnan(row[len(sequence):]).all()
