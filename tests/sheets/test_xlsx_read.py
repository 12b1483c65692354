"""sheets.xlsx_read: bounded reads, formulas, merges, dates, and files that cannot be read.

Two readers sit behind ``read_sheet`` (calamine for sane extents, a streamed expat parser
otherwise); most tests here check a behaviour through ``read_sheet`` and then that both
readers agree on the same file (``both_paths``).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from sheets import xlsx_read
from sheets.backend import UNCOMPUTED, BackendError, Grid, WorksheetNotFound
from sheets.bounds import FAR_ROWS, column_letter
from sheets.xlsx import XlsxBackend

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path("/work/shared/samples")
SAMPLE_SHEETS = [(path.name, name) for path in sorted(SAMPLES.glob("*.xlsx"))
                 for name in CalamineWorkbook.from_path(str(path)).sheet_names]

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


# -- helpers ---------------------------------------------------------------------------


def package(path: Path, sheets: dict[str, str], shared: list[str] | None = None,
            numfmts: dict[int, str] | None = None, xfs: list[int] | None = None,
            date1904: bool = False, root: str = "worksheet", prefix: str = "") -> Path:
    """A minimal .xlsx whose worksheets are the given raw ``<sheetData>…`` XML bodies."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
            f'.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        entries, rels = [], []
        for index, (name, body) in enumerate(sheets.items(), start=1):
            entries.append(f'<sheet name={quoteattr(name)} sheetId="{index}" r:id="rId{index}"/>')
            rels.append(f'<Relationship Id="rId{index}" Type="{rel}/worksheet" '
                        f'Target="worksheets/sheet{index}.xml"/>')
            if prefix:
                xml = (f'<?xml version="1.0" encoding="UTF-8"?><{prefix}:{root} xmlns:{prefix}='
                       f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">{body}'
                       f"</{prefix}:{root}>")
            else:
                xml = f'<?xml version="1.0" encoding="UTF-8"?><{root} {NS}>{body}</{root}>'
            archive.writestr(f"xl/worksheets/sheet{index}.xml", xml)
        count = len(sheets)
        rels.append(f'<Relationship Id="rId{count + 1}" Type="{rel}/styles" Target="styles.xml"/>')
        if shared is not None:
            rels.append(f'<Relationship Id="rId{count + 2}" Type="{rel}/sharedStrings" '
                        'Target="sharedStrings.xml"/>')
            archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                                                     f'<sst {NS}>{"".join(shared)}</sst>')
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS}>'
            + ('<workbookPr date1904="1"/>' if date1904 else "")
            + f'<sheets>{"".join(entries)}</sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
            f'.org/package/2006/relationships">{"".join(rels)}</Relationships>'))
        formats = "".join(f"<numFmt numFmtId=\"{i}\" formatCode={quoteattr(code)}/>"
                          for i, code in (numfmts or {}).items())
        styles = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                         for i in (xfs or [0]))
        archive.writestr("xl/styles.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {NS}><numFmts>{formats}</numFmts>'
            '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1">'
            f"<border/></borders><cellXfs>{styles}</cellXfs></styleSheet>"))
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def table_xml(rows: int = 10, extra: str = "", after: str = "") -> str:
    """A header row and ``rows`` data rows (A: number, B: text), then ``extra`` rows."""
    body = '<row r="1">' + text_cell("A1", "STT") + text_cell("B1", "Tên") + "</row>"
    for r in range(2, rows + 2):
        body += f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>{text_cell(f"B{r}", f"Tên {r - 1}")}</row>'
    return f"<sheetData>{body}{extra}</sheetData>{after}"


def both_paths(path: Path, worksheet: str) -> Grid:
    """Read with calamine (completed by the survey) and with the streamed parser; assert
    they agree on rows, formulas, merges and warnings; return the grid."""
    book = xlsx_read._open_book(Path(path))
    try:
        part = book.sheet_part(worksheet)
        survey = xlsx_read._survey(book, part)
        assert survey is not None, "the survey sent this sheet to the streamed reader"
        calamine = xlsx_read._read_calamine(book, worksheet, survey)
        assert calamine is not None, "calamine refused the sheet"
        streamed = xlsx_read._read_streamed(book, part)
    finally:
        book.close()
    assert list(streamed) == list(calamine)
    assert [[type(v) for v in row] for row in streamed] == [[type(v) for v in row] for row in calamine]
    assert streamed.formulas == calamine.formulas
    assert streamed.merges == calamine.merges
    assert streamed.warnings == calamine.warnings
    return calamine


@pytest.fixture
def paths_taken(monkeypatch):
    """Which reader(s) ``read_sheet`` used: 'calamine' and/or 'streamed', in order."""
    taken = []
    calamine, streamed = xlsx_read._read_calamine, xlsx_read._read_streamed

    def spy_calamine(*args):
        taken.append("calamine")
        return calamine(*args)

    def spy_streamed(*args):
        taken.append("streamed")
        return streamed(*args)

    monkeypatch.setattr(xlsx_read, "_read_calamine", spy_calamine)
    monkeypatch.setattr(xlsx_read, "_read_streamed", spy_streamed)
    return taken


def legacy_read(path: Path, worksheet: str) -> list[list]:
    """The reader this module replaced (calamine's whole used range, normalised), for the
    samples, which hold no error cells (it read those with openpyxl)."""
    with zipfile.ZipFile(path) as archive:
        assert not any(b't="e"' in archive.read(n) for n in archive.namelist() if "worksheets/" in n)
    book = CalamineWorkbook.from_path(str(path))
    try:
        grid = book.get_sheet_by_name(worksheet).to_python(skip_empty_area=False)
    finally:
        book.close()
    for index, row in enumerate(grid):
        grid[index] = [None if v == "" else int(v) if v.__class__ is float and v.is_integer()
                       else v.date() if v.__class__ is dt.datetime and v.time() == dt.time() else v
                       for v in row]
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


def office_table(sheet, rows: int = 30) -> None:
    sheet.append(["DANH SÁCH HỘI VIÊN"])
    sheet.append(["STT", "Họ và tên", "Ngày sinh"])
    for number in range(1, rows + 1):
        sheet.append([number, f"Nguyễn Văn {number}", dt.date(1980, 1, 1) + dt.timedelta(days=number)])
        sheet.cell(number + 2, 3).number_format = "dd/mm/yyyy"


# -- far-away cells: bounded, and memory does not follow the used range ----------------

CHILD = """
import json, resource, sys
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from sheets.xlsx import XlsxBackend
grid = XlsxBackend(sys.argv[1]).read(sys.argv[2])
print(json.dumps({"rows": grid, "warnings": grid.warnings}, default=str, ensure_ascii=False))
"""
ADDRESS_SPACE = 1536 << 20  # 1.5 GB: the old reader asked for 512 GB here and aborted


def read_in_limited_process(path: Path, worksheet: str) -> dict:
    """Read in a child process whose address space is capped, so that a reader that
    allocates by the used range fails there (MemoryError, abort) instead of in pytest."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), worksheet, str(ADDRESS_SPACE)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576"])
def test_value_in_a_far_cell_is_left_out_with_a_warning_and_memory_stays_bounded(tmp_path, far):
    book = openpyxl.Workbook()
    book.active.title = "Hội viên"
    office_table(book.active)
    book.active[far] = "ghi chú lạc"
    book.save(tmp_path / "xa.xlsx")
    result = read_in_limited_process(tmp_path / "xa.xlsx", "Hội viên")
    assert len(result["rows"]) == 32
    assert result["rows"][31] == [30, "Nguyễn Văn 30", "1980-01-31"]
    assert all(len(row) == 3 for row in result["rows"])
    assert len(result["warnings"]) == 1 and f"Ô {far} nằm xa bảng" in result["warnings"][0]


def test_far_cell_to_the_right_of_a_table_row_is_left_out(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "S"
    office_table(book.active, rows=30)
    book.active["XFD4"] = "lạc"  # in the head rows, but far right of the dense block A:C
    book.active["BZ25"] = "cũng lạc"  # column 78: beyond the 3 used columns + 50 of slack
    book.active["AZ26"] = "trong bảng"  # column 52: within the slack, kept
    book.save(tmp_path / "phai.xlsx")
    grid = xlsx_read.read_sheet(tmp_path / "phai.xlsx", "S")
    assert len(grid) == 32 and {len(row) for row in grid} == {52}
    assert grid[25][51] == "trong bảng" and grid[3][:3] == [2, "Nguyễn Văn 2", dt.date(1980, 1, 3)]
    assert grid.warnings and "Ô XFD4, BZ25 nằm xa bảng" in grid.warnings[0]


def test_table_with_a_far_cell_reads_like_the_table_alone(tmp_path, paths_taken):
    """The streamed reader (taken because of the far cell) and calamine (taken for the
    table alone) give the same rows, dates, formulas and merges."""
    def make(name, far):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "S"
        office_table(sheet, rows=40)
        sheet["D2"] = "Tuổi"
        for row in range(3, 43):
            sheet.cell(row, 4).value = f"=2024-YEAR(C{row})"  # openpyxl keeps no result
        sheet.merge_cells("A1:D1")
        sheet["E3"] = dt.datetime(2021, 5, 12, 14, 30)
        sheet["F3"] = "a_x000D_b"
        if far:
            sheet[far] = "lạc"
        book.save(tmp_path / name)
        return tmp_path / name

    alone = xlsx_read.read_sheet(make("bang.xlsx", None), "S")
    with_far = xlsx_read.read_sheet(make("bang-xa.xlsx", "XFD1048576"), "S")
    assert paths_taken == ["calamine", "streamed"]
    assert list(with_far) == list(alone)
    assert with_far.formulas == alone.formulas == {(r, 3) for r in range(2, 42)}
    assert with_far.merges == alone.merges == [(0, 0, 0, 3)]
    assert alone.warnings == [] and "XFD1048576" in with_far.warnings[0]
    assert alone[2][2:6] == [dt.date(1980, 1, 2), UNCOMPUTED, dt.datetime(2021, 5, 12, 14, 30), "a\rb"]


def test_reading_stops_where_the_table_ended(tmp_path, paths_taken):
    """Rows after the far-away row are not parsed: here they are not even well-formed."""
    broken = '<row r="900000"><c r="A900000"><v>1</v></c><c r="B900000" t="s"><v'
    path = package(tmp_path / "dung.xlsx", {"S": table_xml(5, '<row r="600000"><c r="A600000"><v>7</v>'
                                                              "</c></row>" + broken)})
    grid = xlsx_read.read_sheet(path, "S")
    assert paths_taken == ["streamed"]
    assert len(grid) == 6 and grid[5] == [5, "Tên 5"]
    assert "Ô A600000 nằm xa bảng" in grid.warnings[0]


def test_formulas_and_merges_are_kept_down_to_far_rows_below_the_table(tmp_path):
    formulas = "".join(f'<row r="{r}"><c r="C{r}" t="str"><f>IF(A{r}="","",A{r})</f><v></v></c></row>'
                       for r in (12, 11 + FAR_ROWS, 12 + FAR_ROWS))  # 1-based: the 1st, 1000th, 1001st below
    merges = ('<mergeCells count="3"><mergeCell ref="A20:B21"/><mergeCell ref="A3000:B3001"/>'
              '<mergeCell ref="BZ1:CA1"/></mergeCells>')
    grid = both_paths(package(tmp_path / "duoi.xlsx", {"S": table_xml(10, formulas, merges)}), "S")
    assert len(grid) == 11  # formulas with an empty result do not extend the table
    assert grid.formulas == {(11, 2), (10 + FAR_ROWS, 2)}
    assert grid.merges == [(19, 0, 20, 1)]
    assert grid.warnings == []


# -- formulas --------------------------------------------------------------------------


def strip_cached_result(path: Path, cell: str) -> None:
    """Remove one formula cell's ``<v>`` (a file saved by a tool that does not compute)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    start = xml.index(f'<c r="{cell}"')
    end = xml.index("</c>", start)
    cut = xml[start:end]
    assert "<v>" in cut
    parts["xl/worksheets/sheet1.xml"] = (xml[:start] + cut[:cut.index("<v>")] + xml[end:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_formula_cells_read_their_cached_result_and_are_listed(tmp_path):
    path = tmp_path / "cong-thuc.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Điểm")
    sheet.write_row(0, 0, ["STT", "Điểm", "Gấp đôi", "Xếp loại", "Kiểm tra"])
    sheet.write_number(1, 0, 1)
    sheet.write_number(1, 1, 85)
    sheet.write_formula(1, 2, "=B2*2", None, 170)
    sheet.write_formula(1, 3, '=IF(B2>=80,"Giỏi","Khá")', None, "Giỏi")
    sheet.write_formula(1, 4, "=B2>50", None, True)
    sheet.write_number(2, 0, 2)
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    sheet.write_formula(2, 3, "=B3*2")  # XlsxWriter stores 0 as the result
    sheet.write_formula(2, 4, "=B3+1", None, 12.5)
    book.close()
    strip_cached_result(path, "E3")
    grid = both_paths(path, "Điểm")
    assert grid[1] == [1, 85, 170, "Giỏi", True]
    assert grid[2] == [2, None, "#DIV/0!", 0, UNCOMPUTED]
    assert grid.formulas == {(1, 2), (1, 3), (1, 4), (2, 2), (2, 3), (2, 4)}
    assert XlsxBackend(path).read("Điểm") == grid


def test_formula_without_a_stored_result_is_uncomputed_not_empty(tmp_path):
    cells = ('<row r="2"><c r="A2"><v>1</v></c>'
             '<c r="B2"><f>A2*2</f></c>'  # no <v> at all
             '<c r="C2"><f>A2*3</f><v/></c>'  # openpyxl writes this
             '<c r="D2"><f>A2*4</f><v></v></c>'
             '<c r="E2" t="str"><f>IF(A2=1,"","x")</f><v></v></c>'  # Excel: a result, the empty text
             '<c r="F2" t="str"><f>"x"</f></c></row>')
    grid = both_paths(package(tmp_path / "chua-tinh.xlsx", {"S": f'<sheetData>{cells}</sheetData>'}), "S")
    assert grid == [[None] * 6, [1, UNCOMPUTED, UNCOMPUTED, UNCOMPUTED, None, UNCOMPUTED]]
    assert grid.formulas == {(1, c) for c in range(1, 6)}


def test_openpyxl_saved_formulas_are_uncomputed(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "S"
    book.active.append(["Số", "Gấp đôi"])
    book.active.append([4, "=A2*2"])
    book.save(tmp_path / "op.xlsx")
    grid = both_paths(tmp_path / "op.xlsx", "S")
    assert grid == [["Số", "Gấp đôi"], [4, UNCOMPUTED]] and grid.formulas == {(1, 1)}


def test_shared_and_array_formulas_list_every_cell(tmp_path):
    rows = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f>'
            '<v>2</v></c><c r="C1"><f t="array" ref="C1:C3">ROW(A1:A3)</f><v>1</v></c></row>'
            '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c>'
            '<c r="C2"><v>2</v></c></row>'
            '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/></c><c r="C3"><v>3</v></c></row>')
    grid = both_paths(package(tmp_path / "chung.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}), "S")
    assert grid == [[1, 2, 1], [2, 4, 2], [3, UNCOMPUTED, 3]]
    assert grid.formulas == {(0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)}


def test_array_formula_spanning_far_columns_is_clipped_to_the_table(tmp_path):
    rows = '<row r="1"><c r="A1"><f t="array" ref="A1:XFD2">1</f><v>1</v></c></row>'
    grid = both_paths(package(tmp_path / "mang.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}), "S")
    assert grid == [[1]] and grid.formulas == {(r, c) for r in range(2) for c in range(51)}


def test_error_cells_read_as_their_text(tmp_path):
    rows = ('<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1" t="e"><v>#REF!</v></c>'
            '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D1" t="e"><v>#NAME?</v></c></row>')
    grid = both_paths(package(tmp_path / "loi.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}), "S")
    assert grid == [["#N/A", "#REF!", "#DIV/0!", "#NAME?"]] and grid.formulas == {(0, 2)}


def test_error_code_calamine_does_not_know_is_read_by_the_streamed_reader(tmp_path, paths_taken):
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="e"><v>#BLOCKED!</v></c></row>'
    grid = xlsx_read.read_sheet(package(tmp_path / "moi.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}), "S")
    assert paths_taken == ["calamine", "streamed"]
    assert grid == [[1, "#BLOCKED!"]]


# -- values ----------------------------------------------------------------------------


def test_merged_ranges_are_listed_zero_based(tmp_path):
    merges = ('<mergeCells count="2"><mergeCell ref="A1:C1"/><mergeCell ref="B3:B5"/></mergeCells>')
    grid = both_paths(package(tmp_path / "gop.xlsx", {"S": table_xml(5, after=merges)}), "S")
    assert grid.merges == [(0, 0, 0, 2), (2, 1, 4, 1)]


def test_text_is_kept_as_stored_with_excel_escapes_undone(tmp_path):
    shared = ["<si><t>Hà Nội</t></si>", '<si><t xml:space="preserve">  Bắc Giang  </t></si>',
              "<si><t>dòng 1_x000D_\ndòng 2</t></si>", "<si><t>_x005F_x000D_ giữ nguyên</t></si>",
              '<si><r><t xml:space="preserve">Phó </t></r><r><rPr><b/></rPr><t>Giáo sư</t></r>'
              "<rPh><t>ふりがな</t></rPh></si>", "<si><t>  cắt  </t></si>", "<si><t/></si>",
              "<si><t>=SUM(A1)</t></si>"]
    cells = "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGH"))
    cells += '<c r="I1" t="str"><v>kết quả_x000D_</v></c>' + text_cell("J1", "nội dòng_x000A_")
    grid = both_paths(package(tmp_path / "chu.xlsx", {"S": f'<sheetData><row r="1">{cells}</row>'
                                                           "</sheetData>"}, shared=shared), "S")
    assert grid == [["Hà Nội", "  Bắc Giang  ", "dòng 1\r\ndòng 2", "_x000D_ giữ nguyên", "Phó Giáo sư",
                     "cắt", None, "=SUM(A1)", "kết quả\r", "nội dòng\n"]]


FORMATS = {164: "dd/mm/yyyy", 165: "[h]:mm:ss", 166: "0.00", 167: '"y"0', 168: "#,##0*y",
           169: "h:mm AM/PM", 170: "[$-42A]dd/mm/yyyy", 171: "yyyy-mm-dd;@", 172: "\\d0",
           173: "mm:ss.0", 174: "[Red]0.0;[Blue]-0.0", 175: '#,##0" đ"', 176: "MMMM"}
STYLES = [0, 14, 15, 17, 18, 20, 22, 45, 46, 47, 13, 2, *FORMATS]


@pytest.mark.parametrize("date1904", [False, True])
def test_number_formats_make_dates_as_calamine_does(tmp_path, date1904):
    """Every style over a set of serials: calamine's reading (the reference) and ours agree."""
    serials = ["44000", "44000.5", "0.25", "-1", "1.5", "59", "60", "61", "0", "45000.999999999",
               "2958466", "1e3"]
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{column_letter(c)}{r}" s="{c}"><v>{v}</v></c>'
                                              for c in range(len(STYLES))) + "</row>"
                   for r, v in enumerate(serials, start=1))
    path = package(tmp_path / "ngay.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}, numfmts=FORMATS,
                   xfs=STYLES, date1904=date1904)
    grid = both_paths(path, "S")
    day = dt.date(2024, 6, 19) if date1904 else dt.date(2020, 6, 18)
    assert grid[0][:4] == [44000, day, day, day]
    kinds = {STYLES[c]: type(grid[0][c]).__name__ for c in range(len(STYLES))}
    assert {f for f, k in kinds.items() if k == "date"} == {14, 15, 17, 18, 20, 22, 45, 47, 164, 169, 170,
                                                             171, 173, 176}
    assert kinds[46] == kinds[165] == "timedelta"
    assert {f for f, k in kinds.items() if k == "int"} == {0, 13, 2, 166, 167, 168, 172, 174, 175}


def test_dates_times_and_booleans_in_the_streamed_reader(tmp_path, paths_taken):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet.append(["Ngày", "Giờ", "Lúc", "Thời lượng", "Có", "Số"])
    sheet.append([dt.date(2021, 5, 12), dt.time(7, 30), dt.datetime(2021, 5, 12, 14, 30),
                  dt.timedelta(hours=30), True, 1.5])
    sheet["A2"].number_format = "dd/mm/yyyy"
    sheet["XFD1048576"] = "lạc"
    book.save(tmp_path / "ngay.xlsx")
    grid = xlsx_read.read_sheet(tmp_path / "ngay.xlsx", "S")
    assert paths_taken == ["streamed"]
    assert grid[1] == [dt.date(2021, 5, 12), dt.time(7, 30), dt.datetime(2021, 5, 12, 14, 30),
                       dt.timedelta(hours=30), True, 1.5]


def test_iso_date_cells_and_odd_values(tmp_path):
    rows = ('<row r="1"><c r="A1" t="d"><v>2021-05-12</v></c><c r="B1" t="d"><v>2021-05-12T10:30:00</v></c>'
            '<c r="C1" t="d"><v>10:30:00</v></c><c r="D1" t="d"><v>2021-05-12T00:00:00</v></c>'
            '<c r="E1"><v>không phải số</v></c><c r="F1" t="b"><v>0</v></c><c r="G1"><v>-0</v></c>'
            '<c r="H1" s="99"><v>44000</v></c><c r="I1" t="s"><v></v></c></row>')
    grid = both_paths(package(tmp_path / "iso.xlsx", {"S": f"<sheetData>{rows}</sheetData>"}), "S")
    assert grid == [[dt.date(2021, 5, 12), dt.datetime(2021, 5, 12, 10, 30), dt.time(10, 30),
                     dt.date(2021, 5, 12), "không phải số", False, 0, 44000]]


def test_unusual_xml_layouts_are_streamed_and_read_alike(tmp_path, paths_taken):
    """Prefixed tags and cells or rows without ``r`` (other tools write these)."""
    plain = '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1"><v>3</v></c></row>' \
            '<row r="3"><c r="B3"><v>5</v></c></row></sheetData>'
    no_refs = '<sheetData><row><c><v>1</v></c><c/><c><v>3</v></c></row><row r="3"><c r="B3"><v>5</v>' \
              '</c></row></sheetData>'
    prefixed = plain.replace("<", "<x:").replace("<x:/", "</x:")
    lower = plain.replace('r="A1"', 'r="a1"').replace('r="C1"', 'r="c1"').replace('r="B3"', 'r="b3"')
    spaced = plain.replace("<c r=", "<c\n   r=").replace("<row r=", "<row\n r=")
    expected = [[1, None, 3], [None, None, None], [None, 5, None]]
    assert xlsx_read.read_sheet(package(tmp_path / "a.xlsx", {"S": plain}), "S") == expected
    assert xlsx_read.read_sheet(package(tmp_path / "b.xlsx", {"S": no_refs}), "S") == expected
    assert xlsx_read.read_sheet(package(tmp_path / "c.xlsx", {"S": prefixed}, prefix="x"), "S") == expected
    assert xlsx_read.read_sheet(package(tmp_path / "d.xlsx", {"S": lower}), "S") == expected
    assert xlsx_read.read_sheet(package(tmp_path / "e.xlsx", {"S": spaced}), "S") == expected
    assert paths_taken == ["calamine"] + ["streamed"] * 4
    for name in "bcde":  # calamine reads these too: the same values
        rows = CalamineWorkbook.from_path(str(tmp_path / f"{name}.xlsx")).get_sheet_by_name("S").to_python()
        assert [[None if v == "" else int(v) for v in row] for row in rows] == expected


def test_empty_worksheet_and_chartsheet_read_empty(tmp_path):
    path = package(tmp_path / "rong.xlsx", {"S": "<sheetData/>"})
    assert both_paths(path, "S") == []
    chart = package(tmp_path / "bieu-do.xlsx", {"Biểu đồ": "<drawing/>"}, root="chartsheet")
    assert xlsx_read.read_sheet(chart, "Biểu đồ") == []


# -- the samples read exactly as before ------------------------------------------------


@pytest.mark.parametrize("name,sheet", SAMPLE_SHEETS, ids=[s for _, s in SAMPLE_SHEETS])
def test_samples_read_exactly_as_the_previous_reader(name, sheet, paths_taken):
    grid = xlsx_read.read_sheet(SAMPLES / name, sheet)
    assert paths_taken == ["calamine"]
    assert isinstance(grid, Grid) and list(grid) == legacy_read(SAMPLES / name, sheet)
    assert grid.warnings == [] and grid.formulas == set()
    assert both_paths(SAMPLES / name, sheet) == grid


def test_samples_list_their_merged_title_cells():
    grid = xlsx_read.read_sheet(SAMPLES / "hoi-thi-sang-tao-ky-thuat.xlsx", "Giải pháp dự thi")
    assert (3, 0, 3, 9) in grid.merges  # A4:J4
    expected = {(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in
                openpyxl.load_workbook(SAMPLES / "hoi-thi-sang-tao-ky-thuat.xlsx")["Giải pháp dự thi"]
                .merged_cells.ranges}
    assert set(grid.merges) == expected


# -- files that cannot be read ---------------------------------------------------------


def sample_copy(tmp_path: Path, name: str = "bang.xlsx") -> Path:
    target = tmp_path / name
    shutil.copyfile(SAMPLES / "quy-che-phoi-hop.xlsx", target)
    return target


def corrupt(tmp_path: Path) -> Path:
    """Damage the compressed bytes of the worksheet; the zip directory stays intact."""
    path = sample_copy(tmp_path)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[start:start + 64] = bytes(64)
    path.write_bytes(bytes(data))
    return path


def truncated(tmp_path: Path) -> Path:
    path = sample_copy(tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def compound_file(streams: list[str]) -> bytes:
    """A minimal OLE2 compound file (512-byte sectors) whose directory lists ``streams``."""
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector; directory at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, end, 0, end, 0)
    struct.pack_into("<109I", header, 76, 0, *[free] * 108)
    fat = struct.pack("<128I", fat_sector, end, *[free] * 126)
    names = ["Root Entry", *streams]
    directory = bytearray()
    for index, name in enumerate(names):
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\0\0"
        entry[:len(raw)] = raw
        struct.pack_into("<HBB", entry, 64, len(raw), 5 if index == 0 else 2, 1)
        sibling = index + 1 if 0 < index < len(names) - 1 else free
        struct.pack_into("<III", entry, 68, free, sibling, 1 if index == 0 and len(names) > 1 else free)
        struct.pack_into("<I", entry, 116, end)
        directory += entry
    return bytes(header) + fat + bytes(directory.ljust(512, b"\0"))


def ods(tmp_path: Path) -> Path:
    path = tmp_path / "bang.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:'
                                        'opendocument:xmlns:office:1.0"/>')
    return path


def docx(tmp_path: Path) -> Path:
    path = tmp_path / "bang.xlsx"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                                        f'2006/relationships"><Relationship Id="rId1" Type="{rel}" '
                                        'Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                              'wordprocessingml/2006/main"/>')
    return path


def written(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bang.xlsx"
    path.write_bytes(data)
    return path


UNREADABLE = {
    "corrupt": (corrupt, "bị hỏng, không đọc được: hãy mở bằng Excel"),
    "truncated": (truncated, "bị cắt cụt (chép hoặc tải về chưa hết): hãy chép hoặc tải lại tệp"),
    "empty": (lambda t: written(t, b""), "rỗng (0 byte)"),
    "csv": (lambda t: written(t, "STT,Họ và tên,Ngày sinh\r\n1,Nguyễn Văn A,12/05/1980\r\n".encode()),
            "là tệp văn bản (CSV) được đổi tên thành .xlsx: hãy mở bằng Excel và lưu thành .xlsx"),
    "html": (lambda t: written(t, b"<html><body><table><tr><td>STT</td></tr></table></body></html>"),
             "là trang web (HTML) hoặc XML được đổi tên thành .xlsx"),
    "xls": (lambda t: written(t, compound_file(["Workbook", "\x05SummaryInformation"])),
            "là định dạng .xls cũ: mở bằng Excel và lưu thành .xlsx."),
    "ods": (ods, "là định dạng .ods (LibreOffice, OpenOffice): mở bằng LibreOffice hoặc Excel và lưu "
                 "thành .xlsx."),
    "password": (lambda t: written(t, compound_file(["EncryptionInfo", "EncryptedPackage"])),
                 "có mật khẩu: hãy mở bằng Excel, gỡ mật khẩu"),
    "docx": (docx, "không phải bảng tính .xlsx: hãy mở bằng Excel và lưu thành .xlsx"),
    "binary": (lambda t: written(t, bytes(range(256)) * 4), "không phải bảng tính .xlsx"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_unreadable_file_says_what_it_is_and_what_to_do(tmp_path, case):
    """Reading says it, and so does listing the sheets (except for damage inside a worksheet,
    which only reading that worksheet meets)."""
    make, sentence = UNREADABLE[case]
    path = make(tmp_path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    attempts = [lambda: XlsxBackend(path).read("Văn bản phối hợp")]
    if case != "corrupt":
        attempts.append(XlsxBackend(path).worksheets)
    for attempt in attempts:
        with pytest.raises(BackendError) as info:
            attempt()
        assert not isinstance(info.value, WorksheetNotFound)
        message = str(info.value)
        assert sentence in message and f'"{path}"' in message
        assert message.count(".") >= 1 and "\n" not in message
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bang.xlsx"]


def test_missing_file_and_directory_are_named(tmp_path):
    with pytest.raises(BackendError, match=r'^Không tìm thấy tệp ".*khong-co\.xlsx": kiểm tra lại'):
        XlsxBackend(tmp_path / "khong-co.xlsx").read("S")
    with pytest.raises(BackendError, match=r'^Không tìm thấy tệp ".*khong-co\.xlsx"'):
        XlsxBackend(tmp_path / "khong-co.xlsx").worksheets()
    (tmp_path / "thu-muc.xlsx").mkdir()
    for attempt in (XlsxBackend(tmp_path / "thu-muc.xlsx").worksheets,
                    lambda: XlsxBackend(tmp_path / "thu-muc.xlsx").read("S")):
        with pytest.raises(BackendError, match=r'^".*thu-muc\.xlsx" là một thư mục, không phải tệp \.xlsx'):
            attempt()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_file_without_read_permission_says_so(tmp_path):
    path = sample_copy(tmp_path)
    path.chmod(0)
    try:
        with pytest.raises(BackendError, match=r'^Không có quyền đọc tệp ".*bang\.xlsx"'):
            XlsxBackend(path).read("Văn bản phối hợp")
    finally:
        path.chmod(0o644)


def test_permission_error_on_open_says_so(tmp_path, monkeypatch):
    """The same case as above where it cannot happen for real (tests running as root)."""
    path = sample_copy(tmp_path)

    def refuse(name, mode="r"):
        raise PermissionError(13, "Permission denied", str(name))

    monkeypatch.setattr(xlsx_read, "open", refuse, raising=False)
    with pytest.raises(BackendError, match=r'^Không có quyền đọc tệp ".*bang\.xlsx": hãy cấp quyền đọc'):
        XlsxBackend(path).worksheets()


def test_missing_worksheet_names_the_ones_there():
    with pytest.raises(WorksheetNotFound, match='Không tìm thấy trang tính "Danh sách" trong tệp '
                                                '"tu-van-phan-bien.xlsx". Các trang tính hiện có: '
                                                '"Nhiệm vụ TVPB 2023", "Chuyên gia".'):
        xlsx_read.read_sheet(SAMPLES / "tu-van-phan-bien.xlsx", "Danh sách")


def test_worksheets_lists_sheet_names_in_order():
    assert XlsxBackend(SAMPLES / "tu-van-phan-bien.xlsx").worksheets() == ["Nhiệm vụ TVPB 2023", "Chuyên gia"]


def test_read_counts_a_request_and_returns_a_grid():
    backend = XlsxBackend(SAMPLES / "tu-van-phan-bien.xlsx")
    grid = backend.read("Chuyên gia")
    assert isinstance(grid, Grid) and backend.requests.as_dict() == {"reads": 1, "writes": 0}


# -- `sheets link` shows the same sentences ----------------------------------------------


@pytest.fixture
def cli(sync_pm, db_url, sync_app):
    from click.testing import CliRunner

    from cli import build_cli

    def invoke(*args):
        return CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, *args])

    return invoke


@pytest.mark.parametrize("case", ["xls", "password", "truncated"])
def test_link_without_worksheet_explains_an_unreadable_file(cli, unit, tmp_path, case):
    make, sentence = UNREADABLE[case]
    path = make(tmp_path)
    result = cli("sheets", "link", "test.entries", str(path), "--unit", unit.name)
    assert result.exit_code == 2 and sentence in result.output, result.output
    result = cli("sheets", "link", "test.entries", str(path), "--worksheet", "Giải pháp dự thi",
                 "--unit", unit.name)
    assert result.exit_code == 2 and sentence in result.output, result.output
