"""One recurrent layer over a batch of sequences: the public face of the core."""

import numbers
from typing import NamedTuple

import numpy as np

from ._cell import CHUNK_BYTES
from ._ops import glorot_uniform, orthogonal_blocks, time_batch_columns
from ._parallel import map_blocks, row_blocks
from ._registry import get_cell
from ._workspace import SCRATCH

_DTYPES = ("float32", "float64")


class _Inputs(NamedTuple):
    """The arguments of :meth:`RecurrentLayer.forward`, checked, and its parameters."""

    X: np.ndarray  # (B, T, F)
    lengths: np.ndarray | None  # (B,), None if every step is valid
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

    Notes
    -----
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
        unknown = sorted(set(options) - set(cell.options))
        if unknown:
            raise TypeError(
                f"variant {variant!r} takes the options {sorted(cell.options)}; got {unknown}."
            )
        self.cell = cell.with_options(**options) if options else cell
        self.options = {**cell.options, **options}
        self.variant = variant
        self.input_size = _check_size(input_size, "input_size")
        self.hidden_size = _check_size(hidden_size, "hidden_size")
        self.forget_bias = _check_real(forget_bias, "forget_bias")
        self.dtype = _check_dtype(dtype)
        initial = self._initial_params(_as_rng(random_state))
        self._shapes = {key: value.shape for key, value in initial.items()}
        self.params = initial

    @property
    def params(self):
        return self._params

    @params.setter
    def params(self, params):
        """Replace the parameters: same keys and shapes, finite, cast to ``dtype``."""
        if not isinstance(params, dict) or set(params) != set(self._shapes):
            got = sorted(params) if isinstance(params, dict) else type(params).__name__
            raise ValueError(f"params must be a dict with keys {sorted(self._shapes)}; got {got}.")
        checked = {}
        for key, shape in self._shapes.items():
            value = np.asarray(params[key])
            if value.shape != shape:
                raise ValueError(f"params[{key!r}] must have shape {shape}; got {value.shape}.")
            if value.dtype.kind not in "biuf" or not np.isfinite(value).all():
                raise ValueError(f"params[{key!r}] must hold finite real numbers.")
            if value.dtype != self.dtype or not value.flags.c_contiguous:
                value = np.ascontiguousarray(value, dtype=self.dtype)
            checked[key] = value  # the array itself when it fits: tied layers share it
        self._params = checked

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

    def __repr__(self):
        return (f"RecurrentLayer({self.variant!r}, input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}, dtype={self.dtype!r})")

    def _initial_params(self, rng):
        n_gates, hidden = len(self.gates), self.hidden_size
        bias = np.zeros(n_gates * hidden, dtype=self.dtype)
        for gate in self.cell.forget_gates:
            if gate in self.gates:
                bias[self._columns(self.gates.index(gate))] = self.forget_bias
        params = {
            "W": glorot_uniform(rng, self.input_size, n_gates * hidden, self.dtype),
            "U": orthogonal_blocks(rng, hidden, n_gates, self.dtype),
            "b": bias,
        }
        params.update(self.cell.extra_params(rng, hidden, self.dtype))
        return self.cell.mask_params(params)

    def _columns(self, block):
        return slice(block * self.hidden_size, (block + 1) * self.hidden_size)

    # ------------------------------------------------------------- internal layout
    def _inner_columns(self):
        """Column indices taking the public gate order to the cell's internal order."""
        if self.cell.order == self.gates:
            return None
        blocks = [np.arange(self.hidden_size) + self.gates.index(g) * self.hidden_size
                  for g in self.cell.order]
        return np.concatenate(blocks)

    def _inner_params(self):
        columns = self._inner_columns()
        if columns is None:
            return self.params
        inner = dict(self.params)
        for key in ("W", "U", "b"):
            inner[key] = self.params[key][..., columns]
        return inner

    def _public_grads(self, inner_grads):
        columns = self._inner_columns()
        if columns is None:
            return inner_grads
        grads = dict(inner_grads)
        for key in ("W", "U", "b"):
            grads[key] = np.empty_like(inner_grads[key])
            grads[key][..., columns] = inner_grads[key]
        return grads

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
        inputs = self._check_inputs(X, mask, initial_state, lower_cell)
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

    def _check_inputs(self, X, mask, initial_state, lower_cell):
        """Every argument of :meth:`forward` checked, and the parameters it runs with."""
        X = self._check_X(X)
        batch, n_steps, _ = X.shape
        lengths = _check_mask(mask, batch, n_steps)
        side = self._check_side_inputs({"lower_cell": lower_cell}, X.shape)  # (B, T, H) each
        h0, c0 = self._check_initial_state(initial_state, batch)  # (H, B) each
        inner = self._inner_params()
        scaled = self.cell.forward_params(inner)
        return _Inputs(X, lengths, side, h0, c0, initial_state is not None, inner, scaled)

    def _forward_rows(self, inputs, rows, reverse):
        """:meth:`forward` on the sequences ``rows`` (a slice) of checked inputs."""
        X = inputs.X[rows]
        batch, n_steps, _ = X.shape
        lengths = _lengths_of(inputs.lengths, rows, n_steps)
        steps = _step_index(lengths, batch, n_steps, reverse)  # (B, T) or None
        side = {key: value[rows] for key, value in inputs.side.items()}
        if steps is not None:
            X = X[np.arange(batch)[:, None], steps]  # each sequence in processing order
            side = {key: value[np.arange(batch)[:, None], steps] for key, value in side.items()}
        side = {key: np.ascontiguousarray(value.transpose(1, 2, 0))  # (T, H, B)
                for key, value in side.items()}
        h0 = inputs.h0[:, rows]
        c0 = None if inputs.c0 is None else inputs.c0[:, rows]
        stacked = _stacked_inputs(X, h0)  # (T+1, H+F+1, B): [h_t; x_t; 1] per step
        state = self.cell.forward(inputs.scaled, stacked, c0, **side)
        positions = _output_positions(lengths, batch, n_steps, reverse)
        cache = {
            "state": state, "inner": inputs.inner, "lengths": lengths,
            "steps": steps, "positions": positions, "reverse": reverse,
            "has_initial_state": inputs.has_initial_state,
            "final_state": self._final_state(state, lengths),
            "shape": (batch, n_steps, self.hidden_size),
        }
        out = _gather_positions(state[self.cell.outputs[0]], positions, reverse)
        return out, cache

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
        return _gather_positions(cell, cache["positions"], cache["reverse"])

    def _final_state(self, state, lengths):
        keys = ("hidden", "cell") if self.has_cell else ("hidden",)
        if lengths is None:
            return {key: state[key][-1].T.copy() for key in keys}
        columns = np.arange(len(lengths))
        return {key: state[key][lengths, :, columns] for key in keys}

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
        outside = {"d_hidden": d_out}
        if d_cell is not None:
            if not self.has_cell:
                raise ValueError(f"d_cell given, but variant {self.variant!r} has no cell.")
            outside["d_cell"] = d_cell
        for key, value in outside.items():
            outside[key] = value = np.asarray(value, dtype=self.dtype)
            if value.shape != cache["shape"]:
                raise ValueError(f"{key[2:]} gradient must have shape {cache['shape']} "
                                 f"(B, T, H); got {value.shape}.")
        if "blocks" not in cache:
            return self._backward_rows(outside, cache, input_grad)

        def backward_block(block):
            rows, block_cache = block
            return self._backward_rows({key: value[rows] for key, value in outside.items()},
                                       block_cache, input_grad)

        return self._join_backward(map_blocks(backward_block, cache["blocks"]))

    def _backward_rows(self, outside, cache, input_grad):
        """:meth:`backward` of checked outside gradients (B, T, H) through one cache."""
        state, inner = cache["state"], cache["inner"]
        batch, n_steps, hidden_size = cache["shape"]
        outside = {key: _scatter_positions(value, cache["positions"], cache["reverse"], key)
                   for key, value in outside.items()}  # (B, T, H) -> (T+1, H, B) by step
        d_hidden = outside.pop("d_hidden")
        lengths = cache["lengths"]
        valid = None if lengths is None else np.arange(n_steps)[:, None] < lengths
        d_gates, d_initial, grads = self.cell.backward(inner, d_hidden, state, valid,
                                                       **outside)
        d_x = None
        if input_grad:  # W^T d_gates[t] for every t, one batched matmul: (T, F, B)
            d_x = self._to_positions(np.matmul(inner["W"], d_gates), cache)  # (B, T, F)
        for key in self.cell.side_inputs:
            if key in grads:  # not for a grid layer at the bottom of a stack
                grads[key] = self._to_positions(grads[key], cache)
        d_stacked = _stacked_weight_grad(d_gates, self.cell.weight_inputs(state))
        grads["U"] = np.ascontiguousarray(d_stacked[:, :hidden_size].T)
        grads["W"] = np.ascontiguousarray(d_stacked[:, hidden_size:-1].T)
        grads["b"] = d_stacked[:, -1].copy()  # the ones row gives db
        grads = self.cell.mask_params(self._public_grads(grads))
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

    @staticmethod
    def _to_positions(values, cache):
        """(T, ., B) per processed step -> (B, T, .) aligned with input positions."""
        values = values.transpose(2, 0, 1)
        if cache["steps"] is None:
            return values
        return values[np.arange(values.shape[0])[:, None], cache["steps"]]

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
        inputs = self._check_inputs(X, mask, initial_state, lower_cell)
        _, cache = self._forward_rows(inputs, slice(None), reverse)
        state, lengths = cache["state"], cache["lengths"]
        batch, n_steps, _ = cache["shape"]
        steps = cache["steps"]
        if steps is None:
            steps = np.broadcast_to(np.arange(n_steps), (batch, n_steps))
        columns = np.arange(batch)[:, None]
        activations = self.cell.activations(state)  # each (T, H, B)
        per_step = {gate: activations[gate] for gate in self.gates}
        per_step.update(self.cell.states(state))  # hidden, cell (the grid's depth ones)
        internals = {name: values[steps, :, columns] for name, values in per_step.items()}
        if lengths is not None:
            padded = np.arange(n_steps) >= lengths[:, None]  # (B, T)
            for values in internals.values():
                values[padded] = np.nan
        return internals

    # ------------------------------------------------------------------ checks
    def _check_X(self, X):
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
        if X.ndim != 3:
            raise ValueError(
                f"X must be 3-D, (batch, time, features); got {X.ndim}-D with shape {X.shape}."
            )
        if X.shape[2] != self.input_size:
            raise ValueError(
                f"X has {X.shape[2]} features per step; this layer expects "
                f"input_size={self.input_size}."
            )
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must have at least one sequence and one step; got {X.shape}.")
        X = X.astype(self.dtype, copy=False)
        if not np.isfinite(X).all():
            raise ValueError(f"X contains NaN or infinity (in {self.dtype}); "
                             "remove or impute them.")
        return X

    def _check_side_inputs(self, given, shape):
        """The side inputs the variant requires, checked: {name: (B, T, H) array}."""
        batch, n_steps, _ = shape
        checked = {}
        for key, value in given.items():
            if key not in self.cell.side_inputs:
                if value is not None:
                    raise ValueError(f"{key} is only for the depth-gated and grid variants; "
                                     f"variant {self.variant!r} takes none.")
                continue
            if value is None and self.cell.side_inputs_optional:
                continue  # the bottom of a stack
            if value is None:
                raise ValueError(
                    f"variant {self.variant!r} reads the cell of the layer below: pass "
                    f"{key}=(B, T, H) array (RecurrentLayer.cell_output of that layer)."
                )
            value = np.asarray(value, dtype=self.dtype)
            if value.shape != (batch, n_steps, self.hidden_size):
                raise ValueError(f"{key} must have shape {(batch, n_steps, self.hidden_size)} "
                                 f"(B, T, H); got {value.shape}.")
            if not np.isfinite(value).all():
                raise ValueError(
                    f"{key} contains NaN or infinity; pass the lower layer's cell_output "
                    f"(finite at every position), not its trace (NaN past each length)."
                )
            checked[key] = value
        return checked

    def _check_initial_state(self, initial_state, batch):
        """Return the initial (hidden, cell) as (H, B) arrays (cell None without one)."""
        shape = (self.hidden_size, batch)
        zeros = np.zeros(shape, dtype=self.dtype)
        if initial_state is None:
            return zeros, zeros if self.has_cell else None
        expected = {"hidden", "cell"} if self.has_cell else {"hidden"}
        if not isinstance(initial_state, dict) or set(initial_state) != expected:
            got = sorted(initial_state) if isinstance(initial_state, dict) else type(initial_state)
            raise ValueError(
                f"initial_state must be a dict with keys {sorted(expected)} for variant "
                f"{self.variant!r}; got {got}."
            )
        states = []
        for key in ("hidden", "cell") if self.has_cell else ("hidden",):
            value = np.asarray(initial_state[key], dtype=self.dtype)
            if value.shape != (batch, self.hidden_size):
                raise ValueError(
                    f"initial_state[{key!r}] must have shape {(batch, self.hidden_size)} "
                    f"(B, H); got {value.shape}."
                )
            states.append(np.ascontiguousarray(value.T))
        return states[0], states[1] if self.has_cell else None


def _stacked_weight_grad(d_gates, weight_inputs):
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


def _stacked_inputs(X, h0):
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


# ------------------------------------------------------------------- positions
def _step_index(lengths, batch, n_steps, reverse):
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


def _output_positions(lengths, batch, n_steps, reverse):
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


def _gather_positions(hidden, positions, reverse):
    """``out`` (B, T, H) from ``hidden`` (T+1, H, B)."""
    if positions is None:
        steps = hidden[:0:-1] if reverse else hidden[1:]  # (T, H, B)
        return steps.transpose(2, 0, 1)
    columns = np.arange(hidden.shape[2])[:, None]
    return hidden[positions, :, columns]


def _scatter_positions(d_out, positions, reverse, name):
    """The adjoint of :func:`_gather_positions`: ``d_hidden`` (T+1, H, B), in scratch."""
    batch, n_steps, hidden_size = d_out.shape
    if positions is None:
        d_hidden = SCRATCH.empty(name, (n_steps + 1, hidden_size, batch), d_out.dtype)
        d_hidden[0] = 0
        target = d_hidden[:0:-1] if reverse else d_hidden[1:]
        target[...] = d_out.transpose(1, 2, 0)
        return d_hidden
    by_sequence = np.zeros((batch, n_steps + 1, hidden_size), dtype=d_out.dtype)
    np.add.at(by_sequence, (np.arange(batch)[:, None], positions), d_out)
    return np.ascontiguousarray(by_sequence.transpose(1, 2, 0))


# ---------------------------------------------------------------------- checks
def _check_size(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= 1; got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value}.")
    return int(value)


def _check_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number; got {value!r}.")
    return float(value)


def _check_dtype(dtype):
    name = np.dtype(dtype).name if isinstance(dtype, (type, np.dtype)) else dtype
    if name not in _DTYPES:
        raise ValueError(f"dtype must be one of {_DTYPES}; got {dtype!r}.")
    return name


def _check_mask(mask, batch, n_steps):
    """Validate ``mask`` (B, T); return the lengths (B,), or None if every step is valid."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a boolean array; got dtype {mask.dtype}.")
    if mask.shape != (batch, n_steps):
        raise ValueError(
            f"mask must have shape {(batch, n_steps)} (B, T) to match X; got {mask.shape}."
        )
    lengths = mask.sum(axis=1)
    if not np.array_equal(mask, np.arange(n_steps) < lengths[:, None]):
        raise ValueError(
            "mask: the valid steps of each row must form a prefix (right padding): "
            "True up to the sequence's length, False after it."
        )
    return None if lengths.min() == n_steps else lengths


def _lengths_of(lengths, rows, n_steps):
    """The lengths of the sequences ``rows``, or None if each of them fills every step."""
    if lengths is None or lengths[rows].min() == n_steps:
        return None
    return lengths[rows]


def _as_rng(random_state):
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    if random_state is None or (isinstance(random_state, numbers.Integral)
                                and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState; "
        f"got {random_state!r}."
    )
