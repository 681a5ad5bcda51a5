"""Long tables (one row per time step) -> a ragged X: :func:`sklstm.to_sequences`."""

import numpy as np
import pandas as pd

from .diagnostics import STRING_HINT
from .ragged import numeric_frame_values

__all__ = ["to_sequences"]


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
    >>> from sklstm import to_sequences
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
    values = numeric_frame_values(table[columns])  # (n_rows, n_columns)
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
            f"Feature columns {bad} are not numeric." + STRING_HINT
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
