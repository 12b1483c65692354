"""The database side of a sync: set-based statements a chunk at a time.

Every function here takes a whole chunk (up to 1,000 rows) and costs a constant number
of statements, whatever the chunk holds: records inserted with one INSERT … RETURNING,
updated with one UPDATE … CASE per batch, audit rows and snapshots written in bulk.
"""
from __future__ import annotations

from decimal import Decimal

import peewee

from core.db import database
from core.models import AuditLog, dump, now
from core.vietnamese import format_int
from sheets import bulk
from sheets.models import KeySequence

INT_RANGES = {  # what a column can hold on PostgreSQL (SQLite is wider)
    peewee.BigIntegerField: (-(2**63), 2**63 - 1),
    peewee.SmallIntegerField: (-(2**15), 2**15 - 1),
    peewee.IntegerField: (-(2**31), 2**31 - 1),
}


def chunk_transaction():
    """A transaction that owns its rows from its first read: on SQLite ``BEGIN IMMEDIATE``
    (the write lock is taken up front, so nobody writes between our read and our write);
    on PostgreSQL the chunk's records are read ``FOR UPDATE`` (see :func:`select_records`)."""
    if isinstance(database.obj, peewee.SqliteDatabase):
        return database.atomic("IMMEDIATE")
    return database.atomic()


def select_records(model, ids):
    """The records of a chunk, locked against concurrent edits until the chunk commits.

    Built from plain row dicts (the values converted by each field, as peewee does) without
    peewee's per-field ``setattr`` — the same instances at a third of the cost, which is
    most of a no-change sync's database time."""
    query = model.select().where(model.id.in_(list(ids)))
    if not isinstance(database.obj, peewee.SqliteDatabase):
        query = query.for_update()
    found = {}
    new, pk = model.__new__, model._meta.primary_key.name
    for data in query.dicts():
        record = new(model)
        record.__data__, record._dirty, record.__rel__ = data, set(), {}
        found[data[pk]] = record
    return found


def fit_problem(field: peewee.Field, value) -> str | None:
    """Why ``value`` cannot be stored in ``field`` (a Vietnamese phrase), or ``None``."""
    if value is None:
        return None
    if isinstance(field, peewee.CharField) and isinstance(value, str) and field.max_length \
            and len(value) > field.max_length:
        return f"dài {format_int(len(value))} ký tự, quá {format_int(field.max_length)} ký tự cho phép"
    if isinstance(value, int) and not isinstance(value, bool):
        for kind, (low, high) in INT_RANGES.items():
            if isinstance(field, kind):
                if not low <= value <= high:
                    return "quá lớn để lưu"
                break
    if isinstance(field, peewee.DecimalField) and isinstance(value, (Decimal, int, float)) and field.max_digits:
        whole = len(str(abs(int(value))))
        if whole > field.max_digits - (field.decimal_places or 0):
            return "quá lớn để lưu"
    return None


_LIMITED: dict = {}  # model → its fields that have a size (the schema is static)


def limited_fields(model):
    found = _LIMITED.get(model)
    if found is None:
        kinds = (peewee.CharField, peewee.IntegerField, peewee.DecimalField)
        found = _LIMITED[model] = [(f.name, f) for f in model._meta.sorted_fields
                                   if isinstance(f, kinds) and not isinstance(f, peewee.ForeignKeyField)
                                   and f is not model._meta.primary_key]
    return found


def record_problems(record) -> list[tuple[str, str]]:
    """``[(field, phrase)]`` for the values set on ``record`` that its table cannot hold."""
    data, dirty = record.__data__, record._dirty
    found = []
    for name, field in limited_fields(type(record)):
        if name in dirty:
            problem = fit_problem(field, data.get(name))
            if problem:
                found.append((name, problem))
    return found


def insert_records(model, records) -> None:
    """INSERT … RETURNING id in batches; the ids are set on the instances."""
    if not records:
        return
    pk = model._meta.primary_key
    fields = [f for f in model._meta.sorted_fields if f is not pk]
    rows = [{f.name: r.__data__.get(f.name, f.default() if callable(f.default) else f.default) for f in fields}
            for r in records]
    for record, new_id in zip(records, bulk.insert(model, rows, returning=True)):
        record.__data__[pk.name] = new_id
        record._dirty.clear()


def update_records(model, records, batch_size=200) -> None:
    """Save what changed on ``records`` in UPDATE … CASE statements (a few per chunk)."""
    if not records:
        return
    names, moment = set(), now()
    for record in records:
        if record.dirty_fields and "updated_at" in model._meta.fields:
            record.updated_at = moment  # what the UPDATE writes (core.records.StampedModel)
        names.update(f.name if isinstance(f, peewee.Field) else f for f in record.dirty_fields)
    fields = [model._meta.fields[n] for n in sorted(names) if n != model._meta.primary_key.name]
    if fields:
        model.bulk_update(records, fields=fields, batch_size=batch_size)
    for record in records:
        record._dirty.clear()


def audit_rows(model, actor, action, records, before=None, after=None) -> None:
    """One audit line per record, in bulk. ``before``/``after``: record id → values."""
    if not records:
        return
    moment = now()
    bulk.insert(AuditLog, [
        {"actor": actor, "channel": "sync", "action": action, "model": model._meta.table_name,
         "record_id": str(r.id), "unit": r.unit_id, "at": moment,
         "before": dump((before or {}).get(r.id)), "after": dump((after or {}).get(r.id))}
        for r in records
    ])


def allocate_keys(prefix: str, count: int) -> list[str]:
    """``count`` new ``Mã`` of a prefix (``HD-000123``): never reused, even across runs."""
    if count == 0:
        return []
    KeySequence.insert(prefix=prefix, last=0).on_conflict_ignore().execute()
    KeySequence.update(last=KeySequence.last + count).where(KeySequence.prefix == prefix).execute()
    last = KeySequence.get_by_id(prefix).last
    return [f"{prefix}-{n:06d}" for n in range(last - count + 1, last + 1)]


def archive_records(model, gone, actor, chunk=1000) -> None:
    """Archive the records of rows that left the sheet (never delete them), and mark their
    ``SyncedRow`` as archived by the sheet — so the row coming back restores the record.
    ``gone``: what the database knows of each ``Mã`` (``id``, ``record_id``)."""
    from sheets.models import SyncedRow

    for start in range(0, len(gone), chunk):
        part = gone[start:start + chunk]
        live = [r for r in select_records(model, [k.record_id for k in part]).values() if not r.archived]
        if live:
            model.update(archived=True).where(model.id.in_([r.id for r in live])).execute()
            audit_rows(model, actor, "archive", live)
        SyncedRow.update(archived=True, archived_by="sheet").where(SyncedRow.id.in_([k.id for k in part])).execute()
