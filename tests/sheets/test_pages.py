"""Linking a sheet from the browser, one link's sync button, its errors and its workbook
(sheets/pages.py), on SQLite and PostgreSQL."""
import io
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, csrf_token, login
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, column, sheet
from tests.sheets.entries_plugin import Entry


@pytest.fixture
def uploads(sync_app, tmp_path):
    folder = tmp_path / "uploads"
    sync_app.config["UPLOAD_DIR"] = str(folder)
    return folder


@pytest.fixture
def admin_client(sync_app, unit, uploads):
    from core.users import create_user

    create_user("admin@bg.vn", PASSWORD, "admin")
    client = sync_app.test_client()
    login(client, "admin@bg.vn")
    return client


@pytest.fixture
def editor_client(sync_app, unit, uploads):
    from core.users import create_user

    create_user("bientap@bg.vn", PASSWORD, "editor", unit)
    client = sync_app.test_client()
    login(client, "bientap@bg.vn")
    return client


def upload(client, path, unit=None, name=None, binding="test.entries"):
    token = csrf_token(client, "/admin/binding/link/")
    data = {"binding": binding, "csrf_token": token,
            "workbook": (io.BytesIO(Path(path).read_bytes()), name or Path(path).name)}
    if unit is not None:
        data["unit"] = str(unit.id)
    return client.post("/admin/binding/link/", data=data, content_type="multipart/form-data")


@pytest.fixture
def uploaded(admin_client, workbook, unit):
    """An office workbook uploaded for test.entries of the unit: the link being made."""
    answer = upload(admin_client, workbook(), unit)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/binding/link/preview/")
    return admin_client


def confirm(client, worksheet=WORKSHEET, minutes="15"):
    token = csrf_token(client, f"/admin/binding/link/preview/?worksheet={worksheet}")
    return client.post("/admin/binding/link/confirm/", data={"worksheet": worksheet, "minutes": minutes,
                                                             "csrf_token": token})


# -- step 1: the upload -----------------------------------------------------------------
def test_upload_keeps_the_workbook_in_the_upload_folder(uploaded, uploads):
    kept = list(uploads.iterdir())
    assert len(kept) == 1 and kept[0].suffix == ".xlsx" and kept[0].name.startswith("giai-phap-")


def test_a_file_that_is_not_xlsx_is_refused_in_vietnamese(admin_client, tmp_path, unit, uploads):
    path = tmp_path / "danh-sach.csv"
    path.write_text("Tên giải pháp\nMáy gieo hạt\n", encoding="utf-8")
    page = upload(admin_client, path, unit).get_data(as_text=True)
    assert "không phải tệp Excel .xlsx" in page
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_an_old_xls_renamed_to_xlsx_is_refused(admin_client, tmp_path, unit, uploads):
    path = tmp_path / "cu.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # the OLE2 header of an .xls
    page = upload(admin_client, path, unit).get_data(as_text=True)
    assert "không phải tệp Excel .xlsx hợp lệ" in page
    assert list(uploads.iterdir()) == []


def test_a_workbook_over_the_size_limit_is_refused(admin_client, sync_app, workbook, unit, uploads):
    sync_app.config["UPLOAD_MAX_MB"] = 0.001  # about 1 KB
    page = upload(admin_client, workbook(), unit).get_data(as_text=True)
    assert "lớn hơn 0.001 MB" in page
    assert list(uploads.iterdir()) == []


def test_a_google_address_is_accepted_as_a_source(admin_client, fake_sheets, unit):
    fake_sheets.add_spreadsheet("1AbCdEfGhIjKlMnOpQrStUvWx", {WORKSHEET: [["Tên giải pháp", "Ngày nhận"],
                                                                    ["Máy gieo hạt", "05/03/2021"]]})
    token = csrf_token(admin_client, "/admin/binding/link/")
    answer = admin_client.post("/admin/binding/link/", data={
        "binding": "test.entries", "unit": str(unit.id), "csrf_token": token,
        "address": "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWx/edit#gid=0"})
    assert answer.status_code == 302
    page = admin_client.get("/admin/binding/link/preview/").get_data(as_text=True)
    assert "Dòng tiêu đề: dòng 1; 1 dòng dữ liệu." in page


def test_a_malformed_google_address_is_refused(admin_client, unit):
    token = csrf_token(admin_client, "/admin/binding/link/")
    page = admin_client.post("/admin/binding/link/", data={
        "binding": "test.entries", "unit": str(unit.id), "csrf_token": token,
        "address": "https://example.com/bang-tinh"}).get_data(as_text=True)
    assert "không phải địa chỉ Google Sheets" in page


def test_a_viewer_may_not_link_a_sheet(sync_app, unit, uploads):
    from core.users import create_user

    create_user("xem@bg.vn", PASSWORD, "viewer", unit)
    client = sync_app.test_client()
    login(client, "xem@bg.vn")
    assert client.get("/admin/binding/link/").status_code == 403


# -- step 2: worksheet and preview ------------------------------------------------------
def test_preview_lists_the_workbooks_worksheets(uploaded):
    page = uploaded.get("/admin/binding/link/preview/").get_data(as_text=True)
    assert f'<option value="{WORKSHEET}" selected>' in page and '<option value="Ghi chú">' in page


def test_preview_shows_the_header_row_and_the_matched_columns(uploaded):
    page = uploaded.get(f"/admin/binding/link/preview/?worksheet={WORKSHEET}").get_data(as_text=True)
    assert "Dòng tiêu đề: dòng 4; 3 dòng dữ liệu." in page
    assert "<td>Tên giải pháp *</td>" in page and "<td>B</td>" in page
    assert "phoihop sẽ thêm cột Mã ở cột J." in page


def test_preview_of_a_worksheet_without_the_required_header_names_it(uploaded):
    page = uploaded.get("/admin/binding/link/preview/?worksheet=Ghi chú").get_data(as_text=True)
    assert "Không tìm thấy cột bắt buộc &#34;Tên giải pháp&#34;" in page
    assert "Thiếu cột bắt buộc: Tên giải pháp" in page and 'id="confirm-link"' not in page


def test_preview_of_a_worksheet_the_file_lacks_is_a_404(uploaded):
    assert uploaded.get("/admin/binding/link/preview/?worksheet=Không có").status_code == 404


def test_preview_without_a_link_being_made_goes_back_to_step_one(admin_client):
    answer = admin_client.get("/admin/binding/link/preview/")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/binding/link/")


# -- step 3: confirm --------------------------------------------------------------------
def test_confirm_links_the_worksheet_like_the_cli(uploaded, unit, uploads):
    from sheets.models import Binding

    answer = confirm(uploaded)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/binding/")
    binding = Binding.get()
    assert (binding.name, binding.worksheet, binding.unit_id, binding.schedule_minutes) == (
        "test.entries", WORKSHEET, unit.id, 15)
    assert Path(binding.source).parent == uploads.resolve()


def test_confirm_of_a_worksheet_that_cannot_be_read_links_nothing(uploaded):
    from sheets.models import Binding

    answer = confirm(uploaded, worksheet="Ghi chú")
    assert answer.status_code == 302
    assert Binding.select().count() == 0


def test_confirm_refuses_a_schedule_out_of_range(uploaded):
    from sheets.models import Binding

    answer = confirm(uploaded, minutes="-5")
    assert answer.status_code == 302 and Binding.select().count() == 0


def test_an_editor_links_for_their_own_unit_whatever_the_form_says(editor_client, workbook, unit):
    from core.models import Unit
    from sheets.models import Binding

    other = Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT")
    assert upload(editor_client, workbook(), other).status_code == 302
    confirm(editor_client)
    assert Binding.get().unit_id == unit.id


def test_a_new_upload_drops_the_unlinked_file_of_the_last_one(uploaded, workbook, unit, uploads):
    upload(uploaded, workbook(name="khac.xlsx"), unit)
    assert [p.name.split("-")[0] for p in uploads.iterdir()] == ["khac"]


# -- the list: outcome columns, the button, the errors ----------------------------------
def test_the_list_offers_linking_a_sheet(admin_client):
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert 'id="link-sheet"' in page and "Liên kết bảng tính" in page


def test_a_link_never_synced_says_so(admin_client, binding):
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert "Chưa đồng bộ" in page


def test_sync_now_button_syncs_that_link(admin_client, binding):
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert 'class="d-inline sync-now"' in page
    token = csrf_token(admin_client, "/admin/binding/")
    answer = admin_client.post("/admin/binding/sync/", data={"id": binding.id, "csrf_token": token},
                               follow_redirects=True)
    assert "test.entries: 3 mới, 0 cập nhật" in answer.get_data(as_text=True)
    assert Entry.select().count() == 3


def test_sync_now_button_needs_the_csrf_token(admin_client, binding):
    assert admin_client.post("/admin/binding/sync/", data={"id": binding.id}).status_code == 400
    assert Entry.select().count() == 0


def test_a_viewer_sees_no_button_and_may_not_post_it(sync_app, binding):
    from core.users import create_user

    create_user("xem@bg.vn", PASSWORD, "viewer", binding.unit)
    client = sync_app.test_client()
    login(client, "xem@bg.vn")
    page = client.get("/admin/binding/").get_data(as_text=True)
    assert "sync-now" not in page
    token = csrf_token(client, "/admin/binding/")
    assert client.post("/admin/binding/sync/", data={"id": binding.id, "csrf_token": token}).status_code == 403
    assert Entry.select().count() == 0


def test_an_editor_of_another_unit_cannot_sync_the_link(sync_app, binding):
    from core.models import Unit
    from core.users import create_user

    other = Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT")
    create_user("pt@pt.vn", PASSWORD, "editor", other)
    client = sync_app.test_client()
    login(client, "pt@pt.vn")
    token = csrf_token(client, "/admin/binding/")
    assert client.post("/admin/binding/sync/", data={"id": binding.id, "csrf_token": token}).status_code == 404
    assert Entry.select().count() == 0


def test_outcome_column_says_ok_after_a_clean_sync(admin_client, binding, run_sync):
    run_sync(binding)
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert 'class="badge badge-success sync-outcome"' in page and ">OK</a>" in page


def test_outcome_column_counts_the_rows_with_errors(admin_client, unit, workbook, run_sync):
    from sheets.models import Binding

    path = workbook(SAMPLE_ROWS + [["Máy ép", "31/02/2021", "", "", "", "", "", None]])
    run_sync(Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit))
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert "lỗi: 1 dòng</a>" in page


def test_outcome_column_counts_conflicts(admin_client, binding, run_sync):
    from decimal import Decimal

    from tests.sheets.test_sync import edit

    run_sync(binding)
    edit(binding.source, {(6, 8): "85"})
    Entry.update(score=Decimal("78")).where(Entry.title == "Máy gieo hạt").execute()
    run_sync(binding)
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert "xung đột: 1</a>" in page and "badge-warning" in page


def test_outcome_column_shows_a_failed_run_with_its_message(admin_client, binding, run_sync):
    from sheets.sync import sync
    from tests.sheets.entries_plugin import MAPPING

    Path(binding.source).unlink()
    sync(binding, MAPPING)  # opens the missing workbook itself: a failed run
    page = admin_client.get("/admin/binding/").get_data(as_text=True)
    assert "Lỗi: không đồng bộ được</a>" in page


def test_the_list_takes_the_same_number_of_queries_for_one_link_or_many(admin_client, unit, workbook, run_sync):
    from playhouse.test_utils import count_queries

    from sheets.models import Binding

    first = Binding.create(name="test.entries", source=str(workbook()), worksheet=WORKSHEET, unit=unit)
    run_sync(first)
    with count_queries() as one:
        admin_client.get("/admin/binding/")
    for number in range(5):
        extra = Binding.create(name="test.entries", source=str(workbook(name=f"b{number}.xlsx")),
                               worksheet=WORKSHEET, unit=unit)
        run_sync(extra)
    with count_queries() as six:
        admin_client.get("/admin/binding/")
    assert six.count == one.count > 0


def test_errors_page_lists_each_row_error_with_its_cell(admin_client, unit, workbook, run_sync):
    from sheets.models import Binding

    path = workbook(SAMPLE_ROWS + [["Máy ép", "31/02/2021", "", "", "", "", "", None]])
    binding = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    run_sync(binding)
    page = admin_client.get(f"/admin/binding/errors/?id={binding.id}").get_data(as_text=True)
    assert "Ngày nhận &#34;31/02/2021&#34; không phải ngày hợp lệ" in page
    assert f"<td>{WORKSHEET}!C9</td>" in page


def test_errors_page_links_a_google_cell_by_gid_and_range(admin_client, unit, fake_sheets, run_sync):
    from sheets.linking import link_binding
    from tests.sheets.conftest import office_grid
    from tests.sheets.entries_plugin import MAPPING
    from tests.sheets.test_sync_gsheets import as_serial

    key = "1AbCdEfGhIjKlMnOpQrStUvWx"
    grid = office_grid(SAMPLE_ROWS + [["Máy ép", "31/02/2021", "", "", "", "", "", None]])
    fake_sheets.add_spreadsheet(key, {"Khác": [["x"]], WORKSHEET: [[as_serial(c) for c in row] for row in grid]})
    binding, _table = link_binding("test.entries", f"gsheet:{key}", WORKSHEET, unit, MAPPING)
    run_sync(binding)
    page = admin_client.get(f"/admin/binding/errors/?id={binding.id}").get_data(as_text=True)
    gid = binding.sheet_gid
    assert gid is not None
    assert f'href="https://docs.google.com/spreadsheets/d/{key}/edit#gid={gid}&amp;range=C9"' in page


def test_errors_page_of_another_units_link_is_a_404(sync_app, binding, run_sync):
    from core.models import Unit
    from core.users import create_user

    run_sync(binding)
    other = Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT")
    create_user("pt@pt.vn", PASSWORD, "viewer", other)
    client = sync_app.test_client()
    login(client, "pt@pt.vn")
    assert client.get(f"/admin/binding/errors/?id={binding.id}").status_code == 404


# -- the synced workbook ----------------------------------------------------------------
def test_download_gives_the_synced_workbook(admin_client, binding, run_sync, tmp_path):
    run_sync(binding)
    answer = admin_client.get(f"/admin/binding/download/?id={binding.id}")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    copy = tmp_path / "tai-ve.xlsx"
    copy.write_bytes(answer.data)
    assert column(sheet(copy), "Mã") == [None, "GP-000001", "GP-000002", "GP-000003"]


def test_download_of_another_units_workbook_is_a_404(sync_app, binding):
    from core.models import Unit
    from core.users import create_user

    other = Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT")
    create_user("pt@pt.vn", PASSWORD, "viewer", other)
    client = sync_app.test_client()
    login(client, "pt@pt.vn")
    assert client.get(f"/admin/binding/download/?id={binding.id}").status_code == 404


def test_download_of_a_google_link_is_a_404(admin_client, unit):
    from sheets.models import Binding

    binding = Binding.create(name="test.entries", source="gsheet:1AbCdEfGhIjKlMnOpQrStUvWx", worksheet=WORKSHEET,
                             unit=unit)
    assert admin_client.get(f"/admin/binding/download/?id={binding.id}").status_code == 404


def test_errors_page_lists_a_bounded_number_and_counts_the_rest(admin_client, unit, workbook, run_sync, monkeypatch):
    from sheets.models import Binding
    from sheets.views import BindingView

    monkeypatch.setattr(BindingView, "errors_shown", 1)
    bad = [["Máy ép", "31/02/2021", "", "", "", "", "", None], ["Máy xay", "32/01/2021", "", "", "", "", "", None]]
    binding = Binding.create(name="test.entries", source=str(workbook(SAMPLE_ROWS + bad)), worksheet=WORKSHEET,
                             unit=unit)
    run_sync(binding)
    page = admin_client.get(f"/admin/binding/errors/?id={binding.id}").get_data(as_text=True)
    assert "31/02/2021" in page and "32/01/2021" not in page
    assert "… và 1 dòng lỗi khác" in page


def test_the_csv_export_of_links_holds_values_not_buttons(admin_client, binding, run_sync):
    run_sync(binding)
    text = admin_client.get("/admin/binding/export/csv/").get_data(as_text=True)
    assert "test.entries" in text and WORKSHEET in text
    assert "<form" not in text and "csrf_token" not in text and "badge" not in text


def test_a_zip_that_is_not_a_workbook_is_refused(admin_client, tmp_path, unit, uploads):
    import zipfile

    path = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải bảng tính")
    answer = upload(admin_client, path, unit)
    assert answer.status_code == 200
    assert "Tệp &#34;nen.xlsx&#34; không phải bảng tính .xlsx" in answer.get_data(as_text=True)
    assert list(uploads.iterdir()) == []


def test_a_links_details_page_shows_its_last_outcome(admin_client, binding, run_sync):
    run_sync(binding)
    page = admin_client.get(f"/admin/binding/details/?id={binding.id}").get_data(as_text=True)
    assert ">OK</a>" in page and "Kết quả lần cuối" in page
