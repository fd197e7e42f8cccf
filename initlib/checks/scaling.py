"""Checks for the scaling chapter's implement exercises."""
from __future__ import annotations

import numpy as np

from ._core import Checker

__all__: list[str] = ["check_he_normal"]

_RTOL_STD = 0.03  # the std cases draw >= 20 000 weights: the sampling error of the std is below 0.5 %


def _std_mistake(std, fan_in, fan_out, mode):
    """Name the usual mistake whose standard deviation matches ``std``, or return ""."""
    fan, other = (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)
    other_hint = "did you use fan_out?" if mode == "fan_in" else "did you use fan_in (is mode ignored)?"
    expected = np.sqrt(2.0 / fan)
    candidates = [
        (np.sqrt(2.0 / other), f"sqrt(2/{other}): {other_hint}"),
        (np.sqrt(1.0 / fan), f"sqrt(1/{fan}): did you forget the factor 2 (the square of the ReLU gain sqrt(2))?"),
        (2.0 / fan, f"2/{fan}: that is the variance; the std is its square root."),
        (np.sqrt(2.0) / fan, f"sqrt(2)/{fan}: divide by sqrt({mode}), not by {mode}."),
        (np.sqrt(2.0 / (fan_in + fan_out)), f"sqrt(2/({fan_in} + {fan_out})): that is Xavier's std, not He's."),
        (1.0, "1: did you forget to scale the standard normal draws?"),
    ]
    for value, hint in candidates:
        if abs(value - expected) > _RTOL_STD * expected and abs(std - value) <= _RTOL_STD * value:
            return " Your std matches " + hint
    return ""


def _check_draw(c, he_normal, fan_in, fan_out, mode, seed, *, distribution=False):
    """One call of the student's function: shape, std (with a diagnosis) and, optionally, mean and law."""
    kwargs = {"rng": np.random.default_rng(seed)}
    if mode != "fan_in":
        kwargs = {"mode": mode, **kwargs}
    call = f"he_normal({fan_in}, {fan_out}" + (f", mode={mode!r}" if mode != "fan_in" else "") + ")"
    W = c.call(he_normal, fan_in, fan_out, **kwargs)
    if not c.array(W, call, shape=(fan_in, fan_out), hint=" = (fan_in, fan_out)"):
        # a wrong shape is reported; a transposed array can still have the right std
        if W is None or not np.issubdtype(np.asarray(W).dtype, np.number) or not np.all(np.isfinite(W)):
            return
    W = np.asarray(W, dtype=float)
    if W.size < 2:
        return
    fan = fan_in if mode == "fan_in" else fan_out
    expected = np.sqrt(2.0 / fan)
    std = float(W.std())
    c.expect(
        abs(std - expected) <= _RTOL_STD * expected,
        f"{call} has std {std:.4g}; expected {expected:.4g} = sqrt(2/{fan}) = sqrt(2/{mode}).{_std_mistake(std, fan_in, fan_out, mode)}",
    )
    if distribution:
        mean = float(W.mean())
        c.expect(
            abs(mean) <= 5 * expected / np.sqrt(W.size),
            f"{call} has mean {mean:.4g}; expected 0 (a zero-mean normal distribution).",
        )
        centred = W - mean
        kurtosis = float(np.mean(centred**4) / np.mean(centred**2) ** 2) if std > 0 else 3.0
        c.expect(
            kurtosis >= 2.5,
            f"{call} looks uniformly distributed (kurtosis {kurtosis:.2f}; a normal law has 3, a uniform one 1.8): "
            "draw from a normal distribution with rng.normal.",
        )


def check_he_normal(he_normal):
    """Check a student's ``he_normal(fan_in, fan_out, *, mode="fan_in", rng)``.

    Expected: a float array of shape ``(fan_in, fan_out)`` drawn with the
    generator ``rng`` from :math:`\\mathcal{N}(0, 2/\\mathrm{fan})`, where the fan
    is ``fan_in`` (default) or ``fan_out`` (``mode="fan_out"``).

    Cases: a 500 x 300 layer in both modes (std 0.0632 and 0.0816), the edge
    cases ``fan_in = 1`` and ``fan_out = 1`` (std sqrt(2)), the mean and the
    law of the entries (normal, not uniform), and reproducibility (the same
    generator seed gives the same array, another seed another array). A wrong
    std is compared with the usual mistakes (the other fan, no factor 2, the
    variance instead of the std, Xavier's fan) and the match is named.

    Examples
    --------
    >>> from initlib import init
    >>> check_he_normal(init.he_normal)
    ✔ he_normal: all 12 checks passed.
    """
    c = Checker("he_normal")
    # a stub (NotImplementedError) or a function that cannot be called is reported once
    if c.call(he_normal, 3, 2, rng=np.random.default_rng(0)) is None:
        c.expect(False, "he_normal(3, 2, rng=np.random.default_rng(0)) returned None; expected an array of shape (3, 2).")
        if len(c.failures) > 1:
            c.failures.pop()  # the call itself failed and was reported: one message is enough
        c.done()
    _check_draw(c, he_normal, 500, 300, "fan_in", 0, distribution=True)
    _check_draw(c, he_normal, 1, 20_000, "fan_in", 1)
    _check_draw(c, he_normal, 500, 300, "fan_out", 2)
    _check_draw(c, he_normal, 20_000, 1, "fan_out", 3)
    # reproducibility: the randomness must come from the rng argument
    first, again, other = (c.call(he_normal, 50, 40, rng=np.random.default_rng(s)) for s in (7, 7, 8))
    if all(w is not None and np.shape(w) == (50, 40) for w in (first, again, other)):
        c.expect(
            np.array_equal(first, again),
            "two calls he_normal(50, 40, rng=np.random.default_rng(7)) returned different arrays: "
            "draw from the rng argument (rng.normal), not from np.random.",
        )
        c.expect(
            not np.array_equal(first, other),
            "he_normal(50, 40) returned the same array for generators of seeds 7 and 8: "
            "draw from the rng argument, not from a generator with a fixed seed.",
        )
    c.done()
