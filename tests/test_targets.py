"""The targets (``sklstm._targets``): a regressor's target statistics."""

import warnings

import numpy as np
import pytest

from sklstm import LSTMRegressor

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_regressor_constant_target_has_unit_scale_and_predicts_near_it():
    X, _ = make_sequences(n=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no division by a zero std
        reg = LSTMRegressor(**FAST).fit(X, np.full(20, 4.2e7))
    np.testing.assert_allclose(reg.predict(X), 4.2e7, rtol=1e-6)
