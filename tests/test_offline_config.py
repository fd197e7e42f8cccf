"""tools/offline_config.py: the offline build's configuration serves MathJax from the build."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import offline_config  # noqa: E402


@pytest.fixture
def node_modules(tmp_path):
    entry = tmp_path / offline_config.ENTRY
    entry.parent.mkdir(parents=True)
    entry.write_text("// MathJax")
    return tmp_path


def test_mathjax_from_the_build_and_the_shared_cache(node_modules):
    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config = offline_config.offline_config(book, node_modules)
    sphinx = config["sphinx"]["config"]
    assert sphinx["mathjax_path"] == offline_config.ENTRY
    assert str(node_modules.resolve()) in sphinx["html_static_path"]
    assert config["execute"]["cache"] == str(ROOT / "_build" / ".jupyter_cache")
    assert book["sphinx"]["config"].get("mathjax_path") is None, "the book's own config is not changed"


def test_local_extensions_are_found_from_the_moved_config(node_modules):
    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    local = offline_config.offline_config(book, node_modules)["sphinx"]["local_extensions"]
    assert local.keys() == book["sphinx"]["local_extensions"].keys()
    for name, path in local.items():
        assert Path(path).is_absolute() and (Path(path) / f"{name}.py").is_file(), path


def test_missing_mathjax_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm install mathjax"):
        offline_config.offline_config({}, tmp_path)


def test_committed_outputs_build_executes_nothing(node_modules, tmp_path):
    book = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config = offline_config.offline_config(book, node_modules, committed_outputs=True)
    assert config["execute"]["execute_notebooks"] == "off" and "cache" not in config["execute"]
    assert book["execute"]["execute_notebooks"] != "off", "make book still executes"
    # --cdn: the book's MathJax, only the execution changed
    out = tmp_path / "cdn" / "_config.yml"
    assert offline_config.main(["--committed-outputs", "--cdn", str(out)]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["execute"]["execute_notebooks"] == "off"
    assert written["sphinx"]["config"].get("mathjax_path") == book["sphinx"]["config"].get("mathjax_path")
    assert {k: v for k, v in written.items() if k not in ("execute", "sphinx")} == \
        {k: v for k, v in book.items() if k not in ("execute", "sphinx")}


def test_command_line_names_its_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit):
        offline_config.main(["--cdn", str(tmp_path / "a"), str(tmp_path / "b")])
    assert "OUT_CONFIG" in capsys.readouterr().err
