"""The scale explorer: one init scale, a deep network's activations layer by layer."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import activations as _activations
from .. import plots
from ..diagnostics import activation_stats
from ..plots.axes import _note
from .controls import LogSlider, _check_grid, _fmt, _fmt_gain
from .explorer import Explorer
from .render import _LogCurve, _log_limits, _new_figure, _set_note
from .scaled import _ScaledNet, critical_gain

__all__ = ["scale_explorer"]


class ScaleExplorer(Explorer):
    """Init scale -> per-layer activation histograms, std, and saturated or dead fraction.

    Made by :func:`scale_explorer`.
    """

    kind = "scale"
    title = "Init scale explorer"
    blit = True

    def __init__(self, activation, depth, width, n_samples, scales, seed):
        self.activation = _activations.get(activation)
        self.seed = seed
        self.model = _ScaledNet(self.activation, depth, width, n_samples, seed)
        if scales is None:
            scales = 10.0 ** np.linspace(-3.0, 1.0, 17)
        grid = _check_grid(scales, "scales")
        # the scale that keeps the signal's size: critical gain / sqrt(fan_in) (1/sqrt(500) for tanh)
        critical = self.critical = critical_gain(self.activation) / math.sqrt(self.model.width)
        start = min(grid, key=lambda s: abs(math.log10(s / critical)))
        super().__init__([LogSlider("scale", "init scale", grid, start)])
        self._fraction = self.activation.saturates  # "saturated", "dead" or None

    def _params(self):
        return {"activation": self.activation.name, "depth": self.model.depth, "width": self.model.width,
                "n_samples": self.model.n_samples, "seed": self.seed}

    def _stats(self, scale):
        net = self.model.set(scale)
        return net, activation_stats(net, self.model.X)

    def _setup(self):
        depth = self.model.depth
        grid = self.controls[0].grid
        # the std axis is fixed over the slider's range (std grows with the scale): the two ends set it
        ends = [self._stats(s)[1].std[:depth].copy() for s in (grid[0], grid[-1])]
        fig = self.fig = _new_figure(7.0, float(np.clip(1.9 + 0.28 * depth, 3.8, 5.8)))
        has_frac = self._fraction is not None
        gs = fig.add_gridspec(2 if has_frac else 1, 2, width_ratios=[1.45, 1.0])
        ax_h = fig.add_subplot(gs[:, 0])
        ax_s = fig.add_subplot(gs[0, 1])
        placeholder = [np.linspace(-0.5, 0.5, 11)] * depth
        fixed = self.activation.name in ("tanh", "sigmoid")
        plots.layer_histograms_stacked(placeholder, activation=self.activation if fixed else None, ax=ax_h,
                                       max_values=20_000, show_std=False,
                                       title=f"Activations of {depth} {self.activation.name} layers")
        self.ridge = plots.get_ridgeline(ax_h)
        ax_h.xaxis.set_major_locator(MaxNLocator(nbins=5))  # readable at 72 dpi
        if depth > 12:  # keep the layer labels readable
            for i, lab in enumerate(ax_h.get_yticklabels()):
                lab.set_visible(i % -(-depth // 12) == 0)
        plots.layer_std({"std": np.ones(depth)}, ax=ax_s, title="Std per layer")
        if ax_s.get_legend() is not None:
            ax_s.get_legend().remove()
        ax_s.set_ylim(*_log_limits(ends))
        self._std = _LogCurve(ax_s.lines[0], _note(ax_s, ["-"], loc="lower left"), "std")
        self._animated = list(self.ridge.stairs) + list(self.ridge.labels) + [self.ridge.note]
        self._animated += [ax_s.lines[0], self._std.note]
        if not fixed:  # the x range follows the data: its axis is redrawn with every frame
            self._animated.append(ax_h.xaxis)
        if has_frac:
            ax_f = fig.add_subplot(gs[1, 1], sharex=ax_s)
            plots.layer_fraction({"fraction": np.zeros(depth)}, ax=ax_f, kind=self._fraction,
                                 title=f"{self._fraction.capitalize()} units per layer")
            if ax_f.get_legend() is not None:
                ax_f.get_legend().remove()
            self._frac_line = ax_f.lines[0]
            self._animated.append(self._frac_line)
        # the value, in a suptitle laid out once with a placeholder and redrawn with every frame
        self._value_text = fig.suptitle(self._headline(self.critical), fontsize=10, fontweight="bold")
        self._animated.append(self._value_text)

    def _headline(self, scale):
        """The value, and where it sits against the stable scale (the marker of the slider's range)."""
        width, ratio = self.model.width, scale / self.critical
        gain = critical_gain(self.activation)
        stable = f"{'1' if gain == 1 else _fmt_gain(gain).split(' =')[0]}/√{width} = {_fmt(self.critical)}"
        if ratio > 0 and abs(math.log10(ratio)) < 0.01:
            where = "the stable scale"
        else:
            where = f"{_fmt(ratio)} × the stable scale"
        return f"scale = {_fmt(scale)}: {where} {stable}"

    def _draw(self, values):
        (scale,) = values
        depth = self.model.depth
        net, stats = self._stats(scale)
        self.ridge.update(net.a[:depth], rescale=self.activation.name not in ("tanh", "sigmoid"))
        _set_note(self._std.note, self._std.update(stats.std[:depth]))
        if self._fraction is not None:
            self._frac_line.set_ydata(getattr(stats, self._fraction)[:depth])
        self._value_text.set_text(self._headline(scale))
        std = stats.std[:depth]
        text = (f"scale = {_fmt(scale)}: the std of the activations goes from {std[0]:.2g} in layer 1 "
                f"to {std[-1]:.2g} in layer {depth}")
        if self._fraction is not None:
            frac = getattr(stats, self._fraction)[:depth]
            text += f"; {self._fraction} units: {frac.min():.0%} to {frac.max():.0%} per layer"
        return text + "."


def scale_explorer(activation="tanh", depth=10, width=500, n_samples=200, scales=None, seed=0):
    r"""Slide the init scale; see each layer's activations, their std, and how many units saturate or die.

    The network has ``depth`` hidden layers of ``width`` units with weights
    ``scale * N(0, 1)`` (``MLP(..., init="normal", scale=scale)``), fed with
    ``n_samples`` standard-normal inputs. Each frame shows

    - the histogram of every layer's activations, stacked (layer 1 on top;
      :func:`initlib.plots.layer_histograms_stacked`);
    - the std per layer on a log axis, fixed over the slider's range
      (:func:`initlib.plots.layer_std`);
    - the fraction of saturated (tanh, sigmoid: :math:`|a| > 0.99`) or dead
      (ReLU: :math:`z \le 0`) units per layer (:func:`initlib.plots.layer_fraction`).

    The std of layer :math:`l` changes by about :math:`\text{scale}\sqrt{\text{width}}`
    per layer while the units are in their linear range, so it vanishes below
    :math:`1/\sqrt{\text{width}}` (0.045 for 500 units) and saturates tanh
    units well above it.

    Parameters
    ----------
    activation : str, default "tanh"
        Hidden activation (see :data:`initlib.activations.ACTIVATIONS`).
    depth : int, default 10
        Number of hidden layers.
    width : int, default 500
        Units per hidden layer (and input features).
    n_samples : int, default 200
        Standard-normal input samples.
    scales : sequence of float, optional
        The slider's precomputed values (> 0); the live slider covers the
        same range. Default: 17 values from 0.001 to 10, log-spaced
        (0.001, 0.0018, ..., 0.01, ..., 0.1, ..., 1, ..., 10). Each frame's
        headline marks the stable scale, critical gain / sqrt(width)
        (:func:`critical_gain`; 1/sqrt(500) = 0.045 for tanh), and the
        current value's ratio to it.
    seed : int, default 0
        Seed of the weights and the inputs.

    Returns
    -------
    Explorer
        Shows as the live widget in a kernel and as precomputed frames in
        the HTML book. ``explorer.frame(scale)`` draws one frame,
        ``explorer.render(scale)`` returns its PNG bytes.

    Examples
    --------
    >>> ex = scale_explorer(depth=3, width=40, n_samples=10, scales=[0.01, 1.0])
    >>> ex.frame(0.01).axes[0].get_title()
    'Activations of 3 tanh layers'

    Used in: the saturation chapter.
    """
    return ScaleExplorer(activation, depth, width, n_samples, scales, seed)
