"""Every number and claim of chapters/04_orthogonal.ipynb, recomputed with the chapter's seeds.

The check of the chapter's implement exercise is tested in tests/test_checks_orthogonal.py.
The expensive runs (the spectra to depth 200, the deep linear fits, the twelve tanh
classifiers and their nudged variants) are shared through module-scoped fixtures.
"""
import numpy as np
import pytest

import initlib as il
from _claims import g2

WIDTH, DEPTHS = 128, [1, 2, 5, 10, 20, 50, 100, 200]
INITS = {"Gaussian": "lecun_normal", "orthogonal": "orthogonal"}
GAINS = {"linear": 1.0, "tanh": 1.0, "relu": np.sqrt(2)}


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).standard_normal((1, WIDTH))


@pytest.fixture(scope="module")
def spectra(x):
    out = {}
    for act in GAINS:
        for init in INITS:
            net = il.MLP([WIDTH] * (DEPTHS[-1] + 1), activation=act, output="identity", init=INITS[init],
                         init_kwargs={"gain": GAINS[act]}, seed=0)
            out[act, init] = il.diagnostics.jacobian_spectra(net, x, layers=DEPTHS)
    return out


# ------------------------------------------------------------------ the Jacobian ----

def test_jacobian_against_finite_differences():
    net = il.MLP([4, 8, 8, 3], activation="tanh", output="identity", seed=0)
    x0 = np.random.default_rng(1).standard_normal(4)
    J = il.diagnostics.jacobian(net, x0)
    eps = 1e-6
    J_fd = np.stack([(net.logits([x0 + eps * e]) - net.logits([x0 - eps * e]))[0] / (2 * eps) for e in np.eye(4)], axis=1)
    assert J.shape == (3, 4)
    assert f"{np.abs(J - J_fd).max():.0e}" == "3e-10"


# ------------------------------------------------------------ linear networks ----

def test_orthogonal_linear_networks_are_isometries(spectra):
    for d, s in spectra["linear", "orthogonal"].items():
        np.testing.assert_allclose(s.singular_values, 1.0, atol=1e-10, rtol=0)
        assert s.zero_fraction == 0 and s.spread < 1e-10
    worst = np.abs(spectra["linear", "orthogonal"][200].singular_values - 1).max()
    assert 1e-15 < worst < 1e-14  # "a few times 1e-15 after 200 layers"


def test_gaussian_linear_spectrum_spreads(spectra):
    s = spectra["linear", "Gaussian"]
    assert [g2(s[d].median) for d in (1, 10, 50)] == [0.8, 0.033, 2.5e-8]
    assert round(s[1].singular_values.min(), 3) == 0.002 and g2(s[1].max) == 2.0  # alt: "between about 0.002 and 2"
    assert s[200].median == 0
    assert [g2(s[d].max) for d in (10, 50)] == [4.8, 6.5]
    assert [g2(s[d].mean_square) for d in (10, 50, 200)] == [1.0, 0.71, 0.075]
    assert [round(100 * s[d].zero_fraction) for d in (10, 50, 200)] == [1, 31, 74]
    # "crushed by a constant factor per layer: ... 0.710, ... 0.705" ("about 0.7 per layer")
    assert round(s[10].median ** (1 / 10), 3) == 0.710
    assert round(s[50].median ** (1 / 50), 3) == 0.705
    assert round(s[50].spread, 1) == 3.8  # the summary table
    # the spread grows with depth while the orthogonal one stays 0
    assert all(np.diff([s[d].spread for d in DEPTHS]) > 0)


# ------------------------------------------------------------ tanh and ReLU ----

def test_tanh_orthogonal_keeps_its_shape_but_drifts(spectra):
    o, g = spectra["tanh", "orthogonal"], spectra["tanh", "Gaussian"]
    spreads = [o[d].spread for d in (10, 20, 50, 100, 200)]
    assert round(min(spreads), 2) == 0.47 and round(max(spreads), 2) == 0.53
    assert [g2(o[d].median) for d in (10, 50, 200)] == [0.22, 0.087, 0.042]
    assert all(np.diff([o[d].median for d in DEPTHS]) < 0)  # drifts down with depth
    assert round(g[10].spread, 1) == 2.5 and 3.8 < g[200].spread < 4  # "2.5 ... almost 4"
    assert [round(100 * g[d].zero_fraction) for d in (10, 50, 200)] == [1, 32, 74]  # as the linear ones
    assert all(o[d].zero_fraction == 0 for d in DEPTHS)


def test_relu_loses_half_the_directions_with_any_weights(spectra):
    for init in INITS:
        s = spectra["relu", init]
        assert all(0.5 <= s[d].zero_fraction < 0.9 for d in DEPTHS[1:])  # "from depth 2 on, about half"
        assert all(s[d].median == 0 for d in DEPTHS[1:])
        assert s[50].spread > 3  # "more than 3 decades at depth 50"
    assert [round(100 * spectra["relu", "Gaussian"][d].zero_fraction) for d in (10, 50, 200)] == [53, 66, 88]
    assert [round(100 * spectra["relu", "orthogonal"][d].zero_fraction) for d in (10, 50, 200)] == [62, 62, 80]
    # depth 1: no activation yet, the orthogonal network's singular values are all its gain sqrt(2)
    np.testing.assert_allclose(spectra["relu", "orthogonal"][1].singular_values, np.sqrt(2), rtol=1e-12)


# --------------------------------------------------------- deep linear training ----

@pytest.fixture(scope="module")
def target():
    return il.deep_linear.linear_target(np.geomspace(1.0, 0.1, 32), seed=0)


def fit(target, init, depth, lr=0.005, steps=1000):
    net = il.MLP([32] * (depth + 1), activation="linear", output="identity", init=INITS[init], seed=0)
    return il.deep_linear.fit_linear_map(net, target, lr=lr, steps=steps)


@pytest.fixture(scope="module")
def fits(target):
    return {(init, d): fit(target, init, d) for init in INITS for d in (4, 16, 64)}


def test_deep_linear_depth_trends(fits):
    orth = [fits["orthogonal", d].final for d in (4, 16, 64)]
    assert [float(f"{v:.2g}") for v in orth] == [0.051, 0.026, 0.0068]
    assert orth[0] > orth[1] > orth[2]  # orthogonal: faster with depth
    assert fits["orthogonal", 64].steps_to(0.01) == 660
    assert fits["orthogonal", 4].steps_to(0.01) is None and fits["orthogonal", 16].steps_to(0.01) is None
    gauss = [fits["Gaussian", d].final for d in (4, 16)]
    assert [float(f"{v:.2g}") for v in gauss] == [0.071, 0.2]
    assert gauss[0] < gauss[1]  # Gaussian: slower with depth
    assert fits["Gaussian", 64].diverged_step == 3
    # "the depth-16 curve has a spike near step 300"
    g16 = fits["Gaussian", 16]
    jumps = np.diff(g16.relative_loss)
    assert jumps.max() > 0 and 280 <= g16.step[int(np.argmax(jumps)) + 1] <= 340


def test_first_step_moves_the_map_L_times_faster(target):
    """Equation eq-ortho-effective-lr: with orthogonal weights one small step changes P by -lr * L * (P - M)."""
    for depth in (4, 16):
        net = il.MLP([32] * (depth + 1), activation="linear", output="identity", init="orthogonal", seed=0)
        P0 = il.deep_linear.end_to_end(net)
        lr = 1e-7
        il.deep_linear.fit_linear_map(net, target, lr=lr, steps=1)
        dP = il.deep_linear.end_to_end(net) - P0
        expected = -lr * depth * (P0 - target)
        assert np.linalg.norm(dP - expected) / np.linalg.norm(expected) < 1e-5


# ----------------------------------------------------------- tanh classifier ----

#: the chapter's variants of the runs: (index of the weight matrix, direction) moved by one unit in the last place
NUDGES = [(0, np.inf), (15, np.inf), (15, -np.inf)]


def _moons_runs(nudge=None):
    X, y, Xt, yt = il.data.moons(100, 500, seed=1)
    runs = {}
    for init in INITS:
        runs[init] = []
        for seed in range(6):
            net = il.MLP([2] + [32] * 29 + [1], activation="tanh", init=["lecun_normal"] + [INITS[init]] * 29, seed=seed)
            if nudge is not None:
                layer, towards = nudge
                net.W[layer][...] = np.nextafter(net.W[layer], towards)
            runs[init].append(il.train(net, X, y, epochs=150, lr=0.1, X_test=Xt, y_test=yt, record_every=10))
    return runs


def _summary(runs):
    """(mean final loss, mean test accuracy, final losses) per init, and the difference in standard errors."""
    loss = {k: np.array([h.final_loss for h in hs]) for k, hs in runs.items()}
    acc = {k: np.array([h.final_test_acc for h in hs]) for k, hs in runs.items()}
    se = {k: v.std(ddof=1) / np.sqrt(6) for k, v in loss.items()}
    z = (loss["orthogonal"].mean() - loss["Gaussian"].mean()) / np.hypot(se["orthogonal"], se["Gaussian"])
    return {k: (loss[k].mean(), acc[k].mean(), loss[k]) for k in INITS}, z


@pytest.fixture(scope="module")
def moons_runs():
    return _moons_runs()


@pytest.fixture(scope="module")
def moons_nudged():
    return {nudge: _moons_runs(nudge) for nudge in NUDGES}


def test_classifier_run_as_printed(moons_runs):
    stats, z = _summary(moons_runs)
    loss = {k: v[2] for k, v in stats.items()}
    assert round(stats["orthogonal"][0], 2) == 0.20 and round(stats["Gaussian"][0], 2) == 0.32
    assert round(stats["orthogonal"][1], 2) == 0.93 and round(stats["Gaussian"][1], 2) == 0.88
    assert round(z, 1) == -1.4  # "by 1.4 standard errors of the difference"
    # "two of the orthogonal runs reach a loss near 0, the other four and all six Gaussian ones
    # stall between about 0.16 and 0.44"
    assert np.sum(loss["orthogonal"] < 0.05) == 2
    others = np.concatenate([loss["orthogonal"][loss["orthogonal"] >= 0.05], loss["Gaussian"]])
    assert 0.15 < others.min() and others.max() < 0.45
    assert round(loss["Gaussian"].min(), 2) == 0.16 and round(loss["Gaussian"].max(), 2) == 0.44


def test_classifier_runs_are_chaotic(moons_runs, moons_nudged):
    """What the text says of the three variants and the run: how far they move, and what survives."""
    variants = [_summary(moons_runs)] + [_summary(runs) for runs in moons_nudged.values()]
    base = variants[0][0]
    changes = [np.abs(stats[k][2] - base[k][2]).max() for stats, _ in variants for k in INITS]
    assert round(max(changes), 2) == 0.46  # "the final loss of a single run changes by up to 0.46"
    means = {k: [stats[k][0] for stats, _ in variants] for k in INITS}
    assert (round(min(means["orthogonal"]), 2), round(max(means["orthogonal"]), 2)) == (0.13, 0.25)
    assert (round(min(means["Gaussian"]), 2), round(max(means["Gaussian"]), 2)) == (0.32, 0.40)
    zs = [abs(z) for _, z in variants]
    assert (round(min(zs), 1), round(max(zs), 1)) == (0.9, 3.3)  # "between 0.9 and 3.3 standard errors"
    # "what survives every variant is the sign"
    assert all(stats["orthogonal"][0] < stats["Gaussian"][0] for stats, _ in variants)


# ------------------------------------------------------------------ exercises ----

def test_exercise_gain():
    assert round(2 ** (-1 / 100), 4) == 0.9931 and round(2 ** (1 / 100), 4) == 1.007
    net = il.MLP([16] * 101, activation="linear", output="identity", init="orthogonal", init_kwargs={"gain": 1.007}, seed=0)
    s = il.diagnostics.jacobian_spectrum(net, np.zeros((1, 16))).singular_values
    np.testing.assert_allclose(s, 1.007**100, rtol=1e-10)


def test_exercise_relu_rank(x):
    net = il.MLP([WIDTH] * 11, activation="relu", output="identity", init="orthogonal", init_kwargs={"gain": np.sqrt(2)}, seed=0)
    net.forward(x)
    active = [int((z > 0).sum()) for z in net.z[:-1]]
    s = il.diagnostics.jacobian_spectrum(net, x)
    assert min(active) == 49 and int((~s.zero).sum()) == 49
    leaky = il.MLP([WIDTH] * 11, activation=il.activations.leaky(0.2), output="identity", init="orthogonal",
                   init_kwargs={"gain": np.sqrt(2)}, seed=0)
    s = il.diagnostics.jacobian_spectrum(leaky, x)
    assert s.zero_fraction == 0 and round(s.spread, 1) == 1.6 and float(f"{s.singular_values.min():.0e}") == 7e-5


def test_exercise_learning_rate(target):
    final = {d: fit(target, "orthogonal", d, lr=0.32 / d, steps=500).final for d in (4, 16, 64)}
    assert final[4] < final[16] / 3 and final[4] < final[64] / 3  # depth 4 is the fastest
    assert abs(final[16] - final[64]) / final[64] < 0.05  # 16 and 64 close to each other


def test_exercise_tanh_gain(x):
    rows = {}
    for g in (1.0, 1.05, 1.1, 1.15, 1.2, 1.3):
        net = il.MLP([WIDTH] * 51, activation="tanh", output="identity", init="orthogonal", init_kwargs={"gain": g}, seed=0)
        rows[g] = il.diagnostics.jacobian_spectrum(net, x)
    ms = [rows[g].mean_square for g in rows]
    assert all(np.diff(ms) > 0) and rows[1.15].mean_square < 1 < rows[1.2].mean_square
    assert round(ms[0], 3) == 0.015 and round(ms[-1]) == 11
    assert max(s.median for s in rows.values()) < 0.16 and round(rows[1.05].median, 2) == 0.16
    assert rows[1.05].median == max(s.median for s in rows.values())
    assert round(rows[1.0].spread, 1) == 0.5 and 2.8 < rows[1.3].spread < 3
    assert round(rows[1.0].max, 2) == 0.26 and round(rows[1.3].max) == 17


def test_exercise_qr_without_the_sign_correction():
    """Solution of ex-ortho-qr: "about 80 % of Q's diagonal entries are negative, and a 2 x 1 draw always
    points to the same side"."""
    rng = np.random.default_rng(0)
    diag = np.concatenate([np.diag(np.linalg.qr(rng.standard_normal((30, 30)))[0]) for _ in range(50)])
    assert 0.75 < np.mean(diag < 0) < 0.85
    firsts = [np.linalg.qr(rng.standard_normal((2, 1)))[0][0, 0] for _ in range(200)]
    assert all(v < 0 for v in firsts)
