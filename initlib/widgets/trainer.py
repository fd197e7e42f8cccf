"""What the explorers that train share: the data set, the training runs (each
trained once), a frozen layout, the accuracy line.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

from .. import activations as _activations
from .. import data as _data
from .._validate import check_positive_float, check_positive_int
from ..train import train
from ..train_many import train_many

__all__ = []  # helpers the package's files share; nothing public


def _load(data, seed):
    if isinstance(data, str):
        X, y, Xt, yt = _data.load(data, seed=seed)
    else:
        try:
            X, y, Xt, yt = data
        except (TypeError, ValueError):
            raise TypeError("data must be a data set name (see initlib.data.DATASETS) or a tuple "
                            "(X_train, y_train, X_test, y_test)") from None
    return X, y, Xt, yt


def _check_sizes(sizes):
    sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    if len(sizes) < 2 or sizes[0] != 2 or sizes[-1] != 1:
        raise ValueError(f"sizes must go from 2 inputs to 1 output (a 2-D binary task), e.g. (2, 10, 5, 1); got {sizes}")
    return sizes


class _Trainer:
    """Trains networks for the training explorers; runs that start from the same weights are trained once."""

    def __init__(self, sizes, data, activation, epochs, lr, batch_size, seed):
        self.sizes = _check_sizes(sizes)
        self.data_name = data if isinstance(data, str) else "custom"
        self.X, self.y, self.Xt, self.yt = _load(data, seed)
        self.activation = _activations.get(activation)
        self.epochs = check_positive_int(epochs, "epochs")
        self.lr = check_positive_float(lr, "lr")
        self.batch_size = None if batch_size is None else check_positive_int(batch_size, "batch_size")
        self.seed = seed
        self._runs = OrderedDict()

    @staticmethod
    def _key(net):
        return hashlib.sha1(b"".join(np.ascontiguousarray(a).tobytes() for a in net.W + net.b)).hexdigest()

    def _options(self):
        return dict(epochs=self.epochs, lr=self.lr, batch_size=self.batch_size, seed=self.seed,
                    X_test=self.Xt, y_test=self.yt)

    def _store(self, key, run):
        self._runs[key] = run
        while len(self._runs) > 64:
            self._runs.popitem(last=False)

    def run(self, net):
        """``(trained net, History, initial net)`` for a freshly initialized ``net``."""
        key = self._key(net)
        if key not in self._runs:
            start = net.copy()
            self._store(key, (net, train(net, self.X, self.y, **self._options()), start))
        return self._runs[key]

    def run_all(self, nets):
        """Train together (:func:`~initlib.train_many`) every network of ``nets`` not trained yet.

        The static frames' runs: the same numbers as :meth:`run` would give, in
        one vectorized run instead of one run per frame.
        """
        todo = {}
        for net in nets:
            key = self._key(net)
            if key not in self._runs and key not in todo:
                todo[key] = net
        if len(todo) > 1:
            starts = [net.copy() for net in todo.values()]
            hists = train_many(list(todo.values()), self.X, self.y, **self._options())
            for (key, net), hist, start in zip(todo.items(), hists, starts):
                self._store(key, (net, hist, start))

    def how(self):
        steps = "full batch" if self.batch_size is None else f"batches of {self.batch_size}"
        return f"{self.epochs} epochs, lr {self.lr:g}, {steps}"


_BOUNDARY_TITLE_LINES = 5
"""Lines reserved for a decision-boundary title: 2 of ours, up to 2 of notes from the plot, and a spare."""


def _freeze_layout(explorer, title_lines):
    """Lay the figure out once, for its initial values with titles of the most lines a frame uses; then freeze.

    Every frame is then drawn into the same axes with no layout pass (half
    the time of a frame), and the layout does not depend on the values drawn
    before.
    """
    explorer._draw(explorer._initial)
    for ax, n in zip(explorer._axes, title_lines):
        ax.set_title("\n".join(["Ag"] * n))
    explorer.fig.canvas.draw()
    explorer.fig.set_layout_engine("none")


def _accuracy_text(hist):
    if hist.diverged:
        return hist.message
    return f"train acc {hist.final_train_acc:.2f}, test acc {hist.final_test_acc:.2f}"
