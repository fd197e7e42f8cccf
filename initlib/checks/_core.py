"""The machinery shared by every exercise check.

A check calls the student's function on several cases and compares with the
expected result. Each failed case produces a sentence that names the mistake
and the expected value; if any case fails, :class:`CheckFailed` (an
``AssertionError``, so nbgrader's autograder scores the cell as failed) is
raised with all the sentences. When every case passes, one success line is
printed.
"""
from __future__ import annotations

import numpy as np

__all__ = ["CheckFailed", "Checker"]


class CheckFailed(AssertionError):
    """Raised by a check when the student's answer is wrong; the message says how."""


class Checker:
    """Collects the outcome of the cases of one check.

    Examples
    --------
    >>> c = Checker("double")
    >>> c.expect(2 * 2 == 4, "double(2) should be 4")
    >>> c.done()
    ✔ double: all 1 checks passed.
    """

    def __init__(self, name):
        self.name = name
        self.n_cases = 0
        self.failures = []

    def expect(self, condition, message):
        """Record one case: ``message`` is the feedback if ``condition`` is false."""
        self.n_cases += 1
        if not condition:
            self.failures.append(message)

    def call(self, fn, *args, **kwargs):
        """Call the student's ``fn``; turn its exceptions into feedback and return ``None``."""
        label = getattr(fn, "__name__", self.name)
        try:
            return fn(*args, **kwargs)
        except NotImplementedError:
            self.failures.append(f"{label} is not implemented yet (it raises NotImplementedError).")
        except Exception as exc:  # the student's code may fail in any way; report it, don't crash
            shown = ", ".join([repr(a) if not isinstance(a, np.ndarray) else f"array{a.shape}" for a in args]
                              + [f"{k}={v!r}" if not isinstance(v, np.random.Generator) else f"{k}=<Generator>" for k, v in kwargs.items()])
            self.failures.append(f"{label}({shown}) raised {type(exc).__name__}: {exc}")
        return None

    def array(self, value, what, *, shape=None, expected=None, rtol=1e-7, atol=1e-12, hint=""):
        """Check that ``value`` is an array of ``shape`` (and close to ``expected``). Return True if so."""
        self.n_cases += 1
        if value is None:
            return False  # the call already failed and was reported
        arr = np.asarray(value)
        if not np.issubdtype(arr.dtype, np.number):
            self.failures.append(f"{what} should be an array of numbers, got {type(value).__name__}.")
            return False
        if shape is not None and arr.shape != tuple(shape):
            self.failures.append(f"{what} has shape {arr.shape}; expected {tuple(shape)}{hint}.")
            return False
        if not np.all(np.isfinite(arr)):
            self.failures.append(f"{what} contains NaN or infinite values.")
            return False
        if expected is not None and not np.allclose(arr, expected, rtol=rtol, atol=atol):
            worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(arr - expected)), arr.shape)) if arr.ndim else ()
            self.failures.append(
                f"{what} is wrong: at index {worst if worst else '()'} it is {float(arr[worst]):.6g}, "
                f"expected {float(np.asarray(expected)[worst]):.6g}{hint}."
            )
            return False
        return True

    def done(self):
        """Print the success line, or raise :class:`CheckFailed` with every failure."""
        if self.failures:
            lines = "\n".join(f"  ✘ {m}" for m in self.failures)
            raise CheckFailed(f"{self.name}: {len(self.failures)} of {self.n_cases} checks failed:\n{lines}")
        print(f"✔ {self.name}: all {self.n_cases} checks passed.")
