"""Issue 7: an office's workbook survives syncs. A workbook made the way Excel makes it
(XlsxWriter: formulas with their cached results, a total formula, an image, a chart, a
dropdown, conditional formatting, a comment, a defined name, a second sheet) is synced
three times with edits on both sides; everything phoihop does not own stays as it was."""
import base64
import zipfile

import pytest

from sheets.backend import Cell
from sheets.models import Binding
from tests.sheets.conftest import WORKSHEET
from tests.sheets.entries_plugin import Entry

xlsxwriter = pytest.importorskip("xlsxwriter")

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
HEADER = ["STT", "Tên giải pháp", "Ngày nhận", "Kinh phí", "Lĩnh vực", "Tác giả", "Người nhập", "Điểm", "Số tác giả",
          "Kinh phí (nghìn đồng)"]
THOUSANDS = [5_000, 12_000, 7_500]
OWNED_COLUMNS = {"K", "L"}  # Mã and Trạng thái đồng bộ, added by phoihop


def office_workbook(path, tmp_path):
    image = tmp_path / "logo.png"
    image.write_bytes(PNG)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(WORKSHEET)
    sheet.merge_range("A1:F1", "DANH SÁCH GIẢI PHÁP DỰ THI")
    sheet.write_row(3, 0, HEADER)
    rows = [("Máy gieo hạt", "05/03/2021", "Cơ khí", "Nguyễn Văn A; Trần Thị B", 80),
            ("Máy tách hạt", "06/03/2021", "Cơ khí", "Lê Văn C", 75),
            ("Lò sấy", "07/03/2021", "Cơ khí", "Phạm D", 70)]
    for offset, (title, received, field, authors, score) in enumerate(rows):
        r = 4 + offset
        sheet.write_number(r, 0, offset + 1)
        sheet.write_string(r, 1, title)
        sheet.write_string(r, 2, received)
        sheet.write_formula(r, 3, f"=J{r + 1}*1000", None, THOUSANDS[offset] * 1000)  # derived money
        sheet.write_string(r, 4, field)
        sheet.write_string(r, 5, authors)
        sheet.write_string(r, 6, "chị Hà")
        sheet.write_number(r, 7, score)
        sheet.write_number(r, 9, THOUSANDS[offset])
    sheet.write_string(7, 1, "Tổng cộng")
    sheet.write_formula(7, 3, "=SUM(D5:D7)", None, sum(THOUSANDS) * 1000)
    sheet.insert_image("N2", str(image))
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"='{WORKSHEET}'!$D$5:$D$7", "categories": f"='{WORKSHEET}'!$B$5:$B$7"})
    sheet.insert_chart("N6", chart)
    sheet.data_validation("E5:E50", {"validate": "list", "source": ["Cơ khí", "Nông nghiệp"]})
    sheet.conditional_format("H5:H50", {"type": "cell", "criteria": ">", "value": 78,
                                        "format": book.add_format({"bg_color": "#C6EFCE"})})
    sheet.write_comment("B4", "Ghi tên đầy đủ của giải pháp")
    book.define_name("KinhPhi", f"='{WORKSHEET}'!$D$5:$D$7")
    summary = book.add_worksheet("Tổng hợp")
    summary.write_formula("A1", f"=SUM('{WORKSHEET}'!D5:D7)", None, sum(THOUSANDS) * 1000)
    book.close()


#: What phoihop's guidance (sheets.xlsx_guidance) may change besides the sheet on the first
#: sync: the hidden lists sheet's entry, its relationship and content type, the owned fill.
GUIDANCE_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def parts(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def cells(path):
    """Every cell of the synced sheet: (formula or value, cached value), by coordinate."""
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    formulas = load_workbook(path)[WORKSHEET]
    cached = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(WORKSHEET).to_python(skip_empty_area=False)
    found = {}
    for row in formulas.iter_rows():
        for cell in row:
            value = cached[cell.row - 1][cell.column - 1] if cell.row <= len(cached) and cell.column <= len(cached[0]) else ""
            if cell.value is not None or value not in ("", None):
                found[cell.coordinate] = (cell.value, value)
    return found


@pytest.fixture
def office(unit, tmp_path):
    path = tmp_path / "hoi-thi.xlsx"
    office_workbook(path, tmp_path)
    binding = Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)
    return path, binding


def test_three_syncs_with_edits_on_both_sides_keep_everything_the_office_made(office, run_sync):
    path, binding = office
    original_parts, original_cells = parts(path), cells(path)
    sheet_part = next(name for name in original_parts if name.startswith("xl/worksheets/sheet1"))
    changed = set()

    def check(result, *, created=0, updated=0, pushed=0):
        nonlocal original_parts
        assert (result.outcome, result.created, result.updated, result.pushed) == ("ok", created, updated, pushed), result
        now = parts(path)
        added = set(now) - set(original_parts)
        assert set(original_parts) <= set(now) and len(added) <= 1  # at most the hidden lists sheet
        assert all(now[name].startswith(b"<?xml") and b"<sheetData><row" in now[name] for name in added)
        changed_parts = {name for name in original_parts if name != sheet_part and now[name] != original_parts[name]}
        assert changed_parts <= GUIDANCE_PARTS
        original_parts = {**original_parts, **{name: now[name] for name in added | changed_parts}}
        after = cells(path)
        for coordinate, content in original_cells.items():
            if coordinate.rstrip("0123456789") not in OWNED_COLUMNS and coordinate not in changed:
                assert after.get(coordinate) == content, coordinate
        assert sorted(e.amount for e in Entry.select()) == sorted(t * 1000 for t in THOUSANDS)

    check(run_sync(binding), created=3)  # first pull: the formula column's results come in
    changed.update({"I5", "I6", "I7"})  # Số tác giả: computed, written by phoihop

    from sheets.xlsx import XlsxBackend

    XlsxBackend(path).write(WORKSHEET, [Cell(row=5, col=8, value=90)])  # the office edits a score
    changed.add("H5")
    original_parts = {**original_parts, sheet_part: parts(path)[sheet_part]}
    Entry.update(field="Nông, lâm, ngư nghiệp; tài nguyên và môi trường").where(Entry.title == "Lò sấy").execute()
    changed.add("E7")
    check(run_sync(binding), updated=1, pushed=1)
    assert Entry.get(Entry.title == "Máy gieo hạt").score == 90
    assert cells(path)["E7"][0] == "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"

    before = parts(path)
    third = run_sync(binding)  # nothing changed on either side
    check(third)
    assert (third.unchanged, third.requests["writes"]) == (3, 0)
    assert parts(path) == before
