r"""The input-output Jacobian of a network's logits, and its singular values.

For one input :math:`x` the Jacobian of the logits :math:`z_L` (the last
layer's pre-activations) is a product of one factor per layer. In the
column-vector convention of the papers, with :math:`D_l =
\operatorname{diag} f'(z_l)`,

.. math:: J(x) = \frac{\partial z_{L-1}}{\partial x}
          = W_{L-1}^\top D_{L-2} W_{L-2}^\top \cdots D_0 W_0^\top,

where :math:`W_l^\top` appears because initlib stores ``W[l]`` as
``(fan_in, fan_out)`` for :math:`z = a W + b` (the papers' :math:`W_l`).
Backpropagation multiplies by :math:`J^\top`, so the singular values of
:math:`J` are the factors by which a deep network stretches or crushes each
direction of the gradient. Variance-preserving initialization fixes only their
mean square, :math:`\lVert J \rVert_F^2 / k`; dynamical isometry
(Saxe et al. 2014; Pennington, Schoenholz & Ganguli 2017) asks that all of
them be close to 1.

- :func:`jacobian`: :math:`J(x)` at one input, of shape ``(n_out, n_in)``.
- :func:`jacobians`: the same at every row of ``X``, ``(n_samples, n_out, n_in)``.
- :func:`jacobian_spectrum`: their singular values, in a :class:`JacobianSpectrum`.
- :func:`jacobian_spectra`: the same after each of several depths, in one pass.

Re-exported by :mod:`initlib.diagnostics`. Used in: the orthogonal chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array, check_positive_int
from .mlp import MLP  # noqa: F401  (the examples)
from .network import check_network

__all__ = ["jacobian", "jacobians", "jacobian_spectrum", "jacobian_spectra", "JacobianSpectrum"]

_CHUNK = 64  # samples per batch of Jacobians: 64 x 128 x 128 floats is 8 MB


def _check_net(net):
    check_network(net)
    return net.n_in


def _norm_tangent(layer, z, T):
    """Push tangents ``T`` (n, width, n_in) of ``z`` through a normalization layer in evaluation mode."""
    gamma = layer.gamma[None, :, None]
    if layer.kind == "batch":  # running statistics: a fixed affine map per unit
        return (gamma / np.sqrt(layer.running_var + layer.eps)[None, :, None]) * T
    # layer normalization, per sample: s [(dz - mean dz) - z_hat mean(z_hat dz)], s = 1/sqrt(var + eps)
    s = 1.0 / np.sqrt(z.var(axis=1, keepdims=True) + layer.eps)
    z_hat = ((z - z.mean(axis=1, keepdims=True)) * s)[:, :, None]
    centred = T - T.mean(axis=1, keepdims=True)
    return gamma * s[:, :, None] * (centred - z_hat * (z_hat * T).mean(axis=1, keepdims=True))


def _first(W, n):
    """The tangent of ``X @ W`` for ``n`` samples: ``W.T`` for every sample (a read-only view)."""
    return np.broadcast_to(W.T, (n,) + W.T.shape)


def _mlp_tangents(net, X, stop=None):
    """Yield ``(d, J)``: the Jacobian of the pre-activations of layer ``d`` (1-based), (n, width, n_in).

    Layer ``d`` of an MLP is the output layer of its first ``d`` layers, so ``J``
    is the Jacobian of that network's logits; the last is the whole network's.
    Evaluation mode: batch normalization uses its running averages.
    """
    f, deriv = net.activation.function, net.activation._derivative
    norms = getattr(net, "norms", None) or []
    last = net.n_layers - 1 if stop is None else stop
    a, T = X, None
    for l, (W, b) in enumerate(zip(net.W, net.b)):
        T = _first(W, X.shape[0]) if T is None else np.matmul(W.T, T)  # dz_l/dx = W_l^T da_{l-1}/dx
        yield l + 1, T
        if l == last:
            return
        z = a @ W + b
        zn = z
        if norms:
            zn = norms[l].forward(z, training=False)
            T = _norm_tangent(norms[l], z, T)
        a = f(zn)
        T = np.asarray(deriv(zn, a), dtype=float)[:, :, None] * T  # diag(f'(zn_l)) dzn_l/dx


def _residual_tangents(net, X, stop=None):
    """Yield ``(d, J)``: the Jacobian of the residual stream ``h_d`` after ``d`` blocks, (n, width, n_in),
    then ``(None, J)`` for the logits (unless ``stop`` ends the pass earlier)."""
    f, deriv = net.activation.function, net.activation._derivative
    norm = net.norm is not None
    h = X @ net.W_in + net.b_in
    T = np.array(_first(net.W_in, X.shape[0]))
    for l in range(net.n_blocks):
        z = h @ net.W1[l] + net.b1[l]
        Tz = np.matmul(net.W1[l].T, T)
        zn = net.norms1[l].forward(z, training=False) if norm else z
        if norm:
            Tz = _norm_tangent(net.norms1[l], z, Tz)
        a = f(zn)
        Ta = np.asarray(deriv(zn, a), dtype=float)[:, :, None] * Tz
        z2 = a @ net.W2[l] + net.b2[l]
        Tr = np.matmul(net.W2[l].T, Ta)
        r = net.norms2[l].forward(z2, training=False) if norm else z2
        if norm:
            Tr = _norm_tangent(net.norms2[l], z2, Tr)
        h = h + net.alpha[l] * r
        T = T + net.alpha[l] * Tr  # d h_{l+1}/dx = (I + alpha_l dr_l/dh_l) dh_l/dx
        yield l + 1, T
        if stop is not None and l + 1 == stop:
            return
    yield None, np.matmul(net.W_out.T, T)


def _max_depth(net):
    return net.n_blocks if hasattr(net, "n_blocks") else net.n_layers


def _tangents(net, X, stop=None):
    if hasattr(net, "n_blocks"):
        return _residual_tangents(net, X, stop)
    return _mlp_tangents(net, X, None if stop is None else stop - 1)


def _logit_jacobians(net, X):
    """Jacobians of the logits at the rows of X: (n, n_out, n_in)."""
    for _, J in _tangents(net, X):
        pass
    return np.array(J, dtype=float)


def jacobians(net, X):
    r"""The Jacobian of the logits at every row of ``X``.

    Parameters
    ----------
    net : MLP or ResidualMLP
        Any initlib network, in evaluation mode (batch normalization uses
        its running averages, as :meth:`logits` does).
    X : ndarray of shape (n_samples, n_in)

    Returns
    -------
    ndarray of shape (n_samples, n_out, n_in)
        ``out[i, j, k]`` is :math:`\partial z_{L-1, j} / \partial x_k` at ``X[i]``.

    Examples
    --------
    >>> net = MLP([3, 4, 2], activation="identity", output="identity", seed=0)
    >>> J = jacobians(net, np.zeros((5, 3)))
    >>> J.shape, bool(np.allclose(J[0], (net.W[0] @ net.W[1]).T))
    ((5, 2, 3), True)
    """
    _check_net(net)
    X = net.check_X(X)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    parts = [_logit_jacobians(net, X[i : i + _CHUNK]) for i in range(0, X.shape[0], _CHUNK)]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def jacobian(net, x):
    r"""The input-output Jacobian of the logits at one input ``x``, computed analytically.

    .. math:: J(x) = W_{L-1}^\top D_{L-2} W_{L-2}^\top \cdots D_0 W_0^\top,
              \qquad D_l = \operatorname{diag} f'(z_l(x)),

    so that :math:`z_{L-1}(x + \varepsilon v) = z_{L-1}(x) + \varepsilon J v + O(\varepsilon^2)`.

    For a :class:`~initlib.ResidualMLP` every block contributes the factor
    :math:`I + \alpha_l\, \partial r_l/\partial h_l` (the identity of the skip
    connection plus the branch); a normalization layer contributes its own
    Jacobian (a diagonal scale for batch normalization in evaluation mode, a
    per-sample projection for layer normalization).

    Parameters
    ----------
    net : MLP or ResidualMLP
        Any initlib network, in evaluation mode.
    x : ndarray of shape (n_in,)
        One sample. For many samples use :func:`jacobians` or :func:`jacobian_spectrum`.

    Returns
    -------
    ndarray of shape (n_out, n_in)

    Raises
    ------
    ValueError
        If ``x`` is not 1-d (a batch ``X`` of shape ``(n, n_in)``, even with
        ``n = 1``), or has the wrong length.

    References
    ----------
    Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep
    learning through dynamical isometry", NeurIPS, equation 2.

    Examples
    --------
    >>> net = MLP([2, 8, 8, 1], activation="tanh", seed=0)
    >>> jacobian(net, np.array([0.5, -1.0])).shape
    (1, 2)
    """
    n_in = _check_net(net)
    if np.ndim(x) != 1:
        raise ValueError(
            f"x must be one sample, a 1-d array of shape ({n_in},), got shape {np.shape(x)}; "
            "for a batch use jacobians(net, X) or jacobian_spectrum(net, X)"
        )
    x = check_array(x, "x", ndim=1)
    if x.shape[0] != n_in:
        raise ValueError(f"x has {x.shape[0]} entries but the network expects {n_in}; x must have shape ({n_in},)")
    return jacobians(net, x[None, :])[0]


class JacobianSpectrum:
    r"""Singular values of the input-output Jacobian at each of ``n_samples`` inputs.

    A singular value at or below ``floor`` (numpy's ``matrix_rank`` tolerance,
    :math:`s_{\max} \max(n_{out}, n_{in})\,\epsilon`, per sample) is counted
    as zero: exactly zero in exact arithmetic (a ReLU unit that is off), or too
    small for float64 to resolve next to the largest one (deep Gaussian products).

    Attributes
    ----------
    singular_values : ndarray of shape (n_samples, k)
        Per sample, in decreasing order; ``k = min(n_out, n_in)``.
    floor : ndarray of shape (n_samples,)
    depth : int or None
        Number of weight layers of the network, for the ``repr``.
    """

    def __init__(self, singular_values, floor, depth=None):
        self.singular_values = np.asarray(singular_values, dtype=float)
        self.floor = np.asarray(floor, dtype=float)
        self.depth = depth

    @property
    def zero(self):
        """Boolean mask, like ``singular_values``: numerically zero."""
        return self.singular_values <= self.floor[:, None]

    @property
    def zero_fraction(self):
        """Fraction of the singular values that are numerically zero."""
        return float(np.mean(self.zero))

    @property
    def log10(self):
        """:math:`\\log_{10}` of the nonzero singular values, flattened over samples."""
        return np.log10(self.singular_values[~self.zero])

    @property
    def median(self):
        """Median singular value, the numerically zero ones counted as 0."""
        return float(np.median(np.where(self.zero, 0.0, self.singular_values)))

    @property
    def max(self):
        """Largest singular value over all samples."""
        return float(self.singular_values.max())

    @property
    def mean_square(self):
        r"""Mean of :math:`s^2`, :math:`\lVert J\rVert_F^2 / k` averaged over samples: what variance scaling fixes."""
        return float(np.mean(self.singular_values**2))

    @property
    def spread(self):
        """Standard deviation of :math:`\\log_{10} s` over the nonzero singular values (0 for an isometry)."""
        logs = self.log10
        return float(np.std(logs)) if logs.size else float("nan")

    def __repr__(self):
        n, k = self.singular_values.shape
        depth = "" if self.depth is None else f"depth {self.depth}, "
        return (
            f"JacobianSpectrum({depth}{n} samples x {k} singular values: median {self.median:.3g}, "
            f"max {self.max:.3g}, mean square {self.mean_square:.3g}, log10 spread {self.spread:.3g}, "
            f"zero {self.zero_fraction:.3g})"
        )


def _spectrum(J, depth):
    s = np.linalg.svd(J, compute_uv=False)
    floor = s[:, 0] * max(J.shape[1:]) * np.finfo(float).eps
    return JacobianSpectrum(s, floor, depth=depth)


def jacobian_spectrum(net, X):
    r"""Singular values of the Jacobian of the logits at each row of ``X``.

    Parameters
    ----------
    net : MLP or ResidualMLP
    X : ndarray of shape (n_samples, n_in)
        The inputs (a single sample as shape ``(1, n_in)``).

    Returns
    -------
    JacobianSpectrum

    References
    ----------
    Saxe, McClelland & Ganguli 2014; Pennington, Schoenholz & Ganguli 2017.

    Examples
    --------
    >>> net = MLP([16] * 11, activation="identity", output="identity", init="orthogonal", seed=0)
    >>> s = jacobian_spectrum(net, np.ones((1, 16)))
    >>> bool(np.allclose(s.singular_values, 1.0)), s.zero_fraction
    (True, 0.0)
    """
    return _spectrum(jacobians(net, X), net.n_layers)


def jacobian_spectra(net, X, layers=None):
    r"""Singular values of :math:`\partial z_l / \partial x` after each of the given numbers of layers, in one pass.

    The first ``d`` layers of a network are a network of depth ``d`` (the
    pre-activations :math:`z_{d-1}` are its logits), and initlib draws a
    network's weights layer by layer, so ``MLP([n] * (D + 1), seed=s)``'s
    first ``d`` layers are ``MLP([n] * (d + 1), seed=s)``: one pass through
    the deepest network gives the spectra of every shallower one.

    For a :class:`~initlib.ResidualMLP`, depth ``d`` is the residual stream
    :math:`h_d` after ``d`` blocks (:math:`\partial h_d/\partial x`, of shape
    ``(width, n_in)``).

    Parameters
    ----------
    net : MLP or ResidualMLP
    X : ndarray of shape (n_samples, n_in)
    layers : sequence of int, optional
        Depths ``d`` in ``1 .. n_layers`` (``1 .. n_blocks`` for a
        ResidualMLP; default: all). The pass stops at the largest.

    Returns
    -------
    dict of int to JacobianSpectrum
        Keyed by depth, in increasing order.

    Examples
    --------
    >>> net = MLP([32] * 51, activation="identity", output="identity", init="lecun_normal", seed=0)
    >>> spectra = jacobian_spectra(net, np.zeros((1, 32)), layers=[1, 10, 50])
    >>> [round(s.median, 3) for s in spectra.values()]
    [0.814, 0.029, 0.0]
    """
    _check_net(net)
    X = net.check_X(X)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one sample, got shape {X.shape}")
    if layers is None:
        layers = range(1, _max_depth(net) + 1)
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a sequence of depths (ints from 1 to {_max_depth(net)}), got {layers!r}")
    wanted = sorted({check_positive_int(d, "layers[i]") for d in layers})
    name = "n_blocks" if hasattr(net, "n_blocks") else "n_layers"
    if not wanted or wanted[-1] > _max_depth(net):
        raise ValueError(f"layers must hold depths from 1 to {name} = {_max_depth(net)}, got {list(layers)}")
    out = {}
    for d, J in _tangents(net, X, stop=wanted[-1]):
        if d in wanted:
            out[d] = _spectrum(np.asarray(J), d)
    return out
