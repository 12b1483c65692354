"""Sheet-side guidance in a local .xlsx (patched in place, read back with openpyxl):
list/date/number validations, comments on the cells in error, phoihop's columns filled and locked."""
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from sheets.guidance import AUTHOR, NOTE_PREFIX
from sheets.xlsx_guidance import LISTS_SHEET
from tests.sheets.conftest import WORKSHEET, office_grid
from tests.sheets.entries_plugin import MAPPING

LONG_LABEL = "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"


def rows_with(field_value, count=3):
    return [[f"Giải pháp {n}", "05/03/2021", "5 triệu", field_value, "Lê Văn C", "", "80", None] for n in range(count)]


def validations(path):
    """{column letter: DataValidation} of the synced sheet (openpyxl only reads here)."""
    found = {}
    for item in load_workbook(path)[WORKSHEET].data_validations.dataValidation:
        for area in str(item.sqref).split():
            found[re.match("[A-Z]+", area).group()] = item
    return found


def office_workbook(path, rows=None, decorate=None):
    """A workbook the office made (openpyxl creates it: a new file, not an office's)."""
    book = Workbook()
    sheet = book.active
    sheet.title = WORKSHEET
    for row in office_grid(rows or rows_with("Cơ khí")):
        sheet.append(row)
    if decorate is not None:
        decorate(sheet)
    book.save(path)
    return path


@pytest.fixture
def office(unit, tmp_path):
    from sheets.models import Binding

    def make(rows=None, decorate=None):
        path = office_workbook(tmp_path / "hoi-thi.xlsx", rows, decorate)
        return path, Binding.create(name="test.entries", source=str(path), worksheet=WORKSHEET, unit=unit)

    return make


def test_a_choice_column_carries_a_list_validation(office, run_sync):
    path, binding = office()
    run_sync(binding)
    found = validations(path)["E"]
    assert (found.type, found.errorStyle, found.showDropDown) == ("list", "warning", False)
    assert str(found.sqref) == "E5:E1048576"
    assert found.promptTitle == "phoihop: Lĩnh vực" and found.prompt.startswith("Chọn trong danh sách")


def test_a_list_with_a_comma_is_kept_in_a_hidden_lists_sheet(office, run_sync):
    path, binding = office()
    run_sync(binding)
    book = load_workbook(path)
    assert validations(path)["E"].formula1 == f"'{LISTS_SHEET}'!$A$1:$A$2"
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert [row[0] for row in book[LISTS_SHEET].iter_rows(values_only=True)] == ["Cơ khí", LONG_LABEL]


def test_a_short_list_is_written_inline(office, run_sync, monkeypatch):
    monkeypatch.delitem(MAPPING.column("field").choices, LONG_LABEL)
    path, binding = office(rows_with("Cơ khí"))
    run_sync(binding)
    assert validations(path)["E"].formula1 == '"Cơ khí"'
    assert LISTS_SHEET not in load_workbook(path).sheetnames


def test_date_and_money_columns_carry_their_validations(office, run_sync):
    path, binding = office()
    run_sync(binding)
    found = validations(path)
    assert (found["C"].type, found["C"].operator, found["C"].formula1) == ("date", "greaterThanOrEqual", "1")
    assert "dd/mm/yyyy" in found["C"].prompt
    assert (found["D"].type, found["D"].operator, found["D"].formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_unmapped_and_computed_columns_get_no_validation(office, run_sync):
    path, binding = office()
    run_sync(binding)
    assert set(validations(path)) == {"C", "D", "E"}


def test_the_offices_own_validations_are_kept_and_win_on_their_column(office, run_sync):
    def decorate(sheet):
        mine = DataValidation(type="list", formula1='"chị Hà,anh Tú"', sqref="G5:G200")
        field = DataValidation(type="list", formula1='"Cơ khí,Điện"', sqref="E5:E50")
        sheet.add_data_validation(mine)
        sheet.add_data_validation(field)

    path, binding = office(decorate=decorate)
    run_sync(binding)
    found = validations(path)
    assert found["G"].formula1 == '"chị Hà,anh Tú"' and found["E"].formula1 == '"Cơ khí,Điện"'
    assert found["E"].promptTitle is None


def test_a_label_added_to_the_list_refreshes_the_lists_sheet_without_doubling(office, run_sync, monkeypatch):
    path, binding = office()
    run_sync(binding)
    monkeypatch.setitem(MAPPING.column("field").choices, "Y dược", [])
    run_sync(binding)
    book = load_workbook(path)
    assert [row[0] for row in book[LISTS_SHEET].iter_rows(values_only=True)] == ["Cơ khí", LONG_LABEL, "Y dược"]
    assert validations(path)["E"].formula1 == f"'{LISTS_SHEET}'!$A$1:$A$3"
    assert len(book[WORKSHEET].data_validations.dataValidation) == 3
    assert book.sheetnames.count(LISTS_SHEET) == 1


def test_a_comment_appears_on_exactly_the_cells_in_error(office, run_sync):
    path, binding = office(rows_with("Cơ khí", 2) + rows_with("Hóa học", 1) + [["Bad", "31/02/2021", "", "Cơ khí"]])
    result = run_sync(binding)
    assert len(result.errors) == 2
    sheet = load_workbook(path)[WORKSHEET]
    commented = {cell.coordinate: cell.comment for row in sheet.iter_rows() for cell in row if cell.comment}
    assert set(commented) == {"E8", "C9"}
    assert commented["E8"].author == AUTHOR
    assert commented["E8"].text == NOTE_PREFIX + f'Lĩnh vực "Hóa học" không thuộc danh sách: Cơ khí, {LONG_LABEL}'


def test_the_comment_package_parts_are_well_formed(office, run_sync):
    path, binding = office(rows_with("Hóa học", 1))
    run_sync(binding)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml")
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert "xl/comments1.xml" in names and "xl/drawings/vmlDrawing1.vml" in names
    assert b'Extension="vml"' in types and b"/xl/comments1.xml" in types
    assert sheet.index(b"<legacyDrawing") > sheet.index(b"<dataValidations")


def test_the_comment_goes_when_the_row_is_fixed(office, run_sync):
    from sheets.backend import Cell
    from sheets.xlsx import XlsxBackend

    path, binding = office(rows_with("Hóa học", 1))
    run_sync(binding)
    XlsxBackend(path).write(WORKSHEET, [Cell(6, 5, "Cơ khí")])
    assert run_sync(binding).errors == []
    sheet = load_workbook(path)[WORKSHEET]
    assert [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.comment] == []


def test_the_offices_own_comments_are_kept(office, run_sync):
    from sheets.backend import Cell
    from sheets.xlsx import XlsxBackend

    def decorate(sheet):
        sheet["E6"].comment = Comment("Chị Hà hỏi lại tác giả", "Hà")
        sheet["G7"].comment = Comment("ghi chú của văn phòng", "Tú")

    path, binding = office(rows_with("Hóa học", 2), decorate)
    run_sync(binding)
    XlsxBackend(path).write(WORKSHEET, [Cell(7, 5, "Cơ khí")])
    run_sync(binding)
    sheet = load_workbook(path)[WORKSHEET]
    commented = {cell.coordinate: (cell.comment.author, cell.comment.text)
                 for row in sheet.iter_rows() for cell in row if cell.comment}
    assert commented == {"E6": ("Hà", "Chị Hà hỏi lại tác giả"), "G7": ("Tú", "ghi chú của văn phòng")}


def test_a_sync_that_changes_nothing_saves_nothing(office, run_sync):
    path, binding = office(rows_with("Hóa học", 2))
    run_sync(binding)
    before = path.read_bytes()
    assert run_sync(binding).requests["writes"] == 0
    assert path.read_bytes() == before


def test_phoihops_cells_get_a_fill_and_a_locked_format(office, run_sync):
    path, binding = office()
    run_sync(binding)
    sheet = load_workbook(path)[WORKSHEET]
    for coordinate in ("J4", "J6", "K6", "I6"):  # Mã header, Mã, status, Số tác giả (computed)
        cell = sheet[coordinate]
        assert (cell.fill.fgColor.rgb, cell.protection.locked) == ("FFE7E6E6", True), coordinate
    assert sheet["B6"].fill.fgColor.rgb != "FFE7E6E6"


def test_sheet_protection_stays_off(office, run_sync):
    path, binding = office()
    run_sync(binding)
    assert load_workbook(path)[WORKSHEET].protection.sheet is False



def test_a_workbook_without_styles_keeps_its_cells_unmarked():
    from sheets.xlsx_package import Styles

    assert Styles(None).owned_style(b"3") == b"3"


def test_styles_without_fills_keep_the_cell_style():
    from sheets.xlsx_package import Styles

    xml = b'<styleSheet xmlns="x"><cellXfs count="1"><xf numFmtId="0" fillId="0"/></cellXfs></styleSheet>'
    styles = Styles(xml)
    assert styles.owned_style(b"0") == b"0" and styles.added == {}


def test_the_owned_fill_is_added_once_and_reused_by_every_style():
    from sheets.xlsx_package import Styles

    xml = (b'<styleSheet xmlns="x"><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
           b'<cellXfs count="2"><xf numFmtId="0" fillId="0"/><xf numFmtId="0" fillId="0" applyFont="1"/></cellXfs>'
           b"</styleSheet>")
    styles = Styles(xml)
    assert (styles.owned_style(None), styles.owned_style(b"1"), styles.owned_style(b"1")) == (b"2", b"3", b"3")
    patched = styles.patched()
    assert patched.count(b'<fill><patternFill patternType="solid">') == 1 and b'<fills count="2">' in patched
    again = Styles(patched)
    assert again.owned_style(b"2") == b"2" and again.added == {}


def test_every_part_of_the_guided_workbook_is_well_formed_xml(office, run_sync):
    from xml.etree import ElementTree

    path, binding = office(rows_with("Hóa học", 2) + rows_with("Cơ khí", 2))
    run_sync(binding)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(archive.read(name))  # raises on a malformed part


def test_each_comment_has_its_note_shape_in_the_drawing(office, run_sync):
    path, binding = office(rows_with("Hóa học", 3))
    run_sync(binding)
    with zipfile.ZipFile(path) as archive:
        vml = archive.read("xl/drawings/vmlDrawing1.vml").decode()
    assert re.findall(r"<x:Row>(\d+)</x:Row><x:Column>(\d+)</x:Column>", vml) == [("5", "4"), ("6", "4"), ("7", "4")]
