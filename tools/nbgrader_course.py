"""Set up an nbgrader course with the book's chapters as assignments, for an instructor and students on
different accounts (the way a JupyterHub serves a class).

    python tools/nbgrader_course.py COURSE_DIR [NOTEBOOK ...] [--exchange DIR] [--course-id ID]

(default notebooks: chapters/*.ipynb; default exchange: /srv/nbgrader/exchange). It writes

- ``COURSE_DIR/nbgrader_config.py``, the instructor's configuration;
- ``COURSE_DIR/student_nbgrader_config.py``, the students' configuration: the
  course id and the exchange, nothing else. Install it as
  ``/etc/jupyter/nbgrader_config.py`` (every account) or as each student's
  ``~/.jupyter/nbgrader_config.py``;
- ``COURSE_DIR/plugins/``: copies of this file and of ``student.py``, which the
  instructor's configuration imports, so that the course does not depend on
  the clone of the repository it was made from;
- ``COURSE_DIR/source/<name>/<name>.ipynb`` for each notebook, solutions
  included (one assignment per chapter, named after the notebook).

With ``--create-exchange`` it also creates the exchange directory, writable by
every account and sticky (mode 1777, as ``/tmp``), which nbgrader needs.

The instructor's configuration adds to nbgrader, when it generates the
students' version: :class:`RemoveSolutionProse` (nbgrader does not know the
book's solution prose: markdown cells tagged ``solution``, ``{solution}``
directives) and :class:`ClearSolutionsNamingTheExercise` (nbgrader's stub,
raising ``NotImplementedError`` with a message naming the exercise, and no
``hide-cell`` tag on the stub cells); and, when it autogrades,
:class:`initlib.checks.autograde.RegradeChecks` (each check cell graded again
in a fresh interpreter, so that a solution cell that patches initlib or the
checks gains nothing). Then, as the instructor, in ``COURSE_DIR``::

    nbgrader generate_assignment 03_he_scaling    # -> release/03_he_scaling/
    nbgrader release_assignment 03_he_scaling     # -> the exchange
    # students: nbgrader fetch_assignment 03_he_scaling ... nbgrader submit 03_he_scaling
    nbgrader collect 03_he_scaling                # -> submitted/<student>/03_he_scaling/
    nbgrader autograde 03_he_scaling              # -> autograded/, gradebook.db
    nbgrader generate_feedback 03_he_scaling      # -> feedback/
    nbgrader export                               # -> grades.csv
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import student  # noqa: E402  (tools/student.py, or its copy in a course's plugins/)

DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"

CONFIG = '''\
# nbgrader configuration of the instructor, for a course made from the book's chapters.
# Written by tools/nbgrader_course.py; run nbgrader from this folder.
import os
import sys

c = get_config()  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
c.Execute.timeout = {timeout}

# The course's own copies of the book's nbgrader preprocessors (plugins/, next to this file):
# solution prose removed, stubs that name their exercise, no hide-cell tag on them.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins"))
from nbgrader_course import generate_preprocessors  # noqa: E402

c.GenerateAssignment.preprocessors = generate_preprocessors()

# Each check cell graded again outside the student's kernel (initlib.checks.autograde).
from initlib.checks.autograde import autograde_preprocessors  # noqa: E402

c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.RegradeChecks.timeout = 30
'''

STUDENT_CONFIG = '''\
# nbgrader configuration of the students of the course {course_id!r}.
# Install as /etc/jupyter/nbgrader_config.py (all accounts) or ~/.jupyter/nbgrader_config.py.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
'''


def config_text(course_dir: Path, course_id: str = "initbook", exchange: str = DEFAULT_EXCHANGE,
                timeout: int = 120) -> str:
    """The instructor's ``nbgrader_config.py`` of a course rooted at ``course_dir``."""
    course_dir = Path(course_dir).resolve()
    return CONFIG.format(root=str(course_dir), course_id=course_id, db_url=f"sqlite:///{course_dir / 'gradebook.db'}",
                         exchange=str(exchange), timeout=int(timeout))


def student_config_text(course_id: str = "initbook", exchange: str = DEFAULT_EXCHANGE) -> str:
    """The students' ``nbgrader_config.py``: the course id and the exchange."""
    return STUDENT_CONFIG.format(course_id=course_id, exchange=str(exchange))


def make_exchange(path) -> Path:
    """Create the exchange directory: every account may write in it, none may remove others' files."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o1777)
    return path


def make_course(course_dir: Path, notebooks, course_id: str = "initbook", exchange: str = DEFAULT_EXCHANGE) -> list[str]:
    """Write both configurations, the plugins and the ``source/`` copies of ``notebooks``; return the names."""
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(config_text(course_dir, course_id, exchange), encoding="utf-8")
    (course_dir / "student_nbgrader_config.py").write_text(student_config_text(course_id, exchange), encoding="utf-8")
    plugins = course_dir / "plugins"
    plugins.mkdir(exist_ok=True)
    for tool in (Path(__file__), Path(student.__file__)):
        if tool.resolve() != (plugins / tool.name).resolve():
            shutil.copyfile(tool, plugins / tool.name)
    names = []
    for nb in map(Path, notebooks):
        target = course_dir / "source" / nb.stem / nb.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb, target)
        names.append(nb.stem)
    return names


def graded(notebook) -> bool:
    """True if the notebook has automatically graded (check) cells."""
    import nbformat
    return any(student.is_grade_cell(c) for c in nbformat.read(str(notebook), as_version=4).cells)


try:  # the preprocessors exist only where nbgrader is installed
    from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor
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

    class ClearSolutionsNamingTheExercise(ClearSolutions):
        """nbgrader's ClearSolutions, with the stub of :func:`student.code_stub` and no hiding tag on stubs."""

        def preprocess(self, nb, resources):
            self._titles = student.exercise_titles(nb)
            return super().preprocess(nb, resources)

        def preprocess_cell(self, cell, resources, index):
            saved = dict(self.code_stub)
            self.code_stub = {**saved, "python": "\n".join(student.code_stub(cell, self._titles))}
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            finally:
                self.code_stub = saved
            if cell.cell_type == "code" and student.is_solution_cell(cell):
                student._drop_tags(cell, student.HIDING_TAGS)
            return cell, resources

    def generate_preprocessors():
        """nbgrader's generate_assignment preprocessors, with the two above."""
        from nbgrader.converters import GenerateAssignment

        default = GenerateAssignment.class_traits()["preprocessors"].default()
        return [RemoveSolutionProse] + [ClearSolutionsNamingTheExercise if p is ClearSolutions else p
                                        for p in default]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course_dir", type=Path)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to add as assignments (default: chapters/*.ipynb)")
    parser.add_argument("--course-id", default="initbook")
    parser.add_argument("--exchange", default=DEFAULT_EXCHANGE,
                        help=f"nbgrader's exchange directory, shared by all accounts (default {DEFAULT_EXCHANGE})")
    parser.add_argument("--create-exchange", action="store_true", help="create the exchange directory (mode 1777)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    names = make_course(args.course_dir, notebooks, args.course_id, args.exchange)
    if args.create_exchange:
        make_exchange(args.exchange)
    print(f"wrote {args.course_dir / 'nbgrader_config.py'} (the instructor's)")
    print(f"wrote {args.course_dir / 'student_nbgrader_config.py'} (install it as /etc/jupyter/nbgrader_config.py)")
    for name in names:
        print(f"  source/{name}/{name}.ipynb")
    if not Path(args.exchange).is_dir():
        print(f"the exchange {args.exchange} does not exist: create it with --create-exchange (or mkdir, chmod 1777)")
    first = next((n for n, nb in zip(names, notebooks) if graded(nb)), names[0] if names else "NAME")
    print(f"next: cd {args.course_dir} && nbgrader generate_assignment {first} && nbgrader release_assignment {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
