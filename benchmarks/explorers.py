"""How long one slider move of each explorer takes, and what the static book pays for it.

    python benchmarks/explorers.py               # 3 rounds; 40 moves (scale, gain), 6 (training explorers)
    python benchmarks/explorers.py --rounds 5 --moves 60

For every explorer of ``initlib.widgets`` with the book's parameters, the live
update path is timed directly: a control of the live widget gets a new value
(ipywidgets calls the explorer's observer synchronously, no kernel needed),
the experiment is recomputed, the figure redrawn and its PNG bytes put into
the ``Image`` widget. Every value is new (random positions of the live slider,
off the precomputed grid), so nothing comes from the explorer's cache. Median
and 95th percentile per round, and over all rounds; the target is a median of
at most 100 ms (p95 250 ms) for the histogram and std explorers (scale, gain).

Then the static side: the time to precompute every frame of the text/html
fallback (what the book build pays) and its size (the budget is 1.5 MB per
explorer).
"""
from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import initlib as il  # noqa: E402

TARGET = {"scale": (100.0, 250.0), "gain": (100.0, 250.0)}


def controls_of(box):
    import ipywidgets as W

    row = box.children[0].children
    sliders = [w for w in row if isinstance(w, W.FloatSlider)]
    dropdowns = [w for w in row if isinstance(w, W.Dropdown)]
    return sliders, dropdowns


def time_moves(explorer, n, rng):
    """Milliseconds of ``n`` live updates to new values, through the widget's observer."""
    box = explorer.widget()
    sliders, dropdowns = controls_of(box)
    slider = sliders[0]
    spec = next(c for c in explorer.controls if isinstance(c, il.widgets.LogSlider))
    grid_pos = {round(spec.to_position(g), 6) for g in spec.grid if g > 0}
    times = []
    steps = int(round((slider.max - slider.min) / slider.step))
    for i in range(n):
        while True:  # a position off the precomputed grid, never visited before
            pos = round(slider.min + slider.step * int(rng.integers(1, steps)), 10)
            if round(pos, 6) not in grid_pos and pos != slider.value:
                break
        t0 = time.perf_counter()
        if dropdowns and i % 3 == 2:  # the training explorer: every third move changes the init method
            dd = dropdowns[0]
            dd.value = dd.options[(dd.options.index(dd.value) + 1) % len(dd.options)]
        else:
            slider.value = pos  # -> observer -> explorer.render(value) -> image.value = png
        times.append((time.perf_counter() - t0) * 1000)
        explorer.clear_cache()
        if hasattr(explorer, "trainer"):
            explorer.trainer._runs.clear()  # and the trained networks: every move trains
    return times


def pct(values, q):
    return float(np.percentile(values, q))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--moves", type=int, default=40, help="moves per round, scale, gain and residual explorers")
    parser.add_argument("--train-moves", type=int, default=6, help="moves per round, training explorers")
    args = parser.parse_args(argv)
    makers = {
        "scale": lambda: il.widgets.scale_explorer(),
        "gain": lambda: il.widgets.gain_explorer(),
        "symmetry": lambda: il.widgets.symmetry_explorer(),
        "training": lambda: il.widgets.training_explorer(),
        "residual": lambda: il.widgets.residual_explorer(),
    }
    print(f"# explorers benchmark: {platform.processor() or platform.machine()}, python {platform.python_version()}, "
          f"numpy {np.__version__}; load average {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    rows, static_rows = [], []
    for name, make in makers.items():
        n = args.moves if name in ("scale", "gain", "residual") else args.train_moves
        rng = np.random.default_rng(0)
        per_round = []
        for r in range(args.rounds):
            ex = make()
            ex.widget()  # first draw and layout: not part of a slider move
            per_round.append(time_moves(ex, n, rng))
            med, p95 = statistics.median(per_round[-1]), pct(per_round[-1], 95)
            print(f"{name:9s} round {r + 1}: median {med:7.1f} ms  p95 {p95:7.1f} ms  ({n} moves)", flush=True)
        allt = [t for ts in per_round for t in ts]
        rows.append((name, statistics.median(allt), pct(allt, 95), [statistics.median(ts) for ts in per_round], len(allt)))
        ex = make()
        t0 = time.perf_counter()
        html = ex.static_html()
        static_rows.append((name, time.perf_counter() - t0, len(ex.grid()), len(html.encode())))

    print("\n| explorer | median (ms) | p95 (ms) | medians of the rounds (ms) | moves | target (median / p95) |")
    print("|---|---:|---:|---|---:|---|")
    for name, med, p95, meds, count in rows:
        tgt = TARGET.get(name)
        target = f"{tgt[0]:.0f} / {tgt[1]:.0f} ms: {'met' if med <= tgt[0] and p95 <= tgt[1] else 'NOT met'}" if tgt else ("none (trains; continuous_update=False)" if name in ("symmetry", "training") else "none")
        print(f"| {name} | {med:.0f} | {p95:.0f} | {', '.join(f'{m:.0f}' for m in meds)} | {count} | {target} |")
    print("\n| explorer | static frames | precompute (s) | text/html size (kB) | budget 1.5 MB |")
    print("|---|---:|---:|---:|---|")
    for name, secs, frames, size in static_rows:
        print(f"| {name} | {frames} | {secs:.1f} | {size / 1024:.0f} | {'within' if size <= 1.5e6 else 'OVER'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
