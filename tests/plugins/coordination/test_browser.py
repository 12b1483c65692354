"""The coordination pages in Chromium under the Content Security Policy: the agreements
list, filtered by a flag from the filter menu, an agreement's form, and the partners page
reached from the list's tab — no violation on any of them."""
import pytest

from tests.browser.conftest import browser, csp_violations, db_url, live_server, page  # noqa: F401 — fixtures
from tests.browser.test_csp_in_chromium import log_in, visit
from tests.plugins.coordination.test_views import sample_db  # noqa: F401 — fixture

pytestmark = pytest.mark.browser


def test_coordination_pages_run_without_csp_violations(app, sample_db, make_user, live_server, page):  # noqa: F811
    from plugins.coordination.models import Agreement

    with app.app_context():
        key = Agreement.get(Agreement.number == "45/CTrPH-SYT-LHH").id
    make_user("bientap@bg.vn", "editor")
    seen = []
    log_in(page, live_server, "bientap@bg.vn")
    for path in ["/admin/coordination_agreement/", f"/admin/coordination_agreement/details/?id={key}",
                 f"/admin/coordination_agreement/edit/?id={key}", "/admin/coordination_item/new/",
                 "/admin/coordination_agreement/partners/?from=2020&to=2023"]:
        visit(page, f"{live_server}{path}", seen)
    assert seen == []


def test_the_list_tab_leads_to_the_partners_page_with_every_partner(app, sample_db, make_user, live_server, page):  # noqa: F811
    make_user("xem@bg.vn", "viewer")
    log_in(page, live_server, "xem@bg.vn")
    page.goto(f"{live_server}/admin/coordination_agreement/")
    with page.expect_navigation():
        page.click("#partners-link")
    rows = page.locator("#partners tbody tr")
    assert rows.count() == 18  # the sample's 17 partners and unit B's
    assert "hết hiệu lực" in page.locator("#partners tr:has-text('Sở Y tế')").first.inner_text()
    assert csp_violations(page) == []
