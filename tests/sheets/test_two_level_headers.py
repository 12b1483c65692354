"""End to end: a workbook with a two-level header ("Kinh phí" merged over "Ngân sách" and
"Huy động", the other headers merged down over both rows), read through the xlsx backend
and the ``training.activities`` mapping (spec/sheets.md, Finding the table).

The backend may or may not report the merged ranges (``Grid.merges``); the header must be
read the same either way, so every test runs on the grid as the backend gives it, on the
same rows without any merged ranges (the cells alone), and with the merged ranges taken
from the file by openpyxl.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from plugins.training.sheets import ActivityMapping
from sheets.backend import Cell, Grid
from sheets.reader import read_table
from sheets.xlsx import XlsxBackend

SHEET = "Hoạt động 2021"
KINDS = {"Hội thảo khoa học": (), "Tập huấn kỹ thuật": ("Tập huấn",), "Phổ biến kiến thức": ()}
HEADER_TOP = ["STT", "Tên hoạt động", "Loại hoạt động", "Ngày bắt đầu", "Địa điểm", "Số người tham dự",
              "Kinh phí", None, "Ghi chú"]
HEADER_LOW = [None, None, None, None, None, None, "Ngân sách", "Huy động", None]
ROWS = [
    [1, "Hội thảo chuyển đổi số", "Hội thảo khoa học", "15/03/2021", "Bắc Giang", 120, "50.000.000", "5 triệu", None],
    [2, "Tập huấn trồng vải", "Tập huấn", dt.date(2021, 4, 2), "Lục Ngạn", 80, 12_500_000, None, "2 lớp"],
    [3, "Phổ biến kiến thức pháp luật", "Phổ biến kiến thức", "2021-05-20", "Yên Thế", 200, "12,5 triệu", "1.500.000", None],
]
TOTAL = ["Tổng cộng", None, None, None, None, 400, "75.000.000", "6.500.000", None]


@pytest.fixture
def workbook(tmp_path):
    """Title rows 1–3, blank row 4, header rows 5–6, data rows 7–9, a total row 10."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT TỈNH BẮC GIANG"
    sheet["A2"] = "BÁO CÁO HOẠT ĐỘNG TẬP HUẤN, HỘI THẢO NĂM 2021"
    sheet["A3"] = "(Kèm theo Báo cáo số 12/BC-LHH)"
    for row, values in enumerate([HEADER_TOP, HEADER_LOW, *ROWS, TOTAL], start=5):
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row, col, value)
    for merged in ["A1:I1", "A2:I2", "A3:I3", "G5:H5", "A5:A6", "B5:B6", "C5:C6", "D5:D6", "E5:E6", "F5:F6", "I5:I6"]:
        sheet.merge_cells(merged)
    path = tmp_path / "tap-huan-2021.xlsx"
    book.save(path)
    return path


def merges_of(path) -> list[tuple[int, int, int, int]]:
    sheet = openpyxl.load_workbook(path)[SHEET]
    return [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in sheet.merged_cells.ranges]


def read(path, merges: str):
    grid = XlsxBackend(path).read(SHEET)
    if merges == "none":
        grid = [list(row) for row in grid]
    elif merges == "from-file":
        grid = Grid(grid, formulas=getattr(grid, "formulas", ()), merges=merges_of(path))
    return read_table(grid, ActivityMapping(kinds=KINDS))


BOTH = pytest.mark.parametrize("merges", ["as-read", "none", "from-file"])


@BOTH
def test_two_level_money_columns_are_read_from_an_xlsx_workbook(workbook, merges):
    table = read(workbook, merges)
    assert (table.header_top + 1, table.header_index + 1) == (5, 6)
    assert table.headers["state_budget"] == "Kinh phí › Ngân sách"
    assert table.headers["other_budget"] == "Kinh phí › Huy động"
    assert table.columns["title"] == 1 and table.columns["notes"] == 8  # merged down: read from row 5
    assert [row.excel_row for row in table.rows] == [7, 8, 9]
    assert table.skipped == {"blank": 0, "section": 0, "total": 1}
    assert table.warnings == []  # the total row matches the records
    parsed = [table.parse(row) for row in table.rows]
    assert [row.errors for row in parsed] == [[], [], []]
    assert [(row.values["state_budget"], row.values["other_budget"]) for row in parsed] == [
        (50_000_000, 5_000_000), (12_500_000, None), (12_500_000, 1_500_000),
    ]
    assert [row.values["start_date"] for row in parsed] == [dt.date(2021, 3, 15), dt.date(2021, 4, 2), dt.date(2021, 5, 20)]


@BOTH
def test_own_columns_go_in_the_lower_header_row_and_are_found_again(workbook, merges):
    table = read(workbook, merges)
    assert (table.key_col, table.status_col) == (9, 10)  # J and K, right of the table
    backend = XlsxBackend(workbook)
    backend.write(SHEET, [Cell(table.header_index + 1, table.key_col + 1, "Mã"),
                          Cell(table.header_index + 1, table.status_col + 1, "Trạng thái đồng bộ"),
                          Cell(7, table.key_col + 1, "HD-000001"), Cell(7, table.status_col + 1, "Mới")])
    again = read(workbook, merges)
    assert (again.key_header_missing, again.status_header_missing) == (False, False)
    assert (again.key_col, again.status_col, again.header_index) == (9, 10, 5)
    assert again.rows[0].key == "HD-000001"
    assert again.columns == table.columns
