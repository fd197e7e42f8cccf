"""check_he_normal (exercise ex-scaling-he-normal): correct answers pass, and each wrong answer a clever
student would write fails with the message that names its mistake.

Each case runs the check with its own fixed seed (the check draws its cases from it), so the tests are
reproducible; the false-failure rate over fresh seeds is measured by tools/check_false_failures.py.
"""
import functools
import importlib
import math
import threading
import types

import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed, check_he_normal


def reference(fan_in, fan_out, *, mode="fan_in", rng=None):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return rng.normal(0.0, np.sqrt(2.0 / fan), size=(fan_in, fan_out))


def _law(draw):
    """A he_normal whose entries come from ``draw(shape, std, rng)``: right std and mode, wrong law maybe."""
    def he_normal(fan_in, fan_out, *, mode="fan_in", rng=None):
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(mode)
        return draw((fan_in, fan_out), math.sqrt(2.0 / (fan_in if mode == "fan_in" else fan_out)), rng)
    return he_normal


def _std(std_of_fans):
    """A he_normal with a normal law and the std ``std_of_fans(fan, other, fan_in, fan_out)``."""
    def he_normal(fan_in, fan_out, *, mode="fan_in", rng=None):
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(mode)
        fan, other = (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)
        return rng.normal(0.0, std_of_fans(fan, other, fan_in, fan_out), size=(fan_in, fan_out))
    return he_normal


@pytest.mark.parametrize("seed", [1, 2])
def test_correct_solutions_pass(seed, capsys):
    def transposed_draw(fan_in, fan_out, *, mode="fan_in", rng=None):
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(mode)
        fan = fan_in if mode == "fan_in" else fan_out
        return (rng.standard_normal((fan_out, fan_in)) * math.sqrt(2 / fan)).T

    def match_mode(fan_in, fan_out, *, mode="fan_in", rng=None):
        match mode:
            case "fan_in":
                fan = fan_in
            case "fan_out":
                fan = fan_out
            case _:
                raise ValueError(f"unknown mode {mode!r}")
        return np.sqrt(2 / fan) * rng.standard_normal(size=(fan_in, fan_out))

    for fn in (reference, transposed_draw, match_mode):
        check_he_normal(fn, seed=seed)
    assert capsys.readouterr().out.splitlines() == ["✔ he_normal: all 9 cases passed."] * 3


def _sorted_rolled(shape, std, rng):
    return np.roll(np.sort(rng.normal(0, std, size=shape[0] * shape[1])), 17).reshape(shape)


def _same_columns(shape, std, rng):  # one column, repeated with random scales and signs: identical after standardising
    column = rng.normal(0, std, size=(shape[0], 1))
    return column * rng.choice([-1.0, 1.0], size=shape[1]) * rng.uniform(0.9, 1.1, size=shape[1])


def _sparse(shape, std, rng):  # 90 % zeros, 10 % large normals: the right std
    return np.where(rng.random(shape) < 0.1, rng.normal(0, std / math.sqrt(0.1), size=shape), 0.0)


def _cached():
    cache = {}

    def he_normal(fan_in, fan_out, *, mode="fan_in", rng=None):
        if mode not in ("fan_in", "fan_out"):
            raise ValueError(mode)
        out = cache.setdefault((fan_in, fan_out), np.empty((fan_in, fan_out)))
        out[...] = rng.normal(0, math.sqrt(2 / (fan_in if mode == "fan_in" else fan_out)), size=out.shape)
        return out
    return he_normal


WRONG = {
    # right std, wrong law
    "laplace": (_law(lambda s, std, rng: rng.laplace(0, std / math.sqrt(2), size=s)),
                r"not normally distributed: kurtosis [56]\.\d+ .*heavier tails"),
    "student-t": (_law(lambda s, std, rng: rng.standard_t(5, size=s) * std / math.sqrt(5 / 3)),
                  r"not normally distributed: kurtosis \d+\.\d+ .*heavier tails"),
    "uniform": (_law(lambda s, std, rng: rng.uniform(-1, 1, size=s) * std * math.sqrt(3)),
                r"not normally distributed: kurtosis 1\.[78]\d .*lighter tails .*uniform"),
    "sparse-mixture": (_law(_sparse), r"(8\d|9\d) % of the entries are exactly 0"),
    "sorted-rolled": (_law(_sorted_rolled), r"neighbouring entries are correlated .*not sorted, rolled"),
    "identical-columns": (_law(_same_columns), r"columns \d+ and \d+ are identical after standardising"),
    "abs": (_law(lambda s, std, rng: np.abs(rng.normal(0, std, size=s))),
            r"every entry is >= 0 .*did you take abs"),
    "nonzero-mean": (_law(lambda s, std, rng: rng.normal(0, std, size=s) + 0.2 * std), r"has mean .*expected 0"),
    # wrong std
    "std-2.5%-large": (_std(lambda f, o, i, j: 1.025 * math.sqrt(2 / f)),
                       r"has std .*; expected .* = sqrt\(2/fan_in\) \(within [01]\.\d+ % for \d+ entries\)\.\n"),
    "other-fan": (_std(lambda f, o, i, j: math.sqrt(2 / o)), r"It matches sqrt\(2/\d+\), the other fan"),
    "ignores-mode": (_std(lambda f, o, i, j: math.sqrt(2 / i)),
                     r"mode='fan_out', rng=...\) has std .*It matches sqrt\(2/\d+\), the other fan"),
    "no-factor-2": (_std(lambda f, o, i, j: math.sqrt(1 / f)), r"the factor 2 .* is missing"),
    "variance": (_std(lambda f, o, i, j: 2 / f), r"It matches 2/\d+, the variance: the std is its square root"),
    "2/sqrt(fan)": (_std(lambda f, o, i, j: 2 / math.sqrt(f)), r"It matches 2/sqrt\(\d+\): the 2 belongs under"),
    "xavier": (_std(lambda f, o, i, j: math.sqrt(2 / (i + j))), r"Xavier's std, not He's"),
    "uniform-bound": (_std(lambda f, o, i, j: math.sqrt(6 / f)), r"the bound of He's uniform law"),
    "unscaled": (_std(lambda f, o, i, j: 1.0), r"the standard normal draws were not scaled"),
    # type, shape, mode, generator
    "float32": (_law(lambda s, std, rng: rng.normal(0, std, size=s).astype(np.float32)),
                r"has dtype float32; expected float64"),
    "transposed": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: reference(fan_out, fan_in, rng=rng),
                   r"has shape \((\d+), (\d+)\); expected \(\2, \1\) = \(fan_in, fan_out\)"),
    "unknown-mode-accepted": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: rng.normal(
        0, math.sqrt(2 / (fan_in if mode == "fan_in" else fan_out)), size=(fan_in, fan_out)),
        r"returned <array of shape \(4, 3\)>; expected it to raise ValueError \(mode must be "),
    "unknown-mode-keyerror": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: rng.normal(
        0, math.sqrt(2 / {"fan_in": fan_in, "fan_out": fan_out}[mode]), size=(fan_in, fan_out)),
        r"raised KeyError: .*; expected ValueError"),
    "no-mode-argument": (lambda fan_in, fan_out, *, rng=None: reference(fan_in, fan_out, rng=rng),
                         r"raised TypeError: .*unexpected keyword argument 'mode'"),
    "global-random": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: reference(
        fan_in, fan_out, mode=mode, rng=np.random.default_rng(np.random.randint(2**31))),
        r"with the same seed s returned different arrays: draw from the rng argument"),
    "fixed-seed": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: reference(
        fan_in, fan_out, mode=mode, rng=np.random.default_rng(0)), r"same array for generators of two different seeds"),
    "cached-array": (_cached(), r"returned the same array object \(or views of one buffer\)"),
    "returns-none": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: None,
                     r"is None \(did you forget the return statement\?\); expected a numpy array"),
    "returns-list": (lambda fan_in, fan_out, *, mode="fan_in", rng=None: reference(fan_in, fan_out, rng=rng).tolist(),
                     r"is list; expected a numpy array"),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_solution_gets_its_message(name):
    fn, message = WRONG[name]
    with pytest.raises(CheckFailed, match=message) as info:
        check_he_normal(fn, seed=list(WRONG).index(name))
    assert str(info.value).startswith("he_normal: ")


# ---------------------------------------------------- calling the library's implementation ----
def _direct(fan_in, fan_out, *, mode="fan_in", rng=None):
    return il.init.he_normal(fan_in, fan_out, mode=mode, rng=rng)


def _import_as(fan_in, fan_out, *, mode="fan_in", rng=None):
    import initlib.init as X
    return X.kaiming_normal(fan_in, fan_out, mode=mode, rng=rng)


def _from_import(fan_in, fan_out, *, mode="fan_in", rng=None):
    from initlib.init import he_normal as f
    return f(fan_in, fan_out, mode=mode, rng=rng)


def _getattr(fan_in, fan_out, *, mode="fan_in", rng=None):
    return getattr(getattr(il, "in" + "it"), "he_" + "normal")(fan_in, fan_out, mode=mode, rng=rng)


def _registry(fan_in, fan_out, *, mode="fan_in", rng=None):
    return il.init.get("he_normal")(fan_in, fan_out, mode=mode, rng=rng)


def _reloaded(fan_in, fan_out, *, mode="fan_in", rng=None):
    fresh = importlib.reload(importlib.import_module("initlib.init"))
    return fresh.he_normal(fan_in, fan_out, mode=mode, rng=rng)


def _rebuilt(fan_in, fan_out, *, mode="fan_in", rng=None):
    clone = types.FunctionType(il.init.he_normal.__code__, il.init.__dict__)
    clone.__kwdefaults__ = il.init.he_normal.__kwdefaults__
    return clone(fan_in, fan_out, mode=mode, rng=rng)


def _through_mlp(fan_in, fan_out, *, mode="fan_in", rng=None):
    net = il.MLP([fan_in, fan_out], init="he_normal", init_kwargs={"mode": mode}, seed=int(rng.integers(2**31)))
    return net.W[0]


def _other_initializer(fan_in, fan_out, *, mode="fan_in", rng=None):
    fan = fan_in if mode == "fan_in" else fan_out
    return il.init.normal(fan_in, fan_out, std=math.sqrt(2 / fan), rng=rng)


def _in_a_thread(fan_in, fan_out, *, mode="fan_in", rng=None):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("W", il.init.he_normal(fan_in, fan_out, mode=mode, rng=rng)))
    t.start()
    t.join()
    return out["W"]


def _switches_detection_off(fan_in, fan_out, *, mode="fan_in", rng=None):
    import sys
    sys.setprofile(None)
    return il.init.he_normal(fan_in, fan_out, mode=mode, rng=rng)


def _asks_the_check(fan_in, fan_out, *, mode="fan_in", rng=None):
    from initlib.checks import scaling
    return np.zeros((fan_in, fan_out)) + scaling.columns_threshold(3, 3)


CHEATS = {
    "is-the-library": (il.init.he_normal, "initlib.init.he_normal"),
    "alias": (il.init.kaiming_normal, "initlib.init.he_normal"),
    "partial": (functools.partial(il.init.he_normal, gain=math.sqrt(2)), "initlib.init.he_normal"),
    "direct": (_direct, "initlib.init.he_normal"),
    "import-as": (_import_as, "initlib.init.he_normal"),
    "from-import-as": (_from_import, "initlib.init.he_normal"),
    "getattr": (_getattr, "initlib.init.he_normal"),
    "registry": (_registry, "initlib.init.get"),
    "reloaded-module": (_reloaded, "initlib.init.he_normal"),
    "rebuilt-from-code": (_rebuilt, "initlib.init.he_normal"),
    "through-MLP": (_through_mlp, "initlib.init.get"),
    "other-initializer": (_other_initializer, "initlib.init.normal"),
    "in-a-thread": (_in_a_thread, "initlib.init.he_normal"),
    "setprofile-off": (_switches_detection_off, "sys.setprofile"),
    "check-code": (_asks_the_check, "initlib.checks code (scaling.py: columns_threshold)"),
}


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the thread's call is stopped
@pytest.mark.parametrize("name", list(CHEATS))
def test_calling_the_library_fails_naming_it(name):
    fn, what = CHEATS[name]
    init = importlib.import_module("initlib.init")
    namespace = dict(init.__dict__)  # "reloaded-module" re-runs initlib/init.py: its functions are new objects
    try:
        with pytest.raises(CheckFailed) as info:
            check_he_normal(fn, seed=0)
    finally:  # the rest of the run (the doctests of initlib.init, the registry's users) sees the old ones again
        init.__dict__.clear()
        init.__dict__.update(namespace)
    text = str(info.value)
    assert text.startswith(f"he_normal: your function ") and what in text, text
    assert "no case was graded" in text


def test_the_guard_is_removed_after_the_check():
    import sys
    check_he_normal(reference, seed=3)
    assert sys.getprofile() is None and threading.getprofile() is None
    with pytest.raises(CheckFailed):
        check_he_normal(_direct, seed=3)
    assert sys.getprofile() is None and threading.getprofile() is None


def test_cases_change_with_the_seed():
    """Fresh cases at every run: two runs without a seed differ (sizes and draws)."""
    messages = set()
    for _ in range(2):
        with pytest.raises(CheckFailed) as info:
            check_he_normal(WRONG["other-fan"][0])
        messages.add(str(info.value))
    assert len(messages) == 2
