r"""Activation functions and their derivatives, in a name-keyed registry.

Each :class:`Activation` pairs a function :math:`a = f(z)` with its derivative
:math:`f'(z)`. As in scikit-learn's MLP, the derivative is written from the
output ``a`` where that is cheaper (sigmoid: :math:`a(1-a)`; tanh:
:math:`1-a^2`), so the backward pass never recomputes the forward one.

At :math:`z = 0` the ReLU derivative is taken to be 0 (as in PyTorch). This is
the convention behind the symmetry chapter's result that a zero ReLU layer
with zero biases never learns.

``gain`` is the table's (:func:`initlib.init.calculate_gain`, SELU 3/4), or for GELU,
SiLU and ELU, which have no entry, :func:`initlib.init.estimate_gain`'s value.

Used in: every chapter; the saturation chapter plots these functions.
"""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_choice, check_finite_float

__all__ = [
    "Activation",
    "ACTIVATIONS",
    "get",
    "leaky",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "identity",
    "sigmoid_derivative",
    "tanh_derivative",
    "relu_derivative",
    "leaky_relu_derivative",
    "identity_derivative",
    "gelu",
    "gelu_derivative",
    "silu",
    "silu_derivative",
    "selu",
    "selu_derivative",
    "elu",
    "elu_derivative",
    "SELU_ALPHA",
    "SELU_SCALE",
    "gaussian_second_moment",
    "SATURATION_THRESHOLD",
    "saturated_fraction",
    "dead_fraction",
]


# --------------------------------------------------------------------------
# Functions and derivatives (derivatives take z; see Activation for the
# cheaper form from the output a)
# --------------------------------------------------------------------------


def sigmoid(z):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`, computed as :math:`(1 + \tanh(z/2))/2`.

    The tanh form never overflows, so ``sigmoid(-1000.0)`` is 0.0 without a
    warning. Its largest derivative is :math:`\sigma'(0) = 1/4`.
    """
    z = np.asarray(z, dtype=float)
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def sigmoid_derivative(z):
    r""":math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, at most 1/4."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    r""":math:`\tanh(z)`, with :math:`\tanh(0) = 0` and :math:`\tanh'(0) = 1`."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z):
    r""":math:`\tanh'(z) = 1 - \tanh^2(z)`."""
    t = np.tanh(np.asarray(z, dtype=float))
    return 1.0 - t * t


def relu(z):
    r""":math:`\max(z, 0)`."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_derivative(z):
    r"""1 where :math:`z > 0`, else 0 (including at :math:`z = 0`)."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def leaky_relu(z, slope=0.01):
    r""":math:`z` where :math:`z > 0`, else :math:`\text{slope}\cdot z`."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    r"""1 where :math:`z > 0`, else ``slope``."""
    return np.where(np.asarray(z, dtype=float) > 0, 1.0, slope)


def identity(z):
    r""":math:`f(z) = z` (a linear layer)."""
    return np.array(z, dtype=float)


def identity_derivative(z):
    r""":math:`f'(z) = 1`."""
    return np.ones_like(np.asarray(z, dtype=float))


# GELU, SiLU, and the exponential units (expm1 of min(z, 0): no overflow in
# the branch np.where discards)

_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def gelu(z):
    r"""GELU, in its **tanh approximation** (as GPT-2 and ``torch.nn.GELU(approximate="tanh")``).

    .. math:: \mathrm{gelu}(z) = \tfrac12 z \left(1 + \tanh\!\left(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\right)\right)

    The exact form is :math:`z\,\Phi(z)` with :math:`\Phi` the standard normal
    CDF; numpy has no vectorized ``erf``, and the two differ by less than
    :math:`5\cdot 10^{-4}` everywhere (a test measures it), far below
    anything an initialization experiment can see.

    References
    ----------
    Hendrycks & Gimpel 2016, "Gaussian error linear units (GELUs)", arXiv:1606.08415.

    Examples
    --------
    >>> round(float(gelu(1.0)), 4)
    0.8412
    """
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + np.tanh(_GELU_C * (z + _GELU_K * (z * z * z))))


def gelu_derivative(z):
    r"""Derivative of the tanh-approximate :func:`gelu`.

    .. math:: \tfrac12 (1 + t) + \tfrac12 z (1 - t^2)\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\, z^2),
              \quad t = \tanh\!\left(\sqrt{2/\pi}\,(z + 0.044715\,z^3)\right)
    """
    z = np.asarray(z, dtype=float)
    t = np.tanh(_GELU_C * (z + _GELU_K * (z * z * z)))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_K * z * z)


def silu(z):
    r"""SiLU (swish with :math:`\beta = 1`): :math:`z\,\sigma(z)`.

    From Elfwing, Uchibe & Doya 2018; Ramachandran, Zoph & Le 2017 call it swish.
    """
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def silu_derivative(z):
    r""":math:`\sigma(z)\,(1 + z\,(1 - \sigma(z)))`."""
    s = sigmoid(z)
    return s * (1.0 + np.asarray(z, dtype=float) * (1.0 - s))


SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
"""SELU's :math:`\\alpha` and :math:`\\lambda` (Klambauer et al. 2017)."""


def elu(z, alpha=1.0):
    r"""ELU: :math:`z` where :math:`z > 0`, else :math:`\alpha (e^z - 1)`.

    References
    ----------
    Clevert, Unterthiner & Hochreiter 2016, "Fast and accurate deep network
    learning by exponential linear units (ELUs)", ICLR.

    Examples
    --------
    >>> elu(np.array([-1.0, 2.0])).round(4)
    array([-0.6321,  2.    ])
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_derivative(z, alpha=1.0):
    r"""1 where :math:`z > 0`, else :math:`\alpha e^z` (= ``elu(z) + alpha``)."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu(z):
    r"""SELU: :math:`\lambda\,\mathrm{elu}_\alpha(z)` with the constants :data:`SELU_SCALE`, :data:`SELU_ALPHA`.

    .. math:: \mathrm{selu}(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^z - 1) & z \le 0 \end{cases}

    The constants make mean 0 and variance 1 a fixed point for
    :math:`z \sim \mathcal{N}(0, 1)`: :math:`E[\mathrm{selu}(z)] = 0`,
    :math:`E[\mathrm{selu}(z)^2] = 1`.

    References
    ----------
    Klambauer, Unterthiner, Mayr & Hochreiter 2017, "Self-normalizing neural
    networks", NeurIPS.

    Examples
    --------
    >>> round(float(selu(1.0)), 4)
    1.0507
    """
    return SELU_SCALE * elu(z, SELU_ALPHA)


def selu_derivative(z):
    r""":math:`\lambda` where :math:`z > 0`, else :math:`\lambda\alpha e^z`."""
    return SELU_SCALE * elu_derivative(z, SELU_ALPHA)


def gaussian_second_moment(function, n=100):
    r""":math:`E[f(z)^2]` for :math:`z \sim \mathcal{N}(0, 1)`, by ``n``-point Gauss–Legendre quadrature.

    .. math:: E[f(z)^2] = \int_0^{\infty} \left(f(z)^2 + f(-z)^2\right) \varphi(z)\, dz,
              \qquad \varphi(z) = e^{-z^2/2}/\sqrt{2\pi},

    the nodes on :math:`[0, 12]` (the tail weighs :math:`< 10^{-30}`). Splitting at 0 puts the kink
    of ReLU, ELU and SELU at an end point: each piece is smooth, so the rule
    converges to rounding error (Gauss–Hermite across the kink does not).

    Examples
    --------
    >>> round(gaussian_second_moment(relu), 12)
    0.5
    """
    t, w = np.polynomial.legendre.leggauss(int(n))
    x = 6.0 * (t + 1.0)
    w = 6.0 * w * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    f2 = np.asarray(function(x), dtype=float) ** 2 + np.asarray(function(-x), dtype=float) ** 2
    return float(w @ f2)


# --------------------------------------------------------------------------
# Where an activation stops passing gradients (used by diagnostics and by
# train(record_stats=True) alike)
# --------------------------------------------------------------------------

SATURATION_THRESHOLD = 0.99
"""A tanh unit with :math:`|a| > 0.99` (sigmoid: :math:`a > 0.99` or :math:`1 - a > 0.99`) counts as saturated.
There the derivative is below 0.02 (tanh) or 0.0099 (sigmoid)."""


def saturated_fraction(a, activation="tanh", threshold=SATURATION_THRESHOLD):
    r"""Fraction of the entries of ``a`` (any shape) in the flat tails of a sigmoid or tanh.

    tanh: :math:`|a| > t`; sigmoid: :math:`a > t` or :math:`1 - a > t`: exactly at the threshold is not saturated,
    in float64 too (``a < 1 - t`` would count ``a = 0.01``, as ``1 - 0.99 == 0.010000000000000009``).

    Examples
    --------
    >>> saturated_fraction(np.array([0.01, 0.99, 0.005, 0.995]), "sigmoid")  # the edges are not saturated
    0.5
    """
    a = np.asarray(a, dtype=float)
    name = getattr(activation, "name", activation)
    if name == "tanh":
        return float(np.mean(np.abs(a) > threshold))
    if name == "sigmoid":
        return float(np.mean((a > threshold) | (1.0 - a > threshold)))
    raise ValueError(f"saturated_fraction is defined for activation 'sigmoid' or 'tanh', got {name!r}")


def dead_fraction(z):
    """Fraction of pre-activations ``z <= 0``: ReLU units that output 0 and pass no gradient.

    Examples
    --------
    >>> dead_fraction(np.array([-1.0, 0.0, 2.0, 3.0]))
    0.5
    """
    return float(np.mean(np.asarray(z, dtype=float) <= 0))


class Activation:
    """A named activation function with its derivative.

    Parameters
    ----------
    name : str
        Name used in ``repr`` and for :func:`initlib.init.calculate_gain`.
    function : callable
        ``a = function(z)``.
    derivative : callable
        ``derivative(z, a)`` returns :math:`f'(z)` given both ``z`` and
        ``a = f(z)`` (each implementation uses whichever is cheaper; ReLU's
        returns the boolean mask ``a > 0``, which multiplies like 0 and 1).
    gain : float
        The recommended initialization gain for this activation.
    saturates : {"saturated", "dead", None}
        What a diagnostic should count for this activation: saturated units
        (sigmoid, tanh) or dead units (ReLU), or nothing.

    Examples
    --------
    >>> act = get("tanh")
    >>> act(0.0), act.derivative(0.0)
    (0.0, 1.0)
    """

    def __init__(self, name, function, derivative, gain, saturates=None):
        self.name = name
        self.function = function
        self._derivative = derivative
        self.gain = float(gain)
        self.saturates = saturates

    def __call__(self, z):
        out = self.function(np.asarray(z, dtype=float))
        return float(out) if np.ndim(out) == 0 else out

    def derivative(self, z, a=None):
        """Return :math:`f'(z)`; pass ``a = f(z)`` too if you have it, to save work."""
        z = np.asarray(z, dtype=float)
        if a is None:
            a = self.function(z)
        out = np.asarray(self._derivative(z, np.asarray(a, dtype=float)), dtype=float)
        return float(out) if np.ndim(out) == 0 else out

    def __repr__(self):
        return f"Activation({self.name!r}, gain={self.gain:.4g})"


def leaky(slope=0.01):
    """Return a leaky-ReLU :class:`Activation` with the given negative ``slope``.

    Examples
    --------
    >>> leaky(0.2)
    Activation('leaky_relu(0.2)', gain=1.387)
    """
    slope = check_finite_float(slope, "slope")
    return Activation(
        f"leaky_relu({slope:g})",
        lambda z: np.where(z > 0, z, slope * z),
        lambda z, a: np.where(z > 0, 1.0, slope),
        gain=np.sqrt(2.0 / (1.0 + slope**2)),
        saturates="dead",
    )


ACTIVATIONS = {
    "sigmoid": Activation(
        "sigmoid", sigmoid, lambda z, a: a * (1.0 - a), gain=1.0, saturates="saturated"
    ),
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, gain=5.0 / 3.0, saturates="saturated"),
    "relu": Activation(
        "relu", lambda z: np.maximum(z, 0.0), lambda z, a: a > 0, gain=np.sqrt(2.0), saturates="dead"
    ),
    "leaky_relu": leaky(0.01),
    "identity": Activation("identity", lambda z: np.array(z, dtype=float), lambda z, a: np.ones_like(z), gain=1.0),
}
ACTIVATIONS["gelu"] = Activation("gelu", gelu, lambda z, a: gelu_derivative(z), gain=1.0)
ACTIVATIONS["silu"] = Activation("silu", silu, lambda z, a: silu_derivative(z), gain=1.0)
ACTIVATIONS["elu"] = Activation("elu", elu, lambda z, a: np.where(z > 0, 1.0, a + 1.0), gain=1.0)
_selu_da = SELU_SCALE * SELU_ALPHA  # selu' = selu + lambda * alpha on z <= 0
ACTIVATIONS["selu"] = Activation("selu", selu, lambda z, a: np.where(z > 0, SELU_SCALE, a + _selu_da), gain=0.75)
for _name in ("gelu", "silu", "elu"):  # no entry in the gain table: the variance-preserving gain
    ACTIVATIONS[_name].gain = 1.0 / math.sqrt(gaussian_second_moment(ACTIVATIONS[_name].function))
ACTIVATIONS["leaky_relu"].name = "leaky_relu"
ACTIVATIONS["linear"] = ACTIVATIONS["identity"]
"""Activations keyed by name (``"linear"`` is an alias of ``"identity"``)."""


def get(activation):
    """Resolve an :class:`Activation` from its name, or pass one through.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> get("relu").name
    'relu'
    """
    if isinstance(activation, Activation):
        return activation
    check_choice(activation, "activation", ACTIVATIONS)
    return ACTIVATIONS[activation]
