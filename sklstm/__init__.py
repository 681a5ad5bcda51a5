"""sklstm: recurrent sequence models (LSTM, GRU and their classic variants) as
scikit-learn estimators, on a pure NumPy core."""

__version__ = "0.1.0"

from ._classifier import LSTMClassifier  # noqa: E402
from ._data.long_table import to_sequences  # noqa: E402
from ._regressor import LSTMRegressor  # noqa: E402
from ._grids import variant_grid  # noqa: E402
from ._inspection import trace  # noqa: E402

__all__ = ["LSTMClassifier", "LSTMRegressor", "to_sequences", "trace",
           "variant_grid", "__version__"]
