"""Cross-validation of window models that scores every prediction on a full window.

In ``window=k`` mode sample ``i`` of a 2-D series is the window of rows
``i-k+1 .. i``. Plain ``TimeSeriesSplit`` hands the estimator the test fold's rows
alone, so the first ``k - 1`` predictions of every fold read shortened windows, and
a grid search over ``window`` is biased towards short windows. :class:`FullWindowSplit`
puts ``context`` rows from just before each test fold in front of it, as window
context, and the scorer from :meth:`FullWindowSplit.scorer` leaves those rows out of
the score: every scored prediction then reads the rows a model deployed at that time
would have read, and no context row's target is ever scored.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import is_regressor
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import TimeSeriesSplit

from ._sklearn_private import _num_samples, _safe_indexing
from .core._checks import is_int

__all__ = ["FullWindowSplit"]

#: Methods a scorer may ask the estimator for; they run on the test set with its
#: context rows and answer for the rows after them.
_RESPONSE_METHODS = ("predict", "predict_proba", "predict_log_proba",
                     "decision_function")


class FullWindowSplit:
    """Time-series cross-validation whose test folds carry their window context.

    Wraps a splitter whose test folds are runs of consecutive rows (by default
    :class:`~sklearn.model_selection.TimeSeriesSplit`). Each training fold is the
    inner splitter's, unchanged. Each test fold is the inner one **prefixed by the
    ``context`` rows just before it**: when ``gap=0`` these are the last training
    rows, otherwise rows of the gap (and, if ``context > gap``, training rows before
    it). They give the first test windows their full length, and only their
    features are read: the scorer from :meth:`scorer` drops them (prediction and
    target alike) before scoring. With ``context >= k - 1`` for every window length
    ``k`` searched, every scored prediction reads a full window::

        split = FullWindowSplit(TimeSeriesSplit(5, test_size=60), context=35)
        search = GridSearchCV(model, {"lstmregressor__window": [6, 12, 24, 36]},
                              cv=split,
                              scoring=split.scorer("neg_root_mean_squared_error"))

    Leakage is as with the inner splitter: its training folds are unchanged, and
    reading past rows' features is what a deployed model does. Choose the inner
    splitter's ``gap`` for the horizon of the target (``docs/forecasting.md``).

    Parameters
    ----------
    cv : int or cross-validator, default=5
        An int is ``TimeSeriesSplit(n_splits=cv)``; otherwise any object with
        ``split`` and ``get_n_splits`` whose test folds are consecutive rows in
        increasing order, such as ``TimeSeriesSplit(n_splits, test_size=...,
        gap=..., max_train_size=...)``.
    context : int >= 0
        Rows put in front of every test fold, at least the longest window searched
        minus one. Every test fold must start at row ``context`` or later.

    See Also
    --------
    sklearn.model_selection.TimeSeriesSplit : The default inner splitter.

    Notes
    -----
    - Always pair the splitter with its own scorer (``scoring=split.scorer(...)``):
      scikit-learn's scorers would score the context rows too. The scorer warns
      when the model's ``window`` is longer than ``context + 1``.
    - The scorer drops the first ``context`` rows of *whatever* it scores, so
      ``GridSearchCV.score(X_new, y_new)`` with it scores ``X_new`` after its first
      ``context`` rows: pass the holdout with the ``context`` rows before it in
      front, and it is scored on full windows too. With ``return_train_score=True``
      the training scores skip the first ``context`` training rows.
    - Test folds overlap their context rows, so ``cross_val_predict`` (which needs a
      partition) does not take this splitter.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from sklstm.model_selection import FullWindowSplit
    >>> split = FullWindowSplit(TimeSeriesSplit(n_splits=2, test_size=3), context=2)
    >>> for train, test in split.split(np.zeros((10, 1))):
    ...     print(train, test)
    [0 1 2 3] [2 3 4 5 6]
    [0 1 2 3 4 5 6] [5 6 7 8 9]
    """

    def __init__(self, cv=5, *, context):
        if not is_int(context) or context < 0:
            raise ValueError(
                "context must be an int >= 0: the number of rows before each test "
                "fold read as window context, at least the longest window searched "
                f"minus one; got {context!r}.")
        if is_int(cv):
            if cv < 2:
                raise ValueError(f"cv as an int is TimeSeriesSplit's n_splits, at "
                                 f"least 2; got {cv}.")
        elif not (hasattr(cv, "split") and hasattr(cv, "get_n_splits")):
            raise ValueError(
                "cv must be an int (the number of TimeSeriesSplit folds) or a "
                "cross-validator with split and get_n_splits, such as "
                f"TimeSeriesSplit(n_splits=5, test_size=60); got {cv!r}.")
        self.cv = cv
        self.context = int(context)

    def _inner(self):
        if isinstance(self.cv, numbers.Integral):
            return TimeSeriesSplit(n_splits=int(self.cv))
        return self.cv

    def split(self, X, y=None, groups=None):
        """Training and test indices; each test fold led by its context rows.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            The series, rows in time order.
        y : array-like of shape (n_rows,) or (n_rows, n_outputs), default=None
            Passed to the inner splitter.
        groups : array-like of shape (n_rows,), default=None
            Passed to the inner splitter.

        Yields
        ------
        train : ndarray
            The inner splitter's training indices.
        test : ndarray
            The ``context`` rows before the inner test fold, then the test fold.

        Raises
        ------
        ValueError
            When a test fold starts before row ``context`` or is not a run of
            consecutive rows in increasing order.
        """
        n_rows = _num_samples(X)
        for fold, (train, test) in enumerate(self._inner().split(X, y, groups)):
            test = np.asarray(test, dtype=np.intp)
            if test.size == 0 or np.any(np.diff(test) != 1):
                raise ValueError(
                    f"FullWindowSplit needs test folds of consecutive rows in time "
                    f"order; fold {fold} of {self._inner()!r} is not one (use "
                    f"TimeSeriesSplit, or KFold without shuffle).")
            start = int(test[0])
            if start < self.context:
                raise ValueError(
                    f"context={self.context} rows must come before every test "
                    f"fold, but fold {fold}'s test rows start at row {start} of "
                    f"{n_rows}. Use context <= {start} (and windows of at most "
                    f"{start + 1} rows), or fewer splits or a smaller test_size so "
                    f"that the first test fold starts later.")
            context = np.arange(start - self.context, start, dtype=np.intp)
            yield np.asarray(train), np.concatenate([context, test])

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, the inner splitter's.

        Parameters
        ----------
        X, y, groups : object
            Passed to the inner splitter's ``get_n_splits``.

        Returns
        -------
        n_splits : int
        """
        return self._inner().get_n_splits(X, y, groups)

    def scorer(self, scoring=None):
        """A scorer that leaves the first ``context`` rows of its data unscored.

        It predicts on all the rows it is given, so that the first scored rows read
        full windows, and scores the rows after the first ``context``.

        Parameters
        ----------
        scoring : str, callable, list, tuple, set, dict or None, default=None
            What to score, as ``GridSearchCV``'s ``scoring`` takes it: a scorer
            name (``"neg_root_mean_squared_error"``), a scorer callable
            ``scorer(estimator, X, y)``, several names (a list, tuple or set, or a
            dict of names or callables: the scorer then returns a dict, and the
            search needs ``refit=<name>``), or None for the estimator's default
            score (R^2 for a regressor, accuracy for a classifier).

        Returns
        -------
        scorer : callable
            ``scorer(estimator, X, y, sample_weight=None)``, for ``scoring=`` in
            ``GridSearchCV``, ``cross_validate`` or ``cross_val_score``.
        """
        return _ContextScorer(scoring, self.context)

    def __repr__(self):
        return f"{type(self).__name__}(cv={self.cv!r}, context={self.context})"


class _ContextScorer:
    """``scoring`` evaluated after the first ``context`` rows of the data it gets."""

    def __init__(self, scoring, context):
        if isinstance(scoring, str):
            get_scorer(scoring)  # an unknown name fails here, not inside a search
        elif not (scoring is None or callable(scoring)
                  or isinstance(scoring, (list, tuple, set, dict))):
            raise ValueError(
                "scoring must be a scorer name, a callable scorer(estimator, X, y), "
                f"a list, tuple, set or dict of them, or None; got {scoring!r}.")
        self.scoring = scoring
        self.context = context

    def _resolve(self, estimator):
        scoring = self.scoring
        if scoring is None:  # estimator.score cannot skip rows: name its metric
            scoring = "r2" if is_regressor(estimator) else "accuracy"
        return check_scoring(estimator, scoring=scoring)

    def __call__(self, estimator, X, y, sample_weight=None, **kwargs):
        n_rows = _num_samples(X)
        if n_rows <= self.context:
            raise ValueError(
                f"The scorer drops the first context={self.context} rows of the data "
                f"it scores (the window context of a FullWindowSplit test fold), but "
                f"it was given {n_rows} rows: nothing is left to score.")
        _warn_short_context(estimator, self.context)
        scored = slice(self.context, None)
        if sample_weight is not None:
            kwargs["sample_weight"] = _safe_indexing(sample_weight, scored)
        proxy = _AfterContext(estimator, X, self.context)
        return self._resolve(estimator)(proxy, _safe_indexing(X, scored),
                                        _safe_indexing(y, scored), **kwargs)

    def __repr__(self):
        return f"FullWindowSplit(context={self.context}).scorer({self.scoring!r})"


class _AfterContext:
    """The fitted estimator as the wrapped scorer sees it.

    Its response methods read the whole data (context rows first), so that the
    first scored rows see full windows, and answer for the rows after the context;
    every other attribute (``classes_``, tags) is the estimator's own.
    """

    def __init__(self, estimator, X, context):
        self._estimator = estimator
        self._X = X
        self._context = context
        self._answers = {}

    def __getattr__(self, name):
        attribute = getattr(self._estimator, name)  # AttributeError if it has none
        if name not in _RESPONSE_METHODS:
            return attribute

        def respond(X, *args, **kwargs):
            expected = _num_samples(self._X) - self._context
            if _num_samples(X) != expected:
                raise ValueError(f"expected the {expected} rows after the context, "
                                 f"got {_num_samples(X)}.")
            if name not in self._answers:  # several metrics share one prediction
                answer = attribute(self._X, *args, **kwargs)
                self._answers[name] = (
                    [part[self._context:] for part in answer]
                    if isinstance(answer, list) else answer[self._context:])
            return self._answers[name]

        respond.__name__ = name  # scikit-learn names the method it called by this
        return respond


def _warn_short_context(estimator, context):
    """Warn when a ``window`` parameter of the estimator exceeds ``context + 1``."""
    try:
        params = estimator.get_params(deep=True)
    except AttributeError:
        return
    windows = [value for key, value in params.items()
               if (key == "window" or key.endswith("__window"))
               and isinstance(value, numbers.Integral)]
    if windows and max(windows) - 1 > context:
        warnings.warn(
            f"window={max(windows)} reads {max(windows) - 1} rows before each "
            f"prediction, but the FullWindowSplit gives only context={context} rows "
            f"before each test fold: its first {max(windows) - 1 - context} scored "
            f"predictions read shortened windows. Set context >= "
            f"{max(windows) - 1}.", UserWarning, stacklevel=3)
