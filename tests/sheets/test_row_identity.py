"""Row identity beyond the Mã cell on Google: each synced row carries its Mã as row
DeveloperMetadata (the emulator under tests/), which restores a cleared or overwritten Mã.
Database side on SQLite and PostgreSQL."""
import pytest
import requests

from sheets.gsheets import ROW_KEY, GoogleSheetsBackend
from sheets.models import Binding
from sheets.sync import sync
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, column, office_grid
from tests.sheets.entries_plugin import Entry, MAPPING

KEY = "1IdentityBook"
FIRST = 5  # 0-based row of the first data row (title block, header on row 4, a section row)
KEY_COL, STATUS_COL, SCORE_COL = 9, 10, 7


def serial(cell):
    import datetime

    return (cell - datetime.date(1899, 12, 30)).days if isinstance(cell, datetime.date) else cell


def many_rows(count):
    return [[f"Giải pháp {n:04d}", "05/03/2021", f"{n + 1} triệu", "Cơ khí", f"Tác giả {n}", "chị Hà", "80", None]
            for n in range(count)]


@pytest.fixture
def google(fake_sheets, unit):
    def link(rows=SAMPLE_ROWS):
        fake_sheets.add_spreadsheet(KEY, {WORKSHEET: [[serial(c) for c in row] for row in office_grid(rows)]})
        return Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)

    return link


def run(binding, sync_pm, **options):
    return sync(binding, MAPPING, GoogleSheetsBackend.from_environment(KEY, sleep=lambda s: None), pm=sync_pm, **options)


def office(fake_sheets, *requests_):
    """What an office's browser sends when someone sorts, inserts, deletes or edits."""
    answer = requests.post(f"{fake_sheets.url}/v4/spreadsheets/{KEY}:batchUpdate", json={"requests": list(requests_)},
                           timeout=30)
    assert answer.status_code == 200, answer.text


def set_cells(row, col, values):
    """updateCells of one column from ``row`` down (``None`` clears)."""
    cells = [{"userEnteredValue": {"stringValue": v}} if v is not None else {} for v in values]
    return {"updateCells": {"start": {"sheetId": 0, "rowIndex": row, "columnIndex": col},
                            "rows": [{"values": [cell]} for cell in cells], "fields": "userEnteredValue"}}


def row_tags(fake_sheets):
    return {item["row"]: item["metadataValue"] for item in fake_sheets.sheet(KEY, WORKSHEET)["metadata"].values()
            if item["metadataKey"] == ROW_KEY}


def keys_by_title(fake_sheets):
    grid = fake_sheets.grid(KEY, WORKSHEET)
    return {row[1]: row[KEY_COL] for row in grid[FIRST:] if len(row) > KEY_COL}


def test_the_first_sync_attaches_each_rows_mã_in_its_one_write(google, sync_pm, fake_sheets):
    binding = google()
    result = run(binding, sync_pm)
    assert result.requests["writes"] == 1
    assert row_tags(fake_sheets) == {FIRST: "GP-000001", FIRST + 1: "GP-000002", FIRST + 2: "GP-000003"}
    body = [c for c in fake_sheets.calls if c["method"] == "POST"][0]["body"]
    assert sum("createDeveloperMetadata" in r for r in body["requests"]) == 3
    created = body["requests"][-1]["createDeveloperMetadata"]["developerMetadata"]
    assert (created["visibility"], created["location"]["dimensionRange"]["dimension"]) == ("PROJECT", "ROWS")


def test_a_sync_that_changes_nothing_attaches_nothing(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    fake_sheets.reset_log()
    result = run(binding, sync_pm)
    assert result.requests["writes"] == 0


def test_a_sort_of_1000_rows_with_cleared_mã_keeps_every_identity(google, sync_pm, fake_sheets):
    binding = google(many_rows(1000))
    run(binding, sync_pm)
    before = {e.title: e.source_key for e in Entry.select()}
    # the office clears the Mã column, retypes every score (so no row matches its record by
    # content alone) and sorts the table Z→A
    office(fake_sheets, set_cells(FIRST, KEY_COL, [None] * 1000), set_cells(FIRST, SCORE_COL, ["90"] * 1000),
           {"sortRange": {"range": {"sheetId": 0, "startRowIndex": FIRST, "endRowIndex": FIRST + 1000},
                          "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}]}})
    result = run(binding, sync_pm)
    assert (result.outcome, result.restored, result.updated, result.created, result.archived) == ("ok", 1000, 1000, 0, 0)
    assert keys_by_title(fake_sheets) == before
    assert Entry.select().count() == 1000 and {float(e.score) for e in Entry.select()} == {90.0}
    assert set(column(fake_sheets.grid(KEY, WORKSHEET), "Trạng thái đồng bộ")[1:]) == {"Đã khôi phục Mã"}


def test_an_overwritten_mã_is_restored_from_its_row(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    office(fake_sheets, set_cells(FIRST + 1, KEY_COL, ["GP-000001"]))  # a neighbour's Mã pasted over it
    result = run(binding, sync_pm)
    assert (result.outcome, result.restored, result.errors) == ("ok", 1, [])
    assert keys_by_title(fake_sheets)["Máy tách hạt"] == "GP-000002"
    assert fake_sheets.grid(KEY, WORKSHEET)[FIRST + 1][STATUS_COL] == "Đã khôi phục Mã"


def test_a_row_emptied_and_typed_over_is_a_new_record(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    new = ["Lò sấy nông sản", "01/04/2021", "9 triệu", "Nông nghiệp", "Vũ G", "anh Tú", "60", None]
    office(fake_sheets, *[set_cells(FIRST + 2, col, [value]) for col, value in enumerate([None, *new, None], start=0)
                          if col > 0])
    result = run(binding, sync_pm)
    assert (result.created, result.archived, result.restored) == (1, 1, 0)
    assert row_tags(fake_sheets)[FIRST + 2] == keys_by_title(fake_sheets)["Lò sấy nông sản"] == "GP-000004"


def test_inserted_rows_keep_the_others_identity(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    office(fake_sheets, {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": FIRST + 1,
                                                       "endIndex": FIRST + 2}}},
           set_cells(FIRST, KEY_COL, [None, None, None, None]),
           *[set_cells(FIRST + 1, col, [value]) for col, value in
             enumerate(["Máy cày mini", "02/04/2021", "3 triệu", "Cơ khí", "Đỗ H", "anh Tú", "75"], start=1)])
    result = run(binding, sync_pm)
    assert (result.created, result.restored, result.archived) == (1, 3, 0)
    assert keys_by_title(fake_sheets) == {"Máy gieo hạt": "GP-000001", "Máy cày mini": "GP-000004",
                                          "Máy tách hạt": "GP-000002", '=HYPERLINK("http://x","y")': "GP-000003"}


def test_a_deleted_row_archives_its_record_and_takes_its_metadata_along(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    office(fake_sheets, {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": FIRST,
                                                       "endIndex": FIRST + 1}}})
    result = run(binding, sync_pm)
    assert (result.archived, result.restored) == (1, 0)
    assert row_tags(fake_sheets) == {FIRST: "GP-000002", FIRST + 1: "GP-000003"}


def test_rows_moved_with_cleared_mã_keep_their_identity(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    office(fake_sheets, set_cells(FIRST, KEY_COL, [None, None, None]), set_cells(FIRST, SCORE_COL, ["1", "2", "3"]),
           {"moveDimension": {"source": {"sheetId": 0, "dimension": "ROWS", "startIndex": FIRST, "endIndex": FIRST + 1},
                              "destinationIndex": FIRST + 3}})
    result = run(binding, sync_pm)
    assert (result.restored, result.created, result.archived) == (3, 0, 0)
    assert keys_by_title(fake_sheets)["Máy gieo hạt"] == "GP-000001"


def test_a_mã_cell_holding_the_rows_own_metadata_elsewhere_is_not_taken(google, sync_pm, fake_sheets):
    binding = google()
    run(binding, sync_pm)
    # cut-paste of a whole row (Mã included) below the table: the metadata stays on the
    # emptied row, the Mã travels in its cell, and the pasted row is tagged anew
    office(fake_sheets, {"cutPaste": {"source": {"sheetId": 0, "startRowIndex": FIRST, "endRowIndex": FIRST + 1,
                                                 "startColumnIndex": 0, "endColumnIndex": STATUS_COL + 1},
                                      "destination": {"sheetId": 0, "rowIndex": FIRST + 4, "columnIndex": 0}}})
    result = run(binding, sync_pm)
    assert (result.outcome, result.restored, result.created, result.archived) == ("ok", 0, 0, 0)
    assert row_tags(fake_sheets)[FIRST + 4] == "GP-000001"


def test_cells_are_written_without_the_metadata_google_refuses(google, sync_pm, fake_sheets):
    binding = google()
    fake_sheets.fail_next(400, when=lambda method, path: method == "POST")
    result = run(binding, sync_pm)
    assert (result.outcome, result.created, result.requests["writes"]) == ("ok", 3, 2)
    assert column(fake_sheets.grid(KEY, WORKSHEET), "Mã")[1:] == ["GP-000001", "GP-000002", "GP-000003"]
    assert row_tags(fake_sheets) == {}
    assert any("Mã gắn theo dòng" in w for w in result.warnings)


def test_a_huge_first_sync_leaves_the_remaining_rows_to_the_next_syncs(google, sync_pm, fake_sheets, monkeypatch):
    monkeypatch.setattr("sheets.run.MAX_TAGS", 2)
    binding = google()
    run(binding, sync_pm)
    assert sorted(row_tags(fake_sheets)) == [FIRST, FIRST + 1]
    assert run(binding, sync_pm).requests["writes"] == 1
    assert sorted(row_tags(fake_sheets)) == [FIRST, FIRST + 1, FIRST + 2]
    assert run(binding, sync_pm).requests["writes"] == 0
