"""Setting columns of many rows in one statement: ``UPDATE … SET col = CASE id WHEN … END``.

PostgreSQL types a ``CASE`` whose results are all ``NULL`` (or all parameters) as text and
refuses to put text in a numeric or boolean column, so each ``CASE`` is cast to its
column's type there. (The contests plugin has the same helper: a plugin imports no other
plugin, and ``core.bulk`` has no UPDATE yet.)
"""
from __future__ import annotations

import peewee
from peewee import fn

from core.db import database

BATCH = 500


def typed_case(model, field: peewee.Field, pairs) -> peewee.Node:
    """``CASE id WHEN … THEN … END`` over ``pairs`` of ``(id, value)``, cast to the
    column's type on PostgreSQL."""
    target = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field
    case = peewee.Case(model._meta.primary_key, [(i, target.db_value(v)) for i, v in pairs])
    db = database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        kind = {"AUTO": "INT", "BIGAUTO": "BIGINT"}.get(target.field_type, target.field_type)
        return peewee.Cast(case, {**peewee.FIELD, **db.field_types}.get(kind, kind))
    return case


def set_values(model, rows: dict, fields) -> int:
    """Set ``fields`` of every row of ``rows`` (``{id: {field name: value}}``): one
    UPDATE per :data:`BATCH` rows. Returns the rows changed."""
    ids = list(rows)
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        data = {model._meta.fields[name]: typed_case(model, model._meta.fields[name], [(i, rows[i][name]) for i in part])
                for name in fields}
        changed += model.update(data).where(model._meta.primary_key.in_(part)).execute()
    return changed


def fill_values(model, rows: dict, fields) -> int:
    """Like :func:`set_values`, but only where the column is empty (``NULL``): each
    column becomes ``COALESCE(column, CASE id WHEN … END)``. One UPDATE per
    :data:`BATCH` rows, whatever the columns."""
    ids = list(rows)
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        data = {}
        for name in fields:
            field = model._meta.fields[name]
            data[field] = fn.COALESCE(field, typed_case(model, field, [(i, rows[i].get(name)) for i in part]))
        changed += model.update(data).where(model._meta.primary_key.in_(part)).execute()
    return changed


def set_column(model, name: str, pairs) -> int:
    """Set one column from ``pairs`` of ``(id, value)``."""
    pairs = list(pairs)
    return set_values(model, {i: {name: value} for i, value in pairs}, [name]) if pairs else 0
