"""Local ``.xlsx`` workbooks: the embedded default :class:`~sheets.backend.Backend`.

Reads go through python-calamine (fast, low memory) and are normalised to the backend's
cell model: empty → ``None``, integral numbers → ``int``, date cells → ``date`` (or
``datetime`` when they carry a time), text exactly as stored. Calamine reads error cells
(``#N/A``, ``#REF!`` …) as empty; a sheet that holds any is read with openpyxl instead, so
an error never looks like a cleared cell.

Writes load the workbook with openpyxl, set every cell, and save once, atomically (a temp
file in the same folder, then ``os.replace``). Known openpyxl limits on what survives a
save: images, charts and some extensions are dropped, and formulas lose their cached
results until Excel or LibreOffice recalculates (openpyxl sets ``fullCalcOnLoad``).

No locking: the workbook is loaded fresh for every write, so edits saved by others since
our last read are kept except in the cells we overwrite; if the file changed since our
last read we still write (the sync engine's three-way merge owns that case) and log it.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import posixpath
import re
import secrets
import shutil
import zipfile
from copy import copy
from pathlib import Path
from typing import Any, Sequence
from xml.etree import ElementTree

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import IllegalCharacterError
from python_calamine import CalamineError, CalamineWorkbook

from sheets.backend import BackendError, Cell, RequestCount, WorksheetNotFound

log = logging.getLogger(__name__)

#: Text starting with one of these would be taken for a formula if typed into a cell.
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_CELL_TEXT = 32767  # Excel's limit; openpyxl would silently truncate longer text
MAX_TITLE = 31  # Excel refuses to open workbooks with longer sheet titles
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


class XlsxBackend:
    """One local workbook file, read with calamine and written with openpyxl."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.requests = RequestCount()
        self._read_mtime: int | None = None  # st_mtime_ns when we last read the file

    def __repr__(self) -> str:
        return f"XlsxBackend({str(self.path)!r})"

    def read(self, worksheet: str) -> list[list[Any]]:
        """Return the worksheet's used range from A1 as rows of plain values."""
        self._require_file()
        self.requests.reads += 1
        self._read_mtime = self.path.stat().st_mtime_ns
        try:
            book = CalamineWorkbook.from_path(str(self.path))
            try:
                self._check_sheet(worksheet, book.sheet_names)
                sheet = book.get_sheet_by_name(worksheet)
                grid = sheet.to_python(skip_empty_area=False)
                start, end = sheet.start, sheet.end
            finally:
                book.close()
        except (CalamineError, OSError):
            return self._read_openpyxl(worksheet)  # calamine refused it; let openpyxl try
        if self._has_error_cells(worksheet):
            return self._read_openpyxl(worksheet)
        if grid and start and len(grid) < end[0] + 1:
            # Defensive: calamine skipped the empty area above/left of the data; pad to A1.
            width = end[1] + 1
            grid = [[""] * width for _ in range(start[0])] + [[""] * start[1] + r for r in grid]
        return _normalise(grid)

    def _read_openpyxl(self, worksheet: str) -> list[list[Any]]:
        """Slower read that keeps error cells as their text (``'#N/A'``)."""
        try:
            book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the same to users
            raise BackendError(f'Không mở được tệp "{self.path}": {exc}') from exc
        try:
            self._check_sheet(worksheet, book.sheetnames)
            sheet = book[worksheet]
            sheet.reset_dimensions()  # do not trust a stale <dimension> element
            rows = [[unescape(v) if v.__class__ is str and "_x" in v else v for v in row]
                    for row in sheet.iter_rows(values_only=True)]  # _x000D_ → \r, as calamine
        finally:
            book.close()
        width = max(map(len, rows), default=0)
        return _normalise([row + [None] * (width - len(row)) for row in rows])

    def _has_error_cells(self, worksheet: str) -> bool:
        """Whether the sheet's XML holds an error cell (``t="e"``), by a streamed scan."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
                rel_id = next(s.get(f"{{{_NS['r']}}}id") for s in root.iterfind("m:sheets/m:sheet", _NS)
                              if s.get("name") == worksheet)
                target = next(r.get("Target") for r in rels.iterfind("p:Relationship", _NS)
                              if r.get("Id") == rel_id)
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                tail = b""
                with archive.open(part) as stream:
                    while chunk := stream.read(1 << 22):
                        window = tail + chunk
                        if b't="e"' in window or b"t='e'" in window:
                            return True
                        tail = chunk[-16:]
        except (KeyError, StopIteration, zipfile.BadZipFile, ElementTree.ParseError):
            return True  # unusual layout: take the careful path
        return False

    def write(self, worksheet: str, cells: Sequence[Cell]) -> None:
        """Set every cell with one load and one atomic save; an empty batch does nothing.

        A cell in a new column right of the sheet's used range takes the style of its left
        neighbour (borders, header fill), so an added ``Mã`` column looks like the table.
        """
        if not cells:
            return
        book = self._load()
        self._check_sheet(worksheet, book.sheetnames)
        sheet = book[worksheet]
        edge = sheet.max_column
        for item in cells:
            if item.row < 1 or item.col < 1:
                raise BackendError(f"Ô ({item.row}, {item.col}) không hợp lệ: hàng và cột bắt đầu từ 1.")
            if item.value is None and (item.row, item.col) not in sheet._cells:
                continue  # clearing a cell that does not exist: do not grow the sheet
            cell = sheet.cell(item.row, item.col)
            if isinstance(cell, MergedCell):
                merged = next(r for r in sheet.merged_cells.ranges if cell.coordinate in r)
                raise BackendError(f'Ô {cell.coordinate} của trang tính "{worksheet}" nằm trong '
                                   f"vùng ô gộp {merged.coord}, không ghi được.")
            left = sheet._cells.get((item.row, item.col - 1))
            if item.col > edge and not cell.has_style and left is not None and left.has_style:
                cell._style = copy(left._style)
            _set_value(cell, item.value, worksheet)
        if self._read_mtime is not None and self.path.stat().st_mtime_ns != self._read_mtime:
            log.info("%s changed since it was last read; writing anyway", self.path)
        self._save(book)

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet (and the workbook file when missing).

        ``rows`` and ``cols`` are ignored: an xlsx worksheet has no fixed size.
        """
        _check_title(worksheet)
        if self.path.exists():
            book = self._load()
            if worksheet in book.sheetnames:
                return
            sheet = book.create_sheet(worksheet)
            if sheet.title != worksheet:  # openpyxl renamed a case-insensitive duplicate
                raise BackendError(f'Đã có trang tính trùng tên "{worksheet}" (khác chữ hoa/thường).')
        else:
            book = openpyxl.Workbook()
            book.active.title = worksheet
        self._save(book)

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
        _atomic_save(book, backend.path)
        return backend

    def _require_file(self) -> None:
        if not self.path.is_file():
            raise BackendError(f'Không tìm thấy tệp "{self.path}".')

    def _check_sheet(self, worksheet: str, names: Sequence[str]) -> None:
        if worksheet not in names:
            listed = ", ".join(f'"{n}"' for n in names) or "(không có)"
            raise WorksheetNotFound(f'Không tìm thấy trang tính "{worksheet}" trong tệp '
                                    f'"{self.path.name}". Các trang tính hiện có: {listed}.')

    def _load(self) -> openpyxl.Workbook:
        self._require_file()
        try:
            return openpyxl.load_workbook(self.path)
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f'Không mở được tệp "{self.path}" (không phải tệp .xlsx hợp lệ?): {exc}') from exc

    def _save(self, book: openpyxl.Workbook) -> None:
        _atomic_save(book, self.path)
        self.requests.writes += 1
        self._read_mtime = self.path.stat().st_mtime_ns  # our own change is not "concurrent"


def _normalise(grid: list[list[Any]]) -> list[list[Any]]:
    """Map calamine/openpyxl values to the backend model in place; drop trailing empty rows."""
    for index, row in enumerate(grid):  # row by row, so two full grids never coexist
        grid[index] = [None if v == "" else int(v) if v.__class__ is float and v.is_integer()
                       else v.date() if v.__class__ is dt.datetime and v.time() == dt.time() else v
                       for v in row]
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    return grid


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


def _atomic_save(book: openpyxl.Workbook, path: Path) -> None:
    """Save to a temp file beside ``path``, flush it to disk, then rename it over ``path``."""
    if path.exists() and not os.access(path, os.W_OK):
        raise BackendError(f'Tệp "{path}" chỉ cho phép đọc (read-only): không ghi được.')
    temp = path.with_name(f".~phoihop-{os.getpid()}-{secrets.token_hex(4)}.xlsx")
    try:
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # umask applies
        book.save(temp)
        with open(temp, "rb+") as stream:
            os.fsync(stream.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        os.replace(temp, path)
    except OSError as exc:
        raise BackendError(f'Không ghi được tệp "{path}" (tệp đang mở trong Excel hoặc không có '
                           f"quyền ghi?): {exc.strerror or exc}") from exc
    finally:
        if temp.exists():
            temp.unlink()
