"""Sequences read ``chunk_size`` steps at a time (``sklstm._chunking``)."""

import copy

import numpy as np
import pytest

from sklstm import LSTMClassifier, LSTMRegressor
from sklstm._chunking import ChunkedSequences, cropped, shifted
from sklstm._data import PaddedSequences, RaggedSequences

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


# ------------------------------------------------------------ reading in chunks
@pytest.mark.parametrize("T, chunk_size", [(12, 3), (10, 4)])
def test_reading_in_chunks_equals_a_reshaped_input(T, chunk_size):
    """chunk_size=k on (n, T, F) is the same model as chunk_size=1 on the input
    reshaped to (n, T/k, k*F), zero-padded at the end when k does not divide T."""
    X, y = make_sequences(n=40, T=T)
    n, _, F = X.shape
    steps = -(-T // chunk_size)
    padded = np.zeros((n, steps * chunk_size, F))
    padded[:, :T] = X
    reshaped = padded.reshape(n, steps, chunk_size * F)
    chunked = LSTMClassifier(**FAST, chunk_size=chunk_size, chunk_overlap=0,
                             shift_chunks=False).fit(X, y)
    plain = LSTMClassifier(**FAST, chunk_size=1).fit(reshaped, y)
    np.testing.assert_array_equal(chunked.predict_proba(X), plain.predict_proba(reshaped))
    assert chunked.chunk_size_ == chunk_size and chunked.n_features_in_ == F
    assert chunked.trace(X[:2])["hidden"].shape == (2, steps, 8)


def test_auto_chunks_long_sequences_only():
    short, y = make_sequences(n=20, T=32)
    long, _ = make_sequences(n=20, T=100)
    ragged = [long[i, : 40 + 3 * i] for i in range(20)]  # longest: 97 steps
    assert LSTMClassifier(**FAST).fit(short, y).chunk_size_ == 1
    assert LSTMClassifier(**FAST).fit(long, y).chunk_size_ == 4  # 25 steps
    assert LSTMClassifier(**FAST).fit(ragged, y).chunk_size_ == 4  # 25 steps at most


def test_continuing_keeps_the_fitted_chunks():
    X, y = make_sequences(n=20, T=100)
    clf = LSTMClassifier(**FAST).fit(X, y)
    clf.partial_fit(X[:, :40], y)  # shorter sequences: still read 4 steps at a time
    assert clf.chunk_size_ == 4
    with pytest.raises(ValueError, match="chunk_size"):
        clf.set_params(chunk_size=2, warm_start=True).fit(X, y)


# ------------------------------------------------------------ overlapping chunks
def overlapping_windows(X, chunk_size, overlap):
    """(n, n_chunks, (chunk_size + overlap) * F) built step by step: chunk j holds
    steps j*k .. j*k + k + overlap - 1, zeros past the end."""
    n, T, F = X.shape
    n_chunks = -(-T // chunk_size)
    out = np.zeros((n, n_chunks, (chunk_size + overlap) * F))
    for j in range(n_chunks):
        for s in range(chunk_size + overlap):
            t = j * chunk_size + s
            if t < T:
                out[:, j, s * F:(s + 1) * F] = X[:, t]
    return out


@pytest.mark.parametrize("T, chunk_size, chunk_overlap, overlap", [
    (12, 3, 1.0, 3), (10, 4, 0.5, 2), (7, 1, 2.0, 2), (9, 4, 0.3, 1)])
def test_overlapping_chunks_read_windows_wider_than_their_stride(
        T, chunk_size, chunk_overlap, overlap):
    """chunk_overlap=r reads, at each chunk, the chunk and the next round(r * k)
    steps: the same model as chunk_size=1 on those windows built by hand."""
    X, y = make_sequences(n=40, T=T)
    windows = overlapping_windows(X, chunk_size, overlap)
    chunked = LSTMClassifier(**FAST, chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                             shift_chunks=False).fit(X, y)
    plain = LSTMClassifier(**FAST, chunk_size=1).fit(windows, y)
    np.testing.assert_allclose(chunked.predict_proba(X), plain.predict_proba(windows),
                               rtol=1e-6)
    assert (chunked.chunk_size_, chunked.chunk_overlap_) == (chunk_size, overlap)
    assert chunked.n_features_in_ == X.shape[2]
    assert chunked.trace(X[:2])["hidden"].shape == (2, windows.shape[1], 8)


def test_auto_overlaps_by_a_whole_chunk_where_chunks_hold_several_steps():
    short, y = make_sequences(n=20, T=32)
    long, _ = make_sequences(n=20, T=100)
    fitted = LSTMClassifier(**FAST).fit(short, y)  # step by step: nothing to overlap
    assert (fitted.chunk_size_, fitted.chunk_overlap_) == (1, 0)
    fitted = LSTMClassifier(**FAST).fit(long, y)
    assert (fitted.chunk_size_, fitted.chunk_overlap_) == (4, 4)
    fitted = LSTMClassifier(**FAST, chunk_size=1, chunk_overlap=1.0).fit(short, y)
    assert (fitted.chunk_size_, fitted.chunk_overlap_) == (1, 1)  # asked for: read


def test_overlapping_chunks_of_ragged_sequences_read_zeros_past_each_end():
    X, _ = make_sequences(n=2, T=7)
    ragged = RaggedSequences(np.concatenate([X[0, :5], X[1]]), [5, 7])
    batch, lengths = ChunkedSequences(ragged, 2, 2).batch([0, 1])  # windows of 4 steps
    np.testing.assert_array_equal(lengths, [3, 4])
    first = overlapping_windows(np.concatenate([X[:1, :5], np.zeros_like(X[:1, :2])],
                                               axis=1), 2, 2)[0]
    np.testing.assert_allclose(batch[0], first, rtol=1e-6)
    np.testing.assert_allclose(batch[1], overlapping_windows(X, 2, 2)[1], rtol=1e-6)


def test_the_overlap_is_part_of_the_architecture():
    X, y = make_sequences(n=20, T=100)
    clf = LSTMClassifier(**FAST, chunk_overlap=0.5).fit(X, y)
    assert (clf.chunk_size_, clf.chunk_overlap_) == (4, 2)
    clf.partial_fit(X[:, :40], y)  # continues reading 4 + 2 steps a chunk
    with pytest.raises(ValueError, match="chunk_overlap"):
        clf.set_params(chunk_overlap=1.0, warm_start=True).fit(X, y)


def test_overlapping_chunks_read_windows_of_a_series_too():
    series = np.random.RandomState(0).normal(size=(120, 2)).cumsum(axis=0)
    reg = LSTMRegressor(**FAST, window=48, chunk_overlap=1.0).fit(series, series[:, 0])
    assert (reg.chunk_size_, reg.chunk_overlap_) == (2, 2)
    assert reg.predict(series).shape == (120,)


# ------------------------------------------------------------ shifted chunks
def test_shifted_repeats_the_first_step_in_front():
    X = np.array([[[1.0], [2.0], [3.0]], [[4.0], [5.0], [0.0]]])  # lengths 3 and 2
    out, lengths = shifted(X, np.array([3, 2]), np.array([1, 2]))
    np.testing.assert_array_equal(out[:, :, 0], [[1, 1, 2, 3, 0], [4, 4, 4, 5, 0]])
    np.testing.assert_array_equal(lengths, [4, 4])


def test_a_shifted_batch_is_the_chunks_of_the_shifted_sequences():
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(T, 2)) for T in (7, 5, 9)]
    data = ChunkedSequences(RaggedSequences(np.concatenate(sequences), [7, 5, 9]), 3)
    X, lengths = data.batch([2, 0, 1], rng=np.random.RandomState(1))
    shifts = np.random.RandomState(1).randint(3, size=3)
    for row, (i, shift) in enumerate(zip([2, 0, 1], shifts)):
        front = np.repeat(sequences[i][:1], shift, axis=0)
        expected = np.concatenate([front, sequences[i]])
        assert lengths[row] == -(-len(expected) // 3)
        flat = X[row, :lengths[row]].reshape(-1, 2)  # back to steps
        np.testing.assert_allclose(flat[:len(expected)], expected, rtol=1e-6)
        np.testing.assert_array_equal(flat[len(expected):], 0)
    unshifted, plain_lengths = data.batch([2, 0, 1])
    np.testing.assert_array_equal(plain_lengths, [3, 3, 2])


@pytest.mark.parametrize("Estimator", [LSTMClassifier, LSTMRegressor])
def test_only_training_batches_are_shifted(Estimator, monkeypatch):
    """The loop's minibatches are shifted; validation and prediction are not."""
    X, y = make_sequences(n=40, T=20)
    seen = []
    batch = ChunkedSequences.batch

    def spy(self, indices, rng=None):
        seen.append(rng is not None)
        return batch(self, indices, rng=rng)
    monkeypatch.setattr(ChunkedSequences, "batch", spy)
    model = Estimator(**FAST, chunk_size=4, early_stopping=True).fit(X, y)
    n_training_batches = sum(seen)
    assert n_training_batches >= model.n_iter_
    seen.clear()
    model.predict(X)
    assert seen and not any(seen)


# ------------------------------------------------------------ predicting at phases
def shifted_by_hand(X, lead):
    """(n, T, F) sequences ``lead`` steps later, the first step repeated in front."""
    return np.concatenate([np.repeat(X[:, :1], lead, axis=1), X], axis=1)


def test_the_readings_at_phases_spread_the_chunk_boundaries_over_a_chunk():
    X, _ = make_sequences(n=3, T=11)
    data = ChunkedSequences(PaddedSequences(X.astype(np.float32)), 4, 4, phases=4)
    readings = data.at_phases()
    assert [reading.lead for reading in readings] == [0, 1, 2, 3]
    for reading in readings:
        by_hand = ChunkedSequences(
            PaddedSequences(shifted_by_hand(X, reading.lead).astype(np.float32)), 4, 4)
        np.testing.assert_array_equal(reading.lengths, by_hand.lengths)
        np.testing.assert_array_equal(reading.batch([2, 0])[0], by_hand.batch([2, 0])[0])
    assert [r.lead for r in ChunkedSequences(data.dataset, 8, phases=3).at_phases()] \
        == [0, 2, 5]


@pytest.mark.parametrize("Estimator, settings", [
    (LSTMClassifier, {}), (LSTMRegressor, {"linear": None})])  # the network alone
def test_prediction_averages_the_raw_output_over_the_phases(Estimator, settings):
    """Where training shifts the chunks, a prediction is the mean of the network's
    raw output on the sequences read at each of ``chunk_phases_`` phases."""
    X, y = make_sequences(n=40, T=20)
    model = Estimator(**FAST, **settings, chunk_size=4).fit(X, y)
    assert model.chunk_phases_ == 4
    one_phase = copy.deepcopy(model)
    one_phase.chunk_phases_ = 1  # as a model saved before phases existed reads
    raw = np.mean([one_phase._raw_predict(shifted_by_hand(X, lead))
                   for lead in range(4)], axis=0)
    np.testing.assert_allclose(model._raw_predict(X), raw, rtol=1e-6)
    np.testing.assert_allclose(model.predict(X), one_phase._decode(raw), rtol=1e-6)
    del one_phase.chunk_phases_
    np.testing.assert_array_equal(one_phase.predict(X[:5]),
                                  one_phase._decode(one_phase._raw_predict(X[:5])))


@pytest.mark.parametrize("settings, phases", [
    (dict(chunk_size=4), 4), (dict(chunk_size=2), 2), (dict(chunk_size=1), 1),
    (dict(chunk_size=4, shift_chunks=False), 1), (dict(chunk_size=4, variant="esn"), 1),
])
def test_phases_where_training_shifts_chunks(settings, phases):
    X, y = make_sequences(n=20, T=20)
    assert LSTMClassifier(**FAST, **settings).fit(X, y).chunk_phases_ == phases


def test_shifting_changes_training_not_the_reading():
    X, y = make_sequences(n=40, T=20)
    shifted_model = LSTMClassifier(**FAST, chunk_size=4).fit(X, y)
    plain = LSTMClassifier(**FAST, chunk_size=4, shift_chunks=False).fit(X, y)
    assert shifted_model.chunk_size_ == plain.chunk_size_ == 4
    assert not np.allclose(shifted_model.predict_proba(X), plain.predict_proba(X))
    every_step = LSTMClassifier(**FAST, chunk_size=1)  # nothing to shift
    np.testing.assert_array_equal(
        every_step.fit(X, y).predict_proba(X),
        LSTMClassifier(**FAST, chunk_size=1, shift_chunks=False).fit(X, y).predict_proba(X))


# ------------------------------------------------------------ random crops
def cropped_by_hand(X, crop, where):
    """Each (T, F) sequence of X (all of length T) cut as ``cropped`` cuts it."""
    kept = max(1, int(np.floor(X.shape[1] * crop + 0.5)))
    start = min(int(np.floor(where * (X.shape[1] - kept + 1))), X.shape[1] - kept)
    return X[:, start:start + kept]


def test_a_crop_keeps_a_fraction_of_each_sequence_from_its_start():
    X = np.arange(1.0, 11.0).reshape(1, 10, 1).repeat(2, axis=0)
    X[1, 5:] = 0  # lengths 10 and 5
    out, kept = cropped(X, np.array([10, 5]), 0.6, np.array([0.5, 1.0]))
    np.testing.assert_array_equal(kept, [6, 3])  # 6 of 10, 3.0 of 5 (half up)
    np.testing.assert_array_equal(out[:, :, 0], [[3, 4, 5, 6, 7, 8], [3, 4, 5, 0, 0, 0]])
    first, _ = cropped(X, np.array([10, 5]), 0.6, 0.0)
    np.testing.assert_array_equal(first[:, :3, 0], [[1, 2, 3], [1, 2, 3]])


def test_training_batches_read_random_crops_then_shift_them():
    rng = np.random.RandomState(0)
    sequences = [rng.normal(size=(T, 2)) for T in (20, 11, 16)]
    data = ChunkedSequences(RaggedSequences(np.concatenate(sequences), [20, 11, 16]), 3,
                            crop=0.75)
    X, lengths = data.batch([0, 1, 2], rng=np.random.RandomState(1))
    draws = np.random.RandomState(1)
    where, shifts = draws.random_sample(3), draws.randint(3, size=3)
    for row, sequence in enumerate(sequences):
        expected = cropped_by_hand(sequence[None], 0.75, where[row])[0]
        expected = np.concatenate([np.repeat(expected[:1], shifts[row], axis=0), expected])
        assert lengths[row] == -(-len(expected) // 3)
        flat = X[row, :lengths[row]].reshape(-1, 2)
        np.testing.assert_allclose(flat[:len(expected)], expected, rtol=1e-6)
    whole, _ = data.batch([0, 1, 2])  # not training: whole sequences
    np.testing.assert_array_equal(whole, ChunkedSequences(data.dataset, 3).batch([0, 1, 2])[0])


def test_the_readings_of_a_cropped_set_spread_their_crops_over_the_sequence():
    X, _ = make_sequences(n=3, T=21)
    data = ChunkedSequences(PaddedSequences(X.astype(np.float32)), 1, crop=0.8, phases=4)
    readings = data.at_phases()
    assert [r.crop_at for r in readings] == [0, 1 / 3, 2 / 3, 1]
    for reading in readings:
        by_hand = cropped_by_hand(X, 0.8, reading.crop_at).astype(np.float32)
        np.testing.assert_array_equal(reading.lengths, [17] * 3)
        np.testing.assert_array_equal(reading.batch([2, 0])[0], by_hand[[2, 0]])
    np.testing.assert_array_equal(cropped_by_hand(X, 0.8, 1), X[:, 4:])


@pytest.mark.parametrize("Estimator, settings", [
    (LSTMClassifier, {}), (LSTMRegressor, {"linear": None})])  # the network alone
def test_prediction_of_a_cropped_model_averages_over_crops_and_phases(Estimator, settings):
    X, y = make_sequences(n=40, T=20)
    model = Estimator(**FAST, **settings, chunk_size=4, crop_fraction=0.8).fit(X, y)
    assert (model.chunk_phases_, model.crop_fraction_) == (4, 0.8)
    whole = copy.deepcopy(model)
    whole.chunk_phases_, whole.crop_fraction_ = 1, 1.0
    raw = np.mean([whole._raw_predict(shifted_by_hand(cropped_by_hand(X, 0.8, i / 3), i))
                   for i in range(4)], axis=0)
    np.testing.assert_allclose(model._raw_predict(X), raw, rtol=1e-5)
    assert model.trace(X[:2])["hidden"].shape[1] == 5  # trace reads whole sequences


@pytest.mark.parametrize("settings, expected", [
    (dict(chunk_size=1, crop_fraction=0.5), (4, 0.5)),
    (dict(chunk_size=4, crop_fraction=0.5, shift_chunks=False), (1, 1.0)),
    (dict(chunk_size=4, crop_fraction=0.5, variant="esn"), (1, 1.0)),
    (dict(chunk_size=1), (1, 1.0)),
])
def test_crops_where_training_shifts_chunks(settings, expected):
    X, y = make_sequences(n=20, T=20)
    model = LSTMClassifier(**FAST, **settings).fit(X, y)
    assert (model.chunk_phases_, model.crop_fraction_) == expected


def test_a_model_saved_before_crops_reads_whole_sequences():
    X, y = make_sequences(n=20, T=20)
    model = LSTMClassifier(**FAST, chunk_size=4).fit(X, y)
    expected = model.predict_proba(X)
    del model.crop_fraction_
    np.testing.assert_array_equal(model.predict_proba(X), expected)


def test_whole_sequences_draw_nothing_for_crops():
    """Without crops a training batch draws its shifts only, as before crops existed,
    so a fit without them is the fit it always was."""
    X, _ = make_sequences(n=5, T=12)
    data = ChunkedSequences(PaddedSequences(X.astype(np.float32)), 3)
    rng, expected = np.random.RandomState(7), np.random.RandomState(7)
    data.batch(np.arange(5), rng=rng)
    expected.randint(3, size=5)
    assert rng.random_sample() == expected.random_sample()
