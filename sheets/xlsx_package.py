"""Parts of an ``.xlsx`` package, patched at the byte level; every other byte is kept.

:class:`Package` finds the parts (``workbook.xml`` through the package relationships,
each sheet through ``workbook.xml.rels``, never by assuming ``sheetN.xml``);
:func:`copy_package` writes a new package member by member. The small part patches live
here too: ``fullCalcOnLoad`` in ``workbook.xml``, a date format in ``styles.xml``, and a
new worksheet (:func:`add_sheet`).
"""
from __future__ import annotations

import html
import posixpath
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import IO, Callable
from xml.etree import ElementTree

from sheets.backend import BackendError
from sheets.xlsx_sheetxml import CHUNK, Tags, attributes

DATE_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}
#: The fill of the cells phoihop writes in its own columns (Mã, status, computed): light grey.
OWN_FILL = b'<PpatternFill patternType="solid"><PfgColor rgb="FFE7E6E6"/><PbgColor indexed="64"/></PpatternFill>'
_AFTER_CALC_PR = (b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr", b"smartTagTypes",
                  b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Package:
    """An ``.xlsx`` opened for patching: where its parts are, and its sheets in order."""

    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BackendError(f'Không mở được tệp "{path}" (không phải tệp .xlsx hợp lệ?): {exc}') from exc
        try:
            self._members = {name.lower(): name for name in self.zip.namelist()}
            self.workbook = next(target for kind, target, _ in self._related("") if kind == "officeDocument")
            self.workbook_xml = self.read(self.workbook)
            rels = self._related(self.workbook)
            root = ElementTree.fromstring(self.workbook_xml)
        except (KeyError, StopIteration, ElementTree.ParseError) as exc:
            self.zip.close()
            raise BackendError(f'Không mở được tệp "{path}" (không phải tệp .xlsx hợp lệ?): {exc}') from exc
        by_id = {rel_id: (kind, target) for kind, target, rel_id in rels}
        self.sheets: list[tuple[str, str | None]] = []  # (name, worksheet part or None for a chart sheet)
        self.names: dict[str, list[str]] = {}
        self.date1904 = False
        for element in root.iter():
            tag = _local(element.tag)
            if tag == "sheet":
                rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                kind, target = by_id.get(rel_id, ("", None))
                self.sheets.append((element.get("name", ""), target if kind == "worksheet" else None))
            elif tag == "definedName" and element.text:
                self.names.setdefault(element.get("name", ""), []).append(element.text)
            elif tag == "workbookPr":
                self.date1904 = element.get("date1904", "").lower() in ("1", "true")
        self.styles = next((target for kind, target, _ in rels if kind == "styles"), None)
        self.rels = rels

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _ in self.sheets]

    def member(self, part: str) -> str:
        try:
            return self._members[part.lower()]
        except KeyError:
            raise BackendError(f'Tệp "{self.zip.filename}" hỏng: thiếu phần {part}.') from None

    def read(self, part: str) -> bytes:
        return self.zip.read(self.member(part))

    def open(self, part: str) -> IO[bytes]:
        return self.zip.open(self.member(part))

    def tags(self, part: str) -> Tags:
        with self.open(part) as stream:
            return Tags.of(stream.read(4096))

    def rels_part(self, part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def related(self, part: str) -> list[tuple[str, str, str]]:
        """Like :meth:`_related`, for a part that may have no relationships part (``[]``)."""
        if self.rels_part(part).lower() not in self._members:
            return []
        return self._related(part)

    def _related(self, part: str) -> list[tuple[str, str, str]]:
        """``(type's last word, target part, id)`` of each internal relationship of ``part``."""
        folder = posixpath.dirname(part)
        root = ElementTree.fromstring(self.read(self.rels_part(part)))
        found = []
        for rel in root:
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Type", "").rsplit("/", 1)[-1], target, rel.get("Id", "")))
        return found


def copy_package(source: zipfile.ZipFile, target: Path, replace: dict[str, bytes | Callable[[IO[bytes]], None]],
                 add: dict[str, bytes] | None = None) -> None:
    """Write ``target`` with every member of ``source`` in order: unchanged (decompressed and
    recompressed, byte-identical content), or replaced by bytes or by a streaming writer."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.compress_type, member.external_attr = info.compress_type, info.external_attr
            member.create_system, member.comment = info.create_system, info.comment
            action = replace.get(info.filename)
            if info.is_dir():
                out.writestr(member, b"")
            elif isinstance(action, bytes):
                out.writestr(member, action)
            else:
                with out.open(member, "w", force_zip64=info.file_size > 1 << 30) as stream:
                    if action is None:
                        with source.open(info) as original:
                            shutil.copyfileobj(original, stream, CHUNK)
                    else:
                        action(stream)
        for name, data in (add or {}).items():
            out.writestr(zipfile.ZipInfo(name, time.localtime()[:6]), data, zipfile.ZIP_DEFLATED)


def set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute ``name`` set to ``value`` (replaced or added)."""
    found = re.search(rb"""\s""" + name + rb"""\s*=\s*(["'])[^"']*\1""", tag)
    if found:
        return tag[:found.start()] + b" " + name + b'="' + value + b'"' + tag[found.end():]
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end].rstrip() + b" " + name + b'="' + value + b'"' + tag[end:]


def full_calc_on_load(xml: bytes) -> bytes:
    """``workbook.xml`` with ``<calcPr fullCalcOnLoad="1">`` (the element added if absent)."""
    p = re.escape(Tags.of(xml[:4096]).prefix)
    found = re.search(rb"<" + p + rb"calcPr(?=[\s/>])[^>]*>", xml)
    if found:
        return xml[:found.start()] + set_attr(found.group(), b"fullCalcOnLoad", b"1") + xml[found.end():]
    later = re.search(rb"<" + p + rb"(?:" + b"|".join(_AFTER_CALC_PR) + rb")(?=[\s/>])|</" + p + rb"workbook>", xml)
    if later is None:
        raise BackendError("Tệp hỏng: workbook.xml không có thẻ đóng.")
    prefix = Tags.of(xml[:4096]).prefix
    return xml[:later.start()] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + xml[later.start():]


class Styles:
    """Cell formats of ``styles.xml``; adds a dd/mm/yyyy format for dates in General cells."""

    def __init__(self, xml: bytes | None) -> None:
        self.xml, self.added = xml, {}
        self._new_xfs: list[bytes] = []
        self._new_formats: dict[str, int] = {}
        self._own_fill: int | None = None  # the id of OWN_FILL in <fills>
        self._new_fill = False
        if xml is None:
            return
        self.prefix = Tags.of(xml[:4096]).prefix
        p = re.escape(self.prefix)
        self._xfs_block = re.search(rb"<" + p + rb"cellXfs(?=[\s>])[^>]*>(.*?)</" + p + rb"cellXfs>", xml, re.S)
        inner = self._xfs_block.group(1) if self._xfs_block else b""
        self._xfs = re.findall(rb"<" + p + rb"xf(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"xf>)", inner, re.S)
        self._formats: dict[str, int] = {}
        self._format_tags = re.findall(rb"<" + p + rb"numFmt(?=[\s/>])[^>]*>", xml)
        for tag in self._format_tags:
            got = attributes(tag)
            if got.get(b"numFmtId", b"").isdigit():
                self._formats[html.unescape(got.get(b"formatCode", b"").decode())] = int(got[b"numFmtId"])

    def date_style(self, style: bytes | None, kind: str) -> bytes | None:
        """The ``s`` for a date of ``kind`` in a cell styled ``style``: the same unless its
        number format is General, else a copy of its format showing dd/mm/yyyy."""
        if self.xml is None:
            raise BackendError("Tệp không có bảng định dạng (styles.xml): không ghi được ngày tháng.")
        position = int(style or 0)
        if position >= len(self._xfs) or self._number_format(style) != 0:
            return style
        if (style, kind) not in self.added:
            code = DATE_FORMATS[kind]
            number = self._formats.get(code) or self._new_formats.get(code)
            if number is None:
                number = max([163, *self._formats.values(), *self._new_formats.values()]) + 1
                self._new_formats[code] = number
            base = self._xfs[position]
            end = base.index(b">") + 1
            tag = set_attr(set_attr(base[:end], b"numFmtId", str(number).encode()), b"applyNumberFormat", b"1")
            self._new_xfs.append(tag + base[end:])
            self.added[style, kind] = str(len(self._xfs) + len(self._new_xfs) - 1).encode()
        return self.added[style, kind]

    def owned_style(self, style: bytes | None) -> bytes | None:
        """The ``s`` for a cell of a column phoihop owns: ``style`` with the light grey
        :data:`OWN_FILL` and ``<protection locked="1"/>`` (a style that has them already is
        kept, so a later write adds nothing). A workbook without a ``styles.xml`` or its
        ``<fills>`` keeps the cell's style: the mark is guidance, never a reason to fail."""
        if self.xml is None:
            return style
        position = int(style or 0)
        fill = self._fill_id()
        if position >= len(self._xfs) or fill is None:
            return style
        base = self._xfs[position]
        head = attributes(base[:base.index(b">")])
        if head.get(b"fillId") == str(fill).encode() and b"protection" in base:
            return style
        if (style, "owned") not in self.added:
            end = base.index(b">") + 1
            tag = base[:end]
            for name, value in ((b"fillId", str(fill).encode()), (b"applyFill", b"1"), (b"applyProtection", b"1")):
                tag = set_attr(tag, name, value)
            p = self.prefix
            protection = b"<" + p + b'protection locked="1"/>'
            if tag.endswith(b"/>"):
                xf = tag[:-2].rstrip() + b">" + protection + b"</" + p + b"xf>"
            else:
                body = re.sub(rb"<" + re.escape(p) + rb"protection(?=[\s/>])[^>]*?(?:/>|>.*?</" + re.escape(p)
                              + rb"protection>)", b"", base[end:], flags=re.S)
                at = body.find(b"<" + p + b"extLst")
                at = body.rindex(b"</" + p + b"xf>") if at < 0 else at
                xf = tag + body[:at] + protection + body[at:]
            self._new_xfs.append(xf)
            self.added[style, "owned"] = str(len(self._xfs) + len(self._new_xfs) - 1).encode()
        return self.added[style, "owned"]

    def _fills(self) -> tuple[re.Match[bytes] | None, list[bytes]]:
        p = re.escape(self.prefix)
        block = re.search(rb"<" + p + rb"fills(?=[\s>])[^>]*>(.*?)</" + p + rb"fills>", self.xml, re.S)
        inner = block.group(1) if block else b""
        return block, re.findall(rb"<" + p + rb"fill(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"fill>)", inner, re.S)

    def _own_fill_xml(self) -> bytes:
        p = self.prefix
        inner = OWN_FILL.replace(b"<P", b"<" + p).replace(b"</P", b"</" + p)
        return b"<" + p + b"fill>" + inner + b"</" + p + b"fill>"

    def _fill_id(self) -> int | None:
        if self._own_fill is None:
            block, fills = self._fills()
            if block is None:
                return None
            mine = self._own_fill_xml()
            self._own_fill = next((n for n, fill in enumerate(fills) if fill == mine), None)
            if self._own_fill is None:
                self._own_fill, self._new_fill = len(fills), True
        return self._own_fill

    def _number_format(self, style: bytes | None) -> int:
        found = re.search(rb"""\snumFmtId\s*=\s*["']([0-9]+)""", self._xfs[int(style or 0)].split(b">", 1)[0])
        return int(found.group(1)) if found else 0

    def patched(self) -> bytes:
        xml, p = self.xml, self.prefix
        if self._new_fill:  # <fills> comes before <cellXfs>: patched first, then cellXfs found again
            block, fills = self._fills()
            opening = xml[block.start():block.start(1)]
            count = set_attr(opening, b"count", str(len(fills) + 1).encode())
            xml = xml[:block.start()] + count + block.group(1) + self._own_fill_xml() + xml[block.end(1):]
            self._xfs_block = re.search(rb"<" + re.escape(p) + rb"cellXfs(?=[\s>])[^>]*>(.*?)</" + re.escape(p)
                                        + rb"cellXfs>", xml, re.S)
        block = self._xfs_block
        opening = xml[block.start():block.start(1)]
        count = set_attr(opening, b"count", str(len(self._xfs) + len(self._new_xfs)).encode())
        xml = xml[:block.start()] + count + block.group(1) + b"".join(self._new_xfs) + xml[block.end(1):]
        if self._new_formats:
            entries = b"".join(b"<" + p + f'numFmt numFmtId="{n}" formatCode="{html.escape(c)}"/>'.encode()
                               for c, n in self._new_formats.items())
            total = str(len(self._format_tags) + len(self._new_formats)).encode()
            quoted = re.escape(p)
            found = re.search(rb"<" + quoted + rb"numFmts(?=[\s/>])[^>]*?(/?)>", xml)
            if found and not found.group(1):
                end = xml.index(b"</" + p + b"numFmts>", found.end())
                xml = xml[:found.start()] + set_attr(found.group(), b"count", total) + xml[found.end():end] + entries + xml[end:]
            else:
                element = b"<" + p + b'numFmts count="' + total + b'">' + entries + b"</" + p + b"numFmts>"
                if found:
                    xml = xml[:found.start()] + element + xml[found.end():]
                else:
                    root = re.search(rb"<" + quoted + rb"styleSheet(?=[\s>])[^>]*>", xml)
                    xml = xml[:root.end()] + element + xml[root.end():]
        return xml


# -- a new worksheet ---------------------------------------------------------------------

_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKSHEET_TYPE = _REL_NS + b"/worksheet"
_WORKSHEET_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _insert_before_close(xml: bytes, element: bytes, content: bytes) -> bytes:
    """``content`` added as the last child of the first ``element`` (any prefix)."""
    found = re.search(rb"<(\w+:)?" + element + rb"(?=[\s/>])[^>]*?(/?)>", xml)
    if found is None:
        raise BackendError(f"Tệp hỏng: không tìm thấy phần {element.decode()}.")
    if found.group(2):  # <sheets/>
        opening = found.group()[:-2].rstrip() + b">"
        closing = b"</" + (found.group(1) or b"") + element + b">"
        return xml[:found.start()] + opening + content + closing + xml[found.end():]
    end = xml.index(b"</" + (found.group(1) or b"") + element + b">", found.end())
    return xml[:end] + content + xml[end:]


def add_sheet(source: Path, target: Path, title: str) -> None:
    """Write ``target``: the workbook ``source`` with an empty worksheet ``title`` added last.

    Patches ``workbook.xml`` (``<sheets>``), its relationships, ``[Content_Types].xml`` and,
    when it lists the sheet titles in the usual way, ``docProps/app.xml``; copies the rest.
    """
    with Package(source) as package:
        replace, add = sheet_parts(package, title)
        copy_package(package.zip, target, replace, add)


def sheet_parts(package: Package, title: str, *, hidden: bool = False, content: bytes | None = None,
                workbook: bytes | None = None) -> tuple[dict[str, bytes | Callable[[IO[bytes]], None]], dict[str, bytes]]:
    """What adding a worksheet ``title`` (last; ``hidden`` from the office's tabs) changes
    in ``package``: the parts to replace and the part to add (``content``, else an empty
    sheet). ``workbook``: the ``workbook.xml`` to patch, when another patch changed it."""
    taken = {name.lower() for name in package.zip.namelist()}
    number = next(n for n in range(1, 100_000) if f"xl/worksheets/sheet{n}.xml" not in taken)
    part = f"xl/worksheets/sheet{number}.xml"
    rel_ids = {rel_id for _, _, rel_id in package.rels}
    rel_id = next(f"rId{n}" for n in range(1, 100_000) if f"rId{n}" not in rel_ids)
    workbook = package.workbook_xml if workbook is None else workbook
    prefix = Tags.of(workbook[:4096]).prefix
    main_ns = re.search(rb"""xmlns(?::\w+)?=["']([^"']*spreadsheetml/[^"']*main)["']""", workbook)
    rel_ns = re.search(rb"""xmlns:(\w+)=["']([^"']*relationships)["']""", workbook)
    rel_attr = (rel_ns.group(1) + b":id" if rel_ns else b'xmlns:r="' + _REL_NS + b'" r:id')
    sheet_ids = [int(n) for n in re.findall(rb"""<(?:\w+:)?sheet\s[^>]*?sheetId=["']([0-9]+)""", workbook)]
    name = html.escape(title, quote=True).encode()
    element = (b"<" + prefix + b'sheet name="' + name + b'" sheetId="' + str(max(sheet_ids, default=0) + 1).encode()
               + (b'" state="hidden' if hidden else b"") + b'" ' + rel_attr + b'="' + rel_id.encode() + b'"/>')
    rels_part = package.rels_part(package.workbook)
    rels = package.read(rels_part)
    kind = re.search(rb"""Type=["']([^"']*/worksheet)["']""", rels)
    relation = (b'<Relationship Id="' + rel_id.encode() + b'" Type="' + (kind.group(1) if kind else _WORKSHEET_TYPE)
                + b'" Target="' + posixpath.relpath(part, posixpath.dirname(package.workbook)).encode() + b'"/>')
    types = package.read("[Content_Types].xml")
    override = b'<Override PartName="/' + part.encode() + b'" ContentType="' + _WORKSHEET_CONTENT + b'"/>'
    replace: dict[str, bytes | Callable[[IO[bytes]], None]] = {
        package.member(package.workbook): _insert_before_close(workbook, b"sheets", element),
        package.member(rels_part): _insert_before_close(rels, b"Relationships", relation),
        package.member("[Content_Types].xml"): _insert_before_close(types, b"Types", override),
    }
    if "docprops/app.xml" in taken and not hidden:
        app = package.read("docProps/app.xml")
        patched = _app_titles(app, package.sheet_names, title)
        if patched != app:
            replace[package.member("docProps/app.xml")] = patched
    if content is None:
        content = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="'
                   + (main_ns.group(1) if main_ns else b"http://schemas.openxmlformats.org/spreadsheetml/2006/main")
                   + b'"><sheetData/></worksheet>')
    return replace, {part: content}


def _app_titles(xml: bytes, sheets: list[str], title: str) -> bytes:
    """``docProps/app.xml`` listing ``title`` after the sheets, when its heading pairs and
    titles are laid out as Excel writes them; otherwise unchanged (it is informational)."""
    pairs = re.search(rb"<(\w+:)?HeadingPairs>.*?</\1?HeadingPairs>", xml, re.S)
    titles = re.search(rb"<(\w+:)?TitlesOfParts>.*?</\1?TitlesOfParts>", xml, re.S)
    if not pairs or not titles or pairs.start() > titles.start():
        return xml
    counts = list(re.finditer(rb"<(\w+:)i4>([0-9]+)</\1i4>", pairs.group()))
    names = list(re.finditer(rb"<(\w+:)lpstr>(.*?)</\1lpstr>", titles.group(), re.S))
    offset = 0
    for count in counts:
        n = int(count.group(2))
        listed = [html.unescape(m.group(2).decode()) for m in names[offset:offset + n]]
        if n == len(sheets) and listed == sheets and n:
            last = names[offset + n - 1]
            vt = last.group(1)
            entry = b"<" + vt + b"lpstr>" + html.escape(title, quote=False).encode() + b"</" + vt + b"lpstr>"
            block = titles.group()[:last.end()] + entry + titles.group()[last.end():]
            block = re.sub(rb"""(<(?:\w+:)?vector\b[^>]*?size=["'])([0-9]+)""",
                           lambda m: m.group(1) + str(int(m.group(2)) + 1).encode(), block, count=1)
            head = pairs.group()[:count.start(2)] + str(n + 1).encode() + pairs.group()[count.end(2):]
            xml = xml[:titles.start()] + block + xml[titles.end():]
            return xml[:pairs.start()] + head + xml[pairs.end():]
        offset += n
    return xml
