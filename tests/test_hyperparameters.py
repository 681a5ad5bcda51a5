"""Issue 7 at the estimator level: depth-gated stacks, the Clockwork RNN's n_modules
and attention pooling are hyperparameters like any other, usable in a grid search.
(Their equations, gradients and ragged-equals-alone are checked in test_core_*.py,
test_network_gradients.py and test_ragged.py.)"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklstm import LSTMClassifier

rng = np.random.default_rng(0)
X = rng.normal(size=(48, 8, 2))
y = (X[:, :4, 0].sum(axis=1) > 0).astype(int)
FAST = {"hidden_size": 4, "max_iter": 3, "random_state": 0}


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_grid_search_over_the_new_variants_and_attention():
    grid = {"variant": ["clockwork", "depth_gated", "lstm"],
            "pooling": ["last", "attention"]}
    search = GridSearchCV(LSTMClassifier(num_layers=2, n_modules=2, **FAST), grid, cv=2)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_depth_gated_stacks_a_peephole_layer_under_depth_gated_ones():
    clf = LSTMClassifier("depth_gated", num_layers=3, bidirectional=True, **FAST).fit(X, y)
    assert [layers[0].variant for layers in clf.layers_] == \
        ["peephole", "depth_gated", "depth_gated"]
    assert all(layer.side_inputs == ("lower_cell",) for layer in clf.layers_[1])
    assert "depth" in clf.trace(X[:2], layer=-1, direction=1)


def test_depth_gated_with_one_layer_is_a_clear_error_that_changes_nothing():
    clf = LSTMClassifier(**FAST).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="num_layers >= 2"):
        clf.set_params(variant="depth_gated").fit(X, y)
    np.testing.assert_array_equal(clf.set_params(variant="lstm").predict_proba(X), before)


@pytest.mark.parametrize("n_modules", [1, 2, 4])
def test_n_modules_reaches_the_clockwork_layers(n_modules):
    clf = LSTMClassifier("clockwork", n_modules=n_modules, num_layers=2, **FAST).fit(X, y)
    assert all(layer.options == {"n_modules": n_modules}
               for layers in clf.layers_ for layer in layers)


def test_n_modules_is_ignored_by_variants_without_clocks():
    clf = LSTMClassifier("gru", n_modules=3, **FAST).fit(X, y)
    assert clf.layers_[0][0].options == {}


def test_more_modules_than_units_is_a_clear_error():
    with pytest.raises(ValueError, match="hidden_size >= n_modules"):
        LSTMClassifier("clockwork", n_modules=8, **FAST).fit(X, y)


def test_attention_weights_are_a_distribution_over_the_valid_steps():
    ragged = [X[i, :2 + i % 7] for i in range(10)]
    clf = LSTMClassifier(pooling="attention", **FAST).fit(ragged, y[:10])
    weights = clf.trace(ragged)["attention"]  # (10, 8)
    for row, sequence in zip(weights, ragged):
        valid = row[:len(sequence)]
        assert np.all(valid >= 0) and np.isclose(valid.sum(), 1.0, atol=1e-5)
        assert np.isnan(row[len(sequence):]).all()
