"""The nbgrader course across accounts: an instructor and three students, each on an account of their own.

As on a JupyterHub: the course (made by ``tools/nbgrader_course.py``) lives in the instructor's home, the
exchange is a shared directory (mode 1777), each student has only the students' configuration (course id
and exchange) in ``~/.jupyter``. The whole cycle runs, each command as the account that would run it:
``generate_assignment``, ``release_assignment`` (instructor), ``fetch_assignment`` and ``submit``
(students), ``collect``, ``autograde``, ``generate_feedback`` and ``export`` (instructor), on the
chapter's graded cell and the cells it needs (``tests/_graded_slice.py``, as ``tests/test_nbgrader.py`` hands
in; the whole chapter runs with its checks in nbval). The three submissions are honest (the chapter's solutions), wrong (a typical mistake) and
tampering (the stub, plus a solution cell that replaces the check, patches ``Checker`` and hides the
kernel's errors): the grades must come out 1, 0 and 0.

When the tests run as root (CI), real accounts are made with ``useradd`` (and removed afterwards) and each
command runs with ``setpriv`` as its account; where the Python interpreter sits in a home other accounts
cannot enter (a pyenv build under /root, as on the project's machine and in CI), the accounts get the one
capability to read and search any directory (CAP_DAC_READ_SEARCH) so that they can start it: what they may
*write* (the exchange, each other's homes) is enforced as for any account, what they may read is not tested.
Otherwise the four roles share the current account with four HOMEs (the permissions are then not tested). Cost:
eleven nbgrader commands and three executions of the sliced chapter (the whole chapter made it 3 min at load 2.5).
"""
from __future__ import annotations

import csv
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import nbgrader_course  # noqa: E402
import student  # noqa: E402
from _graded_slice import sliced  # noqa: E402

#: the chapter graded in this test (its one check cell is worth the whole grade), and its wrong solution
CHAPTER = ROOT / "chapters" / "01_symmetry.ipynb"
WRONG = {  # grade_id of the solution cell -> a wrong solution a student would write
    "ex-symmetry-collapse-code": (
        "def collapse(W, b):\n"
        "    n = len(W)  # keeps one copy instead of summing the copies\n"
        "    return ([W[l][: (None if l == 0 else 1), : (1 if l < n - 1 else None)] for l in range(n)],\n"
        "            [b[l][:1] if l < n - 1 else b[l] for l in range(n)])"),
}
TAMPER = (
    "\nimport initlib.checks._core as _core\n"
    "_core.Checker.done = lambda self: print(f'✔ {self.name}: all cases passed.')\n"
    "il.checks.check_collapse = lambda f, **k: print('✔ collapse: all 7 cases passed.')\n"
    "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)  # no error is ever shown\n")
COURSE_ID = "initbook"
ROLES = ("instructor", "honest", "wrong", "tamper")


def _real_accounts() -> bool:
    return os.geteuid() == 0 and all(shutil.which(t) for t in ("useradd", "userdel", "setpriv"))


def _interpreter_is_private() -> bool:
    """True if other accounts cannot reach this Python (e.g. a pyenv build under root's private home)."""
    path = Path(sys.executable).resolve()
    return any(not p.stat().st_mode & stat.S_IXOTH for p in path.parents)


class Account:
    """One role: a Unix account (as root) or a HOME of the current account."""

    def __init__(self, role, base, tag, real):
        self.role, self.real = role, real
        self.name = f"ib{tag}{role[:6]}" if real else role
        self.home = base / "home" / self.name
        self.home.mkdir(parents=True)
        if real:
            subprocess.run(["useradd", "--no-create-home", "--home-dir", str(self.home), "--shell", "/bin/sh",
                            "--user-group", self.name], check=True, capture_output=True)
            entry = pwd.getpwnam(self.name)
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
            os.chown(self.home, self.uid, self.gid)
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        self.home.chmod(0o700)

    def give(self, path: Path) -> None:
        """Make ``path`` (a tree) this account's."""
        if self.real:
            for p in [path, *path.rglob("*")]:
                os.lchown(p, self.uid, self.gid)

    def run(self, *args, cwd=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "JPY"))}
        env.update(HOME=str(self.home), USER=self.name, LOGNAME=self.name, OMP_NUM_THREADS="1",
                   OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
                   PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
        command = [sys.executable, "-m", "nbgrader", *args]
        if self.real:
            # the account's own uid and group; where the interpreter sits in a private home (root's pyenv, here and
            # in CI) the account may read and search any directory to reach it, but writes as itself only
            reach = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"] if _interpreter_is_private() else []
            command = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", *reach, "--", *command]
        result = subprocess.run(command, cwd=cwd or self.home, env=env, capture_output=True, text=True, timeout=900)
        log = result.stdout + result.stderr
        if result.returncode != 0 or "| ERROR]" in log:
            raise AssertionError(f"{self.role}: nbgrader {' '.join(args)} failed (exit {result.returncode}):\n{log}")
        return log

    def remove(self):
        if self.real:
            subprocess.run(["userdel", self.name], capture_output=True)


def _solutions(source):
    return {student.nbgrader(c).get("grade_id"): c.source for c in source.cells if student.nbgrader(c).get("solution")}


def _edit(path: Path, who: str, source) -> None:
    """What each student does to the fetched notebook."""
    nb = nbformat.read(str(path), as_version=4)
    solutions = _solutions(source)
    for cell in nb.cells:
        grade_id = student.nbgrader(cell).get("grade_id")
        if not student.nbgrader(cell).get("solution") or cell.cell_type != "code":
            continue
        if who == "honest" or (who == "wrong" and grade_id not in WRONG):
            cell.source = solutions[grade_id]
        elif who == "wrong":
            cell.source = WRONG[grade_id]
        elif who == "tamper" and grade_id in WRONG:
            cell.source = cell.source + TAMPER
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def course():
    """The whole cycle, run once; yields what the tests look at."""
    base = Path(tempfile.mkdtemp(prefix="initbook-accounts-"))
    base.chmod(0o755)  # every account traverses it (the homes inside are private)
    real = _real_accounts()
    tag = secrets.token_hex(2)
    accounts = {}
    try:
        for role in ROLES:
            accounts[role] = Account(role, base, tag, real)
        teacher = accounts["instructor"]
        exchange = nbgrader_course.make_exchange(base / "exchange")
        course_dir = teacher.home / "course"
        # the assignment: the chapter's graded cell and the cells it needs (tests/_graded_slice.py); the whole
        # chapter's grading is the same cell's, and the whole chapter runs with its checks in nbval
        assignment = base / "source" / CHAPTER.name
        assignment.parent.mkdir()
        nbformat.write(sliced(nbformat.read(str(CHAPTER), as_version=4)), str(assignment))
        (name,) = nbgrader_course.make_course(course_dir, [assignment], COURSE_ID, exchange)
        teacher.give(course_dir)
        teacher.run("generate_assignment", name, cwd=course_dir)
        teacher.run("release_assignment", name, cwd=course_dir)
        source = nbformat.read(str(CHAPTER), as_version=4)
        for who in ROLES[1:]:
            pupil = accounts[who]
            config = pupil.home / ".jupyter" / "nbgrader_config.py"
            config.parent.mkdir()
            config.write_text(nbgrader_course.student_config_text(COURSE_ID, exchange))
            pupil.give(config.parent)
            pupil.run("fetch_assignment", name)
            fetched = pupil.home / name / CHAPTER.name
            _edit(fetched, who, source)
            pupil.give(fetched)
            pupil.run("submit", name)
        teacher.run("collect", name, cwd=course_dir)
        teacher.run("autograde", name, cwd=course_dir)
        teacher.run("generate_feedback", name, cwd=course_dir)
        teacher.run("export", cwd=course_dir)
        with open(course_dir / "grades.csv", newline="") as f:
            grades = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
        yield {"grades": grades, "accounts": accounts, "course": course_dir, "exchange": exchange, "name": name,
               "real": real}
    finally:
        for account in accounts.values():
            account.remove()
        shutil.rmtree(base, ignore_errors=True)


def test_grades_are_1_0_0(course):
    names = {role: course["accounts"][role].name for role in ROLES[1:]}
    assert course["grades"] == {names["honest"]: 1.0, names["wrong"]: 0.0, names["tamper"]: 0.0}


def test_feedback_names_the_mistake_and_the_tampering(course):
    feedback = {role: next((course["course"] / "feedback" / course["accounts"][role].name).rglob("*.html")).read_text()
                for role in ROLES[1:]}
    assert "✔ collapse: all 7 cases passed." in feedback["honest"]
    assert "10 times too small" in feedback["wrong"]
    assert "collapse: not implemented yet" in feedback["tamper"]
    assert "In your notebook this check passed" in feedback["tamper"]


def test_the_release_names_the_exercise_in_its_stub_and_shows_it(course):
    release = nbformat.read(str(course["course"] / "release" / course["name"] / CHAPTER.name), as_version=4)
    stubs = [c for c in release.cells if c.cell_type == "code" and student.nbgrader(c).get("solution")]
    assert stubs
    for cell in stubs:
        label = student.nbgrader(cell)["grade_id"].removesuffix("-code")
        assert f'raise NotImplementedError("{label} (' in cell.source
        assert not set(cell.metadata.get("tags", [])) & student.HIDING_TAGS


def test_the_exchange_is_shared_and_the_configs_hold_no_path_into_the_clone(course):
    mode = course["exchange"].stat().st_mode
    assert stat.S_IMODE(mode) == 0o1777
    for config in ("nbgrader_config.py", "student_nbgrader_config.py"):
        text = (course["course"] / config).read_text()
        assert str(ROOT) not in text
    assert (course["course"] / "plugins" / "student.py").is_file()
    if course["real"]:
        assert course["accounts"]["honest"].uid != course["accounts"]["instructor"].uid
