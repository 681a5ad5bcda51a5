"""The input side: every accepted format of X -> one :class:`SequenceDataset`.

Accepted formats (see :func:`validate_sequences`):

- a 3-D array-like ``(n_samples, n_timesteps, n_features)``: one sequence per sample;
- a 2-D array or DataFrame ``(n_samples, n_timesteps)``: one univariate sequence per
  row (the UCR / aeon / sktime convention);
- a ragged container (list, 1-D object array or pandas Series) of ``(T_i, n_features)``
  or ``(T_i,)`` arrays or DataFrames;
- with ``window=k``, a 2-D array or DataFrame read as *one* multivariate time series,
  sample ``i`` being the window of rows ``max(0, i - k + 1) .. i``.

Whatever the format, the dataset stores every time step once, in one flat
``(n_steps, n_features)`` array; sequence ``i`` is the slice
``values[starts[i] : starts[i] + lengths[i]]``. Windows are such slices too (they
overlap), so a windowed dataset costs O(rows x features) memory, and a padded
``(B, T_b, F)`` array is only built for the batch asked for.
"""

import copy
import numbers
import os
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data

from ._sklearn_private import _check_feature_names, _get_feature_names

__all__ = [
    "SequenceDataset",
    "PaddedSequences",
    "RaggedSequences",
    "WindowedSequences",
    "validate_sequences",
    "check_sequences",
    "InputFeatures",
    "check_sample_weight",
    "minibatches",
    "mask_from_lengths",
    "to_sequences",
]

# Types whose instances, found inside a list / object array / Series, make it a
# ragged container of sequences rather than a nested array-like.
_SEQUENCE_ITEM_TYPES = (np.ndarray, pd.DataFrame, pd.Series)

_N_FEATURES_HINT = (
    " For 3-D and ragged input, n_features counts the features of one time step "
    "(the last axis); for 2-D input (without window) each column is one time step of "
    "a univariate sequence, so n_features counts the columns. Pass X in the format "
    "used in fit."
)

_STRING_HINT = (
    " sklstm needs numeric data: encode categorical or string features as numbers "
    "first (e.g. with sklearn.preprocessing.OrdinalEncoder)."
)
_NAN_FILL_HINT = (
    "A recurrent network needs a value at every time step, and scikit-learn's "
    "imputers do not read sequences: fill the gaps along time within each sequence "
    "(pandas: s.ffill() or s.interpolate() on each sequence; on a long table, "
    "df.groupby(id).ffill() before sklstm.to_sequences), or drop the steps or the "
    "sequences that hold them."
)
_NAN_SERIES_HINT = (
    "A recurrent network needs a value at every time step: fill the gaps along time "
    "(pandas: df.ffill() or df.interpolate()), or drop those rows from both X and y."
)
_NAN_PADDING_HINT = (
    "The NaNs here only pad the ends of sequences, the way tslearn and the UCR "
    "archive's .tsv files store sequences of different lengths. sklstm takes those "
    "as a list of (T_i, n_features) arrays and masks the padding itself: pass "
    "[s[~np.isnan(s)] for s in np.asarray(X)] for 2-D X, or "
    "[s[~np.isnan(s).all(axis=1)] for s in np.asarray(X)] for 3-D X."
)


# --------------------------------------------------------------------------- datasets


class SequenceDataset:
    """Sequences stored once as a flat array of time steps.

    Sequence ``i`` is ``values[starts[i] : starts[i] + lengths[i]]``. Sequences may
    overlap (windows) or tile ``values`` exactly (padded and ragged input). Use one of
    the subclasses' constructors rather than this class directly.

    Parameters
    ----------
    values : ndarray of shape (n_steps, n_features)
        Every stored time step, C-contiguous, float dtype.
    starts : ndarray of shape (n_samples,), int64
        Row of ``values`` where each sequence starts.
    lengths : ndarray of shape (n_samples,), int64
        Number of time steps of each sequence, all >= 1.
    feature_names : ndarray of str or None, default=None
        Column names of the input, when it had any.

    Attributes
    ----------
    n_samples : int
        Number of sequences.
    n_features : int
        Number of features per time step.
    lengths : ndarray of shape (n_samples,), int64
        Number of valid time steps of each sequence.
    dtype : numpy.dtype
        Float dtype of every batch.
    """

    kind = "sequences"

    def __init__(self, values, starts, lengths, *, feature_names=None):
        self.values = values  # (N, F)
        self.starts = np.asarray(starts, dtype=np.int64)  # (n_samples,)
        self.lengths = np.asarray(lengths, dtype=np.int64)  # (n_samples,)
        self.feature_names = feature_names
        self._layout = None  # how to give values back in the input's format

    @property
    def n_samples(self):
        return self.lengths.shape[0]

    @property
    def n_features(self):
        return self.values.shape[1]

    @property
    def dtype(self):
        return self.values.dtype

    def __len__(self):
        return self.n_samples

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_samples={self.n_samples}, "
            f"n_features={self.n_features}, max_length={self.lengths.max()}, "
            f"dtype={self.dtype})"
        )

    def batch(self, indices):
        """Padded array of the sequences ``indices``, in that order.

        Parameters
        ----------
        indices : array-like of int of shape (b,)
            Sequences to put in the batch.

        Returns
        -------
        X : ndarray of shape (b, T_b, n_features)
            C-contiguous, right-padded with zeros; ``T_b`` is the longest length
            among ``indices``.
        lengths : ndarray of shape (b,), int64
            Number of valid time steps of each row of ``X``.
        """
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)  # (b,)
        lengths = self.lengths[indices]  # (b,)
        if indices.size == 0:
            return np.zeros((0, 0, self.n_features), dtype=self.dtype), lengths
        valid = mask_from_lengths(lengths)  # (b, T_b)
        rows = self.starts[indices, None] + np.arange(valid.shape[1])  # (b, T_b)
        if valid.all():
            return np.take(self.values, rows, axis=0), lengths  # (b, T_b, F)
        X = np.take(self.values, np.where(valid, rows, 0), axis=0)  # (b, T_b, F)
        X[~valid] = 0
        return X, lengths

    def subset(self, indices):
        """The sequences ``indices`` as a dataset sharing this one's storage.

        Parameters
        ----------
        indices : array-like of int of shape (m,) or slice
            A slice (the contiguous rows of a time split) keeps views of
            ``starts`` and ``lengths`` instead of copies.

        Returns
        -------
        SequenceDataset
            Same class, ``m`` sequences; ``values`` is not copied.
        """
        if not isinstance(indices, slice):
            indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        out = copy.copy(self)  # shares values; keeps e.g. a window's `window`
        out.starts = self.starts[indices]
        out.lengths = self.lengths[indices]
        out._layout = None  # values no longer tile the subset's sequences
        return out

    def unflatten(self, values):
        """Put new step values back into the container format X came in.

        Used by transformers that change each time step independently
        (:class:`sklstm.preprocessing.SequenceScaler`).

        Parameters
        ----------
        values : ndarray of shape (n_steps, n_features)
            Same shape as ``self.values``.

        Returns
        -------
        ndarray, list or pandas.Series
            3-D input -> 3-D array, 2-D input -> 2-D array, a window series -> 2-D
            array, a ragged container -> the same kind of container (list, 1-D object
            array or Series with the same index and name) of arrays, each with the
            shape of its input item.
        """
        if self._layout is None:
            raise ValueError(
                "unflatten needs the dataset built from X itself, not a subset of it."
            )
        return self._layout(values)


class PaddedSequences(SequenceDataset):
    """Sequences of one common length: a 3-D array, or 2-D univariate rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Already validated, float dtype.
    feature_names : ndarray of str or None, default=None
    two_d : bool, default=False
        True when X came as 2-D univariate rows; :meth:`unflatten` then returns 2-D.
    """

    kind = "padded"

    def __init__(self, X, *, feature_names=None, two_d=False):
        n_samples, n_timesteps, n_features = X.shape
        values = np.ascontiguousarray(X).reshape(n_samples * n_timesteps, n_features)
        super().__init__(
            values,  # (n * T, F), a view of X when X is C-contiguous
            np.arange(n_samples, dtype=np.int64) * n_timesteps,
            np.full(n_samples, n_timesteps, dtype=np.int64),
            feature_names=feature_names,
        )
        shape = (n_samples, n_timesteps) if two_d else X.shape
        self._layout = lambda new: new.reshape(shape)


class RaggedSequences(SequenceDataset):
    """Sequences of any lengths, concatenated along time.

    Parameters
    ----------
    values : ndarray of shape (sum(lengths), n_features)
        The sequences one after another, float dtype, C-contiguous.
    lengths : ndarray of shape (n_samples,)
    feature_names : ndarray of str or None, default=None
    restore : callable or None, default=None
        ``restore(list_of_item_arrays)`` rebuilds the input container.
    item_ndims : sequence of int or None, default=None
        1 for items given as ``(T_i,)``, 2 for ``(T_i, n_features)``.
    """

    kind = "ragged"

    def __init__(
        self, values, lengths, *, feature_names=None, restore=None, item_ndims=None
    ):
        lengths = np.asarray(lengths, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        super().__init__(values, starts, lengths, feature_names=feature_names)
        if restore is not None:
            self._layout = lambda new: restore(_split_items(new, lengths, item_ndims))


class WindowedSequences(SequenceDataset):
    """One long series; sample ``i`` is the window of rows ``max(0, i-k+1) .. i``.

    The series is stored once; windows are (start, length) pairs into it, so memory
    stays O(rows x features) whatever the window.

    Parameters
    ----------
    series : ndarray of shape (n_rows, n_features)
        Rows in time order, float dtype.
    window : int
        Maximum window length ``k`` >= 1. The first ``k - 1`` rows get shorter windows.
    feature_names : ndarray of str or None, default=None
    """

    kind = "windowed"

    def __init__(self, series, window, *, feature_names=None):
        rows = np.arange(series.shape[0], dtype=np.int64)  # (n_rows,)
        lengths = np.minimum(rows + 1, window)  # (n_rows,)
        super().__init__(
            np.ascontiguousarray(series),
            rows - lengths + 1,
            lengths,
            feature_names=feature_names,
        )
        self.window = window
        self._layout = lambda new: new


def _split_items(values, lengths, item_ndims):
    """Cut flat ``values`` (sum(lengths), F) back into one array per sequence."""
    items = np.split(values, np.cumsum(lengths)[:-1])
    return [x.ravel() if ndim == 1 else x for x, ndim in zip(items, item_ndims)]


def mask_from_lengths(lengths, n_timesteps=None):
    """Boolean mask of the valid (non-padded) steps of right-padded sequences.

    Parameters
    ----------
    lengths : array-like of int of shape (b,)
    n_timesteps : int or None, default=None
        Width of the mask; the longest length when None.

    Returns
    -------
    mask : ndarray of shape (b, n_timesteps), bool
        ``mask[j, t]`` is True for ``t < lengths[j]``.
    """
    lengths = np.asarray(lengths)
    if n_timesteps is None:
        n_timesteps = int(lengths.max()) if lengths.size else 0
    return np.arange(n_timesteps) < lengths[:, None]  # (b, T)


# ------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class InputFeatures:
    """What ``fit`` records about the features of X.

    Parameters
    ----------
    n_features_in : int
        Becomes ``n_features_in_``.
    n_step_features : int
        Features of one time step, as the model reads them: ``n_features_in_`` for
        3-D, ragged and windowed X, 1 for 2-D univariate rows. Becomes the private
        ``_n_step_features``, against which later calls check X's format.
    feature_names_in : ndarray of str or None, default=None
        Becomes ``feature_names_in_``; None when X has no column names.
    """

    n_features_in: int
    n_step_features: int
    feature_names_in: object = None

    def set_on(self, estimator):
        """Set ``n_features_in_``, ``_n_step_features`` and ``feature_names_in_``
        (deleted when None)."""
        estimator.n_features_in_ = self.n_features_in
        estimator._n_step_features = self.n_step_features
        if self.feature_names_in is not None:
            estimator.feature_names_in_ = self.feature_names_in
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_


def validate_sequences(estimator, X, *, reset, window=None, dtype=np.float32):
    """Check X in any accepted format and return it as a :class:`SequenceDataset`.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_`` and ``feature_names_in_`` when ``reset`` is True
        (a stale ``feature_names_in_`` is deleted when X has no column names), and is
        checked against them otherwise, exactly as scikit-learn's ``validate_data``
        does.
    X : array-like, DataFrame or ragged container
        - 3-D array-like ``(n_samples, n_timesteps, n_features)``: one sequence per
          sample; ``n_features_in_ = n_features``; another ``n_timesteps`` is fine
          when ``reset`` is False.
        - 2-D array or DataFrame ``(n_samples, n_timesteps)``, ``window=None``: one
          univariate sequence per row; ``n_features_in_`` is the number of columns,
          as scikit-learn defines it, and later calls need the same number.
        - a list, 1-D object array or Series whose items are ``(T_i, n_features)`` or
          ``(T_i,)`` arrays or DataFrames (whose columns give ``feature_names_in_``).
          A list of equal-length lists of numbers is an ordinary 2-D / 3-D array.
        - sktime's nested DataFrame: cell ``(i, c)`` holds channel ``c`` of sequence
          ``i`` as a pd.Series or 1-D array; read like the ragged containers, the
          columns giving ``feature_names_in_``.
        - ``window=k``: a 2-D array or DataFrame ``(n_rows, n_features)`` is one time
          series, rows in time order; sample ``i`` is the window of rows
          ``max(0, i - k + 1) .. i``, so ``n_samples = n_rows``.
    reset : bool
        True in ``fit`` (and a first ``partial_fit``), False elsewhere.
    window : int >= 1 or None, default=None
        Window length for one long series; only with 2-D input.
    dtype : numpy dtype or list of them, default=np.float32
        Float dtype of the data. With a list, input already of one of the listed
        dtypes keeps it and anything else becomes the first (scikit-learn's rule).

    Returns
    -------
    SequenceDataset
        :class:`PaddedSequences`, :class:`RaggedSequences` or
        :class:`WindowedSequences`.

    Raises
    ------
    ValueError
        For a bad ``window``, ``window`` with 3-D or ragged input, 1-D or empty X,
        a zero-length sequence, items disagreeing on ``n_features``, NaN or
        infinity, complex or string values, or a feature count other than the
        fitted one.
    TypeError
        For X that is None, a number, a string or a mapping, for sparse X and for
        objects that are not numbers.

    Warns
    -----
    UserWarning
        With ``reset``, for X that looks read the wrong way: a 3-D X in aeon's or
        sktime's ``(n_cases, n_channels, n_timepoints)`` layout, or a long table
        (one row per time step) given as 2-D rows.
    """
    dataset, features = check_sequences(
        estimator, X, reset=reset, window=window, dtype=dtype
    )
    if reset:
        features.set_on(estimator)
    return dataset


def check_sequences(estimator, X, *, reset, window=None, dtype=np.float32):
    """:func:`validate_sequences` without touching the estimator.

    Takes the same parameters. With ``reset=False``, X is checked against the
    estimator's ``n_features_in_`` and ``feature_names_in_``; with ``reset=True``
    nothing is checked against them, and the features ``fit`` should record are
    returned instead of set, so that a caller can set them once every other
    check has passed.

    Returns
    -------
    dataset : SequenceDataset
    features : InputFeatures or None
        What X defines as ``n_features_in_`` and ``feature_names_in_``, when
        ``reset`` is True; None otherwise.
    """
    window = _check_window(window)
    _check_holds_data(X)
    input_format = _input_format(X)
    if window is not None and input_format != "2d":
        raise ValueError(_window_misuse_message(window, input_format, reset))
    if input_format == "2d":
        X2, features = _validate_2d(estimator, X, reset=reset, dtype=dtype,
                                    windowed=window is not None)
        if window is not None:
            names = _get_feature_names(X)
            dataset = WindowedSequences(X2, window, feature_names=names)
        else:
            if reset:
                _warn_long_table(X2)
            dataset = PaddedSequences(X2[:, :, None], two_d=True)  # (n, T, 1)
    else:
        if input_format == "3d":
            X3 = _check_3d(X, estimator, dtype)
            if reset:
                _warn_channels_first(X3)
            dataset = PaddedSequences(X3)
        else:
            dataset = _stack_ragged(X, dtype)
        features = None
        if reset:
            features = InputFeatures(dataset.n_features, dataset.n_features,
                                     _names_of(dataset))
        else:
            _check_features(estimator, dataset)
    if not reset:
        _check_step_features(estimator, dataset, input_format, window)
    return dataset, features


def _check_window(window):
    """``window`` as an int >= 1, or None."""
    if window is None:
        return None
    if isinstance(window, numbers.Integral) and not isinstance(window, bool):
        if window >= 1:
            return int(window)
    raise ValueError(
        f"window must be None or an int >= 1 (the number of rows each sample looks "
        f"back over, the current row included), got {window!r}."
    )


def _window_misuse_message(window, input_format, reset):
    what = "a 3-D array" if input_format == "3d" else "a ragged container of sequences"
    fix = ("set window=None." if reset else "this model was fitted with "
           f"window={window}, so it reads the 2-D rows of such a series.")
    return (
        f"window={window} was given with {what}. window is for one long time series: "
        "a 2-D array or DataFrame of shape (n_rows, n_features), rows in time order, "
        "where sample i is the window of the last `window` rows up to row i. "
        f"{what[0].upper() + what[1:]} already holds one sequence per sample: {fix}"
    )


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


def _input_format(X):
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


@contextmanager
def _explain_errors(X, *, sequences=True):
    """Add a hint to numpy's terse 'could not convert string to float' errors, and
    replace scikit-learn's NaN error (whose imputers and HistGradientBoosting do not
    take sequences) with one that says where the NaN is and how to fill sequences;
    when the NaNs only pad the ends of sequences, how to pass them unpadded. X holds
    one sequence per sample (``sequences``), or else one long series."""
    try:
        yield
    except ValueError as exc:
        if "could not convert string to float" in str(exc):
            raise ValueError(f"X contains strings: {exc}.{_STRING_HINT}") from exc
        if not str(exc).startswith("Input X contains NaN"):
            raise
        missing = _nan_mask(X)  # (n, T) or (n, T, F), or None
        hint = _NAN_FILL_HINT if sequences else _NAN_SERIES_HINT
        if missing is None or not missing.any():
            raise ValueError(f"Input X contains NaN. {hint}") from None
        if sequences and _is_nan_padded(missing):
            hint = _NAN_PADDING_HINT
        raise ValueError(f"Input X contains NaN ({_first_nan(missing, sequences)}). "
                         f"{hint}") from None


def _nan_mask(X):
    """``np.isnan`` of X read as floats, or None when X does not convert."""
    try:
        values = _numeric_frame_values(X) if isinstance(X, pd.DataFrame) else X
        return np.isnan(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        return None


def _first_nan(missing, sequences):
    """Where the first NaN of X is, in words: the sequence and step (or the row of
    one long series) and, for several features, the feature."""
    index = [int(i) for i in np.argwhere(missing)[0]]
    if not sequences:  # one series, rows are time
        return f"first in row {index[0]}, column {index[1]}"
    where = f"first in sequence {index[0]}, at time step {index[1]}"
    return where + (f", feature {index[2]}" if len(index) == 3 else "")


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


def _is_nan_padded(missing):
    """True when the NaNs of X, ``missing = np.isnan(X)``, are whole trailing time
    steps: variable-length sequences padded with NaN, as tslearn and the UCR
    archive's .tsv files store them."""
    if missing.ndim == 3:
        if not (missing.any(axis=2) == missing.all(axis=2)).all():
            return False  # a step with some features missing is not padding
        missing = missing.any(axis=2)  # (n, T)
    if missing.ndim != 2 or missing[:, 0].any():
        return False
    return bool((missing[:, 1:] >= missing[:, :-1]).all())  # once NaN, NaN to the end


def _validate_2d(estimator, X, *, reset, dtype, windowed=False):
    """2-D X with scikit-learn's checks and messages: (X2, InputFeatures or None).

    With ``reset=True`` this is what ``validate_data`` does, minus setting the
    attributes on the estimator. ``windowed``: X is one long series, not one
    sequence per row.
    """
    _check_no_time_columns(X)
    try:
        with _explain_errors(X, sequences=not windowed):
            if not reset:
                return validate_data(
                    estimator, X, reset=False, dtype=dtype, accept_sparse=False
                ), None  # (n, T)
            names = _get_feature_names(X)
            X2 = check_array(
                X, dtype=dtype, accept_sparse=False, input_name="X", estimator=estimator
            )  # (n, T)
            n_step_features = 1 if not windowed else X2.shape[1]
            return X2, InputFeatures(X2.shape[1], n_step_features, names)
    except ValueError as exc:
        message = str(exc)
        if not (message.startswith("X has ") and "is expecting" in message):
            raise
        raise ValueError(message + _N_FEATURES_HINT) from None


def _check_3d(X, estimator, dtype):
    """3-D X as a float array (n_samples, n_timesteps, n_features); >3-D raises."""
    with _explain_errors(X):
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


# The layout checks below read at most this many values of X.
_LAYOUT_SAMPLE = 2**18
# Along a series, neighbours differ less than values two steps apart: the ratio of
# their mean squared differences is about 1/4 for a smooth curve, 1/2 for a random
# walk and 1 for independent values. An axis at most this ratio runs like time.
_SMOOTH = 0.6


def _step_ratio(Z, axis):
    """Mean squared difference of neighbours along ``axis`` over that of values two
    steps apart; None with fewer than 3 entries along it, or no change at all."""
    Y = np.moveaxis(Z, axis, 0)
    if Y.shape[0] < 3:
        return None
    two = np.mean(np.square(Y[2:] - Y[:-2]))
    return float(np.mean(np.square(Y[1:] - Y[:-1])) / two) if two > 0 else None


def _time_runs_along(X, time_axis, read_time_axis):
    """True when X (sampled) runs like a series along ``time_axis`` and not along
    ``read_time_axis``, the axis sklstm reads as time (or that axis is too short to
    tell). Each position of X is first standardised over the samples (axis 0), so
    that neither features of different scales nor samples sorted by class look
    like a series."""
    X = X.astype(np.float64)
    scale = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    along_time = _step_ratio(Z, time_axis)
    if along_time is None or along_time > _SMOOTH:
        return False
    along_read = _step_ratio(Z, read_time_axis)
    return along_read is None or along_read > _SMOOTH


def _warn(message):
    warnings.warn(message, UserWarning, stacklevel=_outside_package_stacklevel())


def _warn_channels_first(X):
    """Warn when a 3-D X looks like aeon's or sktime's ``(n_cases, n_channels,
    n_timepoints)`` layout, which sklstm reads as ``n_channels`` steps of
    ``n_timepoints`` features: a recurrence over next to nothing, which fits
    without complaint and learns poorly.

    A single step, ``(n, 1, T)``, always warns. Fewer steps than features warn when
    the values run along the feature axis like a series and not along the step
    axis; sklstm-layout data with short sequences of many features (word
    embeddings, say) has no such order along its features.
    """
    _, n_timesteps, n_features = X.shape
    if n_timesteps == 1 and n_features > 1:
        _warn(f"X has shape {X.shape}, read as (n_samples, n_timesteps, n_features): "
              f"every sequence is a single time step of {n_features} features. If X "
              "is in aeon's or sktime's (n_cases, n_channels, n_timepoints) layout, "
              "pass X.transpose(0, 2, 1) instead.")
        return
    if not 1 < n_timesteps < n_features:
        return
    sample = X[: max(2, _LAYOUT_SAMPLE // (n_timesteps * n_features))]
    if _time_runs_along(sample, 2, 1):
        _warn(f"X has shape {X.shape}, read as (n_samples, n_timesteps, n_features): "
              f"{n_timesteps} time steps of {n_features} features. But X changes "
              "smoothly along its last axis, as a series does over time, and not "
              "from one step to the next. If X is in aeon's or sktime's (n_cases, "
              "n_channels, n_timepoints) layout, pass X.transpose(0, 2, 1) instead: "
              f"{n_features} steps of {n_timesteps} features. If it really holds "
              f"{n_timesteps} steps of {n_features} features, ignore this warning.")


def _warn_long_table(X):
    """Warn when a 2-D X of univariate rows looks like a long table, one row per
    time step, passed straight in: ``fit(df[["ax", "ay"]], df["label"])`` reads
    each row as a sequence of (here) 2 steps.

    Such a table has many more rows than columns, and its values follow on from
    one row to the next (rows are time) rather than from one column to the next
    (they are different features). Univariate rows are the other way round: each
    row is a series over its columns, and the rows are separate samples.
    """
    n_rows, n_columns = X.shape
    if n_rows < 10 * n_columns:
        return
    if _time_runs_along(X[: max(3, _LAYOUT_SAMPLE // n_columns)], 0, 1):
        _warn(f"X has {n_rows} rows of {n_columns} columns, read as {n_rows} "
              f"univariate sequences of {n_columns} time steps each (a 2-D X "
              "without window holds one sequence per row). But its values change "
              "smoothly from one row to the next, as a series does over time, and "
              "not from one column to the next: X looks like a long table, one row "
              "per time step. For many sequences in one table, pass "
              "sklstm.to_sequences(df, id=..., time=...) as X and one target per "
              "sequence as y (e.g. df.groupby(id)[target].first()); for one long "
              "series, set window=k, and scale it with sklearn's StandardScaler (one "
              "mean and scale per column), not SequenceScaler, which reads 2-D rows "
              "as univariate sequences (one mean and scale for all columns). If each "
              "row really is a sequence, ignore this warning.")


def _outside_package_stacklevel():
    """The ``stacklevel`` that points a warning at the user's line: the first caller
    outside sklstm, scikit-learn and joblib (whose ``fit`` wrappers, pipelines and
    caches sit between)."""
    packages = tuple(os.path.dirname(os.path.abspath(module.__file__)) + os.sep
                     for module in (sys.modules[__package__], sklearn, joblib))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(packages):
        frame, level = frame.f_back, level + 1
    return level


def _names_of(dataset):
    """``feature_names_in_`` of the dataset's columns, as ``validate_data`` sets it."""
    names = dataset.feature_names
    return _get_feature_names(None if names is None else pd.DataFrame(columns=names))


def _check_features(estimator, dataset):
    """``validate_data``'s feature checks, for formats it cannot read itself."""
    names = dataset.feature_names
    proxy = None if names is None else pd.DataFrame(columns=names)
    _check_feature_names(estimator, proxy, reset=False)
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and dataset.n_features != expected:
        raise ValueError(
            f"X has {dataset.n_features} features, but {type(estimator).__name__} "
            f"is expecting {expected} features as input.{_N_FEATURES_HINT}"
        )


def _check_step_features(estimator, dataset, input_format, window):
    """X must give a time step as many features as the fitted model reads.

    ``n_features_in_`` alone cannot tell: one sequence ``(n_timesteps, F)`` of a
    model fitted on 3-D X has F columns, as a 2-D X of univariate rows would.
    """
    expected = getattr(estimator, "_n_step_features", None)
    if expected is None or dataset.n_features == expected:
        return
    name = type(estimator).__name__
    if input_format == "2d" and window is None:
        reading = ("a 2-D X holds one univariate sequence per row, 1 feature per "
                   "step. To pass a single sequence of shape (n_timesteps, "
                   f"{expected}), add the sample axis: X[np.newaxis], of shape "
                   f"(1, n_timesteps, {expected}).")
    else:
        reading = (f"X gives {dataset.n_features} features per time step. Pass X "
                   "in the format used in fit" + (
                       ": 2-D rows, one univariate sequence each, or 3-D X of shape "
                       "(n_samples, n_timesteps, 1)." if expected == 1 else "."))
    raise ValueError(f"{name} was fitted on sequences with {expected} feature(s) "
                     f"per time step, but {reading}")


# ----------------------------------------------------------------------------- ragged


def _stack_ragged(X, dtype):
    """A ragged container as a :class:`RaggedSequences` (one copy of the data)."""
    items, names = _ragged_items(X)
    if not items:
        raise ValueError(
            "Found a ragged X with 0 sequences, while a minimum of 1 is required."
        )
    arrays, item_ndims = zip(*(_item_as_2d(item, i) for i, item in enumerate(items)))
    _check_items_agree(arrays)
    if names is None:
        names = _common_feature_names(items)
    target = _resolve_dtype(dtype, [a.dtype for a in arrays])
    with np.errstate(over="ignore"):  # overflow to inf is reported just below
        values = np.concatenate(arrays, dtype=target, casting="unsafe")  # (N, F)
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    _check_finite_items(values, lengths, target)
    return RaggedSequences(
        values,
        lengths,
        feature_names=names,
        restore=_container_restorer(X),
        item_ndims=item_ndims,
    )


def _ragged_items(X):
    """The sequences of a ragged X, and their feature names when X itself has them."""
    if isinstance(X, pd.DataFrame):  # sktime's nested format
        return _nested_items(X), _get_feature_names(X)
    return list(X.array) if isinstance(X, pd.Series) else list(X), None


def _nested_items(frame):
    """sktime's nested DataFrame, whose cell (i, c) holds channel c of sequence i, as
    one ``(T_i, n_channels)`` array per row."""
    items = []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        channels = [_nested_cell(cell, i, column) for cell, column in zip(row, frame.columns)]
        lengths = sorted({len(channel) for channel in channels})
        if len(lengths) > 1:
            raise ValueError(
                f"Sequence {i} of X has channels of different lengths ({lengths} time "
                "steps); every cell of one row of a nested DataFrame must hold as many "
                "time steps as the others."
            )
        items.append(np.column_stack(channels))  # (T_i, n_channels)
    return items


def _nested_cell(cell, i, column):
    """One cell of a nested DataFrame as a 1-D array (T_i,)."""
    if isinstance(cell, pd.Series):
        return _pandas_item_as_array(cell, i)
    if isinstance(cell, (np.ndarray, list, tuple)) and np.ndim(cell) == 1:
        return np.asarray(cell)
    raise ValueError(
        f"Sequence {i} of X holds {type(cell).__name__} in column {column!r}, not a "
        "series: a nested DataFrame (sktime's format) holds one pd.Series or 1-D "
        "array per cell, the values of one channel of one sequence."
    )


def _item_as_2d(item, i):
    """One ragged item as a numeric (T_i, F) array (dtype kept) and its own ndim."""
    if isinstance(item, (pd.DataFrame, pd.Series)):
        array = _pandas_item_as_array(item, i)
    else:
        try:
            array = np.asarray(item)
        except ValueError as exc:
            raise ValueError(
                f"Sequence {i} of X is not a rectangular array ({exc}). Each item must "
                "be a (T_i, n_features) or (T_i,) array."
            ) from None
    array = _numeric(array, i)
    ndim = array.ndim
    if ndim == 1:
        array = array.reshape(-1, 1)  # (T_i, 1)
    if array.ndim != 2:
        raise ValueError(
            f"Sequence {i} of X has shape {array.shape}; each item of a ragged X must "
            "be a (T_i, n_features) or (T_i,) array."
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"Sequence {i} of X has 0 time steps; every sequence needs at least one. "
            "Drop empty sequences before fitting or predicting."
        )
    return array, ndim


def _pandas_item_as_array(item, i):
    """DataFrame / Series item -> numeric array; pandas missing values become NaN."""
    array = item.to_numpy()
    if array.dtype.kind in "biuf":  # all columns numeric: the common, fast case
        return array
    dtypes = item.dtypes if isinstance(item, pd.DataFrame) else [item.dtype]
    bad = [str(d) for d in dtypes if not pd.api.types.is_numeric_dtype(d)]
    if bad:
        raise ValueError(
            f"Sequence {i} of X has non-numeric columns (dtypes {sorted(set(bad))})."
            + _STRING_HINT
        )
    return _numeric_frame_values(item, array)


def _numeric_frame_values(frame, array=None):
    """Numeric DataFrame / Series -> array; mixed or nullable dtypes -> float64 + NaN.

    ``array`` is ``frame.to_numpy()`` when the caller has it already.
    """
    array = frame.to_numpy() if array is None else array
    if array.dtype.kind in "biuf":
        return array
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _numeric(array, i):
    """Reject complex, string and non-number items; leave numeric dtypes alone."""
    kind = array.dtype.kind
    if kind in "biuf":
        return array
    if kind == "c":
        raise ValueError(
            f"Sequence {i} of X holds complex numbers; complex data is not supported."
        )
    if kind in "US":
        raise ValueError(f"Sequence {i} of X holds strings." + _STRING_HINT)
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Sequence {i} of X holds values that are not numbers ({exc})."
            + _STRING_HINT
        ) from None


def _check_items_agree(arrays):
    """Every item must have the first item's number of features."""
    n_features = arrays[0].shape[1]
    if n_features == 0:
        raise ValueError("Sequence 0 of X has 0 features; at least 1 is required.")
    for i, array in enumerate(arrays):
        if array.shape[1] != n_features:
            channels_first = all(a.shape[0] < a.shape[1] for a in arrays)
            raise ValueError(
                f"Sequence {i} of X has {array.shape[1]} features per time step, but "
                f"sequence 0 has {n_features}; all sequences must have the same "
                "number of features." + (
                    " Every item has fewer rows than columns: if they are aeon's "
                    "(n_channels, n_timepoints) arrays, pass [x.T for x in X]."
                    if channels_first else "")
            )


def _common_feature_names(items):
    """Column names shared by all items when every item is a DataFrame, else None."""
    if not all(isinstance(item, pd.DataFrame) for item in items):
        return None
    columns = items[0].columns
    for i, item in enumerate(items[1:], start=1):
        if not item.columns.equals(columns):
            raise ValueError(
                f"Sequence {i} of X has columns {list(item.columns)}, but sequence 0 "
                f"has {list(items[0].columns)}; all DataFrame items must have the same "
                "columns in the same order."
            )
    return _get_feature_names(items[0])


def _resolve_dtype(dtype, input_dtypes):
    """scikit-learn's dtype rule: a list keeps a listed input dtype, else its first."""
    if isinstance(dtype, (list, tuple)):
        kept = set(np.dtype(d) for d in input_dtypes)
        listed = [np.dtype(d) for d in dtype]
        dtype = kept.pop() if len(kept) == 1 and kept <= set(listed) else listed[0]
    return np.dtype(dtype)


def _check_finite_items(values, lengths, dtype):
    """NaN / infinity -> ValueError naming the first sequence that holds one."""
    finite_rows = np.isfinite(values).all(axis=1)  # (N,)
    if finite_rows.all():
        return
    row = int(np.argmin(finite_rows))
    ends = np.cumsum(lengths)
    sequence = int(np.searchsorted(ends, row, side="right"))
    step = row - int(ends[sequence] - lengths[sequence])
    where = f"first in sequence {sequence}, at time step {step}"
    if np.isnan(values[row]).any():
        raise ValueError(f"Input X contains NaN ({where}). {_NAN_FILL_HINT}")
    raise ValueError(
        f"Input X contains infinity or a value too large for {dtype} ({where})."
    )


def _container_restorer(X):
    """A function turning a list of item arrays into X's kind of container."""
    if isinstance(X, pd.DataFrame):
        return lambda items: _nested_frame(items, X)
    if isinstance(X, pd.Series):
        return lambda items: pd.Series(items, index=X.index, name=X.name, dtype=object)
    if isinstance(X, np.ndarray):
        return _object_array
    return list


def _nested_frame(items, like):
    """(T_i, n_channels) arrays as a nested DataFrame with ``like``'s index and columns."""
    cells = {
        k: pd.Series([pd.Series(item[:, k]) for item in items], index=like.index,
                     dtype=object)
        for k in range(like.shape[1])
    }
    return pd.DataFrame(cells).set_axis(like.columns, axis=1)


def _object_array(items):
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


# -------------------------------------------------------------------- sample weights


def check_sample_weight(sample_weight, n_samples, dtype):
    """Sample weights as a new C-contiguous ``(n_samples,)`` array of ``dtype``.

    ``None`` gives ones and a number is repeated; otherwise the weights must be a 1-D
    array-like of that length, finite, non-negative and not all zero (a model cannot
    learn from no weight at all). scikit-learn's own check is private and, before
    1.7, let all-zero weights through; this one says the same on every version.

    Parameters
    ----------
    sample_weight : None, number or array-like of shape (n_samples,)
        The weights given to ``fit``.
    n_samples : int
        Number of samples in X.
    dtype : numpy dtype
        Floating dtype of the result.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight)
    sample_weight = check_array(sample_weight, ensure_2d=False, dtype=dtype, order="C",
                                copy=True, input_name="sample_weight")
    if sample_weight.shape != (n_samples,):
        raise ValueError(f"sample_weight must be a number or a 1-D array of length "
                         f"{n_samples} (one weight per sample); got shape "
                         f"{sample_weight.shape}.")
    if (sample_weight < 0).any():
        raise ValueError("sample_weight must be non-negative; got negative values.")
    if not sample_weight.any():
        raise ValueError("sample_weight must contain at least one non-zero weight; "
                         "got all zeros.")
    return sample_weight


# -------------------------------------------------------------------------- batching


def minibatches(lengths, batch_size, *, shuffle, random_state=None):
    """Minibatches of sequences of similar length (length buckets).

    The sequences are sorted by length, longest first, and cut into consecutive runs
    of ``batch_size``: each batch then pads only to its own longest member. With
    ``shuffle``, sequences of equal length are ordered at random before the cut and
    the order of the batches is shuffled. On equal lengths this is ordinary
    shuffled minibatching.

    Parameters
    ----------
    lengths : array-like of int of shape (n_samples,)
        Length of every sequence.
    batch_size : int >= 1
        Size of every batch but possibly the last one (the shortest sequences).
    shuffle : bool
        Shuffle batch order and the membership among sequences of equal length.
    random_state : None, int or numpy.random.RandomState, default=None
        Seed of the shuffling.

    Returns
    -------
    list of ndarray of int
        Indices into ``lengths``; each index appears in exactly one batch, and each
        batch is sorted by length, longest first.
    """
    lengths = np.asarray(lengths).reshape(-1)  # (n,)
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    rng = check_random_state(random_state)
    n = lengths.shape[0]
    tiebreak = rng.permutation(n) if shuffle else np.arange(n)
    order = np.lexsort((tiebreak, -lengths))  # longest first, ties by tiebreak
    batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    if shuffle:
        batches = [batches[j] for j in rng.permutation(len(batches))]
    return batches


# ----------------------------------------------------------------------- long tables


def to_sequences(df, id, time, columns=None):
    """Long table (one row per time step) -> Series of sequences indexed by id.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (sequence, time step).
    id : hashable
        Column naming the sequence a row belongs to.
    time : hashable
        Column giving the row's position in time (numbers, datetimes: anything
        sortable); each (id, time) pair must be unique.
    columns : list of hashable or None, default=None
        Feature columns, in this order; all columns but ``id`` and ``time`` when
        None. They must be numeric (or bool).

    Returns
    -------
    pandas.Series of DataFrame
        Indexed by the sorted unique ids (index name ``id``); item ``j`` is a
        ``(T_j, n_columns)`` DataFrame of the feature columns in time order, indexed
        by the time values. It goes straight into ``fit`` as a ragged X.

    Raises
    ------
    ValueError
        For an empty ``df``, missing columns, missing ids or times, duplicate
        (id, time) pairs or non-numeric feature columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm._data import to_sequences  # exported as sklstm.to_sequences
    >>> long = pd.DataFrame({"patient": [2, 1, 2, 1, 2], "hour": [1, 0, 0, 1, 2],
    ...                      "pulse": [80., 60., 82., 61., 79.]})
    >>> seqs = to_sequences(long, id="patient", time="hour")
    >>> [len(s) for s in seqs], list(seqs.index)
    ([2, 3], [1, 2])
    >>> seqs[2]["pulse"].tolist()
    [82.0, 80.0, 79.0]
    """
    columns = _check_long_table(df, id, time, columns)
    table = df.sort_values([id, time], kind="stable")
    ids = table[id]
    new_id = np.ones(len(table), dtype=bool)
    new_id[1:] = ids.to_numpy()[1:] != ids.to_numpy()[:-1]
    bounds = np.append(np.flatnonzero(new_id), len(table))  # (n_ids + 1,)
    values = _numeric_frame_values(table[columns])  # (n_rows, n_columns)
    times = pd.Index(table[time], name=time)  # (n_rows,)
    names = pd.Index(columns)
    items = [
        pd.DataFrame(values[a:b], index=times[a:b], columns=names, copy=False)
        for a, b in zip(bounds[:-1], bounds[1:])
    ]
    index = pd.Index(ids.iloc[bounds[:-1]], name=id)
    return pd.Series(items, index=index, dtype=object)


def _check_long_table(df, id, time, columns):
    """Validate ``to_sequences``' arguments; return the feature column list."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    if df.shape[0] == 0:
        raise ValueError("df is empty: it has no rows to turn into sequences.")
    if id == time:
        raise ValueError(f"id and time must be different columns, both are {id!r}.")
    if columns is None:
        columns = [c for c in df.columns if c not in (id, time)]
    columns = list(columns)
    missing = [c for c in [id, time, *columns] if c not in df.columns]
    if missing:
        raise ValueError(
            f"Columns {missing} are not in df; its columns are {list(df.columns)}."
        )
    if id in columns or time in columns:
        raise ValueError("columns must not include the id or the time column.")
    if not columns:
        raise ValueError("df has no feature columns besides the id and time columns.")
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(
            f"Feature columns {bad} are not numeric." + _STRING_HINT
            + " Or leave them out with columns=[...]."
        )
    if df[[id, time]].isna().to_numpy().any():
        raise ValueError(
            f"The {id!r} and {time!r} columns must not contain missing values."
        )
    duplicated = df.duplicated([id, time])
    if duplicated.any():
        pairs = list(df.loc[duplicated, [id, time]].itertuples(index=False, name=None))
        raise ValueError(
            f"df has {int(duplicated.sum())} duplicate ({id!r}, {time!r}) pairs, e.g. "
            f"{pairs[:3]}; each sequence may have only one row per time. Aggregate "
            "them first, e.g. df.groupby([id, time]).mean()."
        )
    return columns
