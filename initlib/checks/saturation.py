"""Checks for the saturation chapter's implement exercises.

- :func:`check_saturated_fraction` -- exercise ``ex-saturation-fraction``:
  the fraction of activations in the flat tails of a tanh or a sigmoid.
"""
from __future__ import annotations

import numpy as np

from ._core import FAILED, Checker, show

__all__: list[str] = ["check_saturated_fraction"]

FORBIDDEN = ["initlib.activations:saturated_fraction", "initlib.diagnostics:activation_stats"]
#: names that are not an activation the exercise accepts (it names "tanh" and "sigmoid" only)
INVALID = ["relu", "linear", "Tanh", "Sigmoid", "leaky_relu", "TANH", "sigmoid "]


def _rule(a, activation, threshold, *, ge=False, old_sigmoid=False, dtype=np.float64):
    """The exercise's rule, and the variants typical mistakes implement (``>=``, ``a < 1 - t``, float32)."""
    a = np.asarray(a, dtype=dtype)
    t = dtype(threshold)
    gt = np.greater_equal if ge else np.greater
    if activation == "tanh":
        return float(np.mean(gt(np.abs(a), t)))
    low = np.less(a, dtype(1) - t) if old_sigmoid else gt(dtype(1) - a, t)
    return float(np.mean(gt(a, t) | low))


def _reference(a, activation, threshold):
    """The fraction the exercise asks for: tanh |a| > t; sigmoid a > t or 1 - a > t (strict, in float64)."""
    return _rule(a, activation, threshold)


def _mistakes(a, activation, threshold):
    """``(value, hint)`` for what typical wrong solutions return on this case."""
    a = np.asarray(a, dtype=float)
    t = threshold
    upper = float(np.mean(a > t))
    other = "sigmoid" if activation == "tanh" else "tanh"
    out = [
        (_rule(a, activation, t, ge=True), "a value exactly at the threshold was counted as saturated: the rule "
         "is strict, use > (not >=)"),
        (_rule(a, activation, 0.99), "the threshold argument was ignored (0.99 was used)"),
        (upper, "only the upper tail was counted; "
         + ("tanh also saturates near -1: count |a| > threshold" if activation == "tanh"
            else "a sigmoid also saturates near 0: count 1 - a > threshold too")),
        (_rule(a, other, t), f"that is the {other} rule; for {activation!r} saturated means "
         + ("|a| > threshold" if activation == "tanh" else "a > threshold or 1 - a > threshold")),
        (float(np.sum(a > t) + (np.sum(-a > t) if activation == "tanh" else np.sum(1 - a > t))),
         "that is the number of saturated entries; return the fraction (the count divided by a.size)"),
        (_rule(a, activation, t, dtype=np.float32), "that is the fraction computed in float32: at the threshold, "
         "float32 rounding moves values across it; compute in float64"),
        (float(np.float32(_reference(a, activation, t))), "that is the right fraction rounded to float32; keep "
         "float64 throughout"),
    ]
    if activation == "sigmoid":
        out.insert(0, (_rule(a, activation, t, old_sigmoid=True), "values a with 1 - a == threshold in float64 "
                       "were counted: the rule compares 1 - a > threshold, which is not the same as "
                       "a < 1 - threshold after rounding (with threshold 0.99, a = 0.01 is not saturated)"))
    return out


def _boundary_values(t, activation):
    """Values on both sides of every boundary of the rule for threshold ``t``."""
    up = np.nextafter(t, 2.0)
    values = [t, up, np.nextafter(t, 0.0)]
    if activation == "tanh":
        values += [-t, -up, np.nextafter(-t, 0.0)]
    else:
        values += [1.0 - t, 1.0 - up, round(1.0 - t, 10), np.nextafter(1.0 - t, 0.0), np.nextafter(1.0 - t, 1.0)]
    return values


def _case(rng, activation, threshold, about):
    """A small array: boundary values, clearly saturated and clearly unsaturated ones, shuffled."""
    t = 0.99 if threshold is None else threshold
    lo, hi = (-1.0, 1.0) if activation == "tanh" else (0.0, 1.0)
    inside = rng.uniform(lo + (1 - t) * 1.5, hi - (1 - t) * 1.5, size=int(rng.integers(2, 5)))
    tails = rng.uniform(t + (1 - t) * 0.1, 1.0, size=int(rng.integers(1, 4)))
    if activation == "tanh":
        tails = tails * rng.choice([-1.0, 1.0], size=tails.size)
    else:
        tails = np.where(rng.random(tails.size) < 0.5, tails, 1.0 - tails)
    between = []  # saturated for t but not for 0.99: a hard-coded 0.99 misses them
    if threshold is not None and threshold < 0.98:
        between = list(rng.uniform(t + 0.002, 0.98, size=2))
        between[1] = -between[1] if activation == "tanh" else 1.0 - between[1]
    a = np.array(_boundary_values(t, activation) + list(inside) + list(tails) + between)
    return rng.permutation(a), activation, threshold, about


def check_saturated_fraction(saturated_fraction, *, seed=None):
    """Check ``saturated_fraction(a, activation="tanh", threshold=0.99)`` (exercise ``ex-saturation-fraction``).

    Specification: return, as one float64 number, the fraction of the entries
    of ``a`` (any shape) that are saturated: ``|a| > threshold`` for
    ``"tanh"``; ``a > threshold`` or ``1 - a > threshold`` for
    ``"sigmoid"`` (strict: a value exactly at the threshold is not saturated,
    and with threshold 0.99, ``a = 0.01`` is not either, since ``1 - 0.01 ==
    0.99`` in float64); raise ``ValueError`` for any other activation name
    (names are case-sensitive). ``a`` must not be modified. The library's
    ``saturated_fraction`` must not be used.

    Cases, with values and thresholds drawn afresh at each run: for each
    activation, the default threshold and a threshold drawn in [0.85, 0.97]
    (tanh also with the activation left to its default), each array holding
    the values just at, just above and just below every boundary
    (``±threshold``; ``threshold`` and ``1 - threshold``), clearly saturated
    and clearly unsaturated values, and values saturated for the drawn
    threshold but not for 0.99; a 2-D and a 3-D layer of tanh or sigmoid
    units; an array with no saturated entry and one with only saturated
    entries; and invalid names ("relu", "linear", "Tanh", "Sigmoid", ...).
    A wrong value is compared with what the usual mistakes return (``>=``,
    a fixed 0.99, one tail only, the other activation's rule, the count,
    ``a < 1 - threshold``, float32) and the match is named.

    Examples
    --------
    >>> import numpy as np
    >>> def saturated_fraction(a, activation="tanh", threshold=0.99):
    ...     a = np.asarray(a, dtype=float)
    ...     if activation == "tanh":
    ...         return float(np.mean(np.abs(a) > threshold))
    ...     if activation == "sigmoid":
    ...         return float(np.mean((a > threshold) | (1 - a > threshold)))
    ...     raise ValueError(f"activation must be 'tanh' or 'sigmoid', got {activation!r}")
    >>> check_saturated_fraction(saturated_fraction)
    ✔ saturated_fraction: all 17 cases passed.
    """
    c = Checker("saturated_fraction", forbidden=FORBIDDEN, seed=seed)
    rng = c.rng
    t_tanh, t_sig = (round(float(rng.uniform(0.85, 0.97)), 3) for _ in range(2))
    cases = [
        _case(rng, "tanh", None, "the default activation and threshold"),
        _case(rng, "tanh", None, "both tails of tanh, default threshold"),
        _case(rng, "tanh", t_tanh, f"tanh with threshold {t_tanh}"),
        _case(rng, "sigmoid", None, "both tails of a sigmoid, default threshold"),
        _case(rng, "sigmoid", t_sig, f"a sigmoid with threshold {t_sig}"),
    ]
    cases[0] = (cases[0][0], None, None, cases[0][3])  # activation left to its default, tanh
    scale = float(rng.uniform(2.0, 4.0))
    z = rng.standard_normal((int(rng.integers(50, 200)), int(rng.integers(20, 60))))
    cases += [
        (np.tanh(scale * z), "tanh", None, f"a 2-D layer of tanh units (inputs of std {scale:.2f})"),
        (1 / (1 + np.exp(-scale * 2 * z)), "sigmoid", None, "a 2-D layer of sigmoid units"),
        (np.tanh(scale * rng.standard_normal((4, 6, 5))), "tanh", t_tanh, "a 3-D array"),
        (rng.uniform(-0.5, 0.5, size=7), "tanh", None, "no saturated entry"),
        (np.where(rng.random(6) < 0.5, rng.uniform(0.995, 1.0, size=6), rng.uniform(0.0, 0.005, size=6)),
         "sigmoid", None, "every entry saturated"),
    ]
    results, wrong = [], []
    for a, act, thr, about in cases:
        args = (a,) if act is None else (a, act)
        kwargs = {} if thr is None else {"threshold": thr}
        act, t = act or "tanh", 0.99 if thr is None else thr
        before = a.copy()
        shown = c.label(*args, **kwargs) + f" [{about}]"
        got = c.call(saturated_fraction, *args, **kwargs)
        if got is FAILED:
            continue
        if not np.array_equal(a, before):
            c.fail(f"{shown} changed its input array; compute on a new array (np.abs(a), not a[a < 0] *= -1).")
            continue
        value = c.number(got, shown)
        want = _reference(a, act, t)
        results.append((value, want))
        if value is not None and value != want:
            hints = [h for v, h in _mistakes(a, act, t) if v != want and np.isclose(value, v, rtol=1e-12, atol=0)]
            wrong.append((c.n_cases, shown, value, want, a.size, hints))
    values = {v for v, _ in results}
    if len(results) == len(cases) and len(values) == 1 and len({w for _, w in results}) > 1:
        c.fail(f"saturated_fraction returned {results[0][0]!r} for every case, whatever the array and the "
               "threshold: compute the fraction of saturated entries of a.")
    else:
        # name the mistake that explains the most cases (one wrong rule usually shows in several)
        counts = {}
        for *_, hints in wrong:
            for h in hints:
                counts[h] = counts.get(h, 0) + 1
        for case, shown, value, want, size, hints in wrong:
            hint = max(hints, key=lambda h: counts[h], default="")
            c.failures.append((case, f"{shown} returned {value!r}; expected {want!r} ({round(want * size)} of {size} "
                                     f"entries saturated)" + (f": {hint}." if hint else ".")))
    # other activations have no saturated tails (or are not spelled as the exercise asks): the function must say so
    for name in INVALID:
        c.raises(ValueError, saturated_fraction, np.array([0.0, 0.5, 1.0]), name,
                 why="only 'tanh' and 'sigmoid', spelled exactly so, have saturated tails")
    c.done()
