"""Every number and claim of chapters/02_saturation.ipynb, recomputed with the chapter's seeds.

The expensive experiments (the 10-layer networks, the scale sweeps, the nine training runs on the circles
and the two runs of the Glorot-Bengio experiment) run once per module, in fixtures that mirror the
chapter's code cells. The last part tests the check of the chapter's implement exercise.
"""
import importlib

import numpy as np
import pytest

import initlib as il

# ------------------------------------------------------------------------------------------------
# Fixtures: the chapter's experiments
# ------------------------------------------------------------------------------------------------

SCALES = {"0.01": 0.01, "1/√500": 1 / np.sqrt(500), "0.1": 0.1, "1": 1.0}
WIDTHS = [32, 125, 500]
SWEEP_SCALES = np.logspace(-3, 1, 13)


def tanh_stack_stats(scales, width, depth=10, n_samples=100, seed=0):
    """The chapter's helper (cell slider-helper), verbatim."""
    X_w = np.random.default_rng(seed).standard_normal((n_samples, width))
    base = il.MLP([width] * (depth + 1) + [1], activation="tanh", init="normal", seed=seed)
    return [il.activation_stats(il.MLP.from_weights([W * s for W in base.W], base.b, activation="tanh"), X_w)
            for s in scales]


def circles_net(scale, seed):
    """The chapter's helper (cell train-init)."""
    return il.MLP([2, 10, 5, 1], activation="relu", output="sigmoid", init="normal", scale=scale, seed=seed)


@pytest.fixture(scope="module")
def Xy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 500))
    y = rng.integers(0, 2, size=(1000, 1))
    return X, y


@pytest.fixture(scope="module")
def sig_grads(Xy):
    X, y = Xy
    net = il.MLP([500] * 11 + [1], activation="sigmoid", init="normal", scale=1 / np.sqrt(500), seed=0)
    return il.gradient_stats(net, X, y)


@pytest.fixture(scope="module")
def tanh_runs(Xy):
    X, y = Xy
    nets = {k: il.MLP([500] * 11 + [1], activation="tanh", init="normal", scale=s, seed=0) for k, s in SCALES.items()}
    grads = {k: il.gradient_stats(net, X, y) for k, net in nets.items()}
    stats = {k: il.activation_stats(net) for k, net in nets.items()}
    return nets, grads, stats


@pytest.fixture(scope="module")
def sweep():
    return {n: tanh_stack_stats(SWEEP_SCALES, n) for n in WIDTHS}


@pytest.fixture(scope="module")
def circles():
    return il.data.circles(seed=1)


@pytest.fixture(scope="module")
def big_init(circles):
    """The scale-10 network (seed 1) before training."""
    X_c, y_c, _, _ = circles
    net = circles_net(10, 1)
    p = net.forward(X_c)
    return net, p, net.z[-1].copy()


@pytest.fixture(scope="module")
def circles_runs(circles):
    """Scale 10 with seeds 0-4, and seed 1 at scales 0.001, 0.01, 0.1, 1 (cells train-run, train-seeds, sweep-run)."""
    X_c, y_c, X_t, y_t = circles
    keys = [(10.0, s) for s in range(5)] + [(s, 1) for s in (0.001, 0.01, 0.1, 1.0)]
    # trained together, as the chapter does (il.train_many: the separate train calls' results to 1e-12)
    hists = il.train_many([circles_net(scale, seed) for scale, seed in keys], X_c, y_c, epochs=15000, lr=0.01,
                          X_test=X_t, y_test=y_t)
    return dict(zip(keys, hists))


@pytest.fixture(scope="module")
def glorot():
    """The two runs of cell glorot-run: 30000 steps (standard) and 9000 steps (Xavier)."""
    X_b, y_b, _, _ = il.data.blobs(300, 0, n_classes=10, n_features=32, spread=0.25, seed=1)
    inits = {"standard": (dict(init="lecun_uniform", init_kwargs={"gain": 1 / np.sqrt(3)}), 1000),
             "xavier": (dict(init="xavier_uniform"), 300)}
    runs = {}
    for name, (kw, epochs) in inits.items():
        net = il.MLP([32, 64, 64, 64, 64, 10], activation="sigmoid", output="softmax", seed=1, **kw)
        runs[name] = il.train(net, X_b, y_b, epochs=epochs, lr=0.1, batch_size=10, record_stats=True, seed=1)
    return runs


# ------------------------------------------------------------------------------------------------
# How flat are the sigmoid and tanh?
# ------------------------------------------------------------------------------------------------


def test_derivative_maxima_and_tails():
    act = il.activations
    assert act.sigmoid_derivative(0.0) == 0.25
    assert act.tanh_derivative(0.0) == 1.0
    z = np.linspace(-6, 6, 1201)
    assert np.max(act.sigmoid_derivative(z)) == 0.25 and np.max(act.tanh_derivative(z)) == 1.0
    assert round(float(act.sigmoid_derivative(5.0)), 4) == 0.0066
    assert round(float(act.tanh_derivative(3.0)), 4) == 0.0099
    # "both are nearly 0 for |z| above about 5"
    assert act.sigmoid_derivative(5.0) < 0.01 and act.tanh_derivative(5.0) < 0.001
    assert f"{0.25 ** 10:.3g}" == "9.54e-07"  # "(1/4)**10 = 9.5e-7", "about 10^-6"


def test_sigmoid_gradients_shrink_by_about_a_quarter_per_layer(sig_grads):
    w = sig_grads.weight_norm
    assert np.array2string(w[:10], precision=2).split() == [
        "[1.62e-07", "3.15e-06", "1.36e-05", "5.58e-05", "2.42e-04", "1.05e-03", "4.24e-03", "1.86e-02",
        "8.42e-02", "3.48e-01]"]
    ratios = np.round(w[:9] / w[1:10], 2)
    assert list(ratios) == [0.05, 0.23, 0.24, 0.23, 0.23, 0.25, 0.23, 0.22, 0.24]
    assert ratios[1:].min() == 0.22 and ratios[1:].max() == 0.25  # "between 0.22 and 0.25 ... close to 1/4"
    assert ratios[0] < ratios[1:].min()  # "layer 1 gets even less"
    assert w[0] / w[9] < 1e-6  # "less than a millionth of what the last hidden layer gets"
    # figure alt text: "from about 1e-7 at layer 1 to about 1 at layer 11"
    assert 1e-7 < w[0] < 2e-7 and 1 < w[10] < 2


def test_first_sigmoid_layer_gets_less_because_its_input_is_centred(Xy):
    """Cell quarter-centre: layer 1's input is not smaller (E[x^2] = 1 > E[a^2] = 0.29) but centred; the mean
    of a sigmoid layer's input carries nearly all of its |dW|, and centring layer 2's input brings its
    gradient down to layer 1's."""
    X, y = Xy
    net = il.MLP([500] * 11 + [1], activation="sigmoid", init="normal", scale=1 / np.sqrt(500), seed=0)
    w = il.gradient_stats(net, X, y).weight_norm
    a1, dz2 = net.a[0], net.dz[1]
    centred = np.linalg.norm((a1 - a1.mean(axis=0)).T @ dz2)
    assert (f"{np.mean(X ** 2):.2f}", f"{np.mean(a1 ** 2):.2f}", f"{a1.mean():.2f}") == ("1.00", "0.29", "0.50")
    assert (f"{w[1]:.3g}", f"{centred:.2g}", f"{w[0]:.3g}") == ("3.15e-06", "1.5e-07", "1.62e-07")
    assert abs(centred / w[0] - 1) < 0.1  # "drops to the size of layer 1's"
    assert round(w[0] / w[1], 2) == 0.05  # "layer 1 gets 0.05 of layer 2's gradient"
    for l in range(1, 10):  # "nearly all of a sigmoid layer's gradient": the mean term, at every layer above 1
        a, d = net.a[l - 1], net.dz[l]
        assert np.linalg.norm(np.outer(a.mean(axis=0), d.sum(axis=0))) / w[l] > 0.99
        assert np.linalg.norm((a - a.mean(axis=0)).T @ d) / w[l] < 0.05


# ------------------------------------------------------------------------------------------------
# What does the scale do to the activations, layer by layer?
# ------------------------------------------------------------------------------------------------


def test_small_scale_std_collapses_by_4_5_per_layer(tanh_runs):
    _, _, stats = tanh_runs
    std = stats["0.01"].std[:10]
    assert np.array2string(std, precision=2).split() == [
        "[2.14e-01", "4.80e-02", "1.07e-02", "2.38e-03", "5.29e-04", "1.19e-04", "2.64e-05", "5.88e-06",
        "1.31e-06", "2.95e-07]"]
    ratios = np.round(std[:9] / std[1:10], 2)
    assert list(ratios) == [4.46, 4.48, 4.5, 4.51, 4.45, 4.5, 4.49, 4.48, 4.45]
    assert round(std[0], 2) == 0.21 and round(std[9] * 1e7) == 3  # "from 0.21 in layer 1 to 3e-7 in layer 10"
    # the "about 0.21, 0.048, 0.011"
    assert (round(std[0], 2), round(std[1], 3), round(std[2], 3)) == (0.21, 0.048, 0.011)
    # the arithmetic: sqrt(n) s = 0.22 and 1 / 0.22 = 4.5
    assert round(np.sqrt(500) * 0.01, 2) == 0.22 and round(1 / (np.sqrt(500) * 0.01), 1) == 4.5


def test_large_scale_saturates_90_percent(tanh_runs):
    _, _, stats = tanh_runs
    sat = stats["1"].saturated[:10]
    assert list(np.round(sat, 3)) == [0.906, 0.904, 0.904, 0.903, 0.904, 0.905, 0.903, 0.905, 0.904, 0.903]
    assert np.all(np.round(stats["1"].std[:10], 2) == 0.98)  # "stuck near 0.98 in every layer"
    assert round(np.sqrt(500) * 1.0) == 22
    assert round(float(np.arctanh(0.99)), 2) == 2.65  # "|tanh(z)| > 0.99 as soon as |z| > 2.65"
    assert 1 - 0.99**2 < 0.02  # "where tanh' < 0.02"


def test_balanced_and_intermediate_scales(tanh_runs):
    _, _, stats = tanh_runs
    assert round(1 / np.sqrt(500), 3) == 0.045
    std = stats["1/√500"].std[:10]
    assert (round(std[0], 2), round(std[9], 2)) == (0.63, 0.23)  # "decays slowly (from 0.63 to 0.23)"
    assert np.all(np.diff(std) < 0)
    # figure alt text: scales 0.1 and 1 "stay flat near 0.77 and 0.98"; saturated "near 0.12 for scale 0.1"
    assert np.all(np.abs(stats["0.1"].std[1:10] - 0.77) < 0.015) and round(stats["0.1"].std[0], 2) == 0.82
    assert np.all(np.abs(stats["0.1"].saturated[2:10] - 0.12) < 0.01)
    assert np.all(stats["0.01"].saturated[:10] == 0) and np.all(stats["1/√500"].saturated[:10] < 0.01)


def test_histograms_show_spike_at_zero_and_at_plus_minus_one(tanh_runs):
    nets, _, _ = tanh_runs
    assert np.max(np.abs(nets["0.01"].a[9])) < 1e-5  # layer 10 at scale 0.01: a spike at 0
    a = nets["1"].a[:10]
    assert all(np.mean(np.abs(x) > 0.9) > 0.9 for x in a)  # scale 1: piled up at -1 and +1


# ------------------------------------------------------------------------------------------------
# Where do the gradients vanish?
# ------------------------------------------------------------------------------------------------


def test_gradient_norms_per_scale(tanh_runs):
    _, grads, _ = tanh_runs
    printed = {k: (f"{g.weight_norm[0]:.3g}", f"{g.weight_norm[9]:.3g}", f"{g.weight_norm[10]:.3g}")
               for k, g in grads.items()}
    assert printed == {
        "0.01": ("9.81e-08", "1.14e-07", "1.15e-07"),
        "1/√500": ("0.0889", "0.0874", "0.0894"),
        "0.1": ("2.36", "0.553", "0.563"),
        "1": ("1.17e+05", "1.69", "0.68"),
    }


def test_small_scale_gradients_vanish_everywhere(tanh_runs):
    _, grads, _ = tanh_runs
    w = grads["0.01"].weight_norm
    assert np.all((5e-8 < w) & (w < 2e-7))  # "about 1e-7 in every layer"
    sig = grads["0.01"].signal_std
    ratios = sig[1:10] / sig[:9]  # the backward signal shrinks towards the input "by the same factor 4.5"
    assert np.all((4.2 < ratios) & (ratios < 4.8)) and round(float(np.exp(np.mean(np.log(ratios)))), 1) == 4.5


def test_balanced_gradients_are_equal_across_layers(tanh_runs):
    _, grads, _ = tanh_runs
    w = grads["1/√500"].weight_norm
    assert np.all((0.07 < w) & (w < 0.09))  # "about 0.08 in every layer"
    # "between 0.074 and 0.089 in every one of the 11 layers" (layers 1, 10 and 11 alone print 0.087 to 0.089)
    assert len(w) == 11 and (f"{w.min():.2g}", f"{w.max():.2g}") == ("0.074", "0.089")


def test_large_scale_gradients_explode_towards_the_input(tanh_runs):
    _, grads, _ = tanh_runs
    w = grads["1"].weight_norm
    ratios = w[:9] / w[1:10]
    assert np.all((3.3 < ratios) & (ratios < 3.6))  # "grows by a factor of about 3.5 per layer"
    assert 1e5 < w[0] < 2e5  # "to about 1e5 in layer 1"
    assert 1e5 < w.max() / w.min() < 1e6  # "differ by five orders of magnitude"
    assert w[10] < 1  # alt text: "to below 1 at layer 11"
    assert round((1.0 / (1 / np.sqrt(500)))) == 22  # "22 times larger than balanced"
    w01 = grads["0.1"].weight_norm  # alt text: "gently falling from 2.4 to 0.55"
    assert round(w01[0], 1) == 2.4 and round(w01[10], 2) in (0.55, 0.56) and np.all(np.diff(w01[:10]) < 0)


def test_direction_of_the_gradient_too_large_grows_too_small_shrinks(tanh_runs):
    """The landing page: weights that are too large do not make the backpropagated gradient shrink layer after
    layer in the tanh network, it grows towards the input (about 3.5 times per layer, to 1.17e5 at layer 1);
    weights that are too small make it shrink layer after layer."""
    _, grads, _ = tanh_runs
    big, small = grads["1"].signal_std[:10], grads["0.01"].signal_std[:10]  # delta of hidden layers 1 to 10
    assert np.all(big[:9] > big[1:10])  # scale 1: larger at every hidden layer closer to the input
    assert 3.3 < (big[0] / big[9]) ** (1 / 9) < 3.6
    assert f"{grads['1'].weight_norm[0]:.3g}" == "1.17e+05"
    assert np.all(small[:9] < small[1:10])  # scale 0.01: smaller at every hidden layer closer to the input


# ------------------------------------------------------------------------------------------------
# Turning the scale, and changing the width
# ------------------------------------------------------------------------------------------------


def test_sweep_three_regions(sweep):
    for n in WIDTHS:
        std10 = np.array([st.std[9] for st in sweep[n]])
        sat10 = np.array([st.saturated[9] for st in sweep[n]])
        sat_all = np.array([np.nanmax(st.saturated) for st in sweep[n]])
        left = SWEEP_SCALES <= 0.25 / np.sqrt(n)
        assert left.any() and np.all(std10[left] < 1e-3) and np.all(sat_all[left] == 0)
        right = SWEEP_SCALES >= 10 / np.sqrt(n)
        assert right.any() and np.all(std10[right] > 0.9) and np.all(sat10[right] > 0.5)
        # alt text: "the saturated fraction is 0 up to about 1.5 times the dashed line, then rises towards 1"
        assert np.all(sat10[SWEEP_SCALES <= 1.5 / np.sqrt(n)] == 0)
        assert sat10[-1] > 0.95 and np.all(np.diff(sat10) >= 0)
        assert std10.min() < 1e-10  # caption: "values below 1e-10 are off the axis"
    # alt text: dashed lines at 0.18, 0.089 and 0.045
    assert [round(1 / np.sqrt(n), 3) for n in WIDTHS] == [0.177, 0.089, 0.045]


def test_curves_shift_with_the_square_root_of_the_width(sweep):
    # the same curve shifted by sqrt(width): width 125 at scale 2 s matches width 500 at scale s
    s500 = {round(s, 6): st.std[9] for s, st in zip(SWEEP_SCALES, sweep[500])}
    for s in [0.1, 1.0]:
        (st125,) = tanh_stack_stats([2 * s], 125)
        assert abs(st125.std[9] / s500[round(s, 6)] - 1) < 0.05
    at_balance = {n: tanh_stack_stats([1 / np.sqrt(n)], n)[0].std[9] for n in WIDTHS}
    assert {n: round(float(v), 3) for n, v in at_balance.items()} == {32: 0.245, 125: 0.226, 500: 0.227}
    vals = list(at_balance.values())
    assert max(vals) / min(vals) < 1.1  # "nearly the same"


# ------------------------------------------------------------------------------------------------
# What does a too-large initialization do to training?
# ------------------------------------------------------------------------------------------------


def test_scale10_before_training(circles, big_init):
    X_c, y_c, _, _ = circles
    net, p, z = big_init
    assert X_c.shape == (300, 2)
    assert round(float(z.std()), 1) == 586.4  # "a standard deviation of several hundred"
    sat = il.diagnostics.saturated_fraction(p, "sigmoid")
    assert round(sat, 3) == 0.763 and 0.7 < sat < 0.8  # "three quarters"
    assert round(1 - net.accuracy(X_c, y_c), 3) == 0.5  # "half of the points are on the wrong side"
    assert round(net.loss_value(X_c, y_c), 1) == 391.9
    assert round(np.log(2), 2) == 0.69
    # "Computed from the probabilities, it would be infinite": a misclassified point has p exactly 0 or 1
    wrong = (z[:, 0] >= 0) != (y_c[:, 0] == 1)
    pw = p[wrong, 0]
    assert np.any((pw == 0.0) | (pw == 1.0))


def test_scale10_seed1_final(circles_runs):
    h = circles_runs[10.0, 1]
    assert h.summary() == {"final_loss": 0.3558, "train_acc": 0.8133, "test_acc": 0.79, "diverged": False}


def test_scale10_five_seeds(circles_runs):
    lines = [f"seed {s}: initial loss {circles_runs[10.0, s].loss[0]:7.1f}   final train acc "
             f"{circles_runs[10.0, s].final_train_acc:.3f}   test acc {circles_runs[10.0, s].final_test_acc:.2f}"
             for s in range(5)]
    assert lines == [
        "seed 0: initial loss  1503.0   final train acc 0.987   test acc 0.96",
        "seed 1: initial loss   391.9   final train acc 0.813   test acc 0.79",
        "seed 2: initial loss  1009.7   final train acc 0.843   test acc 0.79",
        "seed 3: initial loss   886.9   final train acc 1.000   test acc 1.00",
        "seed 4: initial loss  2283.5   final train acc 0.963   test acc 0.96",
    ]
    acc = [circles_runs[10.0, s].final_train_acc for s in range(5)]
    assert round(min(acc), 2) == 0.81 and max(acc) == 1.0  # "between 81% and 100%"
    first = [circles_runs[10.0, s].loss[0] for s in range(5)]
    last = [circles_runs[10.0, s].final_loss for s in range(5)]
    assert min(first) > 100  # "starts with a loss in the hundreds or thousands"
    assert 390 < min(first) < 392 and 2280 < max(first) < 2300  # caption: "between about 390 and 2300"
    assert (int(np.floor(min(first) + 0.5)), int(np.floor(max(first) + 0.5))) == (392, 2284)  # summary: "392 to 2284"
    assert round(min(last), 3) == 0.002 and round(max(last), 2) == 0.36  # "ends between 0.002 and 0.36"
    assert not any(circles_runs[10.0, s].diverged for s in range(5))


def test_scale_sweep_is_u_shaped(circles_runs):
    runs = {s: circles_runs[s, 1] for s in (0.001, 0.01, 0.1, 1.0, 10.0)}
    lines = [f"scale {s:>6}: final loss {h.final_loss:.4f}   train acc {h.final_train_acc:.3f}   test acc "
             f"{h.final_test_acc:.2f}" for s, h in runs.items()]
    assert lines == [
        "scale  0.001: final loss 0.6931   train acc 0.483   test acc 0.53",
        "scale   0.01: final loss 0.6931   train acc 0.533   test acc 0.53",
        "scale    0.1: final loss 0.6818   train acc 0.717   test acc 0.72",
        "scale    1.0: final loss 0.0146   train acc 1.000   test acc 1.00",
        "scale   10.0: final loss 0.3558   train acc 0.813   test acc 0.79",
    ]
    loss = [h.final_loss for h in runs.values()]
    assert 0.005 < min(loss) and max(loss) < 2  # inside the figure's y range
    assert loss.index(min(loss)) == 3 and loss[4] > 10 * loss[3] and loss[0] > 10 * loss[3]  # a U
    # "scales 1e-3 and 1e-2 never leave the plateau at ln 2"
    for s in (0.001, 0.01):
        assert np.all(np.abs(runs[s].loss - np.log(2)) < 1e-3)
    assert runs[0.1].final_loss < np.log(2) - 0.01  # "has only started to escape"


def test_he_stds_and_homogeneity(circles):
    # "the standard deviations of He initialization for this network are 1, 0.45 and 0.63"
    assert [round(np.sqrt(2 / n), 2) for n in (2, 10, 5)] == [1.0, 0.45, 0.63]
    # "the output of a three-layer ReLU network scales like s^3 and its gradients like s^2"
    X_c, y_c, _, _ = circles
    a, b = circles_net(0.01, 1), circles_net(0.02, 1)  # the same standard normal draws, scales s and 2 s
    np.testing.assert_allclose(b.logits(X_c), 8 * a.logits(X_c), rtol=1e-10)
    a.loss_and_grad(X_c, y_c)
    b.loss_and_grad(X_c, y_c)  # at these scales p is 0.5 to 1e-5, so the output gradient p - y is the same
    for l in range(3):
        np.testing.assert_allclose(b.dW[l], 4 * a.dW[l], rtol=1e-3)
    # "those of the hidden biases like s^2 and s": layer 1's bias has two weight matrices above it, layer 2's one
    ratio = [np.linalg.norm(gb) / np.linalg.norm(ga) for ga, gb in zip(a.db, b.db)]
    assert abs(ratio[0] / 4 - 1) < 1e-3 and abs(ratio[1] / 2 - 1) < 1e-3


# ------------------------------------------------------------------------------------------------
# Glorot and Bengio's saturated top layer
# ------------------------------------------------------------------------------------------------


def test_glorot_setup():
    X_b, y_b, _, _ = il.data.blobs(300, 0, n_classes=10, n_features=32, spread=0.25, seed=1)
    assert X_b.shape == (300, 32) and set(np.unique(y_b)) == set(range(10))
    X0, _, _, _ = il.data.blobs(300, 0, n_classes=10, n_features=32, spread=0.0, seed=1)
    assert np.all(X0[:, 2:] == 0)  # centres in the plane of the first two features
    # lecun_uniform with gain 1/sqrt(3) is U[-1/sqrt(n), 1/sqrt(n)]
    for n in (32, 64):
        W = il.init.lecun_uniform(n, 64, gain=1 / np.sqrt(3), rng=np.random.default_rng(0))
        assert np.abs(W).max() <= 1 / np.sqrt(n) and np.abs(W).max() > 0.99 / np.sqrt(n)
    assert 300 // 10 * 1000 == 30000


def glorot_lines(h):
    """The two lines the chapter's cell glorot-numbers prints for a run."""
    steps, top, lower = h.epoch * 30, h.act_mean[:, 3], h.act_mean[:, :3]
    i = int(np.argmin(top))
    return (f"  top layer: {top[0]:.2f} -> min {top[i]:.3f} at step {steps[i]}"
            f" (saturated: {h.act_frac[i, 3]:.2f}) -> {top[-1]:.2f} at step {steps[-1]}",
            f"  layers 1-3 between {lower.min():.2f} and {lower.max():.2f}; loss at step 9000:"
            f" {h.loss[steps == 9000][0]:.3f}, below 2 from step {steps[np.argmax(h.loss < 2)]}")


def test_glorot_standard_top_layer_saturates(glorot):
    h = glorot["standard"]
    steps, top = h.epoch * 30, h.act_mean[:, 3]
    assert steps[-1] == 30000 and np.all(np.diff(steps) == 300)
    assert glorot_lines(h) == (
        "  top layer: 0.49 -> min 0.048 at step 16800 (saturated: 0.00) -> 0.29 at step 30000",
        "  layers 1-3 between 0.49 and 0.70; loss at step 9000: 2.303, below 2 from step 21000")
    i = int(np.argmin(top))
    assert h.act_frac[i, 3] == 0  # "none of the outputs is below 0.01 yet"
    assert top[i] * (1 - top[i]) < 0.05 and 0.05 == 0.25 / 5  # "below 0.05, less than a fifth of its maximum 1/4"
    first_below = steps[np.argmax(top < 0.1)]
    assert 4500 <= first_below <= 5500  # "falls below 0.1 after about 5000 steps"
    assert steps[np.nonzero(top < 0.1)[0][-1]] >= 19500  # "only after about 20000 steps does it climb back"
    plateau = (steps >= 1200) & (steps <= 19200)
    assert np.all(np.abs(h.loss[plateau] - np.log(10)) < 0.01)  # "all that time the loss stays at ln 10 = 2.30"
    assert round(np.log(10), 2) == 2.30
    assert np.all(np.abs(h.act_mean[:, 0] - 0.5) < 0.01)  # "layer 1 at 0.5"
    # caption and alt text: "about 0.05 by step 15000", "about 0.3 by step 30000", "0.5 and 0.7"
    assert abs(top[steps == 15000][0] - 0.05) < 0.005 and round(top[-1], 1) == 0.3
    assert round(h.final_loss, 3) == 0.257


def test_glorot_lower_layers_as_in_the_paper(glorot):
    """"at 0.5 or above, and the higher the closer to the top (0.50, 0.54 and 0.62, averaged over the run)"."""
    lower = glorot["standard"].act_mean[:, :3]
    means = lower.mean(axis=0)
    assert [f"{m:.2f}" for m in means] == ["0.50", "0.54", "0.62"]
    assert means[0] < means[1] < means[2] and round(float(lower.min()), 2) == 0.49


def test_glorot_xavier_dips_less(glorot):
    h = glorot["xavier"]
    steps, top = h.epoch * 30, h.act_mean[:, 3]
    assert steps[-1] == 9000
    assert glorot_lines(h) == (
        "  top layer: 0.48 -> min 0.185 at step 2430 (saturated: 0.00) -> 0.45 at step 9000",
        "  layers 1-3 between 0.49 and 0.55; loss at step 9000: 0.027, below 2 from step 3060")
    i = int(np.argmin(top))
    assert abs(steps[i] - 2400) <= 100  # "bottoms out at 0.185 after about 2400 steps"
    assert abs(top[i] - 0.2) < 0.02  # alt text: "dips to about 0.2 near step 2400"
    assert np.all(top[steps >= 4800] > 0.4)  # "back above 0.4 by step 4800", alt: "where it stays"
    assert round(glorot["standard"].loss[glorot["standard"].epoch * 30 == 9000][0], 3) == 2.303  # "still at 2.303"


# ------------------------------------------------------------------------------------------------
# Exercises
# ------------------------------------------------------------------------------------------------


def test_exercise_initial_loss(circles):
    X_c, y_c, _, _ = circles
    net = circles_net(10, 1)
    z = net.logits(X_c)[:, 0]
    p = net.predict_proba(X_c)[:, 0]
    wrong = (z >= 0) != (y_c[:, 0] == 1)
    exact = float(np.mean((p == 0.0) | (p == 1.0)))
    assert round(exact, 3) == 0.737  # "about three quarters (74%)"
    assert round(float(np.abs(z[wrong]).sum() / len(z)), 1) == 391.7
    assert round(net.loss_value(X_c, y_c), 1) == 391.9
    # "sigma(z) rounds to exactly 1.0 for z > 37; initlib's formula gives exactly 0.0 for z < -38"
    sig = il.activations.sigmoid
    assert sig(37.0) == 1.0 and sig(36.0) < 1.0
    assert sig(-38.0) == 0.0 and sig(-37.0) > 0.0
    assert 1.0 / (1.0 + np.exp(37.0)) > 0.0  # the textbook formula does not round to 0 there


def test_exercise_band():
    grid = np.geomspace(0.04, 0.16, 13)
    bands = {}
    for n in (500, 125):
        ok = [s for s, st in zip(grid, tanh_stack_stats(grid, n))
              if st.std[0] / st.std[9] <= 2 and np.nanmax(st.saturated) <= 0.1]
        bands[n] = (round(ok[0], 3), round(ok[-1], 3), round(np.sqrt(n) * ok[0], 2), round(np.sqrt(n) * ok[-1], 2))
        # the band is contiguous on the grid
        idx = [int(np.argmin(np.abs(grid - s))) for s in ok]
        assert idx == list(range(idx[0], idx[-1] + 1))
    assert bands == {500: (0.050, 0.071, 1.13, 1.59), 125: (0.101, 0.143, 1.13, 1.59)}


def test_exercise_quarter():
    assert round(0.25**10 * 1e7, 1) == 9.5  # "(1/4)^10 = 9.5e-7"


def test_summary_fixed_scale():
    assert 1 / np.sqrt(10000) == 0.01  # "0.01 is balanced only for layers of 10000 inputs"


def test_saturated_fraction_exactly_at_the_threshold_is_not_saturated():
    """The rule of the chapter's exercise and of initlib, in floating point: tanh |a| > t; sigmoid a > t or
    1 - a > t. In float64 1 - 0.01 == 0.99 exactly while 1 - 0.99 == 0.010000000000000009, so the form
    a < 1 - t would count a = 0.01 as saturated."""
    sf = il.diagnostics.saturated_fraction
    assert sf is il.activations.saturated_fraction and il.activations.SATURATION_THRESHOLD == 0.99
    assert 1 - 0.01 == 0.99 and 1 - 0.99 == 0.010000000000000009 and 0.01 < 1 - 0.99
    # tanh: at the edge not saturated, just beyond it saturated, on both sides
    assert sf(np.array([0.99, -0.99]), "tanh") == 0.0
    assert sf(np.array([np.nextafter(0.99, 1), np.nextafter(-0.99, -1)]), "tanh") == 1.0
    # sigmoid: both edges not saturated, just beyond them saturated
    assert sf(np.array([0.01, 0.99]), "sigmoid") == 0.0
    assert sf(np.array([0.01 - 1e-15, np.nextafter(0.99, 1)]), "sigmoid") == 1.0
    # another threshold: the sigmoid's two tails stay mirror images
    for t in (0.9, 0.95, 0.999):
        assert sf(np.array([t, 1 - t]), "sigmoid", threshold=t) == sf(np.array([t]), "sigmoid", threshold=t) == 0.0
    # train(record_stats=True) and activation_stats count with this same function
    history_module = importlib.import_module("initlib.history")  # where train and train_many record
    assert history_module.saturated_fraction is sf
    net = il.MLP.from_weights([np.eye(2), np.ones((2, 1))], [np.zeros(2), np.zeros(1)], activation="sigmoid")
    z_edge = np.log(0.99 / 0.01)  # sigmoid(z_edge) = 0.99 up to rounding
    a = il.activations.sigmoid(np.array([[z_edge, -z_edge]]))
    assert il.activation_stats(net, np.array([[z_edge, -z_edge]])).saturated[0] == sf(a, "sigmoid")


def test_exercise_quarter_weights_cannot_compensate_without_saturating(Xy):
    """Solution of ex-saturation-quarter (cell sol-quarter-code): the backpropagated delta keeps its size near
    sqrt(n) s = 11, the weight gradient between 12 and 22; more than half of the units are then saturated."""
    X, y = Xy
    lines = []
    for k in [10, 11, 12, 22]:
        rows = []
        for seed in range(3):
            net = il.MLP([500] * 11 + [1], activation="sigmoid", init="normal", scale=k / np.sqrt(500), seed=seed)
            g = il.gradient_stats(net, X[:250], y[:250])
            rows.append(((g.signal_std[0] / g.signal_std[9]) ** (1 / 9), (g.weight_norm[1] / g.weight_norm[9]) ** (1 / 8),
                         np.mean([il.diagnostics.saturated_fraction(a, "sigmoid") for a in net.a[:10]])))
        lo, hi = np.min(rows, axis=0), np.max(rows, axis=0)
        lines.append((k, lo, hi))
    got = {k: (f"{lo[0]:.2f}-{hi[0]:.2f}", f"{lo[1]:.2f}-{hi[1]:.2f}", f"{lo[2]:.0%}-{hi[2]:.0%}") for k, lo, hi in lines}
    assert got == EXPECTED_QUARTER
    delta = {k: (lo[0], hi[0]) for k, lo, hi in lines}
    dW = {k: (lo[1], hi[1]) for k, lo, hi in lines}
    sat = {k: (lo[2], hi[2]) for k, lo, hi in lines}
    assert delta[10][1] < 1 < delta[11][0] and abs(np.mean(delta[11]) - 1) < 0.02  # delta balances near 11
    assert dW[12][1] < 1 < dW[22][0]  # the weight gradient between 12 and 22
    assert sat[11][0] > 0.5 and 0.55 < sat[12][0] and sat[12][1] < 0.6  # "more than half", "almost three fifths"
    assert 0.4 <= 1 - sat[12][1] and 1 - sat[12][0] < 0.45  # "the 40 % or so that are not"


EXPECTED_QUARTER = {  # sqrt(n) s: per-layer factor of delta, of |dW| (layers 2-10), saturated fraction; seeds 0-2, 250 inputs
    10: ("0.96-0.97", "0.78-0.81", "50%-52%"),
    11: ("1.01-1.02", "0.80-0.85", "54%-56%"),
    12: ("1.05-1.06", "0.83-0.89", "58%-59%"),
    22: ("1.41-1.43", "1.15-1.25", "77%-77%"),
}
