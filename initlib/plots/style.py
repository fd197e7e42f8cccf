"""The book's figure style: colour-blind-safe palette, concept colours, rcParams.

Every plot function draws inside :func:`style`; a curve labelled with a
concept (``"he_normal"``, ``"zeros"``) gets its colour from :data:`COLORS`.
"""
from __future__ import annotations

import re

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np

from .._validate import check_positive_int

__all__ = ["PALETTE", "COLORS", "STYLE", "style", "layer_colors"]


PALETTE = [
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
]
"""The Okabe--Ito colour-blind-safe palette, in its published order."""

_CYCLE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
"""Line colour cycle: :data:`PALETTE` reordered so that the first colours contrast most on white."""

_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

COLORS = {
    # initializations
    "zeros": "#D55E00",
    "zero": "#D55E00",
    "constant": "#E69F00",
    "normal": "#56B4E9",
    "random": "#56B4E9",
    "uniform": "#56B4E9",
    "he": "#0072B2",
    "kaiming": "#0072B2",
    "xavier": "#009E73",
    "glorot": "#009E73",
    "lecun": "#CC79A7",
    # activations
    "sigmoid": "#E69F00",
    "tanh": "#0072B2",
    "relu": "#009E73",
    "leaky_relu": "#CC79A7",
    "identity": "#000000",
    # classes of a binary data set
    "class0": "#0072B2",
    "class1": "#E69F00",
    # reference lines (ln 2, chance level, std = 1, ...)
    "reference": "#000000",
}
"""Colours of the recurring concepts. A curve whose label starts with one of
these words (``"he_normal"``, ``"zeros"``, ``"xavier (gain 5/3)"``) gets its
colour, unless two curves of one figure would then share a colour."""

STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "black",
    "axes.prop_cycle": mpl.cycler(color=_CYCLE),
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "figure.titlesize": 11,
    "figure.labelsize": 10,
    "font.size": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.framealpha": 0.85,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "image.cmap": "viridis",
}
"""rcParams of the book's figures, applied by :func:`style` inside every plot function."""

SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"
_TEXT_SIZE = 9
_MAX_WIDTH = 7.0


def style():
    """Context manager applying :data:`STYLE` (it does not change the global rcParams).

    Every plot function of :mod:`initlib.plots` uses it; use it yourself for figures
    drawn by hand so they match.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()

    Used in: every chapter.
    """
    return mpl.rc_context(STYLE)


def layer_colors(n, cmap=SEQUENTIAL_CMAP):
    """``n`` colours from a sequential colormap, one per layer (first layer darkest).

    The light end of the colormap is cut off so the last colour still shows on white.

    Examples
    --------
    >>> len(layer_colors(4))
    4

    Used in: the saturation and He-scaling chapters.
    """
    n = check_positive_int(n, "n")
    cm = mpl.colormaps[cmap]
    return [mcolors.to_hex(cm(t)) for t in np.linspace(0.0, 0.85, n)] if n > 1 else [mcolors.to_hex(cm(0.0))]


def _concept_color(label):
    for token in re.split(r"[^a-z0-9]+", str(label).lower()):
        if token in COLORS:
            return COLORS[token]
    return None


def _colors_for(labels):
    """Concept colours (:data:`COLORS`) when every label has a distinct one, else the cycle."""
    concept = [_concept_color(lb) for lb in labels]
    if all(c is not None for c in concept) and len(set(concept)) == len(concept):
        return concept
    return [_CYCLE[i % len(_CYCLE)] for i in range(len(labels))]
