"""Tests for initlib.deep_linear: the end-to-end map, the fast gradient descent
against initlib.train on whitened data, the target maps, and bad input."""
import numpy as np
import pytest

import initlib as il
from initlib import MLP
from initlib.deep_linear import LinearFit, end_to_end, fit_linear_map, linear_target


def linear_net(sizes, init="orthogonal", seed=0):
    return MLP(sizes, activation="identity", output="identity", init=init, seed=seed)


def test_end_to_end_is_the_product_and_the_network_map():
    net = linear_net([3, 5, 4, 2], init="he_normal")
    P = end_to_end(net)
    np.testing.assert_allclose(P, net.W[0] @ net.W[1] @ net.W[2], rtol=1e-14)
    X = np.random.default_rng(0).standard_normal((7, 3))
    np.testing.assert_allclose(net.logits(X), X @ P, rtol=1e-12)


def test_linear_target_has_the_requested_singular_values():
    s = np.geomspace(2.0, 0.1, 8)
    M = linear_target(s, seed=3)
    np.testing.assert_allclose(np.linalg.svd(M, compute_uv=False), s, rtol=1e-12)
    np.testing.assert_array_equal(M, linear_target(s, seed=3))
    assert not np.allclose(M, linear_target(s, seed=4))


def test_fit_matches_initlib_train_on_whitened_inputs():
    """The same trajectory as il.train: whitened, centred X; MSE over n_out outputs means lr * n / 2."""
    n, depth = 6, 5
    M = linear_target(np.geomspace(1.0, 0.2, n), seed=0)
    X = np.sqrt(n) * np.vstack([np.eye(n), -np.eye(n)])  # X^T X / 2n = I, centred: the biases get no gradient
    a, b = linear_net([n] * (depth + 1), seed=1), linear_net([n] * (depth + 1), seed=1)
    fit = fit_linear_map(a, M, lr=0.02, steps=25, record_every=5)
    history = il.train(b, X, X @ M, epochs=25, lr=0.02 * n / 2, record_every=5)
    for wa, wb in zip(a.W, b.W):
        np.testing.assert_allclose(wa, wb, rtol=1e-9, atol=1e-12)
    assert all(np.abs(v).max() < 1e-12 for v in b.b)  # zero up to rounding
    # il.train's loss is ||P - M||^2 / n: the relative loss times ||M||^2 / n
    np.testing.assert_allclose(fit.relative_loss, history.loss * n / np.sum(M**2), rtol=1e-9)
    np.testing.assert_array_equal(fit.step, history.epoch)


def test_gradient_matches_finite_differences():
    n = 4
    net = linear_net([n] * 4, init="he_normal", seed=2)
    M = linear_target([1.0, 0.7, 0.4, 0.2], seed=1)
    W0 = [w.copy() for w in net.W]

    def loss(W):
        P = W[0] @ W[1] @ W[2]
        return 0.5 * np.sum((P - M) ** 2)

    lr = 1e-3
    fit_linear_map(net, M, lr=lr, steps=1)
    analytic = [(w0 - w) / lr for w0, w in zip(W0, net.W)]
    eps = 1e-6
    for l in range(3):
        numeric = np.zeros_like(W0[l])
        for idx in np.ndindex(*W0[l].shape):
            Wp = [w.copy() for w in W0]
            Wm = [w.copy() for w in W0]
            Wp[l][idx] += eps
            Wm[l][idx] -= eps
            numeric[idx] = (loss(Wp) - loss(Wm)) / (2 * eps)
        rel = np.linalg.norm(analytic[l] - numeric) / np.linalg.norm(numeric)
        assert rel < 1e-6


def test_orthogonal_deep_linear_fits_and_records():
    net = linear_net([8] * 9)
    fit = fit_linear_map(net, linear_target(np.geomspace(1, 0.3, 8), seed=0), lr=0.01, steps=500, record_every=50)
    assert fit.relative_loss[0] > 0.5 and fit.final < 1e-3
    assert np.all(np.diff(fit.relative_loss) < 0)
    assert fit.step.tolist() == list(range(0, 501, 50))
    assert fit.steps_to(1e-2) is not None and fit.steps_to(1e-30) is None
    assert fit.diverged_step is None
    assert repr(fit).startswith("LinearFit(depth=8, lr=0.01, 500 steps, relative loss")


def test_divergence_is_recorded_without_warnings():
    net = linear_net([8] * 9, init="normal")  # std 1 weights: the product is huge
    with np_no_warnings():
        fit = fit_linear_map(net, linear_target(np.ones(8), seed=0), lr=0.5, steps=100)
    assert fit.diverged_step is not None and fit.final == np.inf
    assert "diverged at step" in repr(fit)
    assert isinstance(fit, LinearFit)


class np_no_warnings:
    def __enter__(self):
        import warnings
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_bad_input():
    M = np.eye(3)
    with pytest.raises(TypeError, match="net must be an initlib.MLP with activation='identity'"):
        fit_linear_map("net", M, lr=0.1, steps=1)
    with pytest.raises(ValueError, match="net must be a linear network.*got activation='tanh'"):
        fit_linear_map(MLP([3, 3], activation="tanh", output="identity"), M, lr=0.1, steps=1)
    with pytest.raises(ValueError, match="zero biases"):
        fit_linear_map(MLP([3, 3, 3], activation="identity", output="identity", bias_init=0.1), M, lr=0.1, steps=1)
    with pytest.raises(ValueError, match=r"target must have shape \(3, 3\)"):
        fit_linear_map(linear_net([3, 3]), np.eye(4), lr=0.1, steps=1)
    with pytest.raises(ValueError, match="lr must be > 0"):
        fit_linear_map(linear_net([3, 3]), M, lr=0.0, steps=1)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        fit_linear_map(linear_net([3, 3]), M, lr=0.1, steps=0)
    with pytest.raises(ValueError, match="not be all zeros"):
        fit_linear_map(linear_net([3, 3]), np.zeros((3, 3)), lr=0.1, steps=1)
    with pytest.raises(ValueError, match="singular_values must be a non-empty array of numbers > 0"):
        linear_target([1.0, 0.0], seed=0)
    with pytest.raises(ValueError, match="rng is required"):
        linear_target([1.0])
