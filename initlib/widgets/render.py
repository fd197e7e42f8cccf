"""Drawing and encoding a frame: figures off pyplot, axes emptied for the next frame, PNG bytes, fixed
log axes with curves updated in place, one BLAS thread while a frame is computed.
"""
from __future__ import annotations

import contextlib
import io
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .. import plots

__all__ = []  # helpers the package's files share; nothing public


DPI = 72
"""Resolution of every frame: a 7 in wide figure is 504 pixels wide."""

PNG_COLORS = 128
"""Frames are stored as palette PNGs with at most this many colours (about a
third of the bytes of a full-colour PNG, with no visible difference on these
flat, line-art figures)."""

CACHE_SIZE = 256
"""Frames kept per explorer (PNG bytes, about 15 kB each)."""

FRAMES_VARIABLE = "INITLIB_EXPLORER_FRAMES"
"""The environment variable that asks a live explorer for every static frame.

With ``INITLIB_EXPLORER_FRAMES=all`` an explorer displayed in a kernel carries
its whole static fallback (every precomputed frame, seconds to compute) next
to the live widget; otherwise only its first frame. The book's Sphinx
extension (``_ext/initbook_assets.py``) sets it for the kernels of the book
build, and the Makefile for nbval and ``jupyter execute``."""


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


def _clear(ax):
    """Empty ``ax`` for the next frame as ``ax.cla()`` would, but keep its two Axis objects and their ticks.

    ``cla()`` throws away every tick mark and label, which the next draw makes anew: keeping them makes a
    frame of the training and symmetry explorers 15-25 % faster (benchmarks/README.md), with the same
    bytes as ``cla()`` in any order of frames (tests/test_widgets.py).
    """
    for artist in [*ax.lines, *ax.collections, *ax.images, *ax.texts, *ax.patches]:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for loc in ("center", "left", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xscale("linear")
    ax.set_yscale("linear")
    ax.relim()
    ax.set_autoscale_on(True)


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
