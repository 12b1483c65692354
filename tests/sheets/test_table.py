"""sheets.table: finding the table in an office sheet (spec/sheets.md, Finding the table).

The second half checks the functions against the real sample workbooks and what
samples/README.md documents about them (Overview table, per-sheet row lists, totals).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from core.records import SyncedRecord
from sheets.backend import Grid
from sheets.mapping import Column, Mapping
from sheets.reader import TableError, read_table
from sheets.table import (
    ColumnMatch,
    HeaderCell,
    TotalMismatch,
    cell_name,
    check_totals,
    classify_row,
    find_header,
    find_header_row,
    guess_parent_spans,
    header_cells,
    header_key,
    is_sub_header_row,
    looks_like_value,
    match_columns,
    match_header_cells,
    merged_parent_spans,
    range_name,
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


# --- two-level headers ------------------------------------------------------------------------
# "Kinh phí" merged over "Ngân sách" / "Huy động", the other headers merged down over both rows
# (spec/sheets.md, Finding the table). Rows and columns below are 0-based, as in Grid.merges.

MONEY = {
    "name": ["Tên hoạt động", "Nội dung"],
    "start": ["Ngày bắt đầu", "Thời gian"],
    "state_money": ["Kinh phí ngân sách"],
    "other_money": ["Kinh phí huy động"],
    "notes": ["Ghi chú"],
    "key": ["Mã"],
    "status": ["Trạng thái đồng bộ"],
}
OWN = ["Mã", "Trạng thái đồng bộ"]
TWO_LEVEL = [
    ["LIÊN HIỆP CÁC HỘI KH&KT TỈNH BẮC GIANG"],
    ["BÁO CÁO HOẠT ĐỘNG TẬP HUẤN, HỘI THẢO"],
    ["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí", None, "Ghi chú"],
    [None, None, None, "Ngân sách", "Huy động", None],
    [1, "Hội thảo A", "05/03/2021", "50 triệu", "5.000.000", None],
    [2, "Tập huấn B", "06/03/2021", 12_000_000, None, "mời chuyên gia"],
]
# the parent D3:E3, STT A3:A4, Tên B3:B4, Ngày C3:C4, Ghi chú F3:F4, the title A1:F1
TWO_LEVEL_MERGES = [(2, 3, 2, 4), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 3, 2), (2, 5, 3, 5), (0, 0, 0, 5)]
BOTH = pytest.mark.parametrize("merges", [TWO_LEVEL_MERGES, None], ids=["merges", "no-merges"])


def with_rows(grid, **rows):
    """A copy of ``grid`` with rows replaced: ``with_rows(g, r3=[…])``."""
    grid = [list(row) for row in grid]
    for name, row in rows.items():
        grid[int(name[1:])] = row
    return grid


@BOTH
def test_two_level_header_reads_a_child_with_its_parent_as_context(merges):
    layout = find_header(TWO_LEVEL, [["Tên hoạt động"], ["Kinh phí ngân sách"]], MONEY, merges, OWN)
    assert (layout.top, layout.bottom, layout.spans) == (2, 3, ((3, 4),))
    match = match_header_cells(layout.cells, MONEY)
    assert match.index == {"name": 1, "start": 2, "state_money": 3, "other_money": 4, "notes": 5}
    assert match.header_for("state_money") == "Kinh phí › Ngân sách"
    assert match.unknown == [0]  # STT, read from the upper row


@BOTH
def test_two_level_header_is_found_when_only_a_child_is_required(merges):
    layout = find_header(TWO_LEVEL, [["Kinh phí huy động"]], MONEY, merges, OWN)
    assert (layout.top, layout.bottom) == (2, 3)


def test_a_one_level_reading_of_a_two_level_header_misses_the_children():
    # what the reader did before: the money columns were silently dropped
    assert find_header_row(TWO_LEVEL, [["Kinh phí ngân sách"]]) is None
    assert "state_money" not in match_columns(TWO_LEVEL[2], MONEY).index


@BOTH
def test_a_child_alone_is_matched_when_it_is_a_known_spelling(merges):
    grid = with_rows(TWO_LEVEL, r3=[None, None, None, "Kinh phí\nngân sách", nfd("Kinh phí huy động"), None])
    layout = find_header(grid, [["Tên hoạt động"]], MONEY, merges, OWN)
    assert layout.bottom == 3
    match = match_header_cells(layout.cells, MONEY)
    assert (match.index["state_money"], match.index["other_money"]) == (3, 4)


def test_parent_and_child_together_win_over_the_child_alone():
    cells = header_cells(["Kinh phí", None], ["Ngân sách", "Huy động"], [(0, 1)])
    match = match_header_cells(cells, {"budget": ["Ngân sách"], "state": ["Kinh phí ngân sách"]})
    assert match.index == {"state": 0}


def test_header_cells_of_a_two_level_header():
    cells = header_cells(["STT", "Kinh phí", None, None, "Ghi chú"], [None, "Ngân sách", "Huy động", None, None],
                         [(1, 3)])
    assert cells == {
        0: HeaderCell("STT", ("STT",)),
        1: HeaderCell("Kinh phí › Ngân sách", ("Kinh phí Ngân sách", "Ngân sách")),
        2: HeaderCell("Kinh phí › Huy động", ("Kinh phí Huy động", "Huy động")),
        4: HeaderCell("Ghi chú", ("Ghi chú",)),
    }


def test_header_cells_of_one_row_are_the_non_empty_cells_as_written():
    assert header_cells(["Trạng  thái", None, 2021]) == {
        0: HeaderCell("Trạng  thái", ("Trạng  thái",)), 2: HeaderCell("2021", ("2021",)),
    }


@BOTH
def test_the_data_start_below_the_lower_header_row(merges):
    table = read_table(Grid(TWO_LEVEL, merges=merges) if merges else TWO_LEVEL, MONEY_MAPPING)
    assert (table.header_top, table.header_index) == (2, 3)
    assert [row.excel_row for row in table.rows] == [5, 6]
    assert table.skipped == {"blank": 0, "section": 0, "total": 0}


@BOTH
def test_read_table_finds_the_money_columns_of_a_two_level_header(merges):
    table = read_table(Grid(TWO_LEVEL, merges=merges) if merges else TWO_LEVEL, MONEY_MAPPING)
    assert table.columns == {"name": 1, "start": 2, "state_money": 3, "other_money": 4, "notes": 5}
    assert table.headers["other_money"] == "Kinh phí › Huy động"
    assert table.warnings == []
    values = [table.parse(row).values for row in table.rows]
    assert [(v["state_money"], v.get("other_money")) for v in values] == [(50_000_000, 5_000_000), (12_000_000, None)]


@BOTH
def test_phoihop_adds_its_columns_in_the_lower_header_row(merges):
    table = read_table(Grid(TWO_LEVEL, merges=merges) if merges else TWO_LEVEL, MONEY_MAPPING)
    assert (table.key_header_missing, table.status_header_missing) == (True, True)
    assert (table.header_index, table.key_col, table.status_col) == (3, 6, 7)  # G4, H4


@BOTH
def test_own_columns_added_in_the_lower_row_are_found_again_and_are_never_children(merges):
    grid = with_rows(TWO_LEVEL, r3=[None, None, None, "Ngân sách", "Huy động", None, "Mã", "Trạng thái đồng bộ"])
    grid = [row + [None] * (8 - len(row)) for row in grid]
    grid[4][6:8] = ["HD-000001", "Mới"]
    table = read_table(Grid(grid, merges=merges) if merges else grid, MONEY_MAPPING)
    assert (table.key_col, table.status_col, table.key_header_missing, table.status_header_missing) == (6, 7, False, False)
    assert table.rows[0].key == "HD-000001"
    assert table.columns["other_money"] == 4


def test_own_columns_in_the_lower_row_right_of_a_last_parent_do_not_extend_it():
    assert guess_parent_spans(["Tên", "Kinh phí", None, None], [None, "Ngân sách", "Huy động", "Mã"], OWN) == [(1, 2)]


@BOTH
def test_own_columns_may_sit_in_the_upper_row(merges):
    grid = with_rows(TWO_LEVEL, r2=["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí", None, "Ghi chú", "Mã"])
    table = read_table(Grid(grid, merges=merges) if merges else grid, MONEY_MAPPING)
    assert (table.key_col, table.key_header_missing, table.header_index) == (6, False, 3)
    assert table.status_col == 7


@pytest.mark.parametrize(
    "first_row",
    [
        # text only, but a cell under a header of its own: a data row
        [1, "Hội thảo A", "05/03/2021", "50 triệu", "5 triệu", None],
        ["một", "Hội thảo A", "Hà Nội", "Bắc Giang", "Lạng Sơn", None],
        # text only, under the parent alone, but reading it as a child finds nothing
        [None, None, None, "Bắc Giang", "Lạng Sơn", None],
        # a value that happens to be a known header, alone under the empty cell
        [None, None, None, "Hội thảo", "Ghi chú", None],
        [None, None, None, "Hội thảo", "Ghi chú", "chị Hà"],
        # numbers or dates written as text are values
        [None, None, None, "50.000.000", "12/03/2021", None],
    ],
)
def test_heuristic_never_takes_a_data_row_for_a_sub_header(first_row):
    header = ["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí ngân sách", None, "Người nhập"]
    grid = [header, first_row, [2, "Tập huấn B", "06/03/2021", 1, 2, None]]
    layout = find_header(grid, [["Tên hoạt động"]], MONEY, None, OWN)
    assert (layout.top, layout.bottom, layout.spans) == (0, 0, ())


def test_a_data_row_of_text_under_a_merged_header_cell_is_not_a_sub_header():
    # 'Ghi chú' merged over two columns in a one-level header, nothing merged down
    grid = [["Tên hoạt động", "Ngày bắt đầu", "Ghi chú", None], [None, None, "mời", "chuyên gia"]]
    layout = find_header(grid, [["Tên hoạt động"]], MONEY, [(0, 2, 0, 3)], OWN)
    assert layout.bottom == 0


def test_a_section_row_under_a_merged_header_cell_is_not_a_sub_header():
    grid = [["STT", None, "Tên hoạt động"], ["I. LĨNH VỰC NÔNG NGHIỆP"]]
    assert find_header(grid, [["Tên hoạt động"]], MONEY, [(0, 0, 0, 1)], OWN).bottom == 0


@pytest.mark.parametrize("merges", [[(0, 0, 0, 4)], None], ids=["merges", "no-merges"])
def test_a_title_merged_above_the_header_row_is_not_a_parent(merges):
    grid = [["(Cập nhật đến ngày 31/12/2023)"], ["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí ngân sách", "Ghi chú"],
            [1, "Hội thảo A", "05/03/2021", "50 triệu", None]]
    layout = find_header(grid, [["Tên hoạt động"]], MONEY, merges, OWN)
    assert (layout.top, layout.bottom) == (1, 1)


def test_merges_alone_make_a_two_level_header_when_headers_are_merged_down():
    # children that match nothing: still a header row, because STT and Tên are merged down
    grid = with_rows(TWO_LEVEL, r3=[None, None, None, "Nhà nước", "Xã hội", None])
    assert find_header(grid, [["Tên hoạt động"]], MONEY, TWO_LEVEL_MERGES, OWN).bottom == 3
    # without the merges nothing shows that row 4 is not data: one level
    assert find_header(grid, [["Tên hoạt động"]], MONEY, None, OWN).bottom == 2


def test_merged_parent_spans_need_a_value_one_row_and_cells_below():
    upper, lower = ["STT", "Kinh phí", None, None, None], [None, "Ngân sách", "Huy động", None, None]
    merges = [(0, 1, 0, 2), (0, 0, 1, 0), (0, 3, 0, 4), (0, 1, 1, 2)]
    # A1:A2 is one column; D1:E1 has no value; B1:C2 covers both rows
    assert merged_parent_spans(merges, 0, upper, lower) == [(1, 2)]
    assert merged_parent_spans(merges, 1, lower, []) == []


def test_guess_parent_spans_finds_a_value_followed_by_empty_cells_with_children():
    upper = ["STT", "Kinh phí", None, "Số người", None, None, "Ghi chú", None]
    lower = [None, "Ngân sách", "Huy động", "Nam", "Nữ", "Tổng", None, "x"]
    assert guess_parent_spans(upper, lower) == [(1, 2), (3, 5)]  # 'Ghi chú' has nothing under it
    assert guess_parent_spans(["Kinh phí", None], [None, "Huy động"]) == []  # nothing under the parent


def test_is_sub_header_row_wants_text_under_parents_only():
    upper = ["STT", "Kinh phí", None]
    assert is_sub_header_row(upper, [None, "Ngân sách", "Huy động"], [(1, 2)])
    assert not is_sub_header_row(upper, [1, "Ngân sách", "Huy động"], [(1, 2)])
    assert not is_sub_header_row(upper, ["x", "Ngân sách", "Huy động"], [(1, 2)])
    assert not is_sub_header_row(upper, [None, "12,5", "Huy động"], [(1, 2)])
    assert not is_sub_header_row(upper, [None, None, None], [(1, 2)])
    assert is_sub_header_row(upper + [None], [None, "Ngân sách", "Huy động", "Mã"], [(1, 2)], OWN)
    assert not is_sub_header_row(["STT", "Kinh phí", None, "Ghi chú"], [None, "Ngân sách", "Huy động", "Mã"],
                                 [(1, 2)], OWN)  # 'Mã' under a header of the office's


@pytest.mark.parametrize("cell", [12, 12.5, True, dt.date(2021, 3, 5), "12", "1.200", "12,5", "50 triệu",
                                  "05/03/2021", "2021-03-05", "2021"])
def test_looks_like_value(cell):
    assert looks_like_value(cell)


@pytest.mark.parametrize("cell", [None, "  ", "Ngân sách", "Huy động", "Tổng", "(1)", "Năm 2021", "Triệu đồng"])
def test_does_not_look_like_value(cell):
    assert not looks_like_value(cell)


def test_range_and_cell_names():
    assert (cell_name(4, 6), range_name(4, 6, 4, 7), range_name(0, 27, 1, 27), range_name(2, 0, 2, 0)) == (
        "G5", "G5:H5", "AB1:AB2", "A3")


# --- read_table and merged header cells ---------------------------------------------------------

class _Record(SyncedRecord):
    """A model for mappings that are only read, never saved: no table."""


def money_mapping(*columns, totals=()):
    return Mapping(name="test.two_level", model=_Record, key_prefix="HD", totals=totals, columns=list(columns) or [
        Column("name", "Tên hoạt động", ("Nội dung",), required=True),
        Column("start", "Ngày bắt đầu", ("Thời gian",), kind="date", required=True),
        Column("state_money", "Kinh phí ngân sách", kind="money"),
        Column("other_money", "Kinh phí huy động", kind="money"),
        Column("notes", "Ghi chú"),
    ])


MONEY_MAPPING = money_mapping()
UNMATCHED = with_rows(TWO_LEVEL, r3=[None, None, None, "Nhà nước", "Xã hội", None])


def test_read_table_of_a_plain_list_keeps_one_level_headers():
    grid = [["STT", "Tên hoạt động", "Ngày bắt đầu"], [1, "Hội thảo A", "05/03/2021"]]
    table = read_table(grid, MONEY_MAPPING)
    assert (table.header_top, table.header_index, table.key_col, table.warnings) == (0, 0, 3, [])


def test_two_level_totals_name_the_column_with_its_parent():
    grid = TWO_LEVEL + [["Tổng cộng", None, None, "62 triệu", "6.000.000", None]]
    table = read_table(Grid(grid, merges=TWO_LEVEL_MERGES), money_mapping(totals=("state_money", "other_money")))
    assert table.warnings == ['Dòng 7, cột "Kinh phí › Huy động": dòng tổng ghi 6.000.000, '
                              "các dòng cộng lại 5.000.000 (chênh 1.000.000)"]


def test_required_column_lost_under_a_parent_is_an_error_naming_the_merged_cells():
    mapping = money_mapping(Column("name", "Tên hoạt động", required=True),
                            Column("state_money", "Kinh phí ngân sách", kind="money", required=True))
    with pytest.raises(TableError) as caught:
        read_table(Grid(UNMATCHED, merges=TWO_LEVEL_MERGES), mapping)
    message = str(caught.value)
    assert message.startswith('Không tìm thấy cột bắt buộc "Kinh phí ngân sách" trong 15 dòng đầu.')
    assert 'ô gộp D3:E3 "Kinh phí" có cột con "Nhà nước", "Xã hội" không khớp cột nào' in message


def test_required_column_lost_under_a_parent_is_explained_without_merges_too():
    mapping = money_mapping(Column("name", "Tên hoạt động", required=True),
                            Column("state_money", "Kinh phí ngân sách", kind="money", required=True))
    with pytest.raises(TableError) as caught:
        read_table(UNMATCHED, mapping)
    assert 'ô gộp D3:E3 "Kinh phí" có cột con "Nhà nước", "Xã hội"' in str(caught.value)


def test_a_partly_read_parent_is_named_only_for_a_missing_column_it_may_explain():
    grid = with_rows(TWO_LEVEL, r3=[None, None, None, "Ngân sách", "Khác", None])
    unrelated = money_mapping(*MONEY_MAPPING.columns, Column("place", "Địa điểm", required=True))
    with pytest.raises(TableError) as caught:
        read_table(Grid(grid, merges=TWO_LEVEL_MERGES), unrelated)
    assert "ô gộp" not in str(caught.value)
    related = money_mapping(Column("name", "Tên hoạt động", required=True),
                            Column("state_money", "Kinh phí ngân sách", kind="money"),
                            Column("other_money", "Kinh phí huy động", kind="money", required=True))
    with pytest.raises(TableError) as caught:
        read_table(Grid(grid, merges=TWO_LEVEL_MERGES), related)
    assert str(caught.value).endswith('Lưu ý: ô gộp D3:E3 "Kinh phí" có cột con "Khác" không khớp cột nào.')


@BOTH
def test_mapped_columns_lost_under_a_parent_are_a_warning_naming_the_merged_cells(merges):
    table = read_table(Grid(UNMATCHED, merges=merges) if merges else UNMATCHED, MONEY_MAPPING)
    assert "state_money" not in table.columns
    assert table.warnings == ['Không tìm thấy cột "Kinh phí ngân sách", "Kinh phí huy động": ô gộp D3:E3 '
                              '"Kinh phí" có cột con "Nhà nước", "Xã hội" không khớp cột nào.']


def test_no_merge_warning_for_a_missing_column_the_parent_does_not_explain():
    # 'Ghi chú' is missing, but neither 'Kinh phí' nor its children have anything to do with it
    grid = with_rows(UNMATCHED, r2=["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí", None, "Người nhập"])
    table = read_table(Grid(grid, merges=TWO_LEVEL_MERGES), money_mapping(
        Column("name", "Tên hoạt động", required=True), Column("notes", "Ghi chú")))
    assert table.warnings == []


def test_mapped_header_that_is_a_parent_over_children_is_a_warning():
    mapping = money_mapping(Column("name", "Tên hoạt động", required=True), Column("money", "Kinh phí", kind="money"))
    table = read_table(Grid(TWO_LEVEL, merges=TWO_LEVEL_MERGES), mapping)
    assert "money" not in table.columns
    assert table.warnings == ['Không tìm thấy cột "Kinh phí": ô gộp D3:E3 "Kinh phí" là tiêu đề chung của '
                              '"Ngân sách", "Huy động", không phải một cột.']


def test_mapped_header_merged_from_the_row_above_is_a_warning_naming_the_merged_cells():
    # 'Ghi chú' is merged F3:F4 with its value in F3, the rest of the header is typed in row 4
    grid = [[], [], [None, None, None, None, None, "Ghi chú"],
            ["STT", "Tên hoạt động", "Ngày bắt đầu", "Kinh phí ngân sách", "Kinh phí huy động", None],
            [1, "Hội thảo A", "05/03/2021", "50 triệu", None, "x"]]
    table = read_table(Grid(grid, merges=[(2, 5, 3, 5)]), MONEY_MAPPING)
    assert table.header_index == 3 and "notes" not in table.columns
    assert table.warnings == ['Không tìm thấy cột "Ghi chú": "Ghi chú" nằm trong ô gộp F3:F4, chữ chỉ ở ô đầu F3.']


def test_missing_header_message_lists_two_level_headers_as_read():
    mapping = money_mapping(*MONEY_MAPPING.columns, Column("place", "Địa điểm", required=True))
    with pytest.raises(TableError) as caught:
        read_table(Grid(TWO_LEVEL, merges=TWO_LEVEL_MERGES), mapping)
    assert str(caught.value) == (
        'Không tìm thấy cột bắt buộc "Địa điểm" trong 15 dòng đầu. Các tiêu đề tìm thấy: "STT", "Tên hoạt động", '
        '"Ngày bắt đầu", "Kinh phí › Ngân sách", "Kinh phí › Huy động", "Ghi chú".'
    )


def test_a_parent_over_children_known_alone_is_read_without_merges():
    grid = [["STT", "Tên hoạt động", "Thời gian", None], [None, None, "Ngày bắt đầu", "Ngày kết thúc"]]
    columns = {**MONEY, "end": ["Ngày kết thúc"]}
    layout = find_header(grid, [["Tên hoạt động"]], columns, None, OWN)
    assert layout.bottom == 1
    assert match_header_cells(layout.cells, columns).index == {"name": 1, "start": 2, "end": 3}


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


@lru_cache(maxsize=None)
def _merges(name: str) -> dict[str, list[tuple[int, int, int, int]]]:
    import openpyxl

    wb = openpyxl.load_workbook(samples_dir() / name)
    return {ws.title: [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in ws.merged_cells.ranges]
            for ws in wb.worksheets}


@SHEETS
@pytest.mark.parametrize("with_merges", [False, True], ids=["no-merges", "merges"])
def test_sample_headers_are_one_level_with_and_without_merged_ranges(name, sheet, with_merges):
    # The samples' title blocks are merged (A1:E1 over A2:E2, a title right above the
    # header): none of them may be taken for the parent row of a two-level header.
    grid = grid_of(name, sheet)
    required = REQUIRED[(name, sheet)]
    spelled = {header_key(s) for g in required for s in g}
    columns = {**{c: [c] for c in TYPED_COLUMNS if header_key(c) not in spelled}, **{g[0]: g for g in required}}
    merges = _merges(name)[sheet] if with_merges else None
    layout = find_header(grid, required, columns, merges, ["Mã", "Trạng thái đồng bộ"])
    assert (layout.top + 1, layout.bottom + 1) == (overview()[(name, sheet)]["header"],) * 2


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


@pytest.mark.parametrize("row, skip, expected", [
    ([None, "  ", None], set(), ("blank", None)),
    (["I. LĨNH VỰC CƠ KHÍ", None], set(), ("section", "I. LĨNH VỰC CƠ KHÍ")),
    ([None, "Tổng cộng:", 12, 13], set(), ("total", "Tổng cộng:")),
    ([1, "Máy gieo hạt", "05/03/2021"], set(), ("data", 1)),
    (["Máy gieo hạt", None, None, "GP-000001", "OK"], {3, 4}, ("section", "Máy gieo hạt")),
    ([None, None, None, "GP-000001", "OK"], {3, 4}, ("blank", None)),
])
def test_row_kind_agrees_with_classify_row_without_phoihops_columns(row, skip, expected):
    from sheets.table import classify_row, row_kind

    assert row_kind(row, skip) == expected
    assert classify_row([c for i, c in enumerate(row) if i not in skip]) == expected[0]


# -- example rows (phoihop sheets scaffold) ---------------------------------------------

@pytest.mark.parametrize("first", ["Ví dụ", "VÍ DỤ", " ví  dụ: ", unicodedata.normalize("NFD", "Ví dụ")])
def test_an_stt_saying_vi_du_marks_an_example_row(first):
    from sheets.table import is_example

    assert is_example(first)


@pytest.mark.parametrize("first", [1, "Ví dụ 1", "Máy gieo hạt", None])
def test_other_first_cells_are_not_examples(first):
    from sheets.table import is_example

    assert not is_example(first)


def test_read_table_skips_example_rows_and_counts_them():
    from tests.sheets.conftest import office_grid
    from tests.sheets.entries_plugin import MAPPING

    grid = office_grid([["Máy gieo hạt", "05/03/2021"]])
    grid.insert(5, ["Ví dụ", "Tên mẫu", "01/01/2021"])
    table = read_table(grid, MAPPING)
    assert [row.excel_row for row in table.rows] == [7]
    assert table.skipped == {"blank": 0, "section": 1, "total": 0, "example": 1}


def test_read_table_adds_no_example_count_when_there_is_none():
    from tests.sheets.conftest import office_grid
    from tests.sheets.entries_plugin import MAPPING

    assert "example" not in read_table(office_grid([["Máy gieo hạt"]]), MAPPING).skipped
