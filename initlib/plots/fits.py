"""Learning curves of deep linear networks: what :func:`initlib.deep_linear.fit_linear_map` records."""
from __future__ import annotations

import numpy as np

from ..deep_linear import LinearFit
from .axes import _check_ax, _check_title, _finish, _legend, _note, _one_axes, _set_log_y
from .style import COLORS, _colors_for, style

__all__ = ["linear_fit_curves"]


def linear_fit_curves(fits, ax=None, threshold=None, title="Relative loss of the end-to-end map"):
    r"""Relative loss :math:`\lVert P - M\rVert_F^2 / \lVert M\rVert_F^2` against the step, on a log axis.

    A run that diverged is drawn up to its last finite value, marked with an
    ``x`` there, and its legend label says at which step it diverged.

    Parameters
    ----------
    fits : LinearFit or dict of str to LinearFit
        Legend label to run.
    ax : Axes, optional
    threshold : float, optional
        Draw a dashed line at this relative loss (e.g. 0.01).
    title : str

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> net = il.MLP([4] * 5, activation="linear", output="identity", init="orthogonal", seed=0)
    >>> fit = il.deep_linear.fit_linear_map(net, il.deep_linear.linear_target([1.0, 0.5, 0.3, 0.1], seed=0),
    ...                                     lr=0.05, steps=200)
    >>> ax = linear_fit_curves({"depth 4": fit}, threshold=0.01)
    >>> ax.get_yscale()
    'log'

    Used in: the orthogonal chapter.
    """
    if isinstance(fits, LinearFit):
        fits = {"": fits}
    if not isinstance(fits, dict) or not fits:
        raise TypeError(f"fits must be a LinearFit or a non-empty dict of label -> LinearFit, got {type(fits).__name__}")
    for k, f in fits.items():
        if not isinstance(f, LinearFit):
            raise TypeError(f"fits[{k!r}] must be a LinearFit, got {type(f).__name__}")
    _check_ax(ax)
    _check_title(title)
    colors = _colors_for([str(k) for k in fits])
    notes, drawn = [], []
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        for i, (label, fit) in enumerate(fits.items()):
            ok = np.isfinite(fit.relative_loss) & (fit.relative_loss > 0)
            x, y = fit.step[ok], fit.relative_loss[ok]
            name = str(label)
            if fit.diverged_step is not None:
                name += f" (diverged at step {fit.diverged_step})" if name else f"diverged at step {fit.diverged_step}"
            ax.plot(x, y, color=colors[i], label=name or None)
            drawn.append(y)
            if fit.diverged_step is not None:
                if x.size:
                    ax.plot(x[-1:], y[-1:], marker="x", markersize=8, color=colors[i], linestyle="none")
        if threshold is not None:
            ax.axhline(threshold, color=COLORS["reference"], linestyle="--", linewidth=1.0,
                       label=f"relative loss {threshold:g}", zorder=1)
            drawn.append(np.array([threshold]))
        notes.append(_set_log_y(ax, drawn))
        ax.set_xlabel("step")
        ax.set_ylabel("relative loss")
        ax.set_title(title)
        _note(ax, [n for n in notes if n])
        _legend(ax)
        _finish(ax)
    return ax
