"""Histograms of the activations, one panel per layer, and the helpers every
histogram of activations shares (layer lists, fixed ranges, binning).
"""
from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.ticker import FixedLocator, MaxNLocator

from .. import activations as _activations
from .._validate import check_positive_int
from ..diagnostics import LayerStats
from ..network import Network
from .axes import _check_axes, _check_title, _finish, _new_figure, _note
from .style import _MAX_WIDTH, _TEXT_SIZE, layer_colors, style

__all__ = ["layer_histograms"]


_FIXED_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}
_BIG = 1e300


def _activation_list(activations, name="activations"):
    """Return (labels, list of flat float arrays) from a sequence of arrays, a dict, or a network."""
    if isinstance(activations, LayerStats):
        raise TypeError(
            f"{name} must be the activations themselves (for example net.a[:-1]); "
            "a LayerStats holds only their mean and std"
        )
    if isinstance(activations, Network):  # its hidden activations, labelled "layer 1" or "block 1" ...
        net = activations
        if net.a[0] is None:
            raise ValueError(f"{name}: the network has no activations yet; call net.forward(X) first")
        keep = len(net.a) - 1 if len(net.a) > 1 else 1
        activations = dict(zip(net.layer_names[:keep], net.a[:keep]))
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
        raise TypeError(
            f"{name} must be a list of arrays (one per layer), a dict, or a network; got {type(activations).__name__}"
        )
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
    activations : list of ndarray, dict of str to ndarray, or a network
        One array per layer (any shape; all entries are counted), e.g.
        ``net.a[:-1]`` after ``net.forward(X)``; a dict gives the panel
        titles; a network (MLP, ResidualMLP) stands for its hidden layers' activations.
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
    bins = check_positive_int(bins, "bins")
    ncols = check_positive_int(ncols, "ncols")
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
