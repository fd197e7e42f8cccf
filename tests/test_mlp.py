"""Tests for initlib.mlp.MLP: gradient check, per-layer arrays, API, determinism, bad input."""
import math

import numpy as np
import pytest

from initlib import init
from initlib.activations import leaky
from initlib.mlp import MLP

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity"]
OUTPUTS = {"sigmoid": 1, "softmax": 3, "identity": 2}
EPS = 1e-6


def rng(seed=0):
    return np.random.default_rng(seed)


def problem(output, n=6, n_features=3, seed=0):
    g = rng(100 + seed)
    X = g.normal(size=(n, n_features))
    if output == "sigmoid":
        y = g.integers(0, 2, n).astype(float)
    elif output == "softmax":
        y = g.integers(0, OUTPUTS["softmax"], n)
    else:
        y = g.normal(size=(n, OUTPUTS["identity"]))
    return X, y


def numeric_grads(net, X, y, eps=EPS):
    """Central differences of the mean loss in every weight and bias."""
    out = []
    for params in (net.W, net.b):
        grads = []
        for P in params:
            G = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + eps
                fp = net.loss_value(X, y)
                P[idx] = old - eps
                fm = net.loss_value(X, y)
                P[idx] = old
                G[idx] = (fp - fm) / (2 * eps)
            grads.append(G)
        out.append(grads)
    return out


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


# --------------------------------------------------------------------------
# Gradient check
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 2])
@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", HIDDEN)
def test_backward_matches_finite_differences(activation, output, seed):
    sizes = [3, 4, 5, OUTPUTS[output]]
    net = MLP(sizes, activation=activation, output=output, init="xavier_normal", bias_init="normal", seed=seed)
    X, y = problem(output, seed=seed)
    loss = net.loss_and_grad(X, y)
    assert loss == pytest.approx(net.loss_value(X, y), rel=1e-14)
    if activation in ("relu", "leaky_relu"):
        # stay clear of the kink, where finite differences are meaningless
        assert min(np.abs(z).min() for z in net.z[:-1]) > 1e-3
    dW = [g.copy() for g in net.dW]
    db = [g.copy() for g in net.db]
    num_W, num_b = numeric_grads(net, X, y)
    for l in range(net.n_layers):
        assert np.any(num_W[l] != 0)
        assert rel_error(dW[l], num_W[l]) < 1e-6, (l, rel_error(dW[l], num_W[l]))
        assert rel_error(db[l], num_b[l]) < 1e-6, (l, rel_error(db[l], num_b[l]))
    # bookkeeping: dz[-1] is the loss gradient in the logits, db is dz summed over samples
    t = net.targets(y, X.shape[0])
    np.testing.assert_allclose(net.dz[-1], net.loss.grad(net.z[-1], t), rtol=1e-14)
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.db[l], net.dz[l].sum(axis=0), rtol=1e-12, atol=1e-15)
        a_prev = X if l == 0 else net.a[l - 1]
        np.testing.assert_allclose(net.dW[l], a_prev.T @ net.dz[l], rtol=1e-12, atol=1e-15)


def test_backward_with_custom_leaky_slope():
    net = MLP([3, 4, 5, 1], activation=leaky(0.3), output="sigmoid", init="xavier_normal", bias_init="normal", seed=0)
    X, y = problem("sigmoid")
    net.loss_and_grad(X, y)
    assert min(np.abs(z).min() for z in net.z[:-1]) > 1e-3
    dW = [g.copy() for g in net.dW]
    num_W, _ = numeric_grads(net, X, y)
    for l in range(net.n_layers):
        assert rel_error(dW[l], num_W[l]) < 1e-6


def test_forward_then_backward_equals_loss_and_grad():
    X, y = problem("sigmoid", n=9)
    a = MLP([3, 4, 5, 1], bias_init="normal", seed=3)
    b = MLP([3, 4, 5, 1], bias_init="normal", seed=3)
    a.forward(X)
    la = a.backward(y)
    lb = b.loss_and_grad(X, y)
    assert la == lb
    for l in range(a.n_layers):
        assert np.array_equal(a.dW[l], b.dW[l]) and np.array_equal(a.db[l], b.db[l])


# --------------------------------------------------------------------------
# Per-layer arrays
# --------------------------------------------------------------------------

def test_per_layer_lists_and_shapes():
    sizes = [3, 4, 5, 2]
    net = MLP(sizes, activation="tanh", output="identity", seed=0)
    assert net.n_layers == 3
    assert net.n_params == 3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2
    for name in ("W", "b", "z", "a", "dW", "db", "dz"):
        assert len(getattr(net, name)) == net.n_layers, name
    X, y = problem("identity", n=7)
    out = net.forward(X)
    assert out.shape == (7, 2)
    assert out is net.a[-1]
    net.backward(y)
    for l in range(net.n_layers):
        fan_in, fan_out = sizes[l], sizes[l + 1]
        assert net.W[l].shape == (fan_in, fan_out)
        assert net.b[l].shape == (fan_out,)
        assert net.z[l].shape == (7, fan_out)
        assert net.a[l].shape == (7, fan_out)
        assert net.dz[l].shape == (7, fan_out)
        assert net.dW[l].shape == (fan_in, fan_out)
        assert net.db[l].shape == (fan_out,)
        prev = X if l == 0 else net.a[l - 1]
        np.testing.assert_allclose(net.z[l], prev @ net.W[l] + net.b[l], rtol=1e-14)
    for l in range(net.n_layers - 1):
        np.testing.assert_array_equal(net.a[l], np.tanh(net.z[l]))
    np.testing.assert_array_equal(net.a[-1], net.z[-1])  # identity output


def test_output_transforms():
    X, _ = problem("sigmoid", n=5)
    p = MLP([3, 4, 1], output="sigmoid", seed=0).forward(X)
    assert np.all((p > 0) & (p < 1))
    net = MLP([3, 4, 3], output="softmax", seed=0)
    p = net.forward(X)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(net.predict(X), p.argmax(axis=1))
    np.testing.assert_allclose(net.logits(X), net.z[-1], rtol=1e-14)


def test_predict_proba_logits_evaluate_do_not_touch_stored_arrays():
    X, y = problem("sigmoid", n=8)
    X2, y2 = problem("sigmoid", n=5, seed=7)
    net = MLP([3, 4, 5, 1], bias_init="normal", seed=1)
    net.loss_and_grad(X, y)
    snapshot = {name: [v.copy() for v in getattr(net, name)] for name in ("z", "a", "dz", "dW", "db")}
    ids = {name: [id(v) for v in getattr(net, name)] for name in ("z", "a")}
    stored_X = net.X
    p = net.predict_proba(X2)
    lg = net.logits(X2)
    loss, acc = net.evaluate(X2, y2)
    net.predict(X2)
    net.loss_value(X2, y2)
    net.accuracy(X2, y2)
    assert net.X is stored_X
    for name, values in snapshot.items():
        for before, after in zip(values, getattr(net, name)):
            assert np.array_equal(before, after), name
    for name, values in ids.items():
        assert [id(v) for v in getattr(net, name)] == values
    # and they agree with a storing forward pass
    ref = net.copy()
    np.testing.assert_allclose(ref.forward(X2), p, rtol=1e-14)
    np.testing.assert_allclose(ref.z[-1], lg, rtol=1e-14)
    assert loss == pytest.approx(ref.backward(y2), rel=1e-14)
    assert acc == np.mean(net.predict(X2)[:, 0] == y2)


def test_evaluate_accuracy():
    X, y = problem("sigmoid", n=40)
    net = MLP([3, 8, 1], seed=0)
    loss, acc = net.evaluate(X, y)
    assert acc == np.mean(net.predict(X)[:, 0] == y)
    assert net.accuracy(X, y) == acc and net.loss_value(X, y) == loss
    Xs, ys = problem("softmax", n=40)
    net = MLP([3, 8, 3], output="softmax", seed=0)
    assert net.accuracy(Xs, ys) == np.mean(net.predict(Xs) == ys)
    Xi, yi = problem("identity", n=10)
    net = MLP([3, 8, 2], output="identity", seed=0)
    loss, acc = net.evaluate(Xi, yi)
    assert acc is None and np.isfinite(loss)


def test_backward_needs_forward():
    net = MLP([3, 4, 1], seed=0)
    with pytest.raises(ValueError, match="forward"):
        net.backward(np.zeros(3))


# --------------------------------------------------------------------------
# Construction: repr, from_weights, scale, inits
# --------------------------------------------------------------------------

def test_repr():
    net = MLP([2, 10, 5, 1], init="zeros")
    assert repr(net) == "MLP([2, 10, 5, 1], activation='relu', output='sigmoid', init='zeros', scale=1, params=91)"
    assert str(net) == repr(net)
    net = MLP([3, 4, 2], activation="tanh", output="softmax", init="xavier_normal", scale=2.5, seed=1)
    text = repr(net)
    for part in ("[3, 4, 2]", "activation='tanh'", "output='softmax'", "init='xavier_normal'", "scale=2.5",
                 f"params={3 * 4 + 4 + 4 * 2 + 2}"):
        assert part in text


def test_print_shows_everything(capsys):
    print(MLP([2, 10, 5, 1], init="normal", scale=10, seed=1))
    out = capsys.readouterr().out.strip()
    assert out == "MLP([2, 10, 5, 1], activation='relu', output='sigmoid', init='normal', scale=10, params=91)"


def test_default_net():
    net = MLP([2, 10, 5, 1])
    assert net.activation.name == "relu" and net.loss.name == "sigmoid" and net.init_name == "he_normal"
    assert net.scale == 1.0
    for w in net.W:
        assert w.any()
    for v in net.b:
        assert not v.any()
    g = rng(0)  # seed=0 by default, weights drawn layer by layer
    for l, w in enumerate(net.W):
        np.testing.assert_array_equal(w, init.he_normal(net.sizes[l], net.sizes[l + 1], rng=g))


def test_from_weights_reproduces_output_exactly():
    X, y = problem("sigmoid", n=11)
    net = MLP([3, 6, 4, 1], activation="tanh", bias_init="normal", seed=5)
    clone = MLP.from_weights(net.W, net.b, activation="tanh", output="sigmoid")
    assert clone.sizes == net.sizes and clone.n_params == net.n_params
    assert np.array_equal(clone.forward(X), net.forward(X))
    assert clone.loss_and_grad(X, y) == net.loss_and_grad(X, y)
    for l in range(net.n_layers):
        assert np.array_equal(clone.dW[l], net.dW[l])
    assert "init='from_weights'" in repr(clone)
    # the arrays are copied: changing the original does not change the clone
    net.W[0][0, 0] += 1.0
    assert not np.array_equal(clone.forward(X), net.forward(X))
    # copy() is the same thing
    c = net.copy()
    assert np.array_equal(c.forward(X), net.forward(X))
    assert c.W[0] is not net.W[0]


def test_from_weights_accepts_lists_and_2d_biases():
    net = MLP.from_weights([[[1.0, 2.0]], [[1.0], [-1.0]]], [[[0.5, 0.0]], [0.0]], activation="identity",
                           output="identity")
    assert net.sizes == [1, 2, 1]
    np.testing.assert_array_equal(net.forward([[2.0]]), [[2.5 - 4.0]])


@pytest.mark.parametrize("init_name", ["he_normal", "normal", "xavier_uniform", "orthogonal"])
def test_scale_multiplies_weights_exactly(init_name):
    one = MLP([4, 7, 5, 2], output="identity", init=init_name, scale=1, bias_init="normal", seed=3)
    three = MLP([4, 7, 5, 2], output="identity", init=init_name, scale=3, bias_init="normal", seed=3)
    for w1, w3 in zip(one.W, three.W):
        assert np.array_equal(w3, 3 * w1)
    for b1, b3 in zip(one.b, three.b):  # scale is for weights, not biases
        assert np.array_equal(b1, b3)
    assert three.scale == 3.0
    zero = MLP([4, 7, 5, 2], init=init_name, scale=0, seed=3)
    assert not any(w.any() for w in zero.W)


def test_zero_init_is_symmetric():
    X, y = problem("sigmoid", n=10)
    net = MLP([3, 6, 4, 1], init="zeros")
    out = net.forward(X)
    np.testing.assert_array_equal(out, np.full((10, 1), 0.5))
    for l in range(net.n_layers):
        assert np.all(net.a[l] == net.a[l][:, :1])  # every unit identical
        assert np.all(net.z[l] == net.z[l][:, :1])
    net.backward(y)
    for l in range(net.n_layers - 1):
        assert not net.dW[l].any()  # relu'(0) = 0: the hidden layers get no gradient


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_constant_init_is_symmetric(activation):
    X, y = problem("sigmoid", n=10)
    net = MLP([3, 6, 4, 1], activation=activation, init="constant", init_kwargs={"value": 0.5})
    for w in net.W:
        np.testing.assert_array_equal(w, np.full(w.shape, 0.5))
    assert "init='constant(value=0.5)'" in repr(net)
    net.loss_and_grad(X, y)
    for l in range(net.n_layers):
        assert np.all(net.a[l] == net.a[l][:, :1])
        assert np.all(net.dW[l] == net.dW[l][:, :1])  # every unit gets the same update
    assert np.any(net.dW[0] != 0)


def test_init_kwargs_gain():
    a = MLP([50, 40, 1], init="xavier_normal", init_kwargs={"gain": 5 / 3}, seed=0)
    b = MLP([50, 40, 1], init="xavier_normal", seed=0)
    np.testing.assert_allclose(a.W[0], 5 / 3 * b.W[0], rtol=1e-12)
    assert "gain=1.66667" in repr(a)


def test_per_layer_init_list():
    net = MLP([3, 40, 30, 1], init=["he_normal", "zeros", "he_normal"], seed=0)
    assert net.W[0].any() and net.W[2].any()
    assert not net.W[1].any()
    assert net.init_name == "[he_normal, zeros, he_normal]"
    assert "init='[he_normal, zeros, he_normal]'" in repr(net)
    # the first layer is drawn first from the seeded generator
    np.testing.assert_array_equal(net.W[0], MLP([3, 40, 30, 1], init="he_normal", seed=0).W[0])
    net = MLP([3, 4, 2], init=(init.orthogonal, "kaiming_uniform"), seed=1)
    np.testing.assert_allclose(net.W[0] @ net.W[0].T, np.eye(3), atol=1e-12)
    assert np.abs(net.W[1]).max() <= math.sqrt(6 / 4)
    assert net.init_name == "[orthogonal, kaiming_uniform]"


def test_callable_init_and_bias_init():
    def halves(fan_in, fan_out, *, rng):
        return np.full((fan_in, fan_out), 0.5)

    net = MLP([2, 3, 1], init=halves, bias_init=0.25)
    assert all(np.all(w == 0.5) for w in net.W)
    assert all(np.all(v == 0.25) for v in net.b)
    assert "init='halves'" in repr(net)
    net = MLP([2, 3, 1], bias_init="normal", seed=0)
    assert net.b[0].shape == (3,) and net.b[0].any()


def test_bce_finite_for_huge_weights():
    X, y = problem("sigmoid", n=20, n_features=2)
    net = MLP([2, 10, 5, 1], scale=1e6, seed=0)
    loss = net.loss_and_grad(X, y)
    assert np.abs(net.z[-1]).max() > 1e12  # really saturated
    assert np.isfinite(loss) and loss > 1e6
    for g in net.dW + net.db:
        assert np.all(np.isfinite(g))
    loss2, acc = net.evaluate(X, y)
    assert np.isfinite(loss2) and loss2 == pytest.approx(loss, rel=1e-12)
    p = net.predict_proba(X)
    assert np.all((p >= 0) & (p <= 1))


# --------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------

@pytest.mark.parametrize("init_name", ["he_normal", "normal", "xavier_uniform", "orthogonal", "lecun_normal"])
def test_same_seed_same_weights(init_name):
    a = MLP([3, 8, 6, 2], output="identity", init=init_name, bias_init="normal", seed=11)
    np.random.seed(0)
    b = MLP([3, 8, 6, 2], output="identity", init=init_name, bias_init="normal", seed=11)
    np.random.seed(1)
    c = MLP([3, 8, 6, 2], output="identity", init=init_name, bias_init="normal", rng=np.random.default_rng(11))
    d = MLP([3, 8, 6, 2], output="identity", init=init_name, bias_init="normal", seed=12)
    for other in (b, c):
        for l in range(a.n_layers):
            assert np.array_equal(a.W[l], other.W[l]) and np.array_equal(a.b[l], other.b[l])
    assert not np.array_equal(a.W[0], d.W[0])


def test_no_global_random_state_used():
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    net = MLP([3, 8, 1], seed=4)
    X, y = problem("sigmoid")
    net.loss_and_grad(X, y)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"sizes": [3]}, ValueError, "sizes must list at least two layer sizes"),
        ({"sizes": []}, ValueError, "sizes must list at least two layer sizes"),
        ({"sizes": [3, 0, 1]}, ValueError, r"sizes\[1\] must be a positive int, got 0"),
        ({"sizes": [3, -4, 1]}, ValueError, r"sizes\[1\] must be a positive int"),
        ({"sizes": [0, 4, 1]}, ValueError, r"sizes\[0\] must be a positive int"),
        ({"sizes": [3, 4, 0]}, ValueError, r"sizes\[2\] must be a positive int"),
        ({"sizes": [3, 2.5, 1]}, TypeError, r"sizes\[1\] must be a positive int"),
        ({"sizes": 3}, TypeError, "sizes must be a list of layer widths"),
        ({"sizes": "231"}, TypeError, "sizes must be a list of layer widths"),
        ({"activation": "swish"}, ValueError, r"unknown activation 'swish'; valid: .*relu"),
        ({"activation": None}, TypeError, "activation"),
        ({"output": "tanh"}, ValueError, r"unknown output 'tanh'; valid: identity, linear, sigmoid, softmax"),
        ({"init": "he"}, ValueError, r"unknown init 'he'; valid: .*he_normal"),
        ({"init": 3}, TypeError, "init must be an initializer name or a callable"),
        ({"init": ["he_normal", "zeros"]}, ValueError, "init given per layer must have 3 entries"),
        ({"init": ["he_normal"] * 4}, ValueError, "init given per layer must have 3 entries"),
        ({"init": ["he_normal", "bogus", "zeros"]}, ValueError, "unknown init 'bogus'"),
        ({"scale": -1.0}, ValueError, "scale must be >= 0"),
        ({"scale": float("nan")}, ValueError, "scale must be finite"),
        ({"scale": "1"}, TypeError, "scale"),
        ({"bias_init": "bogus"}, ValueError, "unknown bias_init 'bogus'"),
        ({"bias_init": float("inf")}, ValueError, "bias_init must be finite"),
        ({"bias_init": None}, TypeError, "bias_init"),
        ({"seed": None}, ValueError, "rng is required"),
        ({"seed": -1}, ValueError, "seed"),
        ({"rng": np.random.RandomState(0)}, TypeError, "rng must be a numpy.random.Generator"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
        ({"init": "constant"}, TypeError, "value"),
        ({"init": "normal", "init_kwargs": {"std": -1}}, ValueError, "std must be >= 0"),
        ({"init": "he_normal", "init_kwargs": {"gain": -1}}, ValueError, "gain must be >= 0"),
        ({"init": lambda fi, fo, rng: np.zeros((fo, fi))}, ValueError, r"init for layer 0 returned shape \(4, 3\)"),
    ],
)
def test_constructor_bad_input(kwargs, exc, match):
    kwargs = {"sizes": [3, 4, 5, 1], **kwargs}
    with pytest.raises(exc, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize("method", ["forward", "predict_proba", "logits", "predict", "loss_and_grad", "evaluate"])
@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((4, 2)), r"X has 2 features \(columns\) but the first layer expects 3"),
        (np.zeros((4, 5)), "X has 5 features"),
        (np.zeros(3), "X must be 2-D"),
        (np.array([[0.0, np.nan, 1.0]] + [[0.0, 0.0, 1.0]] * 3), "X contains 1 NaN or infinite"),
        (np.array([[0.0, np.inf, 1.0], [0.0, -np.inf, 1.0], [0, 0, 0], [0, 0, 0]]), "X contains 2 NaN or infinite"),
    ],
)
def test_bad_X(method, X, match):
    net = MLP([3, 4, 1], seed=0)
    args = (X, np.zeros(4)) if method in ("loss_and_grad", "evaluate") else (X,)
    with pytest.raises(ValueError, match=match):
        getattr(net, method)(*args)


def test_bad_X_type():
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        MLP([3, 4, 1], seed=0).forward("abc")


@pytest.mark.parametrize(
    "output, y, match",
    [
        ("sigmoid", [0, 1, 2, 1], r"y must hold binary labels in \{0, 1\}"),
        ("sigmoid", [0, 1, -1, 1], r"y must hold binary labels in \{0, 1\}"),
        ("sigmoid", [0, 1, 0.5, 1], r"y must hold binary labels in \{0, 1\}"),
        ("sigmoid", [0, 1, np.nan, 1], "y contains 1 NaN or infinite"),
        ("sigmoid", [0, 1, np.inf, 1], "y contains 1 NaN or infinite"),
        ("sigmoid", [0, 1, 1], r"y must have shape \(4,\) or \(4, 1\)"),
        ("sigmoid", [0, 1, 1, 0, 1], r"y must have shape \(4,\)"),
        ("softmax", [0, 1, 3, 1], r"integer class labels in 0..2"),
        ("softmax", [0, 1, 1], r"y must be class labels of shape \(4,\)"),
        ("identity", np.zeros((3, 2)), r"y must have shape \(4, 2\)"),
        ("identity", np.full((4, 2), np.nan), "y contains 8 NaN"),
    ],
)
@pytest.mark.parametrize("method", ["loss_and_grad", "evaluate", "backward"])
def test_bad_y(output, y, match, method):
    k = {"sigmoid": 1, "softmax": 3, "identity": 2}[output]
    net = MLP([3, 4, k], output=output, seed=0)
    X = rng(0).normal(size=(4, 3))
    with pytest.raises(ValueError, match=match):
        if method == "backward":
            net.forward(X)
            net.backward(y)
        else:
            getattr(net, method)(X, y)


@pytest.mark.parametrize(
    "weights, biases, match",
    [
        ([np.ones((2, 3)), np.ones((4, 1))], [np.zeros(3), np.zeros(1)],
         r"weights\[1\] has fan_in 4 but weights\[0\] has fan_out 3"),
        ([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(2), np.zeros(1)], r"biases\[0\] must have shape \(3,\)"),
        ([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3), np.zeros(2)], r"biases\[1\] must have shape \(1,\)"),
        ([np.ones((2, 3)), np.ones((3, 1))], [np.zeros(3)], "weights and biases must be non-empty lists of equal length"),
        ([], [], "weights and biases must be non-empty"),
        ([np.ones(3)], [np.zeros(3)], r"weights\[0\] must be 2-D"),
        ([np.array([[1.0, np.nan]])], [np.zeros(2)], r"weights\[0\] contains 1 NaN"),
        ([np.ones((2, 3))], [np.array([0.0, np.inf, 0.0])], r"biases\[0\] contains 1 NaN"),
    ],
)
def test_from_weights_bad_input(weights, biases, match):
    with pytest.raises(ValueError, match=match):
        MLP.from_weights(weights, biases)


def test_from_weights_unknown_names():
    W, b = [np.ones((2, 1))], [np.zeros(1)]
    with pytest.raises(ValueError, match="unknown activation 'bogus'"):
        MLP.from_weights(W, b, activation="bogus")
    with pytest.raises(ValueError, match="unknown output 'bogus'"):
        MLP.from_weights(W, b, output="bogus")
