"""sheets.table: finding the table in an office sheet (spec/sheets.md, Finding the table).

The second half checks the functions against the real sample workbooks and what
samples/README.md documents about them (Overview table, per-sheet row lists, totals).
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from sheets.table import (
    ColumnMatch,
    TotalMismatch,
    check_totals,
    classify_row,
    find_header_row,
    header_key,
    match_columns,
)
from sheets.values import (
    CellError,
    is_empty,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    parse_season,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- header_key --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "written, canonical",
    [
        ("Kinh phí\nngân sách", "Kinh phí ngân sách"),
        ("Trạng  thái", "Trạng thái"),
        (nfd("Lĩnh vực"), "Lĩnh vực"),
        ("ĐỐI TÁC", "Đối tác"),
        ("Hiệu lực\nđến", "Hiệu lực đến"),
        (" Họ và tên ", "Họ và tên"),
        ("Số\u00a0đại biểu", "Số đại biểu"),
    ],
)
def test_header_key_matches_canonical_spelling(written, canonical):
    assert header_key(written) == header_key(canonical)


def test_header_key_of_empty_cell_is_empty():
    assert header_key(None) == ""


# --- find_header_row -------------------------------------------------------------------------

TITLE_GRID = [
    ["LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT TỈNH BẮC GIANG", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["DANH SÁCH HỌ VÀ TÊN", None],
    [],
    ["STT", "Họ tên", "Năm sinh", nfd("Hình thức tôn vinh")],
    [1, "Nguyễn Văn A", 1970, "Tân Tiến sĩ"],
]


def test_find_header_row_skips_title_rows():
    assert find_header_row(TITLE_GRID, [["Họ và tên", "Họ tên"], ["Năm sinh"]]) == 3


def test_find_header_row_accepts_any_alias_of_a_group():
    assert find_header_row(TITLE_GRID, [["Tên tác giả", "Họ tên"]]) == 3


def test_find_header_row_matches_nfd_header():
    assert find_header_row(TITLE_GRID, [["Hình thức tôn vinh"]]) == 3


def test_find_header_row_accepts_a_plain_string_group():
    assert find_header_row(TITLE_GRID, ["Năm sinh"]) == 3


def test_find_header_row_none_when_a_required_header_is_missing():
    assert find_header_row(TITLE_GRID, [["Họ và tên", "Họ tên"], ["Ngày sinh"]]) is None


def test_find_header_row_needs_every_group_in_the_same_row():
    grid = [["Họ và tên", None], [None, "Năm sinh"]]
    assert find_header_row(grid, [["Họ và tên"], ["Năm sinh"]]) is None


def test_find_header_row_does_not_match_a_title_containing_the_header():
    grid = [["DANH SÁCH HỌ VÀ TÊN"], ["Họ và tên"]]
    assert find_header_row(grid, [["Họ và tên"]]) == 1


def test_find_header_row_returns_the_first_matching_row():
    grid = [["Họ và tên"], ["Họ và tên"]]
    assert find_header_row(grid, [["Họ và tên"]]) == 0


def test_find_header_row_looks_only_at_the_first_max_rows():
    grid = [[None]] * 15 + [["Họ và tên"]]
    assert find_header_row(grid, [["Họ và tên"]]) is None
    assert find_header_row(grid, [["Họ và tên"]], max_rows=16) == 15


def test_find_header_row_handles_ragged_and_empty_grids():
    assert find_header_row([], [["Họ và tên"]]) is None
    assert find_header_row([[], ["x"], [None, None, "Họ và tên"]], [["Họ và tên"]]) == 2


# --- match_columns ---------------------------------------------------------------------------

COLUMNS = {
    "name": ["Tên hoạt động", "Nội dung"],
    "start": ["Ngày bắt đầu", "Thời gian"],
    "state_money": ["Kinh phí ngân sách"],
    "other_money": ["Kinh phí huy động"],
    "status": ["Trạng thái"],
}
HEADER = ["STT", "Nội dung", None, "Thời gian", "Kinh phí\nngân sách", nfd("Kinh phí huy động"),
          "Người nhập", "  ", "Trạng  thái"]


def test_match_columns_maps_fields_to_columns_in_any_order():
    assert match_columns(HEADER, COLUMNS).index == {
        "name": 1, "start": 3, "state_money": 4, "other_money": 5, "status": 8,
    }


def test_match_columns_lists_unknown_columns_including_stt():
    assert match_columns(HEADER, COLUMNS).unknown == [0, 6]


def test_match_columns_keeps_headers_as_written():
    assert match_columns(HEADER, COLUMNS).headers == [
        "STT", "Nội dung", "Thời gian", "Kinh phí\nngân sách", nfd("Kinh phí huy động"),
        "Người nhập", "Trạng  thái",
    ]


def test_match_columns_has_no_duplicates_for_a_clean_header():
    assert match_columns(HEADER, COLUMNS).duplicates == {}


def test_match_columns_reports_a_field_matched_twice():
    match = match_columns(["Nội dung", "Tên hoạt động", "NỘI DUNG"], COLUMNS)
    assert match.duplicates == {"name": [0, 1, 2]}
    assert match.index["name"] == 0


def test_match_columns_header_for_gives_text_as_written():
    match = match_columns(HEADER, COLUMNS)
    assert match.header_for("state_money") == "Kinh phí\nngân sách"
    assert match.header_for("missing") is None


def test_match_columns_missing_lists_unmatched_fields():
    match = match_columns(["Nội dung"], COLUMNS)
    assert match.missing(["name", "start"]) == ["start"]


def test_match_columns_of_an_empty_row_is_empty():
    assert match_columns([], COLUMNS) == ColumnMatch()


def test_match_columns_accepts_non_text_header_cells():
    match = match_columns([2021, "Nội dung"], COLUMNS)
    assert match.unknown == [0]
    assert match.headers == ["2021", "Nội dung"]


def test_match_columns_rejects_a_spelling_listed_for_two_fields():
    with pytest.raises(ValueError):
        match_columns(["Nội dung"], {"a": ["Nội dung"], "b": ["NỘI DUNG"]})


# --- classify_row ------------------------------------------------------------------------------

@pytest.mark.parametrize("row", [[], [None, None], ["", "   ", "\n"], [None, "\u00a0"]])
def test_classify_row_blank(row):
    assert classify_row(row) == "blank"


@pytest.mark.parametrize(
    "row",
    [["I. LĨNH VỰC NÔNG NGHIỆP", None, None], [None, "1. Đồ dùng học tập"], ["NĂM 2020"],
     [None, None, "Bắc Giang, ngày 10 tháng 01 năm 2023"], [None, 12], ["Tổng hợp", None]],
)
def test_classify_row_section_has_one_non_empty_cell(row):
    assert classify_row(row) == "section"


@pytest.mark.parametrize(
    "row",
    [["Tổng cộng", None, 822500000], [None, "Cộng", 1700, 318000000], ["TỔNG", 5], ["Tổng số", 5],
     [" tổng  cộng ", 5], [nfd("Tổng cộng"), 5], ["Tổng cộng:", 5], ["Cộng\n", 1]],
)
def test_classify_row_total_by_first_non_empty_cell(row):
    assert classify_row(row) == "total"


@pytest.mark.parametrize("row", [["Tổng cộng"], [None, "Cộng", None]])
def test_classify_row_lone_total_label_is_total_not_section(row):
    assert classify_row(row) == "total"


@pytest.mark.parametrize(
    "row",
    [[1, "Hội thảo", None], ["Cộng đồng dân cư", "x"], [None, 5, "Tổng cộng"], [1, "Tổng"],
     ["Tổng kết", 3]],
)
def test_classify_row_data_has_two_or_more_cells(row):
    assert classify_row(row) == "data"


# --- check_totals --------------------------------------------------------------------------------

def data(row, **values):
    return ("data", row, None, values)


def total(row, label, **values):
    return ("total", row, label, values)


def section(row):
    return ("section", row, None, {})


def test_check_totals_no_warning_when_totals_match():
    rows = [section(5), data(6, a=1), data(7, a=2), total(8, "Cộng", a=3)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_reports_mismatch_with_row_field_and_figures():
    rows = [data(6, a=1), data(7, a=2), total(8, "Tổng cộng", a=4)]
    assert check_totals(rows, ["a"]) == [TotalMismatch(8, "a", 4, 3)]


def test_check_totals_subtotal_sums_since_last_section():
    rows = [section(1), data(2, a=100), section(3), data(4, a=1), data(5, a=2), total(6, "Cộng", a=3)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_subtotal_sums_since_previous_total():
    rows = [section(1), data(2, a=1), total(3, "Cộng", a=1), data(4, a=5), total(5, "Cộng", a=5)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_grand_total_sums_every_data_row_not_subtotals():
    rows = [section(1), data(2, a=1), total(3, "Cộng", a=1), section(4), data(5, a=2),
            total(6, "Cộng", a=2), total(7, "Tổng cộng", a=3)]
    assert check_totals(rows, ["a"]) == []


@pytest.mark.parametrize("label", ["Tổng cộng", "TỔNG", "Tổng số", nfd("Tổng cộng")])
def test_check_totals_any_other_label_sums_every_data_row(label):
    rows = [section(1), data(2, a=1), section(3), data(4, a=2), total(5, label, a=3)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_subtotal_label_is_matched_after_normalising():
    rows = [section(1), data(2, a=1), section(3), data(4, a=2), total(5, " CỘNG ", a=2)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_skips_fields_empty_in_the_total_row():
    rows = [data(2, a=1, b=7), total(3, "Tổng cộng", a=1, b=None)]
    assert check_totals(rows, ["a", "b"]) == []


def test_check_totals_treats_empty_data_cells_as_zero():
    rows = [data(2, a=1), data(3, a=None), data(4), total(5, "Tổng cộng", a=1)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_checks_only_sum_fields():
    rows = [data(2, a=1, b=1), total(3, "Tổng cộng", a=1, b=99)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_ignores_blank_rows():
    rows = [data(2, a=1), ("blank", 3, None, {}), data(4, a=2), total(5, "Cộng", a=3)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_sums_decimals_exactly():
    rows = [data(2, a=0.1), data(3, a=0.2), total(4, "Tổng cộng", a=0.3)]
    assert check_totals(rows, ["a"]) == []


def test_check_totals_reports_each_mismatching_field_of_each_total_row():
    rows = [data(2, a=1, b=1), total(3, "Cộng", a=2, b=2), data(4, a=1, b=1), total(5, "Tổng cộng", a=2, b=3)]
    assert check_totals(rows, ["a", "b"]) == [
        TotalMismatch(3, "a", 2, 1), TotalMismatch(3, "b", 2, 1), TotalMismatch(5, "b", 3, 2),
    ]


def test_total_mismatch_message_in_vietnamese():
    warning = TotalMismatch(57, "other_money", 57_500_000, 57_000_000)
    assert warning.message("Kinh phí huy động") == (
        'Dòng 57, cột "Kinh phí huy động": dòng tổng ghi 57.500.000, '
        "các dòng cộng lại 57.000.000 (chênh 500.000)"
    )


def test_total_mismatch_message_puts_a_multiline_header_on_one_line():
    warning = TotalMismatch(20, "state_money", 1_000, 900)
    assert 'cột "Kinh phí ngân sách"' in warning.message("Kinh phí\nngân sách")


def test_total_mismatch_message_writes_an_nfd_header_in_nfc():
    warning = TotalMismatch(57, "other_money", 2, 1)
    assert 'cột "Kinh phí huy động"' in warning.message(nfd("Kinh phí huy động"))


def test_total_mismatch_message_shows_difference_without_sign():
    warning = TotalMismatch(20, "count", 401, 402)
    assert warning.message("Số giải").endswith("dòng tổng ghi 401, các dòng cộng lại 402 (chênh 1)")


def test_total_mismatch_message_formats_decimals_with_comma():
    warning = TotalMismatch(9, "score", Decimal("170.5"), Decimal("1170.0"))
    assert warning.message("Điểm").endswith("dòng tổng ghi 170,5, các dòng cộng lại 1.170 (chênh 999,5)")


def test_total_mismatch_difference_is_signed():
    assert TotalMismatch(1, "a", 5, 7).difference == -2


# =====================================================================================
# The real sample workbooks
# =====================================================================================

def samples_dir() -> Path:
    """The shared sample workbooks: /work/shared/samples beside the repo (/work/main)."""
    path = Path(__file__).resolve().parents[3] / "shared" / "samples"
    if not (path / "README.md").is_file():
        pytest.skip(f"sample workbooks not found at {path}")
    return path


@lru_cache(maxsize=None)
def _workbook(name: str) -> dict[str, list[list]]:
    import openpyxl

    wb = openpyxl.load_workbook(samples_dir() / name, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def grid_of(name: str, sheet: str) -> list[list]:
    return _workbook(name)[sheet]


@lru_cache(maxsize=None)
def _readme() -> str:
    return (samples_dir() / "README.md").read_text(encoding="utf-8")


def overview() -> dict[tuple[str, str], dict[str, int]]:
    """The README's Overview table: (file, sheet) → its numeric columns."""
    text = _readme().split("## Overview", 1)[1].split("\n\n", 2)[1]
    table = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0].endswith(".xlsx"):
            numbers = [int(c) for c in cells[2:]]
            table[(cells[0], cells[1])] = dict(zip(
                ["header", "data", "valid", "invalid", "section", "total", "blank"], numbers))
    return table


def documented_rows() -> dict[tuple[str, str], dict[str, object]]:
    """The README's per-sheet lines: '- `Sheet`: header row 7; 60 data rows (…) in rows
    9–79; section rows 8, 21; footer rows …; total rows …; blank rows 20, 34'."""
    found, workbook = {}, None
    for line in _readme().splitlines():
        if m := re.match(r"## (\S+\.xlsx)", line):
            workbook = m[1]
        m = re.match(r"- `([^`]+)`: header row (\d+); (\d+) data rows \([^)]*\) in rows (\d+)–(\d+)(.*)", line)
        if m:
            lists = {k: [] for k in ("section", "footer", "total", "blank")}
            for kind, numbers in re.findall(r"; (section|footer|total|blank) rows ([\d, ]+)", m[6]):
                lists[kind] = [int(n) for n in numbers.split(",")]
            found[(workbook, m[1])] = {"header": int(m[2]), "data": int(m[3]),
                                       "first": int(m[4]), "last": int(m[5]), **lists}
    return found


CONTEST = "hoi-thi-sang-tao-ky-thuat.xlsx"
YOUTH = "cuoc-thi-sang-tao-thanh-thieu-nien.xlsx"
HONOURS = "ton-vinh-tri-thuc.xlsx"
TRAINING = "tap-huan-hoi-thao.xlsx"
CRITIQUE = "tu-van-phan-bien.xlsx"
COORDINATION = "quy-che-phoi-hop.xlsx"

SCORES = [["STT giải pháp", "STT bài dự thi"], ["Giám khảo"], ["Điểm"]]
JUDGES = [["Họ và tên", "Họ tên"], ["Lĩnh vực"], ["Đơn vị công tác"]]
NOMINEES = [["Họ và tên", "Họ tên", "Tên tác giả"], ["Năm sinh"], ["Hình thức tôn vinh"]]

# Two or three required headers per sheet, spelled canonically: the sheets write some of
# them as aliases, in NFD, in capitals, with doubled spaces or line breaks.
REQUIRED = {
    (CONTEST, "Giải pháp dự thi"): [["Tên giải pháp", "Tên mô hình, sản phẩm"], ["Tác giả"], ["Lĩnh vực"]],
    (CONTEST, "Phiếu chấm - CNTT"): SCORES,
    (CONTEST, "Phiếu chấm - Cơ khí"): SCORES,
    (CONTEST, "Phiếu chấm - Vật liệu"): SCORES,
    (CONTEST, "Phiếu chấm - Nông nghiệp"): SCORES,
    (CONTEST, "Phiếu chấm - Y dược"): SCORES,
    (CONTEST, "Phiếu chấm - Giáo dục"): SCORES,
    (CONTEST, "Giám khảo"): JUDGES,
    (YOUTH, "Bài dự thi"): [["Tên giải pháp", "Tên mô hình, sản phẩm"], ["Tác giả"], ["Đơn vị giới thiệu"]],
    (YOUTH, "Phiếu chấm tổ 1"): SCORES,
    (YOUTH, "Phiếu chấm tổ 2"): SCORES,
    (YOUTH, "Giám khảo"): JUDGES,
    (HONOURS, "Đề cử 2023"): NOMINEES,
    (HONOURS, "Tôn vinh 2021"): NOMINEES,
    (TRAINING, "Hoạt động 2020-2022"): [["Tên hoạt động", "Nội dung"], ["Ngày bắt đầu", "Thời gian"],
                                        ["Kinh phí ngân sách"]],
    (CRITIQUE, "Nhiệm vụ TVPB 2023"): [["Tên nhiệm vụ", "Tên đề án, dự án"], ["Trạng thái"], ["Hồ sơ đầy đủ"]],
    (CRITIQUE, "Chuyên gia"): [["Họ và tên"], ["Học hàm, học vị"], ["Chuyên ngành"]],
    (COORDINATION, "Văn bản phối hợp"): [["Đối tác"], ["Hiệu lực đến"], ["Phương thức"]],
}
SHEETS = pytest.mark.parametrize("name, sheet", list(REQUIRED), ids=[f"{n}:{s}" for n, s in REQUIRED])


def row_kinds(grid: list[list], header_index: int) -> dict[int, str]:
    """Excel row number → kind, for every row below the header."""
    return {i + 1: classify_row(row) for i, row in enumerate(grid) if i > header_index}


def test_readme_overview_lists_exactly_the_sheets_of_the_workbooks():
    in_workbooks = {(path.name, sheet) for path in samples_dir().glob("*.xlsx")
                    for sheet in _workbook(path.name)}
    assert set(overview()) == in_workbooks == set(REQUIRED)


def test_readme_per_sheet_lines_agree_with_overview():
    table, lines = overview(), documented_rows()
    assert set(lines) == set(table)
    for key, row in lines.items():
        assert (row["header"], row["data"]) == (table[key]["header"], table[key]["data"]), key
        assert len(row["section"]) + len(row["footer"]) == table[key]["section"], key
        assert (len(row["total"]), len(row["blank"])) == (table[key]["total"], table[key]["blank"]), key


@SHEETS
def test_find_header_row_finds_documented_header_row(name, sheet):
    index = find_header_row(grid_of(name, sheet), REQUIRED[(name, sheet)])
    assert index is not None and index + 1 == overview()[(name, sheet)]["header"]


@SHEETS
def test_every_required_header_is_matched_in_the_header_row(name, sheet):
    grid = grid_of(name, sheet)
    required = REQUIRED[(name, sheet)]
    match = match_columns(grid[find_header_row(grid, required)], {g[0]: g for g in required})
    assert match.missing(g[0] for g in required) == []
    assert match.duplicates == {}


@SHEETS
def test_row_kind_counts_below_header_match_overview(name, sheet):
    grid = grid_of(name, sheet)
    expected = overview()[(name, sheet)]
    kinds = list(row_kinds(grid, expected["header"] - 1).values())
    counts = {kind: kinds.count(kind) for kind in ("data", "section", "total", "blank")}
    assert counts == {kind: expected[kind] for kind in ("data", "section", "total", "blank")}


@SHEETS
def test_row_kinds_at_documented_rows(name, sheet):
    grid = grid_of(name, sheet)
    doc = documented_rows()[(name, sheet)]
    kinds = row_kinds(grid, doc["header"] - 1)
    assert sorted(r for r, k in kinds.items() if k == "section") == sorted(doc["section"] + doc["footer"])
    assert [r for r, k in kinds.items() if k == "total"] == doc["total"]
    assert [r for r, k in kinds.items() if k == "blank"] == doc["blank"]
    data_rows = [r for r, k in kinds.items() if k == "data"]
    assert (data_rows[0], data_rows[-1]) == (doc["first"], doc["last"])


def test_match_columns_on_training_sheet_maps_aliases_nfd_and_line_breaks():
    grid = grid_of(TRAINING, "Hoạt động 2020-2022")
    match = match_columns(grid[3], {
        "name": ["Tên hoạt động", "Nội dung"],
        "start": ["Ngày bắt đầu", "Thời gian"],
        "participants": ["Số người tham dự", "Số đại biểu"],
        "state_money": ["Kinh phí ngân sách"],
        "other_money": ["Kinh phí huy động"],
    })
    assert match.index == {"name": 2, "start": 4, "participants": 9, "state_money": 10, "other_money": 11}
    assert match.header_for("state_money") == "Kinh phí\nngân sách"
    assert match.header_for("other_money") == nfd("Kinh phí huy động")


def test_match_columns_on_coordination_sheet_leaves_unknown_columns():
    grid = grid_of(COORDINATION, "Văn bản phối hợp")
    match = match_columns(grid[3], {"partner": ["Đối tác"], "until": ["Hiệu lực đến"], "mode": ["Phương thức"],
                                    "unit": ["Đơn vị"]})
    assert match.index == {"partner": 1, "until": 5, "mode": 7, "unit": 11}
    unknown = [grid[3][col] for col in match.unknown]
    assert "Kết quả sơ kết" in unknown and "Người theo dõi" in unknown and "STT" in unknown


def test_match_columns_on_critique_sheet_matches_doubled_space():
    grid = grid_of(CRITIQUE, "Nhiệm vụ TVPB 2023")
    match = match_columns(grid[2], {"status": ["Trạng thái"], "name": ["Tên nhiệm vụ", "Tên đề án, dự án"]})
    assert match.index == {"status": 11, "name": 1}
    assert match.header_for("status") == "Trạng  thái"


# --- totals of tap-huan-hoi-thao.xlsx ---------------------------------------------------------

TRAINING_SUMS = {
    "Số đại biểu": ["Số người tham dự", "Số đại biểu"],
    "Kinh phí ngân sách": ["Kinh phí ngân sách"],
    "Kinh phí huy động": ["Kinh phí huy động"],
}
# samples/README.md, "Total rows" of sheet Hoạt động 2020-2022: (row, column) → (sheet, records)
DOCUMENTED_TOTALS = {
    (20, "Số đại biểu"): (1_700, 1_700),
    (20, "Kinh phí ngân sách"): (318_000_000, 318_000_000),
    (20, "Kinh phí huy động"): (11_500_000, 11_500_000),
    (57, "Kinh phí ngân sách"): (822_500_000, 822_500_000),
    (57, "Kinh phí huy động"): (57_500_000, 57_000_000),
}


def training_rows() -> tuple[list[tuple], ColumnMatch]:
    """The sheet's rows as check_totals takes them; an unreadable cell counts as empty
    (the README: planted invalid rows carry no money except their own bad cell)."""
    grid = grid_of(TRAINING, "Hoạt động 2020-2022")
    header = find_header_row(grid, [["Tên hoạt động", "Nội dung"], ["Kinh phí ngân sách"]])
    match = match_columns(grid[header], TRAINING_SUMS)

    def read(parse, value):
        try:
            return parse(value)
        except CellError:
            return None

    rows = []
    for excel_row, row in enumerate(grid[header + 1:], start=header + 2):
        kind = classify_row(row)
        label = next((cell for cell in row if not is_empty(cell)), None)
        values = {
            "Số đại biểu": read(parse_int, row[match.index["Số đại biểu"]]),
            "Kinh phí ngân sách": read(parse_money, row[match.index["Kinh phí ngân sách"]]),
            "Kinh phí huy động": read(parse_money, row[match.index["Kinh phí huy động"]]),
        }
        rows.append((kind, excel_row, label if kind == "total" else None, values))
    return rows, match


def test_training_total_rows_are_rows_20_and_57():
    rows, _ = training_rows()
    assert [(r[1], r[2]) for r in rows if r[0] == "total"] == [(20, "Cộng"), (57, "Tổng cộng")]


def test_training_total_rows_hold_documented_sheet_figures():
    rows, _ = training_rows()
    values = {r[1]: r[3] for r in rows if r[0] == "total"}
    assert {key: values[key[0]][key[1]] for key in DOCUMENTED_TOTALS} == {
        key: sheet for key, (sheet, _) in DOCUMENTED_TOTALS.items()
    }
    assert values[57]["Số đại biểu"] is None  # 'Tổng cộng' closes the money columns only


def test_check_totals_on_training_sheet_warns_only_for_row_57_other_money():
    rows, _ = training_rows()
    assert check_totals(rows, list(TRAINING_SUMS)) == [
        TotalMismatch(57, "Kinh phí huy động", 57_500_000, 57_000_000)
    ]


def test_check_totals_on_training_sheet_message_names_the_column():
    rows, match = training_rows()
    [warning] = check_totals(rows, list(TRAINING_SUMS))
    assert warning.message(match.header_for(warning.field)) == (
        'Dòng 57, cột "Kinh phí huy động": dòng tổng ghi 57.500.000, '
        "các dòng cộng lại 57.000.000 (chênh 500.000)"
    )


def test_check_totals_on_training_sheet_sums_documented_records():
    # Zero every total row's figures: each documented (row, column) then reports its sum.
    rows, _ = training_rows()
    zeroed = [(kind, n, label, {k: (0 if v is not None else None) for k, v in values.items()})
              if kind == "total" else (kind, n, label, values) for kind, n, label, values in rows]
    computed = {(w.row, w.field): w.computed for w in check_totals(zeroed, list(TRAINING_SUMS))}
    assert computed == {key: records for key, (_, records) in DOCUMENTED_TOTALS.items()}


# --- the sample sheets' typed cells, read with sheets.values ---------------------------------

TYPED_COLUMNS = {
    "Ngày nhận": parse_date, "Thời gian": parse_date, "Ngày kết thúc": parse_date,
    "Hạn góp ý": parse_date, "Ngày gửi báo cáo": parse_date, "Ngày ký": parse_date,
    "Hiệu lực đến": parse_date, "Ngày sơ kết gần nhất": parse_date,
    "Kinh phí": parse_money, "Kinh phí ngân sách": parse_money, "Kinh phí huy động": parse_money,
    "Số đại biểu": parse_int, "Số kiến nghị": parse_int, "Số kiến nghị được tiếp thu": parse_int,
    "Chu kỳ sơ kết (tháng)": parse_int, "Số phiếu đồng ý": parse_int, "STT giải pháp": parse_int,
    "STT bài dự thi": parse_int,
    "Điểm": parse_decimal, "Tính mới, sáng tạo (30)": parse_decimal,
    "Khả năng áp dụng (40)": parse_decimal, "Hiệu quả kinh tế - xã hội (30)": parse_decimal,
    "Hồ sơ đầy đủ": parse_bool, "Đề xuất cấp trung ương": parse_bool,
    "Năm": parse_season, "Năm sinh": parse_season,
}
# samples/README.md, Invalid rows whose cell does not parse (the others break range or
# reference rules that callers check): (file, sheet, row, column) → reason
UNREADABLE_CELLS = {
    (CONTEST, "Giải pháp dự thi", 13, "Ngày nhận"): "không phải ngày hợp lệ",
    (YOUTH, "Bài dự thi", 34, "Ngày nhận"): "không phải ngày hợp lệ",
    (HONOURS, "Đề cử 2023", 46, "Năm sinh"): "không phải năm hợp lệ",
    (TRAINING, "Hoạt động 2020-2022", 23, "Thời gian"): "không phải ngày hợp lệ",
    (TRAINING, "Hoạt động 2020-2022", 47, "Kinh phí ngân sách"): "không phải số tiền hợp lệ",
    (COORDINATION, "Văn bản phối hợp", 9, "Ngày ký"): "không phải ngày hợp lệ",
}


def test_sample_typed_cells_parse_except_documented_invalid_ones():
    columns = {name: [name] for name in TYPED_COLUMNS}
    failures, parsed = {}, 0
    for name, sheet in REQUIRED:
        grid = grid_of(name, sheet)
        header = find_header_row(grid, REQUIRED[(name, sheet)])
        match = match_columns(grid[header], columns)
        for excel_row, row in enumerate(grid[header + 1:], start=header + 2):
            if classify_row(row) != "data":
                continue
            for column, col in match.index.items():
                try:
                    TYPED_COLUMNS[column](row[col])
                    parsed += 1
                except CellError as error:
                    failures[(name, sheet, excel_row, column)] = error.reason
    assert failures == UNREADABLE_CELLS
    assert parsed > 1500, parsed
