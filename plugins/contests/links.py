"""Entries and judges linked to the unit's people and organisations — set-based, for a
chunk of records at once (the sheet mappings' ``after_save_many``) or one record (the
admin): a constant number of statements whatever the chunk holds (:mod:`core.people`).

An entry's authors (pupils) are ``Person`` rows linked in order (:class:`EntryAuthor`);
its nominating unit an ``Organisation`` and its guiding teacher a ``Person``. A judge is a
``Person`` with a workplace ``Organisation``, seated on the panels of the fields their
``Lĩnh vực`` names; where the registry lacks the person's workplace or e-mail, the
judge's fills it. That one person is one row across areas is what rule 1 (conflict of
interest) relies on.
"""
from __future__ import annotations

from core.bulk import set_column
from core.models import Person
from core.people import match_organisations, match_people, organisation_lists, people_lists, replace_links
from sheets.values import parse_list
from plugins.contests.models import EditionBoardMember, Entry, EntryAuthor, Judge, JudgeField, Score


def link_entries(pairs) -> None:
    """``pairs``: ``[(entry, values)]``; only what ``values`` names is linked again
    (``authors`` a list of names, ``nominating_name``, ``teacher``)."""
    authors = [(record, values["authors"] or []) for record, values in pairs if "authors" in values]
    if authors:
        groups = people_lists([(record.unit_id, names) for record, names in authors])
        replace_links(EntryAuthor, EntryAuthor.entry, EntryAuthor.person,
                      {record.id: ids for (record, _), ids in zip(authors, groups)})
    _link(Entry, pairs, "nominating_name", "nominating_unit", match_organisations)
    _link(Entry, pairs, "teacher", "teacher_person", match_people)


def link_board(edition) -> None:
    """The organisations an edition's ``board_members`` names (created when new), in order."""
    [ids] = organisation_lists([(edition.unit_id, parse_list(edition.board_members))])
    replace_links(EditionBoardMember, EditionBoardMember.edition, EditionBoardMember.organisation, {edition.id: ids})


def follow_entries(entry_ids) -> None:
    """The scores of entries that moved to another edition or field follow them (one
    statement)."""
    ids = list(entry_ids)
    if ids:
        (Score.update(edition=Entry.select(Entry.edition).where(Entry.id == Score.entry),
                      field=Entry.select(Entry.field).where(Entry.id == Score.entry))
         .where(Score.entry.in_(ids)).execute())


def link_judges(pairs) -> None:
    """``pairs``: ``[(judge, values)]``: the person (``name``, titles split off) and the
    workplace (``workplace_name``); then the registry's gaps filled."""
    _link(Judge, pairs, "name", "person", match_people)
    _link(Judge, pairs, "workplace_name", "workplace", match_organisations)
    fill_registry([record for record, _ in pairs])


def seat_judges(catalog, judges) -> None:
    """Seat each judge on the panels of the fields their ``Lĩnh vực`` names within their
    edition (``catalog``: :class:`plugins.contests.index.Catalog`)."""
    seats = {judge.id: catalog.seats(judge.__data__.get("edition"), judge.fields_text) for judge in judges}
    if seats:
        replace_links(JudgeField, JudgeField.judge, JudgeField.field, seats)


def fill_registry(judges) -> None:
    """A judge's workplace and e-mail fill the person's where the registry has none."""
    workplaces = {r.__data__["person"]: r.__data__["workplace"] for r in judges
                  if r.__data__.get("person") and r.__data__.get("workplace")}
    emails = {r.__data__["person"]: r.email for r in judges if r.__data__.get("person") and r.email}
    for name, wanted in (("workplace", workplaces), ("email", emails)):
        if wanted:
            field = Person._meta.fields[name]
            empty = {i for (i,) in Person.select(Person.id).where(Person.id.in_(list(wanted)), field.is_null()).tuples()}
            set_column(Person, name, [(i, v) for i, v in wanted.items() if i in empty])


def _link(model, pairs, text_field, fk_field, match):
    """Match the ``text_field`` of the records whose values name it, and set ``fk_field``."""
    chosen = [(record, getattr(record, text_field)) for record, values in pairs if text_field in values]
    if not chosen:
        return
    ids = match([(record.unit_id, name) for record, name in chosen])
    updates = [(record.id, found) for (record, _), found in zip(chosen, ids) if record.__data__.get(fk_field) != found]
    for (record, _), found in zip(chosen, ids):
        record.__data__[fk_field] = found
    set_column(model, fk_field, updates)
