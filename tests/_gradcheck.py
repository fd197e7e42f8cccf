"""Shared helpers of the network tests: small problems and finite-difference gradient checks of every learned array."""
import numpy as np

EPS = 1e-6
OUTPUTS = {"sigmoid": 1, "softmax": 3, "identity": 2}


def problem(output, n=7, n_in=3, seed=0):
    g = np.random.default_rng(100 + seed)
    X = g.normal(size=(n, n_in))
    if output == "sigmoid":
        y = g.integers(0, 2, n).astype(float)
    elif output == "softmax":
        y = g.integers(0, OUTPUTS["softmax"], n)
    else:
        y = g.normal(size=(n, OUTPUTS["identity"]))
    return X, y


def randomize_biases(net, seed=5):
    g = np.random.default_rng(seed)
    for _, p, _ in net.parameters():
        if p.ndim == 1 and p is not net.alpha:
            p[...] = g.normal(scale=0.5, size=p.shape)


def training_loss(net, X, t):
    """The mean loss of a training-mode forward pass (batch statistics for batch norm)."""
    net.X = X
    net._forward(X, store=True)
    return net.loss.value(net.z[-1], t)


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def check_gradients(net, X, y, tol=1e-6, zero=()):
    """Central differences in every learned array of ``net`` against its backward pass.

    The arrays named in ``zero`` must have a zero gradient, both ways; every other one a
    non-zero gradient within relative error ``tol``. Returns the analytic gradients by name.
    """
    t = net.targets(y, X.shape[0])
    net.X = X
    net._forward(X, store=True)
    net._backward(t)
    analytic = {name: g.copy() for name, _, g in net.parameters()}
    for name, P, _ in net.parameters():
        G = np.zeros_like(P)
        for idx in np.ndindex(P.shape):
            old = P[idx]
            P[idx] = old + EPS
            fp = training_loss(net, X, t)
            P[idx] = old - EPS
            fm = training_loss(net, X, t)
            P[idx] = old
            G[idx] = (fp - fm) / (2 * EPS)
        if name in zero:  # no effect on the loss (a bias before batch norm, a branch behind alpha = 0)
            assert np.abs(G).max() < 1e-8 and np.abs(analytic[name]).max() < 1e-12, name
            continue
        err = rel_error(analytic[name], G)
        assert err < tol, (name, err)
        assert np.any(G != 0), name
    return analytic
