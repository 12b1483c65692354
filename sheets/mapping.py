"""Declarative sheet mappings: what a plugin says about its sheets.

A :class:`Mapping` ties a binding name (``"training.activities"``) to a peewee model and
lists its :class:`Column` s — header and aliases, the kind of value, whether it is
required, whether phoihop computes it. Everything else (finding the table, parsing, the
three-way merge, writing back) is the sync engine's job. A plugin customises how a
parsed row becomes a record by overriding :meth:`Mapping.apply` / :meth:`Mapping.read`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping as MappingType

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


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind``: text, unit (the LHH, matched to a registered unit), date, season, money,
    int, decimal, bool, list or choice. ``choices`` maps each canonical label to its
    aliases. ``minimum`` bounds numbers. ``computed`` columns are written by phoihop:
    an edit in the sheet is overwritten and reported, never imported.
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
        if self.kind == "choice":
            value = v.parse_choice(raw, self.choices)
        else:
            value = PARSERS[self.kind](raw)
        if self.minimum is not None and value is not None and value < self.minimum:
            raise v.CellError(v.NEGATIVE if self.minimum == 0 else f"phải từ {self.minimum} trở lên")
        return value

    def format(self, value) -> str:
        """The canonical text of a value: what is compared and what is written back."""
        if value is None or value == []:
            return ""
        return FORMATTERS[self.kind](value)


@dataclass
class Mapping:
    """A binding's declaration: name, model, columns, and the prefix of its ``Mã``.

    The model needs a ``unit`` foreign key and an ``archived`` boolean (rows removed from
    the sheet are archived, never deleted). ``totals`` names the numeric fields that
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
        fields = self.model._meta.fields
        for needed in ("unit", "archived"):
            if needed not in fields:
                raise ValueError(f"binding {self.name}: model {self.model.__name__} needs a {needed!r} field")
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

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """Row rules of the plugin (``rules.py``): ``[(field or None, Vietnamese message)]``."""
        return []

    def read(self, record) -> dict:
        """The field values of a record, as the sheet shows them (before formatting)."""
        found = {}
        for column in self.columns:
            if column.kind == "unit":
                continue
            value = getattr(record, column.field)
            found[column.field] = v.parse_list(value) if column.kind == "list" else value
        return found

    def apply(self, record, values: dict) -> None:
        """Put parsed sheet values on a record (not saved yet). Computed and unit columns
        are the engine's business and never arrive here."""
        for name, value in values.items():
            column = self.column(name)
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
