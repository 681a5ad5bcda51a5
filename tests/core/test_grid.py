"""The Grid LSTM (``variant="grid"``, ``sklstm.core._grid``) beyond the suites every
variant runs.

Those (``test_cells.py``, ``test_layer.py``, ``tests/end_to_end/test_padding.py``,
...) check one grid layer against ``reference_cells.grid`` with and without the
priority dimension. Here: a whole stack against the paper's 2-D grid computed block
by block, the bottom of a stack (no memory from below) and the options' checks. (Tied
weights are in ``tests/test_network.py``, the options as estimator hyperparameters in
``tests/test_hyperparameters.py``.)
"""

import numpy as np
import pytest

from sklstm._network import RecurrentNetwork
from sklstm.core import RecurrentLayer

from tests.core.test_layer import check_gradients
from tests.reference_cells import grid_stack, random_params

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
def test_bottom_of_a_stack_reads_zero_memory_from_below(make_inputs, reverse):
    layer = RecurrentLayer("grid", F, H, random_state=0, dtype="float64")
    layer.params = random_params(layer.params, np.random.default_rng(1))
    X, mask, initial_state, side, R, Rc = make_inputs("grid", masked=True)
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


@pytest.mark.parametrize("bad", [1, "yes", None])
def test_options_must_be_bools(bad):
    for name in ("tied_weights", "depth_priority"):
        with pytest.raises(TypeError, match=rf"{name} must be a bool"):
            RecurrentLayer("grid", F, H, **{name: bad})
