r"""Checks for the orthogonal chapter's implement exercise.

- :func:`check_orthogonal` -- exercise ``ex-ortho-qr``: a (semi-)orthogonal
  matrix of shape ``(fan_in, fan_out)`` whose law is uniform (Haar), built by
  a QR decomposition with the sign correction.

Two statistics test the law. Each fails a correct function with probability
below :data:`FALSE_FAILURE_RATE` (:math:`10^{-6}`), whatever the sizes drawn,
so a correct function fails the check with probability below
:math:`2 \cdot 10^{-6}`:

1. **Signs of the diagonal.** Flipping the sign of any row of a
   Haar-distributed :math:`W` gives a matrix with the same law, so the signs
   of its diagonal entries are independent fair coins, and the number of
   negative ones among :math:`K` is exactly Binomial(:math:`K`, 1/2). QR
   without the sign correction leaves about 80 % of them negative (LAPACK's
   Householder reflections fix the signs of :math:`R`'s diagonal by a rule,
   not at random). The check fails when the count is further from
   :math:`K/2` than the exact binomial tail allows at :math:`10^{-6}`.
2. **Directions in coordinate planes.** A Haar column (or row) is a uniform
   point :math:`u` of the sphere, :math:`u = g/\lVert g\rVert` for a standard
   normal :math:`g`, so the angles :math:`\theta` of the pairs
   :math:`(u_{2i}, u_{2i+1})` are independent and uniform on the circle. The
   check averages :math:`\cos k\theta` and :math:`\sin k\theta`,
   :math:`k = 1..4`, over about 4000 angles; each average lies in
   :math:`[-1, 1]` with mean 0, and Hoeffding's inequality with a union bound
   over the 8 averages gives :math:`P(\text{any} > t) \le 16 e^{-N t^2/2} =
   10^{-6}`. QR of a matrix with uniform instead of normal entries crowds the
   directions toward the diagonals: the mean of :math:`\cos 4\theta` is
   then :data:`UNIFORM_ENTRIES_COS4` :math:`= 3 - \pi = -0.142`, beyond the
   threshold :math:`t \approx 0.09`.
"""
from __future__ import annotations

import math

import numpy as np

from ._core import FAILED, Checker

__all__ = ["check_orthogonal"]

#: what computes the answer in initlib (MLP(init="orthogonal") and init.get reach it too)
FORBIDDEN = ["initlib.init:orthogonal"]

FALSE_FAILURE_RATE = 1e-6
"""Bound on the probability that each law statistic fails a correct function."""

UNIFORM_ENTRIES_COS4 = 3.0 - math.pi
r"""Mean of :math:`\cos 4\theta` for the direction of a point uniform in a square,
:math:`\frac12 \int_{-\pi/4}^{\pi/4} \cos 4\theta \sec^2\theta\, d\theta = 3 - \pi`:
what QR of a matrix with uniform entries gives."""

N_SIGN_DRAWS = 10
"""Draws of each of a square, a tall and a wide shape for the sign statistic."""

N_DIRECTION_DRAWS = 20
"""Draws of a tall vector and of a wide one for the direction statistic."""


def binomial_threshold(K, rate=FALSE_FAILURE_RATE):
    """Smallest ``c`` with P(|Binomial(K, 1/2) - K/2| >= c) <= ``rate``, computed exactly."""
    total = 2**K
    tail = 0  # P(X <= k) * 2**K
    for k in range(K // 2 + 1):
        tail += math.comb(K, k)
        if 2 * tail / total > rate:
            return K / 2 - k + 1  # counts up to k - 1 (and symmetrically) stay within the rate
    return 0.0


def direction_threshold(N, rate=FALSE_FAILURE_RATE, n_moments=8):
    """``t`` with ``2 n_moments exp(-N t^2 / 2) = rate`` (Hoeffding, union bound over the moments)."""
    return math.sqrt(2.0 * math.log(2 * n_moments / rate) / N)


def pair_angles(u):
    """Angles of the pairs ``(u[0], u[1]), (u[2], u[3]), ...`` of a vector (an odd last entry is dropped)."""
    u = np.asarray(u, dtype=float).ravel()
    u = u[: 2 * (u.size // 2)].reshape(-1, 2)
    return np.arctan2(u[:, 1], u[:, 0])


def _label(fan_in, fan_out):
    return f"orthogonal({fan_in}, {fan_out}, rng=...)"


def _draw(c, orthogonal, fan_in, fan_out):
    """One call; type, shape (with the usual mistakes named), dtype and finiteness. The array or None."""
    W = c.call_as(_label(fan_in, fan_out), orthogonal, fan_in, fan_out, rng=np.random.default_rng(c.rng.integers(2**63)))
    if W is FAILED:
        return None
    if isinstance(W, np.ndarray) and fan_in != fan_out and W.shape == (fan_out, fan_in):
        c.fail(f"{_label(fan_in, fan_out)} has shape {W.shape}, the transpose of (fan_in, fan_out) = {(fan_in, fan_out)}.")
        return None
    hint = " = (fan_in, fan_out)"
    if isinstance(W, np.ndarray) and fan_in < fan_out and W.shape == (fan_in, fan_in):
        hint += (f": np.linalg.qr of a wide {fan_in} x {fan_out} matrix returns a square Q; take the QR of the "
                 "tall transpose and transpose Q")
    if not c.array(W, _label(fan_in, fan_out), shape=(fan_in, fan_out), hint=hint):
        return None
    return W


def _orthonormal(c, W, fan_in, fan_out):
    """W.T @ W = I (tall) or W @ W.T = I (wide), with the mistake named. Return True if so."""
    tall = fan_in >= fan_out
    k = min(fan_in, fan_out)
    gram = W.T @ W if tall else W @ W.T
    error = float(np.max(np.abs(gram - np.eye(k))))
    if error <= 1e-10:
        return True
    side, what = ("W.T @ W", "columns") if tall else ("W @ W.T", "rows")
    scale = float(np.mean(np.diag(gram)))
    off = float(np.max(np.abs(gram - np.diag(np.diag(gram))))) if k > 1 else 0.0
    if k == 1:
        why = f" Its squared norm is {scale:.4g}: a unit vector was expected."
    elif off <= 1e-10 * max(scale, 1.0):
        why = f" Its {what} are orthogonal but have squared norm {scale:.4g}, not 1: do not rescale Q (no gain here)."
    elif off > 0.05:
        why = (f" Off the diagonal it reaches {off:.3g}: the {what} are not orthogonal. A Gaussian matrix scaled by "
               "1/sqrt(n) has about the right size but is only roughly orthogonal: orthonormalize it with np.linalg.qr.")
    else:
        why = ""
    c.fail(f"{_label(fan_in, fan_out)}: {side} should be the {k} x {k} identity (orthonormal {what}, the short "
           f"side); the largest error is {error:.3g}.{why}")
    return False


def check_orthogonal(orthogonal, *, seed=None):
    r"""Check ``orthogonal(fan_in, fan_out, *, rng)`` (exercise ``ex-ortho-qr``).

    Specification: a float64 array of shape ``(fan_in, fan_out)`` drawn with
    the generator ``rng``, with orthonormal columns when ``fan_in >= fan_out``
    (:math:`W^\top W = I`) and orthonormal rows otherwise
    (:math:`W W^\top = I`), uniformly (Haar) distributed: the QR
    decomposition of a standard normal matrix with each column of :math:`Q`
    multiplied by the sign of the matching diagonal entry of :math:`R`. It
    must not use initlib's own ``init.orthogonal`` (nor
    ``MLP(init="orthogonal")``, which calls it).

    Cases, with sizes and generator seeds drawn afresh at each run: a tall,
    a wide and a square matrix and a tall and a wide vector (shape and
    orthonormality on the short side); two calls with generators of one seed
    (the same array) and one of another (a different one); the two law
    statistics of the module docstring (signs of the diagonal of 30 draws;
    directions of the pairs of entries of 40 vectors). 78 calls in all.

    Parameters
    ----------
    orthogonal : callable
    seed : int, optional
        Seed of the cases (default: fresh entropy at every run).

    Examples
    --------
    >>> def orthogonal(fan_in, fan_out, *, rng):
    ...     q, r = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    ...     q = q * np.sign(np.diag(r))
    ...     return q if fan_in >= fan_out else q.T
    >>> check_orthogonal(orthogonal)
    ✔ orthogonal: all 78 cases passed.
    """
    c = Checker("orthogonal", forbidden=FORBIDDEN, seed=seed)
    r = c.rng
    m, k, n, v = int(r.integers(40, 71)), int(r.integers(8, 31)), int(r.integers(15, 41)), int(r.integers(3, 10))
    shapes = [(m, k), (int(r.integers(8, 31)), int(r.integers(40, 71))), (n, n), (v, 1), (1, v)]
    ok = []
    for shape in shapes:  # each failure is reported with the case that made it
        W = _draw(c, orthogonal, *shape)
        ok.append(W is not None and _orthonormal(c, W, *shape))
    # reproducibility: the randomness comes from the rng argument
    s = int(r.integers(2**63))
    same = [c.call_as(_label(6, 4), orthogonal, 6, 4, rng=np.random.default_rng(t)) for t in (s, s, s + 1)]
    if all(isinstance(w, np.ndarray) and w.shape == (6, 4) for w in same):
        c.expect(np.array_equal(same[0], same[1]), "two calls orthogonal(6, 4, rng=...) with generators of the same "
                                                   "seed returned different arrays: draw from the rng argument, not "
                                                   "from np.random.")
        c.expect(not np.array_equal(same[0], same[2]), "orthogonal(6, 4, rng=...) returned the same array for "
                                                       "generators of different seeds: draw from the rng argument.")
    if all(ok):
        _check_signs(c, orthogonal, shapes[:3])
        _check_directions(c, orthogonal, 2 * int(r.integers(100, 151)))
    c.done()


def _check_signs(c, orthogonal, shapes):
    """Statistic 1: the number of negative diagonal entries is Binomial(K, 1/2)."""
    diagonals = []
    for shape in shapes:
        for _ in range(N_SIGN_DRAWS):
            W = _draw(c, orthogonal, *shape)
            if W is None:
                return
            diagonals.append(np.diag(W))
    d = np.concatenate(diagonals)
    K, negative = d.size, int(np.sum(d < 0))
    limit = binomial_threshold(K)
    if abs(negative - K / 2) < limit:
        return
    hint = ""
    if negative == 0:
        hint = (" Every diagonal entry is positive: the sign must come from R's diagonal, not be chosen to make "
                "W's diagonal positive.")
    elif negative > K / 2:
        hint = (" Without the sign correction, np.linalg.qr leaves most of them negative: multiply each column of Q "
                "by the sign of the matching diagonal entry of R, q * np.sign(np.diag(r)).")
    shown = ", ".join(f"{a} x {b}" for a, b in shapes)
    c.fail(f"the law of W is not uniform (Haar): {negative} of the {K} diagonal entries of {3 * N_SIGN_DRAWS} draws "
           f"({shown}) are negative; for a uniformly distributed orthogonal matrix each is negative with probability "
           f"1/2 ({K / 2:g} expected; a count {limit:.0f} or more away happens with probability below "
           f"{FALSE_FAILURE_RATE:g}).{hint}")


def _check_directions(c, orthogonal, n):
    """Statistic 2: the angles of the pairs of entries of a tall and of a wide vector are uniform."""
    angles = []
    for shape in [(n, 1), (1, n)] * N_DIRECTION_DRAWS:
        W = _draw(c, orthogonal, *shape)
        if W is None:
            return
        angles.append(pair_angles(W))
    theta = np.concatenate(angles)
    N = theta.size
    k = np.arange(1, 5)[:, None]
    moments = np.concatenate([np.cos(k * theta).mean(axis=1), np.sin(k * theta).mean(axis=1)])
    t = direction_threshold(N)
    worst = int(np.argmax(np.abs(moments)))
    if abs(moments[worst]) < t:
        return
    which = f"{'cos' if worst < 4 else 'sin'}({worst % 4 + 1} theta)"
    hint = ""
    if worst % 4 == 3:
        hint = (" The directions crowd toward the diagonals or the axes: draw the matrix from a normal law "
                "(rng.standard_normal); only a Gaussian matrix keeps its law under rotations.")
    c.fail(f"the law of W is not uniform (Haar): the pairs (W[0], W[1]), (W[2], W[3]), ... of {2 * N_DIRECTION_DRAWS} "
           f"vectors of {n} entries ({n} x 1 and 1 x {n}) should point in uniform directions theta; over their {N} "
           f"angles the mean of {which} is {moments[worst]:.3f}, beyond {t:.3f} (which a uniform law exceeds with "
           f"probability below {FALSE_FAILURE_RATE:g}).{hint}")
