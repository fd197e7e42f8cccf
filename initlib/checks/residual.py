r"""Checks for the residual-networks chapter's implement exercise.

- :func:`check_fixup_branch` -- exercise ``ex-residual-fixup``: Fixup's
  initialization of one residual branch of ``m`` layers, tested for its zero
  last layer, the std and the law of the other layers, their independence,
  the use of the generator and the error for ``m < 2``.
"""
from __future__ import annotations

import math

import numpy as np

from ._core import FAILED, Checker
from .scaling import KS, Z, law_statistics

__all__ = ["check_fixup_branch"]

#: initlib has no implementation of Fixup to forbid: drawing the He layers with
#: initlib.init.he_normal is allowed (the exercise is the composition).
FORBIDDEN: list[str] = []


def _factor(n_blocks, m):
    return n_blocks ** (-1.0 / (2 * m - 2))


def _mistake(ratio, n_blocks, m, tol):
    """Name the usual mistake whose factor matches ``ratio`` = measured std / sqrt(2 / width), or ""."""
    L, right = n_blocks, _factor(n_blocks, m)
    candidates = [
        (L ** (-1.0 / (2 * m)), f"{L}^(-1/(2m)) = {L}^(-1/{2 * m}): the exponent is -1/(2m - 2), not -1/(2m)"),
        (L ** (-1.0 / (m - 1)), f"{L}^(-1/(m - 1)), the factor of the variance: the std takes its square root, "
                                f"{L}^(-1/(2m - 2))"),
        (L ** -0.5, f"1/sqrt({L}) = {L}^(-1/2), the factor of the whole branch: Fixup spreads it over the "
                    f"m - 1 = {m - 1} random layers, {L}^(-1/(2m - 2)) each"),
        (L ** (-1.0 / (2 * m - 1)), f"{L}^(-1/(2m - 1)): the exponent is -1/(2m - 2)"),
        (L ** (1.0 / (2 * m - 2)), f"{L}^(+1/(2m - 2)): the factor shrinks the layers, the exponent is negative"),
        (1.0, "1: plain He normal, the factor L^(-1/(2m - 2)) is missing"),
        (right / math.sqrt(2.0), "a std of sqrt(1/width) times the factor: He's factor 2 is missing, "
                                 "std = sqrt(2/width)"),
        (right**2, f"the factor applied twice (or squared), {L}^(-1/(m - 1))"),
        (right * math.sqrt(2.0 / 1.0), "sqrt(2) times the right std: is the factor 2 outside the square root?"),
    ]
    hits = [hint for value, hint in candidates
            if abs(value - right) > 3 * tol * right and abs(ratio - value) <= tol * value]
    return f" It matches {'; or '.join(hits)}." if hits else ""


def _layers(c, out, what, m, width):
    """Check that ``out`` is a list or tuple of ``m`` float arrays of shape (width, width); return them or None."""
    if out is FAILED:
        return None
    if isinstance(out, np.ndarray):
        c.fail(f"{what} returned one array of shape {out.shape}; expected a list of {m} arrays, one per layer.")
        return None
    if not isinstance(out, (list, tuple)):
        kind = "None (did you forget the return statement?)" if out is None else type(out).__name__
        c.fail(f"{what} returned {kind}; expected a list of {m} arrays, one per layer of the branch.")
        return None
    if len(out) != m:
        c.fail(f"{what} returned {len(out)} arrays; expected m = {m}, one per layer of the branch.")
        return None
    for k, W in enumerate(out):
        if not c.array(W, f"layer {k} of {what}", shape=(width, width), hint=" = (width, width)"):
            return None
    return [np.asarray(W) for W in out]


def _branch(c, fixup_branch, width, m, n_blocks, seed):
    """One call: zero last layer; std, law and independence of the others. Returns the layers or None."""
    what = f"fixup_branch({width}, {m}, {n_blocks}, rng=np.random.default_rng({seed}))"
    out = c.call_as(what, fixup_branch, width, m, n_blocks, rng=np.random.default_rng(seed))
    layers = _layers(c, out, what, m, width)
    if layers is None:
        return None
    n = width * width
    last = layers[-1]
    if np.any(last != 0):
        c.fail(f"the last layer of {what} has std {float(last.std()):.4g}; expected all zeros (Fixup starts the last "
               "layer of every branch at zero, it does not rescale it).")
    he = math.sqrt(2.0 / width)
    expected = he * _factor(n_blocks, m)
    tol = Z / math.sqrt(2.0 * n)  # the sampling error of a std is about std / sqrt(2 n)
    for k, W in enumerate(layers[:-1]):
        s = law_statistics(W)
        if s["zeros"] > 0.5:
            c.fail(f"layer {k} of {what} is {s['zeros']:.0%} zeros; only the last layer starts at zero.")
            continue
        if abs(s["sd"] - expected) > tol * expected:
            c.fail(f"layer {k} of {what} has std {s['sd']:.4g}; expected sqrt(2/{width}) * {n_blocks}^(-1/{2 * m - 2}) "
                   f"= {expected:.4g}.{_mistake(s['sd'] / he, n_blocks, m, tol)}")
        if abs(s["mean"]) > Z * expected / math.sqrt(n):
            c.fail(f"layer {k} of {what} has mean {s['mean']:.3g}; expected 0 (a zero-mean normal law).")
        if abs(s["kurtosis"]) > Z or s["ks"] > KS:
            c.fail(f"layer {k} of {what} does not look normal (kurtosis {s['kurtosis_value']:.2f}, a normal law has 3, "
                   "a uniform one 1.8): draw with rng.normal (or rng.standard_normal times the std).")
    for k in range(len(layers) - 2):
        a, b = layers[k].ravel(), layers[k + 1].ravel()
        if a.std() > 0 and b.std() > 0:
            r = float(np.corrcoef(a, b)[0, 1])
            if abs(r) * math.sqrt(n) > Z:
                same = " (the same matrix)" if np.allclose(a / a.std(), b / b.std()) else ""
                c.fail(f"layers {k} and {k + 1} of {what} are correlated (r = {r:.3f}){same}; draw every layer "
                       "afresh from rng.")
    return layers


def check_fixup_branch(fixup_branch, *, seed=None):
    r"""Check a student's ``fixup_branch(width, m, n_blocks, *, rng)``.

    Expected: a list of ``m`` arrays of shape ``(width, width)``, the weight
    matrices of one residual branch of ``m >= 2`` layers in a network of
    ``n_blocks`` blocks, initialized as in Fixup (Zhang, Dauphin and Ma, 2019):
    the last all zeros, each of the others drawn with the generator ``rng``
    from :math:`\mathcal N(0, 2/\text{width})` (He normal) and multiplied by
    :math:`L^{-1/(2m-2)}`, :math:`L` = ``n_blocks``. ``m < 2`` raises
    ``ValueError``.

    Cases, drawn afresh at each run (widths 150 to 250, depths 5 to 200): a
    branch of 2 layers, one of 3 and one of 4 or 5 layers, each tested for its
    zero last layer, the std of the other layers (a wrong factor is compared
    with the usual mistakes: the exponent -1/(2m), the variance's exponent,
    1/sqrt(L) for every m, a missing factor 2), their normal law, and the
    independence of consecutive layers; a network of one block (factor 1);
    ``m = 1`` raises ``ValueError``; and reproducibility (the same generator
    seed gives the same layers, another seed others). Each statistical test is
    a 6-sigma test; the false-failure rate of a correct solution is below
    1e-6 per run.

    Examples
    --------
    >>> def fixup_branch(width, m, n_blocks, *, rng):
    ...     if m < 2:
    ...         raise ValueError("m >= 2")
    ...     f = n_blocks ** (-1 / (2 * m - 2))
    ...     return [rng.normal(0, np.sqrt(2 / width), (width, width)) * f for _ in range(m - 1)] + [np.zeros((width, width))]
    >>> check_fixup_branch(fixup_branch, seed=0)
    ✔ fixup_branch: all 8 cases passed.

    Used in: the residual networks chapter.
    """
    c = Checker("fixup_branch", forbidden=FORBIDDEN, seed=seed)
    rng = c.rng
    seeds = [int(s) for s in rng.integers(0, 2**31, size=6)]
    widths = [int(w) for w in rng.integers(150, 251, size=4)]
    depths = [int(d) for d in rng.integers(5, 201, size=3)]
    long_m = int(rng.integers(4, 6))
    _branch(c, fixup_branch, widths[0], 2, depths[0], seeds[0])
    _branch(c, fixup_branch, widths[1], 3, depths[1], seeds[1])
    _branch(c, fixup_branch, widths[2], long_m, depths[2], seeds[2])
    _branch(c, fixup_branch, widths[3], 2, 1, seeds[3])  # one block: the factor is 1
    c.raises(ValueError, fixup_branch, widths[3], 1, depths[0], rng=np.random.default_rng(seeds[3]),
             why="a branch of m = 1 layer has no Fixup factor: L^(-1/(2m - 2)) divides by zero")
    # reproducibility: the randomness must come from the rng argument
    w, L = 20 + int(rng.integers(0, 20)), int(rng.integers(5, 50))
    first = c.call_as(f"fixup_branch({w}, 3, {L}, rng=np.random.default_rng({seeds[4]}))",
                      fixup_branch, w, 3, L, rng=np.random.default_rng(seeds[4]))
    again = c.call_as(f"fixup_branch({w}, 3, {L}, rng=np.random.default_rng({seeds[4]})) (again)",
                      fixup_branch, w, 3, L, rng=np.random.default_rng(seeds[4]))
    if all(isinstance(v, (list, tuple)) and len(v) == 3 and all(np.shape(x) == (w, w) for x in v)
           for v in (first, again)):
        c.expect(all(np.array_equal(a, b) for a, b in zip(first, again)),
                 f"two calls fixup_branch({w}, 3, {L}, rng=np.random.default_rng({seeds[4]})) returned different "
                 "layers: draw from the rng argument, not from np.random.")
        other = c.call_as(f"fixup_branch({w}, 3, {L}, rng=np.random.default_rng({seeds[5]}))",
                          fixup_branch, w, 3, L, rng=np.random.default_rng(seeds[5]))
        if isinstance(other, (list, tuple)) and len(other) == 3 and np.shape(other[0]) == (w, w):
            c.expect(not np.array_equal(first[0], other[0]),
                     f"fixup_branch({w}, 3, {L}) returned the same first layer for generators of seeds {seeds[4]} "
                     f"and {seeds[5]}: draw from the rng argument, not from a generator with a fixed seed.")
    c.done()
