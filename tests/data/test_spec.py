"""The fitted input specification (``sklstm._data.spec``): made once in fit, read the
same way by predict, trace and plotting."""

import numpy as np
import pandas as pd
import pytest

from sklstm import LSTMRegressor
from sklstm._data import (
    InputSpec,
    WindowedSequences,
    read_for_fit,
)

from tests.data.helpers import Est, rng
from tests.helpers import FAST

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_prediction_reads_windows_as_in_fit():
    series = np.random.RandomState(0).normal(size=(40, 2))
    reg = LSTMRegressor(**FAST, window=5).fit(series, series[:, 0])
    before = reg.predict(series)
    np.testing.assert_array_equal(reg.set_params(window=None).predict(series), before)
    with pytest.raises(ValueError, match="window=8, but the fitted network was built "
                                         "with window=5"):
        reg.set_params(window=8, warm_start=True).fit(series, series[:, 0])


def test_input_spec_records_the_reading_of_fit():
    """read_for_fit sets nothing; set_on records the spec and scikit-learn's
    n_features_in_ / feature_names_in_; read uses the window of fit."""
    frame = pd.DataFrame(rng().normal(size=(10, 3)), columns=["x", "y", "z"])
    est = Est()
    _, spec = read_for_fit(est, frame, window=4)
    assert not vars(est)
    assert spec == InputSpec(4, "2d", 3, 3, ("x", "y", "z"))
    spec.set_on(est)
    assert est.input_spec_ is spec and est.n_features_in_ == 3
    assert est.feature_names_in_.tolist() == ["x", "y", "z"]
    assert isinstance(spec.read(est, frame), WindowedSequences)
    _, rows = read_for_fit(est, frame.to_numpy())  # univariate rows of 3 steps
    assert rows == InputSpec(None, "2d", 1, 3)
    rows.set_on(est)
    assert not hasattr(est, "feature_names_in_")  # a stale one is deleted
    assert est.input_spec_.read(est, frame.to_numpy()).lengths.tolist() == [3] * 10
