"""In-place elementwise kernels and initialisers shared by the cell families.

Every kernel writes into its first argument and allocates nothing, so that the per-step
work of the hot loops runs on preallocated buffers. Derivatives are written in terms of
the activation's output, as in scikit-learn's ``neural_network/_base.py``.
"""

import numpy as np

from ._workspace import SCRATCH


def _constants(value):
    """``value`` as a 0-d array of each float dtype, keyed by dtype."""
    return {np.dtype(name): np.array(value, dtype=name) for name in ("float32", "float64")}


# The kernels' constants as 0-d arrays of the operands' dtype: a Python float costs
# a conversion on every call (~0.2 us, a third of a call on a (32, 64) block).
HALF, ONE = _constants(0.5), _constants(1.0)
# ``flush_denormals_``'s threshold by dtype (np.finfo costs more than the flush).
_DENORMAL_THRESHOLD = {np.dtype(name): np.finfo(name).tiny * 2.0**24
                       for name in ("float32", "float64")}


def logistic_from_tanh_(x):
    """``x <- (1 + x) / 2``: a logistic gate from ``tanh`` of half its pre-activation.

    ``sigma(z) = (1 + tanh(z / 2)) / 2``. The cells fold the inner 1/2 into the
    logistic gates' rows of their stacked weight (``Cell.forward_params``), so one
    ``np.tanh`` over a step's contiguous gate blocks activates the logistic gates and
    the tanh candidate together, and this multiply-add finishes the logistic rows.
    One ``tanh`` call beat ``1 / (1 + exp(-z))`` (three calls, and ``exp`` costs more
    per element than NumPy 2's vectorised float32 ``tanh``) by 10-15% a forward pass.
    """
    half = HALF[x.dtype]
    np.multiply(x, half, out=x)
    np.add(x, half, out=x)


def sigmoid_grad_(delta, y, scratch):
    """``delta *= y * (1 - y)``, the logistic derivative from its output ``y``."""
    np.subtract(ONE[y.dtype], y, out=scratch)
    np.multiply(scratch, y, out=scratch)
    np.multiply(delta, scratch, out=delta)


def tanh_grad_(delta, y, scratch):
    """``delta *= 1 - y**2``, the tanh derivative from its output ``y``."""
    np.multiply(y, y, out=scratch)
    np.subtract(ONE[y.dtype], scratch, out=scratch)
    np.multiply(delta, scratch, out=delta)


def gate_grads_(delta, y, n_logistic, scratch):
    """``delta *= y (1 - y)`` on the first ``n_logistic`` rows (logistic gates) and
    ``delta *= 1 - y**2`` on the rest (tanh), from the activations ``y``.

    Four calls for every gate of a step instead of six: one square over all rows,
    ``y - y**2`` and ``1 - y**2`` from it, one multiply.
    """
    np.multiply(y, y, out=scratch)
    logistic, squares = scratch[:n_logistic], scratch[n_logistic:]
    np.subtract(y[:n_logistic], logistic, out=logistic)
    np.subtract(ONE[y.dtype], squares, out=squares)
    np.multiply(delta, scratch, out=delta)


def flush_denormals_(x):
    """Set entries too small to matter to exact zero, in place.

    Gradients carried back through many steps decay towards denormal floats, on which
    OpenBLAS GEMMs run about 30 times slower; NumPy cannot set flush-to-zero, so the
    backward loops call this every few steps. The threshold, ``2**24`` times the
    smallest normal number, is far below any value that could change a result.
    """
    np.copyto(x, 0, where=np.abs(x) < _DENORMAL_THRESHOLD[x.dtype])


def glorot_uniform(rng, fan_in, fan_out, dtype, shape=None):
    """Weights uniform in ``+-sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010).

    Parameters
    ----------
    rng : numpy.random.Generator or RandomState
    fan_in, fan_out : int
        The sizes that set the bound.
    dtype : str or dtype
    shape : tuple of int, default=None
        Shape of the draw; ``(fan_in, fan_out)`` when None.

    Returns
    -------
    weights : ndarray of shape ``shape``
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    shape = (fan_in, fan_out) if shape is None else shape
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


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
