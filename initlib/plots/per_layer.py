"""One value per layer as curves: std of the activations, saturated or dead fraction,
gradient norms.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FixedLocator, MaxNLocator

from .._validate import check_finite_float
from ..diagnostics import GradientStats, LayerStats
from ..network import Network
from ..train import History
from .axes import _check_ax, _check_title, _describe_masked, _finish, _finite_array, _legend, _note, _one_axes, _set_log_y
from .style import _MARKERS, COLORS, _colors_for, style

__all__ = ["layer_std", "layer_fraction", "gradient_norms"]


def _curves_from(source, attr, name, allowed_type):
    """Normalize ``source`` into (labels, list of 1-D arrays, list of hidden masks or None)."""

    def one(value, key):
        if isinstance(value, allowed_type):
            return getattr(value, attr) if isinstance(attr, str) else attr(value)
        if isinstance(value, (LayerStats, GradientStats, History, Network)):
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
    elif isinstance(source, (str, bytes, LayerStats, GradientStats, History, Network)) or source is None:
        raise TypeError(
            f"{name} must be a {allowed_type.__name__}, a dict of label -> {allowed_type.__name__} or array, "
            f"or an array of per-layer values; got {type(source).__name__}"
        )
    else:
        labels = [""]
        values = [_finite_array(source, name)]
    return labels, values


def _masked_curve(ax, x, v, label, color, marker, *, log, quantity, noun="layer", markevery=None):
    """Plot ``v`` against ``x`` on ``ax``, leaving out what the axis cannot show (not finite, or <= 0 on a
    log axis); return the note that names what was left out ("std = 0 from layer 3 on"), or None."""
    finite = np.isfinite(v)
    ok = finite & (v > 0) if log else finite
    with np.errstate(invalid="ignore"):
        zero = finite & (v <= 0) if log else np.zeros_like(finite)
    bad = ~ok
    note = None
    if bad.any():
        what, where = _describe_masked(x, bad, zero)
        if log and np.any(zero & (v < 0)):
            what = what.replace("= 0", "<= 0")
        if noun != "layer":
            where = where.replace("layers", f"{noun}s").replace("layer", noun)
        tail = " (not drawn on the log scale)" if log and np.any(zero) else " (not drawn)"
        note = f"{label + ': ' if label else ''}{quantity} {what} {where}{tail}"
    ax.plot(x, np.ma.masked_array(v, mask=bad), marker=marker, markevery=markevery, color=color,
            label=label or None, markeredgecolor="white", markeredgewidth=0.5)
    return note


def _layer_curves(ax, labels, values, *, log, ylabel, title, reference, reference_label, quantity, ylim=None):
    """Draw per-layer curves on ``ax`` (x = layer 1..L); mask what cannot be drawn and say so."""
    colors = _colors_for(labels)
    notes = []
    n_max = max(len(v) for v in values)
    for i, (lab, v) in enumerate(zip(labels, values)):
        note = _masked_curve(ax, np.arange(1, len(v) + 1), v, lab, colors[i], _MARKERS[i % len(_MARKERS)],
                             log=log, quantity=quantity)
        if note:
            notes.append(note)
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
    reference = None if reference is None else check_finite_float(reference, "reference")
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
