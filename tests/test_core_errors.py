"""Argument validation and initialisation of ``RecurrentLayer``.

Acceptance criterion 5 of issue 2 (bad arguments raise ValueError/TypeError
saying what was expected) and the initialisation part of the contract.
"""

import numpy as np
import pytest

from reference_cells import CLASSIC_VARIANTS, GATES, HAS_CELL, ragged_mask
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
    """Guard against the tests above passing because everything raises."""
    state = {"hidden": np.zeros((B, H)), "cell": np.zeros((B, H))}
    layer.forward(X, mask=ragged_mask([4, 1], T), initial_state=state, reverse=True)
    layer.trace(X, mask=ragged_mask([2, 3], T))
    RecurrentLayer("gru", input_size=np.int64(F), hidden_size=np.int32(H))  # numpy ints are ints


# ----------------------------------------------------------------------------
# Initialisation
# ----------------------------------------------------------------------------


def make(variant, seed, forget_bias=1.0, input_size=F, hidden_size=H):
    return RecurrentLayer(
        variant, input_size=input_size, hidden_size=hidden_size,
        forget_bias=forget_bias, random_state=seed, dtype="float64",
    )


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_same_seed_same_params(variant):
    first, second = make(variant, 7), make(variant, 7)
    assert set(first.params) == set(second.params)
    for key in first.params:
        np.testing.assert_array_equal(first.params[key], second.params[key])


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_init_ignores_global_random_state(variant):
    np.random.seed(1)
    first = make(variant, 7)
    np.random.seed(2)
    second = make(variant, 7)
    for key in first.params:
        np.testing.assert_array_equal(first.params[key], second.params[key])


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_different_seed_different_weights(variant):
    first, second = make(variant, 7), make(variant, 8)
    for key in ("W", "U"):
        assert not np.array_equal(first.params[key], second.params[key]), key


@pytest.mark.parametrize("forget_bias", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_biases_zero_except_forget(variant, forget_bias):
    b = make(variant, 0, forget_bias=forget_bias).params["b"].reshape(len(GATES[variant]), H)
    expected = np.zeros_like(b)
    if "forget" in GATES[variant]:
        expected[GATES[variant].index("forget")] = forget_bias
    np.testing.assert_array_equal(b, expected)


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_peepholes_start_at_zero(variant):
    params = make(variant, 0).params
    peepholes = [key for key in params if key.startswith("p_")]
    assert all(key in ("p_input", "p_forget", "p_output") for key in peepholes)
    for key in peepholes:
        np.testing.assert_array_equal(params[key], 0.0)


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_recurrent_blocks_orthogonal(variant):
    U = make(variant, 0).params["U"]  # (H, G*H)
    for k, name in enumerate(GATES[variant]):
        block = U[:, k * H : (k + 1) * H]  # (H, H)
        np.testing.assert_allclose(block.T @ block, np.eye(H), rtol=0, atol=1e-10, err_msg=name)
    if len(GATES[variant]) > 1:  # blocks are drawn independently, not copies
        assert not np.allclose(U[:, :H], U[:, H : 2 * H])


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
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
    for variant in CLASSIC_VARIANTS:
        assert make(variant, 0).has_cell == HAS_CELL[variant], variant

