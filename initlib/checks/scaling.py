"""Checks for the scaling chapter's implement exercises."""
from __future__ import annotations

import numpy as np

from ._core import Checker

__all__: list[str] = []
