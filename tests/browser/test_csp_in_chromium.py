"""The admin works in a real browser under its Content Security Policy, with no violation
on any page a person visits, and the scripts it runs (forms, filters, bulk actions,
confirmations) still do their job."""
import datetime

import pytest

from tests.browser.conftest import csp_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def records(app, units):
    from core.models import Organisation, Person
    from phoihop_hello import Greeting
    from plugins.training.models import Activity, ActivityKind, ensure_kinds
    from sheets.models import Binding

    with app.app_context():
        ensure_kinds()
        organisation = Organisation.create(unit=units["A"], name="Sở Khoa học và Công nghệ")
        person = Person.create(unit=units["A"], full_name="Dương Phương Dung", title="PGS.TS", workplace=organisation)
        activity = Activity.create(unit=units["A"], kind=ActivityKind.select().first(), title="Hội thảo khoa học",
                                   start_date=datetime.date(2024, 5, 20))
        Binding.create(name="training.activities", source="/srv/lhh/tap-huan.xlsx", worksheet="Hoạt động", unit=units["A"])
        greetings = [Greeting.create(unit=units["A"], text=f"Lời chào {n}") for n in range(3)]
    return {"activity": activity, "greetings": greetings, "person": person}


def log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{live_server}/admin/")


def visit(page, url, seen):
    page.goto(url)
    page.wait_for_load_state("load")
    seen += [f"{url}: {v}" for v in csp_violations(page)]
    page.csp_console.clear()


def test_every_page_runs_without_csp_violations(app, units, records, make_user, live_server, page):
    make_user("admin@bg.vn", "admin")
    seen = []
    visit(page, f"{live_server}/login", seen)
    log_in(page, live_server, "admin@bg.vn")
    greeting, activity = records["greetings"][0], records["activity"]
    for path in [
        "/admin/", "/admin/greeting/", "/admin/greeting/new/", f"/admin/greeting/edit/?id={greeting.id}",
        f"/admin/greeting/details/?id={greeting.id}", "/admin/training_activity/", "/admin/training_activity/new/",
        f"/admin/training_activity/edit/?id={activity.id}", f"/admin/training_activity/details/?id={activity.id}",
        "/admin/binding/", "/admin/conflict/", "/admin/user/new/",
        "/admin/person/", "/admin/person/new/", f"/admin/person/edit/?id={records['person'].id}",
        "/admin/organisation/", "/admin/organisation/new/",
    ]:
        visit(page, f"{live_server}{path}", seen)
    assert seen == []


def test_form_scripts_work_under_the_csp(app, units, records, make_user, live_server, page):
    make_user("admin@bg.vn", "admin")
    log_in(page, live_server, "admin@bg.vn")
    page.goto(f"{live_server}/admin/training_activity/new/")
    page.wait_for_selector(".select2-container")  # Select2 (and Flask-Admin's form.js) ran
    page.goto(f"{live_server}/admin/training_activity/")
    page.click("text=Thêm bộ lọc")
    page.click(".field-filters a.filter >> nth=0")
    page.wait_for_selector("table.filters tr")  # the filter row came, with no javascript: navigation
    assert csp_violations(page) == []


def test_delete_and_bulk_actions_ask_first_under_the_csp(app, units, records, make_user, live_server, page):
    from phoihop_hello import Greeting

    make_user("admin@bg.vn", "admin")
    log_in(page, live_server, "admin@bg.vn")
    first, second, third = records["greetings"]
    page.goto(f"{live_server}/admin/greeting/")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click(f"form[data-phoihop-confirm]:has(input[value='{first.id}']) button")
    with app.app_context():
        assert Greeting.select().count() == 3  # said no: nothing deleted
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.click(f"form[data-phoihop-confirm]:has(input[value='{first.id}']) button")
    page.check(f"input.action-checkbox[value='{second.id}']")
    page.click("text=Với các mục đã chọn")
    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.click("[data-phoihop-action=delete]")
    assert len(asked) == 3
    with app.app_context():
        assert [g.id for g in Greeting.select()] == [third.id]
    assert csp_violations(page) == []
