"""check_saturated_fraction (exercise ex-saturation-fraction): the exact rule passes, and each wrong
answer gets the message that names its mistake.

The rule (initlib.activations.saturated_fraction): tanh saturated iff |a| > threshold; sigmoid iff
a > threshold or 1 - a > threshold, strictly, in float64 (with threshold 0.99, a = 0.01 is not saturated
because 1 - 0.01 == 0.99). Each case runs the check with its own fixed seed.
"""
import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed, check_saturated_fraction
from initlib.checks.saturation import INVALID, _reference


def reference(a, activation="tanh", threshold=0.99):
    a = np.asarray(a, dtype=float)
    if activation == "tanh":
        return float(np.mean(np.abs(a) > threshold))
    if activation == "sigmoid":
        return float(np.mean((a > threshold) | (1 - a > threshold)))
    raise ValueError(f"activation must be 'tanh' or 'sigmoid', got {activation!r}")


def _variant(tanh_rule=None, sigmoid_rule=None, accepts=("tanh", "sigmoid"), cast=float):
    """A saturated_fraction with its own rules; unknown names raise unless ``accepts`` lists them."""
    tanh_rule = tanh_rule or (lambda a, t: np.mean(np.abs(a) > t))
    sigmoid_rule = sigmoid_rule or (lambda a, t: np.mean((a > t) | (1 - a > t)))

    def saturated_fraction(a, activation="tanh", threshold=0.99):
        if activation not in accepts:
            raise ValueError(f"unknown activation {activation!r}")
        a = np.asarray(a, dtype=float)
        rule = tanh_rule if activation == "tanh" else sigmoid_rule
        return cast(rule(a, threshold))
    return saturated_fraction


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_exact_rule_passes(seed, capsys):
    check_saturated_fraction(reference, seed=seed)
    check_saturated_fraction(_variant(cast=np.float64), seed=seed)  # a float64 scalar is a float too
    assert capsys.readouterr().out.splitlines() == ["✔ saturated_fraction: all 17 cases passed."] * 2


def test_the_reference_is_initlib_rule():
    """The check's rule is initlib's, on the boundary values the check uses."""
    t = 0.99
    a = np.array([t, np.nextafter(t, 1), 1 - t, 0.01, np.nextafter(0.01, 0), 1 - np.nextafter(t, 1), 0.5])
    for act in ("tanh", "sigmoid"):
        x = a if act == "sigmoid" else np.concatenate([a, -a])
        assert _reference(x, act, t) == il.activations.saturated_fraction(x, act, t)
    assert _reference(np.array([0.01]), "sigmoid", 0.99) == 0.0  # 1 - 0.01 == 0.99: not saturated


WRONG = {
    "constant-0": (lambda a, activation="tanh", threshold=0.99: 0.0,
                   r"returned 0\.0 for every case, whatever the array and the threshold"),
    "hard-coded-a<0.01": (_variant(sigmoid_rule=lambda a, t: np.mean((a > 0.99) | (a < 0.01))),
                          r"'sigmoid', threshold=0\.\d+\) \[a sigmoid with threshold .*the threshold argument was "
                          r"ignored \(0\.99 was used\)"),
    "fixed-0.99-tanh": (_variant(tanh_rule=lambda a, t: np.mean(np.abs(a) > 0.99)),
                        r"'tanh', threshold=0\.\d+\) \[tanh with threshold .*the threshold argument was ignored"),
    ">=-everywhere": (_variant(lambda a, t: np.mean(np.abs(a) >= t), lambda a, t: np.mean((a >= t) | (1 - a >= t))),
                      r"a value exactly at the threshold was counted as saturated: the rule is strict, use >"),
    ">=-sigmoid-only": (_variant(sigmoid_rule=lambda a, t: np.mean((a >= t) | (1 - a >= t))),
                        r"'sigmoid'\) \[both tails of a sigmoid, default threshold\] returned .*use > \(not >=\)"),
    "a<1-t": (_variant(sigmoid_rule=lambda a, t: np.mean((a > t) | (a < 1 - t))),
              r"values a with 1 - a == threshold in float64 were counted: the rule compares 1 - a > threshold"),
    "upper-tail-tanh": (_variant(tanh_rule=lambda a, t: np.mean(a > t)),
                        r"only the upper tail was counted; tanh also saturates near -1"),
    "upper-tail-sigmoid": (_variant(sigmoid_rule=lambda a, t: np.mean(a > t)),
                           r"only the upper tail was counted; a sigmoid also saturates near 0"),
    "sigmoid-rule-for-tanh": (_variant(tanh_rule=lambda a, t: np.mean((a > t) | (1 - a > t))),
                              r"that is the sigmoid rule; for 'tanh' saturated means \|a\| > threshold"),
    "count": (_variant(lambda a, t: np.sum(np.abs(a) > t), lambda a, t: np.sum((a > t) | (1 - a > t)), cast=int),
              r"that is the number of saturated entries; return the fraction"),
    "float32-compare": (_variant(lambda a, t: np.mean(np.abs(a.astype(np.float32)) > np.float32(t))),
                        r"that is the fraction computed in float32"),
    "float32-result": (_variant(cast=np.float32), r"returned a float32 number \(0\.\d+\); expected a float64"),
    "float32-rounded": (_variant(cast=lambda v: float(np.float32(v))),
                        r"that is the right fraction rounded to float32"),
    "per-column": (_variant(lambda a, t: np.mean(np.abs(a) > t, axis=0), cast=np.asarray),
                   r"returned an array of shape \(\d+,\); expected one number"),
    "bool": (lambda a, activation="tanh", threshold=0.99: bool(np.any(np.abs(a) > threshold)),
             r"returned (True|False), a bool; expected a number"),
    "no-return": (lambda a, activation="tanh", threshold=0.99: None, r"returned None; did you forget the return"),
    "crash": (lambda a, activation="tanh", threshold=0.99: a.nonexistent, r"raised AttributeError"),
    "linear-as-sigmoid": (_variant(accepts=("tanh", "sigmoid", "linear")),
                          r"saturated_fraction\(np.array\(\[0.0, 0.5, 1.0\]\), 'linear'\) returned 0\.6+\d; expected "
                          r"it to raise ValueError"),
    "Tanh-accepted": (lambda a, activation="tanh", threshold=0.99: reference(a, activation.lower(), threshold),
                      r"'Tanh'\) returned 0\.3+\d*; expected it to raise ValueError"),
    "everything-else-is-sigmoid": (lambda a, activation="tanh", threshold=0.99: reference(
        a, "tanh" if activation == "tanh" else "sigmoid", threshold), r"'relu'\) returned 0\.6+\d; expected it to raise"),
    "wrong-error": (lambda a, activation="tanh", threshold=0.99: reference(a, activation, threshold)
                    if activation in ("tanh", "sigmoid") else {}[activation],
                    r"'relu'\) raised KeyError: 'relu'; expected ValueError"),
    "modifies-input": (lambda a, activation="tanh", threshold=0.99: (np.abs(a, out=a), reference(a, activation, threshold))[1],
                       r"changed its input array"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_solution_gets_its_message(name):
    fn, message = WRONG[name]
    with pytest.raises(CheckFailed, match=message) as info:
        check_saturated_fraction(fn, seed=10 + list(WRONG).index(name))
    assert str(info.value).startswith("saturated_fraction: ")


def test_constant_answer_is_not_misdiagnosed():
    """A constant 0 is told that it is constant, not that it ignored the threshold."""
    with pytest.raises(CheckFailed) as info:
        check_saturated_fraction(WRONG["constant-0"][0], seed=5)
    assert "threshold argument was ignored" not in str(info.value)


def test_every_branch_is_exercised():
    """Every case kind is there at every seed: both activations, both thresholds, both sides of each boundary."""
    seen = []

    def spy(a, activation="tanh", threshold=0.99):
        seen.append((np.array(a, dtype=float), activation, threshold))
        return reference(a, activation, threshold)

    for seed in range(5):
        seen.clear()
        check_saturated_fraction(spy, seed=seed)
        calls = [(a, act, t) for a, act, t in seen if act in ("tanh", "sigmoid")]
        assert {(act, t == 0.99) for _, act, t in calls} == {("tanh", True), ("tanh", False), ("sigmoid", True),
                                                             ("sigmoid", False)}
        assert {act for _, act, _ in seen} >= set(INVALID)
        for a, act, t in calls[:5]:
            flat = a.ravel()
            assert t in flat and np.nextafter(t, 2) in flat  # at and just above the upper boundary
            if act == "sigmoid":
                assert 1 - t in flat and 1 - np.nextafter(t, 2) in flat  # 1 - a == t, and 1 - a just above t
                assert any(x != 1 - t and 1 - x == t for x in flat)  # rounds onto the boundary (a = 0.01 for 0.99)
            else:
                assert -t in flat and -np.nextafter(t, 2) in flat


def test_calling_the_library_fails_naming_it():
    for fn in (il.diagnostics.saturated_fraction, il.activations.saturated_fraction,
               lambda a, activation="tanh", threshold=0.99: il.diagnostics.saturated_fraction(a, activation, threshold)):
        with pytest.raises(CheckFailed, match=r"runs initlib\.activations\.saturated_fraction, initlib's own "
                                              r"implementation of the answer"):
            check_saturated_fraction(fn, seed=0)

    def asks_the_reference(a, activation="tanh", threshold=0.99):
        from initlib.checks import saturation
        return saturation._reference(a, activation, threshold)

    with pytest.raises(CheckFailed, match=r"runs initlib\.checks code \(saturation\.py: _reference\)"):
        check_saturated_fraction(asks_the_reference, seed=0)
