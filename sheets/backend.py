"""The seam between the sync engine and a spreadsheet service.

A backend is one spreadsheet (a Google spreadsheet or a local workbook). It can read a
worksheet as a grid, write a batch of cells, and add a worksheet — nothing else. The
sync engine never talks to gspread or openpyxl directly.

Cells in a grid are plain Python values: ``None`` (empty), ``str`` (exactly as stored,
not trimmed), ``int``/``float``, ``bool``, or ``datetime.date``/``datetime.datetime`` for
real date cells. Google Sheets hands date cells back as serial numbers (days since
1899-12-30); the value parsers accept both.

A cell that holds a formula is read as its result (what the office sees) and its position
is listed in :attr:`Grid.formulas`; phoihop never writes into it. A formula whose result
was never computed (a file saved by a tool that does not calculate) reads as
:data:`UNCOMPUTED`: unknown, not empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence, runtime_checkable


class BackendError(Exception):
    """A spreadsheet could not be read or written; the message is for office users."""


class WorksheetNotFound(BackendError):
    """The named worksheet does not exist in the spreadsheet."""


class SheetChanged(BackendError):
    """The file changed on disk after it was read: writing would overwrite someone's save.
    Nothing was written; the sync engine reads again and redoes the run once."""


class _Uncomputed:
    """The value of a formula cell that has no stored result."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNCOMPUTED"

    def __reduce__(self):
        return "UNCOMPUTED"


#: A formula cell without a stored result: unknown, never taken for an empty cell.
UNCOMPUTED = _Uncomputed()


class Grid(list):
    """A worksheet as rows of cells (a ``list`` of lists), plus what the read noticed.

    ``formulas``: 0-based ``(row, col)`` of every cell that holds a formula (its value in
    the grid is the stored result, or :data:`UNCOMPUTED`). ``merges``: merged ranges as
    0-based inclusive ``(first_row, first_col, last_row, last_col)``, when the backend
    knows them (the value sits in the first cell). ``warnings``: Vietnamese sentences for
    the office (cells far away from the table that were not read, …). ``row_ids``: 0-based
    row → the record ``Mã`` phoihop attached to that row itself, when the backend keeps
    such row metadata (Google's DeveloperMetadata moves with its row when rows are sorted,
    inserted, deleted or moved, and dies with it): a cleared or overwritten ``Mã`` cell is
    restored from it.
    """

    def __init__(self, rows=(), formulas=None, warnings=None, merges=None, row_ids=None):
        super().__init__(rows)
        self.row_ids: dict[int, str] = dict(row_ids or {})
        self.formulas: set[tuple[int, int]] = set(formulas or ())
        self.merges: list[tuple[int, int, int, int]] = list(merges or ())
        self.warnings: list[str] = list(warnings or ())


@dataclass(frozen=True)
class Cell:
    """One cell to write. ``row`` and ``col`` are 1-based, as Excel and Sheets show them.

    A ``str`` value is always written as text, never as a formula, even when it starts
    with ``=``, ``+``, ``-`` or ``@``. ``None`` clears the cell.
    """

    row: int
    col: int
    value: Any


@dataclass
class RequestCount:
    """How many API requests a backend made: what the sync summary reports."""

    reads: int = 0
    writes: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"reads": self.reads, "writes": self.writes}


@runtime_checkable
class Backend(Protocol):
    """What the sync engine needs from a spreadsheet."""

    requests: RequestCount

    def read(self, worksheet: str) -> Grid:
        """Return the worksheet as a :class:`Grid` of rows of cells, starting at cell A1.

        Rows may have different lengths; trailing empty cells may be missing. The read is
        bounded by the table (:mod:`sheets.bounds`): cells far away from it are left out,
        with a warning. Formula cells are listed in ``Grid.formulas``. At most two
        requests per call (Google: one for formulas and metadata, one for values).
        Raises :class:`WorksheetNotFound` when the worksheet does not exist.
        """

    def write(self, worksheet: str, cells: Sequence[Cell]) -> None:
        """Write every cell in one request (one save for a workbook).

        A backend that keeps row metadata (``row_metadata = True``: Google) also takes
        ``row_ids={row: Mã}`` (1-based rows) and attaches each ``Mã`` to its row in the
        same request (:attr:`Grid.row_ids` gives them back). Writing nothing makes no request. Grows the worksheet when a cell lies beyond its
        current size. Text is written raw, never evaluated as a formula. Raises
        :class:`SheetChanged` (writing nothing) when the file changed since it was read.
        """

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet with that title (no-op if it already exists)."""

    def revision(self) -> str | None:
        """A cheap token that changes whenever the spreadsheet changes (anyone's edit,
        phoihop's own writes), or ``None`` when the backend cannot tell. At most one
        request (Google: Drive's version and modification time; a workbook: its size
        and modification time, no request). The sync engine skips a binding whose
        source and database both kept their tokens (:mod:`sheets.revision`)."""
