"""What the training loop trains on: targets beside the dataset, and the held-out part.

:class:`TrainData` pairs a dataset with its encoded targets, weights and the linear
part's offsets; :func:`split_for_validation` holds out the early-stopping set (the
last windows of a series, else a stratified random draw) and hands it to the loop as
a :class:`Validation`, which measures the held-out loss and score of a network.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from ._losses import LOSS_FUNCTIONS
from ._prediction import predict_raw

#: ``early_stopping="auto"`` holds out a validation set from this many training
#: samples (sequences, or windows of a series) on, and from the second number on
#: when a regressor fits a linear part (the network then only refines it).
AUTO_VALIDATION_MIN_SAMPLES = 1000
AUTO_VALIDATION_MIN_SAMPLES_LINEAR = 50


@dataclass
class TrainData:
    """A dataset with its targets: ``dataset.batch(idx)`` gives (X, lengths).

    ``Y`` is (n_samples, n_outputs); ``sample_weight`` (n_samples,) or None;
    ``offsets`` (n_samples, n_outputs) or None, added to the network's raw output
    before the loss (a linear part fitted beforehand, which the network refines).
    """

    dataset: object
    Y: np.ndarray
    sample_weight: np.ndarray = None
    offsets: np.ndarray = None

    def subset(self, indices):
        """The samples ``indices``, with their targets, weights and offsets."""
        return TrainData(self.dataset.subset(indices), self.Y[indices],
                         rows(self.sample_weight, indices), rows(self.offsets, indices))


def rows(array, indices):
    """``array[indices]``, or None for None."""
    return None if array is None else array[indices]


@dataclass
class Validation:
    """The held-out set; calling it on a network gives (loss, score).

    ``y`` holds the held-out targets as the user gave them; ``score(y, raw,
    sample_weight)`` scores the raw outputs against them (accuracy, R^2);
    ``loss`` names the training loss; ``batch_size`` is training's, so that
    measuring holds no more memory than a training step.
    """

    data: TrainData
    y: np.ndarray
    score: object
    loss: str
    batch_size: int

    def __call__(self, network):
        data = self.data
        raw = predict_raw(network, data.dataset, data.offsets, self.batch_size)
        loss, _ = LOSS_FUNCTIONS[self.loss](data.Y, raw, data.sample_weight)
        if not np.isfinite(raw).all():  # the loop stops on the loss; no score
            return np.nan, np.nan
        return loss, self.score(self.y, raw, data.sample_weight)


def wants_validation(early_stopping, n_samples, *, linear, incremental):
    """Whether a call holds out a validation set (``early_stopping`` resolved)."""
    if incremental:
        return False
    if early_stopping == "auto":
        least = (AUTO_VALIDATION_MIN_SAMPLES_LINEAR if linear
                 else AUTO_VALIDATION_MIN_SAMPLES)
        return n_samples >= least
    return bool(early_stopping)


def split_for_validation(data, y, fraction, *, windowed, stratify, rng):
    """(train, held-out indices) of ``data``: ``fraction`` of it held out.

    A series' windows keep their time order: the last windows are held out, as
    slices (views of the per-window arrays, not copies). Other samples are drawn
    at random, stratified by ``stratify`` (labels, or None).
    """
    n_samples = data.dataset.n_samples
    if windowed:
        n_val = int(np.ceil(fraction * n_samples))
        train, val = slice(0, n_samples - n_val), slice(n_samples - n_val, n_samples)
    else:
        train, val = train_test_split(np.arange(n_samples), random_state=rng,
                                      test_size=fraction, stratify=stratify)
        n_val = len(val)
    if n_val < 2:
        raise ValueError("The validation set is too small. Increase "
                         "'validation_fraction' or the size of your dataset.")
    return data.subset(train), data.subset(val), y[val]


def stratifiable(y, fraction):
    """Class labels y, when a stratified split holding out ``fraction`` can put
    every class on both of its sides; else None (a plain random split)."""
    if y.ndim != 1:
        return None
    counts = np.unique(y, return_counts=True)[1]  # (n_classes,)
    n_val = int(np.ceil(fraction * len(y)))  # train_test_split's
    if counts.min() < 2 or min(n_val, len(y) - n_val) < len(counts):
        return None
    return y
