"""Reading a worksheet grid through a mapping: pure, no database, no network.

:func:`read_table` finds the header row, matches the columns (``Mã`` and ``Trạng thái
đồng bộ`` included), classifies every row below, parses the data rows, checks total
rows, and says where phoihop's own columns are or will go.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sheets.backend import UNCOMPUTED
from sheets.mapping import KEY_HEADER, STATUS_HEADER, Mapping
from sheets.bounds import column_letter  # noqa: F401 - also imported from here
from sheets.table import (
    check_totals, find_header, is_example, row_kind, header_key, header_layout, match_header_cells, merge_notes,
)
from sheets.values import CellError, clean_text, is_empty

KEY_FIELD, STATUS_FIELD = "__key", "__status"
HEADER_SEARCH_ROWS = 15


class TableError(Exception):
    """The sheet as a whole cannot be read (a required header is missing…): nothing is imported."""


@dataclass(slots=True)
class SheetRow:
    """A data row: where it is and its ``Mã``. ``values`` (parsed), ``texts`` (canonical)
    and ``errors`` are filled by :meth:`Table.parse` and dropped by :meth:`release`, so
    that a sync of 100,000 rows holds only a chunk of parsed rows at a time."""

    index: int  # 0-based row in the grid
    key: str | None
    status: str | None
    values: dict | None = None
    texts: dict | None = None
    errors: list | None = None
    unit_name: str | None = None
    unknown: list | None = None  # fields whose cell is a formula without a stored result

    @property
    def excel_row(self) -> int:
        return self.index + 1

    def release(self):
        self.values = self.texts = self.errors = self.unknown = None


@dataclass
class Table:
    header_index: int
    columns: dict[str, int]  # field → 0-based column (only the fields present)
    headers: dict[str, str]  # field → header as written in the sheet
    key_col: int
    status_col: int
    key_header_missing: bool
    status_header_missing: bool
    rows: list[SheetRow]
    skipped: dict[str, int]
    warnings: list[str]
    last_row: int  # 0-based index of the last non-empty row
    added: list = field(default_factory=list)  # (column, header) of computed columns phoihop adds
    grid: list = field(repr=False, default_factory=list)
    mapping: Mapping | None = field(repr=False, default=None)
    caches: dict = field(repr=False, default_factory=dict)
    # 0-based upper row of a two-level header ("Kinh phí" over "Ngân sách", "Huy động");
    # ``header_index`` is then the lower row, where phoihop adds Mã and its status column.
    header_top: int | None = None

    def __post_init__(self):
        if self.header_top is None:
            self.header_top = self.header_index

    def parse(self, row: SheetRow) -> SheetRow:
        """Fill ``row.values``, ``row.texts``, ``row.errors`` and ``row.unit_name``."""
        raw_row = self.grid[row.index]
        row.values, row.texts, row.errors, row.unknown = {}, {}, [], []
        unit_column = self.mapping.unit_column()
        for column in self.mapping.columns:
            col = self.columns.get(column.field)
            if col is None:
                continue
            raw = raw_row[col] if col < len(raw_row) else None
            header = self.headers[column.field]
            if raw is UNCOMPUTED:  # a formula never calculated: unknown, changes nothing
                row.unknown.append(column.field)
                continue
            if column is unit_column:
                row.unit_name = clean_text(raw)
                if row.unit_name is None and column.required:
                    row.errors.append(error(row.index, header, raw, f'Thiếu "{header}" (bắt buộc)'))
                continue
            try:
                value, text = parse_cell(column, raw, self.caches)
            except CellError as exc:
                if not column.computed:
                    row.errors.append(error(row.index, header, raw, f'{header} "{display(raw)}" {exc.reason}'))
                continue
            if column.required and (value is None or value == []):
                row.errors.append(error(row.index, header, raw, f'Thiếu "{header}" (bắt buộc)'))
                continue
            row.values[column.field] = value
            row.texts[column.field] = text
        return row


def display(raw) -> str:
    """A cell as an office user would quote it in a message."""
    if isinstance(raw, dt.date):
        return clean_text(raw) or ""
    text = clean_text(raw)
    return "" if text is None else text


def error(row_index, header, raw, message):
    return {"row": row_index + 1, "column": header, "value": display(raw), "message": message}


def read_table(grid: list[list[Any]], mapping: Mapping) -> Table:
    """Read ``grid`` with ``mapping``; raise :class:`TableError` when it cannot be done.

    ``grid`` is a list of rows, or a :class:`~sheets.backend.Grid` whose ``merges`` (when
    the backend knows them) show two-level headers; without them the cells are enough
    (:func:`sheets.table.header_layout`). In a two-level header ``header_top`` is the
    upper row and ``header_index`` the lower one; the data start below it."""
    required = [c.spellings for c in mapping.required]
    spellings = header_spellings(mapping)
    merges = header_merges(grid)
    layout = find_header(grid, required, spellings, merges, OWN_HEADERS, max_rows=HEADER_SEARCH_ROWS)
    if layout is None:
        raise TableError(missing_headers_message(grid, mapping))
    header_index = layout.bottom
    match = match_header_cells(layout.cells, spellings)
    if match.duplicates:
        name, cols = next(iter(match.duplicates.items()))
        letters = ", ".join(column_letter(c) for c in cols)
        header = one_line(match.by_column[cols[0]])
        raise TableError(f'Cột "{header}" xuất hiện {len(cols)} lần (các cột {letters}); hãy giữ một cột.')

    body = grid[header_index + 1:]
    header_width = max(len(grid[row]) for row in range(layout.top, layout.bottom + 1))
    width = max([header_width] + [last_filled(row) + 1 for row in body] + [0])
    columns = {f: c for f, c in match.index.items() if f not in (KEY_FIELD, STATUS_FIELD)}
    headers = {f: one_line(match.by_column[c]) for f, c in columns.items()}
    next_free = width  # Mã is the first free column right of the table, then the status
    key_col = match.index.get(KEY_FIELD)
    status_col = match.index.get(STATUS_FIELD)
    if key_col is None:
        key_col, next_free = next_free, next_free + 1
    if status_col is None:
        status_col, next_free = next_free, next_free + 1
    next_free = max(next_free, key_col + 1, status_col + 1)
    added = []
    for column in mapping.columns:  # then the computed columns the sheet lacks
        if column.computed and column.field not in columns:
            columns[column.field], headers[column.field] = next_free, column.header
            added.append((next_free, column.header))
            next_free += 1
    owned = {key_col, status_col}

    rows, totals_input, last_row = [], [], header_index
    skipped = {"blank": 0, "section": 0, "total": 0}
    for offset, raw_row in enumerate(body):
        index = header_index + 1 + offset
        kind, first = row_kind(raw_row, owned)
        if kind != "blank":
            last_row = index
        key = cell_text(raw_row, key_col)
        if kind != "data":
            skipped[kind] += 1
            if kind in ("section", "total"):
                totals_input.append((kind, index + 1, first, index))
            if key and kind == "blank":
                last_row = index
            continue
        if is_example(first):  # "Ví dụ" in its STT: a sample row (phoihop sheets scaffold), not a record
            skipped["example"] = skipped.get("example", 0) + 1
            continue
        rows.append(SheetRow(index=index, key=key, status=cell_text(raw_row, status_col)))
        totals_input.append(("data", index + 1, None, index))

    warnings = merge_warnings(grid, layout, mapping, spellings, columns, merges)
    if skipped["total"] and mapping.totals:  # the sums are parsed only when a total row closes them
        totals_input = [(kind, excel_row, label, total_values(grid[at], columns, mapping))
                        for kind, excel_row, label, at in totals_input]
        warnings += [m.message(headers[m.field]) for m in check_totals(totals_input, mapping.totals) if m.field in headers]
    return Table(
        header_index=header_index, header_top=layout.top, columns=columns, headers=headers,
        key_col=key_col, status_col=status_col,
        key_header_missing=KEY_FIELD not in match.index, status_header_missing=STATUS_FIELD not in match.index,
        rows=rows, skipped=skipped, warnings=warnings, last_row=last_row, added=added,
        grid=grid, mapping=mapping, caches={c.field: {} for c in mapping.columns if c.kind in CACHED_KINDS},
    )


CACHED_KINDS = {"date", "season", "money", "int", "decimal", "bool", "choice"}
CACHE_LIMIT = 20000


def parse_cell(column, raw, caches):
    """``(value, canonical text)`` of a cell. Office columns repeat their values (dates,
    kinds, amounts), so parsed results are remembered per column, up to a limit."""
    cache = caches.get(column.field)
    if cache is None or isinstance(raw, list):
        value = column.parse(raw)
        return value, column.format(value)
    found = cache.get((type(raw), raw))
    if found is None:
        try:
            value = column.parse(raw)
            found = (value, column.format(value), None)
        except CellError as exc:
            found = (None, None, exc)
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[(type(raw), raw)] = found
    if found[2] is not None:
        raise found[2]
    return found[0], found[1]


def total_values(raw_row, columns, mapping):
    values = {}
    for name in mapping.totals:
        col = columns.get(name)
        if col is None or col >= len(raw_row):
            continue
        try:
            values[name] = mapping.column(name).parse(raw_row[col])
        except CellError:
            values[name] = None
    return values


def cell_text(row, col):
    return clean_text(row[col]) if col < len(row) else None


def last_filled(row):
    for col in range(len(row) - 1, -1, -1):
        if not is_empty(row[col]):
            return col
    return -1


def first_filled(cells):
    return next((c for c in cells if not is_empty(c)), None)


OWN_HEADERS = (KEY_HEADER, STATUS_HEADER)  # phoihop's columns: never a child of a merged parent


def header_spellings(mapping):
    """field → header spellings, phoihop's ``Mã`` and status columns included."""
    spellings = {c.field: c.spellings for c in mapping.columns}
    spellings[KEY_FIELD] = [KEY_HEADER]
    spellings[STATUS_FIELD] = [STATUS_HEADER]
    return spellings


def header_merges(grid):
    """The merged ranges of ``grid`` (a :class:`~sheets.backend.Grid`) that start where a
    header can be, or ``None`` when the backend did not say (a plain list, no merges)."""
    merges = [m for m in getattr(grid, "merges", None) or () if m[0] <= HEADER_SEARCH_ROWS]
    return merges or None


def one_line(text) -> str:
    """A header as quoted in messages: NFC, on one line, single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def merge_warnings(grid, layout, mapping, spellings, columns, merges):
    """A warning for each merged header cell that may hide a mapped column the table lacks
    ('Không tìm thấy cột "Kinh phí huy động": ô gộp G5:H5 "Kinh phí" có cột con …')."""
    missing = [c.field for c in mapping.columns if c.field not in columns]
    if not missing:
        return []
    warnings = []
    for note in merge_notes(grid, layout, spellings, missing, merges, OWN_HEADERS):
        lost = [c.header for c in mapping.columns if c.field in note.fields]
        if lost:
            quoted = ", ".join(f'"{h}"' for h in lost)
            warnings.append(f"Không tìm thấy cột {quoted}: {note.text}.")
    return warnings


def missing_headers_message(grid, mapping):
    spellings = header_spellings(mapping)
    merges = header_merges(grid)
    wanted = {header_key(s) for c in mapping.columns for s in c.spellings}
    best, best_hits = None, -1
    for row in range(min(HEADER_SEARCH_ROWS, len(grid))):
        layout = header_layout(grid, row, spellings, merges, OWN_HEADERS)
        hits = sum(any(header_key(s) in wanted for s in cell.spellings) for cell in layout.cells.values())
        if hits > best_hits:
            best, best_hits = layout, hits
    cells = best.cells.values() if best else []
    present = {header_key(s) for cell in cells for s in cell.spellings}
    lacking = [c for c in mapping.required if not present & {header_key(s) for s in c.spellings}]
    quoted = ", ".join(f'"{c.header}"' for c in lacking)
    seen = ", ".join(f'"{one_line(cell.text)}"' for cell in cells) or "(không có)"
    message = f"Không tìm thấy cột bắt buộc {quoted} trong {HEADER_SEARCH_ROWS} dòng đầu. Các tiêu đề tìm thấy: {seen}."
    notes = merge_notes(grid, best, spellings, [c.field for c in lacking], merges, OWN_HEADERS) if best else []
    notes = [note for note in notes if note.fields or note.nothing_matched]
    if notes:
        message += " Lưu ý: " + "; ".join(note.text for note in notes) + "."
    return message
