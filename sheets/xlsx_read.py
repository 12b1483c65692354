"""Read one worksheet of a local ``.xlsx``, bounded by its table (:mod:`sheets.bounds`).

An office sheet is a table near A1, but the file may claim far more: one value typed in
``XFD1048576`` makes the used range 17 billion cells, and python-calamine builds its
range densely (width × height), before any Python code sees a row. So a read goes:

1. **Open** the package through one file descriptor (a save by Excel replaces the file;
   we keep reading the version we opened). A file that is not a readable workbook — a
   missing file, a folder, an empty, truncated or corrupt file, a CSV, an old ``.xls``,
   an ``.ods``, a password-protected workbook — is explained in one Vietnamese sentence
   (:class:`~sheets.backend.BackendError`); nothing is changed.
2. **Survey** the sheet XML with byte-level searches over the decompressed stream (no
   parsing; each search is a C loop with few matches): the sheet's extent (largest row
   and column of any cell), the number of cells, the formula cells (``<f>``: calamine
   returns their cached value without saying they are formulas), error cells (calamine
   reads them as empty) and merged ranges. The survey gives up at once when the
   ``<dimension>`` or the cells seen so far already make the sheet too large, or when the
   XML is laid out unusually (prefixed tags, cells without ``r``).
3. **Read values** with calamine when the extent is sane (at most
   :data:`CALAMINE_MAX_CELLS` cells, and not mostly empty), then put back what the survey
   found (error texts, :data:`~sheets.backend.UNCOMPUTED`) and bound the grid with
   :func:`~sheets.bounds.bound_grid`. Otherwise **stream** the sheet XML with expat, one
   row at a time through a :class:`~sheets.bounds.Bounder`, and stop where the table
   ended: memory follows the table, never the used range.

Both paths give the same :class:`~sheets.backend.Grid` (tests compare them): rows from
A1 to the table's last row, all as wide as the rightmost kept value; empty → ``None``;
integral numbers → ``int``; date-formatted numbers → ``date``/``datetime``/``time``
(``timedelta`` for ``[h]:mm``), as calamine converts them; text exactly as stored, with
Excel's ``_x000D_`` escapes undone; an error cell as its text (``'#N/A'``). A formula is
read as its cached result and listed in ``Grid.formulas``; a formula without one (no
``<v>``, or an empty ``<v/>`` that is not a text result) reads as ``UNCOMPUTED``. Formula
cells and merged ranges are kept in the table's columns down to
:data:`~sheets.bounds.FAR_ROWS` rows below its last row, as the Google backend does.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterator
from xml.etree.ElementTree import ParseError, fromstring
from xml.parsers import expat

from sheets.backend import UNCOMPUTED, BackendError, Grid, WorksheetNotFound
from sheets.bounds import FAR_ROWS, HEAD_ROWS, Bounder, bound_grid, column_letter, column_limit

log = logging.getLogger(__name__)

#: Largest dense area (rows × columns, from A1) handed to calamine; larger sheets stream.
#: Calamine costs ~32 bytes per cell of its range plus a Python list slot per cell.
CALAMINE_MAX_CELLS = 4_000_000
#: Calamine is also skipped when its range would be more than this many times the cells
#: the sheet holds (a stray cell far from a small table), beyond a free allowance.
CALAMINE_MAX_SPARSENESS = 4
CALAMINE_FREE_CELLS = 250_000
CHUNK = 1 << 22  # bytes of decompressed XML per step

_REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")  # transitional, strict
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_OTHER, _DATETIME, _TIMEDELTA = 0, 1, 2  # what a cell style makes of a number


# -- messages for the office -------------------------------------------------------------

def _missing(path: Path) -> str:
    return f'Không tìm thấy tệp "{path}": kiểm tra lại đường dẫn và tên tệp.'


def _problem(path: Path, kind: str, detail: str = "") -> str:
    """One Vietnamese sentence per unreadable-file case: what it is, what to do."""
    name = f'Tệp "{path}"'
    return {
        "directory": f'"{path}" là một thư mục, không phải tệp .xlsx: hãy chỉ đến tệp bảng tính '
                     "nằm trong thư mục đó.",
        "permission": f'Không có quyền đọc tệp "{path}": hãy cấp quyền đọc tệp cho tài khoản chạy '
                      "phoihop (hoặc chép tệp sang thư mục của phoihop).",
        "unreadable": f'Không đọc được tệp "{path}" ({detail}): hãy kiểm tra ổ đĩa hoặc chép lại tệp.',
        "empty": f"{name} rỗng (0 byte), có thể chép hoặc tải về chưa xong: hãy chép lại tệp từ bản gốc.",
        "truncated": f"{name} bị cắt cụt (chép hoặc tải về chưa hết): hãy chép hoặc tải lại tệp "
                     "từ bản gốc.",
        "corrupt": f"{name} bị hỏng, không đọc được: hãy mở bằng Excel (Excel sẽ đề nghị sửa tệp) "
                   "rồi lưu lại, hoặc dùng một bản sao lưu.",
        "csv": f"{name} là tệp văn bản (CSV) được đổi tên thành .xlsx: hãy mở bằng Excel và "
               "lưu thành .xlsx (Excel Workbook).",
        "html": f"{name} là trang web (HTML) hoặc XML được đổi tên thành .xlsx: hãy mở bằng Excel "
                "và lưu thành .xlsx (Excel Workbook).",
        "xls": f"{name} là định dạng .xls cũ: mở bằng Excel và lưu thành .xlsx.",
        "xlsb": f"{name} là định dạng .xlsb (sổ làm việc nhị phân): mở bằng Excel và lưu thành .xlsx.",
        "ods": f"{name} là định dạng .ods (LibreOffice, OpenOffice): mở bằng LibreOffice hoặc Excel "
               "và lưu thành .xlsx.",
        "password": f"{name} có mật khẩu: hãy mở bằng Excel, gỡ mật khẩu (Tệp › Thông tin › Bảo vệ "
                    "sổ làm việc › Mã hóa bằng mật khẩu, xóa trống) rồi lưu lại.",
        "not_xlsx": f"{name} không phải bảng tính .xlsx: hãy mở bằng Excel và lưu thành .xlsx "
                    "(Excel Workbook).",
        "no_sheets": f"{name} không có trang tính nào: hãy mở bằng Excel, thêm trang tính rồi lưu lại.",
    }[kind]


def missing_worksheet(path: Path, worksheet: str, names: list[str]) -> str:
    listed = ", ".join(f'"{n}"' for n in names) or "(không có)"
    return (f'Không tìm thấy trang tính "{worksheet}" trong tệp "{path.name}". '
            f"Các trang tính hiện có: {listed}.")


# -- the package -------------------------------------------------------------------------

@dataclass
class _Book:
    """An open workbook package: its parts and the workbook-level settings."""

    path: Path
    file: IO[bytes]
    zip: zipfile.ZipFile
    parts: dict[str, str]  # lower-cased part name → name in the zip
    sheets: list[tuple[str, str | None]] = field(default_factory=list)  # (name, part)
    shared_strings: str | None = None
    styles: str | None = None
    is_1904: bool = False

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def part(self, name: str | None) -> str | None:
        return None if name is None else self.parts.get(name.replace("\\", "/").lstrip("/").lower())

    def sheet_part(self, worksheet: str) -> str:
        for name, part in self.sheets:
            if name == worksheet:
                if part is None:
                    raise BackendError(_problem(self.path, "corrupt"))
                return part
        raise WorksheetNotFound(missing_worksheet(self.path, worksheet, self.names))

    def open(self, part: str) -> IO[bytes]:
        return self.zip.open(part)

    def close(self) -> None:
        self.zip.close()
        self.file.close()


def _open_file(path: Path) -> IO[bytes]:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise BackendError(_missing(path)) from None
    except IsADirectoryError:
        raise BackendError(_problem(path, "directory")) from None
    except PermissionError:
        kind = "directory" if path.is_dir() else "permission"
        raise BackendError(_problem(path, kind)) from None
    except OSError as exc:
        raise BackendError(_problem(path, "unreadable", exc.strerror or str(exc))) from exc


def _open_book(path: Path) -> _Book:
    """Open ``path`` as an ``.xlsx`` package, or explain in one sentence why it is not one."""
    handle = _open_file(path)
    try:
        return _book(path, handle)
    except BaseException:
        handle.close()
        raise


def _book(path: Path, handle: IO[bytes]) -> _Book:
    try:
        head = handle.read(4096)
    except IsADirectoryError:  # some systems open a folder and fail on read
        raise BackendError(_problem(path, "directory")) from None
    except OSError as exc:
        raise BackendError(_problem(path, "unreadable", exc.strerror or str(exc))) from exc
    if not head:
        raise BackendError(_problem(path, "empty"))
    if head.startswith(_OLE_MAGIC):
        try:
            streams = _ole_streams(handle)
        except (OSError, struct.error):
            streams = set()  # a damaged compound file: most likely an .xls all the same
        if "EncryptedPackage" in streams:
            raise BackendError(_problem(path, "password"))
        if streams and not streams & {"Workbook", "Book"}:
            raise BackendError(_problem(path, "not_xlsx"))
        raise BackendError(_problem(path, "xls"))
    if not head.startswith(b"PK"):
        raise BackendError(_problem(path, _text_kind(head)))
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise BackendError(_problem(path, "truncated" if _truncated(handle) else "corrupt")) from None
    except (OSError, EOFError, ValueError):
        raise BackendError(_problem(path, "corrupt")) from None
    parts = {name.replace("\\", "/").lower(): name for name in archive.namelist()}
    book = _Book(path, handle, archive, parts)
    try:
        _read_workbook(book)
    except BackendError:
        archive.close()
        raise
    except Exception as exc:  # bad zip data, XML, an encrypted zip member (RuntimeError) …
        archive.close()
        log.info("%s: no readable workbook part (%r)", path, exc)
        raise BackendError(_problem(path, "corrupt")) from exc
    return book


def _read_workbook(book: _Book) -> None:
    """Find the workbook part, its sheets (in order), shared strings, styles and epoch."""
    mimetype = book.part("mimetype")
    if mimetype is not None:
        kind = book.zip.read(mimetype)[:200]
        if b"opendocument.spreadsheet" in kind:
            raise BackendError(_problem(book.path, "ods"))
        raise BackendError(_problem(book.path, "not_xlsx"))
    target = None
    root_rels = book.part("_rels/.rels")
    if root_rels is not None:
        for rel_type, rel_target, _ in _relationships(book.zip.read(root_rels)):
            if rel_type.endswith("/officeDocument"):
                target = _resolve("", rel_target)
                break
    workbook = book.part(target) or book.part("xl/workbook.xml")
    if workbook is None:
        if book.part("xl/workbook.bin") or (target or "").lower().endswith(".bin"):
            raise BackendError(_problem(book.path, "xlsb"))
        raise BackendError(_problem(book.path, "not_xlsx"))
    if workbook.lower().endswith(".bin"):
        raise BackendError(_problem(book.path, "xlsb"))
    base = posixpath.dirname(workbook)
    rels_part = book.part(posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels"))
    targets: dict[str, str] = {}
    if rels_part is not None:
        for rel_type, rel_target, rel_id in _relationships(book.zip.read(rels_part)):
            resolved = _resolve(base, rel_target)
            targets[rel_id] = resolved
            if rel_type.endswith("/sharedStrings"):
                book.shared_strings = book.part(resolved)
            elif rel_type.endswith("/styles"):
                book.styles = book.part(resolved)
    root = fromstring(book.zip.read(workbook))
    if root.tag.rpartition("}")[2] != "workbook":  # a Word or PowerPoint file renamed
        raise BackendError(_problem(book.path, "not_xlsx"))
    for element in root.iter():
        local = element.tag.rpartition("}")[2]
        if local == "sheet":
            rel_id = next((element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")), None)
            book.sheets.append((element.get("name", ""), book.part(targets.get(rel_id or ""))))
        elif local == "workbookPr":
            book.is_1904 = element.get("date1904", "").lower() in ("1", "true")


def _relationships(xml: bytes) -> Iterator[tuple[str, str, str]]:
    for element in fromstring(xml).iter():
        if element.tag.rpartition("}")[2] == "Relationship" and element.get("TargetMode") != "External":
            yield element.get("Type", ""), element.get("Target", ""), element.get("Id", "")


def _resolve(base: str, target: str) -> str:
    target = target.replace("\\", "/")
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)) if base else posixpath.normpath(target)


def _truncated(handle: IO[bytes]) -> bool:
    """A zip whose end-of-central-directory record is missing was cut short."""
    size = os.fstat(handle.fileno()).st_size
    handle.seek(max(0, size - (65_535 + 22)))
    return b"PK\x05\x06" not in handle.read()


def _text_kind(head: bytes) -> str:
    """What a file that is neither a zip nor an OLE2 file looks like: csv, html or other."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(codec, "replace")
            break
    else:
        if b"\x00" in head:
            return "not_xlsx"
        text = head.decode("utf-8", "replace")
        if text.count("\ufffd") > len(text) // 50:  # not UTF-8: a legacy code page still counts
            text = head.decode("cp1258", "replace")
    if text.lstrip().startswith("<"):
        return "html"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return "csv" if printable >= 0.95 * len(text) else "not_xlsx"


def _ole_streams(handle: IO[bytes], limit: int = 4096) -> set[str]:
    """Names in the directory of an OLE2 compound file (.xls, an encrypted .xlsx, .doc).

    Walks the directory sector chain through the FAT (and DIFAT); returns what it could
    read, or an empty set for a damaged header."""
    handle.seek(0)
    header = handle.read(512)
    if len(header) < 512:
        return set()
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        return set()
    size = 1 << shift
    per = size // 4
    fat_count, first_dir = struct.unpack_from("<II", header, 44)
    first_difat, difat_count = struct.unpack_from("<II", header, 68)
    difat = list(struct.unpack_from("<109I", header, 76))

    def sector(number: int) -> bytes:
        handle.seek((number + 1) << shift)
        return handle.read(size)

    seen: set[int] = set()
    number = first_difat
    while number < 0xFFFFFFFA and number not in seen and len(difat) < fat_count + 109:
        seen.add(number)
        entries = struct.unpack(f"<{per}I", sector(number).ljust(size, b"\xff"))
        difat.extend(entries[:-1])
        number = entries[-1]
    fat_sectors = [s for s in difat[:fat_count] if s < 0xFFFFFFFA]

    def next_sector(number: int) -> int:
        index, offset = divmod(number, per)
        if index >= len(fat_sectors):
            return 0xFFFFFFFE
        handle.seek(((fat_sectors[index] + 1) << shift) + offset * 4)
        data = handle.read(4)
        return struct.unpack("<I", data)[0] if len(data) == 4 else 0xFFFFFFFE

    names: set[str] = set()
    seen.clear()
    number = first_dir
    while number < 0xFFFFFFFA and number not in seen and len(seen) < limit:
        seen.add(number)
        data = sector(number)
        for offset in range(0, len(data) - 127, 128):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            if 2 <= length <= 64 and data[offset + 66] in (1, 2, 5):
                names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
        number = next_sector(number)
    return names


# -- public entry points -----------------------------------------------------------------

def worksheet_names(path: str | os.PathLike[str]) -> list[str]:
    """The workbook's sheet names in order; unreadable files raise the office's sentence."""
    path = Path(path)
    book = _open_book(path)
    try:
        if not book.sheets:
            raise BackendError(_problem(path, "no_sheets"))
        return book.names
    finally:
        book.close()


def read_sheet(path: str | os.PathLike[str], worksheet: str) -> Grid:
    """Read ``worksheet`` of the ``.xlsx`` at ``path`` as a :class:`Grid` bounded by its table.

    Raises :class:`~sheets.backend.WorksheetNotFound` for a missing sheet and
    :class:`~sheets.backend.BackendError` (one Vietnamese sentence) for a file that is not
    a readable workbook."""
    path = Path(path)
    book = _open_book(path)
    try:
        part = book.sheet_part(worksheet)
        try:
            survey = _survey(book, part)
            grid = _read_calamine(book, worksheet, survey) if survey is not None else None
            return grid if grid is not None else _read_streamed(book, part)
        except (zipfile.BadZipFile, zlib.error, EOFError, ParseError, expat.ExpatError) as exc:
            log.info("%s [%s] is corrupt: %r", path, worksheet, exc)
            raise BackendError(_problem(path, "corrupt")) from exc
        except OSError as exc:
            raise BackendError(_problem(path, "unreadable", exc.strerror or str(exc))) from exc
        except Exception as exc:  # a file nobody foresaw: the office gets a sentence, we the traceback
            log.exception("%s [%s] could not be read", path, worksheet)
            raise BackendError(_problem(path, "corrupt")) from exc
    finally:
        book.close()


# -- cell references ---------------------------------------------------------------------

def _column_index(letters: bytes | str) -> int:
    """Excel letters → 0-based column (A → 0); lower case accepted, as calamine does."""
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        number = number * 26 + ord(char) - 64
    return number - 1


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})\Z")


def _ref(text: str) -> tuple[int, int] | None:
    """``'B12'`` → ``(11, 1)``, 0-based; ``None`` for anything else."""
    match = _REF.match(text)
    return (int(match[2]) - 1, _column_index(match[1])) if match and int(match[2]) else None


def _range(text: str) -> tuple[int, int, int, int] | None:
    """``'A1:C3'`` (or ``'B2'``) → 0-based inclusive ``(r1, c1, r2, c2)``."""
    first, _, last = text.strip().partition(":")
    start, end = _ref(first.replace("$", "")), _ref((last or first).replace("$", ""))
    if start is None or end is None:
        return None
    return min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1])


def _greater(text: str, alphabet: str) -> str:
    """A regex alternation matching strings of ``alphabet`` as long as ``text`` that sort
    after it (e.g. columns after 'AD': ``A[E-Z]|[B-Z][A-Z]``)."""
    last = alphabet[-1]
    alternatives = []
    for index, char in enumerate(text):
        if char != last:
            following = alphabet[alphabet.index(char) + 1]
            alternatives.append(re.escape(text[:index]) + f"[{following}-{last}]"
                                + f"[{alphabet[0]}-{last}]" * (len(text) - index - 1))
    return "|".join(alternatives)


_UPPER, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"


def _column_after(column: int) -> re.Pattern[bytes]:
    """Cell tags whose column is right of ``column`` (0-based; -1: any cell)."""
    if column < 0:
        return re.compile(rb'<c r="[A-Z]')
    letters = column_letter(column)
    longer = f"[A-Z]{{{len(letters) + 1},}}"
    same = _greater(letters, _UPPER)
    return re.compile(f'<c r="(?:{longer}{"|" + same if same else ""})[0-9]'.encode())


def _rows_below(row: int) -> re.Pattern[bytes]:
    """Cell tags whose row number has more digits than ``row`` (1-based, as written), or as
    many with a larger first digit: a cheap test that misses only cells less than twice
    as far down (the area calamine would build is then at most twice our estimate)."""
    digits = str(row)
    same = f"|[{int(digits[0]) + 1}-9][0-9]{{{len(digits) - 1}}}\"" if digits[0] != "9" else ""
    return re.compile(f'<c r="[A-Z]{{1,3}}(?:[0-9]{{{len(digits) + 1}}}{same})'.encode())


# -- the survey --------------------------------------------------------------------------

@dataclass
class _Survey:
    """What a byte-level pass over the sheet XML found (positions are 0-based)."""

    rows: int = 0  # the largest row number (1-based) of a row that holds cells
    cols: int = 0  # 1 + the largest column of any cell
    cells: int = 0
    formulas: array = field(default_factory=lambda: array("q"))  # row << 14 | col
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)  # array-formula ranges
    values: dict[tuple[int, int], Any] = field(default_factory=dict)  # errors, UNCOMPUTED
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def area(self) -> int:
        return self.rows * self.cols

    def sane(self) -> bool:
        return (self.area <= CALAMINE_MAX_CELLS
                and self.area <= CALAMINE_MAX_SPARSENESS * self.cells + CALAMINE_FREE_CELLS)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?ref="([^"]*)"')
_PREFIXED = re.compile(rb"<\w+:worksheet[\s>]")
# The extent searches below only see cells written `<c r="A1"` (r first, one space, upper
# case): any other cell or row tag sends the sheet to the streamed reader.
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z])[\s>/]')
_ODD_ROW = re.compile(rb'<row(?! r=")[\s>/]')
_FULL_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*(?<!/)>\s*<c[\s>]')
_FORMULA = re.compile(rb"<f[\s>/]")
_ERROR = re.compile(rb' t="e"')
_MERGE = re.compile(rb'mergeCell\s[^>]*?ref="([^"]*)"')  # literal first: a fast search
_CELL_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
_ATTR = re.compile(rb'\s(r|t)="([^"]*)"')
_F_TAG = re.compile(rb"<f\b([^>]*?)(/?)>")
_F_ATTR = re.compile(rb'\s(t|ref)="([^"]*)"')
_V = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>([^<]*)</v>)")


def _survey(book: _Book, part: str) -> _Survey | None:
    """Survey the sheet XML; ``None`` when it must be streamed (too large or unusual)."""
    survey = _Survey()
    column_after = _column_after(-1)
    tail = b""
    first = True
    with book.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer = tail + chunk
            end = len(buffer)
            if chunk:  # search whole rows (whole cells within a giant row); the rest waits
                end = buffer.rfind(b"<row ")
                if end <= 0:
                    end = buffer.rfind(b"<c ")
                if end <= 0:
                    end = buffer.rfind(b"<")
                if end <= 0:
                    tail = buffer
                    continue
            if first:
                first = False
                if _PREFIXED.search(buffer, 0, 4096):
                    return None
                claimed = _DIMENSION.search(buffer, 0, 4096)
                span = _range(claimed[1].decode("ascii", "replace")) if claimed else None
                if span and (span[2] + 1) * (span[3] + 1) > CALAMINE_MAX_CELLS:
                    return None  # the file says it is large: do not scan it twice
            if _ODD_CELL.search(buffer, 0, end) or _ODD_ROW.search(buffer, 0, end):
                return None
            survey.cells += buffer.count(b"<c ", 0, end)
            rows = _FULL_ROW.findall(buffer, 0, end)
            if rows:
                survey.rows = max(survey.rows, *map(int, rows))
            if _rows_below(survey.rows).search(buffer, 0, end):
                return None  # a cell below every row that holds cells: an inconsistent file
            position = 0
            while match := column_after.search(buffer, position, end):
                ref = _CELL_REF.match(buffer, match.start())
                survey.cols = max(survey.cols, _column_index(ref[1]) + 1)
                if survey.area > CALAMINE_MAX_CELLS:
                    return None
                column_after = _column_after(survey.cols - 1)
                position = match.start() + 1
            if survey.area > CALAMINE_MAX_CELLS:
                return None
            _special_cells(buffer, end, survey)
            _merges(buffer, end, survey.merges)
            if not chunk:
                break
            tail = buffer[end:]
    return survey if survey.sane() else None


def _merges(work: bytes, end: int, merges: list[tuple[int, int, int, int]]) -> None:
    """Add the merged ranges (``<mergeCell ref="A1:C1"/>``) of ``work[:end]``."""
    for match in _MERGE.finditer(work, 0, end):
        if work[match.start() - 1:match.start()] in (b"<", b":"):  # a tag, not text
            merged = _range(match[1].decode("ascii", "replace"))
            if merged is not None:
                merges.append(merged)


def _special_cells(work: bytes, end: int, survey: _Survey) -> None:
    """Record the formula cells and error cells of ``work[:end]`` (whole cells only)."""
    starts = {work.rfind(b"<c ", 0, m.start()) for m in _FORMULA.finditer(work, 0, end)}
    starts.update(work.rfind(b"<c ", 0, m.start()) for m in _ERROR.finditer(work, 0, end))
    starts.discard(-1)
    for start in starts:
        head_end = work.find(b">", start)
        attributes = dict(_ATTR.findall(work[start:head_end]))
        where = _ref(attributes.get(b"r", b"").decode("ascii", "replace"))
        if where is None or work[head_end - 1:head_end] == b"/":
            continue
        close = work.find(b"</c>", head_end)
        body = work[head_end + 1:close if close >= 0 else len(work)]
        kind = attributes.get(b"t")
        formula = _F_TAG.search(body)
        value = _V.search(body)
        if formula is not None:
            row, col = where
            survey.formulas.append(row << 14 | col)
            options = dict(_F_ATTR.findall(formula[1]))
            if options.get(b"t") in (b"array", b"dataTable") and b"ref" in options:
                span = _range(options[b"ref"].decode("ascii", "replace"))
                if span is not None:
                    survey.spans.append(span)
            if value is None or (not value[1] and kind != b"str"):
                survey.values[where] = UNCOMPUTED
                continue
        if kind == b"e" and value is not None and value[1]:
            survey.values[where] = value[1].decode("utf-8", "replace")


# -- the calamine path -------------------------------------------------------------------

def _read_calamine(book: _Book, worksheet: str, survey: _Survey) -> Grid | None:
    """Values by calamine, completed by the survey; ``None`` when calamine refuses the file."""
    from python_calamine import CalamineError, CalamineWorkbook

    book.file.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(book.file)
        try:
            rows = workbook.get_sheet_by_name(worksheet).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except CalamineError as exc:  # e.g. an error code it does not know: the streamed reader copes
        log.info("calamine refused %s [%s] (%r); streaming it", book.path, worksheet, exc)
        return None
    except BaseException as exc:  # pyo3 turns a Rust panic into a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        log.warning("calamine failed on %s [%s] (%r); streaming it", book.path, worksheet, exc)
        return None
    for (row, col), value in survey.values.items():
        while len(rows) <= row:
            rows.append([])
        line = rows[row]
        if len(line) <= col:
            line.extend([""] * (col + 1 - len(line)))
        line[col] = value
    for index, row in enumerate(rows):  # row by row, so two full grids never coexist
        rows[index] = [None if v == "" else int(v) if v.__class__ is float and v.is_integer()
                       else v.date() if v.__class__ is dt.datetime and v.time() == dt.time() else v
                       for v in row]
    limit = column_limit(enumerate(row) for row in rows[:HEAD_ROWS])
    rows, warnings = bound_grid(rows)
    formulas = (divmod(code, 1 << 14) for code in survey.formulas)
    return _finish(rows, limit, formulas, survey.spans, survey.merges, warnings)


def _finish(rows: list[list[Any]], limit: int, formulas: Iterator[tuple[int, int]] | list,
            spans: list[tuple[int, int, int, int]], merges: list[tuple[int, int, int, int]],
            warnings: list[str]) -> Grid:
    """Shape the bounded rows (rectangular, as wide as the rightmost value) and keep the
    formulas and merges of the kept area: the table's columns, down to ``FAR_ROWS`` rows
    below its last row."""
    width = 0
    for row in rows:
        for index in range(len(row) - 1, width - 1, -1):
            if row[index] is not None:
                width = index + 1
                break
    for row in rows:
        if len(row) > width:
            del row[width:]
        elif len(row) < width:
            row.extend([None] * (width - len(row)))
    row_end = len(rows) + FAR_ROWS
    kept = {(r, c) for r, c in formulas if r < row_end and c < limit}
    for r1, c1, r2, c2 in spans:
        for r in range(r1, min(r2 + 1, row_end)):
            kept.update((r, c) for c in range(c1, min(c2 + 1, limit)))
    kept_merges = sorted({(r1, c1, min(r2, row_end - 1), min(c2, limit - 1))
                          for r1, c1, r2, c2 in merges if r1 < row_end and c1 < limit})
    return Grid(rows, formulas=kept, warnings=warnings, merges=kept_merges)


# -- the streamed path -------------------------------------------------------------------

class _TableEnded(Exception):
    """Raised inside the parser's callbacks: the rest of the sheet is far away."""


def _xml_parser(strings: list[str], formats: list[int], is_1904: bool,
                on_row=lambda index, cells: True, keep=lambda row, col: True):
    """An expat parser for a worksheet (or the shared-strings part), one row at a time.

    No tree is built: a row's non-empty cells go to ``on_row(index, [(col, value)])`` when
    the row ends (it returns False once the table has ended: parsing then raises
    :class:`_TableEnded`); shared strings (``<si>``) are appended to ``strings``. Values
    are converted exactly as calamine converts them. Returns the parser and the lists
    that receive the formula cells and the array-formula ranges for which
    ``keep(row, col)`` holds. (Closures rather than methods: the callbacks run several
    times per cell.)"""
    names: dict[str, str] = {}  # element name as written (maybe prefixed) → local name
    formulas: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int, int]] = []
    next_row = row = col = 0
    row_known = phonetic = preserve = False
    cells: list[tuple[int, Any]] = []
    cell: dict[str, str] = {}
    value: Any = None
    cached: str | None = None  # the text of the cell's <v>, when it has one
    formula: dict[str, str] | None = None
    text: str | None = None  # character data being collected, else None
    rich: list[str] | None = None  # runs of an inline or shared string

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal cell, value, cached, formula, text, rich, phonetic, preserve
        nonlocal row, row_known, cells, col
        local = names.get(name) or names.setdefault(name, name.rpartition(":")[2])
        if local == "c":
            cell = attrs
            value = cached = formula = None
        elif local == "v":
            text = ""
        elif local == "t":
            if rich is not None and not phonetic:
                text = ""
                preserve = attrs.get("xml:space") == "preserve"
        elif local == "is" or local == "si":
            rich = []
        elif local == "row":
            number = attrs.get("r", "")
            row_known = number.isdigit() and int(number) > 0
            row = int(number) - 1 if row_known else next_row
            cells = []
            col = 0
        elif local == "f":
            formula = attrs
            value = None
        elif local == "rPh":
            phonetic = True

    def data(chunk: str) -> None:
        nonlocal text
        if text is not None:
            text += chunk

    def end(name: str) -> None:
        nonlocal value, cached, text, rich, phonetic, next_row
        local = names[name]
        if local == "c":
            end_cell()
        elif local == "v":
            cached, text = text or "", None
            kind = cell.get("t")
            value = (None if kind == "inlineStr" or kind == "is"
                     else _plain(cached, kind, cell.get("s"), strings, formats, is_1904))
        elif local == "t":
            if text is not None and rich is not None:
                rich.append(_unescape(text if preserve else text.strip(" \t\r\n")))
                text = None
        elif local == "is":
            value = "".join(rich or ()) or None
            rich = None
        elif local == "row":
            next_row = row + 1
            if cells and not on_row(row, cells):
                raise _TableEnded
        elif local == "si":
            strings.append("".join(rich or ()))
            rich = None
        elif local == "rPh":
            phonetic = False

    def end_cell() -> None:
        nonlocal col, row, row_known
        ref = cell.get("r")
        if ref:
            letters = ref.rstrip(_DIGITS)
            known = _COLUMNS.get(letters)
            if known is None and _LETTERS.match(letters):
                known = _COLUMNS.setdefault(letters, _column_index(letters))
            if known is not None:
                col = known
            if not row_known and ref[len(letters):].isdigit() and int(ref[len(letters):]):
                row = int(ref[len(letters):]) - 1  # a row without r: its cells say where
                row_known = True
        result = value
        if formula is not None:
            if cached is None or (cached == "" and cell.get("t") != "str"):
                result = UNCOMPUTED  # no stored result: unknown, not empty
            if keep(row, col):
                formulas.append((row, col))
                if formula.get("t") in ("array", "dataTable") and formula.get("ref"):
                    span = _range(formula["ref"])
                    if span is not None:
                        spans.append(span)
        if result is not None:
            cells.append((col, result))
        col += 1

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    return parser, formulas, spans


def _plain(text: str, kind: str | None, style: str | None, strings: list[str],
           formats: list[int], is_1904: bool) -> Any:
    """A ``<v>`` text as a value (``None`` when empty), as calamine reads it."""
    if not text:
        return None
    if kind == "s":
        index = int(text) if text.isdigit() else _atoi(text)
        return (strings[index] or None) if index < len(strings) else None
    if kind == "str":
        return _unescape(text)
    if kind == "e":
        return text
    if kind == "b":
        return text != "0"
    if kind == "d":
        return _iso_value(text)
    if not _NUMBER.match(text):
        return text  # calamine keeps a value it cannot read as a number as text
    number = float(text)
    if style is not None:
        index = int(style) if style.isdigit() else _atoi(style)
        form = formats[index] if index < len(formats) else _OTHER
        if form != _OTHER:
            return _excel_date(number, form, is_1904)
    return int(number) if number.is_integer() else number


_COLUMNS: dict[str, int] = {}  # column letters → 0-based index, filled as met
_LETTERS = re.compile(r"[A-Za-z]{1,3}\Z")


def _read_streamed(book: _Book, part: str) -> Grid:
    """Parse the sheet XML row by row, bounded as it goes; stop where the table ended."""
    bounder = Bounder()
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []

    def place(index: int, kept: list[tuple[int, Any]]) -> None:
        if not kept:
            return
        while len(rows) <= index:
            rows.append([])
        row = rows[index]
        top = max(col for col, _ in kept) + 1
        if len(row) < top:
            row.extend([None] * (top - len(row)))
        for col, value in kept:
            row[col] = value

    def settle_head(index: int) -> None:
        """Once past the head rows, fix the column limit and place the head rows."""
        if bounder.limit is None and index >= HEAD_ROWS:
            for head_index, kept in bounder.flush_head():
                place(head_index, kept)

    def on_row(index: int, cells: list[tuple[int, Any]]) -> bool:
        settle_head(index)
        kept = bounder.feed(index, cells)
        if kept is None:
            return False
        place(index, kept)
        return True

    def keep(row: int, col: int) -> bool:
        """Whether a formula cell may lie in the kept area (rows arrive in order: one more
        than FAR_ROWS below the last filled row never will), so memory stays bounded."""
        settle_head(row)
        return row - bounder.last_filled <= FAR_ROWS and (bounder.limit is None or col < bounder.limit)

    parser, formulas, spans = _xml_parser(_shared_strings(book), _cell_formats(book), book.is_1904,
                                          on_row, keep)
    reading = True
    tail = b""
    with book.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer = tail + chunk
            end = buffer.rfind(b"<") if chunk else len(buffer)
            if end <= 0 and chunk:
                tail = buffer
                continue
            _merges(buffer, end, merges)  # after sheetData: scanned past the table too
            tail = buffer[end:]
            if reading:
                try:
                    parser.Parse(chunk, not chunk)
                except _TableEnded:
                    reading = False
            if not chunk:
                break
    for head_index, kept in bounder.flush_head():
        place(head_index, kept)
    del rows[bounder.last_filled + 1:]
    return _finish(rows, bounder.limit, formulas, spans, merges, bounder.warnings())


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z"
                     r"|[+-]?(?:inf|infinity|nan)\Z", re.I)
_UNESCAPE = re.compile(r"_x00([0-9A-Fa-f]{2}|\+[0-9A-Fa-f])_")


def _unescape(text: str) -> str:
    """Excel's ``_x00HH_`` escapes (``_x000D_`` → CR), left to right, as calamine does."""
    return _UNESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x00" in text else text


def _atoi(text: str) -> int:
    digits = re.match(r"\+?([0-9]+)", text)
    return int(digits[1]) if digits else 0


def _round(value: float) -> int:
    """Round half away from zero (Rust's ``f64::round``)."""
    magnitude = abs(value)
    whole = math.floor(magnitude)
    if magnitude - whole >= 0.5:
        whole += 1
    return int(math.copysign(whole, value)) if whole else 0


_EPOCH = dt.datetime(1899, 12, 30)
_DAY_MS = 86_400_000


def _excel_date(value: float, form: int, is_1904: bool) -> Any:
    """A date-formatted number as python-calamine returns it."""
    if not math.isfinite(value):
        return value
    if form == _TIMEDELTA:
        try:
            return dt.timedelta(milliseconds=_round(value * _DAY_MS))
        except OverflowError:
            return int(value) if value.is_integer() else value
    serial = value + 1462 if is_1904 else value
    if serial < 60:
        serial += 1  # Excel's 29/02/1900 that never was
    ms = _round(serial * _DAY_MS)
    days, rest = divmod(ms, _DAY_MS)
    if value < 1.0:
        if abs(days) > 95_000_000:  # beyond chrono's range: calamine keeps the number
            return int(value) if value.is_integer() else value
        return (dt.datetime.min + dt.timedelta(milliseconds=rest)).time()
    try:
        moment = _EPOCH + dt.timedelta(days=days, milliseconds=rest)
    except OverflowError:
        return int(value) if value.is_integer() else value
    return moment.date() if value.is_integer() or moment.time() == dt.time() else moment


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?\Z")
_ISO_TIME = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?\Z")


def _iso_value(text: str) -> Any:
    """An ISO date cell (``t="d"``) as python-calamine returns it; text when unreadable."""
    try:
        if "T" in text:
            if _ISO_DATETIME.match(text):
                moment = dt.datetime.fromisoformat(text[:26])
                return moment.date() if moment.time() == dt.time() else moment
        elif ":" in text:
            if _ISO_TIME.match(text):
                return dt.time.fromisoformat(text[:15])
        elif _ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    return text


def _shared_strings(book: _Book) -> list[str]:
    strings: list[str] = []
    if book.shared_strings is not None:
        parser = _xml_parser(strings, [], False)[0]
        with book.open(book.shared_strings) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return strings


def _cell_formats(book: _Book) -> list[int]:
    """What each cell style (``cellXfs`` index) makes of a number, as calamine decides."""
    if book.styles is None:
        return []
    root = fromstring(book.zip.read(book.styles))
    custom: dict[str, str] = {}
    formats: list[int] = []
    for element in root:
        local = element.tag.rpartition("}")[2]
        if local == "numFmts":
            for item in element:
                if item.get("numFmtId") is not None and item.get("formatCode") is not None:
                    custom[item.get("numFmtId")] = item.get("formatCode")
        elif local == "cellXfs":
            for item in element:
                if item.tag.rpartition("}")[2] != "xf":
                    continue
                number = item.get("numFmtId")
                if number is None:
                    formats.append(_OTHER)
                elif number in custom:
                    formats.append(_format_kind(custom[number]))
                else:
                    formats.append(_BUILTIN.get(number, _OTHER))
    return formats


_BUILTIN = {**{str(n): _DATETIME for n in (*range(14, 23), 45, 47)}, "46": _TIMEDELTA}


def _format_kind(code: str) -> int:
    """Whether a number format shows dates, durations or numbers (calamine's rules: the
    first section only; text in quotes, escaped and bracketed characters do not count)."""
    escaped = quoted = hms = am_pm = False
    brackets = 0
    previous = " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            if char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == ";":
            return _OTHER
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and hms:
            return _TIMEDELTA
        elif char == "]":
            brackets = max(brackets - 1, 0)
        elif char in "aA" and not am_pm and brackets == 0:
            am_pm = True
        elif char in "pmPM/" and am_pm and brackets == 0:
            return _DATETIME
        elif char in "dmhysDMHYS" and not am_pm and brackets == 0:
            return _DATETIME
        elif not (hms and char.lower() == previous.lower()):
            hms = previous == "[" and char in "mhsMHS"
        previous = char
    return _OTHER
