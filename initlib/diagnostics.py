r"""Numbers that describe a network or a training run, per layer.

Diagnostics return data (small classes with numpy arrays and a readable
``repr``); :mod:`initlib.plots` draws them. Nothing here draws.

- :func:`activation_stats`: mean and std of each layer's activations, and the
  fraction of saturated (sigmoid, tanh) or dead (ReLU) units.
- :func:`gradient_stats`: size of each layer's weight gradient and of the
  backpropagated signal :math:`\partial L/\partial z_l`.
- :func:`symmetry`: how many distinct units each hidden layer has.
- :func:`block_stats`: std of the residual stream and of each branch of a
  :class:`~initlib.ResidualMLP`, block by block.

Every function takes any initlib network (the protocol of :mod:`initlib.network`).

Used in: every chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_nonnegative_float, check_positive_float
from .activations import SATURATION_THRESHOLD, dead_fraction, saturated_fraction
from .mlp import MLP
from .network import check_network
from .residual import ResidualMLP

__all__ = [
    "LayerStats",
    "GradientStats",
    "Symmetry",
    "activation_stats",
    "gradient_stats",
    "symmetry",
    "BlockStats",
    "block_stats",
    "saturated_fraction",
    "dead_fraction",
]

def _check_net(net):
    check_network(net)


def _fmt_row(values, digits=3):
    return "[" + ", ".join("nan" if not np.isfinite(v) else f"{v:.{digits}g}" for v in values) + "]"


class LayerStats:
    """Per-layer activation statistics; every array has one entry per layer.

    Attributes
    ----------
    mean, std : ndarray
        Mean and standard deviation of ``a[l]`` over samples and units.
    saturated : ndarray
        Fraction of saturated entries (sigmoid or tanh hidden layers; else NaN).
    dead : ndarray
        Fraction of dead entries, ``z <= 0`` (ReLU-like hidden layers; else NaN).
    hidden : ndarray of bool
        True for hidden layers, False for the output layer.
    activation : str
        The hidden activation's name.
    """

    def __init__(self, mean, std, saturated, dead, hidden, activation):
        self.mean = np.asarray(mean, dtype=float)
        self.std = np.asarray(std, dtype=float)
        self.saturated = np.asarray(saturated, dtype=float)
        self.dead = np.asarray(dead, dtype=float)
        self.hidden = np.asarray(hidden, dtype=bool)
        self.activation = activation

    def __len__(self):
        return len(self.std)

    def __repr__(self):
        lines = [f"LayerStats({self.activation}, {len(self)} layers)", f"  mean      {_fmt_row(self.mean)}", f"  std       {_fmt_row(self.std)}"]
        if np.any(np.isfinite(self.saturated)):
            lines.append(f"  saturated {_fmt_row(self.saturated)}")
        if np.any(np.isfinite(self.dead)):
            lines.append(f"  dead      {_fmt_row(self.dead)}")
        return "\n".join(lines)


def activation_stats(net, X=None):
    """Per-layer statistics of the activations of ``net``.

    Parameters
    ----------
    net : MLP or ResidualMLP
    X : ndarray of shape (n_samples, sizes[0]), optional
        Run :meth:`MLP.forward` on ``X`` first; without it, the arrays of the
        last forward pass are used.

    Returns
    -------
    LayerStats

    Examples
    --------
    >>> net = MLP([500] * 4 + [1], activation="tanh", init="normal", scale=0.01)
    >>> X = np.random.default_rng(0).standard_normal((200, 500))
    >>> s = activation_stats(net, X)
    >>> s.std.round(3)[:3]
    array([0.214, 0.048, 0.011])
    """
    _check_net(net)
    if X is not None:
        net.forward(X)
    if net.a[0] is None:
        raise ValueError("activation_stats needs activations: pass X or call net.forward(X) first")
    name = net.activation.name
    kind = net.activation.saturates
    mean, std, sat, dead, hidden = [], [], [], [], []
    n_act = len(net.a)
    for l in range(n_act):
        a, z = net.a[l], net.zn[l]
        is_hidden = l < n_act - 1
        mean.append(a.mean())
        std.append(a.std())
        sat.append(saturated_fraction(a, name) if is_hidden and kind == "saturated" else np.nan)
        dead.append(dead_fraction(z) if is_hidden and kind == "dead" else np.nan)
        hidden.append(is_hidden)
    return LayerStats(mean, std, sat, dead, hidden, name)


class GradientStats:
    """Per-layer gradient statistics; every array has one entry per layer.

    Attributes
    ----------
    weight_std, weight_norm : ndarray
        Std and Frobenius norm of ``dW[l]``.
    signal_std : ndarray
        Std of the backpropagated signal ``dz[l]`` times ``n_samples``
        (the per-sample gradient, independent of the batch size).
    """

    def __init__(self, weight_std, weight_norm, signal_std):
        self.weight_std = np.asarray(weight_std, dtype=float)
        self.weight_norm = np.asarray(weight_norm, dtype=float)
        self.signal_std = np.asarray(signal_std, dtype=float)

    def __len__(self):
        return len(self.weight_std)

    def __repr__(self):
        return "\n".join(
            [
                f"GradientStats({len(self)} layers)",
                f"  |dW|      {_fmt_row(self.weight_norm)}",
                f"  std(dW)   {_fmt_row(self.weight_std)}",
                f"  std(dz)*n {_fmt_row(self.signal_std)}",
            ]
        )


def gradient_stats(net, X=None, y=None):
    r"""Per-layer size of the gradients of ``net``.

    Parameters
    ----------
    net : MLP or ResidualMLP
    X, y : ndarray, optional
        Run :meth:`MLP.loss_and_grad` on them first; without them, the
        gradients of the last backward pass are used.

    Returns
    -------
    GradientStats

    Notes
    -----
    Gradients vanish towards the input when
    :math:`\mathrm{Var}(\partial L/\partial z_{l-1}) < \mathrm{Var}(\partial L/\partial z_l)`
    layer after layer, as happens for saturated units or too small weights.
    """
    _check_net(net)
    if (X is None) != (y is None):
        raise ValueError("pass X and y together (or neither, to use the last backward pass)")
    if X is not None:
        net.loss_and_grad(X, y)
    if net.dz[0] is None:
        raise ValueError("gradient_stats needs gradients: pass X and y or call net.loss_and_grad(X, y) first")
    n = net.dz[0].shape[0]
    return GradientStats(
        [g.std() for g in net.dW],
        [np.linalg.norm(g) for g in net.dW],
        [d.std() * n for d in net.dz],
    )


class Symmetry:
    """How many distinct units each hidden layer of a network has.

    Attributes
    ----------
    distinct_units : list of int
        Per hidden layer, the number of groups of units whose incoming
        weights and bias agree within the tolerance.
    n_units : list of int
        Per hidden layer, the layer's width.
    max_difference : ndarray
        Per hidden layer, the largest difference between two units' incoming
        weights or biases (0 for a perfectly symmetric layer).
    spread : ndarray
        Per hidden layer, the standard deviation across units of each incoming
        weight, averaged over the inputs: a size for how far apart the units are.
    tol : float
    """

    def __init__(self, distinct_units, n_units, max_difference, spread, tol):
        self.distinct_units = list(distinct_units)
        self.n_units = list(n_units)
        self.max_difference = np.asarray(max_difference, dtype=float)
        self.spread = np.asarray(spread, dtype=float)
        self.tol = tol

    @property
    def is_symmetric(self):
        """True if every hidden layer behaves as a single unit."""
        return all(d == 1 for d in self.distinct_units)

    def __repr__(self):
        layers = ", ".join(f"{d}/{n}" for d, n in zip(self.distinct_units, self.n_units))
        return f"Symmetry(distinct units per hidden layer: {layers}; max difference {_fmt_row(self.max_difference)})"


def _count_groups(U, tol):
    """Greedy count of groups of rows of U that lie within ``tol`` (max-abs) of a representative."""
    reps = np.empty((0, U.shape[1]))
    for row in U:
        if reps.shape[0] == 0 or np.min(np.max(np.abs(reps - row), axis=1)) > tol:
            reps = np.vstack([reps, row])
    return reps.shape[0]


def symmetry(net, tol=1e-6):
    """Measure the symmetry of each hidden layer of ``net``.

    Two units are "the same" when their incoming weights and biases differ by
    at most ``tol * (1 + m)`` in every entry, where ``m`` is the layer's
    largest absolute weight. Identical units compute identical activations,
    receive identical gradients and, under gradient descent, stay identical.

    Parameters
    ----------
    net : MLP or ResidualMLP
    tol : float, default 1e-6
        Relative tolerance, >= 0.

    Returns
    -------
    Symmetry

    Examples
    --------
    >>> symmetry(MLP([2, 10, 5, 1], init="zeros")).distinct_units
    [1, 1]
    >>> symmetry(MLP([2, 10, 5, 1], init="he_normal")).distinct_units
    [10, 5]
    """
    _check_net(net)
    tol = check_nonnegative_float(tol, "tol")
    distinct, widths, max_diff, spread = [], [], [], []
    for l in range(net.n_layers - 1):
        U = np.vstack([net.W[l], net.b[l][None, :]]).T  # one row per unit: incoming weights, bias
        scale = 1.0 + np.max(np.abs(U))
        distinct.append(_count_groups(U, tol * scale))
        widths.append(U.shape[0])
        max_diff.append(np.max(U.max(axis=0) - U.min(axis=0)))
        spread.append(np.mean(U.std(axis=0)))
    return Symmetry(distinct, widths, max_diff, spread, tol)


class BlockStats:
    r"""Per-block statistics of a :class:`~initlib.ResidualMLP`'s residual stream.

    Attributes
    ----------
    stream_std : ndarray of shape (n_blocks + 1,)
        :math:`\mathrm{std}(h_l)` over samples and units, for ``h_0 ... h_L``.
    branch_std : ndarray of shape (n_blocks,)
        :math:`\mathrm{std}(r_l)`, each branch's output before its scale :math:`\alpha_l`.
    alpha : ndarray of shape (n_blocks,)
        The scales :math:`\alpha_l` at the time of the pass.
    stream_grad_std : ndarray of shape (n_blocks + 1,) or None
        :math:`\mathrm{std}(\partial L/\partial h_l)` times ``n_samples``
        (the per-sample gradient), if labels were given.
    """

    def __init__(self, stream_std, branch_std, alpha, stream_grad_std=None):
        self.stream_std = np.asarray(stream_std, dtype=float)
        self.branch_std = np.asarray(branch_std, dtype=float)
        self.alpha = np.asarray(alpha, dtype=float)
        self.stream_grad_std = None if stream_grad_std is None else np.asarray(stream_grad_std, dtype=float)

    @property
    def ratio(self):
        r""":math:`\mathrm{std}(h_l) / \mathrm{std}(h_0)` for every ``l`` (NaN if ``h_0`` is constant)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.stream_std / self.stream_std[0] if self.stream_std[0] > 0 else np.full_like(self.stream_std, np.nan)

    @property
    def update_ratio(self):
        r""":math:`\alpha_l\,\mathrm{std}(r_l) / \mathrm{std}(h_l)`: how much block ``l`` adds to the stream it receives."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.abs(self.alpha) * self.branch_std / self.stream_std[:-1]

    def __len__(self):
        return len(self.branch_std)

    def __repr__(self):
        lines = [
            f"BlockStats({len(self)} blocks)",
            f"  std(stream) {_fmt_row(self.stream_std)}",
            f"  std(branch) {_fmt_row(self.branch_std)}",
        ]
        if self.stream_grad_std is not None:
            lines.append(f"  std(dL/dh)*n {_fmt_row(self.stream_grad_std)}")
        return "\n".join(lines)


def block_stats(net, X=None, y=None):
    r"""Std of the residual stream and of every branch of a :class:`~initlib.ResidualMLP`, block by block.

    Parameters
    ----------
    net : ResidualMLP
    X : ndarray of shape (n_samples, n_in), optional
        Run a training-mode forward pass on ``X`` first; without it, the
        arrays of the last forward pass are used.
    y : ndarray, optional
        With ``X``, also backpropagate and report the gradient in the stream.

    Returns
    -------
    BlockStats

    Notes
    -----
    Block :math:`l` adds :math:`\alpha_l r_l` to the stream; with He-normal
    ReLU branches :math:`\mathrm{std}(r_l) \approx \sqrt 2\,\mathrm{std}(h_l)`,
    so ``stream_std`` grows by :math:`\sqrt{1 + 2\alpha^2}` per block.

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((512, 2))
    >>> s = block_stats(ResidualMLP(2, 64, 10, branch_scale=1 / np.sqrt(10)), X)
    >>> round(float(s.ratio[-1]), 2)
    2.58
    """
    if not isinstance(net, ResidualMLP):
        raise TypeError(f"net must be an initlib.ResidualMLP (block_stats needs residual blocks), got {type(net).__name__}")
    if y is not None and X is None:
        raise ValueError("y needs X: pass X and y together (or X alone, or neither)")
    if y is not None:
        net.loss_and_grad(X, y)
    elif X is not None:
        net.forward(X)
    if net.stream[0] is None:
        raise ValueError("block_stats needs a forward pass: pass X or call net.forward(X) first")
    grad = None
    if y is not None:
        n = net.X.shape[0]
        grad = [g.std() * n for g in net.dstream]
    return BlockStats([h.std() for h in net.stream], [r.std() for r in net.branch], net.alpha.copy(), grad)
