"""What the input side says when X is wrong, or looks read the wrong way.

- hints appended to errors: the feature count's meaning per format, strings, NaN
  (how to fill gaps along time, or pass NaN-padded sequences unpadded);
- :func:`explain_errors`, which turns numpy's and scikit-learn's terse conversion
  and NaN errors into ones that say where the problem is and what to do;
- the layout warnings, raised at fit only: a 3-D X in aeon's channels-first layout
  (:func:`warn_channels_first`), a long table passed as 2-D rows
  (:func:`warn_long_table`), a ``window`` longer than the series it reads
  (:func:`warn_window_too_long`), and the message for ``window`` given with input
  that already holds one sequence per sample (:func:`window_misuse_message`).
"""

import os
import sys
import warnings
from contextlib import contextmanager

import joblib
import numpy as np
import pandas as pd
import sklearn

__all__ = [
    "N_FEATURES_HINT",
    "STRING_HINT",
    "NAN_FILL_HINT",
    "explain_errors",
    "warn_channels_first",
    "warn_long_table",
    "warn_window_too_long",
    "window_misuse_message",
]

N_FEATURES_HINT = (
    " For 3-D and ragged input, n_features counts the features of one time step "
    "(the last axis); for 2-D input (without window) each column is one time step of "
    "a univariate sequence, so n_features counts the columns. Pass X in the format "
    "used in fit."
)

STRING_HINT = (
    " sklstm needs numeric data: encode categorical or string features as numbers "
    "first (e.g. with sklearn.preprocessing.OrdinalEncoder)."
)
NAN_FILL_HINT = (
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


def window_misuse_message(window, input_format, fitting):
    """The error for ``window`` given with 3-D or ragged X; ``fitting``: in fit."""
    what = "a 3-D array" if input_format == "3d" else "a ragged container of sequences"
    fix = ("set window=None." if fitting else "this model was fitted with "
           f"window={window}, so it reads the 2-D rows of such a series.")
    return (
        f"window={window} was given with {what}. window is for one long time series: "
        "a 2-D array or DataFrame of shape (n_rows, n_features), rows in time order, "
        "where sample i is the window of the last `window` rows up to row i. "
        f"{what[0].upper() + what[1:]} already holds one sequence per sample: {fix}"
    )


@contextmanager
def explain_errors(X, *, sequences=True):
    """Add a hint to numpy's terse 'could not convert string to float' errors, and
    replace scikit-learn's NaN error (whose imputers and HistGradientBoosting do not
    take sequences) with one that says where the NaN is and how to fill sequences;
    when the NaNs only pad the ends of sequences, how to pass them unpadded. X holds
    one sequence per sample (``sequences``), or else one long series."""
    try:
        yield
    except ValueError as exc:
        if "could not convert string to float" in str(exc):
            raise ValueError(f"X contains strings: {exc}.{STRING_HINT}") from exc
        if not str(exc).startswith("Input X contains NaN"):
            raise
        missing = _nan_mask(X)  # (n, T) or (n, T, F), or None
        hint = NAN_FILL_HINT if sequences else _NAN_SERIES_HINT
        if missing is None or not missing.any():
            raise ValueError(f"Input X contains NaN. {hint}") from None
        if sequences and _is_nan_padded(missing):
            hint = _NAN_PADDING_HINT
        raise ValueError(f"Input X contains NaN ({_first_nan(missing, sequences)}). "
                         f"{hint}") from None


def _nan_mask(X):
    """``np.isnan`` of X read as floats, or None when X does not convert."""
    try:
        if isinstance(X, pd.DataFrame):  # nullable dtypes: pandas' NA becomes NaN
            return np.isnan(X.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.isnan(np.asarray(X, dtype=np.float64))
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


def warn_channels_first(X):
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


def warn_long_table(X):
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


def warn_window_too_long(n_rows, window):
    """Warn when ``window`` is longer than the ``n_rows`` of the training series:
    every training window is then cut short by the start of the series, so nothing
    is learned from a full window, and predictions, which read full windows once
    the series is long enough, see inputs unlike any in training."""
    if window <= n_rows:
        return
    _warn(f"window={window}, but the series X has only {n_rows} rows: every training "
          "window is cut short by the start of the series, so none is ever seen "
          "whole. Pass a longer series, or choose a window well below "
          f"{n_rows} rows (a season, or the lags that matter).")


def _outside_package_stacklevel():
    """The ``stacklevel`` that points a warning at the user's line: the first caller
    outside sklstm, scikit-learn and joblib (whose ``fit`` wrappers, pipelines and
    caches sit between)."""
    sklstm = sys.modules[__name__.split(".")[0]]
    packages = tuple(os.path.dirname(os.path.abspath(module.__file__)) + os.sep
                     for module in (sklstm, sklearn, joblib))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(packages):
        frame, level = frame.f_back, level + 1
    return level

