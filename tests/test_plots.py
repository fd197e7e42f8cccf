"""Tests for initlib.plots: return types, labels, scales, masking notes, bad input.

Every test runs with warnings turned into errors, so a plot that warns
(contourf of a flat field, log axis of zeros, overflow) fails.
"""
import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import warnings  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import initlib as il  # noqa: E402
from initlib import MLP, History, data, plots  # noqa: E402
from initlib.diagnostics import activation_stats, gradient_stats  # noqa: E402


@pytest.fixture(autouse=True)
def strict_and_clean(monkeypatch):
    """Warnings are errors, plt.show is forbidden, and every figure is closed afterwards."""

    def no_show(*args, **kwargs):
        raise AssertionError("plot functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    rc_before = dict(matplotlib.rcParams)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")
    changed = {k for k, v in matplotlib.rcParams.items() if k in rc_before and rc_before[k] != v and k != "backend"}
    assert not changed, f"global rcParams changed: {sorted(changed)}"


@pytest.fixture(scope="module")
def circles():
    return data.circles(seed=1)


@pytest.fixture(scope="module")
def diverged(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], init="normal", scale=10.0, output="identity")
    with pytest.warns(RuntimeWarning, match="diverged"):
        h = il.train(net, X, y, epochs=200, lr=50.0)
    assert h.diverged
    return h


@pytest.fixture(scope="module")
def healthy(circles):
    X, y, Xt, yt = circles
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {
            "zeros": il.train(MLP([2, 10, 5, 1], init="zeros"), X, y, epochs=300, lr=0.05, X_test=Xt, y_test=yt),
            "he_normal": il.train(MLP([2, 10, 5, 1]), X, y, epochs=300, lr=0.05, X_test=Xt, y_test=yt),
        }


def texts_of(obj):
    """All the visible text drawn in an Axes or a Figure, one string."""
    return "\n".join(t.get_text() for t in obj.findobj(Text) if t.get_visible())


def note_text(ax):
    """The note(s) plots writes inside an Axes, with line wrapping undone."""
    return " ".join(" ".join(t.get_text().split()) for t in ax.texts if t.get_gid() == "initlib-note" and t.get_visible())


def check_readable(fig):
    """Book column width, white background, every text >= 9 pt; also renders the figure."""
    fig.canvas.draw()
    assert fig.get_figwidth() <= 7.0 + 1e-9
    assert matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"
    small = [(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text) if t.get_text() and t.get_fontsize() < 9]
    assert not small, f"text below 9 pt: {small}"


def check_labelled(ax, title=True):
    if title:
        assert ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()


def line_ydata(ax):
    """y data of every line with more than a reference's two points, as plain float arrays."""
    return [np.ma.filled(np.ma.asarray(ln.get_ydata(), dtype=float), np.nan) for ln in ax.get_lines()]


# --------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------


def test_palette_and_colors_are_hex():
    assert len(plots.PALETTE) == 8
    assert plots.PALETTE[:3] == ["#000000", "#E69F00", "#56B4E9"]  # Okabe-Ito order
    for c in plots.PALETTE + list(plots.COLORS.values()):
        assert matplotlib.colors.is_color_like(c) and c.startswith("#")
    for key in ("zeros", "normal", "he", "xavier", "lecun", "class0", "class1"):
        assert key in plots.COLORS
    assert plots.COLORS["class0"] != plots.COLORS["class1"]


def test_style_is_a_context_manager_that_restores_rcparams():
    before = matplotlib.rcParams["axes.spines.top"]
    with plots.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["font.size"] >= 9
    assert matplotlib.rcParams["axes.spines.top"] == before


def test_layer_colors():
    cols = plots.layer_colors(5)
    assert len(cols) == 5 and len(set(cols)) == 5
    assert plots.layer_colors(1) == [matplotlib.colors.to_hex(matplotlib.colormaps["viridis"](0.0))]
    with pytest.raises(ValueError, match="n must be a positive int, got 0"):
        plots.layer_colors(0)


def test_concept_colours_used_when_distinct(healthy):
    ax = plots.training_curves(healthy)
    colours = {ln.get_label(): matplotlib.colors.to_hex(ln.get_color()) for ln in ax.get_lines()}
    assert colours["zeros"].lower() == plots.COLORS["zeros"].lower()
    assert colours["he_normal"].lower() == plots.COLORS["he"].lower()


# --------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------


def test_decision_boundary(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], seed=0)
    net.forward(X[:7])
    stored = [a.copy() for a in net.a]
    ax = plots.decision_boundary(net, X, y)
    assert isinstance(ax, Axes)
    check_labelled(ax)
    assert "he_normal" in ax.get_title() and "acc" in ax.get_title()
    assert ax.get_aspect() == 1.0
    assert len(ax.collections) >= 3  # filled contours, 0.5 contour, two scatters
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"class 0", "class 1"}
    markers = {tuple(c.get_paths()[0].vertices.ravel().round(3)) for c in ax.collections if hasattr(c, "get_offsets")
               and len(c.get_offsets()) == 150}
    assert len(markers) == 2  # distinct markers per class: readable in greyscale
    for a, b in zip(net.a, stored):  # predict_proba leaves the stored arrays alone
        np.testing.assert_array_equal(a, b)
    check_readable(ax.figure)


def test_decision_boundary_flat_output_renders_without_warning(circles):
    X, y, _, _ = circles
    ax = plots.decision_boundary(MLP([2, 10, 1], init="zeros"), X, y, title="zero init", resolution=30)
    assert ax.get_title().startswith("zero init")
    assert "flat" in ax.get_title() and "0.5 everywhere" in ax.get_title()
    check_readable(ax.figure)


def test_decision_boundary_nan_output_is_named(circles):
    X, y, _, _ = circles
    net = MLP([2, 4, 1])
    net.W[0][:] = np.inf
    ax = plots.decision_boundary(net, X, y, resolution=20)
    assert "NaN or infinite" in ax.get_title()
    ax.figure.canvas.draw()


def test_decision_boundary_multiclass_and_given_ax():
    X, y, _, _ = data.blobs(90, 0, n_classes=3, seed=0)
    net = MLP([2, 8, 3], output="softmax", seed=0)
    fig, ax = plt.subplots()
    n_figs = len(plt.get_fignums())
    out = plots.decision_boundary(net, X, y, ax=ax, resolution=40, colorbar=False)
    assert out is ax and len(plt.get_fignums()) == n_figs
    assert len(ax.get_legend().get_texts()) == 3
    fig.canvas.draw()


def test_decision_boundary_bad_input(circles):
    X, y, _, _ = circles
    net = MLP([2, 3, 1])
    with pytest.raises(TypeError, match=r"net must be an initlib network \(MLP or ResidualMLP\), got str"):
        plots.decision_boundary("net", X, y)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\)"):
        plots.decision_boundary(net, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="y must have one label per row of X"):
        plots.decision_boundary(net, X, y[:-1])
    with pytest.raises(ValueError, match="net must take 2 inputs"):
        plots.decision_boundary(MLP([3, 2, 1]), X, y)
    with pytest.raises(ValueError, match="resolution must be >= 2"):
        plots.decision_boundary(net, X, y, resolution=1)
    with pytest.raises(ValueError, match="margin must be >= 0"):
        plots.decision_boundary(net, X, y, margin=-1)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plots.decision_boundary(net, X, y, ax="left")
    with pytest.raises(ValueError, match="y must hold class labels"):
        plots.decision_boundary(net, X, y + 0.5)


def test_decision_boundaries(circles):
    X, y, _, _ = circles
    nets = {"zeros": MLP([2, 10, 1], init="zeros"), "normal": MLP([2, 10, 1], init="normal"), "he": MLP([2, 10, 1])}
    fig = plots.decision_boundaries(nets, X, y, resolution=40)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().split("\n")[0] for ax in panels] == ["zeros", "normal", "he"]
    assert len(fig.axes) == 4  # three panels and one shared colour bar
    assert fig.get_suptitle() == "Decision boundaries"
    assert len(fig.legends) == 1
    for ax in panels:
        assert ax.get_xlabel()
    check_readable(fig)


def test_decision_boundaries_bad_input(circles):
    X, y, _, _ = circles
    with pytest.raises(TypeError, match="nets_by_title must be a dict"):
        plots.decision_boundaries([MLP([2, 3, 1])], X, y)
    with pytest.raises(ValueError, match="at least one network"):
        plots.decision_boundaries({}, X, y)
    with pytest.raises(TypeError, match=r"nets_by_title\['b'\] must be an initlib network \(MLP or ResidualMLP\)"):
        plots.decision_boundaries({"a": MLP([2, 3, 1]), "b": None}, X, y)
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes must hold at least 2 Axes"):
        plots.decision_boundaries({"a": MLP([2, 3, 1]), "b": MLP([2, 3, 1])}, X, y, axes=[ax])


# --------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------


def test_weight_heatmap():
    W = MLP([10, 5, 1], seed=0).W[0]
    ax = plots.weight_heatmap(W)
    assert isinstance(ax, Axes)
    check_labelled(ax)
    assert ax.get_xlabel() == "unit (column of W)" and ax.get_ylabel() == "input (row of W)"
    im = ax.images[0]
    assert im.get_array().shape == (10, 5)  # rows = inputs, columns = units
    lo, hi = im.get_clim()
    assert lo == -hi and hi == pytest.approx(np.abs(W).max())
    assert im.get_cmap().name.startswith("RdBu_r")
    assert len(ax.figure.axes) == 2  # with its colour bar
    check_readable(ax.figure)


@pytest.mark.parametrize("value, clim", [(0.0, 1.0), (0.5, 0.5), (-2.0, 2.0)])
def test_weight_heatmap_constant(value, clim):
    ax = plots.weight_heatmap(np.full((2, 10), value), title="constant")
    assert ax.images[0].get_clim() == (-clim, clim)
    assert f"every weight = {value:.3g}" in note_text(ax)
    ax.figure.canvas.draw()


def test_weight_heatmap_nan_and_bad_input():
    W = np.ones((3, 3))
    W[1, 1] = np.nan
    ax = plots.weight_heatmap(W)
    assert "1 NaN or infinite weight(s)" in note_text(ax)
    with pytest.raises(ValueError, match="W must be a non-empty 2-D array"):
        plots.weight_heatmap(np.ones(4))
    with pytest.raises(TypeError, match="W must be an array of numbers"):
        plots.weight_heatmap("W")
    with pytest.raises(ValueError, match="vmax must be > 0"):
        plots.weight_heatmap(np.ones((2, 2)), vmax=0)


# --------------------------------------------------------------------------
# Histograms
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tanh_acts():
    X = np.random.default_rng(0).standard_normal((300, 100))
    net = MLP([100] * 8 + [1], activation="tanh", init="normal", scale=0.05, seed=0)  # 7 hidden layers
    net.forward(X)
    return net, [a.copy() for a in net.a[:-1]]


def test_layer_histograms(tanh_acts):
    _, acts = tanh_acts
    fig = plots.layer_histograms(acts, activation="tanh")
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 7
    assert fig.get_suptitle() and fig.get_supxlabel() and fig.get_supylabel()
    for ax in visible:
        assert ax.get_xlim() == (-1.0, 1.0)
        assert ax.get_title().startswith("layer ")
    assert len({ax.get_ylim() for ax in visible}) == 1  # shared y
    check_readable(fig)


def test_layer_histograms_sigmoid_constant_and_mlp(tanh_acts):
    fig = plots.layer_histograms([np.full((10, 4), 0.5), np.zeros((10, 4))], activation="sigmoid", bins=5)
    assert fig.axes[0].get_xlim() == (0.0, 1.0)
    fig.canvas.draw()
    fig = plots.layer_histograms([np.full((10, 4), 3.0)])  # constant, no activation: a range around it
    lo, hi = fig.axes[0].get_xlim()
    assert lo < 3.0 < hi
    net, _ = tanh_acts
    fig = plots.layer_histograms(net, activation="tanh")
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 7


def test_layer_histograms_notes_nonfinite():
    fig = plots.layer_histograms({"a": np.array([0.1, np.nan, 0.2]), "b": np.array([0.5, 0.6, 0.7])})
    assert "1 NaN/inf not drawn" in note_text(fig.axes[0])
    assert [ax.get_title().split("\n")[0] for ax in fig.axes[:2]] == ["a", "b"]


def test_layer_histograms_bad_input(tanh_acts):
    net, acts = tanh_acts
    with pytest.raises(TypeError, match="activations must be the activations themselves"):
        plots.layer_histograms(activation_stats(net))
    with pytest.raises(ValueError, match="at least one layer"):
        plots.layer_histograms([])
    with pytest.raises(ValueError, match="unknown activation 'tanhh'"):
        plots.layer_histograms(acts, activation="tanhh")
    with pytest.raises(ValueError, match=r"activations\[1\] is None"):
        plots.layer_histograms([np.ones(3), None])
    with pytest.raises(ValueError, match="no activations yet"):
        plots.layer_histograms(MLP([2, 3, 1]))
    with pytest.raises(TypeError, match=r"bins must be a positive int, got 2.5 \(float\)"):
        plots.layer_histograms(acts, bins=2.5)


def test_layer_histograms_stacked_and_update_in_place(tanh_acts):
    _, acts = tanh_acts
    ax = plots.layer_histograms_stacked(acts, activation="tanh")
    assert isinstance(ax, Axes)
    check_labelled(ax)
    ridge = plots.get_ridgeline(ax)
    assert isinstance(ridge, plots.Ridgeline) and ridge.ax is ax
    assert len(ridge.stairs) == 7 and len(ridge.labels) == 7
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"layer {i}" for i in range(1, 8)]
    assert ax.get_xlim() == (-1.0, 1.0)
    assert ridge.labels[0].get_text() == f"std {acts[0].std():.2g}"
    check_readable(ax.figure)
    patches = list(ridge.stairs)
    before = [p.get_data().values.copy() for p in patches]
    n_artists = len(ax.get_children())
    saturated = [np.tanh(10 * a) for a in acts]
    assert ridge.update(saturated) is ridge
    assert ridge.stairs == patches and len(ax.get_children()) == n_artists  # same artists, new data
    after = [p.get_data().values for p in patches]
    assert not np.allclose(after[-1], before[-1])
    top = ridge.offsets[0] + ridge.height
    assert after[0].max() == pytest.approx(top)  # each histogram scaled to the same height
    ax.figure.canvas.draw()


def test_ridgeline_notes_values_outside_and_rescale():
    acts = [np.linspace(0, 1, 50), np.linspace(0, 2, 50)]
    ax = plots.layer_histograms_stacked(acts, bins=11)
    ridge = plots.get_ridgeline(ax)
    assert not ridge.note.get_visible()
    ridge.update([a * 3 for a in acts])
    assert ridge.note.get_visible() and "outside" in ridge.note.get_text()
    ridge.update([a * 3 for a in acts], rescale=True)
    assert not ridge.note.get_visible() and ax.get_xlim() == (0.0, 6.0)
    with pytest.raises(ValueError, match="activations must have 2 layers"):
        ridge.update(acts[:1])
    fig, other = plt.subplots()
    with pytest.raises(ValueError, match="no plot of layer_histograms_stacked"):
        plots.get_ridgeline(other)


def test_ridgeline_max_values_subsamples_deterministically():
    a = [np.random.default_rng(1).standard_normal(10_000)]
    r1 = plots.get_ridgeline(plots.layer_histograms_stacked(a, max_values=1000))
    r2 = plots.get_ridgeline(plots.layer_histograms_stacked(a, max_values=1000))
    np.testing.assert_array_equal(r1.stairs[0].get_data().values, r2.stairs[0].get_data().values)
    with pytest.raises(ValueError, match="max_values must be a positive int, got 0"):
        plots.layer_histograms_stacked(a, max_values=0)


# --------------------------------------------------------------------------
# Per-layer curves
# --------------------------------------------------------------------------


def test_layer_std_from_layer_stats():
    X = np.random.default_rng(0).standard_normal((200, 100))
    stats = {
        f"normal, scale {s:g}": activation_stats(MLP([100] * 6 + [1], activation="tanh", init="normal", scale=s), X)
        for s in (0.01, 0.1, 1.0)
    }
    ax = plots.layer_std(stats, reference=1.0)
    assert isinstance(ax, Axes)
    check_labelled(ax)
    assert ax.get_yscale() == "log"
    assert list(ax.get_xticks()) == [1, 2, 3, 4, 5, 6]
    curves = [ln for ln in ax.get_lines() if ln.get_label().startswith("normal")]
    assert len(curves) == 3 and all(ln.get_marker() not in (None, "None", "") for ln in curves)
    assert len({ln.get_marker() for ln in curves}) == 3
    np.testing.assert_array_equal(curves[0].get_xdata(), np.arange(1, 7))
    assert "reference (1)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert note_text(ax) == ""
    check_readable(ax.figure)


def test_layer_std_masks_zeros_and_says_so():
    ax = plots.layer_std([0.5, 0.1, 0.0, 0.0, 0.0])
    assert note_text(ax) == "std = 0 from layer 3 on (not drawn on the log scale)"
    y = ax.get_lines()[0].get_ydata()
    np.testing.assert_array_equal(np.ma.getmaskarray(y), [False, False, True, True, True])
    ax.figure.canvas.draw()
    lo, hi = ax.get_ylim()
    assert 0 < lo < 0.1 and hi > 0.5


def test_layer_std_nan_and_all_zero():
    ax = plots.layer_std({"a": [1.0, np.nan, 0.5], "zeros": [0.0, 0.0, 0.0]})
    note = note_text(ax)
    assert "a: std not finite at layer 2 (not drawn)" in note
    assert "zeros: std = 0 at every layer" in note
    ax.figure.canvas.draw()
    ax = plots.layer_std({"b": [1.0, 0.0, 2.0, 0.0]}, log=False)  # linear: zeros are drawn
    assert note_text(ax) == "" and ax.get_yscale() == "linear"


def test_layer_std_huge_values_do_not_overflow():
    ax = plots.layer_std([1.0, 1e150, 1e300])
    assert "run off the top" in note_text(ax)
    ax.figure.canvas.draw()


def test_layer_std_bad_input():
    with pytest.raises(TypeError, match="values_by_label must be a LayerStats"):
        plots.layer_std("std")
    with pytest.raises(ValueError, match="must be 1-D"):
        plots.layer_std(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"values_by_label\['a'\] must not be empty"):
        plots.layer_std({"a": []})
    with pytest.raises(ValueError, match="reference must be > 0 on a log axis"):
        plots.layer_std([1.0, 2.0], reference=0)
    with pytest.raises(TypeError, match="log must be True or False"):
        plots.layer_std([1.0, 2.0], log="yes")
    with pytest.raises(TypeError, match=r"values_by_label\['g'\] must be a LayerStats"):
        plots.layer_std({"g": gradient_stats(MLP([2, 3, 1]), np.zeros((4, 2)), np.zeros((4, 1)))})


def test_layer_fraction():
    X = np.random.default_rng(0).standard_normal((200, 100))
    tanh = activation_stats(MLP([100] * 6 + [1], activation="tanh", init="normal", scale=1.0), X)
    ax = plots.layer_fraction({"normal, scale 1": tanh})
    check_labelled(ax)
    assert ax.get_yscale() == "linear" and ax.get_ylim() == (-0.03, 1.03)
    assert "aturated" in ax.get_title() and "saturated" in ax.get_ylabel()
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), np.arange(1, 6))  # hidden layers only
    relu = activation_stats(MLP([100] * 6 + [1], activation="relu"), X)
    ax = plots.layer_fraction(relu, reference=0.5)
    assert "Dead" in ax.get_title() and "dead" in ax.get_ylabel()
    check_readable(ax.figure)


def test_layer_fraction_bad_input():
    with pytest.raises(ValueError, match=r"fractions in \[0, 1\]"):
        plots.layer_fraction([0.2, 1.5])
    with pytest.raises(ValueError, match="kind must be"):
        plots.layer_fraction([0.2], kind="alive")
    X = np.zeros((4, 2))
    ident = activation_stats(MLP([2, 3, 1], activation="identity"), X)
    with pytest.raises(ValueError, match="neither saturated nor dead"):
        plots.layer_fraction(ident)


def test_gradient_norms(circles):
    X, y, _, _ = circles
    grads = {"he_normal": gradient_stats(MLP([2, 10, 5, 1]), X, y), "zeros": gradient_stats(MLP([2, 10, 5, 1], init="zeros"), X, y)}
    ax = plots.gradient_norms(grads)
    check_labelled(ax)
    assert ax.get_yscale() == "log"
    assert "zeros: |dW| = 0 at every layer" in note_text(ax)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), grads["he_normal"].weight_norm)
    ax = plots.gradient_norms(grads["he_normal"], which="signal_std")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), grads["he_normal"].signal_std)
    check_readable(ax.figure)
    with pytest.raises(ValueError, match="which must be one of"):
        plots.gradient_norms(grads, which="norm")
    with pytest.raises(TypeError, match="grads must be a GradientStats"):
        plots.gradient_norms(History())


# --------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------


def test_training_curves(healthy):
    ax = plots.training_curves(healthy, chance=True)
    assert isinstance(ax, Axes)
    check_labelled(ax)
    assert ax.get_xlabel() == "epoch"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["zeros", "he_normal", "ln 2 (constant 0.5 output)"]
    ref = [ln for ln in ax.get_lines() if ln.get_label().startswith("ln 2")][0]
    assert ref.get_ydata()[0] == pytest.approx(np.log(2))
    check_readable(ax.figure)
    ax = plots.training_curves(healthy, metric="test_acc", chance=True)
    assert ax.get_ylim() == (-0.02, 1.02) and ax.get_yscale() == "linear"
    assert ax.get_ylabel() == "test accuracy"


def test_training_curves_log_option(healthy):
    assert plots.training_curves(healthy, log=True).get_yscale() == "log"
    assert plots.training_curves(healthy["zeros"], log=False).get_yscale() == "linear"


def test_training_curves_diverged_history(diverged, healthy):
    ax = plots.training_curves({"lr 50": diverged, "he_normal": healthy["he_normal"]})
    note = note_text(ax)
    assert "lr 50: training diverged at epoch" in note
    assert " ".join(diverged.message.split()) in note
    for y in line_ydata(ax):
        assert np.all(np.isfinite(y))
    check_readable(ax.figure)
    # alone, it is drawn up to its last value, on a log axis that does not overflow
    ax = plots.training_curves(diverged)
    assert ax.get_yscale() == "log"
    assert "training diverged" in note_text(ax)
    ax.figure.canvas.draw()


def test_training_curves_nan_values_are_not_drawn():
    h = History()
    h.epoch = np.array([0, 1, 2, 3])
    h.loss = np.array([0.7, 0.6, np.nan, np.inf])
    h.train_acc = np.array([0.5, np.nan, np.nan, np.nan])
    h.test_loss = h.test_acc = None
    ax = plots.training_curves({"run": h})
    assert "run: 2 non-finite value(s) of the training loss not drawn" in note_text(ax)
    for y in line_ydata(ax):
        assert np.all(np.isfinite(y))
    ax = plots.training_curves({"run": h}, metric="train_acc")
    assert "3 non-finite" in note_text(ax)


def test_training_curves_bad_input(healthy):
    h = il.train(MLP([2, 3, 1]), *data.circles(20, 0)[:2], epochs=2, lr=0.1)
    with pytest.raises(ValueError, match=r"histories\['a'\] has no test_acc: train with X_test"):
        plots.training_curves({"a": h}, metric="test_acc")
    with pytest.raises(ValueError, match="metric must be one of"):
        plots.training_curves(healthy, metric="accuracy")
    with pytest.raises(TypeError, match="histories must be a History or a dict"):
        plots.training_curves([h])
    with pytest.raises(TypeError, match=r"histories\['x'\] must be a History"):
        plots.training_curves({"x": 1.0})
    with pytest.raises(ValueError, match="at least one History"):
        plots.training_curves({})
    with pytest.raises(TypeError, match="log must be True, False or None"):
        plots.training_curves(healthy, log="auto")


# --------------------------------------------------------------------------
# Activation functions
# --------------------------------------------------------------------------


def test_activation_functions():
    fig = plots.activation_functions()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    f_ax, d_ax = fig.axes
    for ax in fig.axes:
        check_labelled(ax)
    assert [ln.get_label() for ln in f_ax.get_lines()[:3]] == ["sigmoid", "tanh", "relu"]
    sig = [ln for ln in d_ax.get_lines() if ln.get_label() == "sigmoid"][0]
    assert max(sig.get_ydata()) == pytest.approx(0.25, abs=1e-4)  # sigmoid'(0) = 1/4
    assert "max 1/4" in texts_of(d_ax)
    check_readable(fig)


def test_activation_functions_single_axes_and_given_axes():
    ax = plots.activation_functions(("tanh", il.activations.leaky(0.2)), derivative=False, z_range=(-3, 3))
    assert isinstance(ax, Axes)
    assert ax.get_xlim() == (-3.0, 3.0)
    fig, pair = plt.subplots(1, 2)
    assert plots.activation_functions("sigmoid", ax=pair) is fig


def test_activation_functions_bad_input():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        plots.activation_functions(("sigmoid", "swish"))
    with pytest.raises(ValueError, match="z_range must be finite with low < high"):
        plots.activation_functions(z_range=(2, -2))
    with pytest.raises(TypeError, match="z_range must be a pair of numbers"):
        plots.activation_functions(z_range=5)
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="ax must be a pair of Axes when derivative=True"):
        plots.activation_functions(ax=ax)
    with pytest.raises(ValueError, match="names must hold at least one activation"):
        plots.activation_functions(())


# --------------------------------------------------------------------------
# Every function: draws into a given ax without making figures
# --------------------------------------------------------------------------


def test_given_ax_is_used_and_no_figure_is_created(circles, healthy):
    X, y, _, _ = circles
    fig, axes = plt.subplots(2, 3)
    n = len(plt.get_fignums())
    calls = [
        lambda ax: plots.decision_boundary(MLP([2, 3, 1]), X, y, ax=ax, resolution=20),
        lambda ax: plots.weight_heatmap(np.ones((2, 3)), ax=ax),
        lambda ax: plots.layer_histograms_stacked([np.ones(4), np.zeros(4)], ax=ax),
        lambda ax: plots.layer_std([1.0, 0.5], ax=ax),
        lambda ax: plots.gradient_norms([1.0, 0.5], ax=ax),
        lambda ax: plots.training_curves(healthy, ax=ax),
    ]
    for ax, call in zip(axes.ravel(), calls):
        assert call(ax) is ax
    assert len(plt.get_fignums()) == n
    fig.canvas.draw()


def test_plots_accept_residual_networks(circles):
    """The network protocol: every plot that takes an MLP takes a ResidualMLP too."""
    X, y, _, _ = circles
    res = il.ResidualMLP(2, 8, 3, branch_scale=0.5, norm="batch", seed=0)
    ax = plots.decision_boundary(res, X, y, resolution=30)
    assert "he_normal" in ax.get_title()
    fig = plots.decision_boundaries({"mlp": MLP([2, 8, 1]), "residual": res}, X, y, resolution=30)
    assert len(fig.axes) == 3
    res.forward(X)
    fig = plots.layer_histograms(res)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes if ax.get_visible()] == ["block 1", "block 2", "block 3"]
    ax = plots.layer_std({"residual": activation_stats(res, X), "mlp": activation_stats(MLP([2, 8, 8, 1]), X)})
    assert len(ax.get_lines()) >= 2
    ax = plots.gradient_norms(gradient_stats(res, X, y))
    with pytest.raises(ValueError, match="net must take 2 inputs"):
        plots.decision_boundary(il.ResidualMLP(3, 4, 1), X, y)
    check_readable(fig)
