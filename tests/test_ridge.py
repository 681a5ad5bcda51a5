"""Ridge regression from streamed statistics (``sklstm._ridge.RidgeStatistics``):
blocks add up to the whole, the solution is scikit-learn's Ridge, the loss is the
training loop's, GCV picks the penalty of the lowest score on standardised inputs."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm._ridge import RidgeStatistics


def problem(n=60, p=4, k=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 3.0  # off-centre: the intercept matters
    Y = X @ rng.standard_normal((p, k)) + 1.5 + 0.3 * rng.standard_normal((n, k))
    return X, Y, rng.random(n) + 0.5


def test_statistics_added_in_blocks_equal_those_of_the_whole():
    X, Y, w = problem()
    whole = RidgeStatistics(4, 2).add(X, Y, w)
    blocks = RidgeStatistics(4, 2)
    for rows in np.array_split(np.arange(len(X)), 7):
        blocks.add(X[rows], Y[rows], w[rows])
    for name in ("total", "x_sum", "y_sum", "gram", "cross", "y_square"):
        np.testing.assert_allclose(getattr(blocks, name), getattr(whole, name),
                                   rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 10.0])
def test_solve_is_scikit_learns_weighted_ridge(alpha):
    X, Y, w = problem()
    coef, intercept = RidgeStatistics(4, 2).add(X, Y, w).solve(alpha)
    reference = Ridge(alpha=alpha, solver="svd").fit(X, Y, sample_weight=w)
    np.testing.assert_allclose(coef, reference.coef_.T, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(intercept, reference.intercept_, rtol=1e-8, atol=1e-10)


def test_loss_is_half_the_weighted_mean_squared_error_plus_penalty():
    X, Y, w = problem()
    stats = RidgeStatistics(4, 2).add(X, Y, w)
    coef, intercept = stats.solve(0.5)
    residual = Y - X @ coef - intercept
    expected = 0.5 * (np.sum(w[:, None] * residual**2) + 0.5 * np.sum(coef**2)) / w.sum()
    assert stats.loss(coef, 0.5) == pytest.approx(expected, rel=1e-9)
    assert stats.loss(coef * 1.1, 0.5) > stats.loss(coef, 0.5)  # solve minimises it


def gcv_by_hand(X, Y, alpha):
    """n * RSS / (n - df)^2 of the ridge fitted with an intercept: df is the trace of
    the hat matrix, the centred X's plus one for the intercept."""
    n = len(X)
    Xc = X - X.mean(axis=0)
    model = Ridge(alpha=alpha, solver="svd").fit(X, Y)
    rss = np.sum((Y - model.predict(X)) ** 2)
    df = np.trace(Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T)) + 1
    return n * rss / (n - df) ** 2, model


def test_gcv_picks_the_alpha_with_the_lowest_score_worked_out_directly():
    """On the inputs standardised, as StandardScaler before Ridge: inputs of very
    different scales, and the coefficients come back for the inputs as given."""
    X, Y, _ = problem(n=30, p=6, k=2, seed=3)
    X = X * np.array([1e-2, 1.0, 1.0, 10.0, 1e3, 5.0])
    alphas = [1e-3, 1e-1, 1.0, 10.0, 100.0, 1e4]
    alpha, coef, intercept = RidgeStatistics(6, 2).add(X, Y, np.ones(30)).solve_gcv(alphas)
    scale = X.std(axis=0)
    scores = {a: gcv_by_hand(X / scale, Y, a) for a in alphas}
    best = min(alphas, key=lambda a: scores[a][0])
    assert alpha == best
    model = make_pipeline(StandardScaler(), Ridge(alpha=best, solver="svd")).fit(X, Y)
    np.testing.assert_allclose(X @ coef + intercept, model.predict(X), rtol=1e-8)
    np.testing.assert_allclose(coef, scores[best][1].coef_.T / scale[:, None], rtol=1e-8,
                               atol=1e-12)


def test_gcv_with_no_samples_to_spare_takes_the_strongest_penalty_without_warnings():
    """One sample leaves no degree of freedom to judge a penalty by (GCV's
    denominator is zero for every alpha): the largest penalty is taken, quietly."""
    X, Y, _ = problem(n=1)
    alphas = [1e-3, 1.0, 1e3]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alpha, coef, intercept = RidgeStatistics(4, 2).add(X, Y, np.ones(1)).solve_gcv(
            alphas)
    assert alpha == 1e3
    np.testing.assert_allclose(X @ coef + intercept, Y)  # the intercept fits the one


def test_gcv_leaves_a_constant_input_out_however_its_sums_round():
    """A constant input's centred sums are rounding noise (of either sign): it is
    not standardised into an input, and nothing turns NaN."""
    X, Y, _ = problem(n=40, p=3, k=1, seed=5)
    with_constant = np.column_stack([X, np.full(40, 0.1)])
    alpha, coef, intercept = RidgeStatistics(4, 1).add(
        with_constant, Y, np.ones(40)).solve_gcv([0.1, 1.0, 10.0])
    reference = RidgeStatistics(3, 1).add(X, Y, np.ones(40)).solve_gcv([0.1, 1.0, 10.0])
    assert alpha == reference[0]
    np.testing.assert_allclose(coef[:3], reference[1], rtol=1e-8)
    assert abs(coef[3, 0]) < 1e-6 and np.isfinite(intercept).all()
