r"""Weight initializers.

Every initializer is called the same way::

    W = fn(fan_in, fan_out, rng=rng, **keyword_only)

and returns a new float64 array of shape ``(fan_in, fan_out)``, the layout of
``z = a @ W + b`` used throughout initlib. (PyTorch's ``nn.Linear`` stores the
transpose, ``(fan_out, fan_in)``; the statistics are the same.)

The scaled initializers are built by composition, as in PyTorch's
``torch.nn.init``: a fan (``fan_in``, ``fan_out`` or their mean) and a gain give
a standard deviation,

.. math:: \mathrm{std} = \frac{\mathrm{gain}}{\sqrt{\mathrm{fan}}},

and a uniform draw with that standard deviation has bound
:math:`\sqrt{3}\,\mathrm{std}`, because :math:`\mathrm{Var}\,U(-l, l) = l^2/3`.

Names are resolved by :func:`get`; ``glorot_*`` and ``kaiming_*`` are aliases of
``xavier_*`` and ``he_*``.

Used in: every chapter; derived in the He-scaling chapter.
"""
from __future__ import annotations

import math

import numpy as np

from . import activations as _activations
from ._validate import (
    as_rng,
    check_choice,
    check_finite_float,
    check_nonnegative_float,
    check_positive_int,
)

__all__ = [
    "zeros",
    "constant",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "orthogonal",
    "glorot_normal",
    "glorot_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "calculate_gain",
    "estimate_gain",
    "get",
    "INITIALIZERS",
    "GAINS",
]


def _fans(fan_in, fan_out):
    return check_positive_int(fan_in, "fan_in"), check_positive_int(fan_out, "fan_out")


def _gain(gain):
    return check_nonnegative_float(gain, "gain")


def _pick_fan(fan_in, fan_out, mode):
    check_choice(mode, "mode", ("fan_in", "fan_out"))
    return fan_in if mode == "fan_in" else fan_out


# --------------------------------------------------------------------------
# Gains
# --------------------------------------------------------------------------

GAINS = {
    "linear": lambda param: 1.0,
    "identity": lambda param: 1.0,
    "sigmoid": lambda param: 1.0,
    "tanh": lambda param: 5.0 / 3.0,
    "relu": lambda param: math.sqrt(2.0),
    "leaky_relu": lambda param: math.sqrt(2.0 / (1.0 + param**2)),
    "selu": lambda param: 3.0 / 4.0,
}
"""Gain of each nonlinearity, keyed by name; see :func:`calculate_gain`."""


def calculate_gain(nonlinearity, param=None):
    r"""Return the recommended gain for a nonlinearity.

    The gain is the factor by which ``std = gain / sqrt(fan)`` compensates for
    what the nonlinearity does to the variance of its input.

    ============  =====================================
    nonlinearity  gain
    ============  =====================================
    linear        :math:`1`
    identity      :math:`1`
    sigmoid       :math:`1`
    tanh          :math:`5/3`
    relu          :math:`\sqrt{2}`
    leaky_relu    :math:`\sqrt{2 / (1 + \text{slope}^2)}`
    selu          :math:`3/4`
    ============  =====================================

    Parameters
    ----------
    nonlinearity : str
        One of the names above.
    param : float, optional
        The negative slope of ``leaky_relu`` (default 0.01). Not accepted for
        other nonlinearities.

    Returns
    -------
    float

    References
    ----------
    He et al. 2015 (ReLU: the factor 2); Glorot & Bengio 2010; Klambauer et
    al. 2017 (SELU). Same table as ``torch.nn.init.calculate_gain``, whose
    3/4 for SELU is an empirical choice: for self-normalizing networks
    Klambauer et al. use LeCun normal, i.e. gain 1.

    Examples
    --------
    >>> calculate_gain("relu")
    1.4142135623730951
    >>> round(calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    check_choice(nonlinearity, "nonlinearity", GAINS)
    if nonlinearity == "leaky_relu":
        param = 0.01 if param is None else check_finite_float(param, "param")
    elif param is not None:
        raise ValueError(
            f"param is only used for nonlinearity='leaky_relu' (its negative slope); "
            f"got param={param!r} with nonlinearity={nonlinearity!r}"
        )
    return float(GAINS[nonlinearity](param))


def estimate_gain(activation, *, n=None, seed=None):
    r"""Compute the gain of any activation numerically: the one that keeps unit variance a fixed point.

    .. math:: \mathrm{gain} = \frac{1}{\sqrt{E[f(z)^2]}}, \qquad z \sim \mathcal{N}(0, 1).

    With weights of std :math:`\mathrm{gain}/\sqrt{\mathrm{fan\_in}}`, a layer
    whose input pre-activations have unit variance passes unit variance on:
    :math:`\mathrm{Var}\, z_{l+1} = \mathrm{gain}^2\, E[f(z_l)^2] = 1`. For ReLU
    this is He et al.'s :math:`\sqrt 2`.

    ==========  ==============  ==================================
    activation  estimate        :func:`calculate_gain`
    ==========  ==============  ==================================
    identity    1               1
    relu        1.41421 (√2)    √2
    leaky_relu  1.41414         √(2 / (1 + 0.01²))
    tanh        1.5925          5/3 = 1.6667
    sigmoid     1.8462          1
    selu        1.0000          3/4
    gelu        1.5336          (none; tanh approximation)
    silu        1.6765          (none)
    elu         1.2452          (none)
    ==========  ==============  ==================================

    Where the table follows this argument (identity, ReLU, leaky ReLU) the two
    agree to rounding. Elsewhere it encodes another choice. tanh: 1.59 makes
    unit variance the fixed point of :math:`q_{l+1} = \mathrm{gain}^2
    E[\tanh(\sqrt{q_l} z)^2]`; PyTorch's 5/3 is larger, so the variance
    settles higher, at :math:`q^* \approx 1.18`, where the units are mildly
    saturated and the mean squared slope per layer is
    :math:`\chi = \mathrm{gain}^2 E[\tanh'(\sqrt{q^*} z)^2] \approx 1.21`.
    Neither is the critical gain of a deep tanh network
    (:math:`\chi = 1`), which is 1, reached as the signal shrinks to the
    linear regime (the orthogonal chapter). sigmoid: the table's 1 ignores
    that :math:`\sigma` is not centred. SELU: the constants make
    :math:`E[\mathrm{selu}(z)^2] = 1`, hence 1 here (LeCun normal, as
    Klambauer et al. prescribe); the table's 3/4 is PyTorch's empirical choice.

    Parameters
    ----------
    activation : str, Activation or callable
        A name of :data:`initlib.activations.ACTIVATIONS`, an
        :class:`~initlib.activations.Activation`, or a vectorized ``f(z)``.
    n : int, optional
        Number of points: quadrature nodes (default 100), or sample size
        when ``seed`` is given (default 1,000,000).
    seed : int, optional
        None (default): Gauss–Legendre quadrature on both half-lines
        (:func:`initlib.activations.gaussian_second_moment`), accurate to
        rounding for every activation in the registry. Given: the mean of
        :math:`f(z)^2` over ``n`` draws of :math:`z`; the gain's relative
        standard error is then :math:`\sqrt{\mathrm{Var}\, f^2 / n}\,/\,(2 E f^2)`,
        1.1e-3 for ReLU at the default ``n``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If :math:`E[f(z)^2]` is 0 or not finite (no gain can help).

    Used in: the orthogonal chapter; the gains of GELU, SiLU and ELU in
    :data:`initlib.activations.ACTIVATIONS`.

    Examples
    --------
    >>> round(estimate_gain("relu"), 10)
    1.4142135624
    >>> round(estimate_gain("gelu"), 4), round(estimate_gain("silu"), 4)
    (1.5336, 1.6765)
    >>> round(estimate_gain("relu", seed=0), 2)
    1.41
    """
    if isinstance(activation, (str, _activations.Activation)):
        function = _activations.get(activation).function
    elif callable(activation):
        function = activation
    else:
        raise TypeError(
            f"activation must be an activation name, an Activation or a callable f(z), "
            f"got {type(activation).__name__}"
        )
    if seed is None:
        second = _activations.gaussian_second_moment(function, check_positive_int(100 if n is None else n, "n"))
    else:
        n = check_positive_int(1_000_000 if n is None else n, "n")
        z = as_rng(None, seed).standard_normal(n)
        second = float(np.mean(np.asarray(function(z), dtype=float) ** 2))
    if not np.isfinite(second) or second <= 0.0:
        raise ValueError(f"E[f(z)^2] = {second!r} for z ~ N(0, 1): no gain makes this activation pass a signal")
    return 1.0 / math.sqrt(second)


# --------------------------------------------------------------------------
# Plain initializers
# --------------------------------------------------------------------------


def zeros(fan_in, fan_out, *, rng=None):
    """All-zero weights: every unit of the layer is identical (no symmetry breaking).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the layer.
    rng : numpy.random.Generator, optional
        Accepted for a uniform signature; not used.

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Used in: the symmetry chapter.

    Examples
    --------
    >>> float(zeros(2, 3).sum())
    0.0
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    return np.zeros((fan_in, fan_out))


def constant(fan_in, fan_out, *, value, rng=None):
    """Every weight equal to ``value``: symmetric like :func:`zeros`, but not zero.

    Parameters
    ----------
    fan_in, fan_out : int
    value : float
        The constant (any finite number).
    rng : numpy.random.Generator, optional
        Accepted for a uniform signature; not used.

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Used in: the symmetry chapter.

    Examples
    --------
    >>> constant(2, 2, value=0.5)
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    return np.full((fan_in, fan_out), check_finite_float(value, "value"))


def normal(fan_in, fan_out, *, std=1.0, mean=0.0, rng=None, seed=None):
    r"""Weights drawn from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`, ignoring the fans.

    ``normal(std=1)`` times a scale is the "random init" of the saturation
    chapter: its right size depends on the layer width, which this initializer
    ignores.

    Parameters
    ----------
    fan_in, fan_out : int
    std : float, default 1.0
        Standard deviation, >= 0.
    mean : float, default 0.0
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Examples
    --------
    >>> W = normal(500, 300, std=0.01, rng=np.random.default_rng(0))
    >>> W.shape
    (500, 300)
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    std = check_nonnegative_float(std, "std")
    mean = check_finite_float(mean, "mean")
    rng = as_rng(rng, seed)
    return rng.normal(mean, std, size=(fan_in, fan_out))


def uniform(fan_in, fan_out, *, limit=1.0, rng=None, seed=None):
    r"""Weights drawn from :math:`U(-\text{limit}, \text{limit})`; std is ``limit / sqrt(3)``.

    Parameters
    ----------
    fan_in, fan_out : int
    limit : float, default 1.0
        Half-width of the interval, >= 0.
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Examples
    --------
    >>> W = uniform(100, 100, limit=0.1, rng=np.random.default_rng(0))
    >>> bool(np.abs(W).max() <= 0.1)
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    limit = check_nonnegative_float(limit, "limit")
    rng = as_rng(rng, seed)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


# --------------------------------------------------------------------------
# Variance-scaling initializers: fan and gain give std
# --------------------------------------------------------------------------


def _normal_std(std, fan_in, fan_out, rng, seed):
    return as_rng(rng, seed).normal(0.0, std, size=(fan_in, fan_out))


def _uniform_std(std, fan_in, fan_out, rng, seed):
    bound = math.sqrt(3.0) * std  # Var U(-l, l) = l**2 / 3, so l = sqrt(3) * std
    return as_rng(rng, seed).uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, *, gain=1.0, rng=None, seed=None):
    r"""Glorot/Xavier normal: the compromise between the forward and backward pass.

    .. math:: W_{ij} \sim \mathcal{N}\!\left(0,\ \mathrm{gain}^2 \frac{2}{\mathrm{fan\_in} + \mathrm{fan\_out}}\right)

    Keeps the variance of activations (fan_in) and of gradients (fan_out)
    roughly constant for symmetric activations near the origin (tanh,
    linear).

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, default 1.0
        Use ``calculate_gain("tanh")`` = 5/3 for tanh.
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    Glorot & Bengio 2010, "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS.

    Used in: the He-scaling chapter.

    Examples
    --------
    >>> W = xavier_normal(300, 100, rng=np.random.default_rng(0))
    >>> round(float(W.std()), 3), round((2 / 400) ** 0.5, 3)
    (0.071, 0.071)
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    std = _gain(gain) * math.sqrt(2.0 / (fan_in + fan_out))
    return _normal_std(std, fan_in, fan_out, rng, seed)


def xavier_uniform(fan_in, fan_out, *, gain=1.0, rng=None, seed=None):
    r"""Glorot/Xavier uniform: same variance as :func:`xavier_normal`.

    .. math:: W_{ij} \sim U(-l, l), \qquad l = \mathrm{gain} \sqrt{\frac{6}{\mathrm{fan\_in} + \mathrm{fan\_out}}}

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, default 1.0
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    Glorot & Bengio 2010, equation 16.

    Examples
    --------
    >>> W = xavier_uniform(300, 100, rng=np.random.default_rng(0))
    >>> bool(np.abs(W).max() <= (6 / 400) ** 0.5)
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    std = _gain(gain) * math.sqrt(2.0 / (fan_in + fan_out))
    return _uniform_std(std, fan_in, fan_out, rng, seed)


def he_normal(fan_in, fan_out, *, gain=None, mode="fan_in", rng=None, seed=None):
    r"""He/Kaiming normal: keeps the signal's variance constant through ReLU layers.

    .. math:: W_{ij} \sim \mathcal{N}\!\left(0,\ \frac{\mathrm{gain}^2}{\mathrm{fan}}\right),
              \qquad \mathrm{gain} = \sqrt{2}\ \text{(ReLU)}

    With ``mode="fan_in"`` (default) the forward activations keep their
    variance; with ``mode="fan_out"`` the backward gradients do.

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, optional
        Default ``sqrt(2)``, the ReLU gain; pass ``calculate_gain(...)`` for
        other activations, or any value to explore.
    mode : {"fan_in", "fan_out"}
        Which fan sets the variance.
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    He, Zhang, Ren & Sun 2015, "Delving deep into rectifiers", ICCV,
    equations 10 and 14.

    Used in: the He-scaling chapter; the default of :class:`initlib.MLP`.

    Examples
    --------
    >>> W = he_normal(500, 300, rng=np.random.default_rng(0))
    >>> round(float(W.std()), 3), round((2 / 500) ** 0.5, 3)
    (0.063, 0.063)
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    gain = math.sqrt(2.0) if gain is None else _gain(gain)
    std = gain / math.sqrt(_pick_fan(fan_in, fan_out, mode))
    return _normal_std(std, fan_in, fan_out, rng, seed)


def he_uniform(fan_in, fan_out, *, gain=None, mode="fan_in", rng=None, seed=None):
    r"""He/Kaiming uniform: same variance as :func:`he_normal`.

    .. math:: W_{ij} \sim U(-l, l), \qquad l = \mathrm{gain}\sqrt{\frac{3}{\mathrm{fan}}}

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, optional
        Default ``sqrt(2)`` (ReLU).
    mode : {"fan_in", "fan_out"}
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    He et al. 2015.

    Examples
    --------
    >>> W = he_uniform(600, 10, rng=np.random.default_rng(0))
    >>> bool(np.abs(W).max() <= (6 / 600) ** 0.5)
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    gain = math.sqrt(2.0) if gain is None else _gain(gain)
    std = gain / math.sqrt(_pick_fan(fan_in, fan_out, mode))
    return _uniform_std(std, fan_in, fan_out, rng, seed)


def lecun_normal(fan_in, fan_out, *, gain=1.0, rng=None, seed=None):
    r"""LeCun normal: unit variance per layer for activations with gain 1.

    .. math:: W_{ij} \sim \mathcal{N}\!\left(0,\ \frac{\mathrm{gain}^2}{\mathrm{fan\_in}}\right)

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, default 1.0
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    LeCun, Bottou, Orr & Müller 1998, "Efficient BackProp", section 4.6.

    Examples
    --------
    >>> W = lecun_normal(400, 400, rng=np.random.default_rng(0))
    >>> round(float(W.std()), 3)
    0.05
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    std = _gain(gain) / math.sqrt(fan_in)
    return _normal_std(std, fan_in, fan_out, rng, seed)


def lecun_uniform(fan_in, fan_out, *, gain=1.0, rng=None, seed=None):
    r"""LeCun uniform: same variance as :func:`lecun_normal`, bound :math:`\mathrm{gain}\sqrt{3/\mathrm{fan\_in}}`.

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, default 1.0
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    LeCun et al. 1998.
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    std = _gain(gain) / math.sqrt(fan_in)
    return _uniform_std(std, fan_in, fan_out, rng, seed)


def orthogonal(fan_in, fan_out, *, gain=1.0, rng=None, seed=None):
    r"""A (semi-)orthogonal matrix times ``gain``.

    Draw :math:`A \sim \mathcal{N}(0, 1)` of shape ``(max, min)``, take its QR
    decomposition :math:`A = QR`, and fix the signs with
    :math:`Q \operatorname{diag}(\operatorname{sign} R_{ii})` so that the
    result is uniformly distributed (Haar measure). The columns (if
    ``fan_in >= fan_out``) or rows are orthonormal:

    .. math:: W^\top W = \mathrm{gain}^2 I \quad (\mathrm{fan\_in} \ge \mathrm{fan\_out}).

    Parameters
    ----------
    fan_in, fan_out : int
    gain : float, default 1.0
    rng : numpy.random.Generator
        Source of randomness (or pass ``seed``).

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    References
    ----------
    Saxe, McClelland & Ganguli 2014, "Exact solutions to the nonlinear
    dynamics of learning in deep linear neural networks", ICLR.

    Examples
    --------
    >>> W = orthogonal(4, 3, rng=np.random.default_rng(0))
    >>> np.allclose(W.T @ W, np.eye(3))
    True
    """
    fan_in, fan_out = _fans(fan_in, fan_out)
    gain = _gain(gain)
    rng = as_rng(rng, seed)
    rows, cols = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(rng.standard_normal((rows, cols)))
    q *= np.where(np.diag(r) < 0, -1.0, 1.0)  # sign fix: Haar-distributed Q
    if fan_in < fan_out:
        q = q.T
    return gain * q


glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform

INITIALIZERS = {
    "zeros": zeros,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "orthogonal": orthogonal,
}
"""Initializers keyed by name, aliases included."""


def get(init):
    """Resolve an initializer from its name, or pass a callable through.

    Parameters
    ----------
    init : str or callable
        A key of :data:`INITIALIZERS` (``"he_normal"``, ``"kaiming_normal"``,
        ...) or a function ``fn(fan_in, fan_out, *, rng)``.

    Returns
    -------
    callable

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid names.

    Examples
    --------
    >>> get("kaiming_normal") is he_normal
    True
    """
    if callable(init):
        return init
    if not isinstance(init, str):
        raise TypeError(f"init must be an initializer name or a callable, got {type(init).__name__}")
    if init not in INITIALIZERS:
        raise ValueError(f"unknown init {init!r}; valid: {', '.join(sorted(INITIALIZERS))}")
    return INITIALIZERS[init]
