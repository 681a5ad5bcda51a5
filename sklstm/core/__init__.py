"""The recurrent core: one layer of any registered cell variant, in NumPy.

It knows nothing of scikit-learn. :class:`RecurrentLayer` runs a batch of sequences
forward and backward through time; each cell family lives in a small module of its own
and registers its variants by name.

Attributes
----------
VARIANTS : tuple of str
    The registered variant names.
"""

# Import order is registration order, the order of VARIANTS.
from . import _rnn, _lstm, _gru, _grid  # noqa: F401, I001  (each module registers its variants)
from ._layer import RecurrentLayer
from ._registry import registered_names, stack_variants, variant_options

VARIANTS = registered_names()

__all__ = ["RecurrentLayer", "VARIANTS", "stack_variants", "variant_options"]
