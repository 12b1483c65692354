"""An edition's settings per prize tier as people type them, on the command line
(``--quota Nhất=1``) and in the admin (``Nhất=1; Nhì=2``, one per line or separated by
';'): pure parsing and formatting, with Vietnamese messages that name what is wrong and
list the valid tiers.

A tier is named by its name or an alias ("Giải Nhất", "KK"), compared case- and
NFC-insensitively. Money is đồng ("5 triệu", "5.000.000") or a multiple of the base salary
("2,5 lương cơ sở", "2.5x").
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.vietnamese import ParseError, format_decimal, format_money, normalise, parse_money

QUOTA, MIN_SCORE, MONEY = "quota", "min_score", "money"
MULTIPLE = re.compile(r"^\s*([\d.,]+)\s*(x|×|lần|lần lương cơ sở|lương cơ sở|lcs)\s*$", re.IGNORECASE)


class SettingError(ValueError):
    """A value that cannot be read; the message is for the person who typed it."""


def split_pair(text: str, label: str) -> tuple[str, str]:
    """'Nhất=1' → ('Nhất', '1')."""
    if "=" not in text:
        raise SettingError(f'{label} {text!r}: cần dạng HẠNG=GIÁ TRỊ, ví dụ {label} "Nhất=1"')
    tier, value = text.rsplit("=", 1)
    return tier.strip(), value.strip()


def parse_number(text: str, label: str, integer: bool = False):
    """A count or a score: '3', '60,5', '60.5'; negative is an error."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise SettingError(f"{label} {text!r}: không phải số") from None
    if not value.is_finite() or value < 0 or (integer and value != int(value)):
        raise SettingError(f"{label} {text!r}: cần {'số nguyên ' if integer else 'số '}không âm")
    return int(value) if integer else value


def parse_money_value(text: str, label: str) -> tuple[int | None, Decimal | None]:
    """``(đồng, multiple of the base salary)``: '50 triệu' → (50000000, None);
    '2,5 lương cơ sở' → (None, Decimal('2.5'))."""
    found = MULTIPLE.match(normalise(text))
    if found:
        return None, parse_number(found[1], label)
    try:
        return parse_money(text), None
    except ParseError:
        raise SettingError(f'{label} {text!r}: cần số tiền ("50 triệu", "50.000.000") hoặc bội số lương cơ sở '
                           '("2,5 lương cơ sở")') from None


def find_tier(tiers, text: str, kind_name: str):
    """The tier of ``tiers`` (with ``name`` and ``spellings()``) that ``text`` names."""
    key = normalise(text)
    for tier in tiers:
        if key in {normalise(s) for s in tier.spellings()}:
            return tier
    raise SettingError(f'Hạng giải "{text}" không có trong {kind_name}; các hạng giải: '
                       f'{", ".join(t.name for t in tiers)}')


def parse_value(what: str, text: str, label: str):
    if what == QUOTA:
        return parse_number(text, label, integer=True)
    if what == MIN_SCORE:
        return parse_number(text, label)
    return parse_money_value(text, label)


def parse_settings(items, tiers, kind_name: str, what: str, label: str) -> dict:
    """``{tier: value}`` from ``items`` — texts 'TIER=VALUE', or one text of them separated
    by ';' or line breaks."""
    if isinstance(items, str):
        items = [part for part in re.split(r"[;\n\r]+", items) if part.strip()]
    found = {}
    for item in items:
        tier_text, value = split_pair(item.strip(), label)
        found[find_tier(tiers, tier_text, kind_name)] = parse_value(what, value, label)
    return found


def format_settings(rows, what: str) -> str:
    """The admin's text of a setting: 'Nhất=1; Nhì=2' from ``[(tier name, row)]``."""
    parts = []
    for name, row in rows:
        if row is None:
            continue
        if what == QUOTA and row.quota is not None:
            parts.append(f"{name}={row.quota}")
        elif what == MIN_SCORE and row.min_score is not None:
            parts.append(f"{name}={format_decimal(row.min_score)}")
        elif what == MONEY and row.money is not None:
            parts.append(f"{name}={format_money(row.money)}")
        elif what == MONEY and row.money_multiple is not None:
            parts.append(f"{name}={format_decimal(row.money_multiple)} lương cơ sở")
    return "; ".join(parts)


# -- funding (nguồn kinh phí) ----------------------------------------------------------------------------
FUNDING = re.compile(r"^\s*(?P<source>[^:(]+?)\s*(?:\((?P<sponsor>[^)]*)\))?\s*:\s*(?P<amount>.+?)\s*$")
SOURCE_SPELLINGS = {"ngân sách": "ngan_sach", "ngân sách nhà nước": "ngan_sach", "nsnn": "ngan_sach",
                    "xã hội hóa": "xa_hoi_hoa", "xã hội hoá": "xa_hoi_hoa", "xhh": "xa_hoi_hoa", "tài trợ": "xa_hoi_hoa",
                    "khác": "khac"}


def parse_funding(text: str, sources, label: str = "Nguồn kinh phí") -> list[tuple[str, str | None, int | None]]:
    """``[(source code, sponsor, amount)]`` from lines such as 'Ngân sách nhà nước: 50
    triệu' or 'Xã hội hóa (Công ty CP ABC): 20.000.000'; ``sources``: ``(code, label)``."""
    spellings = {**SOURCE_SPELLINGS, **{normalise(name): code for code, name in sources}}
    found = []
    for line in (part for part in re.split(r"[;\n\r]+", text or "") if part.strip()):
        match = FUNDING.match(line)
        code = spellings.get(normalise(match["source"])) if match else None
        if code is None:
            raise SettingError(f'{label} "{line.strip()}": cần dạng "Nguồn: số tiền", nguồn là '
                               f'{", ".join(name for _, name in sources)} (ví dụ "Xã hội hóa (Công ty ABC): 20 triệu")')
        try:
            amount = parse_money(match["amount"])
        except ParseError as exc:
            raise SettingError(f'{label} "{line.strip()}": số tiền {exc.reason}') from None
        found.append((code, (match["sponsor"] or "").strip() or None, amount))
    return found


def format_funding(rows, sources) -> str:
    """The admin's text of an edition's funding, one line per source."""
    names = dict(sources)
    lines = []
    for row in rows:
        sponsor = f" ({row.sponsor})" if row.sponsor else ""
        lines.append(f"{names.get(row.source, row.source)}{sponsor}: {format_money(row.amount) if row.amount else ''}")
    return "\n".join(lines)
