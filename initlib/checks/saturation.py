"""Checks for the saturation chapter's implement exercises.

- :func:`check_saturated_fraction` -- exercise ``ex-saturation-fraction``:
  the fraction of activations in the flat tails of a tanh or a sigmoid.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._core import Checker

__all__: list[str] = ["check_saturated_fraction"]


def _reference(a, activation="tanh", threshold=0.99):
    """The fraction the exercise asks for (as :func:`initlib.diagnostics.saturated_fraction`)."""
    a = np.asarray(a, dtype=float)
    if activation == "tanh":
        return float(np.mean(np.abs(a) > threshold))
    return float(np.mean((a > threshold) | (a < 1.0 - threshold)))


def _mistakes(a, activation, threshold):
    """Values that typical wrong solutions return, each with the hint that names the mistake."""
    a = np.asarray(a, dtype=float)
    upper = a > threshold
    lower = a < -threshold if activation == "tanh" else a < 1.0 - threshold
    right = _reference(a, activation, threshold)
    out = [
        (float(np.mean(upper)), "only the upper tail was counted; "
         + ("tanh also saturates near -1: count |a| > threshold" if activation == "tanh"
            else "a sigmoid also saturates near 0: count a < 1 - threshold too")),
        (float(np.sum(upper | lower)), "that is the number of saturated entries; return the fraction "
         "(the count divided by a.size), a number between 0 and 1"),
        (_reference(a, activation, 0.99), "the threshold argument was ignored (a fixed 0.99 was used)"),
    ]
    if activation == "tanh":
        out.append((float(np.mean(np.abs(a) >= threshold)), "a value exactly at the threshold is not saturated: "
                    "use >, not >="))
    else:
        out.append((float(np.mean(np.abs(a) > threshold)), "that is the tanh rule |a| > threshold; for a sigmoid, "
                    "saturated means a > threshold or a < 1 - threshold"))
    return [(v, h) for v, h in out if not np.isclose(v, right)]


def _show(a):
    a = np.asarray(a)
    if a.size <= 6:
        return " ".join(np.array2string(a, separator=", ", max_line_width=10**6).split())
    return f"<array of shape {a.shape}>"


def check_saturated_fraction(saturated_fraction):
    """Check ``saturated_fraction(a, activation="tanh", threshold=0.99)`` (exercise ``ex-saturation-fraction``).

    The function must return, as a plain number, the fraction of the entries
    of ``a`` (any shape) in the flat tails: ``|a| > threshold`` for
    ``"tanh"``; ``a > threshold`` or ``a < 1 - threshold`` for ``"sigmoid"``;
    and raise ``ValueError`` for any other activation. It must not modify ``a``.

    Examples
    --------
    >>> import initlib as il
    >>> il.checks.check_saturated_fraction(il.diagnostics.saturated_fraction)
    ✔ saturated_fraction: all 8 checks passed.
    """
    c = Checker("saturated_fraction")
    rng = np.random.default_rng(0)
    cases = [
        # (a, activation, threshold or None for the default, what the case is about)
        (np.array([0.0, 0.5, -0.995, 0.999, 0.98]), "tanh", None, "both tails of tanh"),
        (np.array([0.005, 0.5, 0.995, 0.3]), "sigmoid", None, "both tails of a sigmoid"),
        (np.array([0.99, -0.99, 0.0, 1.0]), "tanh", None, "values exactly at the threshold"),
        (np.array([0.95, -0.95, 0.5, 0.0]), "tanh", 0.9, "a threshold other than 0.99"),
        (np.array([[0.999, 0.2, -0.999], [0.1, 0.0, 0.5]]), "tanh", None, "a 2-D array (samples x units)"),
        (np.tanh(3.0 * rng.standard_normal((200, 50))), "tanh", None, "a layer of tanh units with large inputs"),
        (0.5 + 0.5 * np.tanh(2.0 * rng.standard_normal((100, 30))), "sigmoid", None, "a layer of sigmoid units"),
    ]
    for a, act, thr, about in cases:
        kwargs = {} if thr is None else {"threshold": thr}
        before = a.copy()
        shown = f"{_show(a)}, {act!r}" + ("" if thr is None else f", threshold={thr}")
        n_failures = len(c.failures)
        got = c.call(saturated_fraction, a, act, **kwargs)
        c.n_cases += 1
        if len(c.failures) > n_failures:
            if "not implemented yet" in c.failures[-1]:
                break  # one sentence is enough for a stub
            continue  # the call raised; Checker.call reported it
        if got is None:
            c.failures.append(f"saturated_fraction({shown}) returned None; did you forget the return statement?")
            continue
        if not np.array_equal(a, before):
            c.failures.append(f"saturated_fraction({shown}) changed its input array; compute on a copy "
                              "(np.abs(a), not a[a < 0] *= -1).")
            continue
        if isinstance(got, np.ndarray) and got.ndim > 0:
            c.failures.append(f"saturated_fraction({shown}) returned an array of shape {got.shape}; expected one "
                              "number for all the entries (np.mean over the whole array, not along an axis).")
            continue
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Real, np.number, np.ndarray)):
            c.failures.append(f"saturated_fraction({shown}) returned {got!r} ({type(got).__name__}); "
                              "expected a number between 0 and 1.")
            continue
        got = float(got)
        want = _reference(a, act, 0.99 if thr is None else thr)
        if not np.isclose(got, want, rtol=1e-9, atol=1e-12):
            hint = next((h for v, h in _mistakes(a, act, 0.99 if thr is None else thr) if np.isclose(got, v)), "")
            c.failures.append(f"saturated_fraction({shown}) [{about}] returned {got:.6g}; expected {want:.6g}"
                              + (f": {hint}." if hint else "."))
    # other activations have no saturated tails: the function must say so
    c.n_cases += 1
    try:
        out = saturated_fraction(np.array([0.0, 1.0]), "relu")
    except NotImplementedError:
        pass  # already reported by the calls above
    except ValueError:
        pass
    except Exception as exc:  # noqa: BLE001 -- report anything else
        c.failures.append(f"saturated_fraction(array, 'relu') raised {type(exc).__name__}: {exc}; expected a "
                          "ValueError (ReLU has no saturated tails).")
    else:
        c.failures.append(f"saturated_fraction(array, 'relu') returned {out!r}; expected it to raise ValueError "
                          "(only 'tanh' and 'sigmoid' saturate).")
    c.done()
