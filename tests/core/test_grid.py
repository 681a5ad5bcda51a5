"""Issue 21, the Grid LSTM (``variant="grid"``) beyond the suites every variant runs.

Those (``test_core_equations.py``, ``test_core_gradients.py``, ``test_ragged.py``,
...) check one grid layer against ``reference_cells.grid`` with and without the
priority dimension. Here: a whole stack against the paper's 2-D grid computed block
by block, the bottom of a stack (no memory from below), tied weights (one array per
shared parameter, also after a joblib load), the ``num_layers >= 2`` rule, and the
options as estimator hyperparameters.
"""

import joblib
import numpy as np
import pytest
from tests.reference_cells import grid_stack, random_params
from tests.core.test_layer import check_gradients
from tests.core.test_layer import make_inputs as gradient_inputs
from tests.test_hyperparameters import FAST, _quiet  # noqa: F401 (autouse: no ConvergenceWarning)
from tests.test_hyperparameters import X as X_FIT
from tests.test_hyperparameters import y as Y_FIT

from sklstm import LSTMClassifier, LSTMRegressor, variant_grid
from sklstm._network import RecurrentNetwork
from sklstm.core import RecurrentLayer, stack_variants

B, T, F, H = 3, 7, 2, 4
LENGTHS = np.array([7, 3, 5])


def grid_network(num_layers, tied_weights=False, depth_priority=True, seed=0):
    """A float64 one-direction grid stack with random non-zero weights."""
    network = RecurrentNetwork.build(
        "grid", F, H, 1, num_layers=num_layers, bidirectional=False,
        options={"tied_weights": tied_weights, "depth_priority": depth_priority},
        random_state=np.random.RandomState(seed), dtype="float64")
    draw = np.random.default_rng(seed + 1)
    network.set_weights([0.5 * draw.standard_normal(p.shape) for p in network.params])
    return network


@pytest.mark.parametrize("tied_weights", [False, True], ids=["untied", "tied"])
@pytest.mark.parametrize("depth_priority", [True, False], ids=["priority", "no_priority"])
def test_stack_is_the_papers_2d_grid(depth_priority, tied_weights):
    """The top layer's output equals the grid computed block (t, l) by block, from
    the bottom of each column up, for every sequence of a ragged batch."""
    network = grid_network(3, tied_weights, depth_priority)
    X = np.random.default_rng(2).standard_normal((B, T, F))
    top = network.trace(X, LENGTHS)["depth_hidden"]  # (B, T, H), NaN past each length
    layers = [layer.params for (layer,) in network.layers]
    for b, length in enumerate(LENGTHS):
        expected = grid_stack(X[b, :length], layers, {"depth_priority": depth_priority})
        np.testing.assert_allclose(top[b, :length], expected, rtol=0, atol=1e-12)


def test_priority_is_the_depth_transform_reading_the_new_hidden_vector():
    with_priority, without = grid_network(2, depth_priority=True), grid_network(2, depth_priority=False)
    X = np.random.default_rng(3).standard_normal((B, T, F))
    first = with_priority.trace(X, LENGTHS, layer=0)
    second = without.trace(X, LENGTHS, layer=0)
    valid = np.arange(T) < LENGTHS[:, None]
    # the bottom layers: the same time transform, a depth transform reading other vectors
    np.testing.assert_array_equal(first["hidden"][valid], second["hidden"][valid])
    assert np.abs(first["depth_hidden"] - second["depth_hidden"])[valid].min() > 0


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_bottom_of_a_stack_reads_zero_memory_from_below(reverse):
    layer = RecurrentLayer("grid", F, H, random_state=0, dtype="float64")
    layer.params = random_params(layer.params, np.random.default_rng(1))
    X, mask, initial_state, side, R, Rc = gradient_inputs("grid", masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    zeros = {"lower_cell": np.zeros_like(side["lower_cell"])}
    expected, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse,
                                **zeros)
    np.testing.assert_array_equal(out, expected)
    _, grads = layer.backward(R, cache, d_cell=Rc)
    assert "lower_cell" not in grads
    # its gradients, with d_cell as from a layer above, match central differences
    errors = check_gradients(layer, X, mask, initial_state, {}, R, reverse, Rc=Rc)
    assert max(errors.values()) < 1e-6, errors


def test_one_layer_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'grid'.*num_layers >= 2; got 1"):
        stack_variants("grid", 1)
    clf = LSTMClassifier(**FAST).fit(X_FIT, Y_FIT)
    before = clf.predict_proba(X_FIT)
    with pytest.raises(ValueError, match="num_layers >= 2"):
        clf.set_params(variant="grid").fit(X_FIT, Y_FIT)
    np.testing.assert_array_equal(clf.set_params(variant="lstm").predict_proba(X_FIT), before)


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_options_must_be_bools(bad):
    for name in ("tied_weights", "depth_priority"):
        with pytest.raises(TypeError, match=rf"{name} must be a bool"):
            RecurrentLayer("grid", F, H, **{name: bad})


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
    clf = LSTMClassifier("grid", num_layers=4, tied_weights=True, **FAST).fit(X_FIT, Y_FIT)
    owners = shared(clf.layers_)
    for (depth, _, name), owner in owners.items():
        assert owner == ({"U": 0, "b": 0, "W": min(depth, 1)}[name]), (depth, name)
    assert clf.layers_[1][0].params["U"] is not clf.layers_[1][1].params["U"]
    untied = LSTMClassifier("grid", num_layers=4, **FAST).fit(X_FIT, Y_FIT)
    assert all(depth == owner for (depth, _, _), owner in shared(untied.layers_).items())


def test_tied_weights_stay_tied_after_joblib_and_warm_start(tmp_path):
    """joblib saves every array apart; the fitted network is tied again when it is
    assembled, and training continues on one array per shared parameter."""
    clf = LSTMRegressor("grid", num_layers=3, tied_weights=True, warm_start=True,
                        **FAST).fit(X_FIT, Y_FIT.astype(float))
    tied = shared(clf.layers_)
    joblib.dump(clf, tmp_path / "grid.joblib")
    loaded = joblib.load(tmp_path / "grid.joblib")
    np.testing.assert_array_equal(loaded.predict(X_FIT), clf.predict(X_FIT))
    assert shared(loaded.layers_) == tied
    loaded.fit(X_FIT, Y_FIT.astype(float))  # warm start: continues the tied network
    assert shared(loaded.layers_) == tied
    assert not np.array_equal(loaded.predict(X_FIT), clf.predict(X_FIT))  # it trained


def test_options_are_hyperparameters_of_both_estimators():
    for estimator in (LSTMClassifier, LSTMRegressor):
        params = estimator().get_params()
        assert params["tied_weights"] is False and params["depth_priority"] is True
        assert "tied_weights : bool" in estimator.__doc__
        assert "depth_priority : bool" in estimator.__doc__
    clf = LSTMClassifier("grid", num_layers=2, depth_priority=False, **FAST).fit(X_FIT, Y_FIT)
    assert clf._architecture["depth_priority"] is False
    assert all(layer.options == {"tied_weights": False, "depth_priority": False}
               for layers in clf.layers_ for layer in layers)
    with pytest.raises(ValueError, match="depth_priority=True.*built with.*False"):
        clf.set_params(depth_priority=True, warm_start=True).fit(X_FIT, Y_FIT)
    assert LSTMClassifier("lstm", tied_weights=True, **FAST).fit(X_FIT, Y_FIT)._architecture \
        .keys().isdisjoint({"tied_weights", "depth_priority"})  # other variants ignore them


def test_trace_plot_gates_and_variant_grid():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from sklstm.plotting import plot_gates

    clf = LSTMClassifier("grid", num_layers=2, **FAST).fit(X_FIT, Y_FIT)
    internals = clf.trace(X_FIT[:2], layer=-1, direction=1)
    assert {"hidden", "cell", "depth_hidden", "depth_cell", "depth_forget"} <= set(internals)
    fig = plot_gates(clf, X_FIT[0], layer=0)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["input", "input gate", "forget gate", "candidate", "output gate",
                      "cell state", "hidden state", "depth input gate", "depth forget gate",
                      "depth candidate", "depth output gate", "depth cell state",
                      "depth hidden state"]
    matplotlib.pyplot.close(fig)
    assert variant_grid(["lstm", "grid"], tied_weights=[False, True]) == [
        {"variant": ["lstm"]},
        {"variant": ["grid"], "tied_weights": [False, True], "num_layers": [2]}]
