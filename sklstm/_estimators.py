"""LSTMClassifier and LSTMRegressor: recurrent networks as scikit-learn estimators.

The estimators validate inputs and hyperparameters, own the fitted attributes
and translate between labels and network outputs. The network
(:mod:`sklstm._network`), the losses (:mod:`sklstm._losses`), the optimizers
(:mod:`sklstm._optimizers`) and the loop (:mod:`sklstm._training`) do the
numerical work; nothing here knows the gate algebra of any cell.
"""

import warnings
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
)

from . import __version__
from .core._parallel import blocks_on_one_blas_thread
from ._chunking import chunked, resolve_chunk_size
from ._linear_part import READINGS, RelativeToLast, fit_linear, linear_output
from ._data import check_sample_weight, check_sequences, minibatches, validate_sequences
from ._losses import LOSS_FOR_ACTIVATION, LOSS_FUNCTIONS, OUT_ACTIVATIONS
from ._network import POOLINGS, RecurrentNetwork
from ._optimizers import OPTIMIZERS
from ._param_validation import Interval, Options, StrOptions, _fit_context
from ._training import (
    AUTO_MAX_EPOCHS,
    AUTO_MAX_UPDATES,
    AUTO_PATIENCE_EPOCHS,
    AUTO_PATIENCE_UPDATES,
    History,
    LoopSettings,
    TrainData,
    fit_loop,
)
from .core import VARIANTS, variant_options
from .exceptions import InconsistentVersionWarning

# Elements of one (B, T, H) activation array allowed per prediction batch.
_PREDICT_BUDGET = 2**20
_AUTO_BATCH_SIZE = 64
#: ``early_stopping="auto"`` holds out a validation set from this many training
#: samples (sequences, or windows of a series) on, and from the second number on
#: when a regressor fits a linear part (the network then only refines it).
_AUTO_VALIDATION_MIN_SAMPLES = 1000
_AUTO_VALIDATION_MIN_SAMPLES_LINEAR = 50
#: Hyperparameters fixed once a network is built (and the variant's options,
#: ``sklstm.core.variant_options``: ``n_modules`` for clockwork, ``tied_weights`` and
#: ``depth_priority`` for grid): they shape its weights, or, for ``window``, the
#: samples it reads.
_ARCHITECTURE = ("variant", "hidden_size", "num_layers", "bidirectional", "pooling",
                 "dtype", "window", "chunk_size")


def _is_int(value):
    """True for Python and NumPy integers, False for bools."""
    return isinstance(value, Integral) and not isinstance(value, bool)


@dataclass
class _FitInputs:
    """What one call to ``fit`` or ``partial_fit`` trains on, all checked.

    ``features`` (an :class:`~sklstm._data.InputFeatures`, or None when X was
    checked against the fitted features) and ``attributes`` (the subclass's
    target encoding, e.g. ``classes_``) are set on the estimator only once the
    call has passed every check.
    """

    dataset: object  # as the network reads it: relative to x_last?, in chunks
    chunk_size: int
    y: np.ndarray
    Y: np.ndarray  # (n_samples, n_outputs), encoded for the loss
    sample_weight: np.ndarray
    features: object
    attributes: dict
    linear: dict = None  # the linear part: reading, n_steps, coef, intercept
    offsets: np.ndarray = None  # (n_samples, n_outputs): its output, or None


class BaseRecurrent(BaseEstimator):
    """Shared machinery of :class:`LSTMClassifier` and :class:`LSTMRegressor`.

    Not meant to be used directly; see the subclasses for the parameters.
    """

    _parameter_constraints: dict = {
        "variant": [StrOptions(set(VARIANTS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "pooling": [StrOptions(set(POOLINGS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "forget_bias": [Interval(Real, None, None, closed="neither")],
        "n_modules": [Interval(Integral, 1, None, closed="left")],
        "tied_weights": ["boolean"],
        "depth_priority": ["boolean"],
        "solver": [StrOptions(set(OPTIMIZERS))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "clip_norm": [None, Interval(Real, 0, None, closed="neither")],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "dtype": [StrOptions({"float32", "float64"})],
        "window": [None, Interval(Integral, 1, None, closed="left")],
        "chunk_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        variant="lstm",
        hidden_size=32,
        *,
        num_layers=1,
        bidirectional=True,
        pooling="last",
        dropout=0.0,
        forget_bias=1.0,
        n_modules=4,
        tied_weights=False,
        depth_priority=True,
        solver="adam",
        learning_rate_init=0.005,
        batch_size="auto",
        max_iter="auto",
        alpha=1e-4,
        clip_norm=5.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
        dtype="float32",
        window=None,
        chunk_size="auto",
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        self.variant = variant
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.forget_bias = forget_bias
        self.n_modules = n_modules
        self.tied_weights = tied_weights
        self.depth_priority = depth_priority
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.alpha = alpha
        self.clip_norm = clip_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype
        self.window = window
        self.chunk_size = chunk_size
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    # -- subclass hooks ---------------------------------------------------------
    def _check_y(self, y):
        """Validated targets, as the subclass takes them."""
        raise NotImplementedError

    def _weigh_classes(self, y, sample_weight, incremental):
        """Sample weights (n_samples,) times any class weights."""
        return sample_weight

    def _encode_targets(self, y, sample_weight, *, first_pass, incremental,
                        classes=None):
        """Targets -> (Y (n_samples, n_outputs) in ``dtype`` for the loss, dict of
        the fitted attributes that encode them); sets nothing on the estimator."""
        raise NotImplementedError

    def _out_activation(self):
        raise NotImplementedError

    def _decode(self, raw):
        """Raw network output (n_samples, n_outputs) -> predictions."""
        raise NotImplementedError

    def _score_predictions(self, y, y_pred, sample_weight):
        raise NotImplementedError

    def _split_stratify(self, y):
        """Labels to stratify the early-stopping split by, or None."""
        return None

    # -- network and optimizer --------------------------------------------------
    def _built(self, name):
        """Hyperparameter ``name`` as the fitted network was built with it (the
        current value for models saved before sklstm recorded it)."""
        return getattr(self, "_architecture", {}).get(name, getattr(self, name))

    def _network(self):
        """The trained network, assembled from ``layers_`` and ``head_`` (no copy),
        pooling as it was trained, whatever ``set_params`` did since."""
        return RecurrentNetwork(self.layers_, self.head_, pooling=self._built("pooling"),
                                dropout=self.dropout)

    def _architecture_params(self):
        """The hyperparameters fixed once the network is built (``_ARCHITECTURE``)."""
        names = _ARCHITECTURE + tuple(variant_options(self.variant))
        names += ("linear",) if hasattr(self, "linear") else ()
        return {name: getattr(self, name) for name in names}

    def _check_architecture(self, incremental):
        """Continuing a network needs the hyperparameters it was built with."""
        built = getattr(self, "_architecture", None)
        if built is None:  # a model saved before sklstm recorded it
            return
        for name, value in self._architecture_params().items():
            if built.get(name, value) != value:
                how = "partial_fit" if incremental else "fit with warm_start=True"
                raise ValueError(
                    f"{name}={value!r}, but the fitted network was built with "
                    f"{name}={built[name]!r}, and {how} continues that network. Set "
                    f"{name} back to {built[name]!r}, or fit a new network (fit with "
                    "warm_start=False)."
                )

    def _start_network(self, inputs, first_pass, rng):
        """A new network for ``inputs``, or the fitted one to continue from."""
        if not first_pass:
            self._check_n_outputs(inputs.Y.shape[1])
            return self._network()
        network = RecurrentNetwork.build(
            self.variant, inputs.dataset.n_features, self.hidden_size,
            inputs.Y.shape[1], num_layers=self.num_layers,
            bidirectional=self.bidirectional, pooling=self.pooling,
            dropout=self.dropout, forget_bias=self.forget_bias,
            options={name: getattr(self, name) for name in variant_options(self.variant)},
            random_state=rng, dtype=self.dtype)
        return network

    def _check_n_outputs(self, n_outputs):
        if n_outputs != self.n_outputs_:
            raise ValueError(f"y has {n_outputs} outputs; the model was fitted with "
                             f"{self.n_outputs_}.")

    def _set_linear(self, linear):
        """Record the fitted linear part (classifiers have none)."""

    def _commit(self, inputs, network, first_pass):
        """Set the fitted attributes of this call; it has passed every check."""
        for name, value in inputs.attributes.items():
            setattr(self, name, value)
        if not first_pass:
            return
        inputs.features.set_on(self)
        self.chunk_size_ = inputs.chunk_size
        self._set_linear(inputs.linear)
        self._architecture = self._architecture_params()
        self.layers_ = network.layers
        self.head_ = network.head
        self.n_outputs_ = inputs.Y.shape[1]
        self.out_activation_ = self._out_activation()
        self._optimizer = None
        self._history = None

    def _make_optimizer(self, params):
        """A new optimizer, or the current one (with its state) given new settings."""
        kind = OPTIMIZERS[self.solver]
        settings = ({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
                    if self.solver == "adam" else
                    {"momentum": self.momentum, "nesterov": self.nesterovs_momentum})
        optimizer = getattr(self, "_optimizer", None)
        if not isinstance(optimizer, kind):
            optimizer = kind(params, self.learning_rate_init, **settings)
        for name, value in settings.items():
            setattr(optimizer, name, value)
        optimizer.learning_rate = float(self.learning_rate_init)
        return optimizer

    def _train_batch_size(self, n_train):
        """``batch_size`` resolved for a training set of ``n_train`` samples."""
        if self.batch_size == "auto":
            return min(_AUTO_BATCH_SIZE, n_train)
        return int(min(self.batch_size, n_train))

    def _loop_settings(self, n_train):
        batch_size = self._train_batch_size(n_train)
        max_iter = self.max_iter
        if max_iter == "auto":
            updates_per_epoch = -(-n_train // batch_size)
            max_iter = max(AUTO_MAX_EPOCHS, -(-AUTO_MAX_UPDATES // updates_per_epoch))
        return LoopSettings(
            loss=LOSS_FOR_ACTIVATION[self.out_activation_], max_iter=max_iter,
            batch_size=batch_size, shuffle=self.shuffle, alpha=self.alpha,
            clip_norm=self.clip_norm, tol=self.tol,
            **self._patience(),
            early_stopping=self.do_early_stopping_, verbose=bool(self.verbose))

    def _patience(self):
        """``n_iter_no_change`` resolved: epochs, and the least number of updates."""
        if self.n_iter_no_change == "auto":
            return {"n_iter_no_change": AUTO_PATIENCE_EPOCHS,
                    "min_patience_updates": AUTO_PATIENCE_UPDATES}
        return {"n_iter_no_change": self.n_iter_no_change}

    # -- fitting ----------------------------------------------------------------
    def _validate_fit_inputs(self, X, y, sample_weight, first_pass, incremental,
                             classes):
        """Check X, y and the weights; a :class:`_FitInputs`. Sets nothing."""
        dataset, features = check_sequences(self, X, reset=first_pass,
                                            window=self.window,
                                            dtype=np.dtype(self.dtype))
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but "
                             "the target y is None.")
        try:
            y = self._check_y(y)
        except ValueError as exc:
            if self.window is None or "NaN" not in str(exc):
                raise
            raise ValueError(f"{exc}{_shifted_target_hint(y)}") from None
        check_consistent_length(dataset.lengths, y)
        sample_weight = check_sample_weight(sample_weight, len(dataset.lengths),
                                            np.dtype(self.dtype))
        sample_weight = self._weigh_classes(y, sample_weight, incremental)
        Y, attributes = self._encode_targets(y, sample_weight, first_pass=first_pass,
                                             incremental=incremental, classes=classes)
        if not first_pass:
            linear = self._fitted_linear()
        else:
            linear = self._fit_linear(dataset, Y, sample_weight)
        chunk_size = (resolve_chunk_size(self.chunk_size, dataset.lengths)
                      if first_pass else self.chunk_size_)
        dataset, offsets = self._network_inputs(dataset, linear, chunk_size)
        return _FitInputs(dataset, chunk_size, y, Y, sample_weight, features,
                          attributes, linear, offsets)

    def _fit_linear(self, dataset, Y, sample_weight):
        """A first fit's linear part (see :mod:`sklstm._linear_part`), or None."""
        return None

    def _fitted_linear(self):
        """The fitted linear part, or None."""
        return None

    @staticmethod
    def _network_inputs(dataset, linear, chunk_size):
        """The dataset as the network reads it (windows relative to their last
        row where a linear part carries the level, in chunks) and the linear
        part's output on it (None without one)."""
        offsets = None
        if linear is not None:
            offsets = linear_output(dataset, linear)  # (n, n_outputs)
            if dataset.kind == "windowed":
                dataset = RelativeToLast(dataset)
        return chunked(dataset, chunk_size), offsets

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        """Check and build everything first, then set the fitted attributes and
        train: a call that raises leaves the estimator as it was."""
        keep = self.warm_start or incremental
        first_pass = not (hasattr(self, "layers_") and keep)
        if incremental and self.early_stopping is True:
            raise ValueError("partial_fit does not support early_stopping=True")
        if not first_pass:
            self._check_architecture(incremental)
        inputs = self._validate_fit_inputs(X, y, sample_weight, first_pass,
                                           incremental, classes)
        rng = check_random_state(self.random_state)
        network = self._start_network(inputs, first_pass, rng)
        early_stopping = self._resolve_early_stopping(inputs, incremental)
        train, validate = self._train_and_validation(inputs, early_stopping, rng)
        self._commit(inputs, network, first_pass)
        self.do_early_stopping_ = early_stopping
        self._optimizer = self._make_optimizer(network.params)
        history = self._current_history()
        if not incremental:
            history.n_iter = 0  # as in MLPClassifier: the epochs of this call
        with blocks_on_one_blas_thread():
            fit_loop(network, self._optimizer, train,
                     self._loop_settings(train.dataset.n_samples), history, rng,
                     validate=validate, incremental=incremental)
        self._store_history(history)
        return self

    def _resolve_early_stopping(self, inputs, incremental):
        """Whether this call holds out a validation set."""
        if incremental:
            return False
        if self.early_stopping == "auto":
            least = (_AUTO_VALIDATION_MIN_SAMPLES if inputs.linear is None
                     else _AUTO_VALIDATION_MIN_SAMPLES_LINEAR)
            return inputs.dataset.n_samples >= least
        return bool(self.early_stopping)

    def _current_history(self):
        """The history to continue; a fresh one on the first call, or when this
        call records validation scores and the last did not (or the reverse)."""
        history = getattr(self, "_history", None)
        fresh = History.start(self.do_early_stopping_)
        if history is None:
            return fresh
        if (history.validation_scores is not None) != self.do_early_stopping_:
            fresh.loss_curve, fresh.t, fresh.n_iter = (history.loss_curve, history.t,
                                                       history.n_iter)
            return fresh
        return history

    def _store_history(self, history):
        self._history = history
        self.n_iter_ = history.n_iter
        self.t_ = history.t
        self.loss_curve_ = history.loss_curve
        self.best_loss_ = None if self.do_early_stopping_ else history.best_loss
        self.validation_scores_ = history.validation_scores
        self.best_validation_score_ = history.best_validation_score

    def _train_and_validation(self, inputs, early_stopping, rng):
        """TrainData for the loop and the validation function (or None)."""
        data = TrainData(inputs.dataset, inputs.Y, inputs.sample_weight, inputs.offsets)
        if not early_stopping:
            return data, None
        train_idx, val_idx = self._validation_split(data.dataset.n_samples, inputs.y,
                                                    rng)
        train, val, y_val = data.subset(train_idx), data.subset(val_idx), inputs.y[val_idx]

        def validate(network):  # called in training, once the encoding is set
            # in training's batch size: the validation holds no more memory than a step
            batch_size = self._train_batch_size(train.dataset.n_samples)
            raw = self._raw_output(val.dataset, network, val.offsets, batch_size)
            loss_function = LOSS_FUNCTIONS[LOSS_FOR_ACTIVATION[self.out_activation_]]
            loss, _ = loss_function(val.Y, raw, val.sample_weight)
            if not np.isfinite(raw).all():  # the loop stops on the loss; no score
                return np.nan, np.nan
            return loss, self._score_predictions(y_val, self._decode(raw),
                                                 val.sample_weight)

        return train, validate

    def _validation_split(self, n_samples, y, rng):
        """(train indices, validation indices); in window mode the last rows, as
        slices (views of the per-window arrays, not copies)."""
        if self.window is not None:
            n_val = int(np.ceil(self.validation_fraction * n_samples))
            split = (slice(0, n_samples - n_val), slice(n_samples - n_val, n_samples))
        else:
            split = train_test_split(np.arange(n_samples), random_state=rng,
                                     test_size=self.validation_fraction,
                                     stratify=self._split_stratify(y))
            n_val = len(split[1])
        if n_val < 2:
            raise ValueError("The validation set is too small. Increase "
                             "'validation_fraction' or the size of your dataset.")
        return split

    # -- prediction -------------------------------------------------------------
    def _raw_output(self, dataset, network, offsets=None, batch_size=None):
        """Raw output (n_samples, n_outputs): the network's, computed in batches
        (of ``batch_size``, or as many as ``_PREDICT_BUDGET`` allows), plus the
        linear part's ``offsets`` where there is one.

        Whatever ``dtype`` the network computes in, the result is float64, the
        precision scikit-learn expects of predictions.
        """
        raw = np.empty((dataset.n_samples, self.n_outputs_), dtype=np.float64)
        with blocks_on_one_blas_thread():
            for idx in self._predict_batches(dataset, batch_size):
                X, lengths = dataset.batch(idx)  # (b, T_b, F), (b,)
                raw[idx], _ = network.forward(X, lengths, training=False)
        if offsets is not None:
            raw += offsets
        return raw

    def _predict_batches(self, dataset, batch_size=None):
        if batch_size is None:
            width = sum(layer.hidden_size for layer in self.layers_[-1])  # as fitted
            longest = int(dataset.lengths.max()) if dataset.n_samples else 1
            batch_size = max(1, _PREDICT_BUDGET // (longest * width))
        return minibatches(dataset.lengths, batch_size, shuffle=False,
                           random_state=None)

    def _validate_for_prediction(self, X):
        """X as the network reads it, in the dtype the weights have (``dtype`` at
        fit time), and the linear part's output on it (or None)."""
        dataset = validate_sequences(self, X, reset=False, window=self._built("window"),
                                     dtype=self.head_["head_W"].dtype)
        return self._network_inputs(dataset, self._fitted_linear(), self.chunk_size_)

    def _raw_predict(self, X):
        """Validate X; raw output (n_samples, n_outputs)."""
        check_is_fitted(self)
        dataset, offsets = self._validate_for_prediction(X)
        return self._raw_output(dataset, self._network(), offsets)

    def predict(self, X):
        """Predict with the trained network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Sequences: a 3-D array; a 2-D array or DataFrame whose rows are
            univariate sequences; a list, object array or Series of
            ``(T_i, n_features)`` arrays or DataFrames, sequences of different
            lengths; or sktime's nested DataFrame (a pd.Series per case and
            channel). With ``window``, one 2-D series ``(n_rows, n_features)``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted class labels (classifier) or values (regressor).
        """
        return self._decode(self._raw_predict(X))

    def trace(self, X, layer=-1, direction=0):
        """Internal activations of one layer, as the trained network computes them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Sequences, in any format that ``predict`` takes.
        layer : int, default=-1
            Index into ``layers_``, in ``[-num_layers, num_layers)`` (negative
            counts from the top).
        direction : {0, 1}, default=0
            0 for the forward layer, 1 for the reverse one (bidirectional only).

        Returns
        -------
        internals : dict of str to ndarray of shape (n_samples, n_steps, hidden_size)
            ``RecurrentLayer.trace`` of that layer: ``"hidden"``, ``"cell"``
            where the variant has one, and each gate by name (``"grid"`` adds
            ``"depth_hidden"``, the layer's output, and ``"depth_cell"``, and
            names its depth gates ``"depth_input"``, ...); NaN past each
            sequence's length. Its input is the lower layers' output in eval
            mode (no dropout). With ``pooling="attention"``, the top layer's
            trace also has ``"attention"`` of shape (n_samples, n_steps): the
            pooling's weight on each step. ``n_steps`` is the network's steps:
            ``ceil(n_timesteps / chunk_size_)`` (each step reads a chunk).

        Examples
        --------
        >>> import numpy as np
        >>> from sklstm import LSTMRegressor
        >>> X = np.random.RandomState(0).normal(size=(20, 6, 1))
        >>> reg = LSTMRegressor(hidden_size=3, max_iter=2, random_state=0)
        >>> reg = reg.fit(X, X.sum(axis=(1, 2)))
        >>> gates = reg.trace(X[:2])
        >>> sorted(gates), gates["forget"].shape
        (['candidate', 'cell', 'forget', 'hidden', 'input', 'output'], (2, 6, 3))
        """
        check_is_fitted(self)
        layer, direction = self._check_trace_position(layer, direction)
        dataset, _ = self._validate_for_prediction(X)
        with blocks_on_one_blas_thread():
            return self._trace_batches(dataset, layer, direction)

    def _check_trace_position(self, layer, direction):
        """``layer`` as an index >= 0 and ``direction``, or a ValueError naming
        the valid values."""
        n_layers = len(self.layers_)
        if not (_is_int(layer) and -n_layers <= layer < n_layers):
            raise ValueError(
                f"layer must be an int in [-{n_layers}, {n_layers}): an index into "
                f"the {n_layers} recurrent layer(s), negative from the top; got "
                f"{layer!r}.")
        n_directions = len(self.layers_[layer])
        if not (_is_int(direction) and 0 <= direction < n_directions):
            valid = "0 (forward) or 1 (reverse)" if n_directions == 2 else (
                "0 (the model is not bidirectional)")
            raise ValueError(f"direction must be {valid}, got {direction!r}.")
        return int(layer) % n_layers, int(direction)

    def _trace_batches(self, dataset, layer, direction):
        network, result = self._network(), {}
        shape = (dataset.n_samples, int(dataset.lengths.max()))
        for idx in self._predict_batches(dataset):
            X, lengths = dataset.batch(idx)
            for name, values in network.trace(X, lengths, layer, direction).items():
                out = result.setdefault(
                    name, np.full(shape + values.shape[2:], np.nan, values.dtype))
                out[idx, :values.shape[1]] = values
        return result

    def score(self, X, y, sample_weight=None):
        """Mean accuracy (classifier) or R^2 (regressor) on the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Test sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        return self._score_predictions(y, self.predict(X), sample_weight)

    # -- persistence and tags ---------------------------------------------------
    def __getstate__(self):
        """Pickle configuration, weights and the sklstm version only: no optimizer
        moments or history buffers. A loaded model predicts exactly as before;
        ``warm_start`` and ``partial_fit`` on it start a fresh optimizer."""
        state = super().__getstate__()
        state.pop("_optimizer", None)
        state.pop("_history", None)
        state["_sklstm_version"] = __version__
        return state

    def __setstate__(self, state):
        saved_version = state.pop("_sklstm_version", "unknown")
        if saved_version != __version__:
            warnings.warn(InconsistentVersionWarning(
                estimator_name=type(self).__name__,
                current_sklstm_version=__version__,
                original_sklstm_version=saved_version))
        super().__setstate__(state)
        if "loss_curve_" in state:
            self._history = History(
                loss_curve=self.loss_curve_, validation_scores=self.validation_scores_,
                best_loss=np.inf if self.best_loss_ is None else self.best_loss_,
                best_validation_score=self.best_validation_score_,
                n_iter=self.n_iter_, t=self.t_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.non_deterministic = False
        return tags


_PARAMETERS_DOC = """\
    variant : str, default="lstm"
        The recurrent cell: any name in ``sklstm.core.VARIANTS`` ("lstm",
        "gru", "peephole", "rnn", ...).

    hidden_size : int, default=32
        Units per recurrent layer and direction.

    num_layers : int, default=1
        Stacked recurrent layers; each takes the (concatenated) outputs of the
        one below. ``"depth_gated"`` and ``"grid"``, which pass memory cells
        between layers, need 2 or more.

    bidirectional : bool, default=True
        Add a layer reading each sequence backwards beside every forward layer.
        On the UCR/UEA collection of ``benchmarks/bench_real_data.py`` (mean
        of 3 seeds) two directions were more accurate than one on 10 of the 12
        classification sets tried and on 1 of the 3 regression sets, at twice
        the cost per epoch (docs/benchmarks.md). ``trace`` and ``plot_gates``
        show the forward layer unless asked for ``direction=1``.

    pooling : {"last", "mean", "attention"}, default="last"
        How the top layer's outputs become one vector per sequence: the last
        valid hidden state of each direction (for the reverse direction the
        state at step 0, after reading the whole sequence backwards), the
        mean over the valid steps, or a learned additive attention over the
        valid steps (Bahdanau et al. 2015), whose weights per step ``trace``
        reports as ``"attention"``.

    dropout : float, default=0.0
        Inverted-dropout rate between layers and before the dense head, in
        training only.

    forget_bias : float, default=1.0
        Initial forget-gate bias (Jozefowicz et al. 2015); ignored by cells
        without a forget gate.

    n_modules : int, default=4
        Clock modules of the ``"clockwork"`` variant (periods 1, 2, 4, ...,
        needs ``hidden_size >= n_modules``); ignored by the other variants.

    tied_weights : bool, default=False
        ``"grid"`` only: share the blocks' weights across the layers (the
        tied Grid LSTM of Kalchbrenner et al. 2015): one ``U`` and ``b`` for
        the stack, one ``W`` for the layers above the bottom, each trained on
        the sum of its layers' gradients. Ignored by the other variants.

    depth_priority : bool, default=True
        ``"grid"`` only: the depth transform of each block reads the time
        transform's new hidden vector (the paper's priority dimension); False
        computes both transforms from the same incoming vectors. Ignored by
        the other variants.

    solver : {"adam", "sgd"}, default="adam"
        Adam, or stochastic gradient descent with (Nesterov) momentum.

    learning_rate_init : float, default=0.005
        Step size. Recurrent nets with Adam train well at 1e-3 to 1e-2; for
        "sgd" try 0.05 to 0.5.

    batch_size : int or "auto", default="auto"
        Sequences per minibatch; "auto" is ``min(64, n_samples)``. Batches
        group sequences of similar length.

    max_iter : int or "auto", default="auto"
        Maximum number of epochs (passes over the training set). "auto" is 100
        epochs, or as many as make 1000 optimizer updates where an epoch makes
        fewer than 10 (a set of 100 sequences is 2 updates an epoch): small sets
        need more passes, and the stopping rule ends training once it stops
        improving. On the Trace set (100 series, 3 seeds) 100 epochs scored
        0.717 and 500 epochs 0.987.

    alpha : float, default=1e-4
        L2 penalty on every weight array (not the biases), divided by the
        batch's total sample weight as in ``MLPClassifier``.

    clip_norm : float or None, default=5.0
        Global L2 norm the gradient is clipped to before each step; None turns
        clipping off.

    early_stopping : bool or "auto", default="auto"
        Hold out ``validation_fraction`` of the training set, watch the loss on
        it, stop when it stops improving and restore the weights of the epoch
        where it was lowest. "auto" does so when the training set has at least
        1000 samples (sequences, or windows of a series), or 50 where a
        regressor fits a linear part (``LSTMRegressor(linear=...)``), and,
        like False, watches the training loss otherwise. The split is random, except with
        ``window``, where it is the last rows in time order. For single-output
        classification it is stratified when it can be: when every class has
        two samples or more and both sides of the split have room for every
        class. ``do_early_stopping_`` says what the last fit did.

    validation_fraction : float, default=0.1
        Share of the training set held out for early stopping.

    n_iter_no_change : int or "auto", default="auto"
        Epochs without an improvement of ``tol`` before training stops. "auto"
        is 10 epochs that also make at least 200 optimizer updates, so that a
        small training set (one minibatch an epoch) is not stopped after a few
        steps.

    tol : float, default=1e-4
        Smallest decrease of the watched loss (the validation loss with early
        stopping, else the training loss) that counts as an improvement.
        Whichever is watched, training ends on the weights of the epoch where
        it was lowest; an epoch whose training loss jumps above twice the
        lowest so far is undone (the best weights come back) and the learning
        rate is halved.

    shuffle : bool, default=True
        Shuffle the minibatches every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical models on every fit.

    verbose : bool or int, default=False
        Print one line per epoch: its number, training loss, validation score
        (with early stopping) and elapsed seconds.

    warm_start : bool, default=False
        Continue from the current weights (and optimizer state) on the next
        call to ``fit`` instead of reinitialising. Continuing, like
        ``partial_fit``, needs the hyperparameters that shape the network
        (``variant``, ``hidden_size``, ``num_layers``, ``bidirectional``,
        ``pooling``, ``dtype``, ``window``, and the variant's options:
        ``n_modules`` for clockwork, ``tied_weights`` and ``depth_priority``
        for grid) as
        they were when it was built; a fitted model predicts with those,
        whatever ``set_params`` did since.

    dtype : {"float32", "float64"}, default="float32"
        Precision of weights and computations. float32 is about twice as fast.

    window : int or None, default=None
        Read a 2-D X as one long time series, rows in time order and columns
        the features: sample ``i`` is the window of the ``window`` rows up to
        row ``i`` (fewer for the first rows), one prediction per row. None
        reads X as one sequence per sample. See "Input formats" in the README
        and ``docs/forecasting.md`` (choosing ``TimeSeriesSplit``'s ``gap``).

    chunk_size : int or "auto", default="auto"
        Consecutive time steps read together as one input vector of
        ``chunk_size * n_features`` values, as the row-by-row MNIST LSTM reads
        an image: the recurrence runs ``chunk_size`` times fewer steps, which
        makes long series far easier (and faster) to learn. "auto" keeps
        sequences of up to 32 steps as they are and reads longer ones in the
        smallest chunks that make at most 32 steps of the longest training
        sequence (``chunk_size_``). 1 reads every step. A last chunk that is
        only partly filled is padded with zeros; ``trace`` reports one step per
        chunk.

    momentum : float, default=0.9
        Momentum of "sgd".

    nesterovs_momentum : bool, default=True
        Nesterov's momentum for "sgd".

    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate.

    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate.

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
"""

_ATTRIBUTES_DOC = """\
    n_features_in_ : int
        Features seen during fit: per time step for 3-D input, the number of
        columns (time steps) for 2-D univariate rows.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when X was a DataFrame with string column names.

    chunk_size_ : int
        Time steps per input vector of the network (``chunk_size`` resolved).

    n_outputs_ : int
        Outputs of the dense head.

    out_activation_ : str
        Output activation: "identity", "logistic" or "softmax".

    layers_ : list of tuple of RecurrentLayer
        One tuple per layer, bottom to top, with one
        :class:`sklstm.core.RecurrentLayer` per direction (forward first).

    head_ : dict of ndarray
        The dense head: ``"head_W"`` (n_directions * hidden_size, n_outputs)
        and ``"head_b"`` (n_outputs,).

    n_iter_ : int
        Epochs run by the last call to ``fit``; ``partial_fit`` adds one per
        call, as in ``MLPClassifier``.

    t_ : int
        Training samples seen by the optimizer, over all calls.

    loss_curve_ : list of float
        Training loss (with the L2 term) of every epoch, over all calls.

    best_loss_ : float or None
        Lowest training loss; None with early stopping.

    do_early_stopping_ : bool
        Whether the last call held out a validation set (``early_stopping``
        resolved).

    validation_scores_ : list of float or None
        Validation score of every epoch with early stopping, else None.

    best_validation_score_ : float or None
        With early stopping, the validation score of the epoch whose weights
        were kept (the lowest validation loss); else None.
"""

_NOTES_DOC = """\
    The network is a stack of :class:`sklstm.core.RecurrentLayer` objects
    (pure NumPy, exact backpropagation through time), a pooling step and a
    dense head, trained by minibatch Adam or SGD on the loss of
    ``MLPClassifier`` / ``MLPRegressor``, with global gradient-norm clipping.

    Pickles and ``joblib.dump`` files hold the configuration and the weights
    only: the optimizer's moment estimates are dropped, so a loaded model
    predicts exactly as before, and ``warm_start`` or ``partial_fit`` on it
    continues from its weights with a fresh optimizer. Within one session the
    optimizer state carries over between calls.

    The saved object records the sklstm version; loading it under another
    version warns with :class:`sklstm.exceptions.InconsistentVersionWarning`.
    For files from someone you do not trust, use ``skops.io`` rather than
    pickle (see ``docs/persistence.md``).

    ``fit``, ``partial_fit``, ``predict`` and ``trace`` run BLAS on one thread,
    in the main process and in joblib workers alike: the recurrent matrix
    products of one time step are too small to share between cores (two
    threads were 6-25x slower on a busy 2-core machine, and no faster on an
    idle one at batch 64, hidden_size 64). Parallelism comes from running fits
    side by side (``GridSearchCV(n_jobs=...)``), which never oversubscribes the
    cores. The limit is process-wide while any such call runs, and the
    previous thread count comes back when the last one ends.
"""


def _docstring(template):
    """Fill the shared parameter, attribute and notes sections into a docstring."""
    def decorate(cls):
        cls.__doc__ = template.format(parameters=_PARAMETERS_DOC.rstrip(),
                                      attributes=_ATTRIBUTES_DOC.rstrip(),
                                      notes=_NOTES_DOC.rstrip())
        return cls
    return decorate


@_docstring("""Recurrent-network classifier (LSTM, GRU and their variants).

    Reads each sample as a sequence, runs it through recurrent layers, pools
    the outputs and classifies with a dense head: softmax for multiclass,
    logistic for binary and multilabel targets. Behaves like
    :class:`~sklearn.neural_network.MLPClassifier` wherever it can.

    Parameters
    ----------
{parameters}

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{{label: weight}}``, or "balanced" for ``n_samples / (n_classes *
        np.bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (for multilabel targets, the label indices).

{attributes}

    See Also
    --------
    LSTMRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : Feed-forward counterpart.

    Notes
    -----
{notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 5, 2))                 # 40 sequences, 5 steps
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = LSTMClassifier(hidden_size=8, max_iter=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """)
class LSTMClassifier(ClassifierMixin, BaseRecurrent):
    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        variant="lstm",
        hidden_size=32,
        *,
        num_layers=1,
        bidirectional=True,
        pooling="last",
        dropout=0.0,
        forget_bias=1.0,
        n_modules=4,
        tied_weights=False,
        depth_priority=True,
        solver="adam",
        learning_rate_init=0.005,
        batch_size="auto",
        max_iter="auto",
        alpha=1e-4,
        clip_norm=5.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
        dtype="float32",
        window=None,
        chunk_size="auto",
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        class_weight=None,
    ):
        super().__init__(
            variant=variant, hidden_size=hidden_size, num_layers=num_layers,
            bidirectional=bidirectional, pooling=pooling, dropout=dropout,
            forget_bias=forget_bias, n_modules=n_modules, tied_weights=tied_weights,
            depth_priority=depth_priority, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size,
            max_iter=max_iter, alpha=alpha, clip_norm=clip_norm,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, shuffle=shuffle,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            dtype=dtype, window=window, chunk_size=chunk_size, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon,
        )
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences X and labels y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Training sequences: a 3-D array; a 2-D array or DataFrame whose rows are
            univariate sequences; a list, object array or Series of
            ``(T_i, n_features)`` arrays or DataFrames, sequences of different
            lengths; or sktime's nested DataFrame (a pd.Series per case and
            channel). With ``window``, one 2-D series ``(n_rows, n_features)``.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; multiplied by ``class_weight``.

        Returns
        -------
        self : LSTMClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever be seen; required on the first call,
            ignored after.

        Returns
        -------
        self : LSTMClassifier
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True,
                         classes=classes)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Sequences.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_`` (for multilabel targets,
            the probability of each label).
        """
        raw = self._raw_predict(X)
        proba = OUT_ACTIVATIONS[self.out_activation_](raw)
        if self.out_activation_ == "logistic" and self.n_outputs_ == 1:
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Sequences.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def _check_y(self, y):
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return y

    def _weigh_classes(self, y, sample_weight, incremental):
        if self.class_weight is None:
            return sample_weight
        if incremental and self.class_weight == "balanced":
            raise ValueError("class_weight='balanced' is not supported by "
                             "partial_fit; pass a dict of class weights.")
        weights = compute_sample_weight(self.class_weight, y).astype(sample_weight.dtype)
        weighted = sample_weight * weights
        if not weighted.any():
            raise ValueError("class_weight leaves every sample with zero weight: give a "
                             "class that is present in y a positive class weight.")
        return weighted

    def _encode_targets(self, y, sample_weight, *, first_pass, incremental,
                        classes=None):
        binarizer = self._binarizer(y, first_pass, incremental, classes)
        Y = binarizer.transform(y).astype(self.dtype)  # (n, n_outputs)
        return Y, {"_label_binarizer": binarizer, "classes_": binarizer.classes_}

    def _binarizer(self, y, first_pass, incremental, classes):
        """The label encoder of this call, new or fitted; y is checked against it."""
        if incremental:
            self._check_classes_argument(classes)
        if not first_pass:
            binarizer = self._label_binarizer
        elif incremental and not type_of_target(y).startswith("multilabel"):
            binarizer = LabelBinarizer().fit(classes)
        else:
            binarizer = LabelBinarizer().fit(y)
        if first_pass:
            self._check_two_classes(binarizer)
        if incremental or not first_pass:
            self._check_known_classes(y, binarizer)
        return binarizer

    def _check_classes_argument(self, classes):
        """partial_fit's ``classes``: required first, the same ever after."""
        fitted = getattr(self, "classes_", None)
        if fitted is None and classes is None:
            raise ValueError("classes must be passed on the first call to "
                             "partial_fit.")
        if not (fitted is None or classes is None
                or np.array_equal(fitted, unique_labels(classes))):
            raise ValueError(f"`classes={classes!r}` is not the same as on last "
                             f"call to partial_fit, was: {fitted!r}")

    def _check_two_classes(self, binarizer):
        if binarizer.y_type_.startswith("multilabel") or len(binarizer.classes_) > 1:
            return
        raise ValueError(
            f"{type(self).__name__} needs samples of at least 2 classes in the "
            "data, but the data contains only one class: "
            f"{binarizer.classes_.tolist()[0]!r}. Pass samples of every class.")

    def _check_known_classes(self, y, binarizer):
        classes = unique_labels(y)
        if self.warm_start and set(classes) != set(binarizer.classes_):
            raise ValueError("warm_start can only be used where `y` has the same "
                             f"classes as in the previous call to fit. Previously "
                             f"got {binarizer.classes_}, `y` has {classes}")
        if len(np.setdiff1d(classes, binarizer.classes_)):
            raise ValueError(f"`y` has classes not in `self.classes_`. "
                             f"`self.classes_` has {binarizer.classes_}. "
                             f"'y' has {classes}.")

    def _out_activation(self):
        multiclass = self._label_binarizer.y_type_ == "multiclass"
        return "softmax" if multiclass else "logistic"

    def _decode(self, raw):
        proba = OUT_ACTIVATIONS[self.out_activation_](raw)
        if self.n_outputs_ == 1:
            proba = proba.ravel()
        return self._label_binarizer.inverse_transform(proba)

    def _score_predictions(self, y, y_pred, sample_weight):
        return accuracy_score(y, y_pred, sample_weight=sample_weight)

    def _split_stratify(self, y):
        """y, when a stratified split can put every class on both of its sides."""
        if y.ndim != 1:
            return None
        counts = np.unique(y, return_counts=True)[1]  # (n_classes,)
        n_val = int(np.ceil(self.validation_fraction * len(y)))  # train_test_split's
        if counts.min() < 2 or min(n_val, len(y) - n_val) < len(counts):
            return None
        return y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


@_docstring("""Recurrent-network regressor (LSTM, GRU and their variants).

    Reads each sample as a sequence, runs it through recurrent layers, pools
    the outputs and predicts one or several values with a linear head trained
    on the squared error. Behaves like
    :class:`~sklearn.neural_network.MLPRegressor` wherever it can.

    Parameters
    ----------
{parameters}

    linear : {{"auto", "last", "all"}} or None, default="auto"
        A linear part: a ridge regression (its penalty chosen by generalised
        cross-validation) fitted first, in closed form, whose prediction the
        network's output is added to; the network learns what it leaves.
        "last" reads each sequence's last step, and the network reads the
        sequence relative to it, ``x_t - x_last``: forecasts of a window model
        then follow a level that moves beyond the training range (a trend).
        "all" reads the whole sequence flattened (sequences of one length),
        the lag regression a forecaster or a spectroscopist would try first.
        "auto" is "all" for windows (``window``) and sequences of one length,
        None (no linear part) for sequences of several lengths. To study what
        the gates alone do (``trace``, ``plot_gates``), fit with
        ``linear=None``. On the 17
        series of ``benchmarks/bench_forecast.py`` (2 seeds), "all" came within
        4% of the lag regression's one-step error on average (geometric mean),
        "last" within 12% (docs/benchmarks.md).
        Continuing (``warm_start``, ``partial_fit``) keeps the linear part of
        the first fit. With a linear part, ``early_stopping="auto"`` holds out
        a validation set from 50 training samples on: the network then only
        refines the linear prediction, and the held-out loss keeps it from
        fitting noise.

    Attributes
    ----------
{attributes}

    linear_ : dict or None
        The fitted linear part: ``"reading"`` ("last" or "all"),
        ``"n_steps"`` (the sequence length it reads, for "all"), ``"coef"``
        (n_inputs, n_outputs_) and ``"intercept"`` (n_outputs_,), in units of
        the standardised targets, and ``"alpha"``, the penalty chosen; None
        without one.

    See Also
    --------
    LSTMClassifier : The same network for classification.
    sklearn.neural_network.MLPRegressor : Feed-forward counterpart.

    Notes
    -----
{notes}

    The network learns standardised targets, ``(y - mean) / std`` per output with
    the (sample-weighted) mean and standard deviation of y in the call that starts
    training (``fit``, or the first ``partial_fit``), and its predictions are mapped
    back. Targets of any scale thus train alike, as inside a
    :class:`~sklearn.compose.TransformedTargetRegressor` with a ``StandardScaler``
    (which ``MLPRegressor`` needs for targets far from unit scale), and
    ``loss_curve_``, ``best_loss_`` and ``tol`` are in units of the standardised
    targets: half the mean squared error divided by the variance of y.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 5, 2))                 # 40 sequences, 5 steps
    >>> y = X[:, :, 0].mean(axis=1)
    >>> reg = LSTMRegressor(hidden_size=8, max_iter=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """)
class LSTMRegressor(RegressorMixin, BaseRecurrent):
    _parameter_constraints: dict = {
        **BaseRecurrent._parameter_constraints,
        "linear": [StrOptions({"auto", *READINGS}), None],
    }

    def __init__(
        self,
        variant="lstm",
        hidden_size=32,
        *,
        num_layers=1,
        bidirectional=True,
        pooling="last",
        dropout=0.0,
        forget_bias=1.0,
        n_modules=4,
        tied_weights=False,
        depth_priority=True,
        solver="adam",
        learning_rate_init=0.005,
        batch_size="auto",
        max_iter="auto",
        alpha=1e-4,
        clip_norm=5.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change="auto",
        tol=1e-4,
        shuffle=True,
        random_state=None,
        verbose=False,
        warm_start=False,
        dtype="float32",
        window=None,
        chunk_size="auto",
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        linear="auto",
    ):
        super().__init__(
            variant=variant, hidden_size=hidden_size, num_layers=num_layers,
            bidirectional=bidirectional, pooling=pooling, dropout=dropout,
            forget_bias=forget_bias, n_modules=n_modules, tied_weights=tied_weights,
            depth_priority=depth_priority, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size,
            max_iter=max_iter, alpha=alpha, clip_norm=clip_norm,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, shuffle=shuffle,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            dtype=dtype, window=window, chunk_size=chunk_size, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon,
        )
        self.linear = linear

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Training sequences: a 3-D array; a 2-D array or DataFrame whose rows are
            univariate sequences; a list, object array or Series of
            ``(T_i, n_features)`` arrays or DataFrames, sequences of different
            lengths; or sktime's nested DataFrame (a pd.Series per case and
            channel). With ``window``, one 2-D series ``(n_rows, n_features)``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : LSTMRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y), continuing from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features])
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : LSTMRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _check_y(self, y):
        y = check_array(y, ensure_2d=False, dtype=np.dtype(self.dtype),
                        input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y

    def _encode_targets(self, y, sample_weight, *, first_pass, incremental,
                        classes=None):
        """Standardised targets: the network learns ``(y - mean) / std``."""
        Y = y.reshape(len(y), -1)  # (n, n_outputs)
        if first_pass:
            mean, scale = _target_statistics(Y, sample_weight)
        else:
            self._check_n_outputs(Y.shape[1])
            mean, scale = self._y_mean, self._y_scale
        standardised = ((Y - mean) / scale).astype(self.dtype)
        return standardised, {"_y_mean": mean, "_y_scale": scale}

    def _fit_linear(self, dataset, Y, sample_weight):
        reading = self._linear_reading(dataset)
        if reading is None:
            return None
        return fit_linear(dataset, reading, Y, sample_weight)

    def _linear_reading(self, dataset):
        """``linear`` resolved: "all" for windows and sequences of one length,
        None for sequences of several."""
        if self.linear != "auto":
            return self.linear
        if self.window is not None or len(np.unique(dataset.lengths)) == 1:
            return "all"
        return None

    def _fitted_linear(self):
        return self.linear_

    def _set_linear(self, linear):
        self.linear_ = linear

    def _out_activation(self):
        return "identity"

    def _decode(self, raw):
        y = (raw * self._y_scale + self._y_mean).astype(raw.dtype)  # (n, n_outputs)
        return y.ravel() if self.n_outputs_ == 1 else y

    def _score_predictions(self, y, y_pred, sample_weight):
        return r2_score(y, y_pred, sample_weight=sample_weight)


def _shifted_target_hint(y):
    """For y whose NaNs are only its first or last rows, what a forecasting target
    made by shifting a series leaves there: how to drop them. Else ""."""
    try:
        missing = np.isnan(np.asarray(y, dtype=np.float64)).reshape(len(y), -1).any(axis=1)
    except (TypeError, ValueError):
        return ""
    if missing.all() or not (missing[0] or missing[-1]):
        return ""
    n_head, n_tail = int(np.argmin(missing)), int(np.argmin(missing[::-1]))
    if missing[n_head:len(missing) - n_tail].any():
        return ""
    where = " and ".join(f"{side} {count}" for side, count in
                         (("first", n_head), ("last", n_tail)) if count)
    keep = f"{n_head or ''}:{-n_tail if n_tail else ''}"
    return (f" Its NaNs are all in its {where} rows, which is what shifting a series "
            "leaves (y = series.shift(-h) to forecast h steps ahead). Drop those rows "
            f"from both X and y, e.g. X.iloc[{keep}] and y.iloc[{keep}].")


def _target_statistics(Y, sample_weight):
    """Weighted mean and standard deviation (n_outputs,) of the targets Y (n, n_outputs),
    in float64; a standard deviation of (numerically) zero becomes 1."""
    weights = sample_weight.astype(np.float64)
    mean = np.average(Y, axis=0, weights=weights)
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=weights))
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise ValueError("y is too large to standardise: its mean or standard deviation "
                         "overflows float64. Rescale y (e.g. divide it by a power of 10).")
    constant = std <= 10 * np.finfo(Y.dtype).eps * np.maximum(np.abs(mean), 1.0)
    return mean, np.where(constant, 1.0, std)
