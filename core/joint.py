"""Joint activities: how often each area's records name a partner organisation.

An area's record that names a partner (a training's ``Đơn vị phối hợp``, a critique
request's ``Cơ quan đề nghị``, a contest entry's ``Đơn vị giới thiệu``…) *is* a joint
activity with it, stored once, in the area's tables. Each area answers the
``phoihop_joint_activities`` hook with one grouped query; :func:`gather` asks them all and
keeps the answers as :class:`JointActivity` rows, so that the coordination rules and the
partners table need no area's models.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from core.registry import hook_results


class JointActivity(NamedTuple):
    """``count`` records of the area ``key`` (shown as ``label``) name the organisation;
    the latest is dated ``latest`` (``None`` when none has a date)."""

    key: str
    label: str
    organisation_id: int
    count: int
    latest: dt.date | None


def gather(pm, organisation_ids, start=None, end=None) -> list[JointActivity]:
    """Every area's :class:`JointActivity` rows for ``organisation_ids`` between ``start``
    and ``end`` (dates, both included; ``None``: open), one query per area; ``[]`` for no
    organisation."""
    ids = sorted({int(i) for i in organisation_ids if i is not None})
    if not ids:
        return []
    found = []
    for _plugin, rows in hook_results(pm, "phoihop_joint_activities", organisation_ids=ids, start=start, end=end):
        found.extend(JointActivity(key, label, int(org), int(count), _date(latest))
                     for key, label, org, count, latest in rows or [])
    return found


def totals(rows) -> dict[int, tuple[int, dt.date | None]]:
    """``{organisation id: (count over every area, latest date)}`` of ``rows``."""
    found = defaultdict(lambda: (0, None))
    for row in rows:
        count, latest = found[row.organisation_id]
        dates = [d for d in (latest, row.latest) if d is not None]
        found[row.organisation_id] = (count + row.count, max(dates) if dates else None)
    return dict(found)


def _date(value):
    """A date from what a database's ``MAX()`` gives (SQLite: text)."""
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def within(date_field, start, end):
    """The condition "``date_field`` lies between ``start`` and ``end``" for a query of
    :func:`gather`'s hook: no bound, every record (dated or not); a bound, dated records
    inside it."""
    condition = True
    if start is not None:
        condition = date_field >= start
    if end is not None:
        condition = (date_field <= end) if condition is True else (condition & (date_field <= end))
    return condition
