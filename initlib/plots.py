r"""Figures of the book, drawn from what :mod:`initlib.diagnostics` and :func:`initlib.train` return.

Diagnostics return data, plots draw it. Every function here

- takes an optional ``ax`` (or ``axes``) to draw into, and otherwise creates
  its figure with :func:`matplotlib.pyplot.subplots` (so that it shows inline
  in Jupyter); it never calls ``plt.show()`` and touches no other pyplot state;
- returns the :class:`~matplotlib.axes.Axes` it drew on, or the
  :class:`~matplotlib.figure.Figure` when it made several panels;
- gives every figure a title and labelled axes, uses log axes where values
  span decades, and never plots NaN silently: values a log axis cannot show
  (zeros, NaN, infinities) are left out *and* a note inside the axes says so,
  and a diverged :class:`~initlib.train.History` has its message written in
  the axes;
- draws in one shared, colour-blind-safe style (:data:`PALETTE`,
  :data:`COLORS`, :func:`style`) sized for a book column (at most 7 in wide,
  fonts of at least 9 pt) on a white figure, which also reads in dark mode.

Bad input raises ``TypeError`` or ``ValueError`` naming the argument.

Examples
--------
>>> import numpy as np, initlib as il
>>> X = np.random.default_rng(0).standard_normal((200, 100))
>>> net = il.MLP([100] * 6 + [1], activation="tanh", init="normal", scale=0.05)
>>> ax = layer_std({"normal, scale 0.05": il.activation_stats(net, X)})
>>> ax.get_yscale()
'log'

Used in: every chapter.
"""
from __future__ import annotations

import numbers
import re
import textwrap
import weakref

import matplotlib as mpl
import matplotlib.collections  # noqa: F401  (mpl.collections.PathCollection)
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, MaxNLocator

from . import activations as _activations
from .diagnostics import GradientStats, LayerStats
from .mlp import MLP
from .train import History

__all__ = [
    "PALETTE",
    "COLORS",
    "STYLE",
    "style",
    "layer_colors",
    "decision_boundary",
    "decision_boundaries",
    "weight_heatmap",
    "layer_histograms",
    "layer_histograms_stacked",
    "Ridgeline",
    "get_ridgeline",
    "layer_std",
    "layer_fraction",
    "gradient_norms",
    "training_curves",
    "activation_functions",
]

# --------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------

PALETTE = [
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
]
"""The Okabe--Ito colour-blind-safe palette, in its published order."""

_CYCLE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
"""Line colour cycle: :data:`PALETTE` reordered so that the first colours contrast most on white."""

_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

COLORS = {
    # initializations
    "zeros": "#D55E00",
    "zero": "#D55E00",
    "constant": "#E69F00",
    "normal": "#56B4E9",
    "random": "#56B4E9",
    "uniform": "#56B4E9",
    "he": "#0072B2",
    "kaiming": "#0072B2",
    "xavier": "#009E73",
    "glorot": "#009E73",
    "lecun": "#CC79A7",
    # activations
    "sigmoid": "#E69F00",
    "tanh": "#0072B2",
    "relu": "#009E73",
    "leaky_relu": "#CC79A7",
    "identity": "#000000",
    # classes of a binary data set
    "class0": "#0072B2",
    "class1": "#E69F00",
    # reference lines (ln 2, chance level, std = 1, ...)
    "reference": "#000000",
}
"""Colours of the recurring concepts. A curve whose label starts with one of
these words (``"he_normal"``, ``"zeros"``, ``"xavier (gain 5/3)"``) gets its
colour, unless two curves of one figure would then share a colour."""

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "black",
    "axes.prop_cycle": mpl.cycler(color=_CYCLE),
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "figure.titlesize": 11,
    "figure.labelsize": 10,
    "font.size": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.framealpha": 0.85,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "image.cmap": "viridis",
}
"""rcParams of the book's figures, applied by :func:`style` inside every plot function."""

SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"
_TEXT_SIZE = 9
_MAX_WIDTH = 7.0


def style():
    """Context manager applying :data:`STYLE` (it does not change the global rcParams).

    Every plot function of this module uses it; use it yourself for figures
    drawn by hand so they match.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()

    Used in: every chapter.
    """
    return mpl.rc_context(STYLE)


def layer_colors(n, cmap=SEQUENTIAL_CMAP):
    """``n`` colours from a sequential colormap, one per layer (first layer darkest).

    The light end of the colormap is cut off so the last colour still shows on white.

    Examples
    --------
    >>> len(layer_colors(4))
    4

    Used in: the saturation and He-scaling chapters.
    """
    n = _check_int(n, "n", minimum=1)
    cm = mpl.colormaps[cmap]
    return [mcolors.to_hex(cm(t)) for t in np.linspace(0.0, 0.85, n)] if n > 1 else [mcolors.to_hex(cm(0.0))]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _check_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(value, name, *, positive=False, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


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


def _concept_color(label):
    for token in re.split(r"[^a-z0-9]+", str(label).lower()):
        if token in COLORS:
            return COLORS[token]
    return None


def _colors_for(labels):
    """Concept colours (:data:`COLORS`) when every label has a distinct one, else the cycle."""
    concept = [_concept_color(lb) for lb in labels]
    if all(c is not None for c in concept) and len(set(concept)) == len(concept):
        return concept
    return [_CYCLE[i % len(_CYCLE)] for i in range(len(labels))]


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


# --------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------

_CLASS_CMAP = mcolors.LinearSegmentedColormap.from_list(
    "initlib_classes", [COLORS["class0"], "#FFFFFF", COLORS["class1"]]
)


def _check_Xy(X, y, net=None):
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"X must be an array of numbers, got {type(X).__name__}") from None
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n_samples, 2) to be drawn in the plane, got {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X must contain at least one sample")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if net is not None and net.sizes[0] != 2:
        raise ValueError(f"net must take 2 inputs to draw its decision boundary, but net.sizes[0] = {net.sizes[0]}")
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"y must be an array of labels, got {type(y).__name__}") from None
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and y.shape[1] > 1:  # one-hot
        y = y.argmax(axis=1).astype(float)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one label per row of X, shape ({X.shape[0]},) or ({X.shape[0]}, 1); got {y.shape}")
    if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)) or np.any(y < 0):
        raise ValueError("y must hold class labels 0, 1, ... (non-negative integers)")
    return X, y.astype(int)


def _draw_boundary(ax, net, X, y, resolution, margin, colorbar, title):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0 = np.linspace(lo[0], hi[0], resolution)
    g1 = np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(g0, g1)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    with np.errstate(all="ignore"):
        out = net.predict_proba(grid)
    notes = []
    kind = net.loss.name
    if kind == "softmax" and out.shape[1] > 2:
        rows_ok = np.all(np.isfinite(out), axis=1)
        Z = np.where(rows_ok, out.argmax(axis=1), -1).astype(float).reshape(xx.shape)
        k = out.shape[1]
        levels = np.arange(k + 1) - 0.5
        cmap = mcolors.ListedColormap([_CYCLE[i % len(_CYCLE)] for i in range(k)])
        cbar_label = "predicted class"
    else:
        Z = (out[:, 1] if out.shape[1] == 2 else out[:, 0]).reshape(xx.shape)
        if kind in ("sigmoid", "softmax"):
            levels = np.linspace(0.0, 1.0, 11)
            cmap = _CLASS_CMAP
            cbar_label = "P(class 1)"
        else:
            cbar_label = "network output"
            cmap = _CLASS_CMAP
            levels = None
    Zm = np.ma.masked_invalid(Z) if kind != "softmax" or out.shape[1] <= 2 else np.ma.masked_less(Z, 0)
    n_bad = int(np.ma.count_masked(Zm))
    if n_bad == Z.size:
        notes.append("output NaN or infinite everywhere: nothing to draw")
        cs = None
    else:
        if n_bad:
            notes.append(f"output NaN or infinite at {n_bad / Z.size:.0%} of the grid (left blank)")
        zmin, zmax = float(Zm.min()), float(Zm.max())
        if levels is None:
            if zmax - zmin <= 1e-12 * max(1.0, abs(zmax)):
                levels = np.array([zmin - 0.5, zmin + 0.5])
            else:
                levels = np.linspace(zmin, zmax, 11)
        cs = ax.contourf(xx, yy, Zm, levels=levels, cmap=cmap, alpha=0.8, antialiased=True)
        is_class = kind == "softmax" and out.shape[1] > 2
        if not is_class:
            if zmax - zmin <= 1e-12 * max(1.0, abs(zmax)):
                notes.append(f"flat: {cbar_label} = {zmax:.3g} everywhere")
            elif zmin < 0.5 < zmax:
                ax.contour(xx, yy, Zm, levels=[0.5], colors="black", linewidths=1.2)
            else:
                side = "1" if zmin >= 0.5 else "0"
                notes.append(f"predicts class {side} everywhere")
        if colorbar:
            cb = ax.figure.colorbar(cs, ax=ax, shrink=0.9)
            cb.set_label(cbar_label, fontsize=_TEXT_SIZE)
            cb.ax.tick_params(labelsize=_TEXT_SIZE)
    classes = np.unique(y)
    for i, c in enumerate(classes):
        m = y == c
        color = COLORS[f"class{c}"] if c in (0, 1) and classes.max() <= 1 else _CYCLE[int(c) % len(_CYCLE)]
        ax.scatter(
            X[m, 0], X[m, 1], s=16, marker=_MARKERS[int(c) % len(_MARKERS)], c=color,
            edgecolors="black", linewidths=0.5, label=f"class {c}", zorder=3,
        )
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is None:
        title = f"Decision boundary: {net.init_name}"
        if kind in ("sigmoid", "softmax"):
            with np.errstate(all="ignore"):
                acc = net.accuracy(X, y if kind == "softmax" else y.reshape(-1, 1))
            title += f" (acc {acc:.2f})"
    # notes go under the title: inside, every corner of a decision-boundary plot may hold data
    ax.set_title("\n".join([title] + [textwrap.fill(nt, 40) for nt in notes]))
    ax.grid(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(classes), 4), fontsize=_TEXT_SIZE,
              frameon=False, handletextpad=0.2, columnspacing=1.0)
    _finish(ax, grid=False)
    return cs


def decision_boundary(net, X, y, ax=None, title=None, resolution=200, margin=0.5, colorbar=True):
    """Draw what ``net`` predicts over the plane, with the data on top.

    The predicted probability of class 1 is a filled contour from blue
    (class 0) through white (0.5) to orange (class 1), with the 0.5 contour in
    black; softmax networks with more than two classes show the predicted
    class. Points are coloured by label and drawn with distinct markers, so
    the figure also reads in greyscale. A flat output (a zero-initialized
    network predicts 0.5 everywhere) is drawn and named under the title, as is
    an output that is NaN or infinite (left blank).

    Parameters
    ----------
    net : MLP
        A network with 2 inputs. Only :meth:`MLP.predict_proba` is called: the
        arrays stored by the last forward pass are left alone.
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,) or (n_samples, 1)
        Class labels 0, 1, ... (or one-hot rows).
    ax : Axes, optional
    title : str, optional
        Default: the network's init and its accuracy on ``(X, y)``.
    resolution : int, default 200
        Grid points per axis (>= 2).
    margin : float, default 0.5
        Space around the data, in data units.
    colorbar : bool, default True

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> X, y, _, _ = il.data.circles(seed=1)
    >>> ax = decision_boundary(il.MLP([2, 10, 1], init="zeros"), X, y)
    >>> ax.get_aspect()
    1.0

    Used in: the symmetry and He-scaling chapters.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an initlib.MLP, got {type(net).__name__}")
    X, y = _check_Xy(X, y, net)
    resolution = _check_int(resolution, "resolution", minimum=2)
    margin = _check_real(margin, "margin")
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    _check_title(title)
    _check_ax(ax)
    with style():
        ax = _one_axes(ax, figsize=(4.6, 3.8))
        _draw_boundary(ax, net, X, y, resolution, margin, colorbar, title)
    return ax


def decision_boundaries(nets_by_title, X, y, axes=None, resolution=150, margin=0.5, suptitle=None):
    """Decision boundaries of several networks side by side, with one shared colour bar.

    Parameters
    ----------
    nets_by_title : dict of str to MLP
        Panel title to network, in display order.
    X, y, resolution, margin
        As for :func:`decision_boundary`.
    axes : sequence of Axes, optional
        One per network.
    suptitle : str, optional
        Default: "Decision boundaries".

    Returns
    -------
    Figure

    Examples
    --------
    >>> import initlib as il
    >>> X, y, _, _ = il.data.circles(seed=1)
    >>> nets = {"zeros": il.MLP([2, 10, 1], init="zeros"), "he_normal": il.MLP([2, 10, 1])}
    >>> fig = decision_boundaries(nets, X, y)
    >>> len(fig.axes)  # two panels and the colour bar
    3

    Used in: the symmetry and He-scaling chapters.
    """
    if not isinstance(nets_by_title, dict):
        raise TypeError(f"nets_by_title must be a dict of title -> MLP, got {type(nets_by_title).__name__}")
    if not nets_by_title:
        raise ValueError("nets_by_title must hold at least one network")
    for key, net in nets_by_title.items():
        if not isinstance(net, MLP):
            raise TypeError(f"nets_by_title[{key!r}] must be an initlib.MLP, got {type(net).__name__}")
    X, y = _check_Xy(X, y, next(iter(nets_by_title.values())))
    for key, net in nets_by_title.items():
        if net.sizes[0] != 2:
            raise ValueError(f"nets_by_title[{key!r}] must take 2 inputs, but its sizes[0] = {net.sizes[0]}")
    resolution = _check_int(resolution, "resolution", minimum=2)
    margin = _check_real(margin, "margin")
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    _check_title(suptitle, "suptitle")
    n = len(nets_by_title)
    axes = _check_axes(axes, n)
    with style():
        created = axes is None
        if created:
            fig, grid = _new_figure(1, n, figsize=(min(_MAX_WIDTH, 0.6 + 2.2 * n), 3.0))
            axes = list(grid[0])
        fig = axes[0].figure
        last = None
        for ax, (name, net) in zip(axes, nets_by_title.items()):
            cs = _draw_boundary(ax, net, X, y, resolution, margin, colorbar=False, title=str(name))
            if cs is not None and (net.loss.name != "softmax" or net.sizes[-1] <= 2):
                last = cs
        for ax in axes[1:]:
            ax.set_ylabel("")
        if created:  # one legend for the figure, below the panels
            handles, labels = axes[0].get_legend_handles_labels()
            for ax in axes:
                ax.get_legend().remove()
            fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4), frameon=False,
                       fontsize=_TEXT_SIZE)
        else:
            for ax in axes[1:]:
                ax.get_legend().remove()
        if last is not None:
            cb = fig.colorbar(last, ax=list(axes), shrink=0.85)
            cb.set_label("P(class 1)", fontsize=_TEXT_SIZE)
            cb.ax.tick_params(labelsize=_TEXT_SIZE)
        fig.suptitle(suptitle if suptitle is not None else "Decision boundaries")
    return fig


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


# --------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------


def weight_heatmap(W, ax=None, title=None, cmap=DIVERGING_CMAP, vmax=None, colorbar=True):
    """Heatmap of a weight matrix, coloured symmetrically about 0.

    Rows are the ``fan_in`` inputs and columns the units (``W`` has shape
    ``(fan_in, fan_out)``), so a column is one unit's incoming weights: a
    zero or constant initialization shows as identical columns.

    Parameters
    ----------
    W : array_like of shape (fan_in, fan_out)
    ax : Axes, optional
    title : str, optional
        Default: ``"W (fan_in x fan_out)"``.
    cmap : str, default "RdBu_r"
        A diverging colormap; white is 0.
    vmax : float, optional
        Colour limits are ``[-vmax, vmax]``; default ``max |W|`` (1 if ``W`` is all zeros).
    colorbar : bool, default True

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = weight_heatmap(np.zeros((2, 10)))
    >>> tuple(float(v) for v in ax.images[0].get_clim())
    (-1.0, 1.0)

    Used in: the symmetry chapter.
    """
    try:
        W = np.asarray(W, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"W must be an array of numbers, got {type(W).__name__}") from None
    if W.ndim != 2 or W.size == 0:
        raise ValueError(f"W must be a non-empty 2-D array (fan_in, fan_out), got shape {W.shape}")
    _check_ax(ax)
    _check_title(title)
    bad = ~np.isfinite(W)
    if vmax is None:
        finite = W[~bad]
        vmax = float(np.max(np.abs(finite))) if finite.size else 0.0
        if vmax == 0.0:
            vmax = 1.0
    else:
        vmax = _check_real(vmax, "vmax", positive=True)
    with style():
        fan_in, fan_out = W.shape
        h = float(np.clip(0.6 + 0.25 * fan_in, 2.0, 4.0))
        ax = _one_axes(ax, figsize=(float(np.clip(1.5 + 0.3 * fan_out, 3.0, 6.0)), h))
        cm = mpl.colormaps[cmap].with_extremes(bad="#777777")
        im = ax.imshow(np.ma.masked_invalid(W), cmap=cm, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
        ax.set_xlabel("unit (column of W)")
        ax.set_ylabel("input (row of W)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
        ax.set_title(title if title is not None else f"W ({fan_in} x {fan_out})")
        if colorbar:
            cb = ax.figure.colorbar(im, ax=ax)
            cb.set_label("weight", fontsize=_TEXT_SIZE)
            cb.ax.tick_params(labelsize=_TEXT_SIZE)
        notes = []
        finite = W[~bad]
        if finite.size and np.all(finite == finite[0]):
            notes.append(f"every weight = {finite[0]:.3g}")
        if bad.any():
            notes.append(f"{int(bad.sum())} NaN or infinite weight(s) shown in grey")
        _note(ax, notes)
        _finish(ax, grid=False)
    return ax


# --------------------------------------------------------------------------
# Histograms of activations
# --------------------------------------------------------------------------

_FIXED_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
_BIG = 1e300


def _activation_list(activations, name="activations"):
    """Return (labels, list of flat float arrays) from a sequence of arrays, a dict, or an MLP."""
    if isinstance(activations, LayerStats):
        raise TypeError(
            f"{name} must be the activations themselves (for example net.a[:-1]); "
            "a LayerStats holds only their mean and std"
        )
    if isinstance(activations, MLP):
        if activations.a[0] is None:
            raise ValueError(f"{name}: the network has no activations yet; call net.forward(X) first")
        activations = activations.a[:-1] if activations.n_layers > 1 else activations.a
    if isinstance(activations, dict):
        labels = [str(k) for k in activations]
        arrays = list(activations.values())
    elif isinstance(activations, (list, tuple)):
        labels = [f"layer {i + 1}" for i in range(len(activations))]
        arrays = list(activations)
    elif isinstance(activations, np.ndarray) and activations.ndim >= 2 and activations.dtype != object:
        # a stacked array (n_layers, ...) of activations
        labels = [f"layer {i + 1}" for i in range(activations.shape[0])]
        arrays = list(activations)
    else:
        raise TypeError(f"{name} must be a list of arrays (one per layer), a dict, or an MLP; got {type(activations).__name__}")
    if not arrays:
        raise ValueError(f"{name} must hold at least one layer")
    out = []
    for i, a in enumerate(arrays):
        if a is None:
            raise ValueError(f"{name}[{i}] is None: run net.forward(X) first")
        try:
            a = np.asarray(a, dtype=float).ravel()
        except (TypeError, ValueError):
            raise TypeError(f"{name}[{i}] must be an array of numbers, got {type(a).__name__}") from None
        if a.size == 0:
            raise ValueError(f"{name}[{i}] is empty")
        out.append(a)
    return labels, out


def _activation_name(activation):
    if activation is None:
        return None
    return _activations.get(activation).name  # raises for unknown names


def _hist_range(arrays, act_name):
    if act_name in _FIXED_RANGE:
        return _FIXED_RANGE[act_name], True
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [a for a in finite if a.size]
    if not finite:
        return (-1.0, 1.0), False
    lo = min(float(a.min()) for a in finite)
    hi = max(float(a.max()) for a in finite)
    if act_name == "relu":
        lo = 0.0
    lo, hi = max(lo, -_BIG), min(hi, _BIG)  # keeps hi - lo finite; values beyond are counted in a note
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 0.5, hi + 0.5
    return (lo, hi), False


def _histogram(a, edges):
    """Counts of the finite values of ``a`` in ``edges`` (uniform; right edge included), and #non-finite."""
    finite = np.isfinite(a)
    n_bad = int(a.size - np.count_nonzero(finite))
    if n_bad:
        a = a[finite]
    # bins as a count with a range takes numpy's fast path for uniform bins (no searchsorted)
    counts, _ = np.histogram(a, bins=len(edges) - 1, range=(edges[0], edges[-1]))
    return counts, n_bad


def layer_histograms(activations, activation=None, axes=None, bins=41, title=None, ncols=5):
    """One histogram per layer of the activations, in a row (or grid) of small panels sharing both axes.

    Parameters
    ----------
    activations : list of ndarray, dict of str to ndarray, or MLP
        One array per layer (any shape; all entries are counted), e.g.
        ``net.a[:-1]`` after ``net.forward(X)``; a dict gives the panel
        titles; an MLP stands for its hidden layers' activations.
    activation : str or Activation, optional
        Fixes the x range: ``"tanh"`` (-1, 1), ``"sigmoid"`` (0, 1),
        ``"relu"`` starts at 0. Default: the range of the data.
    axes : sequence of Axes, optional
        One per layer.
    bins : int, default 41
        Number of bins (odd, so that 0 is the centre of a bin for tanh).
    title : str, optional
        Figure title; default "Activations, layer by layer".
    ncols : int, default 5
        Panels per row.

    Returns
    -------
    Figure

    Examples
    --------
    >>> acts = [np.tanh(np.random.default_rng(0).standard_normal(500) * s) for s in (3, 1, 0.1)]
    >>> fig = layer_histograms(acts, activation="tanh")
    >>> tuple(float(v) for v in fig.axes[0].get_xlim())
    (-1.0, 1.0)

    Used in: the saturation and He-scaling chapters.
    """
    labels, arrays = _activation_list(activations)
    act_name = _activation_name(activation)
    bins = _check_int(bins, "bins", minimum=1)
    ncols = _check_int(ncols, "ncols", minimum=1)
    _check_title(title)
    n = len(arrays)
    axes = _check_axes(axes, n)
    (lo, hi), _ = _hist_range(arrays, act_name)
    edges = np.linspace(lo, hi, bins + 1)
    colors = layer_colors(n)
    with style():
        if axes is None:
            nc = min(n, ncols)
            nr = -(-n // nc)
            fig, grid = _new_figure(nr, nc, figsize=(min(_MAX_WIDTH, 0.6 + 1.45 * nc), 0.7 + 1.6 * nr), sharex=True, sharey=True)
            all_axes = list(grid.ravel())
            for extra in all_axes[n:]:
                extra.set_visible(False)
            axes = all_axes[:n]
        else:
            fig = axes[0].figure
        ymax = 0.0
        for ax, lab, a, c in zip(axes, labels, arrays, colors):
            counts, n_bad = _histogram(a, edges)
            total = max(a.size - n_bad, 1)
            frac = counts / total
            ymax = max(ymax, float(frac.max()))
            ax.stairs(frac, edges, fill=True, facecolor=mcolors.to_rgba(c, 0.55), edgecolor=c, linewidth=1)
            finite = a[np.isfinite(a)] if n_bad else a
            with np.errstate(over="ignore", invalid="ignore"):
                std = float(finite.std()) if finite.size else float("nan")
            ax.set_title(f"{lab}\nstd {std:.2g}" if np.isfinite(std) else f"{lab}\nstd n/a", fontsize=_TEXT_SIZE)
            notes = []
            if n_bad:
                notes.append(f"{n_bad} NaN/inf not drawn")
            outside = int(np.count_nonzero((finite < lo) | (finite > hi)))
            if outside:
                notes.append(f"{outside} outside range")
            _note(ax, notes, loc="upper left")
            ax.set_xlim(lo, hi)
            ax.xaxis.set_major_locator(FixedLocator([lo, (lo + hi) / 2, hi]) if act_name in _FIXED_RANGE
                                       else MaxNLocator(nbins=3))
            _finish(ax)
        for ax in axes:  # the same limits whether the axes are shared or were passed in
            ax.set_ylim(0, max(ymax, 1e-3) * 1.08)
        fig.suptitle(title if title is not None else "Activations, layer by layer")
        fig.supxlabel("activation a", fontsize=10)
        fig.supylabel("fraction of values", fontsize=10)
    return fig


_RIDGELINES = weakref.WeakKeyDictionary()


class Ridgeline:
    """The artists of :func:`layer_histograms_stacked`, updatable in place.

    A widget redraws a new set of activations with :meth:`update` and then
    ``ax.figure.canvas.draw_idle()``: the histograms are recomputed on the
    same bins and the existing :class:`~matplotlib.patches.StepPatch` and
    :class:`~matplotlib.text.Text` artists get the new data, so nothing is
    created or laid out again. For the fastest redraws, freeze the
    constrained layout after the first draw with
    ``ax.figure.set_layout_engine("none")``: measured on a 9-layer, 500-unit
    network, :meth:`update` takes about 20 ms and an Agg redraw 60 ms frozen,
    100 ms with the layout recomputed.

    Attributes
    ----------
    ax : Axes
    stairs : list of matplotlib.patches.StepPatch
        One per layer; ``stairs[0]`` is layer 1 (drawn at the top).
    labels : list of matplotlib.text.Text
        The per-layer std labels at the right (empty if ``show_std=False``).
    note : matplotlib.text.Text
        Note about values outside the range or not finite ("" when none).
    edges : ndarray
        Bin edges, shared by all layers.
    offsets : ndarray
        Baseline of each layer's histogram.
    fixed_range : bool
        True when the x range comes from the activation (tanh, sigmoid).
    max_values : int or None
    """

    def __init__(self, ax, stairs, labels, note, edges, offsets, fixed_range, max_values, height):
        self.ax = ax
        self.stairs = stairs
        self.labels = labels
        self.note = note
        self.edges = edges
        self.offsets = offsets
        self.fixed_range = fixed_range
        self.max_values = max_values
        self.height = height

    def _heights(self, a):
        if self.max_values is not None and a.size > self.max_values:
            a = a[:: -(-a.size // self.max_values)]  # an evenly strided subset
        counts, n_bad = _histogram(a, self.edges)
        peak = counts.max()
        values = counts * (self.height / peak) if peak > 0 else np.zeros(counts.shape)
        return values, n_bad

    def update(self, activations, rescale=False):
        """Show new activations (one array per layer, as many layers as before).

        Parameters
        ----------
        activations : list of ndarray or dict
        rescale : bool, default False
            Recompute the bins from the data's range (not with a fixed
            tanh/sigmoid range); otherwise values outside keep being counted
            in the note.
        """
        labels, arrays = _activation_list(activations)
        if len(arrays) != len(self.stairs):
            raise ValueError(f"activations must have {len(self.stairs)} layers, as when the plot was made; got {len(arrays)}")
        if rescale and not self.fixed_range:
            (lo, hi), _ = _hist_range(arrays, None)
            self.edges = np.linspace(lo, hi, len(self.edges))
            self.ax.set_xlim(lo, hi)
        lo, hi = self.edges[0], self.edges[-1]
        n_bad_total, n_out = 0, 0
        for i, (patch, a) in enumerate(zip(self.stairs, arrays)):
            values, n_bad = self._heights(a)
            patch.set_data(values + self.offsets[i], self.edges, baseline=self.offsets[i])
            n_bad_total += n_bad
            finite = a[np.isfinite(a)] if n_bad else a
            if finite.size and (finite.min() < lo or finite.max() > hi):
                n_out += int(np.count_nonzero((finite < lo) | (finite > hi)))
            if self.labels:
                with np.errstate(over="ignore", invalid="ignore"):
                    std = finite.std() if finite.size else np.nan
                self.labels[i].set_text(f"std {std:.2g}" if np.isfinite(std) else "std n/a")
        msgs = []
        if n_bad_total:
            msgs.append(f"{n_bad_total} NaN/inf values not drawn")
        if n_out:
            msgs.append(f"{n_out} values outside [{lo:.3g}, {hi:.3g}] not drawn")
        self.note.set_text("\n".join(msgs))
        self.note.set_visible(bool(msgs))
        return self


def get_ridgeline(ax):
    """The :class:`Ridgeline` that :func:`layer_histograms_stacked` drew on ``ax``.

    Raises ``ValueError`` if there is none.
    """
    _check_ax(ax)
    try:
        return _RIDGELINES[ax]
    except KeyError:
        raise ValueError("ax holds no plot of layer_histograms_stacked") from None


def _draw_ridgeline(ax, arrays, labels, edges, fixed_range, max_values, show_std, height=0.9):
    n = len(arrays)
    offsets = np.arange(n - 1, -1, -1, dtype=float)  # layer 1 on top
    colors = layer_colors(n)
    stairs, texts = [], []
    for i, c in enumerate(colors):
        patch = ax.stairs(
            np.full(len(edges) - 1, offsets[i]), edges, baseline=offsets[i], fill=True,
            facecolor=mcolors.to_rgba(c, 0.55), edgecolor=c, linewidth=1.0, zorder=2 + i,
        )
        stairs.append(patch)
        if show_std:
            texts.append(
                ax.text(0.99, offsets[i] + 0.45, "", transform=ax.get_yaxis_transform(), ha="right", va="center",
                        fontsize=_TEXT_SIZE, zorder=20)
            )
    note = _note(ax, ["-"], loc="upper left")
    ridge = Ridgeline(ax, stairs, texts, note, edges, offsets, fixed_range, max_values, height)
    ridge.update(arrays)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(-0.1, n - 1 + height + 0.25)
    ax.yaxis.set_major_locator(FixedLocator(offsets))
    ax.set_yticklabels(labels)
    ax.grid(False, axis="y")
    return ridge


def layer_histograms_stacked(activations, activation=None, ax=None, bins=61, title=None, max_values=100_000, show_std=True):
    """All layers' activation histograms on one axes, stacked as a ridgeline (layer 1 on top).

    Each histogram is scaled to the same peak height (its shape is what
    matters; the x axis shows its spread) and drawn as one
    :meth:`~matplotlib.axes.Axes.stairs` patch. One axes with a few artists
    redraws fast, and :func:`get_ridgeline` returns the artists with an
    :meth:`Ridgeline.update` method for widgets that redraw in place.

    Parameters
    ----------
    activations : list of ndarray, dict of str to ndarray, or MLP
        As for :func:`layer_histograms`.
    activation : str or Activation, optional
        Fixes the x range for ``"tanh"`` (-1, 1) and ``"sigmoid"`` (0, 1).
    ax : Axes, optional
    bins : int, default 61
        Number of bins (odd, so that 0 is the centre of a bin for tanh).
    title : str, optional
    max_values : int or None, default 100000
        Histogram at most this many values per layer (an evenly strided
        subset) to keep redraws fast; None for all. The std labels always
        use every value.
    show_std : bool, default True
        Write each layer's std at the right.

    Returns
    -------
    Axes
        ``get_ridgeline(ax)`` gives the :class:`Ridgeline`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> acts = [np.tanh(rng.standard_normal(1000) * s) for s in (3, 1, 0.1)]
    >>> ax = layer_histograms_stacked(acts, activation="tanh")
    >>> ridge = get_ridgeline(ax)
    >>> _ = ridge.update([np.tanh(rng.standard_normal(1000) * s) for s in (1, 1, 1)])
    >>> len(ridge.stairs)
    3

    Used in: the saturation and He-scaling chapters (and their widgets).
    """
    labels, arrays = _activation_list(activations)
    act_name = _activation_name(activation)
    bins = _check_int(bins, "bins", minimum=1)
    if max_values is not None:
        max_values = _check_int(max_values, "max_values", minimum=1)
    _check_title(title)
    _check_ax(ax)
    (lo, hi), fixed = _hist_range(arrays, act_name)
    edges = np.linspace(lo, hi, bins + 1)
    n = len(arrays)
    with style():
        ax = _one_axes(ax, figsize=(6.0, float(np.clip(1.0 + 0.45 * n, 2.5, 6.0))))
        ridge = _draw_ridgeline(ax, arrays, labels, edges, fixed, max_values, bool(show_std))
        ax.set_xlabel("activation a")
        ax.set_ylabel("layer (histograms scaled to equal height)")
        ax.set_title(title if title is not None else "Activations, layer by layer")
        _finish(ax)
        ax.grid(False, axis="y")
    _RIDGELINES[ax] = ridge
    return ax


# --------------------------------------------------------------------------
# Per-layer curves
# --------------------------------------------------------------------------


def _curves_from(source, attr, name, allowed_type):
    """Normalize ``source`` into (labels, list of 1-D arrays, list of hidden masks or None)."""

    def one(value, key):
        if isinstance(value, allowed_type):
            return getattr(value, attr) if isinstance(attr, str) else attr(value)
        if isinstance(value, (LayerStats, GradientStats, History, MLP)):
            raise TypeError(f"{key} must be a {allowed_type.__name__} or an array of per-layer values, got {type(value).__name__}")
        return value

    if isinstance(source, dict):
        if not source:
            raise ValueError(f"{name} must hold at least one curve")
        labels = [str(k) for k in source]
        values = [_finite_array(one(v, f"{name}[{k!r}]"), f"{name}[{k!r}]") for k, v in source.items()]
    elif isinstance(source, allowed_type):
        labels = [""]
        values = [_finite_array(one(source, name), name)]
    elif isinstance(source, (str, bytes, LayerStats, GradientStats, History, MLP)) or source is None:
        raise TypeError(
            f"{name} must be a {allowed_type.__name__}, a dict of label -> {allowed_type.__name__} or array, "
            f"or an array of per-layer values; got {type(source).__name__}"
        )
    else:
        labels = [""]
        values = [_finite_array(source, name)]
    return labels, values


def _layer_curves(ax, labels, values, *, log, ylabel, title, reference, reference_label, quantity, ylim=None):
    """Draw per-layer curves on ``ax`` (x = layer 1..L); mask what cannot be drawn and say so."""
    colors = _colors_for(labels)
    notes = []
    n_max = max(len(v) for v in values)
    for i, (lab, v) in enumerate(zip(labels, values)):
        x = np.arange(1, len(v) + 1)
        finite = np.isfinite(v)
        ok = finite & (v > 0) if log else finite
        with np.errstate(invalid="ignore"):
            zero = finite & (v <= 0) if log else np.zeros_like(finite)
        bad = ~ok
        if bad.any():
            what, where = _describe_masked(x, bad, zero)
            if log and np.any(zero & (v < 0)):
                what = what.replace("= 0", "<= 0")
            prefix = f"{lab}: " if lab else ""
            tail = " (not drawn on the log scale)" if log and np.any(zero) else " (not drawn)"
            notes.append(f"{prefix}{quantity} {what} {where}{tail}")
        y = np.ma.masked_array(v, mask=bad)
        ax.plot(
            x, y, marker=_MARKERS[i % len(_MARKERS)], color=colors[i], label=lab or None,
            markeredgecolor="white", markeredgewidth=0.5,
        )
    if reference is not None:
        ax.axhline(reference, color=COLORS["reference"], linestyle="--", linewidth=1.0, label=reference_label, zorder=1)
    if log:
        refs = [] if reference is None else [[reference]]
        notes.append(_set_log_y(ax, list(values) + refs,
                                fallback=(1e-4, 1e1 if reference is None else max(10 * reference, 1e1))))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlim(0.5, n_max + 0.5)
    if n_max <= 15:
        ax.xaxis.set_major_locator(FixedLocator(np.arange(1, n_max + 1)))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    _note(ax, notes)
    _legend(ax)  # after the note: "best" placement avoids texts
    _finish(ax)
    return ax


def layer_std(values_by_label, ax=None, log=True, ylabel="std of activations", title="Std of the activations, layer by layer",
              reference=None, reference_label=None):
    """Per-layer curves of a std (or any positive per-layer size), on a log axis by default.

    Parameters
    ----------
    values_by_label : LayerStats, array_like, or dict of str to LayerStats or array_like
        One curve per entry: the ``std`` of a :class:`~initlib.diagnostics.LayerStats`
        (every layer, the output layer last) or any per-layer values.
    ax : Axes, optional
    log : bool, default True
        Log y axis. Values <= 0 or not finite are left out and named in a note
        ("std = 0 from layer 3 on").
    ylabel, title : str
    reference : float, optional
        Draw a dashed horizontal line there (e.g. 1.0, the std He scaling keeps).
    reference_label : str, optional
        Legend label of the reference line; default ``"reference (1)"``.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = layer_std({"normal, scale 0.01": [0.21, 0.048, 0.011], "zeros": [0.0, 0.0, 0.0]})
    >>> print(" ".join(ax.texts[0].get_text().split()))  # the note inside the axes
    zeros: std = 0 at every layer (not drawn on the log scale)

    Used in: the saturation and He-scaling chapters.
    """
    labels, values = _curves_from(values_by_label, "std", "values_by_label", LayerStats)
    return _per_layer_plot(labels, values, ax, log, ylabel, title, reference, reference_label, "std")


def _per_layer_plot(labels, values, ax, log, ylabel, title, reference, reference_label, quantity, ylim=None):
    _check_ax(ax)
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be True or False, got {log!r}")
    _check_title(title)
    _check_title(ylabel, "ylabel")
    reference = _check_real(reference, "reference", allow_none=True)
    if log and reference is not None and reference <= 0:
        raise ValueError(f"reference must be > 0 on a log axis, got {reference}")
    if reference is not None and reference_label is None:
        reference_label = f"reference ({reference:g})"
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        _layer_curves(ax, labels, values, log=bool(log), ylabel=ylabel, title=title, reference=reference,
                      reference_label=reference_label, quantity=quantity, ylim=ylim)
    return ax


def layer_fraction(values_by_label, ax=None, kind="auto", ylabel=None, title=None, reference=None, reference_label=None):
    """Per-layer fraction of saturated (sigmoid, tanh) or dead (ReLU) units, on [0, 1].

    Parameters
    ----------
    values_by_label : LayerStats, array_like, or dict of str to LayerStats or array_like
        From a :class:`~initlib.diagnostics.LayerStats`, the hidden layers'
        ``saturated`` or ``dead`` fraction (see ``kind``); or per-layer values in [0, 1].
    ax : Axes, optional
    kind : {"auto", "saturated", "dead"}
        Which fraction to take from a LayerStats; "auto" takes the one the
        activation defines. Also sets the default labels.
    ylabel, title : str, optional
    reference : float, optional
        A dashed line, e.g. 0.5 (half the ReLU units are dead at any init).
    reference_label : str, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = layer_fraction({"tanh, scale 1": [0.9, 0.9, 0.9]}, kind="saturated")
    >>> tuple(float(v) for v in ax.get_ylim())
    (-0.03, 1.03)

    Used in: the saturation and He-scaling chapters.
    """
    if kind not in ("auto", "saturated", "dead"):
        raise ValueError(f"kind must be 'auto', 'saturated' or 'dead', got {kind!r}")
    chosen = []

    def pick(stats):
        k = kind
        if k == "auto":
            k = "saturated" if np.any(np.isfinite(stats.saturated)) else "dead"
            if not np.any(np.isfinite(stats.saturated)) and not np.any(np.isfinite(stats.dead)):
                raise ValueError(
                    f"values_by_label: activation {stats.activation!r} has neither saturated nor dead units"
                )
        chosen.append(k)
        return getattr(stats, k)[stats.hidden]

    labels, values = _curves_from(values_by_label, pick, "values_by_label", LayerStats)
    for lab, v in zip(labels, values):
        with np.errstate(invalid="ignore"):
            if np.any((v < 0) | (v > 1)):
                where = f"values_by_label[{lab!r}]" if lab else "values_by_label"
                raise ValueError(f"{where} must hold fractions in [0, 1], got {v}")
    k = kind if kind != "auto" else (chosen[0] if chosen and len(set(chosen)) == 1 else "auto")
    if ylabel is None:
        ylabel = {"saturated": "fraction saturated", "dead": "fraction dead (z <= 0)"}.get(k, "fraction of units")
    if title is None:
        title = {
            "saturated": "Saturated units, layer by layer",
            "dead": "Dead ReLU units, layer by layer",
        }.get(k, "Saturated or dead units, layer by layer")
    return _per_layer_plot(labels, values, ax, False, ylabel, title, reference, reference_label, "fraction",
                           ylim=(-0.03, 1.03))


_GRAD_LABELS = {
    "weight_norm": (r"$\|\partial L/\partial W\|$ (Frobenius)", "|dW|"),
    "weight_std": (r"std of $\partial L/\partial W$", "std(dW)"),
    "signal_std": (r"std of $\partial L/\partial z$ per sample", "std(dz)"),
}


def gradient_norms(grads, ax=None, which="weight_norm", log=True, title=None, reference=None, reference_label=None):
    """Per-layer size of the gradients, on a log axis.

    Parameters
    ----------
    grads : GradientStats, array_like, or dict of str to GradientStats or array_like
    ax : Axes, optional
    which : {"weight_norm", "weight_std", "signal_std"}
        Which attribute of :class:`~initlib.diagnostics.GradientStats` to draw.
    log : bool, default True
        Zeros and non-finite values are left out and named in a note.
    title : str, optional
    reference, reference_label
        As for :func:`layer_std`.

    Returns
    -------
    Axes

    Examples
    --------
    >>> ax = gradient_norms({"he_normal": [0.2, 0.4, 0.4], "zeros": [0.0, 0.0, 0.3]})
    >>> ax.get_yscale()
    'log'

    Used in: the saturation and He-scaling chapters.
    """
    if which not in _GRAD_LABELS:
        raise ValueError(f"which must be one of {', '.join(_GRAD_LABELS)}; got {which!r}")
    labels, values = _curves_from(grads, which, "grads", GradientStats)
    ylabel, quantity = _GRAD_LABELS[which]
    if title is None:
        title = "Gradient size, layer by layer"
    return _per_layer_plot(labels, values, ax, log, ylabel, title, reference, reference_label, quantity)


# --------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------

_METRICS = {
    "loss": ("loss", "training loss", "Training loss"),
    "test_loss": ("test_loss", "test loss", "Test loss"),
    "train_acc": ("train_acc", "training accuracy", "Training accuracy"),
    "test_acc": ("test_acc", "test accuracy", "Test accuracy"),
}


def training_curves(histories, ax=None, metric="loss", log=None, chance=False, title=None):
    """Curves of a metric against the epoch for one or several training runs.

    A run that diverged is drawn up to its last finite value, marked with an
    ``x`` there, and its :attr:`History.message` is written inside the axes.
    Non-finite values are never drawn; a note says how many were left out.

    Parameters
    ----------
    histories : History or dict of str to History
        Legend label to run.
    ax : Axes, optional
    metric : {"loss", "train_acc", "test_acc", "test_loss"}
    log : bool, optional
        Log y axis; by default on for a loss whose values span more than 1.5
        decades, off for accuracies.
    chance : bool, default False
        Draw the level of a network that has learnt nothing on a balanced
        binary task: ln 2 = 0.693 for a loss (the loss of a constant 0.5
        output), 0.5 for an accuracy.
    title : str, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> X, y, _, _ = il.data.circles(seed=1)
    >>> h = il.train(il.MLP([2, 10, 1], init="zeros"), X, y, epochs=50, lr=0.01)
    >>> ax = training_curves({"zeros": h}, chance=True)
    >>> ax.get_legend().get_texts()[-1].get_text()
    'ln 2 (constant 0.5 output)'

    Used in: the symmetry, saturation and He-scaling chapters.
    """
    if isinstance(histories, History):
        histories = {"": histories}
    if not isinstance(histories, dict):
        raise TypeError(f"histories must be a History or a dict of label -> History, got {type(histories).__name__}")
    if not histories:
        raise ValueError("histories must hold at least one History")
    for k, h in histories.items():
        if not isinstance(h, History):
            raise TypeError(f"histories[{k!r}] must be a History, got {type(h).__name__}")
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}; got {metric!r}")
    if log is not None and not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be True, False or None, got {log!r}")
    _check_ax(ax)
    _check_title(title)
    attr, ylabel, default_title = _METRICS[metric]
    series = []
    for k, h in histories.items():
        v = getattr(h, attr)
        if v is None:
            raise ValueError(f"histories[{k!r}] has no {attr}: train with X_test and y_test to record it")
        ep = np.asarray(h.epoch, dtype=float)
        v = np.asarray(v, dtype=float)
        if ep.shape != v.shape:
            raise ValueError(f"histories[{k!r}]: epoch and {attr} have different lengths ({ep.size} and {v.size})")
        series.append((str(k), h, ep, v))
    is_loss = "loss" in metric
    # Limits follow the runs that did not diverge (if any did not): a diverged run climbs
    # to 1e300 and would flatten every other curve; it is drawn, clipped, and named in a note.
    stable = [v for _, h, _, v in series if not h.diverged]
    focus = stable if stable and len(stable) < len(series) else [v for _, _, _, v in series]
    refs = [np.array([np.log(2.0) if is_loss else 0.5])] if chance else []
    if log is None:
        if is_loss:
            pos = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in focus])
            log = bool(pos.size and pos.max() / pos.min() > 10**1.5)
        else:
            log = False
    colors = _colors_for([s[0] for s in series])
    notes = []
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        drawn = []
        for i, (lab, h, ep, v) in enumerate(series):
            ok = np.isfinite(v) & ((v > 0) if log else True)
            n_bad = int(np.count_nonzero(~ok))
            few = ep.size <= 20
            ax.plot(ep[ok], v[ok], color=colors[i], label=lab or None, marker="o" if few else None, markersize=3.5)
            drawn.append((ep[ok], v[ok]))
            prefix = f"{lab}: " if lab else ""
            if n_bad:
                if not ok.any():
                    why = "no finite value" if not log else "no positive finite value"
                    notes.append(f"{prefix}{why} of the {ylabel} to draw")
                else:
                    what = "zero, negative or non-finite" if log else "non-finite"
                    notes.append(f"{prefix}{n_bad} {what} value(s) of the {ylabel} not drawn")
        if chance:
            if is_loss:
                ax.axhline(np.log(2.0), color=COLORS["reference"], linestyle="--", linewidth=1.0,
                           label="ln 2 (constant 0.5 output)", zorder=1)
            else:
                ax.axhline(0.5, color=COLORS["reference"], linestyle="--", linewidth=1.0, label="chance (0.5)", zorder=1)
        if log:
            notes.append(_set_log_y(ax, focus + refs))
        elif not is_loss:
            ax.set_ylim(-0.02, 1.02)
        else:
            vals = np.concatenate([v[np.isfinite(v)] for v in focus + refs])
            if vals.size:
                lo, hi = float(vals.min()), float(vals.max())
                pad = 0.05 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1.0)
                ax.set_ylim(lo - pad, hi + pad)
        top = ax.get_ylim()[1]
        for i, (lab, h, ep, v) in enumerate(series):
            if not h.diverged:
                continue
            prefix = f"{lab}: " if lab else ""
            msg = prefix + (h.message or f"training diverged at epoch {h.diverged_epoch}")
            e_ok, v_ok = drawn[i]
            if v_ok.size:
                clipped = bool(np.any(v_ok > top))
                # an x where the run stopped; on the top edge if its last value is off the axes
                ax.plot(e_ok[-1], min(v_ok[-1], top), marker="x", color=colors[i], markersize=9,
                        markeredgewidth=2, linestyle="none", clip_on=False, zorder=5)
                if clipped:
                    msg += f"; its curve leaves the axes (up to {v_ok.max():.2g})"
            notes.append(msg)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.set_title(title if title is not None else default_title)
        _note(ax, notes)
        _legend(ax)
        _finish(ax)
    return ax


# --------------------------------------------------------------------------
# Activation functions
# --------------------------------------------------------------------------


def activation_functions(names=("sigmoid", "tanh", "relu"), ax=None, derivative=True, z_range=(-5.0, 5.0), title=None):
    """Plot activation functions and, in a second panel, their derivatives.

    The derivative panel marks the largest derivatives, e.g. sigmoid's
    :math:`\\sigma'(0) = 1/4` against tanh's :math:`\\tanh'(0) = 1`: a
    sigmoid layer shrinks backpropagated gradients at least fourfold.

    Parameters
    ----------
    names : sequence of str or Activation
        Names from :data:`initlib.activations.ACTIVATIONS`, or Activations.
    ax : Axes, or a pair of Axes when ``derivative=True``; optional
    derivative : bool, default True
        Add the derivative panel.
    z_range : (float, float)
        Range of the pre-activation ``z``.
    title : str, optional
        Title of the function panel (default "Activation functions").

    Returns
    -------
    Figure if ``derivative`` else Axes

    Examples
    --------
    >>> fig = activation_functions(("sigmoid", "tanh"))
    >>> [ax.get_title() for ax in fig.axes]
    ['Activation functions', 'Derivatives']

    Used in: the saturation chapter.
    """
    if isinstance(names, (str, _activations.Activation)):
        names = (names,)
    try:
        names = list(names)
    except TypeError:
        raise TypeError(f"names must be a sequence of activation names, got {type(names).__name__}") from None
    if not names:
        raise ValueError("names must hold at least one activation")
    acts = []
    for nm in names:
        if not isinstance(nm, (str, _activations.Activation)):
            raise TypeError(f"names must hold activation names or Activations, got {type(nm).__name__}")
        acts.append(_activations.get(nm))
    try:
        z0, z1 = (float(v) for v in z_range)
    except (TypeError, ValueError):
        raise TypeError(f"z_range must be a pair of numbers (low, high), got {z_range!r}") from None
    if not (np.isfinite(z0) and np.isfinite(z1) and z0 < z1):
        raise ValueError(f"z_range must be finite with low < high, got {z_range!r}")
    _check_title(title)
    n_panels = 2 if derivative else 1
    if ax is not None:
        if derivative:
            if isinstance(ax, Axes):
                raise TypeError("ax must be a pair of Axes when derivative=True (functions, derivatives)")
            axes = _check_axes(ax, 2, name="ax")
        else:
            axes = [_check_ax(ax)]
    z = np.linspace(z0, z1, 801)
    colors = _colors_for([a.name for a in acts])
    with style():
        if ax is None:
            fig, grid = _new_figure(1, n_panels, figsize=(3.4 * n_panels + 0.2, 3.2))
            axes = list(grid[0])
        for i, act in enumerate(acts):
            axes[0].plot(z, act(z), color=colors[i], label=act.name, linestyle=["-", "--", "-.", ":"][i % 4])
        axes[0].set_ylabel("a = f(z)")
        axes[0].set_title(title if title is not None else "Activation functions")
        if derivative:
            for i, act in enumerate(acts):
                d = act.derivative(z)
                axes[1].plot(z, d, color=colors[i], label=act.name, linestyle=["-", "--", "-.", ":"][i % 4])
                if act.name in ("sigmoid", "tanh"):
                    peak = float(act.derivative(0.0))
                    left = act.name == "tanh"  # left of the peak, clear of ReLU's derivative (1 for z > 0)
                    axes[1].annotate(
                        f"max {'1/4' if act.name == 'sigmoid' else '1'}", (0.0, peak),
                        xytext=(-8 if left else 10, -3 if left else 6), textcoords="offset points",
                        ha="right" if left else "left", va="top" if left else "bottom",
                        fontsize=_TEXT_SIZE, color=colors[i],
                    )
                    axes[1].plot([0.0], [peak], marker="o", color=colors[i], markersize=4)
            axes[1].set_ylabel("f'(z)")
            axes[1].set_title("Derivatives")
        for a in axes:
            a.axhline(0, color="#999999", linewidth=0.6, zorder=0)
            a.axvline(0, color="#999999", linewidth=0.6, zorder=0)
            a.set_xlabel("pre-activation z")
            a.set_xlim(z0, z1)
            _finish(a)
        lo = min(float(np.min(act(z))) for act in acts)
        hi_fn = max(float(np.max(act(z))) for act in acts)
        # keep sigmoid/tanh readable next to an unbounded ReLU
        axes[0].set_ylim(max(lo, -1.5) - 0.1, min(hi_fn, 2.0) + 0.1)
        axes[0].legend(loc="upper left", fontsize=_TEXT_SIZE)  # one legend: both panels share styles
    return axes[0].figure if derivative else axes[0]
