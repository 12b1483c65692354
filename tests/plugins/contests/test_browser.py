"""The contests pages in Chromium under the Content Security Policy: the ranking page (and
its override form, with its confirmation), the edition form with its inline tiers, a
printable certificate and its public check — no violation on any of them."""
import pytest

from tests.browser.conftest import browser, csp_violations, db_url, live_server, page  # noqa: F401 — fixtures
from tests.browser.test_csp_in_chromium import log_in, visit
from tests.plugins.contests.test_views import synced  # noqa: F401 — fixture

pytestmark = pytest.mark.browser


def test_contests_pages_run_without_csp_violations(app, synced, make_user, live_server, page):  # noqa: F811
    from plugins.contests import certificates
    from plugins.contests.models import Certificate, Entry

    with app.app_context():
        certificates.issue([Entry.get(Entry.number == "11")], "admin@bg.vn")
        certificate = Certificate.get()
        tied = Entry.get(Entry.number == "32").id
    make_user("admin@bg.vn", "admin")
    seen = []
    log_in(page, live_server, "admin@bg.vn")
    edition = synced["edition"]
    for path in [f"/admin/contests_edition/ranking/?id={edition}", "/admin/contests_edition/new/",
                 f"/admin/contests_edition/edit/?id={edition}", "/admin/contests_entry/", "/admin/contests_score/",
                 f"/admin/contests_certificate/print/?id={certificate.id}", f"/xac-minh/{certificate.code}",
                 "/xac-minh/"]:
        visit(page, f"{live_server}{path}", seen)
    # the council's decision, confirmed in the browser's dialog
    page.goto(f"{live_server}/admin/contests_edition/ranking/?id={edition}")
    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator(f"#entry-{tied}")
    row.locator("select[name=tier]").select_option(label="Ba")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    seen += csp_violations(page)
    assert seen == []
    with app.app_context():
        decided = Entry.get_by_id(tied)
        assert decided.overridden and decided.final_tier.name == "Ba"
