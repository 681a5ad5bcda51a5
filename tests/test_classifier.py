"""LSTMClassifier (``sklstm._classifier``): labels of any kind in, classes and
probabilities out, class weights, partial_fit's classes."""

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_sample_weight

from sklstm import LSTMClassifier, LSTMRegressor

from tests.helpers import FAST, make_sequences, weights_of

pytestmark = pytest.mark.usefixtures("quiet_convergence")


# --------------------------------------------------------------------- targets
def test_string_labels_multiclass_and_proba():
    X, y = make_sequences(n_classes=3)
    labels = np.array(["ant", "bee", "cat"])[y]
    clf = LSTMClassifier(**FAST).fit(X, labels)
    assert list(clf.classes_) == ["ant", "bee", "cat"]
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert set(clf.predict(X)) <= set(labels)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-6)


def test_binary_and_multilabel():
    X, y = make_sequences()
    clf = LSTMClassifier(**FAST).fit(X, y)
    assert clf.out_activation_ == "logistic" and clf.predict_proba(X).shape == (60, 2)
    Y = np.column_stack([y, 1 - y, y])
    multi = LSTMClassifier(**FAST).fit(X, Y)
    assert multi.predict(X).shape == (60, 3)
    assert multi.predict_proba(X).shape == (60, 3)


def test_partial_fit_continues_and_needs_classes():
    X, y = make_sequences(n=80, n_classes=3)
    clf = LSTMClassifier(hidden_size=8, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:40], y[:40], classes=[0, 1, 2])
    first = weights_of(clf)
    for _ in range(3):
        clf.partial_fit(X, y)
    assert clf._optimizer.t > 1 and len(clf.loss_curve_) == 4
    assert clf.n_iter_ == 4  # as MLPClassifier counts: one epoch per call
    assert clf.t_ == 40 + 3 * 80
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert any(not np.array_equal(a, b) for a, b in zip(first, weights_of(clf)))
    reg = LSTMRegressor(hidden_size=8, random_state=0)
    reg.partial_fit(X, X[:, :, 0].sum(1)).partial_fit(X, X[:, :, 0].sum(1))
    assert len(reg.loss_curve_) == 2


# --------------------------------------------------------------- weights
def test_class_weight_balanced_equals_sample_weight():
    X, y = make_sequences(n=80)
    y = np.where(np.arange(80) < 60, 0, y)  # imbalanced
    a = LSTMClassifier(**FAST, class_weight="balanced").fit(X, y)
    weights = compute_sample_weight("balanced", y)
    b = LSTMClassifier(**FAST).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)


def test_class_weight_dict_shifts_predictions():
    X, y = make_sequences(n=80)
    plain = LSTMClassifier(**FAST).fit(X, y)
    heavy = LSTMClassifier(**FAST, class_weight={0: 1.0, 1: 20.0}).fit(X, y)
    assert heavy.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()


# ------------------------------------------------------------------- ensembles
def test_soft_voting_over_seeds_averages_the_members_on_3d_input():
    """Averaging several initialisations needs nothing but scikit-learn's
    VotingClassifier (docs/benchmarks.md measures what it buys)."""
    from sklearn.ensemble import VotingClassifier

    X, y = make_sequences(n_classes=3)
    members = [(f"seed{s}", LSTMClassifier(hidden_size=8, max_iter=5, random_state=s))
               for s in range(3)]
    vote = VotingClassifier(members, voting="soft").fit(X, y)
    alone = [LSTMClassifier(hidden_size=8, max_iter=5, random_state=s).fit(X, y)
             for s in range(3)]
    np.testing.assert_allclose(vote.predict_proba(X),
                               np.mean([m.predict_proba(X) for m in alone], axis=0),
                               rtol=1e-6)
    assert vote.score(X, y) > 0
