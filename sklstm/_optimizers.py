"""Stochastic optimizers over a flat list of arrays, updated in place.

Small objects in the manner of ``sklearn.neural_network._stochastic_optimizers``:
``update_params(params, grads)`` changes every array of ``params`` in place.
Their state (moments, velocities, step count) lives on the object, so an
estimator that keeps its optimizer between calls continues exactly where it
stopped (``warm_start``, ``partial_fit``).
"""

import numpy as np


def clip_grad_norm(grads, clip_norm):
    """Scale ``grads`` in place so their global L2 norm is at most ``clip_norm``.

    Parameters
    ----------
    grads : list of ndarray
        Gradients, modified in place.
    clip_norm : float or None
        Largest allowed global norm; None turns clipping off.

    Returns
    -------
    norm : float
        The global norm before clipping (NaN or inf when a gradient is not
        finite; the gradients are then left as they are).
    """
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    if clip_norm is not None and np.isfinite(norm) and norm > clip_norm:
        scale = clip_norm / norm
        for g in grads:
            g *= scale
    return norm


class SGDOptimizer:
    """Stochastic gradient descent with (Nesterov) momentum.

    Parameters
    ----------
    params : list of ndarray
        The arrays to optimise; velocities of the same shapes are allocated.
    learning_rate : float
        Step size; the training loop may lower it (a rolled-back spike).
    momentum : float, default=0.9
        Momentum coefficient in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum.

    Attributes
    ----------
    velocities : list of ndarray
        One velocity per parameter array.
    """

    #: The estimators' hyperparameters this optimizer takes (beside the rate).
    HYPERPARAMETERS = ("momentum", "nesterovs_momentum")

    def __init__(self, params, learning_rate, momentum=0.9, nesterovs_momentum=True):
        self.learning_rate = float(learning_rate)
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.velocities = [np.zeros_like(p) for p in params]

    def update_params(self, params, grads):
        """Update ``params`` in place with ``grads`` (lists of equal length)."""
        lr, mu = self.learning_rate, self.momentum
        for p, g, v in zip(params, grads, self.velocities):
            v *= mu
            v -= lr * g  # v = mu v - lr g
            if self.nesterovs_momentum:
                p += mu * v - lr * g
            else:
                p += v


class AdamOptimizer:
    """Adam (Kingma & Ba, 2014) with bias correction folded into the step size.

    Parameters
    ----------
    params : list of ndarray
        The arrays to optimise; two moment arrays of the same shapes are
        allocated for each.
    learning_rate : float
        Step size; the training loop may lower it (a rolled-back spike).
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float, default=1e-8
        Added to the root of the second moment for numerical stability.

    Attributes
    ----------
    t : int
        Number of updates made so far.
    ms, vs : list of ndarray
        First and second moment estimates, one per parameter array.

    References
    ----------
    Kingma, D. P. and Ba, J. (2014). "Adam: A method for stochastic
    optimization." arXiv:1412.6980.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._optimizers import AdamOptimizer
    >>> w = np.array([1.0, -1.0])
    >>> opt = AdamOptimizer([w], learning_rate=0.1)
    >>> opt.update_params([w], [np.array([0.5, -2.0])])
    >>> w.round(6), opt.t            # the first step moves each weight by ~lr
    (array([ 0.9, -0.9]), 1)
    """

    HYPERPARAMETERS = ("beta_1", "beta_2", "epsilon")

    def __init__(
        self, params, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        self.learning_rate = float(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    def update_params(self, params, grads):
        """Update ``params`` in place with ``grads`` (lists of equal length)."""
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        # a Python float: a NumPy float64 scalar would upcast float32 arrays
        correction = np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        lr = float(self.learning_rate * correction)
        for p, g, m, v in zip(params, grads, self.ms, self.vs):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= lr * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS = {"adam": AdamOptimizer, "sgd": SGDOptimizer}


def make_optimizer(solver, params, learning_rate, settings, previous=None):
    """The optimizer of ``solver`` over ``params``: ``previous`` given the new
    settings and rate when it is of that kind (its state carries on), else new.

    Parameters
    ----------
    solver : {"adam", "sgd"}
    params : list of ndarray
    learning_rate : float
    settings : mapping
        Hyperparameters by name; the optimizer takes its ``HYPERPARAMETERS``.
    previous : optimizer or None, default=None

    Returns
    -------
    AdamOptimizer or SGDOptimizer
    """
    kind = OPTIMIZERS[solver]
    own = {name: settings[name] for name in kind.HYPERPARAMETERS}
    optimizer = previous if isinstance(previous, kind) else kind(params, learning_rate,
                                                                  **own)
    for name, value in own.items():
        setattr(optimizer, name, value)
    optimizer.learning_rate = float(learning_rate)
    return optimizer
