"""The book as a reader gets it, checked from its sources: configuration, first cells,
bibliography, numbered and referenced figures and equations, figure captions and alt text.

The built HTML is checked in a browser by tests/browser; these checks need no build.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from student_book import toc_files  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
PAGES = toc_files(TOC, ROOT)
NOTEBOOKS = [p for p in PAGES if p.suffix == ".ipynb"]


def read(path):
    return nbformat.read(str(ROOT / path), as_version=4)


def prose(path) -> str:
    """The markdown text of a page (a notebook's markdown cells, or a .md file)."""
    if path.suffix == ".md":
        return (ROOT / path).read_text(encoding="utf-8")
    return "\n\n".join(c.source for c in read(path).cells if c.cell_type == "markdown")


def figure_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and (c.metadata.get("mystnb") or {}).get("figure")]


# ------------------------------------------------------------ configuration ----

def test_execution_settings():
    execute = CONFIG["execute"]
    assert execute["execute_notebooks"] in ("cache", "force")
    assert execute["timeout"] > 0, "a per-cell timeout"
    assert execute["allow_errors"] is False


def test_launch_buttons_from_one_repository_url():
    repo = CONFIG["repository"]["url"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo), repo
    launch = CONFIG["launch_buttons"]
    for key in ("binderhub_url", "colab_url", "jupyterhub_url"):
        assert re.match(r"https://[\w.-]+", launch.get(key) or ""), f"launch_buttons.{key} is not set"


def test_math_extensions():
    assert {"dollarmath", "amsmath"} <= set(CONFIG["parse"]["myst_enable_extensions"])
    assert CONFIG["sphinx"]["config"]["numfig"] is True


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_cell_installs_initlib_from_the_repository(path):
    """On Colab or a bare server the first cell installs initlib from repository.url; elsewhere it does nothing."""
    first = next(c for c in read(path).cells if c.cell_type == "code")
    assert "remove-cell" in first.metadata.get("tags", []), "the install cell is hidden in the book"
    source = first.source
    assert re.search(r"try:\s+import initlib.*\nexcept ImportError:", source, re.S), source
    assert f"git+{CONFIG['repository']['url']}" in source, "installs from the repository named in _config.yml"


# ------------------------------------------------------------- bibliography ----

# a phrase of each work's title (matched ignoring case and BibTeX braces)
REQUIRED_WORKS = {
    "Glorot & Bengio 2010": "understanding the difficulty of training deep feedforward",
    "He et al. 2015": "delving deep into rectifiers",
    "LeCun et al. 1998": "efficient backprop",
    "Saxe et al. 2014": "exact solutions to the nonlinear dynamics",
    "Goodfellow, Bengio & Courville 2016": "title = deep learning",
    "deeplearning.ai course": "improving deep neural networks",
    "CS231n notes": "cs231n",
}


def bib_entries() -> dict[str, str]:
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"@\w+\{([^,]+),.*?\n\}", text, re.S)}


def plain(entry: str) -> str:
    """A BibTeX entry in lower case without braces and with single spaces."""
    return re.sub(r"\s+", " ", entry.replace("{", "").replace("}", "")).lower()


def cited_keys() -> set[str]:
    keys = set()
    for page in PAGES:
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", prose(page)):
            keys |= {k.strip() for k in group.split(",")}
    return keys


@pytest.mark.parametrize("work", REQUIRED_WORKS)
def test_required_work_is_in_the_bibliography_and_cited(work):
    entries = bib_entries()
    keys = [k for k, text in entries.items() if REQUIRED_WORKS[work] in plain(text)]
    assert keys, f"{work} is missing from references.bib"
    assert set(keys) & cited_keys(), f"{work} ({keys}) is never cited with {{cite}}"


def test_every_citation_resolves():
    missing = cited_keys() - set(bib_entries())
    assert not missing, f"cited but not in references.bib: {sorted(missing)}"


# ------------------------------------------------- figures and equations ----

@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_is_named_captioned_described_and_referenced(path):
    nb = read(path)
    text = prose(path)
    for cell in nb.cells:
        if cell.cell_type != "code" or "remove-output" in cell.metadata.get("tags", []):
            continue
        if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            mystnb = cell.metadata.get("mystnb") or {}
            if "solution" in cell.metadata.get("tags", []):
                # a figure inside a hidden solution is not numbered, but described
                assert len((mystnb.get("image") or {}).get("alt", "")) > 20, f"no alt text:\n{cell.source[:200]}"
                continue
            figure = mystnb.get("figure") or {}
            assert figure.get("name") and figure.get("caption"), f"a figure without name or caption:\n{cell.source[:200]}"
            assert len((mystnb.get("image") or {}).get("alt", "")) > 20, f"{figure['name']} has no alt text"
            assert f"{{numref}}`{figure['name']}`" in text, f"{figure['name']} is never referenced with {{numref}}"


DISPLAY_MATH = re.compile(r"^\$\$(.+?)\$\$[ \t]*(\(([\w-]+)\))?[ \t]*$", re.S | re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_display_equation_is_labelled_and_referenced(path):
    text = prose(path)
    equations = DISPLAY_MATH.findall(text)
    assert text.count("$$") == 2 * len(equations), "a $$ block this test does not recognise"
    for body, _, label in equations:
        assert label, f"a display equation without a label: $${body.strip()[:80]}$$"
    labels = [label for _, _, label in equations]
    assert len(set(labels)) == len(labels), f"repeated labels: {labels}"


def test_equation_labels_are_unique_and_referenced_in_the_book():
    labels, text = [], ""
    for path in NOTEBOOKS:
        page = prose(path)
        labels += [label for _, _, label in DISPLAY_MATH.findall(page)]
        text += page
    assert len(set(labels)) == len(labels), f"an equation label is used twice: {labels}"
    unreferenced = [label for label in labels if f"{{eq}}`{label}`" not in text]
    assert not unreferenced, f"equations never referenced with {{eq}}: {unreferenced}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_figures_are_opaque_for_dark_mode(path):
    """Every PNG a notebook shows has an opaque background: dark text on it stays readable in dark mode."""
    import base64
    import io

    from matplotlib import image

    for cell in read(path).cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                pixels = image.imread(io.BytesIO(base64.b64decode(png)), format="png")
                if pixels.ndim == 3 and pixels.shape[2] == 4:
                    assert pixels[..., 3].min() == 1.0, f"a transparent figure:\n{cell.source[:200]}"


def test_notation_names_exist_in_initlib():
    """The notation page's "name in initlib" column names things that exist."""
    import importlib

    import initlib

    text = (ROOT / "chapters" / "notation.md").read_text(encoding="utf-8")
    dotted = set(re.findall(r"`(initlib(?:\.\w+)+)", text))
    assert len(dotted) >= 3, dotted
    for name in dotted:
        module, _, attr = name.rpartition(".")
        try:
            obj = importlib.import_module(name)
        except ImportError:
            obj = getattr(importlib.import_module(module), attr, None)
        assert obj is not None, f"notation.md names {name}, which does not exist"
    net = initlib.MLP([2, 3, 1], seed=0)
    net.loss_and_grad(np.zeros((4, 2)), np.zeros((4, 1)))
    attributes = set(re.findall(r"`net\.(\w+)", text))
    assert {"W", "b", "z", "a", "dz", "dW"} <= attributes, attributes
    for attr in attributes:
        assert hasattr(net, attr), f"notation.md names net.{attr}, which MLP does not have"
