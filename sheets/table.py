"""Finding the table in an office sheet: header row, columns, kinds of rows, totals.

A *grid* is a list of rows, each a list of cell values as :mod:`sheets.values` reads
them (``None``, ``str``, numbers, ``bool``, dates); rows may have different lengths.
Every function here is pure: nothing is read from or written to a spreadsheet.

Two-level headers (spec/sheets.md): a parent cell merged over several columns ("Kinh phí")
with a child header under each of them ("Ngân sách", "Huy động") in the next row, the other
headers merged vertically over both rows. :func:`find_header` finds such a header from the
sheet's merged ranges when the backend knows them (:func:`merged_parent_spans`) and from the
cells alone otherwise (:func:`guess_parent_spans`); :func:`header_cells` reads a child with
its parent as context, and :func:`merge_notes` explains columns lost to merged cells.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from core.vietnamese import format_number
from sheets.values import (
    CellError, clean_text, is_empty, normalise, parse_date, parse_decimal, parse_money,
)

TOTAL_LABELS = ("tổng cộng", "cộng", "tổng", "tổng số")
#: The first cell (the STT) of an example row (``phoihop sheets scaffold`` writes some): not a record.
EXAMPLE_LABEL = "Ví dụ"
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
    return match_header_cells(header_cells(header_row), columns)


def _lookup(columns: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """header key → field; ``ValueError`` for a spelling listed for two fields."""
    lookup: dict[str, str] = {}
    for name, spellings in columns.items():
        for spelling in _aliases(spellings):
            other = lookup.setdefault(header_key(spelling), name)
            if other != name:
                raise ValueError(f"header {spelling!r} is listed for {other!r} and {name!r}")
    return lookup


def match_header_cells(
    cells: Mapping[int, "HeaderCell"], columns: Mapping[str, Iterable[str]]
) -> ColumnMatch:
    """:func:`match_columns` for headers read by :func:`header_cells`: each column is
    matched by the first of its spellings that names a field (for a child under a merged
    parent: parent and child together, then the child alone)."""
    lookup = _lookup(columns)
    match = ColumnMatch()
    for col in sorted(cells):
        cell = cells[col]
        match.headers.append(cell.text)
        match.by_column[col] = cell.text
        name = next((lookup[k] for k in map(header_key, cell.spellings) if k in lookup), None)
        if name is None:
            match.unknown.append(col)
        elif name in match.index:
            match.duplicates.setdefault(name, [match.index[name]]).append(col)
        else:
            match.index[name] = col
    return match


# --- two-level headers ------------------------------------------------------------------------

Span = tuple  # (first_col, last_col), 0-based inclusive: the columns under a parent header
Merge = tuple  # (first_row, first_col, last_row, last_col), 0-based inclusive (Grid.merges)
PARENT_SEPARATOR = " › "  # how a child's header is shown with its parent: 'Kinh phí › Ngân sách'


@dataclass(frozen=True)
class HeaderCell:
    """The header of one column. ``text`` is what the office reads, as written ('Kinh phí
    › Ngân sách' for a child under a parent); ``spellings`` are compared with the mapping,
    most specific first (for a child: parent and child together, then the child alone)."""

    text: str
    spellings: tuple[str, ...]


@dataclass(frozen=True)
class HeaderLayout:
    """Where a table's header is. One row: ``top == bottom``. Two rows: ``bottom == top +
    1``, ``spans`` are the parents' columns in row ``top`` and the children sit in row
    ``bottom``. The data start below ``bottom``. ``cells``: column → :class:`HeaderCell`,
    for the columns that have a header."""

    top: int
    bottom: int
    cells: dict[int, HeaderCell] = field(default_factory=dict)
    spans: tuple[Span, ...] = ()

    @property
    def two_level(self) -> bool:
        return self.bottom > self.top


def _at(row: Sequence[Any], col: int) -> Any:
    return row[col] if 0 <= col < len(row) else None


def _text(cell: Any) -> str:
    return cell if isinstance(cell, str) else clean_text(cell) or ""


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → 'G5'."""
    letters, col = "", col + 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def range_name(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """0-based inclusive range → 'G5:H5' ('G5' for one cell)."""
    first, last = cell_name(first_row, first_col), cell_name(last_row, last_col)
    return first if first == last else f"{first}:{last}"


def looks_like_value(cell: Any) -> bool:
    """Whether a cell reads as a value rather than a header: any non-text cell (number,
    date, bool), or text that is a number, an amount or a date ('12', '12,5', '50 triệu',
    '05/03/2021'). A row holding one is never a sub-header row."""
    if is_empty(cell) or not isinstance(cell, str):
        return not is_empty(cell)
    for parse in (parse_decimal, parse_money, parse_date):
        try:
            parse(cell)
            return True
        except CellError:
            pass
    return False


def header_cells(
    upper: Sequence[Any], lower: Sequence[Any] = (), spans: Iterable[Span] = ()
) -> dict[int, HeaderCell]:
    """column → :class:`HeaderCell` of a one-row header (``upper`` alone) or of a two-row
    header whose parents cover ``spans`` of ``upper``.

    A column inside a span is read from ``lower`` with its parent as context: 'Kinh phí' ›
    'Ngân sách' has the spellings 'Kinh phí Ngân sách' and 'Ngân sách'; a column inside a
    span with nothing under it has no header. Any other column is read from ``upper`` (a
    header merged down over both rows has its value there), else from ``lower``.
    """
    parent_of = {col: first for first, last in spans for col in range(first, last + 1)}
    cells: dict[int, HeaderCell] = {}
    for col in range(max(len(upper), len(lower))):
        top, below = _at(upper, col), _at(lower, col)
        if col in parent_of:
            if is_empty(below):
                continue
            parent, child = _text(_at(upper, parent_of[col])).strip(), _text(below).strip()
            cells[col] = HeaderCell(f"{parent}{PARENT_SEPARATOR}{child}", (f"{parent} {child}", child))
        elif not is_empty(top):
            cells[col] = HeaderCell(_text(top), (_text(top),))
        elif not is_empty(below):
            cells[col] = HeaderCell(_text(below), (_text(below),))
    return cells


def merged_parent_spans(
    merges: Iterable[Merge], row: int, upper: Sequence[Any], lower: Sequence[Any]
) -> list[Span]:
    """The parents of a two-level header that starts at 0-based ``row``, from the sheet's
    merged ranges: each range within that one row spanning two or more columns, with a
    value in its first cell and at least one non-empty cell under it in ``lower``."""
    spans = []
    for first_row, first_col, last_row, last_col in merges:
        if first_row == last_row == row and last_col > first_col and not is_empty(_at(upper, first_col)) \
                and any(not is_empty(_at(lower, c)) for c in range(first_col, last_col + 1)):
            spans.append((first_col, last_col))
    return sorted(spans)


def guess_parent_spans(
    upper: Sequence[Any], lower: Sequence[Any], standalone: Iterable[str] = ()
) -> list[Span]:
    """The parents of a two-level header when the merged ranges are unknown: a non-empty
    cell of ``upper`` with a cell under it, followed by one or more empty cells of ``upper``
    that each have a cell under them (a merged parent's value sits in its first cell).
    A cell of ``lower`` spelled as one of ``standalone`` (phoihop's own ``Mã`` …) is never
    a child. Only the shape is checked here: :func:`find_header` decides."""
    own = {header_key(s) for s in standalone}

    def child(col):
        below = _at(lower, col)
        return not is_empty(below) and header_key(below) not in own

    spans, col, width = [], 0, max(len(upper), len(lower))
    while col < width:
        last = col
        if not is_empty(_at(upper, col)) and child(col):
            while last + 1 < width and is_empty(_at(upper, last + 1)) and child(last + 1):
                last += 1
        if last > col:
            spans.append((col, last))
        col = last + 1
    return spans


def is_sub_header_row(
    upper: Sequence[Any], lower: Sequence[Any], spans: Iterable[Span], standalone: Iterable[str] = ()
) -> bool:
    """Whether ``lower`` can be the lower row of a two-level header over ``spans``: it has
    a cell under a parent, every non-empty cell is text that does not read as a value
    (:func:`looks_like_value`), and each lies under a parent, or is one of ``standalone``
    (phoihop's ``Mã`` …) under an empty cell of ``upper``."""
    inside = {col for first, last in spans for col in range(first, last + 1)}
    own = {header_key(s) for s in standalone}
    children = 0
    for col, cell in enumerate(lower):
        if is_empty(cell):
            continue
        if not isinstance(cell, str) or looks_like_value(cell):
            return False
        if col in inside:
            children += 1
        elif not (header_key(cell) in own and is_empty(_at(upper, col))):
            return False
    return children > 0


def header_layout(
    grid: Sequence[Sequence[Any]],
    row: int,
    columns: Mapping[str, Iterable[str]],
    merges: Iterable[Merge] | None = None,
    standalone: Iterable[str] = (),
) -> HeaderLayout:
    """The header that starts at 0-based ``row``: two rows when ``row`` holds parents
    over the next row, else ``row`` alone.

    The parents are the merged ranges of :func:`merged_parent_spans` when ``merges`` gives
    any that pass; otherwise the shapes of :func:`guess_parent_spans` (merged ranges may be
    unknown, or the parent not merged). Either way the next row must pass
    :func:`is_sub_header_row`. With merged ranges, the two rows are one header when a
    header is merged down over both (STT …) or when reading both rows tells more than
    either row alone: a field of ``columns`` missing from ``row`` alone and one missing
    from the next row alone (a title above a header never passes). Guessed parents need
    both that and a parent whose children are read: one of them together with the parent
    ('Kinh phí' › 'Ngân sách' = 'Kinh phí ngân sách'), or every one of them alone (so a
    data row holding a word that happens to be a header is never taken for a sub-header).
    """
    upper = grid[row]
    lower = grid[row + 1] if row + 1 < len(grid) else []
    one = HeaderLayout(row, row, header_cells(upper))
    if all(is_empty(cell) for cell in lower):
        return one
    merges = list(merges or ())
    standalone = list(standalone)
    found_upper = set(match_header_cells(one.cells, columns).index)
    found_lower = set(match_header_cells(header_cells(lower), columns).index)
    known = set(_lookup(columns))
    for spans, merged in ((merged_parent_spans(merges, row, upper, lower), True),
                          (guess_parent_spans(upper, lower, standalone), False)):
        if not spans or not is_sub_header_row(upper, lower, spans, standalone):
            continue
        two = HeaderLayout(row, row + 1, header_cells(upper, lower, spans), tuple(spans))
        found = set(match_header_cells(two.cells, columns).index)
        tells_more = bool(found - found_upper) and bool(found - found_lower)
        if merged:
            inside = {col for first, last in spans for col in range(first, last + 1)}
            merged_down = any(
                first_row == row and last_row > row and not is_empty(_at(upper, first_col))
                and not inside & set(range(first_col, last_col + 1))
                for first_row, first_col, last_row, last_col in merges
            )
            if tells_more or merged_down:
                return two
        elif tells_more and _children_read(two.cells, spans, known):
            return two
    return one


def _children_read(cells: Mapping[int, HeaderCell], spans: Iterable[Span], known: set[str]) -> bool:
    """Whether some parent has a child read together with it, or all its children read alone."""
    for first, last in spans:
        children = [cells[col] for col in range(first, last + 1) if col in cells]
        if any(header_key(child.spellings[0]) in known for child in children):
            return True
        if children and all(any(header_key(s) in known for s in child.spellings) for child in children):
            return True
    return False


def find_header(
    grid: Sequence[Sequence[Any]],
    required: Iterable[str | Iterable[str]],
    columns: Mapping[str, Iterable[str]],
    merges: Iterable[Merge] | None = None,
    standalone: Iterable[str] = (),
    max_rows: int = 15,
) -> HeaderLayout | None:
    """The first header (:func:`header_layout`), starting within the first ``max_rows``
    rows, that holds every required column (alias groups, as :func:`find_header_row`), or
    ``None``. ``columns`` (field → spellings) are all the headers the binding knows."""
    groups = [{header_key(a) for a in _aliases(g)} for g in required]
    merges = [m for m in merges or () if m[0] < max_rows]
    standalone = list(standalone)
    for row in range(min(max_rows, len(grid))):
        layout = header_layout(grid, row, columns, merges, standalone)
        keys = {header_key(s) for cell in layout.cells.values() for s in cell.spellings}
        if all(keys & group for group in groups):
            return layout
    return None


@dataclass(frozen=True)
class MergeNote:
    """Merged header cells that may hide a column. ``cells`` names them ('G5:H5');
    ``text`` is a Vietnamese clause for the office; ``fields`` are the missing fields it
    may explain; ``nothing_matched``: a parent none of whose children names a field."""

    cells: str
    text: str
    fields: frozenset = frozenset()
    nothing_matched: bool = False


def _plain(text: str) -> str:
    """NFC, on one line, single spaces: how a header is quoted in a message."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _quoted(texts: Iterable[str]) -> str:
    return ", ".join(f'"{_plain(t)}"' for t in texts)


def merge_notes(
    grid: Sequence[Sequence[Any]],
    layout: HeaderLayout,
    columns: Mapping[str, Iterable[str]],
    missing: Iterable[str],
    merges: Iterable[Merge] | None = None,
    standalone: Iterable[str] = (),
) -> list[MergeNote]:
    """Why fields in ``missing`` may not have been found, when merged header cells are the
    cause:

    - a parent (of ``layout``, or a merged or parent-shaped cell over a row that could be
      its sub-header but did not tell more) with children that match no field: it may
      explain a missing field whose spelling begins with the parent or ends with such a
      child ('Kinh phí' › 'Nhà nước' for 'Kinh phí ngân sách');
    - a parent spelled as a missing field ('Kinh phí' over 'Ngân sách', 'Huy động'): it
      is a heading over several columns, not one column;
    - a merged range that reaches into the header from a row above, whose value (only in
      its first cell) is spelled as a missing field (B4:B5 for a header read in row 5).
    """
    missing = [name for name in missing if name in columns]
    keys = {name: [header_key(s) for s in _aliases(columns[name])] for name in missing}
    merges = list(merges or ())
    upper = grid[layout.top]
    lower = grid[layout.top + 1] if layout.top + 1 < len(grid) else []
    spans = list(layout.spans)
    if not layout.two_level:
        for candidates in (merged_parent_spans(merges, layout.top, upper, lower),
                           guess_parent_spans(upper, lower, standalone)):
            if candidates and is_sub_header_row(upper, lower, candidates, standalone):
                spans = candidates
                break
    matched = set(match_header_cells(header_cells(upper, lower, spans), columns).index.values()) \
        if spans else set()
    notes = []
    for first, last in spans:
        parent = _text(_at(upper, first))
        parent_key = header_key(parent)
        children = [col for col in range(first, last + 1) if not is_empty(_at(lower, col))]
        lost = [col for col in children if col not in matched]
        where = range_name(layout.top, first, layout.top, last)
        named = {name for name, ks in keys.items() if parent_key in ks}
        if named:
            notes.append(MergeNote(where, f'ô gộp {where} "{_plain(parent)}" là tiêu đề chung của '
                                          f'{_quoted(_text(_at(lower, c)) for c in children)}, không phải một cột',
                                   frozenset(named)))
        if lost:
            lost_keys = [header_key(_at(lower, c)) for c in lost]
            related = {name for name, ks in keys.items()
                       if any(k.startswith(parent_key + " ") or any(k == c or k.endswith(" " + c) for c in lost_keys)
                              for k in ks)}
            notes.append(MergeNote(where, f'ô gộp {where} "{_plain(parent)}" có cột con '
                                          f'{_quoted(_text(_at(lower, c)) for c in lost)} không khớp cột nào',
                                   frozenset(related), nothing_matched=lost == children))
    for first_row, first_col, last_row, last_col in merges:
        if not first_row < layout.top <= last_row:  # reaches into the header from a row above
            continue
        value = _at(grid[first_row], first_col)
        named = {name for name, ks in keys.items() if header_key(value) in ks} if not is_empty(value) else set()
        if named:
            where = range_name(first_row, first_col, last_row, last_col)
            notes.append(MergeNote(where, f'"{_plain(_text(value))}" nằm trong ô gộp {where}, chữ chỉ '
                                          f"ở ô đầu {cell_name(first_row, first_col)}", frozenset(named)))
    return notes


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


def is_example(first: Any) -> bool:
    """Whether a data row whose first non-empty cell is ``first`` is an example row: that
    cell says ``Ví dụ`` (any case, spacing or Unicode form; a trailing ':' allowed)."""
    return isinstance(first, str) and normalise(first).rstrip(":").rstrip() == _EXAMPLE_KEY


def row_kind(row: Sequence[Any], skip: frozenset | set = frozenset()) -> tuple[str, Any]:
    """:func:`classify_row` of ``row`` without the columns in ``skip`` (phoihop's own),
    and the first non-empty cell — in one pass that stops at the second value, since a
    sync classifies every row of a 100,000-row sheet."""
    first, count = None, 0
    for col, cell in enumerate(row):
        if cell is None or col in skip or (cell.__class__ is str and not cell.strip()):
            continue
        count += 1
        if count == 1:
            first = cell
            if _total_label(cell) is not None:
                return "total", cell
        else:
            return "data", first
    return ("blank" if count == 0 else "section"), first


Number = int | float | Decimal
_EXAMPLE_KEY = normalise(EXAMPLE_LABEL)


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
            f'Dòng {self.row}, cột "{column}": dòng tổng ghi {format_number(self.sheet_value)}, '
            f"các dòng cộng lại {format_number(self.computed)} (chênh {format_number(abs(self.difference))})"
        )


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
