"""Automatic checks for the book's "implement" exercises.

Call a check on your function, for example ``initlib.checks.check_he_normal(he_normal)``.
A correct function prints one success line; a wrong one raises
:class:`CheckFailed` with a sentence per failed case, naming what your
function returned, what was expected for that case and, where it can tell,
the mistake.

How the checks hold (details, and how to write a new check, in
:mod:`initlib.checks._core`):

- the cases are drawn afresh at each run (a seed chosen then), so an answer
  learnt from one run's feedback does not pass the next;
- a function that is, wraps or calls initlib's own implementation of the
  answer, or the checks' code, fails with a message naming it
  (:mod:`initlib.checks._guard`);
- under ``nbgrader autograde``, the check cells are graded again outside the
  student's kernel, with the student's function running in a fresh
  interpreter (:mod:`initlib.checks.autograde`), so patching initlib or the
  checks from a notebook cell gains nothing.

Checks are grouped by chapter in submodules and re-exported here.
"""
from ._core import FAILED, Checker, CheckFailed
from .normalization import *  # noqa: F401,F403
from .orthogonal import *  # noqa: F401,F403
from .residual import *  # noqa: F401,F403
from .saturation import *  # noqa: F401,F403
from .scaling import *  # noqa: F401,F403
from .symmetry import *  # noqa: F401,F403
from . import normalization, orthogonal, residual, saturation, scaling, symmetry

__all__ = (
    ["Checker", "CheckFailed", "FAILED"]
    + normalization.__all__ + orthogonal.__all__ + residual.__all__ + saturation.__all__ + scaling.__all__
    + symmetry.__all__
)
