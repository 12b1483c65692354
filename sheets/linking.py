"""Linking a worksheet to a binding: what ``phoihop sheets link`` and the admin's
"link a sheet" pages both do.

:func:`preview` reads the worksheet with the binding's mapping (``sheets.reader``: the
same header search and column matching as every sync) and says what a link would see:
the header row, the columns matched and those missing. :func:`link_binding` checks the
same and stores the link.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sheets.backend import BackendError
from sheets.bounds import column_letter
from sheets.reader import TableError, read_table


class LinkError(Exception):
    """The link cannot be made; the message is one Vietnamese sentence."""


@dataclass
class MatchedColumn:
    header: str  # the binding's header
    found: str | None  # as written in the sheet, or None when absent
    letter: str | None
    required: bool = False
    computed: bool = False


@dataclass
class Preview:
    """What linking ``worksheet`` would find. ``problem`` is set when it cannot be linked
    (a missing required header: the message names it and the headers found)."""

    worksheet: str
    header_row: int | None = None  # 1-based, as the office sees it
    columns: list = field(default_factory=list)  # MatchedColumn, in the mapping's order
    key_column: str | None = None  # where Mã is, or will be written
    key_added: bool = False
    rows: int = 0
    warnings: list = field(default_factory=list)
    problem: str | None = None

    @property
    def missing_required(self):
        return [c.header for c in self.columns if c.required and c.found is None]

    @property
    def missing_optional(self):
        return [c.header for c in self.columns if not c.required and not c.computed and c.found is None]


def worksheet_names(backend) -> list[str]:
    """The worksheets of a source, in order; :class:`LinkError` when it cannot be read."""
    try:
        return backend.worksheets()
    except BackendError as exc:
        raise LinkError(str(exc)) from exc


def preview(backend, worksheet, mapping) -> Preview:
    """Read ``worksheet`` through ``mapping`` and describe what was found."""
    try:
        grid = backend.read(worksheet)
    except BackendError as exc:
        raise LinkError(str(exc)) from exc
    try:
        table = read_table(grid, mapping)
    except TableError as exc:
        return Preview(worksheet, problem=str(exc),
                       columns=[MatchedColumn(c.header, None, None, c.required, c.computed) for c in mapping.columns])
    added = {col for col, _header in table.added}
    columns = []
    for column in mapping.columns:
        col = table.columns.get(column.field)
        present = col is not None and col not in added
        columns.append(MatchedColumn(column.header, table.headers[column.field] if present else None,
                                     column_letter(col) if present else None, column.required, column.computed))
    return Preview(worksheet, header_row=table.header_index + 1, columns=columns,
                   key_column=column_letter(table.key_col), key_added=table.key_header_missing,
                   rows=len(table.rows), warnings=list(table.warnings))


def link_binding(name, source, worksheet, unit, mapping, *, backend=None, schedule_minutes=None):
    """Check that ``worksheet`` of ``source`` can be read with ``mapping`` and link it;
    return ``(binding, table)``. :class:`LinkError` says why not (nothing is stored)."""
    from sheets.models import Binding
    from sheets.sources import open_backend

    try:
        backend = backend or open_backend(source)
        table = read_table(backend.read(worksheet), mapping)
        gid = backend.sheet_id(worksheet) if hasattr(backend, "sheet_id") else None
    except (BackendError, TableError) as exc:
        raise LinkError(str(exc)) from exc
    if Binding.get_or_none(Binding.name == name, Binding.source == source, Binding.worksheet == worksheet):
        raise LinkError(f"{name} đã liên kết với {source} [{worksheet}].")
    binding = Binding.create(name=name, source=source, worksheet=worksheet, unit=unit, sheet_gid=gid,
                             schedule_minutes=schedule_minutes or None)
    return binding, table


def cell_reference(binding, row, header, columns):
    """Where an error is: ``(text, url)``. ``text`` is ``Trang tính!C7`` (or the row alone
    when the column is unknown); ``url`` opens the cell in Google Sheets, ``None`` for a
    workbook (the office opens the file and goes to the reference)."""
    if not row:
        return None, None
    letter = columns.get(header) if header else None
    cell = f"{letter}{row}" if letter else f"{row}:{row}"
    text = f"{binding.worksheet}!{cell}"
    if not binding.source.startswith("gsheet:") or binding.sheet_gid is None:
        return text, None
    key = binding.source.split(":", 1)[1]
    return text, f"https://docs.google.com/spreadsheets/d/{key}/edit#gid={binding.sheet_gid}&range={cell}"
