"""Backpropagation through time of every registered variant.

Acceptance criteria 1 and 4 of issue 2 (and issue 7's "same tests" for
``clockwork`` and ``depth_gated``): float64 central differences of the loss
``sum(R * out)`` (plus ``sum(Rc * cell_output)`` for variants with a cell)
with respect to X, every array in ``params``, the initial state and
``lower_cell``; "batched equals one at a time"; float32 in, float32 out.
"""

import numpy as np
import pytest
from tests.reference_cells import (
    ALL_VARIANTS,
    GATES,
    HAS_CELL,
    clockwork_connectivity,
    ragged_mask,
    random_initial_state,
    random_params,
    random_side_inputs,
    variant_cases,
)

from sklstm.core import RecurrentLayer

# H = 4 is the smallest size that takes clockwork's default 4 modules.
B, T, F, H = 3, 5, 2, 4
LENGTHS = (5, 2, 4)
STEP = 1e-5  # central-difference step
FLOOR = 1e-3  # relative errors are taken against max(|analytic|, |numeric|, FLOOR)

CASES = [pytest.param(variant, options, id=case_id)
         for case_id, variant, options in variant_cases()]
CELL_VARIANTS = [variant for variant in ALL_VARIANTS if HAS_CELL[variant]]
DIRECTIONS = pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
MASKING = pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])


def make_layer(variant, options=None, dtype="float64", seed=0, depth_block=False):
    """Layer with random non-zero params (peepholes, R and clockwork's unused U entries
    included). ``depth_gated``'s depth block of ``U``, which the documentation says is
    kept at zero, is zeroed unless ``depth_block`` (see the test near the end)."""
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=seed,
                           dtype=dtype, **(options or {}))
    layer.params = random_params(layer.params, np.random.default_rng(seed + 100))
    if "depth" in GATES[variant] and not depth_block:
        k = GATES[variant].index("depth")
        layer.params["U"][:, k * H : (k + 1) * H] = 0
    return layer


def make_inputs(variant, masked, dtype="float64", seed=1):
    """X, mask or None, initial state, side inputs, loss weights R and Rc (B, T, H)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, T, F)).astype(dtype)
    mask = ragged_mask(LENGTHS, T) if masked else None
    initial_state = random_initial_state(variant, B, H, rng, dtype)
    side = random_side_inputs(variant, B, T, H, rng, dtype)
    R = rng.standard_normal((B, T, H)).astype(dtype)
    Rc = rng.standard_normal((B, T, H)).astype(dtype)
    return X, mask, initial_state, side, R, Rc


def numerical_gradient(row_losses, array, per_row):
    """Central differences of ``row_losses().sum()`` w.r.t. every entry of ``array``.

    ``array`` is perturbed in place and restored. With ``per_row`` (arrays
    whose first axis is the batch, like X), the sequences are independent, so
    entry ``[b, ...]`` moves only loss row ``b``: one pair of forward calls
    then covers the same entry of every row at once.
    """
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape[1:] if per_row else array.shape):
        where = (slice(None),) + index if per_row else index
        original = array[where].copy()
        array[where] = original + STEP
        plus = row_losses()
        array[where] = original - STEP
        minus = row_losses()
        array[where] = original
        difference = (plus - minus) / (2 * STEP)  # (B,)
        grad[where] = difference if per_row else difference.sum()
    return grad


def worst_relative_error(analytic, numeric):
    """max |a - n| / max(|a|, |n|, FLOOR), elementwise."""
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), FLOOR)
    return float(np.max(np.abs(analytic - numeric) / scale))


def check_gradients(layer, X, mask, initial_state, side, R, reverse, Rc=None):
    """Worst relative error of every gradient ``backward`` returns against central
    differences of ``sum(R * out) [+ sum(Rc * cell_output)]``; asserts the keys."""
    params = {key: value.copy() for key, value in layer.params.items()}

    def run():
        layer.params = params  # re-set each time: the core may repack params
        return layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)

    def row_losses():
        out, cache = run()
        losses = np.sum(R * out, axis=(1, 2))
        if Rc is not None:
            losses = losses + np.sum(Rc * layer.cell_output(cache), axis=(1, 2))
        return losses

    _, cache = run()
    d_cell = None if Rc is None else Rc.copy()
    dX, grads = layer.backward(R.copy(), cache, d_cell=d_cell)
    assert set(grads) == set(params) | {"initial_state"} | set(side)
    assert set(grads["initial_state"]) == set(initial_state)

    analytic = {"X": dX, **{key: grads[key] for key in params}}
    analytic.update({key: grads[key] for key in side})
    analytic.update({f"initial_state[{key}]": grads["initial_state"][key] for key in initial_state})
    wrt = {"X": (X, True), **{key: (value, False) for key, value in params.items()}}
    wrt.update({key: (value, True) for key, value in side.items()})
    wrt.update({f"initial_state[{key}]": (value, True) for key, value in initial_state.items()})
    errors = {}
    for name, (array, per_row) in wrt.items():
        assert analytic[name].shape == array.shape, name
        numeric = numerical_gradient(row_losses, array, per_row)
        errors[name] = worst_relative_error(analytic[name], numeric)
    return errors


@DIRECTIONS
@MASKING
@pytest.mark.parametrize("variant, options", CASES)
def test_gradients_match_central_differences(variant, options, masked, reverse):
    layer = make_layer(variant, options)
    X, mask, initial_state, side, R, _ = make_inputs(variant, masked)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
@MASKING
@pytest.mark.parametrize("variant", CELL_VARIANTS)
def test_cell_output_gradient_d_cell(variant, masked, reverse):
    """``backward(d_out, cache, d_cell)`` with d_cell the gradient w.r.t. cell_output."""
    layer = make_layer(variant)
    X, mask, initial_state, side, R, Rc = make_inputs(variant, masked)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse, Rc=Rc)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
@MASKING
@pytest.mark.parametrize("lower_variant", ["lstm", "depth_gated"])
def test_stacked_depth_gated_backpropagates_into_the_layer_below(lower_variant, masked, reverse):
    """The depth-gated contract end to end: the upper layer reads the lower layer's
    ``cell_output``, and its ``grads["lower_cell"]`` goes back as the lower layer's
    ``d_cell``; the gradient w.r.t. X and the lower layer's params is checked."""
    lower = make_layer(lower_variant, seed=3)
    upper = RecurrentLayer("depth_gated", input_size=H, hidden_size=H, random_state=4,
                           dtype="float64")
    upper.params = random_params(upper.params, np.random.default_rng(5))
    upper.params["U"][:, 4 * H :] = 0  # the depth block, kept at zero (see make_layer)
    X, mask, _, _, R, _ = make_inputs("lstm", masked)
    below = random_side_inputs(lower_variant, B, T, H, np.random.default_rng(6))
    params = {key: value.copy() for key, value in lower.params.items()}

    def run():
        lower.params = params
        out, cache = lower.forward(X, mask=mask, reverse=reverse, **below)
        top, top_cache = upper.forward(out, mask=mask, reverse=reverse,
                                       lower_cell=lower.cell_output(cache))
        return cache, top, top_cache

    def row_losses():
        return np.sum(R * run()[1], axis=(1, 2))

    cache, _, top_cache = run()
    d_out, top_grads = upper.backward(R.copy(), top_cache)
    dX, grads = lower.backward(d_out, cache, d_cell=top_grads["lower_cell"])
    errors = {"X": worst_relative_error(dX, numerical_gradient(row_losses, X, True))}
    for key, value in params.items():
        errors[key] = worst_relative_error(grads[key], numerical_gradient(row_losses, value, False))
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("variant, options", CASES)
def test_no_initial_state_equals_zero_initial_state(variant, options):
    layer = make_layer(variant, options)
    X, mask, initial_state, side, R, _ = make_inputs(variant, masked=True)
    zeros = {key: np.zeros_like(value) for key, value in initial_state.items()}
    out, cache = layer.forward(X, mask=mask, **side)
    dX, grads = layer.backward(R, cache)
    out_zero, cache_zero = layer.forward(X, mask=mask, initial_state=zeros, **side)
    dX_zero, grads_zero = layer.backward(R, cache_zero)
    np.testing.assert_allclose(out, out_zero, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dX, dX_zero, rtol=0, atol=1e-12)
    for key in (*layer.params, *side):
        np.testing.assert_allclose(grads[key], grads_zero[key], rtol=0, atol=1e-12, err_msg=key)


@DIRECTIONS
@pytest.mark.parametrize("variant, options", CASES)
def test_batched_equals_one_at_a_time(variant, options, reverse):
    """Each sequence of a ragged batch behaves exactly as that sequence alone.

    For row ``b``, the batch is backpropagated with ``d_out`` (and ``d_cell``)
    non-zero only on row ``b``'s valid steps, so its parameter gradients are
    row ``b``'s alone.
    """
    layer = make_layer(variant, options)
    X, mask, initial_state, side, d_out, d_cell = make_inputs(variant, masked=True)
    if not HAS_CELL[variant]:
        d_cell = None
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    for b, length in enumerate(LENGTHS):
        alone_state = {key: value[b : b + 1] for key, value in initial_state.items()}
        alone_side = {key: value[b : b + 1, :length].copy() for key, value in side.items()}
        alone_X = X[b : b + 1, :length].copy()
        out_alone, cache_alone = layer.forward(
            alone_X, initial_state=alone_state, reverse=reverse, **alone_side
        )
        d_cell_alone = None if d_cell is None else d_cell[b : b + 1, :length].copy()
        dX_alone, grads_alone = layer.backward(
            d_out[b : b + 1, :length].copy(), cache_alone, d_cell=d_cell_alone
        )
        np.testing.assert_allclose(out[b, :length], out_alone[0], rtol=0, atol=1e-12)

        def row_only(values, b=b, length=length):
            row = np.zeros_like(values)
            row[b, :length] = values[b, :length]
            return row

        _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
        dX, grads = layer.backward(
            row_only(d_out), cache, d_cell=None if d_cell is None else row_only(d_cell)
        )
        for name, got, alone in [("X", dX, dX_alone)] + [
            (key, grads[key], grads_alone[key]) for key in side
        ]:  # per-position gradients: row b's, zero elsewhere and past its length
            expected = np.zeros_like(got)
            expected[b, :length] = alone[0]
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12, err_msg=name)
        for key in layer.params:
            np.testing.assert_allclose(grads[key], grads_alone[key], rtol=1e-10, atol=1e-12, err_msg=key)
        for key, value in grads["initial_state"].items():
            expected = np.zeros_like(value)
            expected[b] = grads_alone["initial_state"][key][0]
            np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12, err_msg=key)


@DIRECTIONS
@pytest.mark.parametrize("variant, options", CASES)
def test_float32_stays_float32(variant, options, reverse):
    layer = make_layer(variant, options, dtype="float32")
    X, mask, initial_state, side, d_out, d_cell = make_inputs(variant, masked=True, dtype="float32")
    assert all(value.dtype == np.float32 for value in layer.params.values())
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    d_cell = d_cell if HAS_CELL[variant] else None
    dX, grads = layer.backward(d_out, cache, d_cell=d_cell)
    assert out.dtype == np.float32
    assert dX.dtype == np.float32
    for key, value in cache["final_state"].items():
        assert value.dtype == np.float32, key
    if HAS_CELL[variant]:
        assert layer.cell_output(cache).dtype == np.float32
    for key in (*layer.params, *side):
        assert grads[key].dtype == np.float32, key
    for key, value in grads["initial_state"].items():
        assert value.dtype == np.float32, key
    for key, value in layer.trace(X, mask=mask, reverse=reverse, **side).items():
        assert value.dtype == np.float32, key
    # and float32 agrees with float64 on the same numbers
    layer64 = RecurrentLayer(variant, input_size=F, hidden_size=H, dtype="float64", **options)
    layer64.params = {key: value.astype(np.float64) for key, value in layer.params.items()}
    state64 = {key: value.astype(np.float64) for key, value in initial_state.items()}
    side64 = {key: value.astype(np.float64) for key, value in side.items()}
    out64, _ = layer64.forward(X.astype(np.float64), mask=mask, initial_state=state64,
                               reverse=reverse, **side64)
    np.testing.assert_allclose(out, out64, rtol=0, atol=1e-5)


@pytest.mark.parametrize("variant, options", CASES)
def test_default_dtype_is_float32(variant, options):
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=0, **options)
    assert all(value.dtype == np.float32 for value in layer.params.values())


# ----------------------------------------------------------------------------
# Entries of U that are not connections get no gradient
# ----------------------------------------------------------------------------


@DIRECTIONS
@pytest.mark.parametrize("n_modules", [2, 3, 4])
def test_clockwork_unused_U_entries_get_zero_gradient(n_modules, reverse):
    layer = make_layer("clockwork", {"n_modules": n_modules})  # unused entries non-zero
    X, mask, initial_state, _, R, _ = make_inputs("clockwork", masked=True)
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    _, grads = layer.backward(R, cache)
    connected = clockwork_connectivity(H, n_modules)
    np.testing.assert_array_equal(grads["U"][~connected], 0.0)
    assert np.all(grads["U"][connected] != 0)


@DIRECTIONS
def test_depth_gated_U_depth_block_gets_zero_gradient(reverse):
    layer = make_layer("depth_gated", depth_block=True)  # depth block of U non-zero
    X, mask, initial_state, side, R, Rc = make_inputs("depth_gated", masked=True)
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    _, grads = layer.backward(R, cache, d_cell=Rc)
    blocks = grads["U"].reshape(H, len(GATES["depth_gated"]), H)
    k = GATES["depth_gated"].index("depth")
    np.testing.assert_array_equal(blocks[:, k], 0.0)
    assert np.all(np.delete(blocks, k, axis=1) != 0)


def test_clockwork_with_one_module_is_the_rnn_exactly():
    clockwork = make_layer("clockwork", {"n_modules": 1})
    rnn = make_layer("rnn")
    rnn.params = {key: value.copy() for key, value in clockwork.params.items()}
    X, mask, initial_state, _, R, _ = make_inputs("rnn", masked=True)
    for reverse in (False, True):
        results = []
        for layer in (clockwork, rnn):
            out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
            results.append((out, cache["final_state"], *layer.backward(R, cache)))
        (out, final, dX, grads), (out_rnn, final_rnn, dX_rnn, grads_rnn) = results
        np.testing.assert_array_equal(out, out_rnn)
        np.testing.assert_array_equal(final["hidden"], final_rnn["hidden"])
        np.testing.assert_array_equal(dX, dX_rnn)
        for key in ("W", "U", "b"):
            np.testing.assert_array_equal(grads[key], grads_rnn[key], err_msg=key)
        np.testing.assert_array_equal(grads["initial_state"]["hidden"],
                                      grads_rnn["initial_state"]["hidden"])


def test_depth_gated_backward_ignores_U_depth_block_like_forward():
    """Forward ignores whatever ``U``'s depth block holds (see test_core_equations);
    backward must differentiate that same function."""
    layer = make_layer("depth_gated", depth_block=True)
    X, mask, initial_state, side, R, _ = make_inputs("depth_gated", masked=False)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse=False)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
def test_non_finite_padded_lower_cell_never_gives_silent_nan_gradients(reverse):
    """Either rejected up front, as non-finite X is, or ignored like padded X."""
    layer = make_layer("depth_gated")
    X, mask, initial_state, side, R, _ = make_inputs("depth_gated", masked=True)
    side["lower_cell"][~mask] = np.nan
    try:
        _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    except ValueError as error:
        assert "lower_cell" in str(error)
        return
    _, grads = layer.backward(R, cache)
    nan = [key for key, value in grads.items() if key != "initial_state" and np.isnan(value).any()]
    assert not nan, f"NaN gradients: {nan}"
