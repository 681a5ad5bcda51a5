"""Sample weights (``sklstm._data.weights.check_sample_weight``)."""

import numpy as np
import pandas as pd
import pytest

from sklstm._data import (
    check_sample_weight,
)


# -------------------------------------------------------------------- sample weights
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("given, expected", [
    (None, [1.0, 1.0, 1.0]),
    (2, [2.0, 2.0, 2.0]),
    ([0, 1, 3], [0.0, 1.0, 3.0]),
    (pd.Series([0.5, 0, 2], index=[7, 8, 9]), [0.5, 0.0, 2.0]),
])
def test_sample_weight_values(given, expected, dtype):
    weights = check_sample_weight(given, 3, np.dtype(dtype))
    assert weights.dtype == dtype and weights.flags.c_contiguous
    np.testing.assert_array_equal(weights, expected)


def test_sample_weight_is_not_the_callers_array():
    given = np.ones(3)
    check_sample_weight(given, 3, np.dtype(np.float64))[0] = 5
    assert given[0] == 1


@pytest.mark.parametrize("given, match", [
    (np.ones(4), r"length 3.*shape \(4,\)"),
    (np.ones((3, 1)), r"1-D array.*shape \(3, 1\)"),
    ([1, -1, 1], "non-negative"),
    (-1, "non-negative"),
    ([1, np.nan, 1], "sample_weight contains NaN"),
    ([1, np.inf, 1], "sample_weight contains infinity"),
    (np.zeros(3), "at least one non-zero"),
    (0, "at least one non-zero"),
    (["a", "b", "c"], "could not convert"),
])
def test_sample_weight_errors(given, match):
    with pytest.raises(ValueError, match=match):
        check_sample_weight(given, 3, np.dtype(np.float32))
