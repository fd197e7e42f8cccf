"""Write the configuration of the offline build of the book.

The offline build is the normal book with MathJax served from the build output
instead of a CDN, so that a page opened from a server with no internet access
makes no request to any other host. MathJax itself is installed from the npm
registry at build time (``make book-offline`` runs ``npm install`` first); none
of it is committed.

    python tools/offline_config.py NODE_MODULES OUT_CONFIG

reads ``_config.yml`` and writes ``OUT_CONFIG`` with two Sphinx settings
added: ``html_static_path`` gets ``NODE_MODULES`` (the folder into which npm
installed the package ``mathjax``), which Sphinx copies into ``_static/``, and
``mathjax_path`` points at ``_static/mathjax/es5/tex-mml-chtml.js``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "mathjax/es5/tex-mml-chtml.js"  # the component the online build loads from the CDN


def offline_config(config: dict, node_modules: Path) -> dict:
    """Return a copy of the book's ``config`` that serves MathJax from ``node_modules``."""
    entry = node_modules / ENTRY
    if not entry.is_file():
        raise FileNotFoundError(f"{entry} not found: install MathJax 3 first (npm install mathjax@3)")
    config = dict(config)
    sphinx = dict(config.get("sphinx") or {})
    sphinx_config = dict(sphinx.get("config") or {})
    sphinx_config["html_static_path"] = list(sphinx_config.get("html_static_path", [])) + [str(node_modules.resolve())]
    sphinx_config["mathjax_path"] = ENTRY  # relative paths are resolved inside _static/
    sphinx["config"] = sphinx_config
    # local extensions are found relative to the config file, which moves
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve()) for name, path in local.items()}
    config["sphinx"] = sphinx
    # Share the normal build's execution cache: the offline build then re-reads
    # the pages without executing the notebooks a second time.
    execute = dict(config.get("execute") or {})
    execute["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    config["execute"] = execute
    return config


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    node_modules, out = Path(argv[1]), Path(argv[2])
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(offline_config(config, node_modules), sort_keys=False))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
