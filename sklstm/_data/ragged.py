"""The ragged reader: containers of sequences of any lengths -> :class:`RaggedSequences`.

A ragged X is a list, 1-D object array or pandas Series whose items are
``(T_i, n_features)`` or ``(T_i,)`` arrays or DataFrames, or sktime's nested
DataFrame, whose cell ``(i, c)`` holds channel ``c`` of sequence ``i``. Each item
is read on its own (pandas items with their dtypes and column names), then all are
concatenated along time in one copy.
"""

import numpy as np
import pandas as pd

from .._sklearn_private import _get_feature_names
from .datasets import RaggedSequences
from .diagnostics import NAN_FILL_HINT, STRING_HINT

__all__ = ["read_ragged", "numeric_frame_values"]


def read_ragged(X, dtype):
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
            + STRING_HINT
        )
    return numeric_frame_values(item, array)


def numeric_frame_values(frame, array=None):
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
        raise ValueError(f"Sequence {i} of X holds strings." + STRING_HINT)
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Sequence {i} of X holds values that are not numbers ({exc})."
            + STRING_HINT
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
        raise ValueError(f"Input X contains NaN ({where}). {NAN_FILL_HINT}")
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
