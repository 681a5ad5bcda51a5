"""The input side: every accepted format of X -> one dataset, read the way fit did.

In the order X passes them (each module imports only those listed after it):

- :mod:`.long_table`: ``sklstm.to_sequences``, a long table -> a ragged X;
- :mod:`.spec`: :class:`InputSpec`, the fitted input specification (format,
  ``window``, features per step, feature names), made once by :func:`read_for_fit`;
  every later reading of X goes through ``estimator.input_spec_.read``;
- :mod:`.readers`: which format X is, and one reader per format (2-D rows, a
  windowed series, 3-D), with scikit-learn's feature checks outside fit;
- :mod:`.ragged`: ragged containers, sktime's nested DataFrames, pandas items;
- :mod:`.diagnostics`: the hints, NaN explanations and layout warnings;
- :mod:`.datasets`: the datasets (each time step stored once, padded per batch)
  and the length-bucketed minibatches;
- :mod:`.weights`: the checks of ``sample_weight``.
"""

from .datasets import (
    PaddedSequences,
    RaggedSequences,
    SequenceDataset,
    WindowedSequences,
    minibatches,
)
from .long_table import to_sequences
from .spec import InputSpec, read_for_fit
from .weights import check_sample_weight

__all__ = [
    "InputSpec",
    "read_for_fit",
    "SequenceDataset",
    "PaddedSequences",
    "RaggedSequences",
    "WindowedSequences",
    "minibatches",
    "check_sample_weight",
    "to_sequences",
]
