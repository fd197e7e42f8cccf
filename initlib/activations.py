r"""Activation functions and their derivatives, in a name-keyed registry.

Each :class:`Activation` pairs a function :math:`a = f(z)` with its derivative
:math:`f'(z)`. As in scikit-learn's MLP, the derivative is written from the
output ``a`` where that is cheaper (sigmoid: :math:`a(1-a)`; tanh:
:math:`1-a^2`), so the backward pass never recomputes the forward one.

At :math:`z = 0` the ReLU derivative is taken to be 0 (as in PyTorch). This is
the convention behind the symmetry chapter's result that a zero ReLU layer
with zero biases never learns.

Used in: every chapter; the saturation chapter plots these functions.
"""
from __future__ import annotations

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


# --------------------------------------------------------------------------
# Where an activation stops passing gradients (used by diagnostics and by
# train(record_stats=True) alike)
# --------------------------------------------------------------------------

SATURATION_THRESHOLD = 0.99
"""A tanh unit with :math:`|a| > 0.99` (sigmoid: :math:`a > 0.99` or :math:`1 - a > 0.99`) counts as saturated.
There the derivative is below 0.02 (tanh) or 0.0099 (sigmoid)."""


def saturated_fraction(a, activation="tanh", threshold=SATURATION_THRESHOLD):
    r"""Fraction of entries of ``a`` in the flat tails of a sigmoid or tanh.

    .. math::
        \text{tanh: } |a| > t, \qquad \text{sigmoid: } a > t \ \text{or} \ 1 - a > t,

    with :math:`t` the threshold. A value exactly at the threshold is not
    saturated, in floating point too: the sigmoid's lower tail is tested as
    ``1 - a > threshold``, never as ``a < 1 - threshold``, because
    ``1 - 0.99 == 0.010000000000000009`` would count ``a = 0.01`` as saturated
    while ``1 - 0.01 == 0.99`` exactly.

    Parameters
    ----------
    a : array_like, any shape
        Activations (outputs of the sigmoid or tanh).
    activation : {"tanh", "sigmoid"} or Activation
    threshold : float
        :data:`SATURATION_THRESHOLD` (0.99) by default.

    Returns
    -------
    float
        The fraction of saturated entries, over all of ``a``.

    Examples
    --------
    >>> saturated_fraction(np.tanh(np.array([0.0, 5.0])))
    0.5
    >>> saturated_fraction(np.array([0.01, 0.99, 0.005, 0.995]), "sigmoid")  # the edges are not saturated
    0.5

    Used in: the saturation chapter (its exercise asks for this function) and
    ``train(record_stats=True)``.
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
