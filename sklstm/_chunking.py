"""Reading a sequence in chunks of consecutive steps (``chunk_size``).

A recurrent net that reads hundreds of raw steps learns slowly and forgets: its
gradient has to cross every step. Reading ``k`` consecutive steps as one input
vector of ``k * F`` features, the way the row-by-row MNIST LSTM reads an image,
shortens the recurrence ``k``-fold and costs nothing else. Chunk ``j`` of a
sequence holds its steps ``j*k .. j*k + k - 1``, feature-major within each step,
so it is exactly ``X.reshape(n, T // k, k * F)``; a sequence whose length is not a
multiple of ``k`` has its last chunk padded with zeros (the mean, after
:class:`~sklstm.preprocessing.SequenceScaler`).

With an overlap of ``o`` steps (``chunk_overlap``), chunk ``j`` also reads the first
``o`` steps of the chunks after it, steps ``j*k .. j*k + k + o - 1``: a window of
``k + o`` steps at a stride of ``k``, as a convolution whose kernel is wider than its
stride, so that a pattern cut by a chunk boundary is still seen whole by one step.
Steps past the sequence's end read zeros.

Cropped (``crop_fraction``), each training batch reads a part of every sequence,
``crop`` of its steps from a random start (window slicing, Le Guennec et al.
2016), and a prediction averages over crops whose starts are spread evenly from
the first step to the last possible one, so that training and prediction read
views of one length.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: ``chunk_size="auto"`` reads sequences of up to this many steps as they are and
#: chunks longer ones down to at most this many steps.
AUTO_MAX_STEPS = 32
#: ``chunk_overlap="auto"``: where sequences are read in chunks of several steps,
#: each chunk also reads the whole chunk after it (a window of two chunks at a
#: stride of one). Read step by step, no boundary cuts a pattern: no overlap.
AUTO_OVERLAP = 1.0
#: Where training shifts the chunk boundaries (``shift_chunks``), prediction averages
#: the network's output over the sequences read at this many phases of them.
PREDICTION_PHASES = 4


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


def resolve_chunks(chunk_size, chunk_overlap, crop_fraction, lengths, *, shifted):
    """``(chunk_size_, chunk_overlap_, chunk_phases_, crop_fraction_)``: the chunk
    size ``chunk_size`` stands for (:func:`resolve_chunk_size`); the steps of
    overlap, ``chunk_overlap`` (a fraction of a chunk; "auto": :data:`AUTO_OVERLAP`
    where a chunk holds more than one step, else none) times it, rounded half up;
    where training reads chunks ``shifted``, the fraction of each sequence it crops
    to, and the readings prediction averages over: :data:`PREDICTION_PHASES` (at
    most one a step of a chunk, unless cropped); else no crop and one reading."""
    size = resolve_chunk_size(chunk_size, lengths)
    if chunk_overlap == "auto":
        chunk_overlap = AUTO_OVERLAP if size > 1 else 0.0
    crop, phases = (float(crop_fraction), PREDICTION_PHASES) if shifted else (1.0, 1)
    if crop == 1:
        phases = min(phases, size)
    return size, int(np.floor(chunk_overlap * size + 0.5)), phases, crop


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
    overlap : int >= 0, default=0
        Steps of the following chunks each chunk also reads (see the module
        docstring): ``(chunk_size + overlap) * n_features`` features a step.
    phases : int >= 1, default=1
        Readings prediction averages over (:meth:`at_phases`).
    lead : int >= 0, default=0
        Steps every sequence is read later, its first step repeated in front:
        this reading's phase.
    crop : float in (0, 1], default=1.0
        Fraction of each sequence's steps a training batch reads (:func:`cropped`),
        and a reading of :meth:`at_phases`; 1.0 reads whole sequences.
    crop_at : float in [0, 1], default=None
        Where this reading's crop starts, from the first step (0) to the last
        possible one (1); None reads whole sequences unless training.
    """

    def __init__(self, dataset, chunk_size, overlap=0, phases=1, lead=0, crop=1.0,
                 crop_at=None):
        super().__init__(dataset)
        self.chunk_size = int(chunk_size)
        self.overlap = int(overlap)
        self.phases = int(phases)
        self.lead = int(lead)
        self.crop, self.crop_at = float(crop), crop_at
        lengths = (dataset.lengths if crop_at is None
                   else kept_steps(dataset.lengths, self.crop))
        self.lengths = -(-(lengths + self.lead) // self.chunk_size)  # (n,)

    @property
    def n_features(self):
        return self.dataset.n_features * (self.chunk_size + self.overlap)

    def batch(self, indices, rng=None):
        """Padded chunks of the sequences ``indices``.

        Parameters
        ----------
        indices : array-like of int of shape (b,)
        rng : RandomState, default=None
            Given, each sequence is first cropped to ``crop`` of its steps from a
            random start (if ``crop`` < 1), then shifted right by a random number
            of steps, 0 to ``chunk_size - 1``, its first step repeated in front
            (:func:`shifted`), so that the chunk boundaries fall elsewhere.

        Returns
        -------
        X : ndarray of shape (b, ceil(T_b / chunk_size), n_features)
            ``n_features`` is ``(chunk_size + overlap)`` times the dataset's.
        lengths : ndarray of shape (b,)
            Chunks per sequence, the last one possibly part padding.
        """
        X, lengths = self.dataset.batch(indices)  # (b, T_b, F), zero past each length
        if self.crop < 1 and (rng is not None or self.crop_at is not None):
            where = self.crop_at if rng is None else rng.random_sample(len(lengths))
            X, lengths = cropped(X, lengths, self.crop, where)
        if rng is not None:
            shifts = rng.randint(self.chunk_size, size=len(lengths))  # (b,)
            X, lengths = shifted(X, lengths, shifts)
        elif self.lead:
            X, lengths = shifted(X, lengths, np.full(len(lengths), self.lead))
        n, steps, features = X.shape
        n_chunks = -(-steps // self.chunk_size)
        width = self.chunk_size + self.overlap  # steps a chunk reads
        reach = (n_chunks - 1) * self.chunk_size + width  # steps the last chunk reaches
        if reach != steps:
            padded = np.zeros((n, reach, features), X.dtype)
            padded[:, :steps] = X
            X = padded
        n_valid = -(-lengths // self.chunk_size)  # (b,)
        if self.overlap:  # (b, n_chunks, F, width) windows at a stride of chunk_size
            windows = sliding_window_view(X, width, axis=1)[:, ::self.chunk_size]
            X = windows.transpose(0, 1, 3, 2)  # (b, n_chunks, width, F), steps first
        return X.reshape(n, n_chunks, width * features), n_valid

    def subset(self, indices):
        """The sequences ``indices``, still read in chunks."""
        return ChunkedSequences(self.dataset.subset(indices), self.chunk_size,
                                self.overlap, self.phases, self.lead, self.crop,
                                self.crop_at)

    def at_phases(self):
        """The readings prediction averages over: the sequences read ``phases``
        times, the ``i``-th ``i * chunk_size // phases`` steps later (the chunk
        boundaries evenly spread over a chunk), as training's shifts read them,
        and cropped (if ``crop`` < 1) from a start ``i / (phases - 1)`` of the way
        to the last possible one.

        Returns
        -------
        list of ChunkedSequences
            One a phase, its ``lead`` the steps it reads the sequences later.
        """
        readings = []
        for i in range(self.phases):
            crop_at = None if self.crop == 1 else i / max(1, self.phases - 1)
            readings.append(ChunkedSequences(
                self.dataset, self.chunk_size, self.overlap,
                lead=i * self.chunk_size // self.phases, crop=self.crop, crop_at=crop_at))
        return readings


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
    steps = X.shape[1]
    source = np.arange(steps + shifts.max()) - shifts[:, None]  # (b, T') step read
    source = np.where(source >= lengths[:, None], steps, np.maximum(source, 0))
    return _read_steps(X, source), lengths + shifts


def kept_steps(lengths, crop):
    """The steps a crop to ``crop`` of each length keeps (at least one)."""
    return np.maximum(1, np.floor(lengths * crop + 0.5)).astype(lengths.dtype)


def cropped(X, lengths, crop, where):
    """Each sequence cut to ``crop`` of its steps (rounded half up, at least one).

    Parameters
    ----------
    X : ndarray of shape (b, T, F)
        Right-padded with zeros past each length.
    lengths : ndarray of int of shape (b,)
    crop : float in (0, 1]
    where : float or ndarray of shape (b,), in [0, 1]
        Where each crop starts: from the first step (0) to the last of the
        ``lengths - kept + 1`` possible starts (1); a uniform draw gives each
        start the same chance.

    Returns
    -------
    X : ndarray of shape (b, max(kept), F)
        Row ``i`` holds steps ``start_i .. start_i + kept_i - 1``, then zeros.
    kept : ndarray of shape (b,)
    """
    kept = kept_steps(lengths, crop)
    slack = lengths - kept  # (b,) the last possible start
    starts = np.minimum(np.floor(np.multiply(where, slack + 1)).astype(int), slack)
    offsets = np.arange(kept.max())  # (T',)
    source = np.where(offsets < kept[:, None], starts[:, None] + offsets, X.shape[1])
    return _read_steps(X, source), kept


def _read_steps(X, source):
    """Row ``i`` of X (b, T, F) read at its steps ``source[i]`` (b, T'), where the
    index T reads zeros."""
    n, _, features = X.shape
    with_zero = np.concatenate([X, np.zeros((n, 1, features), X.dtype)], axis=1)
    return with_zero[np.arange(n)[:, None], source]


def chunked(dataset, chunk_size, overlap=0, phases=1, crop=1.0):
    """``dataset`` read in chunks of ``chunk_size`` steps, each also reading the
    next ``overlap`` steps, predicted at ``phases`` phases, training on crops to
    ``crop`` of each sequence (itself when one step, no overlap and no crop)."""
    if chunk_size == 1 and not overlap and crop == 1:
        return dataset
    return ChunkedSequences(dataset, chunk_size, overlap, phases, crop=crop)


def phase_readings(dataset):
    """The readings of ``dataset`` a prediction averages over (a list)."""
    return dataset.at_phases() if isinstance(dataset, ChunkedSequences) else [dataset]
