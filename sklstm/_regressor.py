"""LSTMRegressor: the recurrent network as a scikit-learn regressor.

The network learns standardised targets, optionally beside a linear part fitted in
closed form first (:mod:`sklstm._linear_part`); the rest is
:class:`~sklstm._base.BaseRecurrent`.
"""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils.validation import check_array

from ._base import BaseRecurrent
from ._hyperparameters import PARAMETER_CONSTRAINTS, docstring
from ._linear_part import READINGS, fit_linear, network_weight
from ._prediction import predict_raw
from ._sklearn_private import StrOptions, _fit_context
from ._targets import target_statistics


@docstring("""Recurrent-network regressor (LSTM, GRU and their variants).

    Reads each sample as a sequence, runs it through recurrent layers, pools
    the outputs and predicts one or several values with a linear head trained
    on the squared error. Behaves like
    :class:`~sklearn.neural_network.MLPRegressor` wherever it can.

    Parameters
    ----------
{parameters}

    linear : {{"auto", "last", "all"}} or None, default="auto"
        A linear part: a ridge regression (on standardised inputs, as
        ``make_pipeline(StandardScaler(), RidgeCV())``, its penalty chosen by
        generalised cross-validation) fitted first, in closed form, whose
        prediction the network's output is added to; the network learns what it
        leaves.
        "last" reads each sequence's last step, and the network reads the
        sequence relative to it, ``x_t - x_last``: forecasts of a window model
        then follow a level that moves beyond the training range (a trend).
        "all" reads the whole sequence flattened (sequences of one length),
        the lag regression a forecaster or a spectroscopist would try first.
        "auto" is "all" for windows (``window``) and sequences of one length,
        None (no linear part) for sequences of several lengths. To study what
        the gates alone do (``trace``, ``plot_gates``), fit with
        ``linear=None``. In window mode the ridge reads the full windows only.
        Continuing (``warm_start``, ``partial_fit``) keeps the linear part of
        the first fit. With a linear part, ``early_stopping="auto"`` holds out
        a validation set from 50 training samples on: the network then only
        refines the linear prediction, and the held-out loss keeps it from
        fitting noise. After training, the network's output is weighed by
        how much it helps on the held-out samples (``network_weight_``): its
        least-squares weight there less two standard errors, in [0, 1]. A
        network that does not clearly help adds nothing, and with
        ``early_stopping="auto"`` and fewer than 50 samples (none held out)
        the prediction is the linear part's alone. docs/benchmarks.md
        ("Forecasting real series") sets the defaults beside the lag
        regression on 17 real series.

    Attributes
    ----------
{attributes}

    linear_ : dict or None
        The fitted linear part: ``"reading"`` ("last" or "all"),
        ``"n_steps"`` (the sequence length it reads, for "all"), ``"coef"``
        (n_inputs, n_outputs_) and ``"intercept"`` (n_outputs_,), in units of
        the standardised targets, and ``"alpha"``, the penalty chosen; None
        without one.

    network_weight_ : ndarray of shape (n_outputs_,) or None
        The factor each output of the network was scaled by (its head's
        weights and bias) after training, beside a linear part: 1 where no
        held-out set weighed it (``early_stopping=False``, ``partial_fit``), 0
        where it was dropped; the product over ``warm_start`` fits. None
        without a linear part. ``validation_scores_`` and
        ``best_validation_score_`` are the network's before this scaling.

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
        **PARAMETER_CONSTRAINTS,
        "linear": [StrOptions({"auto", *READINGS}), None],
    }
    _auto_noise = 0.0  # input_noise="auto": none (no gain on the TSER sets)

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
        linear="auto",
    ):
        super().__init__(
            variant=variant, hidden_size=hidden_size, num_layers=num_layers,
            bidirectional=bidirectional, pooling=pooling, dropout=dropout,
            forget_bias=forget_bias, n_modules=n_modules,
            spectral_radius=spectral_radius, leak_rate=leak_rate,
            input_scaling=input_scaling, density=density, tied_weights=tied_weights,
            depth_priority=depth_priority, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size,
            max_iter=max_iter, alpha=alpha, clip_norm=clip_norm,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, shuffle=shuffle,
            random_state=random_state, verbose=verbose, warm_start=warm_start,
            dtype=dtype, window=window, chunk_size=chunk_size,
            chunk_overlap=chunk_overlap, shift_chunks=shift_chunks,
            scale_sequences=scale_sequences,
            input_noise=input_noise, crop_fraction=crop_fraction,
            momentum=momentum,
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
        try:
            y = check_array(y, ensure_2d=False, dtype=np.dtype(self.dtype),
                            input_name="y")
        except ValueError as exc:
            if "convert" not in str(exc):
                raise
            raise ValueError(f"{type(self).__name__} predicts numbers, but y holds "
                             f"values that are not ({exc}). For class labels, use "
                             "LSTMClassifier.") from None
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return y

    def _encode_targets(self, y, sample_weight, *, first_pass, incremental,
                        classes=None):
        """Standardised targets: the network learns ``(y - mean) / std``."""
        Y = y.reshape(len(y), -1)  # (n, n_outputs)
        if first_pass:
            mean, scale = target_statistics(Y, sample_weight)
        else:
            self._check_n_outputs(Y.shape[1])
            mean, scale = self._y_mean, self._y_scale
        standardised = ((Y - mean) / scale).astype(self.dtype)
        return standardised, {"_y_mean": mean, "_y_scale": scale}

    def _fit_linear(self, dataset, Y, sample_weight, first_pass):
        if not first_pass:
            return self.linear_
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
        self.network_weight_ = None if linear is None else np.ones(
            linear["coef"].shape[1])

    def _weigh_network(self, network, validate):
        """Scale the head by the network's weight on the held-out samples
        (:func:`~sklstm._linear_part.network_weight`); with none held out because
        ``early_stopping="auto"`` found too few samples, by zero."""
        if self.linear_ is None:
            return
        if validate is not None:
            held_out = validate.data
            contribution = predict_raw(network, held_out.dataset,
                                       batch_size=validate.batch_size)
            weight = network_weight(held_out.Y - held_out.offsets, contribution,
                                    held_out.sample_weight)
        elif self.early_stopping == "auto":
            weight = np.zeros_like(self.network_weight_)
        else:
            return
        head = network.head
        head["head_W"] *= weight.astype(head["head_W"].dtype)  # (D*H, k) x (k,)
        head["head_b"] *= weight.astype(head["head_b"].dtype)
        self.network_weight_ = self.network_weight_ * weight

    def _out_activation(self):
        return "identity"

    def _decode(self, raw):
        y = (raw * self._y_scale + self._y_mean).astype(raw.dtype)  # (n, n_outputs)
        return y.ravel() if self.n_outputs_ == 1 else y

    def _score_predictions(self, y, y_pred, sample_weight):
        return r2_score(y, y_pred, sample_weight=sample_weight)
