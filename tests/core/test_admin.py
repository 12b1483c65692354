"""The admin shell: Vietnamese by default, the home page, safe exports."""
from tests.conftest import csrf_token


def test_menus_are_vietnamese_by_default(login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    for label in ("Trang chủ", "Danh mục", "Hệ thống", "Đơn vị", "Người dùng", "Nhật ký thay đổi"):
        assert label in page


def test_english_is_selectable(login_as):
    client = login_as("admin")
    client.get("/lang/en?next=/admin/")
    page = client.get("/admin/unit/").get_data(as_text=True)
    assert "Units" in page and "Catalogue" in page and "Create" in page


def test_flask_admin_strings_use_our_vietnamese_catalog(login_as):
    page = login_as("admin").get("/admin/unit/").get_data(as_text=True)
    assert "Thêm mới" in page and "Tìm kiếm" in page


def test_csv_export_has_a_bom_and_neutralises_formulas(login_as, app, units):
    from phoihop_hello import Greeting

    with app.app_context():
        Greeting.create(unit=units["A"], text='=HYPERLINK("http://x","y")')
        Greeting.create(unit=units["A"], text="-5")
        Greeting.create(unit=units["A"], text="@SUM(A1)")
    body = login_as("admin").get("/admin/greeting/export/csv/").get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert "\n-5," in text.replace("\r\n", "\n")  # a plain number stays a number


def test_xlsx_export_writes_formula_text_as_text(login_as, app, units, tmp_path):
    from openpyxl import load_workbook
    from phoihop_hello import Greeting

    with app.app_context():
        Greeting.create(unit=units["A"], text="=1+1")
    body = login_as("admin").get("/admin/greeting/export/xlsx/").get_data()
    path = tmp_path / "x.xlsx"
    path.write_bytes(body)
    cell = load_workbook(path)["Sheet 1" if "Sheet 1" in load_workbook(path).sheetnames else load_workbook(path).sheetnames[0]]["A2"]
    assert cell.value == "'=1+1" and cell.data_type == "s"


def test_edit_is_recorded_in_the_audit_log_with_before_and_after(login_as, app, units):
    import json

    from core.models import AuditLog
    from phoihop_hello import Greeting

    with app.app_context():
        greeting = Greeting.create(unit=units["A"], text="cũ")
    client = login_as("admin")
    token = csrf_token(client, f"/admin/greeting/edit/?id={greeting.id}")
    client.post(f"/admin/greeting/edit/?id={greeting.id}", data={"text": "mới", "unit": units["A"].id, "csrf_token": token})
    with app.app_context():
        entry = AuditLog.get(AuditLog.action == "update")
        assert json.loads(entry.before)["text"] == "cũ"
        assert json.loads(entry.after)["text"] == "mới"
        assert entry.unit_id == units["A"].id


def test_times_show_in_vietnam_time_and_dates_as_dd_mm_yyyy(login_as, app, units):
    import datetime

    from core.models import Unit

    with app.app_context():
        Unit.update(created_at=datetime.datetime(2023, 12, 31, 20, 5)).where(Unit.id == units["A"].id).execute()
    page = login_as("admin").get("/admin/unit/").get_data(as_text=True)
    assert "01/01/2024 03:05" in page  # 20:05 UTC is 03:05 the next day in Hà Nội


def test_search_box_names_the_searchable_columns(login_as):
    page = login_as("admin").get("/admin/unit/").get_data(as_text=True)
    assert 'placeholder="Tên, Mã"' in page


def test_form_labels_follow_column_labels(login_as):
    page = login_as("admin").get("/admin/person/new/").get_data(as_text=True)
    assert "Họ và tên" in page and "Điện thoại" in page
    assert ">Full Name<" not in page


def test_a_label_column_shows_the_label_of_the_row_a_key_points_to_with_one_query(app, units):
    from core.admin import label_column
    from core.models import Organisation, Unit
    from tests.core.test_people import QueryCount

    with app.test_request_context():
        rows = [Organisation.create(unit=unit, name=f"Sở {n}") for n in range(3) for unit in units.values()]
        column = label_column(Unit, Unit.name, "unit")
        with QueryCount() as statements:
            shown = [column(None, None, row, "unit") for row in [*rows, Organisation(name="Chưa có đơn vị")]]
        names = {unit.id: unit.name for unit in units.values()}
        assert shown == [*(names[row.unit_id] for row in rows), ""]
        assert len(statements) == 1
