"""Declarative sheet mappings: what a plugin says about its sheets.

A :class:`Mapping` ties a binding name (``"training.activities"``) to a peewee model and
lists its :class:`Column` s — header and aliases, the kind of value, whether it is
required, whether phoihop computes it. Everything else (finding the table, parsing, the
three-way merge, writing back) is the sync engine's job. A plugin customises how a
parsed row becomes a record by overriding :meth:`Mapping.apply` / :meth:`Mapping.read`.

A ``choice`` column's list is either fixed (a dict of label → aliases) or a lookup table
(:class:`LookupChoices` over a ``core.lookups.LookupModel``), which the engine re-checks
at the start of every run (:meth:`Mapping.prepare`), so that an entry added or renamed in
the admin, or by another process, is known to the next sync without a restart.
"""
from __future__ import annotations

from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping as MappingType, NamedTuple

from core.records import SyncedRecord
from sheets import values as v

KEY_HEADER = "Mã"
STATUS_HEADER = "Trạng thái đồng bộ"

PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": v.clean_text,
    "unit": v.clean_text,
    "date": v.parse_date,
    "season": v.parse_season,
    "money": v.parse_money,
    "int": v.parse_int,
    "decimal": v.parse_decimal,
    "bool": v.parse_bool,
    "list": v.parse_list,
}
FORMATTERS: dict[str, Callable[[Any], str]] = {
    "text": lambda value: value or "",
    "unit": lambda value: value or "",
    "choice": lambda value: value or "",
    "date": v.format_date,
    "season": v.format_season,
    "money": v.format_money,
    "int": v.format_int,
    "decimal": v.format_decimal,
    "bool": v.format_bool,
    "list": v.format_list,
}


class _Loaded(NamedTuple):
    """What :class:`LookupChoices` read of its table: replaced whole, never changed."""

    stamp: tuple
    offered: dict  # active name → aliases, in list order
    aliases: dict  # every name → aliases
    ids: dict  # id → name
    by_name: dict  # name → id
    spellings: dict  # normalised name or alias → name (names win over aliases)


class LookupChoices(AbstractMapping):
    """The choices of a ``choice`` column read from a lookup table (a subclass of
    ``core.lookups.LookupModel``): ``{active name: aliases}``, in list order.

    Read on first use (the table's defaults created if missing), then again only when
    :meth:`refresh` — called by the engine once per run through :meth:`Mapping.prepare` —
    finds the table's :meth:`~core.lookups.LookupModel.stamp` changed: one query when
    nothing changed, whichever process changed it. Names, ids and spellings are kept in
    dicts, so a chunk of rows costs no query. :meth:`parse` also recognises inactive
    entries (old sheets keep syncing); only active ones are offered in an error message.
    Compared by identity, so a ``Column`` holding it can be compared and hashed without
    touching the database.
    """

    def __init__(self, model):
        self.model = model
        self._loaded: _Loaded | None = None

    def refresh(self) -> bool:
        """Re-read the table if it changed since it was last read; ``True`` when it did."""
        stamp = self.model.stamp()
        if self._loaded is not None and self._loaded.stamp == stamp:
            return False
        if self.model.ensure_defaults():
            stamp = self.model.stamp()
        entries = self.model.entries()  # read after its stamp: a later change shows next time
        spellings = {}
        for entry in entries:
            spellings.setdefault(v.normalise(entry.name), entry.name)
        for entry in entries:
            for alias in entry.aliases:
                spellings.setdefault(v.normalise(alias), entry.name)
        self._loaded = _Loaded(
            stamp=stamp,
            offered={e.name: e.aliases for e in entries if e.active},
            aliases={e.name: e.aliases for e in entries},
            ids={e.id: e.name for e in entries},
            by_name={e.name: e.id for e in entries},
            spellings=spellings,
        )
        return True

    def _state(self) -> _Loaded:
        if self._loaded is None:
            self.refresh()
        return self._loaded

    def parse(self, raw) -> str | None:
        """The name that a cell's text spells (its name or an alias, compared as
        :func:`sheets.values.normalise` does), ``None`` for an empty cell, else
        :class:`sheets.values.CellError` listing the active names."""
        text = v.clean_text(raw)
        if text is None:
            return None
        state = self._state()
        found = state.spellings.get(v.normalise(text))
        if found is None:
            raise v.CellError(f"không thuộc danh sách: {', '.join(state.offered)}")
        return found

    def name_of(self, entry_id: int | None) -> str | None:
        """The name of the entry with this id (``None`` if unknown)."""
        return self._state().ids.get(entry_id)

    def id_of(self, name: str) -> int:
        """The id of the entry with this name (a name :meth:`parse` gave)."""
        return self._state().by_name[name]

    def __getitem__(self, name):
        return self._state().aliases[name]

    def __iter__(self):
        return iter(self._state().offered)

    def __len__(self):
        return len(self._state().offered)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __repr__(self):
        return f"LookupChoices({self.model.__name__})"


class NamedChoices(LookupChoices):
    """A lookup list whose error says what the list is, ``what`` and ``plural`` in the
    office's words: 'Loại "Thông tư" không phải loại nhiệm vụ (các loại: …)'."""

    def __init__(self, model, what: str, plural: str):
        super().__init__(model)
        self.what, self.plural = what, plural

    def parse(self, raw):
        try:
            return super().parse(raw)
        except v.CellError:
            raise v.CellError(f"không phải {self.what} (các {self.plural}: {'; '.join(self)})") from None


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind``: text, unit (the LHH, matched to a registered unit), date, season, money,
    int, decimal, bool, list or choice. ``choices`` maps each canonical label to its
    aliases: a dict, or :class:`LookupChoices` for a lookup table. ``minimum`` bounds
    numbers. ``computed`` columns are written by phoihop: an edit in the sheet is
    overwritten and reported, never imported.
    """

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    computed: bool = False
    choices: MappingType[str, Iterable[str]] | None = None
    minimum: Any = None

    def __post_init__(self):
        if self.kind not in FORMATTERS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")
        if (self.kind == "choice") != (self.choices is not None):
            raise ValueError(f"column {self.header!r}: choices go with kind 'choice' only")

    @property
    def spellings(self) -> list[str]:
        return [self.header, *self.aliases]

    def parse(self, raw):
        """The Python value of a cell, or :class:`sheets.values.CellError`."""
        if isinstance(self.choices, LookupChoices):
            value = self.choices.parse(raw)
        elif self.kind == "choice":
            value = v.parse_choice(raw, self.choices)
        else:
            value = PARSERS[self.kind](raw)
        if self.minimum is not None and value is not None and value < self.minimum:
            raise v.CellError(v.NEGATIVE if self.minimum == 0 else f"phải từ {self.minimum} trở lên")
        return value

    def refresh(self) -> None:
        """Re-read what the column's choices take from the database (a lookup table)."""
        if isinstance(self.choices, LookupChoices):
            self.choices.refresh()

    def format(self, value) -> str:
        """The canonical text of a value: what is compared and what is written back."""
        if value is None or value == []:
            return ""
        return FORMATTERS[self.kind](value)


@dataclass
class Mapping:
    """A binding's declaration: name, model, columns, and the prefix of its ``Mã``.

    The model derives from ``core.records.SyncedRecord`` (its unit, ``archived`` — rows
    removed from the sheet are archived, never deleted —, timestamps and the ``Mã`` it came
    from); any other model is a ``TypeError``. ``totals`` names the numeric fields that
    total rows (``Tổng cộng``) are checked against.
    """

    name: str
    model: type
    columns: list[Column]
    key_prefix: str
    title: str = ""
    totals: tuple[str, ...] = ()
    plugin: str | None = field(default=None, compare=False)

    def __post_init__(self):
        if not (isinstance(self.model, type) and issubclass(self.model, SyncedRecord)):
            name = getattr(self.model, "__name__", repr(self.model))
            raise TypeError(f"binding {self.name}: model {name} must derive from core.records.SyncedRecord")
        self._by_field = {}
        for column in self.columns:
            if column.field in self._by_field:
                raise ValueError(f"binding {self.name}: field {column.field!r} mapped twice")
            self._by_field[column.field] = column

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns if c.required]

    def column(self, field_name) -> Column:
        return self._by_field[field_name]

    def unit_column(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "unit"), None)

    def prepare(self) -> None:
        """Called by the engine at the start of every run, before any row is parsed: the
        columns re-read what they take from the database (one query per lookup list)."""
        for column in self.columns:
            column.refresh()

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """Row rules of the plugin (``rules.py``): ``[(field or None, Vietnamese message)]``."""
        return []

    def read(self, record) -> dict:
        """The field values of a record, as the sheet shows them (before formatting)."""
        found = {}
        for column in self.columns:
            if column.kind == "unit":
                continue
            if isinstance(column.choices, LookupChoices):  # a lookup's id → its name, no query
                found[column.field] = column.choices.name_of(record.__data__.get(column.field))
                continue
            value = getattr(record, column.field)
            found[column.field] = v.parse_list(value) if column.kind == "list" else value
        return found

    def apply(self, record, values: dict) -> None:
        """Put parsed sheet values on a record (not saved yet). Computed and unit columns
        are the engine's business and never arrive here."""
        for name, value in values.items():
            column = self.column(name)
            if isinstance(column.choices, LookupChoices):  # a lookup's name → its id, no query
                value = column.choices.id_of(value) if value else None
            setattr(record, name, v.format_list(value) if column.kind == "list" else value)

    def after_save(self, record, values: dict) -> None:
        """Hook for relations that need the record's id (many-to-many partners…)."""

    # -- set-based hooks: what the sync engine calls, a chunk of records at a time ----------
    def read_many(self, records: list) -> dict:
        """``{record.id: read(record)}`` for a chunk of records (model instances).

        The engine calls this, never :meth:`read`, once per chunk of up to 1,000 records.
        The default loops over :meth:`read`; a mapping whose values come from other tables
        (partners, authors…) overrides it to answer in a constant number of queries.
        What it returns is also what the engine's "unchanged row" digest covers, so it must
        include everything the sheet shows for the record.
        """
        return {record.id: self.read(record) for record in records}

    def after_save_many(self, pairs: list) -> None:
        """Called once per chunk with ``[(record, values)]`` of the records just created or
        updated from the sheet (``values``: the parsed sheet values that were applied).

        The default loops over :meth:`after_save`; a mapping with relations overrides it to
        match names and write links set-based (a constant number of statements per chunk).
        """
        for record, values in pairs:
            self.after_save(record, values)
