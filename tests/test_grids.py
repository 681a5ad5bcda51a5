"""``sklstm.variant_grid``: one grid search compares every variant cleanly (sklstm.variant_grid)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.pipeline import make_pipeline

from sklstm import LSTMClassifier, variant_grid
from sklstm.core import VARIANTS
from sklstm.preprocessing import SequenceScaler


def _data():
    X = np.random.RandomState(0).normal(size=(24, 4, 2))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


def _settings(grid):
    """Every parameter combination the grid fits, as sorted tuples."""
    return sorted(tuple(sorted(p.items())) for p in ParameterGrid(grid))


def test_every_variant_fits_and_scores_in_one_grid_search():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("error", FitFailedWarning)
        search = GridSearchCV(LSTMClassifier(hidden_size=4, max_iter=1, random_state=0),
                              variant_grid(), cv=2, error_score="raise").fit(X, y)
    results = search.cv_results_
    assert sorted(results["param_variant"]) == sorted(VARIANTS)  # each once
    assert np.isfinite(results["mean_test_score"]).all()


def test_depth_gated_gets_two_layers_and_the_others_keep_theirs():
    assert _settings(variant_grid(["lstm", "depth_gated"])) == [
        (("num_layers", 2), ("variant", "depth_gated")), (("variant", "lstm"),)]
    grid = variant_grid(["gru", "depth_gated"], num_layers=[1, 3], hidden_size=[8])
    assert _settings(grid) == sorted(
        (("hidden_size", 8), ("num_layers", n), ("variant", v))
        for v, n in [("gru", 1), ("gru", 3), ("depth_gated", 3)])


def test_variant_options_go_only_to_the_variants_that_take_them():
    grid = variant_grid(["rnn", "clockwork"], n_modules=[2, 4], hidden_size=[8, 16])
    settings = _settings(grid)
    assert len(settings) == 2 + 4  # rnn: 2 hidden sizes; clockwork: 2 x 2
    with_modules = [dict(s)["variant"] for s in settings if "n_modules" in dict(s)]
    assert with_modules == ["clockwork"] * 4


def test_values_need_not_be_hashable_and_one_name_is_a_list_of_one():
    weights = [None, "balanced", {0: 1.0, 1: 2.0}]
    grid = variant_grid(["gru", "depth_gated"], class_weight=weights)
    assert [entry["class_weight"] for entry in grid] == [weights, weights]
    assert variant_grid("gru") == [{"variant": ["gru"]}]


def test_prefix_addresses_the_estimator_inside_a_pipeline():
    X, y = _data()
    model = make_pipeline(SequenceScaler(), LSTMClassifier(hidden_size=3, max_iter=1))
    grid = variant_grid(["gru", "depth_gated"], prefix="lstmclassifier__")
    assert all(name.startswith("lstmclassifier__") for entry in grid for name in entry)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(model, grid, cv=2, error_score="raise").fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_bad_arguments_say_what_to_pass():
    with pytest.raises(ValueError, match="names in sklstm.core.VARIANTS"):
        variant_grid(["lstm", "lsmt"])
    with pytest.raises(ValueError, match="names in sklstm.core.VARIANTS"):
        variant_grid([])
    with pytest.raises(ValueError, match="first argument of variant_grid"):
        variant_grid(variant=["lstm"])
    with pytest.raises(TypeError, match="hidden_size"):
        variant_grid(hidden_size=32)  # values must be a list
