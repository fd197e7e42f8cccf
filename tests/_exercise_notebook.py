"""A small synthetic chapter that follows CONTRIBUTING.md's exercise conventions.

Used by the tests of the student edition, the student book and the nbgrader
round trip, so that they exercise every case even before the real chapters
have exercises. Its solutions contain marker strings (``SECRET_...``) that must
never reach a student edition.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

CODE_MARKER = "SECRET_CODE_MARKER"
PROSE_MARKER = "SECRET_PROSE_MARKER"
MIXED_MARKER = "SECRET_MIXED_MARKER"


def _meta(kind: str, grade_id: str) -> dict:
    if kind == "solution":
        return {"grade": False, "solution": True, "locked": False, "grade_id": grade_id, "schema_version": 3}
    return {"grade": True, "solution": False, "locked": True, "points": 1, "grade_id": grade_id,
            "schema_version": 3}


def _stream(text: str):
    return new_output("stream", name="stdout", text=text)


def demo_notebook():
    """The synthetic chapter, with the outputs a run would produce."""
    cells = [
        new_markdown_cell("# A demo chapter\n\nDoubling numbers, for the tests of the student edition."),
        new_code_cell("import numpy as np", execution_count=1),
        new_code_cell("print(np.round(np.pi, 3))", execution_count=2, outputs=[_stream("3.142\n")]),
        new_markdown_cell("## Exercises"),
        new_markdown_cell(
            ":::{exercise} Implement double\n:label: ex-demo-double\n\n"
            "**Difficulty:** ★★☆ · **Time:** 10 min · **Kind:** implement\n\n"
            "Write `double(x)`, which returns twice `x`.\n:::"),
        new_markdown_cell(
            "::::{solution} ex-demo-double\n:class: dropdown\n\n"
            f"Multiply by two; the {PROSE_MARKER} is that nothing else is needed.\n::::",
            metadata={"tags": ["solution"]}),
        new_code_cell(
            'def double(x):\n    """Return twice x."""\n    ### BEGIN SOLUTION\n'
            f"    y = 2 * x  # {CODE_MARKER}\n    return y\n    ### END SOLUTION",
            metadata={"tags": ["solution", "hide-cell"], "nbgrader": _meta("solution", "ex-demo-double-code")},
            execution_count=3),
        new_code_cell(
            "from initlib.checks import Checker\n\n"
            'c = Checker("check_double")\n'
            "for x in (0, 3, -2.5):\n"
            "    got = c.call(double, x)\n"
            '    c.expect(got == 2 * x, f"double({x}) returned {got!r}; expected {2 * x!r}")\n'
            "c.done()",
            metadata={"nbgrader": _meta("grade", "ex-demo-double-check")},
            execution_count=4, outputs=[_stream("✔ check_double: all 3 checks passed.\n")]),
        new_code_cell("print(double(21))", execution_count=5, outputs=[_stream("42\n")]),
        new_markdown_cell(
            ":::{exercise} Count\n:label: ex-demo-count\n\n"
            "**Difficulty:** ★☆☆ · **Time:** 5 min · **Kind:** computational\n\n"
            "How many multiples of 7 are there below 100?\n:::"),
        new_markdown_cell(
            "::::{solution} ex-demo-count\n:class: dropdown\n\nCount them with a range.\n::::",
            metadata={"tags": ["solution"]}),
        new_code_cell(
            f"### BEGIN SOLUTION\nmultiples = len(range(7, 100, 7))  # {CODE_MARKER}\n### END SOLUTION\n"
            "print(multiples)",
            metadata={"tags": ["solution", "hide-cell"], "nbgrader": _meta("solution", "ex-demo-count-code")},
            execution_count=6, outputs=[_stream("14\n")]),
        new_code_cell("print(multiples + 1)", execution_count=7, outputs=[_stream("15\n")]),
        new_code_cell('print("an unrelated cell")', execution_count=8, outputs=[_stream("an unrelated cell\n")]),
        new_markdown_cell(
            ":::{exercise} Why two\n:label: ex-demo-why\n\n"
            "**Difficulty:** ★☆☆ · **Time:** 5 min · **Kind:** conceptual\n\nWhy two?\n:::\n\n"
            f":::{{solution}} ex-demo-why\n:class: dropdown\n\nBecause {MIXED_MARKER} says so.\n:::"),
    ]
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    nbformat.validate(nb)
    return nb


def write_demo(path: Path) -> Path:
    nbformat.write(demo_notebook(), str(path))
    return path
