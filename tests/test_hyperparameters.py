"""The estimators' hyperparameters (``sklstm._hyperparameters``): their constraints and
bad values, which of them shape the network (and so are kept when training
continues), and the variants' options (depth-gated stacks, the Clockwork RNN's
n_modules, the grid's tied_weights and depth_priority, attention pooling) as
hyperparameters like any other, usable in a grid search. (The cells' equations and
gradients are in ``tests/core/``, the network's in ``test_network.py``.)"""


import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._sklearn_private import InvalidParameterError
from sklstm.core import stack_variants

from tests.helpers import ERRORS, FAST, TINY, X2, X3, X_TINY, Y_REG, Y_TINY, Y, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")
X, y = X_TINY, Y_TINY


def test_grid_search_over_the_new_variants_and_attention():
    grid = {"variant": ["clockwork", "depth_gated", "lstm"],
            "pooling": ["last", "attention"]}
    search = GridSearchCV(LSTMClassifier(num_layers=2, n_modules=2, **TINY), grid, cv=2)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_depth_gated_stacks_a_peephole_layer_under_depth_gated_ones():
    clf = LSTMClassifier("depth_gated", num_layers=3, bidirectional=True, **TINY).fit(X, y)
    assert [layers[0].variant for layers in clf.layers_] == \
        ["peephole", "depth_gated", "depth_gated"]
    assert all(layer.side_inputs == ("lower_cell",) for layer in clf.layers_[1])
    assert "depth" in clf.trace(X[:2], layer=-1, direction=1)


def test_depth_gated_with_one_layer_is_a_clear_error_that_changes_nothing():
    clf = LSTMClassifier(**TINY).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="num_layers >= 2"):
        clf.set_params(variant="depth_gated").fit(X, y)
    np.testing.assert_array_equal(clf.set_params(variant="lstm").predict_proba(X), before)


@pytest.mark.parametrize("n_modules", [1, 2, 4])
def test_n_modules_reaches_the_clockwork_layers(n_modules):
    clf = LSTMClassifier("clockwork", n_modules=n_modules, num_layers=2, **TINY).fit(X, y)
    assert all(layer.options == {"n_modules": n_modules}
               for layers in clf.layers_ for layer in layers)


def test_n_modules_is_ignored_by_variants_without_clocks():
    clf = LSTMClassifier("gru", n_modules=3, **TINY).fit(X, y)
    assert clf.layers_[0][0].options == {}


def test_more_modules_than_units_is_a_clear_error():
    with pytest.raises(ValueError, match="hidden_size >= n_modules"):
        LSTMClassifier("clockwork", n_modules=8, **TINY).fit(X, y)


# ------------------------------------------------------------- validation
@pytest.mark.parametrize("param, value, allowed", [
    ("variant", "nope", "lstm"),
    ("pooling", "sum", "mean"),
    ("scale_sequences", "yes", "auto"),
    ("shift_chunks", "yes", "bool"),
    ("solver", "lbfgs", "adam"),
    ("dtype", "float16", "float32"),
    ("hidden_size", 0, "range"),
    ("dropout", 1.0, "range"),
    ("clip_norm", -1.0, "None"),
])
def test_invalid_hyperparameters(param, value, allowed):
    X, y = make_sequences()
    clf = LSTMClassifier(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter") as info:
        clf.fit(X, y)
    assert allowed in str(info.value)


def test_invalid_class_weight():
    X, y = make_sequences()
    with pytest.raises(InvalidParameterError, match="class_weight"):
        LSTMClassifier(class_weight="auto").fit(X, y)


@pytest.mark.parametrize("fitted, changed", [("last", "mean"), ("last", "attention"),
                                             ("attention", "last")])
def test_prediction_uses_the_pooling_the_network_was_trained_with(fitted, changed):
    """set_params shapes the next fit, not the fitted network (attention pooling has
    weights of its own: switching to it must not reach for them)."""
    X, y = make_sequences(n=30, T=7)
    clf = LSTMClassifier(**FAST, pooling=fitted).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(pooling=changed)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.trace(X[:2]).keys() == LSTMClassifier(**FAST, pooling=fitted).fit(
        X, y).trace(X[:2]).keys()
    assert not np.array_equal(clf.fit(X, y).predict_proba(X), before)  # a new network


def test_continuing_keeps_settings_that_do_not_shape_the_network():
    X, y = make_sequences(n=30, T=7)
    clf = LSTMClassifier(**FAST, warm_start=True).fit(X, y)
    clf.set_params(learning_rate_init=0.05, dropout=0.2, forget_bias=3.0, n_modules=2,
                   alpha=0.0).fit(X, y)
    clf.partial_fit(X, y)
    assert clf.layers_[0][0].hidden_size == FAST["hidden_size"]


def test_one_layer_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'grid'.*num_layers >= 2; got 1"):
        stack_variants("grid", 1)
    clf = LSTMClassifier(**TINY).fit(X, y)
    before = clf.predict_proba(X)
    with pytest.raises(ValueError, match="num_layers >= 2"):
        clf.set_params(variant="grid").fit(X, y)
    np.testing.assert_array_equal(clf.set_params(variant="lstm").predict_proba(X), before)


def test_options_are_hyperparameters_of_both_estimators():
    for estimator in (LSTMClassifier, LSTMRegressor):
        params = estimator().get_params()
        assert params["tied_weights"] is False and params["depth_priority"] is True
        assert "tied_weights : bool" in estimator.__doc__
        assert "depth_priority : bool" in estimator.__doc__
    clf = LSTMClassifier("grid", num_layers=2, depth_priority=False, **TINY).fit(X, y)
    assert clf._architecture["depth_priority"] is False
    assert all(layer.options == {"tied_weights": False, "depth_priority": False}
               for layers in clf.layers_ for layer in layers)
    with pytest.raises(ValueError, match="depth_priority=True.*built with.*False"):
        clf.set_params(depth_priority=True, warm_start=True).fit(X, y)
    assert LSTMClassifier("lstm", tied_weights=True, **TINY).fit(X, y)._architecture \
        .keys().isdisjoint({"tied_weights", "depth_priority"})  # other variants ignore them


# ----------------------------------------------------- every hyperparameter
BAD_HYPERPARAMETERS = [
    ("variant", "lstmm"), ("variant", None),
    ("hidden_size", 0), ("hidden_size", -4), ("hidden_size", 2.5), ("hidden_size", "8"),
    ("num_layers", 0), ("num_layers", 1.5),
    ("n_modules", 0), ("n_modules", 1.5), ("n_modules", "4"),
    ("spectral_radius", -0.5), ("spectral_radius", np.inf), ("spectral_radius", "1"),
    ("leak_rate", 0.0), ("leak_rate", 1.5), ("leak_rate", np.nan),
    ("input_scaling", 0.0), ("input_scaling", -1.0), ("input_scaling", np.inf),
    ("density", 0.0), ("density", 1.5), ("density", "sparse"),
    ("tied_weights", "yes"), ("tied_weights", 1), ("depth_priority", None),
    ("bidirectional", "yes"),
    ("pooling", "sum"),
    ("dropout", -0.1), ("dropout", 1.0), ("dropout", np.nan),
    ("forget_bias", np.nan), ("forget_bias", np.inf), ("forget_bias", "1"),
    ("solver", "lbfgs"),
    ("learning_rate_init", 0.0), ("learning_rate_init", -0.1),
    ("learning_rate_init", np.inf), ("learning_rate_init", np.nan),
    ("batch_size", 0), ("batch_size", "big"), ("batch_size", 3.5),
    ("max_iter", 0), ("max_iter", 2.5),
    ("alpha", -1e-4), ("alpha", np.nan), ("alpha", np.inf),
    ("clip_norm", 0.0), ("clip_norm", -1.0),
    ("early_stopping", "yes"),
    ("validation_fraction", 0.0), ("validation_fraction", 1.0),
    ("n_iter_no_change", 0), ("n_iter_no_change", -np.inf),
    ("tol", -1.0), ("tol", np.nan),
    ("shuffle", "no"),
    ("random_state", "seed"),
    ("verbose", "loud"),
    ("warm_start", "no"),
    ("dtype", "float16"), ("dtype", "int32"),
    ("window", 0), ("window", -2), ("window", 1.5),
    ("chunk_size", 0), ("chunk_size", 1.5), ("chunk_size", "big"),
    ("chunk_overlap", -0.5), ("chunk_overlap", "half"),
    ("shift_chunks", "yes"), ("shift_chunks", None),
    ("scale_sequences", "always"), ("scale_sequences", 1.5),
    ("input_noise", -0.1), ("input_noise", "some"), ("input_noise", np.nan),
    ("crop_fraction", 0.0), ("crop_fraction", 1.5), ("crop_fraction", "auto"),
    ("momentum", -0.1), ("momentum", 1.5),
    ("nesterovs_momentum", "yes"),
    ("beta_1", 1.0), ("beta_1", -0.1), ("beta_2", 1.0),
    ("epsilon", 0.0), ("epsilon", -1e-8),
]


def test_every_hyperparameter_has_bad_values():
    covered = {name for name, _ in BAD_HYPERPARAMETERS} | {"linear"}  # regressor only
    names = set(LSTMRegressor().get_params())
    assert names - covered == set()


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
@pytest.mark.parametrize("param, value", BAD_HYPERPARAMETERS,
                         ids=[f"{p}={v!r}" for p, v in BAD_HYPERPARAMETERS])
def test_out_of_range_hyperparameter(Estimator, param, value):
    est = Estimator(max_iter=1, hidden_size=4).set_params(**{param: value})
    # window mode needs 2-D input; everything else 3-D
    X = X2 if param == "window" else X3
    y = Y if Estimator is LSTMClassifier else Y_REG
    with pytest.raises(ERRORS, match=rf"\b{param}\b"):
        est.fit(X, y)


@pytest.mark.parametrize("value", ["first", True, 0])
def test_bad_linear(value):
    with pytest.raises(ERRORS, match=r"\blinear\b"):
        LSTMRegressor(max_iter=1, hidden_size=4, window=2, linear=value).fit(X2, Y_REG)


@pytest.mark.parametrize("value", ["auto", [1, 2], 3])
def test_bad_class_weight(value):
    with pytest.raises(ERRORS, match=r"class_weight"):
        LSTMClassifier(max_iter=1, hidden_size=4, class_weight=value).fit(X3, Y)
