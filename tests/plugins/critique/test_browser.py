"""The critique pages in Chromium under the Content Security Policy: the request list with
its filters, a request's page, the expert directory and an expert's page, a review's form
(filled in from the request's page) and the calendar — no violation on any of them."""
import pytest

from tests.browser.conftest import browser, csp_violations, db_url, live_server, page  # noqa: F401 — fixtures
from tests.browser.test_csp_in_chromium import log_in, visit
from tests.plugins.critique.test_views import request_id, sample_db  # noqa: F401 — fixture

pytestmark = pytest.mark.browser


def test_critique_pages_run_without_csp_violations(app, sample_db, make_user, live_server, page):  # noqa: F811
    from plugins.critique.models import Expert

    key = request_id(app, "Quy hoạch chung đô thị Chũ")
    with app.app_context():
        expert = Expert.get(Expert.name == "Nguyễn Minh Oanh").id
    make_user("bientap@bg.vn", "editor")
    seen = []
    log_in(page, live_server, "bientap@bg.vn")
    for path in ["/admin/critique_request/", f"/admin/critique_request/details/?id={key}",
                 f"/admin/critique_request/edit/?id={key}", "/admin/critique_expert/",
                 f"/admin/critique_expert/details/?id={expert}", "/admin/critique_review/",
                 "/admin/critique_calendar/?flt0_0=2023"]:
        visit(page, f"{live_server}{path}", seen)
    # from the request's page to a review's form, the expert already chosen
    page.goto(f"{live_server}/admin/critique_request/details/?id={key}")
    assert page.locator("#team tbody tr.table-danger").count() == 1
    page.locator("#team a:has-text('Nhập ý kiến')").first.click()
    page.wait_for_load_state("load")
    assert "Phan Thanh Thảo" in page.locator("#s2id_person, .select2-container").first.inner_text()
    page.fill("#submitted_on", "25/02/2023")
    page.click("textarea[name=summary]")  # a click elsewhere closes the date picker (it covers the button)
    page.fill("textarea[name=summary]", "Cơ bản thống nhất")
    with page.expect_navigation():
        page.click("form.admin-form input[type=submit].btn-primary")
    seen += csp_violations(page)
    assert seen == []
    from plugins.critique.models import Review

    with app.app_context():
        assert [r.summary for r in Review.select()] == ["Cơ bản thống nhất"]
