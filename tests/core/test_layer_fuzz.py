"""Fuzzing ``RecurrentLayer``: hypothesis draws layers and inputs for the recurrent core.

Variants (all of ``sklstm.core.VARIANTS``, with their options), sizes, lengths,
right-padded masks (length-1 rows included), directions, initial states and
dtypes. Checked: outputs and gradients are finite with the documented shapes and
dtype; padded steps get no gradient; and in float64 the gradient agrees with a
central difference along a random direction in (X, params, lower_cell) space.
"""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklstm.core import VARIANTS, RecurrentLayer, variant_options

EPS = 1e-5  # central-difference step along a unit-scale direction


@st.composite
def cases(draw):
    variant = draw(st.sampled_from(VARIANTS))
    options = variant_options(variant)
    hidden = draw(st.integers(1, 5))
    if "n_modules" in options:  # clockwork: hidden_size >= n_modules
        hidden = draw(st.integers(1, 6))
        options = {"n_modules": draw(st.integers(1, hidden))}
    batch = draw(st.integers(1, 3))
    steps = draw(st.integers(1, 6))
    features = draw(st.integers(1, 3))
    masked = draw(st.booleans())
    lengths = (draw(st.lists(st.integers(1, steps), min_size=batch, max_size=batch))
               if masked else None)
    return {
        "variant": variant, "options": options, "B": batch, "T": steps, "F": features,
        "H": hidden, "lengths": lengths, "reverse": draw(st.booleans()),
        "dtype": draw(st.sampled_from(["float32", "float64"])),
        "initial": draw(st.booleans()), "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build(case, dtype=None):
    dtype = dtype or case["dtype"]
    rng = np.random.default_rng(case["seed"])
    layer = RecurrentLayer(case["variant"], case["F"], case["H"], random_state=rng,
                           dtype=dtype, **case["options"])
    # random, non-zero weights everywhere the variant has a connection
    layer.params = layer.cell.mask_params({
        k: (0.5 * rng.standard_normal(v.shape)).astype(dtype) for k, v in layer.params.items()})
    B, T, H = case["B"], case["T"], case["H"]
    X = rng.standard_normal((B, T, case["F"])).astype(dtype)
    mask = None
    if case["lengths"] is not None:
        mask = np.arange(T) < np.asarray(case["lengths"])[:, None]  # (B, T) prefixes
    side = {}
    if "lower_cell" in layer.cell.side_inputs:
        side["lower_cell"] = rng.standard_normal((B, T, H)).astype(dtype)
    initial = None
    if case["initial"]:
        keys = ("hidden", "cell") if layer.has_cell else ("hidden",)
        initial = {k: (0.5 * rng.standard_normal((B, H))).astype(dtype) for k in keys}
    R = rng.standard_normal((B, T, H)).astype(dtype)  # loss = sum(R * out)
    return layer, X, mask, side, initial, R, rng


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_forward_backward_finite_and_shaped(case):
    layer, X, mask, side, initial, R, _ = build(case)
    B, T, H = case["B"], case["T"], case["H"]
    out, cache = layer.forward(X, mask=mask, initial_state=initial,
                               reverse=case["reverse"], **side)
    assert out.shape == (B, T, H) and out.dtype == np.dtype(case["dtype"])
    assert np.isfinite(out).all()
    final = cache["final_state"]
    assert final["hidden"].shape == (B, H) and np.isfinite(final["hidden"]).all()
    if mask is not None and not case["reverse"]:
        rows = np.arange(B)
        last = np.asarray(case["lengths"]) - 1
        np.testing.assert_array_equal(out[rows, -1], out[rows, last])  # padding repeats
    dX, grads = layer.backward(R, cache)
    assert dX.shape == X.shape and np.isfinite(dX).all()
    for key, value in layer.params.items():
        assert grads[key].shape == value.shape, key
        assert np.isfinite(grads[key]).all(), key
    if mask is not None:
        assert not dX[~mask].any(), "gradient flowed into padded steps"
    trace = layer.trace(X, mask=mask, reverse=case["reverse"], initial_state=initial,
                        **side)
    valid = np.ones((B, T), bool) if mask is None else mask
    for name, values in trace.items():
        assert values.shape == (B, T, H), name
        assert np.isfinite(values[valid]).all(), name
        assert np.isnan(values[~valid]).all(), name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_directional_derivative_matches_central_difference(case):
    layer, X, mask, side, initial, R, rng = build(case, dtype="float64")
    params = {k: v.copy() for k, v in layer.params.items()}
    # a random direction in (X, params, side inputs), zero where the variant has no
    # connection (clockwork) and at padded steps (which must not matter)
    dirs_params = layer.cell.mask_params(
        {k: rng.standard_normal(v.shape) for k, v in params.items()})
    dir_X = rng.standard_normal(X.shape)
    dir_side = {k: rng.standard_normal(v.shape) for k, v in side.items()}

    def loss(t):
        layer.params = {k: params[k] + t * dirs_params[k] for k in params}
        moved_side = {k: side[k] + t * dir_side[k] for k in side}
        out, _ = layer.forward(X + t * dir_X, mask=mask, initial_state=initial,
                               reverse=case["reverse"], **moved_side)
        return float(np.sum(R * out))

    numeric = (loss(EPS) - loss(-EPS)) / (2 * EPS)
    layer.params = params
    _, cache = layer.forward(X, mask=mask, initial_state=initial,
                             reverse=case["reverse"], **side)
    dX, grads = layer.backward(R, cache)
    analytic = float(np.sum(dX * dir_X))
    analytic += sum(float(np.sum(grads[k] * dirs_params[k])) for k in params)
    analytic += sum(float(np.sum(grads[k] * dir_side[k])) for k in side)
    assert np.isfinite(analytic) and np.isfinite(numeric)
    scale = max(abs(analytic), abs(numeric), 1e-3)
    assert abs(analytic - numeric) <= 1e-5 * scale, (analytic, numeric, case)
