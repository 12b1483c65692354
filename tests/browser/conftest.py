"""A real Chromium (Debian's package, installed by .ci/run) driven by Playwright."""
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test``) the tests that use a browser share one worker:
    one Chromium."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture
def db_url(tmp_path):
    """The browser tests check what a person sees; one database (SQLite) is enough."""
    return f"sqlite:///{tmp_path / 'phoihop.sqlite3'}"


@pytest.fixture
def live_server(app):
    """The app served over HTTP on loopback for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop to look: every 0.5 s by default, every 0.02 s here
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


# Every page records the Content Security Policy violations it meets: the DOM's
# securitypolicyviolation events and Chromium's console reports of them.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


_chromium = {}  # this process's one Playwright and Chromium, and how many fixtures hold them


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session (starting it costs a second or two); each test gets a
    context of its own — cookies, storage and cache start empty — in :func:`page`. A test
    module that imports this fixture gets a fixture of its own, but the same Chromium:
    Playwright's sync API runs once per process."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    if not _chromium:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise
        _chromium.update(playwright=playwright, browser=launched, holders=0)
    _chromium["holders"] += 1
    try:
        yield _chromium["browser"]
    finally:
        _chromium["holders"] -= 1
        if not _chromium["holders"]:
            try:
                _chromium["browser"].close()
            finally:
                _chromium.pop("playwright").stop()
                _chromium.clear()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.csp_console = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    yield page
    context.close()


def csp_violations(page):
    """The violations seen so far: on the page now, and reported on the console by any page."""
    try:
        here = page.evaluate("window.__cspViolations || []")
    except Exception:  # noqa: BLE001 — a page that is navigating away has no state to ask
        here = []
    return here + page.csp_console
