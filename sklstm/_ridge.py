"""Ridge regression from streamed sufficient statistics.

Two parts of sklstm fit a ridge regression with an unpenalised intercept in closed
form: the regressor's linear part (:mod:`sklstm._linear_part`, on standardised
inputs, penalty chosen by generalised cross-validation) and the echo state
network's readout (:mod:`sklstm._readout`, penalty ``alpha``). Both read their
inputs a block of samples at a time and keep only weighted sums, which add up over
blocks: the statistics of all the data are the sum of those of its parts. So a readout updated by
``partial_fit`` over chunks is the one fitted on all of them at once (the ESN's
online rule), up to float64 rounding.
"""

import numpy as np


class RidgeStatistics:
    """The weighted sums that determine a ridge regression, accumulated by :meth:`add`.

    Parameters
    ----------
    n_inputs : int
        Columns of the inputs, ``p``.
    n_outputs : int
        Columns of the targets, ``k``.

    Attributes
    ----------
    total : float
        ``sum w``.
    x_sum, y_sum : ndarray of shape (p,), (k,)
        ``sum w x`` and ``sum w y``.
    gram : ndarray of shape (p, p)
        ``sum w x x^T``.
    cross : ndarray of shape (p, k)
        ``sum w x y^T``.
    y_square : ndarray of shape (k,)
        ``sum w y**2``.
    """

    def __init__(self, n_inputs, n_outputs):
        self.total = 0.0
        self.x_sum, self.y_sum = np.zeros(n_inputs), np.zeros(n_outputs)
        self.gram = np.zeros((n_inputs, n_inputs))
        self.cross = np.zeros((n_inputs, n_outputs))
        self.y_square = np.zeros(n_outputs)

    def add(self, inputs, Y, sample_weight):
        """Add the samples ``inputs`` (n, p) with targets ``Y`` (n, k) and weights (n,)."""
        inputs, Y = inputs.astype(np.float64), Y.astype(np.float64)
        w = sample_weight.astype(np.float64)
        weighted = inputs * w[:, None]  # (n, p)
        self.total += w.sum()
        self.x_sum += weighted.sum(axis=0)
        self.y_sum += w @ Y
        self.gram += inputs.T @ weighted
        self.cross += weighted.T @ Y
        self.y_square += w @ Y**2
        return self

    def centred(self):
        """``(gram, cross, y_square, x_mean, y_mean)`` about the weighted means:
        ``X_c^T W X_c`` (p, p), ``X_c^T W Y_c`` (p, k), ``sum w (y - y_mean)**2`` (k,)."""
        x_mean, y_mean = self.x_sum / self.total, self.y_sum / self.total
        gram = self.gram - self.total * np.outer(x_mean, x_mean)
        cross = self.cross - self.total * np.outer(x_mean, y_mean)
        y_square = np.maximum(self.y_square - self.total * y_mean**2, 0.0)
        return gram, cross, y_square, x_mean, y_mean

    def solve(self, alpha):
        """``(coef (p, k), intercept (k,))`` minimising ``sum w ||y - x coef - intercept||^2
        + alpha ||coef||^2``; with ``alpha = 0``, the least-norm solution."""
        gram, cross, _, x_mean, y_mean = self.centred()
        eigenvalues, V = _eigh(gram)
        coef = V @ _shrink(V.T @ cross, eigenvalues, alpha)  # (p, k)
        return coef, y_mean - x_mean @ coef

    def loss(self, coef, alpha):
        """``(sum w ||y - x coef - intercept||^2 + alpha ||coef||^2) / (2 sum w)`` with the
        intercept that goes with ``coef``: the squared-error loss plus L2 penalty of
        sklstm's training loop (``_losses``), on every sample added."""
        gram, cross, y_square, _, _ = self.centred()
        rss = y_square.sum() - 2 * np.sum(coef * cross) + np.sum(coef * (gram @ coef))
        return 0.5 * (max(rss, 0.0) + alpha * np.sum(coef**2)) / self.total

    def solve_gcv(self, alphas):
        """``(alpha, coef, intercept)`` of the ridge on standardised inputs, with the
        penalty of ``alphas`` that generalised cross-validation scores best (Golub,
        Heath & Wahba 1979; see :func:`sklstm._linear_part.fit_linear`).

        Each input is divided by its weighted standard deviation before the penalty
        applies (``StandardScaler`` then ``RidgeCV``, in closed form), so that it
        shrinks inputs of different units alike; ``coef`` is for the inputs as given.
        """
        gram, cross, y_square, x_mean, y_mean = self.centred()
        scale = _deviations(np.diag(gram) / self.total, x_mean, self.total)  # (p,)
        gram, cross = gram / np.outer(scale, scale), cross / scale[:, None]
        eigenvalues, V = _eigh(gram)
        projected = V.T @ cross  # (p, k)
        # from the largest down: where no penalty can be judged, the strongest wins
        alpha = min(sorted(alphas, reverse=True),
                    key=lambda a: _gcv(a, eigenvalues, projected, y_square, self.total))
        coef = V @ _shrink(projected, eigenvalues, alpha) / scale[:, None]
        return float(alpha), coef, y_mean - x_mean @ coef


def _deviations(variance, mean, total):
    """Each input's standard deviation, and 1 for an input that is constant up to
    the rounding of its sums (``StandardScaler``'s test): dividing rounding noise
    by itself would make it an input."""
    eps = np.finfo(np.float64).eps
    constant = variance <= total * eps * np.abs(variance) + (total * mean * eps) ** 2
    return np.where(constant, 1.0, np.sqrt(np.abs(variance)))


def _eigh(gram):
    """Eigenvalues (clipped at 0: rounding can dip below) and eigenvectors of ``gram``."""
    eigenvalues, V = np.linalg.eigh(gram)
    return np.clip(eigenvalues, 0, None), V


def _shrink(projected, eigenvalues, alpha):
    """``projected / (eigenvalues + alpha)`` row by row; directions whose eigenvalue is
    rounding (with ``alpha = 0``) get 0, as in a pseudo-inverse."""
    denominator = eigenvalues + alpha  # (p,)
    floor = eigenvalues.max(initial=0.0) * len(eigenvalues) * np.finfo(float).eps
    kept = denominator > floor
    out = np.zeros_like(projected)
    np.divide(projected, denominator[:, None], out=out, where=kept[:, None])
    return out


def _gcv(alpha, eigenvalues, projected, y_square, total):
    """GCV score of the penalty ``alpha``, summed over the outputs."""
    denominator = (eigenvalues + alpha)[:, None]
    explained = projected**2 * (eigenvalues[:, None] + 2 * alpha) / denominator**2
    rss = (y_square - explained.sum(axis=0)).sum()
    dof = total - (eigenvalues / (eigenvalues + alpha)).sum() - 1  # + the intercept
    if dof <= 0:  # no more samples than the fit's degrees of freedom: no judgement
        return np.inf
    return total * max(rss, 0.0) / dof**2
