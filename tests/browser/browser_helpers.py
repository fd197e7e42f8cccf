"""Helpers shared by the browser tests: headless Chromium driven by Selenium, its logs, skip-or-fail.

The tests drive Debian's (or Ubuntu's) ``chromium`` and ``chromium-driver``
packages; no browser is downloaded. Without them a test is skipped with a hint,
except when the environment variable ``CI`` is set: then it fails, so CI never
passes without running it. The ``browser`` fixture (``conftest.py``) starts one
Chromium per test module.
"""
from __future__ import annotations

import json
import os
import shutil
from urllib.parse import urlsplit

import pytest

INSTALL_HINT = (
    "install Chromium and its driver (Debian/Ubuntu: sudo apt-get install chromium chromium-driver) "
    "and Selenium (pip install -r requirements.txt)"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1600",
    # any host but the local server resolves to nothing: a stray request is recorded, never sent
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def unavailable(reason):
    """Skip with ``reason``, or fail when running in CI (``CI`` set), where the test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}. The browser test must run in CI (CI={os.environ['CI']!r}).", pytrace=False)
    pytest.skip(reason)


def find(name, fallback):
    """The executable ``name`` on the PATH (or ``fallback``), or None."""
    path = shutil.which(name) or fallback
    return path if path and os.access(path, os.X_OK) else None


def start_chromium(profile):
    """Headless Chromium (user data in ``profile``) recording its network requests and console."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable(f"Selenium is not installed: {INSTALL_HINT}")
    chromium = find("chromium", "/usr/bin/chromium")
    driver_path = find("chromedriver", "/usr/bin/chromedriver")
    if chromium is None or driver_path is None:
        unavailable(f"Chromium or chromedriver not found: {INSTALL_HINT}")
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager is not used (paths are given) nor phoned
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    return driver


def requested_urls(driver):
    """Every URL the page requested since the last call (from the DevTools performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(message["params"]["url"])
    return urls


def load(driver, url):
    """Open ``url`` and wait until the page and its scripts have loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def console_errors(driver):
    """The errors the pages logged to the JavaScript console since the last call.

    Uncaught exceptions, syntax errors, failed resource loads and
    ``console.error`` calls all arrive as SEVERE entries of the browser log.
    """
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def is_local(url):
    """True for URLs that stay on this machine (127.0.0.1, data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"
