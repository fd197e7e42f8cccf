"""The chapters' hidden install cell installs initlib where it is missing, and the import cell then runs.

Colab and a bare Jupyter server do not have initlib; the first code cell of
every chapter (tag ``remove-cell``: hidden in the HTML book) installs it with
pip from the repository, and does nothing where initlib is already there.
This test takes that cell as the chapters have it, replaces the repository
URL by a copy of this checkout (``initlib @ file://...``: the same pip
command, the same packaging, no network), runs it in a fresh virtual
environment without initlib, and then runs the chapters' import cell there.

The fresh environment is set up as Colab's is: numpy and matplotlib (with
their dependencies) are already there, initlib is not. They, and pip, are
linked from the running environment through a ``.pth`` file instead of
being installed again: that would test pip and the pip cache, not the cell,
and cost a minute. The cell's pip then installs initlib alone (its
dependencies are satisfied), building it from the copy with setuptools
from the local pip cache. About 15 s on an idle machine.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
REPOSITORY = "git+https://github.com/"


def code_cells(path):
    nb = json.loads(path.read_text())
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def install_cell(path):
    cell = code_cells(path)[0]
    assert "remove-cell" in cell["metadata"].get("tags", []), f"{path.name}: the first code cell is not hidden"
    return "".join(cell["source"])


def import_cell(path):
    return "".join(code_cells(path)[1]["source"])


def test_every_chapter_has_the_same_install_and_import_cells():
    first = install_cell(CHAPTERS[0])
    assert "import initlib" in first and "pip" in first and REPOSITORY in first
    for path in CHAPTERS:
        assert install_cell(path) == first, f"{path.name}: its install cell differs from {CHAPTERS[0].name}'s"
        assert "import initlib as il" in import_cell(path), f"{path.name}: the second code cell is not the imports"


def top_level_entries(names):
    """The installed files and folders (packages, modules, .dist-info) of ``names`` and their dependencies."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen, todo, entries = set(), list(names), set()
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        for requirement in map(Requirement, dist.requires or []):
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
        for file in dist.files or []:
            top = file.parts[0]
            if top not in ("..", "__pycache__") and not top.endswith(".pth"):
                entries.add(Path(dist.locate_file(top)))
    assert "initlib" not in seen, names
    return sorted(entries)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of what pip needs from this checkout (the package and its metadata), outside the work tree."""
    copy = tmp_path_factory.mktemp("checkout") / "initbook"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, copy / name)
    shutil.copytree(ROOT / "initlib", copy / "initlib", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_install_cell_installs_initlib_in_a_fresh_environment(tmp_path, checkout):
    source = install_cell(CHAPTERS[0])
    url = next(part for part in source.split('"') if REPOSITORY in part)  # "initlib @ git+https://..."
    local = source.replace(url, f"initlib @ {checkout.as_uri()}")
    assert local != source and checkout.as_uri() in local

    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # what Colab already has: pip, numpy, matplotlib and their dependencies (not initlib)
    provided = site / "_provided"
    provided.mkdir()
    for entry in top_level_entries(["pip", "numpy", "matplotlib"]):
        (provided / entry.name).symlink_to(entry)
    (site / "provided.pth").write_text(str(provided) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"

    missing = subprocess.run([python, "-c", "import initlib"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "No module named 'initlib'" in missing.stderr, f"the fresh environment is not Colab's: {missing.stderr}"

    installed = subprocess.run([python, "-c", local], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert installed.returncode == 0, f"the install cell failed:\n{installed.stdout}\n{installed.stderr}"

    check = import_cell(CHAPTERS[0]) + (
        "\nprint(il.__file__)\nprint(il.MLP([2, 3, 1], seed=0))\nprint(plt.get_backend(), np.__version__)"
    )
    ran = subprocess.run([python, "-c", check], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert ran.returncode == 0, f"the import cell failed after the install:\n{ran.stderr}"
    location = Path(ran.stdout.splitlines()[0])
    assert site in location.parents, f"initlib was imported from {location}, not from the fresh environment"

    again = subprocess.run([python, "-c", local], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert again.returncode == 0 and not again.stdout and not again.stderr, "the cell should do nothing the second time"
