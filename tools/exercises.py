"""List the exercises of the chapters, keep the table of instructors.md up to date, lint them.

    python tools/exercises.py               print the exercise table (markdown)
    python tools/exercises.py --update      rewrite the table in instructors.md
    python tools/exercises.py --check       check the exercises against CONTRIBUTING.md

The table sits in ``instructors.md`` between the MyST comment lines
``% BEGIN exercises-table`` and ``% END exercises-table``; ``make
exercises-table`` rewrites it and ``tests/test_exercises.py`` fails when it
differs from what the notebooks say.

An exercise is a ``{exercise}`` directive in a markdown cell, with a
``:label:`` and a line ``**Difficulty:** ★☆☆ · **Time:** 5 min · **Kind:**
conceptual`` (see CONTRIBUTING.md).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import student  # noqa: E402  (tools/student.py)

BEGIN_TABLE = "% BEGIN exercises-table"
END_TABLE = "% END exercises-table"
KINDS = ("conceptual", "derivation", "computational", "implement")  # a derivation is conceptual
_META = {
    "difficulty": re.compile(r"\*\*Difficulty:?\*\*:?\s*([★☆]+)"),
    "time": re.compile(r"\*\*Time:?\*\*:?\s*([^·\n*]+?)\s*(?:·|$)", re.M),
    "kind": re.compile(r"\*\*Kind:?\*\*:?\s*([A-Za-z-]+)"),
}


@dataclass
class Exercise:
    chapter: str            # notebook stem, e.g. "03_he_scaling"
    label: str
    title: str
    difficulty: str = ""
    time: str = ""
    kind: str = ""
    cell: int = 0
    solutions: list = field(default_factory=list)     # kinds of solution found: "prose", "code"
    checks: list = field(default_factory=list)        # grade_ids of the check cells after it


def _directives(text: str, name: str):
    """Yield (info, body lines) of every ``{name}`` directive in markdown ``text``."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = student._FENCE.match(lines[i])
        d = student._DIRECTIVE.match(m["info"]) if m else None
        if d and d["name"] == name:
            end = student._closing(lines, i, m["fence"])
            yield m["info"][d.end():].strip(), lines[i + 1:end]
            i = end + 1
        else:
            i += 1


def _option(body: list[str], name: str) -> str:
    for line in body:
        m = re.match(rf"^\s*:{name}:\s*(.*)$", line)
        if m:
            return m.group(1).strip()
    return ""


def chapter_title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if m:
                return m.group(1).strip()
    return ""


def exercises(path: Path) -> list[Exercise]:
    """The exercises of the notebook at ``path``, with their solutions and checks."""
    nb = nbformat.read(str(path), as_version=4)
    found: list[Exercise] = []
    by_label: dict[str, Exercise] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for info, body in _directives(cell.source, "exercise"):
                text = "\n".join(body)
                ex = Exercise(path.stem, _option(body, "label"), info, cell=index)
                for key, pattern in _META.items():
                    m = pattern.search(text)
                    setattr(ex, key, m.group(1).strip() if m else "")
                found.append(ex)
                by_label.setdefault(ex.label, ex)
            for info, _ in _directives(cell.source, "solution"):
                target = by_label.get(info.split()[0] if info else "")
                if target is not None:
                    target.solutions.append("prose")
        elif cell.cell_type == "code" and found:
            meta = student.nbgrader(cell)
            if student.has_markers(cell.source) or meta.get("solution"):
                found[-1].solutions.append("code")
            if meta.get("grade"):
                found[-1].checks.append(meta.get("grade_id", ""))
    return found


def _toc(root: Path = ROOT) -> dict:
    import yaml

    return yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))


def _in_toc(root: Path = ROOT) -> set[str]:
    """The pages listed in ``_toc.yml`` (without suffix): only those can be linked to."""
    from student_book import toc_entries  # tools/student_book.py: the one reader of _toc.yml

    names = (value for key, value in toc_entries(_toc(root)) if key != "glob")
    return {str(Path(n).with_suffix("")) if Path(n).suffix in (".md", ".ipynb") else n for n in names}


def table(paths, root: Path = ROOT) -> str:
    """The markdown table of the exercises of the notebooks at ``paths``.

    Chapters listed in ``_toc.yml`` are linked (and so are their exercises);
    the others are named by their file, so that the book builds either way.
    """
    pages = _in_toc(root)
    rows = ["| Chapter | Exercise | Label | Difficulty | Time | Kind |",
            "| --- | --- | --- | --- | --- | --- |"]
    for path in paths:
        for ex in exercises(Path(path)):
            title = (ex.title or "Exercise").replace("`", "").replace("|", "\\|")
            page = f"chapters/{ex.chapter}"
            if page in pages:
                chapter = f"{{doc}}`{page}`"
                title = f"{{ref}}`{title} <{ex.label}>`" if ex.label else title
            else:
                chapter = f"`{page}.ipynb`"
            rows.append(f"| {chapter} | {title} | `{ex.label}` | "
                        f"{ex.difficulty or '—'} | {ex.time or '—'} | {ex.kind or '—'} |")
    return "\n".join(rows)


def replace_table(text: str, new_table: str) -> str:
    """``text`` (instructors.md) with the part between the table markers replaced."""
    start, end = text.find(BEGIN_TABLE), text.find(END_TABLE)
    if start < 0 or end < start:
        raise ValueError(f"instructors.md needs the lines '{BEGIN_TABLE}' and '{END_TABLE}'")
    head = text[:text.index("\n", start) + 1]
    return head + "\n" + new_table + "\n\n" + text[end:]


def is_whole_chapter(path: Path, root: Path = ROOT) -> bool:
    """Whether the rules for a chapter's set of exercises apply to ``path``.

    They do not for the pages of the unnumbered parts of ``_toc.yml`` (the
    getting-started page has one warm-up exercise); they do for every other
    notebook, listed in a numbered part or not listed at all (a new chapter).
    """
    from student_book import unnumbered_files

    path = Path(path).resolve()
    return not any((root / page).resolve() == path for page in unnumbered_files(_toc(root), root))


def check(path: Path, whole_chapter: bool = True) -> list[str]:
    """The ways the exercises of the notebook at ``path`` break CONTRIBUTING.md's conventions.

    ``whole_chapter``: also check the chapter's set of exercises (at least
    four, one of them an implement exercise); see :func:`is_whole_chapter`.
    """
    nb = nbformat.read(str(path), as_version=4)
    problems = []
    exs = exercises(path)
    labels = [ex.label for ex in exs]
    for ex in exs:
        name = f"{path.name}: exercise {ex.label or '(no label)'} (cell {ex.cell})"
        if not ex.label:
            problems.append(f"{name}: no :label:")
        elif not ex.label.startswith("ex-"):
            problems.append(f"{name}: the label should start with 'ex-'")
        if labels.count(ex.label) > 1:
            problems.append(f"{name}: the label is used twice")
        if not ex.title:
            problems.append(f"{name}: no title (write ':::{{exercise}} Title')")
        if not re.fullmatch(r"[★☆]{3}", ex.difficulty):
            problems.append(f"{name}: no '**Difficulty:** ★☆☆' mark (three stars, filled or not)")
        if not ex.time:
            problems.append(f"{name}: no '**Time:** N min' estimate")
        if ex.kind not in KINDS:
            problems.append(f"{name}: '**Kind:**' should be one of {', '.join(KINDS)}, not {ex.kind!r}")
        if "prose" not in ex.solutions and "code" not in ex.solutions:
            problems.append(f"{name}: no solution")
        if ex.kind == "implement":
            if "code" not in ex.solutions:
                problems.append(f"{name}: an implement exercise needs a solution code cell")
            if not ex.checks:
                problems.append(f"{name}: an implement exercise needs a check cell (nbgrader grade metadata)")
    if exs and whole_chapter:
        if len(exs) < 4:
            problems.append(f"{path.name}: {len(exs)} exercises; a chapter has at least four")
        if not any(ex.kind == "implement" for ex in exs):
            problems.append(f"{path.name}: no implement exercise")

    grade_ids = []
    for index, cell in enumerate(nb.cells):
        where = f"{path.name}: cell {index} (id {cell.get('id', '?')})"
        meta = student.nbgrader(cell)
        tags = student.tags(cell)
        if meta.get("grade_id"):
            grade_ids.append(meta["grade_id"])
        if cell.cell_type == "markdown":
            has_solution = any(True for _ in _directives(cell.source, "solution"))
            has_exercise = any(True for _ in _directives(cell.source, "exercise"))
            if has_solution and student.SOLUTION_TAG not in tags:
                problems.append(f"{where}: a {{solution}} directive in a cell not tagged 'solution'"
                                + (" (it shares the cell with its exercise)" if has_exercise else ""))
            if student.has_markers(cell.source) and not meta.get("solution"):
                problems.append(f"{where}: '{student.BEGIN}' or '{student.END}' in a markdown cell "
                                "(nbgrader generate_assignment takes it for a solution region and stops)")
            for info, body in _directives(cell.source, "solution"):
                if _option(body, "class") != "dropdown":
                    problems.append(f"{where}: the solution of {info or '?'} lacks ':class: dropdown'")
            continue
        if cell.cell_type != "code":
            continue
        try:
            student.replace_solution_regions(cell.source, where=where + ": ")
        except student.SolutionMarkerError as exc:
            problems.append(str(exc))
        if student.has_markers(cell.source):
            if not meta.get("solution"):
                problems.append(f"{where}: solution markers in a cell without nbgrader "
                                '"solution": true metadata (nbgrader generate_assignment refuses it)')
            for tag in ("solution", "hide-cell"):
                if tag not in tags:
                    problems.append(f"{where}: a solution code cell should be tagged {tag!r}")
        elif meta.get("solution") or student.SOLUTION_TAG in tags:
            problems.append(f"{where}: a solution cell without '### BEGIN SOLUTION' / '### END SOLUTION' "
                            "(the whole cell becomes the stub)")
        if meta.get("solution") and not str(meta.get("grade_id", "")).endswith("-code"):
            problems.append(f"{where}: grade_id {meta.get('grade_id')!r} should be '<label>-code'")
        if meta.get("grade"):
            if not meta.get("locked"):
                problems.append(f"{where}: a check cell should be locked")
            if not meta.get("points"):
                problems.append(f"{where}: a check cell needs points")
            if not str(meta.get("grade_id", "")).endswith("-check"):
                problems.append(f"{where}: grade_id {meta.get('grade_id')!r} should be '<label>-check'")
            if "check_" not in cell.source:
                problems.append(f"{where}: a check cell should call initlib.checks.check_<thing>")
        if meta and meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader metadata without schema_version 3")
    for grade_id in sorted({g for g in grade_ids if grade_ids.count(g) > 1}):
        problems.append(f"{path.name}: grade_id {grade_id!r} is used twice (nbgrader needs unique ids)")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    parser.add_argument("--update", action="store_true", help="rewrite the table in instructors.md")
    parser.add_argument("--check", action="store_true", help="check the exercises' conventions")
    parser.add_argument("--page", type=Path, default=ROOT / "instructors.md")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    if args.check:
        problems = [p for path in paths for p in check(path, whole_chapter=is_whole_chapter(path))]
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {len(paths)} notebook(s)")
        return 1 if problems else 0
    if args.update:
        old = args.page.read_text(encoding="utf-8")
        new = replace_table(old, table(paths))
        if new != old:
            args.page.write_text(new, encoding="utf-8")
            print(f"updated the exercise table in {args.page}")
        else:
            print(f"the exercise table in {args.page} is up to date")
        return 0
    print(table(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
