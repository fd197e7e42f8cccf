"""Automatic checks for the book's "implement" exercises.

Call a check on your function, for example ``initlib.checks.check_he_normal(he_normal)``.
A correct function prints one success line; a wrong one raises
:class:`CheckFailed` with a sentence per mistake, naming what your function
returned and what was expected.

Checks are grouped by chapter in submodules and re-exported here.
"""
from ._core import Checker, CheckFailed
from .normalization import *  # noqa: F401,F403
from .saturation import *  # noqa: F401,F403
from .scaling import *  # noqa: F401,F403
from .symmetry import *  # noqa: F401,F403
from . import normalization, saturation, scaling, symmetry

__all__ = ["Checker", "CheckFailed"] + normalization.__all__ + saturation.__all__ + scaling.__all__ + symmetry.__all__
