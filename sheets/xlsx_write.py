"""Writing into an office's ``.xlsx`` by patching its package: only phoihop's cells change.

Loading a workbook into a spreadsheet library and saving it rebuilds every part from what
the library understood, and loses the rest: formula results, images, charts, extension
lists. Here the package is copied member by member instead (:mod:`sheets.xlsx_package`).
The written worksheet is streamed and patched row by row (:mod:`sheets.xlsx_sheetxml`);
besides it, a part changes only when it must:

- formulas that may depend on a written cell (:mod:`sheets.xlsx_formulas`), in any sheet,
  lose their cached result, and then ``workbook.xml`` gets ``<calcPr fullCalcOnLoad="1">``
  so that Excel and LibreOffice recalculate on open; the others keep it byte for byte;
- ``styles.xml`` gains a number format and a cell format when a date goes into a cell
  whose format is General (shown as ``dd/mm/yyyy``).

Text is written as inline strings, so ``sharedStrings.xml`` stays as it is: an overwritten
cell's old string stays in the table, unused, and the table's ``count`` then overstates
its uses, which Excel, LibreOffice, openpyxl and calamine all ignore.

Also here: the file's fingerprint (did it change since we read it?), the atomic replace,
and the clean-up of the temp files of killed runs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import re
import secrets
import shutil
import time
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Callable, Sequence

from openpyxl.utils.datetime import to_excel

from core.vietnamese import format_int
from sheets.backend import BackendError, Cell, SheetChanged
from sheets.xlsx_formulas import MAX_COL, MAX_ROW, FormulaIndex
from sheets import xlsx_guidance as guide
from sheets.guidance import Guidance
from sheets.xlsx_package import DATE_FORMATS, Package, Styles, copy_package, full_calc_on_load, sheet_parts
from sheets.xlsx_sheetxml import CHUNK, Survey, Write, box, coordinate, rewrite, survey

log = logging.getLogger(__name__)
TEMP_PATTERN = re.compile(r"\.~phoihop-([0-9]+)-[0-9a-f]+\.xlsx\Z")
TEMP_MAX_AGE = 3600  # seconds: older temp files are removed whoever made them
MAX_CELL_TEXT = 32767  # Excel's limit, in UTF-16 code units
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")  # text that readers would take for an escape


# -- writing cells -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """A value ready for the XML: ``kind`` is text, number, bool, date, datetime or clear."""

    kind: str
    data: bytes = b""


def prepare(value: Any, date1904: bool) -> Value:
    """Check and encode one value; raises ``ValueError`` with the office's reason."""
    if value is None:
        return Value("clear")
    if isinstance(value, str):
        if len(value) > MAX_CELL_TEXT // 2 and len(value.encode("utf-16-le")) // 2 > MAX_CELL_TEXT:
            raise ValueError(f"nội dung dài {len(value)} ký tự, vượt giới hạn {MAX_CELL_TEXT} ký tự của Excel.")
        if _NOT_XML.search(value):
            raise ValueError("nội dung có ký tự điều khiển không lưu được vào Excel.")
        if "_x" in value:
            value = _ESCAPE_LIKE.sub(r"_x005F_\1", value)
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        return Value("text", text.encode())
    if isinstance(value, bool):
        return Value("bool", b"1" if value else b"0")
    if isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
            return Value("number", str(int(value)).encode())
        return Value("number", (repr(value) if isinstance(value, float) else format(value, "f")).encode())
    if isinstance(value, dt.date) and not (isinstance(value, dt.datetime) and value.tzinfo):
        serial = to_excel(value, dt.datetime(1904, 1, 1)) if date1904 else to_excel(value)
        kind = "datetime" if isinstance(value, dt.datetime) else "date"
        return Value(kind, (str(int(serial)) if float(serial).is_integer() else repr(float(serial))).encode())
    raise ValueError(f"không ghi được giá trị {value!r}.")


def write_cells(source: Path, target: Path, sheet: str, cells: Sequence[Cell], guidance: Guidance | None = None) -> None:
    """Write ``target``: the workbook ``source`` with ``cells`` of worksheet ``sheet`` set,
    and ``guidance`` (validations, comments, the owned columns' style) applied
    (:mod:`sheets.xlsx_guidance`).

    Raises :class:`BackendError` (Vietnamese, naming the cell) before writing anything
    when a cell holds a formula, lies inside a merged range or an array formula other than
    at its first cell, or its value cannot be stored.
    """
    try:
        _write_cells(source, target, sheet, cells, guidance)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # a damaged member, found while copying
        raise BackendError(f'Tệp "{source.name}" bị hỏng, không đọc hết được: {exc}') from exc


def guidance_changes(source: Path, sheet: str, guidance: Guidance) -> bool:
    """Whether writing ``guidance`` alone would change the workbook."""
    with Package(source) as package:
        part = package.sheets[package.sheet_names.index(sheet)][1]
        if part is None:
            return False
        comments, _, _ = guide.comment_parts(package.related(part))
        ours, theirs = guide.current_notes(package.read(comments) if comments else None)
        return guide.changes_anything(guidance, ours, theirs)


def _apply_guidance(package: Package, part: str, guidance: Guidance,
                    replace: dict[str, Any]) -> tuple[Callable[[bytes], bytes] | None, dict[str, bytes]]:
    """Put the package parts ``guidance`` changes into ``replace``; return the worksheet
    tail's patch and the parts to add."""
    add: dict[str, bytes] = {}
    prefix = package.tags(part).prefix
    patches: list[Callable[[bytes], bytes]] = []

    def current(name: str) -> bytes:
        found = replace.get(package.member(name))
        return found if isinstance(found, bytes) else package.read(name)

    if guidance.send_rules:
        refs = guide.list_refs(guidance.rules)
        if refs:
            content = guide.lists_sheet_xml(refs)
            if guide.LISTS_SHEET in package.sheet_names:
                lists = package.sheets[package.sheet_names.index(guide.LISTS_SHEET)][1]
                if lists is not None:
                    replace[package.member(lists)] = content
            else:
                more, add = sheet_parts(package, guide.LISTS_SHEET, hidden=True, content=content)
                replace.update(more)
        patches.append(lambda tail: guide.patch_validations(tail, prefix, guidance.rules, refs))
    related = package.related(part)
    comments, vml, vml_id = guide.comment_parts(related)
    existing = package.read(comments) if comments else None
    ours, theirs = guide.current_notes(existing)
    notes = guide.notes_to_write(guidance.notes, theirs)
    if notes != ours:
        taken = {name.lower() for name in package.zip.namelist()} | {name.lower() for name in add}
        new_rels = []
        ids = {rel_id for _, _, rel_id in related}
        fresh = (f"rId{n}" for n in range(1, 100_000) if f"rId{n}" not in ids)
        if comments is None:
            comments = guide.free_part(taken, "xl", "comments", "xml")
            new_rels.append((next(fresh), guide.COMMENTS_TYPE, guide.relative(part, comments)))
        if vml is None:
            vml = guide.free_part(taken, "xl/drawings", "vmlDrawing", "vml")
            vml_id = next(fresh)
            new_rels.append((vml_id, guide.VML_TYPE, guide.relative(part, vml)))
        for name, content in ((comments, guide.comments_xml(existing, notes)),
                              (vml, guide.vml_xml(package.read(vml) if vml.lower() in taken else None, notes))):
            if name.lower() in taken:
                replace[package.member(name)] = content
            else:
                add[name] = content
        if new_rels:
            rels = package.rels_part(part)
            if rels.lower() in taken:
                replace[package.member(rels)] = guide.sheet_rels_xml(package.read(rels), new_rels)
            else:
                add[rels] = guide.sheet_rels_xml(None, new_rels)
            types = package.member("[Content_Types].xml")
            replace[types] = guide.content_types_xml(current("[Content_Types].xml"), comments)
        patches.append(lambda tail: guide.legacy_drawing(tail, prefix, vml_id))

    def patch(tail: bytes) -> bytes:
        for one in patches:
            tail = one(tail)
        return tail
    return (patch if patches else None), add


def _write_cells(source: Path, target: Path, sheet: str, cells: Sequence[Cell], guidance: Guidance | None = None) -> None:
    with Package(source) as package:
        index = package.sheet_names.index(sheet)
        part = package.sheets[index][1]
        if part is None:
            raise BackendError(f'Trang tính "{sheet}" là trang biểu đồ, không có ô để ghi.')
        values = _values(cells, sheet, package.date1904)
        formulas = FormulaIndex(package.sheet_names, package.names)
        found = Survey()
        for number, (_, other) in enumerate(package.sheets):
            if other is not None:
                with package.open(other) as stream:
                    result = survey(stream, package.tags(other), number, formulas,
                                    values if number == index else None)
                found = result if number == index else found
        _refuse(found, values, sheet)
        written = ((row, col) for row, cols in values.items() for col in cols)
        stale = formulas.stale({index: written}) if len(formulas) else {}
        del formulas  # a big workbook's formulas: not needed while the package is copied
        styles = Styles(package.read(package.styles) if package.styles else None)
        owned = {item.col + 1 for item in guidance.protected} if guidance is not None else set()
        writes = _plan(values, found, styles, owned)
        replace: dict[str, bytes | Callable[[IO[bytes]], None]] = {}
        tail, add = _apply_guidance(package, part, guidance, replace) if guidance is not None else (None, {})
        for number, cells_ in stale.items():
            strip: dict[int, set[int]] = {}
            for row, col in cells_:
                strip.setdefault(row, set()).add(col)
            replace[package.member(package.sheets[number][1])] = _rewriter(
                package, number, writes if number == index else {}, strip, tail if number == index else None)
        replace.setdefault(package.member(part), _rewriter(package, index, writes, {}, tail))
        if stale:
            workbook = replace.get(package.member(package.workbook))
            replace[package.member(package.workbook)] = full_calc_on_load(
                workbook if isinstance(workbook, bytes) else package.workbook_xml)
        if styles.added:
            replace[package.member(package.styles)] = styles.patched()
        copy_package(package.zip, target, replace, add)


def _rewriter(package: Package, number: int, writes: dict[int, dict[int, Write]],
              strip: dict[int, set[int]], tail: Callable[[bytes], bytes] | None = None) -> Callable[[IO[bytes]], None]:
    name, part = package.sheets[number]

    def run(out: IO[bytes]) -> None:
        tags = package.tags(part)
        with package.open(part) as stream:
            rewrite(stream, out, tags, name, writes, strip, tail)
    return run


def _values(cells: Sequence[Cell], sheet: str, date1904: bool) -> dict[int, dict[int, Value]]:
    """Each cell's value checked and encoded, by row then column (the last one of a cell wins)."""
    values: dict[int, dict[int, Value]] = {}
    seen: dict[tuple[type, Any], Value] = {}  # a sync writes the same statuses again and again
    for item in cells:
        if item.row < 1 or item.col < 1:
            raise BackendError(f"Ô ({item.row}, {item.col}) không hợp lệ: hàng và cột bắt đầu từ 1.")
        if item.row > MAX_ROW or item.col > MAX_COL:
            raise BackendError(f"Ô ({item.row}, {item.col}) vượt giới hạn của Excel "
                               f"({format_int(MAX_ROW)} hàng, {format_int(MAX_COL)} cột).")
        key = (type(item.value), item.value)
        try:
            value = seen.get(key)
        except TypeError:  # an unhashable value: refused by prepare below
            key, value = None, None
        try:
            if value is None:
                value = prepare(item.value, date1904)
                if key is not None:
                    seen[key] = value
        except ValueError as exc:
            raise BackendError(f'Ô {coordinate(item.row, item.col)} của trang tính "{sheet}": {exc}') from None
        values.setdefault(item.row, {})[item.col] = value
    return values


def _refuse(found: Survey, values: dict[int, dict[int, Value]], sheet: str) -> None:
    """Raise for the first cell that must not be written (formula, merged, array)."""
    for row, col in sorted(found.formula_targets):
        raise BackendError(f'Ô {coordinate(row, col)} của trang tính "{sheet}" chứa công thức; '
                           "phoihop không ghi đè ô công thức.")
    areas = [(area, ref, "vùng ô gộp") for ref in found.merges if (area := box(ref))]
    areas += [(area, f"{coordinate(*area[:2])}:{coordinate(*area[2:])}", "vùng công thức mảng")
              for area, _, _ in found.arrays]
    for (r1, c1, r2, c2), ref, what in areas:
        for row in range(r1, r2 + 1) if r2 - r1 < len(values) else sorted(values):
            for col in values.get(row, ()):
                if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                    raise BackendError(f'Ô {coordinate(row, col)} của trang tính "{sheet}" nằm trong '
                                       f"{what} {ref}, không ghi được.")


def _plan(values: dict[int, dict[int, Value]], found: Survey, styles: Styles,
          owned: set[int] = frozenset()) -> dict[int, dict[int, Write]]:
    """Decide each written cell's style: its own; for a new cell right of the table its left
    neighbour's; else the row's or the column's; a date in a General cell gets dd/mm/yyyy;
    a cell of an ``owned`` column (1-based: Mã, status, computed) phoihop's fill and lock.

    Turns ``values`` into the writes in place, so that a big batch is held once."""
    plan: dict[int, dict[int, Any]] = values  # type: ignore[assignment]
    for row in list(plan):
        cols = plan[row]
        present = found.styles.pop(row, {})
        for col in sorted(cols):
            value = cols[col]
            if col in present:
                base = present[col]
            elif value.kind == "clear":
                del cols[col]  # clearing a cell that does not exist: nothing to do
                continue
            elif col > found.edge and present.get(col - 1) not in (None, b"0"):
                base = present[col - 1]
            else:
                base = found.row_styles.get(row) or next(
                    (s for lo, hi, s in found.col_styles if lo <= col <= hi), None)
            if col in owned:
                base = styles.owned_style(base)
            present[col] = base
            cols[col] = Write(value, styles.date_style(base, value.kind) if value.kind in DATE_FORMATS else base)
        if not cols:
            del plan[row]
    return plan


# -- change detection, temp files, atomic replace ----------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """What a file looked like: size, modification time and a hash of its bytes."""

    size: int
    mtime_ns: int
    digest: bytes

    def same_content(self, other: Fingerprint) -> bool:
        """Same bytes. A new mtime alone (a touch, a backup or sync tool) is no change."""
        return self.size == other.size and self.digest == other.digest


def fingerprint(path: Path) -> Fingerprint:
    digest = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as stream:
        status = os.fstat(stream.fileno())
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return Fingerprint(status.st_size, status.st_mtime_ns, digest.digest())


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (the sync locks use it too)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def remove_stale_temps(path: Path) -> list[str]:
    """Remove the temp files of runs that died beside ``path`` (``.~phoihop-<pid>-<hex>.xlsx``
    whose process is gone, or older than an hour); return their names. Nothing else is touched."""
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = TEMP_PATTERN.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > TEMP_MAX_AGE
            if old or not process_alive(int(match.group(1))):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError as exc:  # gone already, or not ours to remove: leave it
            log.info("temp file %s left in place: %s", entry.path, exc)
    if removed:
        log.info("removed temp files of interrupted runs: %s", ", ".join(removed))
    return removed


def atomic_replace(path: Path, produce: Callable[[Path], None], expected: Fingerprint | None = None) -> Fingerprint:
    """Let ``produce`` write a temp file beside ``path``, flush it to disk, and rename it over
    ``path`` (keeping its mode); return the new file's fingerprint.

    With ``expected``, the file on disk is compared with it just before the rename: if its
    content changed (someone saved it meanwhile) :class:`SheetChanged` is raised and nothing
    is written. The temp file never survives a failure.
    """
    if path.exists() and not os.access(path, os.W_OK):
        raise BackendError(f'Tệp "{path}" chỉ cho phép đọc (read-only): không ghi được.')
    temp = path.with_name(f".~phoihop-{os.getpid()}-{secrets.token_hex(4)}.xlsx")
    try:
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # umask applies
        produce(temp)
        with open(temp, "rb+") as stream:
            os.fsync(stream.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        if expected is not None and not _unchanged(path, expected):
            raise SheetChanged(f'Tệp "{path.name}" đã thay đổi sau khi phoihop đọc (có người vừa lưu tệp, '
                               "hoặc một lần đồng bộ khác vừa ghi vào): phoihop chưa ghi gì, cần đọc lại rồi chạy lại.")
        written = fingerprint(temp)
        os.replace(temp, path)
        _sync_folder(path.parent)
        return written
    except OSError as exc:
        raise BackendError(f'Không ghi được tệp "{path}" (tệp đang mở trong Excel hoặc không có '
                           f"quyền ghi?): {exc.strerror or exc}") from exc
    finally:
        if temp.exists():
            temp.unlink()


def _unchanged(path: Path, expected: Fingerprint) -> bool:
    try:
        return fingerprint(path).same_content(expected)
    except FileNotFoundError:
        return False  # moved away or deleted since we read it


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
