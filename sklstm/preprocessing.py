"""Transformers for sequence data."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._data import read_for_fit
from ._sklearn_private import _fit_context

__all__ = ["SequenceScaler"]

# Float input keeps its dtype; anything else becomes float64 (StandardScaler's rule).
_FLOAT_DTYPES = [np.float64, np.float32]


class SequenceScaler(TransformerMixin, BaseEstimator):
    """Standardise each feature over all valid time steps of all sequences.

    The mean and standard deviation of feature ``f`` are taken over every real time
    step of every training sequence, padding excluded, and each step is then mapped to
    ``(x - mean_[f]) / scale_[f]``. It reads the same formats as the sklstm estimators
    and returns the format it was given, so ``make_pipeline(SequenceScaler(),
    LSTMClassifier())`` works on each of them:

    - a 3-D array ``(n_samples, n_timesteps, n_features)`` -> 3-D array;
    - a ragged container (list, 1-D object array or pandas Series) of
      ``(T_i, n_features)`` or ``(T_i,)`` arrays or DataFrames -> the same kind of
      container (a Series keeps its index and name) of arrays of the items' shapes;
    - a 2-D array or DataFrame ``(n_samples, n_timesteps)``, read as univariate
      rows: one feature, so one mean and one scale over all values -> 2-D array;
    - sktime's nested DataFrame (a pd.Series per case and channel) -> a nested
      DataFrame with the same index and columns.

    In window mode (one long series as a 2-D array, ``window=k`` on the estimator)
    the columns are the features: use :class:`sklearn.preprocessing.StandardScaler`
    there instead, which scales each column.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean of each feature.
    with_std : bool, default=True
        Divide by the standard deviation of each feature. A feature that is constant
        over the training steps keeps a scale of 1, as in ``StandardScaler``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_step_features,)
        Mean of each feature over all valid training time steps (always computed).
        ``n_step_features`` is the number of features per time step: 1 for 2-D input.
    var_ : ndarray of shape (n_step_features,)
        Variance of each feature over the same steps (always computed).
    scale_ : ndarray of shape (n_step_features,) or None
        Divisor of each feature, ``sqrt(var_)`` with 1 for constant features; None
        when ``with_std=False``.
    n_samples_seen_ : int
        Number of time steps the statistics were computed over.
    n_features_in_ : int
        As in the sklstm estimators: features per time step for
        3-D and ragged input, number of columns for 2-D input.
    feature_names_in_ : ndarray of str of shape (n_features_in_,)
        Column names of the training DataFrame (2-D input) or of the DataFrame items
        (ragged input), when they are all strings.
    input_spec_ : InputSpec
        How the scaler reads X, fixed in fit (as in the sklstm estimators): the
        input format, the features per time step and the feature names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same per column of a 2-D array.

    Notes
    -----
    Statistics are accumulated in float64; transformed data keeps float32 input as
    float32 and becomes float64 otherwise. NaN and infinite values are rejected.

    Examples
    --------
    >>> import numpy as np
    >>> from sklstm.preprocessing import SequenceScaler
    >>> X = [np.array([[1., 10.], [3., 10.], [1., 40.]]),  # 3 steps, 2 features
    ...      np.array([[3., 40.]])]                         # 1 step
    >>> scaler = SequenceScaler().fit(X)
    >>> scaler.mean_, scaler.scale_
    (array([ 2., 25.]), array([ 1., 15.]))
    >>> Xt = scaler.transform(X)
    >>> Xt[0]
    array([[-1., -1.],
           [ 1., -1.],
           [-1.,  1.]])
    >>> Xt[1]
    array([[1., 1.]])
    >>> np.allclose(scaler.inverse_transform(Xt)[0], X[0])
    True
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute each feature's mean and scale over all valid time steps.

        Parameters
        ----------
        X : 3-D array-like, 2-D array or DataFrame, or ragged container
            Training sequences (see the class docstring for the formats).
        y : None
            Ignored.

        Returns
        -------
        self : SequenceScaler
        """
        data, spec = read_for_fit(self, X, dtype=_FLOAT_DTYPES)
        spec.set_on(self)
        steps = data.values
        self.n_samples_seen_ = steps.shape[0]  # steps: (N, F), each valid step once
        self.mean_ = steps.mean(axis=0, dtype=np.float64)  # (F,)
        self.var_ = steps.var(axis=0, dtype=np.float64)  # (F,)
        self.scale_ = (
            _scale_from_var(self.var_, self.mean_, self.n_samples_seen_)
            if self.with_std
            else None
        )
        return self

    def transform(self, X):
        """Standardise X.

        Parameters
        ----------
        X : 3-D array-like, 2-D array or DataFrame, or ragged container
            Same format as in ``fit`` (another number of time steps is fine for 3-D
            and ragged input).

        Returns
        -------
        X_new : ndarray, list, 1-D object array or Series
            X standardised, in X's format.
        """
        check_is_fitted(self)
        data = self.input_spec_.read(self, X, dtype=_FLOAT_DTYPES)
        return data.unflatten(self._map(data.values, inverse=False))

    def inverse_transform(self, X):
        """Undo :meth:`transform`.

        Parameters
        ----------
        X : 3-D array-like, 2-D array or DataFrame, or ragged container
            Standardised data, e.g. the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray, list, 1-D object array or Series
            Data in the original units, in X's format.
        """
        check_is_fitted(self)
        with warnings.catch_warnings():
            # transform's output carries no column names; like StandardScaler,
            # inverse_transform does not ask for them.
            warnings.filterwarnings(
                "ignore", message="X does not have valid feature names"
            )
            data = self.input_spec_.read(self, X, dtype=_FLOAT_DTYPES)
        return data.unflatten(self._map(data.values, inverse=True))

    def _map(self, steps, *, inverse):
        """(steps - mean) / scale, or its inverse, in the steps' dtype; new array."""
        mean = self.mean_.astype(steps.dtype) if self.with_mean else 0  # (F,)
        scale = self.scale_.astype(steps.dtype) if self.with_std else 1  # (F,)
        if inverse:
            return steps * scale + mean  # (N, F)
        return (steps - mean) / scale  # (N, F)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _scale_from_var(var, mean, n_steps):
    """sqrt(var), with 1 where a feature is constant up to float64 rounding error.

    The rounding bound is StandardScaler's: a variance below
    ``n * eps * var + (n * mean * eps) ** 2`` is indistinguishable from 0.
    """
    eps = np.finfo(np.float64).eps
    constant = var <= n_steps * eps * var + (n_steps * mean * eps) ** 2  # (F,)
    return np.where(constant, 1.0, np.sqrt(var))
