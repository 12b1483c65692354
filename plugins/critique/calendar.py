"""The working-day calendar as data, seeded from the ``holidays`` library.

Vietnam's days off are the fixed-date public holidays (Tết Dương lịch, 30/4, 1/5, Quốc
khánh with its adjacent day), Tết Nguyên đán and Giỗ Tổ Hùng Vương (lunar dates), the
substitute days off when a holiday falls on a weekend, and the days the government swaps
with a working Saturday (nghỉ hoán đổi / làm bù) as it announces them each year. The
``holidays`` package (vacanza/holidays, ``holidays.VN``) keeps all of this — the
Vietnamese lunar calendar included — and is updated as announcements come out, so phoihop
does no lunar arithmetic of its own: :func:`library_days` turns its answer for a year
into rows of :class:`~plugins.critique.models.CalendarDay`, a day it names "Ngày nghỉ
(thay cho ngày dd/mm/yyyy)" giving the day off and the Saturday worked instead.

:func:`ensure_years` seeds each year once (2020–2027 by default, and any year a request
needs), remembered in :class:`~plugins.critique.models.CalendarYear`: afterwards the
table is the office's — days added, changed or deleted in the admin stay so. A year
outside the library's range is left empty (Mon–Fri only) until the office fills it.

:func:`calendar_for` answers the rules' question — which days are off, which are worked
— for the years some dates span, in two queries whatever the number of dates.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import NamedTuple

from core.db import database
from plugins.critique.models import DAYS_OFF, WORKDAY, CalendarDay, CalendarYear

SEEDED_YEARS = range(2020, 2028)  # the years the calendar holds from the start
LIBRARY_YEARS = range(1995, 2100)  # the years the library answers for Vietnam
SWAPPED = re.compile(r"thay cho ngày (\d{1,2})/(\d{1,2})/(\d{4})")


class WorkCalendar(NamedTuple):
    """The days off and the compensating working days of some years."""

    days_off: frozenset
    workdays: frozenset


def library_version() -> str:
    import holidays

    return f"holidays {holidays.__version__}"


def library_days(year: int) -> list[tuple[dt.date, str, str]]:
    """``[(day, kind, name)]`` of ``year`` as the ``holidays`` library gives them for
    Vietnam, in Vietnamese: holidays (``nghi_le``), substitute days off (``nghi_bu``),
    days off swapped for a Saturday (``hoan_doi``) and that Saturday (``lam_bu``, which
    may fall in the year before). Sorted by day; empty outside the library's years."""
    if year not in LIBRARY_YEARS:
        return []
    import holidays

    found = {}
    for day, names in sorted(holidays.VN(years=year, language="vi").items()):
        parts = names.split("; ")  # two holidays on one day come joined
        swapped = SWAPPED.search(names)
        if swapped:
            found[day] = (day, "hoan_doi", names)
            worked = dt.date(int(swapped[3]), int(swapped[2]), int(swapped[1]))
            found.setdefault(worked, (worked, WORKDAY, f"Làm bù cho ngày nghỉ {day:%d/%m/%Y}"))
        elif all("nghỉ bù" in part for part in parts):
            found[day] = (day, "nghi_bu", names)
        else:
            found[day] = (day, "nghi_le", names)
    return sorted(found.values())


def ensure_years(years: Iterable[int]) -> list[int]:
    """Seed each of ``years`` (within the library's range) not seeded yet; return the
    years seeded now. One query when none is missing; concurrent callers cannot seed a
    year twice (the year and the day are unique; a conflict is ignored)."""
    wanted = sorted({int(y) for y in years if int(y) in LIBRARY_YEARS})
    if not wanted:
        return []
    have = {y for (y,) in CalendarYear.select(CalendarYear.year).where(CalendarYear.year.in_(wanted)).tuples()}
    missing = [y for y in wanted if y not in have]
    if not missing:
        return []
    source = library_version()
    rows = [{"day": day, "kind": kind, "name": name, "source": source}
            for year in missing for day, kind, name in library_days(year)]
    with database.atomic():
        if rows:
            CalendarDay.insert_many(rows).on_conflict_ignore().execute()
        CalendarYear.insert_many([{"year": y, "source": source} for y in missing]).on_conflict_ignore().execute()
    return missing


def ensure_calendar() -> list[int]:
    """Seed the default years (:data:`SEEDED_YEARS`) that are not seeded yet."""
    return ensure_years(SEEDED_YEARS)


def load(first: dt.date, last: dt.date) -> WorkCalendar:
    """The days off and working days between two dates, both included (one query)."""
    off, worked = set(), set()
    query = CalendarDay.select(CalendarDay.day, CalendarDay.kind).where(CalendarDay.day.between(first, last))
    for day, kind in query.tuples():
        if kind == WORKDAY:
            worked.add(day)
        elif kind in DAYS_OFF:
            off.add(day)
    return WorkCalendar(frozenset(off), frozenset(worked))


def calendar_for(dates: Iterable[dt.date | None]) -> WorkCalendar:
    """The calendar of the years ``dates`` span, those years seeded first when they were
    not (two queries when nothing is missing)."""
    dates = [d for d in dates if d is not None]
    if not dates:
        return WorkCalendar(frozenset(), frozenset())
    first, last = min(dates), max(dates)
    ensure_years({*SEEDED_YEARS, *range(first.year, last.year + 1)})
    return load(dt.date(first.year, 1, 1), dt.date(last.year, 12, 31))
