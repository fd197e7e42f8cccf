"""Checks for the symmetry chapter's implement exercises.

- :func:`check_collapse`: ``collapse(W, b)`` turns a network whose hidden
  layers are symmetric (every unit of a layer identical) into the network
  with one unit per hidden layer that computes the same function.
"""
from __future__ import annotations

import numpy as np

from ..mlp import MLP
from ._core import FAILED, Checker

__all__ = ["check_collapse"]

#: nothing in initlib computes the answer; the checks' own reference (_reference_collapse) is always forbidden
FORBIDDEN: list[str] = []


def symmetric_network(sizes, *, seed=0, activation="relu", output="sigmoid"):
    """A network whose hidden layers are perfectly symmetric, with different numbers in every layer.

    The first layer's columns are all equal (one random weight per input),
    every weight of a middle layer has one random value, the last layer's rows
    are all equal (one random weight per output), each hidden layer's biases
    share one random value and the output biases are random. This is what a
    constant initialization looks like after any amount of gradient descent.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, inputs first, e.g. ``[2, 10, 5, 1]``.
    seed : int
        Seed of the random numbers.
    activation, output
        As for :class:`initlib.MLP`.

    Returns
    -------
    MLP

    Examples
    --------
    >>> from initlib.diagnostics import symmetry
    >>> symmetry(symmetric_network([2, 10, 5, 1])).distinct_units
    [1, 1]
    """
    rng = np.random.default_rng(seed)
    sizes = list(sizes)
    n = len(sizes) - 1
    W, b = [], []
    for l in range(n):
        fan_in, fan_out = sizes[l], sizes[l + 1]
        rows = rng.normal(size=(fan_in, 1)) if l == 0 else np.full((fan_in, 1), rng.normal())
        cols = rng.normal(size=(1, fan_out)) if l == n - 1 else np.ones((1, fan_out))
        if l == 0 and l == n - 1:  # no hidden layer: nothing is symmetric
            W.append(rng.normal(size=(fan_in, fan_out)))
        else:
            W.append(rows * cols)
        b.append(rng.normal(size=fan_out) if l == n - 1 else np.full(fan_out, rng.normal()))
    return MLP.from_weights(W, b, activation=activation, output=output)


def _reference_collapse(W, b):
    """The narrow network: first unit of each hidden layer, incoming copies summed."""
    n = len(W)
    W_small, b_small = [], []
    for l in range(n):
        w = np.asarray(W[l], dtype=float)
        if l > 0:
            w = w.sum(axis=0, keepdims=True)  # the n identical units below act as one, n times over
        if l < n - 1:
            w = w[:, :1]  # keep one unit of this hidden layer
        W_small.append(w)
        b_small.append(np.asarray(b[l], dtype=float)[: 1 if l < n - 1 else None])
    return W_small, b_small


def _unpack(c, result, n_layers, label):
    """Return (W_small, b_small) lists from the student's result, or None after recording why not."""
    if result is FAILED:
        return None  # the call itself failed and was reported
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        length = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
        c.fail(f"{label} returned {'None (did you forget the return statement?)' if result is None else f'a {type(result).__name__}{length}'}; "
               "expected a pair (W_small, b_small) of two lists.")
        return None
    W_small, b_small = result
    for name, value in (("W_small", W_small), ("b_small", b_small)):
        if isinstance(value, np.ndarray) or not isinstance(value, (list, tuple)) or len(value) != n_layers:
            kind = "a numpy array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
            got = kind + (f" of length {len(value)}" if hasattr(value, "__len__") else "")
            c.fail(f"{label}: {name} is {got}; expected a list of {n_layers} arrays, one per layer.")
            return None
    return list(W_small), list(b_small)


def _factor_hint(value, expected, fan_in):
    """A hint when the student's weights are off by the number of identical units below."""
    value = np.asarray(value, dtype=float)
    if fan_in > 1 and value.shape == expected.shape and np.allclose(value * fan_in, expected, rtol=1e-9, atol=1e-12):
        return (
            f" (it is {fan_in} times too small: the single unit stands for all {fan_in} identical units "
            "of the layer below, so their contributions add up; sum over the rows instead of keeping one "
            "row or taking their mean)"
        )
    return ""


def _check_case(c, fn, net, label):
    W = [w.copy() for w in net.W]
    b = [v.copy() for v in net.b]
    result = _unpack(c, c.call_as(label, fn, W, b), net.n_layers, label)
    unchanged = len(W) == net.n_layers and len(b) == net.n_layers
    unchanged = unchanged and all(np.shape(w) == w0.shape and np.array_equal(w, w0) for w, w0 in zip(W, net.W))
    unchanged = unchanged and all(np.shape(v) == v0.shape and np.array_equal(v, v0) for v, v0 in zip(b, net.b))
    c.expect(
        unchanged,
        f"{label} changed the lists or arrays it was given; build new arrays (with .sum(...), slicing, .copy()) "
        "and new lists instead of modifying W and b in place.",
    )
    if result is None:
        return
    W_small, b_small = result
    W_ref, b_ref = _reference_collapse(net.W, net.b)
    n = net.n_layers
    for l in range(n):
        fan_in = net.sizes[l] if l > 0 else 1
        rows = f"1 (one input: the single unit of hidden layer {l - 1})" if l > 0 else f"{net.sizes[0]} (the inputs)"
        cols = f"{net.sizes[-1]} (every output unit)" if l == n - 1 else "1 (one unit)"
        for name, value, ref, hint in (
                (f"W_small[{l}]", W_small[l], W_ref[l], f" = ({rows}, {cols})"),
                (f"b_small[{l}]", b_small[l], b_ref[l], f" (keep {'every output bias' if l == n - 1 else 'the bias of one unit'})")):
            ok = c.array(value, f"{label}: {name}", shape=ref.shape, hint=hint)
            if ok:
                ok = c.array(value, f"{label}: {name}", expected=ref,
                             hint=_factor_hint(value, ref, fan_in) if name.startswith("W") else "")
            if not ok:
                return
    # The point of it all: the narrow network computes the same function as the wide one.
    narrow = MLP.from_weights(W_small, b_small, activation=net.activation, output=net.loss)
    X = c.rng.normal(size=(50, net.sizes[0]))
    gap = float(np.max(np.abs(narrow.predict_proba(X) - net.predict_proba(X))))
    c.expect(gap < 1e-9, f"{label}: the collapsed network's outputs differ from the wide network's by up to {gap:.3g}.")


def _random_sizes(rng, n_hidden):
    return [int(rng.integers(1, 5))] + [int(rng.integers(1, 8)) for _ in range(n_hidden)] + [int(rng.integers(1, 4))]


def check_collapse(collapse, *, seed=None):
    """Check ``collapse(W, b) -> (W_small, b_small)`` (exercise ``ex-symmetry-collapse``).

    ``W`` and ``b`` are the lists ``net.W`` and ``net.b`` of a network whose
    hidden layers are symmetric; the result must be the weights and biases of
    the network with one unit per hidden layer that computes the same
    function: float64 arrays, ``W_small[l]`` of shape ``(sizes[0], 1)`` for the
    first layer, ``(1, 1)`` for a middle layer and ``(1, sizes[-1])`` for the
    last, and ``b_small[l]`` of shape ``(1,)`` (hidden) or ``(sizes[-1],)``
    (output). A network without hidden layer is returned unchanged. The
    lists and arrays given must not be modified.

    Cases, drawn afresh at each run: a constant network ``[2, 10, 5, 1]``
    with a random constant; symmetric networks with random sizes (1 to 3
    hidden layers, widths 1 to 7, several outputs), random values in every
    layer, non-zero biases, and each of the ReLU, tanh and sigmoid
    activations; a network with width-1 hidden layers; one with four hidden
    layers; and one with no hidden layer. The first failing case is
    reported, with the expected entry; the collapsed network must compute
    the wide one's outputs on random inputs.

    Examples
    --------
    >>> def collapse(W, b):
    ...     raise NotImplementedError
    >>> check_collapse(collapse)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    initlib.checks._core.CheckFailed: collapse: not implemented yet ...
    """
    c = Checker("collapse", forbidden=FORBIDDEN, seed=seed)
    rng = c.rng
    value = round(float(rng.uniform(0.2, 1.5)), 3)
    seeds = [int(s) for s in rng.integers(2**31, size=7)]
    acts = list(rng.permutation(["relu", "tanh", "sigmoid"]))
    cases = [
        (f"[2, 10, 5, 1], every weight {value}", MLP([2, 10, 5, 1], init="constant", init_kwargs={"value": value})),
    ]
    for i, act in enumerate(acts):
        sizes = _random_sizes(rng, i + 1)
        sizes[1] = max(sizes[1], 2)  # at least one layer of several identical units
        cases.append((f"symmetric {act} {sizes}", symmetric_network(sizes, seed=seeds[i], activation=act)))
    sizes = [int(rng.integers(1, 4)), 1, 1, int(rng.integers(1, 3))]
    cases.append((f"symmetric {sizes} (width-1 layers)", symmetric_network(sizes, seed=seeds[3])))
    sizes = _random_sizes(rng, 4)
    cases.append((f"symmetric tanh {sizes}", symmetric_network(sizes, seed=seeds[4], activation="tanh")))
    sizes = [int(rng.integers(2, 5)), int(rng.integers(1, 4))]
    cases.append((f"{sizes} (no hidden layer)", symmetric_network(sizes, seed=seeds[5])))
    for i, (label, net) in enumerate(cases):
        n_failures = len(c.failures)
        _check_case(c, fn=collapse, net=net, label=f"collapse on {label}")
        if len(c.failures) > n_failures:  # the first failing case says what is wrong; stop there
            rest = len(cases) - i - 1
            if rest:
                case, message = c.failures[-1]
                c.failures[-1] = (case, message + f"\n  (the {rest} remaining case{'s' if rest > 1 else ''} will run "
                                  "once this one passes)")
            break
    c.done()
