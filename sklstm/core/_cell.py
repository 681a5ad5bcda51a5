"""What every cell family provides to :class:`~sklstm.core.RecurrentLayer`.

A cell runs the recurrence of one layer on the core's internal layout: time-major,
with batch along the columns. The layer stacks each step's inputs under the hidden
state (``_layout.stack_inputs``), ``stacked[t] = [h_t; x_t; 1]`` of shape ``(H+F+1, B)``
in a preallocated ``(T+1, H+F+1, B)`` array, and the cell's stacked weight ``A = [U^T, W^T, b]``
(G*H, H+F+1) turns it into all of a step's gate pre-activations in one GEMM: input,
recurrence and bias at once. The step writes its new hidden state straight into
``stacked[t + 1, :H]``. The gates come out gate-major, so step ``t`` of gate ``k`` is
the contiguous ``(H, B)`` array ``gates[t, k*H:(k+1)*H]``. After backpropagating
through time, the cell hands the gate gradients back, and the layer forms every
weight gradient at once, ``dA = sum_t d_gates[t] @ stacked[t]^T``, one GEMM per chunk
of steps (``_layout.stacked_weight_grad``). Caches are returned values, never state
kept on the cell.
"""

import numpy as np

from ._ops import flush_denormals_

#: Every this many steps, the backward loops flush denormal gradients to zero.
FLUSH_EVERY = 16


class Cell:
    """Base of the cell families; subclasses document their equations.

    Attributes
    ----------
    gates : tuple of str
        Gate block names in the public ``params`` order.
    order : tuple of str
        Gate block names in the order of the internal hot-loop layout (chosen so that
        the blocks a step activates together, and those backward treats alike, are
        contiguous).
    logistic : tuple of str
        The gates with a logistic activation, whose rows ``forward_params`` halves.
    has_cell : bool
        Whether the variant carries a memory cell besides the hidden state.
    options : dict
        Variant-specific options with their defaults (e.g. ``n_modules``).
    extra_biases : tuple of str
        The arrays of ``extra_params`` that are biases, which an L2 penalty leaves
        alone (every other extra is a weight).
    """

    gates = ()
    order = ()
    logistic = ()
    has_cell = False
    #: False for a variant whose weights are drawn once and never trained (the echo
    #: state network's reservoir): the estimators train only its readout.
    trained = True
    #: Variant-specific options and their defaults; a cell with options implements
    #: ``with_options(**options)``, returning a cell configured with them.
    options = {}
    #: Names of the extra (T, H, B) sequences ``forward`` requires as keyword
    #: arguments, e.g. ``lower_cell`` for the depth-gated LSTM; ``backward`` returns
    #: their gradients in ``grads`` under the same names.
    side_inputs = ()
    #: For a variant with side inputs, the variant of the first layer of a stack,
    #: which has no layer below to read (see ``stack_variants``).
    bottom_variant = None
    #: Names of the arrays ``extra_params`` makes that are biases (none by default).
    extra_biases = ()
    #: Whether ``forward`` runs without its side inputs too, as the bottom layer of a
    #: stack (the grid's depth memory from below is then zero); else they are required.
    side_inputs_optional = False
    #: The state sequences (T+1, H, B) that a layer passes up: its ``out`` and its
    #: ``cell_output``. The recurrent state itself for every variant but the grid,
    #: whose outputs are its depth dimension's.
    outputs = ("hidden", "cell")
    #: The gates whose bias starts at ``forget_bias``.
    forget_gates = ("forget",)
    #: ``{name: depth}``: the parameters a layer shares with the same-direction layer at
    #: ``depth`` of its stack (tied weights); the network makes them one array.
    tied_params = {}

    def mask_params(self, params):
        """``params`` (or their gradients) with the entries the variant never uses set
        to zero (none by default)."""
        return params

    def forward_params(self, params):
        """The parameters as the forward loop uses them: ``{"A": (G*H, H+F+1)}``.

        ``A = [U^T, W^T, b]`` in the internal gate order, the logistic gates' rows
        halved, so that ``tanh`` of a step's pre-activations gives ``tanh(z / 2)`` there
        and one multiply-add finishes ``sigma(z) = (1 + tanh(z / 2)) / 2``
        (``_ops.logistic_from_tanh_``): one ``tanh`` call activates the logistic gates
        and a tanh candidate together. A cell adds its own arrays, scaled alike.
        """
        hidden_size = params["U"].shape[0]
        scale = np.repeat([0.5 if g in self.logistic else 1.0 for g in self.order],
                          hidden_size).astype(params["U"].dtype)  # (G*H,)
        stacked = np.concatenate([params["U"].T, params["W"].T, params["b"][:, None]], axis=1)
        return {"A": stacked * scale[:, None]}

    def initial_params(self, rng, input_size, hidden_size, dtype):
        """The variant's own initial ``W``, ``U``, ``b`` and extras, or None for the
        layer's (Glorot ``W``, orthogonal blocks of ``U``, zero biases but the forget
        gate's, then :meth:`extra_params`)."""
        return None

    def extra_params(self, rng, hidden_size, dtype):
        """Variant-specific arrays beyond ``W``, ``U`` and ``b`` (none by default)."""
        return {}

    def forward(self, params, stacked, c0):
        """Run the recurrence; return the state dict that ``backward`` needs.

        Parameters
        ----------
        params : dict
            ``forward_params``: ``"A"`` (G*H, H+F+1), rows in ``order``, plus extras.
        stacked : ndarray of shape (T+1, H+F+1, B)
            ``[h_t; x_t; 1]`` per step, ``stacked[0, :H]`` the initial hidden state;
            the cell writes each new hidden state into ``stacked[t + 1, :H]``.
        c0 : ndarray of shape (H, B), or None
            Initial cell (None without a cell).

        Returns
        -------
        state : dict
            ``"gates"`` (T, G*H, B) activations, ``"hidden"`` (T+1, H, B) (a view of
            ``stacked``), ``"cell"`` (T+1, H, B) where there is one, and whatever else
            backward needs.
        """
        raise NotImplementedError

    def backward(self, params, d_hidden, state, valid):
        """Backpropagate through time.

        Parameters
        ----------
        params : dict
            The parameters in internal gate order, as they are (not ``forward_params``).
        d_hidden : ndarray of shape (T+1, H, B)
            Gradient of the loss w.r.t. each step's hidden state (index 0: h0).
        valid : ndarray of shape (T, B) of bool, or None
            False at padded steps, through which no gradient flows.

        Returns
        -------
        d_gates : ndarray of shape (T, G*H, B)
            Gradient w.r.t. the gate pre-activations, in ``order``.
        d_initial : dict
            ``"hidden"`` and, with a cell, ``"cell"``, each (H, B).
        grads : dict
            The extras' gradients (``W``, ``U`` and ``b`` come from ``weight_inputs``).
        """
        raise NotImplementedError

    def weight_inputs(self, state):
        """``[(rows, inputs)]``: the gate rows ``rows`` of ``A`` read ``inputs``
        (T, H+F+1, B) at each step, so ``dA[rows] = sum_t d_gates[t, rows] @ inputs[t]^T``."""
        return [(slice(None), state["stacked"][:-1])]

    def states(self, state):
        """The state sequences ``trace`` reports besides the gates, by name: (T, H, B)
        each (``"hidden"``, and ``"cell"`` where there is one)."""
        names = ("hidden", "cell") if self.has_cell else ("hidden",)
        return {name: state[name][1:] for name in names}

    def activations(self, state):
        """Each gate's activation after its nonlinearity, by name: (T, H, B) each."""
        hidden_size = state["hidden"].shape[1]
        return {
            name: state["gates"][:, k * hidden_size : (k + 1) * hidden_size]
            for k, name in enumerate(self.order)
        }

    @staticmethod
    def _gates(stacked, n_rows):
        """Uninitialised (T, n_rows, B) activations for a ``stacked`` (T+1, ., B)."""
        n_steps, _, batch = stacked.shape
        return np.empty((n_steps - 1, n_rows, batch), dtype=stacked.dtype)


class BackwardSteps:
    """The bookkeeping that every backward loop shares.

    Iterates over the steps from last to first and, after a cell has formed the gate
    gradients of step ``t``, cuts the padded columns (no gradient through padded steps)
    and periodically flushes denormals from the carried gradients.
    """

    def __init__(self, valid, n_steps):
        self.n_steps = n_steps
        self.padded = None if valid is None else ~valid  # (T, B)
        self.any_padded = None if valid is None else self.padded.any(axis=1)  # (T,)

    def __iter__(self):
        return iter(range(self.n_steps - 1, -1, -1))

    def cut(self, t, *arrays):
        """Zero the columns of padded sequences at step ``t`` in each ``(., B)`` array."""
        if self.padded is not None and self.any_padded[t]:
            for array in arrays:
                np.copyto(array, 0, where=self.padded[t])

    @staticmethod
    def flush(t, *carried):
        """Every FLUSH_EVERY steps, flush denormals from the carried gradients."""
        if t % FLUSH_EVERY == 0:
            for array in carried:
                flush_denormals_(array)

