"""The gain explorer: forward and backward signal of a deep network against the gain."""
from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .. import plots
from .._validate import check_positive_float
from ..diagnostics import activation_stats, gradient_stats
from ..plots.axes import _note
from .controls import LogSlider, _check_grid, _fmt, _fmt_gain
from .explorer import Explorer
from .render import _LogCurve, _log_limits, _new_figure, _set_note
from .scaled import _ScaledNet, critical_gain

__all__ = ["gain_explorer"]


class GainExplorer(Explorer):
    """Gain -> per-layer forward std and backward gradient std, against the critical gain.

    Made by :func:`gain_explorer`.
    """

    kind = "gain"
    title = "Gain explorer"
    blit = True

    def __init__(self, activation, depth, width, n_samples, gains, seed, critical):
        self.activation = _activations.get(activation)
        self.seed = seed
        self.critical = critical_gain(self.activation) if critical is None else check_positive_float(critical, "critical")
        self.model = _ScaledNet(self.activation, depth, width, n_samples, seed, base="he")
        if gains is None:
            gains = self.critical * 2.0 ** (np.arange(-8, 9) / 4.0)
        grid = _check_grid(gains, "gains")
        start = min(grid, key=lambda g: abs(math.log(g / self.critical)))
        super().__init__([LogSlider("gain", "gain g (std of W = g / √fan_in)", grid, start, fmt=_fmt_gain)])

    def _params(self):
        return {"activation": self.activation.name, "depth": self.model.depth, "width": self.model.width,
                "n_samples": self.model.n_samples, "seed": self.seed}

    def _stats(self, gain):
        net = self.model.set(gain)
        bwd = gradient_stats(net, self.model.X, self.model.y)  # forward and backward pass
        fwd = activation_stats(net)  # the activations of that forward pass
        d = self.model.depth
        return fwd.std[:d].copy(), bwd.signal_std[:d].copy()

    def _setup(self):
        grid = self.controls[0].grid
        ref = self._stats(self.critical)
        ends = [self._stats(g) for g in (grid[0], grid[-1])]
        fig = self.fig = _new_figure(7.0, 3.7)
        ax_f, ax_b = fig.subplots(1, 2)
        crit = f"critical gain {_fmt_gain(self.critical)} (dashed)"
        ones = np.ones(self.model.depth)
        plots.layer_std({"current gain": ones, crit: ref[0]}, ax=ax_f, title="Forward: std of the activations")
        plots.gradient_norms({"current gain": ones, crit: ref[1]}, ax=ax_b, which="signal_std",
                             title="Backward: std of the gradient")
        self._curves = []
        for ax, k in ((ax_f, 0), (ax_b, 1)):
            ax.set_ylim(*_log_limits([ref[k]] + [e[k] for e in ends]))
            ax.lines[1].set_linestyle("--")
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            for t in list(ax.texts):  # notes about the placeholder: the live notes replace them
                if t.get_gid() == "initlib-note":
                    t.remove()
            self._curves.append(_LogCurve(ax.lines[0], _note(ax, ["-"], loc="lower left"),
                                          "std" if k == 0 else "gradient std"))
        ax_b.set_ylabel("std of ∂L/∂z per sample")
        fig.legend(*ax_f.get_legend_handles_labels(), loc="outside lower center", ncol=2, frameon=False,
                   fontsize=9)
        self._value_text = fig.suptitle("gain = 0.000", fontsize=10, fontweight="bold")
        self._animated = [c.line for c in self._curves] + [c.note for c in self._curves] + [self._value_text]

    def _draw(self, values):
        (gain,) = values
        fwd, bwd = self._stats(gain)
        for curve, v in zip(self._curves, (fwd, bwd)):
            _set_note(curve.note, curve.update(v), width=40)
        rel = gain / self.critical
        where = "critical" if abs(rel - 1) < 1e-9 else (f"{rel:.3g} × critical")
        self._value_text.set_text(f"{self.activation.name}, gain = {_fmt_gain(gain)} ({where})")
        d = self.model.depth
        return (f"{self.activation.name}, gain = {_fmt(gain)}: forward std from {fwd[0]:.2g} (layer 1) to "
                f"{fwd[-1]:.2g} (layer {d}); gradient std from {bwd[-1]:.2g} (layer {d}) to "
                f"{bwd[0]:.2g} (layer 1).")


def gain_explorer(activation="relu", depth=20, width=256, gains=None, seed=0, *, n_samples=100, critical=None):
    r"""Slide the gain ``g`` of ``std(W) = g / sqrt(fan_in)``; see the signal forward and the gradient backward.

    The network has ``depth`` hidden layers of ``width`` units, weights drawn
    once from :math:`\mathcal N(0, 1/\text{fan\_in})` and multiplied by the
    gain (``he_normal`` with that gain), a sigmoid output and random binary
    targets. Each frame shows, per layer and on log axes fixed over the
    slider's range,

    - forward: the std of the activations (:func:`initlib.plots.layer_std`);
    - backward: the std of :math:`\partial L/\partial z` per sample
      (:func:`initlib.plots.gradient_norms`, ``which="signal_std"``);

    each with the same curve at the critical gain dashed for reference
    (:func:`critical_gain`: :math:`\sqrt 2` for ReLU, 1 for tanh). Away from
    it both curves tilt: by about :math:`(g/g_c)^{\text{depth}}` from the
    first to the last layer.

    Parameters
    ----------
    activation : str, default "relu"
        "relu" or "tanh" (also "leaky_relu", "sigmoid", "identity").
    depth : int, default 20
        Number of hidden layers.
    width : int, default 256
        Units per hidden layer (and input features).
    gains : sequence of float, optional
        Precomputed gains (> 0). Default: 17 values ``critical * 2**(k/4)``,
        ``k = -8..8`` (a quarter of the critical gain to four times it),
        which include the critical gain itself.
    seed : int, default 0
        Seed of the weights, the inputs and the targets.
    n_samples : int, default 100
        Standard-normal input samples (with random binary targets).
    critical : float, optional
        Reference gain; default :func:`critical_gain` of the activation. Pass
        ``5/3`` to compare tanh with PyTorch's recommended gain.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = gain_explorer(depth=4, width=30, n_samples=10)
    >>> round(ex.values[0], 4)  # starts at the critical gain, sqrt(2)
    1.4142

    Used in: the He-scaling chapter.
    """
    return GainExplorer(activation, depth, width, n_samples, gains, seed, critical)
