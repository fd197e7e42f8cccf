r"""Interactive explorers: a slider that recomputes an experiment live in Jupyter
and still works in the static HTML book.

Each explorer is one call in a notebook cell; the object it returns displays as

- a **live widget** (ipywidgets 8) in a kernel -- JupyterLab, Notebook 7,
  VS Code, Colab: moving a control recomputes the experiment for *any* value
  in the slider's range and replaces the figure in place;
- a **static fallback** (``text/html``) in the built book, where there is no
  kernel: the frames for a grid of slider values are computed when the book is
  built, embedded as PNG images, and switched by a native
  ``<input type="range">`` (and ``<select>``) with a few lines of inline
  JavaScript. No network access, no third-party JavaScript.

Both modes go through **one frame function** per explorer, :meth:`Explorer.frame`
(values -> drawn figure: :mod:`initlib.diagnostics`, then :mod:`initlib.plots`),
and one encoder, :meth:`Explorer.render` (figure -> PNG bytes, cached per value).
The explorers only connect: they compute nothing the diagnostics do not
return and draw nothing the plot functions do not draw.

=======================  ================================  ==========================================
explorer                 control                           figure
=======================  ================================  ==========================================
:func:`scale_explorer`   init scale (log)                  activation histograms, std, saturated/dead
:func:`gain_explorer`    gain (log)                        forward std and backward gradient std
:func:`symmetry_explorer`  noise eps (log, with 0)         distinct units, decision boundary, accuracy
:func:`training_explorer`  init method, scale (log)        loss curve and decision boundary
=======================  ================================  ==========================================

ipywidgets is imported only when a live widget is made: ``import initlib``
works without it, and the static fallback needs only matplotlib.

Examples
--------
>>> ex = scale_explorer(depth=3, width=50, n_samples=20, scales=[0.01, 0.1, 1.0])
>>> ex
ScaleExplorer(activation='tanh', depth=3, width=50, n_samples=20, seed=0; 3 precomputed values of scale from 0.01 to 1)
>>> png = ex.render(0.1)                      # the live update path: value -> PNG bytes
>>> png[:4] == b"\x89PNG"
True
>>> html = ex.static_html()                   # what the HTML book shows
>>> html.count('type="range"')
1

Used in: the symmetry, saturation and He-scaling chapters, and the
"Interactive explorers" appendix.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html as _html
import io
import json
import math
import numbers
import textwrap
import warnings
from collections import OrderedDict

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import activations as _activations
from . import data as _data
from . import init as _init
from . import plots
from ._validate import check_choice, check_positive_float, check_positive_int
from .diagnostics import activation_stats, gradient_stats, symmetry
from .mlp import MLP
from .train import train

__all__ = [
    "Explorer",
    "LogSlider",
    "Choice",
    "scale_explorer",
    "gain_explorer",
    "symmetry_explorer",
    "training_explorer",
    "critical_gain",
]

DPI = 72
"""Resolution of every frame: a 7 in wide figure is 504 pixels wide."""

PNG_COLORS = 128
"""Frames are stored as palette PNGs with at most this many colours (about a
third of the bytes of a full-colour PNG, with no visible difference on these
flat, line-art figures)."""

CACHE_SIZE = 256
"""Frames kept per explorer (PNG bytes, about 15 kB each)."""


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

_BLAS = None


def _one_blas_thread():
    """Run BLAS on one thread while a frame is computed.

    The matrices of an explorer are small (a few hundred rows): a second BLAS
    thread gains little on an idle machine, and on a busy 2-core machine the
    spinning threads of OpenBLAS make a matrix product ten times slower. Uses
    threadpoolctl when it is installed, else does nothing.
    """
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # optional: only speed depends on it
            _BLAS = False
        else:
            _BLAS = ThreadpoolController()
    if _BLAS is False:
        return contextlib.nullcontext()
    return _BLAS.limit(limits=1, user_api="blas")


def _fmt(value):
    """A slider value for people: 3 significant digits, no trailing zeros."""
    if value == 0:
        return "0"
    return f"{value:.3g}"


def _fmt_gain(value):
    for v, text in ((math.sqrt(2.0), "√2"), (5.0 / 3.0, "5/3")):
        if abs(value - v) < 1e-9:
            return f"{text} = {value:.3g}"
    return _fmt(value)


def _check_value(value, name, minimum=0.0):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < minimum:
        raise ValueError(f"{name} must be a finite number >= {minimum:g}, got {value}")
    return value


def _check_grid(values, name, *, zero=False):
    """Sorted, distinct, positive (or one 0 first, if ``zero``) finite values."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
    if arr.size < 2:
        raise ValueError(f"{name} must hold at least two values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    arr = np.unique(arr)
    if (arr < 0).any() or (not zero and (arr <= 0).any()):
        raise ValueError(f"{name} must be > 0{' (or exactly 0)' if zero else ''} for a log slider, got {arr}")
    if np.count_nonzero(arr > 0) < 2:
        raise ValueError(f"{name} must hold at least two positive values for a log slider, got {arr}")
    return [float(v) for v in arr]


def _png(canvas):
    """Encode the Agg buffer of a drawn canvas as a palette PNG (deterministic bytes)."""
    from PIL import Image  # a dependency of matplotlib

    w, h = canvas.get_width_height()
    im = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    im = im.quantize(colors=PNG_COLORS, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    im.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _png_size(png):
    """(width, height) from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _new_figure(width, height):
    """A figure of its own (not pyplot's: Jupyter must not show it by itself) on an Agg canvas."""
    with plots.style():
        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _log_limits(arrays, decades=0.3):
    """Limits of a log axis showing every positive finite value of ``arrays`` (1e+-100 at most)."""
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return 1e-4, 10.0
    lo = max(np.log10(vals.min()) - decades, -100.0)
    hi = min(np.log10(vals.max()) + decades, 100.0)
    if hi - lo < 1.0:
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    return 10.0**lo, 10.0**hi


def _layers_text(layers):
    layers = [int(v) for v in layers]
    if len(layers) == 1:
        return f"layer {layers[0]}"
    if layers == list(range(layers[0], layers[-1] + 1)):
        return f"layers {layers[0]}-{layers[-1]}"
    return "layers " + ", ".join(map(str, layers))


class _LogCurve:
    """A per-layer curve on a fixed log axis, updated in place; what it cannot show is named in a note."""

    def __init__(self, line, note, quantity):
        self.line = line
        self.note = note
        self.quantity = quantity

    def update(self, values, prefix=""):
        v = np.asarray(values, dtype=float)
        lo, hi = self.line.axes.get_ylim()
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(v) | (v <= 0)
            high = ~bad & (v > hi)
            low = ~bad & (v < lo)
        self.line.set_ydata(np.ma.masked_array(np.where(bad, 1.0, v), mask=bad))
        layers = np.arange(1, v.size + 1)
        msgs = []
        if bad.any():
            what = "= 0" if np.all(np.isfinite(v[bad])) else "= 0 or not finite"
            msgs.append(f"{prefix}{self.quantity} {what} at {_layers_text(layers[bad])} (not drawn on the log scale)")
        if high.any():
            msgs.append(f"{prefix}{self.quantity} above the axis at {_layers_text(layers[high])} (up to {v[high].max():.2g})")
        if low.any():
            msgs.append(f"{prefix}{self.quantity} below the axis at {_layers_text(layers[low])} (down to {v[low].min():.2g})")
        return msgs


def _set_note(note, msgs, width=48):
    note.set_text("\n".join(textwrap.fill(m, width) for m in msgs))
    note.set_visible(bool(msgs))


# --------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------


class LogSlider:
    """A slider over a log scale, optionally with exactly 0 at its left end.

    In a kernel it is an ipywidgets ``FloatSlider`` over ``log10(value)``
    (any value in the range); in the static book an ``<input type="range">``
    over the precomputed ``grid``. The leftmost position of a slider with
    ``zero=True`` is the value 0 (one decade left of the smallest positive
    grid value), so "no noise at all" sits next to "a little noise".

    Parameters
    ----------
    name : str
        The symbol shown with the value, as in ``"scale = 0.01"``.
    label : str
        What the slider changes, for the visible label and the aria-label.
    grid : sequence of float
        Precomputed values (sorted; positive, and 0 first if ``zero``).
    value : float
        Initial value, one of ``grid``.
    zero : bool, default False
    fmt : callable, optional
        Formats a value (default: 3 significant digits).
    """

    kind = "slider"

    def __init__(self, name, label, grid, value, zero=False, fmt=None):
        self.name = name
        self.label = label
        self.zero = bool(zero)
        self.grid = _check_grid(grid, name, zero=self.zero)
        self.fmt = fmt or _fmt
        pos = [g for g in self.grid if g > 0]
        self._logs = np.log10(pos)
        self.min = float(self._logs[0]) - (1.0 if self.zero and self.grid[0] == 0 else 0.0)
        self.max = float(self._logs[-1])
        steps = np.diff(self._logs)
        uniform = steps.size and np.allclose(steps, steps[0], rtol=1e-6)
        # live steps divide the grid spacing, so that every grid value is a slider position
        self.step = float(steps[0] / max(1, math.ceil(steps[0] / 0.02))) if uniform else 0.01
        self.value = self.snap(value)

    def text(self, value):
        """``"scale = 0.01"``: the label of a value, the same in both modes."""
        return f"{self.name} = {self.fmt(value)}"

    def snap(self, value):
        """``value`` as a float, replaced by the grid value it equals up to rounding."""
        value = float(value)
        for g in self.grid:
            if g == value or (g > 0 and value > 0 and abs(math.log10(value) - math.log10(g)) < 1e-6):
                return g
        return value

    def from_position(self, position):
        """The value at a live slider position (a log10, or the left end for 0)."""
        position = float(position)
        if self.zero and position <= self.min + 1e-9:
            return 0.0
        return self.snap(10.0 ** position)

    def to_position(self, value):
        return self.min if value == 0 else float(np.clip(math.log10(value), self.min, self.max))

    def live(self, continuous_update=True):
        """``(control, label)`` ipywidgets for a kernel."""
        import ipywidgets as W

        slider = W.FloatSlider(
            value=self.to_position(self.value), min=self.min, max=self.max, step=self.step,
            readout=False, continuous_update=continuous_update, description=self.name,
            description_allow_html=False, layout=W.Layout(width="320px"),
            tooltip=f"{self.label} (log scale)",
        )
        label = W.Label(self.text(self.value), layout=W.Layout(min_width="140px"))
        return slider, label

    def live_value(self, control):
        return self.from_position(control.value)

    def __repr__(self):
        return f"LogSlider({self.name!r}, {len(self.grid)} values from {self.fmt(self.grid[0])} to {self.fmt(self.grid[-1])})"


class Choice:
    """A drop-down choice: ipywidgets ``Dropdown`` live, ``<select>`` in the static book.

    Parameters
    ----------
    name : str
    label : str
    options : sequence of str
    value : str
    """

    kind = "choice"

    def __init__(self, name, label, options, value):
        self.name = name
        self.label = label
        self.grid = [str(o) for o in options]
        if not self.grid:
            raise ValueError(f"{name} must offer at least one option")
        self.value = check_choice(value, name, self.grid)

    def text(self, value):
        return f"{self.name} = {value}"

    def snap(self, value):
        return check_choice(value, self.name, self.grid)

    def live(self, continuous_update=True):
        import ipywidgets as W

        dd = W.Dropdown(options=self.grid, value=self.value, description=self.name, layout=W.Layout(width="220px"))
        return dd, None

    def live_value(self, control):
        return control.value

    def __repr__(self):
        return f"Choice({self.name!r}, {self.grid})"


# --------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------

_JS = """(function () {
  var root = document.getElementById("%(id)s");
  if (!root) { return; }
  var data = JSON.parse(document.getElementById("%(id)s-data").textContent);
  var img = document.getElementById("%(id)s-img");
  var caption = document.getElementById("%(id)s-caption");
  var controls = root.querySelectorAll("[data-ilx-control]");
  function show() {
    var k = 0;
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i], pos = parseInt(c.value, 10), text = data.labels[i][pos];
      k += pos * data.strides[i];
      if (c.type === "range") {
        c.setAttribute("aria-valuetext", text);
        document.getElementById(c.id + "-out").textContent = text;
      }
    }
    img.src = "data:image/png;base64," + data.frames[data.frame_of[k]];
    img.alt = data.alt[k];
    caption.textContent = data.alt[k];
    root.setAttribute("data-ilx-frame", String(k));
  }
  for (var i = 0; i < controls.length; i++) {
    controls[i].addEventListener("input", show);
    controls[i].addEventListener("change", show);
  }
  root.setAttribute("data-ilx-ready", "1");
})();"""

_CSS = (
    "display:flex;flex-wrap:wrap;align-items:center;gap:0.4em 1em;margin:0.3em 0;"
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:0.9rem"
)


class Explorer:
    """An experiment with controls, shown live in a kernel and as precomputed frames in static HTML.

    The public methods, shared by every explorer:

    - :meth:`frame` ``(*values) -> Figure``: the frame function, the one code
      path of both modes;
    - :meth:`render` ``(*values) -> bytes``: the frame as PNG, cached per
      value: what a live slider move shows and what the static book embeds;
    - :meth:`describe` ``(*values) -> str``: one sentence on what the frame
      shows, its alt text and caption;
    - :meth:`static_html`, :meth:`widget`: the two views, both in
      ``_repr_mimebundle_``.

    Subclasses implement ``_setup()`` (make ``self.fig`` and its artists
    once) and ``_draw(values)`` (compute through :mod:`initlib.diagnostics`,
    draw through :mod:`initlib.plots`, and return the description). With
    ``blit = True`` the artists listed in ``self._animated`` are updated in
    place and redrawn over a background drawn once (the axes, ticks and
    labels, which do not change with the values).

    Attributes
    ----------
    controls : list of LogSlider or Choice
    values : tuple
        The current values (the initial ones until a live control moves).
    fig : matplotlib.figure.Figure
        The figure :meth:`frame` draws on (not made through pyplot).
    continuous_update : bool
        False for explorers that train: the live widget recomputes when the
        slider is released and shows "computing..." meanwhile.
    """

    kind = "explorer"
    title = "Explorer"
    continuous_update = True
    blit = False

    def __init__(self, controls):
        self.controls = list(controls)
        self.values = tuple(c.value for c in self.controls)
        self._initial = self.values  # where the static version starts, whatever the live one did
        self.fig = None
        self._animated = []
        self._background = None
        self._cache = OrderedDict()
        self._alt = OrderedDict()
        self._widget = None
        self._html = None

    # -- to implement -----------------------------------------------------
    def _setup(self):
        raise NotImplementedError

    def _draw(self, values):
        """Draw the frame for ``values``; return its one-sentence description."""
        raise NotImplementedError

    def describe(self, *values):
        """One sentence saying what the frame for ``values`` shows: its alt text and caption."""
        values = self._check(values)
        key = self._frame_key(values)
        if key not in self._alt:
            self.frame(*values)
        return self._alt[key]

    def _frame_key(self, values):
        """What determines the frame: values that give the same key share one (cached) frame."""
        return values

    def _params(self):
        return {}

    # -- values -------------------------------------------------------------
    def _check(self, values):
        if len(values) != len(self.controls):
            names = ", ".join(c.name for c in self.controls)
            raise TypeError(f"{type(self).__name__} takes {len(self.controls)} value(s) ({names}), got {len(values)}")
        out = []
        for c, v in zip(self.controls, values):
            if isinstance(c, LogSlider):
                out.append(c.snap(_check_value(v, c.name)))
            else:
                out.append(c.snap(v))
        return tuple(out)

    def grid(self):
        """Every combination of the controls' precomputed values, in the static book's order."""
        combos = [()]
        for c in self.controls:
            combos = [k + (v,) for k in combos for v in c.grid]
        return combos

    # -- the frame function ---------------------------------------------------
    def frame(self, *values):
        """Draw the experiment for ``values`` (one per control) and return the figure.

        The single code path of both modes: the live widget and the static
        frames both call it (through :meth:`render`). Any value a control can
        take is safe: what cannot be drawn is named in the figure.
        """
        values = self._check(values)
        with _one_blas_thread(), np.errstate(all="ignore"), warnings.catch_warnings():
            # a diverging run warns; its message is written in the figure instead
            warnings.simplefilter("ignore", RuntimeWarning)
            if self.fig is None:
                self._setup()
                if self.blit:
                    for artist in self._animated:
                        artist.set_animated(True)
                    # layout and every static artist are drawn once, from the
                    # placeholders of _setup: independent of which value comes first
                    self.fig.canvas.draw()
                    self.fig.set_layout_engine("none")
                    self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
            self._alt[self._frame_key(values)] = self._draw(values)
            while len(self._alt) > 4 * CACHE_SIZE:
                self._alt.popitem(last=False)
        return self.fig

    def _paint(self):
        """Rasterize the figure: the saved background plus the changing artists, or a full draw."""
        canvas = self.fig.canvas
        if self.blit:
            canvas.restore_region(self._background)
            for artist in self._animated:
                if artist.get_visible():
                    self.fig.draw_artist(artist)
        else:
            canvas.draw()
        return canvas

    def render(self, *values):
        """PNG bytes of the frame for ``values`` (cached): what a slider move shows."""
        values = self._check(values)
        key = self._frame_key(values)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        self.frame(*values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            png = _png(self._paint())
        self._cache[key] = png
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return png

    def clear_cache(self):
        """Forget the rendered frames (the benchmark measures uncached updates)."""
        self._cache.clear()

    # -- static mode --------------------------------------------------------
    def static_html(self):
        """The ``text/html`` fallback: every precomputed frame, the controls and a little JavaScript.

        Element ids derive from a hash of the content, so the same explorer
        gives the same HTML on every run.
        """
        if self._html is not None:
            return self._html
        combos = self.grid()
        pngs = [self.render(*v) for v in combos]
        frames, frame_of, seen = [], [], {}
        for p in pngs:
            if p not in seen:  # identical frames (a zero init at every scale) are stored once
                seen[p] = len(frames)
                frames.append(base64.b64encode(p).decode("ascii"))
            frame_of.append(seen[p])
        alts = [self.describe(*v) for v in combos]
        strides, s = [], 1
        for c in reversed(self.controls):
            strides.insert(0, s)
            s *= len(c.grid)
        labels = [[c.text(v) for v in c.grid] for c in self.controls]
        payload = {"frames": frames, "frame_of": frame_of, "alt": alts, "labels": labels, "strides": strides}
        blob = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        uid = "ilx-" + hashlib.sha1((repr(self) + blob).encode()).hexdigest()[:12]
        start = tuple(c.grid.index(v) for c, v in zip(self.controls, self._initial))
        k0 = sum(i * st for i, st in zip(start, strides))
        w, h = _png_size(pngs[k0])
        esc = _html.escape
        safe_blob = blob.replace("<", "\\u003c")  # no "</script>" inside the JSON
        parts = [
            f'<div class="initlib-explorer" id="{uid}" data-ilx-kind="{esc(self.kind)}" data-ilx-frame="{k0}" '
            f'style="margin:0.5em 0 1em 0">',
            f'<div class="ilx-controls" role="group" aria-label="{esc(self.title)}: controls" style="{_CSS}">',
        ]
        for i, c in enumerate(self.controls):
            cid = f"{uid}-c{i}"
            if isinstance(c, LogSlider):
                n = len(c.grid) - 1
                txt = c.text(c.grid[start[i]])
                parts.append(
                    f'<label for="{cid}">{esc(c.label)}</label>'
                    f'<input type="range" id="{cid}" data-ilx-control="{esc(c.name)}" min="0" max="{n}" step="1" '
                    f'value="{start[i]}" aria-label="{esc(c.label)} (log scale)" aria-valuetext="{esc(txt)}" '
                    f'style="width:16em;max-width:60vw">'
                    f'<output id="{cid}-out" for="{cid}" aria-live="polite" style="min-width:9em;font-weight:600">'
                    f"{esc(txt)}</output>"
                )
            else:
                opts = "".join(
                    f'<option value="{j}"{" selected" if j == start[i] else ""}>{esc(o)}</option>'
                    for j, o in enumerate(c.grid)
                )
                parts.append(
                    f'<label for="{cid}">{esc(c.label)}</label>'
                    f'<select id="{cid}" data-ilx-control="{esc(c.name)}" aria-label="{esc(c.label)}">{opts}</select>'
                )
        parts += [
            "</div>",
            f'<img id="{uid}-img" src="data:image/png;base64,{frames[frame_of[k0]]}" alt="{esc(alts[k0])}" '
            f'width="{w}" height="{h}" style="max-width:100%;height:auto;display:block">',
            f'<p id="{uid}-caption" style="font-size:0.85rem;margin:0.2em 0;color:#333">{esc(alts[k0])}</p>',
            f'<p style="font-size:0.8rem;margin:0;color:#555">Static version: {len(combos)} precomputed '
            f'frame{"s" if len(combos) != 1 else ""}. Run the notebook in Jupyter to recompute for any value.</p>',
            f'<script type="application/json" id="{uid}-data">{safe_blob}</script>',
            f"<script>{_JS % {'id': uid}}</script>",
            "</div>",
        ]
        self._html = "\n".join(parts)
        return self._html

    # -- live mode ----------------------------------------------------------
    def widget(self):
        """The live ipywidgets view (made once): the controls, the figure as an Image, a status line."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as W

        rows, live = [], []
        for c in self.controls:
            control, label = c.live(self.continuous_update)
            live.append((c, control, label))
            rows += [control] + ([label] if label is not None else [])
        status = W.HTML("", layout=W.Layout(min_width="10em"))
        image = W.Image(value=self.render(*self.values), format="png", layout=W.Layout(max_width="100%"))
        caption = W.HTML(_html.escape(self.describe(*self.values)))

        def update(change=None):
            values = tuple(c.live_value(control) for c, control, _ in live)
            for c, control, label in live:
                if label is not None:
                    label.value = c.text(c.live_value(control))
            if not self.continuous_update and self._frame_key(values) not in self._cache:
                status.value = "<i>computing…</i>"  # sent now: the frontend shows it while we train
            try:
                png = self.render(*values)
            except Exception as exc:  # never leave a broken figure: say what happened
                status.value = _html.escape(f"could not draw this value: {exc}")
                return
            self.values = values
            image.value = png  # replaced in place: no stacked outputs
            caption.value = _html.escape(self.describe(*values))
            status.value = ""

        for _, control, _ in live:
            control.observe(update, names="value")
        self._widget = W.VBox(
            [W.HBox(rows + [status], layout=W.Layout(flex_flow="row wrap", align_items="center")), image, caption]
        )
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self), "text/html": self.static_html()}
        try:
            view = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the static version works everywhere
            return bundle
        key = "application/vnd.jupyter.widget-view+json"
        if view and key in view:
            bundle[key] = view[key]
        return bundle

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        grids = "; ".join(
            f"{len(c.grid)} precomputed values of {c.name} from {c.fmt(c.grid[0])} to {c.fmt(c.grid[-1])}"
            if isinstance(c, LogSlider) else f"{c.name} in {c.grid}"
            for c in self.controls
        )
        return f"{type(self).__name__}({params}; {grids})"


# --------------------------------------------------------------------------
# Deep networks whose weights are a fixed draw times a factor
# --------------------------------------------------------------------------


class _ScaledNet:
    """A deep MLP with weights ``factor * W0``: ``W0`` is drawn once, the factor is set in place."""

    def __init__(self, activation, depth, width, n_samples, seed, base="normal"):
        self.depth = check_positive_int(depth, "depth")
        self.width = check_positive_int(width, "width")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        sizes = [self.width] * (self.depth + 1) + [1]
        # base "normal": standard normal weights (the scale explorer's "normal times scale");
        # base "he": std 1/sqrt(fan_in), so that the factor is the gain of std = gain / sqrt(fan_in)
        kwargs = {"gain": 1.0} if base == "he" else {}
        self.net = MLP(sizes, activation=activation, init="normal" if base == "normal" else "he_normal",
                       seed=seed, init_kwargs=kwargs)
        self.W0 = [w.copy() for w in self.net.W]
        rng = np.random.default_rng([seed, 1])
        self.X = rng.standard_normal((self.n_samples, self.width))
        self.y = (rng.random((self.n_samples, 1)) < 0.5).astype(float)
        self.factor = None

    def set(self, factor):
        if factor != self.factor:
            for W, W0 in zip(self.net.W, self.W0):
                np.multiply(W0, factor, out=W)
            self.factor = factor
        return self.net


# --------------------------------------------------------------------------
# scale_explorer
# --------------------------------------------------------------------------


class ScaleExplorer(Explorer):
    """Init scale -> per-layer activation histograms, std, and saturated or dead fraction.

    Made by :func:`scale_explorer`.
    """

    kind = "scale"
    title = "Init scale explorer"
    blit = True

    def __init__(self, activation, depth, width, n_samples, scales, seed):
        self.activation = _activations.get(activation)
        self.seed = seed
        self.model = _ScaledNet(self.activation, depth, width, n_samples, seed)
        if scales is None:
            scales = 10.0 ** np.linspace(-3.0, 1.0, 17)
        grid = _check_grid(scales, "scales")
        # the scale that keeps the signal's size: critical gain / sqrt(fan_in) (1/sqrt(500) for tanh)
        critical = self.critical = critical_gain(self.activation) / math.sqrt(self.model.width)
        start = min(grid, key=lambda s: abs(math.log10(s / critical)))
        super().__init__([LogSlider("scale", "init scale", grid, start)])
        self._fraction = self.activation.saturates  # "saturated", "dead" or None

    def _params(self):
        return {"activation": self.activation.name, "depth": self.model.depth, "width": self.model.width,
                "n_samples": self.model.n_samples, "seed": self.seed}

    def _stats(self, scale):
        net = self.model.set(scale)
        return net, activation_stats(net, self.model.X)

    def _setup(self):
        depth = self.model.depth
        grid = self.controls[0].grid
        # the std axis is fixed over the slider's range (std grows with the scale): the two ends set it
        ends = [self._stats(s)[1].std[:depth].copy() for s in (grid[0], grid[-1])]
        fig = self.fig = _new_figure(7.0, float(np.clip(1.9 + 0.28 * depth, 3.8, 5.8)))
        has_frac = self._fraction is not None
        gs = fig.add_gridspec(2 if has_frac else 1, 2, width_ratios=[1.45, 1.0])
        ax_h = fig.add_subplot(gs[:, 0])
        ax_s = fig.add_subplot(gs[0, 1])
        placeholder = [np.linspace(-0.5, 0.5, 11)] * depth
        fixed = self.activation.name in ("tanh", "sigmoid")
        plots.layer_histograms_stacked(placeholder, activation=self.activation if fixed else None, ax=ax_h,
                                       max_values=20_000, show_std=False,
                                       title=f"Activations of {depth} {self.activation.name} layers")
        self.ridge = plots.get_ridgeline(ax_h)
        ax_h.xaxis.set_major_locator(MaxNLocator(nbins=5))  # readable at 72 dpi
        if depth > 12:  # keep the layer labels readable
            for i, lab in enumerate(ax_h.get_yticklabels()):
                lab.set_visible(i % -(-depth // 12) == 0)
        plots.layer_std({"std": np.ones(depth)}, ax=ax_s, title="Std per layer")
        if ax_s.get_legend() is not None:
            ax_s.get_legend().remove()
        ax_s.set_ylim(*_log_limits(ends))
        self._std = _LogCurve(ax_s.lines[0], plots._note(ax_s, ["-"], loc="lower left"), "std")
        self._animated = list(self.ridge.stairs) + list(self.ridge.labels) + [self.ridge.note]
        self._animated += [ax_s.lines[0], self._std.note]
        if not fixed:  # the x range follows the data: its axis is redrawn with every frame
            self._animated.append(ax_h.xaxis)
        if has_frac:
            ax_f = fig.add_subplot(gs[1, 1], sharex=ax_s)
            plots.layer_fraction({"fraction": np.zeros(depth)}, ax=ax_f, kind=self._fraction,
                                 title=f"{self._fraction.capitalize()} units per layer")
            if ax_f.get_legend() is not None:
                ax_f.get_legend().remove()
            self._frac_line = ax_f.lines[0]
            self._animated.append(self._frac_line)
        # the value, in a suptitle laid out once with a placeholder and redrawn with every frame
        self._value_text = fig.suptitle(self._headline(self.critical), fontsize=10, fontweight="bold")
        self._animated.append(self._value_text)

    def _headline(self, scale):
        """The value, and where it sits against the stable scale (the marker of the slider's range)."""
        width, ratio = self.model.width, scale / self.critical
        gain = critical_gain(self.activation)
        stable = f"{'1' if gain == 1 else _fmt_gain(gain).split(' =')[0]}/√{width} = {_fmt(self.critical)}"
        if ratio > 0 and abs(math.log10(ratio)) < 0.01:
            where = "the stable scale"
        else:
            where = f"{_fmt(ratio)} × the stable scale"
        return f"scale = {_fmt(scale)}: {where} {stable}"

    def _draw(self, values):
        (scale,) = values
        depth = self.model.depth
        net, stats = self._stats(scale)
        self.ridge.update(net.a[:depth], rescale=self.activation.name not in ("tanh", "sigmoid"))
        _set_note(self._std.note, self._std.update(stats.std[:depth]))
        if self._fraction is not None:
            self._frac_line.set_ydata(getattr(stats, self._fraction)[:depth])
        self._value_text.set_text(self._headline(scale))
        std = stats.std[:depth]
        text = (f"scale = {_fmt(scale)}: the std of the activations goes from {std[0]:.2g} in layer 1 "
                f"to {std[-1]:.2g} in layer {depth}")
        if self._fraction is not None:
            frac = getattr(stats, self._fraction)[:depth]
            text += f"; {self._fraction} units: {frac.min():.0%} to {frac.max():.0%} per layer"
        return text + "."


def scale_explorer(activation="tanh", depth=10, width=500, n_samples=200, scales=None, seed=0):
    r"""Slide the init scale; see each layer's activations, their std, and how many units saturate or die.

    The network has ``depth`` hidden layers of ``width`` units with weights
    ``scale * N(0, 1)`` (``MLP(..., init="normal", scale=scale)``), fed with
    ``n_samples`` standard-normal inputs. Each frame shows

    - the histogram of every layer's activations, stacked (layer 1 on top;
      :func:`initlib.plots.layer_histograms_stacked`);
    - the std per layer on a log axis, fixed over the slider's range
      (:func:`initlib.plots.layer_std`);
    - the fraction of saturated (tanh, sigmoid: :math:`|a| > 0.99`) or dead
      (ReLU: :math:`z \le 0`) units per layer (:func:`initlib.plots.layer_fraction`).

    The std of layer :math:`l` changes by about :math:`\text{scale}\sqrt{\text{width}}`
    per layer while the units are in their linear range, so it vanishes below
    :math:`1/\sqrt{\text{width}}` (0.045 for 500 units) and saturates tanh
    units well above it.

    Parameters
    ----------
    activation : str, default "tanh"
        Hidden activation (see :data:`initlib.activations.ACTIVATIONS`).
    depth : int, default 10
        Number of hidden layers.
    width : int, default 500
        Units per hidden layer (and input features).
    n_samples : int, default 200
        Standard-normal input samples.
    scales : sequence of float, optional
        The slider's precomputed values (> 0); the live slider covers the
        same range. Default: 17 values from 0.001 to 10, log-spaced
        (0.001, 0.0018, ..., 0.01, ..., 0.1, ..., 1, ..., 10). Each frame's
        headline marks the stable scale, critical gain / sqrt(width)
        (:func:`critical_gain`; 1/sqrt(500) = 0.045 for tanh), and the
        current value's ratio to it.
    seed : int, default 0
        Seed of the weights and the inputs.

    Returns
    -------
    Explorer
        Shows as the live widget in a kernel and as precomputed frames in
        the HTML book. ``explorer.frame(scale)`` draws one frame,
        ``explorer.render(scale)`` returns its PNG bytes.

    Examples
    --------
    >>> ex = scale_explorer(depth=3, width=40, n_samples=10, scales=[0.01, 1.0])
    >>> ex.frame(0.01).axes[0].get_title()
    'Activations of 3 tanh layers'

    Used in: the saturation chapter.
    """
    return ScaleExplorer(activation, depth, width, n_samples, scales, seed)


# --------------------------------------------------------------------------
# gain_explorer
# --------------------------------------------------------------------------

_CRITICAL = {"relu": math.sqrt(2.0), "tanh": 1.0, "identity": 1.0, "linear": 1.0, "sigmoid": 4.0}


def critical_gain(activation):
    r"""The gain ``g`` at which ``std(W) = g / sqrt(fan_in)`` neither shrinks nor grows the signal.

    - ReLU: :math:`\sqrt 2` (He et al., 2015): half the units pass, so the
      variance needs a factor 2.
    - tanh: 1. Near 0, :math:`\tanh z \approx z`, so each layer multiplies the
      variance by :math:`g^2`; :math:`g = 1` is the boundary between
      exponentially vanishing (:math:`g < 1`) and exponentially exploding
      gradients (:math:`g > 1`), the "edge of chaos" of mean-field theory
      (Poole et al., 2016; Schoenholz et al., 2017). At :math:`g = 1` itself
      the signal still fades, but slowly (like a power of the depth: over 20
      layers of 256 units the forward std falls from 0.63 to 0.16 and the
      gradient tenfold), because :math:`\tanh' < 1` away from 0. PyTorch's
      ``calculate_gain("tanh") = 5/3`` is a different, empirical choice: it
      keeps the *forward* std near 0.65 at every depth, at the price of
      gradients that grow towards the input (fourfold over those 20
      layers). ``gain_explorer("tanh", critical=5/3)`` compares the two.
    - sigmoid: 4 (:math:`\sigma'(0) = 1/4`); leaky ReLU with slope
      :math:`a`: :math:`\sqrt{2/(1+a^2)}`; identity: 1.

    Examples
    --------
    >>> critical_gain("relu") == 2 ** 0.5, critical_gain("tanh")
    (True, 1.0)
    """
    act = _activations.get(activation)
    if act.name in _CRITICAL:
        return _CRITICAL[act.name]
    if act.name.startswith("leaky_relu"):
        return float(act.gain)
    raise ValueError(f"critical_gain is defined for relu, leaky_relu, tanh, sigmoid and identity; got {act.name!r}")


class GainExplorer(Explorer):
    """Gain -> per-layer forward std and backward gradient std, against the critical gain.

    Made by :func:`gain_explorer`.
    """

    kind = "gain"
    title = "Gain explorer"
    blit = True

    def __init__(self, activation, depth, width, n_samples, gains, seed, critical):
        self.activation = _activations.get(activation)
        self.seed = seed
        self.critical = critical_gain(self.activation) if critical is None else check_positive_float(critical, "critical")
        self.model = _ScaledNet(self.activation, depth, width, n_samples, seed, base="he")
        if gains is None:
            gains = self.critical * 2.0 ** (np.arange(-8, 9) / 4.0)
        grid = _check_grid(gains, "gains")
        start = min(grid, key=lambda g: abs(math.log(g / self.critical)))
        super().__init__([LogSlider("gain", "gain g (std of W = g / √fan_in)", grid, start, fmt=_fmt_gain)])

    def _params(self):
        return {"activation": self.activation.name, "depth": self.model.depth, "width": self.model.width,
                "n_samples": self.model.n_samples, "seed": self.seed}

    def _stats(self, gain):
        net = self.model.set(gain)
        bwd = gradient_stats(net, self.model.X, self.model.y)  # forward and backward pass
        fwd = activation_stats(net)  # the activations of that forward pass
        d = self.model.depth
        return fwd.std[:d].copy(), bwd.signal_std[:d].copy()

    def _setup(self):
        grid = self.controls[0].grid
        ref = self._stats(self.critical)
        ends = [self._stats(g) for g in (grid[0], grid[-1])]
        fig = self.fig = _new_figure(7.0, 3.7)
        ax_f, ax_b = fig.subplots(1, 2)
        crit = f"critical gain {_fmt_gain(self.critical)} (dashed)"
        ones = np.ones(self.model.depth)
        plots.layer_std({"current gain": ones, crit: ref[0]}, ax=ax_f, title="Forward: std of the activations")
        plots.gradient_norms({"current gain": ones, crit: ref[1]}, ax=ax_b, which="signal_std",
                             title="Backward: std of the gradient")
        self._curves = []
        for ax, k in ((ax_f, 0), (ax_b, 1)):
            ax.set_ylim(*_log_limits([ref[k]] + [e[k] for e in ends]))
            ax.lines[1].set_linestyle("--")
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            for t in list(ax.texts):  # notes about the placeholder: the live notes replace them
                if t.get_gid() == "initlib-note":
                    t.remove()
            self._curves.append(_LogCurve(ax.lines[0], plots._note(ax, ["-"], loc="lower left"),
                                          "std" if k == 0 else "gradient std"))
        ax_b.set_ylabel("std of ∂L/∂z per sample")
        fig.legend(*ax_f.get_legend_handles_labels(), loc="outside lower center", ncol=2, frameon=False,
                   fontsize=9)
        self._value_text = fig.suptitle("gain = 0.000", fontsize=10, fontweight="bold")
        self._animated = [c.line for c in self._curves] + [c.note for c in self._curves] + [self._value_text]

    def _draw(self, values):
        (gain,) = values
        fwd, bwd = self._stats(gain)
        for curve, v in zip(self._curves, (fwd, bwd)):
            _set_note(curve.note, curve.update(v), width=40)
        rel = gain / self.critical
        where = "critical" if abs(rel - 1) < 1e-9 else (f"{rel:.3g} × critical")
        self._value_text.set_text(f"{self.activation.name}, gain = {_fmt_gain(gain)} ({where})")
        d = self.model.depth
        return (f"{self.activation.name}, gain = {_fmt(gain)}: forward std from {fwd[0]:.2g} (layer 1) to "
                f"{fwd[-1]:.2g} (layer {d}); gradient std from {bwd[-1]:.2g} (layer {d}) to "
                f"{bwd[0]:.2g} (layer 1).")


def gain_explorer(activation="relu", depth=20, width=256, gains=None, seed=0, *, n_samples=100, critical=None):
    r"""Slide the gain ``g`` of ``std(W) = g / sqrt(fan_in)``; see the signal forward and the gradient backward.

    The network has ``depth`` hidden layers of ``width`` units, weights drawn
    once from :math:`\mathcal N(0, 1/\text{fan\_in})` and multiplied by the
    gain (``he_normal`` with that gain), a sigmoid output and random binary
    targets. Each frame shows, per layer and on log axes fixed over the
    slider's range,

    - forward: the std of the activations (:func:`initlib.plots.layer_std`);
    - backward: the std of :math:`\partial L/\partial z` per sample
      (:func:`initlib.plots.gradient_norms`, ``which="signal_std"``);

    each with the same curve at the critical gain dashed for reference
    (:func:`critical_gain`: :math:`\sqrt 2` for ReLU, 1 for tanh). Away from
    it both curves tilt: by about :math:`(g/g_c)^{\text{depth}}` from the
    first to the last layer.

    Parameters
    ----------
    activation : str, default "relu"
        "relu" or "tanh" (also "leaky_relu", "sigmoid", "identity").
    depth : int, default 20
        Number of hidden layers.
    width : int, default 256
        Units per hidden layer (and input features).
    gains : sequence of float, optional
        Precomputed gains (> 0). Default: 17 values ``critical * 2**(k/4)``,
        ``k = -8..8`` (a quarter of the critical gain to four times it),
        which include the critical gain itself.
    seed : int, default 0
        Seed of the weights, the inputs and the targets.
    n_samples : int, default 100
        Standard-normal input samples (with random binary targets).
    critical : float, optional
        Reference gain; default :func:`critical_gain` of the activation. Pass
        ``5/3`` to compare tanh with PyTorch's recommended gain.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = gain_explorer(depth=4, width=30, n_samples=10)
    >>> round(ex.values[0], 4)  # starts at the critical gain, sqrt(2)
    1.4142

    Used in: the He-scaling chapter.
    """
    return GainExplorer(activation, depth, width, n_samples, gains, seed, critical)


# --------------------------------------------------------------------------
# Training explorers
# --------------------------------------------------------------------------


def _load(data, seed):
    if isinstance(data, str):
        X, y, Xt, yt = _data.load(data, seed=seed)
    else:
        try:
            X, y, Xt, yt = data
        except (TypeError, ValueError):
            raise TypeError("data must be a data set name (see initlib.data.DATASETS) or a tuple "
                            "(X_train, y_train, X_test, y_test)") from None
    return X, y, Xt, yt


def _check_sizes(sizes):
    sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    if len(sizes) < 2 or sizes[0] != 2 or sizes[-1] != 1:
        raise ValueError(f"sizes must go from 2 inputs to 1 output (a 2-D binary task), e.g. (2, 10, 5, 1); got {sizes}")
    return sizes


class _Trainer:
    """Trains networks for the training explorers; runs that start from the same weights are trained once."""

    def __init__(self, sizes, data, activation, epochs, lr, batch_size, seed):
        self.sizes = _check_sizes(sizes)
        self.data_name = data if isinstance(data, str) else "custom"
        self.X, self.y, self.Xt, self.yt = _load(data, seed)
        self.activation = _activations.get(activation)
        self.epochs = check_positive_int(epochs, "epochs")
        self.lr = check_positive_float(lr, "lr")
        self.batch_size = None if batch_size is None else check_positive_int(batch_size, "batch_size")
        self.seed = seed
        self._runs = OrderedDict()

    def run(self, net):
        """``(trained net, History, initial net)`` for a freshly initialized ``net``."""
        key = hashlib.sha1(b"".join(np.ascontiguousarray(a).tobytes() for a in net.W + net.b)).hexdigest()
        if key not in self._runs:
            start = net.copy()
            hist = train(net, self.X, self.y, epochs=self.epochs, lr=self.lr, batch_size=self.batch_size,
                         seed=self.seed, X_test=self.Xt, y_test=self.yt)
            self._runs[key] = (net, hist, start)
            while len(self._runs) > 64:
                self._runs.popitem(last=False)
        return self._runs[key]

    def how(self):
        steps = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        return f"{self.epochs} epochs, lr {self.lr:g}, {steps}"


_BOUNDARY_TITLE_LINES = 5
"""Lines reserved for a decision-boundary title: 2 of ours, up to 2 of notes from the plot, and a spare."""


def _freeze_layout(explorer, title_lines):
    """Lay the figure out once, for its initial values with titles of the most lines a frame uses; then freeze.

    Every frame is then drawn into the same axes with no layout pass (half
    the time of a frame), and the layout does not depend on the values drawn
    before.
    """
    explorer._draw(explorer._initial)
    for ax, n in zip(explorer._axes, title_lines):
        ax.set_title("\n".join(["Ag"] * n))
    explorer.fig.canvas.draw()
    explorer.fig.set_layout_engine("none")


def _accuracy_text(hist):
    if hist.diverged:
        return hist.message
    return f"train acc {hist.final_train_acc:.2f}, test acc {hist.final_test_acc:.2f}"


class SymmetryExplorer(Explorer):
    """Noise eps on a constant init -> distinct units per layer, decision boundary, accuracy.

    Made by :func:`symmetry_explorer`.
    """

    kind = "symmetry"
    title = "Symmetry-breaking explorer"
    continuous_update = False

    def __init__(self, sizes, data, activation, epochs, lr, batch_size, eps, seed):
        self.trainer = _Trainer(sizes, data, activation, epochs, lr, batch_size, seed)
        sizes = self.trainer.sizes
        self.constant = [self.trainer.activation.gain / math.sqrt(n) for n in sizes[:-1]]
        rng = np.random.default_rng(seed)
        self.noise = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        if eps is None:
            eps = [0.0, 1e-8, 1e-6, 1e-4, 1e-2, 0.1, 0.3, 1.0]
        grid = _check_grid(eps, "eps", zero=True)
        super().__init__([LogSlider("eps", "noise eps", grid, grid[0], zero=grid[0] == 0)])

    def _params(self):
        t = self.trainer
        return {"sizes": tuple(t.sizes), "data": t.data_name, "epochs": t.epochs, "lr": t.lr, "seed": t.seed}

    def network(self, eps):
        """The initial network: every weight of layer ``l`` the He std, plus ``eps`` times a fixed normal draw."""
        W = [c + eps * n for c, n in zip(self.constant, self.noise)]
        b = [np.zeros(s) for s in self.trainer.sizes[1:]]
        return MLP.from_weights(W, b, activation=self.trainer.activation)

    def _run(self, eps):
        net, hist, start = self.trainer.run(self.network(eps))
        return net, hist, symmetry(start), symmetry(net)

    def _setup(self):
        fig = self.fig = _new_figure(7.0, 4.6)
        gs = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.15])
        self._axes = [fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[:, 1])]
        _freeze_layout(self, [1, 1, _BOUNDARY_TITLE_LINES])

    def _draw(self, values):
        (eps,) = values
        net, hist, sym0, sym1 = self._run(eps)
        fig = self.fig
        ax_d, ax_s, ax_b = self._axes
        for ax in self._axes:
            ax.cla()
        n = np.asarray(sym0.n_units, dtype=float)
        plots.layer_fraction(
            {"at init": np.asarray(sym0.distinct_units) / n, "after training": np.asarray(sym1.distinct_units) / n},
            ax=ax_d, ylabel="distinct / width",
            title="Distinct units: " + ", ".join(f"{d}/{int(k)}" for d, k in zip(sym1.distinct_units, n)),
        )
        # the largest difference between two units' incoming weights: exactly 0 for identical units
        plots._per_layer_plot(["at init", "after training"], [sym0.max_difference, sym1.max_difference], ax_s, True,
                              "largest difference", "How different the units are", None, None, "difference")
        for ax in (ax_d, ax_s):
            ax.set_xlabel("hidden layer")
        ax_s.get_legend().remove()  # one legend, in the panel above
        ax_d.legend(loc="center right", fontsize=9)
        title = f"After training:\n{_accuracy_text(hist)}"
        if hist.diverged:  # where it diverged; the full message is in the alt text
            title = textwrap.fill(hist.message.split(" (")[0], 44)
        plots.decision_boundary(net, self.trainer.X, self.trainer.y, ax=ax_b, title=title, resolution=100,
                                colorbar=False)
        what = "constant init (every unit the same)" if eps == 0 else "constant init + noise"
        fig.suptitle(f"eps = {_fmt(eps)}: {what}; {self.trainer.how()}", fontsize=10, fontweight="bold")
        units = ", ".join(f"{d} of {k}" for d, k in zip(sym1.distinct_units, sym1.n_units))
        return f"eps = {_fmt(eps)}: distinct units per hidden layer after training {units}; {_accuracy_text(hist)}."


def symmetry_explorer(sizes=(2, 10, 5, 1), data="circles", epochs=400, lr=0.01, seed=1, *, activation="relu",
                      batch_size=32, eps=None):
    r"""Slide the noise ``eps`` added to a constant init; see whether the units become different and learn.

    Every weight of layer :math:`l` starts at the He std
    :math:`g/\sqrt{\text{fan\_in}}` (1, 0.45 and 0.63 for ``sizes=(2, 10, 5, 1)``)
    plus ``eps`` times a fixed standard-normal draw; biases start at 0. With
    ``eps = 0`` every unit of a layer computes the same function, gets the
    same gradient and stays the same: the layer acts as one unit. The
    network is trained on ``data`` by minibatch gradient descent. Each frame
    shows the number of distinct units per hidden layer and how far apart
    they are (:func:`initlib.diagnostics.symmetry`, at init and after
    training), and the decision boundary with the accuracies.

    Parameters
    ----------
    sizes : sequence of int, default (2, 10, 5, 1)
        From 2 inputs to 1 output.
    data : str or tuple, default "circles"
        A name of :data:`initlib.data.DATASETS` (loaded with ``seed``), or
        ``(X_train, y_train, X_test, y_test)``.
    epochs : int, default 400
        Passes over the 300 training samples (about 3,800 steps with
        ``batch_size=32``: a few tenths of a second per frame).
    lr : float, default 0.01
    seed : int, default 1
        Seed of the data, the noise draw and the minibatch order.
    activation : str, default "relu"
    batch_size : int or None, default 32
        ``None`` trains with full batches.
    eps : sequence of float, optional
        Precomputed values: 0 and positive values. Default: 0, 1e-8, 1e-6,
        1e-4, 0.01, 0.1, 0.3 and 1 (8 frames: each trains a network, so the
        static book gets few of them). The live slider's left end is 0; the
        rest is a log scale from 1e-9 to the largest value.

    Returns
    -------
    Explorer

    Used in: the symmetry chapter.
    """
    return SymmetryExplorer(sizes, data, activation, epochs, lr, batch_size, eps, seed)


class TrainingExplorer(Explorer):
    """Init method and scale -> loss curve and decision boundary.

    Made by :func:`training_explorer`.
    """

    kind = "training"
    title = "Training explorer"
    continuous_update = False

    def __init__(self, sizes, data, inits, activation, epochs, lr, batch_size, scales, seed):
        self.trainer = _Trainer(sizes, data, activation, epochs, lr, batch_size, seed)
        inits = [str(i) for i in inits]
        for i in inits:
            _init.get(i)  # unknown names raise, listing the valid ones
        if scales is None:
            scales = [0.01, 0.1, 1.0, 10.0, 100.0]
        grid = _check_grid(scales, "scales")
        start_init = "he_normal" if "he_normal" in inits else inits[-1]
        start_scale = min(grid, key=lambda s: abs(math.log10(s)))
        super().__init__([Choice("init", "init method", inits, start_init),
                          LogSlider("scale", "init scale", grid, start_scale)])

    def _params(self):
        t = self.trainer
        return {"sizes": tuple(t.sizes), "data": t.data_name, "inits": tuple(self.controls[0].grid),
                "epochs": t.epochs, "lr": t.lr, "seed": t.seed}

    def network(self, init, scale):
        """The initial network for ``init`` times ``scale``."""
        return MLP(self.trainer.sizes, activation=self.trainer.activation, init=init, scale=scale,
                   seed=self.trainer.seed)

    def _frame_key(self, values):
        init, scale = values
        if _init.get(init) is _init.zeros:  # 0 x scale = 0: one frame for every scale
            return (init, None)
        return values

    def _setup(self):
        fig = self.fig = _new_figure(7.0, 3.8)
        self._axes = list(fig.subplots(1, 2, width_ratios=[1.1, 1.0]))
        _freeze_layout(self, [1, _BOUNDARY_TITLE_LINES])

    def _draw(self, values):
        init, scale = values
        start = self.network(init, scale)
        zero = all(not np.any(w) for w in start.W)
        net, hist, _ = self.trainer.run(start)
        fig = self.fig
        ax_l, ax_b = self._axes
        for ax in self._axes:
            ax.cla()
        label = init if zero else f"{init} × {_fmt(scale)}"
        plots.training_curves({label: hist}, ax=ax_l, chance=True, log=True, title="Training loss")
        if ax_l.get_legend() is not None:
            ax_l.get_legend().remove()
        title = "Decision boundary" + ("\nwhen training stopped" if hist.diverged else f"\n{_accuracy_text(hist)}")
        plots.decision_boundary(net, self.trainer.X, self.trainer.y, ax=ax_b, title=title, resolution=100,
                                colorbar=False)
        # a zero init is the same at every scale (0 x scale = 0): one frame for all of them
        what = f"init = {init} (0 × any scale = 0)" if zero else f"init = {init}, scale = {_fmt(scale)}"
        fig.suptitle(f"{what}; {self.trainer.how()}", fontsize=10, fontweight="bold")
        head = f"init = {init}" + ("" if zero else f", scale = {_fmt(scale)}")
        if hist.diverged:
            return f"{head}: {hist.message}."
        return f"{head}: final training loss {hist.final_loss:.3g}; {_accuracy_text(hist)}."


def training_explorer(sizes=(2, 10, 5, 1), data="circles", inits=("zeros", "normal", "he_normal"), epochs=400,
                      lr=0.01, seed=1, *, activation="relu", batch_size=32, scales=None):
    r"""Pick an init method and slide its scale; see the training loss and the decision boundary.

    The network ``MLP(sizes, init=init, scale=scale, seed=seed)`` is trained
    on ``data`` by minibatch gradient descent. Each frame shows the training
    loss against the epoch (with ln 2, the loss of a network that learnt
    nothing; :func:`initlib.plots.training_curves`) and the decision
    boundary with the accuracies (:func:`initlib.plots.decision_boundary`). A
    run whose loss becomes infinite is stopped and its message written in the
    figure. Runs that start from the same weights (``zeros`` at any scale)
    are trained once.

    Parameters
    ----------
    sizes : sequence of int, default (2, 10, 5, 1)
    data : str or tuple, default "circles"
    inits : sequence of str, default ("zeros", "normal", "he_normal")
        Initializer names (see :func:`initlib.init.get`).
    epochs : int, default 400
        About 3,800 steps with ``batch_size=32``.
    lr : float, default 0.01
    seed : int, default 1
        Seed of the data, the weights and the minibatch order.
    activation : str, default "relu"
    batch_size : int or None, default 32
    scales : sequence of float, optional
        Precomputed scales. Default: 0.01, 0.1, 1, 10 and 100 (each frame
        trains a network: 11 runs for the default inits, since ``zeros`` is
        the same at every scale). The live slider covers 0.01 to 100.

    Returns
    -------
    Explorer

    Used in: the symmetry and He-scaling chapters.
    """
    return TrainingExplorer(sizes, data, inits, activation, epochs, lr, batch_size, scales, seed)
