"""Tests for initlib.widgets: the frame function of every explorer over its whole
slider range (extremes included), divergence messages, the static HTML fallback,
the mime bundle, the live widget, determinism.

The explorers here are small (few layers, few units, few epochs) so that the
whole grid of each one is drawn in a few seconds; the book uses the defaults.
"""
import base64
import json
import re
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

import initlib as il  # noqa: E402
from initlib import widgets  # noqa: E402
from initlib.widgets.controls import _fmt  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(autouse=True)
def strict():
    """Warnings are errors: an explorer must not warn (overflow, log of 0, ...) on any value."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------- helpers ----


def small_scale(activation="tanh", **kw):
    return widgets.scale_explorer(activation, depth=4, width=40, n_samples=20, **kw)


def small_gain(activation="relu", **kw):
    return widgets.gain_explorer(activation, depth=5, width=30, n_samples=12, **kw)


def small_symmetry(**kw):
    kw.setdefault("epochs", 15)
    kw.setdefault("eps", [0.0, 1e-6, 1.0])  # the ends of the default range, and one value inside
    return widgets.symmetry_explorer(**kw)


def small_training(**kw):
    kw.setdefault("epochs", 15)
    kw.setdefault("scales", [0.01, 1.0, 100.0])  # the ends of the default range, and 1
    return widgets.training_explorer(**kw)


MAKERS = {"scale": small_scale, "gain": small_gain, "symmetry": small_symmetry, "training": small_training}


@pytest.fixture(scope="module")
def shared():
    """One small explorer of each kind, shared by the tests of this module (their frames are cached)."""
    made = {}

    def get(kind):
        if kind not in made:
            made[kind] = MAKERS[kind]()
        return made[kind]

    return get


def drawn_texts(fig):
    """The visible texts of ``fig``, with line breaks (from wrapping) as spaces."""
    return [" ".join(t.get_text().split()) for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def assert_nothing_nan_drawn(fig):
    """No artist of ``fig`` holds a NaN or infinite value it would draw, and no text says 'nan'."""
    for line in fig.findobj(Line2D):
        if not line.get_visible():
            continue
        for data in (line.get_xdata(), line.get_ydata()):
            data = np.ma.asarray(data, dtype=float)
            shown = data.compressed() if np.ma.isMaskedArray(data) else np.ravel(data)
            assert np.all(np.isfinite(shown)), f"line {line.get_label()!r} draws non-finite values"
    for patch in fig.findobj(StepPatch):
        values, edges, baseline = patch.get_data()
        assert np.all(np.isfinite(values)) and np.all(np.isfinite(edges)), "a histogram draws non-finite values"
    for cs in fig.findobj(ContourSet):
        assert np.all(np.isfinite(cs.levels)), "contour levels are not finite"
    for text in drawn_texts(fig):
        assert not re.search(r"\bnan\b", text), f"a text shows a NaN value: {text!r}"  # "NaN" in a message is fine


def live_positions(control):
    """Live slider positions to try: both ends, just inside them, and between grid values."""
    lo, hi = control.min, control.max
    mids = [(a + b) / 2 for a, b in zip(control._logs[:-1], control._logs[1:])]
    return [lo, lo + control.step, hi - control.step, hi] + mids[:3]


def static_payload(html):
    uid = re.search(r'id="(ilx-[0-9a-f]{12})"', html).group(1)
    blob = re.search(rf'<script type="application/json" id="{uid}-data">(.*?)</script>', html, re.S).group(1)
    return uid, json.loads(blob)


# ----------------------------------------------------------- the frame function ----


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_scale_explorer_every_slider_position(activation):
    ex = small_scale(activation)
    slider = ex.controls[0]
    values = list(slider.grid) + [slider.from_position(p) for p in live_positions(slider)]
    values += [0.0, 1e4]  # beyond the slider: still safe (scale 0 makes every std 0)
    for v in values:
        fig = ex.frame(v)
        assert_nothing_nan_drawn(fig)
        assert ex.render(v)[:8] == b"\x89PNG\r\n\x1a\n"
    texts = " ".join(drawn_texts(ex.frame(0.0)))
    assert "std = 0" in texts and "not drawn on the log scale" in texts
    texts = " ".join(drawn_texts(ex.frame(slider.grid[0])))
    assert f"scale = {_fmt(slider.grid[0])}" in texts


def test_scale_explorer_default_grid_and_start():
    ex = widgets.scale_explorer(depth=2, width=500, n_samples=4)
    grid = ex.controls[0].grid
    assert len(grid) == 17 and grid[0] == pytest.approx(1e-3) and grid[-1] == pytest.approx(10.0)
    # starts at the grid value nearest the stable scale 1 / sqrt(width) = 0.0447 for tanh
    assert ex.critical == pytest.approx(500 ** -0.5)
    assert ex.values[0] == pytest.approx(10 ** -1.25)
    # and every frame's headline says where the value sits against it
    assert ex._headline(ex.critical) == "scale = 0.0447: the stable scale 1/√500 = 0.0447"
    assert ex._headline(0.01) == "scale = 0.01: 0.224 × the stable scale 1/√500 = 0.0447"


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_gain_explorer_every_slider_position(activation):
    ex = small_gain(activation)
    slider = ex.controls[0]
    values = list(slider.grid) + [slider.from_position(p) for p in live_positions(slider)] + [1e-3, 50.0]
    for v in values:
        assert_nothing_nan_drawn(ex.frame(v))
        ex.render(v)
    crit = widgets.critical_gain(activation)
    assert crit in slider.grid and ex.values == (crit,)
    legend = " ".join(t.get_text() for t in ex.fig.legends[0].get_texts())
    assert "critical gain" in legend
    assert all(ax.get_yscale() == "log" for ax in ex.fig.axes)


def test_critical_gain():
    assert widgets.critical_gain("relu") == pytest.approx(np.sqrt(2))
    assert widgets.critical_gain("tanh") == 1.0
    with pytest.raises(ValueError, match="relu"):
        widgets.critical_gain("nope")


def test_gain_explorer_critical_gain_keeps_the_signal():
    ex = widgets.gain_explorer("relu", depth=10, width=200, n_samples=50)
    fwd, bwd = ex._stats(np.sqrt(2))
    assert 0.3 < fwd[-1] / fwd[0] < 3 and 0.3 < bwd[0] / bwd[-1] < 3
    fwd, _ = ex._stats(2 * np.sqrt(2))  # twice the critical gain: x2 per layer
    assert fwd[-1] / fwd[0] > 100


def test_symmetry_explorer_every_slider_position(shared):
    ex = shared("symmetry")
    slider = ex.controls[0]
    assert slider.grid[0] == 0.0 and slider.from_position(slider.min) == 0.0
    values = list(slider.grid) + [slider.from_position(p) for p in (slider.min + slider.step, slider.max)]
    for v in values:
        assert_nothing_nan_drawn(ex.frame(v))
    texts = " ".join(drawn_texts(ex.frame(0.0)))
    assert "eps = 0" in texts and "Distinct units: 1/10, 1/5" in texts
    assert "1 of 10, 1 of 5" in ex.describe(0.0)
    assert "10 of 10, 5 of 5" in ex.describe(1.0)


def test_training_explorer_every_control_position(shared):
    ex = shared("training")
    init, slider = ex.controls
    for name in init.grid:
        for v in list(slider.grid) + [slider.from_position(slider.min + slider.step)]:
            assert_nothing_nan_drawn(ex.frame(name, v))
    # a zero init is the same network at every scale: one frame for all
    assert ex.render("zeros", 0.01) is ex.render("zeros", 100.0)
    assert "0 × any scale = 0" in " ".join(drawn_texts(ex.frame("zeros", 1.0)))


@pytest.mark.parametrize("kind", ["symmetry", "training"])
def test_frames_kept_axes_are_those_of_cla_in_any_order(kind, monkeypatch):
    """The training explorers empty their axes without cla() (keeping the tick objects, a third faster):
    every frame, a diverged one included, is byte for byte the frame cla() gives, whatever came before it."""
    import random

    from initlib.widgets import symmetry, training

    def frames(order, clear):
        module = symmetry if kind == "symmetry" else training
        monkeypatch.setattr(module, "_clear", clear)
        # a linear network at these learning rates: some runs diverge, the others do not
        ex = MAKERS[kind](activation="identity", lr=2.0 if kind == "symmetry" else 0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a diverging run warns; its frame says so
            combos = ex.grid()
        return {tuple(combos[i]): ex.render(*combos[i]) for i in order(len(combos))}, ex

    by_cla, ex = frames(range, lambda ax: ax.cla())
    diverged = ["diverged" in ex.describe(*v) for v in by_cla]
    assert any(diverged) and not all(diverged), "frames of diverged and of finished runs, in turn"
    for order in (lambda n: reversed(range(n)), lambda n: random.Random(0).sample(range(n), n)):
        kept, _ = frames(order, widgets.render._clear)
        assert kept == by_cla


@pytest.mark.parametrize("kind", ["symmetry", "training"])
def test_divergence_is_a_message_in_the_figure(kind):
    # a linear network with a huge learning rate overflows in its first steps
    ex = MAKERS[kind](activation="identity", lr=10.0)
    values = (1.0,) if kind == "symmetry" else ("normal", 100.0)
    fig = ex.frame(*values)
    assert_nothing_nan_drawn(fig)
    texts = " ".join(drawn_texts(fig))
    assert re.search(r"training diverged at epoch \d+: the loss became infinite", texts), texts
    assert "training diverged at epoch" in ex.describe(*values)
    ex.render(*values)


def test_bad_values_raise_clear_errors():
    ex = small_scale()
    with pytest.raises(ValueError, match="scale must be >= 0, got -1.0"):
        ex.frame(-1.0)
    with pytest.raises(ValueError, match="scale must be finite, got nan"):
        ex.frame(float("nan"))
    with pytest.raises(TypeError, match="scale must be a real number"):
        ex.frame("big")
    with pytest.raises(TypeError, match="takes 1 value"):
        ex.frame(0.1, 0.2)
    with pytest.raises(ValueError, match="init"):
        small_training().frame("nope", 1.0)
    with pytest.raises(ValueError, match="scales must be > 0"):
        small_scale(scales=[0.0, 1.0])
    with pytest.raises(ValueError, match="sizes must go from 2 inputs to 1 output"):
        widgets.training_explorer(sizes=(3, 4, 1))


def test_log_slider_positions():
    s = widgets.LogSlider("eps", "noise", [0.0, 1e-4, 1e-2, 1.0], 0.0, zero=True)
    assert s.min == pytest.approx(-5.0) and s.max == 0.0
    assert s.from_position(-5.0) == 0.0 and s.text(0.0) == "eps = 0"
    assert s.from_position(-2.0) == 1e-2  # a grid value, exactly
    assert s.from_position(-4.5) == pytest.approx(10**-4.5)
    # the live step divides the grid spacing: every grid value is a slider position
    k = (np.log10(1e-2) - s.min) / s.step
    assert k == pytest.approx(round(k))
    assert s.to_position(0.0) == s.min and s.to_position(1e-2) == pytest.approx(-2.0)


# ----------------------------------------------------------------- static HTML ----


@pytest.mark.parametrize("kind", list(MAKERS))
def test_static_html_has_every_frame_and_the_controls(kind, shared):
    ex = shared(kind)
    html = ex.static_html()
    uid, data = static_payload(html)
    combos = ex.grid()
    assert len(data["frame_of"]) == len(combos) == len(data["alt"])  # one frame per grid value
    assert max(data["frame_of"]) == len(data["frames"]) - 1
    for k, values in enumerate(combos):
        png = base64.b64decode(data["frames"][data["frame_of"][k]])
        assert png == ex.render(*values)
        assert data["alt"][k] == ex.describe(*values)
    sliders = [c for c in ex.controls if isinstance(c, widgets.LogSlider)]
    assert html.count('type="range"') == len(sliders)
    for i, c in enumerate(ex.controls):
        if isinstance(c, widgets.LogSlider):
            assert f'max="{len(c.grid) - 1}"' in html
            assert f'aria-label="{c.label} (log scale)"' in html
            assert data["labels"][i] == [c.text(v) for v in c.grid]
            assert f">{c.text(ex.values[i])}</output>" in html  # the current value, labelled
        else:
            assert f'<select id="{uid}-c{i}"' in html and f'aria-label="{c.label}"' in html
            assert all(f">{o}</option>" in html for o in c.grid)
    assert re.search(r'<img id="[^"]+-img" src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="[^"]+"', html)
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert "</script>" not in html.split("-data\">", 1)[1].split("</script>", 1)[0]


def test_static_html_within_size_budget_and_labels():
    ex = small_scale(scales=[0.001, 0.01, 0.1, 1.0])
    html = ex.static_html()
    assert len(html.encode()) < 1.5e6
    assert "scale = 0.01" in html and "scale = 0.001" in html


def test_static_html_is_deterministic():
    assert small_scale(scales=[0.01, 0.1, 1.0]).static_html() == small_scale(scales=[0.01, 0.1, 1.0]).static_html()
    c = small_training(inits=("zeros", "he_normal"), scales=[0.1, 1.0]).static_html()
    d = small_training(inits=("zeros", "he_normal"), scales=[0.1, 1.0]).static_html()
    assert c == d


def test_frames_do_not_depend_on_the_order_of_values():
    a, b = small_scale(scales=[0.01, 0.1, 1.0]), small_scale(scales=[0.01, 0.1, 1.0])
    for v in reversed(a.controls[0].grid):
        a.render(v)
    first = a.controls[0].grid[0]
    assert a.render(first) == b.render(first)
    g1, g2 = small_gain(gains=[0.5, 1.0, 2.0]), small_gain(gains=[0.5, 1.0, 2.0])
    g1.render(g1.controls[0].grid[-1])
    assert g1.render(g1.controls[0].grid[0]) == g2.render(g2.controls[0].grid[0])


def test_deduplicated_frames_are_stored_once(shared):
    ex = shared("training")
    _, data = static_payload(ex.static_html())
    n = len(ex.controls[1].grid)
    assert len(data["frame_of"]) == 3 * n and len(data["frames"]) == 2 * n + 1  # zeros: one frame for all scales


# ------------------------------------------------------- mime bundle and live ----


def test_mime_bundle_has_widget_view_and_html(monkeypatch):
    monkeypatch.setenv(widgets.FRAMES_VARIABLE, "all")  # as the book build and nbval run the chapters
    ex = small_scale()
    bundle = ex._repr_mimebundle_()
    assert set(bundle) >= {"text/plain", "text/html", WIDGET_VIEW}
    assert bundle[WIDGET_VIEW]["model_id"] == ex.widget().model_id
    assert bundle["text/html"] == ex.static_html()
    assert bundle["text/plain"] == repr(ex)
    assert "0x" not in repr(ex)  # no memory address: nbval compares it


def test_a_readers_kernel_gets_the_widget_and_the_first_frame_only(monkeypatch):
    monkeypatch.delenv(widgets.FRAMES_VARIABLE, raising=False)
    ex = small_scale()
    drawn = []
    frame = ex.frame
    monkeypatch.setattr(ex, "frame", lambda *v: drawn.append(v) or frame(*v))
    bundle = ex._repr_mimebundle_()
    assert bundle[WIDGET_VIEW]["model_id"] == ex.widget().model_id
    assert drawn == [ex.values], f"displaying the explorer drew {len(drawn)} frames, not only the first"
    html = bundle["text/html"]
    first = base64.b64encode(ex.render(*ex.values)).decode("ascii")
    assert first in html and html.count("data:image/png") == 1 and "<script" not in html
    assert ex.describe(*ex.values) in html and "run the notebook in Jupyter" in html
    assert ex._html is None  # the static fallback was not computed
    monkeypatch.setenv(widgets.FRAMES_VARIABLE, "ALL ")
    assert ex._repr_mimebundle_()["text/html"] == ex.static_html()


def test_live_widget_updates_in_place():
    import ipywidgets as W

    ex = small_scale()
    box = ex.widget()
    assert ex.widget() is box
    slider = next(w for w in box.children[0].children if isinstance(w, W.FloatSlider))
    label = next(w for w in box.children[0].children if isinstance(w, W.Label))
    image = next(w for w in box.children if isinstance(w, W.Image))
    assert slider.continuous_update and not slider.readout
    before = image.value
    grid = ex.controls[0].grid
    slider.value = float(np.log10(grid[2]))  # a precomputed value
    assert image.value != before and label.value == ex.controls[0].text(grid[2])
    off_grid = (np.log10(grid[2]) + np.log10(grid[3])) / 2 + slider.step  # any value, not only the grid
    slider.value = off_grid
    value = ex.values[0]
    assert value not in grid and grid[2] < value < grid[3]
    assert image.value == ex.render(value)
    assert len(box.children) == 3  # the same three children: nothing stacked


def test_live_training_explorer_shows_computing():
    import ipywidgets as W

    ex = small_training(inits=("zeros", "he_normal"), scales=[0.1, 1.0], epochs=5)
    box = ex.widget()
    controls = box.children[0].children
    choice = next(w for w in controls if isinstance(w, W.ToggleButtons))
    slider = next(w for w in controls if isinstance(w, W.FloatSlider))
    status = controls[-1]
    assert not slider.continuous_update
    seen = []
    status.observe(lambda change: seen.append(change["new"]), names="value")
    assert choice.options == ("zeros", "he_normal") and choice.value == "he_normal"
    choice.value = "zeros"
    assert any("computing" in s for s in seen) and status.value == ""
    assert ex.values == ("zeros", 1.0)


def test_import_without_ipywidgets():
    code = (
        "import sys; sys.modules['ipywidgets'] = None\n"
        "import initlib\n"
        "ex = initlib.widgets.scale_explorer(depth=2, width=10, n_samples=5, scales=[0.1, 1.0])\n"
        "b = ex._repr_mimebundle_()\n"
        "assert 'text/html' in b and 'application/vnd.jupyter.widget-view+json' not in b, sorted(b)\n"
        "assert b['text/html'] == ex.static_html()  # without widgets: every frame, the only way to move\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
