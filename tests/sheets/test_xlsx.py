"""XlsxBackend against the sample office workbooks (copied to tmp_path, never written)."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from sheets import xlsx, xlsx_read
from sheets.backend import Backend, BackendError, Cell, WorksheetNotFound
from sheets.xlsx import XlsxBackend

SAMPLES = Path("/work/shared/samples")
CONTEST = "hoi-thi-sang-tao-ky-thuat.xlsx"
ENTRIES = "Giải pháp dự thi"

# (file, sheet, header row, a header that first appears on that row) — samples/README.md
HEADERS = [
    (CONTEST, ENTRIES, 7, "Tên giải pháp"),
    (CONTEST, "Phiếu chấm - CNTT", 4, "STT giải pháp"),
    (CONTEST, "Phiếu chấm - Cơ khí", 4, "STT giải pháp"),
    (CONTEST, "Phiếu chấm - Vật liệu", 4, "STT giải pháp"),
    (CONTEST, "Phiếu chấm - Nông nghiệp", 4, "STT giải pháp"),
    (CONTEST, "Phiếu chấm - Y dược", 4, "Tính mới, sáng tạo (30)"),
    (CONTEST, "Phiếu chấm - Giáo dục", 4, "STT giải pháp"),
    (CONTEST, "Giám khảo", 4, "Học hàm, học vị"),
    ("cuoc-thi-sang-tao-thanh-thieu-nien.xlsx", "Bài dự thi", 3, "Tên mô hình, sản phẩm"),
    ("cuoc-thi-sang-tao-thanh-thieu-nien.xlsx", "Phiếu chấm tổ 1", 4, "STT bài dự thi"),
    ("cuoc-thi-sang-tao-thanh-thieu-nien.xlsx", "Phiếu chấm tổ 2", 4, "STT bài dự thi"),
    ("cuoc-thi-sang-tao-thanh-thieu-nien.xlsx", "Giám khảo", 3, "Họ và tên"),
    ("ton-vinh-tri-thuc.xlsx", "Đề cử 2023", 5, "Họ tên"),
    ("ton-vinh-tri-thuc.xlsx", "Tôn vinh 2021", 4, "Họ và tên"),
    ("tap-huan-hoi-thao.xlsx", "Hoạt động 2020-2022", 4, "Kinh phí\nngân sách"),
    ("tu-van-phan-bien.xlsx", "Nhiệm vụ TVPB 2023", 3, "Trạng  thái"),
    ("tu-van-phan-bien.xlsx", "Chuyên gia", 3, "Học hàm, học vị"),
    ("quy-che-phoi-hop.xlsx", "Văn bản phối hợp", 4, "Hiệu lực\nđến"),
]
SHEETS = [(f, s) for f, s, _, _ in HEADERS]


def copy_sample(tmp_path: Path, name: str = CONTEST) -> Path:
    target = tmp_path / name
    shutil.copyfile(SAMPLES / name, target)  # copyfile: the samples' read-only mode stays behind
    return target


def openpyxl_grid(path: Path, sheet: str) -> list[list]:
    """The reference read: openpyxl data_only=True, normalised like the backend's model."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    rows = [[None if v == "" else int(v) if isinstance(v, float) and v.is_integer()
             else v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v
             for v in row] for row in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def padded(grid: list[list], width: int) -> list[list]:
    return [row + [None] * (width - len(row)) for row in grid]


def snapshot(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


# -- reading ---------------------------------------------------------------------------


def test_backend_satisfies_the_protocol(tmp_path):
    assert isinstance(XlsxBackend(tmp_path / "x.xlsx"), Backend)


@pytest.mark.parametrize("name,sheet,row,header", HEADERS, ids=[s for _, s, _, _ in HEADERS])
def test_read_finds_header_on_documented_row(name, sheet, row, header):
    grid = XlsxBackend(SAMPLES / name).read(sheet)
    assert header in grid[row - 1]
    assert all(header not in above for above in grid[: row - 1])


@pytest.mark.parametrize("name,sheet", SHEETS, ids=[s for _, s in SHEETS])
def test_read_matches_openpyxl_on_every_sample_sheet(name, sheet, monkeypatch):
    def no_fallback(book, part):
        raise AssertionError("the samples must be read by calamine")

    monkeypatch.setattr(xlsx_read, "_read_streamed", no_fallback)
    ours = XlsxBackend(SAMPLES / name).read(sheet)
    reference = openpyxl_grid(SAMPLES / name, sheet)
    width = max(map(len, ours + reference))
    assert padded(ours, width) == padded(reference, width)


def test_read_returns_nfd_header_unchanged():
    header = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)[6][5]
    assert header == unicodedata.normalize("NFD", "Lĩnh vực")
    assert header != unicodedata.normalize("NFC", header)


def test_read_returns_date_cells_as_dates():
    value = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)[17][6]  # G18, a real date cell
    assert type(value) is dt.date and value == dt.date(2021, 5, 12)


def test_read_returns_integral_numbers_as_int():
    value = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)[8][0]  # A9, STT 1
    assert type(value) is int and value == 1


def test_read_returns_empty_cells_as_none():
    grid = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)
    assert grid[19] == [None] * len(grid[19])  # blank row 20
    assert "" not in {v for row in grid for v in row}


def test_read_keeps_text_exactly_as_stored():
    grid = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)
    assert grid[8][4] == "UBND huyện Lạng Giang "  # trailing space kept
    assert grid[8][6] == "17/5/2021"  # date typed as text stays text


def test_read_returns_quote_prefixed_formula_text_as_text():
    value = XlsxBackend(SAMPLES / CONTEST).read(ENTRIES)[76][1]  # B77
    assert value.startswith('=HYPERLINK("https://classroom.google.com"')


def test_read_starts_at_a1_when_data_starts_later(tmp_path):
    book = Workbook()
    book.active.title = "S"
    book.active["C3"] = "x"
    book.save(tmp_path / "late.xlsx")
    assert XlsxBackend(tmp_path / "late.xlsx").read("S") == [[None] * 3, [None] * 3, [None, None, "x"]]


def test_read_keeps_error_cells_as_their_text(tmp_path):
    book = Workbook()
    book.active.title = "S"
    book.active["A1"] = "a"
    book.active["B1"] = "#N/A"  # openpyxl stores this as an error cell (t="e")
    book.save(tmp_path / "err.xlsx")
    assert XlsxBackend(tmp_path / "err.xlsx").read("S") == [["a", "#N/A"]]


def test_read_of_empty_worksheet_is_empty(tmp_path):
    backend = XlsxBackend.create(tmp_path / "e.xlsx", {"S": []})
    assert backend.read("S") == []


def test_read_counts_one_read_per_call():
    backend = XlsxBackend(SAMPLES / CONTEST)
    backend.read(ENTRIES)
    backend.read("Giám khảo")
    assert backend.requests.as_dict() == {"reads": 2, "writes": 0}


def test_read_missing_worksheet_names_it_and_lists_sheets():
    with pytest.raises(WorksheetNotFound) as info:
        XlsxBackend(SAMPLES / CONTEST).read("Danh sách")
    message = str(info.value)
    assert "Không tìm thấy trang tính" in message and '"Danh sách"' in message
    assert '"Giải pháp dự thi"' in message and '"Giám khảo"' in message


def test_read_missing_file_names_it(tmp_path):
    with pytest.raises(BackendError, match=r'Không tìm thấy tệp ".*khong-co\.xlsx"'):
        XlsxBackend(tmp_path / "khong-co.xlsx").read("S")


# -- writing ---------------------------------------------------------------------------


def write_codes(path: Path) -> XlsxBackend:
    """A typical sync write: a Mã column K with a header and a few codes."""
    backend = XlsxBackend(path)
    backend.write(ENTRIES, [Cell(7, 11, "Mã"), Cell(9, 11, "CT-000001"), Cell(10, 11, "CT-000002")])
    return backend


def test_write_sets_cells(tmp_path):
    path = copy_sample(tmp_path)
    grid = write_codes(path).read(ENTRIES)
    assert [grid[6][10], grid[8][10], grid[9][10]] == ["Mã", "CT-000001", "CT-000002"]


def test_write_saves_once_per_batch(tmp_path, monkeypatch):
    path = copy_sample(tmp_path)
    saves = []
    original = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (saves.append(dst), original(src, dst)))
    backend = write_codes(path)
    assert saves == [path]
    assert backend.requests.as_dict() == {"reads": 0, "writes": 1}


def test_write_preserves_other_sheets(tmp_path):
    path = copy_sample(tmp_path)
    others = [s for f, s in SHEETS if f == CONTEST and s != ENTRIES]
    before = {s: snapshot(path, s) for s in others}
    write_codes(path)
    assert openpyxl.load_workbook(path).sheetnames == [s for f, s in SHEETS if f == CONTEST]
    assert {s: snapshot(path, s) for s in others} == before


def test_write_preserves_title_rows(tmp_path):
    path = copy_sample(tmp_path)
    before = snapshot(path, ENTRIES)[:6]
    write_codes(path)
    after = snapshot(path, ENTRIES)[:6]
    assert [row[:10] for row in after] == before and all(row[10] is None for row in after)


def test_write_preserves_merged_cells(tmp_path):
    path = copy_sample(tmp_path)
    before = {str(r) for r in openpyxl.load_workbook(path)[ENTRIES].merged_cells.ranges}
    write_codes(path)
    assert {str(r) for r in openpyxl.load_workbook(path)[ENTRIES].merged_cells.ranges} == before
    assert "A4:J4" in before


def test_write_preserves_unknown_column(tmp_path):
    path = copy_sample(tmp_path)
    column = [row[9] for row in snapshot(path, ENTRIES)]  # J: 'Người nhập'
    write_codes(path)
    assert [row[9] for row in snapshot(path, ENTRIES)] == column
    assert column[6] == "Người nhập"


def test_write_preserves_styled_cell_font(tmp_path):
    path = copy_sample(tmp_path)

    def fonts():
        ws = openpyxl.load_workbook(path)[ENTRIES]
        return [(ws[c].font.b, ws[c].font.i, ws[c].font.sz, ws[c].font.name) for c in ("A1", "A5", "J7")]

    before = fonts()
    write_codes(path)
    assert fonts() == before
    assert before[0][0] is True and before[1][1] is True  # bold title, italic line


def test_write_preserves_column_widths(tmp_path):
    path = copy_sample(tmp_path)
    before = {k: d.width for k, d in openpyxl.load_workbook(path)[ENTRIES].column_dimensions.items()}
    write_codes(path)
    after = {k: d.width for k, d in openpyxl.load_workbook(path)[ENTRIES].column_dimensions.items()}
    assert {k: after.get(k) for k in before} == before


def test_write_preserves_data_validation(tmp_path):
    path = copy_sample(tmp_path)
    book = openpyxl.load_workbook(path)
    rule = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
    rule.add("I9:I79")
    book[ENTRIES].add_data_validation(rule)
    book.save(path)
    write_codes(path)
    rules = openpyxl.load_workbook(path)[ENTRIES].data_validations.dataValidation
    assert [(r.formula1, str(r.sqref)) for r in rules] == [('"Có,Không"', "I9:I79")]


def test_write_new_column_copies_left_neighbour_style(tmp_path):
    path = copy_sample(tmp_path)
    write_codes(path)
    ws = openpyxl.load_workbook(path)[ENTRIES]
    assert ws["K7"].font.b is True and ws["K7"].border.left.style == "thin"
    assert ws["K9"].border.left.style == ws["J9"].border.left.style


def test_write_keeps_existing_quote_prefixed_text(tmp_path):
    path = copy_sample(tmp_path)
    write_codes(path)
    cell = openpyxl.load_workbook(path)[ENTRIES]["B77"]
    assert cell.data_type == "s" and cell.quotePrefix and cell.value.startswith("=HYPERLINK(")


DANGEROUS = ["=SUM(A1:A2)", "+84 912 345 678", "- gạch đầu dòng", "@Ban tổ chức", "#N/A"]


def write_dangerous(path: Path) -> XlsxBackend:
    backend = XlsxBackend(path)
    backend.write(ENTRIES, [Cell(9 + i, 9, text) for i, text in enumerate(DANGEROUS)])
    return backend


def test_write_formula_looking_text_round_trips_as_text(tmp_path):
    grid = write_dangerous(copy_sample(tmp_path)).read(ENTRIES)
    assert [grid[8 + i][8] for i in range(len(DANGEROUS))] == DANGEROUS


def test_write_formula_looking_text_is_a_text_cell(tmp_path):
    path = copy_sample(tmp_path)
    styles = zipfile.ZipFile(path).read("xl/styles.xml")
    write_dangerous(path)
    ws = openpyxl.load_workbook(path, data_only=False)[ENTRIES]
    cells = [ws.cell(9 + i, 9) for i in range(len(DANGEROUS))]
    assert [(c.value, c.data_type) for c in cells] == [(t, "s") for t in DANGEROUS]
    # Inline text, not a quotePrefix style: styles.xml stays byte for byte.
    assert zipfile.ZipFile(path).read("xl/styles.xml") == styles


def test_write_formula_looking_text_has_no_formula_in_the_file(tmp_path):
    path = copy_sample(tmp_path)
    write_dangerous(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert not re.search(r'<c r="I\d+"[^>]*t="e"', xml)  # '#N/A' is text, not an error cell


def test_write_numbers_stay_numbers_and_none_clears(tmp_path):
    path = copy_sample(tmp_path)
    backend = XlsxBackend(path)
    backend.write(ENTRIES, [Cell(9, 9, 85.5), Cell(10, 9, 1200), Cell(9, 10, None)])
    grid = backend.read(ENTRIES)
    assert (grid[8][8], grid[9][8], grid[8][9]) == (85.5, 1200, None)


def test_write_beyond_used_range_grows_it(tmp_path):
    path = copy_sample(tmp_path)
    backend = XlsxBackend(path)
    backend.write(ENTRIES, [Cell(100, 20, "xa")])
    grid = backend.read(ENTRIES)
    assert len(grid) == 100 and len(grid[99]) == 20 and grid[99][19] == "xa"


def test_write_empty_batch_does_not_touch_the_file(tmp_path, monkeypatch):
    path = copy_sample(tmp_path)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("loaded"))
    backend = XlsxBackend(path)
    backend.write(ENTRIES, [])
    assert path.stat().st_mtime_ns == 1_600_000_000_000_000_000
    assert backend.requests.writes == 0


def test_write_failing_midway_leaves_original_intact(tmp_path, monkeypatch):
    path = copy_sample(tmp_path)
    original = path.read_bytes()

    def crash(source, temp, sheet, cells):
        Path(temp).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx, "write_cells", crash)
    backend = XlsxBackend(path)
    with pytest.raises(BackendError, match="Không ghi được tệp"):
        backend.write(ENTRIES, [Cell(9, 11, "CT-000001")])
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == [CONTEST]  # no temp file left
    assert backend.requests.writes == 0


def test_write_after_file_only_touched_since_read_still_writes(tmp_path):
    path = copy_sample(tmp_path)
    backend = XlsxBackend(path)
    backend.read(ENTRIES)
    os.utime(path, ns=(1, 1))  # someone else saved the workbook
    backend.write(ENTRIES, [Cell(9, 11, "CT-000001")])
    assert backend.read(ENTRIES)[8][10] == "CT-000001"


def test_write_into_merged_area_is_refused_and_names_it(tmp_path):
    path = copy_sample(tmp_path)
    original = path.read_bytes()
    with pytest.raises(BackendError, match="B4.*A4:J4"):
        XlsxBackend(path).write(ENTRIES, [Cell(4, 2, "x")])
    assert path.read_bytes() == original


def test_write_missing_worksheet_names_it(tmp_path):
    with pytest.raises(WorksheetNotFound, match='Không tìm thấy trang tính "Danh sách"'):
        XlsxBackend(copy_sample(tmp_path)).write("Danh sách", [Cell(1, 1, "x")])


def test_write_missing_file_names_it(tmp_path):
    with pytest.raises(BackendError, match=r'Không tìm thấy tệp ".*khong-co\.xlsx"'):
        XlsxBackend(tmp_path / "khong-co.xlsx").write("S", [Cell(1, 1, "x")])


# -- worksheets and new workbooks ------------------------------------------------------


def test_add_worksheet_creates_it_in_existing_workbook(tmp_path):
    path = copy_sample(tmp_path)
    backend = XlsxBackend(path)
    backend.add_worksheet("Nhật ký đồng bộ")
    assert openpyxl.load_workbook(path).sheetnames[-1] == "Nhật ký đồng bộ"
    assert backend.read("Nhật ký đồng bộ") == [] and backend.requests.writes == 1


def test_add_worksheet_existing_is_a_no_op(tmp_path):
    path = copy_sample(tmp_path)
    before = path.read_bytes()
    backend = XlsxBackend(path)
    backend.add_worksheet(ENTRIES)
    assert path.read_bytes() == before and backend.requests.writes == 0


def test_add_worksheet_creates_missing_workbook(tmp_path):
    backend = XlsxBackend(tmp_path / "moi.xlsx")
    backend.add_worksheet("Danh sách")
    assert openpyxl.load_workbook(tmp_path / "moi.xlsx").sheetnames == ["Danh sách"]


def test_create_writes_grids_with_text_as_text(tmp_path):
    backend = XlsxBackend.create(tmp_path / "new.xlsx", {
        "A": [["Tên", "Số"], ["=1+1", 3], [None, 2.5]],
        "B": [[None, "x"]],
    })
    assert backend.read("A") == [["Tên", "Số"], ["=1+1", 3], [None, 2.5]]
    assert backend.read("B") == [[None, "x"]]
    assert openpyxl.load_workbook(tmp_path / "new.xlsx")["A"]["A2"].data_type == "s"
