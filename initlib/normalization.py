r"""Batch and layer normalization of a layer's pre-activations, forward and backward.

Both normalize the pre-activation :math:`z` of shape ``(n_samples, width)``
and then scale and shift it with learned vectors :math:`\gamma` (starts at 1)
and :math:`\beta` (starts at 0):

.. math::
    \hat z = \frac{z - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
    \mathrm{out} = \gamma \odot \hat z + \beta .

- **Batch normalization** (Ioffe and Szegedy, 2015) takes :math:`\mu` and
  :math:`\sigma^2` per unit over the samples of the batch (axis 0) while
  training, and keeps exponential running averages of them
  (:math:`\mu_\text{run} \leftarrow (1-m)\mu_\text{run} + m\mu`, the unbiased
  batch variance likewise, :math:`m` = ``momentum`` = 0.1, as PyTorch) that
  replace them in evaluation mode.
- **Layer normalization** (Ba, Kiros and Hinton, 2016) takes them per sample
  over the units (axis 1); training and evaluation are the same.

With :math:`\epsilon = 0` the output does not change when :math:`z` is
multiplied by any positive constant, hence also when the layer's incoming
weights and bias are; the default :math:`\epsilon = 10^{-5}` (PyTorch's)
breaks this only by a relative :math:`\epsilon/\sigma^2`.

The backward pass, from :math:`g = \partial L/\partial\,\mathrm{out}`:

.. math::
    \frac{\partial L}{\partial\gamma} = \sum g \odot \hat z, \quad
    \frac{\partial L}{\partial\beta} = \sum g, \quad
    \frac{\partial L}{\partial z} = \frac{1}{\sqrt{\sigma^2+\epsilon}}
    \left(\hat g - \overline{\hat g} - \hat z\,\overline{\hat g \odot \hat z}\right),
    \quad \hat g = \gamma \odot g,

the sums over the samples (both kinds: :math:`\gamma` and :math:`\beta` are
per unit) and the means :math:`\overline{\,\cdot\,}` over the normalization
axis.

Networks hold one object per normalized layer (``MLP.norms``,
``ResidualMLP.norms1`` and ``norms2``); see :mod:`initlib.network`.

Used in: the normalization and data-dependent initialization chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_choice, check_finite_float, check_nonnegative_float, check_positive_int

__all__ = ["BatchNorm", "LayerNorm", "NORMS", "make", "make_layers"]


class _Norm:
    """Shared code of :class:`BatchNorm` and :class:`LayerNorm`; ``axis`` is the axis of the statistics."""

    kind = None
    axis = None

    def __init__(self, width, eps=1e-5, gamma=1.0):
        self.width = check_positive_int(width, "width")
        self.eps = check_nonnegative_float(eps, "eps")
        self.gamma = np.full(self.width, check_finite_float(gamma, "gamma"))
        self.beta = np.zeros(self.width)
        self.dgamma = np.zeros(self.width)
        self.dbeta = np.zeros(self.width)
        self.z_hat = None
        self.inv_std = None

    def _normalize(self, z, mean, var, store):
        if self.eps == 0 and np.any(var == 0):
            raise ValueError(
                f"{self.kind} normalization with eps=0 met a constant pre-activation (variance 0); "
                "use eps > 0 (the default is 1e-5)"
            )
        inv_std = 1.0 / np.sqrt(var + self.eps)
        z_hat = (z - mean) * inv_std
        if store:
            self.z_hat, self.inv_std = z_hat, inv_std
        return z_hat * self.gamma + self.beta

    def backward(self, g):
        r"""Gradient in the input ``z`` of the last training-mode :meth:`forward`, from ``g`` = dL/d(out).

        Fills ``dgamma`` and ``dbeta``.
        """
        if self.z_hat is None:
            raise ValueError("backward needs a training-mode forward pass first")
        z_hat = self.z_hat
        np.sum(g * z_hat, axis=0, out=self.dgamma)
        np.sum(g, axis=0, out=self.dbeta)
        gh = g * self.gamma
        ax = self.axis
        dz = gh - gh.mean(axis=ax, keepdims=True)
        dz -= z_hat * (gh * z_hat).mean(axis=ax, keepdims=True)
        dz *= self.inv_std
        return dz

    def parameters(self):
        """``[(gamma, dgamma), (beta, dbeta)]``: the learned arrays and their gradients."""
        return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]

    def update_running_stats(self):
        """Fold the statistics of the last training batch into the running averages (batch norm only)."""

    def copy(self):
        """An independent copy (parameters and running statistics; no cached arrays)."""
        new = type(self).__new__(type(self))
        new.__dict__.update({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()})
        new.z_hat = new.inv_std = None
        return new


class BatchNorm(_Norm):
    r"""Batch normalization of a ``(n_samples, width)`` pre-activation, per unit over the samples.

    Parameters
    ----------
    width : int
        Number of units.
    eps : float, default 1e-5
        Added to the variance.
    momentum : float, default 0.1
        Weight of the newest batch in the running averages.
    gamma : float, default 1.0
        Initial value of every entry of ``gamma`` (0 for the zero-gamma trick).

    Attributes
    ----------
    gamma, beta, dgamma, dbeta : ndarray of shape (width,)
    running_mean, running_var : ndarray of shape (width,)
        Start at 0 and 1; used in evaluation mode.
    batch_mean, batch_var : ndarray of shape (width,) or None
        Statistics of the last training batch (``batch_var`` unbiased).

    Examples
    --------
    >>> bn = BatchNorm(3)
    >>> z = np.arange(12.0).reshape(4, 3)
    >>> out = bn.forward(z, training=True)
    >>> out.mean(axis=0).round(12), out.std(axis=0).round(4)
    (array([0., 0., 0.]), array([1., 1., 1.]))
    """

    kind = "batch"
    axis = 0

    def __init__(self, width, eps=1e-5, momentum=0.1, gamma=1.0):
        super().__init__(width, eps, gamma)
        self.momentum = check_nonnegative_float(momentum, "momentum")
        if self.momentum > 1:
            raise ValueError(f"momentum must be in [0, 1], got {self.momentum}")
        self.running_mean = np.zeros(self.width)
        self.running_var = np.ones(self.width)
        self.batch_mean = self.batch_var = None

    def forward(self, z, training=True):
        """Normalize ``z`` with the batch statistics (``training``) or the running averages."""
        if not training:
            return self._normalize(z, self.running_mean, self.running_var, store=False)
        n = z.shape[0]
        if n < 2:
            raise ValueError(
                f"batch normalization needs at least 2 samples per batch in training mode, got a batch of {n}: "
                "a single sample has no batch variance (evaluate it with predict/evaluate, which use the "
                "running averages, or use norm='layer')"
            )
        mean = z.mean(axis=0)
        var = z.var(axis=0)
        self.batch_mean, self.batch_var = mean, var * (n / (n - 1))
        return self._normalize(z, mean, var, store=True)

    def update_running_stats(self):
        if self.batch_mean is None:
            return
        m = self.momentum
        self.running_mean *= 1.0 - m
        self.running_mean += m * self.batch_mean
        self.running_var *= 1.0 - m
        self.running_var += m * self.batch_var

    def copy(self):
        new = super().copy()
        new.batch_mean = new.batch_var = None
        return new

    def __repr__(self):
        return f"BatchNorm({self.width}, eps={self.eps:g}, momentum={self.momentum:g})"


class LayerNorm(_Norm):
    r"""Layer normalization of a ``(n_samples, width)`` pre-activation, per sample over the units.

    Parameters
    ----------
    width : int
    eps : float, default 1e-5
    momentum : float, optional
        Ignored (no running statistics); accepted so both kinds are built alike.
    gamma : float, default 1.0

    Examples
    --------
    >>> ln = LayerNorm(4)
    >>> out = ln.forward(np.array([[1.0, 2.0, 3.0, 4.0]]))
    >>> float(out.mean().round(12)), float(out.std().round(4))
    (0.0, 1.0)
    """

    kind = "layer"
    axis = 1

    def __init__(self, width, eps=1e-5, momentum=None, gamma=1.0):
        super().__init__(width, eps, gamma)

    def forward(self, z, training=True):
        """Normalize each row of ``z`` (the same in training and evaluation)."""
        mean = z.mean(axis=1, keepdims=True)
        var = z.var(axis=1, keepdims=True)
        return self._normalize(z, mean, var, store=training)

    def __repr__(self):
        return f"LayerNorm({self.width}, eps={self.eps:g})"


NORMS = {"batch": BatchNorm, "layer": LayerNorm}
"""Normalization layers keyed by the name the networks' ``norm`` argument takes."""


def check_norm(norm):
    """Return ``norm`` if it is None, "batch" or "layer"; else raise with the valid names."""
    if norm is None:
        return None
    if not isinstance(norm, str):
        raise TypeError(f"norm must be None, 'batch' or 'layer'; got {type(norm).__name__}")
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}; valid: None, {', '.join(sorted(NORMS))}")
    return norm


def make_layers(norm, widths, norm_eps=1e-5, norm_momentum=0.1, gamma=1.0):
    """One normalization layer per width, from a network's ``norm``, ``norm_eps`` and ``norm_momentum`` arguments.

    Examples
    --------
    >>> make_layers("batch", [4, 3])
    [BatchNorm(4, eps=1e-05, momentum=0.1), BatchNorm(3, eps=1e-05, momentum=0.1)]
    """
    eps = check_nonnegative_float(norm_eps, "norm_eps")
    momentum = check_nonnegative_float(norm_momentum, "norm_momentum")
    if momentum > 1:
        raise ValueError(f"norm_momentum must be in [0, 1], got {momentum}")
    return [make(norm, w, eps, momentum, gamma) for w in widths]


def make(norm, width, eps=1e-5, momentum=0.1, gamma=1.0):
    """Build the normalization layer named ``norm`` ("batch" or "layer") for ``width`` units.

    Examples
    --------
    >>> make("layer", 5)
    LayerNorm(5, eps=1e-05)
    """
    check_choice(norm, "norm", NORMS)
    return NORMS[norm](width, eps=eps, momentum=momentum, gamma=gamma)
