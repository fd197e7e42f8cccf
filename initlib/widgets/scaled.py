"""Deep networks whose weights are a fixed draw times a factor (set in place), and the
critical gain that keeps their signal steady: what the scale and gain explorers share.
"""
from __future__ import annotations

import math

import numpy as np

from .. import activations as _activations
from .._validate import check_positive_int
from ..mlp import MLP

__all__ = ["critical_gain"]


class _ScaledNet:
    """A deep MLP with weights ``factor * W0``: ``W0`` is drawn once, the factor is set in place."""

    def __init__(self, activation, depth, width, n_samples, seed, base="normal"):
        self.depth = check_positive_int(depth, "depth")
        self.width = check_positive_int(width, "width")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        sizes = [self.width] * (self.depth + 1) + [1]
        # base "normal": standard normal weights (the scale explorer's "normal times scale");
        # base "he": std 1/sqrt(fan_in), so that the factor is the gain of std = gain / sqrt(fan_in)
        kwargs = {"gain": 1.0} if base == "he" else {}
        self.net = MLP(sizes, activation=activation, init="normal" if base == "normal" else "he_normal",
                       seed=seed, init_kwargs=kwargs)
        self.W0 = [w.copy() for w in self.net.W]
        rng = np.random.default_rng([seed, 1])
        self.X = rng.standard_normal((self.n_samples, self.width))
        self.y = (rng.random((self.n_samples, 1)) < 0.5).astype(float)
        self.factor = None

    def set(self, factor):
        if factor != self.factor:
            for W, W0 in zip(self.net.W, self.W0):
                np.multiply(W0, factor, out=W)
            self.factor = factor
        return self.net


_CRITICAL = {"relu": math.sqrt(2.0), "tanh": 1.0, "identity": 1.0, "linear": 1.0, "sigmoid": 4.0}


def critical_gain(activation):
    r"""The gain ``g`` at which ``std(W) = g / sqrt(fan_in)`` neither shrinks nor grows the signal.

    - ReLU: :math:`\sqrt 2` (He et al., 2015): half the units pass, so the
      variance needs a factor 2.
    - tanh: 1. Near 0, :math:`\tanh z \approx z`, so each layer multiplies the
      variance by :math:`g^2`; :math:`g = 1` is the boundary between
      exponentially vanishing (:math:`g < 1`) and exponentially exploding
      gradients (:math:`g > 1`), the "edge of chaos" of mean-field theory
      (Poole et al., 2016; Schoenholz et al., 2017). At :math:`g = 1` itself
      the signal still fades, but slowly (like a power of the depth: over 20
      layers of 256 units the forward std falls from 0.63 to 0.16 and the
      gradient tenfold), because :math:`\tanh' < 1` away from 0. PyTorch's
      ``calculate_gain("tanh") = 5/3`` is a different, empirical choice: it
      keeps the *forward* std near 0.65 at every depth, at the price of
      gradients that grow towards the input (fourfold over those 20
      layers). ``gain_explorer("tanh", critical=5/3)`` compares the two.
    - sigmoid: 4 (:math:`\sigma'(0) = 1/4`); leaky ReLU with slope
      :math:`a`: :math:`\sqrt{2/(1+a^2)}`; identity: 1.

    Examples
    --------
    >>> critical_gain("relu") == 2 ** 0.5, critical_gain("tanh")
    (True, 1.0)
    """
    act = _activations.get(activation)
    if act.name in _CRITICAL:
        return _CRITICAL[act.name]
    if act.name.startswith("leaky_relu"):
        return float(act.gain)
    raise ValueError(f"critical_gain is defined for relu, leaky_relu, tanh, sigmoid and identity; got {act.name!r}")
