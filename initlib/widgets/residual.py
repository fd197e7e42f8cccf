r"""The residual explorer: the stream forward and its gradient backward, block by block,
for a number of blocks and a branch rule.
"""
from __future__ import annotations

import math

import numpy as np

from .. import plots
from .._validate import check_positive_int
from ..diagnostics import block_stats
from ..plots.axes import _note
from ..residual import ResidualMLP
from .controls import Choice, LogSlider, _check_grid, _fmt
from .explorer import Explorer
from .render import _log_limits, _new_figure, _set_note

__all__ = ["residual_explorer"]

RULES = ("α = 1", "α = 1/√L", "zero last layer", "free α")


def _alpha(rule, n_blocks, alpha):
    """The branch factor of ``rule`` (0 for the zero last layer, whose branches are 0 anyway)."""
    return {"α = 1": 1.0, "α = 1/√L": 1.0 / math.sqrt(n_blocks), "zero last layer": 0.0, "free α": alpha}[rule]


class ResidualExplorer(Explorer):
    """Number of blocks, branch rule (and free α) -> std of the stream and of its gradient, block by block.

    Made by :func:`residual_explorer`.
    """

    kind = "residual"
    title = "Residual stream explorer"
    blit = True
    links = {2: (1, "free α")}  # moving the free α chooses the rule it belongs to

    def __init__(self, width, n_samples, blocks, alphas, seed):
        self.width = check_positive_int(width, "width")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        if n_samples < 2:
            raise ValueError(f"n_samples must be >= 2 (a std over the samples), got {n_samples}")
        self.seed = seed
        blocks = [1, 3, 10, 30, 100, 200] if blocks is None else blocks
        grid = _check_grid(blocks, "blocks")
        if any(b != int(b) for b in grid):
            raise ValueError(f"blocks must be whole numbers of blocks, got {grid}")
        alphas = [0.03, 0.1, 0.3, 1.0] if alphas is None else alphas
        a_grid = _check_grid(alphas, "alphas")
        rng = np.random.default_rng([seed, 1])
        self.X = rng.standard_normal((self.n_samples, 2))
        self.y = (rng.random((self.n_samples, 1)) < 0.5).astype(float)
        self._nets = {}
        start = min(grid, key=lambda b: abs(math.log(b / 50)))
        super().__init__([
            LogSlider("L", "number of blocks", grid, start, fmt=lambda v: f"{int(round(v))}", integer=True),
            Choice("rule", "branch rule", RULES, "α = 1"),
            # starts at 0.1: a step of the static slider either way gives a new frame (free α = 1 is the rule α = 1)
            LogSlider("α", "free α (moving it chooses the rule 'free α')", a_grid, min(a_grid, key=lambda a: abs(math.log(a / 0.1)))),
        ])

    def _params(self):
        return {"width": self.width, "n_samples": self.n_samples, "seed": self.seed}

    def _frame_key(self, values):
        n_blocks, rule, alpha = values
        return int(round(n_blocks)), rule, (alpha if rule == "free α" else None)

    def _net(self, n_blocks, zero_last):
        """The network of ``n_blocks`` blocks (the rules differ only in alpha: one draw serves them all)."""
        key = (n_blocks, zero_last)
        if key not in self._nets:
            if len(self._nets) >= 2:  # the static grid runs through the rules at each number of blocks
                self._nets.clear()
            self._nets[key] = ResidualMLP(2, self.width, n_blocks, zero_last=zero_last, seed=self.seed)
        return self._nets[key]

    def _stats(self, n_blocks, rule, alpha):
        """Forward std ratio std(h_l)/std(h_0) and backward ratio std(dh_l)/std(dh_L), and the prediction."""
        a = _alpha(rule, n_blocks, alpha)
        net = self._net(n_blocks, rule == "zero last layer")
        net.alpha[:] = 1.0 if rule == "zero last layer" else a
        s = block_stats(net, self.X, self.y)
        with np.errstate(all="ignore"):
            back = s.stream_grad_std / s.stream_grad_std[-1]
        return s.ratio, back, (1.0 + 2.0 * a * a) ** (np.arange(n_blocks + 1) / 2.0)

    def _setup(self):
        big = max(self.controls[0].grid)
        worst = [self._stats(int(big), rule, a) for rule, a in (("α = 1", 1.0), ("free α", max(self.controls[2].grid)))]
        fig = self.fig = _new_figure(7.0, 3.8)
        ax_f, ax_b = fig.subplots(1, 2)
        x = np.linspace(0.0, 1.0, 3)
        ones = np.ones(3)
        for ax, title, ylabel in ((ax_f, "Forward: the stream", "std(h_l) / std(h_0)"),
                                  (ax_b, "Backward: its gradient", "std(∂ℓ/∂h_l) / std(∂ℓ/∂h_L)")):
            plots.stream_std({"measured": ones}, ax=ax, which="ratio", title=title, ylabel=ylabel,
                             predicted=ones, predicted_label="recursion (1 + 2α²)^(l/2)")
            for t in list(ax.texts):
                if t.get_gid() == "initlib-note":
                    t.remove()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.set_xlim(-0.02, 1.02)
            ax.set_xlabel("block l / L (fraction of the depth)")
            ax.set_ylim(*_log_limits([np.ones(1)] + [w[0] for w in worst] + [w[1] for w in worst]))
        self._lines = [ax_f.lines[0], ax_f.lines[1], ax_b.lines[0], ax_b.lines[1]]
        for line in self._lines:
            line.set_data(x, ones)
        self._notes = [_note(ax, ["-"], loc="lower right" if ax is ax_f else "lower left") for ax in (ax_f, ax_b)]
        fig.legend(*ax_f.get_legend_handles_labels(), loc="outside lower center", ncol=2, frameon=False, fontsize=9)
        self._value_text = fig.suptitle("L = 0", fontsize=10, fontweight="bold")
        self._animated = self._lines + self._notes + [self._value_text]

    def _draw(self, values):
        n_blocks, rule, alpha = self._frame_key(values)
        fwd, back, pred = self._stats(n_blocks, rule, alpha)
        x = np.arange(n_blocks + 1) / n_blocks
        lo, hi = self.fig.axes[0].get_ylim()
        for (line, ref), v, p, note in zip(((self._lines[0], self._lines[1]), (self._lines[2], self._lines[3])),
                                           (fwd, back), (pred, pred[::-1]), self._notes):
            bad = ~np.isfinite(v) | (v <= 0)
            line.set_data(x, np.ma.masked_array(np.where(bad, 1.0, v), mask=bad))
            ref.set_data(x, p)
            msgs = []
            if bad.any():
                msgs.append(f"not finite or 0 at {int(bad.sum())} of {n_blocks + 1} blocks (not drawn)")
            shown = v[~bad]
            if shown.size and shown.max() > hi:
                msgs.append(f"above the axis: up to {shown.max():.2g}")
            if shown.size and shown.min() < lo:
                msgs.append(f"below the axis: down to {shown.min():.2g}")
            _set_note(note, msgs, width=36)
        a = _alpha(rule, n_blocks, alpha)
        rule_text = rule if rule != "free α" else f"α = {_fmt(alpha)}"
        if rule == "α = 1/√L":
            rule_text += f" = {a:.3g}"
        self._value_text.set_text(f"L = {n_blocks} blocks of width {self.width}, {rule_text}: "
                                  f"std(h_L)/std(h_0) = {fwd[-1]:.3g}")
        return (f"{n_blocks} blocks, {rule_text}: the stream's std grows by a factor {fwd[-1]:.3g} from h_0 to "
                f"h_{n_blocks} (the recursion predicts {pred[-1]:.3g}), and the gradient's by {back[0]:.3g} "
                f"from h_{n_blocks} back to h_0.")


def residual_explorer(width=64, n_samples=64, blocks=None, alphas=None, seed=0):
    r"""Choose the number of blocks and the branch rule; see the residual stream and its gradient grow.

    The network is ``ResidualMLP(2, width, L, ...)`` (He-normal ReLU branches,
    zero biases) on ``n_samples`` standard-normal points in the plane with
    random labels. Each frame shows, against the fraction of the depth
    :math:`l/L` and on log axes fixed over every frame,

    - forward: :math:`\mathrm{std}(h_l) / \mathrm{std}(h_0)`;
    - backward: :math:`\mathrm{std}(\partial\ell/\partial h_l) / \mathrm{std}(\partial\ell/\partial h_L)`;

    each with the recursion's prediction :math:`(1 + 2\alpha^2)^{l/2}`
    dashed (read backwards for the gradient). The branch rules: ``α = 1``;
    ``α = 1/√L``, whose curves do not change with the depth; ``zero last
    layer`` (every branch's second matrix starts at zero: flat at 1); and
    ``free α``, the value of the third control (moving it chooses this rule).

    Parameters
    ----------
    width : int, default 64
        Width of the stream and of every branch.
    n_samples : int, default 64
        Input points (>= 2).
    blocks : sequence of int, optional
        The numbers of blocks of the static book (the live slider covers the
        same range). Default: 1, 3, 10, 30, 100, 200.
    alphas : sequence of float, optional
        The free factors of the static book. Default: 0.03, 0.1, 0.3, 1.
    seed : int, default 0
        Seed of the weights, the points and the labels.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = residual_explorer(width=16, n_samples=8, blocks=[1, 4], alphas=[0.1, 1.0])
    >>> print(ex.describe(4, "zero last layer", 0.1))
    4 blocks, zero last layer: the stream's std grows by a factor 1 from h_0 to h_4 (the recursion predicts 1), and the gradient's by 1 from h_4 back to h_0.

    Used in: the residual networks chapter.
    """
    return ResidualExplorer(width, n_samples, blocks, alphas, seed)
