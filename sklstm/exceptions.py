"""Warnings that sklstm emits, to filter or catch by class."""

__all__ = ["InconsistentVersionWarning"]


class InconsistentVersionWarning(UserWarning):
    """An estimator is loaded under another sklstm version than it was saved with.

    Modelled on :class:`sklearn.exceptions.InconsistentVersionWarning`. The
    weights load as saved, but the code that uses them may have changed:
    predictions can differ, and methods can fail.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.
    current_sklstm_version : str
        The sklstm version loading it.
    original_sklstm_version : str
        The sklstm version that saved it ("unknown" for a saved state that
        records none).

    Attributes
    ----------
    estimator_name : str
    current_sklstm_version : str
    original_sklstm_version : str

    Examples
    --------
    Turn it into an error, to refuse models saved by another version:

    >>> import warnings
    >>> from sklstm.exceptions import InconsistentVersionWarning
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", InconsistentVersionWarning)
    ...     try:
    ...         warnings.warn(InconsistentVersionWarning(
    ...             estimator_name="LSTMClassifier", current_sklstm_version="0.2.0",
    ...             original_sklstm_version="0.1.0"))
    ...     except InconsistentVersionWarning as error:
    ...         print(error.original_sklstm_version)
    0.1.0
    """

    def __init__(self, *, estimator_name, current_sklstm_version,
                 original_sklstm_version):
        self.estimator_name = estimator_name
        self.current_sklstm_version = current_sklstm_version
        self.original_sklstm_version = original_sklstm_version

    def __str__(self):
        return (
            f"Trying to load estimator {self.estimator_name} from sklstm version "
            f"{self.original_sklstm_version} when using version "
            f"{self.current_sklstm_version}. This might lead to breaking code or "
            "invalid results. Use at your own risk: refit the model under this "
            "version, or load it under the version that saved it."
        )
