"""Names as offices write them, matched to the unit's organisations and people — set-based.

Every area lists people and partners by name in its sheets: partners (đơn vị phối hợp),
speakers (báo cáo viên), authors (tác giả), judges (giám khảo), nominees, experts. They all
become the core's :class:`~core.models.Organisation` and :class:`~core.models.Person` rows
of the record's unit, so that one person is the same row across areas (which is what
conflict-of-interest checks rely on). This module does that for a whole chunk of records
at once, in a number of statements that does not grow with the number of names:

- :func:`match_organisations` / :func:`match_people`: ``[(unit_id, name)]`` → ids, one
  SELECT for all the pairs and one INSERT … RETURNING for the names that are new;
- :func:`organisation_lists` / :func:`people_lists`: the same for "one list of names per
  record" (``[(unit_id, ["Sở Y tế", "Tỉnh đoàn"]), …]``), each list deduplicated;
- :func:`replace_links`: one DELETE for the owners and one INSERT for their new links,
  with positions (the order the sheet gave);
- :func:`linked_values`: the other way, the names of every owner's links in one query.

Linking the partners of 1,000 records is then four statements (three when every name is
already known), not six thousand::

    groups = organisation_lists([(a.unit_id, names) for a, names in chunk])
    replace_links(ActivityPartner, "activity", "organisation",
                  {a.id: ids for (a, _), ids in zip(chunk, groups)})

Matching rules. Names are compared by :func:`core.models.name_key` (NFC, case-folded,
single spaces) within one unit: "Sở  Y TẾ" is "Sở Y tế" of the same unit, never of
another. A person's name may start with titles — học hàm, học vị, professional titles
("PGS.TS. Nguyễn Văn A", "TS.BS. …", "ThS. …", "KS. …"): :func:`split_title` takes off the
known ones, the rest is matched, and a new person keeps the title in ``Person.title``.
When several people of a unit share a name key (entered twice in the admin), the oldest
(lowest id) is the match. Names new to the unit are created with the spelling of their
first occurrence in the batch, whitespace collapsed; a new person's title is the first
title written with that name in the batch. Blank names match nothing (``None``) and are
left out of lists.

These functions run inside the caller's transaction (a sync chunk, an admin save) and
never commit.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from core import bulk
from core.bulk import quoted
from core.db import database
from core.models import Organisation, Person, name_key

# Học hàm, học vị and professional titles written before a person's name ('PGS.TS. …'),
# as name keys (case-folded).
TITLE_TOKENS = frozenset({
    "gs", "pgs", "ts", "tskh", "ths", "ks", "kts", "cn", "bs", "bsck", "bscki", "bsckii",
    "bsck1", "bsck2", "ds", "dscki", "dsckii", "đd", "ls", "ncs", "ngnd", "ngưt", "ttnd", "ttưt",
})
_TOKEN = re.compile(r"([^\W\d_]+)\.\s*")


def clean_name(name: str | None) -> str:
    """A name as it is stored for a new row: NFC, trimmed, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


@lru_cache(maxsize=16384)  # a pure function of the text; sheets repeat the same few hundred names
def split_title(name: str | None) -> tuple[str | None, str]:
    """'PGS.TS. Nguyễn Văn A' → ('PGS.TS', 'Nguyễn Văn A'); a name without a known title
    prefix comes back (cleaned by :func:`clean_name`) with ``None``. Only known titles
    (:data:`TITLE_TOKENS`) are taken off, and never the whole name, so a name is never cut
    at an initial ('H. Nguyễn Văn An' stays whole)."""
    rest, taken = clean_name(name), []
    while True:
        m = _TOKEN.match(rest)
        if not m or name_key(m[1]) not in TITLE_TOKENS or not rest[m.end():].strip():
            break
        taken.append(m[1])
        rest = rest[m.end():]
    return (".".join(taken) or None), rest.strip()


def organisation_key(name: str | None) -> str:
    """What an organisation's name is matched by (``''`` for a blank name)."""
    return name_key(name)


@lru_cache(maxsize=16384)
def person_key(name: str | None) -> str:
    """What a person's name as written is matched by: its name key without the titles."""
    return name_key(split_title(name)[1])


def person_keys(names: Iterable[str] | None) -> list[str]:
    """The distinct people that names as written stand for, as keys, in order: what
    :func:`people_lists` will link for these names (so ``len()`` is the speaker count)."""
    return list(dict.fromkeys(k for k in map(person_key, names or ()) if k))


# -- matching ------------------------------------------------------------------------------
def match_organisations(pairs: Iterable[tuple[int, str]], *, create: bool = True) -> list[int | None]:
    """The ids of the unit's organisations named by ``pairs`` of ``(unit_id, name)``, in
    the order of ``pairs`` (``None`` for a blank name).

    Names new to their unit are created (kind "Khác") when ``create``, one row however
    often or however spelled the name recurs; else they give ``None``. Statements: one
    SELECT for all the pairs, and when some are new one INSERT … RETURNING (plus one SELECT
    for any that a concurrent writer inserted meanwhile) — per 15,000 distinct names.
    """
    seen = {}  # name as written → (key, clean name): a chunk repeats its names
    wanted = []
    for unit_id, name in pairs:
        known = seen.get(name)
        if known is None:
            known = seen[name] = (organisation_key(name), clean_name(name))
        wanted.append((unit_id, *known))

    def new_row(unit_id, key, name):
        return {"unit": unit_id, "name": name, "name_key": key}

    return _match(Organisation, wanted, new_row if create else None)


def match_people(pairs: Iterable[tuple[int, str]], *, create: bool = True) -> list[int | None]:
    """The ids of the unit's people named by ``pairs`` of ``(unit_id, name as written)``,
    in the order of ``pairs`` (``None`` for a blank name); titles are split off
    (:func:`split_title`) before matching.

    People new to their unit are created when ``create`` (else ``None``), with the title
    the batch first gives them in ``title``. Statements as :func:`match_organisations`.
    """
    wanted, titles, seen = [], {}, {}
    for unit_id, written in pairs:
        known = seen.get(written)
        if known is None:
            title, full = split_title(written)
            known = seen[written] = (title, full, name_key(full))
        title, full, key = known
        wanted.append((unit_id, key, full))
        if title and key:
            titles.setdefault((unit_id, key), title)

    def new_row(unit_id, key, full):
        return {"unit": unit_id, "full_name": full, "name_key": key, "title": titles.get((unit_id, key))}

    return _match(Person, wanted, new_row if create else None)


def organisation_lists(groups: Sequence[tuple[int, Iterable[str] | None]], *, create: bool = True) -> list[list[int]]:
    """For each ``(unit_id, names)`` group (one record's list), the distinct organisation
    ids in the order first named. All groups are matched together (:func:`match_organisations`)."""
    return _lists(match_organisations, groups, create)


def people_lists(groups: Sequence[tuple[int, Iterable[str] | None]], *, create: bool = True) -> list[list[int]]:
    """For each ``(unit_id, names as written)`` group, the distinct person ids in the
    order first named ('TS. Nguyễn Văn An; PGS.TS. nguyễn văn an' is one person). All
    groups are matched together (:func:`match_people`)."""
    return _lists(match_people, groups, create)


def _lists(match, groups, create):
    groups = [(unit_id, list(names or ())) for unit_id, names in groups]
    ids = iter(match([(unit_id, name) for unit_id, names in groups for name in names], create=create))
    result = []
    for _unit_id, names in groups:
        found = [next(ids) for _ in names]
        result.append(list(dict.fromkeys(i for i in found if i is not None)))
    return result


def _match(model, wanted, new_row):
    """``wanted``: ``[(unit_id, key, clean name)]`` → ids (``None`` for a blank key)."""
    first = {}
    for unit_id, key, name in wanted:
        if key:
            first.setdefault((unit_id, key), name)
    found = _existing(model, list(first))
    missing = [pair for pair in first if pair not in found]
    if missing and new_row is not None:
        rows = [new_row(unit_id, key, first[(unit_id, key)]) for unit_id, key in missing]
        made = bulk.insert(model, rows, returning=("id", "unit", "name_key"), on_conflict_ignore=True)
        for new_id, unit_id, key in made:
            found.setdefault((unit_id, key), new_id)
        late = [pair for pair in missing if pair not in found]  # inserted by another writer meanwhile
        found.update(_existing(model, late))
    return [found.get((unit_id, key)) if key else None for unit_id, key, _ in wanted]


def _existing(model, pairs):
    """``{(unit_id, key): lowest id}`` of the rows of ``model`` with those keys."""
    unit, key, pk = model.unit.column_name, model.name_key.column_name, model._meta.primary_key.column_name
    rows = bulk.select_in(model, ("unit", "name_key"), pairs, [quoted(unit), quoted(key), f"MIN({quoted(pk)})"],
                          group_by=("unit", "name_key"))
    return {(unit_id, key): row_id for unit_id, key, row_id in rows}


# -- links ---------------------------------------------------------------------------------
def replace_links(link_model, owner_field, target_field, links: dict, *, position_field: str = "position") -> int:
    """Make ``links`` (``{owner id: [target ids in order]}``) the only links of those
    owners in ``link_model``, with positions 0, 1, 2… in the given order; return how many
    links were written.

    ``owner_field`` / ``target_field`` are the link model's foreign keys (fields or their
    names), e.g. ``ActivityPartner.activity`` and ``ActivityPartner.organisation``. A
    target repeated for one owner is linked once, at its first position; ``None`` targets
    are skipped; an owner with ``[]`` loses all its links. Owners not in ``links`` are
    untouched. Statements: one DELETE per 30,000 owners, one INSERT per 10,000 links.
    """
    if not links:
        return 0
    owner = _field(link_model, owner_field)
    target = _field(link_model, target_field)
    bulk.delete_in(link_model, owner, list(links))
    rows = []
    for owner_id, target_ids in links.items():
        targets = dict.fromkeys(target_ids)
        targets.pop(None, None)
        rows.extend((owner_id, target_id, position) for position, target_id in enumerate(targets))
    bulk.insert_tuples(link_model, (owner.name, target.name, position_field), rows)
    return len(rows)


def linked_values(link_model, owner_field, target_field, value_field, owner_ids: Iterable[int], *,
                  position_field: str = "position") -> dict[int, list]:
    """``{owner id: [value_field of each linked target, in position order]}`` for every
    owner in ``owner_ids`` (``[]`` when it has no links): e.g. the partners' names of a
    chunk of activities, ``linked_values(ActivityPartner, "activity", "organisation",
    Organisation.name, ids)``. One query per 30,000 owners."""
    owner = _field(link_model, owner_field)
    target = _field(link_model, target_field)
    position = _field(link_model, position_field)
    ids = list(dict.fromkeys(i for i in owner_ids if i is not None))
    result = {i: [] for i in ids}
    target_model = target.rel_model
    link_pk, target_pk = link_model._meta.primary_key, target_model._meta.primary_key
    q = bulk.quoted
    sql = (f"SELECT l.{q(owner.column_name)}, t.{q(value_field.column_name)} "
           f"FROM {q(link_model._meta.table_name)} l JOIN {q(target_model._meta.table_name)} t "
           f"ON t.{q(target_pk.column_name)} = l.{q(target.column_name)} WHERE l.{q(owner.column_name)} IN ({{}}) "
           f"ORDER BY l.{q(owner.column_name)}, l.{q(position.column_name)}, l.{q(link_pk.column_name)}")
    python_value = value_field.python_value
    for chunk in bulk.chunks(ids, bulk.MAX_PARAMS):
        cursor = database.obj.execute_sql(sql.format(bulk.placeholders(len(chunk))), list(chunk))
        for owner_id, value in cursor.fetchall():
            result[owner_id].append(python_value(value))
    return result


def _field(model, field):
    return model._meta.fields[field] if isinstance(field, str) else field
