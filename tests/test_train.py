"""Tests for initlib.train: History, optimizers, minibatches, divergence, determinism, bad input,
and the book's central claims about zero, He and large random initialization."""
import math
import warnings

import numpy as np
import pytest

from initlib import data
from initlib.mlp import MLP
from initlib.train import History, train

LN2 = math.log(2)
HISTORY_ARRAYS = ("epoch", "loss", "train_acc", "test_loss", "test_acc", "act_mean", "act_std", "act_frac", "grad_std")


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.fixture(scope="module")
def small_circles():
    """A small version of the book's data set, for fast tests."""
    return data.circles(80, 40, seed=1)


def regression(n=100, seed=0):
    g = rng(seed)
    X = g.normal(size=(n, 3))
    return X, X @ np.array([[1.0], [-2.0], [0.5]]) + 0.5


def assert_same_history(a, b):
    for name in HISTORY_ARRAYS:
        u, v = getattr(a, name), getattr(b, name)
        if u is None or v is None:
            assert u is None and v is None, name
        else:
            assert np.array_equal(u, v, equal_nan=True), name
    assert a.diverged == b.diverged and a.diverged_epoch == b.diverged_epoch


def assert_same_weights(a, b):
    for l in range(a.n_layers):
        assert np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])


# --------------------------------------------------------------------------
# The book's central claims (circles, [2, 10, 5, 1], ReLU, sigmoid output)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book_runs():
    """Train each configuration of the book once (about 1.5 s each); cached per module."""
    X, y, Xt, yt = data.circles()
    cache = {}

    def run(init, seed, scale=1.0):
        key = (init, seed, scale)
        if key not in cache:
            net = MLP([2, 10, 5, 1], activation="relu", output="sigmoid", init=init, scale=scale, seed=seed)
            hist = train(net, X, y, epochs=15000, lr=0.01, X_test=Xt, y_test=yt)
            cache[key] = (net, hist)
        return cache[key]

    return run


def test_book_data_defaults():
    X, y, Xt, yt = data.circles()
    assert X.shape == (300, 2) and y.shape == (300, 1)
    assert Xt.shape == (100, 2) and yt.shape == (100, 1)


def test_zero_init_stays_at_ln2(book_runs):
    net, h = book_runs("zeros", 0)
    assert not h.diverged
    assert h.epoch[0] == 0 and h.epoch[-1] == 15000
    assert np.all(np.abs(h.loss - LN2) < 1e-6)
    assert np.all(np.abs(h.test_loss - LN2) < 1e-6)
    assert abs(h.final_loss - LN2) < 1e-6
    assert h.final_train_acc == 0.5
    assert h.final_test_acc == 0.5
    assert np.all(h.train_acc == 0.5) and np.all(h.test_acc == 0.5)
    # nothing was learned: with ReLU and zero weights every weight gradient is exactly zero, and with
    # balanced classes the output bias only picks up rounding errors
    for w in net.W:
        assert not w.any()
    for v in net.b[:-1]:
        assert not v.any()
    assert np.all(np.abs(net.b[-1]) < 1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_he_init_learns_circles(book_runs, seed):
    net, h = book_runs("he_normal", seed)
    assert not h.diverged
    assert h.final_train_acc >= 0.95
    assert h.final_test_acc >= 0.9
    assert h.final_loss < 0.1 < h.loss[0]


def test_large_normal_init_starts_saturated_and_ends_worse_than_he(book_runs):
    net, h = book_runs("normal", 1, scale=10)
    _, he = book_runs("he_normal", 1)
    assert not h.diverged
    assert np.all(np.isfinite(h.loss))
    assert h.loss[0] > 10 and h.loss[0] > 10 * LN2  # far above ln 2
    assert h.final_train_acc <= 0.90
    assert he.final_train_acc - h.final_train_acc >= 0.08
    assert he.final_test_acc > h.final_test_acc


# --------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------

def test_history_fields_without_test_set(small_circles):
    X, y, _, _ = small_circles
    net = MLP([2, 6, 1], seed=0)
    initial_loss, initial_acc = net.evaluate(X, y)
    h = train(net, X, y, epochs=37, lr=0.1)
    assert isinstance(h, History)
    np.testing.assert_array_equal(h.epoch, np.arange(38))  # <= 100 epochs: every epoch is recorded
    assert h.epoch.dtype.kind == "i"
    assert h.epoch[0] == 0 and h.epoch[-1] == 37
    assert len(h.loss) == len(h.train_acc) == len(h.epoch)
    assert h.loss[0] == initial_loss and h.train_acc[0] == initial_acc
    assert h.final_loss == pytest.approx(net.loss_value(X, y), rel=1e-12)
    assert h.final_train_acc == net.accuracy(X, y)
    assert h.test_loss is None and h.test_acc is None and h.final_test_acc is None
    for name in ("act_mean", "act_std", "act_frac", "grad_std"):
        assert getattr(h, name) is None
    assert h.diverged is False and h.diverged_epoch is None
    assert h.final_loss < h.loss[0]
    assert h.summary() == {"final_loss": round(h.final_loss, 4), "train_acc": round(h.final_train_acc, 4),
                           "diverged": False}
    assert h.params == {"epochs": 37, "lr": 0.1, "batch_size": None, "optimizer": "sgd", "momentum": 0.9}
    assert repr(h).startswith("History(epochs=37, loss=")


def test_history_with_test_set_and_record_every(small_circles):
    X, y, Xt, yt = small_circles
    net = MLP([2, 6, 1], seed=0)
    h = train(net, X, y, epochs=25, lr=0.1, record_every=10, X_test=Xt, y_test=yt)
    np.testing.assert_array_equal(h.epoch, [0, 10, 20, 25])
    for name in ("loss", "train_acc", "test_loss", "test_acc"):
        assert getattr(h, name).shape == (4,), name
    loss, acc = net.evaluate(Xt, yt)
    assert h.test_loss[-1] == pytest.approx(loss, rel=1e-12) and h.final_test_acc == acc
    assert "test_acc" in h.summary() and "test_acc=" in repr(h)


def test_default_record_every_gives_about_100_records(small_circles):
    X, y, _, _ = small_circles
    h = train(MLP([2, 4, 1], seed=0), X, y, epochs=250, lr=0.1)
    np.testing.assert_array_equal(h.epoch, np.arange(0, 251, 2))
    h = train(MLP([2, 4, 1], seed=0), X, y, epochs=1, lr=0.1)
    np.testing.assert_array_equal(h.epoch, [0, 1])


def test_record_stats(small_circles):
    X, y, _, _ = small_circles
    net = MLP([2, 6, 4, 1], seed=0)
    ref = net.copy()
    h = train(net, X, y, epochs=20, lr=0.1, record_every=5, record_stats=True)
    for name in ("act_mean", "act_std", "act_frac", "grad_std"):
        assert getattr(h, name).shape == (5, 3), name
    assert np.all(np.isnan(h.act_frac[:, -1]))  # no dead/saturated notion for the output layer
    assert np.all((h.act_frac[:, :-1] >= 0) & (h.act_frac[:, :-1] <= 1))
    # at epoch 0: the statistics of the untrained network
    ref.loss_and_grad(X, y)
    np.testing.assert_allclose(h.act_mean[0], [a.mean() for a in ref.a], rtol=1e-12)
    np.testing.assert_allclose(h.act_std[0], [a.std() for a in ref.a], rtol=1e-12)
    np.testing.assert_allclose(h.act_frac[0, :-1], [np.mean(a <= 0) for a in ref.a[:-1]], rtol=1e-12)
    np.testing.assert_allclose(h.grad_std[0], [g.std() for g in ref.dW], rtol=1e-12)
    # and at the end: those of the trained one
    final = net.copy()
    final.loss_and_grad(X, y)
    np.testing.assert_allclose(h.grad_std[-1], [g.std() for g in final.dW], rtol=1e-12)


def test_record_stats_minibatch_records_training_set_gradients(small_circles):
    """grad_std must be the std of the training-set gradient, as in full-batch mode."""
    X, y, _, _ = small_circles
    net = MLP([2, 6, 4, 1], seed=0)
    ref = net.copy()
    ref.loss_and_grad(X, y)
    h = train(net, X, y, epochs=10, lr=0.1, batch_size=16, record_every=5, record_stats=True, seed=0)
    assert h.grad_std.shape == (3, 3)
    np.testing.assert_allclose(h.grad_std[0], [g.std() for g in ref.dW], rtol=1e-12)
    mid = h.grad_std[1]
    assert np.all(mid > 0)


def test_dW_after_training_is_the_gradient_not_lr_times_it(small_circles):
    """net.dW is documented as dL/dW; train must not leave it scaled by lr."""
    X, y, _, _ = small_circles
    net = MLP([2, 6, 1], seed=0)
    ref = net.copy()
    ref.loss_and_grad(X, y)
    train(net, X, y, epochs=1, lr=0.1)  # one step: the last backward pass was at the initial weights
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.dW[l], ref.dW[l], rtol=1e-12)
        np.testing.assert_allclose(net.db[l], ref.db[l], rtol=1e-12)


def test_one_step_is_a_gradient_step(small_circles):
    X, y, _, _ = small_circles
    net = MLP([2, 6, 1], bias_init="normal", seed=0)
    ref = net.copy()
    ref.loss_and_grad(X, y)
    train(net, X, y, epochs=1, lr=0.1)
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.W[l], ref.W[l] - 0.1 * ref.dW[l], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.b[l], ref.b[l] - 0.1 * ref.db[l], rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------
# Optimizers, minibatches
# --------------------------------------------------------------------------

def test_momentum_decreases_loss():
    X, y = regression()
    sgd = train(MLP([3, 1], output="identity", seed=0), X, y, epochs=100, lr=0.01)
    mom = train(MLP([3, 1], output="identity", seed=0), X, y, epochs=100, lr=0.01, optimizer="momentum")
    assert mom.loss[0] == sgd.loss[0]
    assert mom.final_loss < 1e-3 * mom.loss[0]
    assert mom.final_loss < sgd.final_loss  # heavy ball is faster here
    assert mom.params["optimizer"] == "momentum"
    # momentum=0 is plain gradient descent
    zero = train(MLP([3, 1], output="identity", seed=0), X, y, epochs=100, lr=0.01, optimizer="momentum", momentum=0.0)
    np.testing.assert_allclose(zero.loss, sgd.loss, rtol=1e-10)


def test_momentum_on_a_hidden_layer_net(small_circles):
    X, y, _, _ = small_circles
    h = train(MLP([2, 10, 5, 1], seed=0), X, y, epochs=200, lr=0.01, optimizer="momentum")
    assert h.final_loss < 0.5 * h.loss[0]


def test_minibatch_training_learns(small_circles):
    X, y, Xt, yt = small_circles
    net = MLP([2, 10, 5, 1], seed=0)
    h = train(net, X, y, epochs=150, lr=0.05, batch_size=16, seed=0, X_test=Xt, y_test=yt)
    assert not h.diverged
    assert h.epoch[-1] == 150
    assert h.final_loss < 0.5 * h.loss[0]
    assert h.final_train_acc >= 0.9
    assert h.params["batch_size"] == 16


def test_minibatch_with_uneven_last_batch_and_momentum(small_circles):
    X, y, _, _ = small_circles
    h = train(MLP([2, 10, 5, 1], seed=0), X, y, epochs=50, lr=0.01, batch_size=30, optimizer="momentum", seed=1)
    assert np.all(np.isfinite(h.loss)) and h.final_loss < h.loss[0]


def test_batch_size_at_least_n_is_full_batch(small_circles):
    X, y, _, _ = small_circles
    full = train(MLP([2, 6, 1], seed=0), X, y, epochs=30, lr=0.1)
    same = train(MLP([2, 6, 1], seed=0), X, y, epochs=30, lr=0.1, batch_size=len(X))
    big = train(MLP([2, 6, 1], seed=0), X, y, epochs=30, lr=0.1, batch_size=10 * len(X))
    assert_same_history(full, same)
    assert_same_history(full, big)


def test_softmax_training():
    X, y, _, _ = data.blobs(120, 0, n_classes=3, seed=0)
    h = train(MLP([2, 8, 3], output="softmax", seed=0), X, y, epochs=100, lr=0.1)
    assert h.final_loss < h.loss[0] and h.final_train_acc > 0.9


def test_identity_output_records_nan_accuracy():
    X, y = regression(30)
    h = train(MLP([3, 4, 1], output="identity", seed=0), X, y, epochs=5, lr=0.01)
    assert np.all(np.isnan(h.train_acc)) and np.all(np.isfinite(h.loss))


# --------------------------------------------------------------------------
# Divergence
# --------------------------------------------------------------------------

def diverging_mse(epochs, record_every=None, X_test=None, y_test=None, batch_size=None):
    X, y = regression(50)
    net = MLP([3, 8, 1], activation="relu", output="identity", seed=0)
    with pytest.warns(RuntimeWarning, match="diverged at epoch") as record:
        h = train(net, X, y, epochs=epochs, lr=1e6, record_every=record_every, X_test=X_test, y_test=y_test,
                  batch_size=batch_size)
    return h, record


def check_diverged(h, record, classifier=False):
    assert h.diverged is True
    assert type(h.diverged_epoch) is int
    assert any(f"diverged at epoch {h.diverged_epoch}" in str(w.message) for w in record)
    assert f"diverged at epoch {h.diverged_epoch}" in h.message
    assert "diverged at epoch" in repr(h)
    assert h.summary()["diverged"] is True
    assert not np.any(np.isnan(h.loss))
    assert np.all(np.isfinite(h.loss)), h.loss
    if classifier:
        assert np.all((h.train_acc >= 0) & (h.train_acc <= 1))
    assert len(h.epoch) == len(h.loss) == len(h.train_acc) >= 1
    assert h.epoch[-1] <= h.diverged_epoch
    if h.test_loss is not None:
        assert len(h.test_loss) == len(h.test_acc) == len(h.epoch)
        assert np.all(np.isfinite(h.test_loss))


def test_divergence_sparse_records():
    h, record = diverging_mse(epochs=500)  # records every 5 epochs
    check_diverged(h, record)
    assert h.diverged_epoch < 500
    assert h.epoch[-1] < h.diverged_epoch


def test_divergence_recorded_every_epoch():
    """The epoch at which the loss blows up must not leave inf/NaN in History.loss."""
    h, record = diverging_mse(epochs=50)  # records every epoch, including the diverging one
    check_diverged(h, record)


def test_divergence_with_test_set():
    X, y = regression(20, seed=5)
    h, record = diverging_mse(epochs=50, X_test=X, y_test=y)
    check_diverged(h, record)


def test_divergence_at_the_last_update():
    h, record = diverging_mse(epochs=50, record_every=7)
    n = h.diverged_epoch  # the loss is first non-finite after n updates
    h, record = diverging_mse(epochs=n)
    check_diverged(h, record)
    assert h.diverged_epoch == n
    assert h.epoch[-1] < n


def test_divergence_minibatch():
    h, record = diverging_mse(epochs=50, batch_size=10)
    check_diverged(h, record)


def test_divergence_to_nan_with_bce(small_circles):
    X, y, _, _ = small_circles
    net = MLP([2, 10, 5, 1], seed=0)
    with pytest.warns(RuntimeWarning, match="diverged at epoch") as record:
        h = train(net, X, y, epochs=50, lr=1e200)
    check_diverged(h, record, classifier=True)


def test_large_scale_diverges():
    X, y = regression(50)
    net = MLP([3, 8, 8, 1], output="identity", init="normal", scale=1e5, seed=0)
    with pytest.warns(RuntimeWarning, match="diverged at epoch") as record:
        h = train(net, X, y, epochs=500, lr=0.01)
    check_diverged(h, record)


def test_no_warning_without_divergence(small_circles):
    X, y, _, _ = small_circles
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(MLP([2, 6, 1], seed=0), X, y, epochs=20, lr=0.1)
    assert not h.diverged and h.message == ""


# --------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------

def test_full_batch_training_is_deterministic(small_circles):
    X, y, Xt, yt = small_circles
    kwargs = dict(epochs=60, lr=0.05, X_test=Xt, y_test=yt, record_stats=True, record_every=5)
    a_net, b_net = MLP([2, 10, 5, 1], seed=3), MLP([2, 10, 5, 1], seed=3)
    np.random.seed(0)
    a = train(a_net, X, y, **kwargs)
    np.random.seed(99)
    b = train(b_net, X, y, **kwargs)
    assert_same_history(a, b)
    assert_same_weights(a_net, b_net)
    c = train(MLP([2, 10, 5, 1], seed=4), X, y, **kwargs)
    assert not np.array_equal(a.loss, c.loss)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_minibatch_training_is_deterministic(small_circles, optimizer):
    X, y, Xt, yt = small_circles
    kwargs = dict(epochs=20, lr=0.02, batch_size=16, optimizer=optimizer, X_test=Xt, y_test=yt, record_stats=True)
    nets = [MLP([2, 10, 5, 1], seed=1) for _ in range(4)]
    np.random.seed(0)
    a = train(nets[0], X, y, seed=7, **kwargs)
    np.random.seed(1)
    b = train(nets[1], X, y, seed=7, **kwargs)
    c = train(nets[2], X, y, rng=np.random.default_rng(7), **kwargs)
    d = train(nets[3], X, y, seed=8, **kwargs)
    assert_same_history(a, b)
    assert_same_history(a, c)
    assert_same_weights(nets[0], nets[1])
    assert_same_weights(nets[0], nets[2])
    assert not np.array_equal(a.loss, d.loss)  # a different shuffle
    assert a.loss[0] == d.loss[0]  # from the same start


def test_training_leaves_global_state_and_inputs_alone(small_circles):
    X, y, _, _ = small_circles
    X0, y0 = X.copy(), y.copy()
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    train(MLP([2, 6, 1], seed=0), X, y, epochs=5, lr=0.1, batch_size=8, seed=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"lr": 0}, ValueError, "lr must be > 0"),
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": -1}, ValueError, "lr must be > 0"),
        ({"lr": float("nan")}, ValueError, "lr must be finite"),
        ({"lr": float("inf")}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a real number"),
        ({"lr": None}, TypeError, "lr"),
        ({"epochs": 0}, ValueError, "epochs must be a positive int, got 0"),
        ({"epochs": -1}, ValueError, "epochs must be a positive int, got -1"),
        ({"epochs": 1.5}, TypeError, "epochs must be a positive int"),
        ({"epochs": 10.0}, TypeError, "epochs must be a positive int"),
        ({"epochs": "10"}, TypeError, "epochs must be a positive int"),
        ({"epochs": True}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"optimizer": "adagrad"}, ValueError, "unknown optimizer 'adagrad'; valid: adam, momentum, sgd"),
        ({"optimizer": "momentum", "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
        ({"momentum": -0.5}, ValueError, "momentum must be >= 0"),
        ({"optimizer": "adam", "betas": (0.9, 1.0)}, ValueError, r"betas\[1\] must be in \[0, 1\), got 1.0"),
        ({"optimizer": "adam", "betas": (-0.1, 0.9)}, ValueError, r"betas\[0\] must be >= 0"),
        ({"optimizer": "adam", "betas": 0.9}, TypeError, r"betas must be a pair of floats \(beta1, beta2\)"),
        ({"optimizer": "adam", "eps": 0.0}, ValueError, "eps must be > 0"),
        ({"record_every": 0}, ValueError, "record_every must be a positive int"),
        ({"batch_size": 8, "rng": np.random.RandomState(0)}, TypeError, "rng must be a numpy.random.Generator"),
        ({"batch_size": 8, "rng": 3}, TypeError, "rng must be a numpy.random.Generator"),
        ({"batch_size": 8, "seed": None}, ValueError, "rng is required"),
        ({"batch_size": 8, "seed": -3}, ValueError, "seed"),
    ],
)
def test_bad_hyperparameters(small_circles, kwargs, exc, match):
    X, y, _, _ = small_circles
    kwargs = {"epochs": 5, "lr": 0.1, **kwargs}
    with pytest.raises(exc, match=match):
        train(MLP([2, 4, 1], seed=0), X, y, **kwargs)


def _bad_data_cases():
    X, y, Xt, yt = data.circles(20, 10, seed=1)
    nan_X = X.copy()
    nan_X[3, 1] = np.nan
    inf_X = X.copy()
    inf_X[0, 0] = np.inf
    nan_y = y.copy()
    nan_y[2, 0] = np.nan
    inf_y = y.copy()
    inf_y[2, 0] = -np.inf
    bad_y = y.copy()
    bad_y[5, 0] = 2.0
    return [
        ((nan_X, y), {}, ValueError, "X contains 1 NaN or infinite"),
        ((inf_X, y), {}, ValueError, "X contains 1 NaN or infinite"),
        ((X, nan_y), {}, ValueError, "y contains 1 NaN or infinite"),
        ((X, inf_y), {}, ValueError, "y contains 1 NaN or infinite"),
        ((X, bad_y), {}, ValueError, r"y must hold binary labels in \{0, 1\}"),
        ((X, y - 0.5), {}, ValueError, r"y must hold binary labels in \{0, 1\}"),
        ((X, y[:-1]), {}, ValueError, "X and y must have the same number of samples"),
        ((X[:-3], y), {}, ValueError, "X and y must have the same number of samples"),
        ((X[:, :1], y), {}, ValueError, r"X has 1 features \(columns\) but the first layer expects 2"),
        ((np.hstack([X, X]), y), {}, ValueError, "X has 4 features"),
        ((X[:, 0], y), {}, ValueError, "X must be 2-D"),
        ((X[:0], y[:0]), {}, ValueError, "X must contain at least one sample"),
        ((X, y), {"X_test": Xt[:, :1], "y_test": yt}, ValueError, "X_test has 1 features"),
        ((X, y), {"X_test": Xt, "y_test": yt + 1}, ValueError, r"y_test must hold binary labels in \{0, 1\}"),
        ((X, y), {"X_test": Xt, "y_test": yt[:-1]}, ValueError, "y_test must have shape"),
        ((X, y), {"X_test": np.where(Xt > 0.9, np.nan, Xt), "y_test": yt}, ValueError, "X_test contains"),
        ((X, y), {"X_test": Xt, "y_test": np.where(yt > 0, np.inf, yt)}, ValueError, "y_test contains"),
        ((X, y), {"X_test": Xt}, ValueError, "X_test and y_test must be given together"),
        ((X, y), {"y_test": yt}, ValueError, "X_test and y_test must be given together"),
    ]


@pytest.mark.parametrize("args, kwargs, exc, match", _bad_data_cases())
def test_bad_data(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train(MLP([2, 4, 1], seed=0), *args, epochs=5, lr=0.1, **kwargs)


def test_net_must_be_an_mlp(small_circles):
    X, y, _, _ = small_circles
    with pytest.raises(TypeError, match=r"net must be an initlib network \(MLP or ResidualMLP\)"):
        train("net", X, y, epochs=5, lr=0.1)


def test_bad_input_leaves_the_net_untouched(small_circles):
    X, y, _, _ = small_circles
    net = MLP([2, 4, 1], seed=0)
    ref = net.copy()
    with pytest.raises(ValueError):
        train(net, X, y, epochs=0, lr=0.1)
    with pytest.raises(ValueError):
        train(net, X, y[:-1], epochs=5, lr=0.1)
    assert_same_weights(net, ref)


@pytest.mark.parametrize(
    "sizes, output, y, match",
    [
        ([3, 4, 2], "identity", np.zeros((10, 3)), r"y must have shape \(10, 2\) to match the outputs, got \(10, 3\)"),
        ([3, 4, 3], "softmax", np.eye(4)[np.arange(10) % 4], r"one-hot of shape \(10, 3\), got \(10, 4\)"),
        ([3, 4, 1], "sigmoid", np.zeros((10, 1, 1)), "y must be 1-D or 2-D"),
    ],
)
def test_wrong_y_width_is_not_reported_as_a_sample_mismatch(sizes, output, y, match):
    """X and y have the same number of samples here: the message must not claim otherwise."""
    X = rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match=match) as exc:
        train(MLP(sizes, output=output, seed=0), X, y, epochs=2, lr=0.1)
    assert "same number of samples" not in str(exc.value)


# --------------------------------------------------------------------------
# Adam
# --------------------------------------------------------------------------

def test_adam_two_steps_on_a_quadratic_match_the_rule_by_hand():
    """A linear layer with squared error is a quadratic in (W, b); Adam's rule written out, bias correction included."""
    X, y = regression(n=20)
    net = MLP([3, 1], output="identity", init="normal", seed=0)
    W, b = net.W[0].copy(), net.b[0].copy()
    lr, beta1, beta2, eps = 0.01, 0.8, 0.95, 1e-3
    m = [np.zeros_like(W), np.zeros_like(b)]
    v = [np.zeros_like(W), np.zeros_like(b)]
    for t in (1, 2):
        r = X @ W + b - y  # residuals; loss = mean(r**2)
        g = [2 * X.T @ r / len(X), 2 * r.sum(axis=0) / len(X)]
        for i, p in enumerate((W, b)):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            m_hat, v_hat = m[i] / (1 - beta1**t), v[i] / (1 - beta2**t)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)
    train(net, X, y, epochs=2, lr=lr, optimizer="adam", betas=(beta1, beta2), eps=eps)
    np.testing.assert_allclose(net.W[0], W, rtol=1e-13)
    np.testing.assert_allclose(net.b[0], b, rtol=1e-13)


def test_adam_first_step_is_lr_times_the_gradient_sign():
    """With bias correction, step 1 moves every weight by lr * g / (|g| + eps): about lr, whatever the gradient's size."""
    X, y = regression(n=20)
    net = MLP([3, 1], output="identity", init="normal", seed=0)
    before = net.W[0].copy()
    net.loss_and_grad(X, y)
    g = net.dW[0].copy()
    train(net, X, y, epochs=1, lr=0.1, optimizer="adam")
    np.testing.assert_allclose(before - net.W[0], 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert train(net, X, y, epochs=1, lr=0.1, optimizer="adam").params["betas"] == (0.9, 0.999)


def test_adam_trains_the_book_network(small_circles):
    X, y, Xt, yt = small_circles
    h = train(MLP([2, 10, 5, 1], seed=0), X, y, epochs=500, lr=0.01, optimizer="adam", X_test=Xt, y_test=yt)
    assert h.final_train_acc > 0.95 and not h.diverged
    hb = train(MLP([2, 10, 5, 1], seed=0), X, y, epochs=20, lr=0.01, batch_size=16, optimizer="adam")
    assert hb.loss[-1] < hb.loss[0]
