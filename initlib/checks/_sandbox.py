"""Run a student's function in a fresh interpreter, for the grader.

The grader (:mod:`initlib.checks.autograde`) must not run a student's code in
its own process: a solution cell could patch ``initlib``, the checks or numpy
there. So :class:`SandboxFunction` starts a fresh Python (``python -I
initlib/checks/_child.py``) that executes the cells defining the function,
then serves calls: the check, in the grader, sends the arguments and gets the
result back. Only plain data crosses: numbers, strings, lists, tuples,
dicts and numpy arrays, read in the grader by an unpickler that refuses any
other class, so a result cannot run code in the grader. The arguments are
sent back too, so that a check still sees a function that modifies its
inputs, or draws from the generator it was given.

In the fresh interpreter each call runs under the same guard as in a
notebook (:func:`initlib.checks._guard.guarded_call`), and the cells the
student could edit (every cell nbgrader does not lock) run under it as well,
so that switching it off from a cell is noticed too; so is a cell that
replaces ``sys.setprofile`` and the like.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np

from ._child import _export, _loads, _recv, _send, _write_back
from ._core import builtin_exception
from ._guard import ForbiddenCall

__all__ = ["SandboxFunction", "SandboxError"]

_CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child.py")


class SandboxError(RuntimeError):
    """The fresh interpreter could not run, or did not answer in time."""


class SandboxFunction:
    """The student's function ``name``, defined by ``cells``, called in a fresh interpreter.

    Parameters
    ----------
    name : str
        The function's name in the notebook.
    cells : list of (str, bool)
        Source of each cell to run first, in order, and whether the student
        wrote it (run under the guard).
    timeout : float
        Seconds allowed for each call (and six times that to run the cells).

    Examples
    --------
    >>> f = SandboxFunction("double", [("def double(x):\\n    return 2 * x", True)])
    >>> f(21)
    42
    >>> f.close()
    """

    def __init__(self, name, cells, *, timeout=30.0, python=None):
        self.__name__ = name
        self.timeout = float(timeout)
        self._returned = []
        self._log = tempfile.TemporaryFile()
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_"))}
        env.update(MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self._proc = subprocess.Popen(
            [python or sys.executable, "-I", _CHILD, str(to_child), str(from_child)],
            pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            env=env, cwd=tempfile.gettempdir())
        os.close(to_child)
        os.close(from_child)
        self.cell_errors = self._ask({"cells": list(cells), "function": name}, 6 * self.timeout)

    def __repr__(self):
        return f"SandboxFunction({self.__name__!r}, pid {self._proc.pid})"

    def _ask(self, request, timeout):
        try:
            _send(self._out, request)
            reply = _loads(_recv(self._in, timeout))
        except TimeoutError:
            self.close()
            raise SandboxError(f"{self.__name__} did not return within {timeout:.0f} s (an endless loop?).") from None
        except (EOFError, BrokenPipeError, pickle.UnpicklingError, OSError) as exc:
            self.close()
            self._log.seek(0)
            tail = self._log.read().decode(errors="replace")[-800:]
            raise SandboxError(f"the fresh interpreter running {self.__name__} stopped ({type(exc).__name__}: "
                               f"{exc}); its last output:\n{tail}") from None
        return reply

    def guarded_call(self, args, kwargs, forbidden):
        """Call the function in the sandbox, under the guard with ``forbidden``; mirror the arguments back."""
        reply = self._ask({"args": _export(args), "kwargs": _export(kwargs), "forbidden": forbidden}, self.timeout)
        _write_back(list(args), reply["args"])
        _write_back(dict(kwargs), reply["kwargs"])
        if reply["status"] == "forbidden":
            raise ForbiddenCall(reply["what"])
        if reply["status"] == "raised":
            name, bases, message = reply["exception"]
            raise builtin_exception(name, bases)(message)
        if reply["status"] == "unsendable":
            return _Unsendable(reply["type"], reply["repr"])
        value = _loads(reply["value"])
        if isinstance(value, np.ndarray):  # mirror a function that returns one buffer again and again
            alias = reply.get("alias")
            if alias is not None and self._returned[alias].shape == value.shape:
                np.copyto(self._returned[alias], value, casting="unsafe")
                return self._returned[alias]
            self._returned.append(value)
        return value

    def __call__(self, *args, **kwargs):
        return self.guarded_call(args, kwargs, {})

    def close(self):
        """Stop the fresh interpreter."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._out, self._in):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


class _Unsendable:
    """Stands for a result of a type that cannot be sent to the grader."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"
