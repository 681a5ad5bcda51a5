"""Prediction over a dataset in batches (``sklstm._prediction``)."""

import numpy as np
import pytest

import sklstm._prediction as prediction_module
from sklstm import LSTMClassifier
from sklstm._data import RaggedSequences
from sklstm._network import RecurrentNetwork
from sklstm._prediction import predict_raw, prediction_batches, trace_all

from tests.helpers import FAST, make_sequences

pytestmark = pytest.mark.usefixtures("quiet_convergence")


def test_prediction_in_batches_matches(monkeypatch):
    X, y = make_sequences(n=50)
    clf = LSTMClassifier(**FAST, dtype="float64").fit(X, y)
    whole = clf.predict_proba(X)
    monkeypatch.setattr(prediction_module, "PREDICT_BUDGET", 6 * 8 * 7)  # 7 rows
    np.testing.assert_allclose(clf.predict_proba(X), whole, rtol=1e-12)


def network_and_ragged_data(seed=0):
    rng = np.random.RandomState(seed)
    network = RecurrentNetwork.build("lstm", 2, 4, 3, random_state=rng, dtype="float64")
    sequences = [rng.normal(size=(t, 2)) for t in rng.randint(1, 9, size=23)]
    dataset = RaggedSequences(np.concatenate(sequences), [len(s) for s in sequences])
    return network, dataset, sequences


@pytest.mark.parametrize("batch_size", [1, 4, 7, 23, 100])
def test_predict_raw_in_batches_equals_one_batch(batch_size):
    network, dataset, _ = network_and_ragged_data()
    whole = predict_raw(network, dataset, batch_size=dataset.n_samples)
    np.testing.assert_allclose(predict_raw(network, dataset, batch_size=batch_size), whole,
                               rtol=1e-12, atol=1e-14)


def test_predict_raw_is_the_network_on_each_sequence_plus_the_offsets():
    network, dataset, sequences = network_and_ragged_data(1)
    offsets = np.arange(3 * len(sequences), dtype=float).reshape(-1, 3)
    raw = predict_raw(network, dataset, offsets)
    assert raw.dtype == np.float64 and raw.shape == (len(sequences), 3)
    for i, sequence in enumerate(sequences):
        alone, _ = network.forward(sequence[None], np.array([len(sequence)]), training=False)
        np.testing.assert_allclose(raw[i], alone[0] + offsets[i], rtol=1e-12, atol=1e-14)


def test_the_budget_sizes_the_batches(monkeypatch):
    network, dataset, _ = network_and_ragged_data()
    longest = int(dataset.lengths.max())
    monkeypatch.setattr(prediction_module, "PREDICT_BUDGET", 5 * longest * 4)  # 5 rows
    batches = list(prediction_batches(network, dataset))
    assert max(len(b) for b in batches) == 5
    assert sorted(np.concatenate(batches)) == list(range(dataset.n_samples))


def test_trace_all_is_nan_past_each_length_and_the_trace_before():
    network, dataset, sequences = network_and_ragged_data(2)
    traced = trace_all(network, dataset, layer=0, direction=0)
    for i, sequence in enumerate(sequences):
        alone = network.trace(sequence[None], np.array([len(sequence)]), 0, 0)
        for name, values in traced.items():
            np.testing.assert_allclose(values[i, : len(sequence)], alone[name][0],
                                       rtol=1e-12, atol=1e-14, err_msg=name)
            assert np.isnan(values[i, len(sequence):]).all()
