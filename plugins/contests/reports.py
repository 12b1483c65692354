"""The contests section of the annual review (spec/contests.md, "Reports"), computed in SQL.

Per edition and over the period: entries received per field and per nominating unit,
entries forwarded after the preliminary round, prizes per tier, entries sent to the
national contest and national prizes won, prize money — the figures a province reports
(Bắc Giang, 7 editions: 928 entries, 451 forwarded, 301 prizes, 93 sent on, 11 national
prizes).

An edition counts in a period when its season ends in it (the start year for a one-year
season). Two aggregate queries over the entries — one ``GROUP BY`` edition, field, round
reached, national prize and tier, one ``GROUP BY`` nominating unit — and three small
look-ups (editions in scope, the names of the fields, tiers and organisations found); no
entry row is loaded. Groups are few (editions × fields × rounds × tiers), so which round
means "not forwarded" and which national prize text names a prize are decided on the
groups. Archived entries (rows removed from the sheet) do not count.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from core.lookups import split_aliases
from core.models import Organisation, name_key
from core.reports import Chart, Column, Figure, Link, Section, Table
from core.vietnamese import normalise
from plugins.contests import rules
from plugins.contests.models import ContestField, ContestKind, Edition, Entry, PrizeTier

SECTION = "contests"
TITLE = "Hội thi, cuộc thi sáng tạo và giải thưởng khoa học, công nghệ"
SHEET_TITLE = "Hội thi, cuộc thi"
TEXT_TOP = 20

EDITION_COLUMNS = (
    Column("name", "Cuộc thi", "text"), Column("kind", "Loại", "text"), Column("entries", "Giải pháp dự thi"),
    Column("forwarded", "Vào chung khảo"), Column("prizes", "Đạt giải"), Column("sent_national", "Gửi dự thi toàn quốc"),
    Column("national_prizes", "Giải toàn quốc"), Column("prize_money", "Tiền thưởng", "money"),
)
FIELD_COLUMNS = (Column("name", "Lĩnh vực", "text"), Column("entries", "Giải pháp dự thi"),
                 Column("forwarded", "Vào chung khảo"), Column("prizes", "Đạt giải"))
TIER_COLUMNS = (Column("name", "Hạng giải", "text"), Column("prizes", "Số giải"), Column("money", "Tiền thưởng", "money"))
UNIT_COLUMNS = (Column("name", "Đơn vị giới thiệu", "text"), Column("entries", "Giải pháp dự thi"),
                Column("prizes", "Đạt giải"))
NATIONAL_COLUMNS = (Column("name", "Giải toàn quốc", "text"), Column("entries", "Số giải pháp"))
CHARTS = (Chart("column", "fields", ["entries", "prizes"], "Giải pháp dự thi và đạt giải theo lĩnh vực"),
          Chart("column", "tiers", ["prizes"], "Số giải theo hạng"),
          Chart("pie", "tiers", ["prizes"], "Cơ cấu giải theo hạng"))
LIST = "contests_entry"  # the admin list of entries (views.py)


def entries_link(edition_id):
    """The entries list of one edition, as the figures count them (archived left out)."""
    return Link(LIST, [("Cuộc thi", edition_id), ("Lưu trữ", "0")])


def editions_in(period, units):
    """The editions of ``units`` whose season ends within ``period`` (one small query)."""
    year = fn.COALESCE(Edition.season_end, Edition.season_start)
    return list(Edition.select(Edition.id, Edition.name, Edition.kind, Edition.rounds, ContestKind.name, Edition.unit)
                .join(ContestKind)
                .where(Edition.unit.in_([u.id for u in units]), year.between(period.start, period.end))
                .order_by(year, Edition.name).tuples())


def average(total, count):
    if not count:
        return None
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def report_section(period, units):
    """The contests ``Section``, or ``None`` when no edition of the units ends in the period."""
    editions = editions_in(period, units)
    if not editions:
        return None
    ids = [e[0] for e in editions]
    first_round = {edition_id: normalise((split_aliases(rounds) or ["Sơ khảo"])[0]) for edition_id, _, _, rounds, _, _ in editions}
    single = {edition_id for edition_id, _, _, rounds, _, _ in editions if len(split_aliases(rounds)) < 2}
    groups = list(Entry.select(Entry.edition, Entry.field, Entry.round_reached, Entry.national_prize, Entry.final_tier,
                               fn.COUNT(Entry.id), fn.SUM(Entry.sent_national.cast("integer")),
                               fn.SUM(Entry.prize_money))
                  .where(Entry.edition.in_(ids), Entry.archived == False)  # noqa: E712
                  .group_by(Entry.edition, Entry.field, Entry.round_reached, Entry.national_prize, Entry.final_tier)
                  .tuples())
    tiers = {t.id: t for t in PrizeTier.select(PrizeTier.id, PrizeTier.name, PrizeTier.sort_order, PrizeTier.kind)
             .where(PrizeTier.kind.in_({kind for _, _, kind, _, _, _ in editions}))}
    kind_tiers = defaultdict(list)
    for tier in sorted(tiers.values(), key=lambda t: t.sort_order):
        kind_tiers[tier.kind_id].append((tier.name, ()))
    kind_of = {edition_id: kind for edition_id, _, kind, _, _, _ in editions}
    field_names = dict(ContestField.select(ContestField.id, ContestField.name)
                       .where(ContestField.id.in_({g[1] for g in groups if g[1]})).tuples()) if groups else {}
    per_edition = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # entries, forwarded, prizes, sent, national, money
    per_field = defaultdict(lambda: [0, 0, 0])
    per_tier = defaultdict(lambda: [0, 0])
    national = defaultdict(int)
    for edition_id, field_id, round_reached, national_prize, tier_id, count, sent, money in groups:
        forwarded = edition_id in single or normalise(round_reached) != first_round[edition_id]
        prize = tier_id is not None
        won = rules.tier_of(national_prize, kind_tiers[kind_of[edition_id]]) is not None
        row = per_edition[edition_id]
        for i, value in enumerate((count, count if forwarded else 0, count if prize else 0, int(sent or 0),
                                   count if won else 0, int(money or 0))):
            row[i] += value
        name = field_names.get(field_id, "(chưa rõ lĩnh vực)")
        for i, value in enumerate((count, count if forwarded else 0, count if prize else 0)):
            per_field[name][i] += value
        if prize:
            per_tier[tiers[tier_id].name][0] += count
            per_tier[tiers[tier_id].name][1] += int(money or 0)
        if won:
            national[" ".join(national_prize.split())] += count
    edition_rows = [(name, kind, *per_edition[edition_id]) for edition_id, name, _kind_id, _, kind in
                    distinct_names(editions, units)]
    totals = [sum(row[i] for row in per_edition.values()) for i in range(6)]
    tier_rows = [(name, prizes, money) for name, (prizes, money) in
                 sorted(per_tier.items(), key=lambda item: tier_order(kind_tiers)[item[0]])]
    field_rows = [(name, *values) for name, values in per_field.items()]
    count = len(editions)
    return Section(
        key=SECTION, title=TITLE, sheet_title=SHEET_TITLE,
        figures=[
            Figure("editions", "Số cuộc thi", count),
            Figure("entries", "Giải pháp dự thi", totals[0], link=entries_link(ids[0]) if count == 1 else None),
            Figure("entries_per_edition", "Giải pháp dự thi bình quân mỗi cuộc thi", average(totals[0], count), "average"),
            Figure("forwarded", "Vào vòng chung khảo", totals[1]),
            Figure("prizes", "Đạt giải", totals[2]),
            Figure("prizes_per_edition", "Số giải bình quân mỗi cuộc thi", average(totals[2], count), "average"),
            Figure("sent_national", "Gửi dự thi toàn quốc", totals[3]),
            Figure("national_prizes", "Đạt giải toàn quốc", totals[4]),
            Figure("prize_money", "Tiền thưởng", totals[5], "money"),
        ],
        tables=[
            Table("by_edition", "Theo cuộc thi", EDITION_COLUMNS, edition_rows, keyed=True,
                  links=[entries_link(edition[0]) for edition in editions]),
            Table("fields", "Theo lĩnh vực", FIELD_COLUMNS, field_rows, keyed=True),
            Table("tiers", "Theo hạng giải", TIER_COLUMNS, tier_rows, keyed=True),
            Table("nominating_units", "Theo đơn vị giới thiệu", UNIT_COLUMNS, nominating_units(ids), numbered=True,
                  text_limit=TEXT_TOP),
            Table("national", "Giải toàn quốc", NATIONAL_COLUMNS, sorted(national.items()), keyed=True),
        ],
        charts=CHARTS,
    )


def distinct_names(editions, units):
    """The editions with names that tell them apart: two units' editions of one name (each
    province holds its "Hội thi Sáng tạo kỹ thuật lần thứ 10") get their unit's code."""
    seen = defaultdict(int)
    for edition in editions:
        seen[edition[1]] += 1
    code = {u.id: u.code or u.name for u in units}
    return [(edition_id, f"{name} ({code.get(unit_id, unit_id)})" if seen[name] > 1 else name, kind_id, rounds, kind)
            for edition_id, name, kind_id, rounds, kind, unit_id in editions]


def tier_order(kind_tiers) -> dict:
    """Tiers of several kinds in one order: by their latest place in any kind's list, then
    their earliest ('Đặc biệt' before 'Nhất', which is second among the youth tiers)."""
    places = defaultdict(list)
    for tiers in kind_tiers.values():
        for position, (name, _aliases) in enumerate(tiers):
            places[name].append(position)
    ranked = sorted(places, key=lambda name: (max(places[name]), min(places[name]), name))
    return {name: i for i, name in enumerate(ranked)}


def nominating_units(edition_ids):
    """``[(name, entries, prizes)]``: one GROUP BY over the entries, one look-up of the
    organisations' names; organisations of one name (several units' Sở Y tế) are merged."""
    counts = list(Entry.select(Entry.nominating_unit, fn.COUNT(Entry.id), fn.COUNT(Entry.final_tier))
                  .where(Entry.edition.in_(edition_ids), Entry.archived == False)  # noqa: E712
                  .group_by(Entry.nominating_unit).tuples())
    ids = [org for org, _, _ in counts if org is not None]
    names = dict(Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)).tuples()) if ids else {}
    merged = {}
    for org, entries, prizes in counts:
        name = names.get(org, "(chưa rõ)")
        key = name_key(name)
        total_entries, total_prizes, shown = merged.get(key, (0, 0, name))
        merged[key] = (total_entries + entries, total_prizes + prizes, min(shown, name))
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[0]))
    return [(shown, entries, prizes) for _key, (entries, prizes, shown) in ranked]


# -- joint activities (hook phoihop_joint_activities) ------------------------------------------
def joint_activities(organisation_ids, start, end):
    """``(area, label, organisation id, entries, latest received)`` of the live entries
    that each organisation nominated (``Đơn vị giới thiệu``), dated by their receipt: one
    grouped query."""
    from core.joint import within

    query = (Entry.select(Entry.nominating_unit, fn.COUNT(Entry.id), fn.MAX(Entry.received_on))
             .where(Entry.nominating_unit.in_(list(organisation_ids)), Entry.archived == False,  # noqa: E712
                    within(Entry.received_on, start, end))
             .group_by(Entry.nominating_unit))
    return [("contests", "Cuộc thi, giải thưởng", org, count, latest) for org, count, latest in query.tuples()]
