"""The one place sklstm touches scikit-learn's private API.

Every name below is private in scikit-learn (a leading underscore, or a private
module). ``pyproject.toml`` pins ``scikit-learn>=1.6,<1.10``; if a later release
moves one of them, this module is the only file to change.

- parameter validation: ``Interval``, ``Options``, ``StrOptions``,
  ``InvalidParameterError`` and the ``_fit_context`` decorator;
- feature names, as ``validate_data`` records and checks them:
  ``_get_feature_names``, ``_check_feature_names``;
- indexing any array-like, for cross-validation: ``_safe_indexing``,
  ``_num_samples``.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)
from sklearn.utils.validation import _check_feature_names, _get_feature_names, _num_samples

__all__ = ["Interval", "InvalidParameterError", "Options", "StrOptions", "_fit_context",
           "_check_feature_names", "_get_feature_names", "_num_samples", "_safe_indexing"]
