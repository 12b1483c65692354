"""Reading and writing cell values the way Vietnamese offices write them.

Cells arrive as ``None``, ``str`` (as stored: untrimmed, maybe NFD), ``int``/``float``,
``bool`` or ``datetime.date``/``datetime`` (Google Sheets gives date cells as serials).
Parsers return ``None`` for an empty cell (``None`` or whitespace only) unless their
docstring says otherwise, and raise :class:`CellError`; formatters give ``''`` for ``None``.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable, Mapping

SERIAL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Sheets/Excel date serials
# A number in a date column is taken for a date serial only when it falls in this range:
# a bare year (2021 → 13/07/1905) or a small count (5 → 04/01/1900) is never a date.
SERIAL_DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))
BARE_YEARS = range(1900, 2101)  # a whole number of these in a date column is a year

BAD_DATE = "không phải ngày hợp lệ"
BARE_YEAR = "chỉ có năm — cần ngày/tháng/năm"
BAD_YEAR = "không phải năm hợp lệ"
BAD_MONEY = "không phải số tiền hợp lệ"
BAD_INT = "không phải số nguyên hợp lệ"
BAD_DECIMAL = "không phải số hợp lệ"
BAD_BOOL = "không phải giá trị Có/Không"
NEGATIVE = "không được âm"


class CellError(ValueError):
    """A cell that cannot be read. ``reason`` is a short Vietnamese phrase naming neither
    the column nor the value: the sync engine writes the full message itself, e.g.
    ``Ngày bắt đầu "31/02/2021" không phải ngày hợp lệ``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=8192, typed=True)
def normalise(text: Any) -> str:
    """NFC, casefold, strip, and collapse any run of whitespace (spaces, tabs, line
    breaks, non-breaking spaces) to one space. ``None`` gives ``''``; other non-text
    cells are read with :func:`clean_text` first (2021.0 → '2021')."""
    text = text if isinstance(text, str) else clean_text(text) or ""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return re.sub(r"\s+", " ", folded).strip()


def is_empty(value: Any) -> bool:
    """True for ``None`` and for a string of nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _text(value: str) -> str:
    # TypeError for a non-str; "\r\n" and "\n" are the same line break
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()


def clean_text(value: Any) -> str | None:
    """Text trimmed and NFC-normalised; ``None`` when empty. Numbers give their text
    without a spurious ``.0`` (912345678.0 → '912345678'); dates give ``dd/mm/yyyy``."""
    if is_empty(value):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and value.is_integer()):
        return str(value).upper() if isinstance(value, bool) else str(int(value))
    if isinstance(value, dt.date) and (
        not isinstance(value, dt.datetime) or value.time() == dt.time()
    ):
        return format_date(value)
    return _text(str(value)) or None


def _parse_number(text: str, single_sep_is_decimal: bool) -> Decimal:
    """'1.234,5', '1,234.5', '50 000 000', '-12' … → Decimal, or ValueError. With both '.'
    and ',' the last is the decimal separator; repeated ones group thousands; a lone one is
    decimal if ``single_sep_is_decimal`` or not followed by 3 digits ('1.200', '12,5')."""
    s, sign = re.sub(r"\s+", " ", text.strip()), 1
    if s and s[0] in "+-":
        sign, s = (-1 if s[0] == "-" else 1), s[1:].lstrip()
    if not re.fullmatch(r"\d(?:[\d., ]*\d)?", s):
        raise ValueError(text)
    dec = None
    if "." in s and "," in s:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
    for sep in ".,":
        if dec is None and s.count(sep) == 1:
            head, tail = s.split(sep)
            if single_sep_is_decimal or len(tail) != 3 or head == "0":
                dec = sep
    int_part, frac = s.rsplit(dec, 1) if dec else (s, "")
    groups = re.split(r"[., ]", int_part)
    grouped = len(groups) == 1 or (len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))
    if not (grouped and all(g.isdigit() for g in groups) and (frac.isdigit() or not frac)
            and len(set(re.findall(r"[.,]", int_part))) <= 1):  # one kind of grouping mark
        raise ValueError(text)
    return sign * Decimal("".join(groups) + ("." + frac if frac else ""))


def _whole(number: Decimal | float | int, reason: str) -> int:
    """``number`` as an int, or ``CellError(reason)`` when it has a fractional part."""
    if not math.isfinite(number) or number != int(number):
        raise CellError(reason)
    return int(number)


def parse_date(value: Any) -> dt.date | None:
    """dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, a date serial (number or
    digit text), or a date/datetime cell → ``datetime.date``. Impossible dates such as
    31/02/2021 raise ``CellError("không phải ngày hợp lệ")``.

    A number (or digit-only text) is a serial only when it gives a date within
    :data:`SERIAL_DATE_RANGE`; a whole number 1900–2100 is a bare year
    (``CellError(BARE_YEAR)``), any other number is not a date (``BAD_DATE``). Date and
    datetime cells are taken as they are, whatever their year."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if _is_number(value):
        return _from_serial(value)
    s = _text(value) if isinstance(value, str) else ""
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return _from_serial(Decimal(s))
    time = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    try:
        if m := re.fullmatch(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})" + time, s):
            return dt.date(int(m[4]), int(m[3]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + time, s):
            return dt.date(int(m[1]), int(m[3]), int(m[4]))
    except ValueError:  # 31/02/2021, 29/02/2023, month 13 …
        pass
    raise CellError(BAD_DATE)


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


_UNITS = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_MONEY = re.compile(r"(.*?)\s*(nghìn|ngàn|triệu|tỷ|tỉ)?\s*(?:đồng|vnđ|vnd|đ)?\.?")


def parse_money(value: Any) -> int | None:
    """An amount in đồng → int: '50.000.000', '50,000,000', '50 000 000', number cells,
    '12,5 triệu', '85,425 triệu', '1,5 tỷ', '500 nghìn'/'500 ngàn', with an optional
    'đ'/'đồng'/'VNĐ'/'VND'. With a unit word the ',' or '.' is a decimal separator.
    Negative amounts and fractions of a đồng are errors."""
    if is_empty(value):
        return None
    if _is_number(value):
        amount = _whole(value, BAD_MONEY)
    else:
        m = _MONEY.fullmatch(normalise(value) if isinstance(value, str) else "")
        try:
            number = _parse_number(m[1], single_sep_is_decimal=bool(m[2]))
        except ValueError:
            raise CellError(BAD_MONEY) from None
        amount = _whole(number * _UNITS.get(m[2], 1), BAD_MONEY)  # Decimal: exact
    if amount < 0:
        raise CellError(NEGATIVE)
    return amount


def _number_cell(value: Any, single_sep_is_decimal: bool, reason: str) -> Decimal:
    if _is_number(value) and math.isfinite(value):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return _parse_number(_text(value), single_sep_is_decimal)
    except (ValueError, TypeError):  # TypeError: a date or other non-text cell
        raise CellError(reason) from None


def parse_int(value: Any) -> int | None:
    """'12', '1.200', '1,200', 12 or 12.0 → int; '12,5' and 12.5 are errors. Negative
    numbers are read: callers check ranges."""
    return None if is_empty(value) else _whole(_number_cell(value, False, BAD_INT), BAD_INT)


def parse_decimal(value: Any) -> Decimal | None:
    """'85,5', '85.5', '1.234,5', '1,234.5' or a number cell → ``Decimal``."""
    return None if is_empty(value) else _number_cell(value, True, BAD_DECIMAL)


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


def format_date(d: dt.date | None) -> str:
    """``dd/mm/yyyy``."""
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_int(n: int | Decimal | None) -> str:
    """Thousands grouped with '.': 1200 → '1.200'."""
    return "" if n is None else f"{int(n):,}".replace(",", ".")


def format_money(n: int | Decimal | None) -> str:
    """An amount in đồng: 50000000 → '50.000.000'."""
    return format_int(n)


def format_decimal(d: Decimal | float | int | None) -> str:
    """Decimal comma, thousands dot, no trailing zeros: Decimal('85.50') → '85,5',
    Decimal('80') → '80', Decimal('1234.5') → '1.234,5'."""
    if d is None:
        return ""
    d = Decimal(repr(d)) if isinstance(d, float) else Decimal(d)
    if d == 0:
        return "0"
    whole, _, frac = format(d.normalize(), "f").partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return sign + format_int(int(whole)) + ("," + frac if frac else "")


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
