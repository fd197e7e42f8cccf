"""Small, seeded toy data sets for the initialization experiments.

Every loader returns ``X_train, y_train, X_test, y_test`` with samples as
rows: ``X`` is float64 of shape ``(n, n_features)``. Binary labels are float64
of shape ``(n, 1)`` with values in ``{0., 1.}``, the target the MLP trains on
with binary cross-entropy. Only :func:`blobs` with ``n_classes > 2`` returns
integer labels of shape ``(n,)``.

Data sets (all two-dimensional except :func:`blobs`):

- :func:`circles` -- a small circle inside a big one (label 1 inside).
- :func:`moons` -- two interleaving half circles.
- :func:`spirals` -- two interleaved spirals, the hardest of the set.
- :func:`xor` -- four Gaussian clusters at ``(+-1, +-1)``; label 1 where the
  two coordinates have different signs.
- :func:`blobs` -- Gaussian blobs around fixed centres, any number of classes
  and features.

Classes are exactly balanced (the first classes get the extra samples when
``n`` does not divide evenly), then shuffled. All randomness comes from one
``numpy.random.Generator`` built from ``seed`` (or passed as ``rng``): the
training set is drawn first, then the test set from the same generator, so a
given seed always gives the same bits and the training set does not depend
on ``n_test``. ``n_test=0`` is allowed and gives empty arrays of shape
``(0, n_features)`` and ``(0, 1)``.

Used in: the symmetry, saturation and He-scaling chapters.

>>> from initlib import data
>>> X_train, y_train, X_test, y_test = data.load("moons", n_train=200, seed=0)
>>> X_train.shape, y_train.shape
((200, 2), (200, 1))
"""
from __future__ import annotations

import numpy as np

from ._validate import (
    as_rng,
    check_choice,
    check_finite_float,
    check_nonnegative_float,
    check_nonnegative_int,
    check_positive_float,
    check_positive_int,
)

__all__ = ["circles", "moons", "spirals", "xor", "blobs", "DATASETS", "get", "load"]


def _split(sample, n_train, n_test, rng, n_classes=2):
    """Draw balanced, shuffled train then test sets with ``sample(labels, rng)``."""
    n_train = check_positive_int(n_train, "n_train")
    n_test = check_nonnegative_int(n_test, "n_test")
    out = []
    for n in (n_train, n_test):
        counts = np.full(n_classes, n // n_classes)
        counts[: n % n_classes] += 1
        labels = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
        X = np.asarray(sample(labels, rng), dtype=np.float64)
        order = rng.permutation(n)
        X, labels = X[order], labels[order]
        y = labels if n_classes > 2 else labels.astype(np.float64).reshape(-1, 1)
        out += [X, y]
    return tuple(out)


def _polar(r, theta):
    return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)


def circles(n_train=300, n_test=100, *, noise=0.05, factor=0.5, seed=1, rng=None):
    """Two concentric circles: outer radius 1 (label 0), inner radius ``factor`` (label 1).

    Angles are uniform on ``[0, 2 pi)``; Gaussian noise of std ``noise`` is
    added to each coordinate. Not linearly separable: a network needs a
    working hidden layer, which makes it a clean test of symmetric or
    saturated initializations.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training (> 0) and test (>= 0) samples.
    noise : float >= 0
        Standard deviation of the Gaussian noise per coordinate.
    factor : float in (0, 1)
        Radius of the inner circle.
    seed, rng : int, numpy.random.Generator
        Seed of a new generator, or a generator to draw from (wins if given).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray of float64
        Shapes ``(n_train, 2)``, ``(n_train, 1)``, ``(n_test, 2)``, ``(n_test, 1)``;
        labels in ``{0., 1.}``.

    Examples
    --------
    >>> X, y, Xt, yt = circles(100, 20, noise=0.0, seed=0)
    >>> bool(np.allclose(np.hypot(*X.T), np.where(y[:, 0] == 1, 0.5, 1.0)))
    True

    Used in: the symmetry, saturation and He-scaling chapters.
    """
    noise = check_nonnegative_float(noise, "noise")
    factor = check_finite_float(factor, "factor")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in the open interval (0, 1), got {factor}")
    rng = as_rng(rng, seed)

    def sample(labels, rng):
        theta = rng.uniform(0.0, 2.0 * np.pi, labels.size)
        r = np.where(labels == 1, factor, 1.0)
        return _polar(r, theta) + noise * rng.standard_normal((labels.size, 2))

    return _split(sample, n_train, n_test, rng)


def moons(n_train=300, n_test=100, *, noise=0.1, seed=1, rng=None):
    """Two interleaving half circles of radius 1, centred on the origin.

    Label 0 is the upper arc ``(cos t, sin t)``, label 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, ``t`` uniform on ``[0, pi]``; both are
    shifted by ``(-0.5, -0.25)`` so the features are centred.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training (> 0) and test (>= 0) samples.
    noise : float >= 0
        Standard deviation of the Gaussian noise per coordinate.
    seed, rng : int, numpy.random.Generator
        Seed of a new generator, or a generator to draw from (wins if given).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray of float64
        Shapes ``(n_train, 2)``, ``(n_train, 1)``, ``(n_test, 2)``, ``(n_test, 1)``;
        labels in ``{0., 1.}``.

    Examples
    --------
    >>> X, y, Xt, yt = moons(seed=0)
    >>> X.shape, y.shape, Xt.shape
    ((300, 2), (300, 1), (100, 2))

    Used in: the symmetry and saturation chapters.
    """
    noise = check_nonnegative_float(noise, "noise")
    rng = as_rng(rng, seed)

    def sample(labels, rng):
        t = rng.uniform(0.0, np.pi, labels.size)
        upper = np.stack([np.cos(t), np.sin(t)], axis=1)
        X = np.where(labels[:, None] == 1, [1.0, 0.5] - upper, upper) - [0.5, 0.25]
        return X + noise * rng.standard_normal((labels.size, 2))

    return _split(sample, n_train, n_test, rng)


def spirals(n_train=300, n_test=100, *, noise=0.05, turns=1.5, seed=1, rng=None):
    """Two interleaved Archimedean spirals, the second rotated by half a turn.

    A point has radius ``r = sqrt(u)``, ``u`` uniform on ``[0, 1]`` (so points
    are spread evenly along the arms), and angle ``2 pi turns r`` (plus ``pi``
    for label 1); features lie in about ``[-1, 1]``. With 1.5 turns the arms
    are 1/3 apart, hence the smaller default noise. Needs a deeper or wider
    network than the other sets.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training (> 0) and test (>= 0) samples.
    noise : float >= 0
        Standard deviation of the Gaussian noise per coordinate.
    turns : float > 0
        Number of turns of each spiral.
    seed, rng : int, numpy.random.Generator
        Seed of a new generator, or a generator to draw from (wins if given).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray of float64
        Shapes ``(n_train, 2)``, ``(n_train, 1)``, ``(n_test, 2)``, ``(n_test, 1)``;
        labels in ``{0., 1.}``.

    Examples
    --------
    >>> X, y, Xt, yt = spirals(200, 0, turns=2.0, seed=3)
    >>> Xt.shape, yt.shape
    ((0, 2), (0, 1))

    Used in: the saturation and He-scaling chapters.
    """
    noise = check_nonnegative_float(noise, "noise")
    turns = check_positive_float(turns, "turns")
    rng = as_rng(rng, seed)

    def sample(labels, rng):
        r = np.sqrt(rng.uniform(0.0, 1.0, labels.size))
        X = _polar(r, 2.0 * np.pi * turns * r + np.pi * labels)
        return X + noise * rng.standard_normal((labels.size, 2))

    return _split(sample, n_train, n_test, rng)


def xor(n_train=300, n_test=100, *, noise=0.25, seed=1, rng=None):
    """Four Gaussian clusters at ``(+-1, +-1)`` with the XOR labelling.

    Label 1 for the clusters at ``(1, -1)`` and ``(-1, 1)`` (coordinates of
    different sign), label 0 for ``(1, 1)`` and ``(-1, -1)``. Each point picks
    one of its class's two clusters at random.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training (> 0) and test (>= 0) samples.
    noise : float >= 0
        Standard deviation of each cluster, per coordinate.
    seed, rng : int, numpy.random.Generator
        Seed of a new generator, or a generator to draw from (wins if given).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray of float64
        Shapes ``(n_train, 2)``, ``(n_train, 1)``, ``(n_test, 2)``, ``(n_test, 1)``;
        labels in ``{0., 1.}``.

    Examples
    --------
    >>> X, y, Xt, yt = xor(8, 0, noise=0.0, seed=0)
    >>> bool(np.all((X[:, 0] * X[:, 1] < 0) == (y[:, 0] == 1)))
    True

    Used in: the symmetry chapter.
    """
    noise = check_nonnegative_float(noise, "noise")
    rng = as_rng(rng, seed)

    def sample(labels, rng):
        sign = rng.choice([-1.0, 1.0], labels.size)
        centres = np.stack([sign, np.where(labels == 1, -sign, sign)], axis=1)
        return centres + noise * rng.standard_normal((labels.size, 2))

    return _split(sample, n_train, n_test, rng)


def blobs(n_train=300, n_test=100, *, n_classes=2, n_features=2, spread=0.5, seed=1, rng=None):
    """Isotropic Gaussian blobs around fixed, well separated centres.

    Class ``k`` is centred at radius 2 and angle ``2 pi k / n_classes`` in the
    plane of the first two features (other features 0); with one feature the
    centres are evenly spaced on ``[-2, 2]``.

    Parameters
    ----------
    n_train, n_test : int
        Numbers of training (> 0) and test (>= 0) samples.
    n_classes : int >= 2
    n_features : int > 0
    spread : float >= 0
        Standard deviation of each blob, per coordinate.
    seed, rng : int, numpy.random.Generator
        Seed of a new generator, or a generator to draw from (wins if given).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        ``X`` is float64 of shape ``(n, n_features)``. With ``n_classes == 2``,
        ``y`` is float64 of shape ``(n, 1)`` in ``{0., 1.}``; with more classes
        it is int64 of shape ``(n,)`` in ``range(n_classes)``.

    Examples
    --------
    >>> X, y, Xt, yt = blobs(90, 30, n_classes=3, n_features=4, seed=0)
    >>> X.shape, y.shape, y.dtype.kind
    ((90, 4), (90,), 'i')

    Used in: the He-scaling chapter.
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    n_features = check_positive_int(n_features, "n_features")
    spread = check_nonnegative_float(spread, "spread")
    rng = as_rng(rng, seed)
    centres = np.zeros((n_classes, n_features))
    if n_features == 1:
        centres[:, 0] = np.linspace(-2.0, 2.0, n_classes)
    else:
        centres[:, :2] = _polar(2.0, 2.0 * np.pi * np.arange(n_classes) / n_classes)

    def sample(labels, rng):
        return centres[labels] + spread * rng.standard_normal((labels.size, n_features))

    return _split(sample, n_train, n_test, rng, n_classes)


DATASETS = {"blobs": blobs, "circles": circles, "moons": moons, "spirals": spirals, "xor": xor}


def get(name):
    """Return the loader registered as ``name`` in :data:`DATASETS`.

    Raises ``ValueError`` listing the valid names for an unknown name.

    >>> get("circles") is circles
    True
    """
    return DATASETS[check_choice(name, "dataset", DATASETS)]


def load(name, **kwargs):
    """Call the loader ``name`` with ``kwargs``; returns ``X_train, y_train, X_test, y_test``.

    >>> X, y, Xt, yt = load("xor", n_train=40, n_test=10, seed=2)
    >>> Xt.shape
    (10, 2)
    """
    return get(name)(**kwargs)
