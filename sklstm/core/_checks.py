"""Argument checks of the core's public entry points: the constructor and the public
methods of :class:`~sklstm.core.RecurrentLayer`, and the cells' options.

Each check raises a ValueError or TypeError that says what was expected and what came,
and returns the argument in the form the layer computes with. The network, whose
arrays are data the estimators validated or the outputs of the layer below, calls the
layer's unchecked path, which runs none of them.
"""

import numbers

import numpy as np

DTYPES = ("float32", "float64")


def is_int(value):
    """Whether ``value`` is an integer (Python's or NumPy's), and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# ----------------------------------------------------------------- constructor
def check_size(value, name):
    """``value`` as an int >= 1."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int >= 1; got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value}.")
    return int(value)


def check_real(value, name):
    """``value`` as a finite float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number; got {value!r}.")
    return float(value)


def check_dtype(dtype):
    """The name of ``dtype``, one of ``DTYPES``."""
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
    return name


def check_options(variant, cell, options):
    """Raise a TypeError for options the variant's cell does not declare."""
    unknown = sorted(set(options) - set(cell.options))
    if unknown:
        raise TypeError(
            f"variant {variant!r} takes the options {sorted(cell.options)}; got {unknown}."
        )


def as_rng(random_state):
    """A NumPy Generator or RandomState from ``random_state``."""
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if random_state is None or is_int(random_state):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState; "
        f"got {random_state!r}."
    )


def check_params(params, shapes, dtype):
    """``params`` with the keys and shapes of ``shapes``, finite, cast to ``dtype``."""
    if not isinstance(params, dict) or set(params) != set(shapes):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {sorted(shapes)}; got {got}.")
    checked = {}
    for key, shape in shapes.items():
        value = np.asarray(params[key])
        if value.shape != shape:
            raise ValueError(f"params[{key!r}] must have shape {shape}; got {value.shape}.")
        if value.dtype.kind not in "biuf" or not np.isfinite(value).all():
            raise ValueError(f"params[{key!r}] must hold finite real numbers.")
        if value.dtype != dtype or not value.flags.c_contiguous:
            value = np.ascontiguousarray(value, dtype=dtype)
        checked[key] = value  # the array itself when it fits: tied layers share it
    return checked


# ----------------------------------------------------- forward and trace
def check_X(layer, X):
    """``X`` as a finite (B, T, F) array of the layer's dtype, B and T at least 1."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    if X.ndim != 3:
        raise ValueError(
            f"X must be 3-D, (batch, time, features); got {X.ndim}-D with shape {X.shape}."
        )
    if X.shape[2] != layer.input_size:
        raise ValueError(
            f"X has {X.shape[2]} features per step; this layer expects "
            f"input_size={layer.input_size}."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one sequence and one step; got {X.shape}.")
    X = X.astype(layer.dtype, copy=False)
    if not np.isfinite(X).all():
        raise ValueError(f"X contains NaN or infinity (in {layer.dtype}); "
                         "remove or impute them.")
    return X


def check_mask(mask, batch, n_steps):
    """The lengths (B,) of a boolean ``mask`` (B, T) of right-padded sequences, or None
    for ``mask=None`` (every step valid)."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a boolean array; got dtype {mask.dtype}.")
    if mask.shape != (batch, n_steps):
        raise ValueError(
            f"mask must have shape {(batch, n_steps)} (B, T) to match X; got {mask.shape}."
        )
    lengths = mask.sum(axis=1)
    if not np.array_equal(mask, np.arange(n_steps) < lengths[:, None]):
        raise ValueError(
            "mask: the valid steps of each row must form a prefix (right padding): "
            "True up to the sequence's length, False after it."
        )
    return lengths


def check_side_inputs(layer, given, shape):
    """The side inputs the layer's variant requires, checked: {name: (B, T, H) array}."""
    batch, n_steps, _ = shape
    expected = (batch, n_steps, layer.hidden_size)
    checked = {}
    for key, value in given.items():
        if key not in layer.side_inputs:
            if value is not None:
                raise ValueError(f"{key} is only for the depth-gated and grid variants; "
                                 f"variant {layer.variant!r} takes none.")
            continue
        if value is None and layer.cell.side_inputs_optional:
            continue  # the bottom of a stack
        if value is None:
            raise ValueError(
                f"variant {layer.variant!r} reads the cell of the layer below: pass "
                f"{key}=(B, T, H) array (RecurrentLayer.cell_output of that layer)."
            )
        value = np.asarray(value, dtype=layer.dtype)
        if value.shape != expected:
            raise ValueError(f"{key} must have shape {expected} (B, T, H); got {value.shape}.")
        if not np.isfinite(value).all():
            raise ValueError(
                f"{key} contains NaN or infinity; pass the lower layer's cell_output "
                f"(finite at every position), not its trace (NaN past each length)."
            )
        checked[key] = value
    return checked


def check_initial_state(layer, initial_state, batch):
    """The initial (hidden, cell) as (H, B) arrays, cell None for variants without one;
    zeros for ``initial_state=None``."""
    if initial_state is None:
        return zero_state(layer, batch)
    keys = ("hidden", "cell") if layer.has_cell else ("hidden",)
    if not isinstance(initial_state, dict) or set(initial_state) != set(keys):
        got = sorted(initial_state) if isinstance(initial_state, dict) else type(initial_state)
        raise ValueError(
            f"initial_state must be a dict with keys {sorted(keys)} for variant "
            f"{layer.variant!r}; got {got}."
        )
    states = []
    for key in keys:
        value = np.asarray(initial_state[key], dtype=layer.dtype)
        if value.shape != (batch, layer.hidden_size):
            raise ValueError(
                f"initial_state[{key!r}] must have shape {(batch, layer.hidden_size)} "
                f"(B, H); got {value.shape}."
            )
        states.append(np.ascontiguousarray(value.T))
    return states[0], states[1] if layer.has_cell else None


def zero_state(layer, batch):
    """Zero (hidden, cell) of shape (H, B), cell None for variants without one."""
    zeros = np.zeros((layer.hidden_size, batch), dtype=layer.dtype)
    return zeros, zeros if layer.has_cell else None


# -------------------------------------------------------------------- backward
def check_gradients(layer, d_out, d_cell, shape):
    """``d_out`` and ``d_cell`` (or None) as (B, T, H) arrays of the layer's dtype."""
    if d_cell is not None and not layer.has_cell:
        raise ValueError(f"d_cell given, but variant {layer.variant!r} has no cell.")
    checked = []
    for name, value in (("hidden", d_out), ("cell", d_cell)):
        if value is not None:
            value = np.asarray(value, dtype=layer.dtype)
            if value.shape != shape:
                raise ValueError(f"{name} gradient must have shape {shape} "
                                 f"(B, T, H); got {value.shape}.")
        checked.append(value)
    return tuple(checked)
