"""Tests for initlib.optimizers: each rule by hand on given gradients, in place, settings checked."""
import numpy as np
import pytest

import initlib as il
from initlib import optimizers


def net_with_gradients(seed=0):
    net = il.ResidualMLP(2, 3, 1, norm="layer", learn_scale=True, seed=seed)
    g = np.random.default_rng(seed)
    for _, _, grad in net.parameters():
        grad[...] = g.normal(size=grad.shape)
    return net


def test_sgd_momentum_adam_by_hand_on_every_array():
    for name in ("sgd", "momentum", "adam"):
        net = net_with_gradients()
        before = [p.copy() for _, p, _ in net.parameters()]
        grads = [g.copy() for _, _, g in net.parameters()]
        opt = optimizers.make(name, net, lr=0.1, momentum=0.5, betas=(0.8, 0.9), eps=1e-3)
        ids = [id(p) for _, p, _ in net.parameters()]
        opt.step()
        opt.step()  # the same gradients twice
        assert [id(p) for _, p, _ in net.parameters()] == ids  # in place
        for (_, p, _), p0, g in zip(net.parameters(), before, grads):
            if name == "sgd":
                expected = p0 - 2 * 0.1 * g
            elif name == "momentum":
                v1 = -0.1 * g
                expected = p0 + v1 + (0.5 * v1 - 0.1 * g)
            else:
                p1 = p0 - 0.1 * g / (np.abs(g) + 1e-3)  # step 1: m_hat = g, v_hat = g^2
                m2, v2 = 0.8 * 0.2 * g + 0.2 * g, 0.9 * 0.1 * g**2 + 0.1 * g**2
                expected = p1 - 0.1 * (m2 / (1 - 0.8**2)) / (np.sqrt(v2 / (1 - 0.9**2)) + 1e-3)
            np.testing.assert_allclose(p, expected, rtol=1e-12, atol=1e-15)


def test_make_covers_every_parameter():
    net = net_with_gradients()
    opt = optimizers.make("adam", net, lr=0.01)
    assert isinstance(opt, optimizers.Adam) and len(opt.params) == len(net.parameters())
    assert opt.params[-1] is net.alpha
    assert repr(opt) == f"Adam(lr=0.01, {len(net.parameters())} arrays)"


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (("rmsprop",), ValueError, "unknown optimizer 'rmsprop'; valid: adam, momentum, sgd"),
        (("momentum", 1.0), ValueError, r"momentum must be in \[0, 1\)"),
        (("sgd", -0.1), ValueError, "momentum must be >= 0"),
        (("adam", 0.9, (0.9,)), TypeError, "betas must be a pair of floats"),
        (("adam", 0.9, (0.9, 1.5)), ValueError, r"betas\[1\] must be in \[0, 1\)"),
        (("adam", 0.9, (0.9, 0.99), 0.0), ValueError, "eps must be > 0"),
    ],
)
def test_bad_settings(args, exc, match):
    with pytest.raises(exc, match=match):
        optimizers.check_settings(*args)
    assert optimizers.check_settings("sgd") == {"momentum": 0.9}
