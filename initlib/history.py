r"""What training records: :class:`History`, and the recording of one network at one epoch.

:func:`~initlib.train` and :func:`~initlib.train_many` record through the same
:func:`_record`, so a network trained alone or with others has the same
numbers at the same epochs; a loss that becomes NaN or infinite ends the
network's record (:func:`_diverge`).

Used in: every chapter.
"""
from __future__ import annotations

import warnings

import numpy as np

from .activations import dead_fraction, saturated_fraction

__all__ = ["History"]


class History:
    """What :func:`train` recorded.

    Attributes
    ----------
    epoch : ndarray of int, shape (n_records,)
        Epochs at which the values below were recorded; 0 is before training.
    loss, train_acc : ndarray, shape (n_records,)
        Mean loss and accuracy on the whole training set.
    test_loss, test_acc : ndarray or None
        The same on the test set, if one was given.
    act_mean, act_std, act_frac : ndarray, shape (n_records, len(net.a)) or None
        With ``record_stats=True``: mean and std of each layer's activations
        ``a[l]`` on the training set, and the fraction of saturated
        (|tanh| > 0.99, sigmoid outside [0.01, 0.99]) or dead (ReLU: a = 0)
        entries of the hidden layers (NaN for the output layer and for
        activations with neither notion).
    grad_std : ndarray, shape (n_records, len(net.dW)) or None
        With ``record_stats=True``: std of each ``dW[l]`` (one per weight
        matrix; for an MLP, one per layer).
    diverged : bool
        True if the loss became NaN or infinite.
    diverged_epoch : int or None
        The epoch at which it did.
    """

    def __init__(self):
        self.epoch = []
        self.loss = []
        self.train_acc = []
        self.test_loss = []
        self.test_acc = []
        self.act_mean = []
        self.act_std = []
        self.act_frac = []
        self.grad_std = []
        self.diverged = False
        self.diverged_epoch = None
        self.message = ""
        self.params = {}

    def _finish(self, has_test, has_stats):
        self.epoch = np.asarray(self.epoch, dtype=int)
        for name in ("loss", "train_acc"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=float))
        for name in ("test_loss", "test_acc"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=float) if has_test else None)
        for name in ("act_mean", "act_std", "act_frac", "grad_std"):
            setattr(self, name, np.asarray(getattr(self, name), dtype=float) if has_stats else None)
        return self

    @property
    def final_loss(self):
        """Training loss at the last recorded epoch."""
        return float(self.loss[-1])

    @property
    def final_train_acc(self):
        """Training accuracy at the last recorded epoch."""
        return float(self.train_acc[-1])

    @property
    def final_test_acc(self):
        """Test accuracy at the last recorded epoch (None without a test set)."""
        return None if self.test_acc is None else float(self.test_acc[-1])

    def summary(self, digits=4):
        """A dict of the final numbers, rounded for printing."""
        out = {"final_loss": round(self.final_loss, digits), "train_acc": round(self.final_train_acc, digits)}
        if self.test_acc is not None:
            out["test_acc"] = round(self.final_test_acc, digits)
        out["diverged"] = self.diverged
        return out

    def __repr__(self):
        if len(self.epoch) == 0:
            return "History(empty)"
        parts = [f"epochs={int(self.epoch[-1])}", f"loss={self.final_loss:.4g}", f"train_acc={self.final_train_acc:.3f}"]
        if self.test_acc is not None:
            parts.append(f"test_acc={self.final_test_acc:.3f}")
        if self.diverged:
            parts.append(f"diverged at epoch {self.diverged_epoch}")
        return "History(" + ", ".join(parts) + ")"


def _layer_stats(net):
    """Per-layer activation mean/std/saturated-or-dead fraction and dW std, from the last forward/backward pass."""
    means, stds, fracs = [], [], []
    kind = net.activation.saturates
    last = len(net.a) - 1
    for l, (z, a) in enumerate(zip(net.zn, net.a)):
        means.append(a.mean())
        stds.append(a.std())
        if l == last or kind is None:
            fracs.append(np.nan)
        elif kind == "dead":
            fracs.append(dead_fraction(z))
        else:
            fracs.append(saturated_fraction(a, net.activation))
    return means, stds, fracs, [g.std() for g in net.dW]


def _diverge(hist, epoch, loss, lr):
    hist.diverged = True
    hist.diverged_epoch = int(epoch)
    what = "NaN" if np.isnan(loss) else "infinite"
    hist.message = (
        f"training diverged at epoch {epoch}: the loss became {what} "
        f"(lr={lr:g}; try a smaller learning rate or init scale)"
    )
    warnings.warn(hist.message, RuntimeWarning, stacklevel=3)


def _new_history(opts):
    hist = History()
    hist.params = dict(epochs=opts["epochs"], lr=opts["lr"], batch_size=opts["batch_size"],
                       optimizer=opts["optimizer"], **opts["settings"])
    return hist


def _record(net, hist, epoch, X, t, X_test, y_test, record_stats):
    """Append the numbers at ``epoch`` to ``hist``; return False (appending nothing) if the loss is not finite."""
    loss, acc = net.evaluate(X, t)
    if not np.isfinite(loss):
        return False
    hist.epoch.append(epoch)
    hist.loss.append(loss)
    hist.train_acc.append(np.nan if acc is None else acc)
    if y_test is not None:
        tl, ta = net.evaluate(X_test, y_test)
        hist.test_loss.append(tl)
        hist.test_acc.append(np.nan if ta is None else ta)
    if record_stats:
        net.loss_and_grad(X, t)  # gradients on the whole training set at this epoch
        m, s, fr, g = _layer_stats(net)
        hist.act_mean.append(m)
        hist.act_std.append(s)
        hist.act_frac.append(fr)
        hist.grad_std.append(g)
    return True
