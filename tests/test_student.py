"""The student edition of the notebooks (tools/student.py).

On the synthetic chapter of ``_exercise_notebook.py`` every rule is checked
one by one; on every real chapter, that its student edition holds no line of
any solution, keeps the checks and stubs every solution region.
"""
from __future__ import annotations

import copy
import doctest
import sys
from pathlib import Path

import nbformat
import pytest

import _exercise_notebook as demo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import student  # noqa: E402

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture
def source():
    return demo.demo_notebook()


@pytest.fixture
def converted(source):
    return student.make_student(source, "demo")


def by_id(nb, cell_id):
    (cell,) = [c for c in nb.cells if c.get("id") == cell_id]
    return cell


def ids(nb):
    return [c.get("id") for c in nb.cells]


# ------------------------------------------------------------ the rules ---
def test_doctests():
    assert doctest.testmod(student).failed == 0


DOUBLE_STUB = 'raise NotImplementedError("ex-demo-double (Implement double): replace this line with your code, then run the cell")'
COUNT_STUB = 'raise NotImplementedError("ex-demo-count (Count): replace this line with your code, then run the cell")'


def test_solution_region_becomes_an_indented_stub_naming_the_exercise(converted):
    assert by_id(converted, "cell-6").source == (
        f'def double(x):\n    """Return twice x."""\n    # YOUR CODE HERE\n    {DOUBLE_STUB}')


def test_code_after_a_top_level_region_stays(converted):
    assert by_id(converted, "cell-11").source == f"# YOUR CODE HERE\n{COUNT_STUB}\nprint(multiples)"


def test_stub_cells_are_shown(converted):
    """The book hides solution cells (hide-cell); the stub the student must fill in is shown."""
    for cell_id in ("cell-6", "cell-11"):
        assert not set(by_id(converted, cell_id).metadata.get("tags", [])) & student.HIDING_TAGS


def test_stub_is_the_course_generators(source, converted):
    """The stub is exactly what `nbgrader generate_assignment` writes with the course's configuration."""
    import nbgrader_course

    nb = copy.deepcopy(source)
    nb, _ = nbgrader_course.ClearSolutionsNamingTheExercise().preprocess(nb, {})
    for cell_id in ("cell-6", "cell-11"):
        assert by_id(converted, cell_id).source == by_id(nb, cell_id).source
        assert by_id(converted, cell_id).metadata.get("tags") == by_id(nb, cell_id).metadata.get("tags")


def test_the_stub_raises_naming_the_exercise(converted):
    namespace = {}
    exec(by_id(converted, "cell-6").source, namespace)
    with pytest.raises(NotImplementedError, match=r"^ex-demo-double \(Implement double\): replace this line"):
        namespace["double"](2)


def test_a_solution_cell_without_markers_becomes_the_stub(source):
    """As in nbgrader: a cell marked as solution with no region is all solution."""
    cell = by_id(source, "cell-11")
    cell.source = f"multiples = 14  # {demo.CODE_MARKER}"
    converted = student.make_student(source)
    assert by_id(converted, "cell-11").source == f"# YOUR CODE HERE\n{COUNT_STUB}"
    assert student.make_student(converted).cells == converted.cells


def test_solution_prose_is_removed(source, converted):
    assert "cell-5" not in ids(converted) and "cell-10" not in ids(converted)
    mixed = by_id(converted, "cell-14").source
    assert mixed.startswith(":::{exercise} Why two") and mixed.endswith("Why two?\n:::")
    assert "{solution}" not in mixed
    assert len(converted.cells) == len(source.cells) - 2


def test_no_secret_left_anywhere(converted):
    text = nbformat.writes(converted)
    for marker in (demo.CODE_MARKER, demo.PROSE_MARKER, demo.MIXED_MARKER):
        assert marker not in text
    assert student.leaks(demo.demo_notebook(), student.notebook_text(converted)) == []


def test_leak_search_finds_the_solutions(source):
    """The search the tests rely on sees every solution of the full notebook."""
    found = student.leaks(source, student.notebook_text(source))
    assert any(demo.CODE_MARKER in w for w in found)
    assert any(demo.PROSE_MARKER in w for w in found)
    assert any(demo.MIXED_MARKER in w for w in found)


def test_checks_are_kept_with_their_metadata(source, converted):
    check = by_id(converted, "cell-7")
    assert check.source == by_id(source, "cell-7").source
    assert check.metadata["nbgrader"] == by_id(source, "cell-7").metadata["nbgrader"]
    assert check.outputs == [] and check.execution_count is None


def test_solution_cells_keep_nbgrader_metadata_and_show_the_stub(source, converted):
    for cell_id in ("cell-6", "cell-11"):
        cell = by_id(converted, cell_id)
        assert cell.metadata["nbgrader"] == by_id(source, cell_id).metadata["nbgrader"]
        assert cell.metadata["tags"] == ["solution"]  # the hiding tag is dropped: the stub is to be seen
        assert cell.outputs == [] and cell.execution_count is None


def test_outputs_that_depend_on_a_solution_are_cleared(converted):
    assert by_id(converted, "cell-8").outputs == []    # print(double(21))
    assert by_id(converted, "cell-12").outputs == []   # print(multiples + 1)


def test_other_outputs_stay(source, converted):
    for cell_id in ("cell-2", "cell-13"):
        assert by_id(converted, cell_id).outputs == by_id(source, cell_id).outputs
        assert by_id(converted, cell_id).execution_count == by_id(source, cell_id).execution_count


def test_an_output_that_shows_a_solution_line_is_cleared(source):
    cell = by_id(source, "cell-13")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                           text=f"y = 2 * x  # {demo.CODE_MARKER}\n")]
    assert by_id(student.make_student(source), "cell-13").outputs == []


def test_the_input_is_not_changed(source):
    before = nbformat.writes(source)
    student.make_student(source)
    assert nbformat.writes(source) == before


def test_idempotent(converted):
    again = student.make_student(converted)
    assert nbformat.writes(again) == nbformat.writes(converted)


def test_cli_is_deterministic_and_prunes(tmp_path, capsys):
    nb = demo.write_demo(tmp_path / "demo.ipynb")
    out = tmp_path / "student"
    out.mkdir()
    (out / "stale.ipynb").write_text("{}")
    assert student.main(["--out", str(out), str(nb)]) == 0
    first = (out / "demo.ipynb").read_bytes()
    assert student.main(["--out", str(out), str(nb)]) == 0
    assert (out / "demo.ipynb").read_bytes() == first
    assert (out / "stale.ipynb").exists(), "only the default run (all chapters) prunes"
    student.write_student([nb], out, prune=True)
    assert sorted(p.name for p in out.iterdir()) == ["demo.ipynb"]
    nbformat.validate(nbformat.reads(first.decode(), as_version=4))


# --------------------------------------------------------------- errors ---
@pytest.mark.parametrize("code, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", r"line 2: 'BEGIN SOLUTION' is never closed"),
    ("x = 1\n### END SOLUTION\n", r"line 2: 'END SOLUTION' without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", r"line 2: 'BEGIN SOLUTION' inside .* line 1"),
])
def test_unbalanced_markers_are_clear_errors(source, code, message):
    by_id(source, "cell-6").source = code
    with pytest.raises(student.SolutionMarkerError, match=message) as info:
        student.make_student(source, "demo.ipynb")
    assert "demo.ipynb, cell 6 (id cell-6)" in str(info.value)


def test_cli_reports_the_error_and_writes_nothing(tmp_path, source, capsys):
    by_id(source, "cell-6").source = "### BEGIN SOLUTION\nx = 1"
    nbformat.write(source, str(tmp_path / "bad.ipynb"))
    assert student.main(["--out", str(tmp_path / "out"), str(tmp_path / "bad.ipynb")]) == 1
    assert "is never closed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_solution_cell_that_also_holds_the_exercise_is_an_error(source):
    cell = by_id(source, "cell-14")
    cell.metadata["tags"] = ["solution"]
    with pytest.raises(student.SolutionMarkerError, match="tagged 'solution' but also holds"):
        student.make_student(source)


# ------------------------------------------------------ solution directives ---
@pytest.mark.parametrize("text", [
    # backtick fence, code inside
    "Before.\n\n````{solution} ex-a\n:class: dropdown\n\n```python\nx = SECRET\n```\n````\n\nAfter.",
    # four colons around a nested three-colon directive
    "Before.\n\n::::{solution} ex-a\n:class: dropdown\n\n:::{note}\nSECRET\n:::\n\nMore SECRET.\n::::\nAfter.",
    # the gated form
    "Before.\n\n```{solution-start} ex-a\n:class: dropdown\n```\n\nSECRET\n\n```{solution-end}\n```\nAfter.",
])
def test_solution_directive_forms(text):
    out, removed = student.strip_solution_directives(text)
    assert "SECRET" not in out and any("SECRET" in line for line in removed)
    assert out.startswith("Before.") and out.endswith("After.")


def test_a_code_block_that_shows_a_directive_is_left_alone():
    text = "```markdown\n:::{solution} ex-a\nnot a directive\n:::\n```"
    assert student.strip_solution_directives(text)[0] == text


def test_gated_form_needs_its_end():
    with pytest.raises(student.SolutionMarkerError, match="without {solution-end}"):
        student.strip_solution_directives("```{solution-start} ex-a\n```\nSECRET\n")


# --------------------------------------------------------- the chapters ---
@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_student_edition(chapter):
    nb = nbformat.read(str(chapter), as_version=4)
    solutions = student.solution_lines(nb, chapter.name)
    if not solutions:
        pytest.skip(f"{chapter.name} has no solutions yet")
    converted = student.make_student(nb, chapter.name)

    found = student.leaks(nb, student.notebook_text(converted))
    assert not found, f"solution lines in the student edition of {chapter.name}: {found}"

    def grade_ids(notebook, key):
        return [student.nbgrader(c).get("grade_id") for c in notebook.cells if student.nbgrader(c).get(key)]

    assert grade_ids(converted, "grade") == grade_ids(nb, "grade"), "every check cell is kept"
    assert grade_ids(converted, "solution") == grade_ids(nb, "solution"), "every solution cell is kept, stubbed"
    regions = sum(c.source.count(student.BEGIN) for c in nb.cells if c.cell_type == "code")
    stubs = sum(c.source.count("raise NotImplementedError(\"ex-") for c in converted.cells if c.cell_type == "code")
    assert stubs >= regions
    for cell in converted.cells:
        if student.is_grade_cell(cell) or (cell.cell_type == "code" and student.is_solution_cell(cell)):
            assert cell.outputs == [], f"outputs of a solution or check cell are cleared ({cell.get('id')})"
    assert nbformat.writes(student.make_student(converted, chapter.name)) == nbformat.writes(converted)
