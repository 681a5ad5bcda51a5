"""Forward pass and trace of every variant against the plain transcriptions.

For every name in ``VARIANTS``, ``forward``, ``trace`` and
``cell_output`` equal a step-by-step transcription of the published equations
(``reference_cells``) to 1e-10 in float64; plus the mask semantics of the
contract (padding, reverse direction, final state). ``clockwork`` also runs
with 1, 2 and 3 modules besides its default 4.
"""

import numpy as np
import pytest

from tests.reference_cells import (
    EXTRA_PARAMS,
    GATES,
    HAS_CELL,
    OPTIONS,
    OUTPUTS,
    REFERENCE,
    clockwork_connectivity,
    clockwork_modules,
    reference_layer,
    variant_cases,
)

ATOL = 1e-10
# T = 9 so that clockwork's period-8 module updates twice (t = 0 and t = 8).
B, T, F, H = 4, 9, 3, 5
LENGTHS = (9, 4, 1, 6)

CASES = [pytest.param(variant, options, id=case_id)
         for case_id, variant, options in variant_cases()]


def valid(mask):
    """Valid-position mask, all True when ``mask`` is None."""
    return np.ones((B, T), dtype=bool) if mask is None else mask


@pytest.mark.parametrize("variant, options", CASES)
def test_gates_and_param_layout(make_layer, variant, options):
    layer = make_layer(variant, options)
    assert tuple(layer.gates) == GATES[variant]
    assert layer.has_cell == HAS_CELL[variant]
    assert set(layer.params) == {"W", "U", "b", *EXTRA_PARAMS[variant]}
    G = len(GATES[variant])
    expected_shapes = {"W": (F, G * H), "U": (H, G * H), "b": (G * H,), "R": (3 * H, 3 * H)}
    for key, value in layer.params.items():
        assert value.shape == expected_shapes.get(key, (H,)), key


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("with_initial", [False, True], ids=["zero_state", "initial_state"])
@pytest.mark.parametrize("variant, options", CASES)
def test_forward_matches_reference(make_layer, make_inputs, variant, options, with_initial, masked,
                                   reverse):
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked)
    if not with_initial:
        initial_state = None
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    expected, _, final_state, cell_out = reference_layer(
        variant, X, layer.params, mask, initial_state, reverse, options=options, **side
    )
    assert out.shape == (B, T, H)
    # every position, padded ones included (they follow the contract too)
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    assert set(cache["final_state"]) == set(final_state)
    for key, value in final_state.items():
        np.testing.assert_allclose(cache["final_state"][key], value, rtol=0, atol=ATOL)
    if HAS_CELL[variant]:  # the cell aligned like out, as a layer above reads it
        np.testing.assert_allclose(layer.cell_output(cache), cell_out, rtol=0, atol=ATOL)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("variant, options", CASES)
def test_trace_matches_reference(make_layer, make_inputs, variant, options, masked, reverse):
    layer = make_layer(variant, options)
    X, mask, _, side, _, _ = make_inputs(variant, masked)
    internals = layer.trace(X, mask=mask, reverse=reverse, **side)
    _, expected, _, _ = reference_layer(
        variant, X, layer.params, mask, None, reverse, options=options, **side
    )
    assert set(internals) == set(expected)  # hidden, cell (if any), one per gate
    is_valid = valid(mask)
    for key, value in expected.items():
        assert internals[key].shape == (B, T, H), key
        np.testing.assert_allclose(
            internals[key][is_valid], value[is_valid], rtol=0, atol=ATOL, err_msg=key
        )


@pytest.mark.parametrize("variant, options", CASES)
def test_trace_is_nan_past_each_length(make_layer, make_inputs, variant, options):
    layer = make_layer(variant, options)
    X, mask, _, side, _, _ = make_inputs(variant, masked=True)
    for key, value in layer.trace(X, mask=mask, **side).items():
        assert np.isnan(value[~mask]).all(), key


# ----------------------------------------------------------------------------
# Mask semantics, spelled out one property at a time
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("variant, options", CASES)
def test_padded_steps_repeat_last_valid_state_forward(make_layer, make_inputs, variant, options):
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, **side)
    sequences = [out] + ([layer.cell_output(cache)] if HAS_CELL[variant] else [])
    for values in sequences:
        for b, length in enumerate(LENGTHS):
            last_valid = values[b, length - 1]  # (H,)
            np.testing.assert_array_equal(
                values[b, length:], np.broadcast_to(last_valid, (T - length, H))
            )


@pytest.mark.parametrize("variant, options", CASES)
def test_padded_steps_hold_initial_state_reverse(make_layer, make_inputs, variant, options):
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=True, **side)
    pairs = [(out, initial_state["hidden"])]
    if HAS_CELL[variant]:
        pairs.append((layer.cell_output(cache), initial_state["cell"]))
    for values, start in pairs:
        for b, length in enumerate(LENGTHS):
            np.testing.assert_allclose(
                values[b, length:], np.broadcast_to(start[b], (T - length, H)), rtol=0, atol=ATOL
            )


@pytest.mark.parametrize("variant, options", CASES)
def test_reverse_is_transcription_of_reversed_valid_prefix(make_layer, make_inputs, variant,
                                                           options):
    """Reverse reads X (and lower_cell) from each sequence's last valid step back."""
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=True, **side)
    cell_state = initial_state.get("cell", np.zeros((B, H)))
    settings = {**OPTIONS[variant], **options}
    for b, length in enumerate(LENGTHS):
        reversed_side = {key: value[b, :length][::-1] for key, value in side.items()}
        steps = REFERENCE[variant](
            X[b, :length][::-1], layer.params, initial_state["hidden"][b], cell_state[b],
            **settings, **reversed_side,
        )
        np.testing.assert_allclose(out[b, :length], steps[OUTPUTS[variant][0]][::-1],
                                   rtol=0, atol=ATOL)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant, options", CASES)
def test_padded_inputs_are_ignored(make_layer, make_inputs, variant, options, reverse):
    """Whatever X (and lower_cell) hold at padded positions changes nothing."""
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked=True)
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    garbage = X.copy()
    garbage[~mask] = 1e3
    garbage_side = {key: value.copy() for key, value in side.items()}
    for value in garbage_side.values():
        value[~mask] = 1e3
    out_garbage, cache_garbage = layer.forward(
        garbage, mask=mask, initial_state=initial_state, reverse=reverse, **garbage_side
    )
    np.testing.assert_array_equal(out_garbage, out)
    for key, value in cache["final_state"].items():
        np.testing.assert_array_equal(cache_garbage["final_state"][key], value)
    if HAS_CELL[variant]:
        np.testing.assert_array_equal(layer.cell_output(cache_garbage), layer.cell_output(cache))


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant, options", CASES)
def test_final_state_is_state_at_last_processed_step(make_layer, make_inputs, variant, options,
                                                     reverse):
    """The recurrent state there: trace's hidden and cell, which are out and
    cell_output for every variant but the grid (see the next test)."""
    layer = make_layer(variant, options)
    X, mask, initial_state, side, _, _ = make_inputs(variant, masked=True)
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    internals = layer.trace(X, mask=mask, reverse=reverse, initial_state=initial_state, **side)
    last = [0 if reverse else length - 1 for length in LENGTHS]  # last processed position
    rows = np.arange(B)
    expected_keys = {"hidden", "cell"} if HAS_CELL[variant] else {"hidden"}
    assert set(cache["final_state"]) == expected_keys
    for key in expected_keys:
        np.testing.assert_allclose(cache["final_state"][key], internals[key][rows, last],
                                   rtol=0, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant, options", CASES)
def test_trace_agrees_with_forward(make_layer, make_inputs, variant, options, reverse):
    """trace's hidden and cell (the grid's depth_hidden and depth_cell) are forward's
    out and cell_output at valid positions."""
    layer = make_layer(variant, options)
    X, mask, _, side, _, _ = make_inputs(variant, masked=True)
    internals = layer.trace(X, mask=mask, reverse=reverse, **side)
    out, cache = layer.forward(X, mask=mask, reverse=reverse, **side)
    out_key, cell_key = OUTPUTS[variant]
    np.testing.assert_allclose(internals[out_key][mask], out[mask], rtol=0, atol=ATOL)
    if HAS_CELL[variant]:
        np.testing.assert_allclose(
            internals[cell_key][mask], layer.cell_output(cache)[mask], rtol=0, atol=ATOL
        )


@pytest.mark.parametrize("variant, options", CASES)
def test_all_true_mask_equals_no_mask(make_layer, make_inputs, variant, options):
    layer = make_layer(variant, options)
    X, _, initial_state, side, _, _ = make_inputs(variant, masked=False)
    out, _ = layer.forward(X, initial_state=initial_state, **side)
    out_mask, _ = layer.forward(
        X, mask=np.ones((B, T), dtype=bool), initial_state=initial_state, **side
    )
    np.testing.assert_allclose(out_mask, out, rtol=0, atol=ATOL)


# ----------------------------------------------------------------------------
# clockwork and depth_gated, property by property
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("n_modules", [1, 2, 3, 4, 5])
def test_clockwork_modules_off_the_clock_keep_their_state(make_layer, make_inputs, n_modules,
                                                          reverse):
    """Module k changes at processed step t iff t % 2**k == 0 (t from 0 per sequence)."""
    layer = make_layer("clockwork", {"n_modules": n_modules})
    X, mask, initial_state, _, _, _ = make_inputs("clockwork", masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    for b, length in enumerate(LENGTHS):
        positions = range(length - 1, -1, -1) if reverse else range(length)
        states = [initial_state["hidden"][b]] + [out[b, p] for p in positions]  # processing order
        for t in range(length):
            for k, (start, stop) in enumerate(clockwork_modules(H, n_modules)):
                before, after = states[t][start:stop], states[t + 1][start:stop]
                if t % 2**k:
                    np.testing.assert_array_equal(after, before)
                else:  # updated (random weights: never exactly equal)
                    assert np.all(after != before), (b, t, k)


@pytest.mark.parametrize("n_modules", [2, 3, 4])
def test_clockwork_reads_no_fast_to_slow_entries_of_U(make_layer, make_inputs, n_modules):
    layer = make_layer("clockwork", {"n_modules": n_modules})
    X, mask, initial_state, _, _, _ = make_inputs("clockwork", masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state)
    unused = ~clockwork_connectivity(H, n_modules)
    assert unused.any()
    layer.params["U"][unused] = 1e3
    out_garbage, _ = layer.forward(X, mask=mask, initial_state=initial_state)
    np.testing.assert_array_equal(out_garbage, out)


def test_clockwork_with_one_module_is_the_rnn(make_layer, make_inputs):
    clockwork = make_layer("clockwork", {"n_modules": 1})
    rnn = make_layer("rnn")
    rnn.params = {key: value.copy() for key, value in clockwork.params.items()}
    X, mask, initial_state, _, _, _ = make_inputs("rnn", masked=True)
    for reverse in (False, True):
        out, _ = clockwork.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
        expected, _ = rnn.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
        np.testing.assert_array_equal(out, expected)


def test_depth_gated_reads_no_hidden_state_in_depth_gate(make_layer, make_inputs):
    """The depth block of U is not a connection: garbage there changes nothing."""
    layer = make_layer("depth_gated")
    X, mask, initial_state, side, _, _ = make_inputs("depth_gated", masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, **side)
    k = GATES["depth_gated"].index("depth")
    layer.params["U"][:, k * H : (k + 1) * H] = 1e3
    out_garbage, _ = layer.forward(X, mask=mask, initial_state=initial_state, **side)
    np.testing.assert_array_equal(out_garbage, out)


def test_depth_gated_with_closed_depth_gate_is_the_peephole_lstm(make_layer, make_inputs):
    """Yao et al.'s cell reduces to the peephole LSTM when nothing comes from below."""
    layer = make_layer("depth_gated")
    peephole = make_layer("peephole")
    keep = slice(0, 4 * H)  # input, forget, candidate, output: the peephole blocks
    peephole.params = {
        "W": layer.params["W"][:, keep], "U": layer.params["U"][:, keep],
        "b": layer.params["b"][keep],
        **{key: layer.params[key] for key in ("p_input", "p_forget", "p_output")},
    }
    X, mask, initial_state, side, _, _ = make_inputs("depth_gated", masked=True)
    zero_below = {"lower_cell": np.zeros_like(side["lower_cell"])}
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, **zero_below)
    expected, _ = peephole.forward(X, mask=mask, initial_state=initial_state)
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)
    # and the lower cell does reach this layer's output
    out_below, _ = layer.forward(X, mask=mask, initial_state=initial_state, **side)
    assert np.abs(out_below - out)[mask].min() > 0
