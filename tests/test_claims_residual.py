"""Every number and claim of chapters/05_residual.ipynb, recomputed with the chapter's seeds.

The expensive runs (the learning-rate sweep and the Adam runs of the training
section) are shared through module-scoped fixtures. The exercise check
(``check_fixup_branch``) has its own tests in tests/test_checks_residual.py.
"""
import math
import warnings

import numpy as np
import pytest

import initlib as il
from _claims import g2, g3


# ------------------------------------------------------- the variance of the stream ----


def test_a_he_branch_doubles_the_variance_and_is_uncorrelated_with_the_stream():
    rng = np.random.default_rng(0)
    h = 3.0 * rng.standard_normal((1000, 256))
    W1, W2 = il.init.he_normal(256, 256, rng=rng), il.init.he_normal(256, 256, rng=rng)
    r = il.activations.relu(h @ W1) @ W2
    ratio = float(r.var() / h.var())
    corr = float(np.corrcoef(h.ravel(), r.ravel())[0, 1])
    assert round(ratio, 3) == 1.922 and abs(ratio - 2) < 0.1  # c = 2
    assert round(corr, 4) == -0.0011 and abs(corr) < 0.01


def test_the_predictions_of_the_recursion():
    assert round(math.sqrt(3) ** 10) == 243
    assert g2(math.sqrt(3) ** 50) == 8.5e11
    assert [round((1 + 2 / L) ** L, 3) for L in (10, 100, 10_000)] == sorted([round((1 + 2 / L) ** L, 3) for L in (10, 100, 10_000)])
    assert (1 + 2 / 10_000) ** 10_000 < math.e**2


# ------------------------------------------------------------------ at initialization ----

X_INIT = np.random.default_rng(0).standard_normal((512, 2))
Y_INIT = (np.random.default_rng(1).random((512, 1)) < 0.5).astype(float)
RULES = {"α = 1": lambda L: dict(branch_scale=1.0), "α = 1/√L": lambda L: dict(branch_scale=1 / np.sqrt(L)),
         "zero last layer": lambda L: dict(zero_last=True)}


@pytest.fixture(scope="module")
def stats():
    return {rule: {L: il.diagnostics.block_stats(il.ResidualMLP(2, 64, L, seed=0, **kw(L)), X_INIT, Y_INIT)
                   for L in (10, 50, 100)} for rule, kw in RULES.items()}


def test_alpha_one_grows_like_three_to_the_L_within_a_few_percent_in_log_scale(stats):
    printed = {L: g3(s.ratio[-1]) for L, s in stats["α = 1"].items()}
    assert printed == {10: 168.0, 50: 6.27e11, 100: 4.7e23}
    for L, s in stats["α = 1"].items():
        error = abs(math.log(s.ratio[-1]) / math.log(math.sqrt(3) ** L) - 1)
        assert error < (0.07 if L == 10 else 0.015), (L, error)  # "right to about 1 %" at 50 and 100 blocks
        # a constant factor per block: straight lines on the log axis
        per_block = np.diff(np.log(s.stream_std))
        assert abs(per_block.mean() - math.log(math.sqrt(3))) < 0.05


def test_alpha_one_gradient_grows_as_much_on_the_way_back(stats):
    s = stats["α = 1"][50]
    assert g3(s.stream_grad_std[0] / s.stream_grad_std[-1]) == 4.21e11


def test_depth_scaled_rule_stays_bounded_below_e(stats):
    ratios = {L: round(float(s.ratio[-1]), 2) for L, s in stats["α = 1/√L"].items()}
    assert ratios == {10: 2.58, 50: 2.63, 100: 2.37}
    assert min(ratios.values()) == 2.37 and max(ratios.values()) == 2.63
    for s in stats["α = 1/√L"].values():
        assert 1.0 <= s.ratio.max() < math.e


def test_zero_last_layer_is_exactly_the_identity(stats):
    for s in stats["zero last layer"].values():
        assert np.all(s.ratio == 1.0)
        assert np.all(s.stream_grad_std == s.stream_grad_std[-1])


# ------------------------------------------------------------------------- training ----

N_BLOCKS, WIDTH = 16, 16
SETTINGS = {"α = 1": {}, "α = 1/√L": dict(branch_scale=1 / np.sqrt(N_BLOCKS)), "zero last layer": dict(zero_last=True),
            "ReZero": dict(branch_scale=0.0, learn_scale=True), "plain MLP": None}
LRS = [0.003, 0.01, 0.03, 0.1]


def make(rule, seed=0):
    if SETTINGS[rule] is None:
        return il.MLP([2] + [WIDTH] * (2 * N_BLOCKS + 1) + [1], seed=seed)
    return il.ResidualMLP(2, WIDTH, N_BLOCKS, seed=seed, **SETTINGS[rule])


@pytest.fixture(scope="module")
def spirals():
    return il.data.spirals(200, 200, seed=1)


@pytest.fixture(scope="module")
def sweep(spirals):
    X, y, Xt, yt = spirals
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {(rule, lr): il.train(make(rule), X, y, epochs=150, lr=lr, optimizer="momentum", record_every=5,
                                     X_test=Xt, y_test=yt) for rule in SETTINGS for lr in LRS}


def cell(h):
    return f"diverged at {h.diverged_epoch}" if h.diverged else f"{h.final_train_acc:.0%} / {h.final_test_acc:.0%}"


def first_below(h, level=0.1):
    return int(h.epoch[np.argmax(h.loss < level)]) if (h.loss < level).any() else None


def test_the_learning_rate_table(sweep):
    table = {rule: [cell(sweep[rule, lr]) for lr in LRS] for rule in SETTINGS}
    assert table == {
        "α = 1": ["diverged at 3", "diverged at 2", "diverged at 2", "diverged at 2"],
        "α = 1/√L": ["61% / 61%", "98% / 95%", "100% / 100%", "100% / 100%"],
        "zero last layer": ["61% / 64%", "98% / 95%", "100% / 98%", "diverged at 48"],
        "ReZero": ["62% / 65%", "72% / 72%", "diverged at 137", "diverged at 47"],
        "plain MLP": ["78% / 76%", "56% / 57%", "50% / 50%", "50% / 50%"],
    }


def test_rezero_reached_98_percent_before_it_diverged(sweep):
    h = sweep["ReZero", 0.03]
    assert h.diverged and f"{np.max(h.test_acc):.1%}" == "98.0%"


def test_alpha_one_diverges_and_train_reports_the_step(sweep):
    assert round(sweep["α = 1", 0.003].loss[0], 1) == 1499.8
    for lr in LRS:
        h = sweep["α = 1", lr]
        assert h.diverged and h.diverged_epoch == (3 if lr == 0.003 else 2)
        assert f"training diverged at epoch {h.diverged_epoch}" in h.message


def test_depth_scaled_rule_is_the_fastest_and_most_robust(sweep):
    steps = {rule: [first_below(sweep[rule, lr]) for lr in LRS] for rule in ("α = 1/√L", "zero last layer")}
    assert steps == {"α = 1/√L": [None, 140, 65, 40], "zero last layer": [None, 135, 75, None]}
    # the only start that trains (no divergence, > 95 % train) at the three largest learning rates
    robust = [rule for rule in SETTINGS
              if all(not sweep[rule, lr].diverged and sweep[rule, lr].final_train_acc > 0.95 for lr in LRS[1:])]
    assert robust == ["α = 1/√L"]
    # the fastest run of the table; ahead of the zero last layer at 0.03, 5 steps behind it at 0.01
    reached = {(rule, lr): first_below(sweep[rule, lr]) for rule in SETTINGS for lr in LRS
               if not sweep[rule, lr].diverged and first_below(sweep[rule, lr]) is not None}
    assert min(reached, key=reached.get) == ("α = 1/√L", 0.1)


def test_plain_mlp_only_learns_with_the_smallest_learning_rate(sweep):
    assert sweep["plain MLP", 0.003].final_train_acc > 0.75
    for lr in LRS[1:]:
        h = sweep["plain MLP", lr]
        assert abs(h.final_loss - math.log(2)) < 0.02 or h.final_train_acc < 0.6
    # at 0.003 no network learns the spirals in 150 steps, and the plain MLP is ahead
    at_small = {rule: sweep[rule, 0.003].final_train_acc for rule in SETTINGS if not sweep[rule, 0.003].diverged}
    assert max(at_small, key=at_small.get) == "plain MLP" and max(at_small.values()) < 0.8


@pytest.fixture(scope="module")
def adam(spirals):
    X, y, Xt, yt = spirals
    return {rule: il.train(make(rule), X, y, epochs=100, lr=0.01, optimizer="adam", record_every=5,
                           X_test=Xt, y_test=yt) for rule in SETTINGS}


def test_adam(adam):
    printed = {rule: (f"{h.loss[0]:8.4g}".strip(), f"{h.final_loss:.2g}", f"{h.final_train_acc:.1%}",
                      f"{h.final_test_acc:.1%}", first_below(h)) for rule, h in adam.items()}
    assert printed == {
        "α = 1": ("1500", "0.0045", "100.0%", "94.5%", 55),
        "α = 1/√L": ("1.255", "1.9e-06", "100.0%", "99.5%", 40),
        "zero last layer": ("0.9208", "8.6e-05", "100.0%", "97.5%", 65),
        "ReZero": ("0.9208", "2.5e-06", "100.0%", "99.0%", 60),
        "plain MLP": ("0.6925", "0.69", "50.0%", "50.0%", None),
    }
    residual = [r for r in SETTINGS if r != "plain MLP"]
    assert not any(adam[r].diverged for r in residual)  # α = 1 survives with Adam
    assert min(residual, key=lambda r: adam[r].final_test_acc) == "α = 1"  # the lowest test accuracy


# ------------------------------------------------------------- a zero layer that learns ----


def test_zero_last_layer_gets_a_gradient_and_the_first_layer_from_step_one(spirals):
    X, y, _, _ = spirals
    net = make("zero last layer")
    out = []
    for step in [0, 1]:
        net.loss_and_grad(X, y)
        out.append((np.array([g.std() for g in net.dW1]), np.array([g.std() for g in net.dW2])))
        il.train(net, X, y, epochs=1, lr=0.03, optimizer="momentum")
    (g1, g2), (h1, h2) = out
    assert np.all(g1 == 0) and g2.min() > 0
    assert h1.min() > 0 and h2.min() > 0
    assert (g2f(g2.min()), g2f(g2.max())) == (0.025, 0.047)
    assert (g2f(h1.min()), g2f(h1.max()), g2f(h2.min()), g2f(h2.max())) == (0.00021, 0.00043, 0.017, 0.034)


def g2f(x):
    return float(f"{x:.2g}")


def test_zero_hidden_relu_layer_never_learns(spirals):
    X, y, _, _ = spirals
    trap = il.MLP([2, 16, 16, 16, 1], init=["he_normal", "zeros", "he_normal", "he_normal"], seed=0)
    il.train(trap, X, y, epochs=100, lr=0.03, optimizer="momentum")
    trap.loss_and_grad(X, y)
    assert np.all(trap.W[1] == 0) and float(np.abs(trap.dW[1]).max()) == 0.0


# ------------------------------------------------------------------- normalization ----


def test_batch_norm_grows_additively_and_zero_gamma_is_the_identity(stats, spirals):
    bn = il.diagnostics.block_stats(il.ResidualMLP(2, 64, 50, norm="batch", seed=0), X_INIT)
    zg = il.diagnostics.block_stats(il.ResidualMLP(2, 64, 50, norm="batch", zero_gamma=True, seed=0), X_INIT)
    var0 = bn.stream_std[0] ** 2
    assert g3(bn.ratio[-1]) == 5.56 and round(float(np.sqrt(1 + 50 / var0)), 3) == 5.494
    assert abs(bn.ratio[-1] / np.sqrt(1 + 50 / var0) - 1) < 0.05
    assert np.allclose(bn.ratio, np.sqrt(1 + np.arange(51) / var0), rtol=0.1)  # along the additive prediction
    assert np.all(zg.ratio == 1.0)
    assert np.array_equal(zg.ratio, stats["zero last layer"][50].ratio)
    X, y, _, _ = spirals
    net = il.ResidualMLP(2, WIDTH, N_BLOCKS, norm="batch", zero_gamma=True, seed=0)
    net.loss_and_grad(X, y)
    dgamma = [np.abs(n.dgamma).max() for n in net.norms2]
    assert (g2f(min(dgamma)), g2f(max(dgamma))) == (0.14, 0.35)
    assert max(np.abs(g).max() for g in net.dW2) == 0.0 and max(np.abs(g).max() for g in net.dW1) == 0.0


# ----------------------------------------------------------------------- exercises ----


def test_tanh_branch_grows_linearly():
    s = il.diagnostics.block_stats(il.ResidualMLP(2, 64, 100, activation="tanh", init="xavier_normal", seed=0), X_INIT)
    var = s.stream_std**2
    assert (round(float(s.stream_std[0]), 3), round(float(s.stream_std[-1]), 2)) == (0.228, 8.38)
    added = float((var[-1] - var[50]) / 50)
    assert round(added, 3) == 0.829 and added < 1
    z = np.random.default_rng(0).standard_normal(200_000)
    assert [round(float(np.mean(np.tanh(np.sqrt(v) * z) ** 2) / v), 4) for v in (0.01, 1, 100)] == [0.9828, 0.3948, 0.0092]


def test_predict_then_measure():
    alpha10 = np.sqrt((10 ** (1 / 50) - 1) / 2)
    assert round(alpha10, 3) == 0.154 and round(1.02**50, 2) == 2.69
    measured = []
    for alpha in [0.1, alpha10]:
        s = il.diagnostics.block_stats(il.ResidualMLP(2, 64, 100, branch_scale=alpha, seed=0), X_INIT)
        measured.append(g3(s.ratio[-1]))
    assert measured == [2.37, 8.28]
    assert round(1 - 2.37 / 2.69, 2) == 0.12 and round(1 - 8.28 / 10, 2) == 0.17
    assert round(1 - math.log(2.37) / math.log(2.69), 2) == 0.13 and round(1 - math.log(8.28) / math.log(10), 2) == 0.08


def test_the_constant_acts_through_the_learning_rate(spirals):
    X, y, Xt, yt = spirals
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in [0.5, 2.0]:
            for lr in [0.01, 0.1]:
                net = il.ResidualMLP(2, WIDTH, N_BLOCKS, branch_scale=k / np.sqrt(N_BLOCKS), seed=0)
                h = il.train(net, X, y, epochs=150, lr=lr, optimizer="momentum", X_test=Xt, y_test=yt)
                out[k, lr] = f"diverged at {h.diverged_epoch}" if h.diverged else f"train {h.final_train_acc:.0%}"
    assert out == {(0.5, 0.01): "train 60%", (0.5, 0.1): "train 100%", (2.0, 0.01): "train 100%",
                   (2.0, 0.1): "diverged at 4"}
    assert round((1 + 8 / 16) ** 8) == 26 and round(math.e**4) == 55
