"""The exercise-check machinery: feedback, the guard against calling the library, the sandbox and the regrade
of check cells in a fresh interpreter (what nbgrader autograde uses)."""
import sys
import threading

import nbformat
import numpy as np
import pytest

import initlib as il
from initlib.checks import FAILED, Checker, CheckFailed
from initlib.checks._guard import ForbiddenCall, guarded_call, resolve
from initlib.checks._sandbox import SandboxError, SandboxFunction
from initlib.checks.autograde import check_call, needed_cells, regrade


# ------------------------------------------------------------------------------- Checker ----
def test_success_prints_one_line(capsys):
    c = Checker("double", seed=0)
    assert c.call(lambda x: 2 * x, 3) == 6
    c.done()
    assert capsys.readouterr().out == "✔ double: all 1 cases passed.\n"


def test_failure_lists_every_message_and_the_seed():
    c = Checker("double", seed=42)
    c.call(lambda x: x, 2)
    c.fail("double(2) returned 2; expected 4")
    c.call(lambda x: x, 0)
    c.call(lambda x: x + 1, 0)
    c.fail("double(0) returned 1; expected 0")
    with pytest.raises(CheckFailed, match=r"^double: 2 of 3 cases failed \(cases drawn with seed 42\):") as info:
        c.done()
    assert "double(2) returned 2; expected 4" in str(info.value) and "double(0) returned 1" in str(info.value)
    assert isinstance(info.value, AssertionError)  # nbgrader scores it as a failed cell


def test_a_fresh_seed_at_each_check():
    assert len({Checker("f").seed for _ in range(5)}) == 5
    assert Checker("f", seed=3).rng.integers(100) == np.random.default_rng(3).integers(100)


@pytest.mark.parametrize("stub_message", ["", "ex-scaling-he-normal (Implement He normal): write your code here"])
def test_not_implemented_ends_the_check_with_one_sentence(stub_message):
    def he_normal(fan_in, fan_out, *, rng):
        raise NotImplementedError(stub_message)

    c = Checker("he_normal", seed=0)
    with pytest.raises(CheckFailed) as info:
        c.call(he_normal, 3, 4, rng=np.random.default_rng(0))
    text = str(info.value)
    assert text.startswith("he_normal: not implemented yet (it raises NotImplementedError")
    assert stub_message in text and "of" not in text.split("(")[0]  # no "1 of 1" / "1 of 2" counts


def test_exceptions_in_student_code_become_feedback():
    c = Checker("broken", seed=0)
    assert c.call(lambda x: x / "a", 1) is FAILED
    with pytest.raises(CheckFailed, match=r"broken\(1\) raised TypeError"):
        c.done()


def test_raises_accepts_the_error_and_names_the_others():
    c = Checker("f", seed=0)

    def f(mode):
        if mode == "bad":
            raise ValueError("bad mode")
        if mode == "key":
            raise KeyError(mode)
        return 1

    assert c.raises(ValueError, f, "bad")
    assert not c.raises(ValueError, f, "key", why="an unknown mode")
    assert not c.raises(ValueError, f, "ok")
    with pytest.raises(CheckFailed) as info:
        c.done()
    assert "f('key') raised KeyError: 'key'; expected ValueError (an unknown mode)." in str(info.value)
    assert "f('ok') returned 1; expected it to raise ValueError." in str(info.value)


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (np.zeros((5, 3)), dict(shape=(3, 5), hint=" = (fan_in, fan_out)"),
         r"has shape \(5, 3\); expected \(3, 5\) = \(fan_in, fan_out\)"),
        (np.array([1.0, np.nan]), dict(shape=(2,)), "NaN or infinite"),
        (np.array([1.0, 2.0]), dict(shape=(2,), expected=np.array([1.0, 3.0])), r"at index \(1,\) it is 2, expected 3"),
        (np.zeros(2, dtype=np.float32), dict(shape=(2,)), r"has dtype float32; expected float64"),
        ("abc", dict(), "is str; expected a numpy array"),
        (None, dict(), r"is None \(did you forget the return statement\?\)"),
    ],
)
def test_array_feedback(value, kwargs, message):
    c = Checker("f", seed=0)
    assert not c.array(value, "f(...)", **kwargs)
    with pytest.raises(CheckFailed, match=message):
        c.done()


@pytest.mark.parametrize("value, message", [
    (np.float32(0.4), r"returned a float32 number \(0\.4000000059604645\); expected a float64"),
    (True, r"returned True, a bool"), (None, "returned None; did you forget the return statement"),
    (np.zeros(3), r"returned an array of shape \(3,\); expected one number"), ("0.4", r"returned '0.4' \(str\)"),
])
def test_number_feedback(value, message):
    c = Checker("f", seed=0)
    assert c.number(value, "f(a)") is None
    with pytest.raises(CheckFailed, match=message):
        c.done()


# --------------------------------------------------------------------------------- guard ----
def test_guard_detects_forbidden_code_and_restores_the_profiler():
    table = resolve(["initlib.init:he_normal"])
    assert guarded_call(np.add, (1, 2), forbidden=table) == 3
    with pytest.raises(ForbiddenCall, match=r"initlib\.init\.he_normal"):
        guarded_call(il.init.kaiming_normal, (2, 2), {"seed": 0}, table)
    assert sys.getprofile() is None and threading.getprofile() is None


def test_guard_sees_a_forbidden_call_the_student_catches():
    def sly():
        try:
            return il.init.he_normal(2, 2, seed=0)
        except Exception:  # noqa: BLE001 - the hook's exception is swallowed...
            return il.init.he_normal(2, 2, seed=0)  # ...and the profiler is gone: call again

    with pytest.raises(ForbiddenCall, match="he_normal"):
        guarded_call(sly, forbidden=resolve(["initlib.init:he_normal"]))


def test_guard_forbids_checks_code_unless_told_otherwise():
    from initlib.checks import scaling
    with pytest.raises(ForbiddenCall, match=r"initlib\.checks code \(scaling\.py: columns_threshold\)"):
        guarded_call(scaling.columns_threshold, (5, 5))
    assert guarded_call(scaling.columns_threshold, (5, 5), checks_forbidden=False) > 0


def test_resolve_rejects_unknown_names():
    with pytest.raises(ValueError, match="module:function"):
        resolve(["initlib.nonexistent_module:f"])


# ------------------------------------------------------------------------------- sandbox ----
@pytest.fixture(scope="module")
def sandboxed():
    """Student functions defined by cells, in one fresh interpreter per function."""
    made = []

    def make(name, *cells):
        f = SandboxFunction(name, [("import numpy as np", False)] + [(s, True) for s in cells])
        made.append(f)
        return f
    yield make
    for f in made:
        f.close()


def test_sandbox_mirrors_arguments_and_generators(sandboxed):
    f = sandboxed("f", "def f(a, rng):\n    a[0] = 5.0\n    return rng.normal(size=2)")
    a, rng = np.zeros(3), np.random.default_rng(1)
    out = f(a, rng)
    assert a[0] == 5.0  # the in-place change is visible to the check
    expected = np.random.default_rng(1)
    assert np.array_equal(out, expected.normal(size=2)) and rng.normal() == expected.normal()


def test_sandbox_rebuilds_exceptions(sandboxed):
    f = sandboxed("f", "class ModeError(ValueError):\n    pass\n\ndef f(x):\n    raise ModeError(f'bad {x}')")
    with pytest.raises(ValueError, match="bad 3") as info:
        f(3)
    assert type(info.value).__name__ == "ModeError"


def test_sandbox_refuses_objects_that_could_run_code_in_the_grader(sandboxed):
    f = sandboxed("f", "import os\nclass Evil:\n    def __reduce__(self):\n        return (os.system, ('true',))\n"
                       "def f():\n    return Evil()")
    value = f()
    assert "Evil" in repr(value) and not isinstance(value, (int, float, np.ndarray))


def test_sandbox_reports_library_calls_and_tampering(sandboxed):
    cheat = sandboxed("he", "def he(n):\n    from initlib.init import he_normal as h\n    return h(n, n, seed=0)")
    with pytest.raises(ForbiddenCall, match=r"initlib\.init\.he_normal"):
        cheat.guarded_call((2,), {}, resolve(["initlib.init:he_normal"]))
    tamper = sandboxed("g", "import sys\nsys.getprofile = lambda: None\ndef g():\n    return 1")
    with pytest.raises(ForbiddenCall, match="patches sys, threading or initlib.checks._guard"):
        tamper()
    # the guard that watches the sandbox is not the importable module: patching that one changes nothing
    other = sandboxed("h", "import initlib.checks._guard as g\ng.guarded_call = lambda fn, *a, **k: fn(*a)\n"
                           "import initlib as il\ndef h():\n    return il.init.he_normal(2, 2, seed=0)")
    with pytest.raises(ForbiddenCall, match=r"initlib\.init\.he_normal"):
        other.guarded_call((), {}, resolve(["initlib.init:he_normal"]))


def test_sandbox_stops_an_endless_loop():
    f = SandboxFunction("f", [("def f():\n    while True:\n        pass", True)], timeout=2)
    with pytest.raises(SandboxError, match="did not return within 2 s"):
        f()


# ----------------------------------------------------------------------- regrade ----
def test_check_call_recognises_only_the_one_call_form():
    assert check_call("il.checks.check_collapse(collapse)") == ("check_collapse", "collapse")
    for source in ("il.checks.check_collapse(collapse, seed=1)", "x = il.checks.check_collapse(collapse)",
                   "checks.check_collapse(collapse)", "il.checks.check_collapse(lambda W, b: 0)"):
        assert check_call(source) is None


def _notebook(solution, extra=()):
    cells = [nbformat.v4.new_code_cell("import initlib as il"), nbformat.v4.new_code_cell("import numpy as np"),
             nbformat.v4.new_code_cell("big = np.ones(10)  # not needed by the function"),
             nbformat.v4.new_code_cell(solution), *map(nbformat.v4.new_code_cell, extra),
             nbformat.v4.new_code_cell("il.checks.check_he_normal(he_normal)")]
    cells[-1].metadata["nbgrader"] = {"grade": True, "locked": True, "points": 1, "grade_id": "x"}
    return cells


HONEST = '''def he_normal(fan_in, fan_out, *, mode="fan_in", rng=None):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(mode)
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in if mode == "fan_in" else fan_out)), size=(fan_in, fan_out))'''
STUB = '''def he_normal(fan_in, fan_out, *, mode="fan_in", rng=None):
    raise NotImplementedError("ex-scaling-he-normal: write your code here")'''


def test_needed_cells_are_the_solution_and_what_it_uses():
    cells = _notebook(HONEST)
    kept = needed_cells(cells, len(cells) - 1, "he_normal")
    assert [s.split("\n")[0] for s, _ in kept] == ["import numpy as np", "def he_normal(fan_in, fan_out, *, mode=\"fan_in\", rng=None):"]


@pytest.mark.parametrize("solution, extra, passed, message", [
    (HONEST, (), True, "✔ he_normal: all 9 cases passed."),
    (STUB, (), False, "he_normal: not implemented yet"),
    # tampering in the kernel gains nothing: the check runs in the grader with its own initlib
    (STUB + "\nil.checks.check_he_normal = lambda f: print('✔ he_normal: all 9 cases passed.')", (), False,
     "not implemented yet"),
    (STUB, ("import initlib.checks._core as core\ncore.Checker.done = lambda self: None",), False,
     "not implemented yet"),
    (STUB + "\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True", (), False,
     "not implemented yet"),
    # and calling the library is seen in the fresh interpreter too
    ("import initlib.init as X\ndef he_normal(fan_in, fan_out, *, mode='fan_in', rng=None):\n"
     "    return X.kaiming_normal(fan_in, fan_out, mode=mode, rng=rng)", (), False, "runs initlib.init.he_normal"),
], ids=["honest", "stub", "patched-check", "patched-checker", "patched-numpy", "library"])
def test_regrade_in_a_fresh_interpreter(solution, extra, passed, message):
    cells = _notebook(solution, extra)
    index = len(cells) - 1
    ok, outputs = regrade("check_he_normal", "he_normal", needed_cells(cells, index, "he_normal"), seed=7)
    assert ok is passed
    text = outputs[0].get("text", "") + outputs[0].get("evalue", "")
    assert message in text, text
