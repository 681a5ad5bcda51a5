"""The hot loop's layout: stacked ``[h; x; 1]`` inputs, internal gate order, ``dA``.

Public parameters keep the layout users know from ``torch.nn.LSTM``: ``W`` (F, G*H),
``U`` (H, G*H), ``b`` (G*H,), gate blocks in the cell's ``gates`` order. The loops run
time-major with the batch along the columns, gate blocks in the cell's ``order``:

- **One GEMM per step.** ``stack_inputs`` lays each step's input under the hidden
  state, ``stacked[t] = [h_t; x_t; 1]`` (H+F+1, B), so that the cell's stacked weight
  ``A = [U^T, W^T, b]`` (G*H, H+F+1) gives every gate's input, recurrence and bias in
  one product; the cell writes ``h_{t+1}`` straight into ``stacked[t + 1, :H]``.
- **The weight gradients from the same block.** ``dA = sum_t d_gates[t] @
  stacked[t]^T`` holds dU, dW and db together (``stacked_weight_grad``), one GEMM per
  cache-sized chunk of steps.
"""

import numpy as np

from ._ops import time_batch_columns

#: Bytes of the gate gradients and stacked inputs laid out for one weight-gradient GEMM
#: (``stacked_weight_grad``): a chunk of steps that stays in a typical L2 cache.
CHUNK_BYTES = 2**20
#: The parameters laid out by gate block (the other arrays are the cell's own).
_GATE_PARAMS = ("W", "U", "b")


def inner_columns(cell, hidden_size):
    """Column indices taking the public gate order to the cell's internal order, or
    None when the two are the same."""
    if cell.order == cell.gates:
        return None
    blocks = [np.arange(hidden_size) + cell.gates.index(g) * hidden_size
              for g in cell.order]
    return np.concatenate(blocks)


def to_inner(params, columns):
    """``params`` with the gate blocks of ``W``, ``U`` and ``b`` in internal order."""
    if columns is None:
        return params
    inner = dict(params)
    for key in _GATE_PARAMS:
        inner[key] = params[key][..., columns]
    return inner


def to_public(grads, columns):
    """The inverse of :func:`to_inner`, for gradients."""
    if columns is None:
        return grads
    public = dict(grads)
    for key in _GATE_PARAMS:
        public[key] = np.empty_like(grads[key])
        public[key][..., columns] = grads[key]
    return public


def stack_inputs(X, h0):
    """(B, T, F) and h0 (H, B) -> (T+1, H+F+1, B): ``[h_t; x_t; 1]`` per step, with
    ``h_0`` filled in and the cell writing each ``h_{t+1}``; the row of ones carries the
    bias through the step's GEMM, and the last step's inputs are zeros (never read)."""
    batch, n_steps, n_features = X.shape
    hidden_size = h0.shape[0]
    stacked = np.empty((n_steps + 1, hidden_size + n_features + 1, batch), dtype=X.dtype)
    stacked[0, :hidden_size] = h0
    stacked[:-1, hidden_size:-1] = X.transpose(1, 2, 0)
    stacked[-1, hidden_size:-1] = 0
    stacked[:, -1] = 1
    return stacked


def stacked_weight_grad(d_gates, weight_inputs):
    """``dA = sum_t d_gates[t] @ inputs[t]^T`` (G*H, H+F+1), whose columns are dU, dW
    and db, for ``weight_inputs`` ``[(rows, inputs (T, H+F+1, B))]`` (the GRU's
    candidate rows read ``[reset * h; x; 1]``, the other rows ``[h; x; 1]``).

    One GEMM per chunk of steps laid out as ``(., n*B)`` while it is in cache: 0.7-1.0x
    the time of a GEMM per step, and of one copy of all steps and one GEMM (copying
    rows of B floats costs more than the GEMM saves).
    """
    n_steps, n_rows, batch = d_gates.shape
    n_columns = weight_inputs[0][1].shape[1]
    d_stacked = np.zeros((n_rows, n_columns), dtype=d_gates.dtype)
    product = np.empty_like(d_stacked)
    size = max(1, CHUNK_BYTES // ((n_rows + n_columns) * batch * d_gates.itemsize))
    for rows, inputs in weight_inputs:
        for start in range(0, n_steps, size):
            steps = slice(start, start + size)
            np.matmul(time_batch_columns(d_gates[steps, rows], "d_gates_by_gate"),
                      time_batch_columns(inputs[steps], "inputs").T, out=product[rows])
            d_stacked[rows] += product[rows]
    return d_stacked


def split_stacked(d_stacked, hidden_size):
    """``dA`` (G*H, H+F+1) -> ``{"U": (H, G*H), "W": (F, G*H), "b": (G*H,)}``."""
    return {
        "U": np.ascontiguousarray(d_stacked[:, :hidden_size].T),
        "W": np.ascontiguousarray(d_stacked[:, hidden_size:-1].T),
        "b": d_stacked[:, -1].copy(),  # the ones row gives db
    }
