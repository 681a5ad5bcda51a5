"""A whole recurrent network: stacked (bi)directional layers, pooling, dense head.

``RecurrentNetwork`` knows nothing of scikit-learn and nothing of gate algebra:
each layer is a :class:`sklstm.core.RecurrentLayer` driven through its unchecked
path (``_forward`` / ``_backward`` / ``_trace``), which takes each sequence's length
where the public methods take a mask: the batch's lengths (B,) reach every layer and
the pooling as the dataset yields them. Data flows

    X (B, T, F) -> layer 1 (one RecurrentLayer per direction, outputs concatenated)
      -> dropout -> layer 2 -> ... -> pooling (B, D*H) -> dropout -> head (B, n_outputs)

where D is 2 for bidirectional networks and 1 otherwise. ``forward`` returns the
raw head output (before any output activation) and a cache; ``backward`` takes
the gradient of the loss with respect to that raw output.
"""

from typing import Callable, NamedTuple

import numpy as np

from .core import (
    RecurrentLayer,
    glorot_uniform,
    mask_from_lengths,
    stack_variants,
    variant_options,
)

#: The head's arrays that are biases, which the L2 penalty leaves alone (each layer
#: declares its own in ``RecurrentLayer.biases``).
HEAD_BIASES = ("head_b", "attention_b")


def _dropout(X, rate, rng):
    """Inverted dropout: returns ``X * keep`` and ``keep`` (0 or 1/(1-rate))."""
    keep = rng.random_sample(X.shape) >= rate
    keep = keep.astype(X.dtype) / X.dtype.type(1.0 - rate)
    return X * keep, keep


# -- poolings: top output (B, T, D*H) -> one vector (B, D*H) per sequence ---------
# Each pooling is a pair of pure functions: ``pool(top, lengths, n_dirs, params)``
# returns the pooled array and a cache; ``unpool(d_pooled, cache, params)`` returns the
# gradient w.r.t. ``top`` and a dict of gradients of the pooling's own parameters.

def _pool_last(top, lengths, n_dirs, params):
    """The state after reading each sequence: its last valid step (forward direction)
    and its first step (reverse direction, which reads the sequence backwards)."""
    hidden = top.shape[2] // n_dirs
    ends = [lengths - 1, np.zeros_like(lengths)][:n_dirs]
    rows = np.arange(top.shape[0])
    pooled = np.concatenate(
        [top[rows, end, d * hidden:(d + 1) * hidden] for d, end in enumerate(ends)], axis=1)
    return pooled, {"shape": top.shape, "ends": ends, "hidden": hidden}


def _unpool_last(d_pooled, cache, params):
    d_top = np.zeros(cache["shape"], dtype=d_pooled.dtype)  # (B, T, D*H)
    rows, hidden = np.arange(d_top.shape[0]), cache["hidden"]
    for d, end in enumerate(cache["ends"]):
        columns = slice(d * hidden, (d + 1) * hidden)
        d_top[rows, end, columns] = d_pooled[:, columns]
    return d_top, {}


def _pool_mean(top, lengths, n_dirs, params):
    """The mean over each sequence's valid steps."""
    mask = mask_from_lengths(lengths, top.shape[1])
    weights = (mask / lengths[:, None]).astype(top.dtype)  # (B, T)
    return np.einsum("bt,btd->bd", weights, top), {"weights": weights}


def _unpool_mean(d_pooled, cache, params):
    return cache["weights"][:, :, None] * d_pooled[:, None, :], {}


def _pool_attention(top, lengths, n_dirs, params):
    """Additive attention over the valid steps (after Bahdanau et al. 2015)::

        score_t = v . tanh(top_t @ W + b),  weights = softmax of the scores over the
        valid steps,  pooled = sum_t weights_t * top_t
    """
    mask = mask_from_lengths(lengths, top.shape[1])
    energy = np.tanh(top @ params["attention_W"] + params["attention_b"])  # (B, T, A)
    scores = np.where(mask, energy @ params["attention_v"], -np.inf)  # (B, T)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)  # (B, T), zero at padded steps
    pooled = np.einsum("bt,btd->bd", weights, top)
    return pooled, {"top": top, "energy": energy, "weights": weights}


def _unpool_attention(d_pooled, cache, params):
    top, energy, weights = cache["top"], cache["energy"], cache["weights"]
    d_top = weights[:, :, None] * d_pooled[:, None, :]  # through the weighted sum
    d_weights = np.einsum("btd,bd->bt", top, d_pooled)
    d_scores = weights * (d_weights - (weights * d_weights).sum(axis=1, keepdims=True))
    d_energy = d_scores[:, :, None] * params["attention_v"] * (1 - energy**2)  # (B, T, A)
    grads = {
        "attention_W": top.reshape(-1, top.shape[2]).T @ d_energy.reshape(-1, energy.shape[2]),
        "attention_b": d_energy.sum(axis=(0, 1)),
        "attention_v": np.einsum("bt,bta->a", d_scores, energy),
    }
    d_top += d_energy @ params["attention_W"].T
    return d_top, grads


def _pool_max(top, lengths, n_dirs, params):
    """The largest value of each unit over each sequence's valid steps."""
    mask = mask_from_lengths(lengths, top.shape[1])
    masked = np.where(mask[:, :, None], top, -np.inf)  # (B, T, D*H)
    steps = masked.argmax(axis=1)[:, None, :]  # (B, 1, D*H)
    pooled = np.take_along_axis(top, steps, axis=1)[:, 0, :]
    return pooled, {"shape": top.shape, "steps": steps}


def _unpool_max(d_pooled, cache, params):
    d_top = np.zeros(cache["shape"], dtype=d_pooled.dtype)  # (B, T, D*H)
    np.put_along_axis(d_top, cache["steps"], d_pooled[:, None, :], axis=1)
    return d_top, {}


def _concatenated(*names):
    """A pooling that concatenates the vectors of several parameter-free poolings
    (ULMFiT's concat pooling, Howard & Ruder 2018, is last, mean and max)."""
    parts = [POOLINGS[name] for name in names]

    def pool(top, lengths, n_dirs, params):
        results = [part.pool(top, lengths, n_dirs, params) for part in parts]
        return (np.concatenate([pooled for pooled, _ in results], axis=1),
                [cache for _, cache in results])

    def unpool(d_pooled, caches, params):
        width = d_pooled.shape[1] // len(parts)
        d_top = sum(part.unpool(d_pooled[:, i * width:(i + 1) * width], cache, params)[0]
                    for i, (part, cache) in enumerate(zip(parts, caches)))
        return d_top, {}
    return Pooling(pool, unpool, None, len(parts))


def _init_attention(size, random_state, dtype):
    """``attention_W`` (D, D) Glorot uniform, ``attention_b`` zero, ``attention_v`` (D,)
    uniform within the same bound as ``attention_W``."""
    return {
        "attention_W": glorot_uniform(random_state, size, size, dtype),
        "attention_b": np.zeros(size, dtype=dtype),
        "attention_v": glorot_uniform(random_state, size, size, dtype, shape=(size,)),
    }


def _tie(layers):
    """Make the arrays that tied layers share one array: each layer's
    ``tied_params`` entry ``name: depth`` binds its ``name`` to that of the
    same-direction layer at ``depth``. Idempotent; it also re-ties a model loaded by
    joblib or skops, which save every array apart (with equal values)."""
    for depth, layer_tuple in enumerate(layers):
        for direction, layer in enumerate(layer_tuple):
            shared = {name: layers[owner][direction].params[name]
                      for name, owner in layer.tied_params.items() if owner < depth}
            if shared and any(layer.params[k] is not v for k, v in shared.items()):
                layer.params = {**layer.params, **shared}  # same dtype: no copy


class Pooling(NamedTuple):
    """A pooling's pure functions (see the top of this section) and its width."""

    pool: Callable
    unpool: Callable
    init: Callable = None  # its own parameters' initialiser: (size, rng, dtype) -> dict
    width: int = 1  # the pooled vector's size, in top layer outputs (D*H each)


#: pooling name -> Pooling
POOLINGS = {
    "last": Pooling(_pool_last, _unpool_last),
    "mean": Pooling(_pool_mean, _unpool_mean),
    "max": Pooling(_pool_max, _unpool_max),
    "attention": Pooling(_pool_attention, _unpool_attention, _init_attention),
}
POOLINGS["concat"] = _concatenated("last", "mean", "max")


class RecurrentNetwork:
    """Stacked recurrent layers, pooling, dropout and a dense head.

    Parameters
    ----------
    layers : list of tuple of RecurrentLayer
        Bottom to top; each tuple holds one layer per direction (forward first,
        then reverse for bidirectional networks).
    head : dict
        ``"head_W"`` (D*H, n_outputs) (3*D*H rows with "concat" pooling) and
        ``"head_b"`` (n_outputs,); with attention pooling also ``"attention_W"``
        (D*H, D*H), ``"attention_b"`` and ``"attention_v"`` (D*H,).
    pooling : {"last", "mean", "max", "concat", "attention"}
        How the top layer's outputs (B, T, D*H) become one vector per sequence
        (see ``POOLINGS``; "concat" makes (B, 3*D*H); attention's own weights
        live in ``head``).
    dropout : float
        Inverted-dropout rate between layers and before the head, applied only
        when ``forward`` is called with ``training=True``.

    Notes
    -----
    ``params`` and ``grads`` are flat lists in the same order (each layer's
    ``params`` in its dict order, bottom to top, forward direction first, then
    the head), the form the optimizers update in place. Tied layers (the grid's
    ``tied_weights``, ``RecurrentLayer.tied_params``) hold the same arrays: each is
    listed once, at its first place, and its gradient is the sum over the layers.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm._network import RecurrentNetwork
    >>> net = RecurrentNetwork.build("gru", 3, 4, 2, bidirectional=True,
    ...                              random_state=np.random.RandomState(0))
    >>> raw, cache = net.forward(np.ones((5, 6, 3), np.float32), np.full(5, 6))
    >>> raw.shape, len(net.backward(np.ones_like(raw), cache)) == len(net.params)
    ((5, 2), True)
    """

    def __init__(self, layers, head, pooling="last", dropout=0.0):
        self.layers = [tuple(t) for t in layers]
        _tie(self.layers)
        self.head = head
        self.pooling = pooling
        self.dropout = dropout

    def __setstate__(self, state):
        """Unpickled: tie the shared arrays again (joblib and skops save each apart)."""
        vars(self).update(state)
        _tie(self.layers)

    @classmethod
    def build(cls, variant, n_features, hidden_size, n_outputs, *, num_layers=1,
              bidirectional=False, pooling="last", dropout=0.0, forget_bias=1.0,
              options=None, random_state, dtype="float32"):
        """A freshly initialised network.

        Parameters
        ----------
        variant : str
            Any name in ``sklstm.core.VARIANTS``.
        n_features : int
            Features per time step of the input.
        hidden_size : int
            Units per layer and direction.
        n_outputs : int
            Columns of the raw output.
        num_layers, bidirectional, pooling, dropout, forget_bias
            As the estimators' hyperparameters of the same names.
        options : dict, default=None
            Variant options (e.g. ``n_modules``); each layer takes those its variant
            declares (``sklstm.core.variant_options``).
        random_state : RandomState
            Each layer is seeded by one draw from it, then the head is drawn
            (Glorot uniform weights, zero bias), then the pooling's own weights.
        dtype : {"float32", "float64"}, default="float32"

        Returns
        -------
        RecurrentNetwork
        """
        n_dirs = 2 if bidirectional else 1
        options = options or {}
        layers, n_in = [], n_features
        for layer_variant in stack_variants(variant, num_layers):
            layer_options = {key: options[key] for key in variant_options(layer_variant)
                             if key in options}
            layers.append(tuple(
                RecurrentLayer(layer_variant, n_in, hidden_size, forget_bias=forget_bias,
                               random_state=random_state.randint(2**31 - 1),
                               dtype=dtype, **layer_options)
                for _ in range(n_dirs)
            ))
            n_in = n_dirs * hidden_size
        width = n_in * POOLINGS[pooling].width
        head = {
            "head_W": glorot_uniform(random_state, width, n_outputs, dtype),
            "head_b": np.zeros(n_outputs, dtype=dtype),
        }
        init_pooling = POOLINGS[pooling].init
        if init_pooling is not None:
            head.update(init_pooling(n_in, random_state, dtype))
        return cls(layers, head, pooling=pooling, dropout=dropout)

    # -- flat views for the optimizer -------------------------------------------
    def _layer_params(self):
        """``(depth, direction, name, array)`` of every layer's arrays, bottom to top,
        forward direction first (a tied array once per layer that holds it)."""
        for depth, layer_tuple in enumerate(self.layers):
            for direction, layer in enumerate(layer_tuple):
                for name, array in layer.params.items():
                    yield depth, direction, name, array

    def _named_params(self):
        """``(name, array, is_bias)`` of every parameter, in ``params`` order."""
        seen = set()  # a tied array is one parameter: listed at its first place
        for depth, direction, name, array in self._layer_params():
            if id(array) not in seen:
                seen.add(id(array))
                yield name, array, name in self.layers[depth][direction].biases
        for name, array in self.head.items():
            yield name, array, name in HEAD_BIASES

    @property
    def params(self):
        """Flat list of every parameter array (the live arrays, not copies)."""
        return [array for _, array, _ in self._named_params()]

    @property
    def penalized(self):
        """Flat list of bools, in ``params`` order: which arrays the L2 penalty applies
        to (the weights: every array but those the layers and the head declare biases)."""
        return [not is_bias for _, _, is_bias in self._named_params()]

    def get_weights(self):
        """Copies of every parameter array, in ``params`` order."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Write ``weights`` (as from :meth:`get_weights`) into the live arrays."""
        for p, w in zip(self.params, weights):
            np.copyto(p, w)

    # -- forward ----------------------------------------------------------------
    def _side_inputs(self, depth, direction, caches):
        """What layer ``depth`` reads from the layer below besides its input: the
        lower cell, for depth-gated and grid layers above the bottom (``{}``
        otherwise)."""
        layer = self.layers[depth][direction]
        if depth == 0 or "lower_cell" not in layer.side_inputs:
            return {}
        below = self.layers[depth - 1][direction]
        return {"lower_cell": below.cell_output(caches[depth - 1][direction])}

    def _run_layers(self, X, lengths, *, training, rng, stop=None):
        """Run layers ``[0, stop)``; return the top output (B, T, D*H) and caches."""
        h, caches, drops = X, [], []
        for depth, layer_tuple in enumerate(self.layers[:stop]):
            keep = None
            if depth > 0 and training and self.dropout > 0:
                h, keep = _dropout(h, self.dropout, rng)
            results = [layer._forward(h, lengths, reverse=d == 1,
                                      **self._side_inputs(depth, d, caches))
                       for d, layer in enumerate(layer_tuple)]
            caches.append([cache for _, cache in results])
            drops.append(keep)
            outs = [out for out, _ in results]
            # (B, T, D*H); a single direction's output is passed on as it is
            h = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=2)
        return h, caches, drops

    def forward(self, X, lengths, *, training=False, rng=None):
        """Raw output (B, n_outputs) for a padded batch X (B, T, F) and a cache.

        Parameters
        ----------
        X : ndarray of shape (B, T, F)
            Right-padded batch.
        lengths : ndarray of int of shape (B,)
            Valid steps of each sequence, 1 to T.
        training : bool, default=False
            Apply dropout (needs ``rng``).
        rng : RandomState, default=None
            Source of the dropout masks.

        Returns
        -------
        raw : ndarray of shape (B, n_outputs)
            Head output before any output activation.
        cache : dict
            What :meth:`backward` needs.
        """
        top, caches, drops = self._run_layers(X, lengths, training=training, rng=rng)
        pool = POOLINGS[self.pooling].pool
        pooled, pool_cache = pool(top, lengths, len(self.layers[-1]), self.head)  # (B, D*H)
        keep = None
        if training and self.dropout > 0:
            pooled, keep = _dropout(pooled, self.dropout, rng)
        raw = pooled @ self.head["head_W"] + self.head["head_b"]  # (B, n_outputs)
        cache = {"layers": caches, "drops": drops, "pool": pool_cache,
                 "pooled": pooled, "head_keep": keep}
        return raw, cache

    # -- backward ---------------------------------------------------------------
    def backward(self, d_raw, cache):
        """Gradients of every parameter, in ``params`` order.

        Parameters
        ----------
        d_raw : ndarray of shape (B, n_outputs)
            Gradient of the loss with respect to the raw output.
        cache : dict
            As returned by :meth:`forward` (with ``training`` as it was).

        Returns
        -------
        grads : list of ndarray
            Same shapes as ``params``.
        """
        head_grads = {"head_W": cache["pooled"].T @ d_raw, "head_b": d_raw.sum(axis=0)}
        d_pooled = d_raw @ self.head["head_W"].T  # (B, D*H)
        if cache["head_keep"] is not None:
            d_pooled *= cache["head_keep"]
        unpool = POOLINGS[self.pooling].unpool
        d_top, pooling_grads = unpool(d_pooled, cache["pool"], self.head)  # (B, T, D*H)
        head_grads.update(pooling_grads)
        layer_grads, d_cells = {}, [None] * len(self.layers[-1])
        for depth in range(len(self.layers) - 1, -1, -1):
            d_top, d_cells, grads = self._backward_layer(depth, d_top, d_cells, cache)
            layer_grads.update({(depth, d): g for d, g in enumerate(grads)})
        flat, places = [], {}  # id(array) -> its index in params
        for depth, d, name, array in self._layer_params():
            grad = layer_grads[depth, d][name]
            if id(array) in places:  # a tied array: the sum of its layers' gradients
                flat[places[id(array)]] = flat[places[id(array)]] + grad
            else:
                places[id(array)] = len(flat)
                flat.append(grad)
        return flat + [head_grads[name] for name in self.head]

    def _backward_layer(self, depth, d_top, d_cells, cache):
        """Backward through one layer tuple, given the gradient w.r.t. its output
        (B, T, D*H) and w.r.t. its cells (from a depth-gated or grid layer above, or
        None). Returns the same two for the layer below (None below the bottom layer:
        the data need no gradient), and each direction's grads."""
        layer_tuple = self.layers[depth]
        hidden = d_top.shape[2] // len(layer_tuple)
        d_in, d_cells_below, all_grads = None, [], []
        for d, (layer, layer_cache) in enumerate(zip(layer_tuple, cache["layers"][depth])):
            d_out = d_top[:, :, d * hidden:(d + 1) * hidden]
            dX, grads = layer._backward(d_out, layer_cache, d_cell=d_cells[d],
                                        input_grad=depth > 0)  # no gradient for the data
            all_grads.append(grads)
            d_cells_below.append(grads.get("lower_cell"))
            d_in = dX if d_in is None else d_in + dX
        keep = cache["drops"][depth]
        if keep is not None:
            d_in = d_in * keep
        return d_in, d_cells_below, all_grads

    def top_outputs(self, X, lengths):
        """The top layer's outputs (B, T, D*H) in eval mode (no dropout): what the
        pooling reads, and what an echo state network's readout trains on
        (:mod:`sklstm._readout`)."""
        return self._run_layers(X, lengths, training=False, rng=None)[0]

    def trace(self, X, lengths, layer=-1, direction=0):
        """``RecurrentLayer.trace`` of one layer and direction, in eval mode, plus
        ``"attention"`` (B, T), the pooling's weights per step (NaN past each length),
        for the top layer of an attention-pooled network."""
        layer = range(len(self.layers))[layer]
        h, caches, _ = self._run_layers(X, lengths, training=False, rng=None, stop=layer)
        internals = self.layers[layer][direction]._trace(
            h, lengths, reverse=direction == 1, **self._side_inputs(layer, direction, caches))
        if layer == len(self.layers) - 1 and self.pooling == "attention":
            top, _, _ = self._run_layers(X, lengths, training=False, rng=None)
            _, pool_cache = _pool_attention(top, lengths, len(self.layers[-1]), self.head)
            mask = mask_from_lengths(lengths, X.shape[1])
            internals["attention"] = np.where(mask, pool_cache["weights"], np.nan)
        return internals
