"""Targets for forecasting several steps ahead with one multi-output model."""


import numpy as np
import pandas as pd

from .core._checks import is_int

__all__ = ["make_horizons"]


def make_horizons(series, horizons=12, *, features=None):
    """Inputs and shifted targets for a direct multi-horizon forecast.

    Row ``t`` of the result is a forecast origin: ``X`` holds what is known at the
    end of step ``t`` (the series itself, or ``features``) and ``Y`` the values
    ``s[t+h]`` for each horizon ``h``. A multi-output ``LSTMRegressor(window=k)``
    fitted on ``(X, Y)`` forecasts all horizons at once from the window of rows
    ``t-k+1 .. t``; ``horizons=1`` gives the one-step target.

    Rows without a complete ``Y`` (the last ``max(horizons)``, whose futures are
    not known yet) are dropped, as are leading rows with a missing value in ``X``
    or ``Y`` (what ``diff``, lags or rolling means leave). Missing values further
    inside are kept for the estimator to report.

    Parameters
    ----------
    series : pandas Series, one-column DataFrame, or array-like of shape (n_rows,)
        The series to forecast, rows in time order.
    horizons : int or sequence of int, default=12
        An int ``h`` means the horizons ``1, 2, ..., h``; a sequence names them,
        each >= 1, without repeats (``[1, 3, 12]``).
    features : DataFrame, array-like of shape (n_rows, n_features) or None, \
            default=None
        The inputs of each row, known at its end; None for the series itself as
        one column. Pandas features and series must share their index.

    Returns
    -------
    X : DataFrame or ndarray of shape (n_kept, n_features)
        The inputs of the kept rows (a DataFrame with the index of ``series``, or
        of ``features``, when either is pandas; the series' column takes its name,
        or ``"y"``).
    Y : DataFrame, Series or ndarray of shape (n_kept, n_horizons) or (n_kept,)
        ``Y[t, j] = s[t + horizons[j]]``, columns named ``"t+1"``, ..., ``"t+h"``;
        one-dimensional (a Series named ``"t+h"`` for pandas input) when there is
        one horizon, so that it is an ordinary single-output target.

    Raises
    ------
    ValueError
        For a bad ``horizons``, a series with more than one column, features of
        another length or index, or a series too short for the longest horizon.

    See Also
    --------
    sklstm.model_selection.FullWindowSplit : Cross-validation on full windows.

    Notes
    -----
    To forecast from the last row of the series, whose targets are unknown and so
    dropped from ``X``, predict on the whole input table: with ``features=None``,
    ``model.predict(series.to_frame())[-1]`` (``series.to_frame("y")`` for an
    unnamed Series, ``series.reshape(-1, 1)`` for an array) gives the forecasts for
    ``t+1 .. t+h`` from the last row.

    In cross-validation, ``Y``'s last training rows hold values up to
    ``max(horizons) - 1`` steps after the training fold: use
    ``TimeSeriesSplit(gap=max(horizons))`` (``docs/forecasting.md``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklstm.forecasting import make_horizons
    >>> s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], name="sales",
    ...               index=pd.date_range("2024-01", periods=5, freq="MS"))
    >>> X, Y = make_horizons(s, horizons=2)
    >>> pd.concat([X, Y], axis=1)
                sales  t+1  t+2
    2024-01-01    1.0  2.0  3.0
    2024-02-01    2.0  3.0  4.0
    2024-03-01    3.0  4.0  5.0
    """
    steps = _check_horizons(horizons)
    values, index, name = _series_values(series)
    n_rows = len(values)
    if n_rows <= max(steps):
        raise ValueError(f"The series has {n_rows} rows, too few for a horizon of "
                         f"{max(steps)} steps: no row would have its targets.")
    X = _features(features, values, index, name)
    Y = np.full((n_rows, len(steps)), np.nan)
    for j, h in enumerate(steps):
        Y[: n_rows - h, j] = values[h:]
    complete = ~(_isnan(X).any(axis=1) | np.isnan(Y).any(axis=1))
    if not complete.any():
        raise ValueError("No row has both its inputs and all its targets: check the "
                         "series and features for missing values.")
    first = int(np.argmax(complete))
    last = n_rows - int(np.argmax(complete[::-1]))
    kept = slice(first, last)
    columns = [f"t+{h}" for h in steps]
    if index is None and not isinstance(X, pd.DataFrame):
        X, Y = X[kept], Y[kept]
        return X, (Y[:, 0] if len(steps) == 1 else Y)
    X = X.iloc[kept]
    if len(steps) == 1:
        return X, pd.Series(Y[kept, 0], index=X.index, name=columns[0])
    return X, pd.DataFrame(Y[kept], index=X.index, columns=columns)


def _check_horizons(horizons):
    """The horizons as a list of distinct ints >= 1."""
    if is_int(horizons):
        if horizons >= 1:
            return list(range(1, int(horizons) + 1))
    elif isinstance(horizons, (list, tuple, range, np.ndarray)) and len(horizons):
        steps = list(horizons)
        if all(is_int(h) and h >= 1 for h in steps) and len(set(steps)) == len(steps):
            return [int(h) for h in steps]
    raise ValueError(
        "horizons must be an int h >= 1 (the horizons 1 .. h) or a non-empty list "
        f"of distinct ints >= 1 (such as [1, 3, 12]); got {horizons!r}.")


def _series_values(series):
    """(float values of shape (n,), pandas index or None, column name)."""
    if isinstance(series, pd.DataFrame):
        if series.shape[1] != 1:
            raise ValueError(
                f"series must be one column; got a DataFrame with {series.shape[1]} "
                f"columns. Pass the column to forecast (df['{series.columns[0]}']) "
                f"and the others as features=.")
        series = series.iloc[:, 0]
    if isinstance(series, pd.Series):
        name = "y" if series.name is None else series.name
        return series.to_numpy(dtype=float), series.index, name
    values = np.asarray(series, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"series must be one-dimensional (one value per time step); "
                         f"got an array of shape {values.shape}.")
    return values, None, "y"


def _features(features, values, index, name):
    """The inputs: the series as one column, or the checked ``features``."""
    if features is None:
        if index is None:
            return values[:, None]
        return pd.DataFrame({name: values}, index=index)
    if isinstance(features, pd.Series):
        features = features.to_frame()
    if len(features) != len(values):
        raise ValueError(f"features has {len(features)} rows and the series "
                         f"{len(values)}: give one row of features per time step.")
    if isinstance(features, pd.DataFrame):
        if index is not None and not features.index.equals(index):
            raise ValueError("features and series must share their index (row t of "
                             "both is the same time step).")
        return features
    features = np.asarray(features)
    if features.ndim == 1:
        features = features[:, None]
    if index is not None:
        return pd.DataFrame(features, index=index)
    return features


def _isnan(X):
    """Missing values of a DataFrame or array, shape (n_rows, n_columns)."""
    if isinstance(X, pd.DataFrame):
        return X.isna().to_numpy()
    if X.dtype.kind in "fc":
        return np.isnan(X)
    return np.zeros(X.shape, dtype=bool)
