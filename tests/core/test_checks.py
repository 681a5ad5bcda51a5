"""Argument validation and initialisation of ``RecurrentLayer``.

Acceptance criterion 5 of issue 2 (bad arguments raise ValueError/TypeError
saying what was expected) and the initialisation part of the contract, for
every registered variant; plus the arguments issue 7 added (``lower_cell``,
``d_cell``, variant options such as clockwork's ``n_modules``).
"""

import numpy as np
import pytest
from tests.reference_cells import (
    ALL_VARIANTS,
    GATES,
    HAS_CELL,
    RESERVOIRS,
    SIDE_INPUTS,
    clockwork_connectivity,
    ragged_mask,
)

from sklstm.core import VARIANTS, RecurrentLayer

B, T, F, H = 2, 4, 3, 5


@pytest.fixture
def layer():
    return RecurrentLayer("lstm", input_size=F, hidden_size=H, random_state=0, dtype="float64")


@pytest.fixture
def X():
    return np.random.default_rng(0).standard_normal((B, T, F))


# ----------------------------------------------------------------------------
# Constructor
# ----------------------------------------------------------------------------


def test_unknown_variant_lists_the_variants():
    with pytest.raises(ValueError, match="bogus") as excinfo:
        RecurrentLayer("bogus", input_size=F, hidden_size=H)
    message = str(excinfo.value)
    missing = [name for name in VARIANTS if name not in message]
    assert not missing, f"message {message!r} does not list {missing}"


@pytest.mark.parametrize("name", ["input_size", "hidden_size"])
@pytest.mark.parametrize("value", [0, -1])
def test_sizes_below_one_raise(name, value):
    sizes = {"input_size": F, "hidden_size": H, name: value}
    with pytest.raises(ValueError, match=rf"{name}.*(>= ?1|at least 1|positive|[Gg]reater)"):
        RecurrentLayer("lstm", **sizes)


@pytest.mark.parametrize("name", ["input_size", "hidden_size"])
@pytest.mark.parametrize("value", [2.5, "3", None])
def test_non_integer_sizes_raise(name, value):
    sizes = {"input_size": F, "hidden_size": H, name: value}
    with pytest.raises((TypeError, ValueError), match=rf"{name}.*int"):
        RecurrentLayer("lstm", **sizes)


@pytest.mark.parametrize("dtype", ["float16", "int32", "double32"])
def test_bad_dtype_raises(dtype):
    with pytest.raises((TypeError, ValueError), match=r"float32.*float64|float64.*float32"):
        RecurrentLayer("lstm", input_size=F, hidden_size=H, dtype=dtype)


# ----------------------------------------------------------------------------
# forward / trace arguments
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(T, F), (B, T, F, 1), (F,)])
@pytest.mark.parametrize("method", ["forward", "trace"])
def test_wrong_rank_raises(layer, shape, method):
    with pytest.raises(ValueError, match=r"(?i)3.?d|\(B, T, F\)|three|ndim|rank|dimension"):
        getattr(layer, method)(np.zeros(shape))


@pytest.mark.parametrize("method", ["forward", "trace"])
def test_wrong_feature_count_raises(layer, method):
    with pytest.raises(ValueError, match=rf"(?s)(\b{F}\b.*\b{F + 1}\b|\b{F + 1}\b.*\b{F}\b)"):
        getattr(layer, method)(np.zeros((B, T, F + 1)))


@pytest.mark.parametrize("shape", [(B, T + 1), (B + 1, T), (B * T,), (B, T, 1)])
def test_mask_shape_mismatch_raises(layer, X, shape):
    mask = np.ones(shape, dtype=bool)
    with pytest.raises(ValueError, match=rf"mask.*\({B}, {T}\)|\({B}, {T}\).*mask"):
        layer.forward(X, mask=mask)


def test_non_prefix_mask_raises(layer, X):
    mask = np.array([[True, False, True, True], [True, True, False, False]])
    with pytest.raises(ValueError, match=r"(?i)prefix|right.?pad|contiguous"):
        layer.forward(X, mask=mask)


@pytest.mark.parametrize("mask", [np.ones((B, T)), np.ones((B, T), dtype=int)])
def test_non_bool_mask_raises(layer, X, mask):
    with pytest.raises((TypeError, ValueError), match=r"(?i)bool"):
        layer.forward(X, mask=mask)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["forward", "trace"])
def test_non_finite_X_raises(layer, X, bad, method):
    X[1, 2, 0] = bad
    with pytest.raises(ValueError, match=r"(?i)finite|nan|inf"):
        getattr(layer, method)(X)


@pytest.mark.parametrize(
    "initial_state",
    [
        {"hidden": np.zeros((B, H))},  # missing "cell"
        {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H)), "extra": np.zeros((B, H))},
        {"h": np.zeros((B, H)), "c": np.zeros((B, H))},
    ],
    ids=["missing_cell", "extra_key", "wrong_names"],
)
def test_initial_state_wrong_keys_raise(layer, X, initial_state):
    with pytest.raises((TypeError, ValueError), match=r"hidden.*cell|cell.*hidden"):
        layer.forward(X, initial_state=initial_state)


def test_initial_state_cell_without_cell_raises(X):
    gru = RecurrentLayer("gru", input_size=F, hidden_size=H, dtype="float64")
    state = {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H))}
    with pytest.raises((TypeError, ValueError), match=r"hidden"):
        gru.forward(X, initial_state=state)


@pytest.mark.parametrize("key", ["hidden", "cell"])
@pytest.mark.parametrize("shape", [(B, H + 1), (B + 1, H), (H,)])
def test_initial_state_wrong_shape_raises(layer, X, key, shape):
    state = {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H))}
    state[key] = np.zeros(shape)
    with pytest.raises(ValueError, match=rf"{key}.*\({B}, {H}\)|\({B}, {H}\).*{key}"):
        layer.forward(X, initial_state=state)


def test_valid_arguments_do_not_raise(layer, X):
    """Guard against the tests above and below passing because everything raises."""
    state = {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H))}
    layer.forward(X, mask=ragged_mask([4, 1], T), initial_state=state, reverse=True)
    layer.trace(X, mask=ragged_mask([2, 3], T))
    RecurrentLayer("gru", input_size=np.int64(F), hidden_size=np.int32(H))  # numpy ints are ints
    depth = RecurrentLayer("depth_gated", input_size=F, hidden_size=H, dtype="float64")
    out, cache = depth.forward(X, mask=ragged_mask([4, 1], T), initial_state=state,
                               reverse=True, lower_cell=np.ones((B, T, H)))
    depth.backward(np.ones_like(out), cache, d_cell=np.ones((B, T, H)))
    for n_modules in (1, np.int64(3), H):  # up to hidden_size modules
        RecurrentLayer("clockwork", input_size=F, hidden_size=H, n_modules=n_modules).forward(X)


# ----------------------------------------------------------------------------
# Side inputs, d_cell and variant options (issue 7)
# ----------------------------------------------------------------------------


def test_depth_gated_without_lower_cell_says_to_pass_it(X):
    depth = RecurrentLayer("depth_gated", input_size=F, hidden_size=H)
    with pytest.raises(ValueError, match=r"pass lower_cell.*\(B, T, H\).*cell_output"):
        depth.forward(X)


@pytest.mark.parametrize("variant", [name for name in ALL_VARIANTS if not SIDE_INPUTS[name]])
def test_lower_cell_for_other_variants_raises(X, variant):
    other = RecurrentLayer(variant, input_size=F, hidden_size=H)
    with pytest.raises(ValueError, match=rf"lower_cell.*depth.gated.*{variant}"):
        other.forward(X, lower_cell=np.zeros((B, T, H)))


@pytest.mark.parametrize("shape", [(B, T, H + 1), (B, T + 1, H), (B + 1, T, H), (B, T), (T, H)])
def test_lower_cell_wrong_shape_raises(X, shape):
    depth = RecurrentLayer("depth_gated", input_size=F, hidden_size=H)
    with pytest.raises(ValueError, match=rf"lower_cell.*\({B}, {T}, {H}\)"):
        depth.forward(X, lower_cell=np.zeros(shape))


@pytest.mark.parametrize("variant", [name for name in ALL_VARIANTS if not HAS_CELL[name]])
def test_cell_output_and_d_cell_without_a_cell_raise(X, variant):
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H)
    out, cache = layer.forward(X)
    with pytest.raises(ValueError, match=rf"{variant}.*no cell"):
        layer.cell_output(cache)
    with pytest.raises(ValueError, match=rf"d_cell.*{variant}.*no cell"):
        layer.backward(np.ones_like(out), cache, d_cell=np.ones_like(out))


@pytest.mark.parametrize("shape", [(B, T, H + 1), (B, T - 1, H), (B, T)])
def test_d_cell_wrong_shape_raises(layer, X, shape):
    out, cache = layer.forward(X)
    with pytest.raises(ValueError, match=rf"cell.*\({B}, {T}, {H}\)"):
        layer.backward(np.ones_like(out), cache, d_cell=np.ones(shape))


@pytest.mark.parametrize("variant, options", [
    ("lstm", {"n_modules": 2}),
    ("rnn", {"n_modules": 2}),  # the plain rnn has no clock option either
    ("clockwork", {"n_module": 2}),  # a typo
    ("depth_gated", {"depth": True}),
])
def test_unknown_option_lists_the_valid_ones(variant, options):
    (name,) = options
    with pytest.raises(TypeError, match=rf"{variant}.*options.*{name}"):
        RecurrentLayer(variant, input_size=F, hidden_size=H, **options)


def test_more_modules_than_units_raises():
    with pytest.raises(ValueError, match=rf"n_modules={H + 1}.*hidden_size >= n_modules"):
        RecurrentLayer("clockwork", input_size=F, hidden_size=H, n_modules=H + 1)
    with pytest.raises(ValueError, match=r"n_modules=4.*hidden_size >= n_modules.*3"):
        RecurrentLayer("clockwork", input_size=F, hidden_size=3)  # the default, 4 modules


@pytest.mark.parametrize("n_modules", [0, -1, 2.5, True, "2", None])
def test_bad_n_modules_raises(n_modules):
    with pytest.raises((TypeError, ValueError), match=r"n_modules.*int.*>= ?1"):
        RecurrentLayer("clockwork", input_size=F, hidden_size=H, n_modules=n_modules)


# ----------------------------------------------------------------------------
# Initialisation
# ----------------------------------------------------------------------------


#: The variants initialised as the contract says (Glorot W, orthogonal blocks of U, zero
#: biases but the forget gate's); a reservoir is drawn its own way (tests/test_esn.py).
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

