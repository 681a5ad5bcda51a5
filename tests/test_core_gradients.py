"""Backpropagation through time of every variant of issue 2.

Acceptance criteria 1 and 4 of issue 2: float64 central differences of the
loss ``sum(R * out)`` with respect to X, every array in ``params`` and the
initial state; "batched equals one at a time"; and float32 in, float32 out.
"""

import numpy as np
import pytest

from reference_cells import CLASSIC_VARIANTS, random_initial_state, random_params, ragged_mask
from sklstm.core import RecurrentLayer

B, T, F, H = 3, 5, 2, 3
LENGTHS = (5, 2, 4)
STEP = 1e-5  # central-difference step
FLOOR = 1e-3  # relative errors are taken against max(|analytic|, |numeric|, FLOOR)


def make_layer(variant, dtype="float64", seed=0):
    """Layer with random non-zero params (peepholes and R included)."""
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=seed, dtype=dtype)
    layer.params = random_params(layer.params, np.random.default_rng(seed + 100))
    return layer


def make_inputs(variant, masked, dtype="float64", seed=1):
    """X (B, T, F), mask (B, T) or None, initial state, loss weights R (B, T, H)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, T, F)).astype(dtype)
    mask = ragged_mask(LENGTHS, T) if masked else None
    initial_state = random_initial_state(variant, B, H, rng, dtype)
    R = rng.standard_normal((B, T, H)).astype(dtype)
    return X, mask, initial_state, R


def numerical_gradient(loss, array):
    """Central differences of ``loss()`` with respect to every entry of ``array``.

    ``array`` is perturbed in place and restored.
    """
    grad = np.zeros_like(array)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)  # views
    for k in range(flat.size):
        original = flat[k]
        flat[k] = original + STEP
        plus = loss()
        flat[k] = original - STEP
        minus = loss()
        flat[k] = original
        flat_grad[k] = (plus - minus) / (2 * STEP)
    return grad


def worst_relative_error(analytic, numeric):
    """max |a - n| / max(|a|, |n|, FLOOR), elementwise."""
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), FLOOR)
    return float(np.max(np.abs(analytic - numeric) / scale))


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "ragged"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_gradients_match_central_differences(variant, masked, reverse):
    layer = make_layer(variant)
    X, mask, initial_state, R = make_inputs(variant, masked)
    params = {key: value.copy() for key, value in layer.params.items()}

    def loss():
        layer.params = params  # re-set each time: the core may repack params
        out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
        return np.sum(R * out)

    layer.params = params
    _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    dX, grads = layer.backward(R.copy(), cache)
    assert set(grads) == set(params) | {"initial_state"}
    assert set(grads["initial_state"]) == set(initial_state)

    analytic = {"X": dX, **{key: grads[key] for key in params}}
    analytic.update({f"initial_state[{key}]": grads["initial_state"][key] for key in initial_state})
    wrt = {"X": X, **params}
    wrt.update({f"initial_state[{key}]": value for key, value in initial_state.items()})
    errors = {}
    for name, array in wrt.items():
        assert analytic[name].shape == array.shape, name
        errors[name] = worst_relative_error(analytic[name], numerical_gradient(loss, array))
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_no_initial_state_equals_zero_initial_state(variant):
    layer = make_layer(variant)
    X, mask, initial_state, R = make_inputs(variant, masked=True)
    zeros = {key: np.zeros_like(value) for key, value in initial_state.items()}
    out, cache = layer.forward(X, mask=mask)
    dX, grads = layer.backward(R, cache)
    out_zero, cache_zero = layer.forward(X, mask=mask, initial_state=zeros)
    dX_zero, grads_zero = layer.backward(R, cache_zero)
    np.testing.assert_allclose(out, out_zero, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dX, dX_zero, rtol=0, atol=1e-12)
    for key in layer.params:
        np.testing.assert_allclose(grads[key], grads_zero[key], rtol=0, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_batched_equals_one_at_a_time(variant, reverse):
    """Each sequence of a ragged batch behaves exactly as that sequence alone.

    For row ``b``, the batch is backpropagated with ``d_out`` non-zero only on
    row ``b``'s valid steps, so its parameter gradients are row ``b``'s alone.
    """
    layer = make_layer(variant)
    X, mask, initial_state, d_out = make_inputs(variant, masked=True)
    out, _ = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    for b, length in enumerate(LENGTHS):
        alone_state = {key: value[b : b + 1] for key, value in initial_state.items()}
        alone_X = X[b : b + 1, :length].copy()
        out_alone, cache_alone = layer.forward(alone_X, initial_state=alone_state, reverse=reverse)
        dX_alone, grads_alone = layer.backward(d_out[b : b + 1, :length].copy(), cache_alone)
        np.testing.assert_allclose(out[b, :length], out_alone[0], rtol=0, atol=1e-12)

        d_row = np.zeros_like(d_out)
        d_row[b, :length] = d_out[b, :length]
        _, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
        dX, grads = layer.backward(d_row, cache)
        expected_dX = np.zeros_like(X)
        expected_dX[b, :length] = dX_alone[0]
        np.testing.assert_allclose(dX, expected_dX, rtol=0, atol=1e-12)
        for key in layer.params:
            np.testing.assert_allclose(grads[key], grads_alone[key], rtol=1e-10, atol=1e-12, err_msg=key)
        for key, value in grads["initial_state"].items():
            expected = np.zeros_like(value)
            expected[b] = grads_alone["initial_state"][key][0]
            np.testing.assert_allclose(value, expected, rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_float32_stays_float32(variant, reverse):
    layer = make_layer(variant, dtype="float32")
    X, mask, initial_state, d_out = make_inputs(variant, masked=True, dtype="float32")
    assert all(value.dtype == np.float32 for value in layer.params.values())
    out, cache = layer.forward(X, mask=mask, initial_state=initial_state, reverse=reverse)
    dX, grads = layer.backward(d_out, cache)
    assert out.dtype == np.float32
    assert dX.dtype == np.float32
    for key, value in cache["final_state"].items():
        assert value.dtype == np.float32, key
    for key in layer.params:
        assert grads[key].dtype == np.float32, key
    for key, value in grads["initial_state"].items():
        assert value.dtype == np.float32, key
    for key, value in layer.trace(X, mask=mask, reverse=reverse).items():
        assert value.dtype == np.float32, key
    # and float32 agrees with float64 on the same numbers
    layer64 = RecurrentLayer(variant, input_size=F, hidden_size=H, dtype="float64")
    layer64.params = {key: value.astype(np.float64) for key, value in layer.params.items()}
    state64 = {key: value.astype(np.float64) for key, value in initial_state.items()}
    out64, _ = layer64.forward(X.astype(np.float64), mask=mask, initial_state=state64, reverse=reverse)
    np.testing.assert_allclose(out, out64, rtol=0, atol=1e-5)


@pytest.mark.parametrize("variant", CLASSIC_VARIANTS)
def test_default_dtype_is_float32(variant):
    layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=0)
    assert all(value.dtype == np.float32 for value in layer.params.values())
