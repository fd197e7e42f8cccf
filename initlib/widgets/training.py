"""The training explorer: init method and scale against the loss curve and the boundary."""
from __future__ import annotations

import math

import numpy as np

from .. import init as _init
from .. import plots
from ..mlp import MLP
from .controls import Choice, LogSlider, _check_grid, _fmt
from .explorer import Explorer
from .render import _clear, _new_figure
from .trainer import _BOUNDARY_TITLE_LINES, _accuracy_text, _freeze_layout, _Trainer

__all__ = ["training_explorer"]


class TrainingExplorer(Explorer):
    """Init method and scale -> loss curve and decision boundary.

    Made by :func:`training_explorer`.
    """

    kind = "training"
    title = "Training explorer"
    continuous_update = False

    def __init__(self, sizes, data, inits, activation, epochs, lr, batch_size, scales, seed):
        self.trainer = _Trainer(sizes, data, activation, epochs, lr, batch_size, seed)
        inits = [str(i) for i in inits]
        for i in inits:
            _init.get(i)  # unknown names raise, listing the valid ones
        if scales is None:
            scales = [0.01, 0.1, 1.0, 10.0, 100.0]
        grid = _check_grid(scales, "scales")
        start_init = "he_normal" if "he_normal" in inits else inits[-1]
        start_scale = min(grid, key=lambda s: abs(math.log10(s)))
        super().__init__([Choice("init", "init method", inits, start_init),
                          LogSlider("scale", "init scale", grid, start_scale)])

    def grid(self):
        combos = super().grid()
        self.trainer.run_all([self.network(*values) for values in combos])  # the static frames' runs, trained together
        return combos

    def _params(self):
        t = self.trainer
        return {"sizes": tuple(t.sizes), "data": t.data_name, "inits": tuple(self.controls[0].grid),
                "epochs": t.epochs, "lr": t.lr, "seed": t.seed}

    def network(self, init, scale):
        """The initial network for ``init`` times ``scale``."""
        return MLP(self.trainer.sizes, activation=self.trainer.activation, init=init, scale=scale,
                   seed=self.trainer.seed)

    def _frame_key(self, values):
        init, scale = values
        if _init.get(init) is _init.zeros:  # 0 x scale = 0: one frame for every scale
            return (init, None)
        return values

    def _setup(self):
        fig = self.fig = _new_figure(7.0, 3.8)
        self._axes = list(fig.subplots(1, 2, width_ratios=[1.1, 1.0]))
        _freeze_layout(self, [1, _BOUNDARY_TITLE_LINES])

    def _draw(self, values):
        init, scale = values
        start = self.network(init, scale)
        zero = all(not np.any(w) for w in start.W)
        net, hist, _ = self.trainer.run(start)
        fig = self.fig
        ax_l, ax_b = self._axes
        for ax in self._axes:
            _clear(ax)
        label = init if zero else f"{init} × {_fmt(scale)}"
        plots.training_curves({label: hist}, ax=ax_l, chance=True, log=True, title="Training loss")
        if ax_l.get_legend() is not None:
            ax_l.get_legend().remove()
        title = "Decision boundary" + ("\nwhen training stopped" if hist.diverged else f"\n{_accuracy_text(hist)}")
        plots.decision_boundary(net, self.trainer.X, self.trainer.y, ax=ax_b, title=title, resolution=100,
                                colorbar=False)
        # a zero init is the same at every scale (0 x scale = 0): one frame for all of them
        what = f"init = {init} (0 × any scale = 0)" if zero else f"init = {init}, scale = {_fmt(scale)}"
        fig.suptitle(f"{what}; {self.trainer.how()}", fontsize=10, fontweight="bold")
        head = f"init = {init}" + ("" if zero else f", scale = {_fmt(scale)}")
        if hist.diverged:
            return f"{head}: {hist.message}."
        return f"{head}: final training loss {hist.final_loss:.3g}; {_accuracy_text(hist)}."


def training_explorer(sizes=(2, 10, 5, 1), data="circles", inits=("zeros", "normal", "he_normal"), epochs=400,
                      lr=0.01, seed=1, *, activation="relu", batch_size=32, scales=None):
    r"""Pick an init method and slide its scale; see the training loss and the decision boundary.

    The network ``MLP(sizes, init=init, scale=scale, seed=seed)`` is trained
    on ``data`` by minibatch gradient descent. Each frame shows the training
    loss against the epoch (with ln 2, the loss of a network that learnt
    nothing; :func:`initlib.plots.training_curves`) and the decision
    boundary with the accuracies (:func:`initlib.plots.decision_boundary`). A
    run whose loss becomes infinite is stopped and its message written in the
    figure. Runs that start from the same weights (``zeros`` at any scale)
    are trained once.

    Parameters
    ----------
    sizes : sequence of int, default (2, 10, 5, 1)
    data : str or tuple, default "circles"
    inits : sequence of str, default ("zeros", "normal", "he_normal")
        Initializer names (see :func:`initlib.init.get`).
    epochs : int, default 400
        About 3,800 steps with ``batch_size=32``.
    lr : float, default 0.01
    seed : int, default 1
        Seed of the data, the weights and the minibatch order.
    activation : str, default "relu"
    batch_size : int or None, default 32
    scales : sequence of float, optional
        Precomputed scales. Default: 0.01, 0.1, 1, 10 and 100 (each frame
        trains a network: 11 runs for the default inits, since ``zeros`` is
        the same at every scale). The live slider covers 0.01 to 100.

    Returns
    -------
    Explorer

    Used in: the symmetry and He-scaling chapters.
    """
    return TrainingExplorer(sizes, data, inits, activation, epochs, lr, batch_size, scales, seed)
