"""FullWindowSplit and its scorer: scores equal to a hand-built full-history
evaluation (fit on the training rows, predict on the series up to the fold's end, keep
the test rows), no test target in training, context rows never scored, and a grid
search over ``window`` that picks what full-history evaluation picks."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import make_scorer, mean_absolute_error, roc_auc_score
from sklearn.model_selection import (GridSearchCV, KFold, TimeSeriesSplit,
                                     cross_validate)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklstm import LSTMRegressor
from sklstm.model_selection import FullWindowSplit


class WindowRidge(RegressorMixin, BaseEstimator):
    """A cheap deterministic stand-in for a window model: Ridge on the flattened
    window of rows i-k+1 .. i, the first k-1 windows zero-padded."""

    def __init__(self, window=1):
        self.window = window

    def _windows(self, X):
        X = np.asarray(X, dtype=float)
        padded = np.vstack([np.zeros((self.window - 1, X.shape[1])), X])
        return sliding_window_view(padded, self.window, axis=0).reshape(len(X), -1)

    def fit(self, X, y):
        self.ridge_ = Ridge(alpha=1e-3).fit(self._windows(X), y)
        return self

    def predict(self, X):
        return self.ridge_.predict(self._windows(X))


def seasonal_ar(n=400, lag=8, level=20.0, seed=0):
    """s[t] = 0.3 s[t-1] + 0.65 s[t-lag] + e[t], shifted to a level far from 0."""
    rng = np.random.default_rng(seed)
    s, e = np.zeros(n + lag), rng.standard_normal(n + lag)
    for t in range(lag, n + lag):
        s[t] = 0.3 * s[t - 1] + 0.65 * s[t - lag] + e[t]
    return s[lag:] + level


def full_history_rmse(model, X, y, cv):
    """Per fold: fit on the training rows, predict on rows 0 .. the fold's last, keep
    the test rows; RMSE (per output, averaged, as scikit-learn's scorer does)."""
    scores = []
    for train, test in cv.split(X):
        fitted = clone(model).fit(X.iloc[train] if hasattr(X, "iloc") else X[train],
                                  y.iloc[train] if hasattr(y, "iloc") else y[train])
        upto = X.iloc[: test[-1] + 1] if hasattr(X, "iloc") else X[: test[-1] + 1]
        predicted = np.asarray(fitted.predict(upto))[test]
        error = predicted - np.asarray(y)[test]
        scores.append(np.mean(np.sqrt(np.mean(error**2, axis=0))))
    return np.array(scores)


@pytest.mark.parametrize("gap", [0, 3])
def test_split_keeps_training_folds_and_prefixes_test_folds(gap):
    X = np.zeros((40, 2))
    inner = TimeSeriesSplit(n_splits=3, test_size=6, gap=gap)
    split = FullWindowSplit(inner, context=5)
    assert split.get_n_splits(X) == 3
    for (train, test), (inner_train, inner_test) in zip(split.split(X),
                                                        inner.split(X)):
        np.testing.assert_array_equal(train, inner_train)
        start = inner_test[0]
        np.testing.assert_array_equal(test, np.r_[start - 5:start, inner_test])
        assert train.max() < start - gap  # no test-fold row (or target) in training


def test_int_cv_is_time_series_split_and_repr():
    split = FullWindowSplit(4, context=2)
    X = np.zeros((30, 1))
    expected = [(train, np.r_[test[0] - 2:test[0], test])
                for train, test in TimeSeriesSplit(4).split(X)]
    for (train, test), (want_train, want_test) in zip(split.split(X), expected):
        np.testing.assert_array_equal(train, want_train)
        np.testing.assert_array_equal(test, want_test)
    assert repr(split) == "FullWindowSplit(cv=4, context=2)"
    assert "TimeSeriesSplit(gap=1" in repr(FullWindowSplit(TimeSeriesSplit(gap=1),
                                                          context=0))


@pytest.mark.parametrize("context", [-1, 2.5, True, "12", None])
def test_bad_context_raises(context):
    with pytest.raises(ValueError, match="context must be an int >= 0"):
        FullWindowSplit(context=context)


@pytest.mark.parametrize("cv", [1, "5", object()])
def test_bad_cv_raises(cv):
    with pytest.raises(ValueError, match="cv"):
        FullWindowSplit(cv, context=1)


def test_context_longer_than_the_first_training_fold_raises():
    split = FullWindowSplit(TimeSeriesSplit(n_splits=3, test_size=10), context=11)
    with pytest.raises(ValueError, match=r"context=11 rows .* fold 0's test rows "
                                         r"start at row 10 of 40\. Use context <= 10"):
        list(split.split(np.zeros((40, 1))))


def test_test_folds_that_are_not_runs_of_rows_raise():
    split = FullWindowSplit(KFold(3, shuffle=True, random_state=0), context=1)
    with pytest.raises(ValueError, match="consecutive rows in time order"):
        list(split.split(np.zeros((30, 1))))


def test_unknown_or_bad_scoring_raises_at_once():
    split = FullWindowSplit(context=3)
    with pytest.raises(ValueError, match="not a valid scoring value|valid options"):
        split.scorer("neg_rmse_typo")
    with pytest.raises(ValueError, match="scoring must be"):
        split.scorer(3)


def test_scorer_with_no_rows_left_to_score_raises():
    scorer = FullWindowSplit(context=5).scorer("r2")
    model = DummyRegressor().fit(np.zeros((10, 1)), np.arange(10.0))
    with pytest.raises(ValueError, match="nothing is left to score"):
        scorer(model, np.zeros((5, 1)), np.arange(5.0))


@pytest.mark.parametrize("gap", [0, 2])
def test_lstm_pipeline_scores_equal_full_history_evaluation(gap):
    """LSTMRegressor(window=6) in a pipeline with StandardScaler, on a DataFrame with
    a DatetimeIndex and a two-output target: per fold, the scorer's RMSE is the RMSE
    of the hand-built full-history evaluation."""
    rng = np.random.default_rng(1)
    s = np.sin(np.arange(161) / 4.0) + 0.1 * rng.standard_normal(161)
    index = pd.date_range("2000-01", periods=160, freq="MS")
    X = pd.DataFrame({"s": s[:-1], "ds": np.r_[0, np.diff(s[:-1])]}, index=index)
    y = pd.DataFrame({"next": s[1:], "twice": 2 * s[1:]}, index=index)
    model = make_pipeline(StandardScaler(),
                          LSTMRegressor(hidden_size=6, max_iter=30, window=6,
                                        random_state=0))
    inner = TimeSeriesSplit(n_splits=3, test_size=20, gap=gap)
    split = FullWindowSplit(inner, context=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(model, X, y, cv=split, error_score="raise",
                                scoring=split.scorer("neg_root_mean_squared_error"))
        expected = full_history_rmse(model, X, y, inner)
        plain = cross_validate(model, X, y, cv=inner, error_score="raise",
                               scoring="neg_root_mean_squared_error")
    np.testing.assert_allclose(-scores["test_score"], expected, rtol=1e-5)
    # the check has teeth: the test fold's rows alone give other scores
    assert not np.allclose(-plain["test_score"], expected, rtol=1e-3)


def test_context_rows_are_never_scored_and_no_test_target_is_trained_on():
    """y is the row number: the scorer sees exactly the inner test fold's targets,
    and every training target precedes the fold (with and without gap)."""
    X = np.zeros((60, 1))
    y = np.arange(60.0)
    seen, trained = [], []

    def spy(y_true, y_pred):
        seen.append(np.asarray(y_true).copy())
        return 0.0

    class Recorder(DummyRegressor):
        def fit(self, X, y, sample_weight=None):
            trained.append(np.asarray(y).copy())
            return super().fit(X, y, sample_weight)

    for gap in (0, 4):
        seen.clear()
        trained.clear()
        inner = TimeSeriesSplit(n_splits=3, test_size=8, gap=gap)
        split = FullWindowSplit(inner, context=6)
        cross_validate(Recorder(), X, y, cv=split, error_score="raise",
                       scoring=split.scorer(make_scorer(spy)))
        for (_, test), scored, targets in zip(inner.split(X), seen, trained):
            np.testing.assert_array_equal(scored, y[test])
            assert targets.max() < test[0] - gap


def test_grid_search_over_window_picks_the_full_history_choice():
    """On a seasonal AR series (lag 8, far from 0) plain TimeSeriesSplit scoring
    favours the shortest window, whose first test windows lose least to zero padding;
    FullWindowSplit picks the window that full-history evaluation picks."""
    s = seasonal_ar()
    X, y = s[:-1, None], s[1:]
    windows = [2, 4, 8, 16]
    inner = TimeSeriesSplit(n_splits=4, test_size=24)
    split = FullWindowSplit(inner, context=max(windows) - 1)
    grid = {"window": windows}
    plain = GridSearchCV(WindowRidge(), grid, cv=inner,
                         scoring="neg_root_mean_squared_error").fit(X, y)
    full = GridSearchCV(WindowRidge(), grid, cv=split,
                        scoring=split.scorer("neg_root_mean_squared_error")).fit(X, y)
    by_hand = [full_history_rmse(WindowRidge(w), X, y, inner).mean() for w in windows]
    np.testing.assert_allclose(-full.cv_results_["mean_test_score"], by_hand)
    assert full.best_params_["window"] == windows[int(np.argmin(by_hand))] >= 8
    assert plain.best_params_["window"] < full.best_params_["window"]


def test_scorer_warns_when_a_window_is_longer_than_the_context():
    X, y = np.zeros((50, 1)), np.zeros(50)
    split = FullWindowSplit(TimeSeriesSplit(n_splits=2, test_size=10), context=3)
    model = make_pipeline(StandardScaler(), WindowRidge(window=6))
    model.fit(X, y)
    with pytest.warns(UserWarning, match=r"window=6 .* context=3 .* Set context >= 5"):
        split.scorer("r2")(model, X[-15:], y[-15:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FullWindowSplit(context=5).scorer("r2")(model, X[-15:], y[-15:])


def test_search_score_on_a_holdout_skips_its_context_rows():
    s = seasonal_ar(n=200)
    X, y = s[:-1, None], s[1:]
    split = FullWindowSplit(TimeSeriesSplit(n_splits=3, test_size=20), context=7)
    search = GridSearchCV(WindowRidge(), {"window": [4, 8]}, cv=split,
                          scoring=split.scorer("neg_mean_absolute_error"))
    search.fit(X[:150], y[:150])
    holdout = slice(150 - 7, None)  # the holdout with its 7 context rows in front
    predicted = search.best_estimator_.predict(X)[150:]
    assert search.score(X[holdout], y[holdout]) == pytest.approx(
        -mean_absolute_error(y[150:], predicted))


def test_several_metrics_and_probability_scores():
    """A list gives a dict of scores, computed from one prediction; a classifier's
    predict_proba reaches roc_auc, on the rows after the context."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 2))
    labels = (X[:, 0] + 0.5 * rng.standard_normal(80) > 0).astype(int)
    split = FullWindowSplit(TimeSeriesSplit(n_splits=2, test_size=20), context=4)
    scores = cross_validate(LogisticRegression(), X, labels, cv=split,
                            error_score="raise",
                            scoring=split.scorer(["roc_auc", "accuracy"]))
    for fold, (train, test) in enumerate(TimeSeriesSplit(2, test_size=20).split(X)):
        model = LogisticRegression().fit(X[train], labels[train])
        assert scores["test_roc_auc"][fold] == pytest.approx(
            roc_auc_score(labels[test], model.predict_proba(X[test])[:, 1]))
        assert scores["test_accuracy"][fold] == pytest.approx(
            np.mean(model.predict(X[test]) == labels[test]))
    default = cross_validate(LogisticRegression(), X, labels, cv=split,
                             scoring=split.scorer(), error_score="raise")
    np.testing.assert_allclose(default["test_score"], scores["test_accuracy"])
