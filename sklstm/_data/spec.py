"""The fitted input specification: how an estimator reads X, fixed once in fit.

``fit`` reads X with :func:`read_for_fit`, which returns the dataset and an
:class:`InputSpec` (the input format, ``window``, the features per time step and
the feature names) and sets nothing. Once every other check of the call has passed,
``spec.set_on(estimator)`` records it: ``input_spec_``, ``n_features_in_`` and
``feature_names_in_``. From then on every reading of X (``predict``, ``score``,
``trace``, ``plot_gates``, a continued ``partial_fit``, ``transform``) goes through
``estimator.input_spec_.read(estimator, X, dtype)``, with the window of fit: a later
``set_params(window=...)`` cannot change how a fitted model reads X.
"""

import numbers
from dataclasses import dataclass

import numpy as np

from .readers import read_sequences
from ..core._checks import is_int

__all__ = ["InputSpec", "read_for_fit"]


@dataclass(frozen=True)
class InputSpec:
    """How a fitted estimator reads X.

    Parameters
    ----------
    window : int or None
        ``window`` in fit: a 2-D X is one long series, and sample ``i`` the window
        of its rows ``max(0, i - window + 1) .. i``.
    input_format : {"2d", "3d", "ragged"}
        The format of X in fit. Later calls may pass 3-D and ragged X alike (both
        hold one sequence per sample); a 2-D X is read as in fit.
    n_step_features : int
        Features of one time step as the network reads them: ``n_features_in``
        for 3-D, ragged and windowed X, 1 for 2-D univariate rows.
    n_features_in : int
        ``n_features_in_`` as scikit-learn defines it: the columns of a 2-D X, the
        features of one time step otherwise.
    feature_names_in : tuple of str or None, default=None
        Column names of X in fit, when they were all strings.
    """

    window: int | None
    input_format: str
    n_step_features: int
    n_features_in: int
    feature_names_in: tuple[str, ...] | None = None

    def read(self, estimator, X, dtype=np.float32):
        """X as the fitted estimator reads it, checked against what it was fitted on.

        Parameters
        ----------
        estimator : estimator instance
            The fitted estimator. X is checked against its ``n_features_in_`` and
            ``feature_names_in_`` with the rules and messages of scikit-learn's
            ``validate_data(estimator, X, reset=False)``, and against this spec's
            features per time step. Nothing is set on it.
        X : array-like, DataFrame or ragged container
            In the format of fit (3-D and ragged X interchangeably); another
            number of time steps is fine.
        dtype : numpy dtype or list of them, default=np.float32
            As in :func:`read_for_fit`.

        Returns
        -------
        SequenceDataset
            Read with the window of fit.

        Raises
        ------
        ValueError
            As :func:`read_for_fit`, and for features other than the fitted ones.
        """
        dataset, input_format, _, _ = read_sequences(
            estimator, X, window=self.window, dtype=dtype, fitting=False
        )
        self._check_step_features(estimator, dataset, input_format)
        return dataset

    def set_on(self, estimator):
        """Record this spec on a fitted estimator: ``input_spec_``,
        ``n_features_in_`` and ``feature_names_in_`` (deleted when None)."""
        estimator.input_spec_ = self
        estimator.n_features_in_ = self.n_features_in
        if self.feature_names_in is not None:
            estimator.feature_names_in_ = np.asarray(self.feature_names_in, dtype=object)
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_

    def _check_step_features(self, estimator, dataset, input_format):
        """X must give a time step as many features as the fitted model reads.

        ``n_features_in_`` alone cannot tell: one sequence ``(n_timesteps, F)`` of a
        model fitted on 3-D X has F columns, as a 2-D X of univariate rows would.
        """
        expected = self.n_step_features
        if dataset.n_features == expected:
            return
        if input_format == "2d" and self.window is None:
            reading = ("a 2-D X holds one univariate sequence per row, 1 feature per "
                       "step. To pass a single sequence of shape (n_timesteps, "
                       f"{expected}), add the sample axis: X[np.newaxis], of shape "
                       f"(1, n_timesteps, {expected}).")
        else:
            reading = (f"X gives {dataset.n_features} features per time step. Pass X "
                       "in the format used in fit" + (
                           ": 2-D rows, one univariate sequence each, or 3-D X of "
                           "shape (n_samples, n_timesteps, 1)." if expected == 1
                           else "."))
        raise ValueError(f"{type(estimator).__name__} was fitted on sequences with "
                         f"{expected} feature(s) per time step, but {reading}")


def read_for_fit(estimator, X, *, window=None, dtype=np.float32):
    """Read X as ``fit`` does: the dataset and the :class:`InputSpec` to record.

    Sets nothing on the estimator, and checks nothing against what it was fitted
    on before (scikit-learn's ``validate_data(reset=True)``): a caller records the
    spec with :meth:`InputSpec.set_on` once every other check has passed.

    Parameters
    ----------
    estimator : estimator instance
        Named in the messages.
    X : array-like, DataFrame or ragged container
        - 3-D array-like ``(n_samples, n_timesteps, n_features)``: one sequence per
          sample; ``n_features_in_ = n_features``; later calls may pass another
          ``n_timesteps``.
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
    window : int >= 1 or None, default=None
        Window length for one long series; only with 2-D input.
    dtype : numpy dtype or list of them, default=np.float32
        Float dtype of the data. With a list, input already of one of the listed
        dtypes keeps it and anything else becomes the first (scikit-learn's rule).

    Returns
    -------
    dataset : SequenceDataset
        :class:`PaddedSequences`, :class:`RaggedSequences` or
        :class:`WindowedSequences`.
    spec : InputSpec

    Raises
    ------
    ValueError
        For a bad ``window``, ``window`` with 3-D or ragged input, 1-D or empty X,
        a zero-length sequence, items disagreeing on ``n_features``, NaN or
        infinity, complex or string values.
    TypeError
        For X that is None, a number, a string or a mapping, for sparse X, date or
        time columns and objects that are not numbers.

    Warns
    -----
    UserWarning
        For X that looks read the wrong way: a 3-D X in aeon's or sktime's
        ``(n_cases, n_channels, n_timepoints)`` layout, or a long table (one row
        per time step) given as 2-D rows.
    """
    window = _check_window(window)
    dataset, input_format, n_features_in, names = read_sequences(
        estimator, X, window=window, dtype=dtype, fitting=True
    )
    names = None if names is None else tuple(names)
    spec = InputSpec(window, input_format, dataset.n_features, n_features_in, names)
    return dataset, spec


def _check_window(window):
    """``window`` as an int >= 1, or None."""
    if window is None:
        return None
    if is_int(window):
        if window >= 1:
            return int(window)
    raise ValueError(
        f"window must be None or an int >= 1 (the number of rows each sample looks "
        f"back over, the current row included), got {window!r}."
    )
