"""The coordination area's section of the annual review, and the partners page's table.

For the units and period chosen: the agreements (by kind; how many are overdue for a
review, expired), their yearly items planned and done in the period's years, and for
each partner with an agreement the number of joint activities per area — the other
areas' records that name it, counted through the core (``core.joint``) — its documents
and its status. Flags are as of the end of the period,
or today when that is earlier (rules.py); "chưa có hoạt động phối hợp" looks at the 12
months before that day. The same partner in two units (one name) is one row.

Queries: one for the agreements and their partners, one for the kinds, one for the
yearly items, and one per area for each of the two windows (the period, the last 12
months): a constant number whatever the number of agreements.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from peewee import Case, fn

from core.joint import gather, totals
from core.models import Organisation, name_key
from core.reports import Chart, Column, Figure, Section, Table
from core.vietnamese import format_date
from plugins.coordination import rules, settings
from plugins.coordination.models import Agreement, AgreementItem, AgreementKind, AgreementPartner

SECTION = "coordination"
TITLE = "Phối hợp với các cơ quan, tổ chức"
SHEET_TITLE = "Đối tác phối hợp"
ACTIVE = "Đang thực hiện"
TEXT_TOP = 20  # partners the text output shows (JSON and xlsx show them all)
KIND_COLUMNS = (Column("name", "Loại văn bản", "text"), Column("agreements", "Số văn bản"),
                Column("review_overdue", "Chưa sơ kết"), Column("expired", "Hết hiệu lực"))


@dataclass
class PartnerRow:
    """One partner: its name, its documents' numbers, its status (the flags of its
    documents and its own, or :data:`ACTIVE`), joint activities per area in the window,
    their total and the latest date, and its joint activities in the last 12 months."""

    name: str
    agreements: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    by_area: dict = field(default_factory=lambda: defaultdict(int))
    latest: dt.date | None = None
    recent: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_area.values())

    @property
    def status(self) -> str:
        return rules.flag_text(self.flags) or ACTIVE


@dataclass
class Overview:
    """The partners of the units' agreements (:class:`PartnerRow`, most active first),
    the areas that counted joint activities ``[(key, label)]``, and the agreements'
    flags by kind ``{kind id: [agreements, overdue, expired]}``."""

    day: dt.date
    areas: list
    partners: list
    kinds: dict
    agreements: int
    review_overdue: int
    expired: int


def overview(unit_ids, start: dt.date | None, end: dt.date | None, day: dt.date, pm=None) -> Overview:
    """What the partners page and the report show: joint activities between ``start``
    and ``end`` (``None``: open), flags as of ``day``."""
    rows = (Agreement.select(Agreement.id, Agreement.number, Agreement.kind, Agreement.signed_on,
                             Agreement.valid_until, Agreement.review_months, Agreement.last_review_on,
                             Organisation.id, Organisation.name)
            .join(AgreementPartner, on=(AgreementPartner.agreement == Agreement.id))
            .join(Organisation, on=(AgreementPartner.organisation == Organisation.id))
            .where(Agreement.unit.in_(list(unit_ids)), Agreement.archived == False)  # noqa: E712
            .order_by(Agreement.id, AgreementPartner.position)).tuples()
    rows = list(rows)
    if not rows:  # nothing to count: no other area is asked (nor the app's plugin manager needed)
        return Overview(day=day, areas=[], partners=[], kinds={}, agreements=0, review_overdue=0, expired=0)
    pm = pm or current_app.extensions["phoihop_pm"]
    organisation_ids = {row[7] for row in rows}
    window = rules.joint_window(day)
    recent = totals(gather(pm, organisation_ids, *window))
    counted = gather(pm, organisation_ids, start, end)
    partners, keys_of = {}, defaultdict(set)
    agreements, kinds = {}, defaultdict(lambda: [0, 0, 0])
    for agreement_id, number, kind, signed, until, months, reviewed, org, name in rows:
        values = {"signed_on": signed, "valid_until": until, "review_months": months, "last_review_on": reviewed}
        flags = rules.agreement_flags(values, day)
        if agreement_id not in agreements:
            agreements[agreement_id] = flags
            counts = kinds[kind]
            counts[0] += 1
            counts[1] += rules.REVIEW_OVERDUE in flags
            counts[2] += rules.EXPIRED in flags
        key = name_key(name)
        partner = partners.setdefault(key, PartnerRow(name))
        keys_of[org].add(key)
        if number and number not in partner.agreements:
            partner.agreements.append(number)
        partner.flags.extend(flag for flag in flags if flag not in partner.flags)
    for org, (count, _latest) in recent.items():
        for key in keys_of.get(org, ()):
            partners[key].recent += count
    areas = {}
    for activity in counted:
        areas.setdefault(activity.key, activity.label)
        for key in keys_of.get(activity.organisation_id, ()):
            partner = partners[key]
            partner.by_area[activity.key] += activity.count
            if activity.latest is not None and (partner.latest is None or activity.latest > partner.latest):
                partner.latest = activity.latest
    for partner in partners.values():
        if not partner.recent:
            partner.flags.append(rules.NO_JOINT_ACTIVITY)
    ranked = sorted(partners.values(), key=lambda p: (-p.total, name_key(p.name)))
    return Overview(day=day, areas=list(areas.items()), partners=ranked, kinds=dict(kinds), agreements=len(agreements),
                    review_overdue=sum(rules.REVIEW_OVERDUE in f for f in agreements.values()),
                    expired=sum(rules.EXPIRED in f for f in agreements.values()))


def items_in(period, units) -> tuple[int, int]:
    """``(planned, done)``: the yearly items of the units' live agreements for the years of
    ``period`` — one grouped query."""
    done = fn.SUM(Case(None, [(AgreementItem.done == True, 1)], 0))  # noqa: E712
    planned, finished = (AgreementItem.select(fn.COUNT(AgreementItem.id), done)
                         .join(Agreement, on=(AgreementItem.agreement == Agreement.id))
                         .where(AgreementItem.unit.in_([u.id for u in units]), Agreement.archived == False,  # noqa: E712
                                AgreementItem.year.between(period.start, period.end))
                         .tuples().get())
    return int(planned or 0), int(finished or 0)


def share(part, whole):
    """``part`` of ``whole`` in percent, to 0,01 (``None`` of nothing)."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def partner_columns(areas) -> list[Column]:
    return [Column("name", "Đối tác", "text"), Column("agreements", "Văn bản phối hợp", "text"),
            Column("status", "Tình trạng", "text"),
            *(Column(f"activities.{key}", label) for key, label in areas),
            Column("activities.total", "Tổng số hoạt động phối hợp"), Column("latest", "Gần nhất", "text")]


def partner_rows(found: Overview) -> list[tuple]:
    return [(p.name, "; ".join(p.agreements), p.status, *(p.by_area.get(key, 0) for key, _label in found.areas),
             p.total, format_date(p.latest) if p.latest else None) for p in found.partners]


def report_section(period, units):
    """The coordination ``Section``, or ``None`` when the units have no agreement."""
    end = dt.date(period.end, 12, 31)
    found = overview([u.id for u in units], dt.date(period.start, 1, 1), end, min(settings.today(), end))
    if not found.agreements:
        return None
    names = dict(AgreementKind.select(AgreementKind.id, AgreementKind.name).tuples())
    kind_rows = sorted(((names.get(kind, "(không ghi loại)"), *counts) for kind, counts in found.kinds.items()),
                       key=lambda row: (-row[1], name_key(row[0])))
    idle = sum(1 for p in found.partners if rules.NO_JOINT_ACTIVITY in p.flags)
    planned, done = items_in(period, units)
    charted = [f"activities.{key}" for key, _label in found.areas] or ["activities.total"]
    return Section(
        key=SECTION, title=TITLE, sheet_title=SHEET_TITLE,
        figures=[
            Figure("agreements", "Số văn bản phối hợp", found.agreements),
            Figure("partner_count", "Số đối tác", len(found.partners)),
            Figure("joint_activities", "Số hoạt động phối hợp", sum(p.total for p in found.partners)),
            Figure("review_overdue", "Văn bản chưa sơ kết", found.review_overdue),
            Figure("expired", "Văn bản hết hiệu lực", found.expired),
            Figure("idle_partners", "Đối tác chưa có hoạt động phối hợp (12 tháng)", idle),
            Figure("items.planned", "Nội dung phối hợp hằng năm", planned),
            Figure("items.done", "Nội dung đã thực hiện", done),
            Figure("items.done_share", "Tỷ lệ nội dung đã thực hiện (%)", share(done, planned), "share"),
            Figure("as_of", "Tình trạng tính đến ngày", format_date(found.day), "text"),
        ],
        tables=[
            Table("partners", "Hoạt động phối hợp theo đối tác", partner_columns(found.areas), partner_rows(found),
                  keyed=True, text_limit=TEXT_TOP),
            Table("kinds", "Theo loại văn bản", KIND_COLUMNS, kind_rows, keyed=True),
        ],
        charts=[Chart("bar", "partners", charted, "Hoạt động phối hợp theo đối tác")],
    )
