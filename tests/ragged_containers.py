"""The containers a ragged set of sequences can come in, for the data and scaler tests."""

import numpy as np
import pandas as pd


def ragged_container(items, kind, index=None, name=None):
    """``items`` as a list, a 1-D object array or a pandas Series (``index``, ``name``)."""
    if kind == "list":
        return list(items)
    if kind == "object_array":
        out = np.empty(len(items), dtype=object)
        for i, item in enumerate(items):
            out[i] = item
        return out
    return pd.Series(list(items), index=index, name=name)
