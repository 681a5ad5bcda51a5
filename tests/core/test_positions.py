"""Right padding and processing order (``sklstm.core._positions``)."""

import numpy as np

from sklstm.core import mask_from_lengths


def test_mask_from_lengths():
    np.testing.assert_array_equal(
        mask_from_lengths([2, 0, 3]),
        [[True, True, False], [False, False, False], [True, True, True]],
    )
    assert mask_from_lengths([1], n_timesteps=4).shape == (1, 4)
