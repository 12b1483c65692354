"""Writing into an office workbook changes only the cells phoihop owns (sheets.xlsx_write).

The workbook is made with XlsxWriter the way offices' workbooks look: a merged title, a
header, data, a formula column with cached results, a total, an image, a chart, a
dropdown, conditional formats (one in an extension list), a comment, a defined name, and
a second sheet whose formulas read the first.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from sheets.backend import UNCOMPUTED, BackendError, Cell, SheetChanged
from sheets.xlsx import XlsxBackend
from sheets.xlsx_formulas import MAX_ROW, FormulaIndex
from sheets import xlsx_sheetxml
from sheets.xlsx_sheetxml import Tags, Write, rewrite, split
from sheets.xlsx_write import Value, remove_stale_temps

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # openpyxl reading

LIST = "Danh sách"
SUMMARY = "Tổng hợp"
SHEET1 = "xl/worksheets/sheet1.xml"
SHEET2 = "xl/worksheets/sheet2.xml"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


def build(path: Path) -> Path:
    """The office workbook; saved as Excel would (no fullCalcOnLoad in workbook.xml)."""
    book = xlsxwriter.Workbook(str(path))
    header = book.add_format({"bold": True, "border": 1})
    body = book.add_format({"border": 1})
    ws = book.add_worksheet(LIST)
    ws.merge_range("A1:H1", "DANH SÁCH GIẢI PHÁP DỰ THI", book.add_format({"bold": True, "align": "center"}))
    ws.write("A2", "Ngày 12/05/2021")
    ws.write_row("A3", ["STT", "Tên giải pháp", "Đơn vị", "Kinh phí", "Điểm", "Thưởng", "Ghi chú", "Lĩnh vực"], header)
    rows = [(1, "Máy gặt", "Huyện A", 1000, 80, "ok", "Nông nghiệp"),
            (2, "Phần mềm", "Huyện B", 2000, 90, None, "CNTT"),
            (3, "Thuốc", "Huyện C", 3000, 70, "xem lại", "Y dược")]
    for i, (number, name, unit, money, score, note, field) in enumerate(rows):
        r = 3 + i
        ws.write_row(r, 0, [number, name, unit, money, score], body)
        ws.write_formula(r, 5, f"=E{r + 1}*1000", body, score * 1000)
        ws.write(r, 6, note, body) if note else ws.write_blank(r, 6, None, body)
        ws.write(r, 7, field, body)
    ws.write("A7", "Tổng cộng", header)
    ws.write_formula("D7", "=SUM(D4:D6)", header, 6000)
    ws.write_formula("E7", "=SUM(E4:E6)", header, 240)
    ws.set_row(7, None, None, {"hidden": True})
    ws.set_column("C:C", 24)
    ws.data_validation("H4:H6", {"validate": "list", "source": ["Nông nghiệp", "CNTT", "Y dược"]})
    ws.conditional_format("E4:E6", {"type": "cell", "criteria": ">", "value": 85, "format": header})
    ws.conditional_format("D4:D6", {"type": "data_bar", "data_bar_2010": True})  # extLst
    ws.write_comment("B3", "Tên đầy đủ của giải pháp")
    ws.insert_image("K2", "logo.png", {"image_data": io.BytesIO(tiny_png())})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": f"='{LIST}'!$D$4:$D$6"})
    ws.insert_chart("K8", chart)
    book.define_name("KinhPhi", f"='{LIST}'!$D$4:$D$6")
    other = book.add_worksheet(SUMMARY)
    other.write_formula("B1", f"=SUM('{LIST}'!D4:D6)", None, 6000)
    other.write_formula("B2", f"='{LIST}'!E4", None, 80)
    other.write_formula("B3", "=B1/1000", None, 6)
    other.write_formula("B4", "=SUM(KinhPhi)", None, 6000)
    other.write_formula("B5", f"=COUNTA('{LIST}'!A:A)", None, 6)
    book.close()
    repack(path, {"xl/workbook.xml": part(path, "xl/workbook.xml").replace(b' fullCalcOnLoad="1"', b"")})
    return path


def repack(path: Path, changes: dict[str, bytes]) -> None:
    """Rewrite members of the package (as another program saving the file would)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, changes.get(info.filename, source.read(info))) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info, data)


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def cell_elements(xml: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group() for m in re.finditer(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', xml)}


def outside_sheet_data(xml: bytes) -> bytes:
    return re.sub(rb"<sheetData>.*</sheetData>", b"", re.sub(rb'<dimension ref="[^"]*"/>', b"", xml), flags=re.S)


def calamine(path: Path, sheet: str) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return book.get_sheet_by_name(sheet).to_python()
    finally:
        book.close()


@pytest.fixture
def book(tmp_path) -> Path:
    return build(tmp_path / "giai-phap.xlsx")


SYNC_CELLS = [Cell(3, 9, "Mã"), Cell(4, 9, "CT-000001"), Cell(5, 9, "CT-000002"), Cell(6, 9, "CT-000003"),
              Cell(3, 10, "Trạng thái đồng bộ"), Cell(4, 10, "=1+1"), Cell(5, 10, "Mới"), Cell(4, 7, "đã sửa")]


# -- only the written cells change -------------------------------------------------------


def test_sync_write_changes_only_the_written_cells(book):
    before = parts(book)
    XlsxBackend(book).write(LIST, SYNC_CELLS)
    after = parts(book)
    assert list(after) == list(before)
    assert [name for name in before if before[name] != after[name]] == [SHEET1]
    old, new = cell_elements(before[SHEET1]), cell_elements(after[SHEET1])
    written = {"I3", "I4", "I5", "I6", "J3", "J4", "J5", "G4"}
    assert {k: v for k, v in new.items() if k not in written} == {k: v for k, v in old.items() if k not in written}
    assert old["G4"] != new["G4"] and "G5" in old
    assert outside_sheet_data(after[SHEET1]) == outside_sheet_data(before[SHEET1])
    ElementTree.fromstring(after[SHEET1])  # well-formed
    assert b'<dimension ref="A1:J8"/>' in after[SHEET1]  # was A1:H8 (row 8 is hidden)


def test_sync_write_reads_back_with_openpyxl_and_calamine(book):
    XlsxBackend(book).write(LIST, SYNC_CELLS)
    ws = openpyxl.load_workbook(book, data_only=True)[LIST]
    assert [ws.cell(r, 9).value for r in range(3, 7)] == ["Mã", "CT-000001", "CT-000002", "CT-000003"]
    assert (ws["J3"].value, ws["J4"].value, ws["J5"].value, ws["G4"].value) == (
        "Trạng thái đồng bộ", "=1+1", "Mới", "đã sửa")
    assert ws["J4"].data_type == "s"
    assert ws["D7"].value == 6000 and ws["F5"].value == 90000  # cached results untouched
    grid = calamine(book, LIST)
    assert [row[8] for row in grid[2:6]] == ["Mã", "CT-000001", "CT-000002", "CT-000003"]
    assert (grid[3][9], grid[3][6], grid[6][3]) == ("=1+1", "đã sửa", 6000)


def test_text_that_looks_like_a_formula_is_stored_as_inline_text(book):
    XlsxBackend(book).write(LIST, [Cell(4, 10, "=1+1"), Cell(5, 10, "+84 912"), Cell(6, 10, "@Ban tổ chức")])
    xml = part(book, SHEET1)
    assert b'<c r="J4" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>' in xml  # no I4: no style
    assert xml.count(b"<f>") == 5  # the workbook's own formulas only
    assert part(book, "xl/sharedStrings.xml") == part(build(book.with_name("ref.xlsx")), "xl/sharedStrings.xml")


def test_new_column_takes_left_neighbour_style(book):
    XlsxBackend(book).write(LIST, SYNC_CELLS)
    ws = openpyxl.load_workbook(book)[LIST]
    assert ws["I3"].font.b and ws["I3"].border.left.style == "thin"  # like the header H3
    assert ws["J4"].border.left.style == "thin" and not ws["J4"].font.b  # like the data H4 via I4
    assert ws.column_dimensions["C"].width == pytest.approx(24, abs=1)


def test_written_values_keep_their_types(book):
    backend = XlsxBackend(book)
    backend.write(LIST, [Cell(4, 9, 85.5), Cell(5, 9, 1200), Cell(6, 9, True), Cell(4, 7, None), Cell(20, 3, None)])
    ws = openpyxl.load_workbook(book)[LIST]
    assert (ws["I4"].value, ws["I5"].value, ws["I6"].value, ws["G4"].value) == (85.5, 1200, True, None)
    xml = part(book, SHEET1)
    assert b'<c r="G4" s="3"/>' in xml  # cleared, style kept
    assert b'<row r="20"' not in xml  # clearing a cell that does not exist creates nothing


def test_text_is_escaped_and_kept_exactly(book):
    texts = ["  a < b & c > d  ", "dòng 1\r\ndòng 2", "lit _x000D_ text", "Le\u0303 Thi\u0323", "x" * 32767]
    XlsxBackend(book).write(LIST, [Cell(4 + i, 9, t) for i, t in enumerate(texts)])
    assert [row[8] for row in calamine(book, LIST)[3:8]] == texts
    ws = openpyxl.load_workbook(book)[LIST]
    assert [ws.cell(4 + i, 9).value for i in range(3)] == [texts[0], texts[1], "lit _x005F_x000D_ text"]


@pytest.mark.parametrize("value,message", [("a\x01b", "I4.*ký tự điều khiển"), ("x" * 32768, "I4.*32767"),
                                           (float("nan"), "I4.*không ghi được"), (object(), "I4")])
def test_unstorable_value_is_refused_before_writing(book, value, message):
    before = book.read_bytes()
    with pytest.raises(BackendError, match=message):
        XlsxBackend(book).write(LIST, [Cell(3, 9, "Mã"), Cell(4, 9, value)])
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


def test_dates_get_a_date_format_only_when_the_cell_has_none(book):
    styles = part(book, "xl/styles.xml")
    XlsxBackend(book).write(LIST, [Cell(10, 2, dt.date(2021, 5, 12)), Cell(4, 8, dt.datetime(2021, 5, 12, 8, 30)),
                                   Cell(11, 2, dt.date(2022, 1, 2))])
    ws = openpyxl.load_workbook(book)[LIST]
    assert ws["B10"].value == dt.datetime(2021, 5, 12) and ws["B10"].number_format == "dd/mm/yyyy"
    assert ws["B11"].style_id == ws["B10"].style_id  # one new format, reused
    assert ws["H4"].value == dt.datetime(2021, 5, 12, 8, 30) and ws["H4"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["H4"].border.left.style == "thin"  # the cell's own style, with the date format
    assert part(book, "xl/styles.xml") != styles
    assert calamine(book, LIST)[9][1] == dt.date(2021, 5, 12)


def test_dates_in_a_1904_workbook(book):
    workbook = part(book, "xl/workbook.xml")
    repack(book, {"xl/workbook.xml": re.sub(rb"<workbookPr([^>]*)/>", rb'<workbookPr date1904="1"\1/>', workbook)})
    XlsxBackend(book).write(LIST, [Cell(10, 2, dt.date(2021, 5, 12))])
    assert b'<c r="B10" s="4"><v>42866</v></c>' in part(book, SHEET1)  # 44328 - 1462: the 1904 system
    assert openpyxl.load_workbook(book)[LIST]["B10"].value == dt.datetime(2021, 5, 12)


def test_missing_rows_and_cells_are_inserted_in_order(book):
    backend = XlsxBackend(book)
    backend.write(LIST, [Cell(12, 3, "xa"), Cell(2, 4, "giữa"), Cell(9, 1, "hàng 9"), Cell(2, 2, "trước")])
    xml = part(book, SHEET1)
    rows = [int(n) for n in re.findall(rb'<row r="([0-9]+)"', xml)]
    assert rows == sorted(rows) and {2, 9, 12} <= set(rows)
    row2 = re.search(rb'<row r="2".*?</row>', xml).group()
    assert re.findall(rb'<c r="([A-Z]+)2"', row2) == [b"A", b"B", b"D"]
    assert b'<dimension ref="A1:J12"/>' not in xml and b'<dimension ref="A1:H12"/>' in xml
    assert calamine(book, LIST)[11][2] == "xa"


SAMPLES = Path("/work/shared/samples")
SAMPLE_SHEETS = [(path.name, name) for path in sorted(SAMPLES.glob("*.xlsx"))
                 for name in openpyxl.load_workbook(path, read_only=True).sheetnames]


@pytest.mark.parametrize("name,sheet", SAMPLE_SHEETS, ids=[f"{n}:{s}" for n, s in SAMPLE_SHEETS])
def test_office_samples_change_only_in_the_written_cells(tmp_path, name, sheet):
    path = tmp_path / name
    shutil.copyfile(SAMPLES / name, path)
    edge = openpyxl.load_workbook(path, read_only=True)[sheet].max_column
    before = parts(path)
    batch = [Cell(row, edge + 1, f"CT-{row:06d}") for row in range(1, 40)] + [Cell(5, edge + 2, "Lỗi: <ngày> & \"tên\"")]
    XlsxBackend(path).write(sheet, batch)
    after = parts(path)
    changed = [n for n in before if before[n] != after[n]]
    assert len(changed) == 1 and changed[0].startswith("xl/worksheets/"), changed
    old, new = cell_elements(before[changed[0]]), cell_elements(after[changed[0]])
    assert {k: v for k, v in new.items() if k in old} == old  # nothing existing was touched
    ElementTree.fromstring(after[changed[0]])
    grid = calamine(path, sheet)
    assert [grid[row - 1][edge] for row in range(1, 40)] == [f"CT-{row:06d}" for row in range(1, 40)]
    assert grid[4][edge + 1] == 'Lỗi: <ngày> & "tên"'


# -- formulas ----------------------------------------------------------------------------


def test_formulas_depending_on_a_written_cell_lose_their_cached_result(book):
    before = parts(book)
    XlsxBackend(book).write(LIST, [Cell(5, 4, 2500)])
    after = parts(book)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [SHEET1, SHEET2, "xl/workbook.xml"]
    cells = cell_elements(after[SHEET1])
    assert cells["D7"] == b'<c r="D7" s="2"><f>SUM(D4:D6)</f></c>'
    assert cells["E7"] == cell_elements(before[SHEET1])["E7"]  # its inputs were not written
    assert cells["F5"] == cell_elements(before[SHEET1])["F5"]
    summary, old = cell_elements(after[SHEET2]), cell_elements(before[SHEET2])
    assert [k for k in old if summary[k] != old[k]] == ["B1", "B3", "B4"]  # direct, through B1, by name
    assert all(b"<v>" not in summary[k] for k in ("B1", "B3", "B4"))
    assert re.search(rb'<calcPr[^>]*fullCalcOnLoad="1"', after["xl/workbook.xml"])
    assert re.sub(rb' fullCalcOnLoad="1"', b"", after["xl/workbook.xml"]) == before["xl/workbook.xml"]
    ws = openpyxl.load_workbook(book, data_only=True)
    assert (ws[LIST]["D5"].value, ws[LIST]["D7"].value, ws[SUMMARY]["B2"].value) == (2500, None, 80)
    backend = XlsxBackend(book)  # the next sync's read: unknown, never empty
    assert backend.read(LIST)[6][3:5] == [UNCOMPUTED, 240]
    assert [row[1] for row in backend.read(SUMMARY)] == [UNCOMPUTED, 80, UNCOMPUTED, UNCOMPUTED, 6]


def test_writing_into_a_formula_cell_is_refused(book):
    before = book.read_bytes()
    with pytest.raises(BackendError, match=f'F5 của trang tính "{LIST}" chứa công thức'):
        XlsxBackend(book).write(LIST, [Cell(4, 9, "CT-1"), Cell(5, 6, 1)])
    assert book.read_bytes() == before


def test_array_formula_area_is_refused_but_its_inputs_are_not(book):
    xml = part(book, SHEET1).replace(b"<f>SUM(E4:E6)</f>", b'<f t="array" ref="E7:E8">E4:E5*2</f>')
    xml = xml.replace(b'<row r="8" ', b'<row r="8" ').replace(b"</sheetData>", b"</sheetData>")
    xml = re.sub(rb'(<row r="8"[^>]*?)/>', rb'\1><c r="E8"><v>180</v></c></row>', xml)
    repack(book, {SHEET1: xml})
    with pytest.raises(BackendError, match="E8 .*vùng công thức mảng E7:E8"):
        XlsxBackend(book).write(LIST, [Cell(8, 5, 1)])
    XlsxBackend(book).write(LIST, [Cell(4, 5, 81)])
    assert b'<c r="E7" s="2"><f t="array" ref="E7:E8">E4:E5*2</f></c>' in part(book, SHEET1)


def test_calc_pr_is_added_where_the_schema_wants_it():
    from sheets.xlsx_package import full_calc_on_load
    head = b'<?xml version="1.0"?>\n<workbook xmlns="m"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets>'
    assert full_calc_on_load(head + b"</workbook>") == head + b'<calcPr fullCalcOnLoad="1"/></workbook>'
    assert full_calc_on_load(head + b"<extLst/></workbook>") == head + b'<calcPr fullCalcOnLoad="1"/><extLst/></workbook>'
    assert full_calc_on_load(head + b'<calcPr calcId="191029" fullCalcOnLoad="0"/></workbook>') == (
        head + b'<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')
    prefixed = b'<x:workbook xmlns:x="m"><x:sheets/><x:calcPr calcId="1"/></x:workbook>'
    assert full_calc_on_load(prefixed) == b'<x:workbook xmlns:x="m"><x:sheets/><x:calcPr calcId="1" fullCalcOnLoad="1"/></x:workbook>'


def test_shared_formulas_are_followed_cell_by_cell(book):
    xml = part(book, SHEET1)
    xml = xml.replace(b"<f>E4*1000</f>", b'<f t="shared" ref="F4:F6" si="0">E4*1000</f>')
    xml = xml.replace(b"<f>E5*1000</f>", b'<f t="shared" si="0"/>').replace(b"<f>E6*1000</f>", b'<f t="shared" si="0"/>')
    repack(book, {SHEET1: xml})
    XlsxBackend(book).write(LIST, [Cell(5, 5, 95)])
    cells = cell_elements(part(book, SHEET1))
    assert cells["F5"] == b'<c r="F5" s="3"><f t="shared" si="0"/></c>'
    assert b"<v>80000</v>" in cells["F4"] and b"<v>70000</v>" in cells["F6"] and b"<v>240</v>" not in cells["E7"]


def dependents(written, formulas, names=None, sheets=("A", "B")):
    index = FormulaIndex(list(sheets), names)
    for sheet, row, col, text in formulas:
        if isinstance(text, tuple):
            index.add(sheet, row, col, text[0], shared=text[1]) if text[0] else index.add_follower(sheet, row, col, text[1])
        else:
            index.add(sheet, row, col, text)
    return index.stale({0: written})


def test_dependency_rules():
    assert dependents([(5, 3)], [(0, 1, 1, "SUM(C:C)"), (0, 2, 1, "SUM(D:D)"), (1, 1, 1, "A!5:5"), (1, 2, 1, "A!4:4"),
                                  (1, 3, 1, "5:5")]) == {
        0: {(1, 1)}, 1: {(1, 1)}}
    assert dependents([(5, 3)], [(1, 1, 1, "A!C5"), (1, 2, 1, "C5"), (1, 3, 1, "'a'!$C$1:$C$9")]) == {1: {(1, 1), (3, 1)}}
    # a formula above that reads a formula below, which reads the written cell
    assert dependents([(9, 1)], [(0, 1, 1, "A5*2"), (0, 5, 1, "A9+1"), (0, 6, 1, "A1+A2")]) == {0: {(1, 1), (5, 1), (6, 1)}}
    opaque = ['INDIRECT("C5")', "OFFSET(A1,1,1)", "Table1[Cột]", "SUM(Unknown)", "[1]A!C5", "A:B!C5", "A1:INDEX(C:C,5)"]
    assert dependents([(5, 3)], [(1, i, 1, t) for i, t in enumerate(opaque, 1)])[1] == set(
        (i, 1) for i in range(1, len(opaque) + 1))
    names = {"Ok": ["A!$C$1:$C$9"], "Other": ["A!$D$1"], "Relative": ["A!C5"]}
    assert dependents([(5, 3)], [(1, 1, 1, "SUM(Ok)"), (1, 2, 1, "Other"), (1, 3, 1, "Relative"),
                                 (1, 4, 1, 'LEN("C5")+TRUE')], names) == {1: {(1, 1), (3, 1)}}
    shared = [(0, 1, 4, ("C1+$C$20", "0")), (0, 2, 4, ("", "0")), (0, 5, 4, ("", "0"))]
    assert dependents([(5, 3)], shared) == {0: {(5, 4)}}
    assert dependents([(20, 3)], shared) == {0: {(1, 4), (2, 4), (5, 4)}}
    assert dependents([(MAX_ROW, 3)], [(0, 1, 1, "$C:$C")]) == {0: {(1, 1)}}


# -- refusals, change detection, temp files ----------------------------------------------


def test_writing_inside_a_merged_range_is_refused(book):
    before = book.read_bytes()
    with pytest.raises(BackendError, match=f'B1 của trang tính "{LIST}" nằm trong vùng ô gộp A1:H1'):
        XlsxBackend(book).write(LIST, [Cell(1, 2, "x")])
    assert book.read_bytes() == before
    XlsxBackend(book).write(LIST, [Cell(1, 1, "DANH SÁCH MỚI")])  # the first cell is the merged cell's value
    assert calamine(book, LIST)[0][0] == "DANH SÁCH MỚI"


def test_file_saved_by_someone_after_the_read_is_not_overwritten(book):
    backend = XlsxBackend(book)
    backend.read(LIST)
    stamp = book.stat().st_mtime_ns
    XlsxBackend(book).write(LIST, [Cell(4, 7, "người khác sửa")])  # another tab's sync, or Excel
    os.utime(book, ns=(stamp, stamp))  # even with the old modification time
    theirs = book.read_bytes()
    with pytest.raises(SheetChanged, match="đã thay đổi sau khi phoihop đọc"):
        backend.write(LIST, [Cell(4, 9, "CT-000001")])
    assert book.read_bytes() == theirs
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]
    backend.read(LIST)
    backend.write(LIST, [Cell(4, 9, "CT-000001")])
    backend.write(LIST, [Cell(5, 9, "CT-000002")])  # our own save does not count as a change
    assert [row[8] for row in calamine(book, LIST)[3:5]] == ["CT-000001", "CT-000002"]
    assert backend.requests.writes == 2


def test_temp_files_of_dead_runs_are_removed_and_nothing_else(book):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    folder = book.parent
    dead = folder / f".~phoihop-{child.pid}-0badc0de.xlsx"
    live = folder / f".~phoihop-{os.getpid()}-1234abcd.xlsx"
    old = folder / f".~phoihop-{os.getpid()}-5678abcd.xlsx"
    others = [folder / "~$giai-phap.xlsx", folder / f".~phoihop-{child.pid}-notes.txt", folder / "ghi-chu.xlsx"]
    for path in [dead, live, old, *others]:
        path.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    XlsxBackend(book).read(LIST)
    assert not dead.exists() and not old.exists()
    assert live.exists() and all(p.exists() for p in others)
    dead.write_bytes(b"x")
    XlsxBackend(book).write(LIST, [Cell(4, 9, "CT-000001")])
    assert not dead.exists() and live.exists()
    assert remove_stale_temps(book) == []


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], lambda data: "STT;Tên\r\n1;Máy gặt\r\n".encode()])
def test_damaged_workbook_is_refused_with_a_sentence(book, damage):
    book.write_bytes(damage(book.read_bytes()))
    before = book.read_bytes()
    with pytest.raises(BackendError, match=f'"{book}|{book.name}"'):
        XlsxBackend(book).write(LIST, [Cell(4, 9, "CT-000001")])
    assert book.read_bytes() == before
    assert sorted(p.name for p in book.parent.iterdir()) == [book.name]


# -- the package layout ------------------------------------------------------------------


def test_sheet_part_is_found_through_the_relationships(book):
    files = parts(book)
    rename = {SHEET1: "xl/worksheets/danh-sach.xml", "xl/worksheets/_rels/sheet1.xml.rels":
              "xl/worksheets/_rels/danh-sach.xml.rels"}
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            if name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/danh-sach.xml")
            archive.writestr(rename.get(name, name), data)
    XlsxBackend(book).write(LIST, [Cell(4, 9, "CT-000001")])
    assert b"CT-000001" in part(book, "xl/worksheets/danh-sach.xml")
    assert part(book, SHEET2) == files[SHEET2]


def test_prefixed_namespace_and_cells_without_references(tmp_path):
    path = tmp_path / "x.xlsx"
    XlsxBackend.create(path, {"S": [["a", "b"], ["c"]]})
    xml = part(path, SHEET1).decode()
    body = ('<x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c s="0"><x:v>2</x:v></x:c>'
            '</x:row><x:row r="3"><x:c r="B3"><x:v>5</x:v></x:c></x:row></x:sheetData>')
    xml = re.sub(r"<sheetData>.*</sheetData>", body, xml, flags=re.S)
    xml = re.sub(r"</?([a-zA-Z]+)(?=[\s/>])", lambda m: m.group(0).replace(m.group(1), "x:" + m.group(1)), xml)
    xml = xml.replace('xmlns="', 'xmlns:x="').replace("x:x:", "x:")
    repack(path, {SHEET1: xml.encode()})
    XlsxBackend(path).write("S", [Cell(1, 3, "mới"), Cell(2, 2, 7), Cell(3, 1, "đầu")])
    out = part(path, SHEET1)
    assert b'<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c s="0"><x:v>2</x:v></x:c><x:c r="C1"' in out
    assert re.search(rb'<x:row r="2"><x:c r="B2"><x:v>7</x:v></x:c></x:row><x:row r="3"><x:c r="A3" t="inlineStr">', out)
    assert openpyxl.load_workbook(path)["S"]["C1"].value == "mới"


@pytest.mark.parametrize("chunk", [1 << 20, 61])
def test_rewrite_without_changes_is_byte_for_byte(tmp_path, monkeypatch, chunk):
    path = tmp_path / "big.xlsx"
    XlsxBackend.create(path, {"S": [[f"dòng {r}", r, r * 1.5, None, "x" * (r % 50)] for r in range(20_000)]})
    original = part(path, SHEET1)
    monkeypatch.setattr(xlsx_sheetxml, "CHUNK", chunk)  # rows and tags cut across reads
    pieces = list(split(io.BytesIO(original), Tags(b"")))
    assert b"".join(data for _, _, data in pieces) == original
    assert [number for kind, number, _ in pieces if kind == xlsx_sheetxml.ROW] == list(range(1, 20_001))
    out = io.BytesIO()
    rewrite(io.BytesIO(original), out, Tags(b""), "S", {}, {})
    assert out.getvalue() == original
    patched = io.BytesIO()
    rewrite(io.BytesIO(original), patched, Tags(b""), "S",
            {7: {2: Write(Value("number", b"8"), None)}, 20_005: {1: Write(Value("bool", b"1"), None)}}, {})
    assert patched.getvalue().count(b"<row ") == 20_001 and b'<c r="B7"><v>8</v></c>' in patched.getvalue()


def test_empty_sheet_gets_its_first_rows(tmp_path):
    path = tmp_path / "x.xlsx"
    backend = XlsxBackend.create(path, {"S": [["a"]]})
    backend.add_worksheet("Nhật ký")
    backend.write("Nhật ký", [Cell(2, 2, "b"), Cell(1, 1, "a")])
    assert calamine(path, "Nhật ký") == [["a", ""], ["", "b"]]


def test_add_worksheet_patches_only_the_package_lists(book):
    before = parts(book)
    backend = XlsxBackend(book)
    backend.add_worksheet("Nhật ký đồng bộ")
    after = parts(book)
    assert [n for n in before if before[n] != after[n]] == [
        "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "docProps/app.xml"]
    assert openpyxl.load_workbook(book).sheetnames == [LIST, SUMMARY, "Nhật ký đồng bộ"]
    assert "<vt:lpstr>Nhật ký đồng bộ</vt:lpstr>".encode() in after["docProps/app.xml"]
    assert b'<vt:i4>3</vt:i4>' in after["docProps/app.xml"]
    assert calamine(book, "Nhật ký đồng bộ") == []
    with pytest.raises(BackendError, match="trùng tên"):
        backend.add_worksheet("NHẬT KÝ ĐỒNG BỘ")
    backend.add_worksheet("Nhật ký đồng bộ")
    assert backend.requests.writes == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_a_patched_file(book, tmp_path):
    XlsxBackend(book).write(LIST, SYNC_CELLS + [Cell(5, 4, 2500), Cell(10, 2, dt.date(2021, 5, 12))])
    subprocess.run(["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path / "out"), str(book)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "out" / "giai-phap.csv").read_text()
    assert "CT-000001" in text and "6500" in text and "12/05/2021" in text
