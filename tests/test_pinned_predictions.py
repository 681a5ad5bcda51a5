"""Fixed-seed fits predict what they predicted when the fixture was saved.

The fixture (``fixtures/pinned_predictions.npz``, made by
``fixtures/make_pinned_predictions.py``) holds the predictions, probabilities and loss
curves of the defaults and of a spread of variants and input modes. On the machine that
saved it they agree bit for bit; elsewhere another BLAS rounds differently and the
short fits drift by float32 rounding, hence the tolerance, far below any change of
behaviour.
"""

from pathlib import Path

import numpy as np
import pytest

from tests.fixtures import make_pinned_predictions as pinned

SAVED = np.load(Path(__file__).resolve().parent / "fixtures" / "pinned_predictions.npz")


@pytest.fixture(scope="module")
def refitted():
    return pinned.fit_all()


def test_the_fixture_covers_every_configuration(refitted):
    assert sorted(refitted) == sorted(SAVED.files)


@pytest.mark.parametrize("key", sorted(SAVED.files))
def test_predictions_match_the_saved_ones(refitted, key):
    saved, now = SAVED[key], refitted[key]
    assert now.dtype == saved.dtype and now.shape == saved.shape
    if saved.dtype.kind in "OUS":  # class labels
        np.testing.assert_array_equal(now, saved)
    else:
        np.testing.assert_allclose(now, saved, rtol=1e-4, atol=1e-6)
