"""The optimizers (``sklstm._optimizers``): Adam and SGD steps, ``make_optimizer``."""

import numpy as np
import pytest

from sklstm import LSTMClassifier
from sklstm._optimizers import AdamOptimizer, SGDOptimizer, clip_grad_norm, make_optimizer

from tests.helpers import make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_solver_learns(nesterov):
    X, y = make_sequences(n=120)
    clf = LSTMClassifier(hidden_size=8, solver="sgd", learning_rate_init=0.1,
                         nesterovs_momentum=nesterov, max_iter=30, random_state=0)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.8
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_adam_steps_follow_the_formula():
    """Three steps against Kingma & Ba's update, bias correction written out."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 2))
    grads = [rng.standard_normal((3, 2)) for _ in range(3)]
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-6
    opt = AdamOptimizer([w], lr, beta_1=b1, beta_2=b2, epsilon=eps)
    expected, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        opt.update_params([w], [g])
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)  # the correction folded into the rate
        expected -= step * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-15)
    assert opt.t == 3


def test_adam_keeps_float32_arrays_float32():
    w = np.ones(4, dtype=np.float32)
    AdamOptimizer([w], 0.1).update_params([w], [np.full(4, 0.5, dtype=np.float32)])
    assert w.dtype == np.float32 and np.allclose(w, 0.9)


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_sgd_steps_by_hand(nesterov):
    """w = 1, gradients 2 then 4, rate 0.1, momentum 0.5, worked out by hand:
    v1 = -0.2; v2 = 0.5 * -0.2 - 0.4 = -0.5. Plain momentum adds v; Nesterov adds
    mu * v - lr * g: -0.1 - 0.2 = -0.3, then -0.25 - 0.4 = -0.65."""
    w = np.array([1.0])
    opt = SGDOptimizer([w], 0.1, momentum=0.5, nesterovs_momentum=nesterov)
    opt.update_params([w], [np.array([2.0])])
    np.testing.assert_allclose(w, [0.7] if nesterov else [0.8])
    opt.update_params([w], [np.array([4.0])])
    np.testing.assert_allclose(w, [0.05] if nesterov else [0.3])
    np.testing.assert_allclose(opt.velocities[0], [-0.5])


def test_sgd_without_momentum_is_plain_gradient_descent():
    w = np.array([1.0, -2.0])
    SGDOptimizer([w], 0.5, momentum=0.0).update_params([w], [np.array([1.0, 1.0])])
    np.testing.assert_array_equal(w, [0.5, -2.5])


SETTINGS = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "momentum": 0.9,
            "nesterovs_momentum": True}


def test_make_optimizer_keeps_the_state_of_one_of_its_kind():
    w = np.ones(3)
    first = make_optimizer("adam", [w], 0.01, SETTINGS)
    first.update_params([w], [np.ones(3)])
    moments = first.ms[0].copy()
    again = make_optimizer("adam", [w], 0.002, {**SETTINGS, "beta_1": 0.5}, previous=first)
    assert again is first and again.t == 1
    np.testing.assert_array_equal(again.ms[0], moments)
    assert again.learning_rate == 0.002 and again.beta_1 == 0.5  # new settings taken


def test_make_optimizer_starts_afresh_for_another_solver():
    w = np.ones(3)
    adam = make_optimizer("adam", [w], 0.01, SETTINGS)
    sgd = make_optimizer("sgd", [w], 0.1, SETTINGS, previous=adam)
    assert isinstance(sgd, SGDOptimizer) and sgd.learning_rate == 0.1
    assert sgd.momentum == 0.9 and sgd.nesterovs_momentum is True
    np.testing.assert_array_equal(sgd.velocities[0], 0.0)


def test_clip_grad_norm_scales_to_the_limit_and_leaves_non_finite_alone():
    grads = [np.array([3.0]), np.array([4.0])]
    assert clip_grad_norm(grads, 1.0) == 5.0
    np.testing.assert_allclose(np.concatenate(grads), [0.6, 0.8])
    small = [np.array([0.3])]
    assert clip_grad_norm(small, 1.0) == pytest.approx(0.3) and small[0][0] == 0.3
    bad = [np.array([np.inf, 1.0])]
    assert not np.isfinite(clip_grad_norm(bad, 1.0))
    np.testing.assert_array_equal(bad[0], [np.inf, 1.0])
