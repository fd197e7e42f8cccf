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
    assert set(A.ACTIVATIONS) == set(NAMES) | set(NEW) | {"linear"}
    assert A.get("linear") is A.get("identity")
    for name in NAMES + NEW:
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


# --------------------------------------------------------------------------
# GELU, SiLU, SELU, ELU
# --------------------------------------------------------------------------

NEW = ["gelu", "silu", "selu", "elu"]


@pytest.mark.parametrize("name", NEW)
def test_new_derivatives_match_finite_differences(name):
    act = A.get(name)
    z = grid()
    np.testing.assert_allclose(act.derivative(z), central_difference(act, z), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(act.derivative(z, act(z)), act.derivative(z), rtol=1e-12, atol=1e-15)
    f, df = getattr(A, name), getattr(A, f"{name}_derivative")
    np.testing.assert_allclose(act(z), f(z), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(act.derivative(z), df(z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(df(z), central_difference(f, z), rtol=1e-6, atol=1e-9)


def test_elu_with_other_alpha_matches_finite_differences():
    z = grid()
    np.testing.assert_allclose(A.elu_derivative(z, 0.5), central_difference(lambda t: A.elu(t, 0.5), z),
                               rtol=1e-6, atol=1e-9)


def test_new_known_values():
    assert A.get("gelu")(0.0) == 0.0 and A.get("silu")(0.0) == 0.0
    assert A.get("silu")(1.0) == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-14)
    assert A.get("elu")(-1.0) == pytest.approx(math.exp(-1) - 1, rel=1e-14)
    assert A.get("elu")(2.0) == 2.0
    assert A.get("selu")(2.0) == pytest.approx(2 * 1.0507009873554805, rel=1e-14)
    assert A.get("selu")(-1.0) == pytest.approx(1.0507009873554805 * 1.6732632423543772 * (math.exp(-1) - 1))
    # derivative conventions at the kink: the z <= 0 branch, as in PyTorch
    assert A.get("elu").derivative(0.0) == 1.0
    assert A.get("selu").derivative(0.0) == pytest.approx(A.SELU_SCALE * A.SELU_ALPHA)
    assert A.get("gelu").derivative(0.0) == 0.5 and A.get("silu").derivative(0.0) == 0.5


def test_gelu_is_the_tanh_approximation_close_to_the_exact_form():
    z = np.linspace(-8, 8, 4001)
    exact = 0.5 * z * (1 + np.array([math.erf(t / math.sqrt(2)) for t in z]))
    gap = np.abs(A.gelu(z) - exact).max()
    assert 1e-4 < gap < 5e-4  # it is the approximation (not erf), and a close one, as documented
    c = math.sqrt(2 / math.pi)
    # z * z * z in initlib (60 times faster than numpy's pow for z**3): equal up to rounding
    np.testing.assert_allclose(A.gelu(z), 0.5 * z * (1 + np.tanh(c * (z + 0.044715 * z**3))), rtol=1e-12, atol=1e-15)


def test_new_activations_do_not_overflow():
    big = np.array([-1e300, -1000.0, 1000.0, 1e300])
    with np.errstate(all="raise"):
        for name in ["selu", "elu"]:
            act = A.get(name)
            assert np.all(np.isfinite(act(big))) and np.all(np.isfinite(act.derivative(big)))
        assert A.get("silu")(-1000.0) == 0.0 and A.get("silu")(1000.0) == 1000.0


def test_selu_self_normalizing_constants():
    # E[selu(z)] = 0 and E[selu(z)^2] = 1 for z ~ N(0, 1) (Klambauer et al. 2017)
    assert A.gaussian_second_moment(A.selu) == pytest.approx(1.0, abs=1e-12)
    x, w = np.polynomial.legendre.leggauss(100)
    x = 6 * (x + 1)
    w = 6 * w * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    assert float(w @ (A.selu(x) + A.selu(-x))) == pytest.approx(0.0, abs=1e-12)


def test_gaussian_second_moment_known_values():
    assert A.gaussian_second_moment(A.identity) == pytest.approx(1.0, rel=1e-13)
    assert A.gaussian_second_moment(A.relu) == pytest.approx(0.5, rel=1e-13)
    assert A.gaussian_second_moment(lambda z: z**2) == pytest.approx(3.0, rel=1e-13)
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2_000_000)
    assert A.gaussian_second_moment(A.tanh) == pytest.approx(np.mean(np.tanh(z) ** 2), rel=2e-3)


def test_new_gains():
    assert A.get("selu").gain == init.calculate_gain("selu") == 0.75
    for name in ["gelu", "silu", "elu"]:
        assert A.get(name).gain == pytest.approx(init.estimate_gain(name), rel=1e-14)
        assert repr(A.get(name)) == f"Activation({name!r}, gain={init.estimate_gain(name):.4g})"
    assert A.get("elu").saturates is None and A.get("gelu").saturates is None


def test_new_shapes_are_preserved():
    z = np.random.default_rng(1).normal(size=(4, 3))
    for name in NEW:
        act = A.get(name)
        assert act(z).shape == (4, 3) and act.derivative(z).shape == (4, 3)
        assert isinstance(act(0.3), float) and isinstance(act.derivative(0.3), float)
