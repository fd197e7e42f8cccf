"""The cells of a notebook that its graded (check) cells need: what the nbgrader tests hand in.

autograde executes a submission from the top; nbgrader scores the graded cells only, so a submission
holding the graded cells and, going backwards, every code cell that defines a name a kept cell uses (the
solution or stub of the function a check tests, the imports) gets the scores of the whole notebook (a
student may delete the other cells too) in a fraction of the time. The whole chapters run with their
checks in ``pytest --nbval``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import student  # noqa: E402


def sliced(nb):
    """``nb`` with only the code cells its graded cells need (markdown cells all kept)."""
    needed: set[str] = set()
    keep = []
    for cell in reversed(nb.cells):
        tree = student._python(cell.source) if cell.cell_type == "code" else None
        if cell.cell_type != "code":
            keep.append(cell)
        elif student.is_grade_cell(cell) or (tree is not None and student._bound_names(tree) & needed):
            keep.append(cell)
            if tree is not None:
                needed |= student._used_names(tree)
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells = list(reversed(keep))
    return nb
