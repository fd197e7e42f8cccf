r"""Interactive explorers: a slider that recomputes an experiment live in Jupyter
and still works in the static HTML book.

Each explorer is one call in a notebook cell; the object it returns displays as

- a **live widget** (ipywidgets 8) in a kernel -- JupyterLab, Notebook 7,
  VS Code, Colab: moving a control recomputes the experiment for *any* value
  in the slider's range and replaces the figure in place;
- a **static fallback** (``text/html``) in the built book, where there is no
  kernel: the frames for a grid of slider values are computed when the book is
  built, embedded as PNG images, and switched by a native
  ``<input type="range">`` (and ``<select>``) with a few lines of inline
  JavaScript. No network access, no third-party JavaScript. A reader's
  kernel skips those frames (the widget appears after one frame) unless
  ``INITLIB_EXPLORER_FRAMES=all`` is set, as the book build and nbval do.

Both modes go through **one frame function** per explorer, :meth:`Explorer.frame`
(values -> drawn figure: :mod:`initlib.diagnostics`, then :mod:`initlib.plots`),
and one encoder, :meth:`Explorer.render` (figure -> PNG bytes, cached per value).
The explorers only connect: they compute nothing the diagnostics do not
return and draw nothing the plot functions do not draw.

=======================  ================================  ==========================================
explorer                 control                           figure
=======================  ================================  ==========================================
:func:`scale_explorer`   init scale (log)                  activation histograms, std, saturated/dead
:func:`gain_explorer`    gain (log)                        forward std and backward gradient std
:func:`symmetry_explorer`  noise eps (log, with 0)         distinct units, decision boundary, accuracy
:func:`training_explorer`  init method, scale (log)        loss curve and decision boundary
:func:`jacobian_explorer`  depth (log), weights, activation  histogram of the Jacobian's singular values
:func:`residual_explorer`  blocks (log), branch rule, α     std of the stream and of its gradient, block by block
:func:`normalization_explorer`  init scale (log)           histograms and std without and with normalization
=======================  ================================  ==========================================

ipywidgets is imported only when a live widget is made: ``import initlib``
works without it, and the static fallback needs only matplotlib.

Where things live (every public name is re-exported here)::

    explorer.py   Explorer: values, the frame function, the PNG cache, repr
    controls.py   LogSlider, Choice (and the checks of their value grids)
    render.py     frame figures off pyplot, PNG encoding, log curves updated in place
    static.py     the static HTML, CSS and JavaScript of the built book
    live.py       the live ipywidgets view
    scaled.py     deep networks with weights factor * W0; critical_gain
    trainer.py    what the explorers that train share (data, cached runs, layout)
    scale.py      scale_explorer        gain.py      gain_explorer
    symmetry.py   symmetry_explorer     training.py  training_explorer
    jacobian.py   jacobian_explorer
    residual.py   residual_explorer
    normalization.py  normalization_explorer

To add an explorer: write ``initlib/widgets/<name>.py`` with a subclass of
:class:`Explorer` (``_setup`` makes ``self.fig`` with ``render._new_figure``;
``_draw(values)`` computes through :mod:`initlib.diagnostics`, draws through
:mod:`initlib.plots` and returns the alt text) and a factory function
``<name>_explorer``; import the factory below, add it to ``__all__`` and to
the table above (a file of shared helpers has ``__all__ = []``). No module
longer than 400 lines; ``tests/test_package_layout.py`` checks both.

Examples
--------
>>> ex = scale_explorer(depth=3, width=50, n_samples=20, scales=[0.01, 0.1, 1.0])
>>> ex
ScaleExplorer(activation='tanh', depth=3, width=50, n_samples=20, seed=0; 3 precomputed values of scale from 0.01 to 1)
>>> png = ex.render(0.1)                      # the live update path: value -> PNG bytes
>>> png[:4] == b"\x89PNG"
True
>>> html = ex.static_html()                   # what the HTML book shows
>>> html.count('type="range"')
1

Used in: the symmetry, saturation and He-scaling chapters, and the
"Interactive explorers" appendix.
"""
from .controls import Choice, LogSlider
from .explorer import Explorer
from .gain import gain_explorer
from .jacobian import jacobian_explorer
from .normalization import normalization_explorer
from .render import CACHE_SIZE, DPI, FRAMES_VARIABLE, PNG_COLORS  # noqa: F401  (settings of every frame)
from .residual import residual_explorer
from .scale import scale_explorer
from .scaled import critical_gain
from .symmetry import symmetry_explorer
from .training import training_explorer

__all__ = [
    "Explorer",
    "LogSlider",
    "Choice",
    "scale_explorer",
    "gain_explorer",
    "symmetry_explorer",
    "training_explorer",
    "jacobian_explorer",
    "residual_explorer",
    "normalization_explorer",
    "critical_gain",
]
