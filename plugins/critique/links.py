"""Requests and experts linked to the unit's organisations and people — set-based, for a
chunk of records at once (the sheet mappings' hooks) or one record (the admin), in a
constant number of statements whatever the chunk holds (:mod:`core.people`).

- An expert of the directory is a ``Person`` of the unit (titles split off; the directory
  keeps the title in its own column), with a workplace and a member association that are
  ``Organisation`` rows; where the registry lacks the person's title, workplace, field,
  e-mail or phone, the directory's fills it (:func:`link_experts`).
- A request's requesting organisation is an ``Organisation`` (:func:`link_requesters`);
  its team are the directory's experts of the request's unit, found by name (titles
  split off), in the order written, the lead first (:func:`link_teams`).
- :func:`team_of` gives, for a chunk of requests, each member's name and workplaces —
  what the conflict-of-interest rule needs — in one query.
"""
from __future__ import annotations

from collections import defaultdict

from peewee import JOIN

from core import bulk
from core.bulk import fill_values, set_column
from core.models import Person
from core.people import match_organisations, match_people, person_key, split_title, title_parts
from plugins.critique.models import Expert, Request, TeamMember


# -- the directory -----------------------------------------------------------------------------
def directory(unit_ids=None) -> dict[tuple[int, str], tuple[int, int]]:
    """``{(unit_id, name key): (expert id, person id)}`` of the directory's experts (not
    archived, linked to a person), of ``unit_ids`` or of every unit; the oldest row wins
    when a name is there twice. One query."""
    query = (Expert.select(Expert.id, Expert.unit, Expert.name, Expert.person)
             .where(Expert.archived == False, Expert.person.is_null(False)))  # noqa: E712
    if unit_ids is not None:
        query = query.where(Expert.unit.in_(list(unit_ids)))
    found = {}
    for expert_id, unit_id, name, person_id in query.order_by(Expert.id).tuples():
        found.setdefault((unit_id, person_key(name)), (expert_id, person_id))
    return found


def directory_keys() -> frozenset:
    """The name keys of every unit's directory (what a row's check can know without its
    unit). One query."""
    return frozenset(key for _unit, key in directory())


# -- experts --------------------------------------------------------------------------------------
def link_experts(pairs) -> None:
    """``pairs``: ``[(expert, values)]``: the person (when the name changed or is new),
    the workplace and the association; then the registry's gaps filled from the
    directory."""
    named = [(record, record.name) for record, values in pairs if "name" in values or not record.person_id]
    if named:
        ids = match_people([(record.unit_id, name) for record, name in named])
        _assign(Expert, named, "person", ids)
    for text_field, fk_field in (("workplace_name", "workplace"), ("association_name", "association")):
        chosen = [(record, getattr(record, text_field)) for record, values in pairs if text_field in values]
        if chosen:
            ids = match_organisations([(record.unit_id, name) for record, name in chosen])
            _assign(Expert, chosen, fk_field, ids)
    fill_registry([record for record, _values in pairs])


def _assign(model, chosen, fk_field, ids):
    updates = []
    for (record, _name), found in zip(chosen, ids):
        if record.__data__.get(fk_field) != found:
            updates.append((record.id, found))
        record.__data__[fk_field] = found
    set_column(model, fk_field, updates)


def fill_registry(experts) -> None:
    """Where the person of an expert has no title, workplace, field, e-mail or phone in
    the registry, the directory's is written there: one UPDATE whose every column keeps
    its value when it has one (``COALESCE``)."""
    wanted = {}
    for record in experts:
        person_id = record.__data__.get("person")
        if not person_id:
            continue
        academic, degree = title_parts(record.title)
        wanted[person_id] = {
            "title": record.title or None, "academic_title": academic, "degree": degree,
            "workplace": record.__data__.get("workplace"), "field": record.speciality or None,
            "email": record.email or None, "phone": record.phone or None,
        }
    if wanted:
        fill_values(Person, wanted, REGISTRY_FIELDS)


REGISTRY_FIELDS = ("title", "academic_title", "degree", "workplace", "field", "email", "phone")


# -- requests -------------------------------------------------------------------------------------
def link_requesters(pairs) -> None:
    """The requesting organisation of each request whose values name it (created in the
    unit when new)."""
    chosen = [(record, record.requester_name) for record, values in pairs if "requester_name" in values]
    if chosen:
        ids = match_organisations([(record.unit_id, name) for record, name in chosen])
        _assign(Request, chosen, "requester", ids)


def link_teams(pairs) -> None:
    """The team of each request whose values name it: the unit's experts of the
    directory, in the order written (a name not in the directory is not linked — the
    row's check refuses it). Two statements for the chunk."""
    chosen = [(record, values["experts"] or []) for record, values in pairs if "experts" in values]
    if not chosen:
        return
    found = directory({record.unit_id for record, _ in chosen})
    rows = []
    for record, names in chosen:
        seen = set()
        for name in names:
            member = found.get((record.unit_id, person_key(name)))
            if member is None or member[1] in seen:
                continue
            seen.add(member[1])
            rows.append((record.id, member[1], member[0], len(seen) - 1))
    bulk.delete_in(TeamMember, TeamMember.request, [record.id for record, _ in chosen])
    bulk.insert_tuples(TeamMember, ("request", "person", "expert", "position"), rows)


def set_team(request, names) -> None:
    """One request's team from names as written (the admin)."""
    link_teams([(request, {"experts": list(names)})])


def team_of(request_ids) -> dict[int, list[tuple[int, str, set]]]:
    """``{request id: [(person id, name, {workplace ids}), …]}`` in team order: the
    workplace the directory gives and the one the registry gives. One query per 30,000
    requests."""
    ids = list(dict.fromkeys(i for i in request_ids if i is not None))
    found = defaultdict(list)
    for start in range(0, len(ids), bulk.MAX_PARAMS):
        part = ids[start:start + bulk.MAX_PARAMS]
        query = (TeamMember.select(TeamMember.request, TeamMember.person, Person.full_name, Expert.name,
                                   Expert.workplace, Person.workplace)
                 .join_from(TeamMember, Person)
                 .join_from(TeamMember, Expert, on=(TeamMember.expert == Expert.id), join_type=JOIN.LEFT_OUTER)
                 .where(TeamMember.request.in_(part))
                 .order_by(TeamMember.request, TeamMember.position, TeamMember.id))
        for request_id, person_id, full_name, expert_name, expert_place, person_place in query.tuples():
            places = {p for p in (expert_place, person_place) if p is not None}
            found[request_id].append((person_id, display_name(expert_name or full_name), places))
    return found


def display_name(name: str) -> str:
    """A name as written, without its title ('TS. Lê Bích Nga' → 'Lê Bích Nga')."""
    return split_title(name)[1]
