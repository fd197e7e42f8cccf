r"""A fully connected network whose every intermediate array is open to inspection.

Layer :math:`l = 0, \dots, L-1` computes

.. math:: z_l = a_{l-1} W_l + b_l, \qquad a_l = f_l(z_l), \qquad a_{-1} = X,

with ``W[l]`` of shape ``(fan_in, fan_out) = (sizes[l], sizes[l+1])`` (the
transpose of PyTorch's ``nn.Linear.weight``). The hidden layers use
``activation``; the last layer's ``z[-1]`` are the logits and ``a[-1]`` the
output (``output="sigmoid"``: probabilities; ``"softmax"``; ``"identity"``).

After :meth:`MLP.forward` and :meth:`MLP.backward`, the per-layer lists

======  =======================================  ============================
list    entry ``l``                              shape
======  =======================================  ============================
``W``   weights                                  ``(sizes[l], sizes[l+1])``
``b``   biases                                   ``(sizes[l+1],)``
``z``   pre-activations                          ``(n_samples, sizes[l+1])``
``a``   activations                              ``(n_samples, sizes[l+1])``
``zn``  the activation's input (see below)       ``(n_samples, sizes[l+1])``
``dz``  :math:`\partial L/\partial z_l`          ``(n_samples, sizes[l+1])``
``dW``  :math:`\partial L/\partial W_l`          like ``W[l]``
``db``  :math:`\partial L/\partial b_l`          like ``b[l]``
======  =======================================  ============================


share one index, so diagnostics read them without hooks (the design of
scikit-learn's MLP). They follow the network protocol of
:mod:`initlib.network`, which :func:`~initlib.train` and the diagnostics
rely on.

With ``norm="batch"`` or ``"layer"`` every hidden pre-activation is
normalized before the activation (Ioffe and Szegedy, 2015; Ba et al., 2016):

.. math:: a_l = f\big(\gamma_l \odot \hat z_l + \beta_l\big), \qquad
    \hat z_l = \frac{z_l - \mu_l}{\sqrt{\sigma_l^2 + \epsilon}},

``norms[l]`` (:mod:`initlib.normalization`) holds :math:`\gamma_l`,
:math:`\beta_l` and the running statistics, ``zn[l]`` the activation's
input; without normalization ``zn`` is ``z`` itself.

Used in: every chapter.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from . import activations as _activations
from . import init as _init
from . import losses as _losses
from . import normalization as _normalization
from ._validate import as_rng, check_array, check_finite_float, check_nonnegative_float, check_positive_int
from .network import Network

__all__ = ["MLP"]


def _check_sizes(sizes):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a list of layer widths such as [2, 10, 5, 1], got {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer sizes (inputs and outputs), got {list(sizes)}")
    return [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]


def _describe(init, init_kwargs):
    if isinstance(init, functools.partial):  # e.g. partial(init.constant, value=0.5)
        return _describe(init.func, init.keywords)
    name = init if isinstance(init, str) else getattr(init, "__name__", type(init).__name__)
    if init_kwargs:
        name += "(" + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in init_kwargs.items()) + ")"
    return name


class MLP(Network):
    r"""A multi-layer perceptron with inspectable per-layer arrays.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from inputs to outputs, e.g. ``[2, 10, 5, 1]``: two
        inputs, hidden layers of 10 and 5 units, one output.
    activation : str or Activation, default "relu"
        Activation of every hidden layer (see :data:`initlib.activations.ACTIVATIONS`).
    output : {"sigmoid", "softmax", "identity"}, default "sigmoid"
        Output transform; it also selects the loss (binary cross-entropy,
        softmax cross-entropy, mean squared error), computed from the logits.
    init : str, callable, or sequence of these, default "he_normal"
        Weight initializer (see :func:`initlib.init.get`), or one per layer.
    scale : float, default 1.0
        Multiplies every initial weight: the knob the chapters' sliders turn.
        ``init="normal", scale=10`` is "standard normal times 10".
    bias_init : str, float or callable, default "zeros"
        A number sets every bias to it; a name or callable is called as
        ``fn(1, fan_out, rng=rng)`` and flattened.
    seed : int, default 0
        Seed of the generator that draws the initial weights (layer by
        layer, in order), unless ``rng`` is given.
    rng : numpy.random.Generator, optional
        Use this generator instead of ``seed``.
    init_kwargs : dict, optional
        Keyword arguments for the initializer, e.g. ``{"gain": 5/3}`` or
        ``{"value": 0.5}`` for ``init="constant"``.
    norm : {None, "batch", "layer"}, default None
        Normalize every hidden pre-activation before its activation.
    norm_eps : float, default 1e-5
        The :math:`\epsilon` of the normalization (0 makes it exactly scale invariant).
    norm_momentum : float, default 0.1
        Weight of each new batch in batch normalization's running averages.

    Attributes
    ----------
    W, b, z, a, dW, db, dz, zn : list of ndarray
        Per-layer arrays sharing one index (see the module docstring).
    norms : list of BatchNorm or LayerNorm
        One per hidden layer with ``norm``; empty without.
    sizes : list of int
    activation : Activation
    loss : Loss

    Examples
    --------
    >>> net = MLP([2, 10, 5, 1], init="zeros")
    >>> net.forward(np.ones((3, 2))).ravel()
    array([0.5, 0.5, 0.5])
    >>> print(net)
    MLP([2, 10, 5, 1], activation='relu', output='sigmoid', init='zeros', scale=1, params=91)
    """

    def __init__(
        self,
        sizes,
        activation="relu",
        output="sigmoid",
        init="he_normal",
        scale=1.0,
        bias_init="zeros",
        seed=0,
        *,
        rng=None,
        init_kwargs=None,
        norm=None,
        norm_eps=1e-5,
        norm_momentum=0.1,
    ):
        self.sizes = _check_sizes(sizes)
        norm = _normalization.check_norm(norm)
        self.activation = _activations.get(activation)
        self.loss = _losses.get(output)
        self.scale = check_nonnegative_float(scale, "scale")
        init_kwargs = dict(init_kwargs or {})
        n_layers = len(self.sizes) - 1
        if isinstance(init, (list, tuple)):
            if len(init) != n_layers:
                raise ValueError(f"init given per layer must have {n_layers} entries (one per layer), got {len(init)}")
            inits = [_init.get(i) for i in init]
            self.init_name = "[" + ", ".join(_describe(i, None) for i in init) + "]"
        else:
            inits = [_init.get(init)] * n_layers
            self.init_name = _describe(init, init_kwargs)
        rng = as_rng(rng, seed)
        W = []
        for l, fn in enumerate(inits):
            w = np.asarray(fn(self.sizes[l], self.sizes[l + 1], rng=rng, **init_kwargs), dtype=float)
            if w.shape != (self.sizes[l], self.sizes[l + 1]):
                raise ValueError(
                    f"init for layer {l} returned shape {w.shape}; expected (fan_in, fan_out) = "
                    f"({self.sizes[l]}, {self.sizes[l + 1]})"
                )
            W.append(w * self.scale)
        b = [self._init_bias(bias_init, fan_out, rng) for fan_out in self.sizes[1:]]
        self._set_params(W, b)
        if norm is not None:
            self._set_norms(norm, _normalization.make_layers(norm, self.sizes[1:-1], norm_eps, norm_momentum))

    @staticmethod
    def _init_bias(bias_init, fan_out, rng):
        if isinstance(bias_init, numbers.Real) and not isinstance(bias_init, bool):
            return np.full(fan_out, check_finite_float(bias_init, "bias_init"))
        if isinstance(bias_init, str) or callable(bias_init):
            try:
                fn = _init.get(bias_init)
            except ValueError as exc:
                raise ValueError(str(exc).replace("unknown init", "unknown bias_init")) from None
            return np.asarray(fn(1, fan_out, rng=rng), dtype=float).ravel()
        raise TypeError(f"bias_init must be a number, an initializer name or a callable, got {type(bias_init).__name__}")

    def _set_params(self, W, b):
        self.W = W
        self.b = b
        n_layers = len(W)
        # np.zeros, not zeros_like: its pages stay unmapped until the first
        # backward pass writes them, so a network only run forward (most
        # diagnostics) does not hold a second copy of its weights in memory
        self.dW = [np.zeros(w.shape, dtype=w.dtype) for w in W]
        self.db = [np.zeros(v.shape, dtype=v.dtype) for v in b]
        self.z = [None] * n_layers
        self.a = [None] * n_layers
        self.dz = [None] * n_layers
        self.zn = self.z  # the activations' inputs: z itself without normalization
        self.norm = None
        self.norms = []
        self.X = None

    def _set_norms(self, norm, norms):
        self.norm = norm
        self.norms = norms
        self.zn = [None] * self.n_layers

    def _norm_layers(self):
        return self.norms

    @classmethod
    def from_weights(cls, weights, biases, activation="relu", output="sigmoid"):
        """Build a network from given arrays, e.g. to reproduce a published run.

        Parameters
        ----------
        weights : sequence of array_like
            ``weights[l]`` of shape ``(fan_in, fan_out)``. Arrays in PyTorch's
            ``(fan_out, fan_in)`` layout must be transposed first.
        biases : sequence of array_like
            ``biases[l]`` of shape ``(fan_out,)``.
        activation, output
            As for :class:`MLP`.

        Examples
        --------
        >>> net = MLP.from_weights([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(1)])
        >>> net.sizes
        [2, 3, 1]
        """
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError(
                f"weights and biases must be non-empty lists of equal length, got {len(weights)} and {len(biases)}"
            )
        W = [check_array(w, f"weights[{l}]", ndim=2).copy() for l, w in enumerate(weights)]
        b = [check_array(v, f"biases[{l}]", ndim=(1, 2)).ravel().copy() for l, v in enumerate(biases)]
        for l in range(len(W)):
            if l > 0 and W[l].shape[0] != W[l - 1].shape[1]:
                raise ValueError(
                    f"weights[{l}] has fan_in {W[l].shape[0]} but weights[{l - 1}] has fan_out {W[l - 1].shape[1]}; "
                    "expected (fan_in, fan_out) arrays (transpose PyTorch's weight)"
                )
            if b[l].shape != (W[l].shape[1],):
                raise ValueError(f"biases[{l}] must have shape ({W[l].shape[1]},) to match weights[{l}], got {b[l].shape}")
        net = cls.__new__(cls)
        net.sizes = [W[0].shape[0]] + [w.shape[1] for w in W]
        net.activation = _activations.get(activation)
        net.loss = _losses.get(output)
        net.scale = 1.0
        net.init_name = "from_weights"
        net._set_params(W, b)
        return net

    # ------------------------------------------------------------------
    @property
    def n_layers(self):
        """Number of weight layers, ``len(sizes) - 1``."""
        return len(self.W)

    @property
    def n_in(self):
        """Number of inputs, ``sizes[0]``."""
        return self.sizes[0]

    @property
    def n_out(self):
        """Number of outputs, ``sizes[-1]``."""
        return self.sizes[-1]

    @property
    def layer_names(self):
        """Labels of the layers for figures: ``"layer 1"``, ... (the last one is the output)."""
        return [f"layer {l + 1}" for l in range(self.n_layers)]

    @property
    def linear_outputs(self):
        """Output ``a_prev @ W[l] + b[l]`` of every linear layer, aligned with ``W``: the list ``z`` itself."""
        return self.z

    def parameters(self):
        """``(name, array, gradient)`` of every weight, bias, and normalization ``gamma`` and ``beta``."""
        out = [(f"W[{l}]", w, g) for l, (w, g) in enumerate(zip(self.W, self.dW))]
        out += [(f"b[{l}]", v, g) for l, (v, g) in enumerate(zip(self.b, self.db))]
        for l, layer in enumerate(self.norms):
            (gamma, dgamma), (beta, dbeta) = layer.parameters()
            out += [(f"gamma[{l}]", gamma, dgamma), (f"beta[{l}]", beta, dbeta)]
        return out

    def copy(self):
        """An independent copy with the same parameters (and running statistics)."""
        net = MLP.from_weights(self.W, self.b, activation=self.activation, output=self.loss)
        if self.norms:
            net._set_norms(self.norm, [layer.copy() for layer in self.norms])
        return net

    # ------------------------------------------------------------------
    def _forward(self, X, store):
        """Forward pass on a checked ``X``; stores z and a only if ``store``
        (training mode; evaluation mode otherwise)."""
        if self.norms:
            return self._forward_norm(X, store)
        f = self.activation.function
        a = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W
            z += b
            a = self.loss.transform(z) if l == last else f(z)
            if store:
                self.z[l] = z
                self.a[l] = a
        return a

    def _forward_norm(self, X, store, logits=False):
        f = self.activation.function
        a = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W
            z += b
            if l == last:
                zn = z
                a = z if logits else self.loss.transform(z)
            else:
                zn = self.norms[l].forward(z, training=store)
                a = f(zn)
            if store:
                self.z[l] = z
                self.zn[l] = zn
                self.a[l] = a
        return a

    def _linear_steps(self, X):
        """The training-mode forward pass of ``X`` one layer at a time (for :func:`initlib.lsuv`): a generator
        that stores ``z[l] = a_prev @ W[l] + b[l]`` and yields ``l``; sent ``True`` it computes ``z[l]`` again
        (the caller changed ``W[l]``), else it goes on from the last ``z[l]``. The bits of :meth:`forward`."""
        f = self.activation.function
        self.X = a = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            again = True
            while again:
                z = a @ W
                z += b
                self.z[l] = z
                again = yield l
            if l == last:
                zn, a = z, self.loss.transform(z)
            else:
                zn = self.norms[l].forward(z, training=True) if self.norms else z
                a = f(zn)
            if self.norms:
                self.zn[l] = zn
            self.a[l] = a

    def _backward(self, t, compute_loss=True):
        """Backward pass from prepared targets ``t``; returns the loss, or, with
        ``compute_loss=False`` (the training loop's fast path), ``inf`` if the
        logits are not finite and 0.0 otherwise."""
        loss, delta = self.loss.start_backward(self.z[-1], t, compute_loss)
        deriv = self.activation._derivative
        for l in range(self.n_layers - 1, -1, -1):
            self.dz[l] = delta
            a_prev = self.X if l == 0 else self.a[l - 1]
            np.matmul(a_prev.T, delta, out=self.dW[l])
            delta.sum(axis=0, out=self.db[l])
            if l > 0:
                delta = delta @ self.W[l].T
                delta *= deriv(self.zn[l - 1], self.a[l - 1])
                if self.norms:
                    delta = self.norms[l - 1].backward(delta)
        return loss

    def logits(self, X):
        """Logits ``z[-1]`` on ``X`` without touching the stored per-layer arrays."""
        X = self.check_X(X)
        if self.norms:
            return self._forward_norm(X, store=False, logits=True)
        f = self.activation.function
        a = X
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            z = a @ W + b
            a = f(z) if l < self.n_layers - 1 else z
        return a

    def __repr__(self):
        return (
            f"MLP({self.sizes}, activation={self.activation.name!r}, output={self.loss.name!r}, "
            f"init={self.init_name!r}, scale={self.scale:g}, "
            + (f"norm={self.norm!r}, " if self.norm else "")
            + f"params={self.n_params})"
        )
