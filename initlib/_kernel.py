"""What ``import initlib`` adjusts in a Jupyter kernel, so that a chapter shows what the book shows.

A reader's environment is not the one ``make`` sets up, in two ways that
change what a chapter shows:

- ``MPLBACKEND=Agg``, as many CI and Docker images set it. A Jupyter kernel
  (ipykernel) respects the variable, skips its default inline backend, and
  ``plt.show()`` shows nothing. :func:`inline_figures_in_kernel` turns the
  inline backend on in that case, exactly as the kernel does by default
  (``%matplotlib inline``). ``%matplotlib agg`` after the import still turns
  figures off.
- ``OPENBLAS_NUM_THREADS`` unset (a reader's Jupyter does not set it): BLAS
  then uses every core and its sums come out in another order, a few units
  in the last place off the one-thread sums of the book (and, on a busy
  machine, many times slower for these small matrices).
  :func:`one_blas_thread_in_kernel` limits BLAS to one thread, as ``make``
  does, unless the reader chose a thread count (``OPENBLAS_NUM_THREADS``,
  ``OMP_NUM_THREADS`` or ``MKL_NUM_THREADS`` set). It needs threadpoolctl
  and does nothing without it.

Outside a kernel (scripts, tests, a terminal IPython) nothing changes, and
importing initlib selects no matplotlib backend.

Used in: every chapter (through ``import initlib``).
"""
from __future__ import annotations

import os
import sys

NON_INTERACTIVE = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}
"""Backends (lowercase) that only draw to files: in a kernel they would show no figure."""

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Variables by which a reader chooses the BLAS thread count (then it is left as chosen)."""


def kernel_shell():
    """The IPython shell of the Jupyter kernel we run in, or None (no IPython, or not a kernel)."""
    if "IPython" not in sys.modules:  # a kernel imports IPython long before initlib
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def inline_figures_in_kernel(environ=None, shell=None):
    """Turn on the inline backend in a Jupyter kernel whose ``MPLBACKEND`` is non-interactive.

    Parameters
    ----------
    environ : mapping, optional
        Where to read ``MPLBACKEND`` (default ``os.environ``).
    shell : IPython shell, optional
        The kernel's shell (default: :func:`kernel_shell`).

    Returns
    -------
    bool
        True if the inline backend was turned on.

    Examples
    --------
    Outside a kernel nothing changes:

    >>> inline_figures_in_kernel({"MPLBACKEND": "Agg"})
    False
    """
    environ = os.environ if environ is None else environ
    if environ.get("MPLBACKEND", "").strip().lower() not in NON_INTERACTIVE:
        return False
    shell = shell or kernel_shell()
    if shell is None:
        return False
    shell.run_line_magic("matplotlib", "inline")
    return True


def one_blas_thread_in_kernel(environ=None, shell=None):
    """Limit BLAS to one thread in a Jupyter kernel where no thread count was chosen.

    Parameters
    ----------
    environ : mapping, optional
        Where to look for :data:`THREAD_VARIABLES` (default ``os.environ``).
    shell : IPython shell, optional
        The kernel's shell (default: :func:`kernel_shell`).

    Returns
    -------
    bool
        True if the limit was set.

    Examples
    --------
    >>> one_blas_thread_in_kernel({})  # not in a kernel
    False
    """
    environ = os.environ if environ is None else environ
    if any(environ.get(name) for name in THREAD_VARIABLES):
        return False
    shell = shell or kernel_shell()
    if shell is None:
        return False
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only bit-for-bit agreement and speed depend on it
        return False
    threadpool_limits(limits=1, user_api="blas")  # stays in force (not used as a context manager)
    return True


def adjust_kernel():
    """Both adjustments (called once, when initlib is imported); returns what was done."""
    return {"inline_figures": inline_figures_in_kernel(), "one_blas_thread": one_blas_thread_in_kernel()}
