"""Tests for initlib.residual.ResidualMLP: gradient check, per-block arrays, the stream at init, API, bad input."""
import numpy as np
import pytest

import initlib as il
from initlib.residual import ResidualMLP

from _gradcheck import OUTPUTS, check_gradients, problem, randomize_biases

# --------------------------------------------------------------------------
# Gradient check
# --------------------------------------------------------------------------

@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("learn_scale", [False, True])
def test_backward_matches_finite_differences(activation, output, learn_scale):
    net = ResidualMLP(3, 4, 3, n_out=OUTPUTS[output], activation=activation, output=output,
                      init="xavier_normal", branch_scale=0.7, learn_scale=learn_scale, seed=1)
    randomize_biases(net)
    X, y = problem(output)
    net.loss_and_grad(X, y)
    if activation == "relu":  # stay clear of the kink
        assert min(np.abs(z).min() for z in net.z[:-1]) > 1e-3
    grads = check_gradients(net, X, y)
    assert ("alpha" in grads) == learn_scale
    if learn_scale:  # dL/dalpha_l = sum(dL/dh_{l+1} * r_l)
        for l in range(net.n_blocks):
            assert grads["alpha"][l] == pytest.approx(np.sum(net.dstream[l + 1] * net.branch[l]), rel=1e-12)


@pytest.mark.parametrize("activation", ["gelu", "silu", "selu", "elu"])
def test_backward_with_the_modern_activations(activation):
    net = ResidualMLP(3, 4, 3, activation=activation, init="xavier_normal", branch_scale=0.7, learn_scale=True, seed=1)
    randomize_biases(net)
    X, y = problem("sigmoid")
    net.loss_and_grad(X, y)
    assert min(np.abs(z).min() for z in net.z[:-1]) > 1e-3  # SELU and ELU have a kink in f' at 0
    check_gradients(net, X, y)


def test_learned_alpha_from_zero_gets_a_gradient():
    """ReZero: alpha = 0 switches every branch off, yet dL/dalpha is not zero."""
    net = ResidualMLP(3, 4, 3, activation="tanh", branch_scale=0.0, learn_scale=True, seed=2)
    randomize_biases(net)
    X, y = problem("sigmoid")
    zero = {f"{k}[{l}]" for k in ("W1", "b1", "W2", "b2") for l in range(3)}
    grads = check_gradients(net, X, y, zero=zero)
    assert np.all(grads["alpha"] != 0)
    np.testing.assert_array_equal(grads["W1[0]"], 0.0)  # branches get no gradient until alpha moves


def test_forward_then_backward_equals_loss_and_grad():
    X, y = problem("sigmoid", n=9)
    a, b = ResidualMLP(3, 5, 4, seed=3), ResidualMLP(3, 5, 4, seed=3)
    a.forward(X)
    assert a.backward(y) == b.loss_and_grad(X, y)
    for (name, _, ga), (_, _, gb) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(ga, gb), name


# --------------------------------------------------------------------------
# Per-block arrays and the protocol
# --------------------------------------------------------------------------

def test_per_block_lists():
    net = ResidualMLP(3, 5, 4, n_out=2, activation="tanh", output="identity", branch_scale=0.5, seed=0)
    randomize_biases(net)
    X, y = problem("identity", n=6)
    out = net.forward(X)
    L = net.n_blocks
    assert len(net.stream) == len(net.dstream) == L + 1
    assert len(net.z) == len(net.a) == len(net.dz) == len(net.zn) == L + 1
    assert len(net.branch) == len(net.z2) == len(net.W1) == len(net.W2) == len(net.b1) == len(net.b2) == L
    np.testing.assert_allclose(net.stream[0], X @ net.W_in + net.b_in, rtol=1e-14)
    for l in range(L):
        h = net.stream[l]
        np.testing.assert_allclose(net.z[l], h @ net.W1[l] + net.b1[l], rtol=1e-14)
        assert net.zn[l] is net.z[l]
        np.testing.assert_array_equal(net.a[l], np.tanh(net.z[l]))
        np.testing.assert_allclose(net.branch[l], net.a[l] @ net.W2[l] + net.b2[l], rtol=1e-14)
        np.testing.assert_allclose(net.stream[l + 1], h + 0.5 * net.branch[l], rtol=1e-14)
    np.testing.assert_allclose(net.z[-1], net.stream[-1] @ net.W_out + net.b_out, rtol=1e-14)
    assert out is net.a[-1] and out.shape == (6, 2)
    net.backward(y)
    for l in range(L):
        assert net.dz[l].shape == (6, 5) and net.dstream[l].shape == (6, 5)
        np.testing.assert_allclose(net.dW1[l], net.stream[l].T @ net.dz[l], rtol=1e-12)
        np.testing.assert_allclose(net.db1[l], net.dz[l].sum(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.dW_in, X.T @ net.dstream[0], rtol=1e-12)


def test_protocol_lists_are_the_live_arrays_in_forward_order():
    net = ResidualMLP(2, 3, 2, seed=0)
    assert isinstance(net, il.Network)
    assert net.n_layers == len(net.W) == len(net.b) == len(net.dW) == len(net.db) == 6
    assert net.W[0] is net.W_in and net.W[1] is net.W1[0] and net.W[2] is net.W2[0] and net.W[-1] is net.W_out
    assert net.b[3] is net.b1[1] and net.dW[4] is net.dW2[1]
    assert net.layer_names == ["block 1", "block 2", "output"]
    names = [name for name, _, _ in net.parameters()]
    assert names[:6] == ["W_in", "b_in", "W1[0]", "b1[0]", "W2[0]", "b2[0]"] and "alpha" not in names
    assert net.n_params == 2 * 3 + 3 + 2 * (2 * (9 + 3)) + 3 + 1
    assert "alpha" in [n for n, _, _ in ResidualMLP(2, 3, 2, learn_scale=True).parameters()]


def test_evaluation_methods_do_not_touch_stored_arrays():
    X, y = problem("sigmoid", n=8)
    X2, y2 = problem("sigmoid", n=5, seed=7)
    net = ResidualMLP(3, 4, 3, seed=1)
    net.loss_and_grad(X, y)
    snapshot = {name: [v.copy() for v in getattr(net, name)] for name in ("stream", "z", "a", "dz", "branch")}
    p, lg, (loss, acc) = net.predict_proba(X2), net.logits(X2), net.evaluate(X2, y2)
    for name, values in snapshot.items():
        for before, after in zip(values, getattr(net, name)):
            assert np.array_equal(before, after), name
    ref = net.copy()
    np.testing.assert_allclose(ref.forward(X2), p, rtol=1e-14)
    np.testing.assert_allclose(ref.z[-1], lg, rtol=1e-14)
    assert loss == pytest.approx(ref.backward(y2), rel=1e-14)
    assert acc == np.mean(net.predict(X2)[:, 0] == y2)


def test_copy_is_independent():
    net = ResidualMLP(2, 3, 2, learn_scale=True, seed=0)
    twin = net.copy()
    for (name, p, _), (_, q, _) in zip(net.parameters(), twin.parameters()):
        assert np.array_equal(p, q) and p is not q, name
    twin.W1[0] += 1.0
    twin.alpha[0] = 5.0
    assert not np.array_equal(net.W1[0], twin.W1[0]) and net.alpha[0] == 1.0
    assert repr(twin) == repr(net)


def test_determinism_and_zero_last_leaves_the_other_weights_alone():
    a, b = ResidualMLP(2, 8, 3, seed=4), ResidualMLP(2, 8, 3, seed=4)
    for (_, p, _), (_, q, _) in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p, q)
    z = ResidualMLP(2, 8, 3, seed=4, zero_last=True)
    assert all(np.array_equal(u, v) for u, v in zip(a.W1, z.W1))
    assert np.array_equal(a.W_out, z.W_out) and np.array_equal(a.W_in, z.W_in)
    assert all(not w.any() for w in z.W2)
    assert not np.array_equal(ResidualMLP(2, 8, 3, seed=5).W_in, a.W_in)
    g = np.random.default_rng(4)
    assert np.array_equal(ResidualMLP(2, 8, 3, rng=g).W_in, a.W_in)


def test_repr():
    assert repr(ResidualMLP(2, 8, 3)) == (
        "ResidualMLP(n_in=2, width=8, n_blocks=3, n_out=1, activation='relu', output='sigmoid', "
        "init='he_normal', branch_scale=1, params=465)"
    )
    text = repr(ResidualMLP(2, 8, 3, branch_scale=0, learn_scale=True, zero_last=True, init_kwargs={"gain": 1.0}))
    assert "branch_scale=0, learn_scale=True, zero_last=True" in text and "he_normal(gain=1)" in text
    assert text.endswith("params=468)")


# --------------------------------------------------------------------------
# The residual stream at initialization (the numbers of the residual chapter)
# --------------------------------------------------------------------------

def stream_ratio(n_blocks, seed=0, **kwargs):
    X = np.random.default_rng(0).standard_normal((512, 2))
    net = ResidualMLP(2, 64, n_blocks, seed=seed, **kwargs)
    net.forward(X)
    return net.stream[-1].std() / net.stream[0].std()


@pytest.mark.parametrize("n_blocks", [10, 50])
def test_stream_grows_by_sqrt3_per_block(n_blocks):
    """A He ReLU branch returns its input's variance twice over: Var(h) x 3 per block."""
    ratio = stream_ratio(n_blocks)
    per_block = ratio ** (1 / n_blocks)
    assert per_block == pytest.approx(np.sqrt(3), rel=0.05)
    assert 0.1 * np.sqrt(3) ** n_blocks < ratio < 10 * np.sqrt(3) ** n_blocks
    if n_blocks == 10:
        assert 100 < ratio < 500
    else:
        assert 1e10 < ratio < 1e13


@pytest.mark.parametrize("n_blocks", [10, 50, 100])
def test_depth_scaled_branches_keep_the_stream_near_e(n_blocks):
    ratio = stream_ratio(n_blocks, branch_scale=1 / np.sqrt(n_blocks))
    assert 2.0 < ratio < 3.2
    assert ratio == pytest.approx((1 + 2 / n_blocks) ** (n_blocks / 2), rel=0.15)


@pytest.mark.parametrize("n_blocks", [1, 10, 100])
def test_zero_last_starts_as_the_identity(n_blocks):
    assert stream_ratio(n_blocks, zero_last=True) == 1.0
    assert stream_ratio(n_blocks, branch_scale=0.0) == 1.0


def test_block_stats():
    X = np.random.default_rng(0).standard_normal((64, 2))
    y = (X[:, 0] > 0).astype(float)
    net = ResidualMLP(2, 16, 5, branch_scale=0.5, seed=0)
    s = il.block_stats(net, X)
    assert len(s) == 5 and s.stream_grad_std is None
    np.testing.assert_allclose(s.stream_std, [h.std() for h in net.stream])
    np.testing.assert_allclose(s.branch_std, [r.std() for r in net.branch])
    np.testing.assert_allclose(s.ratio, s.stream_std / s.stream_std[0])
    np.testing.assert_allclose(s.update_ratio, 0.5 * s.branch_std / s.stream_std[:-1])
    s = il.block_stats(net, X, y)
    assert s.stream_grad_std.shape == (6,) and np.all(s.stream_grad_std > 0)
    assert "BlockStats(5 blocks)" in repr(s) and "std(dL/dh)" in repr(s)
    with pytest.raises(TypeError, match="net must be an initlib.ResidualMLP"):
        il.block_stats(il.MLP([2, 3, 1]), X)
    with pytest.raises(ValueError, match="forward pass"):
        il.block_stats(ResidualMLP(2, 3, 2))
    with pytest.raises(ValueError, match="y needs X"):
        il.block_stats(net, y=y)


def test_layer_diagnostics_accept_residual_networks():
    X = np.random.default_rng(0).standard_normal((64, 2))
    y = (X[:, 0] > 0).astype(float)
    net = ResidualMLP(2, 16, 4, seed=0)
    act = il.activation_stats(net, X)
    assert len(act) == 5 and list(act.hidden) == [True] * 4 + [False]
    np.testing.assert_allclose(act.dead[:4], [np.mean(z <= 0) for z in net.z[:4]])
    grad = il.gradient_stats(net, X, y)
    assert len(grad) == net.n_layers == 10
    assert il.symmetry(net).distinct_units == [16] * 9


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

def test_train_learns_circles():
    X, y, Xt, yt = il.data.circles(seed=1)
    net = ResidualMLP(2, 16, 4, branch_scale=0.5, seed=0)
    h = il.train(net, X, y, epochs=300, lr=0.05, X_test=Xt, y_test=yt, record_stats=True)
    assert h.final_train_acc > 0.9 and h.final_test_acc > 0.85
    assert h.act_std.shape[1] == 5 and h.grad_std.shape[1] == 10


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_every_parameter_moves_including_learned_alpha(optimizer):
    X, y, _, _ = il.data.circles(n_train=50, seed=1)
    net = ResidualMLP(2, 6, 3, branch_scale=0.3, learn_scale=True, seed=0)
    before = {name: p.copy() for name, p, _ in net.parameters()}
    il.train(net, X, y, epochs=3, lr=0.05, optimizer=optimizer)
    for name, p, _ in net.parameters():
        assert not np.array_equal(p, before[name]), name


def test_rezero_starts_as_the_identity_and_learns_its_scales():
    X, y, Xt, yt = il.data.circles(seed=1)
    net = ResidualMLP(2, 16, 10, branch_scale=0.0, learn_scale=True, seed=0)
    net.forward(X)
    assert all(np.array_equal(h, net.stream[0]) for h in net.stream)
    h = il.train(net, X, y, epochs=300, lr=0.01, optimizer="adam", X_test=Xt, y_test=yt)
    assert h.final_train_acc > 0.95 and h.final_test_acc > 0.9
    assert np.all(net.alpha != 0)


def test_divergence_is_reported_with_its_epoch():
    X, y, _, _ = il.data.circles(n_train=50, seed=1)
    net = ResidualMLP(2, 16, 20, n_out=2, output="identity", seed=0)
    Y = np.column_stack([y, 1 - y])
    with pytest.warns(RuntimeWarning, match="training diverged at epoch"):
        h = il.train(net, X, Y, epochs=50, lr=1.0, record_every=1)
    assert h.diverged and h.diverged_epoch is not None and h.diverged_epoch < 50
    assert f"epoch {h.diverged_epoch}" in h.message and np.all(np.isfinite(h.loss))


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"n_blocks": 0}, ValueError, r"n_blocks must be >= 1 \(a residual network has at least one block\), got 0"),
        ({"n_blocks": -2}, ValueError, "n_blocks must be >= 1"),
        ({"n_blocks": 2.5}, TypeError, "n_blocks must be a positive int"),
        ({"branch_scale": -0.5}, ValueError, "branch_scale must be >= 0, got -0.5"),
        ({"branch_scale": np.nan}, ValueError, "branch_scale must be finite"),
        ({"norm": "group"}, ValueError, "unknown norm 'group'; valid: None, batch, layer"),
        ({"norm": 1}, TypeError, "norm must be None, 'batch' or 'layer'"),
        ({"zero_gamma": True}, ValueError, "zero_gamma=True needs norm='batch' or norm='layer'"),
        ({"learn_scale": "yes"}, TypeError, "learn_scale must be True or False"),
        ({"width": 0}, ValueError, "width must be a positive int"),
        ({"activation": "swishy"}, ValueError, "unknown activation 'swishy'"),
        ({"output": "tanh"}, ValueError, "unknown output"),
        ({"init": "nope"}, ValueError, "unknown init 'nope'"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    args = dict(n_in=2, width=4, n_blocks=2)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        ResidualMLP(**args)


def test_bad_data():
    net = ResidualMLP(2, 4, 2)
    with pytest.raises(ValueError, match=r"X has 3 features .* expects 2"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="backward needs a forward pass"):
        net.backward(np.zeros(4))
    with pytest.raises(TypeError, match=r"net must be an initlib network \(MLP or ResidualMLP\), got dict"):
        il.train({}, np.zeros((4, 2)), np.zeros(4), epochs=1, lr=0.1)
