r"""Figures of the book, drawn from what :mod:`initlib.diagnostics` and :func:`initlib.train` return.

Diagnostics return data, plots draw it. Every function here

- takes an optional ``ax`` (or ``axes``) to draw into, and otherwise creates
  its figure with :func:`matplotlib.pyplot.subplots` (so that it shows inline
  in Jupyter); it never calls ``plt.show()`` and touches no other pyplot state;
- returns the :class:`~matplotlib.axes.Axes` it drew on, or the
  :class:`~matplotlib.figure.Figure` when it made several panels;
- gives every figure a title and labelled axes, uses log axes where values
  span decades, and never plots NaN silently: values a log axis cannot show
  (zeros, NaN, infinities) are left out *and* a note inside the axes says so,
  and a diverged :class:`~initlib.train.History` has its message written in
  the axes;
- draws in one shared, colour-blind-safe style (:data:`PALETTE`,
  :data:`COLORS`, :func:`style`) sized for a book column (at most 7 in wide,
  fonts of at least 9 pt) on a white figure, which also reads in dark mode.

Bad input raises ``TypeError`` or ``ValueError`` naming the argument.

Where things live (one concern per module; every public name is re-exported here)::

    style.py              PALETTE, COLORS, STYLE, style(), layer_colors()
    axes.py               helpers every figure shares: new figure, notes, log axes, legends
    boundary.py           decision_boundary, decision_boundaries
    heatmap.py            weight_heatmap
    histograms.py         layer_histograms (and the binning the ridgeline shares)
    ridgeline.py          layer_histograms_stacked, Ridgeline, get_ridgeline
    side_by_side.py       layer_histograms_side_by_side (networks compared, with their stds)
    per_layer.py          layer_std, layer_fraction, gradient_norms
    residual.py           stream_std (a residual network's stream and gradient, block by block)
    training.py           training_curves
    activation_curves.py  activation_functions
    spectrum.py           singular_value_histograms, spectrum_by_depth (Jacobian spectra)
    fits.py               linear_fit_curves (deep linear networks)

To add a figure: write ``initlib/plots/<concern>.py`` with a module docstring,
``__all__`` and the function (draw inside ``with style():``, get the axes from
``axes._one_axes``, name what a log axis cannot show with ``axes._note``, check
arguments with :mod:`initlib._validate`), then import it below and add it to
``__all__`` (a file of shared helpers has ``__all__ = []``). No module longer
than 400 lines; ``tests/test_package_layout.py`` checks both.

Examples
--------
>>> import numpy as np, initlib as il
>>> X = np.random.default_rng(0).standard_normal((200, 100))
>>> net = il.MLP([100] * 6 + [1], activation="tanh", init="normal", scale=0.05)
>>> ax = layer_std({"normal, scale 0.05": il.activation_stats(net, X)})
>>> ax.get_yscale()
'log'

Used in: every chapter.
"""
from .activation_curves import activation_functions
from .boundary import decision_boundaries, decision_boundary
from .fits import linear_fit_curves
from .heatmap import weight_heatmap
from .histograms import layer_histograms
from .per_layer import gradient_norms, layer_fraction, layer_std
from .residual import stream_std
from .ridgeline import Ridgeline, get_ridgeline, layer_histograms_stacked
from .spectrum import singular_value_histograms, spectrum_by_depth
from .side_by_side import layer_histograms_side_by_side
from .style import COLORS, PALETTE, STYLE, layer_colors, style
from .training import training_curves

__all__ = [
    "PALETTE",
    "COLORS",
    "STYLE",
    "style",
    "layer_colors",
    "decision_boundary",
    "decision_boundaries",
    "weight_heatmap",
    "layer_histograms",
    "layer_histograms_stacked",
    "Ridgeline",
    "get_ridgeline",
    "layer_histograms_side_by_side",
    "layer_std",
    "layer_fraction",
    "gradient_norms",
    "stream_std",
    "training_curves",
    "activation_functions",
    "singular_value_histograms",
    "spectrum_by_depth",
    "linear_fit_curves",
]
