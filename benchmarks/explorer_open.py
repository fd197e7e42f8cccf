"""How long an explorer takes to appear in a Jupyter kernel: the reader's display against the book's.

For every explorer of the chapters (each code cell whose last statement calls
``il.widgets.<name>_explorer(...)``), a real kernel (nbclient, ipykernel)
runs the cell and displays the explorer, and the cell times itself: from the
call to the end of ``display`` (the mime bundle, what the frontend receives).
It does so twice side by side, in two fresh kernels:

- ``reader``: a kernel as JupyterLab, Colab or VS Code starts it;
- ``book``: with ``INITLIB_EXPLORER_FRAMES=all``, as the book build (and nbval)
  run the chapters, where the static fallback's frames are computed.

Usage::

    .venv/bin/python benchmarks/explorer_open.py
"""
from __future__ import annotations

import ast
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TIMED = "import time as _t\n_t0 = _t.perf_counter()\ndisplay({call})\nprint(f'{{_t.perf_counter() - _t0:.3f}}')"


def explorer_cells():
    """(chapter, explorer name, source of the call) for every explorer cell of the chapters."""
    found = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                body = ast.parse(cell.source).body
            except SyntaxError:
                continue
            last = body[-1] if body else None
            if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
                name = ast.unparse(last.value.func)
                if name.startswith("il.widgets.") and name.endswith("_explorer"):
                    found.append((path.name, name.split(".")[-1], ast.get_source_segment(cell.source, last)))
    return found


def open_times(cells, **env):
    """Seconds each explorer takes to display in one fresh kernel with ``env`` set."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import initlib as il\nimport numpy as np\nimport matplotlib.pyplot as plt\nimport ipywidgets")])
        nb.cells += [nbformat.v4.new_code_cell(TIMED.format(call=call)) for _, _, call in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        NotebookClient(nb, timeout=1200, kernel_name="python3").execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return [float(next(o for o in c.outputs if o.get("name") == "stdout")["text"]) for c in nb.cells[1:]]


def main():
    cells = explorer_cells()
    print(f"{len(cells)} explorers; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"Python {sys.version.split()[0]}")
    start = time.perf_counter()
    reader = open_times(cells)
    book = open_times(cells, INITLIB_EXPLORER_FRAMES="all")
    print(f"{'chapter':24} {'explorer':20} {'reader (s)':>10} {'book (s)':>10}")
    for (chapter, name, _), r, b in zip(cells, reader, book):
        print(f"{chapter:24} {name:20} {r:10.2f} {b:10.2f}")
    print(f"{'total':45} {sum(reader):10.2f} {sum(book):10.2f}   ({time.perf_counter() - start:.0f} s in all)")


if __name__ == "__main__":
    main()
