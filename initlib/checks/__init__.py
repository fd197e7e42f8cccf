"""Automatic checks for the book's "implement" exercises.

Call a check on your function, for example ``initlib.checks.check_he_normal(he_normal)``.
A correct function prints one success line; a wrong one raises
:class:`CheckFailed` with a sentence per mistake, naming what your function
returned and what was expected.

Checks are grouped by chapter in submodules and re-exported here.
"""
from ._core import Checker, CheckFailed

__all__ = ["Checker", "CheckFailed"]
