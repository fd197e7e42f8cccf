"""Every number and claim of chapters/01_symmetry.ipynb, with the chapter's seeds and settings,
(the exercise check is tested in tests/test_checks_symmetry.py).

The training runs are shared through module-scoped fixtures: each one is trained once.
"""
from functools import partial

import numpy as np
import pytest

import initlib as il

X, y, X_test, y_test = il.data.circles(seed=1)


def run(init, activation="relu", chunks=1, seed=1, epochs=15000, **kwargs):
    """The chapter's helper (with the seed and the number of steps as arguments)."""
    net = il.MLP([2, 10, 5, 1], activation=activation, init=init, seed=seed, **kwargs)
    spread = [il.symmetry(net).spread]
    for _ in range(chunks):
        hist = il.train(net, X, y, epochs=epochs // chunks, lr=0.01, X_test=X_test, y_test=y_test, record_every=500)
        spread.append(il.symmetry(net).spread)
    return net, hist, np.array(spread)


def he_constant(fan_in, fan_out, *, eps, rng):
    return np.sqrt(2 / fan_in) + eps * rng.standard_normal((fan_in, fan_out))


def pct(acc, digits=1):
    """An accuracy as the chapter prints it, e.g. 65.7 (train, 1 decimal) or 59 (test, 0 decimals)."""
    return round(100 * acc, digits)


def run_many(specs, activation="relu", chunks=1, epochs=15000):
    """``run(init, seed=seed, init_kwargs=kw)`` for each ``(init, seed, kw)`` of ``specs``, trained together.

    As the chapter's ``run_many``: ``il.train_many`` gives the separate ``train`` calls' results to 1e-12
    (tests/test_train_many.py); ``test_run_many_equals_run`` checks it once more on the chapter's setting.
    """
    nets = [il.MLP([2, 10, 5, 1], activation=activation, init=init, seed=seed, init_kwargs=kw) for init, seed, kw in specs]
    spreads = [[il.symmetry(net).spread] for net in nets]
    for _ in range(chunks):
        hists = il.train_many(nets, X, y, epochs=epochs // chunks, lr=0.01, X_test=X_test, y_test=y_test,
                              record_every=500)
        for spread, net in zip(spreads, nets):
            spread.append(il.symmetry(net).spread)
    return [(net, hist, np.array(spread)) for net, hist, spread in zip(nets, hists, spreads)]


@pytest.fixture(scope="module")
def runs():
    """Every training run of the chapter, under the chapter's names (trained together where they can be)."""
    names = ["zeros", "he_normal", "constant 0.5"]
    specs = [("zeros", 1, {}), ("he_normal", 1, {}), ("constant", 1, {"value": 0.5})]
    for eps in [0, 0.001, 0.1, 0.5]:
        names.append(f"He-std constant, eps = {eps:g}")
        specs.append((he_constant, 1, {"eps": eps}))
    out = dict(zip(names, run_many(specs)))
    for act, layers in {"relu": [1, 2, 3], "tanh": [1, 2], "sigmoid": [1]}.items():
        names, specs = [], []
        for l in layers:  # layers numbered from 1, as in the chapter
            init = ["he_normal"] * 3
            init[l - 1] = "zeros"
            names.append(f"{act}, zero layer {l}")
            specs.append((init, 1, {}))
        if act == "sigmoid":
            names.append("sigmoid, no zero layer")
            specs.append(("he_normal", 1, {}))
        out.update(zip(names, run_many(specs, activation=act, chunks=15)))
    return out


@pytest.fixture(scope="module")
def noise_seeds():
    """Final train accuracy of the He-std constant plus noise eps, for other seeds."""
    keys = [(eps, seed) for eps in [0.001, 0.5] for seed in [0, 2, 3, 4]] + [(0.1, 0)]
    results = run_many([(he_constant, seed, {"eps": eps}) for eps, seed in keys])
    return {key: hist.final_train_acc for key, (_, hist, _) in zip(keys, results)}


def test_run_many_equals_run():
    """The fixtures' shortcut: training together gives what the chapter's separate runs give."""
    specs = [("he_normal", 1, {}), (he_constant, 0, {"eps": 0.1}), (["zeros", "he_normal", "he_normal"], 1, {})]
    together = run_many(specs, chunks=3, epochs=600)
    for (init, seed, kw), (net, hist, spread) in zip(specs, together):
        alone_net, alone_hist, alone_spread = run(init, seed=seed, chunks=3, epochs=600, init_kwargs=kw)
        np.testing.assert_allclose(hist.loss, alone_hist.loss, rtol=1e-12)
        np.testing.assert_allclose(spread, alone_spread, rtol=1e-9, atol=1e-15)
        for a, b in zip(net.W + net.b, alone_net.W + alone_net.b):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


# ----------------------------------------------------------------- setting ----
def test_setting():
    assert X.shape == (300, 2) and X_test.shape == (100, 2)
    assert int(y.sum()) == 150 and int(y_test.sum()) == 50  # "150 points of each class"
    # label 1 on the inner circle
    r = np.hypot(*X.T)
    assert r[y[:, 0] == 1].max() < r[y[:, 0] == 0].min()
    # "inner circle at radius 0.5 and the outer at 1" (not make_circles' factor 0.8)
    assert round(float(np.median(r[y[:, 0] == 1])), 1) == 0.5 and round(float(np.median(r[y[:, 0] == 0])), 1) == 1.0


def test_run_in_chunks_equals_one_run():
    """The helper's chunks do not change the training: full-batch GD only depends on the weights."""
    init = ["zeros", "he_normal", "he_normal"]
    a = il.MLP([2, 10, 5, 1], activation="tanh", init=init, seed=1)
    b = il.MLP([2, 10, 5, 1], activation="tanh", init=init, seed=1)
    il.train(a, X, y, epochs=300, lr=0.01)
    for _ in range(3):
        il.train(b, X, y, epochs=100, lr=0.01)
    assert all(np.array_equal(u, v) for u, v in zip(a.W + a.b, b.W + b.b))


def test_activation_facts():
    f = il.activations
    assert f.relu(0.0) == 0 and f.relu_derivative(0.0) == 0  # the convention the chapter relies on
    assert f.tanh(0.0) == 0 and f.tanh_derivative(0.0) == 1
    assert f.sigmoid(0.0) == 0.5 and f.sigmoid_derivative(0.0) == 0.25


# ---------------------------------------------------------- forward, backward ----
def test_tiny_zero_network_forward():
    tiny = il.MLP([2, 4, 3, 1], init="zeros")
    out = tiny.forward(X[:3])
    assert np.all(tiny.a[0] == 0) and np.all(tiny.a[1] == 0)
    assert np.all(out == 0.5)


def test_tiny_constant_network_identical_columns():
    tiny = il.MLP([2, 4, 3, 1], init="constant", init_kwargs={"value": 0.5})
    tiny.forward(X[:3])
    for a in tiny.a[:2]:
        assert np.all(a == a[:, :1])  # identical units (columns)
        assert len(np.unique(a[:, 0])) > 1  # different samples (rows)
    assert np.round(tiny.a[0][1, 0], 4) == 0.1911 and np.round(tiny.a[1][1, 0], 4) == 0.3822
    tiny.backward(y[:3])
    for g in tiny.dW[:2]:
        assert np.all(g == g[:, :1]) and np.abs(g).max() > 0  # identical, non-zero gradients per unit
    assert np.round(tiny.dW[0][:, 0], 4).tolist() == [-0.044, 0.0096]
    assert np.round(tiny.dW[1][0, 0], 4) == -0.0115


def test_zero_network_gradient_is_zero():
    net = il.MLP([2, 10, 5, 1], init="zeros")
    net.loss_and_grad(X, y)
    assert all(np.all(g == 0) for g in net.dW)  # every weight gradient exactly 0
    assert round(max(float(np.abs(g).max()) for g in net.dW + net.db), 12) == 0.0  # the output bias: rounding


# ------------------------------------------------------------------- zeros ----
def test_zeros_run(runs):
    net, hist, spread = runs["zeros"]
    assert round(hist.final_loss, 4) == 0.6931 == round(np.log(2), 4)
    assert np.all(np.round(hist.loss, 4) == 0.6931)  # a flat line on ln 2
    assert hist.final_train_acc == 0.5 and hist.final_test_acc == 0.5
    s = il.symmetry(net)
    assert s.distinct_units == [1, 1] and np.all(s.max_difference == 0) and np.all(spread == 0)
    assert np.all(net.W[0] == 0)  # still exactly zero after training
    grid = np.random.default_rng(0).uniform(-2, 2, size=(500, 2))
    assert np.all(net.predict_proba(grid) == 0.5)  # flat decision boundary


def test_he_run(runs):
    net, hist, _ = runs["he_normal"]
    assert hist.final_train_acc == 1.0 and hist.final_test_acc == 1.0
    assert round(hist.final_loss, 4) == 0.0058
    assert hist.loss[0] / hist.final_loss > 100  # falls by more than two decades
    assert il.symmetry(net).distinct_units == [10, 5]


# ---------------------------------------------------------------- constant ----
def test_constant_run(runs):
    net, hist, spread = runs["constant 0.5"]
    assert round(hist.loss[0], 4) == 1.7082 and round(hist.final_loss, 4) == 0.5778
    assert round(hist.loss[0], 3) == 1.708 and round(hist.final_loss, 3) == 0.578
    assert hist.final_loss < np.log(2)
    assert pct(hist.final_train_acc) == 65.7 and pct(hist.final_test_acc, 0) == 59
    assert il.symmetry(net).distinct_units == [1, 1]
    assert np.all(np.round(spread[-1], 12) == 0)
    assert max(float(np.max(w.max(axis=1) - w.min(axis=1))) for w in net.W[:2]) < 1e-12
    # the columns of W[0] moved away from 0.5, all in the same way
    assert np.all(net.W[0] == net.W[0][:, :1]) and np.all(np.abs(net.W[0] - 0.5) > 0.1)


def test_constant_run_depends_on_one_projection(runs):
    net = runs["constant 0.5"][0]
    s = X @ net.W[0][:, 0]
    p = net.predict_proba(X)[np.argsort(s), 0]
    assert bool(np.all(np.diff(p) >= 0) or np.all(np.diff(p) <= 0))


def test_constant_run_puts_two_thirds_of_the_ring_on_the_inner_side(runs):
    """The chapter's cell constant-line-geometry: the network's line keeps the inner circle and two thirds of
    the outer ring on one side, 150 + 50 = 200 of 300 points right, like a line tangent to the inner circle."""
    net = runs["constant 0.5"][0]
    inner = y[:, 0] == 1
    on_inner_side = net.predict(X)[:, 0] == 1
    assert f"{on_inner_side[inner].mean():.1%}" == "98.0%" and f"{on_inner_side[~inner].mean():.1%}" == "66.7%"
    assert pct(net.accuracy(X, y)) == pct((on_inner_side[inner].sum() + (~on_inner_side[~inner]).sum()) / 300)
    # the geometry: a line tangent to the circle of radius 0.5 cuts off the arc of the ring of radius 1 where
    # cos(theta) > 0.5, a third of it, so the near side holds the inner circle and two thirds of the ring
    theta = np.linspace(-np.pi, np.pi, 360_000, endpoint=False)
    assert abs(np.mean(np.cos(theta) > 0.5) - 1 / 3) < 1e-5
    assert (150 + 150 / 3) / 300 == 2 / 3
    # the cell's search over 360 directions and 301 offsets
    angles = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    proj = X @ np.stack([np.cos(angles), np.sin(angles)])
    best = max(np.mean((proj < t) == inner[:, None], axis=0).max() for t in np.linspace(-1.5, 1.5, 301))
    assert f"{best:.1%}" == "67.7%"


def test_no_straight_line_beats_two_thirds():
    """No straight line classifies much more than two thirds of the circles (on the training set)."""
    angles = np.linspace(0, np.pi, 360, endpoint=False)
    best = 0.0
    for t in angles:
        proj = X @ np.array([np.cos(t), np.sin(t)])
        order = np.argsort(proj)
        lab = y[order, 0]
        # class 1 on the right of a threshold: correct = (0s on the left) + (1s on the right), both ways
        left0 = np.concatenate([[0], np.cumsum(lab == 0)])
        right1 = np.concatenate([np.cumsum((lab == 1)[::-1])[::-1], [0]])
        acc = np.maximum(left0 + right1, len(lab) - left0 - right1) / len(lab)
        best = max(best, float(acc.max()))
    assert 0.66 < best < 0.70


# ------------------------------------------------------------------- noise ----
def test_he_std_values():
    assert [round(np.sqrt(2 / n), 3) for n in (2, 10, 5)] == [1.0, 0.447, 0.632]


def test_noise_runs(runs):
    net0, hist0, spread0 = runs["He-std constant, eps = 0"]
    assert il.symmetry(net0).distinct_units == [1, 1] and np.all(np.round(spread0, 12) == 0)
    assert pct(hist0.final_train_acc) == 65.7 and pct(hist0.final_test_acc, 0) == 59

    net, hist, spread = runs["He-std constant, eps = 0.001"]
    assert il.symmetry(net).distinct_units == [10, 5]  # broken in principle
    assert f"{spread[0][0]:.2g}" == "0.00036" and f"{spread[-1][0]:.2g}" == "0.00062"
    assert spread[-1][0] / np.abs(net.W[0]).mean() < 2e-3  # about a thousandth of the weights
    assert pct(hist.final_train_acc) == 65.7 and pct(hist.final_test_acc, 0) == 59
    assert round(hist.final_loss, 4) == round(hist0.final_loss, 4)  # ends where the symmetric one does
    probe = np.random.default_rng(0).uniform(-1.5, 1.5, size=(2000, 2))
    assert np.mean(net.predict(probe) == net0.predict(probe)) > 0.99  # the same straight boundary

    hist = runs["He-std constant, eps = 0.1"][1]
    assert pct(hist.final_train_acc) == 69.3

    hist = runs["He-std constant, eps = 0.5"][1]
    assert hist.final_train_acc == 1.0 and hist.final_test_acc == 1.0


def test_noise_other_seeds(noise_seeds):
    for seed in [0, 2, 3, 4]:
        assert pct(noise_seeds[0.001, seed]) == 65.7
        assert noise_seeds[0.5, seed] == 1.0
    assert pct(noise_seeds[0.1, 0], 0) == 99


def test_zero_plus_noise_shrinks_the_signal():
    zero_noise = il.MLP([2, 10, 5, 1], init="normal", scale=0.001, seed=1)
    he_noise = il.MLP([2, 10, 5, 1], init=he_constant, init_kwargs={"eps": 0.001}, seed=1)
    s_zero = il.activation_stats(zero_noise, X).std
    s_he = il.activation_stats(he_noise, X).std
    assert [f"{v:.2g}" for v in s_zero] == ["0.00027", "2.8e-07", "1.5e-10"]
    assert [f"{v:.2g}" for v in s_he] == ["0.44", "2", "0.24"]
    assert 300 < s_zero[0] / s_zero[1] < 3000  # a thousandfold per layer
    assert 1e-11 < s_zero[2] < 1e-9  # the output varies by about 1e-10
    assert il.symmetry(zero_noise).distinct_units == [10, 5]
    # its gradients, products of the same tiny weights, are tiny too
    assert max(il.gradient_stats(zero_noise, X, y).weight_norm) < 1e-6
    assert min(il.gradient_stats(he_noise, X, y).weight_norm) > 0.1


# ---------------------------------------------------------- what may be zero ----
def test_zero_relu_hidden_layer_never_learns(runs):
    for l in [1, 2]:
        net, hist, spread = runs[f"relu, zero layer {l}"]
        assert round(hist.final_loss, 4) == 0.6931
        assert hist.final_train_acc == 0.5 and hist.final_test_acc == 0.5
        assert np.all(spread[:, l - 1] == 0)  # exactly 0 at every step
        assert np.all(net.W[l - 1] == 0)
    assert il.symmetry(runs["relu, zero layer 1"][0]).distinct_units == [1, 5]
    assert il.symmetry(runs["relu, zero layer 2"][0]).distinct_units == [10, 1]


def test_zero_last_layer_is_escaped(runs):
    hist = runs["relu, zero layer 3"][1]
    assert hist.final_train_acc == 1.0 and hist.final_test_acc == 1.0
    assert round(hist.final_loss, 4) == 0.006


def test_zero_tanh_layer_is_escaped(runs):
    net, hist, spread = runs["tanh, zero layer 1"]
    assert pct(hist.final_train_acc) == 88.3 and pct(hist.final_test_acc, 0) == 83
    assert round(hist.final_loss, 4) == 0.3867
    assert hist.loss[-1] < hist.loss[-2] < hist.loss[-3]  # still falling
    assert f"{spread[-1][0]:.2g}" == "0.52" and il.symmetry(net).distinct_units == [10, 5]
    assert np.all(np.diff(spread[:, 0]) > 0)  # rises at every checkpoint

    net, hist, spread = runs["tanh, zero layer 2"]
    assert hist.final_train_acc == 1.0 and hist.final_test_acc == 1.0
    assert f"{spread[-1][1]:.2g}" == "0.5"


def test_zero_sigmoid_layer_escapes_slowly(runs):
    net, hist, spread = runs["sigmoid, zero layer 1"]
    assert il.symmetry(net).distinct_units[0] == 10
    assert f"{spread[-1][0]:.2g}" == "0.021" and spread[-1][0] < 0.03
    assert np.all(np.diff(spread[:, 0]) > 0)  # grows steadily
    assert round(hist.final_loss, 4) == 0.693 and pct(hist.final_train_acc) == 52.3
    hist = runs["sigmoid, no zero layer"][1]
    assert pct(hist.final_train_acc) == 49.7 and round(hist.final_loss, 4) == 0.6931


def test_summary_table(runs):
    expected = {
        "zeros": (0.6931, 50.0, 50, [1, 1]),
        "he_normal": (0.0058, 100.0, 100, [10, 5]),
        "constant 0.5": (0.5778, 65.7, 59, [1, 1]),
        "He-std constant, eps = 0": (0.5771, 65.7, 59, [1, 1]),
        "He-std constant, eps = 0.001": (0.5771, 65.7, 59, [10, 5]),
        "He-std constant, eps = 0.1": (0.5527, 69.3, 64, [10, 5]),
        "He-std constant, eps = 0.5": (0.0072, 100.0, 100, [10, 5]),
        "relu, zero layer 1": (0.6931, 50.0, 50, [1, 5]),
        "relu, zero layer 2": (0.6931, 50.0, 50, [10, 1]),
        "relu, zero layer 3": (0.0060, 100.0, 100, [10, 5]),
        "tanh, zero layer 1": (0.3867, 88.3, 83, [10, 5]),
        "tanh, zero layer 2": (0.0116, 100.0, 100, [10, 5]),
        "sigmoid, zero layer 1": (0.6930, 52.3, 58, [10, 5]),
        "sigmoid, no zero layer": (0.6931, 49.7, 46, [10, 5]),
    }
    assert list(runs) == list(expected)
    for name, (loss, train, test, units) in expected.items():
        net, hist, _ = runs[name]
        assert (round(hist.final_loss, 4), pct(hist.final_train_acc), pct(hist.final_test_acc, 0)) == (loss, train, test), name
        assert il.symmetry(net).distinct_units == units, name


# --------------------------------------------------------------- exercises ----
def test_exercise_minibatch_keeps_symmetry():
    net = il.MLP([2, 10, 5, 1], init="constant", init_kwargs={"value": 0.5}, seed=1)
    il.train(net, X, y, epochs=200, lr=0.01, batch_size=32, optimizer="momentum", seed=0)
    s = il.symmetry(net)
    assert s.distinct_units == [1, 1] and np.all(np.round(s.spread, 12) == 0)


def test_exercise_noise_in_one_layer():
    constant, noisy = partial(he_constant, eps=0), partial(he_constant, eps=0.5)
    for init, units in [([constant, noisy, constant], [10, 5]), ([noisy, constant, constant], [10, 1])]:
        net = il.MLP([2, 10, 5, 1], init=init, seed=1)
        il.train(net, X, y, epochs=1000, lr=0.01)
        assert il.symmetry(net).distinct_units == units
        net, hist, _ = run(init)  # the full 15 000 steps
        assert il.symmetry(net).distinct_units == units
        assert hist.final_train_acc == 1.0 and hist.final_test_acc == 1.0


def collapse(W, b):
    """The chapter's reference solution."""
    n = len(W)
    W_small, b_small = [], []
    for l in range(n):
        w = W[l] if l == 0 else W[l].sum(axis=0, keepdims=True)
        W_small.append(w[:, :1] if l < n - 1 else w)
        b_small.append(b[l][:1] if l < n - 1 else b[l].copy())
    return W_small, b_small


def test_exercise_collapse_facts(runs):
    net = il.MLP([2, 10, 5, 1], init="constant", init_kwargs={"value": 0.5})
    W_small, _ = collapse(net.W, net.b)
    assert [w.ravel().tolist() for w in W_small] == [[0.5, 0.5], [5.0], [2.5]]
    trained = runs["constant 0.5"][0]
    narrow = il.MLP.from_weights(*collapse(trained.W, trained.b))
    assert narrow.sizes == [2, 1, 1, 1]
    grid = np.random.default_rng(0).uniform(-2, 2, size=(500, 2))
    assert np.allclose(narrow.predict_proba(grid), trained.predict_proba(grid), rtol=0, atol=1e-12)
