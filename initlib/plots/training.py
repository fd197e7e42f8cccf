"""Training curves: loss or accuracy against epochs, for one run or several."""
from __future__ import annotations

import numpy as np

from ..train import History
from .axes import _check_ax, _check_title, _finish, _legend, _note, _one_axes, _set_log_y
from .style import COLORS, _colors_for, style

__all__ = ["training_curves"]


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
