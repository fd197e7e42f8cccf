"""Grade the check cells of a notebook outside the student's kernel (for ``nbgrader autograde``).

``nbgrader autograde`` runs a submission in a kernel and scores each graded
cell by its output. Everything in that kernel is the student's: a solution
cell can replace ``il.checks.check_he_normal``, patch ``Checker`` or numpy,
or hide the error of a failed check. :class:`RegradeChecks`, added to
autograde's preprocessors just before nbgrader saves the grades, therefore
replaces the output of every check cell (a graded cell that is exactly
``il.checks.check_<thing>(<function>)``) by the verdict of the same check run

- in the grader's own process, with the initlib imported when nbgrader
  read its configuration, before any submission ran;
- on the student's function running in a fresh interpreter
  (:class:`initlib.checks._sandbox.SandboxFunction`), defined by the cells
  of the submission it needs (the cell that defines it and, going back,
  every cell defining a name those use), with a fresh seed.

A check cell whose kernel output passed but whose regrade fails gets a
note saying so, and the grader logs a warning naming the student: that
is how an instructor sees a notebook that behaves differently in its own
kernel, the sign of tampering. Graded cells of another form keep the
kernel's verdict (and a warning is logged).

Use it in ``nbgrader_config.py`` (``tools/nbgrader_course.py`` writes this)::

    from initlib.checks.autograde import autograde_preprocessors
    c.Autograde.autograde_preprocessors = autograde_preprocessors()
"""
from __future__ import annotations

import ast
import contextlib
import io
import symtable

from . import _core
from ._sandbox import SandboxError, SandboxFunction

__all__ = ["check_call", "needed_cells", "regrade", "autograde_preprocessors", "RegradeChecks"]


def check_call(source):
    """``(check_name, function_name)`` if ``source`` is exactly ``il.checks.check_x(f)``, else None.

    >>> check_call("il.checks.check_he_normal(he_normal)")
    ('check_he_normal', 'he_normal')
    >>> check_call("initlib.checks.check_collapse(collapse)  # graded")
    ('check_collapse', 'collapse')
    >>> check_call("il.checks.check_he_normal(he_normal); print(1)") is None
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and len(call.args) == 1 and not call.keywords
            and isinstance(call.args[0], ast.Name) and isinstance(call.func, ast.Attribute)
            and call.func.attr.startswith("check_") and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "checks" and isinstance(call.func.value.value, ast.Name)
            and call.func.value.value.id in ("il", "initlib")):
        return None
    return call.func.attr, call.args[0].id


def _python(source):
    text = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
    try:
        return ast.parse(text), text
    except SyntaxError:
        return None, text


def _bound(tree):
    """Names a cell binds at the top level of the notebook."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _used(text):
    """Global names a cell reads (its functions' own locals excluded)."""
    top = symtable.symtable(text, "<cell>", "exec")
    names, stack = set(), [top]
    while stack:
        table = stack.pop()
        for sym in table.get_symbols():
            if sym.is_referenced() and (table is top or sym.is_global()):
                names.add(sym.get_name())
        stack.extend(table.get_children())
    return names


def needed_cells(cells, index, function):
    """The code cells before ``cells[index]`` that define ``function`` and what it needs, in order.

    Returns ``[(source, by_student), ...]``; ``by_student`` is False for
    cells nbgrader locks (restored from the instructor's version).
    """
    needed, keep = {function}, []
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") != "code":
            continue
        tree, text = _python(cell.get("source", ""))
        if tree is None or not (_bound(tree) & needed):
            continue
        keep.append((text, not cell.get("metadata", {}).get("nbgrader", {}).get("locked", False)))
        needed |= _used(text)
    return keep[::-1]


def _error_output(message):
    return {"output_type": "error", "ename": "CheckFailed", "evalue": message, "traceback": message.split("\n")}


def regrade(check_name, function, cells, *, timeout=30.0, seed=None):
    """Run ``initlib.checks.<check_name>`` on ``function`` defined by ``cells`` in a fresh interpreter.

    Returns ``(passed, outputs)``: the notebook outputs of the verdict (a
    stream with the success line, or an error with the check's message).
    """
    from initlib import checks  # the grader's own, imported before any submission ran

    check = getattr(checks, check_name, None)
    if not callable(check) or not check_name.startswith("check_"):
        return False, [_error_output(f"{check_name} is not a check of initlib.checks.")]
    sandbox, out = None, io.StringIO()
    try:
        sandbox = SandboxFunction(function, cells, timeout=timeout)
        with contextlib.redirect_stdout(out):
            check(sandbox, seed=seed)
    except _core.CheckFailed as exc:
        message = str(exc)
        if sandbox is not None and sandbox.cell_errors and "not defined" in message:
            message += "\n  The cells defining it raised: " + "; ".join(sandbox.cell_errors)
        return False, [_error_output(message)]
    except SandboxError as exc:
        return False, [_error_output(f"{function}: the grader could not run it: {exc}")]
    finally:
        if sandbox is not None:
            sandbox.close()
    return True, [{"output_type": "stream", "name": "stdout",
                   "text": out.getvalue() + "(graded again in a fresh interpreter)\n"}]


def autograde_preprocessors():
    """nbgrader's autograde preprocessors with :class:`RegradeChecks` just before the grades are saved."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import SaveAutoGrades

    default = list(Autograde.class_traits()["autograde_preprocessors"].default())
    at = default.index(SaveAutoGrades)
    return default[:at] + [RegradeChecks] + default[at:]


try:
    from nbgrader.preprocessors import NbGraderPreprocessor
    from traitlets import Float
except ImportError:  # pragma: no cover - nbgrader is only needed to grade
    NbGraderPreprocessor = None

if NbGraderPreprocessor is not None:

    class RegradeChecks(NbGraderPreprocessor):
        """Replace each check cell's output by the verdict of :func:`regrade` (see the module's docstring)."""

        timeout = Float(30.0, help="Seconds allowed for each call of a student's function").tag(config=True)

        def preprocess(self, nb, resources):
            student = resources.get("nbgrader", {}).get("student", "?")
            for index, cell in enumerate(nb.cells):
                grading = cell.get("metadata", {}).get("nbgrader", {})
                if cell.cell_type != "code" or not grading.get("grade"):
                    continue
                found = check_call(cell.source)
                if found is None:
                    self.log.warning("graded cell %s of %s is not one il.checks.check_*(f) call: kept the kernel's "
                                     "verdict", grading.get("grade_id"), student)
                    continue
                kernel_passed = not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                passed, outputs = regrade(*found, needed_cells(nb.cells, index, found[1]), timeout=self.timeout)
                if kernel_passed and not passed:
                    outputs[0]["evalue"] += ("\n  (In your notebook this check passed; graded again in a fresh "
                                             "interpreter, it failed.)")
                    outputs[0]["traceback"] = outputs[0]["evalue"].split("\n")
                    self.log.warning("%s, %s: the check passed in the student's kernel but failed when graded "
                                     "again (look for tampering)", student, grading.get("grade_id"))
                from nbformat import from_dict
                cell.outputs = [from_dict(o) for o in outputs]
            return nb, resources
else:  # pragma: no cover
    RegradeChecks = None
