"""Write the configuration of the book's test builds: offline, and from the committed outputs.

    python tools/offline_config.py [--committed-outputs] NODE_MODULES OUT_CONFIG
    python tools/offline_config.py --committed-outputs --cdn OUT_CONFIG

reads ``_config.yml`` and writes ``OUT_CONFIG`` with these changes:

- offline (``NODE_MODULES`` given): MathJax is served from the build output
  instead of a CDN, so that a page opened from a server with no internet
  access makes no request to any other host. ``html_static_path`` gets
  ``NODE_MODULES`` (the folder into which npm installed the package
  ``mathjax``; ``make book-offline`` runs ``npm install`` first, none of it
  is committed), which Sphinx copies into ``_static/``, and ``mathjax_path``
  points at ``_static/mathjax/es5/tex-mml-chtml.js``. With ``--cdn`` the
  book keeps the CDN of ``_config.yml``.
- ``--committed-outputs``: the notebooks are not executed
  (``execute_notebooks: off``): the pages show the outputs committed with
  the notebooks. ``make test`` builds the book this way, after ``pytest
  --nbval`` has re-executed every chapter and compared its outputs with the
  committed ones: executing every chapter a second time in the build would
  check nothing more and cost minutes. ``make book`` executes as
  ``_config.yml`` says.
- Without ``--committed-outputs`` the build shares the execution cache of
  ``make book`` (``_build/.jupyter_cache``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "mathjax/es5/tex-mml-chtml.js"  # the component the online build loads from the CDN


def offline_config(config: dict, node_modules: Path | None, *, committed_outputs: bool = False) -> dict:
    """Return a copy of the book's ``config`` for a build outside the repository's root.

    It serves MathJax from ``node_modules`` (unless that is None) and, with
    ``committed_outputs``, does not execute the notebooks.
    """
    config = dict(config)
    sphinx = dict(config.get("sphinx") or {})
    sphinx_config = dict(sphinx.get("config") or {})
    if node_modules is not None:
        entry = node_modules / ENTRY
        if not entry.is_file():
            raise FileNotFoundError(f"{entry} not found: install MathJax 3 first (npm install mathjax@3)")
        sphinx_config["html_static_path"] = (list(sphinx_config.get("html_static_path", []))
                                             + [str(node_modules.resolve())])
        sphinx_config["mathjax_path"] = ENTRY  # relative paths are resolved inside _static/
    sphinx["config"] = sphinx_config
    # local extensions are found relative to the config file, which moves
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve()) for name, path in local.items()}
    config["sphinx"] = sphinx
    execute = dict(config.get("execute") or {})
    if committed_outputs:
        execute["execute_notebooks"] = "off"
    else:
        # Share the normal build's execution cache: the offline build then re-reads
        # the pages without executing the notebooks a second time.
        execute["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    config["execute"] = execute
    return config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--committed-outputs", action="store_true", help="do not execute the notebooks")
    parser.add_argument("--cdn", action="store_true", help="keep MathJax from the CDN (no NODE_MODULES)")
    parser.add_argument("paths", nargs="+", metavar="NODE_MODULES OUT_CONFIG")
    args = parser.parse_args(argv)
    if len(args.paths) != (1 if args.cdn else 2):
        parser.error("give OUT_CONFIG with --cdn, NODE_MODULES and OUT_CONFIG without")
    node_modules, out = (None, Path(args.paths[0])) if args.cdn else (Path(args.paths[0]), Path(args.paths[1]))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    new = offline_config(config, node_modules, committed_outputs=args.committed_outputs)
    out.write_text(yaml.safe_dump(new, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
