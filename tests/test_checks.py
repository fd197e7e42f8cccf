"""The exercise-check machinery: feedback that names the mistake, success line otherwise."""
import numpy as np
import pytest

from initlib.checks import Checker, CheckFailed


def test_success_prints_one_line(capsys):
    c = Checker("double")
    c.expect(True, "unused")
    c.done()
    assert capsys.readouterr().out.strip() == "✔ double: all 1 checks passed."


def test_failure_lists_every_message():
    c = Checker("double")
    c.expect(False, "double(2) returned 5; expected 4")
    c.expect(True, "fine")
    c.expect(False, "double(0) returned 1; expected 0")
    with pytest.raises(CheckFailed, match=r"2 of 3 checks failed") as info:
        c.done()
    assert "double(2) returned 5; expected 4" in str(info.value)
    assert "double(0) returned 1; expected 0" in str(info.value)
    assert isinstance(info.value, AssertionError)  # nbgrader scores it as a failed cell


def test_not_implemented_is_reported_as_such():
    def he_normal(fan_in, fan_out, *, rng):
        raise NotImplementedError

    c = Checker("he_normal")
    W = c.call(he_normal, 3, 4, rng=np.random.default_rng(0))
    assert W is None
    assert not c.array(W, "he_normal(3, 4)", shape=(3, 4))
    with pytest.raises(CheckFailed, match="not implemented yet"):
        c.done()


def test_exceptions_in_student_code_become_feedback():
    def broken(x):
        return x / "a"

    c = Checker("broken")
    c.call(broken, 1)
    with pytest.raises(CheckFailed, match=r"broken\(1\) raised TypeError"):
        c.done()


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (np.zeros((5, 3)), dict(shape=(3, 5), hint=" = (fan_in, fan_out)"), r"has shape \(5, 3\); expected \(3, 5\) = \(fan_in, fan_out\)"),
        (np.array([1.0, np.nan]), dict(shape=(2,)), "NaN or infinite"),
        (np.array([1.0, 2.0]), dict(shape=(2,), expected=np.array([1.0, 3.0])), r"at index \(1,\) it is 2, expected 3"),
        ("abc", dict(), "array of numbers"),
    ],
)
def test_array_feedback(value, kwargs, message):
    c = Checker("f")
    assert not c.array(value, "f(...)", **kwargs)
    with pytest.raises(CheckFailed, match=message):
        c.done()


def test_array_accepts_a_correct_value(capsys):
    c = Checker("f")
    assert c.array(np.ones((2, 2)), "f()", shape=(2, 2), expected=np.ones((2, 2)))
    c.done()
    assert "all 1 checks passed" in capsys.readouterr().out
