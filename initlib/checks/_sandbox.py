"""Run a student's function in a fresh interpreter, for the grader.

The grader (:mod:`initlib.checks.autograde`) must not run a student's code in
its own process: a solution cell could patch ``initlib``, the checks or numpy
there. So :class:`SandboxFunction` starts a fresh Python (``python -I -m
initlib.checks._sandbox``) that executes the cells defining the function,
then serves calls: the check, in the grader, sends the arguments and gets the
result back. Only plain data crosses: numbers, strings, lists, tuples,
dicts and numpy arrays, read in the grader by an unpickler that refuses any
other class, so a result cannot run code in the grader. The arguments are
sent back too, so that a check still sees a function that modifies its
inputs, or draws from the generator it was given.

In the fresh interpreter each call runs under the same guard as in a
notebook (:func:`initlib.checks._guard.guarded_call`), and the cells the
student wrote (solution cells) run under it as well, so that switching it
off from a cell is noticed too.
"""
from __future__ import annotations

import io
import os
import pickle
import select
import struct
import subprocess
import sys
import tempfile

import numpy as np

from ._core import builtin_exception
from ._guard import ForbiddenCall, guarded_call

__all__ = ["SandboxFunction", "SandboxError"]

_ALLOWED = {
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("builtins", "complex"),
}


class SandboxError(RuntimeError):
    """The fresh interpreter could not run, or did not answer in time."""


class _DataOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _loads(data):
    return _DataOnly(io.BytesIO(data)).load()


def _export(obj):
    """``obj`` with every Generator replaced by its state (the grader sets it on its own generator)."""
    if isinstance(obj, np.random.Generator):
        return {"__generator_state__": obj.bit_generator.state}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_export(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _export(v) for k, v in obj.items()}
    return obj


def _write_back(mine, theirs):
    """Make the grader's argument ``mine`` look like the sandbox's ``theirs`` after the call."""
    if isinstance(mine, np.random.Generator) and isinstance(theirs, dict) and "__generator_state__" in theirs:
        mine.bit_generator.state = theirs["__generator_state__"]
    elif isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
        if mine.shape == theirs.shape and mine.flags.writeable:
            np.copyto(mine, theirs, casting="unsafe")
    elif isinstance(mine, list) and isinstance(theirs, list):
        for a, b in zip(mine, theirs):
            _write_back(a, b)
        if len(mine) != len(theirs) or any(isinstance(a, np.ndarray) != isinstance(b, np.ndarray)
                                           or (isinstance(a, np.ndarray) and a.shape != b.shape)
                                           for a, b in zip(mine, theirs)):
            mine[:] = theirs
    elif isinstance(mine, dict) and isinstance(theirs, dict):
        for k in mine.keys() & theirs.keys():
            _write_back(mine[k], theirs[k])


def _send(fd, obj):
    data = pickle.dumps(obj, protocol=4)
    os.write(fd, struct.pack("<Q", len(data)))
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _recv(fd, timeout=None):
    def exactly(n):
        chunks = []
        while n:
            if timeout is not None and not select.select([fd], [], [], timeout)[0]:
                raise TimeoutError
            chunk = os.read(fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)
    return exactly(struct.unpack("<Q", exactly(8))[0])


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
            [python or sys.executable, "-I", "-m", "initlib.checks._sandbox", str(to_child), str(from_child)],
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


# ------------------------------------------------------------- the child ---
def _strip_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _snapshot():
    """What a cell could patch to blind the guard: ``sys``'s and ``threading``'s hooks, the guard module."""
    import threading

    from . import _guard
    return ([getattr(sys, n) for n in ("setprofile", "getprofile", "settrace", "gettrace")]
            + [getattr(threading, n) for n in ("setprofile", "getprofile")] + list(vars(_guard).items()))


def _serve(fd_in, fd_out):  # pragma: no cover - runs in the child process (tested through SandboxFunction)
    guard, send, recv, loads, dumps = guarded_call, _send, _recv, pickle.loads, pickle.dumps
    before = _snapshot()
    start = loads(recv(fd_in))
    namespace = {"__name__": "__main__", "display": print}
    errors, tainted = [], None
    for index, (source, by_student) in enumerate(start["cells"]):
        try:
            code = compile(_strip_magics(source), f"<cell {index}>", "exec")
            if by_student:
                guard(exec, (code, namespace), checks_forbidden=False)
            else:
                exec(code, namespace)
        except ForbiddenCall as exc:
            tainted = tainted or str(exc)
        except BaseException as exc:  # noqa: BLE001 - report, as a kernel would, and go on
            errors.append(f"cell {index}: {type(exc).__name__}: {exc}")
    if _snapshot() != before:
        tainted = tainted or "code that patches sys, threading or initlib.checks._guard"
    send(fd_out, errors)
    fn = namespace.get(start["function"])
    returned = []  # the arrays returned so far (kept alive, so that a reused buffer is recognised)
    while True:
        try:
            request = loads(recv(fd_in))
        except EOFError:
            return
        args, kwargs = list(request["args"]), request["kwargs"]
        _import_generators(args)
        _import_generators(kwargs)
        try:
            if tainted:
                raise ForbiddenCall(tainted)
            if not callable(fn):
                raise NameError(f"name {start['function']!r} is not defined as a function by the notebook")
            value = guard(fn, args, kwargs, request["forbidden"])
            try:
                reply = {"status": "value", "value": dumps(value, protocol=4)}
                _loads(reply["value"])
                if isinstance(value, np.ndarray):
                    reply["alias"] = next((k for k, old in enumerate(returned) if np.shares_memory(value, old)), None)
                    if reply["alias"] is None:
                        returned.append(value)
            except Exception:  # noqa: BLE001 - a type the grader would refuse
                reply = {"status": "unsendable", "type": type(value).__name__, "repr": repr(value)[:200]}
        except ForbiddenCall as exc:
            reply = {"status": "forbidden", "what": str(exc)}
        except BaseException as exc:  # noqa: BLE001
            bases = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
            reply = {"status": "raised", "exception": (type(exc).__name__, bases, str(exc))}
        if _snapshot() != before:
            tainted = tainted or "code that patches sys, threading or initlib.checks._guard"
        reply["args"], reply["kwargs"] = _export(args), _export(kwargs)
        try:
            send(fd_out, reply)
        except Exception:  # noqa: BLE001 - arguments the student replaced by something unsendable
            reply["args"], reply["kwargs"] = [], {}
            send(fd_out, reply)


def _import_generators(obj):
    """Turn the generator states sent by the grader back into generators, in place."""
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for key, value in list(items):
        if isinstance(value, dict) and "__generator_state__" in value:
            state = value["__generator_state__"]
            g = np.random.Generator(getattr(np.random, state["bit_generator"])())
            g.bit_generator.state = state
            obj[key] = g
        elif isinstance(value, (list, dict)):
            _import_generators(value)


if __name__ == "__main__":  # pragma: no cover
    _serve(int(sys.argv[1]), int(sys.argv[2]))
