"""sklstm.forecasting.make_horizons: targets s[t+h] aligned with the inputs of row t,
rows without all their targets dropped, pandas in and pandas out, and a multi-output
window model fitted on them forecasting every horizon at once."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklstm import LSTMRegressor
from sklstm.forecasting import make_horizons


def monthly(values, name="sales"):
    index = pd.date_range("2020-01", periods=len(values), freq="MS")
    return pd.Series(np.asarray(values, dtype=float), index=index, name=name)


def test_targets_are_the_shifted_series_and_the_last_rows_are_dropped():
    s = monthly(np.arange(20.0) ** 2)
    X, Y = make_horizons(s, horizons=3)
    assert list(X.columns) == ["sales"] and list(Y.columns) == ["t+1", "t+2", "t+3"]
    assert len(X) == len(Y) == 17 and X.index.equals(Y.index) and X.index.equals(
        s.index[:17])
    for h in (1, 2, 3):
        np.testing.assert_array_equal(Y[f"t+{h}"], s.shift(-h).iloc[:17])
    np.testing.assert_array_equal(X["sales"], s.iloc[:17])


def test_chosen_horizons_and_one_horizon_gives_a_one_dimensional_target():
    s = monthly(np.arange(30.0))
    X, Y = make_horizons(s, horizons=[1, 6, 12])
    assert list(Y.columns) == ["t+1", "t+6", "t+12"] and len(X) == 18
    np.testing.assert_array_equal(Y["t+12"], np.arange(12.0, 30.0))
    X1, y1 = make_horizons(s, horizons=1)
    assert isinstance(y1, pd.Series) and y1.name == "t+1" and len(X1) == 29


def test_arrays_in_arrays_out():
    X, Y = make_horizons(np.arange(10.0), horizons=2)
    assert isinstance(X, np.ndarray) and X.shape == (8, 1) and Y.shape == (8, 2)
    np.testing.assert_array_equal(Y[-1], [8.0, 9.0])
    X, y = make_horizons(np.arange(10.0).reshape(-1, 1), horizons=1)
    assert y.shape == (9,) and X.shape == (9, 1)


def test_features_and_leading_missing_values():
    """Features of each row with the series' index; the leading rows that diff()
    leaves incomplete are dropped too."""
    s = monthly(np.arange(24.0) ** 1.5)
    features = pd.DataFrame({"level": s, "change": s.diff(), "yoy": s.diff(12)})
    X, Y = make_horizons(s, horizons=4, features=features)
    assert list(X.columns) == ["level", "change", "yoy"]
    assert X.index[0] == s.index[12] and X.index[-1] == s.index[-5]
    assert not X.isna().any().any() and not Y.isna().any().any()
    np.testing.assert_array_equal(Y["t+4"], s.iloc[16:])


@pytest.mark.parametrize("horizons", [0, -2, 2.0, True, [], [1, 1], [0, 2], "12"])
def test_bad_horizons_raise(horizons):
    with pytest.raises(ValueError, match="horizons must be"):
        make_horizons(np.arange(30.0), horizons=horizons)


def test_bad_inputs_raise():
    s = monthly(np.arange(10.0))
    with pytest.raises(ValueError, match="too few for a horizon of 12"):
        make_horizons(s, horizons=12)
    with pytest.raises(ValueError, match="one column"):
        make_horizons(pd.DataFrame({"a": s, "b": s}), horizons=2)
    with pytest.raises(ValueError, match="features has 9 rows"):
        make_horizons(s, horizons=2, features=np.zeros((9, 2)))
    with pytest.raises(ValueError, match="share their index"):
        make_horizons(s, horizons=2, features=s.to_frame().reset_index(drop=True))
    with pytest.raises(ValueError, match="one-dimensional"):
        make_horizons(np.zeros((10, 2)), horizons=2)


def test_multi_output_window_model_forecasts_every_horizon():
    """A sine known from its last window: one LSTMRegressor(window=8) fitted on
    make_horizons' targets forecasts the next 4 values from the last row."""
    s = monthly(np.sin(np.arange(200) / 3.0), name="wave")
    X, Y = make_horizons(s.iloc[:-4], horizons=4)
    model = LSTMRegressor(hidden_size=12, max_iter=60, window=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    forecast = model.predict(s.iloc[:-4].to_frame())[-1]  # from the last known row
    assert forecast.shape == (4,)
    np.testing.assert_allclose(forecast, s.iloc[-4:], atol=0.15)
