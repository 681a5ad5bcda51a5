"""Fixtures of the core's tests: layers and inputs of the requesting module's sizes.

Each test module of the core declares its sizes ``B, T, F, H`` (batch, steps, input
features, hidden units) and ``LENGTHS`` (the valid steps of each row of a ragged
batch); the factories below read them from the module that asks, so one definition
serves files that test at different sizes.
"""

import numpy as np
import pytest

from sklstm.core import RecurrentLayer

from tests.reference_cells import (
    GATES,
    ragged_mask,
    random_initial_state,
    random_params,
    random_side_inputs,
)


@pytest.fixture
def make_layer(request):
    """Factory: ``make_layer(variant, options=None, dtype="float64", seed=0,
    depth_block=True)``, a layer with random non-zero params (peepholes, R and
    clockwork's unused U entries included). ``depth_block=False`` zeroes
    ``depth_gated``'s depth block of ``U``, as the documentation says it is kept."""
    F, H = request.module.F, request.module.H

    def make(variant, options=None, dtype="float64", seed=0, depth_block=True):
        layer = RecurrentLayer(variant, input_size=F, hidden_size=H, random_state=seed,
                               dtype=dtype, **(options or {}))
        layer.params = random_params(layer.params, np.random.default_rng(seed + 100))
        if "depth" in GATES[variant] and not depth_block:
            k = GATES[variant].index("depth")
            layer.params["U"][:, k * H : (k + 1) * H] = 0
        return layer

    return make


@pytest.fixture
def make_inputs(request):
    """Factory: ``make_inputs(variant, masked, dtype="float64", seed=1)`` -> X (B, T, F),
    mask (B, T) or None, a random initial state, the variant's side inputs, and loss
    weights R and Rc (B, T, H) for ``sum(R * out) + sum(Rc * cell_output)``."""
    B, T, F, H = (getattr(request.module, name) for name in "BTFH")
    lengths = request.module.LENGTHS

    def make(variant, masked, dtype="float64", seed=1):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((B, T, F)).astype(dtype)
        mask = ragged_mask(lengths, T) if masked else None
        initial_state = random_initial_state(variant, B, H, rng, dtype)
        side = random_side_inputs(variant, B, T, H, rng, dtype)
        R = rng.standard_normal((B, T, H)).astype(dtype)
        Rc = rng.standard_normal((B, T, H)).astype(dtype)
        return X, mask, initial_state, side, R, Rc

    return make
