"""Run a student's function and notice when it runs code it must not use.

A check must not pass a function that *is*, wraps or calls the library's own
implementation of the answer (``initlib.init.he_normal``, however it was
imported, renamed, looked up with ``getattr`` or reloaded), nor one that calls
the checks' own code (their references, or the check itself as an oracle).
Hiding those functions is not possible in Python, so their calls are
detected instead: :func:`guarded_call` runs the function under a profile hook
(:func:`sys.setprofile`, also set for threads started during the call) that
sees every Python frame the call creates. A frame whose code comes from a
forbidden function (matched by file and qualified name, so a reloaded or
re-wrapped copy of the code is caught too) or from any file of
``initlib/checks`` ends the call with :class:`ForbiddenCall`. So does a call
of ``sys.setprofile``/``sys.settrace`` (switching the hook off) or a hook
that is gone when the call returns.

What it cannot see: the library's source copied into the student's own code
(indistinguishable from writing it), work done in another process or in a
thread that existed before the call, and code that reaches into the
interpreter (``ctypes``, frame or garbage-collector introspection) to switch
the hook off without calling ``sys.setprofile``. instructors.md says how an
instructor notices those.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import threading

__all__ = ["ForbiddenCall", "guarded_call", "resolve"]

CHECKS_DIR = os.path.normcase(os.path.realpath(os.path.dirname(os.path.abspath(__file__))))
INITLIB_DIR = os.path.dirname(CHECKS_DIR) + os.sep
_SWITCHES = {sys.setprofile: "sys.setprofile", sys.settrace: "sys.settrace"}
# taken now, before any student code could replace them
_setprofile, _getprofile, _getframe = sys.setprofile, sys.getprofile, sys._getframe
_thread_setprofile, _thread_getprofile = threading.setprofile, threading.getprofile
#: Python-level functions that switch the hook off in threads
_PY_SWITCHES = {(os.path.normcase(os.path.realpath(threading.__file__)), q): f"threading.{q}"
                for q in ("setprofile", "settrace", "setprofile_all_threads", "settrace_all_threads")}


class ForbiddenCall(Exception):
    """The student's function ran forbidden code; ``str(exc)`` names it."""


def _real(path):
    return os.path.normcase(os.path.realpath(path))


def resolve(forbidden):
    """Map ``"package.module:qualname"`` names to ``{(file, qualname): name}``.

    The module is located without being imported; a name that does not
    exist raises ``ValueError`` (a check must not silently forbid nothing).
    """
    table = {}
    for item in forbidden:
        module, _, qualname = item.partition(":")
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin or not qualname:
            raise ValueError(f"forbidden must name 'module:function', got {item!r}")
        table[(_real(spec.origin), qualname)] = item.replace(":", ".")
    return table


def guarded_call(fn, args=(), kwargs=None, forbidden=None, *, checks_forbidden=True):
    """Return ``fn(*args, **kwargs)``; raise :class:`ForbiddenCall` if it ran forbidden code.

    Parameters
    ----------
    fn : callable
        The student's function.
    args, kwargs
        Its arguments.
    forbidden : dict, optional
        ``{(file, qualname): name}`` as returned by :func:`resolve`.
    checks_forbidden : bool
        Also forbid any code of ``initlib/checks`` (default). Switching the
        hook off is always forbidden.

    Exceptions raised by ``fn`` propagate unchanged, unless a forbidden call
    was seen first.

    Examples
    --------
    >>> import initlib.init as lib
    >>> table = resolve(["initlib.init:he_normal"])
    >>> guarded_call(lambda: 2 + 2, forbidden=table)
    4
    >>> guarded_call(lambda: lib.kaiming_normal(2, 2, seed=0), forbidden=table)
    Traceback (most recent call last):
    ...
    initlib.checks._guard.ForbiddenCall: initlib.init.he_normal
    """
    table = dict(forbidden or {})
    kwargs = dict(kwargs or {})
    seen = []
    verdicts = {}
    here = _getframe()

    def importing(frame):
        """True while initlib itself is being imported (its module code may run anything of its own)."""
        while frame is not None and frame is not here:
            code = frame.f_code
            if code.co_name == "<module>" and _real(code.co_filename).startswith(INITLIB_DIR):
                return True
            frame = frame.f_back
        return False

    def hook(frame, event, arg):
        if event == "call":
            code = frame.f_code
            verdict = verdicts.get(code)
            if verdict is None:
                path = _real(code.co_filename) if code.co_filename else ""
                qualname = getattr(code, "co_qualname", code.co_name)
                verdict = table.get((path, qualname)) or _PY_SWITCHES.get((path, qualname)) or ""
                if not verdict and checks_forbidden and os.path.dirname(path) == CHECKS_DIR:
                    verdict = f"initlib.checks code ({os.path.basename(path)}: {qualname})"
                verdicts[code] = verdict
            if verdict and not (verdict.startswith("initlib") and importing(frame)):
                seen.append(verdict)
                raise ForbiddenCall(verdict)
        elif event == "c_call" and frame is not here and arg in _SWITCHES:
            seen.append(_SWITCHES[arg])
            raise ForbiddenCall(_SWITCHES[arg])

    old, old_threads = _getprofile(), _thread_getprofile()
    _thread_setprofile(hook)
    _setprofile(hook)
    try:
        result = fn(*args, **kwargs)
    except BaseException:
        current = _getprofile()
        _setprofile(old)
        _thread_setprofile(old_threads)
        if seen:
            raise ForbiddenCall(seen[0]) from None
        if current is not hook:
            raise ForbiddenCall("sys.setprofile") from None
        raise
    current = _getprofile()
    _setprofile(old)
    _thread_setprofile(old_threads)
    if seen:
        raise ForbiddenCall(seen[0])
    if current is not hook:
        raise ForbiddenCall("sys.setprofile")
    return result
