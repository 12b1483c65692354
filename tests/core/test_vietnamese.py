"""core.vietnamese: the one place numbers, money and dates become Vietnamese text and are
read back (the sheets' cell parsers are tested in tests/sheets/test_values.py)."""
import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from core import vietnamese as vi

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value, places, expected", [
    (1.7, 2, "1,70"), (99, 2, "99,00"), (Decimal("12.345"), 2, "12,35"), (2.675, 2, "2,68"),
    (-0.001, 2, "0,00"), (1234567.891, 2, "1.234.567,89"), (-1234.5, 2, "-1.234,50"), (0.5, 0, "1"),
    (Decimal("85.50"), None, "85,5"), (Decimal("12750.00"), None, "12.750"), (None, 2, ""),
])
def test_format_decimal_with_and_without_fixed_places(value, places, expected):
    assert vi.format_decimal(value, places=places) == expected


@pytest.mark.parametrize("value, expected", [
    (1200, "1.200"), (Decimal("1200.00"), "1.200"), (Decimal("85.5"), "85,5"), (-7.25, "-7,25"), (None, ""),
])
def test_format_number_shows_whole_numbers_without_decimals(value, expected):
    assert vi.format_number(value) == expected


def test_format_datetime_and_date():
    assert vi.format_datetime(dt.datetime(2021, 3, 4, 7, 5, 59)) == "04/03/2021 07:05"
    assert vi.format_date(dt.date(2021, 3, 4)) == "04/03/2021" and vi.format_datetime(None) == ""


def test_a_number_is_no_date_in_the_core_but_a_serial_in_a_sheet():
    from sheets.values import parse_date as cell_date

    with pytest.raises(vi.ParseError, match=vi.BAD_DATE):
        vi.parse_date(44197)
    with pytest.raises(vi.ParseError, match=vi.BAD_DATE):
        vi.parse_date("44197")
    assert cell_date(44197) == cell_date("44197") == vi.parse_date("01/01/2021") == dt.date(2021, 1, 1)


def test_the_sheets_names_are_the_cores():
    import sheets.values as cells

    assert cells.CellError is vi.ParseError
    assert (cells.parse_money, cells.format_int, cells.normalise) == (vi.parse_money, vi.format_int, vi.normalise)
    assert cells.parse_money("12,5 triệu") == 12_500_000 and cells.parse_int("1.200") == 1200


def grouping_formats(source, name):
    """``name:line`` of each place in ``source`` that groups digits itself: ``f"{n:,}"``,
    ``format(n, ",")``, ``"{:,}".format(n)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        spec = None
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(v.value for v in node.format_spec.values if isinstance(v, ast.Constant))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "format" and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Constant):
            spec = node.args[1].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "{:," in node.value:
            spec = ","
        if spec is not None and ("," in spec or "_" in spec):
            found.append((node.lineno, f"{name}:{node.lineno}"))
    return [text for _line, text in sorted(found)]


def test_digits_are_grouped_in_one_place_only():
    files = [p for layer in ("core", "sheets", "plugins") for p in (REPO / layer).rglob("*.py")] + [REPO / "cli.py"]
    found = [line for path in files if path.name != "vietnamese.py"
             for line in grouping_formats(path.read_text(encoding="utf-8"), path.relative_to(REPO))]
    assert not found, "format numbers with core.vietnamese, not by hand: " + ", ".join(found)


def test_the_grouping_check_sees_each_way_of_grouping():
    source = 'a = f"{n:,}"\nb = format(n, ",")\nc = "{:,}".format(n)\nd = f"{n:.2f}"\ne = f"{n:_}"\n'
    assert grouping_formats(source, "x.py") == ["x.py:1", "x.py:2", "x.py:3", "x.py:5"]


def test_sheet_messages_count_with_the_cores_grouping():
    import peewee

    from sheets.apply import fit_problem

    assert fit_problem(peewee.CharField(max_length=1500), "x" * 12345) == "dài 12.345 ký tự, quá 1.500 ký tự cho phép"
