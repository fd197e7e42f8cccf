"""The book's Sphinx extension (_ext/initbook_assets.py): one copy of each script, no unread widget state."""
from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from sphinx.builders.html._assets import _JavaScript

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

import initbook_assets as assets  # noqa: E402


def test_an_inline_script_registered_as_none_and_as_empty_name_is_kept_once():
    # what Sphinx 7.4 puts in a page's script_files for one add_js_file(None, body=...)
    body = 'const THEBE_JS_URL = "..."'
    scripts = [_JavaScript("_static/a.js"), _JavaScript(None, body=body), _JavaScript("_static/b.js"),
               _JavaScript("", body=body)]
    kept = assets.unique_scripts(scripts)
    assert [s.filename for s in kept] == ["_static/a.js", None, "_static/b.js"]


def test_different_inline_scripts_and_attributes_are_all_kept():
    scripts = [_JavaScript(None, body="let a = 1;"), _JavaScript(None, body="let b = 2;"),
               _JavaScript("_static/x.js"), _JavaScript("_static/x.js", **{"async": "async"})]
    assert assets.unique_scripts(scripts) == scripts


def test_widget_state_is_dropped_only_without_a_widget_manager():
    state = _JavaScript(None, type=assets.WIDGET_STATE, body="{}")
    other = _JavaScript("_static/x.js")
    for manager, expected in [({}, [other]), ({"https://example.org/embed.js": {}}, [state, other])]:
        app = SimpleNamespace(config=SimpleNamespace(nb_ipywidgets_js=manager))
        context = {"script_files": [state, other, _JavaScript("_static/x.js")]}
        assets.tidy_scripts(app, "page", "page.html", context, None)
        assert context["script_files"] == expected


def test_citations_are_list_items_not_deprecated_biblioentries():
    body = ('<div role="list" class="citation-list">\n<div class="citation" id="id1" role="doc-biblioentry">'
            '<span class="label">1</span><p>He et al.</p></div>\n</div>')
    context = {"body": body}
    assets.tidy_body(None, "chapters/references", "page.html", context, None)
    assert "doc-biblioentry" not in context["body"]
    assert context["body"].count('role="listitem"') == 1 and 'role="list"' in context["body"]
    untouched = {"body": "<p>no bibliography here</p>"}
    assets.tidy_body(None, "intro", "page.html", untouched, None)
    assert untouched["body"] == "<p>no bibliography here</p>"


def test_the_book_build_asks_the_kernels_for_every_explorer_frame():
    import initlib.widgets

    environ = {}
    assets.ask_for_every_frame(environ)
    assert environ == {initlib.widgets.FRAMES_VARIABLE: "all"}
    chosen = {initlib.widgets.FRAMES_VARIABLE: "first"}
    assets.ask_for_every_frame(chosen)
    assert chosen[initlib.widgets.FRAMES_VARIABLE] == "first"  # a value set by hand is kept


def test_the_root_page_redirects_with_a_title_and_the_icon(tmp_path):
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path),
                          config=SimpleNamespace(root_doc="intro", html_title="Initializing <Neural> Networks",
                                                 project="x", html_favicon="images/favicon.svg"))
    assets.write_index(app, None)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="Refresh" content="0; url=intro.html">' in page
    assert '<link rel="icon" href="_static/favicon.svg">' in page
    assert "<title>Initializing &lt;Neural&gt; Networks</title>" in page and '<a href="intro.html">' in page
    # an index.html the book has, or a failed build, is left alone
    (tmp_path / "index.html").write_text("mine", encoding="utf-8")
    assets.write_index(app, None)
    assert (tmp_path / "index.html").read_text(encoding="utf-8") == "mine"
    (tmp_path / "index.html").unlink()
    assets.write_index(app, RuntimeError("build failed"))
    assert not (tmp_path / "index.html").exists()
