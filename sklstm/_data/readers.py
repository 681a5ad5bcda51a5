"""Readers: X in each accepted format -> a :class:`~.datasets.SequenceDataset`.

- 2-D rows ``(n_samples, n_timesteps)``, one univariate sequence per row, and one
  long series ``(n_rows, n_features)`` read in windows (``window=k``):
  :func:`read_2d`, scikit-learn's own checks and messages;
- 3-D ``(n_samples, n_timesteps, n_features)``: :func:`read_3d`;
- ragged containers and sktime's nested DataFrames: :func:`~.ragged.read_ragged`.

:func:`read_sequences` picks the reader (:func:`input_format_of`) and, outside fit,
checks X against the features the estimator was fitted on, as scikit-learn's
``validate_data(estimator, X, reset=False)`` does. It sets nothing on the estimator.
"""

import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_array, validate_data

from .._sklearn_private import _check_feature_names, _get_feature_names
from .datasets import PaddedSequences, WindowedSequences
from .diagnostics import (
    N_FEATURES_HINT,
    explain_errors,
    warn_channels_first,
    warn_long_table,
    warn_window_too_long,
    window_misuse_message,
)
from .ragged import read_ragged

__all__ = ["read_sequences", "input_format_of"]

# Types whose instances, found inside a list / object array / Series, make it a
# ragged container of sequences rather than a nested array-like.
_SEQUENCE_ITEM_TYPES = (np.ndarray, pd.DataFrame, pd.Series)


def read_sequences(estimator, X, *, window, dtype, fitting):
    """X in any accepted format as a dataset, and what ``validate_data`` records of it.

    Parameters
    ----------
    estimator : estimator instance
        Named in the messages. Outside fit, X is checked against its
        ``n_features_in_`` and ``feature_names_in_`` (scikit-learn's rules and
        messages). Nothing is set on it.
    X : array-like, DataFrame or ragged container
        See :func:`sklstm._data.read_for_fit` for the formats.
    window : int >= 1 or None
        Already checked: the window a 2-D X is read with.
    dtype : numpy dtype or list of them
        Float dtype of the data. With a list, input already of one of the listed
        dtypes keeps it and anything else becomes the first (scikit-learn's rule).
    fitting : bool
        True in fit: X may look read the wrong way (the layout warnings of
        :mod:`.diagnostics`), and is not checked against fitted features.

    Returns
    -------
    dataset : SequenceDataset
        :class:`PaddedSequences`, :class:`RaggedSequences` or
        :class:`WindowedSequences`.
    input_format : {"2d", "3d", "ragged"}
    n_features_in : int
        ``n_features_in_`` as scikit-learn defines it: the columns of a 2-D X, the
        features of one time step otherwise.
    feature_names_in : ndarray of str or None
        The column names X gives, as ``validate_data`` records them.
    """
    _check_holds_data(X)
    input_format = input_format_of(X)
    if window is not None and input_format != "2d":
        raise ValueError(window_misuse_message(window, input_format, fitting))
    if input_format == "2d":
        X2, names = read_2d(estimator, X, dtype=dtype, windowed=window is not None,
                            fitting=fitting)  # (n, T), or (n_rows, F) for a series
        if window is not None:
            if fitting:
                warn_window_too_long(X2.shape[0], window)
            dataset = WindowedSequences(X2, window, feature_names=names)
        else:
            if fitting:
                warn_long_table(X2)
            dataset = PaddedSequences(X2[:, :, None], two_d=True)  # (n, T, 1)
        return dataset, input_format, X2.shape[1], names
    if input_format == "3d":
        X3 = read_3d(X, estimator, dtype)  # (n, T, F)
        if fitting:
            warn_channels_first(X3)
        dataset = PaddedSequences(X3)
    else:
        dataset = read_ragged(X, dtype)
    if not fitting:
        _check_fitted_features(estimator, dataset)
    return dataset, input_format, dataset.n_features, _names_of(dataset)


def _check_holds_data(X):
    """TypeError for an X that cannot hold sequences at all (sparse X is reported by
    scikit-learn's own check: an old ``dok_matrix`` is a dict)."""
    if sp.issparse(X):
        return
    if X is None or isinstance(X, (str, bytes, dict, set, numbers.Number)):
        raise TypeError(
            "X must be array-like: a 3-D array (n_samples, n_timesteps, n_features), "
            "a 2-D array or DataFrame (n_samples, n_timesteps), or a list of "
            f"(T_i, n_features) arrays; got {type(X).__name__}."
        )


def input_format_of(X):
    """Which reader handles X: ``"2d"``, ``"3d"`` or ``"ragged"``.

    Arrays of 3 or more dimensions go to ``"3d"`` (whose reader rejects > 3). Anything
    else that is not clearly ragged goes to ``"2d"``, whose reader (scikit-learn's
    ``check_array``) rejects 1-D, sparse and odd input with scikit-learn's messages.
    """
    if sp.issparse(X):
        return "2d"
    if isinstance(X, pd.DataFrame):
        return "ragged" if _is_nested_frame(X) else "2d"
    if isinstance(X, pd.Series) or (
        isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1
    ):
        return "ragged" if _holds_sequences(X) else "2d"
    if isinstance(X, (list, tuple)):
        if len(X) == 0 or any(isinstance(item, _SEQUENCE_ITEM_TYPES) for item in X):
            return "ragged"
        try:
            ndim = np.asarray(X).ndim
        except ValueError:  # nested lists of unequal lengths
            return "ragged" if _holds_sequences(X) else "2d"
        return "3d" if ndim >= 3 else "2d"
    try:
        ndim = np.asarray(X).ndim
    except Exception:  # let check_array report it
        return "2d"
    return "3d" if ndim >= 3 else "2d"


def _holds_sequences(items):
    """True when some item of a 1-D container is itself a sequence."""
    return any(isinstance(item, (*_SEQUENCE_ITEM_TYPES, list, tuple)) for item in items)


def _is_nested_frame(frame):
    """True for sktime's nested DataFrame: some column's cells hold series (a column
    that does not is then an error of the nested reader's, not numpy's)."""
    return any(dtype == object and _holds_sequences(frame.iloc[:, k])
               for k, dtype in enumerate(frame.dtypes))


def read_2d(estimator, X, *, dtype, windowed, fitting):
    """2-D X with scikit-learn's checks and messages: (X2, feature names or None).

    In fit this is what ``validate_data(reset=True)`` does, minus setting the
    attributes on the estimator; outside fit it is ``validate_data(reset=False)``.
    ``windowed``: X is one long series, not one sequence per row.
    """
    _check_no_time_columns(X)
    try:
        with explain_errors(X, sequences=not windowed):
            if not fitting:
                X2 = validate_data(estimator, X, reset=False, dtype=dtype,
                                   accept_sparse=False)  # (n, T)
                return X2, _get_feature_names(X)
            names = _get_feature_names(X)
            X2 = check_array(X, dtype=dtype, accept_sparse=False, input_name="X",
                             estimator=estimator)  # (n, T)
            return X2, names
    except ValueError as exc:
        message = str(exc)
        if not (message.startswith("X has ") and "is expecting" in message):
            raise
        raise ValueError(message + N_FEATURES_HINT) from None


def _check_no_time_columns(X):
    """Datetime and timedelta columns would pass as numbers (scikit-learn turns a
    DataFrame of them into epoch counts, ~1e15) and give a useless model: refuse them."""
    if not isinstance(X, pd.DataFrame):
        return
    times = [name for name, dtype in X.dtypes.items()
             if dtype.kind in "mM" or isinstance(dtype, pd.DatetimeTZDtype)]
    if times:
        raise TypeError(
            f"X has date or time columns {times}; sklstm needs numbers. Drop them (in "
            "window mode the row order already is the time order) or turn them into "
            "numeric features first (e.g. the day of the week)."
        )


def read_3d(X, estimator, dtype):
    """3-D X as a float array (n_samples, n_timesteps, n_features); >3-D raises."""
    with explain_errors(X):
        X = check_array(
            X, allow_nd=True, dtype=dtype, input_name="X", estimator=estimator
        )  # (n, T, F)
    if X.ndim != 3:
        raise ValueError(
            f"Found an X with {X.ndim} dimensions, shape {X.shape}. Expected a 3-D "
            "(n_samples, n_timesteps, n_features) or 2-D (n_samples, n_timesteps) "
            "array, or a ragged container of (T_i, n_features) sequences."
        )
    if X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(
            f"Found a 3-D X of shape {X.shape}: every sequence needs at least one "
            "time step and one feature, (n_samples, n_timesteps >= 1, n_features >= 1)."
        )
    return X


def _names_of(dataset):
    """``feature_names_in_`` of the dataset's columns, as ``validate_data`` sets it."""
    names = dataset.feature_names
    return _get_feature_names(None if names is None else pd.DataFrame(columns=names))


def _check_fitted_features(estimator, dataset):
    """``validate_data``'s feature checks, for the formats it cannot read itself."""
    names = dataset.feature_names
    proxy = None if names is None else pd.DataFrame(columns=names)
    _check_feature_names(estimator, proxy, reset=False)
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and dataset.n_features != expected:
        raise ValueError(
            f"X has {dataset.n_features} features, but {type(estimator).__name__} "
            f"is expecting {expected} features as input.{N_FEATURES_HINT}"
        )
