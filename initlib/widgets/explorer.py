"""The explorer core: :class:`Explorer`, an experiment with controls, its frame
function, the PNG cache, and its two views (:mod:`.static`, :mod:`.live`).
"""
from __future__ import annotations

import os
import warnings
from collections import OrderedDict

import numpy as np

from .._validate import check_nonnegative_float
from .controls import LogSlider
from .live import live_widget
from .render import CACHE_SIZE, FRAMES_VARIABLE, _one_blas_thread, _png
from .static import first_frame_page, static_page

__all__ = ["Explorer"]


class Explorer:
    """An experiment with controls, shown live in a kernel and as precomputed frames in static HTML.

    The public methods, shared by every explorer:

    - :meth:`frame` ``(*values) -> Figure``: the frame function, the one code
      path of both modes;
    - :meth:`render` ``(*values) -> bytes``: the frame as PNG, cached per
      value: what a live slider move shows and what the static book embeds;
    - :meth:`describe` ``(*values) -> str``: one sentence on what the frame
      shows, its alt text and caption;
    - :meth:`static_html`, :meth:`widget`: the two views, both in
      ``_repr_mimebundle_``.

    Subclasses implement ``_setup()`` (make ``self.fig`` and its artists
    once) and ``_draw(values)`` (compute through :mod:`initlib.diagnostics`,
    draw through :mod:`initlib.plots`, and return the description). With
    ``blit = True`` the artists listed in ``self._animated`` are updated in
    place and redrawn over a background drawn once (the axes, ticks and
    labels, which do not change with the values).

    Attributes
    ----------
    controls : list of LogSlider or Choice
    values : tuple
        The current values (the initial ones until a live control moves).
    fig : matplotlib.figure.Figure
        The figure :meth:`frame` draws on (not made through pyplot).
    continuous_update : bool
        False for explorers that train: the live widget recomputes when the
        slider is released and shows "computing..." meanwhile.
    links : dict
        ``{i: (j, value)}``: moving control ``i`` sets control ``j`` to
        ``value``, in both views (a control that acts only with one option of
        another, like the residual explorer's free α, chooses that option:
        every move of every control changes the figure).
    """

    kind = "explorer"
    title = "Explorer"
    continuous_update = True
    blit = False
    links = {}

    def __init__(self, controls):
        self.controls = list(controls)
        self.values = tuple(c.value for c in self.controls)
        self._initial = self.values  # where the static version starts, whatever the live one did
        self.fig = None
        self._animated = []
        self._background = None
        self._cache = OrderedDict()
        self._alt = OrderedDict()
        self._widget = None
        self._html = None

    # -- to implement -----------------------------------------------------
    def _setup(self):
        raise NotImplementedError

    def _draw(self, values):
        """Draw the frame for ``values``; return its one-sentence description."""
        raise NotImplementedError

    def describe(self, *values):
        """One sentence saying what the frame for ``values`` shows: its alt text and caption."""
        values = self._check(values)
        key = self._frame_key(values)
        if key not in self._alt:
            self.frame(*values)
        return self._alt[key]

    def _frame_key(self, values):
        """What determines the frame: values that give the same key share one (cached) frame."""
        return values

    def _params(self):
        return {}

    # -- values -------------------------------------------------------------
    def _check(self, values):
        if len(values) != len(self.controls):
            names = ", ".join(c.name for c in self.controls)
            raise TypeError(f"{type(self).__name__} takes {len(self.controls)} value(s) ({names}), got {len(values)}")
        out = []
        for c, v in zip(self.controls, values):
            if isinstance(c, LogSlider):
                out.append(c.snap(check_nonnegative_float(v, c.name)))
            else:
                out.append(c.snap(v))
        return tuple(out)

    def grid(self):
        """Every combination of the controls' precomputed values, in the static book's order."""
        combos = [()]
        for c in self.controls:
            combos = [k + (v,) for k in combos for v in c.grid]
        return combos

    # -- the frame function ---------------------------------------------------
    def frame(self, *values):
        """Draw the experiment for ``values`` (one per control) and return the figure.

        The single code path of both modes: the live widget and the static
        frames both call it (through :meth:`render`). Any value a control can
        take is safe: what cannot be drawn is named in the figure.
        """
        values = self._check(values)
        with _one_blas_thread(), np.errstate(all="ignore"), warnings.catch_warnings():
            # a diverging run warns; its message is written in the figure instead
            warnings.simplefilter("ignore", RuntimeWarning)
            if self.fig is None:
                self._setup()
                if self.blit:
                    for artist in self._animated:
                        artist.set_animated(True)
                    # layout and every static artist are drawn once, from the
                    # placeholders of _setup: independent of which value comes first
                    self.fig.canvas.draw()
                    self.fig.set_layout_engine("none")
                    self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
            self._alt[self._frame_key(values)] = self._draw(values)
            while len(self._alt) > 4 * CACHE_SIZE:
                self._alt.popitem(last=False)
        return self.fig

    def _paint(self):
        """Rasterize the figure: the saved background plus the changing artists, or a full draw."""
        canvas = self.fig.canvas
        if self.blit:
            canvas.restore_region(self._background)
            for artist in self._animated:
                if artist.get_visible():
                    self.fig.draw_artist(artist)
        else:
            canvas.draw()
        return canvas

    def render(self, *values):
        """PNG bytes of the frame for ``values`` (cached): what a slider move shows."""
        values = self._check(values)
        key = self._frame_key(values)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        self.frame(*values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            png = _png(self._paint())
        self._cache[key] = png
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return png

    def clear_cache(self):
        """Forget the rendered frames (the benchmark measures uncached updates)."""
        self._cache.clear()

    # -- static mode --------------------------------------------------------
    def static_html(self):
        """The ``text/html`` fallback: every precomputed frame, the controls and a little JavaScript.

        Element ids derive from a hash of the content, so the same explorer
        gives the same HTML on every run.
        """
        if self._html is None:
            self._html = static_page(self)
        return self._html

    # -- live mode ----------------------------------------------------------
    def widget(self):
        """The live ipywidgets view (made once): the controls, the figure as an Image, a status line."""
        if self._widget is None:
            self._widget = live_widget(self)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The live widget first; every static frame only where it is needed.

        In a kernel with ipywidgets the bundle holds the widget view and, as
        ``text/html``, the first frame only (:func:`first_frame_page`): the
        widget appears as soon as one frame is drawn. Every frame of the static
        fallback (:meth:`static_html`) is computed when the environment
        variable :data:`FRAMES_VARIABLE` is ``"all"`` (the book build and nbval
        set it) or when there is no ipywidgets (then it is the only way to move
        the controls).
        """
        try:
            view = self.widget()._repr_mimebundle_()
        except ImportError:  # no ipywidgets: the static version works everywhere
            view = None
        key = "application/vnd.jupyter.widget-view+json"
        live = bool(view) and key in view
        every_frame = not live or os.environ.get(FRAMES_VARIABLE, "").strip().lower() == "all"
        bundle = {"text/plain": repr(self), "text/html": self.static_html() if every_frame else first_frame_page(self)}
        if live:
            bundle[key] = view[key]
        return bundle

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        grids = "; ".join(
            f"{len(c.grid)} precomputed values of {c.name} from {c.fmt(c.grid[0])} to {c.fmt(c.grid[-1])}"
            if isinstance(c, LogSlider) else f"{c.name} in {c.grid}"
            for c in self.controls
        )
        return f"{type(self).__name__}({params}; {grids})"
