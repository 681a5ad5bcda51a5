"""The checks of ``RecurrentLayer``'s public methods (``sklstm.core._checks``).

Bad arguments raise ValueError/TypeError saying what was expected, for every
registered variant: sizes, dtypes, shapes, masks, initial states, the side inputs
(``lower_cell``), ``d_cell`` and variant options such as clockwork's ``n_modules``.
(The initialisation part of the contract is in ``test_layer.py``.)
"""

import numpy as np
import pytest

from sklstm.core import VARIANTS, RecurrentLayer

from tests.reference_cells import (
    ALL_VARIANTS,
    HAS_CELL,
    SIDE_INPUTS,
    ragged_mask,
)

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
# Side inputs, d_cell and variant options
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
