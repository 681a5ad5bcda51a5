"""What fit records about X, and the checks of later calls against it.

:func:`validate_sequences` is scikit-learn's ``validate_data`` for sequences: it
reads X in any accepted format (:mod:`.readers`) and, with ``reset``, sets
``n_features_in_``, ``feature_names_in_`` and the private ``_n_step_features`` on
the estimator; :func:`check_sequences` returns them instead, as an
:class:`InputFeatures`.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from .readers import read_sequences

__all__ = ["InputFeatures", "validate_sequences", "check_sequences"]


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
    dataset, input_format, n_features_in, names = read_sequences(
        estimator, X, window=window, dtype=dtype, fitting=reset
    )
    if not reset:
        _check_step_features(estimator, dataset, input_format, window)
        return dataset, None
    return dataset, InputFeatures(n_features_in, dataset.n_features, names)


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
