"""The Jacobian explorer: depth, weights and activation against the singular values of the Jacobian."""
from __future__ import annotations

import math

import numpy as np

from .. import plots
from .._validate import check_positive_int
from ..diagnostics import JacobianSpectrum, jacobian_spectra
from ..mlp import MLP
from ..plots.axes import _note
from ..plots.spectrum import _fractions, _pct
from .controls import Choice, LogSlider, _check_grid
from .explorer import Explorer
from .render import _new_figure, _set_note

__all__ = ["jacobian_explorer"]

_INITS = {"Gaussian": "lecun_normal", "orthogonal": "orthogonal"}
_GAINS = {"linear": 1.0, "tanh": 1.0, "relu": math.sqrt(2.0)}
_XLIM = (1e-16, 1e2)


def _fmt_depth(value):
    return str(int(round(value)))


class JacobianExplorer(Explorer):
    """Depth, weights (Gaussian or orthogonal) and activation -> histogram of the Jacobian's singular values.

    Made by :func:`jacobian_explorer`.
    """

    kind = "jacobian"
    title = "Jacobian explorer"
    blit = True

    def __init__(self, width, depths, seed):
        self.width = check_positive_int(width, "width")
        self.seed = seed
        grid = _check_grid(depths, "depths")
        if any(d != int(d) for d in grid):
            raise ValueError(f"depths must be whole numbers of layers, got {grid}")
        self.max_depth = int(grid[-1])
        self.x = np.random.default_rng(seed).standard_normal((1, self.width))
        self._nets, self._spectra = {}, {}
        start = min(grid, key=lambda d: abs(math.log10(d / 10)))
        super().__init__([
            LogSlider("depth", "number of layers", grid, start, fmt=_fmt_depth, integer=True),
            Choice("weights", "initialization of the weights", list(_INITS), "orthogonal"),
            Choice("activation", "activation of the hidden layers", list(_GAINS), "linear"),
        ])

    def _params(self):
        return {"width": self.width, "max_depth": self.max_depth, "seed": self.seed}

    def _frame_key(self, values):
        depth, weights, activation = values
        return (min(max(int(round(depth)), 1), self.max_depth), weights, activation)

    def spectrum(self, depth, weights, activation):
        """The :class:`~initlib.diagnostics.JacobianSpectrum` of a frame (cached per network and depth).

        The networks of one (weights, activation) pair are the first ``depth``
        layers of one seeded network of ``max_depth`` layers, so the spectra of
        every precomputed depth come from one pass through it.
        """
        depth, weights, activation = self._frame_key(self._check((depth, weights, activation)))
        pair = (weights, activation)
        if pair not in self._nets:
            self._nets[pair] = MLP([self.width] * (self.max_depth + 1), activation=activation, output="identity",
                                   init=_INITS[weights], init_kwargs={"gain": _GAINS[activation]}, seed=self.seed)
            self._spectra[pair] = {}
        known = self._spectra[pair]
        if depth not in known:
            grid = [int(d) for d in self.controls[0].grid]
            layers = [d for d in grid if d not in known] if depth in grid else [depth]
            known.update(jacobian_spectra(self._nets[pair], self.x, layers=layers))
        return known[depth]

    def _setup(self):
        fig = self.fig = _new_figure(7.0, 3.5)
        ax = fig.subplots()
        isometry = JacobianSpectrum(np.ones((1, self.width)), np.zeros(1))  # placeholder: the axes, not the data
        plots.singular_value_histograms({"current": isometry}, ax=ax, xlim=_XLIM, title="")
        ax.get_legend().remove()
        ax.set_ylim(0.0, 1.05)
        self._stairs = ax.patches[0]
        self._log_edges = np.log10(self._stairs.get_data().edges)
        self._note = _note(ax, ["-"], loc="upper left")
        self._value_text = fig.suptitle("-", fontsize=10, fontweight="bold")
        self._animated = [self._stairs, self._note, self._value_text]

    def _draw(self, values):
        depth, weights, activation = self._frame_key(values)
        sp = self.spectrum(depth, weights, activation)
        self._stairs.set_data(_fractions(sp, self._log_edges))
        summary = self._summary(sp)
        _set_note(self._note, [summary] + ([f"{_pct(sp.zero_fraction)} of the singular values are 0 (not drawn)"]
                                           if sp.zero_fraction > 0 else []), width=44)
        self._value_text.set_text(f"{weights} weights, {activation}, depth {depth} (width {self.width})")
        return (f"{weights} weights, {activation}, depth {depth}: histogram of the {sp.singular_values.size} "
                f"singular values of the input-output Jacobian on a log axis; {summary}"
                + (f", {_pct(sp.zero_fraction)} of them 0." if sp.zero_fraction > 0 else ", none 0."))

    @staticmethod
    def _summary(sp):
        median = "0" if sp.median == 0 else f"{sp.median:.2g}"
        return f"median {median}, spread {sp.spread:.2f} decades"


def jacobian_explorer(width=64, depths=(1, 3, 10, 30, 100, 200), seed=0):
    r"""Slide the depth, pick the weights and the activation; see the singular values of the Jacobian.

    The network has ``depth`` layers of ``width`` units (``output="identity"``,
    zero biases) with Gaussian weights of variance :math:`g^2/\text{fan\_in}`
    (``lecun_normal``) or orthogonal weights times :math:`g`, where the gain
    :math:`g` is 1 for linear and tanh layers and :math:`\sqrt 2` for ReLU.
    Each frame is the histogram of the singular values of the input-output
    Jacobian at one standard normal input
    (:func:`initlib.diagnostics.jacobian_spectra`, drawn as by
    :func:`initlib.plots.singular_value_histograms`) on a log axis from
    :math:`10^{-16}` to 100, with the median, the spread (std of
    :math:`\log_{10} s` over the nonzero singular values) and the fraction of
    zeros. Orthogonal linear networks stay at :math:`s = 1` at every depth;
    Gaussian ones spread over ever more decades; ReLU loses at least half of the
    directions at any depth.

    Parameters
    ----------
    width : int, default 64
    depths : sequence of int
        Precomputed depths (the static book's slider positions); the live
        slider covers the range continuously (rounded to whole layers).
    seed : int, default 0
        Seed of the weights and of the input.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = jacobian_explorer(width=16, depths=[1, 4, 16])
    >>> ex.values
    (16.0, 'orthogonal', 'linear')
    >>> round(ex.spectrum(16, "orthogonal", "linear").spread, 6)
    0.0

    Used in: the orthogonal chapter and the "Interactive explorers" appendix.
    """
    return JacobianExplorer(width, depths, seed)
