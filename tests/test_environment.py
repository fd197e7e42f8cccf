"""The chapters survive the environment they run in: ``MPLBACKEND=Agg``, and any BLAS thread count.

Two things a reader's (or a CI image's) environment sets differently from
``make``:

- ``MPLBACKEND=Agg``, as many CI and Docker images set it. A Jupyter kernel
  respects it, skips its inline backend, and ``plt.show()`` then shows no
  figure (nbval misses the images, the ``-W`` book build fails on the
  warning). ``import initlib`` turns the inline backend on in that case
  (``initlib/_kernel.py``). The test runs a real kernel with the variable
  set: a figure cell before the import shows nothing (the environment
  reproduces the failure), the same cell after it shows the figure.
- ``OPENBLAS_NUM_THREADS`` unset: a reader's Jupyter uses every core, where
  ``make`` uses one BLAS thread. The committed outputs must not depend on
  it. The test computes, in fresh processes with one, the default and four
  BLAS threads, the kinds of numbers the chapters print (a large matrix
  product, per-layer statistics of a deep network, a training run) and
  requires the same bits.

Both exercise the mechanism in a few seconds instead of a second full nbval
run (which, with multi-threaded BLAS on a busy 2-core machine, took 500 s
for two chapters).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

FIGURE = "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"


def outputs_of(cells, monkeypatch, **env):
    """Run ``cells`` in one fresh kernel with ``env`` added to the environment; their outputs."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [c.outputs for c in nb.cells]


def shows_figure(outputs):
    return any("image/png" in o.get("data", {}) for o in outputs)


def stderr_of(outputs):
    return "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")


def test_figures_show_in_a_kernel_with_mplbackend_agg(monkeypatch):
    before, imported, after = outputs_of([FIGURE, "import initlib as il", FIGURE], monkeypatch, MPLBACKEND="Agg")
    # the environment reproduces the reader's failure: no figure, a warning
    assert not shows_figure(before), "with MPLBACKEND=Agg the kernel should show no figure before initlib is imported"
    assert imported == [], f"importing initlib printed something: {imported}"
    assert shows_figure(after), f"after `import initlib` the figure is still not shown: {after}"
    assert not stderr_of(after), stderr_of(after)


def test_the_default_backend_is_left_alone(monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)
    (backend,) = outputs_of(["import initlib as il\nimport matplotlib\nprint(matplotlib.get_backend())"], monkeypatch)
    assert backend[0]["text"].strip() in ("inline", "module://matplotlib_inline.backend_inline"), backend


def test_outside_a_kernel_nothing_changes():
    code = ("import matplotlib, initlib, sys; "
            "print(matplotlib.get_backend(), 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "MPLBACKEND": "Agg"},
                         capture_output=True, text=True, check=True).stdout.split()
    assert [out[0].lower(), out[1]] == ["agg", "False"], out  # importing initlib selects no backend and imports no pyplot


# The numbers, as the chapters compute them: a large product (chapter 3), the
# per-layer statistics of a deep tanh network (chapter 2), a training run
# (chapters 1 and 3); printed as one digest of their bits.
NUMBERS = r"""
import hashlib
import numpy as np
import initlib as il

rng = np.random.default_rng(0)
z = il.activations.relu(rng.standard_normal((1000, 500))) @ il.init.he_normal(500, 500, rng=rng)
deep = il.MLP([500] * 10 + [1], activation="tanh", init="normal", scale=0.05, seed=0)
stats = il.activation_stats(deep, np.random.default_rng(1).standard_normal((200, 500)))
X, y, _, _ = il.data.circles(seed=1)
net = il.MLP([2, 64, 64, 1], init="he_normal", seed=0)
hist = il.train(net, X, y, epochs=20, lr=0.05, batch_size=32, seed=1)
digest = hashlib.sha256()
for a in [z, stats.std, stats.saturated, *net.W, np.asarray(hist.loss)]:
    digest.update(np.ascontiguousarray(a, dtype=float).tobytes())
print(digest.hexdigest())
"""
THREADS = """
import numpy  # loads BLAS
from threadpoolctl import threadpool_info
print(max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=0))
"""
NO_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def test_a_kernel_without_openblas_num_threads_computes_the_books_bits(monkeypatch):
    pytest.importorskip("threadpoolctl")
    env = {k: v for k, v in os.environ.items() if k not in NO_THREAD_VARIABLES}
    reference = subprocess.run([sys.executable, "-c", NUMBERS], env={**env, "OPENBLAS_NUM_THREADS": "1"},
                               capture_output=True, text=True, timeout=300, check=True).stdout.strip()
    for name in NO_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    before, _, after, numbers = outputs_of([THREADS, "import initlib as il", THREADS, NUMBERS], monkeypatch)
    text = [o[0]["text"].strip() for o in (before, after, numbers)]
    if (os.cpu_count() or 1) > 1:  # the reader's case: BLAS on every core until initlib is imported
        assert int(text[0]) > 1, f"BLAS runs on {text[0]} thread(s) in the kernel: the case is not exercised"
    assert text[1] == "1", f"after `import initlib` BLAS runs on {text[1]} threads"
    assert text[2] == reference, "the kernel's numbers differ from those computed with OPENBLAS_NUM_THREADS=1"


def test_a_chosen_thread_count_or_backend_is_left_alone():
    from initlib import _kernel

    class Shell:  # stands for a kernel's shell: any call on it would fail the test
        kernel = object()

    for name in NO_THREAD_VARIABLES:
        assert _kernel.one_blas_thread_in_kernel({name: "2"}, shell=Shell()) is False
    for backend in ("module://matplotlib_inline.backend_inline", "inline", "QtAgg", ""):
        assert _kernel.inline_figures_in_kernel({"MPLBACKEND": backend}, shell=Shell()) is False


def test_the_book_build_executes_a_chapter_in_a_ci_images_environment(tmp_path):
    """The ``-W`` book build, executing a chapter, with ``MPLBACKEND=Agg`` set and no BLAS thread count.

    ``make test`` builds the book from the committed outputs (nbval executes the chapters, in this same
    environment); ``make book`` executes them. Here a book of the getting-started chapter (its outputs
    removed, so that the build must make them), a second small notebook, the notation page and the
    references, with the book's own configuration (``execute_notebooks: cache``, an empty cache), is built
    as a CI image would build it, as ``make book`` builds it cold: the book's extension
    (``_ext/initbook_execute.py``) executes the two notebooks side by side into the cache, and myst-nb
    must then read both from the cache (executing neither again); the chapter's figure must be on the
    built page.
    """
    import shutil

    import yaml

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, os.path.join(root, "tools"))
    import offline_config

    book = tmp_path / "book"
    (book / "chapters").mkdir(parents=True)
    nb = nbformat.read(os.path.join(root, "chapters", "00_getting_started.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, str(book / "chapters" / "00_getting_started.ipynb"))
    second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A second notebook"),
                                             nbformat.v4.new_code_cell("print(6 * 7)")])
    second.metadata.kernelspec = nb.metadata.kernelspec
    nbformat.write(second, str(book / "chapters" / "second.ipynb"))
    for name in ("chapters/notation.md", "chapters/references.md", "references.bib"):
        shutil.copy(os.path.join(root, name), book / name)
    shutil.copytree(os.path.join(root, "images"), book / "images")  # the icon and logo of _config.yml
    (book / "intro.md").write_text("# A chapter of the book\n", encoding="utf-8")
    toc = {"format": "jb-book", "root": "intro",
           "chapters": [{"file": "chapters/00_getting_started"}, {"file": "chapters/second"},
                        {"file": "chapters/notation"},
                        {"file": "chapters/references"}]}
    (book / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    with open(os.path.join(root, "_config.yml"), encoding="utf-8") as f:
        config = offline_config.offline_config(yaml.safe_load(f), None)  # local extensions by absolute path
    assert config["execute"]["execute_notebooks"] == "cache"
    config["execute"] = {k: v for k, v in config["execute"].items() if k != "cache"}  # the build's own cache
    (book / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    env["MPLBACKEND"] = "Agg"
    jb = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    result = subprocess.run([jb, "build", str(book), "-W", "-n", "--keep-going", "--all"], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"the build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    log = result.stdout + result.stderr
    assert "[initbook] executing 2 notebooks, 2 at a time" in log, log[-4000:]
    for name in ("00_getting_started", "second"):
        assert re.search(rf"{name}\.ipynb: Using cached notebook", log), f"{name} was not read from the cache"
    assert "Executed notebook" not in log, "myst-nb executed a notebook again"
    assert "42" in (book / "_build" / "html" / "chapters" / "second.html").read_text(encoding="utf-8")
    page = (book / "_build" / "html" / "chapters" / "00_getting_started.html").read_text(encoding="utf-8")
    figures = [src for src in re.findall(r'<img[^>]+src="([^"]+)"', page) if src.endswith(".png")]
    assert figures and all((book / "_build" / "html" / "chapters" / src).is_file() for src in figures), figures
