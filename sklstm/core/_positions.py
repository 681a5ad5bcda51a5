"""Right padding and processing order: where each step of a sequence is read and written.

A batch of sequences of different lengths is right-padded to ``(B, T, .)`` and described
by its ``lengths`` (B,); the mask of its valid steps is ``mask_from_lengths``. The cells
run every sequence from step 0 to T-1 of their own, time-major buffers; these functions
put each sequence in processing order (reversed over its valid steps for the reverse
direction) and bring the per-step results back to input positions.
"""

import numpy as np

from ._workspace import SCRATCH


def mask_from_lengths(lengths, n_timesteps=None):
    """Boolean mask of the valid (non-padded) steps of right-padded sequences.

    Parameters
    ----------
    lengths : array-like of int of shape (B,)
    n_timesteps : int or None, default=None
        Width of the mask; the longest length when None.

    Returns
    -------
    mask : ndarray of shape (B, n_timesteps), bool
        ``mask[j, t]`` is True for ``t < lengths[j]``.

    Examples
    --------
    >>> from sklstm.core import mask_from_lengths
    >>> mask_from_lengths([2, 3]).astype(int)
    array([[1, 1, 0],
           [1, 1, 1]])
    """
    lengths = np.asarray(lengths)
    if n_timesteps is None:
        n_timesteps = int(lengths.max()) if lengths.size else 0
    return np.arange(n_timesteps) < lengths[:, None]  # (B, T)


def lengths_of(lengths, rows, n_steps):
    """The lengths of the sequences ``rows``, or None if each of them fills every step."""
    if lengths is None or lengths[rows].min() == n_steps:
        return None
    return lengths[rows]


def step_index(lengths, batch, n_steps, reverse):
    """(B, T) source positions that put each sequence in processing order, or None.

    For ``reverse``, position ``t < length`` reads ``length - 1 - t``; padded positions
    stay in place. The map is its own inverse, so it also brings results back.
    """
    if not reverse:
        return None
    t = np.arange(n_steps)
    if lengths is None:
        return np.broadcast_to(t[::-1], (batch, n_steps))
    return np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)


def output_positions(lengths, batch, n_steps, reverse):
    """(B, T) index into ``hidden`` (T+1, H, B) of each output position, or None.

    None means the plain layout: ``out[:, t]`` is ``hidden[t + 1]`` (forward) or
    ``hidden[T - t]`` (reverse).
    """
    if lengths is None:
        return None
    t = np.arange(n_steps)
    if reverse:  # padded positions hold the initial state, hidden[0]
        return np.where(t < lengths[:, None], lengths[:, None] - t, 0)
    return np.minimum(t + 1, lengths[:, None])  # padded positions repeat the last state


def gather_positions(hidden, positions, reverse):
    """``out`` (B, T, H) from ``hidden`` (T+1, H, B)."""
    if positions is None:
        steps = hidden[:0:-1] if reverse else hidden[1:]  # (T, H, B)
        return steps.transpose(2, 0, 1)
    columns = np.arange(hidden.shape[2])[:, None]
    return hidden[positions, :, columns]


def scatter_positions(d_out, positions, reverse, name):
    """The adjoint of :func:`gather_positions`: ``d_hidden`` (T+1, H, B), in scratch."""
    batch, n_steps, hidden_size = d_out.shape
    if positions is None:
        d_hidden = SCRATCH.empty(name, (n_steps + 1, hidden_size, batch), d_out.dtype)
        d_hidden[0] = 0
        time_major_(d_hidden[:0:-1] if reverse else d_hidden[1:], d_out)
        return d_hidden
    by_sequence = np.zeros((batch, n_steps + 1, hidden_size), dtype=d_out.dtype)
    np.add.at(by_sequence, (np.arange(batch)[:, None], positions), d_out)
    return np.ascontiguousarray(by_sequence.transpose(1, 2, 0))


def time_major_(target, values):
    """``target`` (T, H, B) <- ``values`` (B, T, H).

    From sequence-major memory (a caller's array) in blocks of 32 sequences: NumPy's
    transposing copy reads all B rows of ``values`` for each row it writes, and
    blocks of 32 rows stay in cache, 1.4-2x faster from (B, T, H) = (128, 100, 64) on
    and the same below. From time-major memory (a layer's ``dX``, a view), one copy.
    """
    if values.strides[0] <= values.strides[2]:  # batch already the fastest axis
        np.copyto(target, values.transpose(1, 2, 0))
        return
    for start in range(0, values.shape[0], 32):
        target[..., start:start + 32] = values[start:start + 32].transpose(1, 2, 0)


def to_positions(values, steps):
    """(T, ., B) per processed step -> (B, T, .) aligned with input positions, for the
    ``steps`` of :func:`step_index`."""
    values = values.transpose(2, 0, 1)
    if steps is None:
        return values
    return values[np.arange(values.shape[0])[:, None], steps]
