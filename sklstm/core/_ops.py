"""In-place elementwise kernels and initialisers shared by the cell families.

Every kernel writes into its first argument and allocates nothing, so that the per-step
work of the hot loops runs on preallocated buffers. Derivatives are written in terms of
the activation's output, as in scikit-learn's ``neural_network/_base.py``.
"""

import numpy as np

from ._workspace import SCRATCH


def sigmoid_of_negated_(x, numerator=1):
    """``x <- numerator / (1 + exp(x))``, the logistic function of ``-x``, in place.

    ``np.exp`` is the cheapest transcendental NumPy has on this kind of machine (about
    half the cost of ``np.tanh`` per element, a third of ``scipy.special.expit``), so
    the cells negate the logistic gates' weights once per call (see
    ``Cell.forward_params``) and activate them here; ``exp`` overflowing to infinity
    gives the exact limit 0, so callers run it under ``np.errstate(over="ignore")``.
    With weights scaled by -2 and ``numerator`` 2 the same kernel gives
    ``1 + tanh(y) = 2 / (1 + exp(-2 y))``. ``numerator`` is a scalar or an array
    shaped like ``x``: ``np.divide`` runs vectorised either way, where
    ``np.reciprocal`` is 1.4-1.7x slower.
    """
    np.exp(x, out=x)
    x += 1
    np.divide(numerator, x, out=x)


def tanh_(x):
    """Hyperbolic tangent in place."""
    np.tanh(x, out=x)


def sigmoid_grad_(delta, y, scratch):
    """``delta *= y * (1 - y)``, the logistic derivative from its output ``y``."""
    np.subtract(1, y, out=scratch)
    scratch *= y
    delta *= scratch


def tanh_grad_(delta, y, scratch):
    """``delta *= 1 - y**2``, the tanh derivative from its output ``y``."""
    np.multiply(y, y, out=scratch)
    np.subtract(1, scratch, out=scratch)
    delta *= scratch


def flush_denormals_(x):
    """Set entries too small to matter to exact zero, in place.

    Gradients carried back through many steps decay towards denormal floats, on which
    OpenBLAS GEMMs run about 30 times slower; NumPy cannot set flush-to-zero, so the
    backward loops call this every few steps. The threshold, ``2**24`` times the
    smallest normal number, is far below any value that could change a result.
    """
    threshold = np.finfo(x.dtype).tiny * 2.0**24
    np.copyto(x, 0, where=np.abs(x) < threshold)


def glorot_uniform(rng, fan_in, fan_out, dtype):
    """``(fan_in, fan_out)`` weights uniform in ``+-sqrt(6 / (fan_in + fan_out))``."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def orthogonal(rng, size, dtype):
    """A ``(size, size)`` orthogonal matrix, uniformly distributed (QR with sign fix)."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return (q * np.sign(np.diag(r))).astype(dtype)


def orthogonal_blocks(rng, size, n_blocks, dtype):
    """``(size, n_blocks * size)``: ``n_blocks`` orthogonal blocks side by side."""
    return np.hstack([orthogonal(rng, size, dtype) for _ in range(n_blocks)])


def time_batch_columns(a, name):
    """``a`` (T, P, B) laid out as ``(P, T*B)``: time and batch side by side, so that
    sums over both become one GEMM. A copy in the scratch buffer ``name``."""
    n_steps, p, batch = a.shape
    columns = SCRATCH.empty(name, (p, n_steps, batch), a.dtype)
    np.copyto(columns, a.transpose(1, 0, 2))
    return columns.reshape(p, n_steps * batch)


def contract_time_batch(a, b):
    """``sum_t a[t] @ b[t].T`` for ``a (T, P, B)``, ``b (T, Q, B)``: one GEMM, ``(P, Q)``."""
    return time_batch_columns(a, "contract_a") @ time_batch_columns(b, "contract_b").T
