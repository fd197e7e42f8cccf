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


def _integer_ladder(grid, per_decade=20):
    """The whole numbers nearest to ``per_decade`` log-spaced points per decade from ``grid[0]`` to ``grid[-1]``,
    with every grid value: ``[1, 10, 200]`` -> 1, 2, ..., 10, 11, 12, 13, 15, 17, ..., 179, 200."""
    lo, hi = math.log10(grid[0]), math.log10(grid[-1])
    n = max(2, int(math.ceil((hi - lo) * per_decade)) + 1)
    marks = {int(g) for g in grid}
    near = 0.5 / per_decade  # a rung this close (in log10) to a grid value gives way to it: no 29 next to 30
    rungs = {int(round(10.0 ** x)) for x in np.linspace(lo, hi, n)
             if min(abs(x - math.log10(g)) for g in marks) >= near}
    return [float(v) for v in sorted(rungs | marks)]


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
    integer : bool, default False
        The values are whole numbers (a depth, a number of blocks). Live, the
        slider then steps through the whole numbers of a ladder that is about
        logarithmic (1, 2, ..., 13, 15, 17, 19, 21, ...) and holds every grid
        value, so that each arrow key gives another number: over a plain
        log10 slider, a step that is fine enough at 200 would round to the
        same number at 10.
    """

    kind = "slider"

    def __init__(self, name, label, grid, value, zero=False, fmt=None, integer=False):
        self.name = name
        self.label = label
        self.zero = bool(zero)
        self.integer = bool(integer)
        self.grid = _check_grid(grid, name, zero=self.zero)
        self.fmt = fmt or _fmt
        if self.integer:
            if self.zero or any(g != int(g) for g in self.grid):
                raise ValueError(f"{name} must be positive whole numbers for an integer slider, got {self.grid}")
            self.ladder = _integer_ladder(self.grid)
            # live positions are indices into the ladder, one per arrow key
            self.min, self.max, self.step = 0.0, float(len(self.ladder) - 1), 1.0
            self.value = self.snap(value)
            return
        self.ladder = None
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
        """The value at a live slider position (a log10, or the left end for 0; an index into the ladder if ``integer``)."""
        position = float(position)
        if self.integer:
            return self.ladder[int(np.clip(round(position), 0, len(self.ladder) - 1))]
        if self.zero and position <= self.min + 1e-9:
            return 0.0
        return self.snap(10.0 ** position)

    def to_position(self, value):
        if self.integer:  # the nearest rung of the ladder, on a log scale
            return float(np.argmin(np.abs(np.log(np.asarray(self.ladder)) - math.log(max(float(value), 1e-300)))))
        return self.min if value == 0 else float(np.clip(math.log10(value), self.min, self.max))

    def live(self, continuous_update=True):
        """``(control, label)`` ipywidgets for a kernel."""
        import ipywidgets as W

        if self.integer:
            slider = W.IntSlider(value=int(self.to_position(self.value)), min=0, max=int(self.max), step=1,
                                 readout=False, continuous_update=continuous_update, description=self.name,
                                 description_allow_html=False, layout=W.Layout(width="320px"),
                                 tooltip=f"{self.label} (whole numbers, about a log scale)")
            return slider, W.Label(self.text(self.value), layout=W.Layout(min_width="140px"))
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
