"""A fitted network over a whole dataset, in batches: raw outputs and traces.

Prediction runs the network in eval mode over length-bucketed batches sized to a
memory budget, on one BLAS thread (see ``sklstm.core.blocks_on_one_blas_thread``),
and writes each batch's rows into one result.
"""

import numpy as np

from ._chunking import phase_readings
from ._data import minibatches
from .core import blocks_on_one_blas_thread
from .core._checks import is_int

#: Elements of one (B, T, H) activation array allowed per prediction batch.
PREDICT_BUDGET = 2**20


def predict_raw(network, dataset, offsets=None, batch_size=None):
    """Raw output (n_samples, n_outputs) in float64: the network's, averaged over
    the phases of the chunk boundaries the dataset is read at (one but where
    training shifted them: :func:`~sklstm._chunking.phase_readings`), plus
    ``offsets``.

    Parameters
    ----------
    network : RecurrentNetwork
    dataset : SequenceDataset or a view of one
    offsets : ndarray of shape (n_samples, n_outputs), default=None
        The linear part's output, where there is one.
    batch_size : int, default=None
        Samples per batch; by default as many as :data:`PREDICT_BUDGET` allows.

    Returns
    -------
    raw : ndarray of shape (n_samples, n_outputs)
        float64 whatever the network computes in: the precision scikit-learn
        expects of predictions.
    """
    n_outputs = network.head["head_b"].shape[0]
    raw = np.zeros((dataset.n_samples, n_outputs), dtype=np.float64)
    readings = phase_readings(dataset)
    with blocks_on_one_blas_thread():
        for reading in readings:
            for idx in prediction_batches(network, reading, batch_size):
                X, lengths = reading.batch(idx)  # (b, T_b, F), (b,)
                raw[idx] += network.forward(X, lengths, training=False)[0]
    raw /= len(readings)
    if offsets is not None:
        raw += offsets
    return raw


def trace_all(network, dataset, layer, direction):
    """``network.trace`` of one layer over the whole dataset: name -> (n, T, ...)
    with NaN past each sequence's length."""
    result = {}
    shape = (dataset.n_samples, int(dataset.lengths.max()))
    with blocks_on_one_blas_thread():
        for idx in prediction_batches(network, dataset):
            X, lengths = dataset.batch(idx)
            for name, values in network.trace(X, lengths, layer, direction).items():
                out = result.setdefault(
                    name, np.full(shape + values.shape[2:], np.nan, values.dtype))
                out[idx, :values.shape[1]] = values
    return result


def prediction_batches(network, dataset, batch_size=None):
    """Index batches over ``dataset``, of ``batch_size`` or sized to the budget."""
    if batch_size is None:
        width = sum(layer.hidden_size for layer in network.layers[-1])
        longest = int(dataset.lengths.max()) if dataset.n_samples else 1
        batch_size = max(1, PREDICT_BUDGET // (longest * width))
    return minibatches(dataset.lengths, batch_size, shuffle=False, random_state=None)


def check_trace_position(network, layer, direction):
    """``layer`` as an index >= 0 into ``network.layers`` and ``direction``, or a
    ValueError naming the valid values."""
    n_layers = len(network.layers)
    if not (is_int(layer) and -n_layers <= layer < n_layers):
        raise ValueError(
            f"layer must be an int in [-{n_layers}, {n_layers}): an index into "
            f"the {n_layers} recurrent layer(s), negative from the top; got "
            f"{layer!r}.")
    n_directions = len(network.layers[layer])
    if not (is_int(direction) and 0 <= direction < n_directions):
        valid = "0 (forward) or 1 (reverse)" if n_directions == 2 else (
            "0 (the model is not bidirectional)")
        raise ValueError(f"direction must be {valid}, got {direction!r}.")
    return int(layer) % n_layers, int(direction)
