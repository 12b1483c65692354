"""What an office user sees in a real browser."""
import pytest

from tests.browser.conftest import csp_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_editor_logs_in_and_sees_vietnamese_menus_and_only_their_unit(app, units, make_user, live_server, page):
    from phoihop_hello import Greeting

    with app.app_context():
        Greeting.create(unit=units["A"], text="Chào Bắc Giang")
        Greeting.create(unit=units["B"], text="Chào Phú Thọ")
    make_user("bientap@bg.vn", "editor", units["A"])

    page.goto(f"{live_server}/admin/greeting/")
    assert "/login" in page.url
    page.fill("input[name=email]", "bientap@bg.vn")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{live_server}/admin/greeting/")

    menu = page.inner_text("nav")
    assert "Trang chủ" in menu and "Danh mục" in menu and "Ví dụ" in menu
    body = page.inner_text("body")
    assert "Chào Bắc Giang" in body and "Chào Phú Thọ" not in body
    assert "Thêm mới" in body
    assert csp_violations(page) == []


def test_wrong_password_shows_a_vietnamese_message(app, make_user, live_server, page):
    make_user("a@bg.vn", "admin")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "a@bg.vn")
    page.fill("input[name=password]", "khong-dung")
    page.click("#login")
    assert "Sai thư điện tử hoặc mật khẩu." in page.inner_text(".alert")
    assert csp_violations(page) == []
