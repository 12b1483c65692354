"""The critique section of the annual review (sơ kết / tổng kết), computed in SQL.

Three aggregate queries, whatever the number of requests — no request row is loaded:

1. ``GROUP BY form, kind, basis``: requests by form (with the per-unit-per-year average
   over every unit in scope, the national survey's 2,85 critiques and 0,16 social
   assessments per unit per year), by kind and by basis;
2. ``GROUP BY requester, window_days, bypassed``: per requesting organisation the
   requests, the distribution of comment windows (its median and its share of short
   windows come from these counts), the recommendations made and accepted on the requests
   it answered, the reports sent on time, the requests overdue today, and the documents
   of the province's mandatory list that never reached the LHH (as the office recorded
   them: ``Không gửi LHH``);
3. ``GROUP BY person`` over the teams: the experts mobilised and their load;

plus two small look-ups (the names of the organisations and people found). A request
counts in the period when its day received falls in it (a document never sent to the
LHH: its day of issue); archived requests do not count. Requesters are merged by name
across units (every province has its Sở Xây dựng), as the training section does.

Definitions (README "Critique"): a report is on time when sent by the deadline; the
share on time is over the requests that are due — sent with a deadline, or overdue
today. The median window is in calendar days. The acceptance rate is accepted / made
over the requests the requester answered (``Số kiến nghị được tiếp thu`` filled in).
Shares and rates are percents with 2 decimals.

JSON (``sections.critique``)::

    {"forms": {form: {"count", "per_unit_per_year"}}, "total": {"count", "per_unit_per_year"},
     "kinds": {kind: count}, "bases": {basis: count},
     "on_time_share", "median_window_days", "short_window_share",
     "mandatory": {"received", "missed"},
     "recommendations": {"made", "accepted", "acceptance_rate", "unanswered"},
     "requesters": [{"name", "requests", "short_windows", "median_window_days", "short_window_share",
                     "recommendations", "accepted", "acceptance_rate", "unanswered_recommendations",
                     "mandatory_missed"}],
     "experts": {"mobilised", "max_load"},
     "expert_load": [{"name", "requests"}]}
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from peewee import SQL, Case, fn

from core.models import Organisation, Person, name_key
from core.reports import Chart, Column, Figure, Link, Section, Table, year_range
from plugins.critique import rules, settings
from plugins.critique.models import Request, RequestBasis, RequestForm, RequestKind, TeamMember, ensure_lists

SECTION = "critique"
TITLE = "Tư vấn, phản biện và giám định xã hội"
SHEET_TITLE = "Tư vấn, phản biện, giám định"
NO_REQUESTER = "(không ghi cơ quan đề nghị)"
NO_BASIS = "(không ghi căn cứ)"
TEXT_TOP = 20


@dataclass(frozen=True)
class FlatTable(Table):
    """A keyed table of one figure per name, whose JSON is ``{name: figure}`` (the
    issue's ``"kinds": {kind: count}``) rather than ``{name: {column: figure}}``; text
    and xlsx lay it out as any table."""

    def __post_init__(self):
        super().__post_init__()
        if not self.keyed or len(self.columns) != 2:
            raise ValueError(f"flat table {self.key!r}: keyed, with a name and one figure")

    def json_rows(self):
        return {row[0]: row[1] for row in self.rows}


FORM_COLUMNS = (Column("name", "Hình thức", "text"), Column("count", "Số nhiệm vụ"),
                Column("per_unit_per_year", "TB/đơn vị/năm", "average"))
KIND_COLUMNS = (Column("name", "Loại", "text"), Column("count", "Số nhiệm vụ"))
BASIS_COLUMNS = (Column("name", "Căn cứ", "text"), Column("count", "Số nhiệm vụ"))
REQUESTER_COLUMNS = (
    Column("name", "Cơ quan đề nghị", "text"),
    Column("requests", "Số nhiệm vụ"),
    Column("short_windows", "Thời gian góp ý quá ngắn"),
    Column("median_window_days", "Trung vị thời gian góp ý (ngày)", "average"),
    Column("short_window_share", "Tỷ lệ quá ngắn (%)", "share"),
    Column("recommendations", "Kiến nghị (đã phản hồi)"),
    Column("accepted", "Được tiếp thu"),
    Column("acceptance_rate", "Tỷ lệ tiếp thu (%)", "share"),
    Column("unanswered_recommendations", "Kiến nghị chưa phản hồi"),
    Column("mandatory_missed", "Thuộc danh mục bắt buộc, không gửi LHH"),
)
EXPERT_COLUMNS = (Column("name", "Chuyên gia", "text"), Column("requests", "Số nhiệm vụ tham gia"))
CHARTS = (
    Chart("column", "forms", ["count"], "Nhiệm vụ theo hình thức"),
    Chart("pie", "kinds", ["count"], "Cơ cấu nhiệm vụ theo loại"),
    Chart("bar", "requesters", ["requests", "recommendations", "accepted"],
          "Nhiệm vụ, kiến nghị và kiến nghị được tiếp thu theo cơ quan đề nghị"),
    Chart("bar", "requesters", ["acceptance_rate"], "Tỷ lệ tiếp thu kiến nghị theo cơ quan đề nghị (%)"),
)
LIST = "critique_request"  # the admin list of requests (views.py)


def requests_link(period, *filters):
    """The requests list as the forms table counts: received in the period, sent to the
    LHH, not archived."""
    return Link(LIST, [*filters, ("Năm", year_range(period)), ("Không gửi LHH", "0"), ("Lưu trữ", "0")])


def in_scope(period, units):
    """Requests of ``units`` counted in ``period`` (by ``period_date``), not archived."""
    return (Request.unit.in_([u.id for u in units])
            & Request.period_date.between(dt.date(period.start, 1, 1), dt.date(period.end, 12, 31))
            & (Request.archived == False))  # noqa: E712 — peewee expression


def _sum(condition, value=1):
    return fn.COALESCE(fn.SUM(Case(None, [(condition, value)], 0)), 0)


@dataclass
class RequesterFigures:
    """What the second query gives for one requester (summed over its rows)."""

    requests: int = 0
    windows: Counter = field(default_factory=Counter)
    made: int = 0
    accepted: int = 0
    unanswered: int = 0
    on_time: int = 0
    sent: int = 0
    overdue: int = 0
    missed: int = 0

    def add(self, other: "RequesterFigures"):
        self.requests += other.requests
        self.windows.update(other.windows)
        for name in ("made", "accepted", "unanswered", "on_time", "sent", "overdue", "missed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def by_lists(where):
    """``(forms, kinds, bases)`` counters by id, over the requests that reached the LHH:
    one GROUP BY query."""
    query = (Request.select(Request.form, Request.kind, Request.basis, fn.COUNT(SQL("*")))
             .where(where & (Request.bypassed == False))  # noqa: E712
             .group_by(Request.form, Request.kind, Request.basis).tuples())
    forms, kinds, bases = Counter(), Counter(), Counter()
    for form, kind, basis, count in query:
        forms[form] += count
        kinds[kind] += count
        bases[basis] += count
    return forms, kinds, bases


def by_requester(where, today):
    """``{requester id: RequesterFigures}`` from one GROUP BY over (requester, window,
    bypassed)."""
    answered = Request.accepted.is_null(False) & Request.recommendations.is_null(False)
    dated = Request.report_sent_on.is_null(False) & Request.deadline.is_null(False)
    open_status = Request.status.in_(list(rules.OPEN)) | (Request.status.is_null() & Request.accepted.is_null())
    overdue = (Request.deadline < today) & Request.report_sent_on.is_null() & open_status
    query = (Request
             .select(Request.requester, Request.window_days, Request.bypassed, fn.COUNT(SQL("*")),
                     _sum(answered, Request.recommendations), _sum(answered, Request.accepted),
                     _sum(Request.accepted.is_null() & Request.recommendations.is_null(False), Request.recommendations),
                     _sum(dated & (Request.report_sent_on <= Request.deadline)), _sum(dated), _sum(overdue))
             .where(where).group_by(Request.requester, Request.window_days, Request.bypassed).tuples())
    found = defaultdict(RequesterFigures)
    for requester, window, bypassed, count, made, accepted, unanswered, on_time, sent, late in query:
        figures = found[requester]
        if bypassed:
            figures.missed += count
            continue
        figures.requests += count
        if window is not None:
            figures.windows[window] += count
        figures.made += int(made)
        figures.accepted += int(accepted)
        figures.unanswered += int(unanswered)
        figures.on_time += int(on_time)
        figures.sent += int(sent)
        figures.overdue += int(late)
    return found


def by_expert(where):
    """``{person id: requests}`` of the teams of the requests in scope: one GROUP BY."""
    query = (TeamMember.select(TeamMember.person, fn.COUNT(fn.DISTINCT(TeamMember.request)))
             .join(Request, on=(TeamMember.request == Request.id))
             .where(where & (Request.bypassed == False))  # noqa: E712
             .group_by(TeamMember.person).tuples())
    return {person: int(count) for person, count in query}


def merged_requesters(figures):
    """``[(name, RequesterFigures)]``: requesters merged by name across units (shown as
    the spelling most of their requests use), most requests first, then by name."""
    ids = [i for i in figures if i is not None]
    names = {}
    for start in range(0, len(ids), 10_000):
        query = Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids[start:start + 10_000]))
        names.update(query.tuples())
    merged, spellings = {}, {}
    for requester, found in figures.items():
        name = names.get(requester, NO_REQUESTER) if requester is not None else NO_REQUESTER
        key = name_key(name)
        merged.setdefault(key, RequesterFigures()).add(found)
        spellings.setdefault(key, Counter())[name] += found.requests + found.missed
    shown = {key: min(counts, key=lambda n: (-counts[n], n)) for key, counts in spellings.items()}
    return sorted(((shown[key], total) for key, total in merged.items()),
                  key=lambda item: (-item[1].requests, -item[1].missed, name_key(item[0])))


def lookup_rows(model, counts, missing_label=None):
    """``[(name, count)]`` of a lookup list in list order, zeros included (inactive
    entries only when counted), and the requests without an entry when there are some."""
    rows = []
    for entry in model.entries():
        count = counts.get(entry.id, 0)
        if entry.active or count:
            rows.append((entry.name, count))
    if missing_label and counts.get(None):
        rows.append((missing_label, counts[None]))
    return rows


def lookup_table(key, title, columns, model, counts, missing_label, filter_label, period):
    """A flat table of a lookup list's counts, each named entry linked to its requests."""
    rows = lookup_rows(model, counts, missing_label)
    named = {entry.name for entry in model.entries()}
    links = [requests_link(period, (filter_label, name)) if name in named else None for name, _count in rows]
    return FlatTable(key, title, columns, rows, keyed=True, links=links)


def report_section(period, units):
    """The critique ``Section`` (see the module docstring)."""
    ensure_lists()
    where = in_scope(period, units)
    n_units, years = len(units), period.years
    forms, kinds, bases = by_lists(where)
    minimum = settings.min_window_days()
    requesters = merged_requesters(by_requester(where, settings.today()))
    loads = by_expert(where)

    form_counts = lookup_rows(RequestForm, forms, "(không ghi hình thức)")
    form_rows = [(name, count, rules.per_unit_per_year(count, n_units, years)) for name, count in form_counts]
    named = {entry.name for entry in RequestForm.entries()}
    form_links = [requests_link(period, ("Hình thức", name)) if name in named else None for name, _count in form_counts]
    total = sum(forms.values())
    overall = RequesterFigures()
    rows = []
    for name, found in requesters:
        overall.add(found)
        short = sum(count for window, count in found.windows.items() if rules.short_window(window, minimum))
        windows = sum(found.windows.values())
        rows.append((name, found.requests, short, rules.median(found.windows), rules.percent(short, windows),
                     found.made, found.accepted, rules.acceptance_rate(found.made, found.accepted), found.unanswered,
                     found.missed))
    short_all = sum(count for window, count in overall.windows.items() if rules.short_window(window, minimum))
    mandatory_received = (Request.select(fn.COUNT(SQL("*")))
                          .where(where & (Request.mandatory == True) & (Request.bypassed == False))  # noqa: E712
                          .scalar()) or 0
    figures = [
        Figure("on_time_share", "Tỷ lệ gửi báo cáo đúng hạn (%)", rules.percent(overall.on_time, overall.sent + overall.overdue),
               "share"),
        Figure("median_window_days", "Trung vị thời gian góp ý (ngày)", rules.median(overall.windows), "average"),
        Figure("short_window_share", f"Tỷ lệ thời gian góp ý dưới {minimum} ngày (%)",
               rules.percent(short_all, sum(overall.windows.values())), "share"),
        Figure("mandatory.received", "Thuộc danh mục bắt buộc, đã gửi LHH", int(mandatory_received)),
        Figure("mandatory.missed", "Thuộc danh mục bắt buộc, không gửi LHH", overall.missed),
        Figure("recommendations.made", "Kiến nghị đã được phản hồi", overall.made),
        Figure("recommendations.accepted", "Kiến nghị được tiếp thu", overall.accepted),
        Figure("recommendations.acceptance_rate", "Tỷ lệ tiếp thu (%)",
               rules.acceptance_rate(overall.made, overall.accepted), "share"),
        Figure("recommendations.unanswered", "Kiến nghị chưa được phản hồi", overall.unanswered),
        Figure("experts.mobilised", "Chuyên gia được huy động", len(loads)),
        Figure("experts.max_load", "Số nhiệm vụ nhiều nhất của một chuyên gia", max(loads.values(), default=0)),
    ]
    people = dict(Person.select(Person.id, Person.full_name).where(Person.id.in_(list(loads))).tuples()) if loads else {}
    expert_rows = sorted(((people.get(person, ""), count) for person, count in loads.items()),
                         key=lambda row: (-row[1], name_key(row[0])))
    return Section(
        key=SECTION, title=TITLE, sheet_title=SHEET_TITLE, figures=figures,
        tables=[
            Table("forms", "Theo hình thức", FORM_COLUMNS, form_rows, keyed=True,
                  total=("Tổng cộng", total, rules.per_unit_per_year(total, n_units, years)),
                  links=form_links, total_link=requests_link(period)),
            lookup_table("kinds", "Theo loại", KIND_COLUMNS, RequestKind, kinds, "(không ghi loại)", "Loại", period),
            lookup_table("bases", "Theo căn cứ", BASIS_COLUMNS, RequestBasis, bases, NO_BASIS, "Căn cứ", period),
            Table("requesters", "Theo cơ quan đề nghị", REQUESTER_COLUMNS, rows, numbered=True, text_limit=TEXT_TOP),
            Table("expert_load", "Chuyên gia và số nhiệm vụ tham gia", EXPERT_COLUMNS, expert_rows, numbered=True,
                  text_limit=TEXT_TOP),
        ],
        charts=CHARTS,
    )


def critique_section(period, units):
    """The section as plain data (its JSON form)."""
    return report_section(period, units).as_json()


# -- joint activities (hook phoihop_joint_activities) ------------------------------------------
def joint_activities(organisation_ids, start, end):
    """``(area, label, organisation id, requests, latest received)`` of the live requests
    that each organisation sent the LHH (``Cơ quan đề nghị``; a document never sent is
    none), dated by their receipt: one grouped query."""
    from core.joint import within

    query = (Request.select(Request.requester, fn.COUNT(Request.id), fn.MAX(Request.received_on))
             .where(Request.requester.in_(list(organisation_ids)), Request.archived == False,  # noqa: E712
                    Request.bypassed == False, within(Request.received_on, start, end))  # noqa: E712
             .group_by(Request.requester))
    return [("critique", "Tư vấn, phản biện", org, count, latest) for org, count, latest in query.tuples()]
