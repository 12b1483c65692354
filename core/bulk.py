"""Set-based statements as plain SQL: many rows per statement, a constant number of
statements per batch, whatever the number of rows.

peewee builds its SQL node by node for every row (``insert_many``, ``Tuple(...).in_``),
several times slower than the database driver itself; these write each statement once per
batch of rows — SQL you could read aloud::

    INSERT INTO "organisation" ("unit_id", "name", …) VALUES (?, ?, …), (?, ?, …)
        ON CONFLICT DO NOTHING RETURNING "id", "unit_id", "name_key"
    SELECT "unit_id", "name_key", MIN("id") FROM "organisation"
        WHERE ("unit_id", "name_key") IN (VALUES (?, ?), (?, ?)) GROUP BY "unit_id", "name_key"

Both SQLite (3.35 or newer) and PostgreSQL run them. Values go through each field's
``db_value`` (JSON, dates, foreign keys) and come back through ``python_value``, as with
peewee. ``sheets.bulk`` is the sync engine's older copy of :func:`insert`.

:func:`set_values` (and :func:`fill_values`, :func:`set_column`) set columns of many rows
in one ``UPDATE … FROM (VALUES …)`` per batch: the one helper every plugin's computed
columns and links go through.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee

from core.db import database
from core.models import now
from core.records import STAMP

#: Bound parameters per statement: SQLite allows 32766 (3.32+), PostgreSQL 65535.
MAX_PARAMS = 30000
#: Rows per INSERT statement at most, whatever their width.
MAX_ROWS = 10000


def quoted(name: str) -> str:
    """An identifier quoted for the bound database."""
    quote = database.obj.quote
    return f"{quote[0]}{name}{quote[1]}"


def chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    """``items`` in slices of at most ``size`` (at least 1)."""
    size = max(1, size)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _field(model, field):
    return model._meta.fields[field] if isinstance(field, str) else field


def converter(field):
    """``field.db_value``, short-cut for the values that it hands back unchanged (an
    ``int`` for an integer or foreign-key field, a ``str`` for a text field): a sync
    converts a million of them, and peewee's chain of calls costs more than the insert."""
    target = field
    while isinstance(target, peewee.ForeignKeyField):
        target = target.rel_field
    plain = type(target).db_value is peewee.Field.db_value
    if plain and isinstance(target, peewee.IntegerField) and not isinstance(target, peewee.BooleanField):
        natural = int
    elif plain and isinstance(target, peewee._StringField):
        natural = str
    else:
        return field.db_value
    db_value = field.db_value

    def convert(value):
        return value if value is None or type(value) is natural else db_value(value)

    return convert


def insert(model, rows: Sequence[dict], *, returning: Sequence = (), on_conflict_ignore: bool = False) -> list[tuple]:
    """Insert ``rows`` (dicts keyed by field name, all with the keys of the first one).

    Fields a row leaves out that have a default in the model (``created_at``, ``kind``,
    ``position``…) get it, as ``Model.create`` would; other missing fields are left to the
    database. ``on_conflict_ignore`` skips rows that would break a unique index (another
    writer got there first). ``returning`` names fields (or gives them) to hand back for
    every inserted row, as tuples of Python values; their order is not promised, so
    callers match them by content (the returned unique key), never by position.
    One statement per ``MAX_PARAMS`` parameters (and at most ``MAX_ROWS`` rows).
    """
    if not rows:
        return []
    names = list(rows[0])
    return insert_tuples(model, names, [tuple(row[name] for name in names) for row in rows],
                         returning=returning, on_conflict_ignore=on_conflict_ignore)


def insert_tuples(model, names: Sequence[str], rows: Sequence[tuple], *, returning: Sequence = (),
                  on_conflict_ignore: bool = False) -> list[tuple]:
    """:func:`insert` for rows given as tuples of the fields ``names`` (no dict per row:
    what link tables of hundreds of thousands of rows want)."""
    if not rows:
        return []
    db = database.obj
    meta = model._meta
    defaults = [f for f in meta.sorted_fields if f.name not in names and f.default is not None]
    fields = [meta.fields[name] for name in names] + defaults
    columns = ", ".join(quoted(f.column_name) for f in fields)
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    back = [_field(model, f) for f in returning]
    tail = " ON CONFLICT DO NOTHING" if on_conflict_ignore else ""
    if back:
        tail += " RETURNING " + ", ".join(quoted(f.column_name) for f in back)
    table = quoted(meta.table_name)
    given = [converter(meta.fields[name]) for name in names]
    filled = [(f.default, converter(f)) for f in defaults]
    found = []
    for chunk in chunks(rows, min(MAX_ROWS, MAX_PARAMS // len(fields))):
        params = []
        for row in chunk:
            params.extend([convert(value) for convert, value in zip(given, row)])
            if filled:
                params.extend([convert(default() if callable(default) else default) for default, convert in filled])
        cursor = db.execute_sql(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}{tail}", params)
        if back:
            found.extend(tuple(f.python_value(v) for f, v in zip(back, record)) for record in cursor.fetchall())
    return found


def select_in(model, keys: Sequence, values: Sequence[tuple], columns: Sequence[str], *, group_by: Sequence = ()):
    """Rows of ``model`` whose ``keys`` (fields) equal one of the tuples ``values``:
    ``SELECT columns FROM table WHERE (k1, k2) IN (VALUES (?, ?), …) [GROUP BY …]``.

    ``columns`` are SQL expressions over quoted column names (build them with
    :func:`quoted`, e.g. ``f"MIN({quoted('id')})"``); ``group_by`` lists fields. One
    statement per ``MAX_PARAMS`` parameters; returns the raw result rows (tuples).
    """
    if not values:
        return []
    db = database.obj
    key_fields = [_field(model, k) for k in keys]
    left = "(" + ", ".join(quoted(f.column_name) for f in key_fields) + ")"
    one = "(" + ", ".join([db.param] * len(key_fields)) + ")"
    tail = ""
    if group_by:
        tail = " GROUP BY " + ", ".join(quoted(_field(model, f).column_name) for f in group_by)
    head = f"SELECT {', '.join(columns)} FROM {quoted(model._meta.table_name)} WHERE {left} IN (VALUES "
    convert = [converter(f) for f in key_fields]
    found = []
    for chunk in chunks(values, MAX_PARAMS // len(key_fields)):
        params = [c(v) for value in chunk for c, v in zip(convert, value)]
        found.extend(db.execute_sql(head + ", ".join([one] * len(chunk)) + ")" + tail, params).fetchall())
    return found


def placeholders(count: int) -> str:
    """``?, ?, ?`` (or ``%s, …``) for ``count`` parameters of the bound database."""
    return ", ".join([database.obj.param] * count)


def delete_in(model, field, values: Sequence) -> int:
    """``DELETE FROM table WHERE column IN (…)``, one statement per ``MAX_PARAMS``
    values; returns how many rows went."""
    field = _field(model, field)
    convert = converter(field)
    table, column = quoted(model._meta.table_name), quoted(field.column_name)
    gone = 0
    for chunk in chunks(list(values), MAX_PARAMS):
        cursor = database.obj.execute_sql(f"DELETE FROM {table} WHERE {column} IN ({placeholders(len(chunk))})",
                                          [convert(v) for v in chunk])
        gone += max(cursor.rowcount, 0)
    return gone


# -- UPDATE ------------------------------------------------------------------------------
#: Rows per UPDATE statement at most.
UPDATE_ROWS = 500


def sql_type(field: peewee.Field) -> str | None:
    """The column type a value is cast to on PostgreSQL (``None``: no cast, on SQLite).
    PostgreSQL types a ``VALUES`` column of ``NULL`` (or of text) as text and refuses to
    put text in a numeric or boolean column."""
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


def _update(model, rows: dict, fields, *, keep_stamp: bool, fill: bool) -> int:
    """``UPDATE t SET col = v.columnN FROM (VALUES (id, value…), …) AS v WHERE t.id =
    v.column1`` (SQLite ≥ 3.33 and PostgreSQL both name a ``VALUES`` list's columns
    ``column1``, ``column2``…); ``fill``: ``col = COALESCE(col, v.columnN)``.

    A join on the values, not ``SET col = CASE id WHEN … END``: a ``CASE`` of n branches
    costs n comparisons for each of the n rows, for each column, where the join finds each
    row's values once."""
    meta, db = model._meta, database.obj
    pk = meta.primary_key
    columns = [meta.fields[name] for name in fields]
    values = [(c.rel_field if isinstance(c, peewee.ForeignKeyField) else c).db_value for c in columns]
    sets = []
    for n, column in enumerate(columns, start=2):
        value = typed(f"v.column{n}", column)
        name = quoted(column.column_name)
        sets.append(f"{name} = COALESCE({name}, {value})" if fill else f"{name} = {value}")
    stamp = []
    if not keep_stamp and STAMP in meta.fields:
        sets.append(f"{quoted(meta.fields[STAMP].column_name)} = {db.param}")
        stamp = [meta.fields[STAMP].db_value(now())]
    table, row = quoted(meta.table_name), f"({placeholders(len(columns) + 1)})"
    changed = 0
    for part in chunks(list(rows), min(UPDATE_ROWS, MAX_PARAMS // (len(columns) + 1))):
        params = [*stamp]
        for i in part:
            given = rows[i]
            params += [pk.db_value(i), *(value(given.get(name) if fill else given[name])
                                         for value, name in zip(values, fields))]
        sql = (f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row] * len(part))}) AS v "
               f"WHERE {table}.{quoted(pk.column_name)} = {typed('v.column1', pk)}")
        changed += db.execute_sql(sql, params).rowcount
    return changed


def set_values(model, rows: dict, fields, *, keep_stamp: bool = False) -> int:
    """Set ``fields`` of every row of ``rows`` (``{id: {field name: value}}``), one
    statement per :data:`UPDATE_ROWS` rows whatever the rows hold; returns how many rows
    changed. ``keep_stamp`` leaves ``updated_at`` as it is (``core.records``): what
    phoihop computes never makes a record look edited; otherwise the statement moves it,
    as peewee's ``update`` of a stamped model does."""
    return _update(model, rows, fields, keep_stamp=keep_stamp, fill=False)


def fill_values(model, rows: dict, fields, *, keep_stamp: bool = False) -> int:
    """Like :func:`set_values`, but only where the column is empty (``NULL``); a field
    a row does not name stays as it is."""
    return _update(model, rows, fields, keep_stamp=keep_stamp, fill=True)


def set_column(model, name: str, pairs, *, keep_stamp: bool = False) -> int:
    """Set one column from ``pairs`` of ``(id, value)``."""
    return set_values(model, {i: {name: value} for i, value in pairs}, [name], keep_stamp=keep_stamp)
