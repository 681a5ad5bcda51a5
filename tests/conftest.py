"""Fixtures shared by the whole suite (the core's are in ``core/conftest.py``).

``tests`` is a package, so the helper modules are imported by their package path
(``tests.helpers``, ``tests.reference_cells``, ``tests.ragged_containers``).
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning


@pytest.fixture
def quiet_convergence():
    """No ConvergenceWarning from the short fits most tests make (``pytest.warns``
    still sees one); modules opt in with ``pytestmark``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
