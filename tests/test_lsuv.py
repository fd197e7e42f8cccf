"""Tests for initlib.lsuv: every layer reaches the target std on the batch, for deep nets of several
activations and for residual networks; the report; errors for dead layers, zero batches, bad widths."""
import functools
import warnings

import numpy as np
import pytest

import initlib as il


SMALL_BIASES = functools.partial(il.init.normal, std=0.1)  # biases that differ from unit to unit


def batch(n=256, n_in=10, seed=0):
    return np.random.default_rng(seed).standard_normal((n, n_in))


DEEP_ACTIVATIONS = ["relu", "tanh", "gelu", "selu"]


@pytest.mark.parametrize("activation", DEEP_ACTIVATIONS)
def test_every_layer_of_a_30_layer_net_reaches_the_target(activation):
    X = batch()
    net = il.MLP([10] + [64] * 29 + [1], activation=activation, init="normal", seed=0)  # 30 layers, badly scaled
    assert il.lsuv(net, X) is net
    net.forward(X)
    stds = np.array([z.std() for z in net.z])
    assert len(stds) == 30 and np.all(np.abs(stds - 1.0) <= 0.01), stds.round(4)
    r = net.lsuv_report
    np.testing.assert_allclose(r.std_after, stds, rtol=1e-12)  # the report measured what the net computes
    # zero biases: one rescaling is exact (SELU layers are often within tol already: 0)
    assert r.converged.all() and r.iterations.max() == 1
    for W in net.W[1:-1]:  # orthogonal times the reported scale
        q = W / np.linalg.norm(W[:, 0])
        np.testing.assert_allclose(q.T @ q, np.eye(64), atol=1e-10)


def test_target_std_and_biases_need_iterations():
    """std(a W + b) is not proportional to the scale of W when b differs across units: LSUV iterates."""
    X = batch()
    net = il.MLP([10] + [32] * 8 + [1], activation="tanh", bias_init=SMALL_BIASES, seed=0)
    il.lsuv(net, X, target_std=0.5, tol=1e-3)
    net.forward(X)
    assert all(abs(z.std() - 0.5) <= 1e-3 for z in net.z)
    assert net.lsuv_report.iterations.max() > 1


def test_without_orthogonal_start_it_only_rescales():
    X = batch()
    net = il.MLP([10, 20, 20, 1], init="normal", seed=1)
    W0 = [w.copy() for w in net.W]
    il.lsuv(net, X, orthogonal=False)
    for w0, w, s in zip(W0, net.W, net.lsuv_report.scale):
        np.testing.assert_allclose(w, s * w0, rtol=1e-13)


def test_orthogonal_start_is_seeded():
    X = batch()
    a = il.lsuv(il.MLP([10, 20, 1], seed=0), X, seed=3)
    b = il.lsuv(il.MLP([10, 20, 1], seed=5), X, seed=3)
    c = il.lsuv(il.MLP([10, 20, 1], seed=0), X, seed=4)
    assert all(np.array_equal(u, v) for u, v in zip(a.W, b.W))
    assert not np.array_equal(a.W[0], c.W[0])


@pytest.mark.parametrize("norm", [None, "batch", "layer"])
def test_residual_network(norm):
    X = batch(n_in=2)
    net = il.ResidualMLP(2, 32, 10, norm=norm, seed=0)
    il.lsuv(net, X)
    net.forward(X)
    outs = net.linear_outputs
    assert len(outs) == len(net.W) == 22
    assert all(abs(u.std() - 1.0) <= 0.01 for u in outs)
    r = net.lsuv_report
    assert r.layers[:4] == ["W_in", "W1[0]", "W2[0]", "W1[1]"] and r.layers[-1] == "W_out"
    assert "LSUVReport(target_std=1, tol=0.01, 22 layers)" in repr(r) and "W2[9]" in repr(r)


def test_not_converging_warns_with_the_layer():
    X = batch()
    net = il.MLP([10, 16, 16, 1], activation="tanh", bias_init=SMALL_BIASES, seed=0)
    with pytest.warns(RuntimeWarning, match=r"lsuv: layer W\[\d\] ended at std .* after 1 rescalings"):
        il.lsuv(net, X, tol=1e-9, max_iter=1)
    assert not net.lsuv_report.converged.all()
    assert "(not converged)" in repr(net.lsuv_report)


def test_dead_layer():
    X = batch()
    # layer 0's bias of -1000 kills every ReLU, so layer 1 sees only zeros: constant pre-activations
    net = il.MLP([10, 16, 16, 1], bias_init=-1000.0, seed=0)
    with pytest.raises(ValueError, match=r"lsuv cannot rescale layer W\[1\]: its pre-activations on X have std 0 "
                                         r"\(a zero batch, or a dead layer"):
        il.lsuv(net, X)


def test_zero_batch():
    with pytest.raises(ValueError, match=r"lsuv cannot rescale layer W\[0\]: .* std 0 \(a zero batch"):
        il.lsuv(il.MLP([10, 16, 1]), np.zeros((64, 10)))
    with pytest.raises(ValueError, match=r"lsuv cannot rescale layer W_in"):
        il.lsuv(il.ResidualMLP(10, 16, 2), np.zeros((64, 10)))


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((batch(n_in=3),), {}, ValueError, r"X has 3 features \(columns\) but the first layer expects 10"),
        ((batch(n=1),), {}, ValueError, "X must hold at least 2 samples for lsuv"),
        ((batch(),), {"target_std": 0}, ValueError, "target_std must be > 0"),
        ((batch(),), {"tol": -1}, ValueError, "tol must be > 0"),
        ((batch(),), {"max_iter": 0}, ValueError, "max_iter must be a positive int"),
        ((batch(),), {"orthogonal": "yes"}, TypeError, "orthogonal must be True or False"),
        ((np.ones(10),), {}, ValueError, "X must be 2-D"),
    ],
)
def test_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        il.lsuv(il.MLP([10, 8, 1]), *args, **kwargs)


def test_not_a_network():
    with pytest.raises(TypeError, match=r"net must be an initlib network \(MLP or ResidualMLP\), got list"):
        il.lsuv([np.ones((2, 2))], batch(n_in=2))


def test_no_warning_when_it_converges():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        il.lsuv(il.MLP([10, 16, 1]), batch())


class _WholePasses(il.MLP):
    """An MLP that hides its one-layer steps: lsuv measures it with whole forward passes, as any network."""
    _linear_steps = None


@pytest.mark.parametrize("kwargs", [dict(activation="relu"),
                                    dict(activation="tanh", bias_init=SMALL_BIASES),
                                    dict(activation="gelu", norm="batch", bias_init=SMALL_BIASES),
                                    dict(activation="tanh", norm="layer")])
def test_one_pass_through_the_layers_gives_the_bits_of_whole_passes(kwargs):
    """An MLP's layers are measured one at a time (each computed once per rescaling, not the whole
    network): the weights and the report are those of whole forward passes, to the bit."""
    X = batch()
    sizes = [10] + [32] * 12 + [1]
    fast = il.lsuv(il.MLP(sizes, seed=0, **kwargs), X, target_std=0.7, tol=1e-4)
    whole = il.lsuv(_WholePasses(sizes, seed=0, **kwargs), X, target_std=0.7, tol=1e-4)
    if "bias_init" in kwargs:  # biases: some layers take several rescalings (each a step sent back)
        assert fast.lsuv_report.iterations.sum() > len(sizes) - 1
    for a, b in zip(fast.W + fast.b, whole.W + whole.b):
        np.testing.assert_array_equal(a, b)
    for field in ("scale", "std_before", "std_after", "iterations"):
        np.testing.assert_array_equal(getattr(fast.lsuv_report, field), getattr(whole.lsuv_report, field))


def test_one_pass_is_faster_than_whole_passes():
    """Not a timing: the count of layer passes. A 30-layer MLP at one rescaling per layer computes each
    layer's linear output 2 times, against 2 x 30 forward passes of up to 30 layers."""
    X = batch(64)
    calls = {"forward": 0, "steps": 0}
    net = il.MLP([10] + [16] * 29 + [1], seed=0)
    steps, forward = net._linear_steps, net._forward

    def counting_steps(X):
        gen = steps(X)
        value = next(gen)
        while True:
            calls["steps"] += 1
            try:
                value = gen.send((yield value))
            except StopIteration:
                return

    def counting_forward(X, store):
        calls["forward"] += 1
        return forward(X, store)

    net._linear_steps, net._forward = counting_steps, counting_forward
    il.lsuv(net, X)
    assert calls["forward"] == 0 and calls["steps"] == 2 * 30
