"""Sample weights, checked the same way on every supported scikit-learn version."""

import numbers

import numpy as np
from sklearn.utils.validation import check_array

__all__ = ["check_sample_weight"]


def check_sample_weight(sample_weight, n_samples, dtype):
    """Sample weights as a new C-contiguous ``(n_samples,)`` array of ``dtype``.

    ``None`` gives ones and a number is repeated; otherwise the weights must be a 1-D
    array-like of that length, finite, non-negative and not all zero (a model cannot
    learn from no weight at all). scikit-learn's own check is private and, before
    1.7, let all-zero weights through; this one says the same on every version.

    Parameters
    ----------
    sample_weight : None, number or array-like of shape (n_samples,)
        The weights given to ``fit``.
    n_samples : int
        Number of samples in X.
    dtype : numpy dtype
        Floating dtype of the result.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if sample_weight is None:
        return np.ones(n_samples, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n_samples, sample_weight)
    sample_weight = check_array(sample_weight, ensure_2d=False, dtype=dtype, order="C",
                                copy=True, input_name="sample_weight")
    if sample_weight.shape != (n_samples,):
        raise ValueError(f"sample_weight must be a number or a 1-D array of length "
                         f"{n_samples} (one weight per sample); got shape "
                         f"{sample_weight.shape}.")
    if (sample_weight < 0).any():
        raise ValueError("sample_weight must be non-negative; got negative values.")
    if not sample_weight.any():
        raise ValueError("sample_weight must contain at least one non-zero weight; "
                         "got all zeros.")
    return sample_weight
