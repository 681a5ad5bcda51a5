"""The drawing behind :mod:`sklstm.plotting` (which holds the public names).

matplotlib is imported only when a function draws (:func:`_pyplot`).
"""

import numpy as np
import pandas as pd
from sklearn.base import is_classifier

from ._inspection import final_estimator, input_feature_names, trace

__all__ = ["plot_gates", "plot_loss_curve"]

_INSTALL_HINT = ('sklstm.plotting needs matplotlib: pip install "sklstm[plot]" '
                 "(or pip install matplotlib).")

# Trace entries that are not logistic gates in [0, 1]: squashed by tanh (or, in the
# ablations without those tanh, unbounded), drawn on a diverging map around zero.
_SIGNED = ("candidate", "cell", "hidden")
# The grid's depth dimension: its gates and states are named "depth_" + the name.
_DEPTH = "depth_"
_GATE_CMAP, _SIGNED_CMAP, _INPUT_CMAP = "viridis", "RdBu_r", "cividis"
_MAX_TICKS = 8


def _pyplot():
    """``matplotlib.pyplot``, or an ImportError saying how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return plt


def _root_figure(ax):
    """The Figure that ``ax`` is drawn in (the root one, for subfigures)."""
    get_figure = getattr(ax, "get_figure", None)
    try:
        return get_figure(root=True)
    except TypeError:  # matplotlib < 3.10: no subfigure distinction
        return ax.figure


# -------------------------------------------------------------------- plot_gates
def _is_univariate_rows(spec):
    """True when the estimator was fitted on 2-D rows of several time steps, each
    a univariate sequence (``spec`` is its ``input_spec_``). With one column, a
    row is one step of one feature, and ``x`` is read as one sequence instead."""
    return (spec.input_format == "2d" and spec.window is None
            and spec.n_features_in != 1)


def _one_sequence(estimator, x):
    """``x`` as the estimator reads one sequence: (X for trace, values (T, F), row).

    ``row`` is the sample of the trace that holds this sequence: 0, or the last
    window in window mode.
    """
    values = np.asarray(x, dtype=np.float64)
    if values.ndim == 3 and values.shape[0] == 1:
        values = values[0]
    if values.ndim not in (1, 2):
        raise ValueError(f"x must be one sequence, (n_timesteps, n_features) or "
                         f"(n_timesteps,); got shape {np.shape(x)}.")
    spec = estimator.input_spec_  # how the model reads X: the window of fit
    if _is_univariate_rows(spec):
        if values.ndim == 2 and values.shape[0] != 1:
            raise ValueError(f"{type(estimator).__name__} was fitted on 2-D rows of "
                             f"{estimator.n_features_in_} time steps; pass one row, "
                             f"(n_timesteps,) or (1, n_timesteps), got shape "
                             f"{values.shape}.")
        rows = x if isinstance(x, pd.DataFrame) else values.reshape(1, -1)
        return rows, values.reshape(-1, 1), 0
    values = values.reshape(len(values), -1)  # (T, F)
    if spec.window is not None:
        return (x if isinstance(x, pd.DataFrame) else values), values, -1
    item = x if isinstance(x, pd.DataFrame) else values
    return [item], values, 0


def _sequence_trace(model, x, layer, direction):
    """Input (T, F), the trace of one sequence {name: (T, H)} and the gate order.

    ``model`` is an estimator or a Pipeline ending in one; the input is ``x`` as
    given, before any of the pipeline's transformers.
    """
    estimator, _ = final_estimator(model)
    X, values, row = _one_sequence(estimator, x)
    internals = trace(model, X, layer=layer, direction=direction)
    length = int(np.sum(~np.isnan(internals["hidden"][row, :, 0])))
    gates = estimator.layers_[layer][direction].gates
    return (values[-length:],
            {name: array[row, :length] for name, array in internals.items()}, gates)


def _rows(trace, gates):
    """Names of the quantities in drawing order: gates, then cell, then hidden (for
    the grid, those along time, then those along depth), then the attention
    pooling's weights (for the top layer of an attention-pooled net)."""
    rows = []
    for along_depth in (False, True):
        prefix = _DEPTH if along_depth else ""
        rows += [gate for gate in gates if gate.startswith(_DEPTH) == along_depth]
        rows += [prefix + name for name in ("cell", "hidden") if prefix + name in trace]
    return rows + (["attention"] if "attention" in trace else [])


def _per_unit(trace, name, units):
    """(rows, T) image of one quantity: one row per unit, or one row of attention
    weights, which are per step, not per unit."""
    if name == "attention":
        return trace[name][None, :]
    return trace[name][:, units].T


def _title(name):
    if name.startswith(_DEPTH):  # the grid's depth dimension
        return "depth " + _title(name[len(_DEPTH):])
    if name == "cell":
        return "cell state"
    if name == "hidden":
        return "hidden state"
    if name == "candidate":
        return "candidate"
    if name == "attention":
        return "attention weights"
    return f"{name} gate"


def _colour_scale(name, values):
    """(cmap, vmin, vmax): logistic gates [0, 1]; signed quantities symmetric around
    zero, [-1, 1] unless they exceed it (the cell, or an ablation without tanh)."""
    if name == "attention":  # weights sum to one over the steps
        return _GATE_CMAP, 0.0, float(np.nanmax(values, initial=0.0)) or 1.0
    if name.removeprefix(_DEPTH) not in _SIGNED:
        return _GATE_CMAP, 0.0, 1.0
    limit = max(1.0, float(np.nanmax(np.abs(values), initial=0.0)))
    return _SIGNED_CMAP, -limit, limit


def _unit_indices(unit_order, hidden_size):
    """The units to draw, top to bottom: (n_units,) int."""
    if unit_order is None:
        return np.arange(hidden_size)
    units = np.asarray(unit_order)
    if units.ndim != 1 or units.size == 0 or units.dtype.kind not in "iu":
        raise ValueError(f"unit_order must be a non-empty 1-D array-like of int; got "
                         f"{unit_order!r}.")
    if units.min() < 0 or units.max() >= hidden_size:
        raise ValueError(f"unit_order must index the {hidden_size} hidden units; got "
                         f"values from {units.min()} to {units.max()}.")
    return units


def _heatmap(ax, image, cmap, vmin, vmax, labels, ylabel):
    """Draw ``image`` (rows, T) with time on x; label at most _MAX_TICKS rows."""
    n_rows, n_steps = image.shape
    im = ax.imshow(image, aspect="auto", interpolation="nearest", cmap=cmap,
                   vmin=vmin, vmax=vmax,
                   extent=(-0.5, n_steps - 0.5, n_rows - 0.5, -0.5))
    ticks = np.arange(0, n_rows, max(1, -(-n_rows // _MAX_TICKS)))
    ax.set_yticks(ticks, [str(labels[k]) for k in ticks])
    ax.set_ylabel(ylabel)
    ax.get_figure().colorbar(im, ax=ax, pad=0.01)
    return im


def _input_labels(model, x, n_features):
    """x's columns, else the names ``model`` was fitted on, else x0, x1, ..."""
    names = x.columns if isinstance(x, pd.DataFrame) else input_feature_names(model)
    if names is not None and len(names) == n_features:
        return [str(name) for name in names]
    return [f"x{k}" for k in range(n_features)]


def _draw_heatmaps(axes, labels, values, trace, rows, units):
    """One heatmap per axes: the input, then each of ``rows`` (units on y)."""
    _heatmap(axes[0], values.T, _INPUT_CMAP, None, None, labels, "feature")
    axes[0].set_title("input")
    for ax, name in zip(axes[1:], rows):
        image = _per_unit(trace, name, units)  # (n_units, T), or (1, T) for attention
        labels, ylabel = (["weight"], "") if name == "attention" else (units, "unit")
        _heatmap(ax, image, *_colour_scale(name, image), labels, ylabel)
        ax.set_title(_title(name))
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel("time step")


def _draw_compact(ax, trace, rows, units):
    """Mean over the shown units of each quantity against time, one line each."""
    steps = np.arange(len(trace["hidden"]))
    for name in rows:
        ax.plot(steps, _per_unit(trace, name, units).mean(axis=0), label=_title(name))
    ax.set_xlabel("time step")
    ax.set_ylabel(f"mean over {len(units)} units")
    ax.set_title("gates over time")
    ax.legend(loc="best", fontsize="small")


def _gate_axes(ax, n_rows, n_steps):
    """Axes to draw in: a new figure's column, the given list, or a single Axes."""
    if ax is None:
        plt = _pyplot()
        width = min(12.0, 4.0 + 0.12 * n_steps)
        _, axes = plt.subplots(n_rows, 1, sharex=True, squeeze=False,
                               figsize=(width, 1.0 + 1.3 * n_rows),
                               layout="constrained")
        return list(axes[:, 0])
    _pyplot()  # the same ImportError whether or not ax is given
    if hasattr(ax, "plot"):  # a single Axes: the compact view
        return ax
    axes = list(np.ravel(np.asarray(ax, dtype=object)))
    if len(axes) != n_rows:
        raise ValueError(f"ax must be a single Axes or {n_rows} Axes (input, "
                         f"{n_rows - 1} traced quantities); got {len(axes)}.")
    return axes


def plot_gates(model, x, *, layer=-1, direction=0, unit_order=None, ax=None):
    """Heatmaps of one sequence's input, gates, cell and hidden state over time.

    One row of axes per quantity, all sharing the time axis: the input
    (features on y), then each gate in the layer's gate order (``"input"``,
    ``"forget"``, ``"candidate"``, ``"output"`` for the LSTM; ``"reset"``,
    ``"update"``, ``"candidate"`` for the GRU; ...), the cell state where the
    variant has one, and the hidden state (units on y). Logistic gates use the
    colour map "viridis" on [0, 1]; the candidate, cell and hidden state use
    the diverging "RdBu_r", symmetric around 0 on [-1, 1], widened to the
    largest absolute value when one exceeds 1 (the cell can; so can the
    candidate or hidden state of the ablations without tanh). Each row has its
    colour bar. The input row always shows ``x`` itself, also when ``layer``
    is an upper layer (whose input is the output of the layer below), and also
    for a pipeline (whose transformers change what the network reads); its
    rows are labelled with ``x``'s columns, or the feature names the model
    was fitted with.

    Parameters
    ----------
    model : LSTMClassifier, LSTMRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline whose last step is one (its
        transformers are applied to ``x`` before the trace).
    x : array-like or DataFrame of shape (n_timesteps, n_features) or (n_timesteps,)
        One sequence, as one item of the model's training data. A
        ``(1, n_timesteps, n_features)`` array is read as its one sequence.
        For an estimator fitted on 2-D rows (each row a univariate sequence),
        pass one row: ``(n_timesteps,)``, or a ``(1, n_timesteps)`` array or
        DataFrame. In window mode (``window=k``), ``x`` is a stretch of the
        series, ``(n_rows, n_features)``, and the window ending at its last
        row (its last ``min(n_rows, k)`` rows) is drawn.
    layer : int, default=-1
        Index into the estimator's ``layers_`` (negative counts from the top).
    direction : {0, 1}, default=0
        0 for the forward layer, 1 for the reverse one (bidirectional only).
        Time runs left to right in both cases.
    unit_order : array-like of int of shape (n_units,), default=None
        The hidden units to draw, top to bottom, e.g. a permutation from
        ``np.argsort`` or a subset of a large layer. None draws every unit in
        index order.
    ax : matplotlib Axes or array-like of Axes, default=None
        None draws into a new figure. A sequence (list or array of any shape)
        of ``2 + n_gates`` Axes, ``3 + n_gates`` with a cell, receives the
        heatmaps in the order above. A single Axes receives a compact view
        instead: one line per gate (and cell and hidden state), the mean over
        the drawn units at each step.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the drawing.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    ValueError
        For an ``x`` that is not one sequence, a bad ``unit_order`` or the
        wrong number of Axes.
    TypeError
        When ``model`` is neither an sklstm estimator nor a Pipeline ending in
        one.

    See Also
    --------
    sklstm.trace : The arrays drawn here, for any number of sequences.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sklstm import LSTMRegressor
    >>> from sklstm.plotting import plot_gates
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(20, 6, 2))                 # 20 sequences, 6 steps
    >>> reg = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0)
    >>> reg = reg.fit(X, X[:, :, 0].sum(axis=1))
    >>> fig = plot_gates(reg, X[0])
    >>> titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    >>> titles  # doctest: +NORMALIZE_WHITESPACE
    ['input', 'input gate', 'forget gate', 'candidate', 'output gate',
     'cell state', 'hidden state']
    >>> fig.axes[2].images[0].get_array().shape            # forget gate: (units, steps)
    (4, 6)
    >>> plt.close(fig)
    """
    values, internals, gates = _sequence_trace(model, x, layer, direction)
    rows = _rows(internals, gates)
    units = _unit_indices(unit_order, internals["hidden"].shape[1])
    axes = _gate_axes(ax, 1 + len(rows), len(values))
    if not isinstance(axes, list):
        _draw_compact(axes, internals, rows, units)
        return _root_figure(axes)
    labels = _input_labels(model, x, values.shape[1])
    _draw_heatmaps(axes, labels, values, internals, rows, units)
    return _root_figure(axes[0])


# --------------------------------------------------------------- plot_loss_curve
def plot_loss_curve(model, ax=None):
    """Training loss per epoch and, with early stopping, the validation score.

    The loss (``estimator.loss_curve_``, with its L2 term) is drawn against the
    epoch on ``ax``; when the estimator recorded ``validation_scores_``
    (``early_stopping=True``), they are drawn on a second y-axis (accuracy for
    a classifier, R^2 for a regressor) that shares the epoch axis. One legend,
    on the topmost of the two axes, names both lines.

    Parameters
    ----------
    model : LSTMClassifier, LSTMRegressor or Pipeline
        A fitted estimator, or a fitted Pipeline whose last step is one.
    ax : matplotlib Axes, default=None
        Axes to draw the loss on; None draws into a new figure. The validation
        score goes on ``ax.twinx()``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding the drawing.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    TypeError
        When ``model`` is neither an sklstm estimator nor a Pipeline ending in
        one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sklstm import LSTMClassifier
    >>> from sklstm.plotting import plot_loss_curve
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 5, 2))                 # 40 sequences, 5 steps
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = LSTMClassifier(hidden_size=4, max_iter=3, early_stopping=True,
    ...                      validation_fraction=0.25, random_state=0).fit(X, y)
    >>> fig = plot_loss_curve(clf)
    >>> len(fig.axes)                                   # loss, validation score
    2
    >>> np.allclose(fig.axes[0].lines[0].get_ydata(), clf.loss_curve_)
    True
    >>> plt.close(fig)
    """
    estimator, _ = final_estimator(model)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6.4, 4.0), layout="constrained")
    else:
        _pyplot()
    loss = np.asarray(estimator.loss_curve_, dtype=float)
    lines = ax.plot(np.arange(1, len(loss) + 1), loss, color="C0",
                    label="training loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(f"{type(estimator).__name__}(variant={estimator.variant!r})")
    scores = getattr(estimator, "validation_scores_", None)
    legend_ax = ax
    if scores:
        legend_ax = ax.twinx()  # drawn above ax: the legend goes there
        lines += _draw_validation(legend_ax, estimator, scores)
    legend_ax.legend(lines, [line.get_label() for line in lines], loc="best")
    return _root_figure(ax)


def _draw_validation(ax, estimator, scores):
    """The validation score per epoch on ``ax``; returns its lines."""
    metric = "accuracy" if is_classifier(estimator) else "R$^2$"
    scores = np.asarray(scores, dtype=float)
    ax.set_ylabel(f"validation {metric}")
    return ax.plot(np.arange(1, len(scores) + 1), scores, color="C1",
                   label=f"validation {metric}")
