"""Helpers every figure of :mod:`initlib.plots` shares: argument checks for axes and
titles, new figures, notes written inside the axes, log axes, legends.
"""
from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.collections  # noqa: F401  (mpl.collections.PathCollection)
import numpy as np
from matplotlib.axes import Axes

from .style import _MAX_WIDTH, _TEXT_SIZE

__all__ = []  # helpers the package's files share; nothing public


def _check_ax(ax, name="ax"):
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"{name} must be a matplotlib Axes (or None to create a figure), got {type(ax).__name__}")
    return ax


def _check_title(title, name="title"):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{name} must be a string or None, got {type(title).__name__}")
    return title


def _new_figure(nrows=1, ncols=1, figsize=None, **kwargs):
    """A new figure from pyplot (so that Jupyter shows it inline), white, constrained layout."""
    import matplotlib.pyplot as plt  # imported here: importing initlib selects no backend

    if figsize is not None:
        figsize = (min(figsize[0], _MAX_WIDTH), figsize[1])
    return plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", facecolor="white", squeeze=False, **kwargs)


def _one_axes(ax, figsize=None):
    _check_ax(ax)
    if ax is None:
        _, axes = _new_figure(figsize=figsize)
        ax = axes[0, 0]
    return ax


def _finish(ax, grid=True):
    """Per-axes settings that rcParams would only apply to ticks created later (lazily)."""
    ax.tick_params(labelsize=_TEXT_SIZE)
    if grid:
        ax.grid(True, alpha=0.3, linewidth=0.6)
    else:
        ax.grid(False)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    return ax


_NOTE_LOCS = {
    "upper right": (0.98, 0.97, "right", "top"),
    "upper left": (0.02, 0.97, "left", "top"),
    "lower left": (0.02, 0.03, "left", "bottom"),
    "lower right": (0.98, 0.03, "right", "bottom"),
    "center right": (0.98, 0.5, "right", "center"),
    "center left": (0.02, 0.5, "left", "center"),
}


def _data_points(ax):
    """Display coordinates of the data drawn on ``ax`` (line vertices, densified; scatter offsets)."""
    pts = []
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if xy.size == 0:
            continue
        d = line.get_transform().transform(xy)
        d = d[np.all(np.isfinite(d), axis=1)]
        if len(d) > 1:  # points along each segment, so a long straight line still counts
            t = np.linspace(0.0, 1.0, 12)[:, None, None]
            d = (d[:-1][None] * (1 - t) + d[1:][None] * t).reshape(-1, 2)
        pts.append(d)
    for coll in ax.collections:
        if type(coll) is not mpl.collections.PathCollection:  # scatter plots only, not contour fills
            continue
        offs = coll.get_offsets()
        if len(offs):
            pts.append(coll.get_offset_transform().transform(np.asarray(offs, dtype=float)))
    return np.concatenate(pts) if pts else np.empty((0, 2))


def _note(ax, lines, loc="best"):
    """Write ``lines`` inside ``ax`` in a boxed note; returns the Text (or None).

    ``loc="best"`` picks the corner (or side) that covers the fewest data points.
    """
    lines = [ln for ln in lines if ln]
    if not lines:
        return None
    # wrap to about 70 % of the axes' width (about 13.8 characters per inch at 9 pt)
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    text = "\n".join(textwrap.fill(ln, max(18, int(width_in * 72 / 5.2 * 0.7))) for ln in lines)
    x, y, ha, va = _NOTE_LOCS["upper right" if loc == "best" else loc]
    t = ax.text(
        x,
        y,
        text,
        transform=ax.transAxes,
        ha=ha,
        va=va,
        multialignment="left",
        fontsize=_TEXT_SIZE,
        zorder=1.6,  # above the grid, below the data: a note never hides a curve
        bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="#999999", alpha=0.85),
        gid="initlib-note",
        in_layout=False,
    )
    get_renderer = getattr(ax.figure.canvas, "get_renderer", None)
    if loc == "best" and get_renderer is not None:
        renderer = get_renderer()
        pts = _data_points(ax)
        best, best_count = None, None
        for name, (x, y, ha, va) in _NOTE_LOCS.items():
            t.set_position((x, y))
            t.set_ha(ha)
            t.set_va(va)
            bb = t.get_window_extent(renderer).expanded(1.1, 1.2)
            inside = (pts[:, 0] >= bb.x0) & (pts[:, 0] <= bb.x1) & (pts[:, 1] >= bb.y0) & (pts[:, 1] <= bb.y1)
            count = int(np.count_nonzero(inside))
            if best_count is None or count < best_count:
                best, best_count = name, count
            if count == 0:
                break
        x, y, ha, va = _NOTE_LOCS[best]
        t.set_position((x, y))
        t.set_ha(ha)
        t.set_va(va)
    return t


def _layer_list(layers):
    """'from layer 3 on' / 'at layer 2' / 'at layers 2, 5' for 1-based layer numbers."""
    layers = [int(v) for v in layers]
    return f"at layer {layers[0]}" if len(layers) == 1 else "at layers " + ", ".join(map(str, layers))


def _describe_masked(x, bad, zero):
    """``(what, where)`` for the layers ``x[bad]`` left out; ``zero`` marks values that were <= 0."""
    xs = np.asarray(x)[bad]
    zero = np.asarray(zero)[bad]
    what = "= 0" if np.all(zero) else ("= 0 or not finite" if np.any(zero) else "not finite")
    last = np.asarray(x)[-1]
    if xs.size == len(x):
        where = "at every layer"
    elif xs.size > 1 and np.array_equal(xs, np.arange(xs[0], last + 1)):
        where = f"from layer {int(xs[0])} on"
    else:
        where = _layer_list(xs)
    return what, where


_LOG_LIMIT = 100.0  # decades: matplotlib's LogLocator overflows for axis limits near 1e308


def _set_log_y(ax, arrays, fallback=(1e-4, 1e1)):
    """Log y axis with limits computed here; returns a note if values lie beyond 1e+-100.

    Huge finite values (a diverging run reaches 1e300) would overflow
    matplotlib's autoscaling margins and tick locator, so the axis stops at
    1e100 and 1e-100 and the values beyond are named instead.
    """
    pos = [np.asarray(v, dtype=float).ravel() for v in arrays]
    pos = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in pos]) if pos else np.empty(0)
    note = None
    if pos.size:
        lo, hi = np.log10(pos.min()), np.log10(pos.max())
        span = min(hi, _LOG_LIMIT) - max(lo, -_LOG_LIMIT)
        pad = max(0.05 * span, (1.0 - span) / 2)  # show at least one decade
        if hi > _LOG_LIMIT or lo < -_LOG_LIMIT:
            parts = []
            if hi > _LOG_LIMIT:
                parts.append(f"values up to {pos.max():.2g} run off the top")
            if lo < -_LOG_LIMIT:
                parts.append(f"values down to {pos.min():.2g} run off the bottom")
            note = " and ".join(parts) + f" (axis limited to 1e-{_LOG_LIMIT:.0f}..1e{_LOG_LIMIT:.0f})"
        lo = max(lo - pad, -_LOG_LIMIT)
        hi = min(hi + pad, _LOG_LIMIT)
        ax.set_ylim(10.0**lo, 10.0**hi)
    else:
        ax.set_ylim(*fallback)
    ax.set_yscale("log")
    return note


def _legend(ax):
    handles, labels = ax.get_legend_handles_labels()
    if any(lb and not lb.startswith("_") for lb in labels):
        ax.legend(loc="best", fontsize=_TEXT_SIZE)


def _finite_array(values, name):
    """A 1-D float array (NaN allowed; the caller masks it) or an informative error."""
    if isinstance(values, (str, bytes, dict)):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per layer), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def _check_axes(axes, n, name="axes"):
    if axes is None:
        return None
    if isinstance(axes, Axes):
        axes = [axes]
    try:
        axes = list(np.ravel(np.asarray(axes, dtype=object)))
    except TypeError:
        raise TypeError(f"{name} must be a sequence of matplotlib Axes") from None
    if not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"{name} must be a sequence of matplotlib Axes")
    if len(axes) < n:
        raise ValueError(f"{name} must hold at least {n} Axes (one per panel), got {len(axes)}")
    return axes[:n]
