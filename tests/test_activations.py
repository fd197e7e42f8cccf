"""Tests for initlib.activations: values, derivatives against finite differences, registry."""
import math

import numpy as np
import pytest

from initlib import activations as A
from initlib import init

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
EPS = 1e-6


def grid():
    """Points on [-6, 6] that stay clear of the ReLU kink at 0."""
    z = np.linspace(-6.0, 6.0, 241)
    z = z[np.abs(z) > 1e-3]
    rng = np.random.default_rng(0)
    extra = rng.normal(0.0, 2.0, 200)
    extra = extra[np.abs(extra) > 1e-3]
    return np.concatenate([z, extra])


def central_difference(f, z, eps=EPS):
    return (f(z + eps) - f(z - eps)) / (2 * eps)


def activation_under_test(name):
    return A.leaky(0.2) if name == "leaky(0.2)" else A.get(name)


# --------------------------------------------------------------------------
# Derivatives against finite differences
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES + ["linear", "leaky(0.2)"])
def test_derivative_matches_finite_differences(name):
    act = activation_under_test(name)
    z = grid()
    numeric = central_difference(act, z)
    analytic = act.derivative(z)
    assert analytic.shape == z.shape
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    # passing a = f(z) gives the same derivative
    np.testing.assert_allclose(act.derivative(z, act(z)), analytic, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "f, df",
    [
        (A.sigmoid, A.sigmoid_derivative),
        (A.tanh, A.tanh_derivative),
        (A.relu, A.relu_derivative),
        (A.leaky_relu, A.leaky_relu_derivative),
        (lambda z: A.leaky_relu(z, 0.3), lambda z: A.leaky_relu_derivative(z, 0.3)),
        (A.identity, A.identity_derivative),
    ],
)
def test_module_level_derivatives_match_finite_differences(f, df):
    z = grid()
    np.testing.assert_allclose(df(z), central_difference(f, z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_registry_matches_module_functions(name):
    z = grid()
    f = getattr(A, name)
    df = getattr(A, f"{name}_derivative")
    act = A.get(name)
    np.testing.assert_allclose(act(z), f(z), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(act.derivative(z), df(z), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------

def test_known_values():
    assert A.get("sigmoid")(0.0) == 0.5
    assert A.get("sigmoid").derivative(0.0) == 0.25
    assert A.get("tanh")(0.0) == 0.0
    assert A.get("tanh").derivative(0.0) == 1.0
    assert A.get("relu")(-2.0) == 0.0 and A.get("relu")(3.0) == 3.0
    assert A.get("leaky_relu")(-2.0) == pytest.approx(-0.02) and A.get("leaky_relu")(3.0) == 3.0
    assert A.get("identity")(-1.5) == -1.5
    assert isinstance(A.get("tanh")(0.3), float)  # scalars in, floats out
    assert isinstance(A.get("relu").derivative(0.3), float)


def test_relu_derivative_at_zero_is_zero():
    # PyTorch's convention; the symmetry chapter relies on it
    assert A.get("relu").derivative(0.0) == 0.0
    assert A.relu_derivative(0.0) == 0.0
    assert A.get("relu").derivative(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert A.get("leaky_relu").derivative(0.0) == 0.01


def test_sigmoid_matches_logistic_and_does_not_overflow():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    big = np.array([-1000.0, -1e300, 1000.0, 1e300])
    np.testing.assert_array_equal(A.get("sigmoid")(big), [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(A.get("sigmoid").derivative(big), np.zeros(4))
    assert A.get("sigmoid").derivative(grid()).max() <= 0.25


def test_tanh_saturates_without_warnings():
    big = np.array([-1e300, 1e300])
    np.testing.assert_array_equal(A.get("tanh")(big), [-1.0, 1.0])
    np.testing.assert_array_equal(A.get("tanh").derivative(big), [0.0, 0.0])


def test_shapes_are_preserved():
    z = np.random.default_rng(1).normal(size=(4, 3))
    for name in NAMES:
        act = A.get(name)
        assert act(z).shape == (4, 3)
        assert act.derivative(z).shape == (4, 3)
        assert act(z.tolist()).shape == (4, 3)  # lists are accepted


def test_identity_returns_a_copy():
    z = np.arange(3.0)
    out = A.get("identity")(z)
    out[0] = 99.0
    assert z[0] == 0.0


# --------------------------------------------------------------------------
# Registry, gains, leaky
# --------------------------------------------------------------------------

def test_registry_names_and_alias():
    assert set(A.ACTIVATIONS) == set(NAMES) | {"linear"}
    assert A.get("linear") is A.get("identity")
    for name in NAMES:
        act = A.get(name)
        assert isinstance(act, A.Activation)
        assert act.name == name
        assert A.get(act) is act
        assert repr(act).startswith(f"Activation({name!r}, gain=")


@pytest.mark.parametrize("name", NAMES)
def test_gain_matches_calculate_gain(name):
    assert A.get(name).gain == pytest.approx(init.calculate_gain(name), rel=1e-15)


def test_saturates_kind():
    assert A.get("sigmoid").saturates == "saturated"
    assert A.get("tanh").saturates == "saturated"
    assert A.get("relu").saturates == "dead"
    assert A.get("leaky_relu").saturates == "dead"
    assert A.get("identity").saturates is None


def test_leaky_factory():
    act = A.leaky(0.2)
    assert act.name == "leaky_relu(0.2)"
    assert act.gain == pytest.approx(math.sqrt(2 / 1.04))
    assert act.gain == pytest.approx(init.calculate_gain("leaky_relu", 0.2))
    assert repr(act) == "Activation('leaky_relu(0.2)', gain=1.387)"
    np.testing.assert_array_equal(act(np.array([-1.0, 2.0])), [-0.2, 2.0])
    np.testing.assert_array_equal(act.derivative(np.array([-1.0, 2.0])), [0.2, 1.0])
    # the registry's leaky_relu is leaky(0.01)
    z = grid()
    np.testing.assert_array_equal(A.get("leaky_relu")(z), A.leaky(0.01)(z))


def test_unknown_activation():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'; valid: .*relu.*tanh") as exc:
        A.get("swish")
    for name in NAMES:
        assert name in str(exc.value)
    with pytest.raises(TypeError, match="activation must be a string"):
        A.get(None)
    with pytest.raises(TypeError, match="activation"):
        A.get(np.tanh)


def test_leaky_bad_slope():
    with pytest.raises(ValueError, match="slope must be finite"):
        A.leaky(float("nan"))
    with pytest.raises(TypeError, match="slope"):
        A.leaky("0.1")
