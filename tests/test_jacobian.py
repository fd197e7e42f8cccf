"""Tests for initlib.jacobian (re-exported by initlib.diagnostics): the analytic Jacobian
against finite differences, its product form, the spectrum, and bad input."""
import numpy as np
import pytest

import initlib as il
from initlib import MLP
from initlib.diagnostics import JacobianSpectrum, jacobian, jacobian_spectrum, jacobians


def finite_difference_jacobian(net, x, eps=1e-6):
    cols = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = eps
        cols.append((net.logits((x + e)[None])[0] - net.logits((x - e)[None])[0]) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "gelu", "silu", "selu", "elu", "identity"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
def test_jacobian_matches_finite_differences(activation, output):
    n_out = 1 if output == "sigmoid" else 3
    net = MLP([5, 12, 9, 7, n_out], activation=activation, output=output, init="xavier_normal",
              bias_init="normal", seed=3)
    x = np.random.default_rng(4).standard_normal(5)
    analytic = jacobian(net, x)
    numeric = finite_difference_jacobian(net, x)
    assert analytic.shape == (n_out, 5)
    rel = np.linalg.norm(analytic - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-6, rel


def test_linear_network_jacobian_is_the_product_of_the_weights():
    net = MLP([4, 6, 5, 3], activation="identity", output="identity", seed=1)
    J = jacobian(net, np.zeros(4))
    np.testing.assert_allclose(J, (net.W[0] @ net.W[1] @ net.W[2]).T, rtol=1e-12)
    # and it does not depend on the input
    np.testing.assert_allclose(jacobian(net, np.arange(4.0)), J, rtol=1e-12)


def test_relu_jacobian_is_the_product_of_masked_factors():
    net = MLP([4, 6, 5, 3], activation="relu", output="identity", seed=2)
    x = np.random.default_rng(0).standard_normal(4)
    z0 = x @ net.W[0] + net.b[0]
    z1 = np.maximum(z0, 0) @ net.W[1] + net.b[1]
    expected = net.W[2].T @ np.diag(z1 > 0) @ net.W[1].T @ np.diag(z0 > 0) @ net.W[0].T
    np.testing.assert_allclose(jacobian(net, x), expected, rtol=1e-12, atol=1e-15)


def test_jacobians_batch_matches_one_by_one_across_chunks():
    net = MLP([3, 8, 8, 2], activation="tanh", output="softmax", seed=5)
    X = np.random.default_rng(1).standard_normal((150, 3))  # more than one chunk of 64
    J = jacobians(net, X)
    assert J.shape == (150, 2, 3)
    for i in (0, 63, 64, 149):
        np.testing.assert_allclose(J[i], jacobian(net, X[i]), rtol=1e-13)


def test_jacobian_leaves_the_stored_arrays_alone():
    net = MLP([3, 8, 2], activation="tanh", seed=0)
    jacobian(net, np.ones(3))
    jacobian_spectrum(net, np.ones((4, 3)))
    assert net.z[0] is None and net.X is None


def test_orthogonal_linear_network_is_an_isometry():
    net = MLP([32] * 101, activation="identity", output="identity", init="orthogonal", seed=0)
    s = jacobian_spectrum(net, np.random.default_rng(0).standard_normal((2, 32)))
    np.testing.assert_allclose(s.singular_values, 1.0, atol=1e-10)
    assert s.spread < 1e-10 and s.zero_fraction == 0.0
    assert s.depth == 100


def test_gaussian_linear_product_spreads_but_keeps_its_mean_square():
    n, depth = 64, 30
    spectra = [jacobian_spectrum(MLP([n] * (depth + 1), activation="identity", output="identity",
                                     init="lecun_normal", seed=s), np.zeros((1, n))) for s in range(8)]
    ms = np.mean([sp.mean_square for sp in spectra])
    median = np.median([sp.median for sp in spectra])
    assert 0.3 < ms < 3  # E ||J||_F^2 / n = 1 at variance 1/n (heavy-tailed, so loose)
    assert median < 1e-3  # while the typical direction is crushed
    assert all(sp.spread > 1 for sp in spectra)


def test_relu_spectrum_has_zeros():
    net = MLP([64, 64, 64], activation="relu", output="identity", seed=0)
    s = jacobian_spectrum(net, np.random.default_rng(0).standard_normal((20, 64)))
    active = (np.random.default_rng(0).standard_normal((20, 64)) @ net.W[0] > 0).sum(axis=1)
    # rank of W1^T D W0^T is the number of active units (W's have full rank)
    np.testing.assert_array_equal((~s.zero).sum(axis=1), active)
    assert 0.4 < s.zero_fraction < 0.6


def test_spectrum_statistics_and_repr():
    sv = np.array([[4.0, 1.0, 0.25, 0.0]])
    sp = JacobianSpectrum(sv, np.array([1e-15]), depth=3)
    assert sp.zero_fraction == 0.25 and sp.median == 0.625 and sp.max == 4.0
    # a numerically zero value counts as 0 in the median
    assert JacobianSpectrum(np.array([[1.0, 1e-20, 1e-20]]), np.array([1e-15])).median == 0.0
    np.testing.assert_allclose(sp.log10, np.log10([4.0, 1.0, 0.25]))
    assert sp.spread == pytest.approx(np.std(np.log10([4.0, 1.0, 0.25])))
    assert sp.mean_square == pytest.approx((16 + 1 + 1 / 16) / 4)
    assert repr(sp).startswith("JacobianSpectrum(depth 3, 1 samples x 4 singular values: median 0.625")
    assert "jacobian_spectrum" in il.diagnostics.__all__


def test_bad_input():
    net = MLP([3, 4, 1], seed=0)
    with pytest.raises(ValueError, match=r"x must be one sample, a 1-d array of shape \(3,\), got shape \(2, 3\); "
                                         r"for a batch use jacobians\(net, X\) or jacobian_spectrum"):
        jacobian(net, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"got shape \(1, 3\)"):
        jacobian(net, np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"x has 2 entries but the network expects 3"):
        jacobian(net, np.ones(2))
    with pytest.raises(ValueError, match="x contains 1 NaN or infinite"):
        jacobian(net, np.array([1.0, np.nan, 0.0]))
    with pytest.raises(TypeError, match="net must be an initlib network"):
        jacobian("net", np.ones(3))
    with pytest.raises(ValueError, match="X has 2 features"):
        jacobian_spectrum(net, np.ones((4, 2)))
    with pytest.raises(ValueError, match="at least one sample"):
        jacobian_spectrum(net, np.ones((0, 3)))


def test_spectra_after_each_depth_match_shallower_networks():
    deep = MLP([16] * 21, activation="tanh", output="identity", init="orthogonal", seed=4)
    X = np.random.default_rng(2).standard_normal((3, 16))
    spectra = il.diagnostics.jacobian_spectra(deep, X, layers=[20, 1, 7])
    assert list(spectra) == [1, 7, 20]
    for d, sp in spectra.items():
        shallow = MLP([16] * (d + 1), activation="tanh", output="identity", init="orthogonal", seed=4)
        np.testing.assert_allclose(sp.singular_values, jacobian_spectrum(shallow, X).singular_values, rtol=1e-12)
        assert sp.depth == d
    assert len(il.diagnostics.jacobian_spectra(deep, X)) == 20


def test_spectra_bad_layers():
    net = MLP([4, 4, 4], seed=0)
    with pytest.raises(ValueError, match=r"layers must hold depths from 1 to n_layers = 2"):
        il.diagnostics.jacobian_spectra(net, np.ones((1, 4)), layers=[3])
    with pytest.raises(ValueError, match=r"layers\[i\] must be a positive int"):
        il.diagnostics.jacobian_spectra(net, np.ones((1, 4)), layers=[0])
    with pytest.raises(TypeError, match="layers must be a sequence of depths"):
        il.diagnostics.jacobian_spectra(net, np.ones((1, 4)), layers=2)


# ------------------------------------------------- residual and normalized networks ----


def fd_jacobian(net, x, eps=1e-6):
    return finite_difference_jacobian(net, x, eps)


def with_running_stats(net, seed=0):
    """Give every batch normalization of ``net`` non-trivial running averages (as after training)."""
    rng = np.random.default_rng(seed)
    for layer in net._norm_layers():
        if layer.kind == "batch":
            layer.running_mean[:] = rng.normal(0, 0.5, layer.width)
            layer.running_var[:] = rng.uniform(0.5, 2.0, layer.width)
        layer.gamma[:] = rng.uniform(0.5, 1.5, layer.width)
        layer.beta[:] = rng.normal(0, 0.3, layer.width)
    return net


@pytest.mark.parametrize("norm", ["batch", "layer"])
@pytest.mark.parametrize("activation", ["tanh", "gelu"])
def test_normalized_mlp_jacobian_matches_finite_differences(norm, activation):
    net = with_running_stats(MLP([5, 12, 9, 3], activation=activation, output="softmax", norm=norm, seed=1))
    x = np.random.default_rng(2).standard_normal(5)
    J, numeric = jacobian(net, x), fd_jacobian(net, x)
    assert np.linalg.norm(J - numeric) / np.linalg.norm(numeric) < 1e-6


@pytest.mark.parametrize("norm", [None, "batch", "layer"])
@pytest.mark.parametrize("kwargs", [{}, {"branch_scale": 0.3}, {"learn_scale": True, "branch_scale": 0.5}])
def test_residual_jacobian_matches_finite_differences(norm, kwargs):
    net = il.ResidualMLP(4, 10, 3, n_out=2, activation="tanh", output="identity", norm=norm, seed=3, **kwargs)
    if norm:
        with_running_stats(net)
    rng = np.random.default_rng(5)
    for l in range(net.n_blocks):  # nonzero biases: the test must see them
        net.b1[l][:] = rng.normal(0, 0.2, net.width)
        net.b2[l][:] = rng.normal(0, 0.2, net.width)
    x = rng.standard_normal(4)
    J, numeric = jacobian(net, x), fd_jacobian(net, x)
    assert J.shape == (2, 4)
    assert np.linalg.norm(J - numeric) / np.linalg.norm(numeric) < 1e-6


def test_residual_zero_last_is_the_input_and_output_layers():
    net = il.ResidualMLP(4, 8, 5, n_out=3, zero_last=True, output="identity", seed=0)
    np.testing.assert_allclose(jacobian(net, np.ones(4)), (net.W_in @ net.W_out).T, rtol=1e-12)


def test_residual_stream_spectra_are_the_blocks_jacobians():
    net = il.ResidualMLP(6, 6, 4, activation="tanh", branch_scale=0.5, output="identity", seed=2)
    X = np.random.default_rng(1).standard_normal((2, 6))
    spectra = il.diagnostics.jacobian_spectra(net, X, layers=[1, 4])
    assert list(spectra) == [1, 4]
    # the stream after d blocks, by finite differences on a hand-written forward pass
    def stream(x, d):
        h = x @ net.W_in + net.b_in
        for l in range(d):
            h = h + net.alpha[l] * (np.tanh(h @ net.W1[l] + net.b1[l]) @ net.W2[l] + net.b2[l])
        return h
    for d, sp in spectra.items():
        for i, x in enumerate(X):
            cols = [(stream(x + 1e-6 * e, d) - stream(x - 1e-6 * e, d)) / 2e-6 for e in np.eye(6)]
            s = np.linalg.svd(np.stack(cols, axis=1), compute_uv=False)
            np.testing.assert_allclose(sp.singular_values[i], s, rtol=1e-6)
    with pytest.raises(ValueError, match="layers must hold depths from 1 to n_blocks = 4"):
        il.diagnostics.jacobian_spectra(net, X, layers=[5])


def test_identity_residual_branches_keep_an_isometry_better_than_plain_relu():
    """The point of the next chapter: the skip connection keeps the directions ReLU layers zero."""
    X = np.random.default_rng(0).standard_normal((1, 32))
    plain = il.MLP([32] * 21, activation="relu", output="identity", seed=0)
    resid = il.ResidualMLP(32, 32, 20, branch_scale=1 / np.sqrt(20), output="identity", seed=0)
    assert il.diagnostics.jacobian_spectrum(plain, X).zero_fraction > 0.4
    assert il.diagnostics.jacobian_spectrum(resid, X).zero_fraction == 0
