"""Setting columns of many rows in one statement: ``UPDATE … SET col = CASE id WHEN …
END`` (one statement per :data:`BATCH` rows, whatever the rows hold).

PostgreSQL types a ``CASE`` whose results are all ``NULL`` (or all parameters) as text and
refuses to put text in a numeric or boolean column, so each ``CASE`` is cast to its
column's type there. ``keep_stamp`` leaves ``updated_at`` as it is (``core.records``): what
phoihop computes never makes a record look edited.
"""
from __future__ import annotations

import peewee

from core.db import database

BATCH = 500


def typed_case(model, field: peewee.Field, pairs) -> peewee.Node:
    """``CASE id WHEN … THEN … END`` over ``(id, value)`` pairs, typed for PostgreSQL."""
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
    """Set ``fields`` of every row of ``rows`` (``{id: {field name: value}}``); returns
    how many rows changed."""
    ids = list(rows)
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        data = {model._meta.fields[name]: typed_case(model, model._meta.fields[name], [(i, rows[i][name]) for i in part])
                for name in fields}
        if keep_stamp and "updated_at" in model._meta.fields:
            data[model._meta.fields["updated_at"]] = model._meta.fields["updated_at"]
        changed += model.update(data).where(model._meta.primary_key.in_(part)).execute()
    return changed
