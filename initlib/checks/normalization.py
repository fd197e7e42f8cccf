"""Checks for the normalization chapter's implement exercise.

- :func:`check_lsuv_layer` -- exercise ``ex-normalization-lsuv-layer``: the
  inner loop of layer-sequential unit-variance initialization (Mishkin and
  Matas, 2016) for one layer.

The cases are drawn from a fresh seed at every call, so that no answer can be
copied from an earlier run; the feedback quotes the values it saw.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._core import Checker

__all__: list[str] = ["check_lsuv_layer"]

_MAX_CALLS = 200  # a loop that calls the layer more often than this does not respect max_iter


_FAILED = object()  # marks a call that raised (its feedback is already recorded)


class _Runaway(RuntimeError):
    """Raised by a probe called far more often than ``max_iter`` allows."""


class _Probe:
    """A layer function for the student: ``W -> output on a batch``, recording every call.

    ``stds`` lists the std of each output the student asked for, in order,
    ``norms`` the norm of the weights of each call.
    """

    def __init__(self, fn, about):
        self.fn = fn
        self.about = about
        self.stds = []
        self.norms = []  # the norm of each W it was called with: the factors the student applied
        self.__name__ = "layer"

    def __call__(self, W):
        if len(self.stds) >= _MAX_CALLS:
            raise _Runaway(f"the layer was called {_MAX_CALLS} times: the loop does not stop after max_iter rescalings")
        W = np.asarray(W, dtype=float)
        with np.errstate(all="ignore"):  # a runaway rescaling overflows; the feedback says why
            out = self.fn(W)
            self.stds.append(float(np.std(out)))
            self.norms.append(float(np.linalg.norm(W)))
        return out

    def __repr__(self):
        return f"<layer: {self.about}>"


def _cases(rng):
    """The converging cases: (probe, W, kwargs, what the case is about), drawn from ``rng``."""
    n, fan_in, fan_out = 256, 48, 32
    a = rng.standard_normal((n, fan_in))
    h = np.maximum(rng.standard_normal((n, fan_in)) + 0.3, 0.0)  # ReLU activations of a previous layer
    cases = []
    # a linear layer: the output is proportional to W, so one rescaling is exact
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(-1.5, 1.0)
    cases.append((_Probe(lambda V: a @ V, "z = a @ W on a batch of 256"), W, {}, "a linear layer, the defaults"))
    # a bias and a tanh: the output is not proportional to W; several rescalings are needed
    target = float(rng.choice([0.4, 0.5, 0.6]))
    b = rng.normal(0.0, 0.1, fan_out)
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(-2.0, -1.0)
    cases.append((_Probe(lambda V: np.tanh(a @ V + b), "tanh(a @ W + b)"), W,
                  {"target_std": target, "tol": 0.005}, f"tanh(a @ W + b), target_std={target}, tol=0.005"))
    # a ReLU layer on ReLU inputs with a bias, a target above 1
    target = float(rng.choice([1.5, 2.0, 2.5]))
    b = rng.normal(0.5, 0.2, fan_out)
    W = rng.standard_normal((fan_in, fan_out)) * 10.0 ** rng.uniform(0.0, 1.0)
    cases.append((_Probe(lambda V: np.maximum(h @ V + b, 0.0), "relu(h @ W + b)"), W,
                  {"target_std": target, "tol": 0.001, "max_iter": 20},
                  f"relu(h @ W + b), target_std={target}, tol=0.001, max_iter=20"))
    return cases


def _call_text(probe, W, kwargs):
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"lsuv_layer({probe.about}, W of shape {W.shape}" + (f", {args})" if args else ")")


def _direction(c, call, W0, W1):
    """W1 must be a positive multiple of W0: the direction of the weights is kept."""
    factor = float(np.vdot(W1, W0) / np.vdot(W0, W0))
    residual = float(np.linalg.norm(W1 - factor * W0) / max(np.linalg.norm(W1), 1e-300))
    if factor > 0 and residual < 1e-8:
        c.expect(True, "")
        return
    ratio = W1 / np.where(W0 == 0, np.nan, W0)
    per_column = np.nanstd(ratio, axis=0) <= 1e-8 * np.nanmax(np.abs(ratio))
    if per_column.all() and np.nanstd(ratio) > 1e-8 * np.nanmax(np.abs(ratio)):
        hint = ("each column (unit) was rescaled by its own factor: LSUV multiplies the whole matrix by one "
                "number, the std of the whole output, so the direction of W (e.g. its orthogonal "
                "initialization) is kept")
    elif factor < 0 and residual < 1e-8:
        hint = "the factor is negative: divide by the std (positive), not by something that can be negative"
    else:
        hint = "it is not W times a number: rescale the given W, do not draw new weights"
    c.expect(False, f"{call} changed the direction of the weights: {hint}.")


def _std_hint(probe, kwargs, W0, W1):
    """Name the mistake behind a final std that misses the target, from the calls the probe saw."""
    target = kwargs.get("target_std", 1.0)
    s = probe.stds
    if W1 is not None and abs(float(np.std(W1)) - target) < 0.02 * target:
        return (" The std of the weights is target_std: LSUV sets the std of the layer's output, "
                "layer(W), not the std of W.")
    if len(s) <= 1:
        return (" The layer was called once: with a bias or an activation the output is not proportional "
                "to W, so one rescaling is not enough; measure the std again after each rescaling and repeat "
                "until it is within tol (the loop of LSUV).")
    if abs(s[-1] - 1.0) < 0.02 and abs(target - 1.0) > 0.1:
        return " Its std is 1, the default target: is target_std ignored?"
    if len(s) >= 2 and s[0] > 0 and probe.norms[0] > 0:
        right = target / s[0]
        factor = probe.norms[1] / probe.norms[0]
        for wrong in (right**2, target / s[0] ** 2):
            if abs(factor - wrong) < 0.05 * wrong and abs(factor - right) > 0.05 * right:
                return (f" The first rescaling multiplied W by {factor:.4g} where target_std / std = {right:.4g}: "
                        "divide by the std of the output, not by its variance.")
        if abs(factor - 1 / right) < 0.05 / right and abs(right - 1) > 0.05:
            return " The first rescaling went the wrong way: multiply W by target_std / std (not std / target_std)."
    return ""


def check_lsuv_layer(lsuv_layer):
    r"""Check ``lsuv_layer(layer, W, target_std=1.0, tol=0.01, max_iter=10)`` (exercise ``ex-normalization-lsuv-layer``).

    ``layer(W)`` returns a layer's output on a batch for the weights ``W``.
    The function must return ``W`` times one positive number such that

    .. math:: \bigl|\operatorname{std}(\mathrm{layer}(W)) - \mathrm{target\_std}\bigr| \le \mathrm{tol},

    rescaling by ``target_std / std`` and measuring again, at most
    ``max_iter`` times; raise ``ValueError`` when the output's std is 0 or
    not finite (a dead layer, a zero batch: no factor can help), and, as
    :func:`initlib.lsuv` does, return the weights with a ``RuntimeWarning``
    when ``max_iter`` rescalings do not reach the target.

    Cases (new random draws at every call): a linear layer with the default
    arguments; ``tanh(a @ W + b)`` and ``relu(h @ W + b)`` with other targets
    and tolerances, which need several rescalings; a layer fed a zero batch;
    a tanh layer asked for a std it cannot reach. Each converging case checks
    the output's std and that the result is a positive multiple of ``W``
    (its direction unchanged). A wrong std is compared with the usual
    mistakes (a single rescaling, the variance instead of the std, the
    factor upside down, ``target_std`` ignored, the std of ``W`` instead of
    the output's), and the match is named.

    Examples
    --------
    >>> import warnings
    >>> def lsuv_layer(layer, W, target_std=1.0, tol=0.01, max_iter=10):
    ...     for _ in range(max_iter + 1):
    ...         std = float(np.std(layer(W)))
    ...         if not np.isfinite(std) or std == 0:
    ...             raise ValueError("dead layer: its output has std 0")
    ...         if abs(std - target_std) <= tol:
    ...             return W
    ...         W = W * (target_std / std)
    ...     warnings.warn("target not reached", RuntimeWarning)
    ...     return W
    >>> check_lsuv_layer(lsuv_layer)
    ✔ lsuv_layer: all 11 checks passed.
    """
    c = Checker("lsuv_layer")
    rng = np.random.default_rng()  # fresh draws: nothing to replay
    for probe, W, kwargs, about in _cases(rng):
        W0 = W.copy()
        call = _call_text(probe, W0, kwargs)
        n_failures = len(c.failures)
        W1 = c.call(lsuv_layer, probe, W, **kwargs)
        if len(c.failures) > n_failures:
            if "not implemented yet" in c.failures[-1]:
                c.done()  # one sentence is enough for a stub
            c.n_cases += 1
            c.failures[-1] = f"[{about}] {c.failures[-1]}.{_std_hint(probe, kwargs, W0, None)}"
            continue
        if W1 is None:
            c.expect(False, f"{call} returned None; expected the rescaled weights (did you forget the return?).")
            continue
        if not c.array(W1, call, shape=W0.shape, hint=", the shape of W"):
            continue
        W1 = np.asarray(W1, dtype=float)
        with np.errstate(all="ignore"):
            std = float(np.std(probe.fn(W1)))
        target, tol = kwargs.get("target_std", 1.0), kwargs.get("tol", 0.01)
        c.expect(abs(std - target) <= tol * (1 + 1e-9),
                 f"{call}: the layer's output with the returned weights has std {std:.5g}; "
                 f"expected {target} within {tol}.{_std_hint(probe, kwargs, W0, W1)}")
        _direction(c, call, W0, W1)

    # a dead layer: the output is 0 whatever the weights
    zero = np.zeros((64, 16))
    dead = _Probe(lambda V: zero @ V, "a @ W on a zero batch")
    W = rng.standard_normal((16, 8))
    c.n_cases += 1
    try:
        out = lsuv_layer(dead, W)
    except ValueError:
        pass
    except Exception as exc:  # noqa: BLE001 -- the student's code may fail in any way
        c.failures.append(f"lsuv_layer(a @ W on a zero batch, W) raised {type(exc).__name__}: {exc}; expected a "
                          "ValueError saying the layer is dead (its output has std 0, so no factor can reach "
                          "the target; check the std before dividing by it).")
    else:
        got = "None" if out is None else ("weights with NaN or infinite values" if not np.all(np.isfinite(out))
                                          else "weights")
        c.failures.append(f"lsuv_layer(a @ W on a zero batch, W) returned {got}; expected a ValueError: the output "
                          "is 0 for any weights (a dead layer), so no rescaling can reach the target.")

    # an unreachable target: |tanh| < 1, so its output's std never reaches 1.5
    a = rng.standard_normal((128, 16))
    sat = _Probe(lambda V: np.tanh(a @ V), "tanh(a @ W)")
    W = rng.standard_normal((16, 8)) * 0.1
    call = "lsuv_layer(tanh(a @ W), W, target_std=1.5, max_iter=5)"
    c.n_cases += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = lsuv_layer(sat, W, target_std=1.5, max_iter=5)
        except _Runaway as exc:
            c.failures.append(f"{call}: {exc}; stop after max_iter rescalings, warn and return the weights.")
            out = _FAILED
        except Exception as exc:  # noqa: BLE001 -- the student's code may fail in any way
            c.failures.append(f"{call} raised {type(exc).__name__}: {exc}; expected it to return the weights with "
                              "a RuntimeWarning: the layer is alive, it just cannot reach the target in max_iter "
                              "rescalings (keep the ValueError for a dead layer, whose std is 0).")
            out = _FAILED
    if out is not _FAILED:
        warned = any(issubclass(w.category, RuntimeWarning) for w in caught)
        if len(sat.stds) > 5 + 2:
            c.failures.append(f"{call} called the layer {len(sat.stds)} times; with max_iter=5 at most 6 "
                              "measurements are needed.")
        elif out is None or np.shape(out) != W.shape:
            c.failures.append(f"{call} returned {'None' if out is None else f'shape {np.shape(out)}'}; expected the "
                              "weights after max_iter rescalings (with a RuntimeWarning).")
        elif not warned:
            c.failures.append(f"{call} returned without a RuntimeWarning: a tanh output never reaches std 1.5, so "
                              "after max_iter rescalings say so with warnings.warn(..., RuntimeWarning).")
    c.done()
