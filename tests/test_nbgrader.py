"""The nbgrader round trip: generate_assignment, autograde with and without the solutions.

For each assignment (the synthetic demo chapter, ``00_getting_started`` and
every chapter with graded cells) a temporary course directory is made with
``tools/nbgrader_course.py``; nbgrader runs as a subprocess of this Python
(``python -m nbgrader``) with its config, gradebook and Jupyter folders inside
the temporary directory, so nothing in the user's home is read or written.

- ``nbgrader generate_assignment`` writes the release version: it must hold
  no line of any solution (code or prose).
- ``nbgrader autograde`` grades the submissions: ``release`` (the release
  version as the students get it) must get zero on every check;
  ``solved`` (the release with the solution cells filled in again) must get
  full marks; for the demo, ``student`` (the notebook ``tools/student.py``
  writes) must get zero too.

autograde executes every submission from the top. To keep the time down,
the submissions of a real chapter hold only the cells its graded (check)
cells need: the check cells and, going backwards, every code cell that
defines a name a kept cell uses, such as the solution (or stub) cell of the
function a check tests. nbgrader scores the graded cells only, so this gives
the scores of the whole notebook (a student may delete the other cells too).
The demo's submissions are whole, and the full chapters are run with their
checks by ``pytest --nbval``. Every assignment lives in one course, and each
nbgrader command runs once for all of them (see ``_course``).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import _exercise_notebook as demo
from _graded_slice import sliced as _sliced

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import nbgrader_course  # noqa: E402
import student  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


NOTEBOOKS = {p: nbformat.read(str(p), as_version=4) for p in CHAPTERS}
# chapters with checks: the whole round trip
GRADED = [p for p, nb in NOTEBOOKS.items() if any(student.is_grade_cell(c) for c in nb.cells)]
# chapters with solutions: generate_assignment, whose release must hold none of them
SOLVED = [p for p, nb in NOTEBOOKS.items() if p in GRADED or student.solution_lines(nb)]


def _env(tmp: Path) -> dict:
    """The environment of the nbgrader processes: Jupyter and IPython folders in ``tmp``."""
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "jupyter_config"), ("JUPYTER_DATA_DIR", "jupyter_data"),
                     ("JUPYTER_RUNTIME_DIR", "jupyter_runtime"), ("IPYTHONDIR", "ipython")]:
        env[var] = str(tmp / sub)
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    # nbgrader runs the `alembic` script of its own environment to set up the gradebook
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    # one thread for numpy, as in the book's build (the other core runs another test file)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def _nbgrader(course: Path, env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    if result.returncode != 0 or "| ERROR]" in log:
        raise AssertionError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{log}")


def _solved(release, source):
    """The release notebook with every solution cell holding the source's solution again."""
    solutions = {student.nbgrader(c).get("grade_id"): c.source for c in source.cells
                 if student.nbgrader(c).get("solution")}
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        grade_id = student.nbgrader(cell).get("grade_id")
        if student.nbgrader(cell).get("solution") and grade_id in solutions:
            cell.source = solutions[grade_id]
    return nb


def _course(tmp: Path, plan: dict) -> dict:
    """One course holding every notebook of ``plan`` ({path: submissions}) as an assignment of its own.

    Each nbgrader command runs once for all of them (``'*'`` as the assignment: nbgrader's converters
    take a glob), as an instructor would run them at the end of a course: the gradebook is set up once and
    Python and nbgrader start three times, not three times per assignment. Returns, per assignment name,
    what the tests check.
    """
    course, env = tmp / "course", _env(tmp)
    names = nbgrader_course.make_course(course, list(plan))
    _nbgrader(course, env, "generate_assignment", "*")
    results = {}
    for (notebook, submissions), name in zip(plan.items(), names):
        release_path = course / "release" / name / notebook.name
        source = nbformat.read(str(notebook), as_version=4)
        release = nbformat.read(str(release_path), as_version=4)
        results[name] = {"name": name, "source": source, "release": release, "scores": {}, "course": course,
                         "submissions": submissions, "notebook": notebook}
        editions = {
            "solved": lambda: _solved(release, source) if name == "demo" else _sliced(_solved(release, source)),
            "release": lambda: release if name == "demo" else _sliced(release),
            "student": lambda: student.make_student(source, name),
        }
        for who in submissions:
            target = course / "submitted" / who / name / notebook.name
            target.parent.mkdir(parents=True)
            nbformat.write(editions[who](), str(target))
    _nbgrader(course, env, "autograde", "*")
    _nbgrader(course, env, "generate_feedback", "demo")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="initbook") as gb:
        for name, result in results.items():
            for who in result["submissions"]:
                sub = gb.find_submission_notebook(result["notebook"].stem, name, who)
                result["scores"][who] = {
                    "total": (sub.score, sub.max_score),
                    "cells": {g.name: (g.score, g.max_score) for g in sub.grades},
                }
    return results


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    """Every round trip, in one course; keyed by assignment name."""
    base = tmp_path_factory.mktemp("nbgrader")
    demo_nb = demo.write_demo(base / "demo.ipynb")
    plan = {p: ("solved", "release") for p in GRADED}
    plan[demo_nb] = ("solved", "release", "student")
    plan.update({p: () for p in SOLVED if p not in GRADED})
    return _course(base, plan)


def _assert_no_solution(result) -> None:
    leaks = student.leaks(result["source"], student.notebook_text(result["release"]))
    assert not leaks, f"{result['name']}: nbgrader's release version holds solution lines: {leaks}"


def test_demo_release_has_stubs_and_no_solution(rounds):
    result = rounds["demo"]
    _assert_no_solution(result)
    text = nbformat.writes(result["release"])
    for marker in (demo.CODE_MARKER, demo.PROSE_MARKER, demo.MIXED_MARKER):
        assert marker not in text
    sources = [c.source for c in result["release"].cells]
    assert any("raise NotImplementedError(\"ex-demo-double (Implement double)" in s and s.startswith("def double(x):") for s in sources)
    assert any("c.done()" in s for s in sources), "the check cell is kept"


def test_demo_solved_gets_full_marks(rounds):
    scores = rounds["demo"]["scores"]["solved"]
    assert scores["total"] == (1.0, 1.0), scores


@pytest.mark.parametrize("who", ["release", "student"])
def test_demo_unsolved_gets_zero(rounds, who):
    scores = rounds["demo"]["scores"][who]
    assert scores["total"] == (0.0, 1.0), scores


def test_demo_feedback_is_generated(rounds):
    course = rounds["demo"]["course"]
    feedback = sorted((course / "feedback").rglob("*.html"))
    assert {p.parent.parent.name for p in feedback} == {"solved", "release", "student"}
    assert "check_double" in (course / "feedback" / "release" / "demo" / "demo.html").read_text()


@pytest.mark.parametrize("chapter", SOLVED, ids=[p.stem for p in SOLVED])
def test_release_has_no_solution(rounds, chapter):
    _assert_no_solution(rounds[chapter.stem])


@pytest.mark.skipif(not GRADED, reason="no chapter has graded (check) cells yet")
@pytest.mark.parametrize("chapter", GRADED, ids=[p.stem for p in GRADED])
def test_chapter_round_trip(rounds, chapter):
    result = rounds[chapter.stem]
    solved, release = result["scores"]["solved"], result["scores"]["release"]
    score, max_score = solved["total"]
    assert max_score > 0 and score == max_score, f"solutions should get full marks: {solved['cells']}"
    assert release["cells"] and all(s == 0 for s, _ in release["cells"].values()), (
        f"the student version should get zero on every check: {release['cells']}")
    # and each check said why: the stub is not implemented
    graded = result["course"] / "autograded" / "release" / result["name"] / chapter.name
    for cell in nbformat.read(str(graded), as_version=4).cells:
        if student.is_grade_cell(cell):
            errors = [o for o in cell.outputs if o.get("output_type") == "error"]
            assert errors and "not implemented yet" in errors[0]["evalue"], (
                f"{student.nbgrader(cell)['grade_id']}: {[o.get('evalue') for o in errors]}")


def test_course_tool_writes_both_configs_and_suggests_a_graded_chapter(tmp_path, capsys):
    exchange = tmp_path / "exchange"
    assert nbgrader_course.main([str(tmp_path / "course"), *map(str, CHAPTERS), "--exchange", str(exchange),
                                 "--create-exchange"]) == 0
    out = capsys.readouterr().out
    (hint,) = [line for line in out.splitlines() if line.startswith("next:")]
    assert hint.split("generate_assignment ")[1].split()[0] in {p.stem for p in GRADED}
    assert (exchange.stat().st_mode & 0o7777) == 0o1777
    student_config = (tmp_path / "course" / "student_nbgrader_config.py").read_text()
    assert f"c.Exchange.root = {str(exchange)!r}" in student_config and "CourseDirectory.root" not in student_config
    for config in ("nbgrader_config.py", "student_nbgrader_config.py"):
        assert str(ROOT) not in (tmp_path / "course" / config).read_text(), "no path into the clone"
