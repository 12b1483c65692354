"""The sync engine over the Google Sheets API (the fake server under tests/, real gspread)."""
import datetime
import threading

import pytest

from sheets.gsheets import GoogleSheetsBackend
from sheets.models import Binding
from sheets.sync import sync
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, column, office_grid
from tests.sheets.entries_plugin import Entry, MAPPING

KEY = "1BgLhhBacGiang"


def as_serial(cell):
    """Google Sheets hands date cells back as serial numbers."""
    if isinstance(cell, datetime.date):
        return (cell - datetime.date(1899, 12, 30)).days
    return cell


def no_wait(seconds):
    no_wait.slept.append(seconds)


@pytest.fixture
def google(fake_sheets, unit):
    def link(rows=SAMPLE_ROWS):
        grid = [[as_serial(cell) for cell in row] for row in office_grid(rows)]
        fake_sheets.add_spreadsheet(KEY, {WORKSHEET: grid})
        return Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)

    no_wait.slept = []
    return link


def backend():
    return GoogleSheetsBackend.from_environment(KEY, sleep=no_wait)


def run(binding, sync_pm, **options):
    return sync(binding, MAPPING, backend(), pm=sync_pm, **options)


def big_rows(count):
    return [[f"Giải pháp số {n}", "05/03/2021", f"{n} triệu", "Cơ khí", f"Tác giả {n}", "", "80", None] for n in range(count)]


def test_ten_thousand_rows_cost_three_reads_and_one_write(google, sync_pm, fake_sheets):
    binding = google(big_rows(10_000))
    first = run(binding, sync_pm)
    assert first.created == 10_000
    assert first.requests == {"reads": 3, "writes": 1}  # the revision, the inspection, the values
    assert [m for m, _ in fake_sheets.requests] == ["GET", "GET", "GET", "POST"]
    fake_sheets.reset_log()
    again = run(binding, sync_pm)  # the first run wrote: this one reads everything again
    assert again.requests == {"reads": 3, "writes": 0}


def test_one_row_change_writes_only_that_rows_changed_cells(google, sync_pm, fake_sheets):
    binding = google(big_rows(200))
    run(binding, sync_pm)
    Entry.update(amount=1).where(Entry.title == "Giải pháp số 7").execute()
    fake_sheets.reset_log()
    result = run(binding, sync_pm)
    assert result.requests == {"reads": 3, "writes": 1}
    body = fake_sheets.calls[-1]["body"]
    updates = [r["updateCells"] for r in body["requests"] if "updateCells" in r]
    cells = sum(len(row["values"]) for u in updates for row in u["rows"])
    assert cells == 2  # Kinh phí and the status of that one row


def test_injection_text_is_written_as_text(google, sync_pm, fake_sheets, unit):
    binding = google()
    run(binding, sync_pm)
    Entry.create(unit=unit, title="=IMPORTXML(\"http://x\",\"//a\")", authors="@bot; +84 912 345 678")
    run(binding, sync_pm)
    grid = fake_sheets.grid(KEY, WORKSHEET)
    assert grid[8][1] == '=IMPORTXML("http://x","//a")'
    assert grid[8][5] == "@bot; +84 912 345 678"


def test_429_storm_is_waited_out(google, sync_pm, fake_sheets):
    binding = google()
    fake_sheets.fail_next(429, count=3, retry_after=2)
    result = run(binding, sync_pm)
    assert result.outcome == "ok" and result.created == 3
    assert no_wait.slept[:3] == [2, 2, 2]


def test_500_in_the_middle_of_the_write_is_retried_and_lands_once(google, sync_pm, fake_sheets):
    binding = google()
    fake_sheets.fail_next(500, count=2, when=lambda method, path: method == "POST")
    result = run(binding, sync_pm)
    assert result.outcome == "ok"
    assert column(fake_sheets.grid(KEY, WORKSHEET), "Mã") == [None, "GP-000001", "GP-000002", "GP-000003"]


def test_write_that_keeps_failing_fails_the_sync_and_the_next_one_converges(google, sync_pm, fake_sheets):
    binding = google()
    fake_sheets.fail_next(503, count=50, when=lambda method, path: method == "POST")
    failed = run(binding, sync_pm)
    assert failed.outcome == "failed" and "Google Sheets" in failed.message and "503" in failed.message
    fake_sheets._faults.clear()
    result = run(binding, sync_pm)
    assert result.outcome == "ok" and Entry.select().count() == 3
    assert column(fake_sheets.grid(KEY, WORKSHEET), "Mã") == [None, "GP-000001", "GP-000002", "GP-000003"]


def test_two_concurrent_syncs_of_one_binding_never_both_run(google, sync_pm, fake_sheets, sync_app):
    binding = google(big_rows(3000))
    results = []

    def worker():
        with sync_app.app_context():
            results.append(run(binding, sync_pm))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(r.outcome for r in results)
    created = sum(r.created for r in results)
    assert created == 3000 and Entry.select().count() == 3000
    if outcomes == ["failed", "ok"]:
        assert "đang đồng bộ" in next(r.message for r in results if r.outcome == "failed")
    else:
        assert outcomes == ["ok", "ok"] and sorted(r.created for r in results) == [0, 3000]


def test_wait_lets_the_second_sync_run_after_the_first(google, sync_pm, sync_app):
    from sheets.lock import binding_lock

    binding = google()
    held, release = threading.Event(), threading.Event()

    def holder():
        with sync_app.app_context(), binding_lock(binding):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(5)
    threading.Timer(0.3, release.set).start()
    result = run(binding, sync_pm, wait=True)
    thread.join()
    assert result.outcome == "ok" and result.created == 3


def test_a_formula_column_is_read_from_its_results_and_never_written(google, sync_pm, fake_sheets):
    """Issue 7: the formula case through the Sheets API. The "Kinh phí" column is a formula
    (as offices compute derived money); its results come in, and a database change to it is
    reported on the row, never written over the formula."""
    binding = google()
    sheet = fake_sheets.spreadsheets[KEY]["sheets"][0]
    for r in range(5, 8):
        sheet["cells"][(r, 3)] = {"formula": f"=G{r + 1}*1000", "value": 2_000_000 * r}
    first = run(binding, sync_pm)
    assert first.created == 3
    assert sorted(e.amount for e in Entry.select()) == [10_000_000, 12_000_000, 14_000_000]
    Entry.update(amount=1).where(Entry.amount == 10_000_000).execute()
    second = run(binding, sync_pm)
    assert second.pushed == 0 and any("công thức" in w for w in second.warnings)
    assert sheet["cells"][(5, 3)] == {"formula": "=G6*1000", "value": 10_000_000}
    status = column(fake_sheets.grid(KEY, WORKSHEET), "Trạng thái đồng bộ")[1]
    assert status.startswith("Chú ý:") and "Kinh phí" in status
    third = run(binding, sync_pm)
    assert third.requests["writes"] == 0 and Entry.select().where(Entry.amount == 1).count() == 1
