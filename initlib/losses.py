r"""Losses, each a mean over samples, computed from the network's logits.

A :class:`Loss` pairs an output transform (sigmoid, softmax or identity) with
the loss that is stable for it, and gives the gradient with respect to the
logits :math:`z_L` directly:

=========  ====================================  ==============================
output     loss                                  :math:`\partial L / \partial z_L`
=========  ====================================  ==============================
sigmoid    binary cross-entropy from logits      :math:`(\sigma(z) - y)/n`
softmax    softmax cross-entropy                 :math:`(\mathrm{softmax}(z) - Y)/n`
identity   mean squared error                    :math:`2(z - y)/(n k)`
=========  ====================================  ==============================

Binary cross-entropy from logits uses

.. math:: \ell(z, y) = \max(z, 0) - z y + \log\left(1 + e^{-|z|}\right),

which equals :math:`-y\log\sigma(z) - (1-y)\log(1-\sigma(z))` and is finite for
every finite logit: a saturated output gives a huge loss, never ``inf``.

Used in: every chapter (the symmetry chapter's ln 2 is the loss at logit 0).
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_choice
from .activations import sigmoid

__all__ = [
    "Loss",
    "LOSSES",
    "get",
    "binary_cross_entropy",
    "softmax_cross_entropy",
    "mean_squared_error",
    "softmax",
]


def _binary_targets(y, n):
    y = check_array(y, "y", ndim=(1, 2))
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != (n, 1):
        raise ValueError(f"y must have shape ({n},) or ({n}, 1) to match the logits, got {y.shape}")
    if not np.all((y == 0) | (y == 1)):
        bad = np.unique(y[(y != 0) & (y != 1)])[:5]
        raise ValueError(f"y must hold binary labels in {{0, 1}} for binary cross-entropy, got values such as {bad.tolist()}")
    return y


def _class_targets(y, n, k):
    """Return one-hot targets of shape (n, k) from labels (n,) or one-hot (n, k)."""
    y = check_array(y, "y", ndim=(1, 2))
    if y.ndim == 2 and y.shape == (n, k):
        if not (np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)):
            raise ValueError("y given as an (n, k) array must be one-hot (a single 1 per row)")
        return y
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (n,):
        raise ValueError(f"y must be class labels of shape ({n},) or one-hot of shape ({n}, {k}), got {y.shape}")
    if not np.all((y == np.round(y)) & (y >= 0) & (y < k)):
        raise ValueError(f"y must hold integer class labels in 0..{k - 1}")
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y.astype(int)] = 1.0
    return onehot


def _logits(z):
    return check_array(z, "logits", ndim=2)


def binary_cross_entropy(logits, y):
    """Mean binary cross-entropy of labels ``y`` in {0, 1} given ``logits`` of shape (n, 1).

    Examples
    --------
    >>> round(binary_cross_entropy(np.zeros((4, 1)), np.array([0, 1, 0, 1])), 4)
    0.6931
    """
    return LOSSES["sigmoid"](logits, y)


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of class labels ``y`` (n,) or one-hot (n, k) given logits (n, k)."""
    return LOSSES["softmax"](logits, y)


def mean_squared_error(outputs, y):
    """Mean over all entries of ``(outputs - y)**2``."""
    return LOSSES["identity"](outputs, y)


def softmax(z):
    """Row-wise softmax, shifted by the row maximum so it never overflows."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Loss:
    """An output transform with its loss and the loss's gradient in the logits.

    Methods take logits of shape ``(n_samples, n_outputs)`` and targets;
    ``targets`` validates and converts ``y`` once, so that training can call
    the unchecked ``value_and_grad`` in its inner loop.
    """

    def __init__(self, name, loss_name):
        self.name = name
        self.loss_name = loss_name

    # -- targets ----------------------------------------------------------
    def targets(self, y, n, n_outputs):
        """Validate ``y`` against ``n`` samples and return it in the form the loss uses."""
        if self.name == "sigmoid":
            if n_outputs != 1:
                raise ValueError(f"output='sigmoid' needs exactly 1 output unit, got {n_outputs}; use output='softmax'")
            return _binary_targets(y, n)
        if self.name == "softmax":
            return _class_targets(y, n, n_outputs)
        y = check_array(y, "y", ndim=(1, 2))
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != (n, n_outputs):
            raise ValueError(f"y must have shape ({n}, {n_outputs}) to match the outputs, got {y.shape}")
        return y

    # -- maths (unchecked: inputs come from targets() and the network) ----
    def transform(self, z):
        """The output activation: probabilities (sigmoid, softmax) or the values themselves."""
        if self.name == "sigmoid":
            return sigmoid(z)
        if self.name == "softmax":
            return softmax(z)
        return z

    def value(self, z, t):
        """Mean loss given logits ``z`` and prepared targets ``t``."""
        n = z.shape[0]
        if self.name == "sigmoid":
            # max(z, 0) - z*y + log(1 + exp(-|z|)): finite for every finite z
            return float(np.sum(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))) / n)
        if self.name == "softmax":
            shifted = z - z.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return float(-np.sum(t * log_p) / n)
        return float(np.mean((z - t) ** 2))

    def grad(self, z, t, out=None):
        """Gradient of the mean loss with respect to the logits, shape of ``z``.

        ``z`` may also hold ``k`` networks' logits stacked, ``(k, n, n_out)``
        (:func:`initlib.train_many`): each is the mean over its own ``n`` samples.
        """
        n = z.shape[-2]
        if self.name == "identity":
            return np.multiply(z - t, 2.0 / (n * z.shape[-1]), out=out)
        p = self.transform(z)
        return np.multiply(p - t, 1.0 / n, out=out)

    def start_backward(self, z, t, compute_loss=True):
        """``(loss, gradient)`` at the logits: where a backward pass starts.

        With ``compute_loss=False`` (the training loop's fast path) the loss is
        not computed: it is ``inf`` if the logits are not finite and 0.0 otherwise.
        """
        if compute_loss:
            loss = self.value(z, t)
        else:
            loss = 0.0 if np.isfinite(z).all() else np.inf
        return loss, self.grad(z, t)

    # -- checked entry point ----------------------------------------------
    def __call__(self, logits, y):
        z = _logits(logits)
        return self.value(z, self.targets(y, z.shape[0], z.shape[1]))

    def __repr__(self):
        return f"Loss({self.loss_name!r}, output={self.name!r})"


LOSSES = {
    "sigmoid": Loss("sigmoid", "binary_cross_entropy"),
    "softmax": Loss("softmax", "softmax_cross_entropy"),
    "identity": Loss("identity", "mean_squared_error"),
}
LOSSES["linear"] = LOSSES["identity"]
"""Losses keyed by the output activation they belong to."""


def get(output):
    """Resolve the :class:`Loss` for an output name: ``"sigmoid"``, ``"softmax"`` or ``"identity"``."""
    if isinstance(output, Loss):
        return output
    check_choice(output, "output", LOSSES)
    return LOSSES[output]
