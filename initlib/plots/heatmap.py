"""Weight matrices as heatmaps, on a diverging colormap centred at zero."""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import check_positive_float
from .axes import _check_ax, _check_title, _finish, _note, _one_axes
from .style import _TEXT_SIZE, DIVERGING_CMAP, style

__all__ = ["weight_heatmap"]


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
        vmax = check_positive_float(vmax, "vmax")
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
