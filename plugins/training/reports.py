"""The training section of the annual review (sơ kết / tổng kết), computed in SQL.

Three aggregate queries, whatever the number of activities: one ``GROUP BY`` kind over
activities (count, participants, budgets), one over speaker links, one over partner
links. No activity row is loaded. An activity counts in the period when its start date
falls in it; archived activities (removed from the sheet) do not count.

Averages per unit per year divide by ``len(units) × period.years``: every unit in scope
counts, including units that held no activity. Rounding (half up): counts per unit per
year to 2 decimals, money averages to the nearest 0,01 million đồng (10.000 đ), shares to
2 decimals of a percent. Money is in đồng (ints); shares are percents (floats).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from core.models import Organisation, name_key
from plugins.training.models import Activity, ActivityKind, ActivityPartner, ActivitySpeaker

SECTION = "training"
MONEY_STEP = Decimal(10_000)  # 0,01 million đồng


def in_scope(period, units):
    """The WHERE clause: activities of ``units`` starting within ``period``, not archived."""
    return (
        Activity.unit.in_([u.id for u in units])
        & Activity.start_date.between(dt.date(period.start, 1, 1), dt.date(period.end, 12, 31))
        & (Activity.archived == False)  # noqa: E712 — peewee expression
    )


def ratio(numerator, denominator, places=2):
    """``numerator / denominator`` rounded half up to ``places`` decimals, as a float;
    ``None`` when the denominator is 0."""
    if not denominator:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(numerator) / Decimal(denominator)).quantize(quantum, rounding=ROUND_HALF_UP))


def money_average(total, denominator):
    """An amount in đồng divided and rounded half up to the nearest 10.000 đ; ``None``
    when the denominator is 0."""
    if not denominator:
        return None
    steps = (Decimal(total) / Decimal(denominator) / MONEY_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(steps * MONEY_STEP)


def figures(count, participants, speakers, state, other, units, years):
    """One row of the table: the figures of a kind (or of all kinds)."""
    total = state + other
    return {
        "count": count,
        "per_unit_per_year": ratio(count, units * years),
        "participants": participants,
        "speakers": speakers,
        "budget": {
            "total": total,
            "state": state,
            "other": other,
            "state_share": ratio(state * 100, total),
            "per_year": money_average(total, years),
            "per_unit_per_year": money_average(total, units * years),
        },
    }


def by_kind(where):
    """``{kind_id: (count, participants, state, other)}`` in one GROUP BY query."""
    query = (Activity
             .select(Activity.kind, fn.COUNT(Activity.id), fn.SUM(Activity.participants),
                     fn.SUM(Activity.state_budget), fn.SUM(Activity.other_budget))
             .where(where).group_by(Activity.kind).tuples())
    return {kind: tuple(int(v or 0) for v in rest) for kind, *rest in query}


def speakers_by_kind(where):
    """``{kind_id: speaker links}`` in one GROUP BY query."""
    query = (ActivitySpeaker.select(Activity.kind, fn.COUNT(ActivitySpeaker.id))
             .join(Activity).where(where).group_by(Activity.kind).tuples())
    return {kind: int(n) for kind, n in query}


def partner_ranking(where):
    """Partners by number of joint activities, most first, then by name.

    Organisations are grouped by normalised name, so that the same partner named in the
    records of several units (every province has its Sở Y tế) is one line of a national
    report; in one unit's report every line is one organisation. Ties are ordered in
    Python, so that SQLite and PostgreSQL (whose collations differ) give the same list.
    """
    activities = fn.COUNT(ActivityPartner.id)
    name = fn.MIN(Organisation.name)
    query = (Organisation.select(name, activities)
             .join(ActivityPartner).join(Activity).where(where)
             .group_by(Organisation.name_key)
             .tuples())
    ranked = sorted(((int(count), n) for n, count in query), key=lambda item: (-item[0], name_key(item[1])))
    return [{"name": n, "activities": count} for count, n in ranked]


def training_section(period, units):
    """The ``training`` section: ``{"kinds": {name: figures}, "total": figures,
    "partners": [{"name", "activities"}]}``. Every kind is listed (zeros included), in
    the kinds' sort order."""
    where = in_scope(period, units)
    counts, speakers = by_kind(where), speakers_by_kind(where)
    n_units, years = len(units), period.years
    kinds = {}
    totals = [0, 0, 0, 0, 0]
    for kind in ActivityKind.select().order_by(ActivityKind.sort_order, ActivityKind.name):
        count, participants, state, other = counts.get(kind.id, (0, 0, 0, 0))
        spoke = speakers.get(kind.id, 0)
        kinds[kind.name] = figures(count, participants, spoke, state, other, n_units, years)
        totals = [a + b for a, b in zip(totals, (count, participants, spoke, state, other))]
    return {
        "kinds": kinds,
        "total": figures(*totals, n_units, years),
        "partners": partner_ranking(where),
    }
