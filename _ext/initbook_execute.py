"""A cold build executes the book's notebooks on every core, not one after the other.

With ``execute_notebooks: cache`` (``_config.yml``) myst-nb executes a
notebook when Sphinx reads it and finds no match for its code in the
jupyter-cache, then stores the outputs there; Sphinx reads the documents one
after the other (Jupyter Book 1 has no option for Sphinx's parallel reading),
so a cold ``make book`` executes the chapters one at a time, each on one core
(one BLAS thread: the book's outputs are the single-thread sums).

Before the reading starts (Sphinx's ``env-before-read-docs``), this extension
finds the notebooks about to be read that have no match in the cache and
executes them side by side, one process each, as many at a time as the
machine has cores (``INITBOOK_EXECUTE_JOBS`` sets another number; 1 leaves
everything to myst-nb). Each is executed exactly as myst-nb would execute it:
the notebook as myst-nb reads it (``nbformat``, version 4, the kernel aliases
of ``nb_kernel_rgx_aliases`` applied), jupyter-cache's ``single_nb_execution``
with the book's timeout and ``allow_errors``, in the notebook's folder (or a
temporary one with ``run_in_temp``), in the same environment; the result is
stored in the cache as myst-nb stores it. myst-nb then finds every notebook
in the cache and reads its outputs from there, as on any warm build.

The longest notebooks start first (their times on the last build, kept in
``initbook-execution-times.json`` beside the cache, which survives the cache
being emptied; a notebook never timed counts as the longest), so that no long
notebook is left to run alone at the end.

A notebook that fails is not stored: myst-nb executes it again while reading
it and reports its error as it always does (a build with an error costs that
notebook twice). Notebooks excluded from execution, or whose own metadata
changes myst-nb's settings (the ``mystnb`` key), are left to myst-nb.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import json
import math
import multiprocessing
import os
import re
import tempfile
import time
import traceback
from pathlib import Path, PurePosixPath

from sphinx.util import logging

JOBS_VARIABLE = "INITBOOK_EXECUTE_JOBS"

LOGGER = logging.getLogger(__name__)


def jobs(environ=os.environ) -> int:
    """How many notebooks to execute at a time: ``INITBOOK_EXECUTE_JOBS``, else the number of cores."""
    value = environ.get(JOBS_VARIABLE, "").strip()
    if not value:
        return os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{JOBS_VARIABLE} must be a whole number >= 1, got {value!r}")
    return int(value)


def read_as_myst_nb(path, nb_config):
    """The notebook at ``path`` as myst-nb reads it before executing it (its kernel aliases applied)."""
    import nbformat

    notebook = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None:
        for pattern, alias in (nb_config.kernel_rgx_aliases or {}).items():
            if re.fullmatch(pattern, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    return notebook


def left_to_myst_nb(path, notebook, nb_config) -> bool:
    """True for a notebook myst-nb does not execute, or executes with settings of its own metadata."""
    posix = PurePosixPath(Path(path).as_posix())
    return (any(posix.match(pattern) for pattern in nb_config.execution_excludepatterns or ())
            or nb_config.metadata_key in notebook.metadata)


def outdated(paths, nb_config):
    """``{path: notebook}`` of the ``paths`` (notebooks) that myst-nb would execute: no match in the cache."""
    from jupyter_cache import get_cache

    cache = get_cache(nb_config.execution_cache_path)
    found = {}
    for path in paths:
        notebook = read_as_myst_nb(path, nb_config)
        if left_to_myst_nb(path, notebook, nb_config):
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            found[str(path)] = notebook
    return found


def timings_file(nb_config) -> Path:
    """Where the execution time of each notebook is kept between builds: beside the cache."""
    return Path(nb_config.execution_cache_path).parent / "initbook-execution-times.json"


def read_timings(file) -> dict:
    """``{path: seconds}`` from ``file``; empty if it is missing or unreadable."""
    try:
        timings = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return timings if isinstance(timings, dict) else {}


def longest_first(paths, timings):
    """``paths`` in the order to start them: never timed first, then by their last time, longest first."""
    def seconds(path):
        value = timings.get(path)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else math.inf

    return sorted(paths, key=lambda p: -seconds(p))


def _execute(path, notebook, in_temp, timeout, allow_errors):
    """One notebook, in a process of its own: ``(path, executed notebook or None, seconds, error text)``."""
    from jupyter_cache.executors.utils import single_nb_execution

    started = time.perf_counter()
    folder = tempfile.TemporaryDirectory() if in_temp else contextlib.nullcontext(str(Path(path).parent))
    try:
        with folder as cwd:
            result = single_nb_execution(notebook, cwd=os.path.abspath(cwd), allow_errors=allow_errors,
                                         timeout=timeout, meta_override=True)
    except Exception:  # noqa: BLE001  (a kernel that died, a kernel that would not start: myst-nb reports it)
        return path, None, time.perf_counter() - started, traceback.format_exc()
    if result.err is not None:
        return path, None, result.time, result.exc_string
    return path, result.nb, result.time, None


def execute_outdated(paths, nb_config, n_jobs=None, log=LOGGER.info):
    """Execute the ``paths`` that have no match in the cache, ``n_jobs`` at a time, and store them in it.

    Returns ``{path: seconds}`` of the notebooks stored, and ``{path: error text}`` of those that failed.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    n_jobs = jobs() if n_jobs is None else n_jobs
    todo = outdated(paths, nb_config)
    if n_jobs < 2 or len(todo) < 2:
        return {}, {}
    cache = get_cache(nb_config.execution_cache_path)
    timings = read_timings(timings_file(nb_config))
    stored, failed = {}, {}
    log(f"[initbook] executing {len(todo)} notebooks, {min(n_jobs, len(todo))} at a time")
    # spawn: a fresh interpreter per worker, not a fork of Sphinx's process and its threads
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(min(n_jobs, len(todo)), mp_context=context) as pool:
        futures = [pool.submit(_execute, path, todo[path], nb_config.execution_in_temp, nb_config.execution_timeout,
                               nb_config.execution_allow_errors) for path in longest_first(todo, timings)]
        for future in concurrent.futures.as_completed(futures):
            path, notebook, seconds, error = future.result()
            if notebook is None:
                failed[path] = error
                log(f"[initbook] {path} failed after {seconds:.1f} s: myst-nb executes it again and reports it")
                continue
            # as myst-nb stores a notebook it executed (myst_nb.core.execute.cache)
            record = cache.add_nb_to_project(path)
            NbProjectRecord.remove_tracebacks([record.pk], cache.db)
            cache.cache_notebook_bundle(CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
                                        check_validity=False, overwrite=True)
            stored[path] = seconds
            log(f"[initbook] executed {path} in {seconds:.1f} s")
    with contextlib.suppress(OSError):  # only the order of the next cold build depends on it
        timings_file(nb_config).write_text(json.dumps({**timings, **stored}, indent=1, sort_keys=True),
                                           encoding="utf-8")
    return stored, failed


def execute_before_reading(app, env, docnames):
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    paths = [str(env.doc2path(name)) for name in sorted(docnames)]
    execute_outdated([p for p in paths if p.endswith(".ipynb")], config)


def setup(app):
    app.connect("env-before-read-docs", execute_before_reading)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
