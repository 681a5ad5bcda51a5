"""One recurrent layer over a batch of sequences: the public face of the core.

The public methods check their arguments (``_checks.py``) and hand them to the unchecked
path that ``RecurrentNetwork`` calls with lengths; the path lays each sequence out in
processing order (``_positions.py``), stacks ``[h; x; 1]`` (``_layout.py``), runs the
cell and brings the results back to input positions. A large batch runs as row blocks
on threads (``_parallel.py``).
"""

from typing import NamedTuple

import numpy as np

from ._checks import (
    as_rng,
    check_dtype,
    check_gradients,
    check_initial_state,
    check_mask,
    check_options,
    check_params,
    check_real,
    check_side_inputs,
    check_size,
    check_X,
    zero_state,
)
from ._layout import (
    inner_columns,
    split_stacked,
    stack_inputs,
    stacked_weight_grad,
    to_inner,
    to_public,
)
from ._ops import glorot_uniform, orthogonal_blocks
from ._parallel import map_blocks, row_blocks
from ._positions import (
    gather_positions,
    lengths_of,
    mask_from_lengths,
    output_positions,
    scatter_positions,
    step_index,
    to_positions,
)
from ._registry import get_cell


class _Inputs(NamedTuple):
    """What a forward pass runs on: the arguments of :meth:`RecurrentLayer.forward` in
    the layer's dtype, and the parameters."""

    X: np.ndarray  # (B, T, F)
    lengths: np.ndarray | None  # (B,); None: every step is valid
    side: dict  # side inputs by name, (B, T, H) each
    h0: np.ndarray  # (H, B)
    c0: np.ndarray | None  # (H, B)
    has_initial_state: bool
    inner: dict  # the parameters in the cell's internal gate order
    scaled: dict  # as the cell's forward loop uses them: "A" (G*H, H+F+1) and extras


class RecurrentLayer:
    """One recurrent layer of any registered variant, forward and backward through time.

    Parameters
    ----------
    variant : str
        A name in :data:`sklstm.core.VARIANTS`, e.g. ``"lstm"``, ``"gru"``, ``"peephole"``.
    input_size : int
        Features per time step, ``F``.
    hidden_size : int
        Hidden units, ``H``.
    forget_bias : float, default=1.0
        Initial bias of the forget gate (Jozefowicz et al. 2015); other biases start at 0.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seeds the initial weights, and nothing else.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the parameters and of every computation.
    **options
        Variant-specific options, e.g. ``n_modules`` for ``"clockwork"``; see
        :func:`sklstm.core.variant_options`.

    Attributes
    ----------
    gates : tuple of str
        Names of the stacked gate blocks; block ``k`` is columns ``k*H:(k+1)*H`` of
        ``W``, ``U`` and ``b``.
    has_cell : bool
        Whether the variant has a memory cell besides the hidden state.
    params : dict of ndarray
        ``"W"`` (F, G*H) input weights, ``"U"`` (H, G*H) recurrent weights, ``"b"``
        (G*H,) biases, right-multiplied: ``x_t @ W + h_{t-1} @ U + b``; plus the
        variant's own arrays (peepholes ``"p_input"``, ``"p_forget"``, ``"p_output"``
        (H,); ``"R"`` (3H, 3H) for ``"full_gate_recurrence"``).
    biases : tuple of str
        The keys of ``params`` that are biases (``"b"`` and the cell's
        ``extra_biases``), which an L2 penalty leaves alone.

    Notes
    -----
    :meth:`forward`, :meth:`backward` and :meth:`trace` check their arguments, then
    run the unchecked :meth:`_forward`, :meth:`_backward` and :meth:`_trace`, which a
    network calls directly with each sequence's length instead of a mask.

    Initialisation: ``W`` Glorot-uniform, each (H, H) block of ``U`` orthogonal (then
    zero where the variant has no connection, as between clockwork modules), biases
    zero but the forget gate's, peepholes zero. Internally the loop runs time-major and
    gate-major, ``(T, G*H, B)``, so each gate block of a step is contiguous. A large
    batch (``B * G * H >= 2**16``) runs as row blocks on as many threads as BLAS may
    use, each block with one BLAS thread; the results are the whole batch's (parameter
    gradients up to rounding, as they are summed over the blocks).

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.core import RecurrentLayer
    >>> layer = RecurrentLayer("lstm", input_size=3, hidden_size=5, random_state=0)
    >>> layer.gates
    ('input', 'forget', 'candidate', 'output')
    >>> X = np.ones((2, 7, 3), dtype=np.float32)            # (B, T, F)
    >>> out, cache = layer.forward(X)
    >>> out.shape
    (2, 7, 5)
    >>> dX, grads = layer.backward(np.ones_like(out), cache)
    >>> dX.shape, grads["U"].shape
    ((2, 7, 3), (5, 20))
    """

    def __init__(self, variant, input_size, hidden_size, forget_bias=1.0,
                 random_state=None, dtype="float32", **options):
        cell = get_cell(variant)
        check_options(variant, cell, options)
        self.cell = cell.with_options(**options) if options else cell
        self.options = {**cell.options, **options}
        self.variant = variant
        self.input_size = check_size(input_size, "input_size")
        self.hidden_size = check_size(hidden_size, "hidden_size")
        self.forget_bias = check_real(forget_bias, "forget_bias")
        self.dtype = check_dtype(dtype)
        self._inner_columns = inner_columns(self.cell, self.hidden_size)
        initial = self._initial_params(as_rng(random_state))
        self._shapes = {key: value.shape for key, value in initial.items()}
        self.params = initial

    @property
    def params(self):
        return self._params

    @params.setter
    def params(self, params):
        """Replace the parameters: same keys and shapes, finite, cast to ``dtype``."""
        self._params = check_params(params, self._shapes, self.dtype)

    @property
    def gates(self):
        return self.cell.gates

    @property
    def has_cell(self):
        return self.cell.has_cell

    @property
    def side_inputs(self):
        """Names of the extra sequences ``forward`` reads (``("lower_cell",)`` or ())."""
        return self.cell.side_inputs

    @property
    def tied_params(self):
        """``{name: depth}``: the parameters this layer shares with the same-direction
        layer at ``depth`` of a stack (the grid's tied weights; ``{}`` otherwise)."""
        return dict(self.cell.tied_params)

    @property
    def biases(self):
        """The keys of ``params`` that are biases, declared by the layer and its cell."""
        return ("b",) + tuple(self.cell.extra_biases)

    def __repr__(self):
        return (f"RecurrentLayer({self.variant!r}, input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}, dtype={self.dtype!r})")

    def _initial_params(self, rng):
        """``W`` Glorot-uniform, ``U`` orthogonal blocks, biases zero but the forget
        gate's, then the cell's extras, masked where the variant has no connection."""
        n_gates, hidden = len(self.gates), self.hidden_size
        drawn = self.cell.initial_params(rng, self.input_size, hidden, self.dtype)
        if drawn is not None:  # a variant drawn in its own way (the ESN's reservoir)
            return drawn
        bias = np.zeros(n_gates * hidden, dtype=self.dtype)
        for gate in self.cell.forget_gates:
            if gate in self.gates:
                k = self.gates.index(gate)
                bias[k * hidden:(k + 1) * hidden] = self.forget_bias
        params = {
            "W": glorot_uniform(rng, self.input_size, n_gates * hidden, self.dtype),
            "U": orthogonal_blocks(rng, hidden, n_gates, self.dtype),
            "b": bias,
        }
        params.update(self.cell.extra_params(rng, hidden, self.dtype))
        return self.cell.mask_params(params)

    # ----------------------------------------------------------------- forward
    def forward(self, X, mask=None, initial_state=None, reverse=False, lower_cell=None):
        """Run the layer over a batch of sequences.

        Parameters
        ----------
        X : array-like of shape (B, T, F)
            The input sequences.
        mask : array-like of bool of shape (B, T), default=None
            True at valid steps; each row's valid steps must form a prefix (right
            padding). At padded steps the state is carried unchanged and no gradient
            flows back through them. None means every step is valid.
        initial_state : dict, default=None
            ``{"hidden": (B, H), "cell": (B, H)}`` ("cell" only for variants with one);
            None starts from zeros.
        reverse : bool, default=False
            Run each sequence from its last valid step to its first; ``out`` stays
            aligned with input positions, padded positions holding the initial hidden
            state.
        lower_cell : array-like of shape (B, T, H), default=None
            For ``"depth_gated"``, where it is required, and ``"grid"``: the cell
            state of the layer below at each position, as from :meth:`cell_output`
            (the grid's depth memory; None at the bottom of a stack reads zeros).
            Other variants take none.

        Returns
        -------
        out : ndarray of shape (B, T, H)
            Hidden state at each position (for ``"grid"``, the depth dimension's
            hidden vector, which the layer above reads). With the forward direction, padded positions
            repeat the last valid hidden state, so ``out[:, -1]`` is each sequence's
            last valid hidden state. May be a view of an internal time-major buffer.
        cache : dict
            What :meth:`backward` needs; ``cache["final_state"]`` is the state after
            each sequence's last processed step, ``{"hidden": (B, H)[, "cell": (B, H)]}``.
        """
        return self._run_forward(self._check_inputs(X, mask, initial_state, lower_cell),
                                 reverse)

    def _forward(self, X, lengths=None, reverse=False, **side):
        """:meth:`forward` without checks, from zero state, for a network's arrays.

        ``X`` (B, T, F) and the ``side`` inputs (B, T, H) (``lower_cell`` for the
        variants that read one) must be finite arrays of the layer's dtype;
        ``lengths`` (B,) holds each sequence's valid steps, 1 to T, or is None when
        every step is valid.
        """
        h0, c0 = zero_state(self, X.shape[0])
        return self._run_forward(self._with_params(X, lengths, side, h0, c0, False), reverse)

    def _check_inputs(self, X, mask, initial_state, lower_cell):
        """Every argument of :meth:`forward` checked, and the parameters it runs with."""
        X = check_X(self, X)
        batch, n_steps, _ = X.shape
        lengths = check_mask(mask, batch, n_steps)
        side = check_side_inputs(self, {"lower_cell": lower_cell}, X.shape)  # (B, T, H)
        h0, c0 = check_initial_state(self, initial_state, batch)  # (H, B) each
        return self._with_params(X, lengths, side, h0, c0, initial_state is not None)

    def _with_params(self, X, lengths, side, h0, c0, has_initial_state):
        """The forward pass's inputs with the parameters it runs with: in the cell's
        internal gate order, and as its forward loop uses them."""
        inner = to_inner(self.params, self._inner_columns)
        scaled = self.cell.forward_params(inner)
        return _Inputs(X, lengths, side, h0, c0, has_initial_state, inner, scaled)

    def _run_forward(self, inputs, reverse):
        """:meth:`forward` of ready inputs: the whole batch, or row blocks on threads."""
        batch = inputs.X.shape[0]
        blocks = row_blocks(batch, len(self.gates) * self.hidden_size)
        results = map_blocks(lambda rows: self._forward_rows(inputs, rows, reverse), blocks)
        if len(results) == 1:
            return results[0]
        outs, caches = zip(*results)
        final_state = {key: np.concatenate([c["final_state"][key] for c in caches])
                       for key in caches[0]["final_state"]}
        cache = {"blocks": list(zip(blocks, caches)), "final_state": final_state,
                 "shape": (batch, inputs.X.shape[1], self.hidden_size)}
        return np.concatenate(outs), cache

    def _forward_rows(self, inputs, rows, reverse):
        """The forward pass of the sequences ``rows`` (a slice) of ready inputs."""
        X = inputs.X[rows]
        batch, n_steps, _ = X.shape
        lengths = lengths_of(inputs.lengths, rows, n_steps)
        steps = step_index(lengths, batch, n_steps, reverse)  # (B, T) or None
        side = {key: value[rows] for key, value in inputs.side.items()}
        if steps is not None:
            X = X[np.arange(batch)[:, None], steps]  # each sequence in processing order
            side = {key: value[np.arange(batch)[:, None], steps] for key, value in side.items()}
        side = {key: np.ascontiguousarray(value.transpose(1, 2, 0))  # (T, H, B)
                for key, value in side.items()}
        h0 = inputs.h0[:, rows]
        c0 = None if inputs.c0 is None else inputs.c0[:, rows]
        stacked = stack_inputs(X, h0)  # (T+1, H+F+1, B): [h_t; x_t; 1] per step
        state = self.cell.forward(inputs.scaled, stacked, c0, **side)
        positions = output_positions(lengths, batch, n_steps, reverse)
        cache = {
            "state": state, "inner": inputs.inner, "lengths": lengths,
            "steps": steps, "positions": positions, "reverse": reverse,
            "has_initial_state": inputs.has_initial_state,
            "final_state": self._final_state(state, lengths),
            "shape": (batch, n_steps, self.hidden_size),
        }
        return gather_positions(state[self.cell.outputs[0]], positions, reverse), cache

    def _final_state(self, state, lengths):
        """Each sequence's state after its last processed step, (B, H) by name."""
        keys = ("hidden", "cell") if self.has_cell else ("hidden",)
        if lengths is None:
            return {key: state[key][-1].T.copy() for key in keys}
        columns = np.arange(len(lengths))
        return {key: state[key][lengths, :, columns] for key in keys}

    def cell_output(self, cache):
        """The cell state at each position, aligned like ``out``: (B, T, H).

        For variants with a cell; this is what a depth-gated or grid layer above reads
        as its ``lower_cell`` (the grid's is its depth memory), and :meth:`backward`
        takes its gradient as ``d_cell``.
        """
        if not self.has_cell:
            raise ValueError(f"variant {self.variant!r} has no cell state.")
        if "blocks" in cache:
            return np.concatenate([self.cell_output(part) for _, part in cache["blocks"]])
        cell = cache["state"][self.cell.outputs[1]]  # (T+1, H, B)
        return gather_positions(cell, cache["positions"], cache["reverse"])

    # ---------------------------------------------------------------- backward
    def backward(self, d_out, cache, d_cell=None, input_grad=True):
        """Backpropagate ``d_out`` through the layer.

        Parameters
        ----------
        d_out : array-like of shape (B, T, H)
            Gradient of the loss w.r.t. ``out``.
        cache : dict
            The cache returned by :meth:`forward`.
        d_cell : array-like of shape (B, T, H), default=None
            Gradient w.r.t. :meth:`cell_output`, for variants with a cell (given by a
            depth-gated layer above).
        input_grad : bool, default=True
            Compute ``dX``. A network's bottom layer, whose input is data, skips it.

        Returns
        -------
        dX : ndarray of shape (B, T, F), or None if not ``input_grad``
            Gradient w.r.t. ``X`` (zero at padded positions).
        grads : dict of ndarray
            Same keys and shapes as :attr:`params`, plus ``"initial_state"`` (a dict
            like the one given) when ``forward`` received an initial state, and
            ``"lower_cell"`` (B, T, H) when it received one.
        """
        d_out, d_cell = check_gradients(self, d_out, d_cell, cache["shape"])
        return self._backward(d_out, cache, d_cell, input_grad)

    def _backward(self, d_out, cache, d_cell=None, input_grad=True):
        """:meth:`backward` without checks: ``d_out`` and ``d_cell`` (or None) are
        (B, T, H) arrays of the layer's dtype."""
        outside = {"d_hidden": d_out} if d_cell is None else {"d_hidden": d_out,
                                                              "d_cell": d_cell}
        if "blocks" not in cache:
            return self._backward_rows(outside, cache, input_grad)

        def backward_block(block):
            rows, block_cache = block
            return self._backward_rows({key: value[rows] for key, value in outside.items()},
                                       block_cache, input_grad)

        return self._join_backward(map_blocks(backward_block, cache["blocks"]))

    def _backward_rows(self, outside, cache, input_grad):
        """The backward pass of outside gradients (B, T, H) through one cache."""
        state, inner, steps = cache["state"], cache["inner"], cache["steps"]
        batch, n_steps, hidden_size = cache["shape"]
        outside = {key: scatter_positions(value, cache["positions"], cache["reverse"], key)
                   for key, value in outside.items()}  # (B, T, H) -> (T+1, H, B) by step
        d_hidden = outside.pop("d_hidden")
        lengths = cache["lengths"]
        valid = None if lengths is None else mask_from_lengths(lengths, n_steps).T  # (T, B)
        d_gates, d_initial, grads = self.cell.backward(inner, d_hidden, state, valid,
                                                       **outside)
        d_x = None
        if input_grad:  # W^T d_gates[t] for every t, one batched matmul: (T, F, B)
            d_x = to_positions(np.matmul(inner["W"], d_gates), steps)  # (B, T, F)
        for key in self.cell.side_inputs:
            if key in grads:  # not for a grid layer at the bottom of a stack
                grads[key] = to_positions(grads[key], steps)
        d_stacked = stacked_weight_grad(d_gates, self.cell.weight_inputs(state))
        grads.update(split_stacked(d_stacked, hidden_size))  # dU, dW, db
        grads = self.cell.mask_params(to_public(grads, self._inner_columns))
        ordered = {key: grads[key] for key in self.params}  # the params' order
        if cache["has_initial_state"]:
            ordered["initial_state"] = {key: value.T for key, value in d_initial.items()}
        ordered.update({key: grads[key] for key in self.cell.side_inputs if key in grads})
        return d_x, ordered

    def _join_backward(self, results):
        """One (dX, grads) from those of row blocks: parameter gradients summed, the
        gradients of per-sequence inputs stacked in row order."""
        d_x = None if results[0][0] is None else np.concatenate([d for d, _ in results])
        grads = {}
        for key, first in results[0][1].items():
            values = [block_grads[key] for _, block_grads in results]
            if key == "initial_state":
                grads[key] = {name: np.concatenate([v[name] for v in values]) for name in first}
            elif key in self.cell.side_inputs:
                grads[key] = np.concatenate(values)
            else:
                grads[key] = np.sum(values, axis=0)
        return d_x, grads

    # ------------------------------------------------------------------- trace
    def trace(self, X, mask=None, reverse=False, initial_state=None, lower_cell=None):
        """The layer's internals at every position (arguments as for :meth:`forward`).

        Returns
        -------
        internals : dict of ndarray of shape (B, T, H)
            ``"hidden"``, ``"cell"`` (for variants with one) and one entry per name in
            :attr:`gates`, each the gate's activation after its nonlinearity, aligned
            with input positions; NaN at padded positions. The grid adds its depth
            dimension's ``"depth_hidden"`` (= ``out``) and ``"depth_cell"``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklstm.core import RecurrentLayer
        >>> layer = RecurrentLayer("gru", input_size=1, hidden_size=2, random_state=0)
        >>> sorted(layer.trace(np.zeros((1, 4, 1))))
        ['candidate', 'hidden', 'reset', 'update']
        """
        return self._run_trace(self._check_inputs(X, mask, initial_state, lower_cell),
                               reverse)

    def _trace(self, X, lengths=None, reverse=False, **side):
        """:meth:`trace` without checks, arguments as for :meth:`_forward`."""
        h0, c0 = zero_state(self, X.shape[0])
        return self._run_trace(self._with_params(X, lengths, side, h0, c0, False), reverse)

    def _run_trace(self, inputs, reverse):
        """:meth:`trace` of ready inputs, the whole batch on this thread."""
        _, cache = self._forward_rows(inputs, slice(None), reverse)
        state, lengths, steps = cache["state"], cache["lengths"], cache["steps"]
        batch, n_steps, _ = cache["shape"]
        if steps is None:
            steps = np.broadcast_to(np.arange(n_steps), (batch, n_steps))
        columns = np.arange(batch)[:, None]
        activations = self.cell.activations(state)  # each (T, H, B)
        per_step = {gate: activations[gate] for gate in self.gates}
        per_step.update(self.cell.states(state))  # hidden, cell (the grid's depth ones)
        internals = {name: values[steps, :, columns] for name, values in per_step.items()}
        if lengths is not None:
            padded = ~mask_from_lengths(lengths, n_steps)  # (B, T)
            for values in internals.values():
                values[padded] = np.nan
        return internals
