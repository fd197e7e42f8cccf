"""train_many against k separate train calls: the same histories and weights to 1e-12, and its errors."""
import warnings

import numpy as np
import pytest

import initlib as il

X, y, X_test, y_test = il.data.circles(n_train=120, n_test=40, seed=1)
RTOL = 1e-12


def close(a, b, what, scale=None):
    """Equal to a relative 1e-12 of ``scale`` (default: the array's size).

    The biases in front of a batch normalization get only rounding noise as gradient (the normalization
    removes them); they are compared on the scale of the network's weights.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} and {b.shape}"
    if scale is None:
        scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 1.0
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=RTOL * max(scale, 1e-300), err_msg=what)


def assert_same(many, alone, nets_many, nets_alone):
    assert len(many) == len(alone)
    for i, (h1, h2, n1, n2) in enumerate(zip(many, alone, nets_many, nets_alone)):
        np.testing.assert_array_equal(h1.epoch, h2.epoch, err_msg=f"net {i}: epochs")
        for name in ("loss", "train_acc", "test_loss", "test_acc", "act_mean", "act_std", "act_frac", "grad_std"):
            v1, v2 = getattr(h1, name), getattr(h2, name)
            assert (v1 is None) == (v2 is None), f"net {i}: {name}"
            if v2 is not None:
                close(v1, v2, f"net {i}: {name}")
        assert (h1.diverged, h1.diverged_epoch, h1.message) == (h2.diverged, h2.diverged_epoch, h2.message)
        assert h1.params == h2.params
        scale = max(float(np.abs(w).max()) for w in n2.W)
        for (name, p1, _), (_, p2, _) in zip(n1.parameters(), n2.parameters()):
            close(p1, p2, f"net {i}: final {name}", scale if n2.norm else None)
        for l1, l2 in zip(n1.norms, n2.norms):
            if hasattr(l2, "running_mean"):
                close(l1.running_mean, l2.running_mean, f"net {i}: running_mean")
                close(l1.running_var, l2.running_var, f"net {i}: running_var")


def both(make, k=3, seeds=None, **kwargs):
    nets_many, nets_alone = [make(i) for i in range(k)], [make(i) for i in range(k)]
    many = il.train_many(nets_many, X, y, X_test=X_test, y_test=y_test, seed=seeds if seeds else 0, **kwargs)
    alone = [
        il.train(net, X, y, X_test=X_test, y_test=y_test, seed=seeds[i] if seeds else 0, **kwargs)
        for i, net in enumerate(nets_alone)
    ]
    assert_same(many, alone, nets_many, nets_alone)
    return nets_many, many


def mlp(i, **kwargs):
    return il.MLP([2, 8, 5, 1], seed=i, scale=[0.5, 1.0, 2.0, 1.5][i % 4], **kwargs)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("batch_size", [None, 32])
def test_every_optimizer_with_and_without_minibatches_equals_separate_runs(optimizer, batch_size):
    epochs = 150 if batch_size is None else 12
    lr = 0.01 if optimizer == "adam" else 0.05
    both(mlp, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer, record_every=5, record_stats=True)


def test_a_long_full_batch_run_stays_within_1e_12():
    both(lambda i: il.MLP([2, 10, 5, 1], seed=i), k=4, epochs=3000, lr=0.05, record_every=500)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "gelu", "leaky_relu"])
def test_activations(activation):
    both(lambda i: mlp(i, activation=activation), epochs=60, lr=0.1, record_stats=True, record_every=20)


@pytest.mark.parametrize("norm", ["batch", "layer"])
@pytest.mark.parametrize("batch_size", [None, 40])
def test_normalized_networks(norm, batch_size):
    both(lambda i: mlp(i, norm=norm, activation="tanh"), epochs=10 if batch_size else 60, lr=0.02,
         batch_size=batch_size, optimizer="momentum", record_stats=True, record_every=4)


@pytest.mark.parametrize("output", ["softmax", "identity"])
def test_other_outputs(output):
    yy = np.hstack([y, 1 - y]) if output == "identity" else y
    nets = [[il.MLP([2, 6, 2], output=output, seed=i) for i in range(3)] for _ in range(2)]
    many = il.train_many(nets[0], X, yy, epochs=80, lr=0.05, record_every=10)
    alone = [il.train(net, X, yy, epochs=80, lr=0.05, record_every=10) for net in nets[1]]
    assert_same(many, alone, *nets)


def test_per_network_shuffling_seeds():
    nets, hists = both(mlp, seeds=[3, 4, 5], epochs=6, lr=0.05, batch_size=25, record_every=1)
    assert not np.allclose(hists[0].loss, hists[1].loss)


def test_one_diverging_network_is_frozen_and_the_others_go_on():
    yy = np.hstack([X, y])  # a linear regression: lr 0.1 is past the edge of stability for net 1 only

    def make(i):
        return il.MLP([2, 16, 3], output="identity", activation="identity", seed=i, scale=3.0 if i == 1 else 1.0)

    nets_many, nets_alone = [make(i) for i in range(3)], [make(i) for i in range(3)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        many = il.train_many(nets_many, X, yy, epochs=40, lr=0.1, record_every=3)
        alone = [il.train(net, X, yy, epochs=40, lr=0.1, record_every=3) for net in nets_alone]
    assert [h.diverged for h in many] == [False, True, False]
    assert sum("diverged" in str(w.message) for w in caught) == 2  # once in each of the two runs
    assert_same(many, alone, nets_many, nets_alone)
    assert np.isfinite(nets_many[1].W[0]).all()  # frozen at its last finite weights


def test_networks_are_trained_in_place_and_keep_their_arrays():
    nets = [mlp(i) for i in range(2)]
    before = [id(w) for w in nets[0].W]
    W0 = nets[0].W[0].copy()
    il.train_many(nets, X, y, epochs=5, lr=0.1)
    assert [id(w) for w in nets[0].W] == before
    assert not np.array_equal(nets[0].W[0], W0)


def test_errors_name_the_first_mismatch():
    with pytest.raises(ValueError, match="empty"):
        il.train_many([], X, y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match=r"nets\[2\] differs from nets\[0\] in sizes"):
        il.train_many([mlp(0), mlp(1), il.MLP([2, 3, 1])], X, y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match=r"nets\[1\] differs from nets\[0\] in activation: 'tanh'"):
        il.train_many([mlp(0), mlp(1, activation="tanh")], X, y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match=r"in norm"):
        il.train_many([mlp(0), mlp(1, norm="layer")], X, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"mixes network kinds: nets\[0\] is MLP but nets\[1\] is ResidualMLP"):
        il.train_many([mlp(0), il.ResidualMLP(2, 4, 2)], X, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match="ResidualMLP is not supported"):
        il.train_many([il.ResidualMLP(2, 4, 2), il.ResidualMLP(2, 4, 2, seed=1)], X, y, epochs=1, lr=0.1)
    with pytest.raises(TypeError, match=r"nets\[1\] must be an initlib network"):
        il.train_many([mlp(0), "mlp"], X, y, epochs=1, lr=0.1)
    net = mlp(0)
    with pytest.raises(ValueError, match="same object"):
        il.train_many([net, net], X, y, epochs=1, lr=0.1)
    with pytest.raises(ValueError, match="seed given per network must have 2 entries"):
        il.train_many([mlp(0), mlp(1)], X, y, epochs=1, lr=0.1, batch_size=10, seed=[1, 2, 3])
    with pytest.raises(ValueError, match="lr"):
        il.train_many([mlp(0)], X, y, epochs=1, lr=-1)


def test_repr():
    stack = il.stacked.StackedMLP([mlp(0, norm="batch"), mlp(1, norm="batch")])
    assert repr(stack) == "StackedMLP(k=2, sizes=[2, 8, 5, 1], activation='relu', output='sigmoid', norm='batch')"


def test_training_explorers_static_runs_equal_one_run_each():
    from initlib.widgets.trainer import _Trainer

    together, alone = (_Trainer((2, 6, 1), "circles", "relu", 8, 0.05, 32, 1) for _ in range(2))
    nets = [il.MLP([2, 6, 1], scale=s, seed=1) for s in (0.5, 1.0, 2.0)]
    together.run_all([n.copy() for n in nets] + [nets[0].copy()])  # a repeated start is trained once
    assert len(together._runs) == 3
    for net in nets:
        n1, h1, _ = together.run(net.copy())
        n2, h2, _ = alone.run(net.copy())
        close(h1.loss, h2.loss, "loss")
        close(n1.W[0], n2.W[0], "W[0]")


def test_networks_too_big_to_gain_are_stacked_in_groups():
    # 120 samples x 4400 units x 8 bytes = 4.2 MB per network, past the 4 MB budget: one network per stack
    both(lambda i: il.MLP([2, 4400, 1], seed=i), k=3, seeds=[0, 1, 2], epochs=3, lr=0.01, batch_size=60)
