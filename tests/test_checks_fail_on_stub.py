"""Every exercise check fails on the student's stub, and says it is not implemented.

The stub is what the student edition (``make student``) and nbgrader's
release version put in place of a solution: ``raise NotImplementedError()``.
The wrong answers typical of each exercise are tested with each chapter
(``tests/test_claims_<chapter>.py``).
"""
import pytest

import initlib.checks as checks

CHECKS = sorted(name for name in checks.__all__ if name.startswith("check_"))


def stub(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


def test_every_chapter_has_checks():
    assert CHECKS, "initlib.checks exports no check_* function"


@pytest.mark.parametrize("name", CHECKS)
def test_check_fails_on_the_stub(name, capsys):
    with pytest.raises(checks.CheckFailed, match="not implemented yet") as info:
        getattr(checks, name)(stub)
    assert "✔" not in capsys.readouterr().out, "no success line for a stub"
    assert name.removeprefix("check_") in str(info.value), "the feedback names the exercise"
