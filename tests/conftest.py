"""Shared set-up of the tests of ``tests/`` (not ``tests/browser``, which has its own).

Every test module runs with one BLAS thread, as the chapters do (the Makefile sets it for the whole run;
the fixture keeps a bare ``pytest`` the same): the claims tests recompute the chapters' numbers with the
same sums, so the same bits.

The longest files run first: with pytest-xdist's ``--dist loadfile`` (``make test``) a worker takes
whole files in collection order, so a long file collected last would leave the other core idle at
the end of the run while it finishes alone.
"""
from __future__ import annotations

from pathlib import Path

import pytest

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

# the files that take longest (seconds on the project's 2-core machine, benchmarks/README.md), longest first
LONGEST_FIRST = ["test_nbgrader.py", "test_nbgrader_accounts.py", "test_student_book.py",
                 "test_claims_normalization.py", "test_claims_orthogonal.py", "test_claims_symmetry.py",
                 "test_claims_saturation.py", "test_widgets.py", "test_environment.py"]


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    # a stable sort: the order inside a file, and of the other files, is pytest's
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(1):
        yield
