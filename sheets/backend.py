"""The seam between the sync engine and a spreadsheet service.

A backend is one spreadsheet (a Google spreadsheet or a local workbook). It can read a
worksheet as a grid, write a batch of cells, and add a worksheet — nothing else. The
sync engine never talks to gspread or openpyxl directly.

Cells in a grid are plain Python values: ``None`` (empty), ``str`` (exactly as stored,
not trimmed), ``int``/``float``, ``bool``, or ``datetime.date``/``datetime.datetime`` for
real date cells. Google Sheets hands date cells back as serial numbers (days since
1899-12-30); the value parsers accept both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence, runtime_checkable


class BackendError(Exception):
    """A spreadsheet could not be read or written; the message is for office users."""


class WorksheetNotFound(BackendError):
    """The named worksheet does not exist in the spreadsheet."""


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

    def read(self, worksheet: str) -> list[list[Any]]:
        """Return the worksheet's used range as rows of cells, starting at cell A1.

        Rows may have different lengths; trailing empty cells may be missing. At most one
        metadata request per backend instance and one values request per call.
        Raises :class:`WorksheetNotFound` when the worksheet does not exist.
        """

    def write(self, worksheet: str, cells: Sequence[Cell]) -> None:
        """Write every cell in one request (one save for a workbook).

        Writing nothing makes no request. Grows the worksheet when a cell lies beyond its
        current size. Text is written raw, never evaluated as a formula.
        """

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet with that title (no-op if it already exists)."""
