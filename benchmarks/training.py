"""Training speed: initlib against a minimal numpy loop and PyTorch, side by side.

Every competitor trains the same network from the same initial weights on the
same data with full-batch gradient descent in float64, in one process, one
after the other; each configuration is repeated and the median is reported,
with the ratio to the minimal numpy loop (the practical limit of numpy).

    python benchmarks/training.py                   # every configuration
    python benchmarks/training.py --quick           # fewer steps, for a smoke test
    python benchmarks/training.py --only residual   # one configuration

The "residual" configuration trains an ``initlib.ResidualMLP`` (50 blocks of
width 64, depth-scaled branches); the others an ``initlib.MLP``.

The sweep configurations ("sweep", "deep-sweep") train k networks of one
architecture from k seeds: one network alone with ``il.train``, the k one
after the other with ``il.train``, all of them with ``il.train_many``, and in
PyTorch as a loop of k runs and as one ``torch.func.vmap`` over
``functional_call``; the script checks that ``train_many`` ends with the
weights of the separate runs (to 1e-10) and PyTorch with numpy's (to 1e-6).

PyTorch is optional (``pip install -r benchmarks/requirements.txt``); without
it its column is skipped.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import initlib as il

CONFIGS = {
    # name: (sizes, n_points, steps); for "residual", sizes is (n_in, width, n_blocks)
    "small": ([2, 10, 5, 1], 300, 15000),
    "deep": ([2] + [64] * 30 + [1], 512, 1000),
    "wide": ([2, 1024, 1024, 1], 1024, 200),
    "residual": ((2, 64, 50), 300, 100),
}


def problem(sizes, n_points, seed=0):
    X, y, _, _ = il.data.circles(n_train=n_points, n_test=0, seed=seed)
    if isinstance(sizes, tuple):
        n_in, width, n_blocks = sizes
        net = il.ResidualMLP(n_in, width, n_blocks, branch_scale=1 / np.sqrt(n_blocks), seed=seed)
    else:
        net = il.MLP(sizes, activation="relu", output="sigmoid", init="he_normal", seed=seed)
    return X, y, net


def run_initlib(X, y, net, steps, lr):
    net = net.copy()
    il.train(net, X, y, epochs=steps, lr=lr, record_every=steps)
    return net.W


def run_minimal(X, y, net, steps, lr):
    """The same maths written as plainly as numpy allows: no checks, no records."""
    if isinstance(net, il.ResidualMLP):
        return run_minimal_residual(X, y, net, steps, lr)
    W = [w.copy() for w in net.W]
    b = [v.copy() for v in net.b]
    n, L = X.shape[0], len(W)
    for _ in range(steps):
        a = [X]
        for l in range(L - 1):
            a.append(np.maximum(a[-1] @ W[l] + b[l], 0.0))
        p = 1.0 / (1.0 + np.exp(-(a[-1] @ W[-1] + b[-1])))
        delta = (p - y) / n
        for l in range(L - 1, -1, -1):
            gW = a[l].T @ delta
            gb = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ W[l].T) * (a[l] > 0)
            W[l] -= lr * gW
            b[l] -= lr * gb
    return W


def run_minimal_residual(X, y, net, steps, lr):
    """Residual blocks h + alpha * (relu(h W1 + b1) W2 + b2), plainly."""
    W_in, b_in, W_out, b_out = net.W_in.copy(), net.b_in.copy(), net.W_out.copy(), net.b_out.copy()
    W1, b1 = [w.copy() for w in net.W1], [v.copy() for v in net.b1]
    W2, b2 = [w.copy() for w in net.W2], [v.copy() for v in net.b2]
    alpha, n, L = net.branch_scale, X.shape[0], net.n_blocks
    for _ in range(steps):
        h, a = [X @ W_in + b_in], []
        for l in range(L):
            a.append(np.maximum(h[l] @ W1[l] + b1[l], 0.0))
            h.append(h[l] + alpha * (a[l] @ W2[l] + b2[l]))
        p = 1.0 / (1.0 + np.exp(-(h[L] @ W_out + b_out)))
        delta = (p - y) / n
        g = delta @ W_out.T
        W_out -= lr * (h[L].T @ delta)
        b_out -= lr * delta.sum(axis=0)
        for l in range(L - 1, -1, -1):
            dr = alpha * g
            du = (dr @ W2[l].T) * (a[l] > 0)
            W2[l] -= lr * (a[l].T @ dr)
            b2[l] -= lr * dr.sum(axis=0)
            gW1 = h[l].T @ du
            g = g + du @ W1[l].T
            W1[l] -= lr * gW1
            b1[l] -= lr * du.sum(axis=0)
        W_in -= lr * (X.T @ g)
        b_in -= lr * g.sum(axis=0)
    return [W_in] + [w for pair in zip(W1, W2) for w in pair] + [W_out]


def run_torch(X, y, net, steps, lr):
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    if isinstance(net, il.ResidualMLP):
        return run_torch_residual(torch, X, y, net, steps, lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    W = [torch.tensor(w, requires_grad=True) for w in net.W]
    b = [torch.tensor(v, requires_grad=True) for v in net.b]
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(steps):
        a = Xt
        for l in range(len(W) - 1):
            a = torch.relu(a @ W[l] + b[l])
        loss = loss_fn(a @ W[-1] + b[-1], yt)
        grads = torch.autograd.grad(loss, W + b)
        with torch.no_grad():
            for p, g in zip(W + b, grads):
                p -= lr * g
    return [w.detach().numpy() for w in W]


def run_torch_residual(torch, X, y, net, steps, lr):
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    params = [torch.tensor(w, requires_grad=True) for w in net.W + net.b]
    n_w = len(net.W)
    W, b = params[:n_w], params[n_w:]
    alpha, L = net.branch_scale, net.n_blocks
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(steps):
        h = Xt @ W[0] + b[0]
        for l in range(L):
            h = h + alpha * (torch.relu(h @ W[1 + 2 * l] + b[1 + 2 * l]) @ W[2 + 2 * l] + b[2 + 2 * l])
        loss = loss_fn(h @ W[-1] + b[-1], yt)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * g
    return [w.detach().numpy() for w in W]


SWEEPS = {
    # name: (sizes, n_points, steps, k networks)
    "sweep": ([2, 10, 5, 1], 300, 15000, 16),
    "deep-sweep": ([2] + [64] * 30 + [1], 512, 1000, 8),
}


def sweep_nets(sizes, k):
    return [il.MLP(sizes, activation="relu", output="sigmoid", init="he_normal", seed=s) for s in range(k)]


def sweep_one(X, y, nets, steps, lr):
    return run_initlib(X, y, nets[0], steps, lr)


def sweep_loop(X, y, nets, steps, lr):
    return [run_initlib(X, y, net, steps, lr) for net in nets]


def sweep_many(X, y, nets, steps, lr):
    nets = [net.copy() for net in nets]
    il.train_many(nets, X, y, epochs=steps, lr=lr, record_every=steps)
    return [net.W for net in nets]


def sweep_torch_loop(X, y, nets, steps, lr):
    return [run_torch(X, y, net, steps, lr) for net in nets]


def sweep_torch_vmap(X, y, nets, steps, lr):
    """The k networks as one torch.func.vmap over functional_call of an nn.Sequential (float64, CPU)."""
    import torch
    from torch.func import functional_call, grad, vmap

    sizes = nets[0].sizes
    layers = []
    for l in range(len(sizes) - 1):
        layers += [torch.nn.Linear(sizes[l], sizes[l + 1]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).double()
    params = {}
    for l in range(len(sizes) - 1):  # nn.Linear stores W transposed: (fan_out, fan_in)
        params[f"{2 * l}.weight"] = torch.tensor(np.stack([net.W[l].T for net in nets]))
        params[f"{2 * l}.bias"] = torch.tensor(np.stack([net.b[l] for net in nets]))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def loss(p, X, y):
        return loss_fn(functional_call(model, p, (X,)), y)

    step = vmap(grad(loss), in_dims=(0, None, None))
    with torch.no_grad():
        for _ in range(steps):
            grads = step(params, Xt, yt)
            params = {name: p - lr * grads[name] for name, p in params.items()}
    return [[params[f"{2 * l}.weight"][i].numpy().T for l in range(len(sizes) - 1)] for i in range(len(nets))]


def run_sweep(name, sizes, n_points, steps, k, repeats):
    X, y, _, _ = il.data.circles(n_train=n_points, n_test=0, seed=0)
    nets = sweep_nets(sizes, k)
    lr = 0.01 if name == "sweep" else 0.05
    competitors = {"one network": sweep_one, f"{k} x train": sweep_loop, "train_many": sweep_many}
    if have_torch():
        competitors.update({f"pytorch loop of {k}": sweep_torch_loop, "pytorch vmap": sweep_torch_vmap})
    results = {}
    for label, fn in competitors.items():
        wall, out = measure(fn, (X, y, nets, steps, lr), repeats)
        results[label] = (wall, out)
        print(f"  {label}: {wall:.2f} s", flush=True)
    ref = results[f"{k} x train"][1]
    for label, (_, Ws) in results.items():
        if label == "one network":
            continue
        tol = 1e-10 if label == "train_many" else 1e-6
        err = max(float(np.max(np.abs(a - r))) for W, R in zip(Ws, ref) for a, r in zip(W, R))
        assert err < tol, f"{label} disagrees with {k} separate train runs by {err:g}"
    t = {label: v[0] for label, v in results.items()}
    cells = " | ".join(f"{t[label]:.2f} s" for label in competitors)
    ratio_one = t["train_many"] / t["one network"]
    per_net = t["train_many"] / t[f"{k} x train"]
    torch_best = min((t[label] for label in t if label.startswith("pytorch")), default=None)
    vs_torch = f"{torch_best / t['train_many']:.2f}" if torch_best else "n/a"
    print(f"| {name}: {k} x {sizes if len(sizes) < 6 else f'{len(sizes) - 2} x {sizes[1]}'}, {n_points} points, "
          f"{steps} steps | {cells} | {ratio_one:.2f} | {per_net:.2f} | {vs_torch} |", flush=True)
    return list(competitors)


def have_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def measure(fn, args, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the steps")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=sorted(CONFIGS) + sorted(SWEEPS), help="run this configuration alone")
    parser.add_argument("--steps", type=int, help="override the number of steps of every configuration")
    args = parser.parse_args()
    for name, (sizes, n_points, steps, k) in SWEEPS.items():
        if args.only and name != args.only:
            continue
        steps = args.steps or (max(1, steps // 10) if args.quick else steps)
        print(f"{name}: one network | {k} x train | train_many | pytorch loop | pytorch vmap | "
              "train_many / one | train_many / loop | best pytorch / train_many", flush=True)
        run_sweep(name, sizes, n_points, steps, k, args.repeats)
    if args.only in SWEEPS:
        return
    competitors = {"minimal numpy": run_minimal, "initlib": run_initlib}
    if have_torch():
        competitors["pytorch"] = run_torch
    print(f"| config | {' | '.join(competitors)} | initlib / minimal | pytorch / initlib |")
    print("|---" * (len(competitors) + 3) + "|")
    for name, (sizes, n_points, steps) in CONFIGS.items():
        if args.only and name != args.only:
            continue
        steps = args.steps or (max(1, steps // 10) if args.quick else steps)
        X, y, net = problem(sizes, n_points)
        lr = 0.01 if name == "small" else 0.05
        results = {k: measure(fn, (X, y, net, steps, lr), args.repeats) for k, fn in competitors.items()}
        ref = results["minimal numpy"][1]
        for k, (_, W) in results.items():  # all competitors computed the same thing
            err = max(float(np.max(np.abs(a - r))) for a, r in zip(W, ref))
            assert err < 1e-6, f"{k} disagrees with the minimal loop by {err:g}"
        t = {k: v[0] for k, v in results.items()}
        ratio = t["initlib"] / t["minimal numpy"]
        torch_ratio = f"{t['pytorch'] / t['initlib']:.2f}" if "pytorch" in t else "n/a"
        cells = " | ".join(f"{t[k]:.2f} s" for k in competitors)
        print(f"| {name} ({steps} steps) | {cells} | {ratio:.2f} | {torch_ratio} |", flush=True)


if __name__ == "__main__":
    main()
