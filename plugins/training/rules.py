"""Domain rules of the training area: pure functions on plain values (no database).

Each check returns a list of ``(field, Vietnamese message)`` problems, empty when the
values are fine; :func:`check_activity` runs them all on a row's parsed values. Checks of
one cell are not rules: they belong to the sheet's columns. Messages quote values the way
the sheet shows them (``dd/mm/yyyy``). Splitting a speaker's title off ('PGS.TS. …') is
the core's (:func:`core.people.split_title`), shared with every area that names people.
"""
from __future__ import annotations

from sheets.values import format_date, normalise


def check_dates(start, end) -> list[tuple[str, str]]:
    """The end date (ngày kết thúc), when given, is not before the start date."""
    if start is not None and end is not None and end < start:
        return [("end_date", f'Ngày kết thúc "{format_date(end)}" trước ngày bắt đầu "{format_date(start)}"')]
    return []


def check_activity(values: dict) -> list[tuple[str, str]]:
    """Every rule on a row's parsed values (``field → value``; missing fields are skipped).

    Only rules across cells live here. What one cell must be — required, one of the
    choices, not negative (``minimum``, and money never is) — is its sheet column's
    check (``sheets.py``), and the admin form runs that same check (``views.py``).
    """
    return check_dates(values.get("start_date"), values.get("end_date"))


def infer_format(venue: str | None) -> str | None:
    """The format (hình thức) a venue text implies: 'Trực tuyến' → online, 'Tại mô hình: …'
    → at a model farm/site; ``None`` when the venue does not say."""
    key = normalise(venue)
    if key.startswith("trực tuyến") or key in {"online", "zoom"}:
        return "Trực tuyến"
    if key.startswith("tại mô hình"):
        return "Tại mô hình"
    return None
