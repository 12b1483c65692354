"""Nominations linked to the unit's people and organisations — set-based, a chunk of
records at once (the mapping's ``after_save_many``) or one (the admin): a constant number
of statements whatever the chunk holds (:mod:`core.people`).

The nominee is the unit's ``Person`` of that name and year of birth — the row a contest's
author or a critique's expert already is, or a new one — so that one person is one row
across areas; the nominating organisation and the workplace are ``Organisation`` rows.
What the registry does not know yet of the person (gender, học hàm, học vị, position,
workplace, field) the nomination fills in; a higher học hàm or học vị (a new professor)
replaces a lower one.
"""
from __future__ import annotations

from core.bulk import set_values
from core.models import DEGREES, GENDERS, Person
from core.people import match_organisations, match_people
from plugins.honours.models import Nomination

PERSON_FIELDS = ("full_name", "year_of_birth")
TITLE_RANK = {"GS": 0, "PGS": 1}
DEGREE_RANK = {code: rank for rank, (code, _label) in enumerate(DEGREES)}  # highest first
GENDER_CODES = {code for code, _label in GENDERS}


def link_nominations(pairs) -> None:
    """``pairs``: ``[(nomination, values)]``. The person is matched again when the values
    name the nominee (or the record has none yet), the organisations when they name them;
    then the registry's gaps are filled."""
    people = [record for record, values in pairs
              if set(PERSON_FIELDS) & set(values) or record.__data__.get("person") is None]
    if people:
        ids = match_people([(r.unit_id, r.full_name, r.year_of_birth) for r in people])
        _set(people, "person", ids)
    for text_field, fk_field in (("nominator_name", "nominator"), ("workplace_name", "workplace")):
        chosen = [record for record, values in pairs if text_field in values]
        if chosen:
            ids = match_organisations([(r.unit_id, r.__data__.get(text_field)) for r in chosen])
            _set(chosen, fk_field, ids)
    fill_registry([record for record, _ in pairs])


def _set(records, fk_field, ids) -> None:
    changes = {}
    for record, found in zip(records, ids):
        if record.__data__.get(fk_field) != found:
            changes[record.id] = {fk_field: found}
        record.__data__[fk_field] = found
    if changes:
        set_values(Nomination, changes, [fk_field], keep_stamp=True)


def fill_registry(records) -> None:
    """The person's gaps filled from their nominations (one SELECT, then one UPDATE per
    field that changes for some person)."""
    wanted = {}
    for record in records:
        data = record.__data__
        if data.get("person"):
            wanted.setdefault(data["person"], []).append(data)
    if not wanted:
        return
    names = ("gender", "academic_title", "degree", "position", "workplace", "field")
    people = {row["id"]: row for row in Person.select(Person.id, *(Person._meta.fields[n] for n in names))
              .where(Person.id.in_(list(wanted))).dicts()}
    changes: dict[str, dict[int, dict]] = {name: {} for name in names}
    for person_id, nominations in wanted.items():
        current = people.get(person_id)
        if current is None:
            continue
        for data in nominations:
            for name in names:
                value = better(name, current.get(name), data.get(name))
                if value != current.get(name):
                    current[name] = value
                    changes[name][person_id] = {name: value}
    for name, rows in changes.items():
        if rows:
            set_values(Person, rows, [name])


def better(name: str, have, offered):
    """What the registry keeps of a person's ``name`` when a nomination says ``offered``:
    a gap is filled; a higher học hàm or học vị replaces a lower one; else it stays."""
    if offered in (None, ""):
        return have
    if name == "gender" and offered not in GENDER_CODES:
        return have
    if have in (None, ""):
        return offered
    if name == "academic_title":
        return offered if TITLE_RANK.get(offered, 9) < TITLE_RANK.get(have, 9) else have
    if name == "degree":
        return offered if DEGREE_RANK.get(offered, 99) < DEGREE_RANK.get(have, 99) else have
    return have
