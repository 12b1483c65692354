"""The sheets pages of the admin: links, sync log, open conflicts and their resolution."""
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD, csrf_token, login
from tests.sheets.conftest import column, sheet
from tests.sheets.test_sync import edit
from tests.sheets.entries_plugin import Entry


@pytest.fixture
def admin_client(sync_app, unit):
    from core.users import create_user

    create_user("admin@bg.vn", PASSWORD, "admin")
    client = sync_app.test_client()
    login(client, "admin@bg.vn")
    return client


@pytest.fixture
def conflict(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 8): "85"})
    Entry.update(score=Decimal("78")).where(Entry.title == "Máy gieo hạt").execute()
    run_sync(binding)
    from sheets.models import Conflict

    return Conflict.get()


def test_open_conflicts_list_shows_both_values(admin_client, conflict):
    page = admin_client.get("/admin/conflict/").get_data(as_text=True)
    assert "GP-000001" in page and ">85<" in page.replace("\n", "").replace(" ", "") or "85" in page
    assert "78" in page and "Giữ giá trị trên bảng tính" in page


def test_keep_sheet_action_resolves_and_next_sync_agrees(admin_client, conflict, binding, run_sync):
    token = csrf_token(admin_client, "/admin/conflict/")
    answer = admin_client.post("/admin/conflict/action/", data={"action": "keep_sheet", "rowid": [conflict.id], "csrf_token": token})
    assert answer.status_code == 302
    assert Entry.get(Entry.title == "Máy gieo hạt").score == Decimal("85")
    result = run_sync(binding)
    assert result.conflicts == [] and column(sheet(binding.source), "Trạng thái đồng bộ")[1] == "OK"


def test_sync_log_shows_row_errors(admin_client, binding, run_sync, workbook):
    from sheets.models import Binding, SyncLog
    from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET

    path = workbook(SAMPLE_ROWS + [["Máy ép", "31/02/2021", "", "", "", "", "", None]], name="loi.xlsx")
    run_sync(Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=binding.unit))
    log = SyncLog.get()
    page = admin_client.get(f"/admin/synclog/details/?id={log.id}").get_data(as_text=True)
    assert "Ngày nhận &#34;31/02/2021&#34; không phải ngày hợp lệ" in page or 'Ngày nhận "31/02/2021" không phải ngày hợp lệ' in page


def test_linked_sheets_page_lists_the_binding(admin_client, binding):
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert "test.entries" in page and "Bảng tính đã liên kết" in page


def test_sync_now_action_syncs_and_reports(admin_client, binding):
    token = csrf_token(admin_client, "/admin/binding/")
    answer = admin_client.post("/admin/binding/action/", data={"action": "sync", "rowid": [binding.id], "csrf_token": token}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "test.entries: 3 mới, 0 cập nhật" in page
    assert Entry.select().count() == 3


def test_viewer_cannot_sync(sync_app, binding):
    from core.users import create_user

    create_user("xem@bg.vn", PASSWORD, "viewer", binding.unit)
    client = sync_app.test_client()
    login(client, "xem@bg.vn")
    token = csrf_token(client, "/admin/binding/")
    answer = client.post("/admin/binding/action/", data={"action": "sync", "rowid": [binding.id], "csrf_token": token})
    assert answer.status_code == 403
    assert Entry.select().count() == 0


def test_editor_of_the_unit_resolves_a_conflict(sync_app, conflict):
    from core.users import create_user

    create_user("bientap@bg.vn", PASSWORD, "editor", conflict.unit)
    client = sync_app.test_client()
    login(client, "bientap@bg.vn")
    token = csrf_token(client, "/admin/conflict/")
    answer = client.post("/admin/conflict/action/", data={"action": "keep_database", "rowid": [conflict.id], "csrf_token": token})
    assert answer.status_code == 302
    from sheets.models import Conflict

    assert Conflict.get_by_id(conflict.id).status == "database"


def test_sync_now_on_a_binding_whose_credentials_are_missing_is_a_message_not_a_500(app, login_as, client, monkeypatch):
    """Issue 8.9: one bad binding never answers HTTP 500 in the admin."""
    from core.models import Unit
    from sheets.models import Binding
    from tests.conftest import csrf_token

    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    monkeypatch.delenv("PHOIHOP_GOOGLE_CREDENTIALS", raising=False)
    with app.app_context():
        unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
        binding = Binding.create(name="training.activities", source="gsheet:1AbCdEfGhIjKlMnOpQrStUvWx", worksheet="Tab",
                                 unit=unit)
    login_as("admin")
    token = csrf_token(client, "/admin/binding/")
    answer = client.post("/admin/binding/action/", data={"action": "sync", "rowid": [binding.id], "csrf_token": token},
                         follow_redirects=True)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "PHOIHOP_GOOGLE_CREDENTIALS" in page


def test_an_admin_changes_a_links_schedule_in_its_edit_form(admin_client, binding):
    from sheets.models import Binding

    token = csrf_token(admin_client, f"/admin/binding/edit/?id={binding.id}")
    answer = admin_client.post(f"/admin/binding/edit/?id={binding.id}",
                               data={"unit": binding.unit_id, "schedule_minutes": "30", "csrf_token": token})
    assert answer.status_code == 302
    assert Binding.get_by_id(binding.id).schedule_minutes == 30


def test_a_negative_schedule_is_refused_in_the_edit_form(admin_client, binding):
    from sheets.models import Binding

    token = csrf_token(admin_client, f"/admin/binding/edit/?id={binding.id}")
    page = admin_client.post(f"/admin/binding/edit/?id={binding.id}", follow_redirects=True,
                             data={"unit": binding.unit_id, "schedule_minutes": "-5", "csrf_token": token})
    assert "Lịch đồng bộ là số phút từ 0 (tắt) đến 1440." in page.get_data(as_text=True)
    assert Binding.get_by_id(binding.id).schedule_minutes is None
