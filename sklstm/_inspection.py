"""Looking inside a fitted model: an sklstm estimator, or a Pipeline that ends in one.

A :class:`~sklearn.pipeline.Pipeline` has no ``trace`` and no ``layers_``: the
functions here find the sklstm estimator at its end, run X through the steps before
it, and keep the feature names the pipeline was fitted with.
"""

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRecurrent

__all__ = ["trace", "final_estimator", "input_feature_names"]


def final_estimator(model):
    """The sklstm estimator of ``model`` and a function applying what comes before it.

    Parameters
    ----------
    model : LSTMClassifier, LSTMRegressor or Pipeline
        An sklstm estimator, or a Pipeline (possibly nested) whose last step is one.

    Returns
    -------
    estimator : LSTMClassifier or LSTMRegressor
        Checked to be fitted.
    transform : callable
        ``transform(X)`` runs X through the pipeline's transformers (identity for
        an estimator).

    Raises
    ------
    TypeError
        For anything else, saying what to pass.
    NotFittedError
        When the estimator is not fitted.
    """
    if isinstance(model, Pipeline):
        estimator, inner = final_estimator(model.steps[-1][1])
        return estimator, lambda X: inner(model[:-1].transform(X))
    if isinstance(model, BaseRecurrent):
        check_is_fitted(model)
        return model, lambda X: X
    search = any(hasattr(model, name) for name in
                 ("best_estimator_", "param_grid", "param_distributions"))
    hint = " For a fitted search, pass its best_estimator_." if search else ""
    raise TypeError(
        "Expected a fitted LSTMClassifier or LSTMRegressor, or a fitted Pipeline "
        f"whose last step is one; got {type(model).__name__}.{hint}"
    )


def input_feature_names(model):
    """Names of the features ``model`` was fitted on (the pipeline's input, not what
    its transformers made of it), or None."""
    names = getattr(model, "feature_names_in_", None)
    if names is None and isinstance(model, Pipeline):
        return input_feature_names(model.steps[-1][1])
    return names


def trace(model, X, *, layer=-1, direction=0):
    """Internal activations of one layer of a fitted sklstm model, step by step.

    Takes an estimator or a Pipeline that ends in one (``make_pipeline(
    SequenceScaler(), LSTMClassifier())``): the pipeline's transformers are
    applied to X first, exactly as ``predict`` would.

    Parameters
    ----------
    model : LSTMClassifier, LSTMRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline whose last step is one (for a
        grid search, its ``best_estimator_``).
    X : array-like, DataFrame or ragged container
        Sequences, in any format that ``model.predict`` takes.
    layer : int, default=-1
        The layer to trace: an index into the estimator's ``layers_``, negative
        from the top.
    direction : {0, 1}, default=0
        The direction to trace: 1 is the reverse layer of a bidirectional model.

    Returns
    -------
    internals : dict of str to ndarray
        Arrays of shape (n_samples, n_timesteps, hidden_size): ``"hidden"``,
        ``"cell"`` where the variant has one, and each gate by name (for
        ``"grid"`` also its depth dimension's ``"depth_hidden"`` and
        ``"depth_cell"``), NaN past each sequence's length; with
        ``pooling="attention"``, the top layer's
        ``"attention"`` weights, (n_samples, n_timesteps). See
        :meth:`LSTMClassifier.trace`.

    Raises
    ------
    TypeError
        When ``model`` is neither an sklstm estimator nor a Pipeline ending in one.

    See Also
    --------
    LSTMClassifier.trace : The same for the estimator itself.
    sklstm.plotting.plot_gates : Heatmaps of one sequence's trace.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklstm import LSTMRegressor, trace
    >>> from sklstm.preprocessing import SequenceScaler
    >>> X = np.random.RandomState(0).normal(size=(20, 6, 2))
    >>> model = make_pipeline(SequenceScaler(),
    ...                       LSTMRegressor(hidden_size=3, max_iter=2, random_state=0))
    >>> model = model.fit(X, X[:, :, 0].sum(axis=1))
    >>> internals = trace(model, X[:4])
    >>> internals["forget"].shape
    (4, 6, 3)
    """
    estimator, transform = final_estimator(model)
    return estimator.trace(transform(X), layer=layer, direction=direction)
