"""Fixtures of the browser tests (helpers in ``browser_helpers.py``)."""
from __future__ import annotations

import shutil
import tempfile

import pytest

from browser_helpers import start_chromium


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by Selenium, recording every network request in its performance log."""
    profile = tempfile.mkdtemp(prefix="initbook-chromium-")
    try:
        driver = start_chromium(profile)
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
