"""The fresh interpreter's side of :mod:`initlib.checks._sandbox` (it imports only the standard library and numpy).

Started as ``python -I _child.py FD_IN FD_OUT``: it reads the cells to run and
the function's name, runs the cells, then answers calls until its input closes.
:mod:`initlib.checks._guard` is loaded from its file, not imported as part of
initlib, so the interpreter starts fast and a cell that imports and patches
``initlib.checks._guard`` patches a different module from the one guarding it.
"""
from __future__ import annotations

import importlib.util
import io
import os
import pickle
import select
import struct
import sys

import numpy as np

_ALLOWED = {
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("builtins", "complex"),
}


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


def _load_guard():
    """initlib.checks._guard, loaded from the file next to this one (or the package's when imported)."""
    if __package__:
        from . import _guard
        return _guard
    spec = importlib.util.spec_from_file_location("_initlib_guard", os.path.join(os.path.dirname(__file__), "_guard.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_guard = _load_guard()
ForbiddenCall, guarded_call = _guard.ForbiddenCall, _guard.guarded_call


# ------------------------------------------------------------- the child ---
def _strip_magics(source):
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _snapshot():
    """What a cell could patch to blind the guard: ``sys``'s and ``threading``'s hooks, the guard module."""
    import threading

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
            _loads(dumps((reply["args"], reply["kwargs"]), protocol=4))
        except Exception:  # noqa: BLE001 - arguments the student replaced by something the grader would refuse
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
