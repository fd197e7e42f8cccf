"""The layout of initlib: short modules, and packages that re-export what their files define.

A new figure file in ``initlib/plots/`` or explorer file in ``initlib/widgets/``
must be wired into its package (imported in ``__init__.py`` and listed in its
``__all__``); these tests name the file and the name that are missing.
"""
import importlib
import pkgutil
from pathlib import Path

import pytest

import initlib

ROOT = Path(initlib.__file__).parent
MAX_LINES = 400
# init.py is a flat list of initializers (in the manner of torch.nn.init), cut
# only where a natural seam shows (issue 13); no other module may pass the limit.
LONGER = {"init.py"}


def test_no_initlib_module_is_longer_than_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES and p.name not in LONGER
    }
    assert not long, f"initlib modules longer than {MAX_LINES} lines (split them at a concern): {long}"


@pytest.mark.parametrize("package", ["plots", "widgets"])
def test_packages_re_export_every_public_name_of_their_files(package):
    pkg = importlib.import_module(f"initlib.{package}")
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"initlib.{package}.{info.name}")
        assert mod.__doc__, f"initlib/{package}/{info.name}.py has no module docstring"
        # a file of helpers the package's files share says so with __all__ = []
        assert hasattr(mod, "__all__"), f"initlib/{package}/{info.name}.py lists no __all__"
        for name in mod.__all__:
            assert getattr(pkg, name, None) is getattr(mod, name), (
                f"initlib.{package}.{name} (from {info.name}.py) is not re-exported by initlib/{package}/__init__.py"
            )
            assert name in pkg.__all__, f"{name} (from {info.name}.py) is missing from initlib.{package}.__all__"


@pytest.mark.parametrize("package", ["plots", "widgets"])
def test_package_all_names_resolve(package):
    pkg = importlib.import_module(f"initlib.{package}")
    missing = [n for n in pkg.__all__ if not hasattr(pkg, n)]
    assert not missing, f"initlib.{package}.__all__ lists names it does not define: {missing}"


def test_import_initlib_draws_nothing_until_asked():
    """``import initlib`` leaves matplotlib (and ipywidgets) unimported; ``il.plots`` and ``il.widgets`` import
    their packages on first use, as attributes, in ``dir(il)`` and in ``from initlib import *``."""
    import subprocess
    import sys

    code = (
        "import sys, initlib as il\n"
        "drawing = ('matplotlib', 'ipywidgets', 'initlib.plots', 'initlib.widgets')\n"
        "assert not [m for m in drawing if m in sys.modules], [m for m in drawing if m in sys.modules]\n"
        "assert {'plots', 'widgets'} <= set(dir(il))\n"
        "import initlib.plots as p, initlib.widgets as w\n"
        "assert il.plots is p and il.widgets is w and il.plots.style is p.style\n"
        "ns = {}\n"
        "exec('from initlib import *', ns)\n"
        "assert ns['plots'] is p and ns['widgets'] is w\n"
        "try:\n"
        "    il.no_such_thing\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_thing' in str(e)\n"
        "else:\n"
        "    raise SystemExit('il.no_such_thing did not raise AttributeError')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
