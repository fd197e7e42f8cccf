"""The book's parallel execution before reading (_ext/initbook_execute.py).

Two notebooks that can only finish together (each waits for a file the other writes) prove that they
ran side by side; the cache then matches them as myst-nb looks them up. The book build through this
extension, with myst-nb reading every notebook from the cache, is tested in
tests/test_environment.py (test_the_book_build_executes_a_chapter_in_a_ci_images_environment).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from myst_nb.core.config import NbParserConfig

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

import initbook_execute as ext  # noqa: E402

RENDEZVOUS = """\
import pathlib, time
pathlib.Path("{me}.ready").touch()
deadline = time.monotonic() + 60
while not pathlib.Path("{other}.ready").exists():
    if time.monotonic() > deadline:
        raise TimeoutError("{other} never ran beside {me}")
    time.sleep(0.05)
print("{me} met {other}")"""


def notebook(path, *sources, metadata=None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                       **(metadata or {}))
    nbformat.write(nb, str(path))
    return str(path)


def config(tmp_path, **kwargs):
    return NbParserConfig(execution_mode="cache", execution_cache_path=str(tmp_path / "cache"),
                          execution_timeout=120, **kwargs)


def printed(nb):
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_outdated_notebooks_run_side_by_side_and_are_cached_as_myst_nb_looks_them_up(tmp_path):
    from jupyter_cache import get_cache

    a = notebook(tmp_path / "a.ipynb", RENDEZVOUS.format(me="a", other="b"))
    b = notebook(tmp_path / "b.ipynb", RENDEZVOUS.format(me="b", other="a"))
    broken = notebook(tmp_path / "broken.ipynb", "1 / 0")
    dies = notebook(tmp_path / "dies.ipynb", "import os\nos._exit(1)")  # nbclient raises DeadKernelError
    skipped = notebook(tmp_path / "skipped.ipynb", "print('excluded')")
    own = notebook(tmp_path / "own.ipynb", "print('own settings')", metadata={"mystnb": {"execution_timeout": 5}})
    cfg = config(tmp_path, execution_excludepatterns=("skipped.ipynb",))
    every = [a, b, broken, dies, skipped, own]
    assert set(ext.outdated(every, cfg)) == {a, b, broken, dies}  # the rest is myst-nb's

    lines = []
    stored, failed = ext.execute_outdated(every, cfg, n_jobs=3, log=lines.append)
    assert set(stored) == {a, b} and all(seconds > 0 for seconds in stored.values())
    assert set(failed) == {broken, dies}
    assert "ZeroDivisionError" in failed[broken] and "DeadKernelError" in failed[dies]
    assert any("4 notebooks, 3 at a time" in line for line in lines), lines
    assert any("broken.ipynb failed" in line and "myst-nb executes it again" in line for line in lines), lines

    cache = get_cache(str(tmp_path / "cache"))
    for path, other in [(a, "b"), (b, "a")]:
        record = cache.match_cache_notebook(ext.read_as_myst_nb(path, cfg))  # myst-nb's lookup
        assert record.data["execution_seconds"] == stored[path]
        _, merged = cache.merge_match_into_notebook(ext.read_as_myst_nb(path, cfg))
        assert f"{Path(path).stem} met {other}" in printed(merged)
    # what failed is left for myst-nb to execute (and report); nothing else is outdated any more
    assert set(ext.outdated(every, cfg)) == {broken, dies}
    # the times of the next build's order: those executed, not the failed one
    assert ext.read_timings(ext.timings_file(cfg)) == stored


def test_the_longest_notebooks_start_first_and_those_never_timed_before_them():
    timings = {"a": 2.0, "b": 30.0, "c": 12.5}
    assert ext.longest_first(["a", "b", "c", "new"], timings) == ["new", "b", "c", "a"]
    assert ext.longest_first(["a", "b"], {}) == ["a", "b"]  # no times: the order given
    assert ext.longest_first(["a", "b", "c"], {"a": 1, "b": "x", "c": True}) == ["b", "c", "a"]  # not times


def test_unreadable_timings_are_no_timings(tmp_path):
    assert ext.read_timings(tmp_path / "missing.json") == {}
    for text in ["not json", "[1, 2]"]:
        (tmp_path / "t.json").write_text(text)
        assert ext.read_timings(tmp_path / "t.json") == {}


def test_one_job_or_one_notebook_is_left_to_myst_nb(tmp_path):
    a = notebook(tmp_path / "a.ipynb", "print(1)")
    b = notebook(tmp_path / "b.ipynb", "print(2)")
    cfg = config(tmp_path)
    assert ext.execute_outdated([a, b], cfg, n_jobs=1) == ({}, {})
    assert ext.execute_outdated([a], cfg, n_jobs=2) == ({}, {})
    assert set(ext.outdated([a, b], cfg)) == {a, b}  # nothing was executed


def test_kernel_aliases_are_applied_as_myst_nb_applies_them(tmp_path):
    path = notebook(tmp_path / "a.ipynb", "print(1)")
    nb = nbformat.read(path, as_version=4)
    nb.metadata.kernelspec.name = "python3.11"
    nbformat.write(nb, path)
    cfg = config(tmp_path, kernel_rgx_aliases={"python3.*": "python3"})
    assert ext.read_as_myst_nb(path, cfg).metadata.kernelspec.name == "python3"
    assert ext.read_as_myst_nb(path, config(tmp_path)).metadata.kernelspec.name == "python3.11"


@pytest.mark.parametrize("value, expected", [("", None), ("1", 1), (" 3 ", 3)])
def test_jobs(value, expected):
    import os

    assert ext.jobs({ext.JOBS_VARIABLE: value}) == (expected or os.cpu_count() or 1)


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_jobs_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError, match=f"{ext.JOBS_VARIABLE} must be a whole number >= 1, got '{value}'"):
        ext.jobs({ext.JOBS_VARIABLE: value})
