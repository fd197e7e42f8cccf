"""The controls of an explorer: :class:`LogSlider` (log scale, optionally with 0) and
:class:`Choice` (a list of options); both live (ipywidgets) and static (HTML).
"""
from __future__ import annotations

import math

import numpy as np

from .._validate import check_choice

__all__ = ["LogSlider", "Choice"]


def _fmt(value):
    """A slider value for people: 3 significant digits, no trailing zeros."""
    if value == 0:
        return "0"
    return f"{value:.3g}"


def _fmt_gain(value):
    for v, text in ((math.sqrt(2.0), "√2"), (5.0 / 3.0, "5/3")):
        if abs(value - v) < 1e-9:
            return f"{text} = {value:.3g}"
    return _fmt(value)


def _check_grid(values, name, *, zero=False):
    """Sorted, distinct, positive (or one 0 first, if ``zero``) finite values."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}") from None
    if arr.size < 2:
        raise ValueError(f"{name} must hold at least two values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    arr = np.unique(arr)
    if (arr < 0).any() or (not zero and (arr <= 0).any()):
        raise ValueError(f"{name} must be > 0{' (or exactly 0)' if zero else ''} for a log slider, got {arr}")
    if np.count_nonzero(arr > 0) < 2:
        raise ValueError(f"{name} must hold at least two positive values for a log slider, got {arr}")
    return [float(v) for v in arr]


class LogSlider:
    """A slider over a log scale, optionally with exactly 0 at its left end.

    In a kernel it is an ipywidgets ``FloatSlider`` over ``log10(value)``
    (any value in the range); in the static book an ``<input type="range">``
    over the precomputed ``grid``. The leftmost position of a slider with
    ``zero=True`` is the value 0 (one decade left of the smallest positive
    grid value), so "no noise at all" sits next to "a little noise".

    Parameters
    ----------
    name : str
        The symbol shown with the value, as in ``"scale = 0.01"``.
    label : str
        What the slider changes, for the visible label and the aria-label.
    grid : sequence of float
        Precomputed values (sorted; positive, and 0 first if ``zero``).
    value : float
        Initial value, one of ``grid``.
    zero : bool, default False
    fmt : callable, optional
        Formats a value (default: 3 significant digits).
    """

    kind = "slider"

    def __init__(self, name, label, grid, value, zero=False, fmt=None):
        self.name = name
        self.label = label
        self.zero = bool(zero)
        self.grid = _check_grid(grid, name, zero=self.zero)
        self.fmt = fmt or _fmt
        pos = [g for g in self.grid if g > 0]
        self._logs = np.log10(pos)
        self.min = float(self._logs[0]) - (1.0 if self.zero and self.grid[0] == 0 else 0.0)
        self.max = float(self._logs[-1])
        steps = np.diff(self._logs)
        uniform = steps.size and np.allclose(steps, steps[0], rtol=1e-6)
        # live steps divide the grid spacing, so that every grid value is a slider position
        self.step = float(steps[0] / max(1, math.ceil(steps[0] / 0.02))) if uniform else 0.01
        self.value = self.snap(value)

    def text(self, value):
        """``"scale = 0.01"``: the label of a value, the same in both modes."""
        return f"{self.name} = {self.fmt(value)}"

    def snap(self, value):
        """``value`` as a float, replaced by the grid value it equals up to rounding."""
        value = float(value)
        for g in self.grid:
            if g == value or (g > 0 and value > 0 and abs(math.log10(value) - math.log10(g)) < 1e-6):
                return g
        return value

    def from_position(self, position):
        """The value at a live slider position (a log10, or the left end for 0)."""
        position = float(position)
        if self.zero and position <= self.min + 1e-9:
            return 0.0
        return self.snap(10.0 ** position)

    def to_position(self, value):
        return self.min if value == 0 else float(np.clip(math.log10(value), self.min, self.max))

    def live(self, continuous_update=True):
        """``(control, label)`` ipywidgets for a kernel."""
        import ipywidgets as W

        slider = W.FloatSlider(
            value=self.to_position(self.value), min=self.min, max=self.max, step=self.step,
            readout=False, continuous_update=continuous_update, description=self.name,
            description_allow_html=False, layout=W.Layout(width="320px"),
            tooltip=f"{self.label} (log scale)",
        )
        label = W.Label(self.text(self.value), layout=W.Layout(min_width="140px"))
        return slider, label

    def live_value(self, control):
        return self.from_position(control.value)

    def __repr__(self):
        return f"LogSlider({self.name!r}, {len(self.grid)} values from {self.fmt(self.grid[0])} to {self.fmt(self.grid[-1])})"


class Choice:
    """A choice among a few options: ipywidgets ``ToggleButtons`` live, a ``<select>`` in the static book.

    Live, every option is a button (Tab to it, Space or Enter to choose it):
    in JupyterLab a focused ``Dropdown`` loses its arrow keys to the notebook,
    which moves to the next cell instead (ipywidgets issue 3912), so a reader
    with a keyboard could not change it.

    Parameters
    ----------
    name : str
    label : str
    options : sequence of str
    value : str
    """

    kind = "choice"

    def __init__(self, name, label, options, value):
        self.name = name
        self.label = label
        self.grid = [str(o) for o in options]
        if not self.grid:
            raise ValueError(f"{name} must offer at least one option")
        self.value = check_choice(value, name, self.grid)

    def text(self, value):
        return f"{self.name} = {value}"

    def snap(self, value):
        return check_choice(value, self.name, self.grid)

    def live(self, continuous_update=True):
        import ipywidgets as W

        buttons = W.ToggleButtons(options=self.grid, value=self.value, description=self.name,
                                  tooltips=[f"{self.label}: {o}" for o in self.grid],
                                  style={"button_width": "auto"})
        return buttons, None

    def live_value(self, control):
        return control.value

    def __repr__(self):
        return f"Choice({self.name!r}, {self.grid})"
