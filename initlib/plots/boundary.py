"""Decision boundaries of a 2-D binary classifier: one network, or several side by side."""
from __future__ import annotations

import textwrap

import matplotlib.colors as mcolors
import numpy as np

from .._validate import check_nonnegative_float, check_positive_int
from ..network import Network, check_network
from .axes import _check_ax, _check_axes, _check_title, _finish, _new_figure, _one_axes
from .style import _CYCLE, _MARKERS, _MAX_WIDTH, _TEXT_SIZE, COLORS, style

__all__ = ["decision_boundary", "decision_boundaries"]


_CLASS_CMAP = mcolors.LinearSegmentedColormap.from_list(
    "initlib_classes", [COLORS["class0"], "#FFFFFF", COLORS["class1"]]
)


def _check_grid_args(resolution, margin):
    """``resolution`` (grid points per side, >= 2) and ``margin`` (>= 0) of a boundary plot."""
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution must be >= 2, got {resolution}")
    return resolution, check_nonnegative_float(margin, "margin")


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
    if net is not None and net.n_in != 2:
        raise ValueError(f"net must take 2 inputs to draw its decision boundary, but net.n_in = {net.n_in}")
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
    net : MLP or ResidualMLP
        A network with 2 inputs. Only its ``predict_proba`` is called
        (evaluation mode): the arrays stored by the last forward pass are
        left alone.
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
    check_network(net)
    X, y = _check_Xy(X, y, net)
    resolution, margin = _check_grid_args(resolution, margin)
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
    nets_by_title : dict of str to MLP or ResidualMLP
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
        raise TypeError(f"nets_by_title must be a dict of title -> network, got {type(nets_by_title).__name__}")
    if not nets_by_title:
        raise ValueError("nets_by_title must hold at least one network")
    for key, net in nets_by_title.items():
        check_network(net, f"nets_by_title[{key!r}]")
    X, y = _check_Xy(X, y, next(iter(nets_by_title.values())))
    for key, net in nets_by_title.items():
        if net.n_in != 2:
            raise ValueError(f"nets_by_title[{key!r}] must take 2 inputs, but its n_in = {net.n_in}")
    resolution, margin = _check_grid_args(resolution, margin)
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
            if cs is not None and (net.loss.name != "softmax" or net.n_out <= 2):
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
