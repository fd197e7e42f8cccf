"""The exercises: the instructors' table matches the notebooks, and the conventions hold."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
import yaml

import _exercise_notebook as demo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import exercises  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
PAGE = ROOT / "instructors.md"


def test_the_table_in_instructors_md_is_up_to_date():
    text = PAGE.read_text(encoding="utf-8")
    expected = exercises.replace_table(text, exercises.table(CHAPTERS))
    assert text == expected, "the exercise table of instructors.md is out of date: run `make exercises-table`"


def test_every_exercise_label_is_in_the_table():
    text = PAGE.read_text(encoding="utf-8")
    labels = [ex.label for path in CHAPTERS for ex in exercises.exercises(path)]
    missing = [label for label in labels if f"`{label}`" not in text]
    assert not missing, f"exercises missing from instructors.md: {missing} (run `make exercises-table`)"


def test_instructors_page_is_in_the_book_and_linked():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c.get("file") for part in toc["parts"] for c in part.get("chapters", [])]
    assert "instructors" in files
    assert "{doc}`instructors`" in (ROOT / "intro.md").read_text(encoding="utf-8")


def test_the_demo_chapter_is_read_right(tmp_path):
    path = demo.write_demo(tmp_path / "demo.ipynb")
    found = exercises.exercises(path)
    assert [(e.label, e.title, e.difficulty, e.time, e.kind) for e in found] == [
        ("ex-demo-double", "Implement double", "★★☆", "10 min", "implement"),
        ("ex-demo-count", "Count", "★☆☆", "5 min", "computational"),
        ("ex-demo-why", "Why two", "★☆☆", "5 min", "conceptual"),
    ]
    assert found[0].checks == ["ex-demo-double-check"] and "code" in found[0].solutions
    # a chapter outside _toc.yml is named, not linked (a link would break the build)
    assert "| `chapters/demo.ipynb` | Count | `ex-demo-count` | ★☆☆ | 5 min | computational |" \
        in exercises.table([path])
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/demo\n")
    assert "| {doc}`chapters/demo` | {ref}`Count <ex-demo-count>` | `ex-demo-count` | ★☆☆ | 5 min | computational |" \
        in exercises.table([path], root=tmp_path)


def test_the_linter_names_each_problem(tmp_path):
    nb = demo.demo_notebook()
    path = demo.write_demo(tmp_path / "demo.ipynb")
    assert exercises.check(path) == [
        "demo.ipynb: 3 exercises; a chapter has at least four",
        "demo.ipynb: cell 14 (id cell-14): a {solution} directive in a cell not tagged 'solution' "
        "(it shares the cell with its exercise)",
    ]
    nb.cells[4].source = nb.cells[4].source.replace("**Time:** 10 min · ", "")
    del nb.cells[6].metadata["nbgrader"]
    nb.cells[7].metadata["nbgrader"]["grade_id"] = "ex-demo-count-code"
    nbformat.write(nb, str(path))
    problems = "\n".join(exercises.check(path))
    assert "exercise ex-demo-double (cell 4): no '**Time:** N min' estimate" in problems
    assert "cell 6 (id cell-6): solution markers in a cell without nbgrader" in problems
    assert "grade_id 'ex-demo-count-code' should be '<label>-check'" in problems


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_follows_the_exercise_conventions(chapter):
    if not exercises.exercises(chapter):
        pytest.skip(f"{chapter.name} has no exercises")
    problems = exercises.check(chapter, whole_chapter=exercises.is_whole_chapter(chapter))
    assert not problems, "\n".join(problems)


def test_only_the_unnumbered_pages_are_spared_the_chapter_set_rules(tmp_path):
    assert not exercises.is_whole_chapter(ROOT / "chapters" / "00_getting_started.ipynb")
    assert exercises.is_whole_chapter(ROOT / "chapters" / "02_saturation.ipynb")
    assert exercises.is_whole_chapter(tmp_path / "new_chapter.ipynb")  # not in _toc.yml yet
    path = demo.write_demo(tmp_path / "demo.ipynb")
    assert "demo.ipynb: 3 exercises; a chapter has at least four" in exercises.check(path)
    assert not any("a chapter has" in p for p in exercises.check(path, whole_chapter=False))
