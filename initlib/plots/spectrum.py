"""Singular values of input-output Jacobians: histograms, and their summaries against depth.

Draws what :func:`initlib.diagnostics.jacobian_spectrum` and
:func:`initlib.diagnostics.jacobian_spectra` return.
"""
from __future__ import annotations

import numpy as np

from ..jacobian import JacobianSpectrum
from .._validate import check_positive_float
from .axes import _check_ax, _check_title, _finish, _legend, _note, _one_axes, _set_log_y
from .style import _MARKERS, COLORS, _colors_for, layer_colors, style

__all__ = ["singular_value_histograms", "spectrum_by_depth"]

_QUANTITIES = {
    "median": ("median singular value", True),
    "max": ("largest singular value", True),
    "mean_square": ("mean of s²", True),
    "spread": ("std of log10 s (nonzero s)", False),
    "zero_fraction": ("fraction of s = 0", False),
}


def _check_spectra(spectra, name):
    if isinstance(spectra, JacobianSpectrum):
        return {"": spectra}
    if not isinstance(spectra, dict) or not spectra:
        raise TypeError(f"{name} must be a JacobianSpectrum or a non-empty dict of label -> JacobianSpectrum, "
                        f"got {type(spectra).__name__}")
    for k, v in spectra.items():
        if not isinstance(v, JacobianSpectrum):
            raise TypeError(f"{name}[{k!r}] must be a JacobianSpectrum, got {type(v).__name__}")
    return {(f"depth {k}" if isinstance(k, (int, np.integer)) else str(k)): v for k, v in spectra.items()}


def _fractions(spectrum, edges):
    """Fraction of all singular values (zeros included) in each bin of ``log10 s`` between ``edges``."""
    counts, _ = np.histogram(spectrum.log10, bins=edges)
    return counts / spectrum.singular_values.size


def _pct(fraction):
    return f"{100 * fraction:.0f} %" if fraction >= 0.01 else f"{100 * fraction:.1g} %"


def singular_value_histograms(spectra, ax=None, title="Singular values of the Jacobian", xlim=None):
    """Histograms of singular values on a log axis, one outline per spectrum.

    The height is the fraction of all singular values (zeros included) that
    falls in each bin, so the outlines of different spectra compare directly.
    Singular values that are numerically zero (see
    :class:`~initlib.diagnostics.JacobianSpectrum`: a ReLU unit that is off, or
    too small for float64 next to the largest) cannot be placed on a log axis:
    they are counted in the legend and named in a note. A dashed line marks
    :math:`s = 1`, where every singular value of an isometry lies.

    Parameters
    ----------
    spectra : JacobianSpectrum or dict
        Label (or depth, shown as ``"depth d"``) to spectrum.
    ax : Axes, optional
    title : str
    xlim : (float, float), optional
        Range of the axis, e.g. to share it between panels (default: the
        nonzero singular values, and 1). Values outside are named in a note.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> net = il.MLP([32] * 11, activation="relu", output="identity", seed=0)
    >>> s = il.diagnostics.jacobian_spectrum(net, np.ones((1, 32)))
    >>> ax = singular_value_histograms({10: s})
    >>> ax.get_xscale(), ax.get_legend().get_texts()[0].get_text()
    ('log', 'depth 10 (59 % = 0)')

    Used in: the orthogonal chapter.
    """
    spectra = _check_spectra(spectra, "spectra")
    _check_ax(ax)
    _check_title(title)
    logs = [s.log10 for s in spectra.values()]
    if xlim is not None:
        lo, hi = (float(np.log10(check_positive_float(v, "xlim"))) for v in xlim)
        if lo >= hi:
            raise ValueError(f"xlim must be (low, high) with low < high, got {xlim}")
        edges = np.linspace(lo, hi, 41)
    else:
        nonempty = [v for v in logs if v.size]
        lo = min(v.min() for v in nonempty) if nonempty else -1.0
        hi = max(v.max() for v in nonempty) if nonempty else 1.0
        lo, hi = min(lo, -0.5), max(hi, 0.5)  # s = 1 always in view
        edges = np.linspace(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 41)
    many = len(spectra) > 4 or all(k.startswith("depth") for k in spectra)
    colors = layer_colors(len(spectra)) if many else _colors_for(list(spectra))
    notes = []
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        for i, ((label, sp), v) in enumerate(zip(spectra.items(), logs)):
            zero = sp.zero_fraction
            name = label + (f" ({_pct(zero)} = 0)" if zero > 0 else "")
            ax.stairs(_fractions(sp, edges), 10.0**edges, color=colors[i], linewidth=1.6, label=name or None)
            if zero > 0 and not label:  # a labelled spectrum counts its zeros in the legend
                notes.append(f"{_pct(zero)} of the singular values are 0 (below float64 resolution; not drawn)")
            outside = int(np.count_nonzero((v < edges[0]) | (v > edges[-1])))
            if outside:
                notes.append(f"{label + ': ' if label else ''}{outside} nonzero value(s) outside the axis, not drawn")
        ax.axvline(1.0, color=COLORS["reference"], linestyle="--", linewidth=1.0, label="s = 1 (isometry)", zorder=1)
        ax.set_xscale("log")
        ax.set_xlim(10.0 ** edges[0], 10.0 ** edges[-1])
        ax.set_xlabel("singular value s")
        ax.set_ylabel("fraction of the singular values")
        ax.set_title(title)
        _note(ax, notes)
        _legend(ax)
        _finish(ax)
    return ax


def spectrum_by_depth(curves, ax=None, quantity="median", title=None, legend=True):
    """One summary of the Jacobian's spectrum against depth, one curve per network family.

    Parameters
    ----------
    curves : dict of str to dict of int to JacobianSpectrum
        Label to the spectra by depth, as :func:`initlib.diagnostics.jacobian_spectra` returns them.
    ax : Axes, optional
    quantity : {"median", "max", "mean_square", "spread", "zero_fraction"}
        A property of :class:`~initlib.diagnostics.JacobianSpectrum`; the
        first three on a log axis (values 0 are named in a note, not drawn).
    title : str, optional
    legend : bool, default True
        Draw the legend in the axes (``False`` for a figure legend shared by panels).

    Returns
    -------
    Axes

    Examples
    --------
    >>> import initlib as il
    >>> net = il.MLP([16] * 21, activation="tanh", output="identity", init="orthogonal", seed=0)
    >>> sp = il.diagnostics.jacobian_spectra(net, np.ones((1, 16)), layers=[1, 5, 20])
    >>> ax = spectrum_by_depth({"tanh, orthogonal": sp}, quantity="spread")
    >>> ax.get_xscale(), ax.get_ylabel()
    ('log', 'std of log10 s (nonzero s)')

    Used in: the orthogonal chapter.
    """
    if quantity not in _QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(_QUANTITIES)}; got {quantity!r}")
    if not isinstance(curves, dict) or not curves:
        raise TypeError(f"curves must be a non-empty dict of label -> {{depth: JacobianSpectrum}}, got {type(curves).__name__}")
    series = []
    for label, by_depth in curves.items():
        if not isinstance(by_depth, dict) or not by_depth:
            raise TypeError(f"curves[{label!r}] must be a non-empty dict of depth -> JacobianSpectrum")
        spectra = _check_spectra(by_depth, f"curves[{label!r}]")
        depths = np.array([sp.depth if sp.depth is not None else i + 1 for i, sp in enumerate(spectra.values())], dtype=float)
        series.append((str(label), depths, np.array([getattr(sp, quantity) for sp in spectra.values()], dtype=float)))
    _check_ax(ax)
    _check_title(title)
    ylabel, log = _QUANTITIES[quantity]
    colors = _colors_for([s[0] for s in series])
    notes = []
    with style():
        ax = _one_axes(ax, figsize=(5.6, 3.4))
        missing = []
        for i, (label, depths, v) in enumerate(series):
            ok = np.isfinite(v) & ((v > 0) if log else True)
            if not ok.all():
                first = int(np.argmax(~ok))
                tail = not ok[first:].any()
                where = f"≥ {depths[first]:g}" if tail else "at " + ", ".join(f"{d:g}" for d in depths[~ok])
                missing.append(f"{label} {where}")
            ax.plot(depths[ok], v[ok], marker=_MARKERS[i % len(_MARKERS)], color=colors[i], label=label,
                    markeredgecolor="white", markeredgewidth=0.5,
                    linestyle="--" if "gaussian" in label.lower() else "-")
        if missing:
            notes.append("0, not drawn, at depth: " + "; ".join(missing))
        if log:
            notes.append(_set_log_y(ax, [v for _, _, v in series]))
        ax.set_xscale("log")
        ax.set_xlabel("depth (layers)")
        ax.set_ylabel(ylabel)
        ax.set_title(title if title is not None else f"{ylabel[0].upper()}{ylabel[1:]} against depth")
        _note(ax, [n for n in notes if n])
        if legend:
            _legend(ax)
        _finish(ax)
    return ax
