"""An office's slips and a crashed run never cost a record, never duplicate one, and never
take the server down (issue 8). SQLite and PostgreSQL; real .xlsx files, and an in-memory
backend where the case needs a hook between read and write."""
import os
import subprocess
import sys

import pytest

from core.models import AuditLog
from sheets.models import Binding, RunLock, SyncedRow
from tests.sheets.conftest import WORKSHEET, column, office_grid, sheet
from tests.sheets.entries_plugin import Entry, MAPPING
from tests.sheets.memory_backend import MemoryBackend
from tests.sheets.test_sync import edit, entries

ROWS = [[f"Giải pháp {n}", f"0{n % 9 + 1}/03/2021", f"{n} triệu", "Cơ khí", f"Tác giả {n}", "chị Hà", None, None]
        for n in range(1, 11)]
KEY_COL, STATUS_COL = 10, 11  # Excel columns J and K once phoihop added them


def synced_binding(unit, workbook, run_sync, rows=ROWS, name="giai-phap.xlsx"):
    path = workbook(rows=rows, name=name)
    binding = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    assert run_sync(binding).created == len(rows)
    return binding


def keys_in_sheet(path):
    return column(sheet(path), "Mã")[1:]


def clear_rows(path, excel_rows):
    from openpyxl import load_workbook

    book = load_workbook(path)
    for r in excel_rows:
        for c in range(1, 12):
            book[WORKSHEET].cell(row=r, column=c).value = None
    book.save(path)


# -- 1. Mã cells cleared -------------------------------------------------------------------
def test_cleared_ids_are_restored_by_content_not_archived_and_recreated(unit, workbook, run_sync):
    binding = synced_binding(unit, workbook, run_sync)
    before = keys_in_sheet(binding.source)
    edit(binding.source, {(r, KEY_COL): None for r in range(6, 16)})
    result = run_sync(binding)
    assert (result.outcome, result.created, result.archived, result.restored) == ("ok", 0, 0, 10)
    assert keys_in_sheet(binding.source) == before
    assert set(column(sheet(binding.source), "Trạng thái đồng bộ")[1:]) == {"Đã khôi phục Mã"}
    assert Entry.select().count() == 10 and Entry.select().where(Entry.archived == True).count() == 0  # noqa: E712
    again = run_sync(binding)
    assert (again.restored, again.unchanged, again.requests["writes"]) == (0, 10, 1)  # statuses back to OK


def test_a_row_that_matches_two_records_is_not_guessed(unit, workbook, run_sync):
    twins = [ROWS[0], ROWS[0], ROWS[1], ROWS[2], ROWS[3], ROWS[4]]
    binding = synced_binding(unit, workbook, run_sync, rows=twins)
    first, second = keys_in_sheet(binding.source)[:2]
    edit(binding.source, {(6, KEY_COL): None, (7, KEY_COL): None})
    result = run_sync(binding)
    assert result.outcome == "errors" and (result.created, result.archived, result.restored) == (0, 0, 0)
    assert [e["row"] for e in result.errors] == [6, 7]
    assert first in result.errors[0]["message"] and second in result.errors[0]["message"]
    assert Entry.select().count() == 6 and Entry.select().where(Entry.archived == True).count() == 0  # noqa: E712


# -- 2. two tabs of one workbook ---------------------------------------------------------------
def test_a_file_saved_between_read_and_write_is_read_again_and_nothing_is_lost(unit, workbook, run_sync, sync_pm):
    from sheets.sync import sync
    from sheets.xlsx import XlsxBackend

    path = workbook(rows=ROWS)
    binding = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    backend = XlsxBackend(path)
    original_read = backend.read
    calls = []

    def read_then_someone_saves(worksheet):
        grid = original_read(worksheet)
        if not calls:  # the office saves a change while our first attempt works
            edit(path, {(1, 1): "Danh sách đã sửa"})
        calls.append(worksheet)
        return grid

    backend.read = read_then_someone_saves
    result = sync(binding, MAPPING, backend, pm=sync_pm)
    assert result.outcome == "ok" and len(calls) == 2
    assert any("đã đọc lại" in w for w in result.warnings)
    grid = sheet(path)
    assert grid[0][0] == "Danh sách đã sửa"  # the office's save is kept
    assert keys_in_sheet(path) == [f"GP-{n:06d}" for n in range(1, 11)]
    assert Entry.select().count() == 10 and SyncedRow.select().count() == 10
    assert run_sync(binding).requests["writes"] == 0


def test_two_tabs_of_one_workbook_keep_both_tabs_ids(unit, tmp_path, run_sync, sync_pm):
    from sheets.sync import sync
    from sheets.xlsx import XlsxBackend

    path = tmp_path / "hai-trang.xlsx"
    XlsxBackend.create(path, {WORKSHEET: office_grid(ROWS), "Đợt 2": office_grid(ROWS[:4])})
    first = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    second = Binding.create(name="test.entries", source=str(path), worksheet="Đợt 2", unit=unit)
    backend = XlsxBackend(path)
    original_read = backend.read
    state = {"done": False}

    def read_while_the_other_tab_syncs(worksheet):
        grid = original_read(worksheet)
        if not state["done"]:
            state["done"] = True
            assert run_sync(second).created == 4  # the other tab's sync runs and writes the file
        return grid

    backend.read = read_while_the_other_tab_syncs
    assert sync(first, MAPPING, backend, pm=sync_pm).outcome == "ok"
    assert len([k for k in keys_in_sheet(path) if k]) == 10
    assert len([k for k in column(sheet(path, "Đợt 2"), "Mã")[1:] if k]) == 4
    for binding in (first, second):
        result = run_sync(binding)
        assert (result.created, result.archived, result.requests["writes"]) == (0, 0, 0)


# -- 3. rows pasted back after a delete --------------------------------------------------------
def test_rows_pasted_back_with_their_ids_restore_the_archived_records(unit, workbook, run_sync):
    from openpyxl import load_workbook

    binding = synced_binding(unit, workbook, run_sync)
    saved = [[c.value for c in row] for row in load_workbook(binding.source)[WORKSHEET].iter_rows(min_row=6, max_row=7)]
    clear_rows(binding.source, [6, 7])
    assert run_sync(binding).archived == 2
    book = load_workbook(binding.source)
    for offset, values in enumerate(saved):
        for c, value in enumerate(values, start=1):
            book[WORKSHEET].cell(row=6 + offset, column=c).value = value
    book.save(binding.source)
    result = run_sync(binding)
    assert (result.restored, result.created, result.archived) == (2, 0, 0)
    assert Entry.select().where(Entry.archived == True).count() == 0  # noqa: E712
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[1:3] == ["Đã khôi phục từ lưu trữ"] * 2
    assert AuditLog.select().where(AuditLog.action == "restore").count() == 2


def test_unarchiving_a_record_whose_row_is_in_the_sheet_appends_no_second_row(unit, workbook, run_sync):
    binding = synced_binding(unit, workbook, run_sync)
    Entry.update(archived=True).where(Entry.title == "Giải pháp 1").execute()
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[1] == "Mới"
    run_sync(binding)
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[1] == "Đã lưu trữ trong hệ thống"
    Entry.update(archived=False).where(Entry.title == "Giải pháp 1").execute()  # the admin un-archives it
    result = run_sync(binding)
    assert result.pushed == 0 and len(sheet(binding.source)) == 15
    assert column(sheet(binding.source), "Trạng thái đồng bộ")[1] == "OK"


def test_unarchiving_a_record_whose_row_was_deleted_brings_its_row_back_with_its_id(unit, workbook, run_sync):
    binding = synced_binding(unit, workbook, run_sync)
    key = keys_in_sheet(binding.source)[0]
    clear_rows(binding.source, [6])
    assert run_sync(binding).archived == 1
    Entry.update(archived=False).where(Entry.title == "Giải pháp 1").execute()
    result = run_sync(binding)
    assert result.pushed == 1
    assert keys_in_sheet(binding.source).count(key) == 1
    assert SyncedRow.select().count() == 10
    assert run_sync(binding).requests["writes"] == 0


# -- 4. mass archive -------------------------------------------------------------------------
def test_deleting_most_rows_archives_nothing_until_a_person_confirms(unit, workbook, run_sync):
    binding = synced_binding(unit, workbook, run_sync)
    clear_rows(binding.source, range(6, 16))
    for dry_run in (True, False):
        result = run_sync(binding, dry_run=dry_run)
        assert (result.outcome, result.archived, result.held_back) == ("errors", 0, 10)
        assert "--allow-mass-archive" in result.errors[0]["message"]
    assert Entry.select().where(Entry.archived == True).count() == 0  # noqa: E712
    confirmed = run_sync(binding, allow_mass_archive=True)
    assert (confirmed.outcome, confirmed.archived) == ("ok", 10)
    assert Entry.select().where(Entry.archived == True).count() == 10  # noqa: E712


def test_deleting_a_few_rows_archives_them_without_a_question(unit, workbook, run_sync):
    binding = synced_binding(unit, workbook, run_sync)
    clear_rows(binding.source, [6])
    assert (run_sync(binding).archived, Entry.select().where(Entry.archived == True).count()) == (1, 1)  # noqa: E712


def test_cli_confirms_a_mass_archive_with_a_flag(unit, workbook, run_sync, sync_pm, db_url):
    from click.testing import CliRunner

    from cli import build_cli

    binding = synced_binding(unit, workbook, run_sync)
    clear_rows(binding.source, range(6, 16))
    refused = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync"])
    assert refused.exit_code == 1 and "--allow-mass-archive" in refused.output
    done = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync", "--allow-mass-archive"])
    assert done.exit_code == 0, done.output
    assert "10 lưu trữ" in done.output


# -- 6. stale locks --------------------------------------------------------------------------
def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def lock_row(binding, **values):
    import socket

    from core.models import now

    defaults = {"name": f"binding:{binding.id}", "host": socket.gethostname(), "pid": os.getpid(),
                "holder": "someone-else", "label": "x", "started_at": now(), "heartbeat_at": now()}
    RunLock.create(**{**defaults, **values})


def test_lock_of_a_killed_run_is_taken_over_at_once_with_a_notice(binding, run_sync):
    lock_row(binding, pid=dead_pid())
    result = run_sync(binding)
    assert result.outcome == "ok" and result.created == 3
    assert any("không còn chạy" in w for w in result.warnings)
    assert RunLock.select().count() == 0


def test_lock_whose_heart_stopped_a_minute_ago_is_taken_over(binding, run_sync):
    import datetime

    from core.models import now

    lock_row(binding, host="may-khac", pid=1, heartbeat_at=now() - datetime.timedelta(seconds=90))
    result = run_sync(binding)
    assert result.outcome == "ok" and any("không có tín hiệu" in w for w in result.warnings)


def test_lock_of_a_live_run_is_respected(binding, run_sync):
    lock_row(binding, host="may-khac", pid=1)
    result = run_sync(binding)
    assert result.outcome == "failed" and "đang đồng bộ" in result.message and "may-khac" in result.message
    assert Entry.select().count() == 0


def test_a_held_lock_beats_its_heart(binding):
    import time

    from sheets.lock import binding_lock

    with binding_lock(binding, heartbeat=0.05):
        first = RunLock.get().heartbeat_at
        deadline = time.monotonic() + 10  # a beat is due every 0.05 s: wait for one, not a set time
        while RunLock.get().heartbeat_at == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert RunLock.get().heartbeat_at > first


# -- 7. a second sync of the same binding ------------------------------------------------------
def test_a_second_sync_says_busy_without_a_traceback(binding, sync_pm, db_url):
    from click.testing import CliRunner

    from cli import build_cli
    from sheets.lock import binding_lock

    with binding_lock(binding):
        answer = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync"])
    assert answer.exit_code == 1
    assert "đang đồng bộ" in answer.output and "--wait" in answer.output
    assert "Traceback" not in answer.output and answer.exception is None or isinstance(answer.exception, SystemExit)


# -- 8. the admin is not blocked, and its edits are not lost -----------------------------------
def other_connection_update(db_url, sql):
    """Run ``sql`` on a second connection that refuses to wait for a lock: what the admin
    does while a sync runs."""
    if db_url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(db_url[len("sqlite:///"):], timeout=0.2)
    else:
        import psycopg2

        connection = psycopg2.connect(db_url)
        connection.cursor().execute("SET lock_timeout = '200ms'")
    try:
        connection.cursor().execute(sql)
        connection.commit()
    finally:
        connection.close()


def test_an_admin_edit_between_chunks_is_not_blocked_and_not_lost(unit, workbook, run_sync, db_url, monkeypatch):
    import sheets.run

    monkeypatch.setattr(sheets.run, "CHUNK", 2)
    binding = synced_binding(unit, workbook, run_sync)
    edit(binding.source, {(6, 4): "77 triệu"})  # the office edits row 1's amount
    ids = {e.title: e.id for e in Entry.select()}
    done = []

    def admin_edits(count, total):
        if count == 2 and not done:  # the first chunk is committed; the admin saves
            other_connection_update(db_url, f"UPDATE test_entry SET score = 9 WHERE id = {ids['Giải pháp 1']}")
            other_connection_update(db_url, f"UPDATE test_entry SET amount = 5 WHERE id = {ids['Giải pháp 5']}")
            done.append(True)

    result = run_sync(binding, progress=admin_edits)
    assert done and result.outcome == "ok" and result.updated == 1
    got = entries()
    assert (got["Giải pháp 1"].amount, got["Giải pháp 1"].score) == (77_000_000, 9)
    assert got["Giải pháp 5"].amount == 5  # edited before its chunk: pushed to the sheet, not overwritten
    assert column(sheet(binding.source), "Kinh phí")[5] == "5"
    run_sync(binding)
    assert column(sheet(binding.source), "Điểm")[1] == "9"  # edited after its chunk: pushed by the next run
    assert entries()["Giải pháp 1"].score == 9


def test_an_admin_edit_of_a_field_the_sheet_just_changed_wins_at_the_next_run(unit, workbook, run_sync, db_url, monkeypatch):
    import sheets.run

    monkeypatch.setattr(sheets.run, "CHUNK", 2)
    binding = synced_binding(unit, workbook, run_sync)
    edit(binding.source, {(6, 4): "77 triệu"})
    record_id = entries()["Giải pháp 1"].id

    def admin_edits(count, total):
        if count == 2:
            other_connection_update(db_url, f"UPDATE test_entry SET amount = 88000000 WHERE id = {record_id}")

    run_sync(binding, progress=admin_edits)
    run_sync(binding)
    assert entries()["Giải pháp 1"].amount == 88_000_000
    assert column(sheet(binding.source), "Kinh phí")[1] == "88.000.000"


# -- 9. one bad binding does not stop the others ---------------------------------------------
@pytest.mark.parametrize("problem", ["no credentials", "missing file", "directory", "malformed json"])
def test_one_failing_binding_does_not_stop_the_others(unit, workbook, sync_pm, db_url, tmp_path, monkeypatch, problem):
    from click.testing import CliRunner

    from cli import build_cli

    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    monkeypatch.delenv("PHOIHOP_GOOGLE_CREDENTIALS", raising=False)
    if problem == "missing file":
        Binding.create(name="test.entries", source=str(tmp_path / "khong-co.xlsx"), worksheet=WORKSHEET, unit=unit)
    else:
        Binding.create(name="test.entries", source="gsheet:1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", worksheet=WORKSHEET,
                       unit=unit)
        if problem == "directory":
            monkeypatch.setenv("PHOIHOP_GOOGLE_CREDENTIALS", str(tmp_path))
        elif problem == "malformed json":
            (tmp_path / "key.json").write_text("{ not json", encoding="utf-8")
            monkeypatch.setenv("PHOIHOP_GOOGLE_CREDENTIALS", str(tmp_path / "key.json"))
    good = Binding.create(name="test.entries", source=str(workbook()), worksheet=WORKSHEET, unit=unit)
    answer = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync", "--json"])
    assert answer.exit_code == 1
    assert "Traceback" not in answer.output
    import json

    results = json.loads(answer.output)["bindings"]
    assert [r["outcome"] for r in results] == ["failed", "ok"]
    assert results[0]["message"] and "\n" not in results[0]["message"]
    assert results[1]["created"] == 3 and results[1]["source"] == good.source


# -- 13. over-long cells -----------------------------------------------------------------------
def test_an_overlong_invalid_cell_is_a_row_error_and_the_other_rows_sync(unit, workbook, run_sync):
    rows = [list(r) for r in ROWS[:3]]
    rows[1][1] = "3" * 32740  # an over-long "date"
    path = workbook(rows=rows)
    binding = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    result = run_sync(binding)
    assert result.outcome == "errors" and result.created == 2
    assert [(e["row"], e["column"]) for e in result.errors] == [(7, "Ngày nhận")]
    status = column(sheet(path), "Trạng thái đồng bộ")[2]
    assert status.startswith("Lỗi: Ngày nhận") and len(status) <= 1000
    assert [k is not None for k in keys_in_sheet(path)] == [True, False, True]


def test_text_longer_than_its_database_column_is_a_row_error(unit, workbook, run_sync):
    rows = [list(r) for r in ROWS[:3]]
    rows[2][0] = "Giải pháp " + "rất dài " * 40  # 330 characters; the title column holds 255
    binding = Binding.create(name="test.entries", source=str(workbook(rows=rows)), worksheet=WORKSHEET, unit=unit)
    result = run_sync(binding)
    assert result.created == 2
    assert [(e["row"], e["column"]) for e in result.errors] == [(8, "Tên giải pháp")]
    assert "255" in result.errors[0]["message"]


# -- issue 7: formula cells through the engine --------------------------------------------------
def formula_backend(with_result=True):
    from sheets.backend import UNCOMPUTED

    grid = office_grid(ROWS[:3])
    for r in range(5, 8):  # the "Kinh phí" column (index 3) holds formulas
        grid[r][3] = 1_000_000 * r if with_result else UNCOMPUTED
    return MemoryBackend({WORKSHEET: grid}, formulas={WORKSHEET: {(r, 3) for r in range(5, 8)}})


def test_a_formula_cell_is_read_from_its_result_and_never_written(unit, sync_pm):
    from sheets.sync import sync

    backend = formula_backend()
    binding = Binding.create(name="test.entries", source="memory:a", worksheet=WORKSHEET, unit=unit)
    assert sync(binding, MAPPING, backend, pm=sync_pm).created == 3
    assert entries()["Giải pháp 1"].amount == 5_000_000
    Entry.update(amount=1).where(Entry.title == "Giải pháp 1").execute()
    result = sync(binding, MAPPING, backend, pm=sync_pm)
    assert result.pushed == 0 and backend.cell(WORKSHEET, "Kinh phí", 6) == 5_000_000
    assert any("công thức" in w for w in result.warnings)
    assert backend.cell(WORKSHEET, "Trạng thái đồng bộ", 6).startswith("Chú ý:")
    assert entries()["Giải pháp 1"].amount == 1  # the database keeps its value; nothing is lost


def test_a_formula_without_a_stored_result_changes_nothing(unit, sync_pm):
    from sheets.backend import UNCOMPUTED
    from sheets.sync import sync

    binding = Binding.create(name="test.entries", source="memory:a", worksheet=WORKSHEET, unit=unit)
    backend = formula_backend()
    assert sync(binding, MAPPING, backend, pm=sync_pm).created == 3
    for r in range(5, 8):  # saved by a tool that does not calculate: the results are gone
        backend.sheets[WORKSHEET][r][3] = UNCOMPUTED
    result = sync(binding, MAPPING, backend, pm=sync_pm)
    assert (result.updated, result.pushed) == (0, 0)
    assert entries()["Giải pháp 1"].amount == 5_000_000
    status = backend.cell(WORKSHEET, "Trạng thái đồng bộ", 6)
    assert "chưa có giá trị" in status and "Excel" in status
    assert backend.cell(WORKSHEET, "Kinh phí", 6) is UNCOMPUTED
