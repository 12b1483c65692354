"""The training section of the annual review (sơ kết / tổng kết), computed in SQL.

A fixed number of aggregate queries, whatever the number of activities: one ``GROUP BY``
kind over the activities (count, participants, speakers, budgets — read from the report
index alone), one ``GROUP BY`` organisation over the partner links (read from theirs: the
links carry copies of their activity's unit, start date and archived flag, checked by one
query first), and two small look-ups (the kinds, the names of the partners found). No
activity row is loaded. An activity counts in the period when its start date falls in it;
archived activities (removed from the sheet) do not count.

Averages per unit per year divide by ``len(units) × period.years``: every unit in scope
counts, including units that held no activity. Rounding (half up): counts per unit per
year to 2 decimals, money averages to the nearest 0,01 million đồng (10.000 đ), shares to
2 decimals of a percent. Money is in đồng (ints); shares are percents (floats).

The section (:func:`report_section`) is a ``core.reports.Section`` of three tables: the
kinds, keyed by name, with a total row; the activities per year and kind (one more
GROUP BY, over the year of the start date); and the partners ranked by joint activities.
Its JSON form (:func:`training_section`) is the README's, with ``"years": {"2024":
{kind name: count, …, "total": n}}``::

    {"kinds": {name: {"count", "per_unit_per_year", "participants", "speakers",
                      "budget": {"total", "state", "other", "state_share", "per_year",
                                 "per_unit_per_year"}}},
     "total": {…the same figures over all kinds…},
     "partners": [{"name", "activities"}, …]}
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from peewee import SQL, fn

from core.models import Organisation, name_key
from core.reports import Chart, Column, Link, Period, Section, Table, year_range
from plugins.training.models import Activity, ActivityKind, ActivityPartner, ensure_partner_copies

SECTION = "training"
TITLE = "Hội thảo, hội nghị, tập huấn, phổ biến kiến thức"
SHEET_TITLE = "Tập huấn, hội thảo"
MONEY_STEP = Decimal(10_000)  # 0,01 million đồng
TEXT_TOP = 20  # partners shown in the text output

KIND_COLUMNS = (
    Column("name", "Loại hoạt động", "text"),
    Column("count", "Số lượng"),
    Column("per_unit_per_year", "TB/đơn vị/năm", "average"),
    Column("participants", "Người tham dự"),
    Column("speakers", "Báo cáo viên"),
    Column("budget.total", "KP tổng", "money"),
    Column("budget.state", "KP ngân sách", "money"),
    Column("budget.other", "KP huy động", "money"),
    Column("budget.state_share", "Tỷ lệ ngân sách (%)", "share"),
    Column("budget.per_year", "KP TB/năm", "money"),
    Column("budget.per_unit_per_year", "KP TB/đơn vị/năm", "money"),
)
PARTNER_COLUMNS = (Column("name", "Đơn vị phối hợp", "text"), Column("activities", "Số hoạt động"))
CHARTS = (
    Chart("column", "kinds", ["count"], "Số hoạt động theo loại"),
    Chart("column", "kinds", ["budget.state", "budget.other"], "Kinh phí theo nguồn (tr.đ)"),
    Chart("pie", "kinds", ["budget.total"], "Cơ cấu kinh phí theo loại (tr.đ)"),
)
LIST = "training_activity"  # the admin list of activities (views.py)
YEAR_TOTAL = "total"


def in_scope(period, units, model=Activity):
    """The WHERE clause: activities of ``units`` starting within ``period``, not archived
    — over the activities, or (``model=ActivityPartner``) over their partner links by the
    copies of those columns that the links carry."""
    return (
        model.unit.in_([u.id for u in units])
        & model.start_date.between(dt.date(period.start, 1, 1), dt.date(period.end, 12, 31))
        & (model.archived == False)  # noqa: E712 — peewee expression
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
    """The cells of a kind (or of all kinds), in the order of :data:`KIND_COLUMNS` after
    the name."""
    total = state + other
    return (count, ratio(count, units * years), participants, speakers, total, state, other,
            ratio(state * 100, total), money_average(total, years), money_average(total, units * years))


def by_kind(where):
    """``{kind_id: (count, participants, speakers, state, other)}`` in one GROUP BY query,
    read from the activities' report index alone. Speakers are the speaker links, counted
    by ``Activity.speaker_count`` (kept equal to them by ``set_speakers``)."""
    query = (Activity
             .select(Activity.kind, fn.COUNT(Activity.id), fn.SUM(Activity.participants),
                     fn.SUM(Activity.speaker_count), fn.SUM(Activity.state_budget), fn.SUM(Activity.other_budget))
             .where(where).group_by(Activity.kind).tuples())
    return {kind: tuple(int(v or 0) for v in rest) for kind, *rest in query}


def partner_counts(period, units):
    """``{organisation_id: joint activities}`` in one GROUP BY over the partner links in
    scope, read from the links' report index alone: each link carries its activity's
    unit, start date and archived flag (``models.ActivityPartner``), so no activity is
    read. Run :func:`~plugins.training.models.ensure_partner_copies` first."""
    org = ActivityPartner.organisation
    query = (ActivityPartner.select(org, fn.COUNT(SQL("*")))
             .where(in_scope(period, units, ActivityPartner)).group_by(org))
    return {org_id: int(count) for org_id, count in query.tuples()}


def partner_ranking(period, units):
    """``[(name, joint activities)]``: partners by number of joint activities, most
    first, then by name.

    One GROUP BY over the partner links in scope (:func:`partner_counts`) gives a count
    per organisation; a second query fetches the names of those organisations only.
    Organisations are then merged by normalised name, so that the same partner named in
    the records of several units (every province has its Sở Y tế) is one line of a
    national report; in one unit's report every line is one organisation. Ties are
    ordered in Python, so that SQLite and PostgreSQL (whose collations differ) give the
    same list.
    """
    counts = partner_counts(period, units)
    merged = {}
    ids = list(counts)
    for start in range(0, len(ids), 10_000):
        names = Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids[start:start + 10_000]))
        for org_id, name in names.tuples():
            key = name_key(name)
            total, shown = merged.get(key, (0, name))
            merged[key] = (total + counts[org_id], min(shown, name))
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[0]))
    return [(shown, count) for _key, (count, shown) in ranked]


def by_year(where):
    """``{(year, kind_id): count}`` in one GROUP BY over the activities' report index."""
    year = Activity.start_date.year
    query = Activity.select(year, Activity.kind, fn.COUNT(Activity.id)).where(where).group_by(year, Activity.kind).tuples()
    return {(int(y), kind): int(count) for y, kind, count in query}


def list_link(period, *filters, column=None):
    """The activities list filtered as a figure counts: in the period, not archived."""
    return Link(LIST, [*filters, ("Năm", year_range(period)), ("Lưu trữ", "0")], column=column)


def years_table(period, kinds, counts):
    """Activities per year (rows: from the first to the last year of the period that has
    an activity) and kind (columns, keyed by the kind's name), with a total column:
    ``{"2024": {"Hội thảo": 3, …, "total": 5}}`` in JSON."""
    columns = [Column("year", "Năm", "text"),
               *(Column(name.replace(".", " "), name) for name in kinds.values()), Column(YEAR_TOTAL, "Tổng cộng")]
    rows, links = [], []
    found = sorted({year for year, _kind in counts})
    for year in range(found[0], found[-1] + 1) if found else ():
        cells = [counts.get((year, kind_id), 0) for kind_id in kinds]
        rows.append((str(year), *cells, sum(cells)))
        links.append(list_link(Period(year, year), column=YEAR_TOTAL))
    return Table("years", "Số hoạt động theo năm và loại", columns, rows, keyed=True, links=links)


def report_section(period, units):
    """The training ``Section``: every kind (zeros included, in the kinds' sort order)
    with a total row, the activities per year and kind, the partners ranked, chart hints
    (activities per year by kind, per kind, budgets by source) and the links of the
    counts into the activities list."""
    where = in_scope(period, units)
    counts = by_kind(where)
    n_units, n_years = len(units), period.years
    rows, links, kinds = [], [], {}
    totals = [0, 0, 0, 0, 0]
    for kind in ActivityKind.select().order_by(ActivityKind.sort_order, ActivityKind.name):
        row = counts.get(kind.id, (0, 0, 0, 0, 0))
        rows.append((kind.name, *figures(*row, n_units, n_years)))
        links.append(list_link(period, ("Loại hoạt động", kind.name)))
        kinds[kind.id] = kind.name
        totals = [a + b for a, b in zip(totals, row)]
    ensure_partner_copies()
    partners = partner_ranking(period, units)
    per_year = years_table(period, kinds, by_year(where))
    year_chart = (Chart("column", "years", [c.key for c in per_year.columns[1:-1]], "Số hoạt động theo năm và loại")
                  if kinds else None)
    return Section(
        key=SECTION, title=TITLE, sheet_title=SHEET_TITLE,
        tables=[
            Table("kinds", "Loại hoạt động", KIND_COLUMNS, rows, total=("Tổng cộng", *figures(*totals, n_units, n_years)),
                  keyed=True, links=links, total_link=list_link(period)),
            per_year,
            Table("partners", "Đơn vị phối hợp", PARTNER_COLUMNS, partners, numbered=True, text_limit=TEXT_TOP),
        ],
        charts=(year_chart,) + CHARTS if year_chart else CHARTS,
    )


def training_section(period, units):
    """The section as plain data (its JSON form): ``{"kinds": {name: figures}, "total":
    figures, "partners": [{"name", "activities"}]}``."""
    return report_section(period, units).as_json()


# -- joint activities (hook phoihop_joint_activities) ------------------------------------------
def joint_activities(organisation_ids, start, end):
    """``(area, label, organisation id, activities, latest start)`` of the live activities
    that name each organisation among their partners (``Đơn vị phối hợp``), dated by their
    start: one grouped query over the links' own copies of their activity's start and
    archived flag (:class:`~plugins.training.models.ActivityPartner`), kept right by
    :func:`ensure_partner_copies` (one query when all is well)."""
    from core.joint import within

    ensure_partner_copies()
    query = (ActivityPartner.select(ActivityPartner.organisation, fn.COUNT(ActivityPartner.id),
                                    fn.MAX(ActivityPartner.start_date))
             .where(ActivityPartner.organisation.in_(list(organisation_ids)), ActivityPartner.archived == False,  # noqa: E712
                    within(ActivityPartner.start_date, start, end))
             .group_by(ActivityPartner.organisation))
    return [("training", "Tập huấn, hội thảo", org, count, latest) for org, count, latest in query.tuples()]
