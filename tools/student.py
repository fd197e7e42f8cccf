"""Write the student edition of the chapter notebooks.

    python tools/student.py [--out student] [NOTEBOOK ...]     (default: chapters/*.ipynb)

For every notebook it writes ``<out>/<name>.ipynb`` in which

- the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is replaced
  by a stub, indented like the marker: nbgrader's ``# YOUR CODE HERE``, then
  ``raise NotImplementedError("<label> (<title>): ...")`` naming the exercise
  (the label is the cell's nbgrader ``grade_id`` without ``-code``, the title
  that of its ``{exercise}`` directive); the code outside the markers (a
  ``def`` line, a docstring) stays. A solution cell without markers (tag
  ``solution`` or nbgrader ``"solution": true``) becomes the stub as a whole,
  as in nbgrader; the stub cell loses the tags that hide it in the book;
- solution prose is removed: markdown cells tagged ``solution`` are dropped,
  and ``{solution}`` directives (single or ``solution-start``/``solution-end``
  form) are cut out of any other markdown cell;
- check cells (nbgrader ``"grade": true``) stay, and so does every cell's
  nbgrader metadata, so the student edition can be autograded by nbgrader;
- outputs are cleared where they would reveal a solution: in solution and
  check cells, in every later cell that uses a name a solution cell defines
  (directly or through another such cell), and in any cell whose output
  contains a line of a solution. The outputs of the other cells stay, so the
  student edition of the HTML book can be built without executing stubs.

The tool only needs the standard library and ``nbformat``. It is
deterministic and idempotent: the same input gives byte-identical output, and
a student notebook passed through it again is unchanged. Unbalanced markers
(a ``BEGIN SOLUTION`` without its ``END SOLUTION``, an ``END`` without a
``BEGIN``, or nested regions) stop it with the notebook, cell and line.

As in nbgrader, a marker is any line that contains ``BEGIN SOLUTION`` or
``END SOLUTION``; the book writes them as ``### BEGIN SOLUTION``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import re
import symtable
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

BEGIN = "BEGIN SOLUTION"
END = "END SOLUTION"
#: nbgrader's ``ClearSolutions.code_stub`` for Python (:func:`code_stub` names the exercise in it) and ``text_stub``.
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = "YOUR ANSWER HERE"
#: tags that hide a cell's input in the book; a stub must be visible.
HIDING_TAGS = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
SOLUTION_TAG = "solution"

__all__ = [
    "SolutionMarkerError", "replace_solution_regions", "strip_solution_directives", "exercise_titles", "code_stub",
    "make_student", "student_markdown", "solution_lines", "public_text",
    "notebook_text", "leaks", "student_notebook", "write_student", "main",
]


class SolutionMarkerError(ValueError):
    """A solution region is not closed, not opened, or nested."""


# ------------------------------------------------------------- cell tests ---
def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution_cell(cell) -> bool:
    """Tagged ``solution`` or marked as an nbgrader solution cell."""
    return SOLUTION_TAG in tags(cell) or bool(nbgrader(cell).get("solution"))


def is_grade_cell(cell) -> bool:
    return bool(nbgrader(cell).get("grade"))


def has_markers(source: str) -> bool:
    return BEGIN in source or END in source


def _is_stub(source: str) -> bool:
    """True for a code cell that already holds the stub (a student edition's solution cell)."""
    lines = [ln.strip() for ln in source.splitlines()]
    return any(lines[i] == CODE_STUB[0] and lines[i + 1].startswith("raise NotImplementedError(")
               for i in range(len(lines) - 1))


_EXERCISE = re.compile(r"^\s*:{3,}\{exercise\}\s*(?P<title>.*?)\s*\n\s*:label:\s*(?P<label>\S+)", re.M)


def exercise_titles(nb) -> dict[str, str]:
    """``{label: title}`` of every ``{exercise}`` directive of ``nb``'s markdown cells."""
    return {m["label"]: m["title"] for cell in nb.cells if cell.cell_type == "markdown"
            for m in _EXERCISE.finditer(cell.source)}


def code_stub(cell, titles: dict[str, str]) -> list[str]:
    """The stub of solution ``cell``: ``raise NotImplementedError`` with a message naming its exercise.

    >>> code_stub({"metadata": {"nbgrader": {"grade_id": "ex-a-b-code"}}}, {"ex-a-b": "Add"})[1]
    'raise NotImplementedError("ex-a-b (Add): replace this line with your code, then run the cell")'
    """
    label = nbgrader(cell).get("grade_id", "").removesuffix("-code")
    name = f"{label} ({titles[label]})" if label in titles else (label or "this exercise")
    message = f"{name}: replace this line with your code, then run the cell".replace("\\", "").replace('"', "'")
    return [CODE_STUB[0], f'raise NotImplementedError("{message}")']


# -------------------------------------------------------- solution regions ---
def replace_solution_regions(source: str, stub=None, where: str = "") -> tuple[str, list[str]]:
    """Replace every ``BEGIN SOLUTION`` ... ``END SOLUTION`` region of ``source``.

    Return the new source and the lines that were inside the regions. Each
    region becomes ``stub`` (default: nbgrader's Python stub) indented like
    its ``BEGIN`` line.

    >>> src = "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION"
    >>> print(replace_solution_regions(src)[0])
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    """
    stub = CODE_STUB if stub is None else stub
    out, removed = [], []
    begin_line = None
    for n, line in enumerate(source.split("\n"), start=1):
        if BEGIN in line:
            if begin_line is not None:
                raise SolutionMarkerError(
                    f"{where}line {n}: '{BEGIN}' inside the solution region opened on line {begin_line} "
                    f"(regions cannot be nested; close the first with '### {END}')")
            begin_line = n
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in stub)
        elif END in line:
            if begin_line is None:
                raise SolutionMarkerError(
                    f"{where}line {n}: '{END}' without a '### {BEGIN}' before it")
            begin_line = None
        elif begin_line is not None:
            removed.append(line)
        else:
            out.append(line)
    if begin_line is not None:
        raise SolutionMarkerError(
            f"{where}line {begin_line}: '{BEGIN}' is never closed (add '### {END}' after the solution)")
    return "\n".join(out), removed


# ------------------------------------------------------ solution directives ---
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\s*\{(?P<name>[A-Za-z0-9_:+-]+)\}")


def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line that closes the fence opened at ``start`` (len(lines) if none)."""
    char, size = fence[0], len(fence)
    for j in range(start + 1, len(lines)):
        m = _FENCE.match(lines[j])
        if m and m["fence"][0] == char and len(m["fence"]) >= size and not m["info"].strip():
            return j
    return len(lines)


def strip_solution_directives(text: str, where: str = "") -> tuple[str, list[str]]:
    """Cut every ``{solution}`` directive out of a markdown ``text``.

    Handles colon and backtick fences, and the gated ``{solution-start}`` /
    ``{solution-end}`` form. Return the new text and the removed lines.

    >>> md = ":::{exercise}\\nQ?\\n:::\\n\\n::::{solution} ex\\n:class: dropdown\\n\\nA.\\n::::\\n"
    >>> print(strip_solution_directives(md)[0])
    :::{exercise}
    Q?
    :::
    """
    lines = text.split("\n")
    keep, removed = [], []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        d = _DIRECTIVE.match(m["info"]) if m else None
        if m and d and d["name"] in ("solution", "solution-start"):
            end = _closing(lines, i, m["fence"])
            if d["name"] == "solution-start":
                # the solution runs until the {solution-end} directive's fence closes
                for k in range(end + 1, len(lines)):
                    mk = _FENCE.match(lines[k])
                    dk = _DIRECTIVE.match(mk["info"]) if mk else None
                    if dk and dk["name"] == "solution-end":
                        end = _closing(lines, k, mk["fence"])
                        break
                    if dk and dk["name"] == "solution-start":
                        break
                else:
                    k = len(lines)
                if k == len(lines) or not (dk and dk["name"] == "solution-end"):
                    raise SolutionMarkerError(f"{where}line {i + 1}: {{solution-start}} without {{solution-end}}")
            removed.extend(lines[i:end + 1])
            i = end + 1
            continue
        if m and d and d["name"] == "solution-end":
            raise SolutionMarkerError(f"{where}line {i + 1}: {{solution-end}} without {{solution-start}}")
        if m and not d and m["fence"][0] == "`":
            # a plain code block: its content is literal, skip it whole
            end = _closing(lines, i, m["fence"])
            keep.extend(lines[i:end + 1])
            i = end + 1
            continue
        keep.append(lines[i])
        i += 1
    # no run of blank lines where a directive was cut out, no trailing blanks
    out = "\n".join(keep)
    out = re.sub(r"\n{3,}", "\n\n", out).strip("\n")
    return out, removed


def _prose_lines(removed: list[str]) -> list[str]:
    """The content lines of removed directives: no fences, no ``:option:`` lines."""
    out = []
    for line in removed:
        s = line.strip()
        if not s or _FENCE.match(line) or re.match(r"^:[\w-]+:", s):
            continue
        out.append(line)
    return out


# ------------------------------------------------------ names and outputs ---
def _python(source: str):
    """Parse cell ``source`` (IPython magics and shell escapes dropped); None if impossible."""
    text = "\n".join("" if re.match(r"^\s*[%!]", ln) else ln for ln in source.split("\n"))
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


class _Binder(ast.NodeVisitor):
    """Collect the names a cell binds in the notebook's namespace (not the locals of its functions)."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def _named(self, node):  # a def or class binds its name; its body is local
        self.names.add(node.name)
        for dec in node.decorator_list:
            self.visit(dec)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _named

    def visit_Lambda(self, node):
        pass

    def visit_Import(self, node):
        for alias in node.names:
            self.names.add((alias.asname or alias.name).split(".")[0])

    visit_ImportFrom = visit_Import


def _bound_names(tree) -> set[str]:
    """Names a cell binds at module level (assignments, defs, classes, imports, loop targets)."""
    binder = _Binder()
    binder.visit(tree)
    return binder.names


def _used_names(tree) -> set[str]:
    """Names a cell reads from the notebook's namespace (not its functions' own locals)."""
    try:
        top = symtable.symtable(ast.unparse(tree), "<cell>", "exec")
    except SyntaxError:  # pragma: no cover - ast has parsed it already
        return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    names = set()

    def walk(table):
        for sym in table.get_symbols():
            if sym.is_referenced() and (table is top or sym.is_global()):
                names.add(sym.get_name())
        for child in table.get_children():
            walk(child)

    walk(top)
    return names


def _words(text: str) -> str:
    """``text`` as a space-separated sequence of words, for leak searches."""
    return " ".join(re.findall(r"\w+", text))


def output_text(cell) -> str:
    """All the text of a code cell's outputs (streams, text reprs, HTML, markdown, errors)."""
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(_join(out["text"]))
        for mime, value in (out.get("data") or {}).items():
            if mime.startswith("text/") or mime in ("application/json",):
                parts.append(_join(value) if not isinstance(value, dict) else str(value))
        if out.get("output_type") == "error":
            parts.append(out.get("ename", "") + " " + out.get("evalue", "") + " " + "\n".join(out.get("traceback", [])))
    return "\n".join(parts)


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _significant(lines) -> list[str]:
    """Solution lines long enough to identify a leak: at least three words."""
    seen, out = set(), []
    for line in lines:
        w = _words(line)
        if len(w.split()) >= 3 and w not in seen:
            seen.add(w)
            out.append(w)
    return out


# ------------------------------------------------------------- conversion ---
def _clear_outputs(cell) -> None:
    cell["outputs"] = []
    cell["execution_count"] = None


def _drop_tags(cell, drop) -> None:
    md = cell.setdefault("metadata", {})
    if "tags" in md:
        kept = [t for t in md["tags"] if t not in drop]
        if kept:
            md["tags"] = kept
        else:
            del md["tags"]


def student_markdown(cell, where: str = ""):
    """The student edition of a markdown ``cell`` (changed in place), or None to drop it.

    A cell tagged ``solution`` is dropped; ``{solution}`` directives are cut
    out of any other cell; an nbgrader written-answer cell (``"solution":
    true``) gets nbgrader's text stub.
    """
    source = cell.source
    if is_solution_cell(cell) and not nbgrader(cell).get("solution"):
        rest, _ = strip_solution_directives(source, where)
        others = [m["info"].strip() for m in map(_FENCE.match, rest.split("\n"))
                  if m and _DIRECTIVE.match(m["info"])]
        if others:
            raise SolutionMarkerError(
                f"{where}the cell is tagged '{SOLUTION_TAG}' but also holds the directive "
                f"{others[0]!r}; put the solution in a markdown cell of its own")
        return None  # solution prose: drop the whole cell
    if nbgrader(cell).get("solution"):
        # an nbgrader written-answer cell: as nbgrader does, keep the text
        # outside BEGIN/END SOLUTION, or replace the whole answer
        if has_markers(source):
            source, _ = replace_solution_regions(source, [TEXT_STUB], where)
        elif source.strip() != TEXT_STUB:
            source = TEXT_STUB
    source, _ = strip_solution_directives(source, where)
    if not source.strip():
        return None
    cell.source = source
    return cell


def make_student(nb, name: str = "notebook"):
    """Return the student edition of notebook ``nb`` (an nbformat node; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    cells = []
    titles = exercise_titles(nb)
    tainted: set[str] = set()
    lines = solution_lines(nb, name)  # first: it reports unbalanced markers with their place
    public = f" {_words(public_text(nb))} "
    leaked = [w for w in _significant(lines) if f" {w} " not in public]
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} (id {cell.get('id', '?')}): "
        source = cell.source
        if cell.cell_type == "markdown":
            cell = student_markdown(cell, where)
            if cell is not None:
                cells.append(cell)
            continue
        if cell.cell_type != "code":
            cells.append(cell)
            continue

        tree = _python(source)
        if has_markers(source):
            cell.source, _ = replace_solution_regions(source, code_stub(cell, titles), where=where)
            solution = True
        elif is_solution_cell(cell):
            if not _is_stub(source):  # as nbgrader: a solution cell without markers is all solution
                cell.source = "\n".join(code_stub(cell, titles))
            solution = True
        else:
            solution = False

        if solution:
            if tree is not None:
                tainted |= _bound_names(tree)
            _clear_outputs(cell)
            _drop_tags(cell, HIDING_TAGS)
        else:
            uses_solution = tree is not None and bool(_used_names(tree) & tainted)
            shown = _words(output_text(cell))
            reveals = any(f" {w} " in f" {shown} " for w in leaked)
            if is_grade_cell(cell) or uses_solution or reveals:
                _clear_outputs(cell)
            if uses_solution:  # what it computes from a solution is a solution too
                tainted |= _bound_names(tree)
        cells.append(cell)
    nb.cells = cells
    return nb


def solution_lines(nb, name: str = "notebook") -> list[str]:
    """Every line of every solution of ``nb``: code regions, solution cells, solution directives.

    These are the lines that must not appear in a student edition.
    """
    lines = []
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index} (id {cell.get('id', '?')}): "
        source = cell.source
        if cell.cell_type == "code":
            if has_markers(source):
                lines += replace_solution_regions(source, where=where)[1]
            elif is_solution_cell(cell) and not _is_stub(source):
                lines += source.split("\n")
        elif cell.cell_type == "markdown":
            stripped, removed = strip_solution_directives(source, where)
            lines += _prose_lines(removed)
            if is_solution_cell(cell):
                if not nbgrader(cell).get("solution"):
                    lines += [ln for ln in stripped.split("\n") if not _FENCE.match(ln)]
                elif has_markers(source):
                    lines += replace_solution_regions(source, [TEXT_STUB], where)[1]
                elif source.strip() != TEXT_STUB:
                    lines += source.split("\n")
    return [ln for ln in lines if ln.strip()]


def public_text(nb) -> str:
    """The sources of ``nb`` without any solution (regions, solution cells and directives dropped)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if has_markers(cell.source):
                parts.append(replace_solution_regions(cell.source, stub=[])[0])
            elif not is_solution_cell(cell):
                parts.append(cell.source)
        elif cell.cell_type == "markdown" and not is_solution_cell(cell):
            parts.append(strip_solution_directives(cell.source)[0])
        elif cell.cell_type == "raw":
            parts.append(cell.source)
    return "\n".join(parts)


def notebook_text(nb) -> str:
    """Everything a reader of ``nb`` can see: every cell's source and every output's text."""
    return "\n".join([cell.source for cell in nb.cells]
                     + [output_text(cell) for cell in nb.cells if cell.cell_type == "code"])


def leaks(nb, text: str) -> list[str]:
    """The solution lines of notebook ``nb`` that appear in ``text``.

    Lines are compared as word sequences (so HTML markup and highlighting do
    not hide them); lines of fewer than three words, and lines that also
    appear outside the solutions of ``nb``, are not counted.
    """
    shown = f" {_words(text)} "
    public = f" {_words(public_text(nb))} "
    return [w for w in _significant(solution_lines(nb)) if f" {w} " in shown and f" {w} " not in public]


def student_notebook(path: Path):
    """Read the notebook at ``path`` and return its student edition."""
    nb = nbformat.read(str(path), as_version=4)
    return make_student(nb, name=str(path))


def write_student(paths, out_dir: Path, prune: bool = False) -> list[Path]:
    """Write the student edition of each notebook in ``paths`` into ``out_dir``; return the files.

    Every notebook is converted before any file is written, so an error
    leaves ``out_dir`` as it was. A file whose content would not change is
    not rewritten. With ``prune``, other ``*.ipynb`` files in ``out_dir`` (of
    chapters since renamed or removed) are deleted.
    """
    converted = [(Path(p), student_notebook(Path(p))) for p in paths]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, nb in converted:
        target = out_dir / path.name
        text = nbformat.writes(nb) + "\n"
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    if prune:
        for stale in sorted(set(out_dir.glob("*.ipynb")) - set(written)):
            stale.unlink()
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to convert (default: chapters/*.ipynb)")
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="output folder (default: student/)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    try:
        written = write_student(paths, args.out, prune=not args.notebooks)
    except SolutionMarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        try:
            shown = path.relative_to(Path.cwd())
        except ValueError:
            shown = path
        print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
