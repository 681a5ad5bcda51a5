"""LSTMRegressor's linear part (``sklstm._linear_part``): ridge on the last step or the
flattened sequence, windows read relative to the last row, the network on the rest."""

import numpy as np
import pytest

from sklstm import LSTMRegressor

from tests.helpers import make_sequences, trending_series

pytestmark = pytest.mark.usefixtures("quiet_convergence")


# ------------------------------------------------- the regressor's linear part


def test_linear_last_follows_a_trend_beyond_the_training_range():
    X, y = trending_series()
    fitted = dict(window=8, max_iter=30, random_state=0)
    with_linear = LSTMRegressor(**fitted, linear="last").fit(X[:150], y[:150])
    without = LSTMRegressor(**fitted, linear=None).fit(X[:150], y[:150])
    future = with_linear.predict(X)[150:]
    assert future.max() > y[:150].max() + 1  # the level keeps rising
    rmse = np.sqrt(np.mean((future - y[150:]) ** 2))
    rmse_without = np.sqrt(np.mean((without.predict(X)[150:] - y[150:]) ** 2))
    assert rmse < 0.5 * rmse_without
    assert with_linear.linear_["reading"] == "last" and without.linear_ is None
    assert with_linear.linear_["coef"].shape == (1, 1)


def test_linear_last_is_ridge_on_the_last_row_plus_a_network_on_relative_windows():
    """predict = (network(x - x_last) + x_last @ coef + intercept) * std + mean."""
    from sklstm._data import WindowedSequences

    X, y = trending_series(n=60)
    reg = LSTMRegressor(window=5, hidden_size=4, max_iter=3, linear="last",
                        random_state=0).fit(X, y)
    windows = WindowedSequences(X.astype(np.float32), 5)
    Xb, lengths = windows.batch(np.arange(len(X)))
    last = Xb[np.arange(len(X)), lengths - 1]  # (n, 1)
    relative = np.where(np.arange(5)[None, :, None] < lengths[:, None, None],
                        Xb - last[:, None, :], 0)
    raw, _ = reg.network_.forward(relative, lengths)
    raw = raw + last @ reg.linear_["coef"] + reg.linear_["intercept"]
    np.testing.assert_allclose(reg.predict(X), raw[:, 0] * reg._y_scale + reg._y_mean,
                               rtol=1e-5)


def gcv_choice(X, y, alphas):
    """The ridge penalty of least GCV score, n RSS / (n - tr(H) - 1)^2, from an
    explicit hat matrix on centred data."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    scores = []
    for alpha in alphas:
        hat = Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T)
        rss = np.sum((yc - hat @ yc) ** 2)
        scores.append(len(y) * rss / (len(y) - np.trace(hat) - 1) ** 2)
    return alphas[int(np.argmin(scores))]


def test_auto_reads_all_steps_of_windows_too():
    X, y = trending_series()
    reg = LSTMRegressor(window=8, hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert reg.linear_["reading"] == "all" and reg.linear_["n_steps"] == 8
    future = reg.predict(X)  # the shortened first windows read missing lags as zeros
    assert np.isfinite(future).all()


def test_linear_all_is_ridge_on_the_flattened_sequence():
    from sklearn.linear_model import Ridge

    from sklstm._linear_part import ALPHAS

    X, _ = make_sequences(n=50, T=6)
    y = X[:, :, 0] @ np.linspace(1, 2, 6) + np.sin(X[:, :, 1].sum(axis=1))
    reg = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert reg.linear_["reading"] == "all" and reg.linear_["n_steps"] == 6
    standardised = (y - reg._y_mean) / reg._y_scale
    newest_first = X[:, ::-1].reshape(50, -1)  # lag 0, 1, ... as the linear part reads
    scale = newest_first.std(axis=0)  # each input standardised, as StandardScaler does
    assert reg.linear_["alpha"] == gcv_choice(newest_first / scale, standardised, ALPHAS)
    ridge = Ridge(alpha=reg.linear_["alpha"]).fit(newest_first / scale, standardised)
    np.testing.assert_allclose(reg.linear_["coef"][:, 0] * scale, ridge.coef_, rtol=1e-4,
                               atol=1e-6)
    np.testing.assert_allclose(reg.linear_["intercept"], ridge.intercept_, atol=1e-6)
    assert reg.predict(X[:, :4]).shape == (50,)  # the missing lags read as zeros
    ragged = [X[i, : 3 + i % 3] for i in range(50)]
    assert LSTMRegressor(hidden_size=4, max_iter=2).fit(ragged, y).linear_ is None


def test_linear_part_treats_integer_weights_as_repeated_samples():
    from sklstm._data import PaddedSequences
    from sklstm._linear_part import fit_linear

    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2, 2)), rng.normal(size=(30, 2))
    weights = rng.randint(0, 3, size=30)
    weighted = fit_linear(PaddedSequences(X), "all", Y, weights.astype(float))
    repeated = fit_linear(PaddedSequences(np.repeat(X, weights, axis=0)), "all",
                          np.repeat(Y, weights, axis=0), np.ones(weights.sum()))
    assert weighted["alpha"] == repeated["alpha"]
    for key in ("coef", "intercept"):
        np.testing.assert_allclose(weighted[key], repeated[key], rtol=1e-9, atol=1e-12)


def test_linear_part_reads_a_long_series_a_block_at_a_time(monkeypatch):
    """Blocks of a few samples give the fit and the output of one block."""
    from sklstm import _linear_part
    from sklstm._data import WindowedSequences

    rng = np.random.RandomState(0)
    series, Y = rng.normal(size=(200, 3)), rng.normal(size=(200, 2))
    windows = WindowedSequences(series, 6)
    whole = _linear_part.fit_linear(windows, "all", Y, np.ones(200))
    whole_output = _linear_part.linear_output(windows, whole)
    monkeypatch.setattr(_linear_part, "BLOCK_VALUES", 50)  # blocks of 2 windows
    blocks = _linear_part.fit_linear(windows, "all", Y, np.ones(200))
    np.testing.assert_allclose(blocks["coef"], whole["coef"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_linear_part.linear_output(windows, blocks), whole_output,
                               rtol=1e-9, atol=1e-12)


def test_a_linear_part_comes_with_validation_unless_told_otherwise():
    X, y = trending_series(n=80)
    assert LSTMRegressor(window=5, hidden_size=4, max_iter=2).fit(X, y).do_early_stopping_
    assert not LSTMRegressor(window=5, hidden_size=4, max_iter=2,
                             early_stopping=False).fit(X, y).do_early_stopping_
    assert not LSTMRegressor(window=5, hidden_size=4, max_iter=2,
                             linear=None).fit(X, y).do_early_stopping_


def test_continuing_keeps_the_linear_part_of_the_first_fit():
    X, y = trending_series(n=80)
    reg = LSTMRegressor(window=5, hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    coef = reg.linear_["coef"].copy()
    reg.partial_fit(X[:40], y[:40] + 100)
    np.testing.assert_array_equal(reg.linear_["coef"], coef)
    with pytest.raises(ValueError, match="linear"):
        reg.set_params(linear=None, warm_start=True).fit(X, y)


# ------------------------------------------------- full windows, the network's weight


def logistic_map(n=600):
    """x_{t+1} = 3.9 x_t (1 - x_t): chaos no linear model of the lags follows."""
    x = np.empty(n)
    x[0] = 0.3
    for t in range(n - 1):
        x[t + 1] = 3.9 * x[t] * (1 - x[t])
    return x[:-1, None], x[1:]


def ar2_series(n=400, seed=0):
    """An AR(2) process: the lag regression is the best forecast there is."""
    rng = np.random.RandomState(seed)
    x = np.zeros(n)
    for t in range(2, n):
        x[t] = 0.6 * x[t - 1] - 0.3 * x[t - 2] + rng.normal()
    return x[:-1, None], x[1:]


def ridge_forecast(reg, X):
    """The linear part's forecasts of the full windows, by hand from ``linear_``."""
    window = reg.linear_["n_steps"]
    newest_first = np.lib.stride_tricks.sliding_window_view(X[:, 0], window)[:, ::-1]
    raw = newest_first @ reg.linear_["coef"][:, 0] + reg.linear_["intercept"][0]
    return raw * reg._y_scale + reg._y_mean  # rows window-1 .. n-1


def test_the_linear_part_of_a_series_reads_its_full_windows_only():
    """The shortened first windows (zeros for the rows before the series) weigh
    nothing: the ridge is the one on the lag matrix of the full windows."""
    X, y = trending_series(n=120)
    windowed = LSTMRegressor(window=6, hidden_size=4, max_iter=1,
                             random_state=0).fit(X, y)
    lags = np.lib.stride_tricks.sliding_window_view(X[:, 0], 6)[:, :, None]
    on_lags = LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(
        lags, y[5:])
    assert windowed.linear_["alpha"] == on_lags.linear_["alpha"]
    np.testing.assert_allclose(windowed.linear_["coef"] * windowed._y_scale,
                               on_lags.linear_["coef"] * on_lags._y_scale, rtol=1e-4)


def test_a_network_that_cannot_help_leaves_the_ridge_forecast():
    X, y = ar2_series()
    reg = LSTMRegressor(window=4, random_state=0).fit(X, y)
    assert reg.do_early_stopping_
    np.testing.assert_array_equal(reg.network_weight_, [0.0])
    np.testing.assert_allclose(reg.predict(X)[3:], ridge_forecast(reg, X), atol=1e-5)


def test_a_network_that_helps_keeps_its_weight():
    X, y = logistic_map()
    reg = LSTMRegressor(window=3, random_state=0).fit(X[:500], y[:500])
    assert reg.network_weight_[0] > 0.5
    rmse = np.sqrt(np.mean((reg.predict(X)[500:] - y[500:]) ** 2))
    ridge_rmse = np.sqrt(np.mean((ridge_forecast(reg, X)[498:] - y[500:]) ** 2))
    assert rmse < 0.5 * ridge_rmse


def test_with_too_few_windows_to_hold_any_out_the_ridge_forecasts_alone():
    X, y = logistic_map(n=41)
    reg = LSTMRegressor(window=3, max_iter=20, random_state=0).fit(X, y)
    assert not reg.do_early_stopping_ and reg.network_weight_[0] == 0
    np.testing.assert_allclose(reg.predict(X)[2:], ridge_forecast(reg, X), atol=1e-6)
    told = LSTMRegressor(window=3, max_iter=20, early_stopping=False,
                         random_state=0).fit(X, y)
    assert told.network_weight_[0] == 1  # not weighed: the user chose no held-out set
    assert LSTMRegressor(window=3, max_iter=2, linear=None).fit(
        X, y).network_weight_ is None


def test_network_weight_is_the_least_squares_weight_less_its_margin():
    from sklstm._linear_part import network_weight

    rng = np.random.RandomState(0)
    c = rng.normal(size=(40, 1))
    exact = network_weight(np.c_[0.5 * c, 2 * c, -c], np.c_[c, c, c])
    np.testing.assert_allclose(exact, [0.5, 1.0, 0.0])  # clipped to [0, 1]
    noisy = 0.5 * c + rng.normal(size=(40, 1))
    b = float(c[:, 0] @ noisy[:, 0] / (c[:, 0] @ c[:, 0]))
    assert 0 <= network_weight(noisy, c)[0] < b
    assert network_weight(noisy[:2], c[:2])[0] == 0  # too few to estimate
    # scaling the weights changes nothing; a zero weight drops its sample
    np.testing.assert_allclose(network_weight(noisy, c, np.full(40, 3.0)),
                               network_weight(noisy, c), rtol=1e-12)
    weights = np.r_[np.ones(30), np.zeros(10)]
    np.testing.assert_allclose(network_weight(noisy, c, weights),
                               network_weight(noisy[:30], c[:30]), rtol=0.05)


def test_an_echo_state_network_trained_by_the_loop_is_weighed_on_its_states():
    X, y = make_sequences(n=60, T=5)
    reg = LSTMRegressor("esn", pooling="attention", hidden_size=6, max_iter=3,
                        random_state=0).fit(X, X[:, :, 0].sum(axis=1) ** 2)
    assert reg.do_early_stopping_ and 0 <= reg.network_weight_[0] <= 1
    assert np.isfinite(reg.predict(X)).all()
