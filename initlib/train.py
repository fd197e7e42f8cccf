r"""Gradient descent on any initlib network (:mod:`initlib.network`), returning a :class:`History`.

Full-batch gradient descent is the default, as in the experiments this book
reproduces; ``batch_size`` gives minibatch SGD, ``optimizer="momentum"``
heavy-ball momentum

.. math:: v \leftarrow \mu v - \eta\,\nabla L, \qquad W \leftarrow W + v,

and ``optimizer="adam"`` Adam (the rules are in :mod:`initlib.optimizers`).
Every optimizer updates every array of ``net.parameters()``: weights,
biases, normalization ``gamma`` and ``beta``, learned residual scales. After
each step, batch normalization folds the batch's statistics into its running
averages; the recorded losses and accuracies use evaluation mode.

A loss that becomes NaN or infinite stops training: ``History.diverged`` is
set, the step is recorded, and a ``RuntimeWarning`` says where. Nothing
downstream then plots NaN silently.

Used in: every chapter.
"""
from __future__ import annotations

import numpy as np

from . import optimizers as _optimizers
from ._validate import as_rng, check_positive_float, check_positive_int
from .history import History, _diverge, _new_history, _record
from .network import check_network

__all__ = ["History", "train"]


def _check_options(net, X, y, epochs, lr, batch_size, optimizer, momentum, betas, eps, record_every, X_test, y_test):
    """Validate the arguments :func:`train` and :func:`~initlib.train_many` share; return ``X``, targets, options."""
    X = net.check_X(X)
    n = X.shape[0]
    if n == 0:
        raise ValueError("X must contain at least one sample, got shape (0, ...)")
    if np.ndim(y) >= 1 and np.shape(y)[0] != n:
        raise ValueError(f"X and y must have the same number of samples, got {n} and {np.shape(y)[0]}")
    t = net.targets(y, n)
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_float(lr, "lr")
    settings = _optimizers.check_settings(optimizer, momentum, betas, eps)
    if batch_size is not None:
        batch_size = min(check_positive_int(batch_size, "batch_size"), n)
    if net.norm == "batch" and batch_size is not None and batch_size < n and n % batch_size == 1:
        raise ValueError(
            f"batch_size={batch_size} leaves a last minibatch of one sample ({n} samples), which batch "
            "normalization cannot normalize; choose a batch_size that does not divide n - 1"
        )
    if net.norm == "batch" and n == 1:
        raise ValueError("batch normalization needs at least 2 training samples, got X with 1")
    record_every = max(1, epochs // 100) if record_every is None else check_positive_int(record_every, "record_every")
    has_test = X_test is not None or y_test is not None
    if has_test:
        if X_test is None or y_test is None:
            raise ValueError("X_test and y_test must be given together")
        X_test = net.check_X(X_test, "X_test")
        net.targets(y_test, X_test.shape[0], name="y_test")
    opts = dict(n=n, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer, settings=settings,
                record_every=record_every, has_test=has_test, X_test=X_test)
    return X, t, opts


def train(
    net,
    X,
    y,
    epochs,
    lr,
    batch_size=None,
    optimizer="sgd",
    *,
    momentum=0.9,
    betas=(0.9, 0.999),
    eps=1e-8,
    record_every=None,
    X_test=None,
    y_test=None,
    record_stats=False,
    seed=0,
    rng=None,
):
    """Train ``net`` in place by gradient descent and return its :class:`History`.

    Parameters
    ----------
    net : MLP or ResidualMLP
        Any initlib network (:mod:`initlib.network`).
    X : ndarray of shape (n_samples, n_in)
    y : ndarray
        Labels: (n,) or (n, 1) in {0, 1} for ``output="sigmoid"``; class
        labels (n,) or one-hot (n, k) for softmax; targets (n, k) for identity.
    epochs : int
        Passes over the training set (with full batches, one step each).
    lr : float
        Learning rate, > 0.
    batch_size : int, optional
        Minibatch size; ``None`` (default) is full-batch gradient descent.
    optimizer : {"sgd", "momentum", "adam"}
    momentum : float, default 0.9
        Momentum coefficient, used with ``optimizer="momentum"``.
    betas : (float, float), default (0.9, 0.999)
        Adam's decay rates of the first and second moments, each in [0, 1).
    eps : float, default 1e-8
        Adam's epsilon (added to the root of the second moment), > 0.
    record_every : int, optional
        Record loss and accuracies every this many epochs (and at the first
        and last). Default: about 100 records in all.
    X_test, y_test : ndarray, optional
        A test set evaluated at the same epochs.
    record_stats : bool, default False
        Also record per-layer activation and gradient statistics.
    seed : int, default 0
        Seed for shuffling minibatches (unused in full-batch mode).
    rng : numpy.random.Generator, optional
        Use instead of ``seed``.

    Returns
    -------
    History

    Examples
    --------
    >>> from initlib import MLP, data
    >>> X, y, Xt, yt = data.circles(seed=1)
    >>> net = MLP([2, 10, 5, 1], init="zeros")
    >>> h = train(net, X, y, epochs=100, lr=0.01)
    >>> round(h.final_loss, 4)
    0.6931
    """
    check_network(net)
    X, t, opts = _check_options(
        net, X, y, epochs, lr, batch_size, optimizer, momentum, betas, eps, record_every, X_test, y_test
    )
    n, epochs, lr, batch_size, record_every, has_test, settings = (
        opts[k] for k in ("n", "epochs", "lr", "batch_size", "record_every", "has_test", "settings")
    )
    X_test = opts["X_test"]
    full_batch = batch_size is None or batch_size == n
    rng = None if full_batch else as_rng(rng, seed)

    hist = _new_history(opts)
    opt = _optimizers.make(optimizer, net, lr, **settings)
    has_running_stats = net.norm == "batch"

    def record(epoch):
        return _record(net, hist, epoch, X, t, X_test, y_test if has_test else None, record_stats)

    mse = net.loss.name == "identity"  # a finite MSE output can still square to inf

    def step(Xb, tb):
        net.X = Xb
        net._forward(Xb, store=True)
        # With bounded losses (cross-entropy from finite logits) only finiteness
        # matters in the loop; the recorded losses are computed in record().
        loss = net._backward(tb, compute_loss=mse)
        if not np.isfinite(loss):
            return loss
        opt.step()
        if has_running_stats:
            net.update_running_stats()
        return loss

    loss = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            if epoch % record_every == 0 and not record(epoch):
                loss = np.inf  # the weights were already non-finite
            elif full_batch:
                loss = step(X, t)
            else:
                order = rng.permutation(n)
                for start in range(0, n, batch_size):
                    idx = order[start : start + batch_size]
                    loss = step(X[idx], t[idx])
                    if not np.isfinite(loss):
                        break
            if not np.isfinite(loss):
                _diverge(hist, epoch, loss, lr)
                break
        else:
            if not record(epochs):  # the very last update overflowed
                _diverge(hist, epochs, np.inf, lr)
    return hist._finish(has_test, record_stats)
