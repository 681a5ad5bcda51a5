"""The recurrent core: one layer of any registered cell variant, in NumPy.

It knows nothing of scikit-learn. :class:`RecurrentLayer` runs a batch of sequences
forward and backward through time; each cell family lives in a small module of its own
and registers its variants by name.

Besides the layer and the registry's queries it exports the helpers the rest of the
package shares with it: :func:`mask_from_lengths`, :func:`glorot_uniform` and
:func:`blocks_on_one_blas_thread` (the estimators' BLAS thread policy).

Attributes
----------
VARIANTS : tuple of str
    The registered variant names.
"""

# Import order is registration order, the order of VARIANTS.
from . import _rnn, _lstm, _gru, _esn, _grid  # noqa: F401, I001  (each module registers its variants)
from ._layer import RecurrentLayer
from ._ops import glorot_uniform
from ._parallel import blocks_on_one_blas_thread
from ._positions import mask_from_lengths
from ._registry import registered_names, stack_variants, variant_options

VARIANTS = registered_names()

__all__ = [
    "RecurrentLayer",
    "VARIANTS",
    "blocks_on_one_blas_thread",
    "glorot_uniform",
    "mask_from_lengths",
    "stack_variants",
    "variant_options",
]
