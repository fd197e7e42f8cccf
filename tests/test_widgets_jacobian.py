"""Tests for initlib.widgets.jacobian_explorer: every control position (both slider ends and
live values between the grid's), what each frame draws, the static HTML fallback, the live
widget, determinism and bad input. A small network keeps the whole grid quick."""
import base64
import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

import initlib as il  # noqa: E402
from initlib import widgets  # noqa: E402


@pytest.fixture(autouse=True)
def strict():
    """Warnings are errors: no overflow, no log of 0, on any value."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def ex():
    return widgets.jacobian_explorer(width=16, depths=[1, 4, 16, 40])


def stairs(fig):
    return [p for p in fig.findobj(StepPatch)][0]


def test_every_control_position(ex):
    slider = ex.controls[0]
    positions = [slider.min, slider.min + slider.step, slider.max - slider.step, slider.max, 0.3, 0.9]
    for weights in ex.controls[1].grid:
        for activation in ex.controls[2].grid:
            for pos in positions:
                depth = slider.from_position(pos)
                fig = ex.frame(depth, weights, activation)
                values, edges, _ = stairs(fig).get_data()
                assert np.all(np.isfinite(values)) and np.all(np.isfinite(edges))
                d = min(max(int(round(depth)), 1), 40)
                sp = ex.spectrum(depth, weights, activation)
                assert sp.depth == d
                # the bars hold the nonzero singular values; the zeros are named, not drawn
                assert values.sum() == pytest.approx(1 - sp.zero_fraction)
                text = ex.describe(depth, weights, activation)
                assert f"depth {d}" in text and weights in text and activation in text
                assert ex.render(depth, weights, activation)[:4] == b"\x89PNG"


def test_frames_show_the_chapter_findings(ex):
    for depth in (1, 4, 16, 40):
        sp = ex.spectrum(depth, "orthogonal", "linear")
        np.testing.assert_allclose(sp.singular_values, 1.0, atol=1e-12)
    assert ex.spectrum(40, "Gaussian", "linear").spread > ex.spectrum(4, "Gaussian", "linear").spread
    assert ex.spectrum(16, "orthogonal", "relu").zero_fraction >= 0.25
    assert "median 1, spread 0.00 decades" in ex.describe(16, "orthogonal", "linear")
    assert "of them 0" in ex.describe(16, "Gaussian", "relu")
    # the spectrum of a live depth between grid values is that of the network of that depth
    net = il.MLP([16] * 8, activation="tanh", output="identity", init="orthogonal", seed=0)
    np.testing.assert_allclose(ex.spectrum(7, "orthogonal", "tanh").singular_values,
                               il.diagnostics.jacobian_spectrum(net, ex.x).singular_values, rtol=1e-12)


def test_static_html_has_every_frame_and_the_controls(ex):
    html = ex.static_html()
    uid = re.search(r'id="(ilx-[0-9a-f]{12})"', html).group(1)
    data = json.loads(re.search(rf'<script type="application/json" id="{uid}-data">(.*?)</script>', html, re.S).group(1))
    combos = ex.grid()
    assert len(combos) == 4 * 2 * 3 == len(data["frame_of"]) == len(data["alt"])
    for k, values in enumerate(combos):
        assert base64.b64decode(data["frames"][data["frame_of"][k]]) == ex.render(*values)
        assert data["alt"][k] == ex.describe(*values)
    assert html.count('type="range"') == 1 and html.count("<select") == 2
    assert "depth = 40" in html and ">Gaussian</option>" in html and ">relu</option>" in html
    assert len(html.encode()) < 1.5e6
    assert "http://" not in html and "https://" not in html


def test_static_html_is_deterministic_and_order_independent():
    a = widgets.jacobian_explorer(width=8, depths=[1, 5])
    b = widgets.jacobian_explorer(width=8, depths=[1, 5])
    b.render(5, "Gaussian", "relu")  # another frame first
    assert a.render(1, "orthogonal", "tanh") == b.render(1, "orthogonal", "tanh")
    assert a.static_html() == widgets.jacobian_explorer(width=8, depths=[1, 5]).static_html()


def test_default_explorer_and_repr():
    ex = widgets.jacobian_explorer()
    assert ex.values == (10.0, "orthogonal", "linear")
    assert [int(v) for v in ex.controls[0].grid] == [1, 3, 10, 30, 100, 200]
    assert repr(ex).startswith("JacobianExplorer(width=64, max_depth=200, seed=0; 6 precomputed values of depth from 1 to 200")
    assert "0x" not in repr(ex)


def test_live_widget_updates():
    import ipywidgets as W

    ex = widgets.jacobian_explorer(width=8, depths=[1, 5])
    box = ex.widget()
    image = next(w for w in box.children if isinstance(w, W.Image))
    before = image.value
    choice = [w for w in box.children[0].children if isinstance(w, W.ToggleButtons)][0]
    assert list(choice.options) == ["Gaussian", "orthogonal"]
    choice.value = "Gaussian"
    assert image.value != before
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_bad_input():
    with pytest.raises(ValueError, match="depths must be whole numbers of layers"):
        widgets.jacobian_explorer(depths=[1, 2.5])
    with pytest.raises(ValueError, match="depths must hold at least two values"):
        widgets.jacobian_explorer(depths=[3])
    with pytest.raises(ValueError, match="width must be a positive int"):
        widgets.jacobian_explorer(width=0)
    ex = widgets.jacobian_explorer(width=8, depths=[1, 5])
    with pytest.raises(ValueError, match="unknown weights 'uniform'"):
        ex.frame(2, "uniform", "tanh")
    with pytest.raises(TypeError, match=r"takes 3 value\(s\)"):
        ex.frame(2)


def test_every_arrow_key_on_the_depth_slider_gives_another_depth():
    """Live, the depth slider steps through a ladder of whole numbers: one key press, one new depth."""
    import ipywidgets as W

    ex = widgets.jacobian_explorer(width=8)
    depth = ex.controls[0]
    depths = [depth.from_position(p) for p in range(int(depth.max) + 1)]
    assert depths == sorted(set(depths)) and all(d == int(d) for d in depths)
    assert set(depth.grid) <= set(depths) and depths[0] == 1 and depths[-1] == 200
    assert depths[:10] == list(range(1, 11))  # every small depth is reachable
    ratios = np.array(depths[10:]) / np.array(depths[9:-1])
    assert ratios.max() < 1.2  # about log-spaced above 10, no big jumps
    for d in depths:
        assert depth.from_position(depth.to_position(d)) == d
    box = ex.widget()
    image = next(w for w in box.children if isinstance(w, W.Image))
    slider = next(w for w in box.children[0].children if isinstance(w, W.IntSlider))
    assert depth.from_position(slider.value) == 10
    for _ in range(3):  # 10 -> 11 -> 12 -> 13
        before = image.value
        slider.value += 1
        assert image.value != before
    assert ex.values[0] == 13


def test_integer_slider_refuses_fractions():
    from initlib.widgets.controls import LogSlider

    with pytest.raises(ValueError, match="depth must be positive whole numbers for an integer slider"):
        LogSlider("depth", "number of layers", [1, 2.5, 10], 1, integer=True)
    with pytest.raises(ValueError, match="positive whole numbers"):
        LogSlider("depth", "number of layers", [0, 1, 10], 1, zero=True, integer=True)
