"""Training an echo state network: its reservoir stays as drawn, its readout learns.

A network of ``variant="esn"`` layers (:mod:`sklstm.core._esn`) holds a fixed random
reservoir; only the pooling and the dense head train (Jaeger 2001). The reservoir is
run once per call, forward, in eval mode, and what the trained part reads is kept:

    X -> reservoir (fixed) -> top outputs (n, T, D*H) -> pooling -> states (n, D*H)
      -> head: raw = states @ head_W + head_b

With ``pooling="last"`` or ``"mean"`` the pooled states are kept, (n, D*H); with
``"attention"``, whose weights train, the top outputs, (n, T, D*H). Then:

- **closed form** where the head is linear in its parameters and the loss is the
  squared error: ``LSTMRegressor`` (identity output) with "last" or "mean" pooling.
  The head is the ridge regression of the targets (what the linear part leaves, with
  one) on the states, penalty ``alpha``, intercept unpenalised: the minimiser of the
  loss the training loop would descend, ``(sum w ||y - raw||^2 + alpha ||head_W||^2)
  / (2 sum w)``, in one solve instead of epochs (Lukoševičius 2012, Sec. 4.1).
  ``fit`` solves on its data (with ``warm_start`` too: the reservoir and the linear
  part are kept, the readout re-solved); ``partial_fit`` adds its chunk's sufficient
  statistics (``X^T X``, ``X^T y``, ...: :class:`~sklstm._ridge.RidgeStatistics`) to
  those of the calls before and re-solves, so partial_fit over chunks gives the
  readout of one fit on all of them (to float64 rounding): the ESN's online rule. The
  statistics are kept with the model (pickles included): (D*H)^2 floats.
- **by the training loop** otherwise: ``LSTMClassifier`` (softmax or logistic head:
  multinomial or binary logistic regression on the fixed states, convex), and
  attention pooling. The loop runs on the kept states, not the reservoir, so an
  epoch costs a head's forward and backward; ``warm_start``, ``partial_fit``, early
  stopping and ``dropout`` (before the head) work as for every variant.

``dropout`` between stacked reservoirs is not applied: the states the readout trains
on are those it predicts from.
"""

import copy
import dataclasses

import numpy as np
from sklearn.base import is_regressor

from ._data import minibatches
from ._network import POOLINGS, RecurrentNetwork, sequence_mask
from ._ridge import RidgeStatistics
from .core._parallel import blocks_on_one_blas_thread

#: Elements of one (T, D*H) array of top outputs per batch of the reservoir's run.
STATES_BUDGET = 2**20


def is_reservoir(network):
    """True when no layer of ``network`` is trained (every one an ``"esn"`` reservoir)."""
    return not any(layer.cell.trained for layers in network.layers for layer in layers)


def fit_readout(estimator, inputs, network, first_pass, incremental, rng):
    """Train the readout of the reservoir ``network`` on ``inputs``; the estimator's
    ``_fit`` for an echo state network (see the module docstring).

    Parameters
    ----------
    estimator : LSTMClassifier or LSTMRegressor
    inputs : _FitInputs
        Checked; ``inputs.dataset`` as the network reads it.
    network : RecurrentNetwork
        New, or the fitted one to continue.
    first_pass, incremental : bool
        As in ``BaseRecurrent._fit``.
    rng : RandomState

    Returns
    -------
    estimator
    """
    with blocks_on_one_blas_thread():
        states = reservoir_states(network, inputs.dataset)
    inputs = dataclasses.replace(inputs, dataset=states)
    if is_regressor(estimator) and network.pooling != "attention":
        return _fit_ridge(estimator, inputs, network, first_pass, incremental)
    return estimator._train(inputs, network, readout_network(network), first_pass,
                            incremental, rng)


def _fit_ridge(estimator, inputs, network, first_pass, incremental):
    """The closed-form readout: ridge of the targets on the pooled states."""
    targets = inputs.Y if inputs.offsets is None else inputs.Y - inputs.offsets
    previous = getattr(estimator, "_readout_statistics", None)
    if incremental and not first_pass and previous is not None:
        statistics = copy.deepcopy(previous)  # the estimator changes only at _commit
    else:
        statistics = RidgeStatistics(inputs.dataset.n_features, targets.shape[1])
    statistics.add(inputs.dataset.states[:, 0], targets, inputs.sample_weight)
    coef, intercept = statistics.solve(estimator.alpha)
    loss = statistics.loss(coef, estimator.alpha)
    estimator._commit(inputs, network, first_pass)
    np.copyto(network.head["head_W"], coef, casting="same_kind")
    np.copyto(network.head["head_b"], intercept, casting="same_kind")
    estimator._readout_statistics = statistics
    estimator.do_early_stopping_ = False
    history = estimator._current_history()
    history.n_iter = history.n_iter + 1 if incremental else 1  # one solve
    history.t += inputs.dataset.n_samples
    history.loss_curve.append(loss)
    history.best_loss = min(history.best_loss, loss)
    estimator._store_history(history)
    return estimator


class StatesDataset:
    """What the readout reads of each sample, kept: ``states`` (n, T, D*H) and the
    valid steps (n,) (T = 1 for pooled states); a dataset of :mod:`sklstm._data`'s
    kind for the training loop."""

    def __init__(self, states, lengths):
        self.states = states  # (n, T, D*H)
        self.lengths = lengths  # (n,)

    @property
    def n_samples(self):
        return self.lengths.shape[0]

    @property
    def n_features(self):
        return self.states.shape[2]

    def batch(self, indices):
        """``states`` of the samples ``indices`` up to their longest, and their lengths."""
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        lengths = self.lengths[indices]
        return self.states[indices, :lengths.max()], lengths

    def subset(self, indices):
        return StatesDataset(self.states[indices], self.lengths[indices])


def reservoir_states(network, dataset):
    """What ``network``'s readout reads of every sample of ``dataset``, run once in
    eval mode: the pooled states (pooling "last" or "mean"), or the top outputs
    (attention), as a :class:`StatesDataset`."""
    width = sum(layer.hidden_size for layer in network.layers[-1])  # D*H
    longest = int(dataset.lengths.max())
    pooled = network.pooling != "attention"
    steps = 1 if pooled else longest
    states = np.zeros((dataset.n_samples, steps, width), dtype=network.head["head_W"].dtype)
    pool = POOLINGS[network.pooling][0]
    batch_size = max(1, STATES_BUDGET // (longest * width))
    for idx in minibatches(dataset.lengths, batch_size, shuffle=False):
        X, lengths = dataset.batch(idx)  # (b, T_b, F)
        top = network.top_outputs(X, lengths)  # (b, T_b, D*H)
        if pooled:
            mask = sequence_mask(lengths, X.shape[1])
            states[idx, 0] = pool(top, mask, len(network.layers[-1]), network.head)[0]
        else:
            states[idx, :top.shape[1]] = top
    return StatesDataset(states, np.ones_like(dataset.lengths) if pooled else
                         dataset.lengths.copy())


class KeptStates:
    """Stands in for one direction's reservoir layer in the readout's network: its
    output is that direction's columns of the kept states; no parameters, no gradient.
    Follows the :class:`~sklstm.core.RecurrentLayer` contract the network uses."""

    side_inputs = ()

    def __init__(self, columns):
        self.columns = columns  # slice of the D*H columns
        self.params = {}

    def forward(self, X, mask=None, reverse=False, **side):
        return X[:, :, self.columns], None

    def backward(self, d_out, cache, d_cell=None, input_grad=True):
        return None, {}


def readout_network(network):
    """The trained part of ``network``: a network whose one layer reads the kept
    states (:func:`reservoir_states`) and whose pooling and head are ``network``'s own
    arrays, trained in place. Pooled states go through "last" pooling of their one
    step, which passes them on unchanged."""
    hidden_size = network.layers[-1][0].hidden_size
    stand_ins = tuple(KeptStates(slice(d * hidden_size, (d + 1) * hidden_size))
                      for d in range(len(network.layers[-1])))
    pooling = "attention" if network.pooling == "attention" else "last"
    return RecurrentNetwork([stand_ins], network.head, pooling=pooling,
                            dropout=network.dropout)
