r"""Checks for the orthogonal chapter's implement exercise.

- :func:`check_orthogonal`: ``orthogonal(fan_in, fan_out, *, rng)`` returns a
  (semi-)orthogonal matrix of shape ``(fan_in, fan_out)`` whose law is uniform
  (Haar), built by a QR decomposition with the sign correction.

Two statistics test the law, each with a false-failure rate below
:math:`10^{-6}` for a correct function (so below :math:`2 \cdot 10^{-6}` in
all), whatever the seeds:

1. **Signs of the diagonal.** For a Haar-distributed :math:`W`, flipping the
   sign of any row gives a matrix with the same law, so the signs of the
   diagonal entries :math:`W_{ii}` are independent fair coins, and the number
   of negative ones among :math:`K` is exactly Binomial(:math:`K`, 1/2). QR
   without the sign correction leaves about 80 % of them negative (LAPACK's
   Householder reflections fix the signs of :math:`R`'s diagonal, not a
   random choice). The check fails when the count is further from
   :math:`K/2` than the exact binomial tail allows at :math:`10^{-6}`.
2. **Direction of a 2 x 1 draw.** A Haar :math:`2 \times 1` matrix is a
   uniform point :math:`(\cos\theta, \sin\theta)` of the circle. The check
   averages :math:`\cos k\theta` and :math:`\sin k\theta`, :math:`k = 1..4`,
   over :math:`N` draws; each average lies in :math:`[-1, 1]` with mean 0, and
   Hoeffding's inequality with a union bound over the 8 averages gives
   :math:`P(\text{any} > t) \le 16 e^{-N t^2 / 2} = 10^{-6}`. A missing sign
   correction shows at :math:`k = 1` (every draw on one side), entries drawn
   from a uniform instead of a normal law at :math:`k = 4` (directions
   crowding toward the diagonals: the mean of :math:`\cos 4\theta` is
   :data:`UNIFORM_ENTRIES_COS4` = :math:`3 - \pi = -0.142`, against the
   threshold :math:`t = 0.091` at :math:`N = 4000`).

Used in: the orthogonal chapter.
"""
from __future__ import annotations

import contextlib
import math
import sys

import numpy as np

from ._core import Checker

__all__ = ["check_orthogonal"]

FALSE_FAILURE_RATE = 1e-6
"""Bound on the probability that each law statistic fails a correct function."""

N_DIRECTIONS = 4000
"""Draws of a 2 x 1 matrix for the direction statistic."""

UNIFORM_ENTRIES_COS4 = 3.0 - math.pi
r"""Mean of :math:`\cos 4\theta` for the direction of a point uniform in a square,
:math:`\frac{1}{2}\int_{-\pi/4}^{\pi/4} \cos 4\theta \sec^2\theta\, d\theta = 3 - \pi`:
what the QR of a matrix with uniform entries gives for a 2 x 1 draw."""


def binomial_threshold(K, rate=FALSE_FAILURE_RATE):
    """Smallest ``c`` with P(|Binomial(K, 1/2) - K/2| >= c) <= ``rate``, computed exactly."""
    total = 2**K
    tail = 0  # P(X <= k) * 2**K, accumulated from k = 0
    for k in range(K // 2 + 1):
        tail += math.comb(K, k)
        if 2 * tail / total > rate:
            return K / 2 - k + 1  # counts k or fewer (or symmetric) stay below the rate only up to k - 1
    return 0.0


def direction_threshold(N, rate=FALSE_FAILURE_RATE, n_moments=8):
    """``t`` with ``2 n_moments exp(-N t^2 / 2) = rate`` (Hoeffding, union bound over the moments)."""
    return math.sqrt(2.0 * math.log(2 * n_moments / rate) / N)


@contextlib.contextmanager
def _library_calls():
    """Record calls of a library's orthogonal initializer made while the block runs."""
    from .. import init as _init

    codes = {_init.orthogonal.__code__: "initlib.init.orthogonal"}
    stats = sys.modules.get("scipy.stats")
    if stats is not None and hasattr(stats, "ortho_group"):
        codes[type(stats.ortho_group).rvs.__code__] = "scipy.stats.ortho_group"
    seen = []
    previous = sys.getprofile()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and codes[frame.f_code] not in seen:
            seen.append(codes[frame.f_code])

    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


def _short_side(c, orthogonal, fan_in, fan_out, rng):
    """Shape, finiteness and orthonormality of one draw; return it (or None)."""
    call = f"orthogonal({fan_in}, {fan_out})"
    W = c.call(orthogonal, fan_in, fan_out, rng=rng)
    if W is not None and np.shape(W) == (fan_out, fan_in) and fan_in != fan_out:
        c.n_cases += 1
        c.failures.append(f"{call} has shape {np.shape(W)}, the transpose of (fan_in, fan_out) = {(fan_in, fan_out)}.")
        return None
    hint = " = (fan_in, fan_out)"
    if fan_in < fan_out and W is not None and np.shape(W) == (fan_in, fan_in):
        hint += f": np.linalg.qr of a wide {fan_in} x {fan_out} matrix returns a square Q; take the QR of the tall transpose and transpose Q"
    if not c.array(W, call, shape=(fan_in, fan_out), hint=hint):
        return None
    W = np.asarray(W, dtype=float)
    tall = fan_in >= fan_out
    gram = W.T @ W if tall else W @ W.T
    side = "W.T @ W" if tall else "W @ W.T"
    k = min(fan_in, fan_out)
    error = float(np.max(np.abs(gram - np.eye(k))))
    if error > 1e-10:
        scale = float(np.mean(np.diag(gram)))
        off = float(np.max(np.abs(gram - np.diag(np.diag(gram)))))
        if k == 1:
            why = f" It has squared norm {scale:.4g}: a unit vector was expected."
        elif off <= 1e-10 * max(scale, 1.0):
            why = (f" Its {'columns' if tall else 'rows'} are orthogonal but have squared norm {scale:.4g}, not 1: "
                   "do not rescale Q (this exercise has no gain).")
        elif off > 0.05:
            why = (f" Off the diagonal it reaches {off:.3g}: the {'columns' if tall else 'rows'} are not orthogonal. "
                   "A Gaussian matrix scaled by 1/sqrt(n) has about the right size but is only roughly orthogonal: "
                   "orthonormalize it with np.linalg.qr.")
        else:
            why = ""
        c.expect(False, f"{call}: {side} should be the {k} x {k} identity (orthonormal "
                        f"{'columns' if tall else 'rows'}, the short side); the largest error is {error:.3g}.{why}")
        return None
    c.expect(True, "")
    return W


def check_orthogonal(orthogonal, *, seed=None):
    r"""Check a student's ``orthogonal(fan_in, fan_out, *, rng)``.

    Expected: a float array of shape ``(fan_in, fan_out)`` drawn with the
    generator ``rng``, with orthonormal columns when ``fan_in >= fan_out``
    (:math:`W^\top W = I`) and orthonormal rows otherwise
    (:math:`W W^\top = I`), uniformly (Haar) distributed: the QR decomposition
    of a standard normal matrix, with each column of :math:`Q` multiplied by
    the sign of the matching diagonal entry of :math:`R`.

    Cases: tall, wide, square and vector shapes; orthonormality on the short
    side; reproducibility from ``rng``; the two law statistics of the module
    docstring (signs of the diagonal over 700 entries, directions of 4000
    draws of a 2 x 1 matrix); and no call of a library's orthogonal
    initializer (``initlib.init.orthogonal``, ``scipy.stats.ortho_group``).

    Parameters
    ----------
    orthogonal : callable
    seed : int, optional
        Seed of the generators handed to ``orthogonal``; by default fresh
        entropy at every call, so that no answer can be replayed.

    Examples
    --------
    >>> def orthogonal(fan_in, fan_out, *, rng):
    ...     q, r = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    ...     q = q * np.sign(np.diag(r))
    ...     return q if fan_in >= fan_out else q.T
    >>> check_orthogonal(orthogonal, seed=0)
    ✔ orthogonal: all 15 checks passed.
    """
    c = Checker("orthogonal")
    seeds = np.random.SeedSequence(seed)
    fresh = lambda: np.random.default_rng(seeds.spawn(1)[0])  # noqa: E731
    # the profiler that spots library calls slows every Python call: it watches the
    # shape and reproducibility cases, not the thousands of draws of the law statistics
    with _library_calls() as library:
        if c.call(orthogonal, 3, 2, rng=fresh()) is None:
            if not c.failures:
                c.failures.append("orthogonal(3, 2) returned None; expected an array of shape (3, 2).")
            c.n_cases += 1
            c.done()
        shapes = [(50, 20), (20, 50), (30, 30), (5, 1), (1, 5)]
        drawn = {shape: _short_side(c, orthogonal, *shape, fresh()) for shape in shapes}
        s = int(seeds.generate_state(1)[0])
        first, again, other = (c.call(orthogonal, 6, 4, rng=np.random.default_rng(v)) for v in (s, s, s + 1))
    c.n_cases += 1
    if library:
        c.failures.append(f"orthogonal calls {' and '.join(library)}: implement it with np.linalg.qr and the sign "
                          "correction instead of calling a library's orthogonal initializer.")
    # reproducibility: the randomness comes from the rng argument
    if all(w is not None and np.shape(w) == (6, 4) for w in (first, again, other)):
        c.expect(np.array_equal(first, again), "two calls orthogonal(6, 4) with generators of the same seed returned "
                                               "different arrays: draw from the rng argument, not from np.random.")
        c.expect(not np.array_equal(first, other), "orthogonal(6, 4) returned the same array for generators of "
                                                   "different seeds: draw from the rng argument.")
    if all(w is not None for w in drawn.values()):
        _check_signs(c, orthogonal, fresh)
        _check_directions(c, orthogonal, fresh())
    c.done()


def _check_signs(c, orthogonal, fresh):
    """Statistic 1: the number of negative diagonal entries is Binomial(K, 1/2)."""
    diagonals = []
    for shape, repeats in [((30, 30), 10), ((50, 20), 10), ((20, 50), 10)]:
        for _ in range(repeats):
            W = c.call(orthogonal, *shape, rng=fresh())
            if W is None or np.shape(W) != shape:
                return
            diagonals.append(np.diag(np.asarray(W, dtype=float)))
    d = np.concatenate(diagonals)
    K, negative = d.size, int(np.sum(d < 0))
    limit = binomial_threshold(K)
    hint = ""
    if negative == 0:
        hint = (" Every diagonal entry is positive: the sign must come from R's diagonal, "
                "not be chosen to make W's diagonal positive.")
    elif negative > K / 2:
        hint = (" Without the sign correction, np.linalg.qr leaves most of them negative: multiply each column "
                "of Q by the sign of the matching diagonal entry of R, q * np.sign(np.diag(r)).")
    c.expect(
        abs(negative - K / 2) < limit,
        f"the law of W is not uniform (Haar): {negative} of {K} diagonal entries of W are negative; for a uniformly "
        f"distributed orthogonal matrix each is negative with probability 1/2 ({K // 2} expected, and a count "
        f"{limit:.0f} or more away happens with probability below {FALSE_FAILURE_RATE:g}).{hint}",
    )


def _check_directions(c, orthogonal, rng):
    """Statistic 2: the direction of a 2 x 1 draw is uniform on the circle."""
    points = []
    for _ in range(N_DIRECTIONS):
        W = c.call(orthogonal, 2, 1, rng=rng)
        if W is None or np.shape(W) != (2, 1):
            if W is not None:
                c.n_cases += 1
                c.failures.append(f"orthogonal(2, 1) has shape {np.shape(W)}; expected (2, 1).")
            return
        points.append(np.asarray(W, dtype=float)[:, 0])
    theta = np.arctan2(*np.array(points).T[::-1])
    k = np.arange(1, 5)[:, None]
    moments = np.concatenate([np.cos(k * theta).mean(axis=1), np.sin(k * theta).mean(axis=1)])
    t = direction_threshold(N_DIRECTIONS)
    worst = int(np.argmax(np.abs(moments)))
    which = f"{'cos' if worst < 4 else 'sin'}({worst % 4 + 1} theta)"
    hint = ""
    if worst % 4 == 0:
        hint = " The directions lean to one side: is the sign correction missing?"
    elif worst % 4 == 3:
        hint = (" The directions crowd toward the diagonals or the axes: draw the matrix from a normal law "
                "(rng.standard_normal); only a Gaussian matrix has a rotation-invariant QR.")
    c.expect(
        abs(moments[worst]) < t,
        f"the law of W is not uniform (Haar): over {N_DIRECTIONS} draws of orthogonal(2, 1) = (cos theta, sin theta), "
        f"the mean of {which} is {moments[worst]:.3f}; for a uniform direction it is 0, and beyond {t:.3f} "
        f"with probability below {FALSE_FAILURE_RATE:g}.{hint}",
    )
