"""What every cell family provides to :class:`~sklstm.core.RecurrentLayer`.

A cell runs the recurrence of one layer on the core's internal layout: time-major and
gate-major, so that step ``t`` of gate ``k`` is the contiguous ``(H, B)`` array
``gates[t, k*H:(k+1)*H]``. The layer computes the input projection ``x_t @ W + b`` for
all steps in one batched GEMM before the loop and the input-weight gradients after it;
the cell adds the recurrent terms, applies the nonlinearities and backpropagates through
time. Caches are returned values, never state kept on the cell.
"""

import numpy as np

from ._ops import flush_denormals_, time_batch_columns

#: Every this many steps, the backward loops flush denormal gradients to zero.
FLUSH_EVERY = 16


class Cell:
    """Base of the cell families; subclasses document their equations.

    Attributes
    ----------
    gates : tuple of str
        Gate block names in the public ``params`` order.
    order : tuple of str
        Gate block names in the order of the internal hot-loop layout (logistic gates
        first and contiguous, so one call activates them all).
    has_cell : bool
        Whether the variant carries a memory cell besides the hidden state.
    options : dict
        Variant-specific options with their defaults (e.g. ``n_modules``).
    """

    gates = ()
    order = ()
    has_cell = False
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

    def mask_params(self, params):
        """``params`` with the entries the variant never uses set to zero (none by default)."""
        return params

    def forward_params(self, params):
        """The parameters as the forward loop uses them (by default, unchanged).

        A cell may rescale its columns here, e.g. negate the logistic gates' weights so
        that one ``exp`` activates them; ``backward`` always receives ``params`` as they
        are, since it works from the stored activations.
        """
        return params

    def extra_params(self, rng, hidden_size, dtype):
        """Variant-specific arrays beyond ``W``, ``U`` and ``b`` (none by default)."""
        return {}

    def forward(self, params, gates, h0, c0):
        """Run the recurrence; return the state dict that ``backward`` needs.

        Parameters
        ----------
        params : dict
            ``"U"`` of shape (H, G*H) with columns in ``order``, plus extras.
        gates : ndarray of shape (T, G*H, B)
            The input projections, overwritten in place with the gate activations.
        h0, c0 : ndarray of shape (H, B)
            Initial hidden state and cell (``c0`` ignored without a cell).

        Returns
        -------
        state : dict
            ``"gates"`` (T, G*H, B), ``"hidden"`` (T+1, H, B) with ``hidden[0] = h0``,
            ``"cell"`` (T+1, H, B) where there is one, and whatever else backward needs.
        """
        raise NotImplementedError

    def backward(self, params, d_hidden, state, valid):
        """Backpropagate through time.

        Parameters
        ----------
        d_hidden : ndarray of shape (T+1, H, B)
            Gradient of the loss w.r.t. each step's hidden state (index 0: h0).
        valid : ndarray of shape (T, B) of bool, or None
            False at padded steps, through which no gradient flows.

        Returns
        -------
        d_gates : ndarray of shape (G*H, T*B)
            Gradient w.r.t. the gate pre-activations (so w.r.t. the input projection),
            gate-major with time and batch side by side (see ``gate_major``), the
            layout in which the layer's weight gradients are single GEMMs.
        d_initial : dict
            ``"hidden"`` and, with a cell, ``"cell"``, each (H, B).
        grads : dict
            ``"U"`` (H, G*H) in ``order``, plus the extras' gradients.
        """
        raise NotImplementedError

    def activations(self, state):
        """Each gate's activation after its nonlinearity, by name: (T, H, B) each."""
        hidden_size = state["hidden"].shape[1]
        return {
            name: state["gates"][:, k * hidden_size : (k + 1) * hidden_size]
            for k, name in enumerate(self.order)
        }

    @staticmethod
    def _allocate(gates, h0, c0, with_cell):
        """``hidden`` (T+1, H, B) and ``cell`` (T+1, H, B) or None, step 0 filled."""
        n_steps = gates.shape[0]
        hidden = np.empty((n_steps + 1,) + h0.shape, dtype=gates.dtype)
        hidden[0] = h0
        if not with_cell:
            return hidden, None
        cell = np.empty_like(hidden)
        cell[0] = c0
        return hidden, cell


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


def gate_major(d_gates):
    """The gate gradients (T, G*H, B) as ``(G*H, T*B)``, laid out once per backward."""
    return time_batch_columns(d_gates, "d_gates_by_gate")


def recurrent_weight_grad(inputs, d_gates_by_gate):
    """``dU`` (H, G*H) from the recurrent inputs (T, H, B) and ``gate_major`` gradients."""
    return time_batch_columns(inputs, "recurrent_inputs") @ d_gates_by_gate.T
