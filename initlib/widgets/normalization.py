"""The normalization explorer: one init scale, the same deep network without and with normalization."""
from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .. import plots
from .._validate import check_choice, check_positive_int
from ..diagnostics import activation_stats
from ..mlp import MLP
from ..plots.axes import _note
from .controls import LogSlider, _check_grid, _fmt
from .explorer import Explorer
from .render import _LogCurve, _log_limits, _new_figure, _set_note

__all__ = ["normalization_explorer"]

_NORM_NAMES = {"batch": "batch norm", "layer": "layer norm"}


class _Pair:
    """The same weights ``factor * W0`` in two deep MLPs: one plain, one normalized before each activation."""

    def __init__(self, activation, depth, width, n_samples, norm, seed):
        self.depth = check_positive_int(depth, "depth")
        self.width = check_positive_int(width, "width")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        sizes = [self.width] * (self.depth + 1) + [1]
        # the same seed draws the same standard normal weights in both (normalization draws nothing)
        self.nets = [MLP(sizes, activation=activation, init="normal", seed=seed),
                     MLP(sizes, activation=activation, init="normal", seed=seed, norm=norm)]
        self.W0 = [w.copy() for w in self.nets[0].W]
        self.X = np.random.default_rng([seed, 1]).standard_normal((self.n_samples, self.width))
        self.factor = None

    def set(self, factor):
        if factor != self.factor:
            for net in self.nets:
                for W, W0 in zip(net.W, self.W0):
                    np.multiply(W0, factor, out=W)
            self.factor = factor
        return self.nets


class NormalizationExplorer(Explorer):
    """Init scale -> per-layer activation histograms without and with normalization, and their stds.

    Made by :func:`normalization_explorer`.
    """

    kind = "normalization"
    title = "Normalization explorer"
    blit = True

    def __init__(self, activation, depth, width, n_samples, scales, norm, seed):
        self.activation = _activations.get(activation)
        self.norm = check_choice(norm, "norm", tuple(_NORM_NAMES))
        self.seed = seed
        self.model = _Pair(self.activation, depth, width, n_samples, norm, seed)
        if scales is None:
            scales = 10.0 ** np.linspace(-2.0, 2.0, 9)
        grid = _check_grid(scales, "scales")
        self.balanced = 1.0 / math.sqrt(self.model.width)  # std 1/sqrt(fan_in): LeCun's scale
        start = min(grid, key=lambda s: abs(math.log10(s / self.balanced)))
        super().__init__([LogSlider("scale", "init scale", grid, start)])
        self._labels = ["without normalization", f"with {_NORM_NAMES[self.norm]}"]

    def _params(self):
        return {"activation": self.activation.name, "depth": self.model.depth, "width": self.model.width,
                "n_samples": self.model.n_samples, "norm": self.norm, "seed": self.seed}

    def _stats(self, scale):
        """Per network: its hidden activations and their LayerStats (a training-mode forward pass)."""
        d = self.model.depth
        out = []
        for net in self.model.set(scale):
            stats = activation_stats(net, self.model.X)
            out.append((net.a[:d], stats.std[:d].copy()))
        return out

    def _setup(self):
        depth = self.model.depth
        grid = self.controls[0].grid
        # the std axis is fixed over the slider's range: the two ends set it
        ends = [std for s in (grid[0], grid[-1]) for _, std in self._stats(s)]
        fixed = self.activation.name in ("tanh", "sigmoid")
        placeholder = [np.linspace(-0.5, 0.5, 11)] * depth
        with plots.style():
            fig = self.fig = _new_figure(7.0, float(np.clip(2.1 + 0.26 * depth, 3.8, 5.8)))
        # the figure of plots.layer_histograms_side_by_side, drawn on this explorer's own (non-pyplot) figure
        axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.0, 0.85]})
        self.ridges = []
        for k, (ax, label) in enumerate(zip(axes[:2], self._labels)):
            plots.layer_histograms_stacked(placeholder, activation=self.activation if fixed else None, ax=ax,
                                           bins=41, max_values=20_000, show_std=False, title=label)
            ax.set_ylabel("layer" if k == 0 else "")
            if k:
                ax.set_yticklabels([])
            self.ridges.append(plots.get_ridgeline(ax))
        ax_s = axes[2]
        plots.layer_std({lab: np.ones(depth) for lab in self._labels}, ax=ax_s, title="Std per layer")
        if ax_s.get_legend() is not None:
            ax_s.get_legend().remove()
        ax_s.set_ylim(*_log_limits(ends))
        self._std = [_LogCurve(line, None, "std") for line in ax_s.lines[:2]]
        self._std_note = _note(ax_s, ["-"], loc="lower left")
        fig.legend(ax_s.lines[:2], self._labels, loc="outside lower center", ncol=2, frameon=False, fontsize=9)
        self._animated = [a for r in self.ridges for a in (*r.stairs, r.note)]
        self._animated += [line for line in ax_s.lines[:2]] + [self._std_note]
        if not fixed:  # the x range follows the data: the axes are redrawn with every frame
            self._animated += [r.ax.xaxis for r in self.ridges]
        self._value_text = fig.suptitle(self._headline(self.balanced), fontsize=10, fontweight="bold")
        self._animated.append(self._value_text)

    def _headline(self, scale):
        return (f"{self.activation.name}, weights N(0, 1) × {_fmt(scale)} "
                f"({_fmt(scale / self.balanced)} × 1/√{self.model.width})")

    def _draw(self, values):
        (scale,) = values
        rescale = self.activation.name not in ("tanh", "sigmoid")
        msgs = []
        stds = []
        for ridge, curve, label, (acts, std) in zip(self.ridges, self._std, self._labels, self._stats(scale)):
            ridge.update(acts, rescale=rescale)
            msgs += curve.update(std, prefix=f"{label}: ")
            stds.append(std)
        _set_note(self._std_note, msgs, width=36)
        self._value_text.set_text(self._headline(scale))
        plain, normed = stds
        return (f"scale = {_fmt(scale)}: without normalization the std of the activations goes from "
                f"{plain[0]:.2g} in layer 1 to {plain[-1]:.2g} in layer {len(plain)}; with "
                f"{_NORM_NAMES[self.norm]} from {normed[0]:.2g} to {normed[-1]:.2g}.")


def normalization_explorer(activation="tanh", depth=10, width=500, n_samples=200, scales=None, norm="batch", seed=0):
    r"""Slide the init scale; see a deep network's activations without and with normalization, side by side.

    Two networks share their weights ``scale * N(0, 1)`` (``MLP(...,
    init="normal")`` with the same seed): one plain, as in the scale
    explorer, one with ``norm`` before every activation
    (``MLP(..., norm=norm)``). Both run in training mode on ``n_samples``
    standard-normal inputs. Each frame shows the scale explorer's figure
    twice (:func:`initlib.plots.layer_histograms_side_by_side`): every
    layer's activation histogram for each network, and the std per layer
    of both on a log axis fixed over the slider's range.

    Normalization divides each pre-activation by its own std, so
    multiplying the weights by any positive constant changes nothing after
    it: the right-hand histograms stay put while the left-hand ones collapse
    (small scales) or saturate (large ones). Only the :math:`\epsilon` added
    to the variance (:math:`10^{-5}`) breaks this, for weights so small that
    the pre-activations' variance approaches it.

    Parameters
    ----------
    activation : str, default "tanh"
        Hidden activation (see :data:`initlib.activations.ACTIVATIONS`).
    depth : int, default 10
        Number of hidden layers.
    width : int, default 500
        Units per hidden layer (and input features).
    n_samples : int, default 200
        Standard-normal input samples: the batch of batch normalization.
    scales : sequence of float, optional
        The slider's precomputed values (> 0); the live slider covers the
        same range. Default: 9 values from 0.01 to 100, log-spaced (two per
        decade). The headline gives each as a multiple of 1/sqrt(width).
    norm : {"batch", "layer"}, default "batch"
    seed : int, default 0
        Seed of the weights and the inputs.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = normalization_explorer(depth=3, width=40, n_samples=20, scales=[0.01, 100.0])
    >>> [ax.get_title() for ax in ex.frame(100.0).axes[:2]]
    ['without normalization', 'with batch norm']

    Used in: the normalization chapter.
    """
    return NormalizationExplorer(activation, depth, width, n_samples, scales, norm, seed)
