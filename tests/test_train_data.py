"""The training data (``sklstm._train_data``): the early-stopping split (time order,
stratification, its size) and the held-out validation."""

import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

import sklstm._train_data as train_data_module
from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._data import PaddedSequences, WindowedSequences
from sklstm._train_data import (
    TrainData,
    split_for_validation,
    stratifiable,
    wants_validation,
)

from tests.helpers import make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


@pytest.mark.parametrize("y, stratified", [
    (np.repeat([0, 1, 2], [30, 6, 4]), True),
    (np.repeat([0, 1, 2], [30, 9, 1]), False),  # a class of one sample
    (np.arange(40) % 8, False),  # 8 classes, a validation set of 4
])
def test_early_stopping_split_is_stratified_when_it_can_be(monkeypatch, y, stratified):
    """As in MLPClassifier, but where train_test_split could not stratify, the split
    is a plain random one instead of an error."""
    X, _ = make_sequences(n=40)
    held_out = []

    def recording(*arrays, stratify=None, **kwargs):
        split = train_test_split(*arrays, stratify=stratify, **kwargs)
        held_out.append((stratify is not None, split[1]))
        return split

    monkeypatch.setattr(train_data_module, "train_test_split", recording)
    LSTMClassifier(hidden_size=4, max_iter=2, early_stopping=True,
                   random_state=0).fit(X, y)
    (was_stratified, val_idx), = held_out
    assert was_stratified == stratified and len(val_idx) == 4


def test_window_mode_validates_on_the_last_rows():
    rng = np.random.RandomState(0)
    series = rng.normal(size=(200, 2))
    target = np.convolve(series[:, 0], np.ones(3), mode="full")[:200]
    reg = LSTMRegressor(hidden_size=8, max_iter=8, window=5, early_stopping=True,
                        validation_fraction=0.2, linear=None,
                        random_state=0).fit(series, target)
    # the best validation score is the R^2 of the kept weights on the last 40 rows
    pred = reg.predict(series)
    assert r2_score(target[-40:], pred[-40:]) == pytest.approx(
        reg.best_validation_score_, rel=1e-5)


@pytest.mark.parametrize("n, expected", [(100, False), (1000, True)])
def test_early_stopping_auto_holds_out_validation_on_large_sets(n, expected):
    X, y = make_sequences(n=n, T=3)
    clf = LSTMClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert clf.do_early_stopping_ is expected
    assert (clf.validation_scores_ is not None) is expected
    assert LSTMClassifier(hidden_size=4, max_iter=2, early_stopping=True,
                          random_state=0).fit(X, y).do_early_stopping_


def train_data(n, *, windowed=False):
    """TrainData over n samples whose X, Y and weights all carry the sample's index."""
    index = np.arange(n, dtype=np.float32)
    if windowed:
        dataset = WindowedSequences(index[:, None], 3)
    else:
        dataset = PaddedSequences(np.repeat(index[:, None, None], 2, axis=1))
    return TrainData(dataset, index[:, None].astype(float), sample_weight=index + 1.0,
                     offsets=-index[:, None].astype(float))


def indices_of(data):
    """The sample indices a TrainData holds, read back from its last steps."""
    X, lengths = data.dataset.batch(np.arange(data.dataset.n_samples))
    return X[np.arange(len(X)), lengths - 1, 0].astype(int)


def test_split_of_a_series_holds_out_its_last_windows_in_time_order():
    data = train_data(20, windowed=True)
    train, val, y_val = split_for_validation(data, np.arange(20), 0.2, windowed=True,
                                             stratify=None, rng=np.random.RandomState(0))
    np.testing.assert_array_equal(indices_of(train), np.arange(16))
    np.testing.assert_array_equal(indices_of(val), [16, 17, 18, 19])
    np.testing.assert_array_equal(y_val, [16, 17, 18, 19])
    np.testing.assert_array_equal(val.Y[:, 0], [16, 17, 18, 19])
    np.testing.assert_array_equal(val.sample_weight, [17, 18, 19, 20])
    np.testing.assert_array_equal(val.offsets[:, 0], [-16, -17, -18, -19])


def test_split_of_sequences_is_random_stratified_and_keeps_rows_together():
    y = np.repeat([0, 1], [30, 10])
    data = train_data(40)
    train, val, y_val = split_for_validation(data, y, 0.25, windowed=False, stratify=y,
                                             rng=np.random.RandomState(0))
    held_out = indices_of(val)
    assert sorted(np.r_[indices_of(train), held_out]) == list(range(40))
    assert set(held_out) != set(range(30, 40))  # drawn at random, not the last rows
    np.testing.assert_array_equal(y_val, y[held_out])
    assert np.bincount(y_val).tolist() == [8, 2]  # the classes' 3:1 kept
    np.testing.assert_array_equal(val.Y[:, 0], held_out)
    np.testing.assert_array_equal(val.sample_weight, held_out + 1)


def test_a_validation_set_of_one_is_an_error():
    with pytest.raises(ValueError, match="validation set is too small"):
        split_for_validation(train_data(10, windowed=True), np.arange(10), 0.1,
                             windowed=True, stratify=None, rng=np.random.RandomState(0))


def test_stratifiable_only_when_every_class_fits_both_sides():
    y = np.repeat([0, 1, 2], [30, 6, 4])
    assert stratifiable(y, 0.1) is y
    assert stratifiable(np.repeat([0, 1], [39, 1]), 0.1) is None  # a class of one
    assert stratifiable(np.arange(40) % 8, 0.1) is None  # 8 classes, 4 held out
    assert stratifiable(np.zeros((40, 2)), 0.1) is None  # multilabel


@pytest.mark.parametrize("early_stopping, n, linear, incremental, expected", [
    (True, 10, False, False, True), (False, 10**5, False, False, False),
    ("auto", 999, False, False, False), ("auto", 1000, False, False, True),
    ("auto", 50, True, False, True), ("auto", 49, True, False, False),
    (True, 10**5, False, True, False),  # partial_fit never holds out
])
def test_wants_validation(early_stopping, n, linear, incremental, expected):
    assert wants_validation(early_stopping, n, linear=linear,
                            incremental=incremental) is expected
