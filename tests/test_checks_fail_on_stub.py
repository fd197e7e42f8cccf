"""Every exercise check fails on the student's stub, with the same sentence naming the exercise.

The stub is what the student edition (``make student``) and nbgrader's
release version put in place of a solution: ``raise NotImplementedError("<label> (<title>): ...")``.
The wrong answers typical of each exercise are tested in ``tests/test_checks_<chapter>.py``.
"""
import re

import pytest

import initlib.checks as checks

CHECKS = sorted(name for name in checks.__all__ if name.startswith("check_"))
MESSAGE = "ex-x (An exercise): replace this line with your code, then run the cell"


def stub(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError(MESSAGE)


def test_every_chapter_has_checks():
    assert CHECKS, "initlib.checks exports no check_* function"


@pytest.mark.parametrize("name", CHECKS)
@pytest.mark.parametrize("seed", [0, 1])
def test_check_fails_on_the_stub_with_one_sentence(name, seed, capsys):
    with pytest.raises(checks.CheckFailed) as info:
        getattr(checks, name)(stub, seed=seed)
    assert "✔" not in capsys.readouterr().out, "no success line for a stub"
    thing = name.removeprefix("check_")
    assert str(info.value) == (f"{thing}: not implemented yet (it raises NotImplementedError: {MESSAGE}). "
                               f"Write {thing} in its cell, run that cell, then run this check again.")
    assert not re.search(r"\d+ of \d+", str(info.value)), "no count of cases for a stub"
