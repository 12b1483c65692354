"""Finding the table in an office sheet: header row, columns, kinds of rows, totals.

A *grid* is a list of rows, each a list of cell values as :mod:`sheets.values` reads
them (``None``, ``str``, numbers, ``bool``, dates); rows may have different lengths.
Every function here is pure: nothing is read from or written to a spreadsheet.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from sheets.values import clean_text, format_decimal, format_int, is_empty, normalise

TOTAL_LABELS = ("tổng cộng", "cộng", "tổng", "tổng số")
SUBTOTAL_LABEL = "cộng"


def header_key(text: Any) -> str:
    """The comparable form of a header cell: :func:`sheets.values.normalise`, so that
    'Kinh phí\\nngân sách', 'Trạng  thái', an NFD 'Lĩnh vực' and 'ĐỐI TÁC' all equal
    the key of their canonical spelling."""
    return normalise(text)


def _aliases(group: str | Iterable[str]) -> list[str]:
    return [group] if isinstance(group, str) else list(group)


def find_header_row(
    grid: Sequence[Sequence[Any]], required: Iterable[str | Iterable[str]], max_rows: int = 15
) -> int | None:
    """The 0-based index of the first row, within the first ``max_rows``, that holds a
    header for every required column, or ``None``.

    ``required`` is a list of alias groups, one per required column, each a list of
    acceptable spellings (``[["Họ và tên", "Họ tên"], ["Năm sinh"]]``).
    """
    groups = [{header_key(a) for a in _aliases(g)} for g in required]
    for index, row in enumerate(grid[:max_rows]):
        keys = {header_key(cell) for cell in row if not is_empty(cell)}
        if all(keys & group for group in groups):
            return index
    return None


@dataclass
class ColumnMatch:
    """Which column holds which field.

    ``index`` maps field → 0-based column (the first column when a field is matched
    twice); ``unknown`` lists the columns whose non-empty header matched no field
    (``STT`` among them: callers ignore it); ``headers`` are the non-empty header texts,
    as written, in column order (for error messages); ``duplicates`` maps a field matched
    by two or more columns to all of those columns; ``by_column`` maps each column with a
    non-empty header to that header's text.
    """

    index: dict[str, int] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    by_column: dict[int, str] = field(default_factory=dict)

    def header_for(self, name: str) -> str | None:
        """The header text, as written, of the column that holds field ``name``."""
        col = self.index.get(name)
        return None if col is None else self.by_column[col]

    def missing(self, names: Iterable[str]) -> list[str]:
        """The fields among ``names`` that no column holds."""
        return [name for name in names if name not in self.index]


def match_columns(
    header_row: Sequence[Any], columns: Mapping[str, Iterable[str]]
) -> ColumnMatch:
    """Match a header row against ``columns``: field name → header spellings (canonical
    first, then aliases), compared with :func:`header_key`. Raises ``ValueError`` if one
    spelling is listed for two fields (a mistake in the mapping, not in the sheet)."""
    lookup: dict[str, str] = {}
    for name, spellings in columns.items():
        for spelling in _aliases(spellings):
            other = lookup.setdefault(header_key(spelling), name)
            if other != name:
                raise ValueError(f"header {spelling!r} is listed for {other!r} and {name!r}")
    match = ColumnMatch()
    for col, cell in enumerate(header_row):
        if is_empty(cell):
            continue
        text = cell if isinstance(cell, str) else clean_text(cell)
        match.headers.append(text)
        match.by_column[col] = text
        name = lookup.get(header_key(cell))
        if name is None:
            match.unknown.append(col)
        elif name in match.index:
            match.duplicates.setdefault(name, [match.index[name]]).append(col)
        else:
            match.index[name] = col
    return match


def _total_label(cell: Any) -> str | None:
    """The normalised total label of ``cell`` ('tổng cộng', 'cộng' …), else ``None``.
    A trailing ':' is allowed ('Tổng cộng:')."""
    if not isinstance(cell, str):
        return None
    label = normalise(cell).rstrip(":").rstrip()
    return label if label in TOTAL_LABELS else None


def classify_row(row: Sequence[Any]) -> str:
    """The kind of a row below the header: 'blank', 'section', 'total' or 'data'.

    Empty cells are ``None`` and whitespace-only strings. A *blank* row has no non-empty
    cell; a *total* row's first non-empty cell is 'Tổng cộng', 'Cộng', 'Tổng' or 'Tổng
    số' (checked first, so a lone 'Tổng cộng' is a total, not a section); a *section*
    row has exactly one non-empty cell ('I. LĨNH VỰC NÔNG NGHIỆP', or a footer line
    below the table); a *data* row has two or more non-empty cells. Pass either the
    whole row or only the cells of the mapped columns: the counts refer to what is passed.
    """
    filled = [cell for cell in row if not is_empty(cell)]
    if not filled:
        return "blank"
    if _total_label(filled[0]) is not None:
        return "total"
    return "section" if len(filled) == 1 else "data"


Number = int | float | Decimal


@dataclass(frozen=True)
class TotalMismatch:
    """A total row whose figure differs from the sum of the records it closes: a warning,
    not a row error. ``row`` is the Excel row number of the total row."""

    row: int
    field: str
    sheet_value: Number
    computed: Number

    @property
    def difference(self) -> Number:
        """How much the total row says more (negative: less) than the records add up to."""
        return _exact(self.sheet_value) - _exact(self.computed)

    def message(self, column_header: str) -> str:
        """E.g. 'Dòng 57, cột "Kinh phí huy động": dòng tổng ghi 57.500.000, các dòng
        cộng lại 57.000.000 (chênh 500.000)'. The header is put in NFC on one line."""
        column = " ".join(unicodedata.normalize("NFC", str(column_header)).split())
        return (
            f'Dòng {self.row}, cột "{column}": dòng tổng ghi {_fmt(self.sheet_value)}, '
            f"các dòng cộng lại {_fmt(self.computed)} (chênh {_fmt(abs(self.difference))})"
        )


def _fmt(number: Number) -> str:
    if isinstance(number, int) or number == int(number):
        return format_int(number)
    return format_decimal(number)


def _exact(number: Number) -> int | Decimal:
    return Decimal(repr(number)) if isinstance(number, float) else number


def check_totals(
    rows: Iterable[tuple[str, int, str | None, Mapping[str, Number | None]]],
    sum_fields: Iterable[str],
) -> list[TotalMismatch]:
    """Check every total row against the data rows it closes.

    ``rows`` are ``(kind, excel_row, label, values)`` in sheet order: ``kind`` is
    'section', 'data' or 'total' (other kinds are ignored), ``label`` the total row's
    first cell text and ``values`` field → parsed number or ``None``. A 'Cộng' row sums
    the data rows since the last section row or the previous total row, whichever is
    later; any other total label ('Tổng cộng', 'Tổng', 'Tổng số') sums every data row
    above. Total rows are never summed. For each field of ``sum_fields`` where the total
    row has a value that differs from the sum, one :class:`TotalMismatch` is returned.
    """
    sum_fields = list(sum_fields)
    every: list[Mapping[str, Any]] = []
    since_break: list[Mapping[str, Any]] = []
    mismatches = []
    for kind, excel_row, label, values in rows:
        if kind == "section":
            since_break = []
        elif kind == "data":
            every.append(values)
            since_break.append(values)
        elif kind == "total":
            subtotal = _total_label(label) == SUBTOTAL_LABEL
            closed = since_break if subtotal else every
            for name in sum_fields:
                sheet_value = values.get(name)
                if sheet_value is None:
                    continue
                computed = sum(
                    (_exact(v[name]) for v in closed if v.get(name) is not None), 0
                )
                if _exact(sheet_value) != computed:
                    mismatches.append(TotalMismatch(excel_row, name, sheet_value, computed))
            since_break = []
    return mismatches
