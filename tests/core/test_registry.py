"""The registry of cell families (``sklstm.core._registry``): exactly the transcribed
variants, each with its documented options."""

import pytest

from sklstm.core import VARIANTS, variant_options

from tests.reference_cells import (
    ALL_VARIANTS,
    EXTRA_PARAMS,
    GATES,
    HAS_CELL,
    OPTIONS,
    OUTPUTS,
    REFERENCE,
    SIDE_INPUTS,
)


def test_registry_is_exactly_the_transcribed_variants():
    """Every registered name has a transcription (and nothing stale is transcribed)."""
    assert isinstance(VARIANTS, tuple)
    assert len(set(VARIANTS)) == len(VARIANTS)
    assert set(VARIANTS) == set(ALL_VARIANTS)
    for table in (GATES, HAS_CELL, EXTRA_PARAMS, REFERENCE, SIDE_INPUTS, OPTIONS, OUTPUTS):
        assert set(table) == set(VARIANTS)


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_variant_options_are_documented_ones(variant):
    assert variant_options(variant) == OPTIONS[variant]
