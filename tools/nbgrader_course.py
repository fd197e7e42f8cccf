"""Set up an nbgrader course directory with the book's chapters as assignments.

    python tools/nbgrader_course.py COURSE_DIR [NOTEBOOK ...]   (default: chapters/*.ipynb)

writes ``COURSE_DIR/nbgrader_config.py`` and copies each notebook, solutions
included, to ``COURSE_DIR/source/<name>/<name>.ipynb`` (one assignment per
chapter, named after the notebook, e.g. ``03_he_scaling``). Then, in
``COURSE_DIR``::

    nbgrader generate_assignment 03_he_scaling    # -> release/03_he_scaling/
    # students' work goes to submitted/<student>/03_he_scaling/
    nbgrader autograde 03_he_scaling              # -> autograded/, gradebook.db
    nbgrader generate_feedback 03_he_scaling      # -> feedback/

The configuration keeps everything inside ``COURSE_DIR`` (gradebook
``gradebook.db``, exchange ``exchange/``) and adds one preprocessor,
:class:`RemoveSolutionProse`, in front of nbgrader's own: nbgrader replaces the
code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` by a stub, but it
does not know the book's solution prose (markdown cells tagged ``solution``,
``{solution}`` directives), which would otherwise reach the students.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import student  # noqa: E402  (tools/student.py)

CONFIG = '''\
# nbgrader configuration for a course made from the book's chapters.
# Written by tools/nbgrader_course.py; run nbgrader from this folder.
import sys

c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
c.Execute.timeout = {timeout}

# nbgrader replaces the code of each solution region, but would leave the
# book's solution prose (cells tagged `solution`, {{solution}} directives) in
# the students' version: remove it first (tools/nbgrader_course.py).
sys.path.insert(0, {tools!r})
from nbgrader.converters import GenerateAssignment  # noqa: E402
from nbgrader_course import RemoveSolutionProse  # noqa: E402

c.GenerateAssignment.preprocessors = [RemoveSolutionProse] + GenerateAssignment.class_traits()[
    "preprocessors"
].default()
'''


def config_text(course_dir: Path, course_id: str = "initbook", timeout: int = 120) -> str:
    """The ``nbgrader_config.py`` of a course rooted at ``course_dir``."""
    course_dir = Path(course_dir).resolve()
    return CONFIG.format(
        root=str(course_dir),
        course_id=course_id,
        db_url=f"sqlite:///{course_dir / 'gradebook.db'}",
        exchange=str(course_dir / "exchange"),
        timeout=int(timeout),
        tools=str(HERE),
    )


def make_course(course_dir: Path, notebooks, course_id: str = "initbook") -> list[str]:
    """Write the config and the ``source/`` copies of ``notebooks``; return the assignment names."""
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(config_text(course_dir, course_id), encoding="utf-8")
    names = []
    for nb in map(Path, notebooks):
        target = course_dir / "source" / nb.stem / nb.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb, target)
        names.append(nb.stem)
    return names


try:  # the preprocessor exists only where nbgrader is installed
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - nbgrader is a test dependency
    NbGraderPreprocessor = None

if NbGraderPreprocessor is not None:

    class RemoveSolutionProse(NbGraderPreprocessor):
        """Drop the markdown cells tagged ``solution`` and cut ``{solution}`` directives out of the rest."""

        def preprocess(self, nb, resources):
            cells = []
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "markdown":
                    cell = student.student_markdown(cell, where=f"cell {index}: ")
                    if cell is None:
                        continue
                cells.append(cell)
            nb.cells = cells
            return nb, resources


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course_dir", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to add as assignments (default: chapters/*.ipynb)")
    parser.add_argument("--course-id", default="initbook")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    names = make_course(args.course_dir, notebooks, args.course_id)
    print(f"wrote {args.course_dir / 'nbgrader_config.py'}")
    for name in names:
        print(f"  source/{name}/{name}.ipynb")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment {names[0] if names else 'NAME'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
