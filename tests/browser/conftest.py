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


@pytest.fixture
def db_url(tmp_path):
    """The browser tests check what a person sees; one database (SQLite) is enough."""
    return f"sqlite:///{tmp_path / 'phoihop.sqlite3'}"


@pytest.fixture
def live_server(app):
    """The app served over HTTP on loopback for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
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


@pytest.fixture
def page():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.csp_console = []
        page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_console.append(message.text))
        page.add_init_script(RECORD_VIOLATIONS)
        yield page
        browser.close()


def csp_violations(page):
    """The violations seen so far: on the page now, and reported on the console by any page."""
    try:
        here = page.evaluate("window.__cspViolations || []")
    except Exception:  # noqa: BLE001 — a page that is navigating away has no state to ask
        here = []
    return here + page.csp_console
