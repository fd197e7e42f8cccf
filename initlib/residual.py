r"""A residual network of fully connected blocks, every intermediate array open to inspection.

An input layer (no activation), ``n_blocks`` residual blocks, an output layer:

.. math::
    h_0 = X W_\text{in} + b_\text{in}, \qquad
    h_{l+1} = h_l + \alpha_l\, r_l, \qquad
    r_l = f(h_l W_{1,l} + b_{1,l})\, W_{2,l} + b_{2,l}, \qquad
    z_\text{out} = h_L W_\text{out} + b_\text{out},

with :math:`h_l` the residual *stream* and :math:`r_l` the *branch* of block
:math:`l` (He et al., 2016). :math:`\alpha_l` is ``branch_scale`` (pass
``1 / np.sqrt(n_blocks)`` for the depth-scaled rule), or, with
``learn_scale=True``, a trained scalar that starts there (ReZero, Bachlechner
et al., 2021: ``branch_scale=0, learn_scale=True``). ``zero_last=True`` starts
every :math:`W_{2,l}` at zero (SkipInit, De and Smith, 2020; Fixup's zero
layer, Zhang et al., 2019), so that the network starts as its input and
output layers alone.

Why the stream grows: with He-normal weights a two-layer ReLU branch returns
the variance of its input twice over (the first layer doubles it, the ReLU
halves the second moment, the second layer doubles it again), and the branch
is uncorrelated with the stream, so each block multiplies the stream's
variance by :math:`1 + 2\alpha^2`:

.. math:: \frac{\mathrm{std}(h_L)}{\mathrm{std}(h_0)} \approx (1 + 2\alpha^2)^{L/2},

:math:`\sqrt{3}^L` for :math:`\alpha = 1` (243 after 10 blocks, :math:`10^{12}`
after 50) but :math:`(1 + 2/L)^{L/2} \to e` for :math:`\alpha = 1/\sqrt{L}`,
whatever the depth; 1 exactly with ``zero_last``.

With ``norm="batch"`` or ``"layer"`` the branch is ResNet's basic block:
linear, norm, activation, linear, norm, then the addition;
``zero_gamma=True`` starts the :math:`\gamma` of the branch's last norm at 0
(Goyal et al., 2017): that :math:`\gamma` sits after the last linear layer and
before the addition, so it receives a gradient at step 0 and the branch
switches on.

Per-block lists (``l = 0 .. n_blocks - 1``; those of the network protocol,
:mod:`initlib.network`, have the output layer as an extra last entry):

===============  ==========================================  ==================
list             entry ``l``                                 shape
===============  ==========================================  ==================
``stream``       ``h_l``, ``n_blocks + 1`` entries           ``(n, width)``
``z``            ``h_l @ W1[l] + b1[l]``; ``z[-1]``: logits  ``(n, width)``
``zn``           the activation's input (``z`` normalized)   ``(n, width)``
``a``            ``f(zn[l])``; ``a[-1]``: the output         ``(n, width)``
``z2``           ``a[l] @ W2[l] + b2[l]``                    ``(n, width)``
``branch``       ``r_l`` (``z2`` normalized), before alpha   ``(n, width)``
``W1``, ``W2``   the branch's weight matrices                ``(width, width)``
``b1``, ``b2``   the branch's biases                         ``(width,)``
``dW1`` ...      their gradients                             like the array
``dz``           gradient of the loss in ``z[l]``            ``(n, width)``
``dstream``      gradient of the loss in ``h_l``             ``(n, width)``
===============  ==========================================  ==================

plus ``W_in``, ``b_in``, ``W_out``, ``b_out`` (and ``dW_in`` ...), ``alpha``
and ``dalpha`` of shape ``(n_blocks,)``, and ``norms1``, ``norms2`` (one
normalization per block and position).

Used in: the residual networks chapter; the normalization chapter.
"""
from __future__ import annotations

import numpy as np

from . import activations as _activations
from . import init as _init
from . import losses as _losses
from . import normalization as _normalization
from ._validate import as_rng, check_nonnegative_float, check_positive_int
from .mlp import _describe
from .network import Network

__all__ = ["ResidualMLP"]

_ARRAYS = ("W1", "b1", "W2", "b2")


class ResidualMLP(Network):
    r"""A residual multi-layer perceptron: input layer, ``n_blocks`` two-layer residual blocks, output layer.

    Parameters
    ----------
    n_in : int
        Number of inputs.
    width : int
        Width of the stream and of every branch.
    n_blocks : int
        Number of residual blocks, >= 1.
    n_out : int, default 1
    activation : str or Activation, default "relu"
        Activation in the middle of every branch.
    output : {"sigmoid", "softmax", "identity"}, default "sigmoid"
    init : str or callable, default "he_normal"
        Initializer of every weight matrix (see :func:`initlib.init.get`).
    branch_scale : float, default 1.0
        The factor :math:`\alpha` of every branch, >= 0.
    learn_scale : bool, default False
        Train each block's :math:`\alpha_l`, starting at ``branch_scale``.
    zero_last : bool, default False
        Start every branch's second weight matrix ``W2[l]`` at zero.
    norm : {None, "batch", "layer"}, default None
        Normalize after each of the branch's two linear layers.
    zero_gamma : bool, default False
        Start the ``gamma`` of every branch's last normalization at 0 (needs ``norm``).
    seed : int, default 0
        Seed of the generator drawing the weights: ``W_in``, then ``W1[l]``,
        ``W2[l]`` block by block, then ``W_out`` (``zero_last`` draws ``W2``
        and then zeroes it, so the other weights do not depend on it).
    rng : numpy.random.Generator, optional
    init_kwargs : dict, optional
        Keyword arguments for the initializer.
    norm_eps, norm_momentum : float
        As for :class:`~initlib.MLP`.

    Examples
    --------
    >>> net = ResidualMLP(2, 64, 10, seed=0)
    >>> X = np.random.default_rng(0).standard_normal((512, 2))
    >>> _ = net.forward(X)
    >>> round(float(net.stream[-1].std() / net.stream[0].std()))  # sqrt(3)**10 = 243, up to the draw
    168
    >>> net = ResidualMLP(2, 64, 10, branch_scale=1 / np.sqrt(10), seed=0)
    >>> _ = net.forward(X)
    >>> round(float(net.stream[-1].std() / net.stream[0].std()), 2)  # (1 + 2/10)**5 = 2.49
    2.58
    >>> print(ResidualMLP(2, 8, 3, branch_scale=0, learn_scale=True))
    ResidualMLP(n_in=2, width=8, n_blocks=3, n_out=1, activation='relu', output='sigmoid', init='he_normal', branch_scale=0, learn_scale=True, params=468)
    """

    def __init__(
        self,
        n_in,
        width,
        n_blocks,
        n_out=1,
        activation="relu",
        output="sigmoid",
        init="he_normal",
        branch_scale=1.0,
        learn_scale=False,
        zero_last=False,
        norm=None,
        zero_gamma=False,
        seed=0,
        *,
        rng=None,
        init_kwargs=None,
        norm_eps=1e-5,
        norm_momentum=0.1,
    ):
        self.n_in = check_positive_int(n_in, "n_in")
        self.width = check_positive_int(width, "width")
        if isinstance(n_blocks, (int, np.integer)) and not isinstance(n_blocks, bool) and n_blocks < 1:
            raise ValueError(f"n_blocks must be >= 1 (a residual network has at least one block), got {n_blocks}")
        self.n_blocks = check_positive_int(n_blocks, "n_blocks")
        self.n_out = check_positive_int(n_out, "n_out")
        self.activation = _activations.get(activation)
        self.loss = _losses.get(output)
        self.branch_scale = check_nonnegative_float(branch_scale, "branch_scale")
        for name, flag in (("learn_scale", learn_scale), ("zero_last", zero_last), ("zero_gamma", zero_gamma)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {flag!r}")
        self.learn_scale, self.zero_last, self.zero_gamma = bool(learn_scale), bool(zero_last), bool(zero_gamma)
        self.norm = _normalization.check_norm(norm)
        if self.zero_gamma and self.norm is None:
            raise ValueError(
                "zero_gamma=True needs norm='batch' or norm='layer': it zeroes the gamma of each branch's "
                "last normalization (without normalization, use zero_last=True)"
            )
        init_kwargs = dict(init_kwargs or {})
        fn = _init.get(init)
        self.init_name = _describe(init, init_kwargs)
        rng = as_rng(rng, seed)
        n, w = self.n_in, self.width

        def draw(fan_in, fan_out):
            arr = np.asarray(fn(fan_in, fan_out, rng=rng, **init_kwargs), dtype=float)
            if arr.shape != (fan_in, fan_out):
                raise ValueError(f"init returned shape {arr.shape}; expected (fan_in, fan_out) = ({fan_in}, {fan_out})")
            return arr

        self.W_in, self.b_in = draw(n, w), np.zeros(w)
        self.W1, self.W2 = [], []
        for _ in range(self.n_blocks):
            self.W1.append(draw(w, w))
            w2 = draw(w, w)
            self.W2.append(np.zeros_like(w2) if self.zero_last else w2)
        self.W_out, self.b_out = draw(w, self.n_out), np.zeros(self.n_out)
        self.b1 = [np.zeros(w) for _ in range(self.n_blocks)]
        self.b2 = [np.zeros(w) for _ in range(self.n_blocks)]
        self.alpha = np.full(self.n_blocks, self.branch_scale)
        if self.norm is None:
            self.norms1, self.norms2 = [], []
        else:
            make = _normalization.make_layers
            self.norms1 = make(self.norm, [w] * self.n_blocks, norm_eps, norm_momentum)
            gamma = 0.0 if self.zero_gamma else 1.0
            self.norms2 = make(self.norm, [w] * self.n_blocks, norm_eps, norm_momentum, gamma=gamma)
        self._allocate()

    def _allocate(self):
        """Gradient buffers (np.zeros: unmapped until a backward pass writes them) and empty lists."""
        L = self.n_blocks
        self.dW_in, self.db_in = np.zeros(self.W_in.shape), np.zeros(self.b_in.shape)
        self.dW_out, self.db_out = np.zeros(self.W_out.shape), np.zeros(self.b_out.shape)
        for name in _ARRAYS:
            setattr(self, "d" + name, [np.zeros(p.shape) for p in getattr(self, name)])
        self.dalpha = np.zeros(L)
        self.stream, self.dstream = [None] * (L + 1), [None] * (L + 1)
        self.z, self.a, self.dz = [None] * (L + 1), [None] * (L + 1), [None] * (L + 1)
        self.zn = [None] * (L + 1) if self.norm else self.z
        self.z2 = [None] * L
        self.branch = [None] * L if self.norm else self.z2
        self.X = None

    # ------------------------------------------------------------------ protocol
    @property
    def n_layers(self):
        """Number of weight matrices, ``2 * n_blocks + 2``."""
        return 2 * self.n_blocks + 2

    @property
    def W(self):
        """Every weight matrix in forward order: ``[W_in, W1[0], W2[0], ..., W_out]`` (the live arrays)."""
        return [self.W_in] + [w for pair in zip(self.W1, self.W2) for w in pair] + [self.W_out]

    @property
    def b(self):
        """Every bias in forward order, like :attr:`W`."""
        return [self.b_in] + [v for pair in zip(self.b1, self.b2) for v in pair] + [self.b_out]

    @property
    def dW(self):
        """Gradients of :attr:`W`, in the same order."""
        return [self.dW_in] + [g for pair in zip(self.dW1, self.dW2) for g in pair] + [self.dW_out]

    @property
    def db(self):
        """Gradients of :attr:`b`, in the same order."""
        return [self.db_in] + [g for pair in zip(self.db1, self.db2) for g in pair] + [self.db_out]

    @property
    def layer_names(self):
        """Labels of the ``z``/``a`` entries: ``"block 1"``, ..., ``"output"``."""
        return [f"block {l + 1}" for l in range(self.n_blocks)] + ["output"]

    @property
    def linear_outputs(self):
        """Output of every linear layer, aligned with :attr:`W`: ``[stream[0], z[0], z2[0], ..., z[-1]]``."""
        return [self.stream[0]] + [u for pair in zip(self.z[:-1], self.z2) for u in pair] + [self.z[-1]]

    def _norm_layers(self):
        return self.norms1 + self.norms2

    def parameters(self):
        """``(name, array, gradient)`` of every learned array, ``alpha`` included with ``learn_scale``."""
        out = [("W_in", self.W_in, self.dW_in), ("b_in", self.b_in, self.db_in)]
        for l in range(self.n_blocks):
            out += [(f"{name}[{l}]", getattr(self, name)[l], getattr(self, "d" + name)[l]) for name in _ARRAYS]
        out += [("W_out", self.W_out, self.dW_out), ("b_out", self.b_out, self.db_out)]
        for k, norms in (("1", self.norms1), ("2", self.norms2)):
            for l, layer in enumerate(norms):
                (gamma, dgamma), (beta, dbeta) = layer.parameters()
                out += [(f"gamma{k}[{l}]", gamma, dgamma), (f"beta{k}[{l}]", beta, dbeta)]
        if self.learn_scale:
            out.append(("alpha", self.alpha, self.dalpha))
        return out

    def copy(self):
        """An independent copy: parameters, running statistics and settings (no stored arrays)."""
        net = ResidualMLP.__new__(ResidualMLP)
        skip = {"norms1", "norms2", "W1", "W2", "b1", "b2"}
        for key, value in self.__dict__.items():
            if key not in skip and not key.startswith("d") and not isinstance(value, list):
                setattr(net, key, value.copy() if isinstance(value, np.ndarray) else value)
        for name in _ARRAYS:
            setattr(net, name, [p.copy() for p in getattr(self, name)])
        net.norms1 = [layer.copy() for layer in self.norms1]
        net.norms2 = [layer.copy() for layer in self.norms2]
        net._allocate()
        return net

    # ------------------------------------------------------------------ passes
    def _run(self, X, store, logits=False):
        """Forward pass on a checked ``X``: training mode storing every array if ``store``,
        evaluation mode otherwise; returns the output (or the logits)."""
        f = self.activation.function
        norm = self.norm is not None
        h = X @ self.W_in
        h += self.b_in
        if store:
            self.stream[0] = h
        for l in range(self.n_blocks):
            z = h @ self.W1[l]
            z += self.b1[l]
            zn = self.norms1[l].forward(z, training=store) if norm else z
            a = f(zn)
            z2 = a @ self.W2[l]
            z2 += self.b2[l]
            r = self.norms2[l].forward(z2, training=store) if norm else z2
            scaled = r * self.alpha[l]
            scaled += h
            h = scaled
            if store:
                self.z[l], self.zn[l], self.a[l], self.z2[l], self.branch[l] = z, zn, a, z2, r
                self.stream[l + 1] = h
        zL = h @ self.W_out
        zL += self.b_out
        if logits:
            return zL
        out = self.loss.transform(zL)
        if store:
            self.z[-1], self.a[-1] = zL, out
            if norm:
                self.zn[-1] = zL
        return out

    def _forward(self, X, store):
        return self._run(X, store)

    def logits(self, X):
        """Logits on ``X`` (evaluation mode) without touching the stored arrays."""
        return self._run(self.check_X(X), store=False, logits=True)

    def _backward(self, t, compute_loss=True):
        r"""Backward pass from prepared targets ``t`` (see :class:`~initlib.network.Network`).

        .. math::
            \frac{\partial L}{\partial h_l} = \frac{\partial L}{\partial h_{l+1}}
            + \frac{\partial L}{\partial z_l} W_{1,l}^\top, \qquad
            \frac{\partial L}{\partial \alpha_l} = \sum \frac{\partial L}{\partial h_{l+1}} \odot r_l
        """
        loss, delta = self.loss.start_backward(self.z[-1], t, compute_loss)
        self.dz[-1] = delta
        L = self.n_blocks
        np.matmul(self.stream[L].T, delta, out=self.dW_out)
        delta.sum(axis=0, out=self.db_out)
        g = delta @ self.W_out.T
        self.dstream[L] = g
        deriv = self.activation._derivative
        norm = self.norm is not None
        for l in range(L - 1, -1, -1):
            if self.learn_scale:
                self.dalpha[l] = np.vdot(g, self.branch[l])
            dr = g * self.alpha[l]
            dz2 = self.norms2[l].backward(dr) if norm else dr
            np.matmul(self.a[l].T, dz2, out=self.dW2[l])
            dz2.sum(axis=0, out=self.db2[l])
            da = dz2 @ self.W2[l].T
            da *= deriv(self.zn[l], self.a[l])
            dz = self.norms1[l].backward(da) if norm else da
            self.dz[l] = dz
            np.matmul(self.stream[l].T, dz, out=self.dW1[l])
            dz.sum(axis=0, out=self.db1[l])
            g_prev = dz @ self.W1[l].T
            g_prev += g
            g = g_prev
            self.dstream[l] = g
        np.matmul(self.X.T, g, out=self.dW_in)
        g.sum(axis=0, out=self.db_in)
        return loss

    def __repr__(self):
        parts = [
            f"n_in={self.n_in}", f"width={self.width}", f"n_blocks={self.n_blocks}", f"n_out={self.n_out}",
            f"activation={self.activation.name!r}", f"output={self.loss.name!r}", f"init={self.init_name!r}",
            f"branch_scale={self.branch_scale:g}",
        ]
        for flag in ("learn_scale", "zero_last"):
            if getattr(self, flag):
                parts.append(f"{flag}=True")
        if self.norm:
            parts.append(f"norm={self.norm!r}")
        if self.zero_gamma:
            parts.append("zero_gamma=True")
        return "ResidualMLP(" + ", ".join(parts) + f", params={self.n_params})"
