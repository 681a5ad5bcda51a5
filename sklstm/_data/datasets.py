"""Datasets and minibatches: sequences stored once, padded only batch by batch.

Whatever the input format, a dataset stores every time step once, in one flat
``(n_steps, n_features)`` array; sequence ``i`` is the slice
``values[starts[i] : starts[i] + lengths[i]]``. Windows are such slices too (they
overlap), so a windowed dataset costs O(rows x features) memory, and a padded
``(B, T_b, F)`` array is only built for the batch asked for (:meth:`SequenceDataset.batch`);
:func:`minibatches` cuts the samples into batches of similar length.
"""

import copy
import numbers

import numpy as np
from sklearn.utils import check_random_state

from ..core import mask_from_lengths

__all__ = [
    "SequenceDataset",
    "PaddedSequences",
    "RaggedSequences",
    "WindowedSequences",
    "minibatches",
]


class SequenceDataset:
    """Sequences stored once as a flat array of time steps.

    Sequence ``i`` is ``values[starts[i] : starts[i] + lengths[i]]``. Sequences may
    overlap (windows) or tile ``values`` exactly (padded and ragged input). Use one of
    the subclasses' constructors rather than this class directly.

    Parameters
    ----------
    values : ndarray of shape (n_steps, n_features)
        Every stored time step, C-contiguous, float dtype.
    starts : ndarray of shape (n_samples,), int64
        Row of ``values`` where each sequence starts.
    lengths : ndarray of shape (n_samples,), int64
        Number of time steps of each sequence, all >= 1.
    feature_names : ndarray of str or None, default=None
        Column names of the input, when it had any.

    Attributes
    ----------
    n_samples : int
        Number of sequences.
    n_features : int
        Number of features per time step.
    lengths : ndarray of shape (n_samples,), int64
        Number of valid time steps of each sequence.
    dtype : numpy.dtype
        Float dtype of every batch.
    """

    kind = "sequences"

    def __init__(self, values, starts, lengths, *, feature_names=None):
        self.values = values  # (N, F)
        self.starts = np.asarray(starts, dtype=np.int64)  # (n_samples,)
        self.lengths = np.asarray(lengths, dtype=np.int64)  # (n_samples,)
        self.feature_names = feature_names
        self._layout = None  # how to give values back in the input's format

    @property
    def n_samples(self):
        return self.lengths.shape[0]

    @property
    def n_features(self):
        return self.values.shape[1]

    @property
    def dtype(self):
        return self.values.dtype

    def __len__(self):
        return self.n_samples

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_samples={self.n_samples}, "
            f"n_features={self.n_features}, max_length={self.lengths.max()}, "
            f"dtype={self.dtype})"
        )

    def batch(self, indices):
        """Padded array of the sequences ``indices``, in that order.

        Parameters
        ----------
        indices : array-like of int of shape (b,)
            Sequences to put in the batch.

        Returns
        -------
        X : ndarray of shape (b, T_b, n_features)
            C-contiguous, right-padded with zeros; ``T_b`` is the longest length
            among ``indices``.
        lengths : ndarray of shape (b,), int64
            Number of valid time steps of each row of ``X``.
        """
        indices = np.asarray(indices, dtype=np.intp).reshape(-1)  # (b,)
        lengths = self.lengths[indices]  # (b,)
        if indices.size == 0:
            return np.zeros((0, 0, self.n_features), dtype=self.dtype), lengths
        valid = mask_from_lengths(lengths)  # (b, T_b)
        rows = self.starts[indices, None] + np.arange(valid.shape[1])  # (b, T_b)
        if valid.all():
            return np.take(self.values, rows, axis=0), lengths  # (b, T_b, F)
        X = np.take(self.values, np.where(valid, rows, 0), axis=0)  # (b, T_b, F)
        X[~valid] = 0
        return X, lengths

    def subset(self, indices):
        """The sequences ``indices`` as a dataset sharing this one's storage.

        Parameters
        ----------
        indices : array-like of int of shape (m,) or slice
            A slice (the contiguous rows of a time split) keeps views of
            ``starts`` and ``lengths`` instead of copies.

        Returns
        -------
        SequenceDataset
            Same class, ``m`` sequences; ``values`` is not copied.
        """
        if not isinstance(indices, slice):
            indices = np.asarray(indices, dtype=np.intp).reshape(-1)
        out = copy.copy(self)  # shares values; keeps e.g. a window's `window`
        out.starts = self.starts[indices]
        out.lengths = self.lengths[indices]
        out._layout = None  # values no longer tile the subset's sequences
        return out

    def unflatten(self, values):
        """Put new step values back into the container format X came in.

        Used by transformers that change each time step independently
        (:class:`sklstm.preprocessing.SequenceScaler`).

        Parameters
        ----------
        values : ndarray of shape (n_steps, n_features)
            Same shape as ``self.values``.

        Returns
        -------
        ndarray, list or pandas.Series
            3-D input -> 3-D array, 2-D input -> 2-D array, a window series -> 2-D
            array, a ragged container -> the same kind of container (list, 1-D object
            array or Series with the same index and name) of arrays, each with the
            shape of its input item.
        """
        if self._layout is None:
            raise ValueError(
                "unflatten needs the dataset built from X itself, not a subset of it."
            )
        return self._layout(values)


class PaddedSequences(SequenceDataset):
    """Sequences of one common length: a 3-D array, or 2-D univariate rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_timesteps, n_features)
        Already validated, float dtype.
    feature_names : ndarray of str or None, default=None
    two_d : bool, default=False
        True when X came as 2-D univariate rows; :meth:`unflatten` then returns 2-D.
    """

    kind = "padded"

    def __init__(self, X, *, feature_names=None, two_d=False):
        n_samples, n_timesteps, n_features = X.shape
        values = np.ascontiguousarray(X).reshape(n_samples * n_timesteps, n_features)
        super().__init__(
            values,  # (n * T, F), a view of X when X is C-contiguous
            np.arange(n_samples, dtype=np.int64) * n_timesteps,
            np.full(n_samples, n_timesteps, dtype=np.int64),
            feature_names=feature_names,
        )
        shape = (n_samples, n_timesteps) if two_d else X.shape
        self._layout = lambda new: new.reshape(shape)


class RaggedSequences(SequenceDataset):
    """Sequences of any lengths, concatenated along time.

    Parameters
    ----------
    values : ndarray of shape (sum(lengths), n_features)
        The sequences one after another, float dtype, C-contiguous.
    lengths : ndarray of shape (n_samples,)
    feature_names : ndarray of str or None, default=None
    restore : callable or None, default=None
        ``restore(list_of_item_arrays)`` rebuilds the input container.
    item_ndims : sequence of int or None, default=None
        1 for items given as ``(T_i,)``, 2 for ``(T_i, n_features)``.
    """

    kind = "ragged"

    def __init__(
        self, values, lengths, *, feature_names=None, restore=None, item_ndims=None
    ):
        lengths = np.asarray(lengths, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        super().__init__(values, starts, lengths, feature_names=feature_names)
        if restore is not None:
            self._layout = lambda new: restore(_split_items(new, lengths, item_ndims))


class WindowedSequences(SequenceDataset):
    """One long series; sample ``i`` is the window of rows ``max(0, i-k+1) .. i``.

    The series is stored once; windows are (start, length) pairs into it, so memory
    stays O(rows x features) whatever the window.

    Parameters
    ----------
    series : ndarray of shape (n_rows, n_features)
        Rows in time order, float dtype.
    window : int
        Maximum window length ``k`` >= 1. The first ``k - 1`` rows get shorter windows.
    feature_names : ndarray of str or None, default=None
    """

    kind = "windowed"

    def __init__(self, series, window, *, feature_names=None):
        rows = np.arange(series.shape[0], dtype=np.int64)  # (n_rows,)
        lengths = np.minimum(rows + 1, window)  # (n_rows,)
        super().__init__(
            np.ascontiguousarray(series),
            rows - lengths + 1,
            lengths,
            feature_names=feature_names,
        )
        self.window = window
        self._layout = lambda new: new


def _split_items(values, lengths, item_ndims):
    """Cut flat ``values`` (sum(lengths), F) back into one array per sequence."""
    items = np.split(values, np.cumsum(lengths)[:-1])
    return [x.ravel() if ndim == 1 else x for x, ndim in zip(items, item_ndims)]


def minibatches(lengths, batch_size, *, shuffle, random_state=None):
    """Minibatches of sequences of similar length (length buckets).

    The sequences are sorted by length, longest first, and cut into consecutive runs
    of ``batch_size``: each batch then pads only to its own longest member. With
    ``shuffle``, sequences of equal length are ordered at random before the cut and
    the order of the batches is shuffled. On equal lengths this is ordinary
    shuffled minibatching.

    Parameters
    ----------
    lengths : array-like of int of shape (n_samples,)
        Length of every sequence.
    batch_size : int >= 1
        Size of every batch but possibly the last one (the shortest sequences).
    shuffle : bool
        Shuffle batch order and the membership among sequences of equal length.
    random_state : None, int or numpy.random.RandomState, default=None
        Seed of the shuffling.

    Returns
    -------
    list of ndarray of int
        Indices into ``lengths``; each index appears in exactly one batch, and each
        batch is sorted by length, longest first.
    """
    lengths = np.asarray(lengths).reshape(-1)  # (n,)
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}.")
    rng = check_random_state(random_state)
    n = lengths.shape[0]
    tiebreak = rng.permutation(n) if shuffle else np.arange(n)
    order = np.lexsort((tiebreak, -lengths))  # longest first, ties by tiebreak
    batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    if shuffle:
        batches = [batches[j] for j in rng.permutation(len(batches))]
    return batches
