"""Sphinx extension: the book's own style sheet, each page loads each script once, an accessible bibliography.

``static/initbook.css`` holds the book's few style rules. It is served from
this folder rather than from a ``_static/`` folder in the book: when that
folder exists, Jupyter Book adds every ``.js`` file under ``html_static_path``
to every page (in the offline build, all of MathJax).

Sphinx 7.4 registers an inline script (``app.add_js_file(None, body=...)``)
added after the builder starts twice: once in the builder's list as a
script with no file name (``None``) and once more when ``prepare_writing``
re-adds the registered assets, now with the empty file name ``''``. The two
copies compare unequal, so both reach every page. sphinx-thebe's
configuration script (``const THEBE_JS_URL = ...``) then runs twice and the
second ``const`` declaration is a JavaScript SyntaxError on every page;
sphinx-togglebutton's selector script is doubled the same way.

This extension drops the second copy of any script (same file, same
attributes) from the page context just before the page is rendered. It also
drops the saved state of the notebooks' ipywidgets when the book loads no
widget manager (``nb_ipywidgets_js`` empty, as in ``_config.yml``): nothing
would read it, and the explorers show their precomputed HTML instead.

The explorers: displayed in a reader's kernel, an explorer of ``initlib.widgets``
shows its live widget and only its first frame as HTML; the book needs every
precomputed frame (the static fallback). :func:`ask_for_every_frame` sets
``INITLIB_EXPLORER_FRAMES=all`` in the environment of the build, which the
kernels that execute the notebooks inherit, however the book is built.

The bibliography: docutils writes each citation as ``<div
role="doc-biblioentry">`` inside a ``<div role="list">``. ARIA has deprecated
the ``doc-biblioentry`` role (DPub-ARIA 1.1), and a ``list`` may only contain
``listitem`` children, so axe-core reports both on the references page.
:func:`accessible_bibliography` gives each entry the ``listitem`` role in
the rendered page body: the entries stay a list, announced with their count.
"""
from __future__ import annotations

import html
import os
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def script_key(script):
    """What makes two scripts the same: the file name (None and '' alike) and the attributes."""
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {}) or {}
    return str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items()))


def unique_scripts(scripts):
    """``scripts`` without repeats, in their original order (the first copy stays)."""
    seen, kept = set(), []
    for script in scripts:
        key = script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def is_unused_widget_state(app, script) -> bool:
    """The saved ipywidgets state (30-120 kB a page) when no widget manager is loaded to read it."""
    attributes = getattr(script, "attributes", {}) or {}
    return attributes.get("type") == WIDGET_STATE and not getattr(app.config, "nb_ipywidgets_js", None)


def tidy_scripts(app, pagename, templatename, context, doctree):
    """Each script once, and no widget state that nothing reads."""
    scripts = context.get("script_files")
    if scripts:
        # in place: the context's list is the builder's, restored after each page
        scripts[:] = [s for s in unique_scripts(scripts) if not is_unused_widget_state(app, s)]


BIBLIOENTRY = 'role="doc-biblioentry"'


def accessible_bibliography(body):
    """``body`` (a page's HTML) with each citation a ``listitem`` of its ``list``, not a ``doc-biblioentry``."""
    return body.replace(BIBLIOENTRY, 'role="listitem"')


def tidy_body(app, pagename, templatename, context, doctree):
    if BIBLIOENTRY in context.get("body", ""):
        context["body"] = accessible_bibliography(context["body"])


FRAMES_VARIABLE = "INITLIB_EXPLORER_FRAMES"  # initlib.widgets.FRAMES_VARIABLE (initlib is not imported here)


def ask_for_every_frame(environ=os.environ):
    """Make the kernels that execute the notebooks compute every static frame of the explorers."""
    environ.setdefault(FRAMES_VARIABLE, "all")


def add_static_path(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def write_index(app, exception):
    """The site's root page (``index.html``): a redirect to the first page, with the book's title and icon.

    Without it sphinx-external-toc writes a bare ``<meta http-equiv="Refresh">`` (it writes none where
    ``index.html`` exists): a page with no head, for which the browser asks for ``/favicon.ico``, which
    the book does not have (a 404 in the console of anyone opening the site's root).
    """
    if exception is not None or getattr(app.builder, "format", "") != "html":
        return
    index = Path(app.outdir) / "index.html"
    if index.exists():
        return
    target = f"{app.config.root_doc}.html"
    title = html.escape(app.config.html_title or app.config.project or "")
    favicon = app.config.html_favicon
    icon = ""
    if favicon and "://" not in favicon:
        icon = f'<link rel="icon" href="_static/{html.escape(Path(favicon).name)}">\n'
    index.write_text(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Refresh" content="0; url={target}">\n<title>{title}</title>\n{icon}</head>\n'
        f'<body><p><a href="{target}">{title or target}</a></p></body>\n</html>\n',
        encoding="utf-8",
    )


def setup(app):
    ask_for_every_frame()
    # before sphinx-external-toc's bare redirect (build-finished, default priority 500)
    app.connect("build-finished", write_index, priority=400)
    app.connect("config-inited", add_static_path)
    app.add_css_file("initbook.css")
    # after the themes and extensions have added their per-page scripts (default priority 500)
    app.connect("html-page-context", tidy_scripts, priority=900)
    app.connect("html-page-context", tidy_body)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
