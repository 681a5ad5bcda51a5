"""The one place sklstm touches scikit-learn's private parameter validation.

``sklearn.utils._param_validation`` and ``sklearn.base._fit_context`` are private
scikit-learn API. ``pyproject.toml`` pins ``scikit-learn>=1.6,<1.10``; if a later
release moves these names, this module is the only file to change.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)

__all__ = ["Interval", "InvalidParameterError", "Options", "StrOptions", "_fit_context"]
