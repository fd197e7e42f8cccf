"""Prepare the source of the student edition of the HTML book.

    python tools/student_book.py [DEST]          (default: _build/student-book)
    jupyter-book build DEST -W -n --keep-going --all     (what `make student-book` runs)

writes into ``DEST`` a copy of the book (``_toc.yml``, every page it lists,
the bibliography, the chapters' other files) in which every notebook is its
student edition (``tools/student.py``: solutions stubbed or removed), and a
``_config.yml`` derived from the book's with

- ``execute_notebooks: off``: the stubs raise ``NotImplementedError``, so the
  book shows the outputs stored in the notebooks instead of running them
  (``tools/student.py`` keeps the outputs of the cells that reveal nothing);
- ``hide_solutions: true`` for sphinx-exercise, so that a ``{solution}``
  directive that slipped through would still not be shown;
- no launch buttons (Binder, Colab and JupyterHub would open the repository's
  notebooks, which hold the solutions).

The HTML lands in ``DEST/_build/html``. ``prepare(dest, student=False)``
makes the same tree with the full notebooks; the tests build both and compare.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import student  # noqa: E402  (tools/student.py)

SUFFIXES = (".ipynb", ".md", ".myst", ".rst")
SKIP = shutil.ignore_patterns(".*", "__pycache__", "*.ipynb", "_build")


def toc_entries(toc: dict) -> list[tuple[str, str]]:
    """Every ``root``, ``file`` and ``glob`` entry of ``_toc.yml``, as ``(key, value)`` in reading order."""
    entries: list[tuple[str, str]] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("root", "file", "glob") and isinstance(value, str):
                    entries.append((key, value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return entries


def toc_files(toc: dict, root: Path = ROOT) -> list[Path]:
    """The page files ``_toc.yml`` lists (``root``, ``file`` and ``glob`` entries), relative to ``root``."""
    found: list[Path] = []
    for key, name in toc_entries(toc):
        if key == "glob":
            found.extend(sorted(p.relative_to(root) for p in root.glob(name + "*") if p.suffix in SUFFIXES))
            continue
        candidates = [root / name] if Path(name).suffix in SUFFIXES else [root / (name + s) for s in SUFFIXES]
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            raise FileNotFoundError(f"_toc.yml lists {name!r}, which matches no file")
        found.append(path.relative_to(root))
    return list(dict.fromkeys(found))


def unnumbered_files(toc: dict, root: Path = ROOT) -> list[Path]:
    """The page files of the parts of ``_toc.yml`` that are not numbered (getting started, appendices, ...)."""
    parts = [part for part in toc.get("parts", []) if not part.get("numbered")]
    return toc_files({"parts": parts}, root)


def book_config(config: dict, student_edition: bool = True) -> dict:
    """The ``_config.yml`` of the copied book: nothing executed; for students, no solutions."""
    config = yaml.safe_load(yaml.safe_dump(config))  # a deep copy
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    if student_edition:
        config["title"] = f"{config.get('title', 'Book')} (student edition)"
        sphinx = config.setdefault("sphinx", {})
        sphinx.setdefault("config", {})["hide_solutions"] = True
        launch = config.setdefault("launch_buttons", {})
        for key in ("binderhub_url", "colab_url", "jupyterhub_url"):
            launch[key] = ""
        launch["thebe"] = False
    return config


def prepare(dest: Path, student_edition: bool = True, root: Path = ROOT, extra_notebooks=()) -> Path:
    """Write the book's source tree into ``dest`` (emptied first) and return ``dest``.

    ``extra_notebooks`` are added as a last part of the table of contents
    (under ``chapters/``); the tests use it for a synthetic chapter.
    """
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    pages = toc_files(toc, root)

    # the folders of the pages (not the book's root) with their figures and data
    for folder in sorted({p.parent for p in pages if p.parent != Path(".")}):
        shutil.copytree(root / folder, dest / folder, ignore=SKIP, dirs_exist_ok=True)
    extras = [str(b) for b in config.get("bibtex_bibfiles", [])]
    extras += [config["logo"]] if config.get("logo") else []
    extras += [config["html"]["favicon"]] if (config.get("html") or {}).get("favicon") else []
    for name in extras:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, dest / name)
    for folder in ("_static", "_templates", "_ext"):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, dest / folder, ignore=SKIP)

    notebooks = [root / p for p in pages if p.suffix == ".ipynb"] + [Path(p) for p in extra_notebooks]
    for page in pages:
        if page.suffix != ".ipynb":
            (dest / page).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / page, dest / page)
    for path in notebooks:
        rel = path.relative_to(root) if path.is_relative_to(root) else Path("chapters") / path.name
        nb = nbformat.read(str(path), as_version=4)
        if student_edition:
            nb = student.make_student(nb, str(rel))
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(nbformat.writes(nb) + "\n", encoding="utf-8")

    if extra_notebooks:
        toc.setdefault("parts", []).append(
            {"caption": "Extra", "chapters": [{"file": f"chapters/{Path(p).stem}"} for p in extra_notebooks]})
    (dest / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (dest / "_config.yml").write_text(
        "# Generated by tools/student_book.py from the book's _config.yml; do not edit.\n"
        + yaml.safe_dump(book_config(config, student_edition), sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    return dest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=ROOT / "_build" / "student-book")
    parser.add_argument("--with-solutions", action="store_true",
                        help="copy the full notebooks instead (the same build, with solutions)")
    args = parser.parse_args(argv)
    try:
        dest = prepare(args.dest, student_edition=not args.with_solutions)
    except (student.SolutionMarkerError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote the {'full' if args.with_solutions else 'student'} book's source to {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
