"""Tests for the normalization explorer (initlib.widgets.normalization) and its figure
(initlib.plots.layer_histograms_side_by_side), in the manner of tests/test_widgets.py:
every slider position (extremes and beyond), the claim it shows (the normalized side
does not change with the scale), the static HTML, the live widget, determinism.
"""
import base64
import warnings

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import initlib as il  # noqa: E402
from initlib import widgets  # noqa: E402
from test_widgets import assert_nothing_nan_drawn, drawn_texts, live_positions, static_payload  # noqa: E402


@pytest.fixture(autouse=True)
def strict():
    """Warnings are errors: an explorer must not warn (overflow, log of 0, ...) on any value."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def small(activation="tanh", **kw):
    return widgets.normalization_explorer(activation, depth=4, width=40, n_samples=20, **kw)


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_every_slider_position(activation):
    ex = small(activation)
    slider = ex.controls[0]
    values = list(slider.grid) + [slider.from_position(p) for p in live_positions(slider)]
    values += [1e-9, 1e6]  # beyond the slider: still safe
    for v in values:
        fig = ex.frame(v)
        assert_nothing_nan_drawn(fig)
        assert ex.render(v)[:8] == b"\x89PNG\r\n\x1a\n"
    texts = " ".join(drawn_texts(ex.frame(slider.grid[0])))
    assert "without normalization" in texts and "with batch norm" in texts and "Std per layer" in texts


def test_default_grid_start_and_repr():
    ex = widgets.normalization_explorer()
    grid = ex.controls[0].grid
    assert len(grid) == 9 and grid[0] == pytest.approx(0.01) and grid[-1] == pytest.approx(100.0)
    assert ex.values[0] == pytest.approx(10 ** -1.5)  # the grid value nearest 1/sqrt(500)
    assert repr(ex).startswith("NormalizationExplorer(activation='tanh', depth=10, width=500")
    assert "0x" not in repr(ex)


def test_normalized_side_does_not_change_with_the_scale():
    """The claim the explorer shows: the plain network collapses or saturates, the normalized one stays."""
    ex = small(scales=[0.01, 1.0, 100.0])
    stats = {s: ex._stats(s) for s in (0.01, 1.0, 100.0)}
    plain = {s: v[0][1] for s, v in stats.items()}
    normed = {s: v[1][1] for s, v in stats.items()}
    assert plain[0.01][-1] < 1e-3 * plain[1.0][-1]  # collapsed
    assert plain[100.0][-1] > 0.99  # saturated tanh
    for s in (0.01, 100.0):
        # eps = 1e-5 is the only difference: at scale 0.01 and width 40 it is 0.6 % of the variance
        np.testing.assert_allclose(normed[s], normed[1.0], rtol=5e-3)
    assert "with batch norm from" in ex.describe(0.01)


def test_layer_norm_and_bad_arguments():
    ex = small(norm="layer", scales=[0.1, 10.0])
    assert "with layer norm" in " ".join(drawn_texts(ex.frame(10.0)))
    with pytest.raises(ValueError, match="norm"):
        small(norm="group")
    with pytest.raises(ValueError, match="activation"):
        small("swish")
    with pytest.raises(ValueError, match="scales"):
        small(scales=[0.0, 1.0])
    with pytest.raises(ValueError, match="depth"):
        widgets.normalization_explorer(depth=0)


def test_static_html_has_every_frame():
    ex = small(scales=[0.01, 1.0, 100.0])
    html = ex.static_html()
    _, data = static_payload(html)
    assert len(data["frame_of"]) == 3 == len(data["alt"])
    for k, (value,) in enumerate(ex.grid()):
        assert base64.b64decode(data["frames"][data["frame_of"][k]]) == ex.render(value)
        assert data["alt"][k] == ex.describe(value)
    assert html.count('type="range"') == 1
    assert "http://" not in html and "https://" not in html
    assert small(scales=[0.01, 1.0, 100.0]).static_html() == html  # deterministic


def test_frames_do_not_depend_on_the_order_of_values():
    a, b = small(scales=[0.01, 1.0, 100.0]), small(scales=[0.01, 1.0, 100.0])
    for v in (100.0, 1.0):
        a.render(v)
    assert a.render(0.01) == b.render(0.01)


def test_live_widget_updates_in_place():
    import ipywidgets as W

    ex = small(scales=[0.01, 1.0, 100.0])
    box = ex.widget()
    slider = next(w for w in box.children[0].children if isinstance(w, W.FloatSlider))
    image = next(w for w in box.children if isinstance(w, W.Image))
    before = image.value
    slider.value = slider.max
    assert image.value != before and image.value == ex.render(ex.values[0])


# ------------------------------------------------------------------ the figure ----


def test_side_by_side_figure():
    rng = np.random.default_rng(0)
    panels = {"a": [rng.standard_normal(100) * 10.0**-k for k in range(3)], "b": [rng.standard_normal(100)] * 3}
    fig = il.plots.layer_histograms_side_by_side(panels, title="two networks")
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "Std per layer"]
    std_ax = fig.axes[-1]
    assert std_ax.get_yscale() == "log"
    np.testing.assert_allclose(std_ax.lines[0].get_ydata(), [np.std(a) for a in panels["a"]])
    assert len(il.plots.get_ridgeline(fig.axes[0]).stairs) == 3
    assert len(il.plots.layer_histograms_side_by_side(panels, show_std=False).axes) == 2


def test_side_by_side_bad_input():
    with pytest.raises(TypeError, match="panels must be a non-empty dict"):
        il.plots.layer_histograms_side_by_side([np.zeros(3)])
    with pytest.raises(ValueError, match="same number of layers"):
        il.plots.layer_histograms_side_by_side({"a": [np.zeros(3)], "b": [np.zeros(3)] * 2})
    with pytest.raises(TypeError, match="title"):
        il.plots.layer_histograms_side_by_side({"a": [np.ones(3)]}, title=3)
