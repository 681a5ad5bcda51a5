"""Training an echo state network: its reservoir stays as drawn, its readout learns.

A network of ``variant="esn"`` layers (:mod:`sklstm.core._esn`) holds fixed random
reservoirs; only the pooling and the dense head train (Jaeger 2001). Each call runs
the reservoir once, forward, in eval mode, and keeps what the trained part reads:

    X -> reservoirs (fixed) -> top outputs (n, T, D*H) -> pooling -> states (n, D*H)
      -> head: raw = states @ head_W + head_b

the pooled states (n, D*H) with ``pooling="last"`` or ``"mean"``, the top outputs
(n, T, D*H) with ``"attention"``, whose own weights train. With "last" or "mean" the
head is linear in its parameters on fixed states, and the penalised loss the loop
would descend, ``(sum w loss_i + alpha ||head_W||^2 / 2) / sum w``, is convex: ``fit``
solves it instead of running epochs.

- ``LSTMRegressor`` (squared error): the closed form, ridge regression of the targets
  (what the linear part leaves, with one) on the states, penalty ``alpha``, intercept
  unpenalised, the readout Lukoševičius (2012) recommends. ``partial_fit`` adds its
  chunk's sufficient statistics (``X^T X``, ``X^T y``, ...:
  :class:`~sklstm._ridge.RidgeStatistics`) to those of the calls before and solves
  again, so partial_fit over chunks gives the readout of one fit on all of them, to
  float64 rounding (the ESN's online rule); the statistics stay with the model,
  pickles included ((D*H)^2 floats). ``fit`` with ``warm_start`` keeps the reservoir
  (and linear part) and solves on its own data.
- ``LSTMClassifier`` (softmax, or logistic for binary and multilabel targets):
  multinomial (or binary) logistic regression on the states, solved by L-BFGS in
  float64 from the current head (so ``warm_start`` starts from it) to the gradient
  tolerance ``tol``, at most ``max_iter`` iterations (1000 for "auto"), the way
  ``LogisticRegression`` solves it. ``partial_fit`` is one epoch of the loop on its
  chunk's states, as for every variant (no closed form adds up over chunks here).
- ``pooling="attention"`` (not convex): the training loop on the kept top outputs,
  an epoch costing a head's forward and backward, as for every variant.

The solved readouts use every training sample (no validation set: ``early_stopping``
is not used) and no ``dropout``; ``loss_curve_`` holds the penalised training loss
after each solve (ridge) or L-BFGS iteration, and ``n_iter_`` counts those. Dropout
between stacked reservoirs is never applied: the readout trains on the states it
predicts from.
"""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from ._data import minibatches
from ._network import POOLINGS, RecurrentNetwork
from ._ridge import RidgeStatistics
from ._training import loss_and_grads
from .core import blocks_on_one_blas_thread
from .core._registry import get_cell

#: Elements of one (T, D*H) array of top outputs per batch of the reservoir's run.
STATES_BUDGET = 2**20


def is_reservoir_variant(variant):
    """True for a variant whose recurrent layers are never trained (``"esn"``)."""
    return not get_cell(variant).trained


def is_reservoir(network):
    """True when no layer of ``network`` is trained (every one an ``"esn"`` reservoir)."""
    return not any(layer.cell.trained for layers in network.layers for layer in layers)


def solves_readout(network, regression, incremental):
    """Whether the readout of the reservoir ``network`` is solved rather than trained
    by the loop: with "last" or "mean" pooling, except a classifier's partial_fit
    (no closed form adds up over chunks of a logistic regression)."""
    return network.pooling != "attention" and (regression or not incremental)


def solve_readout(network, data, settings, history, *, max_iter, statistics=None):
    """Solve the head of the reservoir ``network`` on the kept states of ``data``
    (see the module docstring) and record the solve in ``history``.

    Parameters
    ----------
    network : RecurrentNetwork
        Its head is overwritten with the solution.
    data : TrainData
        ``data.dataset`` a :class:`StatesDataset` of pooled states.
    settings : LoopSettings
        ``loss``, ``alpha`` and ``tol`` are used.
    history : History
        Updated in place, as the loop would.
    max_iter : int
        L-BFGS iterations at most (the classifier's solve).
    statistics : RidgeStatistics or None, default=None
        The regressor's statistics of earlier ``partial_fit`` calls, added to.

    Returns
    -------
    statistics : RidgeStatistics or None
        The regressor's statistics so far (None for the classifier).
    """
    with blocks_on_one_blas_thread():
        if settings.loss == "squared_error":
            losses, n_iter, statistics = _solve_ridge(network, data, settings.alpha,
                                                      statistics)
        else:
            (losses, n_iter), statistics = _solve_lbfgs(network, data, settings,
                                                        max_iter), None
    history.n_iter += n_iter
    history.t += data.dataset.n_samples * n_iter
    history.loss_curve.extend(losses)
    history.best_loss = min(history.best_loss, *losses)
    if settings.verbose:
        solver = "ridge" if settings.loss == "squared_error" else "L-BFGS"
        print(f"Readout solved ({solver}, {n_iter} iteration(s)), "
              f"loss = {losses[-1]:.8f}")
    return statistics


def _solve_ridge(network, data, alpha, statistics):
    """The closed-form readout, ridge of the targets on the pooled states, written into
    the head; returns ``([loss], 1, statistics)``, the statistics so far added to."""
    targets = data.Y if data.offsets is None else data.Y - data.offsets
    if statistics is None:
        statistics = RidgeStatistics(data.dataset.n_features, targets.shape[1])
    statistics.add(data.dataset.states[:, 0], targets, data.sample_weight)
    coef, intercept = statistics.solve(alpha)
    np.copyto(network.head["head_W"], coef, casting="same_kind")
    np.copyto(network.head["head_b"], intercept, casting="same_kind")
    return [statistics.loss(coef, alpha)], 1, statistics


def _solve_lbfgs(network, data, settings, max_iter):
    """The classifier's readout, a logistic regression on the pooled states: L-BFGS
    (in float64, from the current head) on the whole set's penalised log-loss, the
    loss the loop descends. Returns the loss after each iteration and their number."""
    head = {key: value.astype(np.float64) for key, value in network.head.items()}
    readout = readout_network(network, head)
    states, lengths = data.dataset.batch(np.arange(data.dataset.n_samples))
    states, Y = states.astype(np.float64), data.Y.astype(np.float64)
    sample_weight = data.sample_weight.astype(np.float64)

    def loss_and_gradient(theta):
        _unflatten(theta, readout.params)
        loss, grads = loss_and_grads(readout, states, lengths, Y, sample_weight,
                                     settings, training=False)
        return loss, np.concatenate([g.ravel() for g in grads])

    losses = []
    result = minimize(loss_and_gradient, np.concatenate([p.ravel() for p in readout.params]),
                      jac=True, method="L-BFGS-B",
                      callback=lambda intermediate_result: losses.append(
                          float(intermediate_result.fun)),
                      options={"maxiter": max_iter, "gtol": settings.tol,
                               "ftol": 64 * np.finfo(float).eps})  # as LogisticRegression
    if result.status == 1:
        warnings.warn(f"L-BFGS: maximum iterations ({max_iter}) reached and the "
                      "readout's optimization hasn't converged yet.", ConvergenceWarning)
    _unflatten(result.x, readout.params)
    for key, value in head.items():
        np.copyto(network.head[key], value, casting="same_kind")
    return losses or [float(result.fun)], max(int(result.nit), 1)


def _unflatten(theta, arrays):
    """Write the flat vector ``theta`` into ``arrays``, in order."""
    ends = np.cumsum([a.size for a in arrays])
    for array, values in zip(arrays, np.split(theta, ends[:-1])):
        array[...] = values.reshape(array.shape)


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
    width = (sum(layer.hidden_size for layer in network.layers[-1])
             * POOLINGS[network.pooling].width)  # D*H (3*D*H with "concat")
    longest = int(dataset.lengths.max())
    pooled = network.pooling != "attention"
    steps = 1 if pooled else longest
    states = np.zeros((dataset.n_samples, steps, width), dtype=network.head["head_W"].dtype)
    pool = POOLINGS[network.pooling].pool
    batch_size = max(1, STATES_BUDGET // (longest * width))
    for idx in minibatches(dataset.lengths, batch_size, shuffle=False):
        X, lengths = dataset.batch(idx)  # (b, T_b, F)
        top = network.top_outputs(X, lengths)  # (b, T_b, D*H)
        if pooled:
            states[idx, 0] = pool(top, lengths, len(network.layers[-1]), network.head)[0]
        else:
            states[idx, :top.shape[1]] = top
    return StatesDataset(states, np.ones_like(dataset.lengths) if pooled else
                         dataset.lengths.copy())


class KeptStates:
    """Stands in for one direction's reservoir layer in the readout's network: its
    output is that direction's columns of the kept states; no parameters, no gradient.
    Follows the :class:`~sklstm.core.RecurrentLayer` contract the network uses."""

    side_inputs = ()
    biases = ()
    tied_params = {}

    def __init__(self, columns):
        self.columns = columns  # slice of the D*H columns
        self.params = {}

    def _forward(self, X, lengths=None, reverse=False, **side):
        return X[:, :, self.columns], None

    def _backward(self, d_out, cache, d_cell=None, input_grad=True):
        return None, {}


def readout_network(network, head=None):
    """The trained part of ``network``: a network whose one layer reads the kept
    states (:func:`reservoir_states`) and whose pooling and head are ``network``'s own
    arrays, trained in place (or ``head``, arrays of the same keys). Pooled states go
    through "last" pooling of their one step, which passes them on unchanged."""
    share = network.layers[-1][0].hidden_size * POOLINGS[network.pooling].width
    stand_ins = tuple(KeptStates(slice(d * share, (d + 1) * share))
                      for d in range(len(network.layers[-1])))
    pooling = "attention" if network.pooling == "attention" else "last"
    return RecurrentNetwork([stand_ins], network.head if head is None else head,
                            pooling=pooling, dropout=network.dropout)
