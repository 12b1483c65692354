"""Lookup lists as data (the plugin kit): kinds, tiers, categories, forms.

Each list is a table of its own, a :class:`LookupModel` subclass that a plugin declares
with its ``defaults``::

    class PrizeTier(LookupModel):
        defaults = (("Giải Nhất", ("Giải nhất", "Nhất")), ("Giải Nhì", ("Nhì",)))

        class Meta:
            table_name = "contests_prize_tier"

A lookup list is **shared** by every unit (``Meta.shared``, which subclasses inherit):
unit scoping (``core.admin.scope``) shows it to every user. Its defaults are created
lazily and idempotently (:meth:`LookupModel.ensure_defaults`, one query when nothing is
missing), so ``phoihop init`` needs no seeding step. ``updated_at`` moves on every write
made through peewee (:class:`core.records.StampedModel`), so :meth:`LookupModel.stamp`
— ``count(*)`` and ``max(updated_at)`` in one query — tells any process whether the list
changed since it last read it. The sheets side reads a list through
``sheets.mapping.LookupChoices``.

An entry that is no longer used is made inactive (``active = False``) rather than
deleted: a deleted default comes back with the next :meth:`~LookupModel.ensure_defaults`,
and records keep pointing at their entry. Renaming an entry through :meth:`save` keeps
the old name among its aliases, so sheets that still say the old name keep matching.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import peewee
from wtforms import TextAreaField

from core.admin import ModelView
from core.db import database
from core.models import name_key, now
from core.records import StampedModel


def split_aliases(text: str | None) -> list[str]:
    """The spellings of an ``aliases`` text: separated by ';' or line breaks, trimmed,
    NFC, empty ones and repeats dropped."""
    found = []
    for part in re.split(r"[;\n\r\u2028\u2029]", text or ""):
        item = " ".join(unicodedata.normalize("NFC", part).split())
        if item and item not in found:
            found.append(item)
    return found


class Entry(NamedTuple):
    """One row of a lookup list, as :meth:`LookupModel.entries` gives it."""

    id: int
    name: str
    aliases: tuple[str, ...]
    active: bool


class LookupModel(StampedModel):
    """Base of a shared lookup list: ``name`` (unique), ``aliases`` (other spellings that
    sheets use, separated by ';' or line breaks), ``sort_order``, ``active``,
    ``updated_at``. ``defaults``: ``((name, (alias, …)), …)`` created when missing."""

    name = peewee.CharField(unique=True)
    aliases = peewee.TextField(null=True)
    sort_order = peewee.IntegerField(default=100)
    # Nullable, with defaults, so that they can be added to a list that records refer to
    # (core.records.StampedModel); ``None`` counts as active.
    active = peewee.BooleanField(null=True, default=True)
    updated_at = peewee.DateTimeField(null=True, default=now)  # declared again: listed last

    defaults: tuple[tuple[str, tuple[str, ...]], ...] = ()

    class Meta:
        shared = True  # not per unit: core.admin.scope shows it to every user

    def alias_list(self) -> list[str]:
        """The aliases as a list of trimmed, non-empty spellings."""
        return split_aliases(self.aliases)

    def save(self, *args, **kwargs):
        """Save; an entry renamed keeps its old name among its aliases (one query, only
        when the name is among the fields being saved)."""
        if self._pk is not None and "name" in self._dirty:
            cls = type(self)
            old = cls.select(cls.name).where(cls._meta.primary_key == self._pk).scalar()
            if old and old != self.name and name_key(old) not in {name_key(a) for a in self.alias_list()}:
                self.aliases = "; ".join([*self.alias_list(), old])
                if kwargs.get("only") is not None:
                    kwargs["only"] = [*kwargs["only"], cls.aliases]
        return super().save(*args, **kwargs)

    def __str__(self):
        return self.name

    @classmethod
    def ordered(cls):
        """Every entry in the order lists show them (``sort_order``, then name)."""
        return cls.select().order_by(cls.sort_order, cls.name)

    @classmethod
    def ensure_defaults(cls) -> int:
        """Create the ``defaults`` that are missing; return how many were added.

        One query when nothing is missing. A default counts as present when an entry has
        its name — or has it among its aliases, as a renamed default does — compared
        case-, space- and NFC-insensitively. Concurrent callers cannot create one twice
        (the name is unique; a conflict is ignored)."""
        if not cls.defaults:
            return 0
        have = set()
        for name, aliases in cls.select(cls.name, cls.aliases).tuples():
            have.update(name_key(spelling) for spelling in [name, *split_aliases(aliases)])
        missing = [
            {"name": name, "aliases": "; ".join(aliases) or None, "sort_order": (index + 1) * 10}
            for index, (name, aliases) in enumerate(cls.defaults)
            if name_key(name) not in have
        ]
        if missing:
            with database.atomic():
                cls.insert_many(missing).on_conflict_ignore().execute()
        return len(missing)

    @classmethod
    def stamp(cls) -> tuple:
        """``(count(*), max(updated_at))``: one cheap query whose answer changes whenever
        an entry is added, removed or changed through peewee, in any process."""
        return tuple(cls.select(peewee.fn.COUNT(cls.id), peewee.fn.MAX(cls.updated_at)).scalar(as_tuple=True))

    @classmethod
    def entries(cls) -> list[Entry]:
        """Every entry, in list order (one query; see :meth:`ensure_defaults`)."""
        query = cls.ordered().select(cls.id, cls.name, cls.aliases, cls.active)
        return [Entry(id, name, tuple(split_aliases(aliases)), active is not False)
                for id, name, aliases, active in query.tuples()]


class LookupView(ModelView):
    """The admin page of a lookup list an office extends (admins only): its names, the
    other spellings sheets may use, the order and whether an entry is still in use."""

    required_role = "admin"
    column_list = ["name", "aliases", "sort_order", "active"]
    column_labels = {"name": "Tên", "aliases": "Cách viết khác", "sort_order": "Thứ tự", "active": "Đang dùng"}
    form_excluded_columns = ["updated_at"]
    column_default_sort = ("sort_order", False)
    column_searchable_list = ["name", "aliases"]
    form_overrides = {"aliases": TextAreaField}
    form_args = {"aliases": {"description": "Cách viết khác trong bảng tính, cách nhau bằng dấu ; hoặc xuống dòng"}}
