"""Forward pass and trace of every variant against the plain transcriptions.

Acceptance criterion 2 of issue 2: for every variant of issue 2 (each must be
in ``VARIANTS``; names added by later issues are tested with those issues),
``forward`` and ``trace`` equal a step-by-step transcription of the published
equations (``reference_cells``) to 1e-10 in float64; plus the mask semantics
of the contract (padding, reverse direction, final state).
"""

import numpy as np
import pytest

from reference_cells import (
    CLASSIC_VARIANTS,
    EXTRA_PARAMS,
    GATES,
    HAS_CELL,
    REFERENCE,
    random_initial_state,
    random_params,
    ragged_mask,
    reference_layer,
)
from sklstm.core import VARIANTS, RecurrentLayer

ATOL = 1e-10
B, T, F, H = 4, 6, 3, 5
LENGTHS = (6, 3, 1, 5)


def make_layer(variant, seed=0):
    """float64 layer with random non-zero params (peepholes and R included)."""
    layer = RecurrentLayer(
        variant, input_size=F, hidden_size=H, random_state=seed, dtype="float64"
    )
    layer.params = random_params(layer.params, np.random.default_rng(seed + 100))
    return layer


def make_inputs(variant, masked, seed=0):
    """X (B, T, F), mask (B, T) or None, random initial state."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, T, F))
    mask = ragged_mask(LENGTHS, T) if masked else None
    return X, mask, random_initial_state(variant, B, H, rng)


def valid(mask):
    """Valid-position mask, all True when ``mask`` is None."""
    return np.ones((B, T), dtype=bool) if mask is None else mask


def test_registry_holds_every_issue2_variant():
    assert isinstance(VARIANTS, tuple)
    missing = set(CLASSIC_VARIANTS) - set(VARIANTS)
    assert not missing, f"VARIANTS lacks {sorted(missing)}"


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_gates_and_param_layout(variant):
    layer = make_layer(variant)
    assert tuple(layer.gates) == GATES[variant]
    assert layer.has_cell == HAS_CELL[variant]
    assert set(layer.params) == {"W", "U", "b", *EXTRA_PARAMS[variant]}
    G = len(GATES[variant])
    expected_shapes = {
        "W": (F, G * H),
        "U": (H, G * H),
        "b": (G * H,),
        "p_input": (H,),
        "p_forget": (H,),
        "p_output": (H,),
        "R": (3 * H, 3 * H),
    }
    for key, value in layer.params.items():
        assert value.shape == expected_shapes[key], key


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("with_initial", [False, True], ids=["zero_state", "initial_state"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_forward_matches_reference(variant, with_initial, masked, reverse):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked)
    if not with_initial:
        initial_state = None
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    expected, _, final_state = reference_layer(
        variant, X, layer.params, mask, initial_state, reverse
    )
    assert out.shape == (B, T, H)
    # every position, padded ones included (they follow the contract too)
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    assert set(cache["final_state"]) == set(final_state)
    for key, value in final_state.items():
        np.testing.assert_allclose(cache["final_state"][key], value, rtol=0, atol=ATOL)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_trace_matches_reference(variant, masked, reverse):
    layer = make_layer(variant)
    X, mask, _ = make_inputs(variant, masked)
    internals = layer.trace(X, mask=mask, reverse=reverse)
    _, expected, _ = reference_layer(variant, X, layer.params, mask, None, reverse)
    assert set(internals) == set(expected)  # hidden, cell (if any), one per gate
    is_valid = valid(mask)
    for key, value in expected.items():
        assert internals[key].shape == (B, T, H), key
        np.testing.assert_allclose(
            internals[key][is_valid], value[is_valid], rtol=0, atol=ATOL, err_msg=key
        )


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_trace_is_nan_past_each_length(variant):
    layer = make_layer(variant)
    X, mask, _ = make_inputs(variant, masked=True)
    for key, value in layer.trace(X, mask=mask).items():
        assert np.isnan(value[~mask]).all(), key


# ----------------------------------------------------------------------------
# Mask semantics, spelled out one property at a time
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_padded_steps_repeat_last_valid_hidden_forward(variant):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state)
    for b, length in enumerate(LENGTHS):
        last_valid = out[b, length - 1]  # (H,)
        np.testing.assert_array_equal(out[b, length:], np.broadcast_to(last_valid, (T - length, H)))


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_padded_steps_hold_initial_hidden_reverse(variant):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=True)
    for b, length in enumerate(LENGTHS):
        h0 = initial_state["hidden"][b]  # (H,)
        np.testing.assert_allclose(out[b, length:], np.broadcast_to(h0, (T - length, H)), rtol=0, atol=ATOL)


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_reverse_is_transcription_of_reversed_valid_prefix(variant):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=True)
    cell_state = initial_state.get("cell", np.zeros((B, H)))
    for b, length in enumerate(LENGTHS):
        steps = REFERENCE[variant](
            X[b, :length][::-1], layer.params, initial_state["hidden"][b], cell_state[b]
        )
        np.testing.assert_allclose(out[b, :length], steps["hidden"][::-1], rtol=0, atol=ATOL)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_padded_inputs_are_ignored(variant, reverse):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    garbage = X.copy()
    garbage[~mask] = 1e3
    out_garbage, cache_garbage = layer.forward(
        garbage, mask=mask, initial_state=initial_state, reverse=reverse
    )
    np.testing.assert_array_equal(out_garbage, out)
    for key, value in cache["final_state"].items():
        np.testing.assert_array_equal(cache_garbage["final_state"][key], value)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_final_state_is_state_at_last_valid_step(variant, reverse):
    layer = make_layer(variant)
    X, mask, initial_state = make_inputs(variant, masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    internals = layer.trace(X, mask=mask, reverse=reverse)  # zero initial state
    _, zero_cache = layer.forward(X, mask=mask, reverse=reverse)
    last = [0 if reverse else length - 1 for length in LENGTHS]  # last processed position
    rows = np.arange(B)
    expected_keys = {"hidden", "cell"} if HAS_CELL[variant] else {"hidden"}
    assert set(cache["final_state"]) == expected_keys
    for key in expected_keys:
        np.testing.assert_allclose(
            zero_cache["final_state"][key], internals[key][rows, last], rtol=0, atol=ATOL
        )
    # with an initial state, the final hidden state is out at the last processed step
    np.testing.assert_allclose(cache["final_state"]["hidden"], out[rows, last], rtol=0, atol=ATOL)


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_all_true_mask_equals_no_mask(variant):
    layer = make_layer(variant)
    X, _, initial_state = make_inputs(variant, masked=False)
    out, _ = layer.forward(X, initial_state=initial_state)
    out_mask, _ = layer.forward(X, mask=np.ones((B, T), dtype=bool), initial_state=initial_state)
    np.testing.assert_allclose(out_mask, out, rtol=0, atol=ATOL)
