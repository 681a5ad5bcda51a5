"""Targets as the estimators check them: the hint for a forecaster's shifted target,
and the statistics a regressor standardises its targets by."""

import numpy as np


def checked_targets(check, y, estimator_name, *, windowed):
    """``check(y)``, with the hint for a shifted series' NaNs in window mode."""
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y "
                         "is None.")
    try:
        return check(y)
    except ValueError as exc:
        if not windowed or "NaN" not in str(exc):
            raise
        raise ValueError(f"{exc}{_shifted_target_hint(y)}") from None


def _shifted_target_hint(y):
    """For y whose NaNs are only its first or last rows, what a forecasting target
    made by shifting a series leaves there: how to drop them. Else ""."""
    try:
        missing = np.isnan(np.asarray(y, dtype=np.float64)).reshape(len(y), -1).any(axis=1)
    except (TypeError, ValueError):
        return ""
    if missing.all() or not (missing[0] or missing[-1]):
        return ""
    n_head, n_tail = int(np.argmin(missing)), int(np.argmin(missing[::-1]))
    if missing[n_head:len(missing) - n_tail].any():
        return ""
    where = " and ".join(f"{side} {count}" for side, count in
                         (("first", n_head), ("last", n_tail)) if count)
    keep = f"{n_head or ''}:{-n_tail if n_tail else ''}"
    return (f" Its NaNs are all in its {where} rows, which is what shifting a series "
            "leaves (y = series.shift(-h) to forecast h steps ahead). Drop those rows "
            f"from both X and y, e.g. X.iloc[{keep}] and y.iloc[{keep}].")


def target_statistics(Y, sample_weight):
    """Weighted mean and standard deviation (n_outputs,) of the targets Y (n, n_outputs),
    in float64; a standard deviation of (numerically) zero becomes 1."""
    weights = sample_weight.astype(np.float64)
    mean = np.average(Y, axis=0, weights=weights)
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=weights))
    if not (np.isfinite(mean).all() and np.isfinite(std).all()):
        raise ValueError("y is too large to standardise: its mean or standard deviation "
                         "overflows float64. Rescale y (e.g. divide it by a power of 10).")
    constant = std <= 10 * np.finfo(Y.dtype).eps * np.maximum(np.abs(mean), 1.0)
    return mean, np.where(constant, 1.0, std)
