"""Setting columns of many rows in one statement: ``UPDATE … SET col = CASE id WHEN … END``.

PostgreSQL types a ``CASE`` whose results are all ``NULL`` (or all parameters) as text, and
refuses to put text in a numeric or boolean column; each ``CASE`` here is cast to its
column's type there. ``keep_stamp`` leaves ``updated_at`` as it is (``core.records``):
what phoihop computes never makes a record look changed.
"""
from __future__ import annotations

import peewee

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
        name = {**peewee.FIELD, **db.field_types}.get(kind, kind)
        if isinstance(target, peewee.DecimalField):
            name = f"NUMERIC({target.max_digits}, {target.decimal_places})"
        return peewee.Cast(case, name)
    return case


def set_values(model, rows: dict, fields, *, keep_stamp: bool = False) -> int:
    """Set ``fields`` of every row of ``rows`` (``{id: {field name: value}}``): one UPDATE
    per :data:`BATCH` rows. Returns the rows changed."""
    ids = list(rows)
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        data = {}
        for name in fields:
            field = model._meta.fields[name]
            data[field] = typed_case(model, field, [(i, rows[i][name]) for i in part])
        if keep_stamp and "updated_at" in model._meta.fields:
            data[model._meta.fields["updated_at"]] = model._meta.fields["updated_at"]
        changed += model.update(data).where(model._meta.primary_key.in_(part)).execute()
    return changed


def set_column(model, name: str, pairs, *, keep_stamp: bool = False) -> int:
    """Set one column from ``pairs`` of ``(id, value)``."""
    return set_values(model, {i: {name: value} for i, value in pairs}, [name], keep_stamp=keep_stamp)
