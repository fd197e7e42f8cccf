"""Two or more networks' layer-by-layer activation histograms side by side, with their stds."""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import check_positive_int
from .axes import _check_title, _new_figure
from .per_layer import layer_std
from .ridgeline import layer_histograms_stacked

__all__ = ["layer_histograms_side_by_side"]


def _check_panels(panels):
    if not isinstance(panels, dict) or not panels:
        raise TypeError(
            "panels must be a non-empty dict of label -> per-layer activations "
            f"(e.g. {{'no normalization': net.a[:-1]}}), got {type(panels).__name__}"
        )
    depths = {label: len(acts) for label, acts in panels.items()}
    if len(set(depths.values())) != 1:
        raise ValueError(f"every panel must have the same number of layers, got {depths}")
    return depths.popitem()[1]


def layer_histograms_side_by_side(panels, activation=None, bins=41, title=None, show_std=True, max_values=20_000):
    """Each network's activation histograms stacked layer by layer, side by side, and their per-layer std.

    The scale explorer's figure (:func:`layer_histograms_stacked`, layer 1
    on top) once per entry of ``panels``, on a shared layer axis, and, with
    ``show_std``, a last panel with every entry's std per layer on a log axis
    (:func:`layer_std`), so that a collapsing or saturating network and a
    normalized one can be read against each other.

    Parameters
    ----------
    panels : dict of str to list of ndarray
        Label -> the activations of each layer (e.g. ``net.a[:-1]``); every
        entry has the same number of layers.
    activation : str or Activation, optional
        Fixes the x range for ``"tanh"`` (-1, 1) and ``"sigmoid"`` (0, 1).
    bins : int, default 41
    title : str, optional
        Title of the figure.
    show_std : bool, default True
        Add the std panel.
    max_values : int, default 20000
        Histogram at most this many values per layer (the std uses all).

    Returns
    -------
    Figure
        ``fig.axes``: one ridgeline per panel, then the std axes.
        :func:`get_ridgeline` on a ridgeline axes gives its artists.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> small = [np.tanh(rng.standard_normal(500) * 0.1 ** l) for l in range(3)]
    >>> same = [np.tanh(rng.standard_normal(500)) for _ in range(3)]
    >>> fig = layer_histograms_side_by_side({"shrinking": small, "normalized": same}, activation="tanh")
    >>> [ax.get_title() for ax in fig.axes]
    ['shrinking', 'normalized', 'Std per layer']

    Used in: the normalization chapter and its explorer.
    """
    depth = _check_panels(panels)
    bins = check_positive_int(bins, "bins")
    _check_title(title)
    n = len(panels)
    ratios = [1.0] * n + ([0.85] if show_std else [])
    height = float(np.clip(1.6 + 0.24 * depth, 3.0, 5.8))
    fig, axes = _new_figure(1, len(ratios), figsize=(7.0, height), gridspec_kw={"width_ratios": ratios})
    axes = axes[0]
    for k, (label, acts) in enumerate(panels.items()):
        ax = axes[k]
        layer_histograms_stacked(list(acts), activation=activation, ax=ax, bins=bins, title=str(label),
                                 max_values=max_values, show_std=False)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if n > 2 else 4))
        ax.set_ylabel("layer (histograms scaled to equal height)" if k == 0 else "")
        if k > 0:
            ax.set_yticklabels([])
        elif depth > 12:  # keep the layer labels readable
            for i, lab in enumerate(ax.get_yticklabels()):
                lab.set_visible(i % -(-depth // 12) == 0)
    if show_std:
        stds = {}
        for label, acts in panels.items():
            with np.errstate(over="ignore", invalid="ignore"):
                stds[str(label)] = np.array([np.asarray(a, dtype=float).std() for a in acts])
        layer_std(stds, ax=axes[-1], title="Std per layer", ylabel="std of activations")
        axes[-1].xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        legend = axes[-1].get_legend()
        if legend is not None:  # below the panels: the curves keep the whole axes
            legend.remove()
            fig.legend(*axes[-1].get_legend_handles_labels(), loc="outside lower center", ncol=min(n, 4),
                       frameon=False, fontsize=9)
    if title is not None:
        fig.suptitle(title, fontsize=10, fontweight="bold")
    return fig
