"""The scikit-learn interface shared by :class:`LSTMClassifier` and :class:`LSTMRegressor`.

``fit`` checks everything first (inputs through :mod:`sklstm._data`, targets through
the subclass), then sets the fitted attributes and hands the network, an optimizer
(:mod:`sklstm._optimizers`), the training data and the held-out set
(:mod:`sklstm._train_data`) to the loop (:mod:`sklstm._training`); the loop records
what it did in a :class:`~sklstm._history.History`, which the training attributes
read. Prediction runs the fitted ``network_`` in batches (:mod:`sklstm._prediction`).
Nothing here knows the gate algebra of any cell.
"""

import warnings
from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import BaseEstimator, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from . import __version__
from ._chunking import ChunkedSequences, chunked, resolve_chunks
from ._sequence_scaling import ScaledSequences, fit_sequence_scaling, input_deviation
from ._data import check_sample_weight, read_for_fit
from ._history import History
from ._hyperparameters import ARCHITECTURE, PARAMETER_CONSTRAINTS
from ._linear_part import RelativeToLast, linear_output
from ._losses import LOSS_FOR_ACTIVATION
from ._network import RecurrentNetwork
from ._optimizers import make_optimizer
from ._prediction import check_trace_position, predict_raw, trace_all
from ._targets import checked_targets
from ._train_data import (
    TrainData,
    Validation,
    split_for_validation,
    wants_validation,
)
from ._readout import (
    is_reservoir,
    is_reservoir_variant,
    readout_network,
    reservoir_states,
    solve_readout,
    solves_readout,
)
from ._training import AUTO_MAX_UPDATES, LoopSettings, fit_loop
from .core import blocks_on_one_blas_thread, variant_options
from .exceptions import InconsistentVersionWarning


@dataclass
class _FitInputs:
    """What one call to ``fit`` or ``partial_fit`` trains on, all checked.

    ``spec`` (an :class:`~sklstm._data.InputSpec`, or None when X was read
    through the fitted one) and ``attributes`` (the subclass's target encoding,
    e.g. ``classes_``) are set on the estimator only once the call has passed
    every check.
    """

    data: TrainData  # the dataset as the network reads it (relative to x_last?, in
    #                  chunks), encoded targets (n_samples, n_outputs), weights, offsets
    chunks: tuple  # (chunk size, overlap in steps, prediction phases, crop fraction)
    y: np.ndarray
    spec: object
    attributes: dict
    linear: dict = None  # the linear part: reading, n_steps, coef, intercept
    scaling: dict = None  # each sequence on its own scale: floor, center, spread

    @property
    def dataset(self):
        """What the network reads."""
        return self.data.dataset

    def reading(self, dataset):
        """These inputs with ``dataset`` in place of what the network reads."""
        return replace(self, data=replace(self.data, dataset=dataset))


def _from_history(name, doc):
    """A fitted attribute read from the training history (the one place it lives)."""
    def read(self):
        if "_history" not in vars(self):
            raise AttributeError(f"{type(self).__name__} has no {name!r} before fit")
        return getattr(self._history, name)
    return property(read, doc=doc)


def noise_fraction(input_noise, auto, *, windowed, reservoir):
    """The fraction of each input's deviation that ``input_noise`` stands for:
    "auto" is the estimator's ``auto``, and none for windows of one series and a
    reservoir's readout."""
    if input_noise != "auto":
        return float(input_noise)
    return 0.0 if windowed or reservoir else auto


class BaseRecurrent(BaseEstimator):
    """Shared machinery of :class:`LSTMClassifier` and :class:`LSTMRegressor`.

    Not meant to be used directly; see the subclasses for the parameters.
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self, variant="lstm", hidden_size=32, *, num_layers=1, bidirectional=True,
        pooling="last", dropout=0.0, forget_bias=1.0, n_modules=4,
        spectral_radius=1.0, leak_rate=1.0, input_scaling=1.0, density="auto",
        tied_weights=False, depth_priority=True, solver="adam",
        learning_rate_init=0.005, batch_size="auto", max_iter="auto", alpha=1e-4,
        clip_norm=5.0, early_stopping="auto", validation_fraction=0.1,
        n_iter_no_change="auto", tol=1e-4, shuffle=True, random_state=None,
        verbose=False, warm_start=False, dtype="float32", window=None,
        chunk_size="auto", chunk_overlap="auto", shift_chunks=True,
        scale_sequences="auto", input_noise="auto", crop_fraction=1.0, momentum=0.9,
        nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
    ):
        self.variant = variant
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.dropout = dropout
        self.forget_bias = forget_bias
        self.n_modules = n_modules
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.density = density
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
        self.chunk_overlap = chunk_overlap
        self.shift_chunks = shift_chunks
        self.scale_sequences = scale_sequences
        self.input_noise = input_noise
        self.crop_fraction = crop_fraction
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    # -- subclass hooks: targets in, predictions out ------------------------------
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

    def _fit_linear(self, dataset, Y, sample_weight, first_pass):
        """The linear part (see :mod:`sklstm._linear_part`) this call adds the
        network's output to, or None (classifiers have none)."""
        return None

    def _weigh_network(self, network, validate):
        """After a fit's training: scale the output of ``network`` (the trained
        part) by how it does on the held-out set (``validate``, a
        :class:`~sklstm._train_data.Validation`, or None); regressors with a
        linear part do."""

    def _decode(self, raw):
        """Raw network output (n_samples, n_outputs) -> predictions."""
        raise NotImplementedError

    def _score_raw(self, y, raw, sample_weight):
        """Accuracy or R^2 of raw outputs (n_samples, n_outputs) against y."""
        return self._score_predictions(y, self._decode(raw), sample_weight)

    # -- fitting -------------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        """Check and build everything first, then set the fitted attributes and
        train: a call that raises leaves the estimator as it was."""
        first_pass = not (hasattr(self, "network_") and (self.warm_start or incremental))
        if incremental and self.early_stopping is True:
            raise ValueError("partial_fit does not support early_stopping=True")
        if not first_pass:
            self._check_architecture(incremental)
        inputs = self._fit_inputs(X, y, sample_weight, first_pass, incremental, classes)
        rng = check_random_state(self.random_state)
        network = trained = self._start_network(inputs, first_pass, rng)
        if is_reservoir(network):  # "esn": only the readout trains (_readout.py)
            inputs = inputs.reading(reservoir_states(network, inputs.dataset))
            if solves_readout(network, is_regressor(self), incremental):
                return self._solve_readout(inputs, network, first_pass, incremental)
            trained = readout_network(network)
        return self._train(inputs, network, trained, first_pass, incremental, rng)

    def _train(self, inputs, network, trained, first_pass, incremental, rng):
        """Set the fitted attributes of ``network`` and train its part ``trained``
        (the whole network, or an echo state network's readout) by the loop."""
        early_stopping = wants_validation(self.early_stopping, inputs.dataset.n_samples,
                                          linear=inputs.linear is not None,
                                          incremental=incremental)
        train, held_out, y_held_out = inputs.data, None, None
        if early_stopping:
            train, held_out, y_held_out = split_for_validation(
                inputs.data, inputs.y, self.validation_fraction,
                windowed=self.window is not None,
                stratify=self._stratify_by(inputs.y), rng=rng)
        noise = self._input_noise(train.dataset, reservoir=trained is not network)
        self._commit(inputs, network, first_pass)
        settings = LoopSettings.resolve(
            self.get_params(deep=False), train.dataset.n_samples,
            early_stopping=early_stopping, loss=LOSS_FOR_ACTIVATION[self.out_activation_],
            chunked=isinstance(train.dataset, ChunkedSequences), input_noise=noise)
        validate = None if held_out is None else Validation(
            held_out, y_held_out, self._score_raw, settings.loss, settings.batch_size)
        self._optimizer = self._make_optimizer(trained.params)
        self._history = self._history_to_continue(early_stopping, incremental)
        self.do_early_stopping_ = early_stopping
        with blocks_on_one_blas_thread():
            fit_loop(trained, self._optimizer, train, settings, self._history, rng,
                     validate=validate, incremental=incremental)
        if not incremental:
            self._weigh_network(trained, validate)
        return self

    def _solve_readout(self, inputs, network, first_pass, incremental):
        """Solve an echo state network's readout on its kept states (_readout.py)."""
        statistics = (getattr(self, "_readout_statistics", None)
                      if incremental and not first_pass else None)
        self._commit(inputs, network, first_pass)  # solving cannot fail: set them now
        settings = LoopSettings.resolve(
            self.get_params(deep=False), inputs.dataset.n_samples, early_stopping=False,
            loss=LOSS_FOR_ACTIVATION[self.out_activation_])
        history = self._history_to_continue(False, incremental)
        self._readout_statistics = solve_readout(
            network, inputs.data, settings, history, statistics=statistics,
            max_iter=AUTO_MAX_UPDATES if self.max_iter == "auto" else self.max_iter)
        self._history, self.do_early_stopping_ = history, False
        return self

    def _input_noise(self, dataset, *, reservoir):
        """The training noise's deviation per input of ``dataset`` (F,), or None."""
        fraction = noise_fraction(self.input_noise, self._auto_noise,
                                  windowed=self.window is not None, reservoir=reservoir)
        return fraction * input_deviation(dataset) if fraction else None

    def _make_optimizer(self, params):
        """The optimizer of ``solver``: the current one (and its state) given the
        current settings when it is of that kind, else a new one."""
        return make_optimizer(self.solver, params, self.learning_rate_init,
                              self.get_params(deep=False),
                              previous=getattr(self, "_optimizer", None))

    def _stratify_by(self, y):
        """Labels to stratify the early-stopping split by, or None."""
        return None

    def _fit_inputs(self, X, y, sample_weight, first_pass, incremental, classes):
        """Check X, y and the weights; a :class:`_FitInputs`. Sets nothing."""
        if first_pass:
            dataset, spec = read_for_fit(self, X, window=self.window,
                                         dtype=np.dtype(self.dtype))
        else:
            dataset, spec = self.input_spec_.read(self, X, np.dtype(self.dtype)), None
        y = checked_targets(self._check_y, y, type(self).__name__,
                            windowed=self.window is not None)
        check_consistent_length(dataset.lengths, y)
        sample_weight = check_sample_weight(sample_weight, len(dataset.lengths),
                                            np.dtype(self.dtype))
        sample_weight = self._weigh_classes(y, sample_weight, incremental)
        Y, attributes = self._encode_targets(y, sample_weight, first_pass=first_pass,
                                             incremental=incremental, classes=classes)
        linear = self._fit_linear(dataset, Y, sample_weight, first_pass)
        chunks, scaling = (_new_reading(self, dataset) if first_pass
                           else _fitted_reading(self))
        dataset, offsets = _network_inputs(dataset, linear, chunks, scaling)
        return _FitInputs(TrainData(dataset, Y, sample_weight, offsets), chunks, y,
                          spec, attributes, linear, scaling)

    def _check_architecture(self, incremental):
        """Continuing a network needs the hyperparameters it was built with."""
        for name, value in self._architecture_params().items():
            if self._architecture[name] != value:
                how = "partial_fit" if incremental else "fit with warm_start=True"
                raise ValueError(
                    f"{name}={value!r}, but the fitted network was built with "
                    f"{name}={self._architecture[name]!r}, and {how} continues that "
                    f"network. Set {name} back to {self._architecture[name]!r}, or "
                    "fit a new network (fit with warm_start=False).")

    def _architecture_params(self):
        """The hyperparameters fixed once the network is built (``ARCHITECTURE``)."""
        names = ARCHITECTURE + tuple(variant_options(self.variant))
        names += ("linear",) if hasattr(self, "linear") else ()
        return {name: getattr(self, name) for name in names}

    def _start_network(self, inputs, first_pass, rng):
        """A new network for ``inputs``, or the fitted one to continue from."""
        n_outputs = inputs.data.Y.shape[1]
        if not first_pass:
            self._check_n_outputs(n_outputs)
            network = self.network_
        else:
            network = RecurrentNetwork.build(
                self.variant, inputs.dataset.n_features, self.hidden_size, n_outputs,
                num_layers=self.num_layers, bidirectional=self.bidirectional,
                pooling=self.pooling, dropout=self.dropout,
                forget_bias=self.forget_bias, random_state=rng, dtype=self.dtype,
                options={name: getattr(self, name)
                         for name in variant_options(self.variant)})
        network.dropout = self.dropout  # not part of the architecture
        return network

    def _check_n_outputs(self, n_outputs):
        if n_outputs != self.n_outputs_:
            raise ValueError(f"y has {n_outputs} outputs; the model was fitted with "
                             f"{self.n_outputs_}.")

    def _commit(self, inputs, network, first_pass):
        """Set the fitted attributes of this call; it has passed every check."""
        for name, value in inputs.attributes.items():
            setattr(self, name, value)
        if not first_pass:
            return
        inputs.spec.set_on(self)
        (self.chunk_size_, self.chunk_overlap_, self.chunk_phases_,
         self.crop_fraction_) = inputs.chunks
        self.sequence_scaling_ = inputs.scaling
        self._set_linear(inputs.linear)
        self._architecture = self._architecture_params()
        self.network_ = network
        vars(self).pop("_readout_statistics", None)  # an earlier ESN's (_readout.py)
        self.n_outputs_ = inputs.data.Y.shape[1]
        self.out_activation_ = self._out_activation()
        self._optimizer = self._history = None

    def _set_linear(self, linear):
        """Record the fitted linear part (classifiers have none)."""

    def _history_to_continue(self, early_stopping, incremental):
        history = getattr(self, "_history", None)
        history = (History.start(early_stopping) if history is None
                   else history.continue_for(early_stopping))
        if not incremental:
            history.n_iter = 0  # as in MLPClassifier: the epochs of this call
        return history

    layers_ = property(lambda self: self.network_.layers,
                       doc="The recurrent layers of ``network_``, bottom to top.")
    head_ = property(lambda self: self.network_.head, doc="``network_``'s dense head.")
    n_iter_ = _from_history("n_iter", "Epochs of the last fit (+1 per partial_fit).")
    t_ = _from_history("t", "Training samples the optimizer has seen, over all calls.")
    loss_curve_ = _from_history("loss_curve", "Training loss of every epoch.")
    best_loss_ = _from_history("reported_best_loss", "Lowest training loss, or None.")
    validation_scores_ = _from_history("validation_scores", "Score of every epoch.")
    best_validation_score_ = _from_history("best_validation_score",
                                           "Score of the kept epoch, or None.")

    # -- prediction ----------------------------------------------------------------
    def _read(self, X):
        """X as the fitted network reads it, in the dtype of its weights, and the
        linear part's output on it (or None)."""
        check_is_fitted(self)
        dataset = self.input_spec_.read(self, X, dtype=self.head_["head_W"].dtype)
        return _network_inputs(dataset, self._fitted_linear(), *_fitted_reading(self))

    def _fitted_linear(self):
        """The fitted linear part, or None."""
        return None

    def _raw_predict(self, X):
        """Validate X; raw output (n_samples, n_outputs)."""
        dataset, offsets = self._read(X)
        return predict_raw(self.network_, dataset, offsets)

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
        layer, direction = check_trace_position(self.network_, layer, direction)
        dataset, _ = self._read(X)
        return trace_all(self.network_, dataset, layer, direction)

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

    # -- persistence and tags ------------------------------------------------------
    def __getstate__(self):
        """Pickle configuration, weights, history and the sklstm version: no
        optimizer moments. A loaded model predicts exactly as before;
        ``warm_start`` and ``partial_fit`` on it start a fresh optimizer."""
        state = super().__getstate__()
        state.pop("_optimizer", None)
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        tags.non_deterministic = False
        return tags


def _new_reading(estimator, dataset):
    """How a first fit reads the training ``dataset``: ((chunk size, overlap,
    phases, crop fraction), sequence scaling) resolved from the estimator's
    settings, as :func:`_fitted_reading` returns them."""
    shifted = estimator.shift_chunks and not is_reservoir_variant(estimator.variant)
    chunks = resolve_chunks(estimator.chunk_size, estimator.chunk_overlap,
                            estimator.crop_fraction, dataset.lengths, shifted=shifted)
    return chunks, fit_sequence_scaling(dataset, estimator.scale_sequences)


def _fitted_reading(estimator):
    """How a fitted estimator reads sequences: ((``chunk_size_``,
    ``chunk_overlap_``, ``chunk_phases_``, ``crop_fraction_``),
    ``sequence_scaling_``), with no overlap, one phase, no crop and no scaling for a
    model saved before they existed."""
    return ((estimator.chunk_size_, getattr(estimator, "chunk_overlap_", 0),
             getattr(estimator, "chunk_phases_", 1),
             getattr(estimator, "crop_fraction_", 1.0)),
            getattr(estimator, "sequence_scaling_", None))


def _network_inputs(dataset, linear, chunks, scaling):
    """The dataset as the network reads it (windows relative to their last row
    where a linear part carries the level, each sequence on its own scale if
    ``scaling``, in chunks: ``chunks`` is (chunk size, overlap in steps, prediction
    phases, crop fraction)) and the linear part's output on it (None without one)."""
    offsets = None
    if linear is not None:
        offsets = linear_output(dataset, linear)  # (n, n_outputs)
        if dataset.kind == "windowed":
            dataset = RelativeToLast(dataset)
    if scaling is not None:
        dataset = ScaledSequences(dataset, scaling)
    return chunked(dataset, *chunks), offsets
