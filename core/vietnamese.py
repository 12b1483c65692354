"""Numbers, money and dates as Vietnamese offices write them: the one place that reads
and writes them, for the admin, the reports, the rules' messages and the sheet mappings.

Written: thousands grouped with '.', a decimal comma, dates ``dd/mm/yyyy`` —
``format_int(1200)`` → ``'1.200'``, ``format_decimal(Decimal('85.50'))`` → ``'85,5'``,
``format_decimal(1.7, places=2)`` → ``'1,70'``. Formatters give ``''`` for ``None``.

Read: ``'1.200'``, ``'1,200'``, ``'12,5 triệu'``, ``'1,5 tỷ'``, ``'31/12/2021'``,
``'2021-12-31'``… Values arrive as ``None``, ``str`` (untrimmed, maybe NFD), numbers or
dates. Parsers return ``None`` for an empty value (``None`` or whitespace only) and raise
:class:`ParseError` for anything they cannot read. Date *serials* (a number in a
spreadsheet's date column) are the sheets' business: see :func:`sheets.values.parse_date`.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

BAD_DATE = "không phải ngày hợp lệ"
BAD_MONEY = "không phải số tiền hợp lệ"
BAD_INT = "không phải số nguyên hợp lệ"
BAD_DECIMAL = "không phải số hợp lệ"
NEGATIVE = "không được âm"


class ParseError(ValueError):
    """A value that cannot be read. ``reason`` is a short Vietnamese phrase naming neither
    the field nor the value: the caller writes the full message itself, e.g.
    ``Ngày bắt đầu "31/02/2021" không phải ngày hợp lệ``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- text ----------------------------------------------------------------------------------
@lru_cache(maxsize=8192, typed=True)
def normalise(text: Any) -> str:
    """NFC, casefold, strip, and collapse any run of whitespace (spaces, tabs, line
    breaks, non-breaking spaces) to one space. ``None`` gives ``''``; other non-text
    values are read with :func:`clean_text` first (2021.0 → '2021')."""
    text = text if isinstance(text, str) else clean_text(text) or ""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return re.sub(r"\s+", " ", folded).strip()


def is_empty(value: Any) -> bool:
    """True for ``None`` and for a string of nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_number(value: Any) -> bool:
    """An int, float or Decimal — not a bool."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def plain_text(value: str) -> str:
    """NFC, trimmed, ``\\r\\n`` read as ``\\n``; ``TypeError`` for a non-str."""
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
    return plain_text(str(value)) or None


# -- numbers -------------------------------------------------------------------------------
def parse_number_text(text: str, single_sep_is_decimal: bool) -> Decimal:
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


def whole(number: Decimal | float | int, reason: str) -> int:
    """``number`` as an int, or ``ParseError(reason)`` when it has a fractional part."""
    if not math.isfinite(number) or number != int(number):
        raise ParseError(reason)
    return int(number)


_UNITS = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9}
_MONEY = re.compile(r"(.*?)\s*(nghìn|ngàn|triệu|tỷ|tỉ)?\s*(?:đồng|vnđ|vnd|đ)?\.?")


def parse_money(value: Any) -> int | None:
    """An amount in đồng → int: '50.000.000', '50,000,000', '50 000 000', numbers,
    '12,5 triệu', '85,425 triệu', '1,5 tỷ', '500 nghìn'/'500 ngàn', with an optional
    'đ'/'đồng'/'VNĐ'/'VND'. With a unit word the ',' or '.' is a decimal separator.
    Negative amounts and fractions of a đồng are errors."""
    if is_empty(value):
        return None
    if is_number(value):
        amount = whole(value, BAD_MONEY)
    else:
        m = _MONEY.fullmatch(normalise(value) if isinstance(value, str) else "")
        try:
            number = parse_number_text(m[1], single_sep_is_decimal=bool(m[2]))
        except ValueError:
            raise ParseError(BAD_MONEY) from None
        amount = whole(number * _UNITS.get(m[2], 1), BAD_MONEY)  # Decimal: exact
    if amount < 0:
        raise ParseError(NEGATIVE)
    return amount


def _number(value: Any, single_sep_is_decimal: bool, reason: str) -> Decimal:
    if is_number(value) and math.isfinite(value):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    try:
        return parse_number_text(plain_text(value), single_sep_is_decimal)
    except (ValueError, TypeError):  # TypeError: a date or other non-text value
        raise ParseError(reason) from None


def parse_int(value: Any) -> int | None:
    """'12', '1.200', '1,200', 12 or 12.0 → int; '12,5' and 12.5 are errors. Negative
    numbers are read: callers check ranges."""
    return None if is_empty(value) else whole(_number(value, False, BAD_INT), BAD_INT)


def parse_decimal(value: Any) -> Decimal | None:
    """'85,5', '85.5', '1.234,5', '1,234.5' or a number → ``Decimal``."""
    return None if is_empty(value) else _number(value, True, BAD_DECIMAL)


def format_int(n: int | Decimal | None) -> str:
    """Thousands grouped with '.': 1200 → '1.200'. The one place a number's digits are
    grouped: every other formatter calls it."""
    return "" if n is None else f"{int(n):,}".replace(",", ".")


def format_money(n: int | Decimal | None) -> str:
    """An amount in đồng: 50000000 → '50.000.000'."""
    return format_int(n)


def format_decimal(d: Decimal | float | int | None, places: int | None = None) -> str:
    """Decimal comma, thousands dot. Without ``places``, no trailing zeros:
    Decimal('85.50') → '85,5', Decimal('80') → '80', Decimal('1234.5') → '1.234,5'.
    With ``places``, rounded half up to exactly that many decimals: (1.7, 2) → '1,70',
    (99, 2) → '99,00'."""
    if d is None:
        return ""
    d = Decimal(repr(d)) if isinstance(d, float) else Decimal(d)
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif d == 0:
        return "0"
    else:
        d = d.normalize()
    digits, _, frac = format(d, "f").partition(".")
    sign, digits = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    if sign and not digits.strip("0") and not frac.strip("0"):
        sign = ""  # -0,00 reads as 0,00
    return sign + format_int(int(digits)) + ("," + frac if frac else "")


def format_number(n: int | float | Decimal | None) -> str:
    """A whole number as :func:`format_int`, any other as :func:`format_decimal`:
    1200 → '1.200', Decimal('1200.00') → '1.200', Decimal('85.5') → '85,5'."""
    if n is None:
        return ""
    if isinstance(n, int) or n == int(n):
        return format_int(int(n))
    return format_decimal(n)


# -- dates ---------------------------------------------------------------------------------
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"


def parse_date(value: Any) -> dt.date | None:
    """dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd (a time after it is
    ignored), or a date/datetime → ``datetime.date``. Impossible dates such as 31/02/2021,
    numbers and other text raise ``ParseError("không phải ngày hợp lệ")``."""
    if is_empty(value):
        return None
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    s = plain_text(value) if isinstance(value, str) else ""
    try:
        if m := re.fullmatch(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})" + _TIME, s):
            return dt.date(int(m[4]), int(m[3]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME, s):
            return dt.date(int(m[1]), int(m[3]), int(m[4]))
    except ValueError:  # 31/02/2021, 29/02/2023, month 13 …
        pass
    raise ParseError(BAD_DATE)


def format_date(d: dt.date | None) -> str:
    """``dd/mm/yyyy``."""
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(d: dt.datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` (the time as given: convert to local time first)."""
    return "" if d is None else f"{format_date(d)} {d.hour:02d}:{d.minute:02d}"
