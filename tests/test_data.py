"""Tests for initlib.data: shapes, labels, balance, determinism, bad input."""
import numpy as np
import pytest

import initlib.data as data

BINARY = ["circles", "moons", "spirals", "xor", "blobs"]
NAMES = "blobs, circles, moons, spirals, xor"


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("n_train, n_test", [(300, 100), (7, 3), (1, 0)])
def test_shapes_dtypes_labels_balance(name, n_train, n_test):
    X, y, Xt, yt = data.load(name, n_train=n_train, n_test=n_test, seed=0)
    for A, b, n in ((X, y, n_train), (Xt, yt, n_test)):
        assert A.shape == (n, 2) and A.dtype == np.float64
        assert b.shape == (n, 1) and b.dtype == np.float64
        assert np.all(np.isfinite(A))
        assert set(np.unique(b)) <= {0.0, 1.0}
        # exactly balanced; the first class (label 0) gets the odd one out
        assert np.count_nonzero(b == 0) == (n + 1) // 2
        assert np.count_nonzero(b == 1) == n // 2


@pytest.mark.parametrize("name", BINARY)
def test_defaults_and_shuffled(name):
    X, y, Xt, yt = data.get(name)()
    assert X.shape == (300, 2) and Xt.shape == (100, 2)
    assert 0.2 < np.abs(X).max() < 5  # features of order 1
    # shuffled: labels are not sorted by class
    assert np.any(np.diff(y[:, 0]) < 0) and np.any(np.diff(y[:, 0]) > 0)


@pytest.mark.parametrize("name", BINARY)
def test_determinism(name):
    a = data.load(name, seed=3)
    b = data.load(name, seed=3)
    c = data.load(name, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)  # same seed, same bits
    assert not np.array_equal(a[0], c[0])  # different seed differs
    assert not np.array_equal(a[0][:100], a[2])  # train != test
    # rng= gives the same draws as seed=, and the training set does not depend on n_test
    d = data.load(name, rng=np.random.default_rng(3))
    e = data.load(name, n_test=0, seed=3)
    for u, v in zip(a, d):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a[0], e[0])
    np.testing.assert_array_equal(a[1], e[1])


def test_no_global_random_state():
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    a = data.circles(seed=5)
    np.random.seed(123)
    b = data.circles(seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.random.seed(0)
    data.spirals(seed=5)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


@pytest.mark.parametrize("factor", [0.5, 0.2, 0.9])
def test_circles_noise_free_points_on_radii(factor):
    X, y, Xt, yt = data.circles(51, 20, noise=0.0, factor=factor, seed=2)
    for A, b in ((X, y), (Xt, yt)):
        radius = np.hypot(A[:, 0], A[:, 1])
        expected = np.where(b[:, 0] == 1, factor, 1.0)
        np.testing.assert_allclose(radius, expected, rtol=0, atol=1e-12)


def test_moons_and_xor_noise_free_geometry():
    X, y, _, _ = data.moons(100, 0, noise=0.0, seed=1)
    upper = y[:, 0] == 0
    P = X + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(*P[upper].T), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.hypot(*(P[~upper] - [1.0, 0.5]).T), 1.0, atol=1e-12)
    assert np.all(P[upper, 1] >= 0) and np.all(P[~upper, 1] <= 0.5)

    X, y, _, _ = data.xor(100, 0, noise=0.0, seed=1)
    np.testing.assert_array_equal(np.abs(X), 1.0)
    np.testing.assert_array_equal(y[:, 0] == 1, X[:, 0] * X[:, 1] < 0)


def test_spirals_radius_and_turns():
    X, _, _, _ = data.spirals(200, 0, noise=0.0, seed=1)
    assert np.hypot(*X.T).max() <= 1.0
    a = data.spirals(50, 0, turns=1.0, seed=1)[0]
    b = data.spirals(50, 0, turns=2.0, seed=1)[0]
    assert not np.array_equal(a, b)


def test_blobs_multiclass():
    X, y, Xt, yt = data.blobs(10, 5, n_classes=3, n_features=4, seed=0)
    assert X.shape == (10, 4) and Xt.shape == (5, 4) and X.dtype == np.float64
    assert y.shape == (10,) and yt.shape == (5,)
    assert y.dtype == np.int64 and yt.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [4, 3, 3])
    np.testing.assert_array_equal(np.bincount(yt, minlength=3), [2, 2, 1])


@pytest.mark.parametrize("n_features", [1, 2, 5])
def test_blobs_noise_free_centres_are_distinct(n_features):
    X, y, _, _ = data.blobs(40, 0, n_classes=4, n_features=n_features, spread=0.0, seed=0)
    assert X.shape == (40, n_features)
    centres = np.array([X[y == k][0] for k in range(4)])
    for k in range(4):
        np.testing.assert_array_equal(X[y == k], np.broadcast_to(centres[k], X[y == k].shape))
    assert len(np.unique(centres, axis=0)) == 4


@pytest.mark.parametrize(
    "name, kwargs, exc, match",
    [
        ("circles", {"n_train": 0}, ValueError, "n_train"),
        ("moons", {"n_train": -5}, ValueError, "n_train"),
        ("xor", {"n_train": 2.5}, TypeError, "n_train"),
        ("spirals", {"n_train": True}, TypeError, "n_train"),
        ("blobs", {"n_test": -1}, ValueError, "n_test"),
        ("circles", {"n_test": "10"}, TypeError, "n_test"),
        ("circles", {"noise": -0.1}, ValueError, "noise"),
        ("moons", {"noise": float("nan")}, ValueError, "noise"),
        ("spirals", {"noise": -1}, ValueError, "noise"),
        ("xor", {"noise": "big"}, TypeError, "noise"),
        ("circles", {"factor": 0.0}, ValueError, r"factor .*\(0, 1\)"),
        ("circles", {"factor": 1.0}, ValueError, r"factor .*\(0, 1\)"),
        ("circles", {"factor": 1.5}, ValueError, r"factor .*\(0, 1\)"),
        ("circles", {"factor": None}, TypeError, "factor"),
        ("spirals", {"turns": 0}, ValueError, "turns"),
        ("blobs", {"n_classes": 1}, ValueError, "n_classes must be >= 2"),
        ("blobs", {"n_classes": 2.0}, TypeError, "n_classes"),
        ("blobs", {"n_features": 0}, ValueError, "n_features"),
        ("blobs", {"spread": -0.5}, ValueError, "spread"),
        ("moons", {"seed": -1}, ValueError, "seed"),
        ("moons", {"seed": 1.5}, TypeError, "seed"),
        ("xor", {"seed": None}, ValueError, "rng is required"),
        ("circles", {"rng": 42}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_input(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        data.load(name, **kwargs)


def test_registry_and_unknown_name():
    assert sorted(data.DATASETS) == NAMES.split(", ")
    for name, f in data.DATASETS.items():
        assert data.get(name) is f
    msg = f"unknown dataset 'x'; valid: {NAMES}"
    with pytest.raises(ValueError, match=f"^{msg}$"):
        data.get("x")
    with pytest.raises(ValueError, match=msg):
        data.load("x", seed=0)
    with pytest.raises(TypeError, match="dataset"):
        data.get(None)
    with pytest.raises(TypeError):
        data.load("circles", bogus=1)
