"""``RecurrentLayer``'s contract beyond the equations: backpropagation through time of
every registered variant, and how the parameters are initialised.

Gradients: float64 central differences of the loss
``sum(R * out)`` (plus ``sum(Rc * cell_output)`` for variants with a cell)
with respect to X, every array in ``params``, the initial state and
``lower_cell``; "batched equals one at a time"; float32 in, float32 out.
"""

import numpy as np
import pytest

from sklstm.core import RecurrentLayer

from tests.reference_cells import (
    ALL_VARIANTS,
    GATES,
    HAS_CELL,
    RESERVOIRS,
    clockwork_connectivity,
    random_params,
    random_side_inputs,
    variant_cases,
)

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
def test_gradients_match_central_differences(make_layer, make_inputs, variant, options, masked,
                                             reverse):
    layer = make_layer(variant, options, depth_block=False)
    X, mask, initial_state, side, R, _ = make_inputs(variant, masked)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
@MASKING
@pytest.mark.parametrize("variant", CELL_VARIANTS)
def test_cell_output_gradient_d_cell(make_layer, make_inputs, variant, masked, reverse):
    """``backward(d_out, cache, d_cell)`` with d_cell the gradient w.r.t. cell_output."""
    layer = make_layer(variant, depth_block=False)
    X, mask, initial_state, side, R, Rc = make_inputs(variant, masked)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse, Rc=Rc)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
@MASKING
@pytest.mark.parametrize("lower_variant", ["lstm", "depth_gated"])
def test_stacked_depth_gated_backpropagates_into_the_layer_below(make_layer, make_inputs,
                                                                 lower_variant, masked, reverse):
    """The depth-gated contract end to end: the upper layer reads the lower layer's
    ``cell_output``, and its ``grads["lower_cell"]`` goes back as the lower layer's
    ``d_cell``; the gradient w.r.t. X and the lower layer's params is checked."""
    lower = make_layer(lower_variant, seed=3, depth_block=False)
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
def test_no_initial_state_equals_zero_initial_state(make_layer, make_inputs, variant, options):
    layer = make_layer(variant, options, depth_block=False)
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
def test_batched_equals_one_at_a_time(make_layer, make_inputs, variant, options, reverse):
    """Each sequence of a ragged batch behaves exactly as that sequence alone.

    For row ``b``, the batch is backpropagated with ``d_out`` (and ``d_cell``)
    non-zero only on row ``b``'s valid steps, so its parameter gradients are
    row ``b``'s alone.
    """
    layer = make_layer(variant, options, depth_block=False)
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
def test_float32_stays_float32(make_layer, make_inputs, variant, options, reverse):
    layer = make_layer(variant, options, dtype="float32", depth_block=False)
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
def test_clockwork_unused_U_entries_get_zero_gradient(make_layer, make_inputs, n_modules, reverse):
    layer = make_layer("clockwork", {"n_modules": n_modules})  # unused entries non-zero
    X, mask, initial_state, _, R, _ = make_inputs("clockwork", masked=True)
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    _, grads = layer.backward(R, cache)
    connected = clockwork_connectivity(H, n_modules)
    np.testing.assert_array_equal(grads["U"][~connected], 0.0)
    assert np.all(grads["U"][connected] != 0)


@DIRECTIONS
def test_depth_gated_U_depth_block_gets_zero_gradient(make_layer, make_inputs, reverse):
    layer = make_layer("depth_gated", depth_block=True)  # depth block of U non-zero
    X, mask, initial_state, side, R, Rc = make_inputs("depth_gated", masked=True)
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse, **side)
    _, grads = layer.backward(R, cache, d_cell=Rc)
    blocks = grads["U"].reshape(H, len(GATES["depth_gated"]), H)
    k = GATES["depth_gated"].index("depth")
    np.testing.assert_array_equal(blocks[:, k], 0.0)
    assert np.all(np.delete(blocks, k, axis=1) != 0)


def test_clockwork_with_one_module_is_the_rnn_exactly(make_layer, make_inputs):
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


def test_depth_gated_backward_ignores_U_depth_block_like_forward(make_layer, make_inputs):
    """Forward ignores whatever ``U``'s depth block holds (see test_cells.py);
    backward must differentiate that same function."""
    layer = make_layer("depth_gated", depth_block=True)
    X, mask, initial_state, side, R, _ = make_inputs("depth_gated", masked=False)
    errors = check_gradients(layer, X, mask, initial_state, side, R, reverse=False)
    assert max(errors.values()) < 1e-6, errors


@DIRECTIONS
def test_non_finite_padded_lower_cell_never_gives_silent_nan_gradients(make_layer, make_inputs,
                                                                       reverse):
    """Either rejected up front, as non-finite X is, or ignored like padded X."""
    layer = make_layer("depth_gated", depth_block=False)
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


#: The variants initialised as the contract says (Glorot W, orthogonal blocks of U, zero
#: biases but the forget gate's); a reservoir is drawn its own way (tests/core/test_esn.py).
INITIALISED = [name for name in ALL_VARIANTS if name not in RESERVOIRS]


def make(variant, seed, forget_bias=1.0, input_size=F, hidden_size=H):
    return RecurrentLayer(
        variant, input_size=input_size, hidden_size=hidden_size,
        forget_bias=forget_bias, random_state=seed, dtype="float64",
    )


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_same_seed_same_params(variant):
    first, second = make(variant, 7), make(variant, 7)
    assert set(first.params) == set(second.params)
    for key in first.params:
        np.testing.assert_array_equal(first.params[key], second.params[key])


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_init_ignores_global_random_state(variant):
    np.random.seed(1)
    first = make(variant, 7)
    np.random.seed(2)
    second = make(variant, 7)
    for key in first.params:
        np.testing.assert_array_equal(first.params[key], second.params[key])


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_different_seed_different_weights(variant):
    first, second = make(variant, 7), make(variant, 8)
    for key in ("W", "U"):
        assert not np.array_equal(first.params[key], second.params[key]), key


@pytest.mark.parametrize("forget_bias", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("variant", INITIALISED)
def test_biases_zero_except_forget(variant, forget_bias):
    b = make(variant, 0, forget_bias=forget_bias).params["b"].reshape(len(GATES[variant]), H)
    expected = np.zeros_like(b)
    for k, gate in enumerate(GATES[variant]):
        if gate in ("forget", "depth_forget"):  # the grid's depth transform has one too
            expected[k] = forget_bias
    np.testing.assert_array_equal(b, expected)


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_peepholes_start_at_zero(variant):
    params = make(variant, 0).params
    peepholes = [key for key in params if key.startswith("p_")]
    known = {"p_input", "p_forget", "p_output", "p_depth", "p_lower"}  # p_lower: depth_gated
    assert set(peepholes) <= known
    for key in peepholes:
        np.testing.assert_array_equal(params[key], 0.0)


def unconnected(variant, hidden_size=H, **options):
    """(H, G*H) bool: the entries of U that are no connection, kept at zero (the
    documented rule): clockwork's fast-to-slow blocks, depth_gated's depth block."""
    zeros = np.zeros((hidden_size, len(GATES[variant]) * hidden_size), dtype=bool)
    if variant == "clockwork":
        zeros[:] = ~clockwork_connectivity(hidden_size, options.get("n_modules", 4))
    if "depth" in GATES[variant]:
        k = GATES[variant].index("depth")
        zeros[:, k * hidden_size : (k + 1) * hidden_size] = True
    return zeros


@pytest.mark.parametrize("variant", INITIALISED)
def test_recurrent_blocks_orthogonal(variant):
    """Each (H, H) block of U is orthogonal, then zero where there is no connection:
    so every column of U without such zeros is a column of an orthogonal matrix."""
    U = make(variant, 0).params["U"]  # (H, G*H)
    zeros = unconnected(variant)
    np.testing.assert_array_equal(U[zeros], 0.0)
    assert np.all(U[~zeros] != 0)
    for k, name in enumerate(GATES[variant]):
        block = U[:, k * H : (k + 1) * H]  # (H, H)
        full = ~zeros[:, k * H : (k + 1) * H].any(axis=0)  # columns kept whole
        if name == "depth":
            assert not full.any()
            continue
        assert full.any(), name
        columns = block[:, full]
        np.testing.assert_allclose(columns.T @ columns, np.eye(full.sum()), rtol=0, atol=1e-10,
                                   err_msg=name)
        if full.all():
            np.testing.assert_allclose(block @ block.T, np.eye(H), rtol=0, atol=1e-10, err_msg=name)
    if len(GATES[variant]) > 1:  # blocks are drawn independently, not copies
        assert not np.allclose(U[:, :H], U[:, H : 2 * H])


@pytest.mark.parametrize("n_modules", [1, 2, 3, 4, 6])
def test_clockwork_U_is_block_lower_triangular_orthogonal(n_modules):
    """Zero exactly where the source module is faster than the target; the fastest
    module's columns (all sources connected) orthonormal; one module: orthogonal U."""
    hidden_size = 6
    U = RecurrentLayer("clockwork", input_size=F, hidden_size=hidden_size, random_state=0,
                       dtype="float64", n_modules=n_modules).params["U"]
    zeros = unconnected("clockwork", hidden_size, n_modules=n_modules)
    assert zeros.any() == (n_modules > 1)
    np.testing.assert_array_equal(U[zeros], 0.0)
    assert np.all(U[~zeros] != 0)
    assert np.array_equal(zeros, np.triu(zeros, 1))  # only above the diagonal
    fastest = ~zeros.any(axis=0)
    np.testing.assert_allclose(U[:, fastest].T @ U[:, fastest], np.eye(fastest.sum()),
                               rtol=0, atol=1e-10)


@pytest.mark.parametrize("variant", INITIALISED)
def test_input_weights_glorot_uniform(variant):
    input_size, hidden_size = 40, 30
    W = make(variant, 0, input_size=input_size, hidden_size=hidden_size).params["W"]
    G = len(GATES[variant])
    limit = np.sqrt(6.0 / (input_size + G * hidden_size))
    assert W.shape == (input_size, G * hidden_size)
    assert np.abs(W).max() <= limit
    # uniform on [-limit, limit]: spread over the range, mean ~0, var limit**2 / 3
    assert np.abs(W).max() > 0.95 * limit
    assert abs(W.mean()) < 0.1 * limit
    np.testing.assert_allclose(W.var(), limit**2 / 3, rtol=0.1)


def test_has_cell_flags():
    for variant in ALL_VARIANTS:
        assert make(variant, 0).has_cell == HAS_CELL[variant], variant


def test_depth_gated_init():
    """Peepholes and p_lower zero, forget bias as given, depth bias zero, U's depth block zero."""
    params = make("depth_gated", 0, forget_bias=2.0).params
    for key in ("p_input", "p_forget", "p_output", "p_depth", "p_lower"):
        np.testing.assert_array_equal(params[key], 0.0, err_msg=key)
    b = params["b"].reshape(5, H)
    np.testing.assert_array_equal(b[GATES["depth_gated"].index("forget")], 2.0)
    np.testing.assert_array_equal(b[GATES["depth_gated"].index("depth")], 0.0)
    np.testing.assert_array_equal(params["U"][:, 4 * H :], 0.0)
