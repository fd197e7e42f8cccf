"""Argument checks shared by every initlib module.

Each helper raises ``TypeError`` (wrong kind of value) or ``ValueError``
(right kind, wrong value) with a message that names the argument and says
what was expected, so that bad input never turns into a silent NaN.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_rng",
    "check_positive_int",
    "check_nonnegative_int",
    "check_positive_float",
    "check_nonnegative_float",
    "check_finite_float",
    "check_array",
    "check_choice",
]


def as_rng(rng=None, seed=None, *, name="rng"):
    """Return a ``numpy.random.Generator`` from ``rng`` or ``seed``.

    Exactly one source of randomness is used: ``rng`` if given, else a new
    generator from ``seed``. With neither, a ``ValueError`` is raised: initlib
    never draws from global or unseeded state.
    """
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{name} must be a numpy.random.Generator "
                f"(for example numpy.random.default_rng(0)), got {type(rng).__name__}"
            )
        return rng
    if seed is None:
        raise ValueError(
            f"{name} is required: pass rng=numpy.random.default_rng(seed) or seed=<int>; "
            "initlib never draws from unseeded random state"
        )
    if isinstance(seed, bool) or not isinstance(seed, (numbers.Integral, np.random.SeedSequence)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if isinstance(seed, numbers.Integral) and seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(seed)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(value, name):
    """Return ``value`` as ``int`` if it is an integer > 0."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive int, got {value!r} ({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def check_nonnegative_int(value, name):
    """Return ``value`` as ``int`` if it is an integer >= 0."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative int, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value}")
    return int(value)


def check_finite_float(value, name):
    """Return ``value`` as ``float`` if it is a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive_float(value, name):
    """Return ``value`` as ``float`` if it is a finite number > 0."""
    value = check_finite_float(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return value


def check_nonnegative_float(value, name):
    """Return ``value`` as ``float`` if it is a finite number >= 0."""
    value = check_finite_float(value, name)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def check_array(value, name, *, ndim=None, dtype=np.float64):
    """Return ``value`` as a finite numpy array of ``dtype``.

    Parameters
    ----------
    value : array_like
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : numpy dtype
        The dtype to convert to (float64 by default).
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got an array of shape {arr.shape}")
    if arr.size and not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); expected finite numbers")
    return arr


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(choices)}; got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(sorted(choices))}")
    return value
