"""Activation functions and their derivatives."""
from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from .. import activations as _activations
from .axes import _check_ax, _check_axes, _check_title, _finish, _new_figure
from .style import _TEXT_SIZE, _colors_for, style

__all__ = ["activation_functions"]


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
