r"""k MLPs of one architecture with their parameters stacked along a leading axis.

:func:`~initlib.train_many` trains the networks through one
:class:`StackedMLP`: every forward and backward product is one batched
``np.matmul`` over the ``k`` networks (the first layer's weight gradient, from
the input all networks share, one plain product), so numpy's per-call
overhead is paid once per step rather than ``k`` times.

Layout (feature-major: samples along the last, contiguous axis). Layer ``l``
of network ``i`` is stored as the augmented matrix

.. math:: \tilde W_l[i] = \big[\, W_l^\top \;\big|\; b_l \,\big]
    \quad \text{of shape} \quad (\text{fan\_out}, \text{fan\_in} + 1),

and the activations as ``A[l]`` of shape ``(k, width + 1, n)`` whose last row
is ones, so that ``z = W~ @ A`` adds the bias inside the product and
``dW~ = delta @ A.T`` gives ``dW`` and ``db`` together. Hidden
pre-activations ``z[l]`` have shape ``(k, width, n)``. The activations,
derivatives and output transforms are the registry's
(:mod:`initlib.activations`, :mod:`initlib.losses`); normalization follows the
formulas of :mod:`initlib.normalization` with the statistics taken over the
last axis (batch) or the unit axis (layer).

Every learned array is a view into one flat buffer (``flat``) and every
gradient into another (``grad_flat``), so an optimizer step is a handful of
operations on two arrays whatever the depth.

Used in: :func:`initlib.train_many`, the chapters' sweeps and the training explorers.
"""
from __future__ import annotations

import numpy as np

from .mlp import MLP
from .network import check_network

__all__ = ["StackedMLP", "check_same_architecture"]


def check_same_architecture(nets, name="nets"):
    """Return ``nets`` as a list if it is a non-empty list of distinct MLPs of one architecture.

    The message of each error names the first network and the first property
    that do not fit (kind, sizes, activation, output, normalization).
    """
    if isinstance(nets, (str, bytes)) or not hasattr(nets, "__len__") or not hasattr(nets, "__iter__"):
        raise TypeError(f"{name} must be a list of networks, got {type(nets).__name__}")
    nets = list(nets)
    if not nets:
        raise ValueError(f"{name} must contain at least one network, got an empty list")
    for i, net in enumerate(nets):
        check_network(net, f"{name}[{i}]")
        if type(net) is not type(nets[0]):
            raise TypeError(
                f"{name} mixes network kinds: {name}[0] is {type(nets[0]).__name__} but {name}[{i}] is "
                f"{type(net).__name__}; train_many trains networks of one architecture"
            )
    if not isinstance(nets[0], MLP):
        raise TypeError(
            f"train_many trains MLPs; {type(nets[0]).__name__} is not supported (its blocks are BLAS-bound, "
            "where stacking gains nothing): train each network with il.train"
        )
    seen = {}
    for i, net in enumerate(nets):
        if id(net) in seen:
            raise ValueError(f"{name}[{i}] is the same object as {name}[{seen[id(net)]}]; pass distinct networks")
        seen[id(net)] = i
    ref = nets[0]
    for i, net in enumerate(nets[1:], start=1):
        for what, get in _FEATURES:
            a, b = get(ref), get(net)
            if a != b:
                raise ValueError(
                    f"{name}[{i}] differs from {name}[0] in {what}: {b!r} instead of {a!r}; "
                    "train_many needs one architecture (initializations, scales and seeds may differ)"
                )
    return nets


_FEATURES = [
    ("sizes", lambda n: list(n.sizes)),
    ("activation", lambda n: n.activation.name),
    ("output", lambda n: n.loss.name),
    ("norm", lambda n: n.norm),
    ("norm eps", lambda n: [layer.eps for layer in n.norms]),
    ("norm momentum", lambda n: [getattr(layer, "momentum", None) for layer in n.norms]),
]


def _views(buf, shapes):
    """Consecutive views of ``buf`` with the given shapes."""
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buf[start : start + size].reshape(shape))
        start += size
    return views


def _flat(shapes):
    """One zeroed buffer and a view of it for every shape."""
    buf = np.zeros(sum(int(np.prod(s)) for s in shapes))
    return buf, _views(buf, shapes)


class StackedMLP:
    """The parameters of ``k`` MLPs of one architecture, stacked, with a training-mode forward and backward pass.

    Parameters
    ----------
    nets : list of MLP
        Networks of one architecture (:func:`check_same_architecture`);
        their current parameters (and running statistics) are copied in.

    Attributes
    ----------
    W : list of ndarray, shape (k, fan_out, fan_in + 1)
        Augmented weights ``[W.T | b]`` of every layer.
    gamma, beta : list of ndarray, shape (k, width, 1)
        Normalization parameters of the hidden layers (empty without ``norm``).
    flat, grad_flat : ndarray
        Every learned array, and its gradient, as one buffer.

    Examples
    --------
    >>> nets = [MLP([2, 3, 1], seed=s) for s in range(4)]
    >>> stack = StackedMLP(nets)
    >>> stack
    StackedMLP(k=4, sizes=[2, 3, 1], activation='relu', output='sigmoid')
    >>> stack.W[0].shape
    (4, 3, 3)
    """

    def __init__(self, nets):
        ref = nets[0]
        self.k, self.sizes, self.norm = len(nets), list(ref.sizes), ref.norm
        self.activation, self.loss = ref.activation, ref.loss
        self.eps = [layer.eps for layer in ref.norms]
        self.momentum = [getattr(layer, "momentum", 0.0) for layer in ref.norms]
        k, sizes, L = self.k, self.sizes, len(ref.sizes) - 1
        self.n_layers = L
        hidden = [(k, w, 1) for w in sizes[1:-1]] if self.norm else []
        self.shapes = [(k, sizes[l + 1], sizes[l] + 1) for l in range(L)] + hidden + hidden
        self.flat, params = _flat(self.shapes)
        self.grad_flat, grads = _flat(self.shapes)
        self.W, self.gamma, self.beta = params[:L], params[L : L + len(hidden)], params[L + len(hidden) :]
        self.dW, self.dgamma, self.dbeta = grads[:L], grads[L : L + len(hidden)], grads[L + len(hidden) :]
        self.running = [[np.zeros(s), np.ones(s)] for s in hidden] if self.norm == "batch" else []
        self._buffers, self._norm_cache, self._batch_stats = {}, {}, {}
        self._f_keeps_one = bool(np.asarray(self.activation.function(np.ones(1)))[0] == 1.0)
        self.loss_values = None  # per-network losses of the last backward pass (MSE only)
        for i, net in enumerate(nets):
            self.load(i, net)

    # -- moving parameters in and out ------------------------------------
    def load(self, i, net):
        """Copy the parameters (and running statistics) of ``net`` into slot ``i``."""
        for l, (W, b) in enumerate(zip(net.W, net.b)):
            self.W[l][i, :, :-1] = W.T
            self.W[l][i, :, -1] = b
        for l, layer in enumerate(net.norms):
            self.gamma[l][i, :, 0] = layer.gamma
            self.beta[l][i, :, 0] = layer.beta
            if self.running:
                self.running[l][0][i, :, 0] = layer.running_mean
                self.running[l][1][i, :, 0] = layer.running_var

    def write(self, i, net):
        """Copy slot ``i`` into the arrays of ``net`` in place (they stay the same objects)."""
        for l, (W, b) in enumerate(zip(net.W, net.b)):
            W[...] = self.W[l][i, :, :-1].T
            b[...] = self.W[l][i, :, -1]
        for l, layer in enumerate(net.norms):
            layer.gamma[...] = self.gamma[l][i, :, 0]
            layer.beta[...] = self.beta[l][i, :, 0]
            if self.running:
                layer.running_mean[...] = self.running[l][0][i, :, 0]
                layer.running_var[...] = self.running[l][1][i, :, 0]

    def take_flat(self, buf, keep):
        """Rows ``keep`` of every array of a buffer laid out like ``flat`` (e.g. an optimizer's state)."""
        out, views = _flat([(len(keep),) + s[1:] for s in self.shapes])
        for view, old in zip(views, _views(buf, self.shapes)):
            view[...] = old[keep]
        return out

    def take(self, keep):
        """A new stack of the networks in slots ``keep`` (indices), parameters and running statistics copied."""
        new = StackedMLP.__new__(StackedMLP)
        new.__dict__.update(self.__dict__)
        new.k = len(keep)
        new.shapes = [(new.k,) + s[1:] for s in self.shapes]
        new.flat = self.take_flat(self.flat, keep)
        new.grad_flat, grads = _flat(new.shapes)
        params = _views(new.flat, new.shapes)
        L, h = self.n_layers, len(self.gamma)
        new.W, new.gamma, new.beta = params[:L], params[L : L + h], params[L + h :]
        new.dW, new.dgamma, new.dbeta = grads[:L], grads[L : L + h], grads[L + h :]
        new.running = [[m[keep].copy(), v[keep].copy()] for m, v in self.running]
        new._buffers, new._norm_cache, new._batch_stats = {}, {}, {}
        return new

    # -- passes ------------------------------------------------------------
    def _arrays(self, n):
        """Preallocated z, A (with its row of ones) and gradient arrays for batches of ``n`` samples."""
        if n not in self._buffers:
            k, widths = self.k, self.sizes[1:-1]
            # z of a hidden layer is a view of an array with a last row of ones: without
            # normalization, the activation of the whole array is A itself, row of ones included
            z1 = [np.ones((k, w + 1, n)) for w in widths]
            A = [np.ones((k, w + 1, n)) for w in widths]
            z = [b[:, :-1] for b in z1] + [np.empty((k, self.sizes[-1], n))]
            d = [np.empty((k, w, n)) for w in widths]
            self._buffers[n] = (z, A, d, z1)
        return self._buffers[n][:3]

    def forward(self, XA):
        """Training-mode forward pass; return the logits, shape (k, n_out, n).

        ``XA`` is the input with a row of ones: (n_in + 1, n) shared by all networks, or (k, n_in + 1, n).
        """
        n = XA.shape[-1]
        z, A, _ = self._arrays(n)
        f, L = self.activation.function, self.n_layers
        self.XA, self.A, self.z, self.zn = XA, A, z, list(z)
        a = XA
        for l in range(L):
            if a.ndim == 2 and z[l].flags.c_contiguous:  # the input all networks share: one product for all
                np.matmul(self.W[l].reshape(-1, a.shape[0]), a, out=z[l].reshape(-1, n))
            else:
                np.matmul(self.W[l], a, out=z[l])
            if l == L - 1:
                break
            if self.norm:
                self.zn[l] = self._norm_forward(l, z[l])
                A[l][:, :-1] = f(self.zn[l])
            else:
                A[l] = f(self._buffers[n][3][l])  # f of the row of ones is put right below
                if not self._f_keeps_one:
                    A[l][:, -1] = 1.0
            a = A[l]
        return z[-1]

    def backward(self, t):
        """Gradients of every network's mean loss against targets ``t`` ((n, n_out) shared or (k, n, n_out)).

        Returns
        -------
        ndarray of bool, shape (k,)
            Which networks' losses are finite (the others' gradients are meaningless).
        """
        zL = self.z[-1]
        finite = np.isfinite(zL).all(axis=(1, 2))
        self.loss_values = None
        if self.loss.name == "identity":  # a finite output can still square to inf
            self.loss_values = np.mean((zL.swapaxes(1, 2) - t) ** 2, axis=(1, 2))
            finite &= np.isfinite(self.loss_values)
        delta = self.loss.grad(zL.swapaxes(1, 2), t).swapaxes(1, 2)
        deriv = self.activation._derivative
        _, _, d = self._arrays(zL.shape[-1])
        for l in range(self.n_layers - 1, -1, -1):
            a_prev = self.A[l - 1] if l > 0 else self.XA
            if a_prev.ndim == 2:
                np.matmul(np.ascontiguousarray(delta).reshape(-1, a_prev.shape[1]), a_prev.T,
                          out=self.dW[l].reshape(-1, a_prev.shape[0]))
            else:
                np.matmul(delta, a_prev.swapaxes(1, 2), out=self.dW[l])
            if l > 0:
                W = self.W[l][:, :, :-1].swapaxes(1, 2)
                if W.shape[2] == 1:  # one output unit: an outer product (numpy's matmul is slow at K = 1)
                    g = np.multiply(W, delta, out=d[l - 1])
                else:
                    g = np.matmul(W, delta, out=d[l - 1])
                g *= deriv(self.zn[l - 1], self.A[l - 1][:, :-1])
                delta = self._norm_backward(l - 1, g) if self.norm else g
        return finite

    # -- normalization (the formulas of initlib.normalization, stacked) -------
    def _norm_forward(self, l, z):
        axis = 2 if self.norm == "batch" else 1
        mean, var = z.mean(axis=axis, keepdims=True), z.var(axis=axis, keepdims=True)
        if self.eps[l] == 0 and np.any(var == 0):
            raise ValueError(
                f"{self.norm} normalization with eps=0 met a constant pre-activation (variance 0); "
                "use eps > 0 (the default is 1e-5)"
            )
        if self.norm == "batch":
            n = z.shape[2]
            self._batch_stats[l] = (mean, var * (n / (n - 1)))  # folded in by update_running_stats
        inv_std = 1.0 / np.sqrt(var + self.eps[l])
        z_hat = (z - mean) * inv_std
        self._norm_cache[l] = (z_hat, inv_std)
        return z_hat * self.gamma[l] + self.beta[l]

    def _norm_backward(self, l, g):
        z_hat, inv_std = self._norm_cache[l]
        np.sum(g * z_hat, axis=2, keepdims=True, out=self.dgamma[l])
        np.sum(g, axis=2, keepdims=True, out=self.dbeta[l])
        gh = g * self.gamma[l]
        axis = 2 if self.norm == "batch" else 1
        dz = gh - gh.mean(axis=axis, keepdims=True)
        dz -= z_hat * (gh * z_hat).mean(axis=axis, keepdims=True)
        dz *= inv_std
        return dz

    def update_running_stats(self):
        """Fold the last training batch's statistics into batch normalization's running averages."""
        for l, (mean, var) in self._batch_stats.items():
            m = self.momentum[l]
            for run, new in zip(self.running[l], (mean, var)):
                run *= 1.0 - m
                run += m * new
        self._batch_stats = {}

    def __repr__(self):
        norm = f", norm={self.norm!r}" if self.norm else ""
        return (
            f"StackedMLP(k={self.k}, sizes={self.sizes}, activation={self.activation.name!r}, "
            f"output={self.loss.name!r}{norm})"
        )
