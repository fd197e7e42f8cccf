"""The student edition of the HTML book holds no solution; the full book does.

Both books are built here, into a temporary folder, from trees made by
``tools/student_book.py`` (the student one is what ``make student-book``
builds), with the synthetic chapter of ``_exercise_notebook.py`` added so that
every kind of solution is present even before the chapters have exercises.
Neither build executes the notebooks: the full one shows the stored outputs,
the student one the outputs ``tools/student.py`` keeps. Both run with
warnings as errors, as ``make book`` does. The full book is the book of
``_config.yml`` with nothing executed: ``make test`` builds it only here (its
offline build, for the browser test, differs only in where MathJax comes from).
"""
from __future__ import annotations

import html
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

import _exercise_notebook as demo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import student  # noqa: E402
import student_book  # noqa: E402

JB = Path(sys.executable).parent / "jupyter-book"
TEXT_SUFFIXES = {".html", ".js", ".txt", ".ipynb", ".md", ".json"}


def _build(src: Path) -> Path:
    result = subprocess.run([str(JB), "build", str(src), "-W", "-n", "--keep-going", "--all"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"building {src} failed:\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return src / "_build" / "html"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Build the student and the full book, side by side; return their HTML folders and notebooks."""
    base = tmp_path_factory.mktemp("books")
    extra = demo.write_demo(base / "demo.ipynb")
    trees = {
        "student": student_book.prepare(base / "student", student_edition=True, extra_notebooks=[extra]),
        "full": student_book.prepare(base / "full", student_edition=False, extra_notebooks=[extra]),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        html_dirs = dict(zip(trees, pool.map(_build, trees.values())))
    in_book = [ROOT / p.relative_to(trees["full"]) for p in sorted(trees["full"].rglob("*.ipynb"))
               if "_build" not in p.parts and p.name != extra.name]
    notebooks = {p.stem: nbformat.read(str(p), as_version=4) for p in [*in_book, extra]}
    return {"html": html_dirs, "trees": trees, "notebooks": notebooks}


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def _site(html_dir: Path) -> dict[str, str]:
    """Every text file of a built site, by its path relative to the site."""
    return {str(p.relative_to(html_dir)): _text(p) for p in sorted(html_dir.rglob("*"))
            if p.is_file() and p.suffix in TEXT_SUFFIXES}


def test_the_full_book_is_the_book_of_config_yml(books):
    """make test builds the book of _config.yml only here: the same config, nothing executed."""
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    full = yaml.safe_load((books["trees"]["full"] / "_config.yml").read_text())
    assert full["execute"].pop("execute_notebooks") == "off"
    book["execute"].pop("execute_notebooks", None)
    assert full == book


def test_student_config(books):
    config = yaml.safe_load((books["trees"]["student"] / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert not config["launch_buttons"]["binderhub_url"] and not config["launch_buttons"]["colab_url"]


def test_demo_markers_only_in_the_full_book(books):
    for name, html_dir in books["html"].items():
        page = _text(html_dir / "chapters" / "demo.html")
        for marker in (demo.CODE_MARKER, demo.PROSE_MARKER, demo.MIXED_MARKER):
            assert (marker in page) == (name == "full"), f"{marker} in the {name} book: {marker in page}"
        assert "Implement double" in page, "the exercise is in both books"
    student_page = _text(books["html"]["student"] / "chapters" / "demo.html")
    assert "YOUR CODE HERE raise NotImplementedError" in student._words(student_page), "the stub is shown"


def test_no_solution_line_in_the_student_book(books):
    site = _site(books["html"]["student"])
    found = {}
    for name, nb in books["notebooks"].items():
        for path, text in site.items():
            leaks = student.leaks(nb, text)
            if leaks:
                found[f"{name} -> {path}"] = leaks
    assert not found, f"solution lines in the student book: {found}"


def test_the_full_book_has_the_solutions(books):
    """The search of the test above does find solutions where they are."""
    site = _site(books["html"]["full"])
    for name, nb in books["notebooks"].items():
        if not student.solution_lines(nb):
            continue
        page = site[f"chapters/{name}.html"]
        assert student.leaks(nb, page), f"no solution line of {name} found in its page of the full book"


def test_no_launch_buttons_in_the_student_book(books):
    page = (books["html"]["student"] / "chapters" / "demo.html").read_text(encoding="utf-8")
    assert "mybinder.org" not in page and "colab.research.google.com" not in page
    full = (books["html"]["full"] / "chapters" / "demo.html").read_text(encoding="utf-8")
    assert "mybinder.org" in full
