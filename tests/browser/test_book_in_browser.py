"""The built HTML book in a real browser: the explorers work with no kernel and no network.

Serves ``_build/html`` on 127.0.0.1, opens the "Interactive explorers" page in
headless Chromium (Debian's ``chromium`` and ``chromium-driver`` packages,
driven by Selenium), moves the controls of every explorer, and checks that
the displayed figure changes and that no request leaves 127.0.0.1. Every
page is loaded once (the ``visits`` fixture) for the offline checks and for
axe-core (from npm, injected by this test) against the WCAG 2 A and AA rules.

Needs the offline build of the book (``make book-offline``; ``make test`` builds it first) and
Chromium. Without them the test is skipped with a hint, except when the
environment variable ``CI`` is set: then it fails, so CI never passes
without running it. Run it alone with ``make test-browser``.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser_helpers import console_errors, is_local, load, requested_urls, unavailable

ROOT = Path(__file__).resolve().parents[2]
# The offline build (make book-offline) by default: the normal build loads
# MathJax from a CDN, which this test would rightly report as a request
# leaving 127.0.0.1. BOOK_HTML chooses another build.
HTML = Path(os.environ.get("BOOK_HTML") or ROOT / "_build" / "offline" / "_build" / "html")
if not HTML.is_absolute():
    HTML = ROOT / HTML
PAGE = "chapters/90_explorers.html"
# axe-core, the accessibility engine, installed from npm by `make test-browser`
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_HINT = "install axe-core: npm install --prefix tests/browser (make test-browser does)"


def _explorer_cells(notebook):
    """How many code cells of ``notebook`` end by calling ``il.widgets.<name>_explorer(...)``: the explorers of its page."""
    count = 0
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        lines = "".join(cell["source"]).strip().splitlines()
        if cell["cell_type"] == "code" and lines and re.match(r"il\.widgets\.\w+_explorer\(", lines[-1]):
            count += 1
    return count


N_EXPLORERS = _explorer_cells(ROOT / "chapters" / "90_explorers.ipynb")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def site():
    """The built book served on 127.0.0.1 (a free port) from a thread; yields its base URL."""
    if not (HTML / PAGE).is_file():
        unavailable(f"the book is not built ({HTML / PAGE} is missing): run `make book-offline` first")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def state(driver, root):
    """What the reader sees of one explorer: image source, alt text, the labels of its controls."""
    return driver.execute_script(
        """
        const root = arguments[0], img = root.querySelector("img");
        return {src: img.src, alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
                shown: img.getBoundingClientRect().width > 0,
                labels: Array.from(root.querySelectorAll("output")).map(o => o.textContent),
                valuetext: Array.from(root.querySelectorAll("input[type=range]")).map(
                    i => i.getAttribute("aria-valuetext")),
                caption: root.querySelector("p").textContent};
        """,
        root,
    )


def test_explorers_work_offline_in_the_built_book(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get("about:blank")
    requested_urls(browser)  # forget what the browser loaded for itself at start-up (its new-tab page)
    console_errors(browser)
    load(browser, site + PAGE)
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".initlib-explorer[data-ilx-ready='1']")) == N_EXPLORERS
    )
    roots = browser.find_elements(By.CSS_SELECTOR, ".initlib-explorer")
    assert len(roots) == N_EXPLORERS, f"the page should show its {N_EXPLORERS} explorers"

    for root in roots:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
        before = state(browser, root)
        assert before["loaded"] and before["shown"], "the first frame of an explorer is not displayed"
        # move every slider with the keyboard, as a reader would (and as assistive technology does): each
        # move changes the figure (the residual explorer's free α chooses the rule it belongs to)
        for i, slider in enumerate(root.find_elements(By.CSS_SELECTOR, "input[type=range]")):
            assert slider.get_attribute("aria-label"), "the slider needs an aria-label"
            step = (Keys.ARROW_LEFT if int(slider.get_attribute("value")) == int(slider.get_attribute("max"))
                    else Keys.ARROW_RIGHT)
            slider.send_keys(step)
            after = state(browser, root)
            assert after["src"] != before["src"], f"moving slider {i} did not change the figure ({before['labels']})"
            assert after["loaded"] and after["shown"], "the new frame is not displayed"
            assert after["labels"][i] != before["labels"][i] and after["labels"][i] == after["valuetext"][i]
            assert after["alt"] != before["alt"] and after["caption"] == after["alt"]
            before = after
        selects = root.find_elements(By.TAG_NAME, "select")
        for select in selects:  # the training explorer's init method
            choice = Select(select)
            current = choice.first_selected_option.text
            other = next(o.text for o in choice.options if o.text != current)
            choice.select_by_visible_text(other)
            changed = state(browser, root)
            assert changed["src"] != after["src"], f"choosing init {other!r} did not change the figure"
            assert other in changed["alt"]

    urls = requested_urls(browser)
    assert any(u.startswith(site) for u in urls), "the request log is empty: cannot check the requests"
    outside = sorted({u for u in urls if not is_local(u)})
    assert not outside, f"the page made requests outside 127.0.0.1: {outside}"
    errors = console_errors(browser)
    assert not errors, f"JavaScript errors while using the explorers: {errors}"


def pages():
    """Every HTML page of the book (not the search page, genindex or _static)."""
    return sorted(
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_") and p.name not in ("search.html", "genindex.html")
    )


# What a page is checked for once it has loaded (see `visits`): images that did not load, scripts loaded
# twice, ipywidgets state that no widget manager reads, and whether it has equations to typeset
PAGE_FACTS = """
const seen = new Set(), repeated = [];
for (const s of document.scripts) {
    const key = s.src || s.textContent;
    if (seen.has(key)) repeated.push(key.slice(0, 80));
    seen.add(key);
}
return {broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
        repeated: repeated,
        widget_state: document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]').length,
        has_math: document.querySelectorAll('.math').length > 0};
"""


@pytest.fixture(scope="module")
def visits(site, browser):
    """Every page (and the search and index pages) loaded once, what it showed, and axe-core's verdict on it.

    One load serves two tests, each asserting its own part: the offline page (its images, its equations
    typeset, its errors and requests) and its accessibility, checked by axe-core once the equations are
    typeset (the state a reader sees). Loading every page once instead of twice saves ~10 s per run.
    Returns ``{page: facts}`` and the requests made by all of them, under ``None``.
    """
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    axe = AXE.read_text() if AXE.is_file() else None
    browser.set_script_timeout(120)
    browser.get("about:blank")
    requested_urls(browser)
    console_errors(browser)
    found = {}
    for name in pages() + ["search.html", "genindex.html"]:
        load(browser, site + name)
        facts = browser.execute_script(PAGE_FACTS)
        facts["typeset"] = not facts["has_math"]
        if facts["has_math"]:
            try:
                WebDriverWait(browser, 30).until(
                    lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length > 0"))
                facts["typeset"] = True
            except TimeoutException:  # the test names the page
                pass
        facts["errors"] = console_errors(browser)
        if axe is not None:
            browser.execute_script(axe + "\n;window.axe = axe;")
            facts["axe"] = browser.execute_async_script(AXE_RUN)
        found[name] = facts
    found[None] = requested_urls(browser)
    return found


def test_every_page_loads_offline_with_typeset_equations(visits):
    """Each page: its images load, its equations are typeset by the self-hosted MathJax, no request leaves 127.0.0.1."""
    names = pages()
    assert "intro.html" in names and any(n.startswith("chapters/") for n in names), names
    for name, facts in visits.items():
        if name is None:
            continue
        assert not facts["broken"], f"{name}: broken images {facts['broken'][:3]}"
        assert facts["typeset"], f"{name}: equations were not typeset"
        assert not facts["errors"], f"{name}: JavaScript errors {facts['errors']}"
        assert not facts["repeated"], f"{name}: scripts loaded twice: {facts['repeated']}"
        assert not facts["widget_state"], f"{name}: carries ipywidgets state that no widget manager reads"
    outside = sorted({u for u in visits[None] if not is_local(u)})
    assert not outside, f"pages made requests outside 127.0.0.1: {outside}"


def test_chapter_explorer_and_equations(site, browser):
    """A chapter page with equations and an explorer: both work offline."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    page = "chapters/03_he_scaling.html"
    if not (HTML / page).is_file():
        pytest.skip(f"{page} is not in this build")
    browser.get(site + page)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script(
            "return document.querySelectorAll('mjx-container').length > 0 && "
            "document.querySelectorAll(\".initlib-explorer[data-ilx-ready='1']\").length > 0"
        )
    )
    root = browser.find_elements(By.CSS_SELECTOR, ".initlib-explorer")[0]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", root)
    before = state(browser, root)
    root.find_element(By.CSS_SELECTOR, "input[type=range]").send_keys(Keys.ARROW_LEFT)
    assert state(browser, root)["src"] != before["src"], "moving the chapter's slider did not change the figure"


def test_search_finds_he_initialization(site, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    console_errors(browser)
    browser.get(site + "search.html?q=He+initialization")
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.querySelectorAll('#search-results li').length > 0"),
        message="the search page found nothing for 'He initialization'",
    )
    hits = browser.execute_script("return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)")
    assert any("he_scaling" in h or "getting_started" in h for h in hits), hits
    errors = console_errors(browser)
    assert not errors, f"JavaScript errors on the search page: {errors}"


def test_launch_buttons_link_to_the_repository(site, browser):
    import yaml

    from urllib.parse import parse_qs

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].rstrip("/")
    owner_name = repo.split("github.com/")[-1]
    hub = config["launch_buttons"]["jupyterhub_url"].rstrip("/")
    browser.get(site + "chapters/01_symmetry.html")
    links = browser.execute_script("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    binder = [u for u in links if "mybinder.org" in u]
    colab = [u for u in links if "colab.research.google.com" in u]
    jupyterhub = [u for u in links if u.startswith(hub + "/")]
    assert binder and all(owner_name in u and "01_symmetry.ipynb" in u for u in binder), binder
    assert colab and all(owner_name in u and "01_symmetry.ipynb" in u for u in colab), colab
    # the hub pulls the repository with nbgitpuller and opens the chapter
    assert jupyterhub, f"no JupyterHub launch button to {hub}"
    for url in jupyterhub:
        query = parse_qs(urlsplit(url).query)
        assert "git-pull" in url and query["repo"] == [repo] and "01_symmetry.ipynb" in query["urlpath"][0], url
    assert any(u.startswith(repo) for u in links), "no link to the repository"


def test_pages_fit_a_phone_screen(site, browser):
    """At a phone's width (390 CSS pixels) no page scrolls sideways: figures and explorers shrink to fit."""
    size = browser.get_window_size()
    browser.set_window_size(390, 844)
    try:
        for name in pages():
            load(browser, site + name)
            overflow = browser.execute_script(
                """
                const width = document.documentElement.clientWidth;
                return Array.from(document.querySelectorAll("main img, main .initlib-explorer"))
                    .filter(e => e.getBoundingClientRect().right > width + 1)
                    .map(e => (e.alt || e.className).slice(0, 60))
                    .concat(document.documentElement.scrollWidth > width + 1 ? ["the page"] : []);
                """
            )
            assert not overflow, f"{name}: wider than a phone screen: {overflow}"
    finally:
        browser.set_window_size(size["width"], size["height"])


# axe-core with the WCAG 2 rules of levels A and AA (its tags wcag2a, wcag2aa); a violation: its rule, and where
AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
                   resultTypes: ["violations"]})
  .then(r => done({version: axe.version, rules: r.passes.length + r.violations.length + r.incomplete.length,
                   violations: r.violations.map(v => ({rule: v.id, help: v.help, nodes: v.nodes.map(
                       n => n.target.join(" ") + " -- " + (n.failureSummary || "").split("\\n").slice(1, 2).join(""))}))}))
  .catch(e => done({error: String(e)}));
"""


def test_every_page_is_accessible(visits):
    """axe-core (served by this test: injected into each page) finds no WCAG 2 A or AA violation on any page."""
    if not AXE.is_file():
        unavailable(f"axe-core is missing ({AXE}): {AXE_HINT}")
    found = {}
    for name, facts in visits.items():
        if name is None:
            continue
        result = facts["axe"]
        assert "error" not in result, f"{name}: axe-core failed: {result['error']}"
        assert result["rules"] > 10, f"{name}: axe-core ran only {result['rules']} rules"
        for violation in result["violations"]:
            found.setdefault(f"{violation['rule']} ({violation['help']})", []).extend(
                f"{name}: {node}" for node in violation["nodes"])
    assert not found, "axe-core " + result["version"] + " finds WCAG 2 A/AA violations:\n" + "\n".join(
        f"{rule}: {len(nodes)} node(s)\n    " + "\n    ".join(nodes[:12]) for rule, nodes in sorted(found.items()))
