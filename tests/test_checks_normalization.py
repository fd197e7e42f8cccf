"""check_lsuv_layer (exercise ex-normalization-lsuv-layer): the specification passes at every seed,
and each wrong solution a clever student would write gets the message that names its mistake.

The specification: return W times one positive factor such that std(a @ W + b) is within tol of
target_std, rescaling by target_std / std at most max_iter times; ValueError for an output of std 0,
RuntimeError when max_iter rescalings do not reach the target; the arguments are left unchanged.
"""
import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed, check_lsuv_layer


def right(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    for _ in range(max_iter + 1):
        std = np.std(a @ W + b)
        if not np.isfinite(std) or std == 0:
            raise ValueError("dead layer: the output has std 0")
        if abs(std - target_std) <= tol:
            return W
        W = W * (target_std / std)
    raise RuntimeError("target not reached")


def loop(factor, on_zero=ValueError, at_end=RuntimeError, std=np.std):
    """A loop like ``right`` with its own factor, zero handling and ending."""
    def lsuv_layer(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
        for _ in range(max_iter + 1):
            s = std(a @ W + b)
            if on_zero is not None and s == 0:
                raise on_zero("dead")
            if abs(s - target_std) <= tol:
                return W
            W = W * factor(s, target_std)
        if at_end is None:
            return W
        raise at_end("not reached")
    return lsuv_layer


def one_step(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    s = np.std(a @ W + b)
    if s == 0:
        raise ValueError("dead")
    return W * (target_std / s)


def per_column(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    for _ in range(max_iter + 1):
        z = a @ W + b
        if np.std(z) == 0:
            raise ValueError("dead")
        if abs(np.std(z) - target_std) <= tol:
            return W
        W = W * (target_std / z.std(axis=0))
    raise RuntimeError("not reached")


def in_place(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    for _ in range(max_iter + 1):
        s = np.std(a @ W + b)
        if s == 0:
            raise ValueError("dead")
        if abs(s - target_std) <= tol:
            return W
        W *= target_std / s
    raise RuntimeError("not reached")


def new_weights(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    return right(a, il.init.orthogonal(*W.shape, rng=np.random.default_rng(0)), b, target_std, tol, max_iter)


def python_division(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    for _ in range(max_iter + 1):
        s = float(np.std(a @ W + b))
        if abs(s - target_std) <= tol:
            return W
        W = W * (target_std / s)  # ZeroDivisionError on a zero batch
    raise RuntimeError("not reached")


WRONG = {
    "one-rescaling": (one_step, r"\[with a bias\]: with the returned weights the output a @ W \+ b has std .*one "
                                r"rescaling is not enough when the layer has a bias"),
    "weight-std": (lambda a, W, b, target_std=1.0, tol=0.01, max_iter=10: W / W.std() * target_std,
                   r"that sets the std of the weights; LSUV sets the std of the layer's output"),
    "target-ignored": (lambda a, W, b, target_std=1.0, tol=0.01, max_iter=10: right(a, W, b, 1.0, tol, max_iter),
                       r"its output has std 1, the default: is target_std ignored\?"),
    "variance": (loop(lambda s, t: t / s**2, at_end=None), r"divide by the std of the output, not by its variance"),
    "variance-raises": (loop(lambda s, t: t / s**2), r"raised RuntimeError: not reached \[no bias, the defaults\] "
                                                      r"The target is reachable here"),
    "squared-factor": (loop(lambda s, t: (t / s) ** 2, at_end=None), r"multiply by target_std / std, not by its square"),
    "upside-down": (loop(lambda s, t: s / t, at_end=None), r"the factor is upside down"),
    "per-column": (per_column, r"each column \(unit\) was rescaled by its own factor"),
    "negative": (lambda a, W, b, target_std=1.0, tol=0.01, max_iter=10: -right(a, W, b, target_std, tol, max_iter)
                 if not b.any() else right(a, W, b, target_std, tol, max_iter),
                 r"\[no bias, the defaults\]: the output's std is right, but the weights' direction changed: the "
                 r"factor is negative"),
    "new-weights": (new_weights, r"do not draw new weights"),
    "in-place": (in_place, r"changed its argument W; leave the inputs as they were"),
    "no-dead-check": (python_division, r"raised ZeroDivisionError: float division by zero; expected ValueError "
                                       r"\(a zero batch"),
    # numpy warns on the division by 0 (an error under pytest) or returns NaN weights: either is named
    "nan-weights": (loop(lambda s, t: t / s, on_zero=None), r"(returned <array of shape \(\d+, \d+\)>; expected it "
                                                            r"to|raised RuntimeWarning: divide by zero.*; expected) "
                                                            r"(raise )?ValueError \(a zero batch"),
    "no-max-iter-error": (loop(lambda s, t: t / s, at_end=None), r"target_std=0\.5, max_iter=5\) returned <array of "
                                                                 r"shape .*expected it to raise RuntimeError"),
    "value-error-for-all": (loop(lambda s, t: t / s, at_end=ValueError), r"max_iter=5\) raised ValueError: not reached"
                                                                          r"; expected RuntimeError"),
    "no-return": (lambda a, W, b, target_std=1.0, tol=0.01, max_iter=10: None,
                  r"is None \(did you forget the return statement\?\); expected a numpy array"),
    "float32": (lambda a, W, b, target_std=1.0, tol=0.01, max_iter=10: right(a, W, b, target_std, tol,
                                                                             max_iter).astype(np.float32),
                r"has dtype float32; expected float64"),
}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_specification_passes(seed, capsys):
    check_lsuv_layer(right, seed=seed)
    assert capsys.readouterr().out.splitlines() == ["✔ lsuv_layer: all 5 cases passed."]


@pytest.mark.parametrize("name", list(WRONG))
@pytest.mark.parametrize("seed", [11, 12])
def test_wrong_solution_gets_its_message(name, seed):
    fn, message = WRONG[name]
    with pytest.raises(CheckFailed, match=message) as info:
        check_lsuv_layer(fn, seed=seed)
    assert str(info.value).startswith("lsuv_layer: ")


def test_no_false_failures_over_many_seeds(capsys):
    for seed in range(100, 160):
        check_lsuv_layer(right, seed=seed)
    assert capsys.readouterr().out.count("✔") == 60


def test_calling_the_library_fails_naming_it():
    def with_initlib(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
        net = il.MLP.from_weights([W], [b], output="identity")
        il.lsuv(net, a, target_std=target_std, tol=tol, max_iter=max_iter, orthogonal=False)
        return net.W[0]

    with pytest.raises(CheckFailed, match=r"runs initlib\.lsuv\.lsuv, initlib's own implementation of the answer"):
        check_lsuv_layer(with_initlib, seed=0)


def test_the_reference_agrees_with_initlib():
    """On a one-layer network, initlib.lsuv (orthogonal=False) reaches the target the check asks for."""
    rng = np.random.default_rng(0)
    a, W, b = rng.standard_normal((200, 30)), rng.standard_normal((30, 20)) * 0.1, rng.normal(0.3, 0.2, 20)
    net = il.lsuv(il.MLP.from_weights([W], [b], output="identity"), a, target_std=1.5, tol=1e-4, orthogonal=False)
    assert abs(np.std(a @ net.W[0] + b) - 1.5) <= 1e-4
    assert abs(np.std(a @ right(a, W, b, 1.5, 1e-4) + b) - 1.5) <= 1e-4
