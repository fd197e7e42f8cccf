"""Tests for the residual explorer (initlib/widgets/residual.py): every control position, the frame key that
shares frames between rules, the static HTML, the live widget, determinism, what it reports.

Like tests/test_widgets.py, warnings are errors and the explorers are small; the book uses the defaults.
"""
import base64
import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import initlib as il  # noqa: E402
from initlib import widgets  # noqa: E402
from test_widgets import assert_nothing_nan_drawn  # noqa: E402

RULES = ["α = 1", "α = 1/√L", "zero last layer", "free α"]


@pytest.fixture(autouse=True)
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def small(**kw):
    kw.setdefault("width", 16)
    kw.setdefault("n_samples", 8)
    kw.setdefault("blocks", [1, 4, 30])
    kw.setdefault("alphas", [0.1, 1.0])
    return widgets.residual_explorer(**kw)


@pytest.fixture(scope="module")
def shared():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return small()


def test_every_control_position(shared):
    ex = shared
    blocks, _, alphas = ex.controls
    live = [blocks.from_position(p) for p in (blocks.min, (blocks.min + blocks.max) / 2, blocks.max)]
    for L in list(blocks.grid) + live:
        for rule in RULES:
            for a in list(alphas.grid) + [alphas.from_position(alphas.min + alphas.step)]:
                fig = ex.frame(L, rule, a)
                assert_nothing_nan_drawn(fig)
                assert ex.render(L, rule, a)[:8] == b"\x89PNG\r\n\x1a\n"
    # the measured curves: forward and backward, drawn against l / L
    fwd, pred, back, _ = ex._lines
    ex.frame(30, "α = 1", 1.0)
    assert len(fwd.get_xdata()) == 31 and fwd.get_xdata()[-1] == 1.0
    assert np.ma.asarray(fwd.get_ydata())[-1] > 1e5 and np.ma.asarray(back.get_ydata())[0] > 1e5
    ex.frame(30, "zero last layer", 1.0)
    assert np.all(np.ma.asarray(fwd.get_ydata()) == 1.0) and np.all(np.ma.asarray(back.get_ydata()) == 1.0)


def test_what_a_frame_reports_follows_the_recursion():
    ex = small(width=64, n_samples=64, blocks=[10, 50])
    text = ex.describe(50, "α = 1", 1.0)
    factor = float(re.search(r"grows by a factor (\S+) from", text).group(1))
    assert abs(np.log(factor) / np.log(3 ** 25) - 1) < 0.03  # sqrt(3)^50 within a few percent in log scale
    for L in (10, 50):
        text = ex.describe(L, "α = 1/√L", 1.0)
        assert 2.0 < float(re.search(r"grows by a factor (\S+) from", text).group(1)) < 3.0  # bounded, near e
        assert "grows by a factor 1 from" in ex.describe(L, "zero last layer", 0.3)
    assert ex.describe(10, "free α", 0.1).startswith("10 blocks, α = 0.1:")
    assert "= 0.316" in ex.describe(10, "α = 1/√L", 0.1)


def test_rules_other_than_free_alpha_ignore_the_alpha_slider(shared):
    ex = shared
    assert ex.render(4, "α = 1", 0.1) == ex.render(4, "α = 1", 1.0)
    assert ex.render(4, "free α", 0.1) != ex.render(4, "free α", 1.0)
    # free α = 1 is the rule α = 1 (the headline and the curves are the same)
    assert ex.describe(4, "free α", 1.0).split(":", 1)[1] == ex.describe(4, "α = 1", 1.0).split(":", 1)[1]


def test_static_html_has_every_frame_and_shares_the_duplicates(shared):
    ex = shared
    html = ex.static_html()
    uid = re.search(r'id="(ilx-[0-9a-f]{12})"', html).group(1)
    data = json.loads(re.search(rf'<script type="application/json" id="{uid}-data">(.*?)</script>', html, re.S).group(1))
    combos = ex.grid()
    assert len(combos) == 3 * 4 * 2 and len(data["frame_of"]) == len(combos)
    # the alpha slider only changes the "free α" frames, and "free α" at 1 draws the frame of "α = 1"
    assert len(data["frames"]) == 3 * (3 + 2) - 3
    for k, values in enumerate(combos):
        assert base64.b64decode(data["frames"][data["frame_of"][k]]) == ex.render(*values)
        assert data["alt"][k] == ex.describe(*values)
    assert html.count('type="range"') == 2 and "<select" in html
    assert "http://" not in html and "https://" not in html
    assert len(html.encode()) < 1.5e6


def test_default_explorer_grid_and_start():
    ex = widgets.residual_explorer()
    blocks, rule, alpha = ex.controls
    assert blocks.grid == [1.0, 3.0, 10.0, 30.0, 100.0, 200.0] and ex.values == (30.0, "α = 1", 0.1)
    assert rule.grid == RULES and alpha.grid == [0.03, 0.1, 0.3, 1.0]
    assert blocks.text(30.0) == "L = 30"
    assert repr(ex).startswith("ResidualExplorer(width=64, n_samples=64, seed=0;")


def test_deterministic_and_independent_of_the_order_of_values():
    a, b = small(), small()
    a.render(30, "α = 1", 1.0)
    a.render(4, "zero last layer", 1.0)
    assert a.render(1, "free α", 0.1) == b.render(1, "free α", 0.1)
    assert small(blocks=[1, 4], alphas=[0.1, 1.0]).static_html() == small(blocks=[1, 4], alphas=[0.1, 1.0]).static_html()


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="blocks must be whole numbers"):
        small(blocks=[1, 2.5])
    with pytest.raises(ValueError, match="alphas must be > 0"):
        small(alphas=[0.0, 1.0])
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        small(n_samples=1)
    with pytest.raises(TypeError, match="width must be"):
        small(width="wide")
    ex = small()
    with pytest.raises(ValueError, match="rule"):
        ex.frame(4, "α = 2", 1.0)
    with pytest.raises(TypeError, match="takes 3 value"):
        ex.frame(4)


def test_live_widget_updates_in_place():
    pytest.importorskip("ipywidgets")
    ex = small()
    w = ex.widget()
    image = w.children[1]
    first = image.value
    controls = w.children[0].children
    controls[2].value = "zero last layer"  # the rule drop-down
    assert image.value != first and ex.values[1] == "zero last layer"
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_moving_free_alpha_chooses_its_rule_live():
    """Every move of every live control changes the figure: the free-α slider chooses the rule 'free α'."""
    pytest.importorskip("ipywidgets")
    import ipywidgets as W

    ex = small()
    w = ex.widget()
    image = w.children[1]
    row = w.children[0].children
    blocks, rule, alpha = (c for c in row if isinstance(c, (W.IntSlider, W.FloatSlider, W.ToggleButtons)))
    assert isinstance(blocks, W.IntSlider) and rule.value == "α = 1"
    first = image.value
    alpha.value = alpha.value + alpha.step
    assert rule.value == "free α" and ex.values[1] == "free α" and image.value != first
    assert ex.values[2] == pytest.approx(ex.controls[2].from_position(alpha.value))
    moved = image.value
    alpha.value = alpha.value - alpha.step  # the rule is already 'free α': the move draws again
    assert rule.value == "free α" and image.value != moved
    # every arrow key on the blocks slider gives another number of blocks
    before = image.value
    assert blocks.value == blocks.max  # 30 blocks, the end of the ladder: the key goes left
    blocks.value = blocks.value - 1
    assert image.value != before and ex.values[0] == 27


def test_static_html_links_free_alpha_to_its_rule(shared):
    html = shared.static_html()
    uid = re.search(r'id="(ilx-[0-9a-f]{12})"', html).group(1)
    # the link script comes before the frame script, so that the frame is chosen with the new rule
    links = html.index("controls[link[1]].value")
    assert links < html.index("data.frame_of[k]")
    assert f'[[2, 1, {RULES.index("free α")}]]' in html and f'"{uid}"' in html
