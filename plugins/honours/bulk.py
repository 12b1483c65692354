"""Setting columns of many rows in one statement: ``UPDATE t SET col = v.columnN FROM
(VALUES (id, value…), …) AS v WHERE t.id = v.column1`` (one statement per :data:`BATCH`
rows, whatever the rows hold; SQLite ≥ 3.33 and PostgreSQL both name a ``VALUES`` list's
columns ``column1``, ``column2``…).

A join on the values, not ``SET col = CASE id WHEN … END``: a ``CASE`` of n branches costs
n comparisons for each of the n rows, for each column, where the join finds each row's
values once. PostgreSQL types a ``VALUES`` column of ``NULL`` (or of text) as text and
refuses to put text in a numeric or boolean column, so each value is cast to its column's
type there. ``keep_stamp`` leaves ``updated_at`` as it is (``core.records``): what phoihop
computes never makes a record look edited; otherwise the statement moves it, as peewee's
``update`` of a stamped model does.
"""
from __future__ import annotations

import peewee

from core.bulk import quoted
from core.db import database
from core.models import now
from core.records import STAMP

BATCH = 500


def sql_type(field: peewee.Field) -> str | None:
    """The column type a value is cast to on PostgreSQL (``None``: no cast, on SQLite)."""
    db = database.obj
    if not isinstance(db, peewee.PostgresqlDatabase):
        return None
    target = field.rel_field if isinstance(field, peewee.ForeignKeyField) else field
    if isinstance(target, peewee.DecimalField):
        return f"NUMERIC({target.max_digits}, {target.decimal_places})"
    kind = {"AUTO": "INT", "BIGAUTO": "BIGINT"}.get(target.field_type, target.field_type)
    return {**peewee.FIELD, **db.field_types}.get(kind, kind)


def typed(expression: str, field: peewee.Field) -> str:
    kind = sql_type(field)
    return f"CAST({expression} AS {kind})" if kind else expression


def set_values(model, rows: dict, fields, *, keep_stamp: bool = False) -> int:
    """Set ``fields`` of every row of ``rows`` (``{id: {field name: value}}``); returns
    how many rows changed."""
    meta, db = model._meta, database.obj
    pk = meta.primary_key
    columns = [meta.fields[name] for name in fields]
    values = [(c.rel_field if isinstance(c, peewee.ForeignKeyField) else c).db_value for c in columns]
    sets = [f"{quoted(c.column_name)} = {typed(f'v.column{n}', c)}" for n, c in enumerate(columns, start=2)]
    stamp = []
    if not keep_stamp and STAMP in meta.fields:
        sets.append(f"{quoted(meta.fields[STAMP].column_name)} = {db.param}")
        stamp = [meta.fields[STAMP].db_value(now())]
    table, row = quoted(meta.table_name), f"({', '.join([db.param] * (len(columns) + 1))})"
    ids = list(rows)
    changed = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        params = [*stamp]
        for i in part:
            params += [pk.db_value(i), *(value(rows[i][name]) for value, name in zip(values, fields))]
        sql = (f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(part))}) AS v "
               f"WHERE {table}.{quoted(pk.column_name)} = {typed('v.column1', pk)}")
        changed += db.execute_sql(sql, params).rowcount
    return changed
