r"""The machinery shared by every exercise check, and how to write a new check.

A check tests a student's function on cases **drawn afresh at check time**
(a seed chosen then, from the operating system's entropy), so that expected
values seen in one run's feedback cannot be replayed in the next. Every call
of the student's function goes through :meth:`Checker.call`, which

- runs it under :func:`initlib.checks._guard.guarded_call`: a function that
  is, wraps or calls the library's own implementation of the answer (the
  ``forbidden`` names of the check), or any code of ``initlib.checks`` (the
  references, the check itself used as an oracle), ends the check at once
  with a message naming what it ran;
- ends the check at once, with the same sentence in every check, when the
  function is still the stub (it raises ``NotImplementedError``);
- turns any other exception into feedback for that case.

Each failed case adds one sentence that names the call, what it returned,
what was expected *for that case* and, where a typical mistake explains the
value, that mistake. If any case failed, :meth:`Checker.done` raises
:class:`CheckFailed` (an ``AssertionError``, which nbgrader scores as a
failed cell) with every sentence and the seed; otherwise it prints one
success line, ``✔ <name>: all <n> cases passed.``, where ``n`` counts the
calls of the student's function, a number that does not depend on the seed
(so a notebook that runs the check is reproduced by ``nbval``).

Under ``nbgrader autograde`` the check cell is graded again outside the
student's kernel (:mod:`initlib.checks.autograde`): the check runs in the
grader's own process, with an initlib no student code has touched, and the
student's function runs in a fresh interpreter (:mod:`initlib.checks._sandbox`),
which only receives arguments and sends back results.

How to write a check
--------------------
1. Put ``check_<thing>(fn, *, seed=None)`` in the chapter's module of
   ``initlib/checks`` (one module per chapter, re-exported in ``__init__``),
   with a numpydoc docstring that states the specification it tests, its
   cases, and its false-failure rate if it is statistical.
2. Start with ``c = Checker("<thing>", forbidden=[...], seed=seed)``:
   ``forbidden`` lists the library functions that compute the answer,
   as ``"initlib.module:qualname"`` (e.g. ``"initlib.init:orthogonal"``).
3. Draw every case from ``c.rng`` (sizes, values, thresholds, seeds of the
   generators you pass): no constant case a student could hard-code. Keep
   the *structure* fixed (the same number of calls for every seed), and
   cover every branch of the specification: each option, the default of
   each argument, both sides of each boundary, the errors it must raise
   (:meth:`Checker.raises`), that inputs are not modified.
4. Call the function only through ``value = c.call(fn, ...)``; skip the
   case when ``value is FAILED`` (the call raised and was reported).
   Compare with your reference (a private function of the check module,
   never printed whole) and report with ``c.fail(...)`` or ``c.expect(...)``;
   :meth:`Checker.array` checks type, shape, dtype and finiteness. Name the
   mistake: compute what the usual wrong solutions return for the same case
   and, if the student's value matches one, say which.
5. Statistical checks: derive each threshold from the sample size (e.g.
   the std of a sample std is about ``std / sqrt(2 n)``), state the
   false-failure rate, and measure it over many seeds with a correct
   solution (``tools/check_false_failures.py``).
6. End with ``c.done()``. Test the check with a table of wrong solutions
   and the message each must get (``tests/test_checks_<chapter>.py``), and
   that the stub fails (``tests/test_checks_fail_on_stub.py`` does it for
   every exported ``check_*``). A check takes at most 2 s.
7. In the chapter, the graded cell is exactly one call,
   ``il.checks.check_<thing>(<function>)``: that is the form the
   autograder recognises and grades in a fresh interpreter.

Example
-------
>>> def check_double(double, *, seed=None):
...     c = Checker("double", seed=seed)
...     for _ in range(3):
...         x = float(c.rng.normal())
...         got = c.call(double, x)
...         if got is not FAILED and got != 2 * x:
...             c.fail(f"double({x!r}) returned {got!r}; expected {2 * x!r}.")
...     c.done()
>>> check_double(lambda x: x + x)
✔ double: all 3 cases passed.
"""
from __future__ import annotations

import builtins
import numbers
import secrets

import numpy as np

from ._guard import ForbiddenCall, guarded_call, resolve

__all__ = ["CheckFailed", "Checker", "FAILED", "fresh_seed", "show"]


class CheckFailed(AssertionError):
    """Raised by a check when the student's answer is wrong; the message says how."""


class _Failed:
    """The value of a call that raised (already reported)."""

    def __repr__(self):
        return "FAILED"


FAILED = _Failed()


def fresh_seed():
    """A seed drawn from the operating system's entropy (the check's cases depend on it)."""
    return secrets.randbelow(2**32)


def show(value):
    """A short text for ``value`` in feedback: small arrays in full (floats exactly), big ones by shape."""
    if isinstance(value, np.random.Generator):
        return "<Generator>"
    if isinstance(value, np.ndarray):
        if value.size <= 16 and value.ndim <= 1:
            return "np.array(" + repr(value.tolist()) + ")"
        return f"<array of shape {value.shape}>"
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        return f"<{type(value).__name__} of {len(value)} arrays>"
    return repr(value)


class Checker:
    """Collects the outcome of the cases of one check.

    Parameters
    ----------
    name : str
        The function's name, used in every message.
    forbidden : sequence of str
        Library functions the student's function must not run,
        ``"initlib.module:qualname"``; code of ``initlib.checks`` is always
        forbidden.
    seed : int, optional
        Seed of the cases; by default a fresh one (:func:`fresh_seed`).

    Attributes
    ----------
    rng : numpy.random.Generator
        Draw every case from it.
    seed : int

    Examples
    --------
    >>> c = Checker("double", seed=1)
    >>> c.call(lambda x: 2 * x, 2)
    4
    >>> c.done()
    ✔ double: all 1 cases passed.
    """

    def __init__(self, name, *, forbidden=(), seed=None):
        self.name = name
        self.seed = fresh_seed() if seed is None else int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.forbidden = resolve(forbidden)
        self.n_cases = 0
        self.failures = []  # (case number, message)

    def __repr__(self):
        return f"Checker({self.name!r}, seed={self.seed}, {self.n_cases} cases, {len(self.failures)} failures)"

    # -- recording -------------------------------------------------------------
    def fail(self, message):
        """Record ``message`` as a failure of the current case."""
        self.failures.append((self.n_cases, message))

    def expect(self, condition, message):
        """Record ``message`` as a failure of the current case if ``condition`` is false; return ``condition``."""
        if not condition:
            self.fail(message)
        return bool(condition)

    def label(self, *args, **kwargs):
        """``name(arg, ..., key=value)`` as shown in feedback."""
        parts = [show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()]
        return f"{self.name}({', '.join(parts)})"

    # -- calling the student's function ----------------------------------------
    def _run(self, fn, args, kwargs):
        """Call ``fn`` under the guard; stub and forbidden calls end the check."""
        self.n_cases += 1
        from ._sandbox import SandboxFunction  # (imported here: the sandbox module imports this one)

        try:
            if isinstance(fn, SandboxFunction):  # a function running in a fresh interpreter is guarded there
                return fn.guarded_call(args, kwargs, self.forbidden)
            return guarded_call(fn, args, kwargs, self.forbidden)
        except NotImplementedError as exc:
            detail = f": {exc}" if str(exc) else ""
            raise CheckFailed(
                f"{self.name}: not implemented yet (it raises NotImplementedError{detail}). "
                f"Write {self.name} in its cell, run that cell, then run this check again."
            ) from None
        except ForbiddenCall as exc:
            raise CheckFailed(f"{self.name}: {forbidden_message(str(exc))} The exercise is to write {self.name} "
                              "yourself, with numpy; no case was graded.") from None

    def call(self, fn, *args, **kwargs):
        """Call the student's ``fn``; return its value, or :data:`FAILED` after reporting its exception."""
        return self.call_as(None, fn, *args, **kwargs)

    def call_as(self, label, fn, *args, **kwargs):
        """:meth:`call`, naming the call ``label`` in the feedback (default: :meth:`label`)."""
        try:
            return self._run(fn, args, kwargs)
        except CheckFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - the student's code may fail in any way
            self.fail(f"{label or self.label(*args, **kwargs)} raised {type(exc).__name__}: {exc}")
            return FAILED

    def raises(self, error, fn, *args, why="", **kwargs):
        """One case in which ``fn`` must raise ``error``; return True if it did.

        ``why`` says what is invalid about the arguments ("an unknown mode").
        """
        try:
            value = self._run(fn, args, kwargs)
        except CheckFailed:
            raise
        except error:
            return True
        except Exception as exc:  # noqa: BLE001
            self.fail(f"{self.label(*args, **kwargs)} raised {type(exc).__name__}: {exc}; expected "
                      f"{error.__name__}{f' ({why})' if why else ''}.")
            return False
        self.fail(f"{self.label(*args, **kwargs)} returned {show(value)}; expected it to raise "
                  f"{error.__name__}{f' ({why})' if why else ''}.")
        return False

    # -- common comparisons ----------------------------------------------------
    def number(self, value, what):
        """Check that ``value`` is one real number (Python float or float64); return it as float or None."""
        if value is None:
            self.fail(f"{what} returned None; did you forget the return statement?")
        elif isinstance(value, (bool, np.bool_)):
            self.fail(f"{what} returned {value!r}, a bool; expected a number.")
        elif isinstance(value, np.ndarray) and value.ndim > 0:
            self.fail(f"{what} returned an array of shape {value.shape}; expected one number.")
        elif isinstance(value, (np.floating, np.ndarray)) and np.asarray(value).dtype != np.float64:
            self.fail(f"{what} returned a {np.asarray(value).dtype} number ({float(value)!r}); expected a float64 "
                      "(a Python float): compute in float64 and return float(...).")
        elif not isinstance(value, (numbers.Real, np.number, np.ndarray)):
            self.fail(f"{what} returned {show(value)} ({type(value).__name__}); expected a number.")
        else:
            return float(value)
        return None

    def array(self, value, what, *, shape=None, dtype=np.float64, expected=None, rtol=1e-7, atol=1e-12, hint=""):
        """Check that ``value`` is a finite array of ``shape`` and ``dtype`` (and close to ``expected``)."""
        if value is FAILED:
            return False
        if not isinstance(value, np.ndarray):
            kind = "None (did you forget the return statement?)" if value is None else type(value).__name__
            self.fail(f"{what} is {kind}; expected a numpy array.")
            return False
        if not (np.issubdtype(value.dtype, np.number) and not np.issubdtype(value.dtype, np.complexfloating)):
            self.fail(f"{what} has dtype {value.dtype}; expected an array of real numbers.")
            return False
        if shape is not None and value.shape != tuple(shape):
            self.fail(f"{what} has shape {value.shape}; expected {tuple(shape)}{hint}.")
            return False
        if dtype is not None and value.dtype != dtype:
            self.fail(f"{what} has dtype {value.dtype}; expected {np.dtype(dtype)} (numpy's default float: do not "
                      "convert with astype or dtype=).")
            return False
        if not np.all(np.isfinite(value)):
            self.fail(f"{what} contains NaN or infinite values.")
            return False
        if expected is not None and not np.allclose(value, expected, rtol=rtol, atol=atol):
            worst = np.unravel_index(np.argmax(np.abs(value - expected)), value.shape) if value.ndim else ()
            self.fail(f"{what} is wrong: at index {tuple(int(i) for i in worst)} it is {float(value[worst]):.6g}, "
                      f"expected {float(np.asarray(expected)[worst]):.6g}{hint}.")
            return False
        return True

    # -- the verdict -----------------------------------------------------------
    def done(self):
        """Print the success line, or raise :class:`CheckFailed` with every failure."""
        if self.failures:
            failed = len({case for case, _ in self.failures})
            lines = "\n".join(f"  ✘ {m}" for _, m in self.failures)
            raise CheckFailed(
                f"{self.name}: {failed} of {self.n_cases} cases failed (cases drawn with seed {self.seed}):\n{lines}")
        print(f"✔ {self.name}: all {self.n_cases} cases passed.")


def forbidden_message(what):
    """The sentence for a forbidden call ``what`` (a name from the guard)."""
    if what.startswith("initlib.checks"):
        return f"your function runs {what}: the checks and their references are not part of an answer."
    if what.startswith("initlib"):
        return (f"your function runs {what}, initlib's own implementation of the answer "
                "(it is, wraps or calls it).")
    return (f"your function calls {what}, which switches off the detection of calls to initlib's "
            "implementation.")


def builtin_exception(name, bases=()):
    """The builtin exception class called ``name``, or a new ``Exception`` subclass of that name.

    ``bases`` are the names of the builtin classes the original derived from
    (used by the sandbox to rebuild a student's exception in the grader).
    """
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        return cls
    parents = tuple(c for c in (getattr(builtins, b, None) for b in bases)
                    if isinstance(c, type) and issubclass(c, Exception)) or (Exception,)
    return type(name, parents[:1], {})
