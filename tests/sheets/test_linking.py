"""Where a row error is (sheets/linking.py cell_reference): pure, no database."""
from types import SimpleNamespace

from sheets.linking import cell_reference

KEY = "1AbCdEfGhIjKlMnOpQrStUvWx"


def link(source, gid=None):
    return SimpleNamespace(source=source, worksheet="Giải pháp dự thi", sheet_gid=gid)


def test_a_workbook_cell_is_a_sheet_reference_without_an_address():
    assert cell_reference(link("/srv/lhh/hoi-thi.xlsx"), 9, "Ngày nhận", {"Ngày nhận": "C"}) == (
        "Giải pháp dự thi!C9", None)


def test_a_google_cell_opens_its_worksheet_and_range():
    text, url = cell_reference(link(f"gsheet:{KEY}", gid=123), 9, "Ngày nhận", {"Ngày nhận": "C"})
    assert text == "Giải pháp dự thi!C9"
    assert url == f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=123&range=C9"


def test_a_google_link_without_its_worksheet_id_gets_no_address():
    assert cell_reference(link(f"gsheet:{KEY}"), 9, "Ngày nhận", {"Ngày nhận": "C"})[1] is None


def test_an_error_of_an_unknown_column_points_at_the_whole_row():
    assert cell_reference(link("/srv/lhh/hoi-thi.xlsx"), 9, None, {})[0] == "Giải pháp dự thi!9:9"


def test_an_error_of_no_row_has_no_cell():
    assert cell_reference(link("/srv/lhh/hoi-thi.xlsx"), None, None, {}) == (None, None)
