"""Domain rules of the training area: pure functions on plain values (no database).

Each check returns a list of ``(field, Vietnamese message)`` problems, empty when the
values are fine; :func:`check_activity` runs them all on a row's parsed values. Messages
quote values the way the sheet shows them (``dd/mm/yyyy``, ``1.200``). Splitting a
speaker's title off ('PGS.TS. …') is the core's (:func:`core.people.split_title`), shared
with every area that names people.
"""
from __future__ import annotations

from sheets.values import format_date, format_int, normalise


def check_dates(start, end) -> list[tuple[str, str]]:
    """The end date (ngày kết thúc), when given, is not before the start date."""
    if start is not None and end is not None and end < start:
        return [("end_date", f'Ngày kết thúc "{format_date(end)}" trước ngày bắt đầu "{format_date(start)}"')]
    return []


def check_participants(count) -> list[tuple[str, str]]:
    """The number of participants (số người tham dự), when given, is not negative."""
    if count is not None and count < 0:
        return [("participants", f"Số người tham dự không được âm ({format_int(count)})")]
    return []


def check_budget(field: str, amount) -> list[tuple[str, str]]:
    """A budget amount (kinh phí), when given, is not negative."""
    if amount is not None and amount < 0:
        label = "Kinh phí ngân sách" if field == "state_budget" else "Kinh phí huy động"
        return [(field, f"{label} không được âm ({format_int(amount)})")]
    return []


def check_activity(values: dict) -> list[tuple[str, str]]:
    """Every rule on a row's parsed values (``field → value``; missing fields are skipped).

    Cell-level problems (an impossible date, an unknown kind, unreadable money, a negative
    count) are already reported by the column parsers; these rules look across cells and
    also guard values that reach the database another way (the admin, a province plugin).
    """
    problems = check_dates(values.get("start_date"), values.get("end_date"))
    problems += check_participants(values.get("participants"))
    for field in ("state_budget", "other_budget"):
        problems += check_budget(field, values.get(field))
    return problems


def infer_format(venue: str | None) -> str | None:
    """The format (hình thức) a venue text implies: 'Trực tuyến' → online, 'Tại mô hình: …'
    → at a model farm/site; ``None`` when the venue does not say."""
    key = normalise(venue)
    if key.startswith("trực tuyến") or key in {"online", "zoom"}:
        return "Trực tuyến"
    if key.startswith("tại mô hình"):
        return "Tại mô hình"
    return None
