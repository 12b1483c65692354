"""The training section of the annual review (sơ kết / tổng kết), computed in SQL.

A fixed number of aggregate queries, whatever the number of activities: one ``GROUP BY``
kind over the activities (count, participants, speakers, budgets — read from the report
index alone), one ``GROUP BY`` organisation over the partner links, and two small look-ups
(the kinds, the names of the partners found). No activity row is loaded. An activity counts in the period when its start date
falls in it; archived activities (removed from the sheet) do not count.

Averages per unit per year divide by ``len(units) × period.years``: every unit in scope
counts, including units that held no activity. Rounding (half up): counts per unit per
year to 2 decimals, money averages to the nearest 0,01 million đồng (10.000 đ), shares to
2 decimals of a percent. Money is in đồng (ints); shares are percents (floats).
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from peewee import JOIN, SQL, NodeList, fn

from core.models import Organisation, Unit, name_key
from plugins.training.models import Activity, ActivityKind, ActivityPartner

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
    """``{kind_id: (count, participants, speakers, state, other)}`` in one GROUP BY query,
    read from the activities' report index alone. Speakers are the speaker links, counted
    by ``Activity.speaker_count`` (kept equal to them by ``set_speakers``)."""
    query = (Activity
             .select(Activity.kind, fn.COUNT(Activity.id), fn.SUM(Activity.participants),
                     fn.SUM(Activity.speaker_count), fn.SUM(Activity.state_budget), fn.SUM(Activity.other_budget))
             .where(where).group_by(Activity.kind).tuples())
    return {kind: tuple(int(v or 0) for v in rest) for kind, *rest in query}


def partner_counts(where, wide):
    """``{organisation_id: joint activities}`` in one GROUP BY over the partner links.

    ``wide`` (most registered units in scope, a national report) reads every link in
    ``activity_id`` order and looks its activity up by primary key: SQLite has no hash
    join, and this is about 3× faster there than seeking the links of each activity in
    scope; PostgreSQL plans both forms alike. ``CROSS JOIN … WHERE`` fixes SQLite's join
    order and the unary ``+`` keeps it off the organisation index, in SQL both databases
    read the same way. A narrow scope (one unit's sơ kết) seeks only its activities' links.
    """
    org = ActivityPartner.organisation
    if not wide:
        query = (ActivityPartner.select(org, fn.COUNT(ActivityPartner.id))
                 .join(Activity).where(where).group_by(org))
    else:
        key = NodeList((SQL("+"), org), glue="")
        query = (ActivityPartner.select(key, fn.COUNT(ActivityPartner.id))
                 .join(Activity, JOIN.CROSS).where((Activity.id == ActivityPartner.activity) & where)
                 .group_by(key))
    return {org_id: int(count) for org_id, count in query.tuples()}


def partner_ranking(where, wide=False):
    """Partners by number of joint activities, most first, then by name.

    One GROUP BY over the partner links in scope (:func:`partner_counts`) gives a count
    per organisation; a second query fetches the names of those organisations only. Organisations are then merged by
    normalised name, so that the same partner named in the records of several units
    (every province has its Sở Y tế) is one line of a national report; in one unit's
    report every line is one organisation. Ties are ordered in Python, so that SQLite and
    PostgreSQL (whose collations differ) give the same list.
    """
    counts = partner_counts(where, wide)
    merged = {}
    ids = list(counts)
    for start in range(0, len(ids), 10_000):
        names = Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids[start:start + 10_000]))
        for org_id, name in names.tuples():
            key = name_key(name)
            total, shown = merged.get(key, (0, name))
            merged[key] = (total + counts[org_id], min(shown, name))
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[0]))
    return [{"name": shown, "activities": count} for _key, (count, shown) in ranked]


def training_section(period, units):
    """The ``training`` section: ``{"kinds": {name: figures}, "total": figures,
    "partners": [{"name", "activities"}]}``. Every kind is listed (zeros included), in
    the kinds' sort order."""
    where = in_scope(period, units)
    counts = by_kind(where)
    n_units, years = len(units), period.years
    kinds = {}
    totals = [0, 0, 0, 0, 0]
    for kind in ActivityKind.select().order_by(ActivityKind.sort_order, ActivityKind.name):
        row = counts.get(kind.id, (0, 0, 0, 0, 0))
        kinds[kind.name] = figures(*row, n_units, years)
        totals = [a + b for a, b in zip(totals, row)]
    return {
        "kinds": kinds,
        "total": figures(*totals, n_units, years),
        "partners": partner_ranking(where, wide=2 * n_units > Unit.select().count()),
    }
