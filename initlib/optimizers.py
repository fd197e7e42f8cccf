r"""Gradient-descent update rules, applied in place to a network's parameter arrays.

Each optimizer holds the arrays of ``net.parameters()`` (weights, biases,
normalization ``gamma`` and ``beta``, learned residual scales) and their
gradient arrays, and :meth:`step` updates every parameter from the gradients
the last backward pass left there, without allocating per step.

- ``"sgd"``: :math:`W \leftarrow W - \eta\,\nabla L`.
- ``"momentum"`` (heavy ball): :math:`v \leftarrow \mu v - \eta\,\nabla L,\; W \leftarrow W + v`.
- ``"adam"`` (Kingma and Ba, 2015), with step count :math:`t`:

  .. math::
      m \leftarrow \beta_1 m + (1-\beta_1)\nabla L, \quad
      v \leftarrow \beta_2 v + (1-\beta_2)(\nabla L)^2, \quad
      W \leftarrow W - \eta\,\frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \epsilon}.

  The bias corrections make the first step :math:`\eta\, g / (|g| + \epsilon)`:
  about :math:`\eta` per weight, whatever the size of the gradient.

Used in: :func:`initlib.train`, hence every chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_nonnegative_float, check_positive_float

__all__ = ["OPTIMIZERS", "SGD", "Momentum", "Adam", "check_settings", "make"]


class _Optimizer:
    name = None

    def __init__(self, params, grads, lr):
        self.params, self.grads, self.lr = list(params), list(grads), lr
        self._scratch = [np.empty_like(p) for p in self.params]

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g}, {len(self.params)} arrays)"


class SGD(_Optimizer):
    """Plain gradient descent."""

    name = "sgd"

    def step(self):
        """Update every parameter in place from its gradient."""
        lr = self.lr
        for p, g, s in zip(self.params, self.grads, self._scratch):
            p -= np.multiply(g, lr, out=s)  # preallocated: no temporary per step


class Momentum(_Optimizer):
    """Heavy-ball momentum with coefficient ``momentum`` in [0, 1)."""

    name = "momentum"

    def __init__(self, params, grads, lr, momentum=0.9):
        super().__init__(params, grads, lr)
        self.momentum = momentum
        self.velocity = [np.zeros_like(p) for p in self.params]

    def step(self):
        """Update every parameter and its velocity in place."""
        lr, mu = self.lr, self.momentum
        for p, g, v, s in zip(self.params, self.grads, self.velocity, self._scratch):
            v *= mu
            v -= np.multiply(g, lr, out=s)
            p += v


class Adam(_Optimizer):
    """Adam with bias correction; ``betas`` = (beta1, beta2)."""

    name = "adam"

    def __init__(self, params, grads, lr, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, grads, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.first = [np.zeros_like(p) for p in self.params]
        self.second = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self):
        """Update every parameter and both moment estimates in place."""
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        for p, g, m, v, s in zip(self.params, self.grads, self.first, self.second, self._scratch):
            m *= b1
            m += np.multiply(g, 1.0 - b1, out=s)
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1.0 - b2
            v += s
            np.divide(v, c2, out=s)
            np.sqrt(s, out=s)
            s += self.eps
            np.divide(m, s, out=s)
            s *= self.lr / c1
            p -= s


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Optimizers keyed by the name :func:`initlib.train` takes."""


def check_settings(name, momentum=0.9, betas=(0.9, 0.999), eps=1e-8):
    """Check the optimizer's name and every setting; return the settings ``name`` uses.

    ``momentum`` must be >= 0 (and < 1 for ``"momentum"``), ``betas`` a pair
    in [0, 1) and ``eps`` > 0, whichever optimizer is chosen. The result holds
    ``momentum`` always, and ``betas`` and ``eps`` for ``"adam"``.

    Examples
    --------
    >>> check_settings("adam")
    {'momentum': 0.9, 'betas': (0.9, 0.999), 'eps': 1e-08}
    """
    check_choice(name, "optimizer", OPTIMIZERS)
    mu = check_nonnegative_float(momentum, "momentum")
    if name == "momentum" and mu >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {mu}")
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas must be a pair of floats (beta1, beta2) such as (0.9, 0.999), got {betas!r}")
    betas = tuple(check_nonnegative_float(b, f"betas[{i}]") for i, b in enumerate(betas))
    for i, b in enumerate(betas):
        if b >= 1:
            raise ValueError(f"betas[{i}] must be in [0, 1), got {b}")
    eps = check_positive_float(eps, "eps")
    return {"momentum": mu, "betas": betas, "eps": eps} if name == "adam" else {"momentum": mu}


def make(name, net, lr, *, momentum=0.9, betas=(0.9, 0.999), eps=1e-8):
    """The optimizer ``name`` over every array of ``net.parameters()``.

    Examples
    --------
    >>> import initlib as il
    >>> make("adam", il.MLP([2, 3, 1]), lr=0.01)
    Adam(lr=0.01, 4 arrays)
    """
    settings = check_settings(name, momentum, betas, eps)
    named = net.parameters()
    params, grads = [p for _, p, _ in named], [g for _, _, g in named]
    if name == "momentum":
        return Momentum(params, grads, lr, settings["momentum"])
    if name == "adam":
        return Adam(params, grads, lr, settings["betas"], settings["eps"])
    return SGD(params, grads, lr)
