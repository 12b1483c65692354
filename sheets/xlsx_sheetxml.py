"""One worksheet part of an ``.xlsx``, streamed row by row and patched at the byte level.

A 100,000-row sheet is 100+ MB of XML: it is never parsed whole. :func:`split` cuts the
part into its head (up to ``<sheetData>``), one ``<row>…</row>`` at a time, and its tail,
so that the pieces concatenate back to the exact input. :func:`survey` reads what a write
must know first (formulas, merged ranges, styles around the target cells); :func:`rewrite`
copies the part, replacing only the cells written and the cached results that went stale.
Every other byte — including every cell not written — is copied as it was.

Works on the raw bytes of SpreadsheetML as every producer writes it (UTF-8; attribute
values without a literal ``>``); the main namespace may carry a prefix (``<x:row>``).
"""
from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections import deque
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Callable, Iterator

from sheets.backend import BackendError
from sheets.bounds import column_letter
from sheets.xlsx_formulas import FormulaIndex, column_number

if TYPE_CHECKING:
    from sheets.xlsx_write import Value

CHUNK = 1 << 20
HEAD, OPEN, ROW, RAW, CLOSE, TAIL = range(6)
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_R = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{0,3})\$?([0-9]+)["']""")
_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?\Z")


def box(ref: str) -> tuple[int, int, int, int] | None:
    """``"B2:D9"`` → (2, 2, 9, 4) as (row1, col1, row2, col2); None when it is not one."""
    match = _REF.match(ref.strip().upper())
    if not match:
        return None
    c1, r1, c2, r2 = match.groups()
    return int(r1), column_number(c1), int(r2 or r1), column_number(c2 or c1)


def coordinate(row: int, col: int) -> str:
    return f"{column_letter(col - 1)}{row}"


class Tags:
    """Byte patterns of one part, for its SpreadsheetML prefix (``b""`` or e.g. ``b"x:"``)."""

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.prefix = prefix
        self.sheet_data = re.compile(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>")
        self.next = re.compile(rb"<(/?)" + p + rb"(row|sheetData)(?=[\s/>])")
        self.cell = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.cell_start = re.compile(rb"<" + p + rb"c(?=[\s/>])(?:[^>]*?\sr\s*=\s*[\"']\$?([A-Za-z]{1,3}))?")
        self.formula = re.compile(rb"<" + p + rb"f(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.value = re.compile(rb"<" + p + rb"v(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"v>)", re.S)
        self.ext = re.compile(rb"<" + p + rb"extLst(?=[\s/>]).*?</" + p + rb"extLst>", re.S)
        self.has_formula = re.compile(rb"<" + p + rb"f[\s/>]")
        self.dimension = re.compile(rb"""(<""" + p + rb"""dimension(?=[\s/>])[^>]*?\sref\s*=\s*["'])([^"']*)""")
        self.merge = re.compile(rb"""<""" + p + rb"""mergeCell(?=[\s/>])[^>]*?\sref\s*=\s*["']([^"']+)""")
        self.col = re.compile(rb"<" + p + rb"col(?=[\s/>])([^>]*?)/?>")
        self.row_close = b"</" + prefix + b"row>"

    @classmethod
    def of(cls, start: bytes) -> Tags:
        """Patterns for a part whose first bytes are ``start`` (its root element's prefix)."""
        if start.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BackendError("Tệp dùng mã hóa UTF-16 cho nội dung trang tính; phoihop chỉ ghi được tệp UTF-8 "
                               "(mở bằng Excel rồi lưu lại).")
        match = re.search(rb"<(\w+:)?(?:worksheet|workbook|styleSheet)[\s>]", start)
        return cls(match.group(1) or b"" if match else b"")


def attributes(raw: bytes) -> dict[bytes, bytes]:
    """Attribute values of a start tag (still XML-escaped, without quotes)."""
    return {name: value[1:-1] for name, value in _ATTR.findall(raw)}


def split(stream: IO[bytes], tags: Tags) -> Iterator[tuple[int, int, bytes]]:
    """Yield ``(kind, row number, bytes)``: HEAD, OPEN (the ``<sheetData>`` tag), ROW and
    RAW pieces, CLOSE (``</sheetData>``, empty for ``<sheetData/>``), then TAIL chunks."""
    buf, pos = b"", 0

    def fill() -> bool:
        nonlocal buf, pos
        chunk = stream.read(CHUNK)
        buf, pos = buf[pos:] + chunk, 0
        return bool(chunk)

    while (found := tags.sheet_data.search(buf)) is None:
        if not fill():
            raise BackendError("Trang tính hỏng: không có phần dữ liệu (sheetData).")
    yield HEAD, 0, buf[:found.start()]
    yield OPEN, 0, found.group()
    pos = found.end()
    if found.group(1):
        yield CLOSE, 0, b""
    else:
        number = 0
        while True:
            found = tags.next.search(buf, pos)
            end = buf.find(b">", found.end()) if found else -1
            if found and end >= 0 and found.group(1):  # </sheetData>
                if found.group(2) != b"sheetData":
                    raise BackendError("Trang tính hỏng: thẻ đóng hàng không khớp.")
                if found.start() > pos:
                    yield RAW, 0, buf[pos:found.start()]
                yield CLOSE, 0, buf[found.start():end + 1]
                pos = end + 1
                break
            if found and end >= 0:
                if buf[end - 1] != 0x2F:  # not <row …/>
                    end = buf.find(tags.row_close, end)
                    end = end + len(tags.row_close) - 1 if end >= 0 else -1
            if not found or end < 0:
                if not fill():
                    raise BackendError("Trang tính hỏng: thiếu thẻ đóng của một hàng.")
                continue
            if found.start() > pos:
                yield RAW, 0, buf[pos:found.start()]
            row = buf[found.start():end + 1]
            given = _R.search(row, 0, row.find(b">"))
            number = int(given.group(2)) if given else number + 1
            yield ROW, number, row
            pos = end + 1
    yield TAIL, 0, buf[pos:]
    while chunk := stream.read(CHUNK):
        yield TAIL, 0, chunk


def cells(row: bytes, tags: Tags) -> tuple[list[int], list[int]]:
    """Columns (1-based; implied when ``r`` is absent) and start offsets of a row's ``<c>``
    elements. Only their start tags are looked at: cheap enough for every row."""
    cols, starts, col = [], [], 0
    for match in tags.cell_start.finditer(row, row.find(b">") + 1):
        letters = match.group(1)
        col = _COLUMNS.get(letters) or _column(letters) if letters else col + 1
        cols.append(col)
        starts.append(match.start())
    return cols, starts


_COLUMNS: dict[bytes, int] = {}


def _column(letters: bytes) -> int:
    _COLUMNS[letters] = number = column_number(letters.decode())
    return number


def _last_col(row: bytes, tags: Tags) -> int:
    """The column of a row's last cell: cheaply when that cell carries ``r``."""
    at = row.rfind(b"<" + tags.prefix + b"c ")
    match = tags.cell_start.match(row, at) if at > 0 else None
    if match and match.group(1) and row.find(b"<" + tags.prefix + b"c", match.end()) < 0:
        return _COLUMNS.get(match.group(1)) or _column(match.group(1))
    cols, _ = cells(row, tags)
    return cols[-1] if cols else 0


@dataclass
class Survey:
    """What the first pass learnt about a worksheet."""

    edge: int = 0  # the last used column (a cell element exists there)
    merges: list[str] = field(default_factory=list)
    arrays: list[tuple[tuple[int, int, int, int], int, int]] = field(default_factory=list)
    formula_targets: list[tuple[int, int]] = field(default_factory=list)
    styles: dict[int, dict[int, bytes | None]] = field(default_factory=dict)  # row → col → s, near targets
    row_styles: dict[int, bytes] = field(default_factory=dict)  # customFormat rows among the targets
    col_styles: list[tuple[int, int, bytes]] = field(default_factory=list)  # <col min max style>


def survey(stream: IO[bytes], tags: Tags, sheet: int, index: FormulaIndex,
           targets: dict[int, Any] | None = None) -> Survey:
    """Feed the sheet's formulas to ``index``; for the written sheet (``targets``: row →
    columns written) also learn its edge, merges, array formulas and the styles around."""
    found = Survey()
    tail = []
    for kind, number, data in split(stream, tags):
        if kind == ROW:
            wanted = targets is not None and number in targets
            formulas = [m.start() for m in tags.has_formula.finditer(data)]
            if wanted or formulas:
                cols, starts = cells(data, tags)
                for at in formulas:
                    spot = bisect_right(starts, at) - 1
                    match = tags.cell.match(data, starts[spot]) if spot >= 0 else None
                    if match and match.end() > at:  # the <f> is inside this cell
                        _formula(match, sheet, number, cols[spot], tags, index, found, targets)
                if wanted:
                    for col in {col for target in targets[number] for col in (target, target - 1)}:
                        spot = bisect_left(cols, col)
                        if spot < len(cols) and cols[spot] == col:
                            tag = data[starts[spot]:data.find(b">", starts[spot])]
                            found.styles.setdefault(number, {})[col] = attributes(tag).get(b"s")
                    row_tag = attributes(data[:data.find(b">")])
                    if row_tag.get(b"customFormat") in (b"1", b"true"):
                        found.row_styles[number] = row_tag.get(b"s", b"0")
                if targets is not None and cols:
                    found.edge = max(found.edge, cols[-1])
            elif targets is not None:
                found.edge = max(found.edge, _last_col(data, tags))
        elif kind == HEAD and targets is not None:
            for match in tags.col.finditer(data):
                got = attributes(match.group(1))
                if b"style" in got and b"min" in got and b"max" in got:
                    found.col_styles.append((int(got[b"min"]), int(got[b"max"]), got[b"style"]))
        elif kind == TAIL and targets is not None:
            tail.append(data)
    if targets is not None:
        found.merges = [m.decode() for m in tags.merge.findall(b"".join(tail))]
    return found


def _formula(match, sheet, row, col, tags, index, found, targets) -> None:
    formula = tags.formula.search(match.group(2))
    if formula is None:
        return
    got = attributes(formula.group(1))
    text = html.unescape(formula.group(2).decode()) if formula.group(2) else ""
    kind = got.get(b"t", b"normal")
    if targets is not None and col in targets.get(row, ()):
        found.formula_targets.append((row, col))
    if kind == b"shared" and not text:
        index.add_follower(sheet, row, col, got.get(b"si", b"").decode())
    elif kind == b"dataTable":
        index.add_opaque(sheet, row, col)
    else:
        index.add(sheet, row, col, text, got.get(b"si", b"").decode() if kind == b"shared" else None)
    area = box(got.get(b"ref", b"").decode()) if kind == b"array" else None
    if area and targets is not None:
        found.arrays.append((area, row, col))


@dataclass(frozen=True, slots=True)
class Write:
    """One cell to write: its value and the ``s`` attribute it ends with (None: no style)."""

    value: Value
    style: bytes | None


def _cell(tags: Tags, attrs: list[tuple[bytes, bytes]], value: Value, extra: bytes = b"") -> bytes:
    p = tags.prefix
    kind = value.kind
    if kind == "text":
        attrs.append((b"t", b'"inlineStr"'))
        body = b"<" + p + b'is><' + p + b't xml:space="preserve">' + value.data + b"</" + p + b"t></" + p + b"is>"
    elif kind == "clear":
        body = b""
    else:
        if kind == "bool":
            attrs.append((b"t", b'"b"'))
        body = b"<" + p + b"v>" + value.data + b"</" + p + b"v>"
    body += extra
    head = b"<" + p + b"c" + b"".join(b" " + name + b"=" + quoted for name, quoted in attrs)
    return head + (b">" + body + b"</" + p + b"c>" if body else b"/>")


def _overwrite(tags: Tags, match: re.Match[bytes], write: Write, where: str) -> bytes:
    content = match.group(2) or b""
    if tags.has_formula.search(content):
        raise BackendError(f"{where} chứa công thức; phoihop không ghi đè ô công thức.")
    attrs = [(name, quoted) for name, quoted in _ATTR.findall(match.group(1))
             if name not in (b"t", b"s", b"vm", b"cm")]
    if write.style is not None:
        attrs.insert(1 if attrs and attrs[0][0] == b"r" else 0, (b"s", b'"' + write.style + b'"'))
    ext = tags.ext.search(content)
    return _cell(tags, attrs, write.value, ext.group() if ext else b"")


def _strip(tags: Tags, match: re.Match[bytes]) -> bytes:
    """The formula cell without its cached result (and the result's type)."""
    attrs = b"".join(b" " + n + b"=" + q for n, q in _ATTR.findall(match.group(1)) if n != b"t")
    content = tags.value.sub(b"", match.group(2) or b"", count=1)
    return b"<" + tags.prefix + b"c" + attrs + b">" + content + b"</" + tags.prefix + b"c>"


def _new(tags: Tags, row: int, col: int, write: Write) -> bytes:
    attrs = [(b"r", f'"{coordinate(row, col)}"'.encode())]
    if write.style is not None:
        attrs.append((b"s", b'"' + write.style + b'"'))
    return _cell(tags, attrs, write.value)


def patch_row(data: bytes, number: int, writes: dict[int, Write], strip: set[int], tags: Tags,
              sheet: str) -> bytes:
    """One ``<row>`` with ``writes`` applied and the cached results of ``strip`` removed;
    only the cells concerned are parsed, the rest of the row is copied as it is."""
    close = data.find(b">")
    empty = data[close - 1] == 0x2F  # <row …/>
    start = data[:close - 1].rstrip() + b">" if empty else data[:close + 1]
    end = close + 1 if empty else len(data) - len(tags.row_close)
    cols, starts = cells(data, tags)
    out, last, added = [start], close + 1, []
    for col in sorted(writes.keys() | strip):
        spot = bisect_left(cols, col)
        if spot < len(cols) and cols[spot] == col:
            match = tags.cell.match(data, starts[spot])
            if col in writes:
                where = f'Ô {coordinate(number, col)} của trang tính "{sheet}"'
                replacement = _overwrite(tags, match, writes[col], where)
            else:
                replacement = _strip(tags, match)
            out += [data[last:match.start()], replacement]
            last = match.end()
        elif col in writes and writes[col].value.kind != "clear":
            at = starts[spot] if spot < len(cols) else end
            out += [data[last:at], _new(tags, number, col, writes[col])]
            last = at
            added.append(col)
    if empty and not added:
        return data
    if added:
        out[0] = _widen_spans(start, added)
    out.append(data[last:end])
    return b"".join(out) + tags.row_close


def _widen_spans(start: bytes, added: list[int]) -> bytes:
    match = re.search(rb"""(\sspans\s*=\s*["'])([0-9: ]+)(["'])""", start)
    if not match:
        return start
    numbers = [int(n) for n in re.findall(rb"[0-9]+", match.group(2))] + added
    spans = f"{min(numbers)}:{max(numbers)}".encode()
    return start[:match.start(2)] + spans + start[match.end(2):]


def _new_row(tags: Tags, number: int, writes: dict[int, Write]) -> bytes:
    body = b"".join(_new(tags, number, col, writes[col]) for col in sorted(writes)
                    if writes[col].value.kind != "clear")
    return b"<" + tags.prefix + f'row r="{number}">'.encode() + body + tags.row_close if body else b""


def _grow_dimension(head: bytes, tags: Tags, area: tuple[int, int, int, int] | None) -> bytes:
    found = tags.dimension.search(head)
    old = box(found.group(2).decode()) if found else None
    if area is None or old is None:
        return head
    r1, c1, r2, c2 = (min(old[0], area[0]), min(old[1], area[1]), max(old[2], area[2]), max(old[3], area[3]))
    if (r1, c1, r2, c2) == old:
        return head
    ref = f"{coordinate(r1, c1)}:{coordinate(r2, c2)}".encode()
    return head[:found.start(2)] + ref + head[found.end(2):]


def rewrite(stream: IO[bytes], out: IO[bytes], tags: Tags, sheet: str,
            writes: dict[int, dict[int, Write]], strip: dict[int, set[int]],
            tail: Callable[[bytes], bytes] | None = None) -> None:
    """Copy the worksheet part from ``stream`` to ``out`` with ``writes`` ({row: {col: Write}})
    applied, missing rows and cells inserted in order, and the cached results of the formula
    cells in ``strip`` ({row: {col}}) removed. ``tail``, when given, patches what follows
    ``</sheetData>`` (validations, the comments' drawing), read whole."""
    tails: list[bytes] = []
    area = None
    for row, cols in writes.items():
        placed = [col for col, write in cols.items() if write.value.kind != "clear"]
        if placed:
            low, high = min(placed), max(placed)
            area = (row, low, row, high) if area is None else (
                min(area[0], row), min(area[1], low), max(area[2], row), max(area[3], high))
    new_rows = deque(sorted(writes))
    opened_empty = False
    for kind, number, data in split(stream, tags):
        if kind == HEAD:
            data = _grow_dimension(data, tags, area)
        elif kind == OPEN and data.endswith(b"/>") and area:
            data, opened_empty = data[:-2].rstrip() + b">", True
        elif kind == ROW:
            while new_rows and new_rows[0] < number:
                row = new_rows.popleft()
                out.write(_new_row(tags, row, writes[row]))
            if new_rows and new_rows[0] == number:
                new_rows.popleft()
            if number in writes or number in strip:
                data = patch_row(data, number, writes.get(number, {}), strip.get(number, set()), tags, sheet)
        elif kind == CLOSE:
            out.write(b"".join(_new_row(tags, row, writes[row]) for row in new_rows))
            new_rows.clear()
            if opened_empty:
                data = b"</" + tags.prefix + b"sheetData>"
        elif kind == TAIL and tail is not None:
            tails.append(data)
            continue
        out.write(data)
    if tail is not None:
        out.write(tail(b"".join(tails)))
