"""The base of every record an area keeps in sync with a sheet (the plugin kit).

:class:`SyncedRecord` gives a plugin's model what the sync engine and the admin rely on:
the ``unit`` it belongs to, ``archived`` (a row removed from the sheet is archived, never
deleted), ``created_at`` / ``updated_at``, and where it came from — the binding and the
``Mã`` of the sheet row that created it (both empty for a record made in the admin).
A ``sheets.mapping.Mapping`` refuses any other model.

``updated_at`` moves on every write made through peewee — ``save()``, ``Model.update()``
and ``bulk_update()`` (:class:`StampedModel`) — so that another process can tell that a
table changed by looking at ``max(updated_at)`` (:mod:`core.lookups` does).

A plugin writes::

    class Entry(SyncedRecord):
        title = peewee.CharField()

        class Meta:
            table_name = "contests_entry"
"""
import peewee

from core.db import BaseModel
from core.models import Unit, now

STAMP = "updated_at"


class StampedModel(BaseModel):
    """A model whose ``updated_at`` is set on insert and moved by every peewee write:
    ``save()`` (also with ``only=``), ``Model.update(...)`` and ``bulk_update`` (which
    peewee builds on ``update``). A write that sets ``updated_at`` itself keeps its value.
    Raw SQL bypasses it: whoever writes SQL sets ``updated_at`` too."""

    # Nullable, with a default: every kit column can be added to a table that holds rows
    # and is referenced by others (on SQLite, NOT NULL would mean rebuilding the table).
    updated_at = peewee.DateTimeField(null=True, default=now)

    def save(self, force_insert=False, only=None):
        self.updated_at = now()
        if only is not None:
            only = [*only, type(self).updated_at]
        return super().save(force_insert=force_insert, only=only)

    @classmethod
    def update(cls, __data=None, **update):
        data = cls._normalize_data(__data, update)
        if isinstance(data, dict) and not any(getattr(key, "name", None) == STAMP for key in data):
            data[cls._meta.fields[STAMP]] = now()
        return super().update(data)


class SyncedRecord(StampedModel):
    """A record of an area that a sheet binding fills (see the module docstring).

    ``source_binding`` is the id of the ``sheets`` binding whose row created the record
    and ``source_key`` that row's ``Mã``; the engine sets both when it inserts a record
    from a sheet row. (No foreign key: the core knows no table of ``sheets``.)
    """

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    archived = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(null=True, default=now)
    updated_at = peewee.DateTimeField(null=True, default=now)  # declared again: listed after created_at
    source_binding = peewee.IntegerField(null=True)
    source_key = peewee.CharField(null=True, max_length=40)

