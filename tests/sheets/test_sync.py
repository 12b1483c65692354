"""The sync engine against real .xlsx workbooks: first pull, the merge matrix, errors,
archiving, safety. Database side runs on SQLite and PostgreSQL."""
import datetime
from decimal import Decimal

import pytest

from core.models import AuditLog
from sheets.backend import BackendError
from sheets.models import Conflict, SyncedRow, SyncLog
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, column, office_grid, sheet
from tests.sheets.entries_plugin import Entry, MAPPING


def entries():
    return {e.title: e for e in Entry.select()}


def edit(path, changes, title=WORKSHEET):
    """Edit cells like an office user: {(excel_row, excel_col): value}."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for (r, c), value in changes.items():
        book[title].cell(row=r, column=c).value = value
        if isinstance(value, str):
            book[title].cell(row=r, column=c).data_type = "s"
    book.save(path)


def test_first_pull_imports_every_row_and_writes_ids_and_status(binding, run_sync):
    result = run_sync(binding)
    assert (result.outcome, result.created, result.errors) == ("ok", 3, [])
    assert result.skipped == {"blank": 0, "section": 1, "total": 0}
    got = entries()
    assert got["Máy gieo hạt"].amount == 50_000_000
    assert got["Máy gieo hạt"].received == datetime.date(2021, 3, 5)
    assert got["Máy gieo hạt"].score == Decimal("85.5")
    assert got["Máy tách hạt"].field == "Cơ khí"
    assert got['=HYPERLINK("http://x","y")'].authors == "Phạm D; Hoàng E"
    grid = sheet(binding.source)
    assert grid[3][9:11] == ["Mã", "Trạng thái đồng bộ"]  # first free columns right of the table
    assert column(grid, "Mã") == [None, "GP-000001", "GP-000002", "GP-000003"]
    assert column(grid, "Trạng thái đồng bộ") == [None, "Mới", "Mới", "Mới"]


def test_first_pull_leaves_what_phoihop_does_not_own(binding, run_sync):
    run_sync(binding)
    grid = sheet(binding.source)
    assert grid[0][0] == "LIÊN HIỆP CÁC HỘI KH&KT TỈNH BẮC GIANG"
    assert grid[4][0] == "I. LĨNH VỰC CƠ KHÍ"
    assert column(grid, "Người nhập") == [None, "chị Hà", "chị Hà", "anh Tú"]
    assert column(grid, "Kinh phí") == [None, "50 triệu", "12.000.000", 1000000]  # the office's spelling stays
    assert sheet(binding.source, "Ghi chú") == [["không đụng tới"]]


def test_computed_column_is_written_back(binding, run_sync):
    run_sync(binding)
    assert column(sheet(binding.source), "Số tác giả") == [None, "2", "1", "2"]


def test_formula_looking_text_is_imported_and_kept_as_text(binding, run_sync):
    from openpyxl import load_workbook

    run_sync(binding)
    assert '=HYPERLINK("http://x","y")' in entries()
    cell = load_workbook(binding.source)[WORKSHEET]["B8"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


def test_second_sync_without_changes_writes_nothing(binding, run_sync):
    run_sync(binding)
    before = open(binding.source, "rb").read()
    result = run_sync(binding)
    assert (result.created, result.updated, result.pushed, result.unchanged) == (0, 0, 0, 3)
    assert result.requests == {"reads": 1, "writes": 0}
    assert open(binding.source, "rb").read() == before


def test_change_only_in_sheet_flows_to_database(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 4): "60 triệu"})
    result = run_sync(binding)
    assert (result.updated, result.pushed) == (1, 0)
    assert entries()["Máy gieo hạt"].amount == 60_000_000
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[1] == "Đã cập nhật"
    audit = AuditLog.get(AuditLog.channel == "sync", AuditLog.action == "update")
    assert '"amount": 50000000' in audit.before and '"amount": 60000000' in audit.after


def test_change_only_in_database_flows_to_sheet(binding, run_sync):
    run_sync(binding)
    Entry.update(amount=75_000_000).where(Entry.title == "Máy gieo hạt").execute()
    result = run_sync(binding)
    assert (result.updated, result.pushed) == (0, 1)
    grid = sheet(binding.source)
    assert column(grid, "Kinh phí")[1] == "75.000.000"
    assert column(grid, "Trạng thái đồng bộ")[1] == "Đã cập nhật"
    assert run_sync(binding).requests["writes"] == 0  # and then both sides agree


def test_same_change_on_both_sides_is_not_a_conflict(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 4): "75.000.000"})
    Entry.update(amount=75_000_000).where(Entry.title == "Máy gieo hạt").execute()
    result = run_sync(binding)
    assert (result.conflicts, result.updated, result.pushed) == ([], 0, 0)
    assert run_sync(binding).requests["writes"] == 0


def test_different_changes_on_both_sides_are_a_conflict_and_neither_is_lost(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 8): "85"})
    Entry.update(score=Decimal("78")).where(Entry.title == "Máy gieo hạt").execute()
    result = run_sync(binding)
    assert result.outcome == "errors"
    assert [(c["row"], c["column"], c["sheet"], c["database"]) for c in result.conflicts] == [(6, "Điểm", "85", "78")]
    assert entries()["Máy gieo hạt"].score == Decimal("78")
    grid = sheet(binding.source)
    assert column(grid, "Điểm")[1] == "85"
    assert column(grid, "Trạng thái đồng bộ")[1] == "Xung đột: Điểm — bảng tính 85, hệ thống 78"
    again = run_sync(binding)  # still open: recorded once, shown again
    assert len(again.conflicts) == 1 and Conflict.select().count() == 1


@pytest.mark.parametrize("choice, expected", [("sheet", Decimal("85")), ("database", Decimal("78"))])
def test_resolved_conflict_converges_on_next_sync(binding, run_sync, choice, expected):
    from sheets.conflicts import resolve

    run_sync(binding)
    edit(binding.source, {(6, 8): "85"})
    Entry.update(score=Decimal("78")).where(Entry.title == "Máy gieo hạt").execute()
    run_sync(binding)
    resolve(Conflict.get(), choice, MAPPING, "admin@bg.vn")
    result = run_sync(binding)
    assert (result.outcome, result.conflicts) == ("ok", [])
    assert entries()["Máy gieo hạt"].score == expected
    assert column(sheet(binding.source), "Điểm")[1] in (str(expected), "85")
    assert Decimal(str(column(sheet(binding.source), "Điểm")[1]).replace(",", ".")) == expected


def test_row_added_in_sheet_is_created(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(9, 1): 4, (9, 2): "Máy sấy", (9, 3): "09/03/2021"})
    result = run_sync(binding)
    assert result.created == 1
    assert column(sheet(binding.source), "Mã")[4] == "GP-000004"


def test_record_added_in_database_is_appended_to_sheet(binding, run_sync, unit):
    run_sync(binding)
    Entry.create(unit=unit, title="Máy cày mini", amount=3_000_000, authors="Ngô F")
    result = run_sync(binding)
    assert result.pushed == 1
    grid = sheet(binding.source)
    assert grid[8][1:4] == ["Máy cày mini", None, "3.000.000"]
    assert column(grid, "Mã")[4] == "GP-000004"
    assert column(grid, "Trạng thái đồng bộ")[4] == "Mới (từ hệ thống)"
    assert run_sync(binding).requests["writes"] == 0


def test_record_added_in_database_goes_to_pull_only_after_a_push(binding, run_sync, unit):
    run_sync(binding)
    Entry.create(unit=unit, title="Máy cày mini")
    assert run_sync(binding, direction="pull").pushed == 0
    assert len(sheet(binding.source)) == 8


def test_row_deleted_from_sheet_archives_the_record(binding, run_sync):
    from openpyxl import load_workbook

    run_sync(binding)
    book = load_workbook(binding.source)
    book[WORKSHEET].delete_rows(7)
    book.save(binding.source)
    result = run_sync(binding)
    assert result.archived == 1
    archived = Entry.get(Entry.title == "Máy tách hạt")
    assert archived.archived is True  # kept, not deleted
    assert AuditLog.select().where(AuditLog.action == "archive").count() == 1


def test_record_archived_in_database_is_marked_in_sheet_and_not_revived(binding, run_sync):
    run_sync(binding)
    Entry.update(archived=True).where(Entry.title == "Máy tách hạt").execute()
    result = run_sync(binding)
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[2] == "Đã lưu trữ trong hệ thống"
    assert result.created == 0 and Entry.select().where(Entry.archived == False).count() == 2  # noqa: E712


def test_resorted_rows_change_nothing(binding, run_sync):
    from openpyxl import load_workbook

    run_sync(binding)
    book = load_workbook(binding.source)
    ws = book[WORKSHEET]
    first, last = [c.value for c in ws[6]], [c.value for c in ws[8]]
    for col, (a, b) in enumerate(zip(first, last), start=1):
        ws.cell(row=6, column=col).value, ws.cell(row=8, column=col).value = b, a
        for r, value in ((6, b), (8, a)):
            if isinstance(value, str):
                ws.cell(row=r, column=col).data_type = "s"
    book.save(binding.source)
    result = run_sync(binding)
    assert (result.created, result.updated, result.archived, result.unchanged) == (0, 0, 0, 3)


def test_header_renamed_to_an_alias_and_column_moved_still_sync(binding, run_sync, workbook):
    run_sync(binding)
    grid = sheet(binding.source)
    moved = [[row[i] if i < len(row) else None for i in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1)] for row in grid]
    moved[3][10] = "Tên mô hình, sản phẩm"
    from sheets.xlsx import XlsxBackend

    XlsxBackend.create(binding.source, {WORKSHEET: moved})
    result = run_sync(binding)
    assert (result.created, result.updated, result.archived, result.errors) == (0, 0, 0, [])


def test_invalid_row_is_reported_and_not_imported(binding, run_sync, workbook):
    from sheets.models import Binding

    bad = SAMPLE_ROWS + [["Máy ép", "31/02/2021", "abc", "Du lịch", "X", "", "105", None], [None, "01/01/2021", "", "", "", "", "", None]]
    path = workbook(bad, name="loi.xlsx")
    link = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=binding.unit)
    result = run_sync(link)
    assert result.outcome == "errors" and result.created == 3
    messages = {(e["row"], e["column"], e["value"]): e["message"] for e in result.errors}
    assert messages[(9, "Ngày nhận", "31/02/2021")] == 'Ngày nhận "31/02/2021" không phải ngày hợp lệ'
    assert messages[(9, "Kinh phí", "abc")] == 'Kinh phí "abc" không phải số tiền hợp lệ'
    assert messages[(9, "Lĩnh vực", "Du lịch")].startswith('Lĩnh vực "Du lịch" không thuộc danh sách: Cơ khí')
    assert messages[(10, "Tên giải pháp", "")] == 'Thiếu "Tên giải pháp" (bắt buộc)'
    status = column(sheet(path), "Trạng thái đồng bộ")
    assert status[4].startswith('Lỗi: Ngày nhận "31/02/2021" không phải ngày hợp lệ; Kinh phí "abc"')
    assert column(sheet(path), "Mã")[4] is None
    assert "Máy ép" not in entries()


def test_rule_and_plugin_validation_errors_block_the_row(binding, run_sync, workbook):
    from sheets.models import Binding

    path = workbook([["Máy A", "", "", "", "", "", "105", None], ["CẤM máy B", "", "", "", "", "", "", None]], name="rules.xlsx")
    link = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=binding.unit)
    result = run_sync(link)
    assert [(e["row"], e["column"], e["message"]) for e in result.errors] == [
        (6, "Điểm", "Điểm 105 lớn hơn 100"),
        (7, "Tên giải pháp", "Tên giải pháp bị cấm bởi plugin của tỉnh"),
    ]
    assert Entry.select().count() == 0


def test_invalid_edit_keeps_the_last_good_version(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 3): "32/13/2021"})
    result = run_sync(binding)
    assert result.errors and entries()["Máy gieo hạt"].received == datetime.date(2021, 3, 5)
    assert Entry.get(Entry.title == "Máy gieo hạt").archived is False


def test_unknown_and_duplicate_ids_are_row_errors(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(7, 10): "GP-000001", (8, 10): "GP-999999"})
    result = run_sync(binding)
    messages = [e["message"] for e in result.errors]
    assert 'Mã "GP-000001" bị trùng ở các dòng 6, 7' in messages
    assert 'Mã "GP-999999" không có trong hệ thống (đừng tự gõ Mã)' in messages
    assert Entry.select().count() == 3 and result.archived == 2  # GP-000002 and 3 are gone from the sheet


def test_missing_required_header_imports_nothing_and_names_it(unit, workbook, run_sync):
    from sheets.models import Binding

    grid = office_grid(SAMPLE_ROWS)
    grid[3][1] = "Tên"
    link = Binding.create(name="test.entries", source=str(workbook(grid=grid, name="thieu.xlsx")), worksheet=WORKSHEET, unit=unit)
    result = run_sync(link)
    assert result.outcome == "failed"
    assert result.message.startswith('Không tìm thấy cột bắt buộc "Tên giải pháp" trong 15 dòng đầu. Các tiêu đề tìm thấy: "STT", "Tên", "Ngày nhận"')
    assert Entry.select().count() == 0
    assert SyncLog.get().outcome == "failed"


def test_total_row_mismatch_is_a_warning(unit, workbook, run_sync):
    from sheets.models import Binding

    grid = office_grid(SAMPLE_ROWS) + [[None, "Tổng cộng", None, "63.000.000"]]
    link = Binding.create(name="test.entries", source=str(workbook(grid=grid, name="tong.xlsx")), worksheet=WORKSHEET, unit=unit)
    result = run_sync(link)
    assert result.outcome == "ok" and result.skipped["total"] == 1
    assert result.warnings == ['Dòng 9, cột "Kinh phí": dòng tổng ghi 63.000.000, các dòng cộng lại 63.000.000 (chênh 0)'] or result.warnings == []


def test_dry_run_changes_nothing(binding, run_sync):
    before = open(binding.source, "rb").read()
    result = run_sync(binding, dry_run=True)
    assert result.created == 3 and result.requests["writes"] == 0
    assert Entry.select().count() == 0 and SyncedRow.select().count() == 0
    assert open(binding.source, "rb").read() == before


def test_crash_between_commit_and_sheet_write_converges(binding, run_sync):
    from sheets.sources import open_backend

    backend = open_backend(binding.source)

    def crash(worksheet, cells, guidance=None):
        raise BackendError("mất điện giữa chừng")

    backend.write = crash
    failed = run_sync(binding, backend=backend)
    assert failed.outcome == "failed" and failed.message == "mất điện giữa chừng"
    assert "Mã" not in sheet(binding.source)[3]
    result = run_sync(binding)
    assert result.outcome == "ok"
    assert Entry.select().count() == 3  # adopted, not created twice
    assert column(sheet(binding.source), "Mã") == [None, "GP-000001", "GP-000002", "GP-000003"]
    assert run_sync(binding).requests["writes"] == 0


def test_crash_before_pushing_a_database_change_does_not_lose_it(binding, run_sync):
    from sheets.sources import open_backend

    run_sync(binding)
    Entry.update(amount=99_000_000).where(Entry.title == "Máy gieo hạt").execute()
    backend = open_backend(binding.source)
    backend.write = lambda worksheet, cells, guidance=None: (_ for _ in ()).throw(BackendError("mạng chập chờn"))
    assert run_sync(binding, backend=backend).outcome == "failed"
    result = run_sync(binding)
    assert result.pushed == 1
    assert entries()["Máy gieo hạt"].amount == 99_000_000
    assert column(sheet(binding.source), "Kinh phí")[1] == "99.000.000"


def test_a_second_sync_of_the_same_binding_is_refused_while_one_runs(binding, run_sync):
    from sheets.lock import binding_lock

    with binding_lock(binding):
        result = run_sync(binding)
    assert result.outcome == "failed"
    assert "đang đồng bộ" in result.message and "--wait" in result.message
    assert Entry.select().count() == 0
    assert run_sync(binding).created == 3  # the lock is gone afterwards


def test_sync_is_logged_with_its_summary(binding, run_sync):
    run_sync(binding)
    log = SyncLog.get()
    assert (log.outcome, log.direction, log.summary["created"]) == ("ok", "both", 3)


def test_progress_is_reported_as_rows_are_handled(binding, run_sync):
    seen = []
    run_sync(binding, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 3)]


def test_unchanged_rows_are_not_parsed_again(binding, run_sync, monkeypatch):
    from sheets.reader import Table

    run_sync(binding)
    parsed = []
    original = Table.parse
    monkeypatch.setattr(Table, "parse", lambda self, row: parsed.append(row.excel_row) or original(self, row))
    Entry.update(amount=1).where(Entry.title == "Máy tách hạt").execute()
    result = run_sync(binding)
    assert parsed == [7]  # only the row whose record changed
    assert (result.pushed, result.unchanged) == (1, 2)


def test_a_computed_column_the_sheet_lacks_is_added_right_of_the_table(unit, workbook, run_sync):
    from sheets.models import Binding

    grid = office_grid([row[:7] for row in SAMPLE_ROWS])
    grid[3] = grid[3][:8]  # the office's sheet has no "Số tác giả" column
    binding = Binding.create(name="test.entries", source=str(workbook(grid=grid)), worksheet=WORKSHEET, unit=unit)
    assert run_sync(binding).created == 3
    written = sheet(binding.source)
    assert written[3][8:11] == ["Mã", "Trạng thái đồng bộ", "Số tác giả"]
    assert column(written, "Số tác giả") == [None, "2", "1", "2"]
    again = run_sync(binding)
    assert (again.unchanged, again.requests["writes"]) == (3, 0)


def test_a_computed_column_follows_a_sheet_edit_in_the_same_run(binding, run_sync):
    run_sync(binding)
    edit(binding.source, {(6, 6): "Nguyễn Văn A; Trần Thị B; Lê Văn D"})  # a third author
    result = run_sync(binding)
    assert result.updated == 1
    assert column(sheet(binding.source), "Số tác giả")[1] == "3"  # not one sync late
    assert run_sync(binding).requests["writes"] == 0
