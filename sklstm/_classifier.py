"""LSTMClassifier: the recurrent network as a scikit-learn classifier.

Labels are encoded by a ``LabelBinarizer`` (softmax for multiclass targets,
logistic for binary and multilabel ones); the rest is :class:`~sklstm._base.BaseRecurrent`.
"""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import column_or_1d
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_array

from ._base import BaseRecurrent
from ._hyperparameters import PARAMETER_CONSTRAINTS, docstring
from ._losses import OUT_ACTIVATIONS
from ._sklearn_private import StrOptions, _fit_context
from ._train_data import stratifiable
from ._training import AUTO_INPUT_NOISE


@docstring("""Recurrent-network classifier (LSTM, GRU and their variants).

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
        **PARAMETER_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _auto_noise = AUTO_INPUT_NOISE  # input_noise="auto" reading sequences

    def __init__(
        self, variant="lstm", hidden_size=32, *, num_layers=1, bidirectional=True,
        pooling="concat", dropout=0.0, forget_bias=1.0, n_modules=4,
        spectral_radius=1.0, leak_rate=1.0, input_scaling=1.0, density="auto",
        tied_weights=False, depth_priority=True, solver="adam",
        learning_rate_init=0.005, batch_size="auto", max_iter="auto", alpha=1e-4,
        clip_norm=5.0, early_stopping="auto", validation_fraction=0.1,
        n_iter_no_change="auto", tol=1e-4, shuffle=True, random_state=None,
        verbose=False, warm_start=False, dtype="float32", window=None,
        chunk_size="auto", chunk_overlap="auto", shift_chunks=True,
        scale_sequences="auto", input_noise="auto", crop_fraction=1.0, momentum=0.9,
        nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        class_weight=None,
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

    def _stratify_by(self, y):
        return stratifiable(y, self.validation_fraction)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
