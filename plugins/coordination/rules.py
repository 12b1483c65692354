"""The coordination area's rules (spec/coordination.md, "Rules"): pure functions of plain
values and ``today``, so that the sheet, the admin and the report agree.

1. An agreement whose review is overdue — its last review, or its signing when it was
   never reviewed, plus the review cycle, is before today — is flagged "chưa sơ kết"; one
   whose valid-until date is before today is flagged "hết hiệu lực" (valid on its last
   day) and no longer "chưa sơ kết": an agreement that has ended is not reviewed again
   (samples/README.md, STT 4).
2. A partner with an agreement but no joint activity (a record of another area that
   names it) in the last 12 months — the year that ends today — is flagged "chưa có
   hoạt động phối hợp".

A row is refused (:func:`check_agreement`) when its valid-until date is before its
signing, or its review cycle is 0 months or less.
"""
from __future__ import annotations

import calendar
import datetime as dt

from core.vietnamese import format_date

REVIEW_OVERDUE = "chưa sơ kết"
EXPIRED = "hết hiệu lực"
NO_JOINT_ACTIVITY = "chưa có hoạt động phối hợp"
WINDOW_MONTHS = 12
SEPARATOR = "; "


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, kept in its month's length
    (31/01 + 1 month → 28/02 or 29/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def review_due(signed_on: dt.date | None, last_review_on: dt.date | None, review_months: int | None) -> dt.date | None:
    """When the next review is due: the last review (else the signing) plus the cycle;
    ``None`` without a cycle or a date to count from."""
    since = last_review_on or signed_on
    if since is None or not review_months or review_months <= 0:
        return None
    return add_months(since, review_months)


def review_overdue(signed_on, last_review_on, review_months, today: dt.date) -> bool:
    """Rule 1, "chưa sơ kết": the review was due before today."""
    due = review_due(signed_on, last_review_on, review_months)
    return due is not None and due < today


def expired(valid_until: dt.date | None, today: dt.date) -> bool:
    """Rule 1, "hết hiệu lực": valid until a day before today (no end date: never)."""
    return valid_until is not None and valid_until < today


def joint_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Rule 2's last 12 months, both ends included: from the day after the same day a year
    ago to today."""
    return add_months(today, -WINDOW_MONTHS) + dt.timedelta(days=1), today


def quiet_flag(partners: list[str], quiet: list[str]) -> str | None:
    """Rule 2 for an agreement: ``partners`` its partners' names, ``quiet`` those without a
    joint activity in the window. Every partner quiet: the flag alone; some: the flag
    naming them; none: ``None``."""
    if not quiet:
        return None
    if len(quiet) == len(partners):
        return NO_JOINT_ACTIVITY
    return f"{NO_JOINT_ACTIVITY}: {', '.join(quiet)}"


def agreement_flags(values: dict, today: dt.date, partners: list[str] = (), quiet: list[str] = ()) -> list[str]:
    """The flags of an agreement — rule 1's (expired, else overdue for review), then
    rule 2's — as the sheet shows them. ``values`` holds ``signed_on``, ``valid_until``,
    ``review_months`` and ``last_review_on``."""
    flags = []
    if expired(values.get("valid_until"), today):
        flags.append(EXPIRED)
    elif review_overdue(values.get("signed_on"), values.get("last_review_on"), values.get("review_months"), today):
        flags.append(REVIEW_OVERDUE)
    quiet_text = quiet_flag(list(partners), list(quiet))
    if quiet_text:
        flags.append(quiet_text)
    return flags


def flag_text(flags) -> str:
    """The flags as the ``Cảnh báo`` cell shows them: joined by "; "."""
    return SEPARATOR.join(flags)


def check_agreement(values: dict) -> list[tuple[str, str]]:
    """The row's problems across cells: ``[(field, Vietnamese message)]``; ``[]`` when
    it is fine. Only the fields present in ``values`` are checked."""
    problems = []
    signed, until = values.get("signed_on"), values.get("valid_until")
    if signed is not None and until is not None and until < signed:
        problems.append(("valid_until", f"Hiệu lực đến ({format_date(until)}) trước ngày ký ({format_date(signed)})"))
    months = values.get("review_months")
    if months is not None and months <= 0:
        problems.append(("review_months", f"Chu kỳ sơ kết {months} tháng: phải lớn hơn 0 tháng"))
    return problems
