"""check_fixup_branch (exercise ex-residual-fixup): correct answers pass, and each wrong answer a clever
student would write fails with the message that names its mistake.

Each case runs the check with its own fixed seed (the check draws its cases from it), so the tests are
reproducible.
"""
import math

import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed, check_fixup_branch


def reference(width, m, n_blocks, *, rng):
    if m < 2:
        raise ValueError(f"m must be >= 2, got {m}")
    f = n_blocks ** (-1.0 / (2 * m - 2))
    return [rng.normal(0.0, math.sqrt(2.0 / width), size=(width, width)) * f for _ in range(m - 1)] + [
        np.zeros((width, width))]


def _with_factor(factor, std=lambda width: math.sqrt(2.0 / width)):
    """A fixup_branch with a normal law, a zero last layer and the factor ``factor(L, m)``."""
    def fixup_branch(width, m, n_blocks, *, rng):
        if m < 2:
            raise ValueError(m)
        f = factor(n_blocks, m)
        return [rng.normal(0.0, std(width), size=(width, width)) * f for _ in range(m - 1)] + [
            np.zeros((width, width))]
    return fixup_branch


def _with_law(draw):
    """A fixup_branch with the right factor and std, and entries from ``draw(shape, std, rng)``."""
    def fixup_branch(width, m, n_blocks, *, rng):
        if m < 2:
            raise ValueError(m)
        std = math.sqrt(2.0 / width) * n_blocks ** (-1.0 / (2 * m - 2))
        return [draw((width, width), std, rng) for _ in range(m - 1)] + [np.zeros((width, width))]
    return fixup_branch


def _edit(change):
    """The reference, with its list of layers changed by ``change(layers, width, m, n_blocks, rng)``."""
    def fixup_branch(width, m, n_blocks, *, rng):
        return change(reference(width, m, n_blocks, rng=rng), width, m, n_blocks, rng)
    return fixup_branch


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correct_solutions_pass(seed, capsys):
    def with_initlib(width, m, n_blocks, *, rng):       # He draws from initlib are allowed
        if m < 2:
            raise ValueError("m >= 2")
        f = n_blocks ** (-1 / (2 * m - 2))
        return [f * il.init.he_normal(width, width, rng=rng) for _ in range(m - 1)] + [np.zeros((width, width))]

    def as_tuple(width, m, n_blocks, *, rng):
        if m <= 1:
            raise ValueError("m")
        scale = math.sqrt(2 / width) * math.exp(-math.log(n_blocks) / (2 * (m - 1)))
        return tuple([scale * rng.standard_normal((width, width)) for _ in range(m - 1)] + [np.zeros((width, width))])

    for fn in (reference, with_initlib, as_tuple):
        check_fixup_branch(fn, seed=seed)
    assert capsys.readouterr().out.splitlines() == ["✔ fixup_branch: all 8 cases passed."] * 3


def _all_scaled(width, m, n_blocks, *, rng):
    if m < 2:
        raise ValueError(m)
    f = n_blocks ** (-1 / (2 * m - 2))
    return [rng.normal(0, math.sqrt(2 / width), (width, width)) * f for _ in range(m)]


def _reused(width, m, n_blocks, *, rng):
    if m < 2:
        raise ValueError(m)
    W = rng.normal(0, math.sqrt(2 / width), (width, width)) * n_blocks ** (-1 / (2 * m - 2))
    return [W] * (m - 1) + [np.zeros((width, width))]


def _no_check_of_m(width, m, n_blocks, *, rng):
    f = n_blocks ** (-1 / (2 * m - 2)) if m > 1 else 1.0
    return [rng.normal(0, math.sqrt(2 / width), (width, width)) * f for _ in range(m - 1)] + [np.zeros((width, width))]


def _division_by_zero(width, m, n_blocks, *, rng):
    f = n_blocks ** (-1 / (2 * m - 2))   # m = 1 divides by zero
    return [rng.normal(0, math.sqrt(2 / width), (width, width)) * f for _ in range(m - 1)] + [np.zeros((width, width))]


WRONG = {
    # the factor
    "exponent-1/(2m)": (_with_factor(lambda L, m: L ** (-1 / (2 * m))), r"the exponent is -1/\(2m - 2\), not -1/\(2m\)"),
    "variance-exponent": (_with_factor(lambda L, m: L ** (-1 / (m - 1))), r"the factor of the variance"),
    "1/sqrt(L)-for-every-m": (_with_factor(lambda L, m: L ** -0.5), r"1/sqrt\(\d+\) = \d+\^\(-1/2\), the factor of the whole branch"),
    "no-factor": (_with_factor(lambda L, m: 1.0), r"plain He normal, the factor L\^\(-1/\(2m - 2\)\) is missing"),
    "positive-exponent": (_with_factor(lambda L, m: L ** (1 / (2 * m - 2))), r"the exponent is negative"),
    "no-He-factor-2": (_with_factor(lambda L, m: L ** (-1 / (2 * m - 2)), std=lambda w: math.sqrt(1 / w)),
                       r"He's factor 2 is missing"),
    "std-3%-large": (_with_factor(lambda L, m: 1.03 * L ** (-1 / (2 * m - 2))), r"has std .*; expected sqrt\(2/\d+\)"),
    # the layers
    "last-layer-scaled": (_all_scaled, r"the last layer of .* has std .*; expected all zeros"),
    "zero-layer-first": (_edit(lambda ls, w, m, L, rng: ls[::-1]), r"layer 0 of .* is 100% zeros; only the last"),
    "forgot-zero-layer": (_edit(lambda ls, w, m, L, rng: ls[:-1]), r"returned \d arrays; expected m = \d"),
    "same-matrix-reused": (_reused, r"layers 0 and 1 of .* are correlated \(r = 1\.000\) \(the same matrix\)"),
    "uniform-law": (_with_law(lambda shape, std, rng: rng.uniform(-1, 1, shape) * std * math.sqrt(3)),
                    r"does not look normal \(kurtosis 1\.\d\d"),
    "nonzero-mean": (_edit(lambda ls, w, m, L, rng: [x + 0.3 * x.std() for x in ls[:-1]] + ls[-1:]),
                     r"has mean .*; expected 0"),
    # the error, the generator, the type
    "m=1-accepted": (_no_check_of_m, r"fixup_branch\(\d+, 1, \d+, rng=<Generator>\) returned .*; expected it to raise ValueError"),
    "m=1-ZeroDivisionError": (_division_by_zero, r"raised ZeroDivisionError: .*; expected ValueError"),
    "global-random": (lambda width, m, n_blocks, *, rng: reference(width, m, n_blocks,
                                                                    rng=np.random.default_rng(np.random.randint(2**31))),
                      r"returned different layers: draw from the rng argument"),
    "fixed-seed": (lambda width, m, n_blocks, *, rng: reference(width, m, n_blocks, rng=np.random.default_rng(0)),
                   r"returned the same first layer for generators of seeds"),
    "stacked-array": (lambda width, m, n_blocks, *, rng: np.stack(reference(width, m, n_blocks, rng=rng)),
                      r"returned one array of shape \(\d, \d+, \d+\); expected a list of \d arrays"),
    "returns-none": (lambda width, m, n_blocks, *, rng: None, r"returned None \(did you forget the return"),
    "float32": (_edit(lambda ls, w, m, L, rng: [x.astype(np.float32) for x in ls]), r"has dtype float32; expected float64"),
    "wrong-shape": (_edit(lambda ls, w, m, L, rng: [x[:, :-1] for x in ls]), r"has shape \((\d+), \d+\); expected \(\1, \1\)"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_solution_gets_its_message(name):
    fn, message = WRONG[name]
    with pytest.raises(CheckFailed, match=message) as info:
        check_fixup_branch(fn, seed=list(WRONG).index(name))
    assert str(info.value).startswith("fixup_branch: ")


def test_calling_the_checks_code_fails_naming_it():
    def uses_the_check(width, m, n_blocks, *, rng):
        from initlib.checks import residual
        f = residual._factor(n_blocks, m)
        return [rng.normal(0, math.sqrt(2 / width), (width, width)) * f for _ in range(m - 1)] + [np.zeros((width, width))]

    with pytest.raises(CheckFailed, match=r"initlib.checks code .*no case was graded"):
        check_fixup_branch(uses_the_check, seed=0)


def test_the_stub_fails_with_the_stub_message():
    def fixup_branch(width, m, n_blocks, *, rng):
        raise NotImplementedError

    with pytest.raises(CheckFailed, match="not implemented yet"):
        check_fixup_branch(fixup_branch)


def test_cases_change_with_the_seed():
    messages = set()
    for _ in range(2):
        with pytest.raises(CheckFailed) as info:
            check_fixup_branch(WRONG["no-factor"][0])
        messages.add(str(info.value))
    assert len(messages) == 2
