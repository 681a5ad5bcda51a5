"""sklstm.plotting: figures rendered with Agg, checked by content (axes, titles, the
drawn arrays against ``trace`` and ``loss_curve_``, colour limits), ``ax`` handling,
and matplotlib staying an optional, lazily imported extra."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip(
    "matplotlib", reason="plotting is the optional extra sklstm[plot]; .[test] installs it")
matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sklstm import LSTMClassifier, LSTMRegressor, variant_grid
from sklstm.plotting import plot_gates, plot_loss_curve

from tests.helpers import TINY, X_TINY, Y_TINY

HIDDEN = 5
ROWS = {  # expected heatmap titles, top to bottom
    "lstm": ["input", "input gate", "forget gate", "candidate", "output gate",
             "cell state", "hidden state"],
    "gru": ["input", "reset gate", "update gate", "candidate", "hidden state"],
    "rnn": ["input", "candidate", "hidden state"],
    "esn": ["input", "candidate", "hidden state"],  # hidden: the reservoir's state
    "coupled": ["input", "forget gate", "candidate", "output gate", "cell state",
                "hidden state"],
    "no_input_activation": ["input", "input gate", "forget gate", "candidate",
                            "output gate", "cell state", "hidden state"],
}
TRACE_KEY = {"input gate": "input", "forget gate": "forget", "output gate": "output",
             "reset gate": "reset", "update gate": "update", "candidate": "candidate",
             "cell state": "cell", "hidden state": "hidden"}


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at a tiny max_iter
        return estimator.fit(X, y)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def ragged():
    """Six sequences of 4 to 9 steps and 2 features, with regression targets."""
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(length, 2)) for length in (4, 9, 6, 7, 5, 8)]
    y = np.array([x[:, 0].sum() for x in X])
    return X, y


@pytest.fixture(scope="module", params=sorted(ROWS))
def fitted(request, ragged):
    X, y = ragged
    reg = LSTMRegressor(request.param, HIDDEN, max_iter=2, random_state=0)
    return _fit(reg, X, y)


def _heatmaps(fig):
    """The axes holding a heatmap (colour-bar axes excluded), top to bottom."""
    return [ax for ax in fig.axes if ax.images and ax.get_title()]


def _image(ax):
    return np.asarray(ax.images[0].get_array())


# ----------------------------------------------------------------------- plot_gates
def test_plot_gates_rows_titles_and_png(fitted, ragged, tmp_path):
    fig = plot_gates(fitted, ragged[0][1])
    axes = _heatmaps(fig)
    assert [ax.get_title() for ax in axes] == ROWS[fitted.variant]
    assert len(fig.axes) == 2 * len(axes)  # one colour bar per heatmap
    assert axes[-1].get_xlabel() == "time step"
    assert all(ax.get_shared_x_axes().joined(ax, axes[0]) for ax in axes)
    path = tmp_path / "gates.png"
    fig.savefig(path, dpi=40)
    assert plt.imread(path).ndim == 3


def test_plot_gates_images_equal_the_trace(fitted, ragged):
    """Each heatmap is (units, steps) of that sequence's trace, also mid-batch."""
    X, _ = ragged
    item = 2
    length = len(X[item])
    trace = fitted.trace(X)  # the whole ragged batch: item 2 is padded to 9 steps
    axes = _heatmaps(plot_gates(fitted, X[item]))
    np.testing.assert_allclose(_image(axes[0]), X[item].T, rtol=1e-6)
    for ax in axes[1:]:
        expected = trace[TRACE_KEY[ax.get_title()]][item, :length].T
        np.testing.assert_allclose(_image(ax), expected, rtol=1e-5, atol=1e-6)


def test_plot_gates_colour_limits(fitted, ragged):
    for ax in _heatmaps(plot_gates(fitted, ragged[0][1]))[1:]:
        vmin, vmax = ax.images[0].get_clim()
        name = TRACE_KEY[ax.get_title()]
        if name in ("candidate", "cell", "hidden"):  # symmetric, at least [-1, 1],
            limit = max(1.0, np.abs(_image(ax)).max())  # covering every value
            assert (vmin, vmax) == pytest.approx((-limit, limit))
            assert ax.images[0].get_cmap().name == "RdBu_r"
            if name == "hidden" or (name == "candidate"
                                    and fitted.variant != "no_input_activation"):
                assert (vmin, vmax) == (-1, 1)  # tanh-bounded
        else:  # logistic gates
            assert (vmin, vmax) == (0, 1)
            assert ax.images[0].get_cmap().name == "viridis"


def test_plot_gates_unit_order_selects_and_orders_rows(ragged):
    X, y = ragged
    reg = _fit(LSTMRegressor("lstm", HIDDEN, max_iter=1, random_state=0), X, y)
    units = [4, 0, 2]
    axes = _heatmaps(plot_gates(reg, X[1], unit_order=units))
    forget = reg.trace([X[1]])["forget"][0]  # (T, H)
    np.testing.assert_allclose(_image(axes[2]), forget[:, units].T, rtol=1e-6)
    assert [t.get_text() for t in axes[2].get_yticklabels()] == ["4", "0", "2"]
    with pytest.raises(ValueError, match="unit_order must index the 5"):
        plot_gates(reg, X[1], unit_order=[0, 5])


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_plot_gates_two_d_rows_accept_a_row_or_a_one_row_frame():
    """An estimator fitted on 2-D univariate rows takes one row, 1-D or (1, T)."""
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.normal(size=(12, 7)), columns=[f"t{k}" for k in range(7)])
    clf = _fit(LSTMClassifier("gru", 3, max_iter=1, random_state=0), X,
               np.arange(12) % 2)
    trace = clf.trace(X.iloc[[4]])
    for x in (X.iloc[[4]], X.to_numpy()[4], X.to_numpy()[4:5]):
        axes = _heatmaps(plot_gates(clf, x))
        np.testing.assert_allclose(_image(axes[0]), X.to_numpy()[4:5], rtol=1e-6)
        np.testing.assert_allclose(_image(axes[-1]), trace["hidden"][0].T, rtol=1e-6)
    with pytest.raises(ValueError, match="pass one row"):
        plot_gates(clf, X.to_numpy()[:2])


def test_plot_gates_window_mode_draws_the_last_window():
    rng = np.random.RandomState(2)
    series = rng.normal(size=(30, 2))
    reg = _fit(LSTMRegressor("lstm", 3, window=4, max_iter=1, random_state=0),
               series, series[:, 0])
    axes = _heatmaps(plot_gates(reg, series[:10]))
    np.testing.assert_allclose(_image(axes[0]), series[6:10].T, rtol=1e-6)
    expected = reg.trace(series[:10])["hidden"][-1].T  # (H, 4)
    np.testing.assert_allclose(_image(axes[-1]), expected, rtol=1e-6)


@pytest.mark.parametrize("fitted_window, new_window", [(4, None), (None, 3), (4, 6)])
def test_set_params_window_after_fit_changes_no_reading_of_x(fitted_window,
                                                            new_window):
    """predict, trace and plot_gates read X with the window of fit (input_spec_),
    whatever set_params(window=...) did since."""
    X = np.random.RandomState(3).normal(size=(30, 6))  # a series, or 30 rows of 6 steps
    reg = _fit(LSTMRegressor("lstm", 3, window=fitted_window, max_iter=1,
                             random_state=0), X, X[:, 0])
    x = X[:10] if fitted_window else X[4]  # a stretch of the series, or one row

    def readings():
        images = [_image(ax) for ax in _heatmaps(plot_gates(reg, x))]
        return [reg.predict(X), *reg.trace(X).values(), *images]

    before = readings()
    reg.set_params(window=new_window)
    after = readings()
    assert reg.input_spec_.window == fitted_window and len(after) == len(before)
    for a, b in zip(after, before):
        np.testing.assert_array_equal(a, b)


def test_plot_gates_layer_and_reverse_direction(ragged):
    X, y = ragged
    reg = _fit(LSTMRegressor("gru", 3, num_layers=2, bidirectional=True, max_iter=1,
                             random_state=0), X, y)
    axes = _heatmaps(plot_gates(reg, X[0], layer=0, direction=1))
    expected = reg.trace([X[0]], layer=0, direction=1)["update"][0].T
    np.testing.assert_allclose(_image(axes[2]), expected, rtol=1e-6)


def test_plot_gates_into_given_axes(fitted, ragged):
    n_rows = len(ROWS[fitted.variant])
    fig, axes = plt.subplots(n_rows, 1)
    assert plot_gates(fitted, ragged[0][0], ax=axes) is fig
    assert [ax.get_title() for ax in axes] == ROWS[fitted.variant]
    with pytest.raises(ValueError, match=f"ax must be a single Axes or {n_rows} Axes"):
        plot_gates(fitted, ragged[0][0], ax=list(axes[:-1]))


def test_plot_gates_single_axes_draws_unit_means(fitted, ragged):
    x = ragged[0][3]
    fig, ax = plt.subplots()
    assert plot_gates(fitted, x, ax=ax) is fig
    trace = fitted.trace([x])
    labels = [line.get_label() for line in ax.lines]
    assert labels == ROWS[fitted.variant][1:]
    for line in ax.lines:
        expected = trace[TRACE_KEY[line.get_label()]][0].mean(axis=1)
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-5, atol=1e-6)
    assert ax.get_legend() is not None


def test_plot_gates_rejects_what_is_not_one_sequence(fitted):
    with pytest.raises(ValueError, match="x must be one sequence"):
        plot_gates(fitted, np.zeros((2, 3, 2)))


# ------------------------------------------------------------------ plot_loss_curve
def test_plot_loss_curve_without_early_stopping(ragged, tmp_path):
    X, y = ragged
    reg = _fit(LSTMRegressor("lstm", 3, max_iter=4, random_state=0), X, y)
    fig = plot_loss_curve(reg)
    assert len(fig.axes) == 1  # no validation axis
    (line,) = fig.axes[0].lines
    np.testing.assert_allclose(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(line.get_ydata(), reg.loss_curve_)
    assert fig.axes[0].get_xlabel() == "epoch"
    assert fig.axes[0].get_ylabel() == "training loss"
    fig.savefig(tmp_path / "loss.png", dpi=40)


def test_plot_loss_curve_with_early_stopping_has_a_validation_axis():
    rng = np.random.RandomState(3)
    X = rng.normal(size=(40, 4, 2))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    clf = _fit(LSTMClassifier("gru", 3, max_iter=5, early_stopping=True,
                              validation_fraction=0.25, random_state=0), X, y)
    fig = plot_loss_curve(clf)
    loss_ax, score_ax = fig.axes
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(score_ax.lines[0].get_ydata(), clf.validation_scores_)
    assert score_ax.get_ylabel() == "validation accuracy"
    legend = [t.get_text() for t in score_ax.get_legend().get_texts()]
    assert legend == ["training loss", "validation accuracy"]


def test_plot_loss_curve_into_given_axes(ragged):
    X, y = ragged
    reg = _fit(LSTMRegressor("rnn", 3, max_iter=2, random_state=0), X, y)
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_loss_curve(reg, ax=right) is fig
    assert not left.lines
    np.testing.assert_allclose(right.lines[0].get_ydata(), reg.loss_curve_)


def test_unfitted_estimator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_loss_curve(LSTMRegressor())
    with pytest.raises(NotFittedError):
        plot_gates(LSTMRegressor(), np.zeros((3, 1)))


# ------------------------------------------------------------ matplotlib is optional
def test_missing_matplotlib_raises_an_import_error_saying_what_to_install(
        fitted, ragged, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "sklstm\[plot\]"'):
        plot_loss_curve(fitted)
    with pytest.raises(ImportError, match="matplotlib"):
        plot_gates(fitted, ragged[0][0])


def test_importing_sklstm_does_not_import_matplotlib():
    code = ("import sys, sklstm, sklstm.plotting; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_plot_gates_frame_item_labels_the_input_with_its_columns():
    rng = np.random.RandomState(4)
    X = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["price", "volume"])
         for n in (5, 7, 6, 4)]
    reg = _fit(LSTMRegressor("gru", 3, max_iter=1, random_state=0), X,
               np.arange(4.0))
    axes = _heatmaps(plot_gates(reg, X[1]))
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["price", "volume"]
    np.testing.assert_allclose(_image(axes[0]), X[1].to_numpy().T, rtol=1e-6)


def test_plot_gates_draws_the_attention_weights_of_an_attention_pooled_net():
    """The attention pooling's weights per step appear in plot_gates."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 7, 2))
    clf = LSTMClassifier(hidden_size=4, pooling="attention", max_iter=2,
                         random_state=0).fit(X, (X[:, :, 0].sum(1) > 0).astype(int))
    fig = plot_gates(clf, X[3])
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert heatmaps[-1].get_title() == "attention weights"
    drawn = np.asarray(heatmaps[-1].images[0].get_array())
    expected = clf.trace(X[3:4])["attention"]  # (1, T)
    np.testing.assert_allclose(drawn, expected, rtol=1e-6)
    assert np.isclose(drawn.sum(), 1.0, atol=1e-5)
    plt.close(fig)


# ------------------------------------------------------------- pipelines
@pytest.fixture(scope="module")
def sensor_pipeline():
    """SequenceScaler then an LSTM, fitted on DataFrame items with named columns."""
    from sklearn.pipeline import make_pipeline

    from sklstm.preprocessing import SequenceScaler

    rng = np.random.RandomState(5)
    columns = ["acc_x", "acc_y", "gyro_x", "gyro_z"]
    X = [pd.DataFrame(20 * rng.normal(size=(n, 4)) + 5, columns=columns)
         for n in (6, 8, 5, 7, 6, 9)]
    model = make_pipeline(SequenceScaler(), LSTMClassifier("lstm", 3, max_iter=2,
                                                           random_state=0))
    return _fit(model, X, np.arange(6) % 2), X


def test_plot_gates_takes_a_pipeline_and_keeps_its_feature_names(sensor_pipeline):
    model, X = sensor_pipeline
    scaled = model[:-1].transform(X)
    expected = model[-1].trace(scaled)["forget"][1, :len(X[1])].T
    for x in (X[1], X[1].to_numpy()):  # names from the frame, or from the fit
        axes = _heatmaps(plot_gates(model, x))
        assert ([t.get_text() for t in axes[0].get_yticklabels()]
                == ["acc_x", "acc_y", "gyro_x", "gyro_z"])
        np.testing.assert_allclose(_image(axes[0]), X[1].to_numpy().T, rtol=1e-6)
        np.testing.assert_allclose(_image(axes[2]), expected, rtol=1e-5, atol=1e-6)


def test_plot_loss_curve_takes_a_pipeline(sensor_pipeline):
    model, _ = sensor_pipeline
    fig = plot_loss_curve(model)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), model[-1].loss_curve_)
    assert fig.axes[0].get_title() == "LSTMClassifier(variant='lstm')"


def test_plotting_refuses_a_pipeline_without_an_sklstm_estimator(ragged):
    from sklearn.pipeline import make_pipeline

    from sklstm.preprocessing import SequenceScaler

    scaler = make_pipeline(SequenceScaler()).fit(ragged[0])
    with pytest.raises(TypeError, match="last step is one; got SequenceScaler"):
        plot_loss_curve(scaler)
    with pytest.raises(TypeError, match="last step is one; got SequenceScaler"):
        plot_gates(scaler, ragged[0][0])


def test_plotting_module_exposes_only_its_functions():
    import sklstm.plotting

    public = {name for name in vars(sklstm.plotting) if not name.startswith("_")}
    assert public == {"plot_gates", "plot_loss_curve"} == set(sklstm.plotting.__all__)


def test_plot_gates_takes_a_window_pipeline_and_draws_the_raw_series():
    """StandardScaler over the columns, then a window model: the input row shows the
    series as given, labelled by its columns; the gates, the window at its end."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(6)
    series = pd.DataFrame(10 * np.cumsum(rng.normal(size=(60, 2)), axis=0),
                          columns=["temp", "load"])
    model = _fit(make_pipeline(StandardScaler(), LSTMRegressor("gru", 3, window=5,
                                                               max_iter=1, random_state=0)),
                 series, series["temp"].to_numpy())
    axes = _heatmaps(plot_gates(model, series.iloc[:20]))
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["temp", "load"]
    np.testing.assert_allclose(_image(axes[0]), series.to_numpy()[15:20].T, rtol=1e-6)
    expected = model[-1].trace(model[0].transform(series.iloc[:20]))["hidden"][-1].T
    np.testing.assert_allclose(_image(axes[-1]), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.usefixtures("quiet_convergence")
def test_trace_plot_gates_and_variant_grid():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from sklstm.plotting import plot_gates

    clf = LSTMClassifier("grid", num_layers=2, **TINY).fit(X_TINY, Y_TINY)
    internals = clf.trace(X_TINY[:2], layer=-1, direction=1)
    assert {"hidden", "cell", "depth_hidden", "depth_cell", "depth_forget"} <= set(internals)
    fig = plot_gates(clf, X_TINY[0], layer=0)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["input", "input gate", "forget gate", "candidate", "output gate",
                      "cell state", "hidden state", "depth input gate", "depth forget gate",
                      "depth candidate", "depth output gate", "depth cell state",
                      "depth hidden state"]
    matplotlib.pyplot.close(fig)
    assert variant_grid(["lstm", "grid"], tied_weights=[False, True]) == [
        {"variant": ["lstm"]},
        {"variant": ["grid"], "tied_weights": [False, True], "num_layers": [2]}]
