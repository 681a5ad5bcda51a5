"""Each sequence read on its own scale (``sklstm._sequence_scaling``)."""

import joblib
import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._data import RaggedSequences, WindowedSequences
from sklstm._sequence_scaling import (
    ScaledSequences,
    fit_sequence_scaling,
    sequence_statistics,
)

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def _ragged(sequences):
    return RaggedSequences(np.concatenate(sequences), [len(s) for s in sequences])


def _spread_sequences(rng, n, size_range=6.0):
    """Sequences of 2 features whose sizes span ``size_range`` orders of magnitude."""
    sizes = 10 ** rng.uniform(-size_range / 2, size_range / 2, size=n)
    return [sizes[i] * rng.normal(size=(5 + i % 4, 2)) + 3.0 for i in range(n)]


def test_statistics_are_each_sequence_s_own():
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(T, 3)) * (1 + T) for T in (4, 9, 1, 6)]
    mean, std = sequence_statistics(_ragged(sequences))
    np.testing.assert_allclose(mean, [s.mean(axis=0) for s in sequences])
    np.testing.assert_allclose(std, [s.std(axis=0) for s in sequences])


def test_a_batch_holds_the_standardised_steps_beside_level_and_log_size():
    rng = np.random.RandomState(1)
    sequences = _spread_sequences(rng, 40)
    sequences[3][:, 1] = 7.0  # constant in one feature
    data = _ragged(sequences)
    scaling = fit_sequence_scaling(data, True)
    X, lengths = ScaledSequences(data, scaling).batch([3, 0, 5])
    assert X.shape == (3, max(len(sequences[i]) for i in (3, 0, 5)), 6)
    for row, i in enumerate([3, 0, 5]):
        s, T = sequences[i], lengths[row]
        std = s.std(axis=0)
        counts = std > scaling["floor"]
        expected_shape = np.divide(s - s.mean(axis=0), std, where=counts,
                                   out=np.zeros_like(s))
        np.testing.assert_allclose(X[row, :T, :2], expected_shape, rtol=1e-5, atol=1e-6)
        summary = np.r_[s.mean(axis=0), np.log(np.maximum(std, scaling["floor"]))]
        np.testing.assert_allclose(X[row, :T, 2:],
                                   np.tile((summary - scaling["center"]) / scaling["spread"],
                                           (T, 1)), rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(X[row, T:], 0)
    np.testing.assert_array_equal(X[0, :, 1], 0)  # the constant feature: no shape


def test_the_level_and_size_inputs_are_standardised_over_the_training_set():
    data = _ragged(_spread_sequences(np.random.RandomState(2), 50))
    scaled = ScaledSequences(data, fit_sequence_scaling(data, True))
    np.testing.assert_allclose(scaled.summary.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled.summary.std(axis=0), 1, rtol=1e-4)
    subset = scaled.subset(np.array([4, 1]))
    np.testing.assert_allclose(subset.batch([0, 1])[0], scaled.batch([4, 1])[0])


def test_auto_scales_only_sequences_whose_sizes_spread_widely():
    rng = np.random.RandomState(3)
    assert fit_sequence_scaling(_ragged(_spread_sequences(rng, 50)), "auto") is not None
    alike = _ragged([rng.normal(size=(6, 2)) * rng.uniform(0.5, 2) for _ in range(50)])
    assert fit_sequence_scaling(alike, "auto") is None
    assert fit_sequence_scaling(alike, True) is not None
    series = np.exp(np.linspace(0, 12, 300))[:, None] * rng.uniform(0.5, 1.5, (300, 1))
    assert fit_sequence_scaling(WindowedSequences(series, 10), "auto") is None
    assert fit_sequence_scaling(_ragged(_spread_sequences(rng, 50)), False) is None
    assert fit_sequence_scaling(_ragged(_spread_sequences(rng, 50)), np.False_) is None
    events = [np.c_[rng.normal(size=6), np.zeros(6) if i % 3 else rng.poisson(1, 6)]
              for i in range(50)]  # a second feature flat in two sequences of three
    assert fit_sequence_scaling(_ragged(events), "auto") is None


def _shapes_at_every_size(rng, n):
    """Rising or falling ramps plus noise, at sizes spread over six orders of
    magnitude: the label is the shape alone."""
    y = rng.randint(2, size=n)
    ramps = np.where(y[:, None] == 1, 1.0, -1.0) * np.linspace(-1, 1, 12)
    X = (ramps + 0.2 * rng.normal(size=(n, 12))) * 10 ** rng.uniform(-3, 3, size=(n, 1))
    return X[:, :, None], y


def test_a_sequence_read_larger_keeps_its_shape_and_reads_a_larger_size():
    """x -> c x: the shape inputs are the same, the log-size input grows by log c
    (over its spread), the level input by (c - 1) mean (over its spread)."""
    rng = np.random.RandomState(4)
    sequences = _spread_sequences(rng, 30)
    data = _ragged(sequences)
    scaling = fit_sequence_scaling(data, True)
    before = ScaledSequences(data, scaling).batch([7])[0][0]
    sequences[7] = 1000.0 * sequences[7]
    after = ScaledSequences(_ragged(sequences), scaling).batch([7])[0][0]
    np.testing.assert_allclose(after[:, :2], before[:, :2], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose((after - before)[:, 4:] * scaling["spread"][2:], np.log(1000),
                               rtol=1e-4)
    level_change = (after - before)[:, 2:4] * scaling["spread"][:2]
    np.testing.assert_allclose(level_change, np.tile(999 * sequences[7].mean(axis=0) / 1000,
                                                     (len(before), 1)), rtol=1e-3)


def test_shapes_at_every_size_are_learned():
    rng = np.random.RandomState(4)
    X, y = _shapes_at_every_size(rng, 200)
    X_test, y_test = _shapes_at_every_size(rng, 200)
    scaled = LSTMClassifier(hidden_size=8, max_iter=60, random_state=0).fit(X, y)
    assert scaled.sequence_scaling_ is not None  # "auto": the sizes spread
    assert scaled.score(X_test, y_test) > 0.95


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
def test_a_fitted_scaling_is_kept_and_saved(Estimator, tmp_path):
    rng = np.random.RandomState(5)
    X, y = _shapes_at_every_size(rng, 40)
    model = Estimator(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    scaling = model.sequence_scaling_
    assert scaling["floor"].shape == (1,) and scaling["center"].shape == (2,)
    model.partial_fit(X[:10] * 1e6, y[:10])  # continuing keeps the fitted scaling
    assert model.sequence_scaling_ is scaling
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_model_saved_before_the_scaling_existed_still_predicts_and_continues():
    X, y = _shapes_at_every_size(np.random.RandomState(6), 40)
    model = LSTMClassifier(hidden_size=4, max_iter=3, scale_sequences=False,
                           random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    del model.sequence_scaling_  # as unpickled from before the attribute
    np.testing.assert_array_equal(model.predict_proba(X), expected)
    model.partial_fit(X, y)
    assert model.predict_proba(X).shape == expected.shape
