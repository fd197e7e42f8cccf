"""The book as a whole: build times, test time and peak memory of each chapter.

    python benchmarks/book.py              # cold build, unchanged rebuild, chapter memory
    python benchmarks/book.py --make-test  # also time the full `make test`

The builds run on a fresh copy of the committed tree (``git ls-files``) in a
temporary folder, so the measurement starts from an empty execution cache
("cold": every chapter is executed) and then repeats the same build with
nothing changed ("rebuild": every page is re-read, no notebook re-executed).
Each chapter is then executed on its own with one BLAS thread
(``OPENBLAS_NUM_THREADS=1``, as CONTRIBUTING.md runs them): the table gives
its execution time (issue 18's target: under 15 s on the project's 2-core
machine) and its peak memory, the largest resident set of any process started
to execute it (the Jupyter kernel, in practice), measured with ``getrusage``.

    python benchmarks/book.py --chapters-only   # just the per-chapter table
    python benchmarks/book.py --compare OLD     # each chapter here and in the checkout OLD, side by side

``--compare OLD`` executes every chapter that both trees have, alternating
between them (OLD with its own ``OLD/.venv``, made by ``make venv`` there), as
the book build executes them: one BLAS thread and every static frame of the
explorers (``INITLIB_EXPLORER_FRAMES=all``; older trees always computed them).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = {"cold build": 120.0, "unchanged rebuild": 20.0, "make test": 300.0}


def copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def timed(cmd, cwd) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def execute(notebook: Path, bin_dir: Path = BIN, every_frame: bool = False) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of executing ``notebook`` in a fresh process tree, one BLAS thread.

    ``bin_dir`` holds the ``jupyter`` to run (a tree's own environment); ``every_frame`` computes every
    static frame of the explorers, as the book build does.
    """
    code = (
        "import resource, subprocess, sys, time; t0 = time.perf_counter();"
        f"subprocess.run([{str(bin_dir / 'jupyter')!r}, 'execute', '--output', '/dev/null', sys.argv[1]],"
        " check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if every_frame:
        env["INITLIB_EXPLORER_FRAMES"] = "all"
    out = subprocess.run([sys.executable, "-c", code, str(notebook)], check=True, capture_output=True, text=True,
                         env=env, cwd=notebook.parent)
    seconds, rss = out.stdout.split()
    return float(seconds), int(rss) / 1024  # ru_maxrss is in KiB on Linux


def compare(old: Path, repeats: int) -> None:
    """Each chapter of both trees, alternating old and new ``repeats`` times; the best time of each."""
    old_bin = old / ".venv" / "bin"
    if not (old_bin / "jupyter").exists():
        raise SystemExit(f"{old_bin / 'jupyter'} not found: run `make venv` in {old} first")
    names = sorted({p.name for p in (old / "chapters").glob("*.ipynb")} & {p.name for p in (ROOT / "chapters").glob("*.ipynb")})
    print("| chapter | before | after | after / before |\n|---|---|---|---|")
    totals = [0.0, 0.0]
    for name in names:
        best = [float("inf"), float("inf")]
        for _ in range(repeats):
            for i, (tree, bin_dir) in enumerate(((old, old_bin), (ROOT, BIN))):
                best[i] = min(best[i], execute(tree / "chapters" / name, bin_dir, every_frame=True)[0])
        totals = [t + b for t, b in zip(totals, best)]
        print(f"| {name} | {best[0]:.1f} s | {best[1]:.1f} s | {best[1] / best[0]:.2f} |", flush=True)
    print(f"| all {len(names)} | {totals[0]:.1f} s | {totals[1]:.1f} s | {totals[1] / totals[0]:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--make-test", action="store_true", help="also time `make test` on the copy")
    parser.add_argument("--chapters-only", action="store_true", help="only execute each chapter (time, memory)")
    parser.add_argument("--compare", type=Path, metavar="OLD", help="each chapter here and in the checkout OLD")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each chapter with --compare (best kept)")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare.resolve(), args.repeats)
        return
    if not args.chapters_only:
        builds(args)
    print("\n| chapter | execution (1 BLAS thread) | peak memory |\n|---|---|---|")
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        seconds, mb = execute(nb)
        print(f"| {nb.name} | {seconds:.1f} s | {mb:.0f} MB |", flush=True)


def builds(args):
    jb = [str(BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going", "--all"]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        copy_tree(tmp)
        results["cold build"] = timed(jb, tmp)
        results["unchanged rebuild"] = timed(jb, tmp)
        if args.make_test:
            (tmp / ".venv").symlink_to(ROOT / ".venv")
            results["make test"] = timed(["make", "test"], tmp)
    print("| measurement | time | target |\n|---|---|---|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.1f} s | {TARGETS[name]:.0f} s |", flush=True)


if __name__ == "__main__":
    main()
