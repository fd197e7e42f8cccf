r"""Block by block through a residual network: the std of the stream, of the branches and
of the gradient in the stream, on a log axis.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..diagnostics import BlockStats
from .axes import _check_ax, _check_title, _finish, _finite_array, _legend, _note, _one_axes, _set_log_y
from .per_layer import _masked_curve
from .style import _MARKERS, COLORS, _colors_for, style

__all__ = ["stream_std"]

#: which -> (attribute of BlockStats, y label, quantity named in notes, first index on the x axis)
_WHICH = {
    "stream": ("stream_std", r"std of the stream $h_l$", "std", 0),
    "ratio": ("ratio", r"$\mathrm{std}(h_l)\,/\,\mathrm{std}(h_0)$", "std ratio", 0),
    "gradient": ("stream_grad_std", r"std of $\partial\ell/\partial h_l$ per sample", "gradient std", 0),
    "branch": ("branch_std", r"std of the branch $r_l$", "branch std", 0),
}


def _values(stats, which, name):
    """Normalize ``stats`` into (labels, arrays)."""
    attr = _WHICH[which][0]

    def one(value, key):
        if isinstance(value, BlockStats):
            v = getattr(value, attr)
            if v is None:
                raise ValueError(f"{key} has no gradient statistics: compute it with block_stats(net, X, y)")
            return _finite_array(v, key)
        if isinstance(value, (str, bytes, dict)) or value is None:
            raise TypeError(f"{key} must be a BlockStats or an array of per-block values, got {type(value).__name__}")
        return _finite_array(value, key)

    if isinstance(stats, dict):
        if not stats:
            raise ValueError(f"{name} must hold at least one curve")
        return [str(k) for k in stats], [one(v, f"{name}[{k!r}]") for k, v in stats.items()]
    return [""], [one(stats, name)]


def stream_std(stats, ax=None, which="stream", log=True, title=None, ylabel=None, predicted=None,
               predicted_label="predicted"):
    r"""Per-block curves of a :class:`~initlib.ResidualMLP`: the stream, its growth, its gradient.

    The x axis is the block index :math:`l`: :math:`h_0` (the input layer's
    output) is at 0 and :math:`h_L` at :math:`L`. With He-normal ReLU
    branches scaled by :math:`\alpha` the stream's std grows by
    :math:`\sqrt{1 + 2\alpha^2}` per block,

    .. math:: \frac{\mathrm{std}(h_l)}{\mathrm{std}(h_0)} \approx (1 + 2\alpha^2)^{l/2},

    a straight line on the log axis (He et al., 2016; the residual networks
    chapter derives it).

    Parameters
    ----------
    stats : BlockStats, array_like, or dict of str to BlockStats or array_like
        One curve per entry (:func:`initlib.diagnostics.block_stats`), or
        per-block values.
    ax : Axes, optional
    which : {"stream", "ratio", "gradient", "branch"}
        The std of the stream :math:`h_l`, its ratio to :math:`\mathrm{std}(h_0)`,
        the std of :math:`\partial\ell/\partial h_l` per sample (needs
        ``block_stats(net, X, y)``), or the std of each branch output
        :math:`r_l` (block :math:`l` at :math:`x = l`).
    log : bool, default True
        Log y axis; values <= 0 or not finite are left out and named in a note.
    title, ylabel : str, optional
    predicted : array_like or dict of str to array_like, optional
        Reference curves drawn dashed (e.g. :math:`(1 + 2\alpha^2)^{l/2}`),
        with x = 0, 1, ...
    predicted_label : str, default "predicted"
        Legend label of ``predicted`` when it is a single array.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> X = np.random.default_rng(0).standard_normal((256, 2))
    >>> s = il.diagnostics.block_stats(il.ResidualMLP(2, 32, 8, seed=0), X)
    >>> ax = stream_std({"α = 1": s}, which="ratio", predicted=3.0 ** (np.arange(9) / 2))
    >>> ax.get_yscale(), ax.get_xlabel()
    ('log', 'block l')

    Used in: the residual networks chapter.
    """
    if which not in _WHICH:
        raise ValueError(f"which must be one of {', '.join(_WHICH)}; got {which!r}")
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be True or False, got {log!r}")
    _check_ax(ax)
    _check_title(title)
    _check_title(ylabel, "ylabel")
    _check_title(predicted_label, "predicted_label")
    labels, values = _values(stats, which, "stats")
    if predicted is None:
        refs = {}
    elif isinstance(predicted, dict):
        refs = {str(k): _finite_array(v, f"predicted[{k!r}]") for k, v in predicted.items()}
    else:
        refs = {predicted_label: _finite_array(predicted, "predicted")}
    _, default_ylabel, quantity, _ = _WHICH[which]
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        colors = _colors_for(labels)
        notes = []
        n_max = max(len(v) for v in values)
        for i, (lab, v) in enumerate(zip(labels, values)):
            note = _masked_curve(ax, np.arange(len(v)), v, lab, colors[i], _MARKERS[i % len(_MARKERS)], log=log,
                                 quantity=quantity, noun="block", markevery=max(1, len(v) // 12))
            if note:
                notes.append(note)
        for lab, v in refs.items():
            ax.plot(np.arange(len(v)), np.ma.masked_invalid(v), linestyle="--", linewidth=1.0,
                    color=COLORS["reference"], label=lab, zorder=1.5)
        if log:
            notes.append(_set_log_y(ax, list(values) + list(refs.values())))
        ax.set_xlim(-0.5, n_max - 0.5)
        if n_max <= 12:
            ax.xaxis.set_major_locator(FixedLocator(np.arange(n_max)))
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_xlabel("block l")
        ax.set_ylabel(ylabel if ylabel is not None else default_ylabel)
        ax.set_title(title if title is not None else "Through the residual stream, block by block")
        _note(ax, notes)
        _legend(ax)
        _finish(ax)
    return ax

