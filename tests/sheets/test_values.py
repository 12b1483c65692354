"""sheets.values: cells read and written the way offices write them (spec/sheets.md, Values)."""
from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from sheets.values import (
    CellError,
    clean_text,
    format_bool,
    format_date,
    format_decimal,
    format_int,
    format_list,
    format_money,
    format_season,
    is_empty,
    normalise,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_list,
    parse_money,
    parse_season,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


EMPTY_CELLS = [None, "", "   ", "\t\n", "\u00a0"]


# --- CellError -------------------------------------------------------------------------

def test_cell_error_is_a_value_error_with_its_reason():
    error = CellError("không phải ngày hợp lệ")
    assert isinstance(error, ValueError)
    assert error.reason == "không phải ngày hợp lệ"
    assert str(error) == "không phải ngày hợp lệ"


def test_cell_error_reason_names_neither_column_nor_value():
    with pytest.raises(CellError) as caught:
        parse_date("31/02/2021")
    assert caught.value.reason == "không phải ngày hợp lệ"
    assert "31/02/2021" not in caught.value.reason


# --- normalise / clean_text / is_empty ---------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kinh phí\nngân sách", "kinh phí ngân sách"),
        ("Trạng  thái", "trạng thái"),
        (nfd("Lĩnh vực"), "lĩnh vực"),
        ("ĐỐI TÁC", "đối tác"),
        ("  Hiệu lực\r\nđến \t", "hiệu lực đến"),
        ("Số\u00a0đại\u00a0biểu", "số đại biểu"),
        (None, ""),
        (2021, "2021"),
        (2021.0, "2021"),
        (True, "true"),
    ],
)
def test_normalise_folds_case_unicode_form_and_whitespace(text, expected):
    assert normalise(text) == expected


def test_normalise_result_does_not_depend_on_earlier_calls_with_equal_numbers():
    assert [normalise(1), normalise(True), normalise(1.0)] == ["1", "true", "1"]


def test_normalise_returns_nfc():
    assert normalise(nfd("Hình thức tôn vinh")) == unicodedata.normalize("NFC", "hình thức tôn vinh")


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_is_empty_for_none_and_whitespace(value):
    assert is_empty(value)


@pytest.mark.parametrize("value", [0, False, "0", "x", dt.date(2023, 1, 1)])
def test_is_empty_false_for_values(value):
    assert not is_empty(value)


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_clean_text_empty_is_none(value):
    assert clean_text(value) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  Sở Y tế  ", "Sở Y tế"),
        ("2023 ", "2023"),
        (nfd("Nguyễn Ngọc Hằng "), "Nguyễn Ngọc Hằng"),
        (912345678, "912345678"),
        (912345678.0, "912345678"),
        (12.5, "12.5"),
        (dt.datetime(2023, 1, 9), "09/01/2023"),
        (dt.date(2023, 1, 9), "09/01/2023"),
        ("=HYPERLINK(\"x\")", "=HYPERLINK(\"x\")"),
        ("- a\n- b", "- a\n- b"),
    ],
)
def test_clean_text_trims_and_normalises(value, expected):
    assert clean_text(value) == expected


def test_clean_text_returns_nfc():
    assert clean_text(nfd("Lĩnh vực")) == unicodedata.normalize("NFC", "Lĩnh vực")


# --- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("16/04/2020", dt.date(2020, 4, 16)),
        ("4/5/2020", dt.date(2020, 5, 4)),
        ("09-08-2022", dt.date(2022, 8, 9)),
        ("09.08.2022", dt.date(2022, 8, 9)),
        ("2022-04-26", dt.date(2022, 4, 26)),
        ("  17/9/2020 ", dt.date(2020, 9, 17)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        ("2023-01-30 00:00:00", dt.date(2023, 1, 30)),
        (44489, dt.date(2021, 10, 20)),
        (44489.0, dt.date(2021, 10, 20)),
        (44489.75, dt.date(2021, 10, 20)),
        ("44489", dt.date(2021, 10, 20)),
        (dt.datetime(2020, 4, 29, 0, 0), dt.date(2020, 4, 29)),
        (dt.datetime(2020, 4, 29, 15, 30), dt.date(2020, 4, 29)),
        (dt.date(2020, 4, 29), dt.date(2020, 4, 29)),
    ],
)
def test_parse_date_accepts_office_spellings(value, expected):
    assert parse_date(value) == expected


def test_parse_date_returns_plain_date_for_datetime_cell():
    assert type(parse_date(dt.datetime(2020, 4, 29))) is dt.date


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_date_empty_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    ["31/02/2021", "29/02/2023", "32/01/2021", "15/13/2021", "2021-02-30", "00/01/2021",
     "12/03-2021", "12/03/21", "ngày 12/03/2021", "abc", "0", 0, -1, 3_000_000, True,
     float("nan")],
)
def test_parse_date_rejects_impossible_or_unreadable(value):
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert caught.value.reason == "không phải ngày hợp lệ"


@pytest.mark.parametrize("value", [2021, "2021", " 2021 ", 2021.0, "2021.0", Decimal("2021"), 1900, 2100, "1975"])
def test_bare_year_in_a_date_column_is_an_error_not_1905(value):
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert caught.value.reason == "chỉ có năm — cần ngày/tháng/năm"


@pytest.mark.parametrize("value", [5, "5", 1, 12.5, 1899, 2101, "2101", 2021.5, "2021.5", 32873, 73416, "73416"])
def test_small_or_out_of_range_number_in_a_date_column_is_not_a_date(value):
    # 5 would be 04/01/1900, 2101 a day of 1905, 73416 a day of 2101: none is a plausible date
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert caught.value.reason == "không phải ngày hợp lệ"


@pytest.mark.parametrize(
    "value, expected",
    [(32874, dt.date(1990, 1, 1)), ("32874", dt.date(1990, 1, 1)), (73415, dt.date(2100, 12, 31)),
     (73415.99, dt.date(2100, 12, 31)), (Decimal("44489"), dt.date(2021, 10, 20))],
)
def test_date_serial_is_read_within_the_plausible_range_inclusive(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(dt.date(1905, 7, 13), dt.date(1905, 7, 13)), (dt.date(1975, 4, 30), dt.date(1975, 4, 30)),
     (dt.datetime(1950, 1, 1, 8, 0), dt.date(1950, 1, 1)), (dt.date(2200, 1, 1), dt.date(2200, 1, 1)),
     ("30/04/1975", dt.date(1975, 4, 30)), ("1950-01-01", dt.date(1950, 1, 1))],
)
def test_real_date_cells_and_written_dates_outside_the_serial_range_are_kept(value, expected):
    assert parse_date(value) == expected


# --- years and seasons ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021", (2021, 2021)),
        ("2023 ", (2023, 2023)),
        (2021, (2021, 2021)),
        (2021.0, (2021, 2021)),
        ("2020-2021", (2020, 2021)),
        ("2020 - 2021", (2020, 2021)),
        ("2020–2021", (2020, 2021)),
    ],
)
def test_parse_season_reads_year_or_season(value, expected):
    assert parse_season(value) == expected


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_season_empty_is_none(value):
    assert parse_season(value) is None


@pytest.mark.parametrize(
    "value", ["15/08/1978", "21", "năm 2021", "2021.5", 2021.5, 999, 10000, dt.date(1978, 8, 15), True]
)
def test_parse_season_rejects_non_years(value):
    with pytest.raises(CellError) as caught:
        parse_season(value)
    assert caught.value.reason == "không phải năm hợp lệ"


def test_parse_season_rejects_end_before_start():
    with pytest.raises(CellError) as caught:
        parse_season("2021-2020")
    assert caught.value.reason == "có năm kết thúc trước năm bắt đầu"


# --- money -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("50.000.000", 50_000_000),
        ("50,000,000", 50_000_000),
        ("50000000", 50_000_000),
        ("50 000 000", 50_000_000),
        ("50\u00a0000\u00a0000", 50_000_000),
        ("12.500", 12_500),
        (" 23,500,000 ", 23_500_000),
        (50_000_000, 50_000_000),
        (50_000_000.0, 50_000_000),
        (Decimal("50000000"), 50_000_000),
        (0, 0),
        ("0", 0),
        ("50 triệu", 50_000_000),
        ("50triệu", 50_000_000),
        ("12,5 triệu", 12_500_000),
        ("12.5 triệu", 12_500_000),
        ("85,425 triệu", 85_425_000),
        ("1,5 tỷ", 1_500_000_000),
        ("2 tỉ", 2_000_000_000),
        ("500 nghìn", 500_000),
        ("500 ngàn", 500_000),
        ("0,1 triệu", 100_000),
        ("50 TRIỆU", 50_000_000),
        (nfd("12,5 triệu"), 12_500_000),
        ("50.000.000đ", 50_000_000),
        ("50.000.000 đ", 50_000_000),
        ("50.000.000 đồng", 50_000_000),
        ("50.000.000 VNĐ", 50_000_000),
        ("50.000.000 vnd", 50_000_000),
        ("50.000.000 VND", 50_000_000),
        ("50 triệu đồng", 50_000_000),
        ("50.000.000,00", 50_000_000),
        ("50,000,000.00", 50_000_000),
    ],
)
def test_parse_money_accepts_office_spellings(value, expected):
    assert parse_money(value) == expected


def test_parse_money_returns_int():
    assert type(parse_money("12,5 triệu")) is int
    assert type(parse_money(50_000_000.0)) is int


@pytest.mark.parametrize(
    "value, expected",
    [("8,2 triệu", 8_200_000), ("8,2 tỷ", 8_200_000_000), ("1,234567 triệu", 1_234_567),
     ("999999,999999 triệu", 999_999_999_999)],
)
def test_parse_money_unit_multiplication_is_exact(value, expected):
    # in float arithmetic 8.2 * 1e6 == 8199999.999999999
    assert parse_money(value) == expected


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_money_empty_is_none(value):
    assert parse_money(value) is None


@pytest.mark.parametrize(
    "value",
    ["khoảng 10 triệu", "10 triệu?", "triệu", "đ", "abc", "12,5", "12.5", "1.23.456",
     "12,50,000", "50.000,000.000", "1,2345678 triệu", "1 tỷ 500 triệu", "5-", 12.5,
     Decimal("12.5"), float("inf"), True, dt.date(2023, 1, 1)],
)
def test_parse_money_rejects_unreadable(value):
    with pytest.raises(CellError) as caught:
        parse_money(value)
    assert caught.value.reason == "không phải số tiền hợp lệ"


@pytest.mark.parametrize("value", ["-5.000.000", "-5 triệu", -5, -5.0, "- 500"])
def test_parse_money_rejects_negative(value):
    with pytest.raises(CellError) as caught:
        parse_money(value)
    assert caught.value.reason == "không được âm"


# --- integers ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("12", 12),
        (" 12 ", 12),
        ("1.200", 1200),
        ("1,200", 1200),
        ("1 200", 1200),
        ("1.234.567", 1_234_567),
        (12, 12),
        (12.0, 12),
        ("12.0", 12),
        (0, 0),
        ("-20", -20),
        (-20, -20),
    ],
)
def test_parse_int_accepts_office_spellings(value, expected):
    assert parse_int(value) == expected


def test_parse_int_returns_int():
    assert type(parse_int(12.0)) is int


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_int_empty_is_none(value):
    assert parse_int(value) is None


@pytest.mark.parametrize(
    "value",
    ["12,5", "12.5", 12.5, "1.2345", "1,234.5", "0.500", "12a", "mười hai", "1.20", True,
     dt.date(2023, 1, 1), float("nan")],
)
def test_parse_int_rejects_non_integers(value):
    with pytest.raises(CellError) as caught:
        parse_int(value)
    assert caught.value.reason == "không phải số nguyên hợp lệ"


# --- decimals ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("85,5", Decimal("85.5")),
        ("85.5", Decimal("85.5")),
        (" 78,5 ", Decimal("78.5")),
        ("81", Decimal("81")),
        (81, Decimal("81")),
        (85.5, Decimal("85.5")),
        (0.1, Decimal("0.1")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        ("1.234.567", Decimal("1234567")),
        ("-2,5", Decimal("-2.5")),
    ],
)
def test_parse_decimal_accepts_office_spellings(value, expected):
    assert parse_decimal(value) == expected


def test_parse_decimal_returns_decimal():
    assert isinstance(parse_decimal(85.5), Decimal)
    assert isinstance(parse_decimal("85,5"), Decimal)


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_decimal_empty_is_none(value):
    assert parse_decimal(value) is None


@pytest.mark.parametrize(
    "value", ["abc", "85,5 điểm", "1,234,5", "1.234,5,6", "8 5", True, float("nan"), dt.date(2023, 1, 1)]
)
def test_parse_decimal_rejects_unreadable(value):
    with pytest.raises(CellError) as caught:
        parse_decimal(value)
    assert caught.value.reason == "không phải số hợp lệ"


# --- yes/no --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value", ["Có", "có", nfd("Có"), " Có ", "x", "X", "TRUE", "true", True, "1", 1, 1.0, "yes", "Yes"]
)
def test_parse_bool_reads_yes(value):
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["Không", "không", nfd("Không"), "FALSE", False, "0", 0, "no", "NO"])
def test_parse_bool_reads_no(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_bool_blank_is_false_not_none(value):
    assert parse_bool(value) is False


@pytest.mark.parametrize("value", ["Đ", "có thể", "v", "2", 2, 0.5, "đúng", dt.date(2023, 1, 1)])
def test_parse_bool_rejects_other_values(value):
    with pytest.raises(CellError) as caught:
        parse_bool(value)
    assert caught.value.reason == "không phải giá trị Có/Không"


# --- lists -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ("a; b; c", ["a", "b", "c"]),
        ("a;b;c", ["a", "b", "c"]),
        ("Vũ Đức Nam\nĐặng Hoàng Tuấn", ["Vũ Đức Nam", "Đặng Hoàng Tuấn"]),
        ("a\r\nb", ["a", "b"]),
        (" a ;; b ;\n\n c; ", ["a", "b", "c"]),
        ("- Giải Nhất\n- Giải Ba", ["Giải Nhất", "Giải Ba"]),
        ("+ một\n+ hai", ["một", "hai"]),
        ("• một\n* hai", ["một", "hai"]),
        ("- một; - hai", ["một", "hai"]),
        ("Sở Giáo dục và Đào tạo; Tỉnh đoàn", ["Sở Giáo dục và Đào tạo", "Tỉnh đoàn"]),
        ("Nông, lâm, ngư nghiệp", ["Nông, lâm, ngư nghiệp"]),
        ("Cung - cầu", ["Cung - cầu"]),
        ("-20", ["-20"]),
        ("một", ["một"]),
        (12, ["12"]),
    ],
)
def test_parse_list_splits_on_semicolons_and_line_breaks(value, expected):
    assert parse_list(value) == expected


@pytest.mark.parametrize("value", EMPTY_CELLS + [";", " ; \n "])
def test_parse_list_empty_is_empty_list(value):
    assert parse_list(value) == []


def test_parse_list_items_are_nfc():
    assert parse_list(nfd("Lĩnh vực; Đơn vị")) == [
        unicodedata.normalize("NFC", "Lĩnh vực"),
        unicodedata.normalize("NFC", "Đơn vị"),
    ]


# --- choices -------------------------------------------------------------------------------

KINDS = {
    "Hội thảo khoa học": ["Hội thảo"],
    "Tập huấn kỹ thuật": [],
    "Nông, lâm, ngư nghiệp; tài nguyên và môi trường": ["Nông nghiệp"],
}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Hội thảo khoa học", "Hội thảo khoa học"),
        ("tập huấn kỹ thuật ", "Tập huấn kỹ thuật"),
        ("TẬP HUẤN  KỸ THUẬT", "Tập huấn kỹ thuật"),
        (nfd("Tập huấn kỹ thuật"), "Tập huấn kỹ thuật"),
        ("hội thảo", "Hội thảo khoa học"),
        ("Nông, lâm, ngư nghiệp; tài nguyên và môi trường", "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"),
        ("nông nghiệp", "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"),
    ],
)
def test_parse_choice_returns_canonical_label(value, expected):
    assert parse_choice(value, KINDS) == expected


def test_parse_choice_accepts_a_single_alias_string():
    assert parse_choice("hội thảo", {"Hội thảo khoa học": "Hội thảo"}) == "Hội thảo khoa học"


@pytest.mark.parametrize("value", EMPTY_CELLS)
def test_parse_choice_empty_is_none(value):
    assert parse_choice(value, KINDS) is None


@pytest.mark.parametrize("value", ["Hội chợ triển lãm", "Nông, lâm, ngư nghiệp", "Hội thảo khoa"])
def test_parse_choice_rejects_unknown_value_listing_labels(value):
    with pytest.raises(CellError) as caught:
        parse_choice(value, KINDS)
    assert caught.value.reason == (
        "không thuộc danh sách: Hội thảo khoa học, Tập huấn kỹ thuật, "
        "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"
    )


# --- formatters ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [(dt.date(2021, 3, 4), "04/03/2021"), (dt.datetime(2021, 10, 20, 8, 30), "20/10/2021"),
     (dt.date(2020, 12, 31), "31/12/2020")],
)
def test_format_date_writes_dd_mm_yyyy(value, expected):
    assert format_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(50_000_000, "50.000.000"), (500_000, "500.000"), (999, "999"), (0, "0"),
     (Decimal("85425000"), "85.425.000"), (-500_000, "-500.000")],
)
def test_format_money_groups_thousands_with_dots(value, expected):
    assert format_money(value) == expected


@pytest.mark.parametrize("value, expected", [(1200, "1.200"), (12, "12"), (1_234_567, "1.234.567"), (-20, "-20")])
def test_format_int_groups_thousands_with_dots(value, expected):
    assert format_int(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("85.5"), "85,5"),
        (Decimal("85.50"), "85,5"),
        (Decimal("80"), "80"),
        (Decimal("80.00"), "80"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.0"), "0"),
        (Decimal("1234.5"), "1.234,5"),
        (Decimal("-2.50"), "-2,5"),
        (85.5, "85,5"),
        (80, "80"),
    ],
)
def test_format_decimal_uses_comma_without_trailing_zeros(value, expected):
    assert format_decimal(value) == expected


@pytest.mark.parametrize("value, expected", [(True, "Có"), (False, "Không")])
def test_format_bool_writes_co_khong(value, expected):
    assert format_bool(value) == expected


@pytest.mark.parametrize(
    "value, expected", [(["a", "b", "c"], "a; b; c"), (["một"], "một"), ([], "")]
)
def test_format_list_joins_with_semicolons(value, expected):
    assert format_list(value) == expected


@pytest.mark.parametrize("value, expected", [((2020, 2021), "2020-2021"), ((2021, 2021), "2021")])
def test_format_season_writes_year_or_season(value, expected):
    assert format_season(value) == expected


@pytest.mark.parametrize(
    "formatter",
    [format_date, format_money, format_int, format_decimal, format_bool, format_list, format_season],
)
def test_formatters_write_empty_string_for_none(formatter):
    assert formatter(None) == ""


# --- round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "parse, fmt, text",
    [
        (parse_date, format_date, "04/03/2021"),
        (parse_money, format_money, "85.425.000"),
        (parse_int, format_int, "1.200"),
        (parse_decimal, format_decimal, "85,5"),
        (parse_bool, format_bool, "Có"),
        (parse_bool, format_bool, "Không"),
        (parse_list, format_list, "a; b; c"),
        (parse_season, format_season, "2020-2021"),
        (parse_season, format_season, "2021"),
    ],
)
def test_written_value_reads_back_unchanged(parse, fmt, text):
    assert fmt(parse(text)) == text
