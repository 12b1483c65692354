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
  with positions (the order the sheet gave), and copies of owner columns on request;
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
known ones, the rest is matched, and a new person keeps the title in ``Person.title``
and its parts in ``academic_title`` (GS, PGS) and ``degree`` (TS, ThS…: :func:`title_parts`).
When several people of a unit share a name key (entered twice in the admin), the oldest
(lowest id) is the match. Names new to the unit are created with the spelling of their
first occurrence in the batch, whitespace collapsed; a new person's title is the first
title written with that name in the batch. Blank names match nothing (``None``) and are
left out of lists.

Homonyms: a year of birth tells people apart. Two people of a unit with the same name and
different years of birth are two people (the honours sample has two Nguyễn Văn Hùng, born
1979 and 1986) and are never merged. :func:`match_people` takes an optional year with each
name — ``(unit_id, name, year)`` — and then:

- a name with a year matches the person of that name and that year;
- failing that, it takes a person of that name whose year is not known yet (the oldest),
  who gets the year — but only when nobody of that name in the unit has a known year and
  the batch asks for one year only for that name; otherwise it is ambiguous and a new
  person is created (or ``None`` without ``create``);
- a name without a year cannot tell homonyms apart: it matches the oldest person of that
  name, whatever their year (when the batch creates the name's first people, the first
  of them). :func:`people_candidates` gives every person a name could be, for the areas
  that must flag an ambiguous name rather than guess (spec/honours.md, rule 3).

A person (or an organisation) entered twice is put right in the admin: the registry's
merge action (:mod:`core.merge`) moves every link to the row kept, and the way the
duplicate was written becomes an alias of that row (:func:`remember_aliases`). A name no
row of the unit has, but an alias has, matches the alias's row — so a sheet that still
writes the duplicate's name does not bring it back.

These functions run inside the caller's transaction (a sync chunk, an admin save) and
never commit.
"""
from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache, reduce

import peewee
from peewee import Case

from core import bulk
from core.bulk import quoted
from core.db import database
from core.models import ACADEMIC_TITLES, DEGREES, Organisation, OrganisationAlias, Person, PersonAlias, name_key

# The aliases of the registry's models: the alias model and its link to the row.
ALIASES = {Organisation: (OrganisationAlias, OrganisationAlias.organisation), Person: (PersonAlias, PersonAlias.person)}

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


# Học hàm and học vị in a written title, by name key (core.models.ACADEMIC_TITLES / DEGREES
# spell them); CKI/CKII written as digits too.
ACADEMIC_TOKENS = {name_key(code): code for code, _label in ACADEMIC_TITLES}
DEGREE_TOKENS = {**{name_key(code): code for code, _label in DEGREES}, "bsck1": "BSCKI", "bsck2": "BSCKII"}
DEGREE_RANK = {code: rank for rank, (code, _label) in enumerate(DEGREES)}  # highest first


@lru_cache(maxsize=4096)
def title_parts(title: str | None) -> tuple[str | None, str | None]:
    """The học hàm and the học vị a written title names: 'PGS.TS' → ('PGS', 'TS'),
    'GS.TSKH' → ('GS', 'TSKH'), 'TS.BS' → (None, 'TS') (the highest degree named wins),
    'bsck2' → (None, 'BSCKII'), 'NGƯT' or ``None`` → (None, None). Spelled as
    :data:`core.models.ACADEMIC_TITLES` and :data:`core.models.DEGREES` spell them."""
    tokens = [name_key(t) for t in re.split(r"[.\s]+", title or "") if t]
    academic = next((ACADEMIC_TOKENS[t] for t in tokens if t in ACADEMIC_TOKENS), None)
    degrees = [DEGREE_TOKENS[t] for t in tokens if t in DEGREE_TOKENS]
    return academic, (min(degrees, key=DEGREE_RANK.__getitem__) if degrees else None)


def split_name(name: str | None) -> tuple[str | None, str | None, str | None, str]:
    """A name as written → ``(title, academic title, degree, name)``: :func:`split_title`
    with the title's parts (:func:`title_parts`) filled in when it names them:
    'PGS.TS. Dương Phương Dung' → ('PGS.TS', 'PGS', 'TS', 'Dương Phương Dung')."""
    title, rest = split_title(name)
    return (title, *title_parts(title), rest)


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


def match_people(pairs: Iterable[tuple], *, create: bool = True) -> list[int | None]:
    """The ids of the unit's people named by ``pairs`` of ``(unit_id, name as written)``
    or ``(unit_id, name as written, year of birth)``, in the order of ``pairs`` (``None``
    for a blank name); titles are split off (:func:`split_title`) before matching, and
    a year of birth (an ``int`` or ``None``) tells homonyms apart (the module's rules).

    People new to their unit are created when ``create`` (else ``None``), with the title
    the batch first gives them in ``title``, its parts in ``academic_title`` and
    ``degree``, and their year. Statements: one SELECT for all the pairs; when some are
    new one INSERT … RETURNING; when a person whose year was unknown is matched by a year,
    one UPDATE — each per 15,000 distinct names.
    """
    wanted, titles, seen = [], {}, {}
    for pair in pairs:
        unit_id, written = pair[0], pair[1]
        year = _year(pair[2]) if len(pair) > 2 else None
        known = seen.get(written)
        if known is None:
            title, full = split_title(written)
            known = seen[written] = (title, full, name_key(full))
        title, full, key = known
        wanted.append((unit_id, key, full, year))
        if title and key:
            titles.setdefault((unit_id, key, year), title)
            titles.setdefault((unit_id, key, "any"), title)
    found = _match_people(wanted, titles, create)
    return [found.get((unit_id, key, year)) if key else None for unit_id, key, _, year in wanted]


def people_candidates(pairs: Iterable[tuple]) -> list[list[int]]:
    """For each ``(unit_id, name as written[, year of birth])``, every person of the unit
    the name may stand for, oldest first: the same name and, when a year is given, that
    year or none known. More than one means the name is ambiguous (homonyms, or a person
    entered twice): an area that must not guess flags it. One SELECT; creates nothing."""
    wanted = []
    for pair in pairs:
        year = _year(pair[2]) if len(pair) > 2 else None
        wanted.append((pair[0], person_key(pair[1]), year))
    rows = _people(list(dict.fromkeys((unit_id, key) for unit_id, key, _ in wanted if key)))
    return [list(dict.fromkeys(person_id for person_id, known in rows.get((unit_id, key), ())
                               if year is None or known is None or known == year))
            for unit_id, key, year in wanted]


def _year(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise TypeError(f"a year of birth, not {value!r}")
    return int(value)


def _match_people(wanted, titles, create):
    """``wanted``: ``[(unit_id, key, clean name, year)]`` → ``{(unit_id, key, year): id}``."""
    groups = {}  # (unit_id, key) → {"name": first spelling, "years": {year: spelling}, "plain": bool}
    for unit_id, key, full, year in wanted:
        if not key:
            continue
        group = groups.setdefault((unit_id, key), {"name": full, "years": {}, "plain": False})
        if year is None:
            group["plain"] = True
        else:
            group["years"].setdefault(year, full)
    rows = _people(list(groups))
    found, claims, new = {}, {}, []
    for (unit_id, key), group in groups.items():
        existing = rows.get((unit_id, key), [])
        by_year = {}
        for person_id, year in existing:
            by_year.setdefault(year, person_id)
        if existing:
            found[(unit_id, key, None)] = existing[0][0]
        unmatched = []
        for year in group["years"]:
            if year in by_year:
                found[(unit_id, key, year)] = by_year[year]
            else:
                unmatched.append(year)
        if len(unmatched) == 1 and set(by_year) == {None}:  # only people whose year is unknown
            found[(unit_id, key, unmatched[0])] = by_year[None]
            claims[by_year[None]] = unmatched.pop()
        new += [(unit_id, key, year, group["years"][year]) for year in unmatched]
        if not existing and group["plain"] and not group["years"]:
            new.append((unit_id, key, None, group["name"]))
    if claims:
        ids = list(claims)
        (Person.update(year_of_birth=Case(Person.id, list(claims.items())))
         .where(Person.id.in_(ids), Person.year_of_birth.is_null()).execute())
    if new and create:
        rows = []
        for unit_id, key, year, full in new:
            title = titles.get((unit_id, key, year)) or titles.get((unit_id, key, "any"))
            academic, degree = title_parts(title)
            rows.append({"unit": unit_id, "full_name": full, "name_key": key, "title": title,
                         "academic_title": academic, "degree": degree, "year_of_birth": year})
        made = bulk.insert(Person, rows, returning=("id", "unit", "name_key", "year_of_birth"))
        for person_id, unit_id, key, year in sorted(made):
            found.setdefault((unit_id, key, year), person_id)
        for (unit_id, key), group in groups.items():  # a name without a year: the first made
            if (unit_id, key, None) not in found and group["years"]:
                found[(unit_id, key, None)] = found.get((unit_id, key, next(iter(group["years"]))))
    return found


def _people(pairs):
    """``{(unit_id, key): [(id, year of birth)]}`` of the people with those keys, oldest
    first, then of the people known by those keys as aliases (with the alias's year)."""
    selects = [_keyed_select(Person, Person.id, Person.year_of_birth, 0),
               _keyed_select(PersonAlias, PersonAlias.person, PersonAlias.year_of_birth, 1)]
    found = {}
    for unit_id, name, person_id, year, _alias in sorted(_keyed_rows(selects, pairs), key=lambda r: (r[4], r[2])):
        found.setdefault((unit_id, name), []).append((person_id, year))
    return found


def _keyed_select(model, *columns, group=False):
    """``SELECT unit, name_key, columns… FROM model WHERE (unit, name_key) IN (VALUES {})``:
    one part of :func:`_keyed_rows`' statement (``columns``: fields or constants)."""
    unit, key = quoted(model.unit.column_name), quoted(model.name_key.column_name)
    picked = [quoted(c.column_name) if isinstance(c, peewee.Field) else str(c) for c in columns]
    if group:
        picked[0] = f"MIN({picked[0]})"
    tail = f" GROUP BY {unit}, {key}" if group else ""
    return (f"SELECT {unit}, {key}, {', '.join(picked)} FROM {quoted(model._meta.table_name)} "
            f"WHERE ({unit}, {key}) IN (VALUES {{}}){tail}")


def _keyed_rows(selects, pairs):
    """Every row of the ``selects`` (:func:`_keyed_select`) for the ``(unit_id, key)``
    ``pairs``, run as one ``UNION ALL`` statement per 7,500 pairs."""
    db = database.obj
    one = f"({db.param}, {db.param})"
    found = []
    for chunk in bulk.chunks(pairs, bulk.MAX_PARAMS // (2 * len(selects))):
        values = ", ".join([one] * len(chunk))
        sql = " UNION ALL ".join(select.format(values) for select in selects)
        found.extend(db.execute_sql(sql, [v for pair in chunk for v in pair] * len(selects)).fetchall())
    return found


def organisation_lists(groups: Sequence[tuple[int, Iterable[str] | None]], *, create: bool = True) -> list[list[int]]:
    """For each ``(unit_id, names)`` group (one record's list), the distinct organisation
    ids in the order first named. All groups are matched together (:func:`match_organisations`)."""
    return _lists(match_organisations, groups, create)


def people_lists(groups: Sequence[tuple[int, Iterable | None]], *, create: bool = True) -> list[list[int]]:
    """For each ``(unit_id, names as written)`` group, the distinct person ids in the
    order first named ('TS. Nguyễn Văn An; PGS.TS. nguyễn văn an' is one person). A name
    may come with its year of birth, as ``(name, year)``. All groups are matched together
    (:func:`match_people`)."""
    return _lists(match_people, groups, create)


def _lists(match, groups, create):
    groups = [(unit_id, list(names or ())) for unit_id, names in groups]
    ids = iter(match([(unit_id, *name) if isinstance(name, tuple) else (unit_id, name)
                      for unit_id, names in groups for name in names], create=create))
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
    """``{(unit_id, key): lowest id}`` of the rows of ``model`` with those keys; for a
    key no row has, the row an alias of ``model`` (:data:`ALIASES`) gives. One statement."""
    selects = [_keyed_select(model, model._meta.primary_key, 0, group=True)]
    alias = ALIASES.get(model)
    if alias is not None:
        selects.append(_keyed_select(alias[0], alias[1], 1))
    found = {}
    for unit_id, key, row_id, _alias in sorted(_keyed_rows(selects, pairs), key=lambda r: (r[3], r[2])):
        found.setdefault((unit_id, key), row_id)
    return found


# -- aliases: the names of merged duplicates -------------------------------------------------
def remember_aliases(keep, duplicates) -> list[str]:
    """Make the ways ``duplicates`` were written (an organisation's name; a person's name
    and year of birth) aliases of ``keep``, so that the matchers give ``keep`` for them
    from now on; return the names. Called by :func:`core.merge.merge` once the links are
    moved. A way ``keep`` is matched by already needs no alias. Two statements."""
    if type(keep) not in ALIASES:
        return []
    alias, target = ALIASES[type(keep)]
    rows = {}  # the way a duplicate was written → its alias row
    for row in duplicates:
        if isinstance(row, Person):
            if row.name_key == keep.name_key and row.year_of_birth in (None, keep.year_of_birth):
                continue
            rows.setdefault((row.name_key, row.year_of_birth), {
                "unit": keep.unit_id, "name": row.full_name, "name_key": row.name_key,
                "year_of_birth": row.year_of_birth, target.name: keep.id})
        elif row.name_key != keep.name_key:
            rows.setdefault(row.name_key, {"unit": keep.unit_id, "name": row.name, "name_key": row.name_key,
                                           target.name: keep.id})
    if not rows:
        return []
    same = []  # the aliases already written that way (of another row: the newest merge wins)
    for r in rows.values():
        condition = alias.name_key == r["name_key"]
        if "year_of_birth" in r:
            year = r["year_of_birth"]
            condition &= alias.year_of_birth.is_null() if year is None else alias.year_of_birth == year
        same.append(condition)
    alias.delete().where(alias.unit == keep.unit_id, reduce(operator.or_, same)).execute()
    bulk.insert(alias, list(rows.values()))
    return [r["name"] for r in rows.values()]


# -- links ---------------------------------------------------------------------------------
def replace_links(link_model, owner_field, target_field, links: dict, *, position_field: str = "position",
                  copy: Sequence[str] = ()) -> int:
    """Make ``links`` (``{owner id: [target ids in order]}``) the only links of those
    owners in ``link_model``, with positions 0, 1, 2… in the given order; return how many
    links were written.

    ``owner_field`` / ``target_field`` are the link model's foreign keys (fields or their
    names), e.g. ``ActivityPartner.activity`` and ``ActivityPartner.organisation``. A
    target repeated for one owner is linked once, at its first position; ``None`` targets
    are skipped; an owner with ``[]`` loses all its links. Owners not in ``links`` are
    untouched. Statements: one DELETE per 30,000 owners, one INSERT per 10,000 links.

    ``copy`` names fields that the link rows carry from their owner's row: fields of
    that name on both models (``("unit", "start_date", "archived")``), so that a query
    over the links alone can filter by them. The INSERT reads them from the owner's row
    itself (``INSERT … SELECT … JOIN owner``): a link holds what the database holds,
    never a value an object in memory has not saved yet, and links of an owner without
    a row are not written. Keeping the copies right when the owner changes later is the
    caller's (training: a trigger).
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
    names = (owner.name, target.name, position_field)
    if copy:
        _insert_copying(link_model, owner, names, rows, copy)
    else:
        bulk.insert_tuples(link_model, names, rows)
    return len(rows)


def _insert_copying(link_model, owner, names, rows, copy):
    """``bulk.insert_tuples`` whose rows also take the ``copy`` fields from the owner's row:
    ``INSERT INTO link (…, copies) SELECT v.…, o.copies FROM (VALUES …) v JOIN owner o``."""
    db, q, meta = database.obj, bulk.quoted, link_model._meta
    defaults = [f for f in meta.sorted_fields if f.name not in names and f.name not in copy and f.default is not None]
    fields = [meta.fields[name] for name in names] + defaults
    source = owner.rel_model
    columns = ", ".join(q(f.column_name) for f in fields + [meta.fields[name] for name in copy])
    picked = ", ".join([f"v.column{i}" for i in range(1, len(fields) + 1)]
                       + [f"o.{q(source._meta.fields[name].column_name)}" for name in copy])
    sql = (f"INSERT INTO {q(meta.table_name)} ({columns}) SELECT {picked} FROM (VALUES {{}}) AS v "
           f"JOIN {q(source._meta.table_name)} AS o ON o.{q(owner.rel_field.column_name)} = v.column1")
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    convert = [bulk.converter(f) for f in fields]
    for chunk in bulk.chunks(rows, min(bulk.MAX_ROWS, bulk.MAX_PARAMS // len(fields))):
        params = []
        for row in chunk:
            values = [*row, *(f.default() if callable(f.default) else f.default for f in defaults)]
            params.extend(c(value) for c, value in zip(convert, values))
        db.execute_sql(sql.format(", ".join([one] * len(chunk))), params)


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
