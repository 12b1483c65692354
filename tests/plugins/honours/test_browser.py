"""The honours pages in Chromium under the Content Security Policy: the council page (its
form and the confirmation before saving a round's votes), the round and nomination forms,
the lists, a person's history and the registry's person page — no violation on any."""
import pytest

from tests.browser.conftest import browser, csp_violations, db_url, live_server, page  # noqa: F401 — fixtures
from tests.browser.test_csp_in_chromium import log_in, visit
from tests.plugins.honours.test_views import nomination, round_of, synced  # noqa: F401 — fixture

pytestmark = pytest.mark.browser


def test_honours_pages_run_without_csp_violations(app, synced, cli, make_user, live_server, page):  # noqa: F811
    from core.models import Person

    assert cli("honours", "rounds", "add", "2023", "--unit", "PT", "--council-size", "13").exit_code == 0
    with app.app_context():
        item, closed = round_of(2023), round_of(2021)
        trung = nomination("Dương Thế Trung")
        nhung = Person.get(Person.full_name == "Nguyễn Thị Thanh Nhung")
    make_user("admin@pt.vn", "admin")
    seen = []
    log_in(page, live_server, "admin@pt.vn")
    for path in ["/admin/honours_round/", f"/admin/honours_round/edit/?id={item.id}", "/admin/honours_round/new/",
                 f"/admin/honours_round/council/?id={closed.id}", "/admin/honours_nomination/",
                 f"/admin/honours_nomination/edit/?id={trung.id}", f"/admin/honours_nomination/details/?id={trung.id}",
                 f"/admin/honours_nomination/person/?id={nhung.id}", f"/admin/person/details/?id={nhung.id}",
                 "/admin/honours_category/"]:
        visit(page, f"{live_server}{path}", seen)
    # a round's votes, typed on one screen and confirmed in the browser's dialog
    page.goto(f"{live_server}/admin/honours_round/council/?id={item.id}")
    page.fill(f"input[name=for-{trung.id}]", "12")
    page.fill(f"input[name=against-{trung.id}]", "1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#save-votes")
    page.wait_for_load_state("load")
    seen += csp_violations(page)
    assert seen == []
    assert page.locator(f"#nomination-{trung.id} .badge-success").inner_text() == "Được tôn vinh"
    with app.app_context():
        assert nomination("Dương Thế Trung").votes_for == 12
