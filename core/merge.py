"""Merging duplicates in the registry: two rows for one person (or one organisation).

Offices write the same person twice ("Nguyễn Văn Ân" and "Nguyễn Văn An", a year typed
in one sheet and not in another), so the registry grows duplicates that only a person can
recognise. :func:`merge` folds them into the row that person picks:

1. every link to a duplicate — a foreign key to its model in any registered model, the
   areas' link tables and the core's own (a person's workplace) — is moved to the kept
   row. The links are found from peewee's metadata: the core never names an area's table;
2. a link that would then break a unique index (an activity that had both rows as
   partners) is dropped, the kept row's own link winning, else the oldest;
3. the kept row's empty fields are filled from the duplicates (its own values win);
4. the ways the duplicates were written become the kept row's aliases
   (``OrganisationAlias``, ``PersonAlias``): the matchers of :mod:`core.people` give the
   kept row for them, so a sheet that still writes a duplicate's name does not bring the
   duplicate back at its next sync;
5. the duplicates are deleted, and the audit log records the merge: the kept row's
   before and after, with the links moved and the aliases, and each duplicate's last
   values. Earlier audit entries of the duplicates stay as they were.

All of it is one transaction, and a constant number of statements per link field,
whatever the number of links.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from core import bulk
from core.db import database
from core.models import AuditLog, snapshot
from core.people import remember_aliases

# Fields a merge never copies from a duplicate: who the row is and when it came.
KEPT_AS_IS = frozenset({"id", "unit", "name", "full_name", "name_key", "created_at"})


class MergeError(ValueError):
    """A merge that cannot be done (nothing to merge, rows of different units…)."""


@dataclass
class MergeResult:
    """What a merge did: the kept row, the duplicates' ids, per link field
    (``"table.column"``) how many links moved and how many were dropped as repeats, the
    fields filled from the duplicates, and the names that became the kept row's aliases."""

    kept: peewee.Model
    merged: list[int]
    moved: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    filled: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


def link_fields(target, models):
    """Every foreign key to ``target`` declared by ``models`` (the registered models),
    in their order: where a row of ``target`` can be linked from."""
    found = []
    for model in models:
        for candidate in model._meta.sorted_fields:
            if isinstance(candidate, peewee.ForeignKeyField) and candidate.rel_model is target:
                found.append(candidate)
    return found


def link_counts(target, ids, models):
    """``{id: how many links point at it}`` for rows of ``target``: what a person weighs
    when picking the row to keep. One query per link field."""
    counts = dict.fromkeys(ids, 0)
    for link in link_fields(target, models):
        query = (link.model.select(link, peewee.fn.COUNT(peewee.SQL("*")))
                 .where(link.in_(list(counts))).group_by(link).tuples())
        for target_id, count in query:
            counts[target_id] = counts.get(target_id, 0) + count
    return counts


def unique_groups(link):
    """The column sets of ``link``'s model that must stay unique and include ``link``
    (its unique indexes, a unique or primary-key foreign key), each less ``link`` itself."""
    meta = link.model._meta
    groups = []
    if link.unique or link.primary_key:
        groups.append(())
    for index in meta.fields_to_index():
        if not getattr(index, "_unique", False):
            continue
        parts = list(getattr(index, "_expressions", ()))
        if link in parts and all(isinstance(p, peewee.Field) for p in parts) and len(parts) > 1:
            groups.append(tuple(p for p in parts if p is not link))
    return groups


def merge(keep, duplicates, *, models, actor, channel="admin"):
    """Fold ``duplicates`` (rows of ``keep``'s model, of its unit) into ``keep``; return
    a :class:`MergeResult`. ``models`` are the registered models whose foreign keys are
    moved (``app.extensions["phoihop_models"]``); ``actor`` and ``channel`` go to the
    audit log. Raises :class:`MergeError` when there is nothing to merge, when a
    duplicate is ``keep`` itself or of another model or unit."""
    model = type(keep)
    duplicates = list({row.get_id(): row for row in duplicates}.values())
    if not duplicates:
        raise MergeError("nothing to merge")
    for row in duplicates:
        if type(row) is not model:
            raise MergeError(f"{row!r} is not a {model.__name__}")
        if row.get_id() == keep.get_id():
            raise MergeError("a row cannot be merged into itself")
        if getattr(row, "unit_id", None) != getattr(keep, "unit_id", None):
            raise MergeError("rows of different units cannot be merged")
    ids = [row.get_id() for row in duplicates]
    result = MergeResult(kept=keep, merged=ids)
    with database.atomic():
        before = snapshot(keep)
        for link in link_fields(model, models):
            name = f"{link.model._meta.table_name}.{link.column_name}"
            dropped = sum(_drop_repeats(link, group, keep.get_id(), ids) for group in unique_groups(link))
            moved = link.model.update({link: keep.get_id()}).where(link.in_(ids)).execute()
            if moved:
                result.moved[name] = moved
            if dropped:
                result.dropped[name] = dropped
        result.filled = _fill_blanks(keep, duplicates)
        if result.filled:
            keep.save()
        result.aliases = remember_aliases(keep, duplicates)
        model.delete().where(model._meta.primary_key.in_(ids)).execute()
        after = {**snapshot(keep), "merged_from": ids, "links_moved": result.moved, "links_dropped": result.dropped,
                 "aliases": result.aliases}
        AuditLog.record(actor=actor, channel=channel, action="merge", instance=keep, before=before, after=after)
        for row in duplicates:
            AuditLog.record(actor=actor, channel=channel, action="merge", instance=row, before=snapshot(row),
                            after={"merged_into": keep.get_id()})
    return result


def _drop_repeats(link, others, keep_id, ids):
    """Delete the duplicates' links that would repeat a link once moved to ``keep_id``
    (same values in ``others``, the rest of a unique index): those that the kept row
    already has, then all but the oldest of those the duplicates share. Two statements."""
    table = link.model._meta
    pk = table.primary_key
    if pk is None or isinstance(pk, peewee.CompositeKey):
        raise MergeError(f"{table.table_name}: a link table needs a single primary key")
    q = bulk.quoted
    t, col, key = q(table.table_name), q(link.column_name), q(pk.column_name)
    same = "".join(f" AND o.{q(f.column_name)} = {t}.{q(f.column_name)}" for f in others)
    marks = bulk.placeholders(len(ids))
    params = [link.db_value(i) for i in ids]
    gone = 0
    for sql, extra in (
        (f"DELETE FROM {t} WHERE {col} IN ({marks}) AND EXISTS "
         f"(SELECT 1 FROM {t} o WHERE o.{col} = {database.obj.param}{same})", [link.db_value(keep_id)]),
        (f"DELETE FROM {t} WHERE {col} IN ({marks}) AND EXISTS "
         f"(SELECT 1 FROM {t} o WHERE o.{col} IN ({marks}) AND o.{key} < {t}.{key}{same})", params),
    ):
        cursor = database.obj.execute_sql(sql, params + extra)
        gone += max(cursor.rowcount, 0)
    return gone


def _fill_blanks(keep, duplicates):
    """Give ``keep`` the duplicates' values of the fields it leaves empty (``None``,
    blank, or a default such as the kind "Khác"); return the names of the fields filled."""
    filled = []
    for f in type(keep)._meta.sorted_fields:
        if f.name in KEPT_AS_IS or f.primary_key or isinstance(f, peewee.BooleanField):
            continue  # a flag (archived…) says something of its own row only
        default = None if callable(f.default) else f.default
        if not _empty(keep.__data__.get(f.name), default):
            continue
        for row in duplicates:
            value = row.__data__.get(f.name)
            if not _empty(value, default):
                setattr(keep, f.name, value)
                filled.append(f.name)
                break
    return filled


def _empty(value, default):
    return value is None or (isinstance(value, str) and not value.strip()) or (default is not None and value == default)
