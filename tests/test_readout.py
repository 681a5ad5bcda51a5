"""The echo state network's training (``sklstm._readout``), at the estimator level.

The reservoir's equations, its exact backward (X and every array, both directions,
masked) and its thread blocks run in the suites driven by ``reference_cells``
(``tests/core/``), how it is drawn in ``tests/core/test_esn.py``; here: that training
never touches it, the
closed-form readout against a ridge computed independently from states computed
independently, the readout's gradients, partial_fit / warm_start, and the ways in
(input formats, windows, stacks, trace, grid search).
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV

from sklstm import LSTMClassifier, LSTMRegressor, to_sequences, variant_grid
from sklstm._network import RecurrentNetwork
from sklstm._readout import readout_network, reservoir_states
from sklstm._training import LoopSettings, loss_and_grads
from sklstm.core import variant_options

from tests.helpers import network_gradient_error
from tests.reference_cells import ragged_mask, reference_layer

pytestmark = pytest.mark.usefixtures("quiet_convergence")

rng = np.random.RandomState(0)
X = rng.normal(size=(60, 8, 2))
Y = np.c_[X[:, :, 0].sum(axis=1), np.tanh(X[:, -3:, 1]).sum(axis=1)]  # (60, 2)
LABELS = np.array(["a", "b", "c"])[np.digitize(Y[:, 0], [-1, 1])]
WEIGHTS = rng.uniform(0.5, 2.0, size=60)
FAST = {"hidden_size": 6, "random_state": 0}


def reservoir(estimator):
    """Copies of every reservoir array of a fitted estimator."""
    return [value.copy() for layers in estimator.layers_ for layer in layers
            for value in layer.params.values()]


def assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


# ----------------------------------------------------- training never touches it
@pytest.mark.parametrize("estimator, y", [
    (LSTMRegressor("esn", **FAST), Y),
    (LSTMRegressor("esn", pooling="attention", max_iter=3, linear=None, **FAST), Y),
    (LSTMClassifier("esn", max_iter=3, num_layers=2, dropout=0.3, **FAST), LABELS),
], ids=["ridge", "attention-loop", "classifier-stacked"])
def test_training_never_changes_the_reservoir(estimator, y):
    drawn = RecurrentNetwork.build(  # what random_state=0 draws, untrained
        "esn", 2, 6, 2 if y.ndim == 2 else 3, num_layers=estimator.num_layers,
        bidirectional=True, pooling=estimator.pooling,
        options=variant_options("esn"), random_state=np.random.RandomState(0))
    estimator.fit(X, y)
    head = {key: value.copy() for key, value in estimator.head_.items()}
    assert_same(reservoir(estimator), [p for layers in drawn.layers for layer in layers
                                       for p in layer.params.values()])
    before = reservoir(estimator)
    estimator.partial_fit(X[:20], y[:20], **({"classes": ["a", "b", "c"]}
                                              if y.ndim == 1 else {}))
    estimator.set_params(warm_start=True).fit(X[20:], y[20:])
    assert_same(reservoir(estimator), before)
    assert any(not np.array_equal(head[key], estimator.head_[key]) for key in head)


# ------------------------------------------------------ the closed-form readout
def independent_states(estimator, X, mask, pooling):
    """Pooled states from the step-by-step transcription of the fitted reservoirs."""
    forward, backward = estimator.layers_[0]
    out_f, *_ = reference_layer("esn", X, forward.params, mask, reverse=False,
                                options=forward.options)
    out_b, *_ = reference_layer("esn", X, backward.params, mask, reverse=True,
                                options=backward.options)
    lengths = mask.sum(axis=1)
    both = np.concatenate([out_f, out_b], axis=2)  # (n, T, D*H)
    pooled = {
        "last": np.c_[out_f[np.arange(len(X)), lengths - 1], out_b[:, 0]],
        "mean": (both * mask[:, :, None]).sum(axis=1) / lengths[:, None],
        "max": np.where(mask[:, :, None], both, -np.inf).max(axis=1),
    }
    pooled["concat"] = np.c_[pooled["last"], pooled["mean"], pooled["max"]]
    return pooled[pooling]


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "concat"])
def test_closed_form_readout_is_the_ridge_of_independently_collected_states(pooling):
    lengths = 3 + np.arange(60) % 6
    ragged = [X[i, :length] for i, length in enumerate(lengths)]
    reg = LSTMRegressor("esn", pooling=pooling, alpha=0.3, leak_rate=0.7, linear=None,
                        dtype="float64", **FAST).fit(ragged, Y, sample_weight=WEIGHTS)
    padded = X * ragged_mask(lengths, 8)[:, :, None]
    states = independent_states(reg, padded, ragged_mask(lengths, 8), pooling)  # (60, 12k)
    # the weighted ridge with an unpenalised intercept, by the normal equations
    design = np.c_[states, np.ones(60)]
    penalty = np.diag([0.3] * states.shape[1] + [0.0])
    solution = np.linalg.solve(design.T @ (WEIGHTS[:, None] * design) + penalty,
                               design.T @ (WEIGHTS[:, None] * Y))
    np.testing.assert_allclose(reg.head_["head_W"] * reg._y_scale, solution[:-1],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(reg.predict(ragged), design @ solution, rtol=1e-9, atol=1e-12)
    sklearn_ridge = Ridge(alpha=0.3).fit(states, Y, sample_weight=WEIGHTS)
    np.testing.assert_allclose(reg.predict(ragged), sklearn_ridge.predict(states),
                               rtol=1e-9, atol=1e-12)


def test_closed_form_minimises_the_loss_the_loop_would_descend():
    """At the solution the head's gradient of the training loss (squared error plus
    alpha's L2 term, on standardised targets) is zero, and loss_curve_ is that loss."""
    reg = LSTMRegressor("esn", alpha=0.3, linear=None, dtype="float64", **FAST)
    reg.fit(X, Y, sample_weight=WEIGHTS)
    target = (Y - reg._y_mean) / reg._y_scale
    settings = LoopSettings(loss="squared_error", max_iter=1, batch_size=60, alpha=0.3)
    loss, grads = loss_and_grads(reg.network_, X, np.full(60, 8), target, WEIGHTS,
                                 settings, training=False)
    assert np.abs(grads[-2]).max() < 1e-12 and np.abs(grads[-1]).max() < 1e-12
    penalty_on_reservoir = 0.5 * 0.3 / WEIGHTS.sum() * sum(
        float(np.sum(p**2)) for layers in reg.layers_ for layer in layers
        for key, p in layer.params.items() if key != "b")
    assert reg.loss_curve_ == [pytest.approx(loss - penalty_on_reservoir, rel=1e-10)]
    assert (reg.n_iter_, reg.t_, reg.do_early_stopping_) == (1, 60, False)


def test_partial_fit_over_chunks_equals_fit_on_all():
    whole = LSTMRegressor("esn", linear=None, dtype="float64", **FAST)
    whole.fit(X, Y, sample_weight=WEIGHTS)
    chunks = LSTMRegressor("esn", linear=None, dtype="float64", **FAST)
    for start in range(0, 60, 25):
        part = slice(start, start + 25)
        chunks.partial_fit(X[part], Y[part], sample_weight=WEIGHTS[part])
    np.testing.assert_allclose(chunks.predict(X), whole.predict(X), rtol=1e-10, atol=1e-12)
    assert chunks.n_iter_ == 3 and len(chunks.loss_curve_) == 3 and chunks.t_ == 60
    # (loss_curve_ is in units of each model's standardised targets: the first chunk's
    # mean and scale, or all of y's, so the two losses differ by that scale)
    # the statistics travel with the model: continuing a loaded one is the same
    loaded = pickle.loads(pickle.dumps(chunks))
    chunks.partial_fit(X[:10], Y[:10])
    np.testing.assert_array_equal(loaded.partial_fit(X[:10], Y[:10]).predict(X),
                                  chunks.predict(X))


def test_warm_start_keeps_the_reservoir_and_solves_on_the_new_data():
    first = LSTMRegressor("esn", linear=None, dtype="float64", warm_start=True, **FAST)
    first.fit(X[:30], Y[:30]).fit(X[30:], Y[30:])
    fresh = LSTMRegressor("esn", linear=None, dtype="float64", **FAST).fit(X[30:], Y[30:])
    np.testing.assert_allclose(first.predict(X), fresh.predict(X), rtol=1e-10, atol=1e-12)
    assert first.n_iter_ == 1 and len(first.loss_curve_) == 2


def test_options_are_architecture():
    reg = LSTMRegressor("esn", spectral_radius=0.8, leak_rate=0.5, input_scaling=0.2,
                        density=0.5, **FAST).fit(X, Y)
    assert reg.layers_[0][0].options == {"spectral_radius": 0.8, "leak_rate": 0.5,
                                         "input_scaling": 0.2, "density": 0.5}
    with pytest.raises(ValueError, match=r"leak_rate=0\.9.*built with leak_rate=0\.5"):
        reg.set_params(leak_rate=0.9).partial_fit(X, Y)


# ---------------------------------------------------- the readout's gradients
@pytest.mark.parametrize("pooling, loss", [
    ("last", "log_loss"), ("mean", "binary_log_loss"), ("concat", "log_loss"),
    ("attention", "log_loss"), ("attention", "squared_error")])
def test_readout_gradients_match_finite_differences(pooling, loss):
    """The network the loop trains for an ESN: the head (and attention) over the kept
    states of a bidirectional two-layer reservoir, ragged."""
    local = np.random.RandomState(3)
    n_outputs = 2 if loss == "binary_log_loss" else 3
    network = RecurrentNetwork.build("esn", 2, 3, n_outputs, num_layers=2,
                                     bidirectional=True, pooling=pooling,
                                     random_state=local, dtype="float64")
    lengths = np.array([6, 3, 1, 5, 2])
    data = X[:5, :6] * ragged_mask(lengths, 6)[:, :, None]
    states = reservoir_states(network, _Padded(data, lengths))
    readout = readout_network(network)
    for p in readout.params:
        p += local.normal(scale=0.3, size=p.shape)
    Y_loss = (np.eye(3)[[0, 2, 1, 1, 0]] if loss == "log_loss" else
              local.randint(0, 2, (5, 2)).astype(float) if loss == "binary_log_loss" else
              local.normal(size=(5, 3)))
    batch, batch_lengths = states.batch(np.arange(5))
    settings = LoopSettings(loss=loss, max_iter=1, batch_size=5, alpha=0.3)
    error = network_gradient_error(readout, batch, batch_lengths, Y_loss,
                                  local.uniform(0.5, 2.0, 5), settings)
    assert error < 1e-6
    assert len(readout.params) == len(network.head)  # the reservoir is not among them


class _Padded:
    """A dataset of padded sequences for reservoir_states."""

    def __init__(self, X, lengths):
        self.X, self.lengths, self.n_samples = X, lengths, len(lengths)

    def batch(self, indices):
        return self.X[indices, :self.lengths[indices].max()], self.lengths[indices]


@pytest.mark.parametrize("labels", [LABELS, LABELS == "a"], ids=["softmax", "logistic"])
def test_classifier_readout_is_the_logistic_regression_of_the_states(labels):
    """fit solves the convex head (L-BFGS on the penalised log-loss): the same
    probabilities as scikit-learn's LogisticRegression with C = 1 / alpha on states
    collected independently."""
    clf = LSTMClassifier("esn", alpha=2.0, tol=1e-10, dtype="float64", **FAST)
    clf.fit(X, labels, sample_weight=WEIGHTS)
    states = independent_states(clf, X, np.ones((60, 8), dtype=bool), "concat")
    logistic = LogisticRegression(C=1 / 2.0, tol=1e-12, max_iter=10_000)
    logistic.fit(states, labels, sample_weight=WEIGHTS)
    np.testing.assert_allclose(clf.predict_proba(X), logistic.predict_proba(states),
                               rtol=0, atol=1e-6)
    assert 1 < clf.n_iter_ == len(clf.loss_curve_)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0] and not clf.do_early_stopping_


# --------------------------------------------------------------- ways in and out
@pytest.mark.filterwarnings("ignore:X has feature names")
def test_every_input_format_reads_the_same_sequences():
    reg = LSTMRegressor("esn", linear=None, **FAST).fit(X, Y[:, 0])
    expected = reg.predict(X)
    ragged = list(X)
    long = pd.DataFrame({"id": np.repeat(np.arange(60), 8), "t": np.tile(np.arange(8), 60),
                         "u": X[:, :, 0].ravel(), "v": X[:, :, 1].ravel()})
    for same in (ragged, to_sequences(long, id="id", time="t")):
        np.testing.assert_allclose(reg.predict(same), expected, rtol=1e-5, atol=1e-6)
    rows = LSTMRegressor("esn", **FAST).fit(X[:, :, 0], Y[:, 0])  # 2-D univariate rows
    assert rows.predict(X[:5, :, 0]).shape == (5,)


def test_ragged_sequences_predict_as_they_would_alone():
    ragged = [X[i, :2 + i % 7] for i in range(12)]
    clf = LSTMClassifier("esn", max_iter=2, **FAST).fit(ragged, LABELS[:12])
    together = clf.predict_proba(ragged)
    alone = np.vstack([clf.predict_proba([item]) for item in ragged])
    np.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)


def test_window_mode_fits_predicts_and_continues():
    series = np.cumsum(rng.normal(size=(120, 2)), axis=0)
    reg = LSTMRegressor("esn", window=10, **FAST).fit(series[:-1], series[1:, 0])
    assert reg.linear_["reading"] == "all"  # the linear part, then the ESN on the rest
    assert reg.predict(series).shape == (120,)
    reg.partial_fit(series[:50], series[1:51, 0])
    assert reg.n_iter_ == 2


def test_trace_reports_the_reservoir_state_per_step():
    reg = LSTMRegressor("esn", leak_rate=0.4, num_layers=2, dtype="float64",
                        **FAST).fit(X, Y)
    bottom = reg.layers_[0][1]  # the reverse reservoir of the first layer
    internals = reg.trace(X[:3], layer=0, direction=1)
    _, expected, _, _ = reference_layer("esn", X[:3], bottom.params, reverse=True,
                                        options=bottom.options)
    assert sorted(internals) == ["candidate", "hidden"]
    for name in internals:
        np.testing.assert_allclose(internals[name], expected[name], rtol=1e-10, atol=1e-12)


def test_stacked_reservoirs_read_the_one_below():
    reg = LSTMRegressor("esn", num_layers=3, **FAST).fit(X, Y[:, 0])
    assert [layers[0].input_size for layers in reg.layers_] == [2, 12, 12]
    assert reg.score(X, Y[:, 0]) > 0.5


def test_grid_search_next_to_the_other_variants():
    grid = variant_grid(["gru", "esn"], spectral_radius=[0.5, 1.0], hidden_size=[4])
    assert grid == [{"variant": ["gru"], "hidden_size": [4]},
                    {"variant": ["esn"], "spectral_radius": [0.5, 1.0], "hidden_size": [4]}]
    search = GridSearchCV(LSTMClassifier(max_iter=2, random_state=0), grid, cv=2)
    search.fit(X, LABELS)
    assert len(search.cv_results_["params"]) == 3
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
