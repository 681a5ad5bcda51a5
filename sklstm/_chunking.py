"""Reading a sequence in chunks of consecutive steps (``chunk_size``).

A recurrent net that reads hundreds of raw steps learns slowly and forgets: its
gradient has to cross every step. Reading ``k`` consecutive steps as one input
vector of ``k * F`` features, the way the row-by-row MNIST LSTM reads an image,
shortens the recurrence ``k``-fold and costs nothing else. Chunk ``j`` of a
sequence holds its steps ``j*k .. j*k + k - 1``, feature-major within each step,
so it is exactly ``X.reshape(n, T // k, k * F)``; a sequence whose length is not a
multiple of ``k`` has its last chunk padded with zeros (the mean, after
:class:`~sklstm.preprocessing.SequenceScaler`).
"""

import numpy as np

#: ``chunk_size="auto"`` reads sequences of up to this many steps as they are and
#: chunks longer ones down to at most this many steps.
AUTO_MAX_STEPS = 32


def resolve_chunk_size(chunk_size, lengths):
    """The chunk size ``"auto"`` stands for, given the training lengths.

    Parameters
    ----------
    chunk_size : int or "auto"
    lengths : ndarray of shape (n_samples,)

    Returns
    -------
    int
        ``chunk_size`` itself, or for "auto" the smallest ``k`` that reads the
        longest sequence in at most :data:`AUTO_MAX_STEPS` chunks.
    """
    if chunk_size != "auto":
        return int(chunk_size)
    longest = int(lengths.max()) if len(lengths) else 1
    return max(1, -(-longest // AUTO_MAX_STEPS))


class DatasetView:
    """A dataset of :mod:`sklstm._data` seen through a change of its batches:
    ``lengths``, ``n_samples``, ``n_features`` and ``dtype`` are the wrapped
    dataset's unless a subclass says otherwise; subclasses define ``batch``
    and ``subset``."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.lengths = dataset.lengths  # (n_samples,)

    @property
    def n_samples(self):
        return self.dataset.n_samples

    @property
    def n_features(self):
        return self.dataset.n_features

    @property
    def dtype(self):
        return self.dataset.dtype


class ChunkedSequences(DatasetView):
    """A sequence dataset read ``chunk_size`` steps at a time.

    The network sees sequences of ``ceil(length / chunk_size)`` steps of
    ``chunk_size * n_features`` features.

    Parameters
    ----------
    dataset : SequenceDataset
    chunk_size : int >= 1
    """

    def __init__(self, dataset, chunk_size):
        super().__init__(dataset)
        self.chunk_size = int(chunk_size)
        self.lengths = -(-dataset.lengths // self.chunk_size)  # (n_samples,)

    @property
    def n_features(self):
        return self.dataset.n_features * self.chunk_size

    def batch(self, indices, rng=None):
        """Padded chunks of the sequences ``indices``.

        Parameters
        ----------
        indices : array-like of int of shape (b,)
        rng : RandomState, default=None
            Given, each sequence is first shifted right by a random number of
            steps, 0 to ``chunk_size - 1``, its first step repeated in front
            (:func:`shifted`), so that the chunk boundaries fall elsewhere.

        Returns
        -------
        X : ndarray of shape (b, ceil(T_b / chunk_size), chunk_size * n_features)
        lengths : ndarray of shape (b,)
            Chunks per sequence, the last one possibly part padding.
        """
        X, lengths = self.dataset.batch(indices)  # (b, T_b, F), zero past each length
        if rng is not None:
            shifts = rng.randint(self.chunk_size, size=len(lengths))  # (b,)
            X, lengths = shifted(X, lengths, shifts)
        n, steps, features = X.shape
        n_chunks = -(-steps // self.chunk_size)
        if n_chunks * self.chunk_size != steps:
            padded = np.zeros((n, n_chunks * self.chunk_size, features), X.dtype)
            padded[:, :steps] = X
            X = padded
        n_valid = -(-lengths // self.chunk_size)  # (b,)
        return X.reshape(n, n_chunks, self.chunk_size * features), n_valid

    def subset(self, indices):
        """The sequences ``indices``, still read in chunks."""
        return ChunkedSequences(self.dataset.subset(indices), self.chunk_size)


def shifted(X, lengths, shifts):
    """Each sequence moved ``shifts`` steps later, its first step repeated in front.

    Parameters
    ----------
    X : ndarray of shape (b, T, F)
        Right-padded with zeros past each length.
    lengths : ndarray of int of shape (b,)
    shifts : ndarray of int of shape (b,)

    Returns
    -------
    X : ndarray of shape (b, T + max(shifts), F)
        Row ``i`` holds ``shifts[i]`` copies of its first step, then its
        ``lengths[i]`` steps, then zeros.
    lengths : ndarray of shape (b,)
        ``lengths + shifts``.
    """
    n, steps, features = X.shape
    with_zero = np.concatenate([X, np.zeros((n, 1, features), X.dtype)], axis=1)
    source = np.arange(steps + shifts.max()) - shifts[:, None]  # (b, T') step read
    source = np.where(source >= lengths[:, None], steps, np.maximum(source, 0))
    return with_zero[np.arange(n)[:, None], source], lengths + shifts


def chunked(dataset, chunk_size):
    """``dataset`` read in chunks of ``chunk_size`` steps (itself when 1)."""
    return dataset if chunk_size == 1 else ChunkedSequences(dataset, chunk_size)
