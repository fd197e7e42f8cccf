r"""Checks for the normalization chapter's implement exercise.

- :func:`check_lsuv_layer` -- exercise ``ex-normalization-lsuv-layer``: the
  inner loop of layer-sequential unit-variance initialization (Mishkin and
  Matas, 2016) for one layer, :math:`W \leftarrow W \cdot
  \text{target\_std}/\operatorname{std}(aW + b)` until the std is within
  ``tol``.
"""
from __future__ import annotations

import numpy as np

from ._core import FAILED, Checker

__all__ = ["check_lsuv_layer"]

#: what computes the answer in initlib
FORBIDDEN = ["initlib.lsuv:lsuv", "initlib.lsuv:_measure"]


def _std(a, W, b):
    with np.errstate(all="ignore"):
        return float(np.std(a @ W + b))


def _reference(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    """The specification, as a function: (weights, number of rescalings), or the exception it raises."""
    for k in range(max_iter + 1):
        std = _std(a, W, b)
        if not np.isfinite(std) or std == 0:
            return ValueError, k
        if abs(std - target_std) <= tol:
            return W, k
        W = W * (target_std / std)
    return RuntimeError, max_iter


def _loop(a, W, b, target_std, tol, max_iter, factor):
    """A loop with a wrong ``factor(std, target)``: what a student's variant returns (or None if it stops)."""
    for _ in range(max_iter + 1):
        std = _std(a, W, b)
        if not np.isfinite(std) or std == 0:
            return None
        if abs(std - target_std) <= tol:
            return W
        with np.errstate(all="ignore"):
            W = W * factor(std, target_std)
    return W  # a variant that returns instead of raising


def _mistakes(a, W, b, target_std, tol, max_iter):
    """(weights, hint) of the usual wrong solutions for this case."""
    s0 = _std(a, W, b)
    out = [
        (W * (target_std / s0), "one rescaling is not enough when the layer has a bias (the output is not "
         "proportional to W): measure the std again after each rescaling and repeat until it is within tol"),
        (W / np.std(W) * target_std, "that sets the std of the weights; LSUV sets the std of the layer's output, "
         "a @ W + b"),
        (_loop(a, W, b, 1.0, tol, max_iter, lambda s, t: t / s), "its output has std 1, the default: is target_std "
         "ignored?"),
        (_loop(a, W, b, target_std, tol, max_iter, lambda s, t: t / s**2), "divide by the std of the output, not by "
         "its variance"),
        (_loop(a, W, b, target_std, tol, max_iter, lambda s, t: (t / s) ** 2), "multiply by target_std / std, not by "
         "its square"),
        (_loop(a, W, b, target_std, tol, max_iter, lambda s, t: s / t), "the factor is upside down: multiply W by "
         "target_std / std"),
    ]
    return [(w, hint) for w, hint in out if w is not None and np.all(np.isfinite(w))]


def _direction_hint(W0, W1):
    """Why ``W1`` is not a positive multiple of ``W0``."""
    factor = float(np.vdot(W1, W0) / np.vdot(W0, W0))
    with np.errstate(all="ignore"):
        ratio = W1 / W0
    per_column = np.std(ratio, axis=0) <= 1e-9 * np.max(np.abs(ratio))
    if per_column.all() and np.std(ratio) > 1e-9 * np.max(np.abs(ratio)):
        return ("each column (unit) was rescaled by its own factor: LSUV multiplies the whole matrix by one number, "
                "from the std of the whole output, so the direction of W (its orthogonal start) is kept")
    if factor < 0 and np.allclose(W1, factor * W0, rtol=1e-9, atol=0):
        return "the factor is negative: multiply by target_std / std, which is positive"
    return "it is not W times a number: rescale the W you were given, do not draw new weights"


def _case(c, lsuv_layer, a, W, b, kwargs, about):
    """One converging case: the std reached, the direction of W kept, the inputs left unchanged."""
    target, tol, max_iter = kwargs.get("target_std", 1.0), kwargs.get("tol", 0.01), kwargs.get("max_iter", 10)
    copies = (a.copy(), W.copy(), b.copy())
    label = c.label(a, W, b, **kwargs)
    got = c.call(lsuv_layer, a, W, b, **kwargs)
    want, n_rescalings = _reference(*copies, target, tol, max_iter)
    if got is FAILED:
        if c.failures and "RuntimeError" in c.failures[-1][1]:
            c.failures[-1] = (c.failures[-1][0], c.failures[-1][1] + f" [{about}] The target is reachable here: "
                              f"the rule W * target_std / std reaches it in {n_rescalings} rescalings; check the "
                              "factor and the stopping test.")
        return
    for name, before, after in zip("aWb", copies, (a, W, b)):
        c.expect(np.array_equal(before, after), f"{label} changed its argument {name}; leave the inputs as they were "
                 "and return new weights (W * factor makes a new array; W *= factor does not).")
    if not c.array(got, label, shape=W.shape, hint=", the shape of W"):
        return
    std = _std(a, got, b)
    if abs(std - target) > tol * (1 + 1e-9):
        hint = next((h for w, h in _mistakes(*copies, target, tol, max_iter) if np.allclose(got, w, rtol=1e-6)), "")
        c.fail(f"{label} [{about}]: with the returned weights the output a @ W + b has std {std:.6g}; expected "
               f"{target:.6g} within tol = {tol}" + (f": {hint}." if hint else "."))
        return
    W0 = copies[1]
    factor = float(np.vdot(got, W0) / np.vdot(W0, W0))
    if not (factor > 0 and np.allclose(got, factor * W0, rtol=1e-9, atol=0)):
        c.fail(f"{label} [{about}]: the output's std is right, but the weights' direction changed: "
               f"{_direction_hint(W0, got)}.")


def check_lsuv_layer(lsuv_layer, *, seed=None):
    r"""Check ``lsuv_layer(a, W, b, target_std=1.0, tol=0.01, max_iter=10)`` (exercise ``ex-normalization-lsuv-layer``).

    ``a`` (n_samples, fan_in) is a batch of the layer's inputs, ``W``
    (fan_in, fan_out) and ``b`` (fan_out,) its weights and bias. The
    function must return new weights, ``W`` times one positive number, such
    that the layer's output has the target std,

    .. math:: \bigl|\operatorname{std}(a W + b) - \mathrm{target\_std}\bigr| \le \mathrm{tol},

    by rescaling with ``target_std / std`` and measuring again, at most
    ``max_iter`` times; raise ``ValueError`` if the output's std is 0 or not
    finite (a zero batch: no factor can help), and ``RuntimeError`` if
    ``max_iter`` rescalings do not reach the target. It must not modify its
    arguments.

    Cases, drawn afresh at each call (the same five calls for every seed): a
    layer without bias and the default arguments (one rescaling is exact); a
    layer with a bias and another target and tolerance, and one on ReLU
    inputs with ``max_iter=20`` (several rescalings needed); a zero batch
    (``ValueError``); a target below what the bias alone gives (``RuntimeError``).
    A wrong std is compared with what the usual mistakes return on the same
    case (one rescaling, the std of ``W``, ``target_std`` ignored, the
    variance, the squared or inverted factor) and the match is named; a
    changed direction is diagnosed (per-column factors, a negative factor,
    new weights). Calling :func:`initlib.lsuv` fails the check.

    Examples
    --------
    >>> def lsuv_layer(a, W, b, target_std=1.0, tol=0.01, max_iter=10):
    ...     for _ in range(max_iter + 1):
    ...         std = np.std(a @ W + b)
    ...         if not np.isfinite(std) or std == 0:
    ...             raise ValueError("dead layer: the output has std 0")
    ...         if abs(std - target_std) <= tol:
    ...             return W
    ...         W = W * (target_std / std)
    ...     raise RuntimeError("target not reached")
    >>> check_lsuv_layer(lsuv_layer)
    ✔ lsuv_layer: all 5 cases passed.
    """
    c = Checker("lsuv_layer", forbidden=FORBIDDEN, seed=seed)
    rng = c.rng
    n, fan_in, fan_out = int(rng.integers(128, 257)), int(rng.integers(20, 49)), int(rng.integers(16, 33))
    # 1. no bias, the defaults: one rescaling is exact
    a = rng.standard_normal((n, fan_in)) * 10.0 ** rng.uniform(-0.5, 0.5)
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(-2.0, 1.0)
    _case(c, lsuv_layer, a, W, np.zeros(fan_out), {}, "no bias, the defaults")
    # 2. a bias: the output is not proportional to W, several rescalings are needed
    target = float(rng.uniform(0.5, 3.0))
    b = rng.normal(0.0, 0.3 * target, fan_out)
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(-2.0, -1.0)
    _case(c, lsuv_layer, a, W, b, {"target_std": target, "tol": 0.001}, "with a bias")
    # 3. ReLU inputs (not centred), a bias, a tight tolerance and more rescalings allowed
    h = np.maximum(rng.standard_normal((n, fan_in)) + 0.3, 0.0)
    target = float(rng.uniform(0.5, 3.0))
    b = rng.normal(0.2 * target, 0.3 * target, fan_out)
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(0.0, 1.0)
    _case(c, lsuv_layer, h, W, b, {"target_std": target, "tol": 1e-4, "max_iter": 20}, "ReLU inputs with a bias")
    # 4. a zero batch and no bias: the output is 0 whatever the weights
    W = rng.standard_normal((fan_in, fan_out))
    c.raises(ValueError, lsuv_layer, np.zeros((n, fan_in)), W, np.zeros(fan_out),
             why="a zero batch: the output has std 0 for any weights, so no factor reaches the target; check the "
                 "std before dividing by it")
    # 5. unreachable: the bias alone spreads the output more than the target
    b = rng.normal(0.0, 2.0, fan_out)
    W = rng.standard_normal((fan_in, fan_out)) * 0.1
    c.raises(RuntimeError, lsuv_layer, a, W, b, target_std=0.5, max_iter=5,
             why=f"the bias alone gives the output a std of {np.std(b):.3g}, so no factor brings it down to 0.5: "
                 "after max_iter rescalings, say so")
    c.done()
