"""The symmetry explorer: a constant init plus noise eps, the units it leaves distinct."""
from __future__ import annotations

import math
import textwrap

import numpy as np

from .. import plots
from ..diagnostics import symmetry
from ..mlp import MLP
from ..plots.per_layer import _per_layer_plot
from .controls import LogSlider, _check_grid, _fmt
from .explorer import Explorer
from .render import _clear, _new_figure
from .trainer import _BOUNDARY_TITLE_LINES, _accuracy_text, _freeze_layout, _Trainer

__all__ = ["symmetry_explorer"]


class SymmetryExplorer(Explorer):
    """Noise eps on a constant init -> distinct units per layer, decision boundary, accuracy.

    Made by :func:`symmetry_explorer`.
    """

    kind = "symmetry"
    title = "Symmetry-breaking explorer"
    continuous_update = False

    def __init__(self, sizes, data, activation, epochs, lr, batch_size, eps, seed):
        self.trainer = _Trainer(sizes, data, activation, epochs, lr, batch_size, seed)
        sizes = self.trainer.sizes
        self.constant = [self.trainer.activation.gain / math.sqrt(n) for n in sizes[:-1]]
        rng = np.random.default_rng(seed)
        self.noise = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        if eps is None:
            eps = [0.0, 1e-8, 1e-6, 1e-4, 1e-2, 0.1, 0.3, 1.0]
        grid = _check_grid(eps, "eps", zero=True)
        super().__init__([LogSlider("eps", "noise eps", grid, grid[0], zero=grid[0] == 0)])

    def grid(self):
        combos = super().grid()
        self.trainer.run_all([self.network(*values) for values in combos])  # the static frames' runs, trained together
        return combos

    def _params(self):
        t = self.trainer
        return {"sizes": tuple(t.sizes), "data": t.data_name, "epochs": t.epochs, "lr": t.lr, "seed": t.seed}

    def network(self, eps):
        """The initial network: every weight of layer ``l`` the He std, plus ``eps`` times a fixed normal draw."""
        W = [c + eps * n for c, n in zip(self.constant, self.noise)]
        b = [np.zeros(s) for s in self.trainer.sizes[1:]]
        return MLP.from_weights(W, b, activation=self.trainer.activation)

    def _run(self, eps):
        net, hist, start = self.trainer.run(self.network(eps))
        return net, hist, symmetry(start), symmetry(net)

    def _setup(self):
        fig = self.fig = _new_figure(7.0, 4.6)
        gs = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.15])
        self._axes = [fig.add_subplot(gs[0, 0]), fig.add_subplot(gs[1, 0]), fig.add_subplot(gs[:, 1])]
        _freeze_layout(self, [1, 1, _BOUNDARY_TITLE_LINES])

    def _draw(self, values):
        (eps,) = values
        net, hist, sym0, sym1 = self._run(eps)
        fig = self.fig
        ax_d, ax_s, ax_b = self._axes
        for ax in self._axes:
            _clear(ax)
        n = np.asarray(sym0.n_units, dtype=float)
        plots.layer_fraction(
            {"at init": np.asarray(sym0.distinct_units) / n, "after training": np.asarray(sym1.distinct_units) / n},
            ax=ax_d, ylabel="distinct / width",
            title="Distinct units: " + ", ".join(f"{d}/{int(k)}" for d, k in zip(sym1.distinct_units, n)),
        )
        # the largest difference between two units' incoming weights: exactly 0 for identical units
        _per_layer_plot(["at init", "after training"], [sym0.max_difference, sym1.max_difference], ax_s, True,
                              "largest difference", "How different the units are", None, None, "difference")
        for ax in (ax_d, ax_s):
            ax.set_xlabel("hidden layer")
        ax_s.get_legend().remove()  # one legend, in the panel above
        ax_d.legend(loc="center right", fontsize=9)
        title = f"After training:\n{_accuracy_text(hist)}"
        if hist.diverged:  # where it diverged; the full message is in the alt text
            title = textwrap.fill(hist.message.split(" (")[0], 44)
        plots.decision_boundary(net, self.trainer.X, self.trainer.y, ax=ax_b, title=title, resolution=100,
                                colorbar=False)
        what = "constant init (every unit the same)" if eps == 0 else "constant init + noise"
        fig.suptitle(f"eps = {_fmt(eps)}: {what}; {self.trainer.how()}", fontsize=10, fontweight="bold")
        units = ", ".join(f"{d} of {k}" for d, k in zip(sym1.distinct_units, sym1.n_units))
        return f"eps = {_fmt(eps)}: distinct units per hidden layer after training {units}; {_accuracy_text(hist)}."


def symmetry_explorer(sizes=(2, 10, 5, 1), data="circles", epochs=400, lr=0.01, seed=1, *, activation="relu",
                      batch_size=32, eps=None):
    r"""Slide the noise ``eps`` added to a constant init; see whether the units become different and learn.

    Every weight of layer :math:`l` starts at the He std
    :math:`g/\sqrt{\text{fan\_in}}` (1, 0.45 and 0.63 for ``sizes=(2, 10, 5, 1)``)
    plus ``eps`` times a fixed standard-normal draw; biases start at 0. With
    ``eps = 0`` every unit of a layer computes the same function, gets the
    same gradient and stays the same: the layer acts as one unit. The
    network is trained on ``data`` by minibatch gradient descent. Each frame
    shows the number of distinct units per hidden layer and how far apart
    they are (:func:`initlib.diagnostics.symmetry`, at init and after
    training), and the decision boundary with the accuracies.

    Parameters
    ----------
    sizes : sequence of int, default (2, 10, 5, 1)
        From 2 inputs to 1 output.
    data : str or tuple, default "circles"
        A name of :data:`initlib.data.DATASETS` (loaded with ``seed``), or
        ``(X_train, y_train, X_test, y_test)``.
    epochs : int, default 400
        Passes over the 300 training samples (about 3,800 steps with
        ``batch_size=32``: a few tenths of a second per frame).
    lr : float, default 0.01
    seed : int, default 1
        Seed of the data, the noise draw and the minibatch order.
    activation : str, default "relu"
    batch_size : int or None, default 32
        ``None`` trains with full batches.
    eps : sequence of float, optional
        Precomputed values: 0 and positive values. Default: 0, 1e-8, 1e-6,
        1e-4, 0.01, 0.1, 0.3 and 1 (8 frames: each trains a network, so the
        static book gets few of them). The live slider's left end is 0; the
        rest is a log scale from 1e-9 to the largest value.

    Returns
    -------
    Explorer

    Used in: the symmetry chapter.
    """
    return SymmetryExplorer(sizes, data, activation, epochs, lr, batch_size, eps, seed)
