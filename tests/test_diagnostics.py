"""Tests for initlib.diagnostics: the numbers the chapters quote, and bad input.

The expected values were measured with the seeds below and hold with a margin:
the 10-layer tanh network of the saturation chapter (500 units, N(0, 0.01^2)
weights) shrinks the activations' std by 1 / (0.01 sqrt(500)) = 4.47 per
layer; with N(0, 1) weights about 90 % of its units are saturated; half of the
units of a He-initialized ReLU network are dead; zero and constant
initializations stay symmetric through training.
"""
import numpy as np
import pytest

import initlib as il
from initlib import MLP, data
from initlib.diagnostics import (
    GradientStats,
    LayerStats,
    Symmetry,
    activation_stats,
    dead_fraction,
    gradient_stats,
    saturated_fraction,
    symmetry,
)


@pytest.fixture(scope="module")
def X500():
    return np.random.default_rng(0).standard_normal((1000, 500))


@pytest.fixture(scope="module")
def circles():
    return data.circles(seed=1)


def deep_tanh(scale):
    return MLP([500] * 11, activation="tanh", output="identity", init="normal", scale=scale, seed=0)


# --------------------------------------------------------------------------
# activation_stats
# --------------------------------------------------------------------------


def test_activation_stats_small_normal_tanh_shrinks_by_4_47_per_layer(X500):
    s = activation_stats(deep_tanh(0.01), X500)
    assert isinstance(s, LayerStats) and len(s) == 10
    assert s.mean.shape == s.std.shape == s.saturated.shape == s.dead.shape == (10,)
    np.testing.assert_allclose(s.std[:3], [0.214, 0.048, 0.0107], rtol=0.03)
    ratios = s.std[:-1] / s.std[1:]
    expected = 1.0 / (0.01 * np.sqrt(500))  # tanh is linear near 0: std_{l+1} = 0.01 sqrt(500) std_l
    np.testing.assert_allclose(ratios, expected, rtol=0.02)  # measured 4.45 .. 4.51
    assert s.std[-1] < 1e-6  # collapsed after 10 layers
    assert np.all(np.abs(s.mean) < 0.01)
    # tanh has saturated units (none here), no dead ones; the output layer has neither
    np.testing.assert_array_equal(s.saturated[:-1], 0.0)
    assert np.isnan(s.saturated[-1]) and np.all(np.isnan(s.dead))
    np.testing.assert_array_equal(s.hidden, [True] * 9 + [False])
    assert s.activation == "tanh"
    assert "LayerStats(tanh, 10 layers)" in repr(s) and "saturated" in repr(s)


def test_activation_stats_unit_normal_tanh_saturates_every_hidden_layer(X500):
    s = activation_stats(deep_tanh(1.0), X500)
    assert np.all(s.saturated[:-1] > 0.8)  # measured 0.90 in every hidden layer
    np.testing.assert_allclose(s.std[:-1], 0.98, atol=0.01)


def test_activation_stats_he_relu_half_dead(X500):
    net = MLP([500] * 11, activation="relu", output="identity", init="he_normal", seed=0)
    s = activation_stats(net, X500)
    dead = s.dead[:-1]
    assert np.all((dead > 0.4) & (dead < 0.6))  # measured 0.48 .. 0.54
    assert abs(dead.mean() - 0.5) < 0.03
    assert np.all(np.isnan(s.saturated))
    # He scaling keeps the signal: no layer's std collapses or explodes
    assert np.all((s.std[:-1] > 0.6) & (s.std[:-1] < 1.2))


def test_activation_stats_uses_last_forward_pass(X500):
    net = deep_tanh(0.01)
    net.forward(X500[:200])
    a = activation_stats(net)
    b = activation_stats(net, X500[:200])
    np.testing.assert_array_equal(a.std, b.std)
    assert net.a[0].shape == (200, 500)


def test_activation_stats_matches_train_record_stats(circles):
    X, y, _, _ = circles
    net = MLP([2, 8, 8, 1], activation="tanh", init="normal", scale=2.0, seed=3)
    before = activation_stats(net.copy(), X)
    h = il.train(net, X, y, epochs=10, lr=0.01, record_stats=True)
    np.testing.assert_allclose(h.act_std[0], before.std)
    np.testing.assert_allclose(h.act_frac[0][:-1], before.saturated[:-1])


def test_saturated_and_dead_fraction():
    assert saturated_fraction(np.tanh([0.0, 5.0])) == 0.5
    assert saturated_fraction(il.activations.sigmoid(np.array([-10.0, 0.0, 10.0, 0.1])), "sigmoid") == 0.5
    assert dead_fraction(np.array([-1.0, 0.0, 2.0, 3.0])) == 0.5
    with pytest.raises(ValueError, match="activation 'sigmoid' or 'tanh'"):
        saturated_fraction(np.zeros(3), "relu")


# --------------------------------------------------------------------------
# symmetry
# --------------------------------------------------------------------------


def test_symmetry_zero_init_one_unit_he_full_width():
    zero = symmetry(MLP([2, 10, 5, 1], init="zeros"))
    assert isinstance(zero, Symmetry)
    assert zero.distinct_units == [1, 1] and zero.n_units == [10, 5]
    assert zero.is_symmetric
    np.testing.assert_array_equal(zero.max_difference, 0.0)
    he = symmetry(MLP([2, 10, 5, 1], init="he_normal", seed=0))
    assert he.distinct_units == [10, 5] and not he.is_symmetric
    assert np.all(he.max_difference > 0) and np.all(he.spread > 0)
    assert "1/10, 1/5" in repr(zero)


def test_zero_init_stays_symmetric_and_stuck_through_training(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], init="zeros")
    h = il.train(net, X, y, epochs=2000, lr=0.01)
    assert symmetry(net).distinct_units == [1, 1]
    np.testing.assert_allclose(h.loss, np.log(2.0), atol=1e-12)  # ReLU, zero weights: nothing moves


def test_constant_init_stays_symmetric_while_loss_moves(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], init="constant", init_kwargs={"value": 0.5})
    assert symmetry(net).distinct_units == [1, 1]
    h = il.train(net, X, y, epochs=2000, lr=0.01)
    sym = symmetry(net)
    assert sym.distinct_units == [1, 1]  # measured max difference 1e-17: round-off only
    assert np.all(sym.max_difference < 1e-12)
    assert h.loss[0] - h.loss[-1] > 0.5  # measured 1.71 -> 0.61: it learns, as one unit per layer
    assert h.final_train_acc < 0.75


def test_symmetry_tolerance():
    net = MLP([2, 4, 1], init="constant", init_kwargs={"value": 0.5})
    net.W[0][:, 1] += 1e-3
    assert symmetry(net).distinct_units == [2]
    assert symmetry(net, tol=1e-2).distinct_units == [1]
    assert symmetry(net, tol=0).distinct_units == [2]


# --------------------------------------------------------------------------
# gradient_stats
# --------------------------------------------------------------------------


def test_gradient_stats_shapes_and_values(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], init="he_normal", seed=0)
    g = gradient_stats(net, X, y)
    assert isinstance(g, GradientStats) and len(g) == 3
    for arr in (g.weight_std, g.weight_norm, g.signal_std):
        assert arr.shape == (3,) and np.all(np.isfinite(arr)) and np.all(arr > 0)
    np.testing.assert_allclose(g.weight_norm, [np.linalg.norm(dw) for dw in net.dW])
    np.testing.assert_allclose(g.weight_std, [dw.std() for dw in net.dW])
    np.testing.assert_allclose(g.signal_std, [dz.std() * X.shape[0] for dz in net.dz])
    # without X and y: the gradients of the last backward pass
    g2 = gradient_stats(net)
    np.testing.assert_array_equal(g2.weight_norm, g.weight_norm)
    assert "GradientStats(3 layers)" in repr(g)


def test_gradient_stats_zero_init_relu_has_no_gradient_at_all(circles):
    X, y, _, _ = circles
    net = MLP([2, 10, 5, 1], init="zeros")
    g = gradient_stats(net, X, y)
    np.testing.assert_array_equal(g.weight_norm, 0.0)  # a = 0 in every hidden layer, and f'(0) = 0
    np.testing.assert_allclose(net.db[-1], 0.0, atol=1e-15)  # p = 0.5 on balanced classes


def test_gradient_stats_vanish_through_small_tanh_layers(X500):
    net = deep_tanh(0.01)
    g = gradient_stats(net, X500[:200], np.zeros((200, 500)))
    steps = np.diff(np.log10(g.signal_std))
    # dL/dz shrinks by about 1 / (0.01 sqrt(500)) = 4.5 (0.65 decades) per layer towards the input
    assert np.all(steps > 0.45)  # measured 0.50 .. 0.65
    assert g.signal_std[-1] / g.signal_std[0] > 1e5


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [activation_stats, gradient_stats, symmetry])
def test_not_an_mlp_is_a_type_error(fn):
    with pytest.raises(TypeError, match=r"net must be an initlib network \(MLP or ResidualMLP\), got dict"):
        fn({"W": []})


def test_no_forward_pass_yet():
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match="call net.forward"):
        activation_stats(net)
    with pytest.raises(ValueError, match="net.loss_and_grad"):
        gradient_stats(net)
    net.forward(np.zeros((4, 2)))  # a forward pass alone gives no gradients
    with pytest.raises(ValueError, match="needs gradients"):
        gradient_stats(net)


def test_negative_tol():
    with pytest.raises(ValueError, match="tol must be >= 0"):
        symmetry(MLP([2, 3, 1]), tol=-1e-3)
    with pytest.raises(TypeError, match="tol"):
        symmetry(MLP([2, 3, 1]), tol="small")


def test_X_without_y_and_y_without_X():
    net = MLP([2, 3, 1])
    with pytest.raises(ValueError, match="X and y together"):
        gradient_stats(net, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="X and y together"):
        gradient_stats(net, y=np.zeros((4, 1)))


def test_bad_X_shape_names_X():
    with pytest.raises(ValueError, match="X has 3 features"):
        activation_stats(MLP([2, 3, 1]), np.zeros((4, 3)))
