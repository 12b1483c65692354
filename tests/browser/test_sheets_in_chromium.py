"""Linking a workbook and syncing it from the browser, in a real Chromium."""
from pathlib import Path

import pytest

from tests.browser.conftest import csp_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
WORKSHEET = "Lời chào"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "linked-sheets.png"  # shown in the README


@pytest.fixture
def office_workbook(tmp_path):
    """An office's greetings: a title row, the header on row 3, one bad date (row 5)."""
    from sheets.xlsx import XlsxBackend

    path = tmp_path / "loi-chao.xlsx"
    XlsxBackend.create(path, {WORKSHEET: [
        ["LIÊN HIỆP CÁC HỘI KH&KT TỈNH BẮC GIANG"],
        [],
        ["STT", "Lời chào", "Ngày gửi"],
        [1, "Chào mừng Ngày Khoa học", "18/05/2024"],
        [2, "Chúc mừng năm mới", "31/02/2024"],
    ], "Ghi chú": [["không đụng tới"]]})
    return path


@pytest.fixture
def uploads(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def log_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{live_server}/admin/")


def outcome(page):
    return page.inner_text(".sync-outcome")


def test_link_a_workbook_by_upload_sync_it_fix_a_row_and_see_the_error_cleared(
        app, units, make_user, uploads, office_workbook, live_server, page):
    from sheets.backend import Cell
    from sheets.models import Binding
    from sheets.xlsx import XlsxBackend

    make_user("admin@bg.vn", "admin")
    log_in(page, live_server, "admin@bg.vn")

    page.goto(f"{live_server}/admin/binding/")
    page.click("#link-sheet")
    page.select_option("#binding", "hello.greetings")
    page.select_option("#unit", str(units["A"].id))
    page.set_input_files("#workbook", str(office_workbook))
    page.click("#link-next")

    page.wait_for_selector("#header-row")
    assert "Dòng tiêu đề: dòng 3; 2 dòng dữ liệu." in page.inner_text("#header-row")
    assert "Lời chào *" in page.inner_text("#matched-columns")
    page.click("#confirm-link")
    page.wait_for_url(f"{live_server}/admin/binding/")
    assert "Đã liên kết hello.greetings" in page.inner_text(".alert")
    assert outcome(page) == "Chưa đồng bộ"

    page.click(".sync-now button")
    page.wait_for_url(f"{live_server}/admin/binding/")
    assert outcome(page) == "lỗi: 1 dòng"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    page.click(".sync-outcome")
    errors = page.inner_text("#row-errors")
    assert 'Ngày gửi "31/02/2024"' in errors and f"{WORKSHEET}!C5" in errors

    with app.app_context():
        source = Path(Binding.get().source)
    XlsxBackend(source).write(WORKSHEET, [Cell(5, 3, "28/02/2024")])  # the office fixes the cell in place

    page.click("text=Đồng bộ ngay")
    page.wait_for_url(f"{live_server}/admin/binding/")
    assert outcome(page) == "OK"
    page.click(".sync-outcome")
    assert "không có dòng nào bị lỗi" in page.inner_text("#no-errors")
    assert csp_violations(page) == []
