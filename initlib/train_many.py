r"""Train k networks of one architecture together, as one vectorized run.

Most experiments of the book are sweeps: seeds, init scales, variants of one
network. Trained one by one, a small network spends its time in numpy's
per-call overhead, not in arithmetic; :func:`train_many` stacks the ``k``
networks' parameters along a leading axis (:class:`~initlib.stacked.StackedMLP`)
and does every step for all of them with batched products, so the overhead is
paid once per step. Each network gets its own :class:`~initlib.History`, with
the numbers :func:`~initlib.train` would have recorded.

Used in: the symmetry and saturation chapters' sweeps and the training explorers.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_rng
from .history import _diverge, _new_history, _record
from .stacked import StackedMLP, check_same_architecture
from . import optimizers as _optimizers
from .train import _check_options

__all__ = ["train_many"]


_STACK_BYTES = 4 * 2**20
"""Budget of one stack's pre-activations (a core's L2 cache on the project's machine): networks whose
stacked arrays would exceed it are trained in groups, since their products are BLAS-bound and a bigger
stack only spills the cache (8 networks of 30 x 64 units on 512 points: 7 % slower as one stack)."""


def _seeds(seed, k):
    """One generator per network, or a single one if every network has the same integer seed."""
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) != k:
            raise ValueError(f"seed given per network must have {k} entries (one per network), got {len(seed)}")
        if all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seed) and len(set(seed)) == 1:
            return [as_rng(None, seed[0])]
        return [as_rng(s if isinstance(s, np.random.Generator) else None, s) for s in seed]
    return [as_rng(None, seed)]


def train_many(
    nets,
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
):
    r"""Train every network of ``nets`` in place, together, and return one :class:`~initlib.History` each.

    The same as ``[train(net, X, y, ...) for net in nets]`` (every argument
    means what it means for :func:`~initlib.train`), done as one run: the
    ``k`` networks' parameters are stacked along a leading axis and each step
    of gradient descent,

    .. math:: \tilde W_l[i] \leftarrow \tilde W_l[i] - \eta\, \delta_l[i]\, A_{l-1}[i]^\top,
        \qquad i = 1, \dots, k,

    is a few batched ``np.matmul`` calls for all of them (networks too big
    to gain from it, whose stacked pre-activations pass 4 MB, are stacked a
    few at a time). A network whose loss
    becomes NaN or infinite is frozen at its last finite parameters, reported
    in its own ``History`` (``diverged``, a ``RuntimeWarning``) and dropped
    from the stack; the others go on.

    The results equal those of separate :func:`~initlib.train` calls up to
    rounding, not bit for bit: the stacked products are different BLAS calls
    (one product for all networks' first-layer gradients, the bias added inside the
    product through a row of ones, ``db`` summed by the product rather than
    by ``np.sum``), whose sums may be ordered differently, so values can
    differ in the last bit at each step. Training then carries these
    differences along like any perturbation of the weights: on stable runs
    (the book's, and the tests', which check losses, accuracies, statistics
    and final weights against separate runs) they stay below a relative
    :math:`10^{-12}`; a run that the dynamics make chaotic (a loss spike at
    a learning rate near the edge of stability) can amplify them further, as
    it would amplify a different BLAS library's rounding in :func:`train`.

    Parameters
    ----------
    nets : list of MLP
        Distinct networks of one architecture: same ``sizes``,
        ``activation``, ``output`` and ``norm`` (any initialization, scale or
        seed). :class:`~initlib.ResidualMLP` is not supported (a
        ``TypeError`` says so): its blocks are BLAS-bound, where stacking
        gains nothing.
    X, y, epochs, lr, batch_size, optimizer, momentum, betas, eps, record_every, X_test, y_test, record_stats
        As for :func:`~initlib.train`; shared by all networks.
    seed : int or sequence of int, default 0
        Seed of the minibatch shuffling: one for all networks (each then
        sees the batches ``train(..., seed=seed)`` would), or one per network.

    Returns
    -------
    list of History
        ``histories[i]`` belongs to ``nets[i]``.

    Examples
    --------
    >>> from initlib import MLP, data, train
    >>> X, y, Xt, yt = data.circles(seed=1)
    >>> nets = [MLP([2, 10, 5, 1], seed=s) for s in range(3)]
    >>> hists = train_many(nets, X, y, epochs=500, lr=0.05)
    >>> [round(h.final_loss, 4) for h in hists] == [round(h.final_loss, 4) for h in
    ...     [train(MLP([2, 10, 5, 1], seed=s), X, y, epochs=500, lr=0.05) for s in range(3)]]
    True
    """
    nets = check_same_architecture(nets)
    X, t, opts = _check_options(
        nets[0], X, y, epochs, lr, batch_size, optimizer, momentum, betas, eps, record_every, X_test, y_test
    )
    n, epochs, lr, batch_size, record_every = (opts[k] for k in ("n", "epochs", "lr", "batch_size", "record_every"))
    rngs = _seeds(seed, len(nets))  # checks a per-network seed list's length
    group = max(1, int(_STACK_BYTES // (8 * (batch_size or n) * sum(nets[0].sizes[1:]))))
    if group < len(nets):  # big networks: stack as many as fit in the cache, one group after the other
        seeds = list(seed) if isinstance(seed, (list, tuple, np.ndarray)) else [seed] * len(nets)
        kwargs = dict(batch_size=batch_size, optimizer=optimizer, momentum=momentum, betas=betas, eps=eps,
                      record_every=record_every, X_test=X_test, y_test=y_test, record_stats=record_stats)
        return [h for i in range(0, len(nets), group)
                for h in train_many(nets[i : i + group], X, y, epochs, lr, seed=seeds[i : i + group], **kwargs)]
    X_test, y_test = opts["X_test"], (y_test if opts["has_test"] else None)
    full_batch = batch_size is None or batch_size == n
    hists = [_new_history(opts) for _ in nets]
    XA = np.concatenate([X, np.ones((n, 1))], axis=1)  # the input with a column of ones (the bias)
    XA_T = np.ascontiguousarray(XA.T)
    state = _State(nets, opts)

    def record(epoch):
        """Record every live network at ``epoch``; freeze those whose loss is not finite."""
        ok = np.ones(state.stack.k, dtype=bool)
        for i, j in enumerate(state.live):
            state.stack.write(i, nets[j])
            ok[i] = _record(nets[j], hists[j], epoch, X, t, X_test, y_test, record_stats)
            if not ok[i]:
                _diverge(hists[j], epoch, np.inf, lr)
        return ok

    def step(Xb, tb, epoch):
        stack = state.stack
        stack.forward(Xb)
        finite = stack.backward(tb)
        for i in np.flatnonzero(~finite):  # frozen before the update, as train stops
            j = state.live[i]
            stack.write(i, nets[j])
            _diverge(hists[j], epoch, np.inf if stack.loss_values is None else stack.loss_values[i], lr)
        state.update()
        stack.update_running_stats()
        return finite

    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            if epoch % record_every == 0:
                state.keep(record(epoch))
            if not state.live:
                break
            if full_batch:
                state.keep(step(XA_T, t, epoch))
                continue
            if len(rngs) == 1:  # one shuffle for every network
                orders = np.broadcast_to(rngs[0].permutation(n), (state.stack.k, n))
            else:
                orders = np.stack([rngs[j].permutation(n) for j in state.live])
            for start in range(0, n, batch_size):
                idx = orders[:, start : start + batch_size]
                if len(rngs) == 1:
                    finite = step(XA_T[:, idx[0]], t[idx[0]], epoch)
                else:
                    finite = step(XA[idx].swapaxes(1, 2), t[idx], epoch)
                orders = orders[finite]
                state.keep(finite)
                if not state.live:
                    break
        if state.live:
            record(epochs)  # the very last update may have overflowed
    return [h._finish(opts["has_test"], record_stats) for h in hists]


class _State:
    """The stack of the networks still training, their indices in ``nets``, and the optimizer.

    The optimizer is one of :mod:`initlib.optimizers` over the stack's two flat
    buffers, so a step of all the networks is the rule's few operations once.
    """

    def __init__(self, nets, opts):
        self.stack = StackedMLP(nets)
        self.live = list(range(len(nets)))
        self.opts = opts
        self.opt = self._optimizer(self.stack)

    def _optimizer(self, stack):
        """The chosen rule of :mod:`initlib.optimizers` over the stack's flat buffers."""
        name, lr, settings = self.opts["optimizer"], self.opts["lr"], self.opts["settings"]
        params, grads = [stack.flat], [stack.grad_flat]
        if name == "momentum":
            return _optimizers.Momentum(params, grads, lr, settings["momentum"])
        if name == "adam":
            return _optimizers.Adam(params, grads, lr, settings["betas"], settings["eps"])
        return _optimizers.SGD(params, grads, lr)

    def update(self):
        self.opt.step()

    def keep(self, mask):
        """Drop the networks whose entry of ``mask`` is False (they diverged and were written back)."""
        if mask.all():
            return
        keep = np.flatnonzero(mask)
        old, stack = self.opt, self.stack
        self.stack = stack.take(keep)
        self.live = [self.live[i] for i in keep]
        self.opt = self._optimizer(self.stack)
        if isinstance(old, _optimizers.Momentum):
            self.opt.velocity = [stack.take_flat(old.velocity[0], keep)]
        elif isinstance(old, _optimizers.Adam):
            self.opt.first = [stack.take_flat(old.first[0], keep)]
            self.opt.second = [stack.take_flat(old.second[0], keep)]
            self.opt.t = old.t

    def __repr__(self):
        return f"_State(live={self.live}, {self.stack!r})"
