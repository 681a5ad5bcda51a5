"""LSTMRegressor (``sklstm._regressor``): one or several outputs, targets of any scale
standardised and kept when training continues."""

import numpy as np
import pytest

from sklstm import LSTMRegressor

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_regressor_one_and_two_outputs():
    X, y = make_sequences()
    target = X[:, :, 0].mean(axis=1)
    reg = LSTMRegressor(**FAST).fit(X, target)
    assert reg.predict(X).shape == (60,) and reg.predict(X).dtype == np.float64
    reg2 = LSTMRegressor(**FAST).fit(X, np.column_stack([target, -target]))
    assert reg2.predict(X).shape == (60, 2) and reg2.n_outputs_ == 2


@pytest.mark.parametrize("early_stopping", [False, True])
def test_regressor_targets_of_any_scale_train_alike(early_stopping):
    """The network learns standardised targets, so an affine change of y (per
    output) changes the predictions by the same map and nothing else."""
    X, _ = make_sequences(n=50)
    y = np.column_stack([X[:, :, 0].sum(1), X[:, -1, 1]])  # (n, 2)
    scale, shift = np.array([2.5e4, 1e-3]), np.array([-3e6, 7.0])
    sw = np.random.RandomState(1).uniform(0.5, 2.0, size=50)
    params = dict(FAST, dtype="float64", alpha=1e-3, early_stopping=early_stopping)
    unit = LSTMRegressor(**params).fit(X, y, sample_weight=sw)
    wide = LSTMRegressor(**params).fit(X, y * scale + shift, sample_weight=sw)
    np.testing.assert_allclose(wide.predict(X), unit.predict(X) * scale + shift,
                               rtol=1e-7, atol=1e-9 * np.abs(shift).max())
    np.testing.assert_allclose(wide.loss_curve_, unit.loss_curve_, rtol=1e-7)


def test_regressor_keeps_its_target_scale_when_training_continues():
    X, _ = make_sequences(n=40)
    y = 100.0 + 10.0 * X[:, :, 0].sum(1)
    reg = LSTMRegressor(**FAST, dtype="float64").partial_fit(X, y)
    before = reg.predict(X)
    reg.set_params(learning_rate_init=1e-12).partial_fit(X, y + 1e4)
    np.testing.assert_allclose(reg.predict(X), before, rtol=1e-9)


def test_string_targets_say_a_regressor_wants_numbers_and_name_the_classifier():
    X = np.zeros((4, 3, 1))
    with pytest.raises(ValueError, match=r"predicts numbers, .*'x'.*use LSTMClassifier"):
        LSTMRegressor(max_iter=1).fit(X, ["1.5", "2", "x", "3"])
