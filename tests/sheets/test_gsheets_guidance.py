"""Sheet-side guidance on Google Sheets (the fake Sheets API under tests/, real gspread):
dropdowns, notes on the cells in error, warning-only protection, all in the one write."""
import pytest

from sheets.guidance import NOTE_PREFIX
from sheets.gsheets import GoogleSheetsBackend
from sheets.models import Binding
from sheets.sync import sync
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, office_grid
from tests.sheets.entries_plugin import MAPPING
from tests.sheets.test_sync_gsheets import as_serial

KEY = "1BgLhhGuidance"
FIELD, DATE, MONEY, ENTERED_BY, KEY_COL, STATUS, COUNT = 4, 2, 3, 6, 9, 10, 8
FIRST_DATA = 4  # the section row under the header (row 4, index 3) is where validations start


@pytest.fixture
def google(fake_sheets, unit):
    def link(rows=SAMPLE_ROWS):
        grid = [[as_serial(cell) for cell in row] for row in office_grid(rows)]
        fake_sheets.add_spreadsheet(KEY, {WORKSHEET: grid})
        return Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)

    return link


@pytest.fixture
def run(sync_pm):
    def run_once(binding):
        return sync(binding, MAPPING, GoogleSheetsBackend.from_environment(KEY), pm=sync_pm)

    return run_once


def batch_updates(fake_sheets):
    return [call for call in fake_sheets.calls if call["path"].endswith(":batchUpdate")]


def rows_with(field_value, count=3):
    return [[f"Giải pháp {n}", "05/03/2021", "5 triệu", field_value, "Lê Văn C", "", "80", None] for n in range(count)]


def test_a_choice_column_gets_a_dropdown_of_its_canonical_labels(google, run, fake_sheets):
    run(google())
    rule = fake_sheets.validation(KEY, WORKSHEET, 7, FIELD)
    assert rule["condition"] == {"type": "ONE_OF_LIST", "values": [
        {"userEnteredValue": "Cơ khí"}, {"userEnteredValue": "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"}]}
    assert (rule["strict"], rule["showCustomUi"]) == (False, True)
    assert rule["inputMessage"].startswith("Chọn trong danh sách")


def test_the_dropdown_starts_below_the_header(google, run, fake_sheets):
    run(google())
    assert fake_sheets.validation(KEY, WORKSHEET, 3, FIELD) is None
    assert fake_sheets.validation(KEY, WORKSHEET, FIRST_DATA, FIELD) is not None
    assert fake_sheets.validation(KEY, WORKSHEET, 999, FIELD) is not None


def test_a_date_column_asks_for_a_valid_date_in_dd_mm_yyyy(google, run, fake_sheets):
    run(google())
    rule = fake_sheets.validation(KEY, WORKSHEET, 5, DATE)
    assert rule["condition"] == {"type": "DATE_IS_VALID"}
    assert "dd/mm/yyyy" in rule["inputMessage"]


def test_money_and_count_columns_ask_for_a_number_not_below_zero(google, run, fake_sheets):
    run(google())
    rule = fake_sheets.validation(KEY, WORKSHEET, 5, MONEY)
    assert rule["condition"] == {"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]}


def test_computed_and_unmapped_columns_get_no_validation(google, run, fake_sheets):
    run(google())
    assert fake_sheets.validation(KEY, WORKSHEET, 5, COUNT) is None
    assert fake_sheets.validation(KEY, WORKSHEET, 5, ENTERED_BY) is None


def test_a_bad_value_is_refused_by_the_sheet_when_the_office_makes_the_rule_strict(google, run, fake_sheets):
    run(google())
    sheet = fake_sheets.sheet(KEY, WORKSHEET)
    sheet["validations"] = {rc: {**rule, "strict": True} for rc, rule in sheet["validations"].items()}
    client = GoogleSheetsBackend.from_environment(KEY)._http
    with pytest.raises(Exception) as refused:
        client.request("put", f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}/values/'{WORKSHEET}'!E6",
                       params={"valueInputOption": "USER_ENTERED"}, json={"values": [["Hóa học"]]})
    assert "data validation" in str(refused.value)
    assert fake_sheets.grid(KEY, WORKSHEET)[5][FIELD] == "Cơ khí"


def test_an_alias_typed_by_hand_is_kept_and_marked_invalid_but_still_read(google, run, fake_sheets):
    binding = google()
    run(binding)
    client = GoogleSheetsBackend.from_environment(KEY)._http
    client.request("put", f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}/values/'{WORKSHEET}'!E6",
                   params={"valueInputOption": "USER_ENTERED"}, json={"values": [["co khi"]]})
    assert (5, FIELD) in fake_sheets.invalid_cells(KEY, WORKSHEET)
    assert run(binding).errors == []


def test_a_note_appears_on_exactly_the_cells_in_error(google, run, fake_sheets):
    result = run(google(rows_with("Cơ khí", 2) + rows_with("Hóa học", 1) + [["Bad", "31/02/2021", "", "Cơ khí"]]))
    assert len(result.errors) == 2
    notes = fake_sheets.notes(KEY, WORKSHEET)
    assert set(notes) == {(7, FIELD), (8, DATE)}
    assert notes[(7, FIELD)] == NOTE_PREFIX + 'Lĩnh vực "Hóa học" không thuộc danh sách: Cơ khí, Nông, lâm, ngư nghiệp; tài nguyên và môi trường'


def test_the_note_goes_when_the_row_is_fixed(google, run, fake_sheets):
    binding = google(rows_with("Hóa học", 1))
    run(binding)
    fake_sheets.sheet(KEY, WORKSHEET)["cells"][(5, FIELD)] = "Cơ khí"
    run(binding)
    assert fake_sheets.notes(KEY, WORKSHEET) == {}


def test_the_offices_own_notes_are_never_touched(google, run, fake_sheets):
    binding = google(rows_with("Hóa học", 2))
    fake_sheets.set_note(KEY, WORKSHEET, 5, FIELD, "Chị Hà hỏi lại tác giả")
    fake_sheets.set_note(KEY, WORKSHEET, 6, ENTERED_BY, "ghi chú của văn phòng")
    run(binding)
    fake_sheets.sheet(KEY, WORKSHEET)["cells"][(6, FIELD)] = "Cơ khí"
    run(binding)
    assert fake_sheets.notes(KEY, WORKSHEET) == {(5, FIELD): "Chị Hà hỏi lại tác giả", (6, ENTERED_BY): "ghi chú của văn phòng"}


def test_phoihop_columns_get_warning_only_protection(google, run, fake_sheets):
    run(google())
    found = fake_sheets.protected_ranges(KEY, WORKSHEET)
    assert sorted(p["range"]["startColumnIndex"] for p in found) == [COUNT, KEY_COL, STATUS]
    assert all(p["warningOnly"] and p["description"].startswith(NOTE_PREFIX) for p in found)
    assert all(p["range"]["startRowIndex"] == 3 and "endRowIndex" not in p["range"] for p in found)


def test_protection_is_not_duplicated_by_later_syncs(google, run, fake_sheets, unit):
    binding = google()
    run(binding)
    first = fake_sheets.protected_ranges(KEY, WORKSHEET)
    fake_sheets.sheet(KEY, WORKSHEET)["cells"][(5, 1)] = "Máy gieo hạt cải tiến"
    run(binding)
    assert fake_sheets.protected_ranges(KEY, WORKSHEET) == first


def test_the_offices_protected_range_is_kept(google, run, fake_sheets):
    binding = google()
    office = {"protectedRangeId": 7, "range": {"startRowIndex": 0, "endRowIndex": 3}, "description": "Tiêu đề",
              "warningOnly": False}
    fake_sheets.sheet(KEY, WORKSHEET)["protected"].append(office)
    run(binding)
    assert office in fake_sheets.protected_ranges(KEY, WORKSHEET)


def test_a_sync_that_changes_nothing_sends_no_batch_update(google, run, fake_sheets):
    binding = google(rows_with("Hóa học", 1))
    run(binding)
    fake_sheets.reset_log()
    result = run(binding)
    assert batch_updates(fake_sheets) == []
    assert result.requests == {"reads": 3, "writes": 0}  # the revision (the last run wrote), then the read


def test_notes_on_every_row_cost_one_batch_update(google, run, fake_sheets):
    binding = google(rows_with("Hóa học", 300))
    result = run(binding)
    assert len(result.errors) == 300
    assert len(batch_updates(fake_sheets)) == 1
    assert len(fake_sheets.notes(KEY, WORKSHEET)) == 300


def test_fixing_every_row_at_once_costs_one_batch_update(google, run, fake_sheets):
    binding = google(rows_with("Hóa học", 300))
    run(binding)
    cells = fake_sheets.sheet(KEY, WORKSHEET)["cells"]
    for row in range(5, 305):
        cells[(row, FIELD)] = "Cơ khí"
    fake_sheets.reset_log()
    run(binding)
    assert len(batch_updates(fake_sheets)) == 1
    assert fake_sheets.notes(KEY, WORKSHEET) == {}


def test_a_label_added_to_the_list_refreshes_the_dropdown(google, run, fake_sheets, monkeypatch):
    binding = google()
    run(binding)
    monkeypatch.setitem(MAPPING.column("field").choices, "Y dược", [])
    fake_sheets.reset_log()
    run(binding)
    (call,) = batch_updates(fake_sheets)
    assert {next(iter(r)) for r in call["body"]["requests"]} == {"setDataValidation"}
    labels = [v["userEnteredValue"] for v in fake_sheets.validation(KEY, WORKSHEET, 5, FIELD)["condition"]["values"]]
    assert labels[-1] == "Y dược"


def test_validations_are_not_sent_again_when_the_lists_did_not_change(google, run, fake_sheets):
    binding = google()
    run(binding)
    fake_sheets.sheet(KEY, WORKSHEET)["cells"][(5, 1)] = "Máy gieo hạt cải tiến"
    fake_sheets.reset_log()
    run(binding)
    (call,) = batch_updates(fake_sheets)
    assert not any("setDataValidation" in r for r in call["body"]["requests"])


def test_the_offices_validation_on_a_column_phoihop_does_not_read_is_kept(google, run, fake_sheets):
    binding = google()
    office_rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "chị Hà"}]}, "strict": True}
    fake_sheets.sheet(KEY, WORKSHEET)["validations"][(5, ENTERED_BY)] = office_rule
    run(binding)
    assert fake_sheets.validation(KEY, WORKSHEET, 5, ENTERED_BY) == office_rule


# -- the emulator, as the Sheets API documents it -----------------------------------------

@pytest.fixture
def api(fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {WORKSHEET: [["a", "b"], ["c", "d"]]}, sizes={WORKSHEET: (10, 5)})
    http = GoogleSheetsBackend.from_environment(KEY)._http

    def batch(*requests):
        return http.request("post", f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}:batchUpdate",
                            json={"requests": list(requests)}).json()

    return batch


def test_the_emulator_clears_a_validation_set_without_a_rule(api, fake_sheets):
    grid = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 1}
    api({"setDataValidation": {"range": grid, "rule": {"condition": {"type": "DATE_IS_VALID"}}}})
    api({"setDataValidation": {"range": grid}})
    assert fake_sheets.sheet(KEY, WORKSHEET)["validations"] == {}


def test_the_emulator_gives_a_protected_range_an_id_and_deletes_it_by_that_id(api, fake_sheets):
    reply = api({"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0, "startColumnIndex": 1,
                                                                    "endColumnIndex": 2}, "warningOnly": True}}})
    found = reply["replies"][0]["addProtectedRange"]["protectedRange"]
    assert fake_sheets.protected_ranges(KEY, WORKSHEET) == [found]
    api({"deleteProtectedRange": {"protectedRangeId": found["protectedRangeId"]}})
    assert fake_sheets.protected_ranges(KEY, WORKSHEET) == []


def test_the_emulator_refuses_deleting_an_unknown_protected_range(api):
    with pytest.raises(Exception, match="No protected range"):
        api({"deleteProtectedRange": {"protectedRangeId": 424242}})


def test_a_value_refused_by_a_strict_rule_leaves_the_whole_batch_unapplied(api, fake_sheets):
    rule = {"condition": {"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]}, "strict": True}
    api({"setDataValidation": {"range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 1}, "rule": rule}})
    with pytest.raises(Exception, match="data validation"):
        api({"updateCells": {"start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 1}, "fields": "note",
                             "rows": [{"values": [{"note": "x"}]}]}},
            {"updateCells": {"start": {"sheetId": 0, "rowIndex": 3, "columnIndex": 0}, "fields": "userEnteredValue",
                             "rows": [{"values": [{"userEnteredValue": {"numberValue": -5}}]}]}})
    assert fake_sheets.notes(KEY, WORKSHEET) == {}


def test_the_emulator_returns_notes_validations_and_protections_through_a_fields_mask(api, fake_sheets):
    http = GoogleSheetsBackend.from_environment(KEY)._http
    rule = {"condition": {"type": "DATE_IS_VALID"}, "strict": False}
    api({"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 2, "startColumnIndex": 0,
                                         "endColumnIndex": 1}, "rule": rule}},
        {"updateCells": {"start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 1}, "fields": "note",
                         "rows": [{"values": [{"note": "ghi chú"}]}]}},
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0}, "description": "d", "warningOnly": True}}})
    got = http.request("get", f"https://sheets.googleapis.com/v4/spreadsheets/{KEY}", params={
        "fields": "sheets(protectedRanges(description),data(rowData(values(note,dataValidation))))"}).json()
    sheet = got["sheets"][0]
    assert sheet["protectedRanges"] == [{"description": "d"}]
    assert sheet["data"][0]["rowData"] == [{"values": [{}, {"note": "ghi chú"}]}, {"values": [{"dataValidation": rule}]}]


def test_rows_phoihop_appends_below_the_grid_get_the_validations(fake_sheets, run, unit):
    from tests.sheets.entries_plugin import Entry

    grid = [[as_serial(cell) for cell in row] for row in office_grid(SAMPLE_ROWS)]
    fake_sheets.add_spreadsheet(KEY, {WORKSHEET: grid}, sizes={WORKSHEET: (len(grid), 26)})
    binding = Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)
    run(binding)
    Entry.create(unit=unit, title="Máy sấy", field="Cơ khí")
    run(binding)
    assert fake_sheets.size(KEY, WORKSHEET)[0] == len(grid) + 1
    assert fake_sheets.validation(KEY, WORKSHEET, len(grid), FIELD) is not None
