"""Tests for initlib.losses: values, gradients against finite differences, stability, bad input."""
import math

import numpy as np
import pytest

from initlib import losses as L

EPS = 1e-6


def rng(seed=0):
    return np.random.default_rng(seed)


def problem(output, n=7, seed=0):
    """Random logits and targets (as the user passes them) for each output."""
    g = rng(seed)
    if output == "sigmoid":
        return g.normal(0, 2, (n, 1)), g.integers(0, 2, n).astype(float)
    if output == "softmax":
        return g.normal(0, 2, (n, 3)), g.integers(0, 3, n)
    return g.normal(0, 2, (n, 2)), g.normal(0, 1, (n, 2))


def numeric_grad(loss, z, t, eps=EPS):
    grad = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        grad[idx] = (loss.value(zp, t) - loss.value(zm, t)) / (2 * eps)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


# --------------------------------------------------------------------------
# Gradients against finite differences
# --------------------------------------------------------------------------

@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grad_matches_finite_differences_of_value(output, seed):
    loss = L.get(output)
    z, y = problem(output, seed=seed)
    t = loss.targets(y, z.shape[0], z.shape[1])
    analytic = loss.grad(z, t)
    assert analytic.shape == z.shape
    numeric = numeric_grad(loss, z, t)
    assert rel_error(analytic, numeric) < 1e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
def test_grad_out_argument(output):
    loss = L.get(output)
    z, y = problem(output)
    t = loss.targets(y, z.shape[0], z.shape[1])
    buf = np.empty_like(z)
    res = loss.grad(z, t, out=buf)
    assert res is buf
    np.testing.assert_array_equal(buf, loss.grad(z, t))


def test_grad_formulas():
    z, y = problem("sigmoid")
    t = y[:, None]
    np.testing.assert_allclose(L.get("sigmoid").grad(z, t), (1 / (1 + np.exp(-z)) - t) / len(z), rtol=1e-12)
    z, y = problem("identity")
    np.testing.assert_allclose(L.get("identity").grad(z, y), 2 * (z - y) / z.size, rtol=1e-12)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------

def test_bce_at_zero_logits_is_ln2():
    y = np.array([0, 1, 0, 1])
    assert L.binary_cross_entropy(np.zeros((4, 1)), y) == pytest.approx(math.log(2), abs=1e-15)
    assert L.binary_cross_entropy(np.zeros((4, 1)), y[:, None]) == pytest.approx(math.log(2), abs=1e-15)


def test_bce_matches_naive_formula():
    z, y = problem("sigmoid", n=50)
    p = 1 / (1 + np.exp(-z[:, 0]))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert L.binary_cross_entropy(z, y) == pytest.approx(naive, rel=1e-12)


@pytest.mark.parametrize("big", [50.0, 1e3, 1e6, 1e18, 1e300])
def test_bce_finite_for_huge_logits(big):
    z = np.array([[big], [-big], [big], [-big]])
    y = np.array([1.0, 0.0, 0.0, 1.0])  # two right, two confidently wrong
    value = L.binary_cross_entropy(z, y)
    assert np.isfinite(value)
    assert value == pytest.approx(2 * big / 4, rel=1e-12)
    assert L.binary_cross_entropy(z[:2], y[:2]) == pytest.approx(0.0, abs=1e-20)
    loss = L.get("sigmoid")
    g = loss.grad(z, y[:, None])
    np.testing.assert_allclose(g[:, 0], [0.0, 0.0, 0.25, -0.25], atol=1e-15)


def test_softmax_cross_entropy():
    z, y = problem("softmax", n=40)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    naive = -np.mean(np.log(p[np.arange(40), y]))
    assert L.softmax_cross_entropy(z, y) == pytest.approx(naive, rel=1e-12)
    onehot = np.eye(3)[y]
    assert L.softmax_cross_entropy(z, onehot) == L.softmax_cross_entropy(z, y)
    assert L.softmax_cross_entropy(z, y.astype(float)[:, None]) == L.softmax_cross_entropy(z, y)
    # uniform logits: ln k
    assert L.softmax_cross_entropy(np.zeros((5, 4)), np.arange(5) % 4) == pytest.approx(math.log(4), abs=1e-15)


def test_softmax_stable_for_huge_logits():
    z = np.array([[1e300, 0.0, -1e300], [1000.0, 1001.0, 999.0]])
    p = L.softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(p[0], [1.0, 0.0, 0.0])
    assert np.isfinite(L.softmax_cross_entropy(z, [2, 1]))
    assert L.softmax_cross_entropy(z[:1], [0]) == 0.0


def test_mse():
    z, y = problem("identity", n=20)
    assert L.mean_squared_error(z, y) == pytest.approx(np.mean((z - y) ** 2), rel=1e-15)
    assert L.mean_squared_error(np.ones((3, 1)), np.zeros(3)) == 1.0
    assert L.mean_squared_error(z, z) == 0.0


@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
def test_transform(output):
    z, _ = problem(output)
    p = L.get(output).transform(z)
    if output == "sigmoid":
        np.testing.assert_allclose(p, 1 / (1 + np.exp(-z)), rtol=1e-12)
    elif output == "softmax":
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
        np.testing.assert_allclose(p, L.softmax(z))
    else:
        np.testing.assert_array_equal(p, z)


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

def test_registry():
    assert L.get("sigmoid").loss_name == "binary_cross_entropy"
    assert L.get("softmax").loss_name == "softmax_cross_entropy"
    assert L.get("identity").loss_name == "mean_squared_error"
    assert L.get("linear") is L.get("identity")
    loss = L.get("softmax")
    assert L.get(loss) is loss
    assert repr(L.get("sigmoid")) == "Loss('binary_cross_entropy', output='sigmoid')"


def test_unknown_output():
    with pytest.raises(ValueError, match=r"unknown output 'tanh'; valid: identity, linear, sigmoid, softmax"):
        L.get("tanh")
    with pytest.raises(TypeError, match="output must be a string"):
        L.get(None)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [[0, 2, 1], [0.5, 1, 0], [-1, 0, 1]])
def test_bce_labels_outside_0_1(bad):
    with pytest.raises(ValueError, match=r"y must hold binary labels in \{0, 1\}"):
        L.binary_cross_entropy(np.zeros((3, 1)), bad)


@pytest.mark.parametrize(
    "fn, logits, y, exc, match",
    [
        (L.binary_cross_entropy, np.zeros((3, 1)), [0, 1], ValueError, r"y must have shape \(3,\) or \(3, 1\)"),
        (L.binary_cross_entropy, np.zeros((3, 1)), [0, np.nan, 1], ValueError, "y contains 1 NaN or infinite"),
        (L.binary_cross_entropy, np.zeros((3, 1)), [0, np.inf, 1], ValueError, "y contains 1 NaN or infinite"),
        (L.binary_cross_entropy, np.array([[0.0], [np.nan], [1.0]]), [0, 1, 1], ValueError, "logits contains"),
        (L.binary_cross_entropy, np.zeros((3, 2)), [0, 1, 1], ValueError, "output='sigmoid' needs exactly 1 output"),
        (L.binary_cross_entropy, np.zeros(3), [0, 1, 1], ValueError, "logits must be 2-D"),
        (L.binary_cross_entropy, np.zeros((3, 1)), "abc", TypeError, "y must be an array of numbers"),
        (L.softmax_cross_entropy, np.zeros((3, 3)), [0, 3, 1], ValueError, r"integer class labels in 0..2"),
        (L.softmax_cross_entropy, np.zeros((3, 3)), [0, 1.5, 1], ValueError, "integer class labels"),
        (L.softmax_cross_entropy, np.zeros((3, 3)), [0, 1], ValueError, r"y must be class labels of shape \(3,\)"),
        (L.softmax_cross_entropy, np.zeros((2, 3)), [[1, 1, 0], [0, 0, 1]], ValueError, "one-hot"),
        (L.mean_squared_error, np.zeros((3, 2)), np.zeros((3, 3)), ValueError, r"y must have shape \(3, 2\)"),
        (L.mean_squared_error, np.zeros((3, 1)), [0, np.nan, 1], ValueError, "y contains"),
    ],
)
def test_bad_input(fn, logits, y, exc, match):
    with pytest.raises(exc, match=match):
        fn(logits, y)
