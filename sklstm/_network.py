"""A whole recurrent network: stacked (bi)directional layers, pooling, dense head.

``RecurrentNetwork`` knows nothing of scikit-learn and nothing of gate algebra:
each layer is a :class:`sklstm.core.RecurrentLayer` driven through its
``forward`` / ``backward`` contract. Data flows

    X (B, T, F) -> layer 1 (one RecurrentLayer per direction, outputs concatenated)
      -> dropout -> layer 2 -> ... -> pooling (B, D*H) -> dropout -> head (B, n_outputs)

where D is 2 for bidirectional networks and 1 otherwise. ``forward`` returns the
raw head output (before any output activation) and a cache; ``backward`` takes
the gradient of the loss with respect to that raw output.
"""

import numpy as np

from .core import RecurrentLayer

POOLINGS = ("last", "mean")


def sequence_mask(lengths, n_timesteps):
    """Boolean mask (B, T), True at the valid steps ``t < lengths[b]``."""
    return np.arange(n_timesteps) < np.asarray(lengths)[:, None]


def _dropout(X, rate, rng):
    """Inverted dropout: returns ``X * keep`` and ``keep`` (0 or 1/(1-rate))."""
    keep = rng.random_sample(X.shape) >= rate
    keep = keep.astype(X.dtype) / X.dtype.type(1.0 - rate)
    return X * keep, keep


def _pool(outs, lengths, mask, pooling):
    """Pool each direction's output (B, T, H) into one (B, D*H) array."""
    if pooling == "mean":
        w = (mask / lengths[:, None]).astype(outs[0].dtype)[:, None, :]  # (B, 1, T)
        return np.concatenate([np.matmul(w, out)[:, 0] for out in outs], axis=1)
    rows = np.arange(len(lengths))
    # forward: the state at the last valid step; reverse: the state at step 0,
    # reached after reading the whole sequence backwards
    ends = [lengths - 1, np.zeros_like(lengths)]
    return np.concatenate([out[rows, ends[d]] for d, out in enumerate(outs)], axis=1)


def _unpool_direction(d_pool, lengths, mask, pooling, direction):
    """Gradient of the pooled (B, H) slice with respect to one output (B, T, H)."""
    B, H = d_pool.shape
    T = mask.shape[1]
    if pooling == "mean":
        w = (mask / lengths[:, None]).astype(d_pool.dtype)  # (B, T)
        return w[:, :, None] * d_pool[:, None, :]
    d_out = np.zeros((B, T, H), dtype=d_pool.dtype)
    end = lengths - 1 if direction == 0 else np.zeros_like(lengths)
    d_out[np.arange(B), end] = d_pool
    return d_out


class RecurrentNetwork:
    """Stacked recurrent layers, pooling, dropout and a dense head.

    Parameters
    ----------
    layers : list of tuple of RecurrentLayer
        Bottom to top; each tuple holds one layer per direction (forward first,
        then reverse for bidirectional networks).
    head : dict
        ``"head_W"`` (D*H, n_outputs) and ``"head_b"`` (n_outputs,).
    pooling : {"last", "mean"}
        How the top layer's outputs (B, T, H) become one vector per sequence.
    dropout : float
        Inverted-dropout rate between layers and before the head, applied only
        when ``forward`` is called with ``training=True``.

    Notes
    -----
    ``params`` and ``grads`` are flat lists in the same order (each layer's
    ``params`` in its dict order, bottom to top, forward direction first, then
    the head), the form the optimizers update in place.

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
        self.head = head
        self.pooling = pooling
        self.dropout = dropout

    @classmethod
    def build(cls, variant, n_features, hidden_size, n_outputs, *, num_layers=1,
              bidirectional=False, pooling="last", dropout=0.0, forget_bias=1.0,
              random_state, dtype="float32"):
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
        random_state : RandomState
            Each layer is seeded by one draw from it, then the head is drawn
            (Glorot uniform weights, zero bias).
        dtype : {"float32", "float64"}, default="float32"

        Returns
        -------
        RecurrentNetwork
        """
        n_dirs = 2 if bidirectional else 1
        layers, n_in = [], n_features
        for _ in range(num_layers):
            layers.append(tuple(
                RecurrentLayer(variant, n_in, hidden_size, forget_bias=forget_bias,
                               random_state=random_state.randint(2**31 - 1),
                               dtype=dtype)
                for _ in range(n_dirs)
            ))
            n_in = n_dirs * hidden_size
        bound = np.sqrt(6.0 / (n_in + n_outputs))  # Glorot uniform
        head_W = random_state.uniform(-bound, bound, (n_in, n_outputs))
        head = {
            "head_W": head_W.astype(dtype),
            "head_b": np.zeros(n_outputs, dtype=dtype),
        }
        return cls(layers, head, pooling=pooling, dropout=dropout)

    # -- flat views for the optimizer -------------------------------------------
    def _named_params(self):
        for layer_tuple in self.layers:
            for layer in layer_tuple:
                yield from layer.params.items()
        yield from self.head.items()

    @property
    def params(self):
        """Flat list of every parameter array (the live arrays, not copies)."""
        return [p for _, p in self._named_params()]

    @property
    def penalized(self):
        """Flat list of bools: which arrays the L2 penalty applies to (not biases)."""
        return [name not in ("b", "head_b") for name, _ in self._named_params()]

    def get_weights(self):
        """Copies of every parameter array, in ``params`` order."""
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        """Write ``weights`` (as from :meth:`get_weights`) into the live arrays."""
        for p, w in zip(self.params, weights):
            np.copyto(p, w)

    # -- forward ----------------------------------------------------------------
    def _run_layers(self, X, mask, *, training, rng, stop=None):
        """Run layers ``[0, stop)``; return the top output per direction and caches."""
        h, caches, drops = X, [], []
        outs = [X]
        for depth, layer_tuple in enumerate(self.layers[:stop]):
            keep = None
            if depth > 0 and training and self.dropout > 0:
                h, keep = _dropout(h, self.dropout, rng)
            results = [layer.forward(h, mask, reverse=d == 1)
                       for d, layer in enumerate(layer_tuple)]
            outs = [out for out, _ in results]
            caches.append([cache for _, cache in results])
            drops.append(keep)
            # (B, T, D*H); a single direction's output is passed on as it is
            h = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=2)
        return h, outs, caches, drops

    def layer_input(self, X, lengths, layer):
        """Input (B, T, F_layer) that ``layers[layer]`` receives in eval mode."""
        mask = sequence_mask(lengths, X.shape[1])
        h, _, _, _ = self._run_layers(X, mask, training=False, rng=None, stop=layer)
        return h, mask

    def forward(self, X, lengths, *, training=False, rng=None):
        """Raw output (B, n_outputs) for a padded batch X (B, T, F) and a cache.

        Parameters
        ----------
        X : ndarray of shape (B, T, F)
            Right-padded batch.
        lengths : ndarray of shape (B,)
            Valid steps of each sequence, at least 1.
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
        lengths = np.asarray(lengths)
        mask = sequence_mask(lengths, X.shape[1])
        _, outs, caches, drops = self._run_layers(X, mask, training=training, rng=rng)
        pooled = _pool(outs, lengths, mask, self.pooling)  # (B, D*H)
        keep = None
        if training and self.dropout > 0:
            pooled, keep = _dropout(pooled, self.dropout, rng)
        raw = pooled @ self.head["head_W"] + self.head["head_b"]  # (B, n_outputs)
        cache = {"lengths": lengths, "mask": mask, "layers": caches, "drops": drops,
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
        W = self.head["head_W"]
        head_grads = [cache["pooled"].T @ d_raw, d_raw.sum(axis=0)]
        d_pooled = d_raw @ W.T  # (B, D*H)
        if cache["head_keep"] is not None:
            d_pooled *= cache["head_keep"]
        H = d_pooled.shape[1] // len(self.layers[-1])
        d_outs = [
            _unpool_direction(d_pooled[:, d * H:(d + 1) * H], cache["lengths"],
                              cache["mask"], self.pooling, d)
            for d in range(len(self.layers[-1]))
        ]
        layer_grads = []
        for depth in range(len(self.layers) - 1, -1, -1):
            d_in, grads = self._backward_layer(depth, d_outs, cache)
            layer_grads.append(grads)
            if depth > 0:
                H = d_in.shape[2] // len(self.layers[depth - 1])
                d_outs = [d_in[:, :, d * H:(d + 1) * H]
                          for d in range(len(self.layers[depth - 1]))]
        flat = [g for grads in reversed(layer_grads) for g in grads]
        return flat + head_grads

    def _backward_layer(self, depth, d_outs, cache):
        """Backward through one layer tuple: d_input (B, T, F_in) and flat grads."""
        d_in, flat = None, []
        for layer, d_out, layer_cache in zip(self.layers[depth], d_outs,
                                             cache["layers"][depth]):
            dX, grads = layer.backward(d_out, layer_cache)
            flat.extend(grads[name] for name in layer.params)
            d_in = dX if d_in is None else d_in + dX
        keep = cache["drops"][depth]
        if keep is not None:
            d_in = d_in * keep
        return d_in, flat

    def trace(self, X, lengths, layer=-1, direction=0):
        """``RecurrentLayer.trace`` of one layer and direction, in eval mode."""
        layer = range(len(self.layers))[layer]
        h, mask = self.layer_input(X, lengths, layer)
        return self.layers[layer][direction].trace(h, mask, reverse=direction == 1)
