"""The core's widgets in a real browser, under the Content Security Policy: money grouped
by thousands while a person types, and the registry's merge of duplicates."""
import datetime

import pytest

from tests.browser.conftest import csp_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def kinds(app):
    from plugins.training.models import ActivityKind, ensure_kinds

    with app.app_context():
        ensure_kinds()
        return list(ActivityKind.select())


def log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{live_server}/admin/")


def test_money_shows_thousands_separators_while_typing(app, units, kinds, make_user, live_server, page):
    from plugins.training.models import Activity

    make_user("bientap@bg.vn", "editor", units["A"])
    log_in(page, live_server, "bientap@bg.vn")
    page.goto(f"{live_server}/admin/training_activity/new/")
    budget = page.locator("#state_budget")

    budget.press_sequentially("12500000")
    assert budget.input_value() == "12.500.000"
    budget.press("Backspace")
    assert budget.input_value() == "1.250.000"
    budget.press("Home")
    budget.press_sequentially("99")
    assert budget.input_value() == "991.250.000"
    budget.press_sequentially("9")
    assert budget.input_value() == "9.991.250.000"
    budget.press_sequentially("5")  # the caret stayed after the digit typed: this one follows it
    assert budget.input_value() == "99.951.250.000"
    budget.press("Backspace")
    assert budget.input_value() == "9.991.250.000"

    other = page.locator("#other_budget")
    other.press_sequentially("12,5 triệu")
    assert other.input_value() == "12,5 triệu"  # words and a decimal comma: as typed
    other.fill("")
    other.press_sequentially("1.5 tỷ")
    assert other.input_value() == "1.5 tỷ"  # a dot the person typed is theirs
    other.fill("")
    other.press_sequentially("12,5 triệu")

    page.fill("#title", "Tập huấn nuôi ong lấy mật")
    page.fill("#start_date", "07/12/2022")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.click("form.admin-form input[type=submit].btn-primary")
    with app.app_context():
        activity = Activity.get(Activity.title == "Tập huấn nuôi ong lấy mật")
        assert (activity.state_budget, activity.other_budget, activity.start_date) == (
            9_991_250_000, 12_500_000, datetime.date(2022, 12, 7))
    page.goto(f"{live_server}/admin/training_activity/edit/?id={activity.id}")
    assert page.locator("#state_budget").input_value() == "9.991.250.000"
    assert page.locator("#start_date").input_value() == "07/12/2022"
    assert csp_violations(page) == []


def test_an_editor_merges_two_people_in_the_browser(app, units, make_user, live_server, page):
    from core.models import AuditLog, Person

    with app.app_context():
        keep = Person.create(unit=units["A"], full_name="Nguyễn Văn An", year_of_birth=1970)
        twin = Person.create(unit=units["A"], full_name="Nguyễn Văn Ân")
        Person.create(unit=units["A"], full_name="Lê Thị Hoa")
    make_user("bientap@bg.vn", "editor", units["A"])
    log_in(page, live_server, "bientap@bg.vn")
    page.goto(f"{live_server}/admin/person/")
    page.check(f"input.action-checkbox[value='{keep.id}']")
    page.check(f"input.action-checkbox[value='{twin.id}']")
    page.click("text=Với các mục đã chọn")
    with page.expect_navigation():
        page.click("[data-phoihop-action=merge]")
    assert page.locator("input[name=keep]").count() == 2
    assert page.is_checked(f"#keep-{keep.id}")
    with page.expect_navigation():
        page.click("#merge")
    assert "Đã gộp 1 bản ghi vào" in page.inner_text(".alert")
    with app.app_context():
        assert sorted(p.full_name for p in Person.select()) == ["Lê Thị Hoa", "Nguyễn Văn An"]
        assert AuditLog.select().where(AuditLog.action == "merge").count() == 2
    assert csp_violations(page) == []
