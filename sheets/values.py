"""Reading and writing cell values the way Vietnamese offices write them.

Cells arrive as ``None``, ``str`` (as stored: untrimmed, maybe NFD), ``int``/``float``,
``bool`` or ``datetime.date``/``datetime`` (Google Sheets gives date cells as serials).
Parsers return ``None`` for an empty cell (``None`` or whitespace only) unless their
docstring says otherwise, and raise :class:`CellError`; formatters give ``''`` for ``None``.

Numbers, money and dates are read and written by :mod:`core.vietnamese`, the one place
shared with the admin and the reports; their names are available here too. This module
adds what only a spreadsheet has: date serials, yes/no marks, lists in a cell, choices
and seasons.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any, Iterable, Mapping

from core import vietnamese
from core.vietnamese import (
    BAD_DATE,
    BAD_DECIMAL,
    BAD_INT,
    BAD_MONEY,
    NEGATIVE,
    clean_text,
    format_date,
    format_decimal,
    format_int,
    format_money,
    is_empty,
    normalise,
    parse_decimal,
    parse_int,
    parse_money,
)
from core.vietnamese import ParseError as CellError
from core.vietnamese import is_number as _is_number
from core.vietnamese import plain_text as _text
from core.vietnamese import whole as _whole

__all__ = [
    "BAD_BOOL", "BAD_DATE", "BAD_DECIMAL", "BAD_INT", "BAD_MONEY", "BAD_YEAR", "BARE_YEAR", "NEGATIVE",
    "CellError", "clean_text", "format_bool", "format_date", "format_decimal", "format_int", "format_list",
    "format_money", "format_season", "is_empty", "normalise", "parse_bool", "parse_choice", "parse_date",
    "parse_decimal", "parse_int", "parse_list", "parse_money", "parse_season",
]

SERIAL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Sheets/Excel date serials
# A number in a date column is taken for a date serial only when it falls in this range:
# a bare year (2021 → 13/07/1905) or a small count (5 → 04/01/1900) is never a date.
SERIAL_DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))
BARE_YEARS = range(1900, 2101)  # a whole number of these in a date column is a year

BARE_YEAR = "chỉ có năm — cần ngày/tháng/năm"
BAD_YEAR = "không phải năm hợp lệ"
BAD_BOOL = "không phải giá trị Có/Không"


def parse_date(value: Any) -> dt.date | None:
    """dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, a date serial (number or
    digit text), or a date/datetime cell → ``datetime.date``. Impossible dates such as
    31/02/2021 raise ``CellError("không phải ngày hợp lệ")``.

    A number (or digit-only text) is a serial only when it gives a date within
    :data:`SERIAL_DATE_RANGE`; a whole number 1900–2100 is a bare year
    (``CellError(BARE_YEAR)``), any other number is not a date (``BAD_DATE``). Date and
    datetime cells are taken as they are, whatever their year; text is read by
    :func:`core.vietnamese.parse_date`."""
    if _is_number(value):
        return _from_serial(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(?:\.\d+)?", _text(value)):
        return _from_serial(Decimal(_text(value)))
    return vietnamese.parse_date(value)


def _from_serial(serial: float | int | Decimal) -> dt.date:
    """A Sheets/Excel date serial: days since 1899-12-30 (a fraction is the time of day),
    accepted only within :data:`SERIAL_DATE_RANGE`; a bare year is its own error."""
    if not math.isfinite(serial):
        raise CellError(BAD_DATE)
    if serial == int(serial) and int(serial) in BARE_YEARS:
        raise CellError(BARE_YEAR)
    first, last = (d - SERIAL_EPOCH for d in SERIAL_DATE_RANGE)
    if not first.days <= serial < last.days + 1:
        raise CellError(BAD_DATE)
    return SERIAL_EPOCH + dt.timedelta(days=int(serial))


def parse_season(value: Any) -> tuple[int, int] | None:
    """A year or a season: '2021' or 2021 → (2021, 2021); '2020-2021', '2020 - 2021'
    → (2020, 2021). Anything else, or an end year before the start year, is an error."""
    if is_empty(value):
        return None
    text = str(_whole(value, BAD_YEAR)) if _is_number(value) else value
    text = _text(text) if isinstance(text, str) else ""
    m = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", text)
    if not m:
        raise CellError(BAD_YEAR)
    start, end = int(m[1]), int(m[2] or m[1])
    if end < start:
        raise CellError("có năm kết thúc trước năm bắt đầu")
    return start, end


_BOOLS = {"có": True, "x": True, "true": True, "1": True, "yes": True,
          "không": False, "false": False, "0": False, "no": False}


def parse_bool(value: Any) -> bool:
    """'Có'/'Không', 'x'/blank, TRUE/FALSE (text or bool), '1'/'0' or 1/0, 'yes'/'no'.
    A blank cell is ``False`` (never ``None``); anything else is an error."""
    if is_empty(value):
        return False
    if isinstance(value, bool) or (_is_number(value) and value in (0, 1)):
        return value == 1
    key = normalise(value) if isinstance(value, str) else None
    if key not in _BOOLS:
        raise CellError(BAD_BOOL)
    return _BOOLS[key]


def parse_list(value: Any) -> list[str]:
    """Items separated by ';' or by line breaks inside the cell, each trimmed and
    NFC-normalised, without a leading bullet ('- ', '+ ', '• ', '* '). Empty items are
    dropped; an empty cell gives ``[]`` (never ``None``)."""
    text = clean_text(value)
    if text is None:
        return []
    items = (re.sub(r"^(?:[-+*]\s+|•\s*)", "", part.strip()).strip()
             for part in re.split(r"[;\n\r\u2028\u2029]", text))
    return [item for item in items if item]


def parse_choice(value: Any, choices: Mapping[str, Iterable[str]]) -> str | None:
    """The canonical label whose spelling or alias equals ``value`` after
    :func:`normalise`; ``choices`` maps canonical label → aliases. The value is never
    split as a list (a label may contain ';')."""
    text = clean_text(value)
    if text is None:
        return None
    key = normalise(text)
    for label, aliases in choices.items():
        names = [aliases] if isinstance(aliases, str) else list(aliases)
        if any(normalise(name) == key for name in [label, *names]):
            return label
    raise CellError(f"không thuộc danh sách: {', '.join(choices)}")


def format_bool(b: bool | None) -> str:
    """'Có' / 'Không'."""
    return "" if b is None else ("Có" if b else "Không")


def format_list(items: Iterable[str] | None) -> str:
    """'a; b; c'."""
    return "" if items is None else "; ".join(items)


def format_season(season: tuple[int, int] | None) -> str:
    """(2020, 2021) → '2020-2021'; (2021, 2021) → '2021'."""
    if season is None:
        return ""
    return str(season[0]) if season[0] == season[1] else f"{season[0]}-{season[1]}"
