"""The honours section of the annual review (spec/honours.md, "Report"), computed in SQL.

Per round, for the period and since the first round, counting persons and times honoured
(lượt) side by side: nominations, eligible nominations and honours per category;
nominations and honours per nominating organisation, field and gender — so that a province's "372 intellectuals honoured, parts adding up to 375" is
explained (three of them were honoured twice as outstanding intellectuals), not hidden.

A nomination is one person in one category of one round: rows merged into it (a second
nominating organisation) do not count again, archived ones not at all. ``persons`` are
the distinct people nominated, ``honoured`` the distinct people selected, and
``times_honoured`` the selections (lượt). Seven aggregate queries and one look-up of
names, whatever the number of rows.

The JSON form (``phoihop report --format json``) is given by the section itself
(:meth:`HonoursSection.as_json`), because its categories nest inside each round::

    {"rounds": {"2023": {"nominations", "persons", "eligible", "honoured", "times_honoured",
                         "by_category": {category: {"nominations", "eligible", "honoured"}},
                         "by_organisation": {name: {"nominations", "honoured"}}, "by_field": {…},
                         "by_gender": {…}}},
     "cumulative": {"persons", "honoured", "times_honoured", "by_category": {…},
                    "by_organisation": {…}, "by_field": {…}, "by_gender": {…}},
     "by_organisation": {…}, "by_field": {…}, "by_gender": {…}}  # the period's rounds
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from peewee import Case, fn

from core.models import GENDERS, Organisation, name_key
from core.reports import Chart, Column, Figure, Link, Section, Table
from plugins.honours import rules
from plugins.honours.models import Category, Nomination, NominationNominator, Round

SECTION = "honours"
TITLE = "Tập hợp, tôn vinh trí thức khoa học và công nghệ"
SHEET_TITLE = "Tôn vinh trí thức"
UNKNOWN = "(chưa rõ)"
TEXT_TOP = 20

ROUND_COLUMNS = (Column("year", "Năm", "text"), Column("nominations", "Đề cử"), Column("persons", "Người được đề cử"),
                 Column("eligible", "Đủ điều kiện"), Column("honoured", "Người được tôn vinh"),
                 Column("times_honoured", "Lượt tôn vinh"))
ROUND_CATEGORY_COLUMNS = (Column("round", "Đợt, hình thức tôn vinh", "text"), Column("nominations", "Đề cử"),
                          Column("eligible", "Đủ điều kiện"), Column("honoured", "Được tôn vinh (lượt)"))
CATEGORY_COLUMNS = (Column("name", "Hình thức tôn vinh", "text"), Column("nominations", "Đề cử"),
                    Column("eligible", "Đủ điều kiện"), Column("honoured", "Được tôn vinh (lượt)"))
GROUP_COLUMNS = {
    "by_organisation": "Đơn vị đề cử", "by_field": "Lĩnh vực", "by_gender": "Giới tính",
}
CHARTS = (Chart("column", "cumulative_categories", ["honoured"], "Lượt tôn vinh theo hình thức, lũy kế"),
          Chart("column", "rounds", ["nominations", "times_honoured"], "Đề cử và lượt tôn vinh theo đợt"))
LIST = "honours_nomination"  # the admin list of nominations (views.py)


def honoured_link(*filters, column="honoured"):
    """The nominations honoured (lượt), archived left out, narrowed by ``filters``."""
    return Link(LIST, [*filters, ("Kết quả", "duoc"), ("Lưu trữ", "0")], column=column)


@dataclass(frozen=True)
class HonoursSection(Section):
    """A :class:`~core.reports.Section` whose JSON nests each round's categories inside it
    (the module docstring), which one table's rows cannot say; text and xlsx lay out its
    figures and tables as for every section."""

    data: dict = field(default_factory=dict)

    def as_json(self):
        return self.data


def report_section(period, units):
    """The honours ``Section``, or ``None`` when no round of the units is in or before the period."""
    unit_ids = [u.id for u in units]
    rounds = list(Round.select(Round.id, Round.year).where(Round.unit.in_(unit_ids), Round.year <= period.end).tuples())
    if not rounds:
        return None
    year_of = dict(rounds)
    in_period = [i for i, y in rounds if y >= period.start]
    cumulative_ids = [i for i, _ in rounds]
    names = {c.id: c.name for c in Category.select(Category.id, Category.name)}
    order = {c.id: (c.sort_order, c.name) for c in Category.select(Category.id, Category.sort_order, Category.name)}

    per_round, per_category, by_round_category = category_counts(cumulative_ids, year_of, names)
    people = person_counts(cumulative_ids, year_of)
    years = sorted({year_of[i] for i in in_period})
    rounds_json = {}
    for year in years:
        counts, persons = per_round.get(year, {}), people["rounds"].get(year, (0, 0))
        rounds_json[str(year)] = {
            "nominations": counts.get("nominations", 0), "persons": persons[0], "eligible": counts.get("eligible", 0),
            "honoured": persons[1], "times_honoured": counts.get("honoured", 0),
            "by_category": {name: dict(values) for name, values in sorted(
                by_round_category.get(year, {}).items(), key=lambda item: category_order(item[0], names, order))},
        }
    total_times = sum(v["honoured"] for v in per_category.values())
    cumulative = {"persons": people["cumulative"][0], "honoured": people["cumulative"][1], "times_honoured": total_times,
                  "by_category": {name: dict(values) for name, values in sorted(
                      per_category.items(), key=lambda item: category_order(item[0], names, order))}}
    grouped = group_counts(cumulative_ids, year_of, years)
    for year, values in rounds_json.items():
        values.update(grouped["rounds"][int(year)])
    cumulative.update(grouped["cumulative"])
    groups = grouped["period"]
    data = {"rounds": rounds_json, "cumulative": cumulative, **groups}

    round_rows = [(y, v["nominations"], v["persons"], v["eligible"], v["honoured"], v["times_honoured"])
                  for y, v in rounds_json.items()]
    round_category_rows = [(f"{y} — {name}", v["nominations"], v["eligible"], v["honoured"])
                           for y, r in rounds_json.items() for name, v in r["by_category"].items()]
    category_rows = [(name, v["nominations"], v["eligible"], v["honoured"]) for name, v in cumulative["by_category"].items()]
    round_of_year = defaultdict(list)  # a year's row links to its round when one unit held it
    for round_id in in_period:
        round_of_year[str(year_of[round_id])].append(round_id)
    round_links = [honoured_link(("Đợt tôn vinh", round_of_year[y][0]), column="times_honoured")
                   if len(round_of_year[y]) == 1 else None for y in rounds_json]
    # the cumulative counts are every round's when no round of the units comes after the period
    whole = not Round.select().where(Round.unit.in_(unit_ids), Round.year > period.end).exists()
    category_ids = {name: i for i, name in names.items()}
    category_links = [honoured_link(("Hình thức tôn vinh", category_ids[row[0]]))
                      if whole and row[0] in category_ids else None for row in category_rows]
    repeated = total_times - cumulative["honoured"]
    first = min(year_of.values())
    tables = [
        Table("rounds", "Theo đợt tôn vinh", ROUND_COLUMNS, round_rows, keyed=True, links=round_links),
        Table("round_categories", "Theo hình thức tôn vinh, từng đợt", ROUND_CATEGORY_COLUMNS, round_category_rows,
              keyed=True),
        Table("cumulative_categories", f"Lũy kế từ đợt đầu tiên ({first}) theo hình thức tôn vinh", CATEGORY_COLUMNS,
              category_rows, keyed=True, total=("Tổng cộng", sum(r[1] for r in category_rows),
                                                sum(r[2] for r in category_rows), total_times),
              links=category_links, total_link=honoured_link() if whole else None),
    ]
    for key, label in GROUP_COLUMNS.items():
        rows = [(name, v["nominations"], v["honoured"]) for name, v in groups[key].items()]
        tables.append(Table(key, f"Theo {label.lower()} (trong kỳ)", (Column("name", label, "text"),
                                                                     Column("nominations", "Đề cử"),
                                                                     Column("honoured", "Được tôn vinh (lượt)")),
                            rows, keyed=True, numbered=key == "by_organisation",
                            text_limit=TEXT_TOP if key == "by_organisation" else None))
    return HonoursSection(
        key=SECTION, title=TITLE, sheet_title=SHEET_TITLE,
        figures=[
            Figure("rounds_count", "Số đợt tôn vinh trong kỳ", len(years)),
            Figure("cumulative_persons", f"Người được đề cử, lũy kế từ {first}", cumulative["persons"]),
            Figure("cumulative_honoured", f"Người được tôn vinh, lũy kế từ {first}", cumulative["honoured"]),
            Figure("cumulative_times", f"Lượt tôn vinh, lũy kế từ {first}", total_times),
            Figure("explained", "Chênh lệch lượt và người",
                   f"{total_times} lượt tôn vinh của {cumulative['honoured']} người"
                   + (f": {repeated} lượt là người được tôn vinh lại" if repeated else ""), "text"),
        ],
        tables=tables, charts=CHARTS if category_rows else (), data=data,
    )


def category_order(name, names, order):
    ids = {v: k for k, v in names.items()}
    return order.get(ids.get(name), (10**6, name))


def category_counts(round_ids, year_of, names):
    """Per year, per category over every round, and per year and category: nominations,
    eligible, honoured (lượt) — one GROUP BY."""
    eligible = fn.SUM(Case(None, [(Nomination.eligible == True, 1)], 0))  # noqa: E712
    honoured = fn.SUM(Case(None, [(Nomination.result == rules.SELECTED, 1)], 0))
    query = (Nomination.select(Nomination.round, Nomination.category, fn.COUNT(Nomination.id), eligible, honoured)
             .where(Nomination.round.in_(round_ids), Nomination.archived == False,  # noqa: E712
                    Nomination.merged_into.is_null())
             .group_by(Nomination.round, Nomination.category).tuples())
    per_round = defaultdict(lambda: defaultdict(int))
    per_category = defaultdict(lambda: {"nominations": 0, "eligible": 0, "honoured": 0})
    by_round_category = defaultdict(lambda: defaultdict(lambda: {"nominations": 0, "eligible": 0, "honoured": 0}))
    for round_id, category_id, count, ok, selected in query:
        year, name = year_of[round_id], names.get(category_id, UNKNOWN)
        values = {"nominations": count, "eligible": int(ok or 0), "honoured": int(selected or 0)}
        for key, value in values.items():
            per_round[year][key] += value
            per_category[name][key] += value
            by_round_category[year][name][key] += value
    return per_round, per_category, by_round_category


def person_counts(round_ids, year_of):
    """Distinct people nominated and honoured, per year and since the first round — two
    aggregate queries."""
    honoured = fn.COUNT(Case(None, [(Nomination.result == rules.SELECTED, Nomination.person)]).distinct())
    base = Nomination.archived == False  # noqa: E712
    per_year = (Nomination.select(Round.year, fn.COUNT(Nomination.person.distinct()), honoured)
                .join(Round, on=(Nomination.round == Round.id))
                .where(Nomination.round.in_(round_ids), base).group_by(Round.year).tuples())
    total = (Nomination.select(fn.COUNT(Nomination.person.distinct()), honoured)
             .where(Nomination.round.in_(round_ids), base).tuples().first()) or (0, 0)
    return {"rounds": {year: (persons, selected) for year, persons, selected in per_year},
            "cumulative": (total[0] or 0, total[1] or 0)}


def group_counts(round_ids, year_of, years):
    """Nominations and honours (lượt) per nominating organisation (each of a merged
    nomination's), field and gender: ``{"rounds": {year: groups}, "period": groups,
    "cumulative": groups}`` for the years ``years`` of the period and every round since
    the first — three GROUP BYs (by round) and the names."""
    honoured = fn.SUM(Case(None, [(Nomination.result == rules.SELECTED, 1)], 0))
    live = (Nomination.round.in_(round_ids)) & (Nomination.archived == False) & Nomination.merged_into.is_null()  # noqa: E712
    counted = {key: [] for key in GROUP_COLUMNS}  # key → [(year, name as shown, nominations, lượt)]
    organisations = list(NominationNominator
                         .select(Nomination.round, NominationNominator.organisation, fn.COUNT(Nomination.id), honoured)
                         .join(Nomination).where(live)
                         .group_by(Nomination.round, NominationNominator.organisation).tuples())
    ids = list({o for _, o, _, _ in organisations})
    names = dict(Organisation.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)).tuples()) if ids else {}
    counted["by_organisation"] = [(year_of[r], names.get(o, UNKNOWN), n, h) for r, o, n, h in organisations]
    fields = (Nomination.select(Nomination.round, Nomination.field, fn.COUNT(Nomination.id), honoured).where(live)
              .group_by(Nomination.round, Nomination.field).tuples())
    counted["by_field"] = [(year_of[r], " ".join((f or "").split()) or UNKNOWN, n, h) for r, f, n, h in fields]
    labels = dict(GENDERS)
    genders = (Nomination.select(Nomination.round, Nomination.gender, fn.COUNT(Nomination.id), honoured).where(live)
               .group_by(Nomination.round, Nomination.gender).tuples())
    counted["by_gender"] = [(year_of[r], labels.get(g, UNKNOWN), n, h) for r, g, n, h in genders]

    def groups(wanted):
        return {key: ORDER[key](merged(e for e in entries if e[0] in wanted)) for key, entries in counted.items()}

    every = set(year_of.values())
    return {"rounds": {year: groups({year}) for year in years}, "period": groups(set(years)),
            "cumulative": groups(every)}


def merged(entries) -> dict:
    """``{name key: [nominations, lượt, name as shown]}``: one name written in several
    ways (or of several units) counts once."""
    found = {}
    for _year, name, count, selected in entries:
        entry = found.setdefault(name_key(name), [0, 0, name])
        entry[0] += count
        entry[1] += int(selected or 0)
        entry[2] = min(entry[2], name)
    return found


def by_count(found) -> dict:
    """The most nominated first, then by name."""
    return {shown: {"nominations": n, "honoured": h}
            for n, h, shown in sorted(found.values(), key=lambda v: (-v[0], v[2]))}


def by_gender(found) -> dict:
    """Nam, Nữ, then the unknown."""
    order = {label: index for index, (_code, label) in enumerate(GENDERS)}
    return {shown: {"nominations": n, "honoured": h}
            for n, h, shown in sorted(found.values(), key=lambda v: (order.get(v[2], len(order)), v[2]))}


ORDER = {"by_organisation": by_count, "by_field": by_count, "by_gender": by_gender}


# -- joint activities (hook phoihop_joint_activities) ------------------------------------------
def joint_activities(organisation_ids, start, end):
    """``(area, label, organisation id, nominations, latest date)`` of the live
    nominations that each organisation made (``Đơn vị đề cử``), dated by their round's
    ceremony (else its decision, else its deadline): one grouped query."""
    from peewee import JOIN

    from core.joint import within

    dated = fn.COALESCE(Round.ceremony_date, Round.decision_date, Round.deadline)
    latest = fn.MAX(dated).python_value(Round.deadline.python_value)  # a date on SQLite too
    query = (NominationNominator.select(NominationNominator.organisation, fn.COUNT(Nomination.id), latest)
             .join(Nomination, on=(NominationNominator.nomination == Nomination.id))
             .join(Round, on=(Nomination.round == Round.id), join_type=JOIN.LEFT_OUTER)
             .where(NominationNominator.organisation.in_(list(organisation_ids)), Nomination.archived == False,  # noqa: E712
                    within(dated, start, end))
             .group_by(NominationNominator.organisation))
    return [("honours", "Tôn vinh trí thức", org, count, latest) for org, count, latest in query.tuples()]
