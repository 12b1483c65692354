"""Local ``.xlsx`` workbooks: the embedded default :class:`~sheets.backend.Backend`.

Reads are :func:`sheets.xlsx_read.read_sheet`: bounded by the table (a stray value in
``XFD1048576`` is left out with a warning, never a reason to read the whole sheet), with
formula cells, merged ranges and error texts, normalised to the backend's cell model:
empty → ``None``, integral numbers → ``int``, date cells → ``date`` (or ``datetime`` when
they carry a time), text exactly as stored. A file that is not a readable workbook (an
old ``.xls``, a CSV, a truncated copy, a password …) is explained in one sentence.

Writes are :func:`sheets.xlsx_write.write_cells`: the package is copied part by part and
only the written cells change (plus the cached results of the formulas that depend on
them); formulas, images, charts, comments, validations and other sheets stay byte for
byte. Each write is one atomic save (a temp file beside the workbook, then
``os.replace``). A read records the file's fingerprint; a write refuses with
:class:`~sheets.backend.SheetChanged` when the file's content changed since (someone saved
it), writing nothing. openpyxl only creates new workbooks (:meth:`XlsxBackend.create`).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from contextlib import suppress
from pathlib import Path
from typing import Any, Callable, Sequence

import openpyxl
from openpyxl.utils.exceptions import IllegalCharacterError

from sheets.backend import BackendError, Cell, Grid, RequestCount, WorksheetNotFound
from sheets.xlsx_package import Package, add_sheet
from sheets.xlsx_read import read_sheet, worksheet_names
from sheets.guidance import Guidance
from sheets.xlsx_write import Fingerprint, atomic_replace, fingerprint, guidance_changes, remove_stale_temps, write_cells

log = logging.getLogger(__name__)

#: Text starting with one of these would be taken for a formula if typed into a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32767  # Excel's limit; openpyxl would silently truncate longer text
MAX_TITLE = 31  # Excel refuses to open workbooks with longer sheet titles
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


class XlsxBackend:
    """One local workbook file, read by :mod:`sheets.xlsx_read`, written by :mod:`sheets.xlsx_write`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.requests = RequestCount()
        self._fingerprint: Fingerprint | None = None  # the file as we last read or wrote it

    def __repr__(self) -> str:
        return f"XlsxBackend({str(self.path)!r})"

    def read(self, worksheet: str) -> Grid:
        """Return the worksheet from A1 as a :class:`~sheets.backend.Grid` bounded by its table."""
        remove_stale_temps(self.path)
        with suppress(OSError):  # a missing or unreadable file is explained by read_sheet
            self._fingerprint = fingerprint(self.path)  # taken first: a save after it is noticed
        grid = read_sheet(self.path, worksheet)
        self.requests.reads += 1
        return grid

    def revision(self) -> str | None:
        """The file's size and modification time (``os.stat``, no read): changes whenever
        the file is saved. ``None`` when the file cannot be looked at (the read explains)."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return f"xlsx:{found.st_size}:{found.st_mtime_ns}"

    def worksheets(self) -> list[str]:
        """The workbook's sheet names, in order (unreadable files: the same sentences as read)."""
        return worksheet_names(self.path)

    #: :meth:`write` takes a :class:`~sheets.guidance.Guidance` too.
    takes_guidance = True

    def write(self, worksheet: str, cells: Sequence[Cell], guidance: Guidance | None = None) -> None:
        """Set every cell in one atomic save that changes nothing else; an empty batch does nothing.

        A new cell right of the sheet's used columns takes the style of its left neighbour
        (borders, header fill), so an added ``Mã`` column looks like the table. ``guidance``
        (validations, comments on the cells in error, the owned columns' fill and lock) goes
        into the same save (:mod:`sheets.xlsx_guidance`); when it changes nothing and there
        are no cells, nothing is saved. Raises :class:`~sheets.backend.SheetChanged`,
        writing nothing, when the file's content changed since this backend last read or
        wrote it.
        """
        if not cells and guidance is None:
            return
        self._require_file()
        remove_stale_temps(self.path)
        expected = self._fingerprint or fingerprint(self.path)
        with Package(self.path) as package:
            self._check_sheet(worksheet, package.sheet_names)
        if not cells and not guidance_changes(self.path, worksheet, guidance):
            return
        extra = () if guidance is None else (guidance,)
        self._replace(lambda temp: write_cells(self.path, temp, worksheet, cells, *extra), expected)

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet, last (and the workbook file when missing).

        ``rows`` and ``cols`` are ignored: an xlsx worksheet has no fixed size. An existing
        workbook is patched like a write: its other parts stay byte for byte.
        """
        _check_title(worksheet)
        if not self.path.exists():
            book = openpyxl.Workbook()
            book.active.title = worksheet
            self._replace(book.save, None)
            return
        self._require_file()
        remove_stale_temps(self.path)
        expected = self._fingerprint or fingerprint(self.path)
        with Package(self.path) as package:
            names = package.sheet_names
        if worksheet in names:
            return
        if worksheet.casefold() in {name.casefold() for name in names}:
            raise BackendError(f'Đã có trang tính trùng tên "{worksheet}" (khác chữ hoa/thường).')
        self._replace(lambda temp: add_sheet(self.path, temp, worksheet), expected)

    @classmethod
    def create(cls, path: str | os.PathLike[str], sheets: dict[str, list[list[Any]]]) -> XlsxBackend:
        """Write a new workbook (replacing any file at ``path``) from grids; return its backend.

        Grids are rows of values starting at A1; text is stored as text, never as a formula.
        """
        book = openpyxl.Workbook()
        for index, (title, grid) in enumerate(sheets.items()):
            _check_title(title)
            sheet = book.active if index == 0 else book.create_sheet()
            sheet.title = title
            for r, row in enumerate(grid, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        _set_value(sheet.cell(r, c), value, title)
        backend = cls(path)
        atomic_replace(backend.path, book.save)
        return backend

    def _require_file(self) -> None:
        if not self.path.is_file():
            raise BackendError(f'Không tìm thấy tệp "{self.path}".')

    def _check_sheet(self, worksheet: str, names: Sequence[str]) -> None:
        if worksheet not in names:
            listed = ", ".join(f'"{n}"' for n in names) or "(không có)"
            raise WorksheetNotFound(f'Không tìm thấy trang tính "{worksheet}" trong tệp '
                                    f'"{self.path.name}". Các trang tính hiện có: {listed}.')

    def _replace(self, produce: Callable[[Path], None], expected: Fingerprint | None) -> None:
        self._fingerprint = atomic_replace(self.path, produce, expected)  # our own save is no change
        self.requests.writes += 1


def _set_value(cell: Any, value: Any, worksheet: str) -> None:
    """Store ``value`` in an openpyxl cell; every ``str`` becomes text, never a formula."""
    where = f'Ô {cell.coordinate} của trang tính "{worksheet}"'
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT:
            raise BackendError(f"{where}: nội dung dài {len(value)} ký tự, vượt giới hạn "
                               f"{MAX_CELL_TEXT} ký tự của Excel.")
        try:
            cell.value = value
        except IllegalCharacterError as exc:
            raise BackendError(f"{where}: nội dung có ký tự điều khiển không lưu được vào Excel.") from exc
        cell.data_type = "s"  # openpyxl guessed 'f' for '=…' and 'e' for '#N/A'
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # Excel/LibreOffice keep it text when the user edits it
        return
    general = cell.number_format == "General"
    try:
        cell.value = value
    except (ValueError, TypeError) as exc:
        raise BackendError(f"{where}: không ghi được giá trị {value!r}.") from exc
    if isinstance(value, dt.date) and general:  # openpyxl would pick yyyy-mm-dd
        cell.number_format = "dd/mm/yyyy hh:mm" if isinstance(value, dt.datetime) else "dd/mm/yyyy"


def _check_title(title: str) -> None:
    if not title or len(title) > MAX_TITLE or re.search(r"[\\/*?:\[\]]", title):
        raise BackendError(f'Tên trang tính "{title}" không hợp lệ: tối đa {MAX_TITLE} ký tự, '
                           "không chứa \\ / * ? : [ ].")
