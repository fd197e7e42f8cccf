r"""Deep linear networks: the end-to-end map, and gradient descent on it with whitened inputs.

A network of :math:`L` linear layers without biases computes
:math:`x \mapsto x P` with the end-to-end map :math:`P = W_0 W_1 \cdots W_{L-1}`
(initlib's layout, :math:`z = a W`). It can only represent a linear map, yet its
learning dynamics are nonlinear and depend on depth and initialization, which
makes it the model in which Saxe, McClelland & Ganguli (2014) solved them
exactly. With whitened inputs (:math:`X^\top X / n = I`) and targets
:math:`Y = X M`, the mean squared error is a function of :math:`P` alone,

.. math:: \mathcal{L} = \frac{1}{2n} \lVert X P - Y \rVert_F^2 = \tfrac12 \lVert P - M \rVert_F^2,
          \qquad \frac{\partial \mathcal{L}}{\partial W_l}
          = (W_0 \cdots W_{l-1})^\top (P - M)\, (W_{l+1} \cdots W_{L-1})^\top,

so a step of full-batch gradient descent costs :math:`3L` products of
``width x width`` matrices, whatever the number of samples. :func:`fit_linear_map`
runs it on the weights of an :class:`~initlib.mlp.MLP` with identity
activations; the result is the same as :func:`initlib.train` on whitened data
with the learning rate rescaled (a test checks it), only much faster.

Used in: the orthogonal chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_rng, check_array, check_positive_float, check_positive_int
from .init import orthogonal
from .mlp import MLP

__all__ = ["end_to_end", "linear_target", "fit_linear_map", "LinearFit"]


def _weights(net):
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an initlib.MLP with activation='identity', got {type(net).__name__}")
    if net.activation.name != "identity" or net.loss.name != "identity":
        raise ValueError(
            f"net must be a linear network, MLP(..., activation='identity', output='identity'); "
            f"got activation={net.activation.name!r}, output={net.loss.name!r}"
        )
    if any(np.any(b != 0) for b in net.b):
        raise ValueError("net must have zero biases (bias_init=0): a deep linear network here has none")
    return net.W


def end_to_end(net):
    r"""The end-to-end map :math:`P = W_0 W_1 \cdots W_{L-1}` of a linear network.

    Parameters
    ----------
    net : MLP
        With ``activation="identity"``, ``output="identity"`` and zero biases.

    Returns
    -------
    ndarray of shape (sizes[0], sizes[-1])

    Examples
    --------
    >>> net = MLP([3, 5, 2], activation="identity", output="identity", seed=0)
    >>> bool(np.allclose(net.logits(np.eye(3)), end_to_end(net)))
    True
    """
    W = _weights(net)
    P = W[0]
    for w in W[1:]:
        P = P @ w
    return np.array(P)


def linear_target(singular_values, *, seed=None, rng=None):
    r"""A square target map :math:`M = U \operatorname{diag}(s) V^\top` with Haar-random :math:`U, V`.

    Parameters
    ----------
    singular_values : array_like of shape (n,)
        The singular values :math:`s` of :math:`M`, all > 0.
    seed, rng
        Source of randomness for :math:`U` and :math:`V`.

    Returns
    -------
    ndarray of shape (n, n)

    Examples
    --------
    >>> M = linear_target([3.0, 1.0, 0.1], seed=0)
    >>> np.linalg.svd(M, compute_uv=False).round(6)
    array([3. , 1. , 0.1])
    """
    s = check_array(singular_values, "singular_values", ndim=1)
    if s.size == 0 or np.any(s <= 0):
        raise ValueError(f"singular_values must be a non-empty array of numbers > 0, got {s}")
    rng = as_rng(rng, seed)
    n = s.size
    U, V = orthogonal(n, n, rng=rng), orthogonal(n, n, rng=rng)
    return (U * s) @ V.T


class LinearFit:
    """What :func:`fit_linear_map` recorded.

    Attributes
    ----------
    step : ndarray of int
        Steps at which the loss was recorded (0 is before training).
    relative_loss : ndarray
        :math:`\\lVert P - M \\rVert_F^2 / \\lVert M \\rVert_F^2` at those steps:
        1 for :math:`P = 0`, 0 for a perfect fit.
    diverged_step : int or None
        The step at which the loss became NaN or infinite: training stopped
        there, and the last ``relative_loss`` is ``inf``.
    depth, lr : int, float
    """

    def __init__(self, step, relative_loss, diverged_step, depth, lr):
        self.step = np.asarray(step, dtype=int)
        self.relative_loss = np.asarray(relative_loss, dtype=float)
        self.diverged_step = diverged_step
        self.depth = depth
        self.lr = lr

    @property
    def final(self):
        """The last recorded relative loss (``inf`` after a divergence)."""
        return float(self.relative_loss[-1])

    def steps_to(self, threshold):
        """The first recorded step with relative loss below ``threshold``, or None."""
        below = np.flatnonzero(self.relative_loss < threshold)
        return int(self.step[below[0]]) if below.size else None

    def __repr__(self):
        end = f"diverged at step {self.diverged_step}" if self.diverged_step is not None else f"relative loss {self.final:.3g}"
        return f"LinearFit(depth={self.depth}, lr={self.lr:g}, {int(self.step[-1])} steps, {end})"


def fit_linear_map(net, target, *, lr, steps, record_every=10):
    r"""Full-batch gradient descent of a linear network on :math:`\tfrac12\lVert P - M\rVert_F^2`, in place.

    The loss is the mean squared error on whitened inputs (see the module
    docstring). Every layer takes the step
    :math:`W_l \leftarrow W_l - \eta\, \partial\mathcal{L}/\partial W_l`; the
    biases stay 0 (their gradient is 0 for centred inputs).

    Parameters
    ----------
    net : MLP
        A linear network (``activation="identity"``, ``output="identity"``,
        zero biases) with ``sizes[0] == sizes[-1] == len(target)``; trained in place.
    target : ndarray of shape (sizes[0], sizes[-1])
        The map :math:`M` to learn, e.g. from :func:`linear_target`.
    lr : float
        Learning rate :math:`\eta`, > 0.
    steps : int
    record_every : int, default 10

    Returns
    -------
    LinearFit

    References
    ----------
    Saxe, McClelland & Ganguli 2014, "Exact solutions to the nonlinear
    dynamics of learning in deep linear neural networks", ICLR.

    Examples
    --------
    >>> net = MLP([4] * 5, activation="identity", output="identity", init="orthogonal", seed=0)
    >>> fit = fit_linear_map(net, linear_target([2.0, 1.0, 0.5, 0.25], seed=1), lr=0.05, steps=300)
    >>> fit.final < 1e-3
    True
    """
    W = _weights(net)
    M = check_array(target, "target", ndim=2)
    if M.shape != (net.sizes[0], net.sizes[-1]):
        raise ValueError(f"target must have shape {(net.sizes[0], net.sizes[-1])} (sizes[0], sizes[-1]), got {M.shape}")
    lr = check_positive_float(lr, "lr")
    steps = check_positive_int(steps, "steps")
    record_every = check_positive_int(record_every, "record_every")
    norm = float(np.sum(M * M))
    if norm == 0:
        raise ValueError("target must not be all zeros: the relative loss divides by its squared norm")
    L = len(W)
    recorded, losses, diverged = [], [], None
    with np.errstate(over="ignore", invalid="ignore"):  # a divergence is recorded, not warned about per product
        for t in range(steps + 1):
            prefix = [W[0]]  # prefix[l] = W_0 ... W_l
            for w in W[1:]:
                prefix.append(prefix[-1] @ w)
            Q = prefix[-1] - M
            loss = float(np.sum(Q * Q)) / norm
            if not np.isfinite(loss):
                diverged = t
                recorded.append(t)
                losses.append(np.inf)
                break
            if t % record_every == 0 or t == steps:
                recorded.append(t)
                losses.append(loss)
            if t == steps:
                break
            for l in range(L - 1, -1, -1):  # here Q = (P - M) (W_{l+1} ... W_{L-1})^T
                grad = Q if l == 0 else prefix[l - 1].T @ Q
                if l > 0:
                    Q = Q @ W[l].T
                W[l] -= lr * grad
    return LinearFit(recorded, losses, diverged, L, lr)
