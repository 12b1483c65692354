"""A person's history across rounds and areas: their honours here, and what the other
areas' records say of them — a contest's prize, critique work as an expert — found
through the kit alone (no plugin imports another).

Another area's records are found by their foreign keys to ``core.models.Person``: a
synced record that points at the person (a judge, a guiding teacher) or a link table
between a synced record and the person (an entry's authors, a request's experts). They
are shown as their own binding shows them in its sheet (``Mapping.read_many``: the
columns and their headers, computed ones — a prize, a status — included), so a new area
appears here without a line of this module changing. One query per such foreign key, and
one ``read_many`` per binding, whatever the person's history holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from core.models import GENDERS, Organisation, Person
from core.records import SyncedRecord
from core.vietnamese import format_decimal
from plugins.honours.models import Category, Nomination, NominationNominator, Round

OWN = {Nomination, NominationNominator}
MAX_ROWS = 200  # per area: a page, not an export
SHOWN = 6  # columns of another area's record shown beside its computed ones


@dataclass
class Area:
    """One table of the history: a title, the area (plugin) it comes from, headers, rows."""

    title: str
    plugin: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def honours_of(person: Person) -> Area:
    """Every nomination of the person, by round: category, nominators, votes, result."""
    rows = []
    query = (Nomination.select(Nomination, Round, Category)
             .join(Round, on=(Nomination.round == Round.id))
             .join_from(Nomination, Category, peewee.JOIN.LEFT_OUTER, on=(Nomination.category == Category.id))
             .where(Nomination.person == person, Nomination.archived == False)  # noqa: E712
             .order_by(Round.year, Nomination.id))
    nominations = list(query)
    names = {}
    ids = [n.merged_into_id or n.id for n in nominations]
    if ids:
        for nomination, name in (NominationNominator.select(NominationNominator.nomination, Organisation.name)
                                 .join(Organisation).where(NominationNominator.nomination.in_(ids))
                                 .order_by(NominationNominator.position).tuples()):
            names.setdefault(nomination, []).append(name)
    for n in nominations:
        if n.merged_into_id:
            continue  # shown with the nomination it was merged into
        rows.append([str(n.round.year), n.category.name if n.category_id else "", "; ".join(names.get(n.id, [])),
                     "" if n.votes_for is None else str(n.votes_for), n.result or "", n.status or ""])
    return Area("Tôn vinh trí thức", "honours", ["Năm", "Hình thức tôn vinh", "Đơn vị đề cử", "Số phiếu đồng ý",
                                                 "Kết quả", "Tình trạng hồ sơ"], rows)


def other_areas(person: Person, models, bindings) -> list[Area]:
    """What the other areas' records say of the person (the module docstring)."""
    mappings = {m.model: m for m in bindings.values() if m.model not in OWN}
    owners: dict[type, set[int]] = {}
    for model in models:
        if model in OWN:
            continue
        for fk in model._meta.refs:
            if fk.rel_model is not Person:
                continue
            if model in mappings:
                found = model.select(model.id).where(fk == person.id, model.archived == False)  # noqa: E712
                owners.setdefault(model, set()).update(i for (i,) in found.limit(MAX_ROWS).tuples())
                continue
            for other in model._meta.refs:
                if other is not fk and other.rel_model in mappings and issubclass(other.rel_model, SyncedRecord):
                    owner = other.rel_model
                    found = (model.select(other).join(owner, on=(other == owner.id))
                             .where(fk == person.id, owner.archived == False).limit(MAX_ROWS))  # noqa: E712
                    owners.setdefault(owner, set()).update(i for (i,) in found.tuples())
    areas = []
    for model, ids in owners.items():
        if not ids:
            continue
        mapping = mappings[model]
        records = list(model.select().where(model.id.in_(sorted(ids))).order_by(model.id))
        values = mapping.read_many(records)
        columns = [c for c in mapping.columns if c.kind != "unit"]
        shown = [c for c in columns if not c.computed][:SHOWN] + [c for c in columns if c.computed]
        areas.append(Area(mapping.title or mapping.name, mapping.plugin or "", [c.header for c in shown],
                          [[text(c, values[r.id].get(c.field)) for c in shown] for r in records]))
    return sorted(areas, key=lambda a: (a.plugin, a.title))


def text(column, value) -> str:
    try:
        return column.format(value)
    except (TypeError, ValueError, AttributeError):
        return "" if value is None else format_decimal(value) if isinstance(value, float) else str(value)


def person_history(person: Person, models, bindings) -> list[Area]:
    """The honours, then every other area that knows the person."""
    return [honours_of(person), *other_areas(person, models, bindings)]


def person_facts(person: Person) -> list[tuple[str, str]]:
    """The registry's facts of the person, as a page heads them."""
    genders = dict(GENDERS)
    facts = [("Họ và tên", str(person)), ("Năm sinh", str(person.year_of_birth or "")),
             ("Giới tính", genders.get(person.gender, "")), ("Chức vụ", person.position or ""),
             ("Đơn vị công tác", person.workplace.name if person.workplace_id else ""), ("Lĩnh vực", person.field or "")]
    return [(label, value) for label, value in facts if value]
