"""Tests for initlib.normalization and the norm= option of MLP and ResidualMLP: gradients in training mode,
running averages in evaluation mode, scale invariance, the zero-gamma trick, bad input."""
import numpy as np
import pytest

import initlib as il
from initlib.normalization import BatchNorm, LayerNorm, make

from _gradcheck import check_gradients, problem, randomize_biases

KINDS = ["batch", "layer"]


def randomize_norms(net, seed=9):
    g = np.random.default_rng(seed)
    for layer in net._norm_layers():
        layer.gamma[...] = g.uniform(0.5, 1.5, layer.width)
        layer.beta[...] = g.normal(scale=0.3, size=layer.width)


# --------------------------------------------------------------------------
# The layers alone
# --------------------------------------------------------------------------

def test_batch_norm_forward_and_running_averages():
    g = np.random.default_rng(0)
    z = g.normal(3.0, 2.0, size=(50, 4))
    bn = BatchNorm(4, momentum=0.1)
    out = bn.forward(z, training=True)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-13)
    np.testing.assert_allclose(out.var(axis=0), z.var(axis=0) / (z.var(axis=0) + 1e-5), rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean, 0.0)  # the forward pass alone does not update them
    bn.update_running_stats()
    np.testing.assert_allclose(bn.running_mean, 0.1 * z.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(bn.running_var, 0.9 + 0.1 * z.var(axis=0, ddof=1), rtol=1e-14)
    # evaluation mode uses the running averages, per sample
    bn.gamma[...] = 2.0
    bn.beta[...] = -1.0
    expected = 2.0 * (z[:1] - bn.running_mean) / np.sqrt(bn.running_var + 1e-5) - 1.0
    np.testing.assert_allclose(bn.forward(z[:1], training=False), expected, rtol=1e-14)


def test_layer_norm_is_per_sample_and_invariant_to_each_samples_scale():
    g = np.random.default_rng(1)
    z = g.normal(size=(6, 8))
    ln = LayerNorm(8, eps=0.0)
    out = ln.forward(z)
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-14)
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-13)
    c = g.uniform(1e-3, 1e3, size=(6, 1))  # a different positive factor per sample
    np.testing.assert_allclose(ln.forward(z * c), out, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ln.forward(z, training=False), out)


@pytest.mark.parametrize("kind", KINDS)
def test_layer_backward_matches_finite_differences(kind):
    g = np.random.default_rng(2)
    z = g.normal(size=(5, 4))
    w = g.normal(size=(5, 4))  # loss = sum(w * out)
    layer = make(kind, 4)
    layer.gamma[...] = g.uniform(0.5, 1.5, 4)
    layer.beta[...] = g.normal(size=4)
    layer.forward(z)
    dz = layer.backward(w)
    num = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += 1e-6
        zm[idx] -= 1e-6
        num[idx] = (np.sum(w * layer.forward(zp)) - np.sum(w * layer.forward(zm))) / 2e-6
    assert np.linalg.norm(dz - num) / np.linalg.norm(num) < 1e-7


def test_layer_errors():
    with pytest.raises(ValueError, match="batch normalization needs at least 2 samples per batch in training mode"):
        BatchNorm(3).forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match="eps=0 met a constant pre-activation"):
        LayerNorm(3, eps=0.0).forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="backward needs a training-mode forward pass"):
        LayerNorm(3).backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\]"):
        BatchNorm(3, momentum=1.5)
    with pytest.raises(ValueError, match="unknown norm 'group'; valid: batch, layer"):
        make("group", 3)
    assert repr(BatchNorm(3)) == "BatchNorm(3, eps=1e-05, momentum=0.1)"
    assert repr(LayerNorm(3)) == "LayerNorm(3, eps=1e-05)"


# --------------------------------------------------------------------------
# Gradient checks of whole networks, training mode
# --------------------------------------------------------------------------

@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("kind", KINDS)
def test_mlp_with_norm_gradients(kind, activation, output):
    n_out = 1 if output == "sigmoid" else 3
    net = il.MLP([3, 5, 4, n_out], activation=activation, output=output, init="xavier_normal",
                 bias_init="normal", norm=kind, seed=1)
    randomize_norms(net)
    X, y = problem(output, n=8)
    net.loss_and_grad(X, y)
    if activation == "relu":
        assert min(np.abs(z).min() for z in net.zn[:-1]) > 1e-3
    # with batch norm a bias before the norm has no effect: its gradient is 0
    zero = {"b[0]", "b[1]"} if kind == "batch" else set()
    grads = check_gradients(net, X, y, zero=zero)
    assert {"gamma[0]", "beta[0]", "gamma[1]", "beta[1]"} <= set(grads)


@pytest.mark.parametrize("learn_scale", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_residual_with_norm_gradients(kind, learn_scale):
    net = il.ResidualMLP(3, 4, 2, activation="tanh", init="xavier_normal", branch_scale=0.6,
                         learn_scale=learn_scale, norm=kind, seed=1)
    randomize_biases(net)
    randomize_norms(net)
    X, y = problem("sigmoid", n=8)
    zero = {f"b{k}[{l}]" for k in (1, 2) for l in range(2)} if kind == "batch" else set()
    grads = check_gradients(net, X, y, zero=zero)
    assert {"gamma1[0]", "beta2[1]"} <= set(grads) and ("alpha" in grads) == learn_scale


# --------------------------------------------------------------------------
# Training and evaluation mode
# --------------------------------------------------------------------------

def test_mlp_norm_lists_and_repr():
    net = il.MLP([2, 6, 5, 1], norm="batch", seed=0)
    assert len(net.norms) == 2 and [n.width for n in net.norms] == [6, 5]
    assert net.n_params == (2 * 6 + 6) + (6 * 5 + 5) + (5 + 1) + 2 * (6 + 5)
    assert repr(net) == (
        "MLP([2, 6, 5, 1], activation='relu', output='sigmoid', init='he_normal', scale=1, norm='batch', params=81)"
    )
    X, _ = problem("sigmoid", n=10, n_in=2)
    net.forward(X)
    z = net.z[0]
    np.testing.assert_allclose(net.zn[0], (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5), rtol=1e-12)
    np.testing.assert_array_equal(net.a[0], np.maximum(net.zn[0], 0))
    plain = il.MLP([2, 3, 1])
    assert plain.zn is plain.z and plain.norms == []


@pytest.mark.parametrize("kind", KINDS)
def test_evaluation_mode_uses_running_averages(kind):
    X, y, Xt, yt = il.data.circles(n_train=60, n_test=30, seed=1)
    net = il.MLP([2, 8, 8, 1], norm=kind, seed=0)
    h = il.train(net, X, y, epochs=200, lr=0.05, X_test=Xt, y_test=yt)
    assert h.final_train_acc > 0.9
    # the recorded numbers are those of evaluation mode
    assert h.test_loss[-1] == pytest.approx(net.loss_value(Xt, yt), rel=1e-12)
    assert h.loss[-1] == pytest.approx(net.loss_value(X, y), rel=1e-12)
    if kind == "batch":
        # with the weights held (a negligible lr), 150 full-batch steps bring the running
        # averages to the batch statistics (0.9 ** 150 = 1.4e-7)
        il.train(net, X, y, epochs=150, lr=1e-12)
        ref = net.copy()
        net.forward(X)
        for layer in net.norms:
            np.testing.assert_allclose(layer.running_mean, layer.batch_mean, rtol=1e-5)
            np.testing.assert_allclose(layer.running_var, layer.batch_var, rtol=1e-5)
        # evaluation mode computes each sample alone with the running averages
        one = np.vstack([net.predict_proba(Xt[i : i + 1]) for i in range(5)])
        np.testing.assert_allclose(one, net.predict_proba(Xt[:5]), rtol=1e-13)
        layer = ref.norms[0]
        layer.running_mean += 1.0  # evaluation depends on them, training mode does not
        assert not np.allclose(ref.predict_proba(Xt), net.predict_proba(Xt))
        np.testing.assert_allclose(ref.forward(X), net.forward(X), rtol=1e-13)


def test_running_averages_after_one_step():
    X, y, _, _ = il.data.circles(n_train=40, seed=1)
    net = il.MLP([2, 5, 1], norm="batch", seed=0)
    z = X @ net.W[0] + net.b[0]  # the batch the single step normalizes
    il.train(net, X, y, epochs=1, lr=0.1)
    np.testing.assert_allclose(net.norms[0].running_mean, 0.1 * z.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(net.norms[0].running_var, 0.9 + 0.1 * z.var(axis=0, ddof=1), rtol=1e-13)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_optimizer_updates_every_parameter(kind, optimizer):
    X, y, _, _ = il.data.circles(n_train=50, seed=1)
    # a bias right before batch norm has no effect and a zero gradient: nothing to update
    before_bn = {"b[0]", "b[1]", "b1[0]", "b1[1]", "b2[0]", "b2[1]"} if kind == "batch" else set()
    for net in (il.MLP([2, 5, 4, 1], norm=kind, bias_init=0.1, seed=0),
                il.ResidualMLP(2, 5, 2, norm=kind, learn_scale=True, branch_scale=0.5, seed=0)):
        before = {name: p.copy() for name, p, _ in net.parameters()}
        il.train(net, X, y, epochs=3, lr=0.01, optimizer=optimizer)
        for name, p, _ in net.parameters():
            change = np.abs(p - before[name]).max()
            if name in before_bn:  # rounding-level gradients (Adam turns 1e-17 into a 1e-9 step)
                assert change < 1e-6, (type(net).__name__, name, change)
            else:
                assert change > 1e-6, (type(net).__name__, name, change)


# --------------------------------------------------------------------------
# Scale invariance
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("factor", [1e-3, 0.5, 7.0, 1e4])
def test_forward_is_invariant_to_the_scale_of_the_incoming_weights(kind, factor):
    X, _ = problem("sigmoid", n=12, n_in=3)
    net = il.MLP([3, 6, 6, 1], activation="tanh", bias_init="normal", norm=kind, norm_eps=0.0, seed=2)
    randomize_norms(net)
    out = net.forward(X).copy()
    scaled = net.copy()
    for l in (0, 1):  # every normalized layer: weights and bias times the same positive constant
        scaled.W[l] *= factor
        scaled.b[l] *= factor
    np.testing.assert_allclose(scaled.forward(X), out, rtol=0, atol=1e-10)
    res = il.ResidualMLP(3, 5, 3, activation="tanh", norm=kind, norm_eps=0.0, seed=2)
    randomize_biases(res)
    out = res.forward(X).copy()
    for l in range(3):
        for arr in (res.W1[l], res.b1[l], res.W2[l], res.b2[l]):
            arr *= factor
    np.testing.assert_allclose(res.forward(X), out, rtol=0, atol=1e-10)


def test_default_eps_breaks_scale_invariance_only_by_eps_over_variance():
    X, _ = problem("sigmoid", n=12, n_in=3)
    for kind, axis in (("layer", 1), ("batch", 0)):
        net = il.MLP([3, 6, 1], activation="tanh", norm=kind, seed=2)
        net.forward(X)
        zn, var = net.zn[0].copy(), net.z[0].var(axis=axis).min()
        net.W[0] *= 10.0
        net.forward(X)
        # z -> 10 z: z_hat grows by sqrt((var + eps) / (var + eps / 100)) - 1 < eps / (2 var)
        change = np.abs(net.zn[0] - zn).max() / np.abs(zn).max()
        assert 0 < change < 1e-5 / (2 * var)


# --------------------------------------------------------------------------
# The zero-gamma trick
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_zero_gamma_starts_as_identity_and_switches_on(kind):
    X, y, _, _ = il.data.circles(n_train=60, seed=1)
    net = il.ResidualMLP(2, 8, 3, norm=kind, zero_gamma=True, seed=0)
    assert all(not layer.gamma.any() for layer in net.norms2) and all(layer.gamma.all() for layer in net.norms1)
    net.loss_and_grad(X, y)
    for l in range(3):
        np.testing.assert_array_equal(net.branch[l], 0.0)
        np.testing.assert_array_equal(net.stream[l + 1], net.stream[0])
        assert np.abs(net.norms2[l].dgamma).max() > 1e-4  # a gradient at step 0
    il.train(net, X, y, epochs=5, lr=0.1)
    net.forward(X)
    for l in range(3):
        assert np.abs(net.norms2[l].gamma).min() > 0 and net.branch[l].std() > 1e-3  # the branch is on
    assert "zero_gamma=True" in repr(net)


def test_zero_gamma_before_a_relu_never_learns():
    """The trap: a zero gamma that feeds a ReLU gives zn = beta = 0, where ReLU passes no gradient."""
    X, y, _, _ = il.data.circles(n_train=60, seed=1)
    net = il.ResidualMLP(2, 8, 3, norm="batch", seed=0)
    for layer in net.norms1:
        layer.gamma[...] = 0.0
    net.loss_and_grad(X, y)
    for layer in net.norms1:
        np.testing.assert_array_equal(layer.dgamma, 0.0)
        np.testing.assert_array_equal(layer.dbeta, 0.0)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

def test_batch_of_one_sample_in_training_mode():
    net = il.MLP([2, 4, 1], norm="batch", seed=0)
    x = np.ones((1, 2))
    with pytest.raises(ValueError, match="batch normalization needs at least 2 samples per batch in training mode, got a batch of 1"):
        net.forward(x)
    assert net.predict_proba(x).shape == (1, 1)  # evaluation mode is fine
    il.MLP([2, 4, 1], norm="layer").forward(x)  # and layer norm has no batch statistics
    X, y, _, _ = il.data.circles(n_train=41, seed=1)
    with pytest.raises(ValueError, match="batch_size=10 leaves a last minibatch of one sample"):
        il.train(net, X, y, epochs=1, lr=0.1, batch_size=10)
    with pytest.raises(ValueError, match="batch normalization needs at least 2 training samples"):
        il.train(net, X[:1], y[:1], epochs=1, lr=0.1)
    res = il.ResidualMLP(2, 4, 2, norm="batch")
    with pytest.raises(ValueError, match="batch normalization needs at least 2 samples"):
        res.loss_and_grad(x, np.ones(1))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"norm": "instance"}, ValueError, "unknown norm 'instance'; valid: None, batch, layer"),
        ({"norm": True}, TypeError, "norm must be None, 'batch' or 'layer'"),
        ({"norm": "batch", "norm_eps": -1.0}, ValueError, "norm_eps must be >= 0"),
        ({"norm": "layer", "norm_eps": "tiny"}, TypeError, "norm_eps must be a real number"),
        ({"norm": "batch", "norm_momentum": 2.0}, ValueError, r"norm_momentum must be in \[0, 1\], got 2.0"),
    ],
)
def test_bad_norm_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        il.MLP([2, 3, 1], **kwargs)
    with pytest.raises(exc, match=match):
        il.ResidualMLP(2, 3, 1, **kwargs)
