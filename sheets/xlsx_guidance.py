"""A :class:`~sheets.guidance.Guidance` written into an ``.xlsx`` package, patched in place.

Called by :func:`sheets.xlsx_write.write_cells` in the same save as the cells; every other
byte of the office's file stays as it was.

- **Validations** live in the worksheet's ``<dataValidations>`` (after ``</sheetData>``).
  Ours carry ``promptTitle`` starting with ``phoihop``; they are replaced as a whole, the
  office's own are kept byte for byte, and a column the office already validates keeps
  the office's rule (ours is not added over it). Every rule is ``errorStyle="warning"``:
  Excel warns, the office may still type an alias, which the sync reads and reports.
  A list longer than Excel's 255 characters, or with a label holding a comma or a quote,
  is written to the hidden worksheet :data:`LISTS_SHEET` (one column per list) and
  referenced from there.
- **Comments** (legacy comments part + VML drawing, what every Excel and LibreOffice
  shows as a note) on the cells in error: ours are by author :data:`~sheets.guidance.AUTHOR`
  and their shapes' ids start with ``phoihop_``; the office's comments and shapes are kept
  as they were, and a cell that has the office's comment gets none of ours.
- **Owned cells** (``Mã``, status, computed) get a light grey fill and a locked cell
  format (:meth:`sheets.xlsx_package.Styles.owned_style`) as phoihop writes them; sheet
  protection itself is never switched on or off.
"""
from __future__ import annotations

import html
import posixpath
import re
from typing import Iterable

from sheets.guidance import AUTHOR, LIST_LIMIT, Guidance, Rule
from sheets.xlsx_formulas import MAX_ROW
from sheets.xlsx_sheetxml import attributes, box, coordinate

LISTS_SHEET = "phoihop_danh_sach"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
COMMENTS_TYPE = REL_NS + b"/comments"
VML_TYPE = REL_NS + b"/vmlDrawing"
COMMENTS_CONTENT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CONTENT = b"application/vnd.openxmlformats-officedocument.vmlDrawing"
#: Elements that follow ``dataValidations`` / ``legacyDrawing`` in a worksheet (CT_Worksheet order).
AFTER_VALIDATIONS = (b"hyperlinks", b"printOptions", b"pageMargins", b"pageSetup", b"headerFooter", b"rowBreaks",
                     b"colBreaks", b"customProperties", b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing",
                     b"legacyDrawing", b"legacyDrawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                     b"tableParts", b"extLst")
AFTER_LEGACY_DRAWING = (b"legacyDrawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                        b"tableParts", b"extLst")


def _esc(text: str) -> bytes:
    return html.escape(text, quote=True).encode()


def in_lists_sheet(rule: Rule) -> bool:
    """Whether a list cannot be typed inline into the validation."""
    return len(rule.list_text) > LIST_LIMIT or any("," in v or '"' in v for v in rule.values)


def _title(header: str) -> str:
    return f"{AUTHOR}: {header}"[:32]  # Excel's limit for promptTitle


# -- validations -------------------------------------------------------------------------


def list_refs(rules: Iterable[Rule]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """For each list rule kept in :data:`LISTS_SHEET`: its column → (reference, labels)."""
    refs = {}
    for number, rule in enumerate(r for r in rules if r.kind == "list" and in_lists_sheet(r)):
        letter = coordinate(1, number + 1)[:-1]
        refs[rule.col] = (f"'{LISTS_SHEET}'!${letter}$1:${letter}${max(1, len(rule.values))}", rule.values)
    return refs


def lists_sheet_xml(refs: dict[int, tuple[str, tuple[str, ...]]]) -> bytes:
    """The hidden lists worksheet: one column per list, one label per row."""
    columns = list(refs.values())
    height = max((len(values) for _, values in columns), default=0)
    rows = []
    for r in range(height):
        cells = b"".join(b'<c r="' + coordinate(r + 1, c + 1).encode() + b'" t="inlineStr"><is><t xml:space="preserve">'
                         + html.escape(values[r], quote=False).encode() + b"</t></is></c>"
                         for c, (_, values) in enumerate(columns) if r < len(values))
        rows.append(b'<row r="' + str(r + 1).encode() + b'">' + cells + b"</row>")
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="' + MAIN_NS
            + b'"><sheetData>' + b"".join(rows) + b"</sheetData></worksheet>")


def rule_xml(rule: Rule, prefix: bytes, ref: str | None) -> bytes:
    p = prefix
    sqref = f"{coordinate(rule.first_row + 1, rule.col + 1)}:{coordinate(MAX_ROW, rule.col + 1)}"
    common = (b' allowBlank="1" showInputMessage="1" showErrorMessage="1" errorStyle="warning" promptTitle="'
              + _esc(_title(rule.header)) + b'" prompt="' + _esc(rule.message[:255]) + b'" sqref="' + sqref.encode() + b'"')
    if rule.kind == "list":
        formula = ref if ref is not None else '"' + rule.list_text + '"'
        head, formula1 = b'type="list"', formula
    elif rule.kind == "date":
        head, formula1 = b'type="date" operator="greaterThanOrEqual"', "1"
    else:
        head, formula1 = b'type="decimal" operator="greaterThanOrEqual"', "0"
    return (b"<" + p + b"dataValidation " + head + common + b"><" + p + b"formula1>"
            + html.escape(formula1, quote=False).encode() + b"</" + p + b"formula1></" + p + b"dataValidation>")


def _element(prefix: bytes, name: bytes) -> re.Pattern[bytes]:
    p = re.escape(prefix)
    return re.compile(rb"<" + p + name + rb"(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + name + rb">)", re.S)


def _insert(tail: bytes, prefix: bytes, element: bytes, before: tuple[bytes, ...]) -> bytes:
    """``element`` placed in a worksheet's tail before the first of ``before``, else before
    ``</worksheet>``."""
    p = re.escape(prefix)
    found = re.search(rb"<" + p + rb"(?:" + b"|".join(before) + rb")(?=[\s/>])|</" + p + rb"worksheet>", tail)
    at = found.start() if found else len(tail)
    return tail[:at] + element + tail[at:]


def is_ours(validation: bytes) -> bool:
    head = attributes(validation[:validation.find(b">")])
    return html.unescape(head.get(b"promptTitle", b"").decode()).startswith(AUTHOR)


def patch_validations(tail: bytes, prefix: bytes, rules: tuple[Rule, ...],
                      refs: dict[int, tuple[str, tuple[str, ...]]]) -> bytes:
    """The worksheet's tail with our validations replaced by ``rules``."""
    p = prefix
    block_pattern = _element(p, b"dataValidations")
    block = block_pattern.search(tail)
    kept = [v for v in _element(p, b"dataValidation").findall(block.group()) if not is_ours(v)] if block else []
    taken = []
    for validation in kept:
        sqref = attributes(validation[:validation.find(b">")]).get(b"sqref", b"").decode()
        taken += [area for part in sqref.split() if (area := box(part))]
    ours = [rule_xml(rule, p, refs.get(rule.col, (None,))[0]) for rule in rules
            if not any(c1 <= rule.col + 1 <= c2 and r2 > rule.first_row for _, c1, r2, c2 in taken)]
    items = kept + ours
    element = (b"<" + p + b'dataValidations count="' + str(len(items)).encode() + b'">' + b"".join(items)
               + b"</" + p + b"dataValidations>") if items else b""
    if block:
        return tail[:block.start()] + element + tail[block.end():]
    return _insert(tail, p, element, AFTER_VALIDATIONS) if element else tail


# -- comments ----------------------------------------------------------------------------


def comment_parts(related: list[tuple[str, str, str]]) -> tuple[str | None, str | None, str | None]:
    """The sheet's comments part, VML drawing part and the VML relationship's id."""
    comments = next((target for kind, target, _ in related if kind == "comments"), None)
    vml = next(((target, rel_id) for kind, target, rel_id in related if kind == "vmlDrawing"), (None, None))
    return comments, vml[0], vml[1]


def current_notes(comments_xml: bytes | None) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
    """Our comments (0-based cell → text) and the cells holding the office's."""
    ours, theirs = {}, set()
    if not comments_xml:
        return ours, theirs
    authors = [html.unescape(a.decode()) for a in re.findall(rb"<(?:\w+:)?author>(.*?)</(?:\w+:)?author>", comments_xml, re.S)]
    for match in re.finditer(rb"<(?:\w+:)?comment(?=[\s>])([^>]*)>(.*?)</(?:\w+:)?comment>", comments_xml, re.S):
        got = attributes(match.group(1))
        area = box(got.get(b"ref", b"").decode())
        if area is None:
            continue
        cell = (area[0] - 1, area[1] - 1)
        author = int(got.get(b"authorId", b"0") or 0)
        if author < len(authors) and authors[author] == AUTHOR:
            texts = re.findall(rb"<(?:\w+:)?t(?=[\s>])[^>]*>(.*?)</(?:\w+:)?t>", match.group(2), re.S)
            ours[cell] = html.unescape(b"".join(texts).decode())
        else:
            theirs.add(cell)
    return ours, theirs


def notes_to_write(wanted: dict[tuple[int, int], str], theirs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    return {cell: text for cell, text in wanted.items() if cell not in theirs}


def comments_xml(existing: bytes | None, notes: dict[tuple[int, int], str]) -> bytes:
    """The comments part with our comments replaced by ``notes`` (the office's kept)."""
    if existing:
        authors_block = re.search(rb"<(\w+:)?authors(?=[\s/>])[^>]*?(?:/>|>(.*?)</\1?authors>)", existing, re.S)
        prefix = authors_block.group(1) or b"" if authors_block else b""
        authors = re.findall(rb"<(?:\w+:)?author>(.*?)</(?:\w+:)?author>", authors_block.group(2) or b"", re.S) \
            if authors_block else []
        names = [html.unescape(a.decode()) for a in authors]
        ours = names.index(AUTHOR) if AUTHOR in names else None
        kept = [m.group() for m in re.finditer(rb"<(?:\w+:)?comment(?=[\s>])([^>]*)>.*?</(?:\w+:)?comment>", existing, re.S)
                if ours is None or int(attributes(m.group(1)).get(b"authorId", b"0") or 0) != ours]
        root = re.search(rb"<(\w+:)?comments(?=[\s>])[^>]*>", existing)
        head = existing[:root.end()]
    else:
        prefix, authors, ours, kept = b"", [], None, []
        head = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="' + MAIN_NS + b'">'
    p = prefix
    if ours is None:
        ours = len(authors)
        authors = [*authors, _esc(AUTHOR)]
    mine = [b"<" + p + b'comment ref="' + coordinate(r + 1, c + 1).encode() + b'" authorId="' + str(ours).encode()
            + b'"><' + p + b'text><' + p + b't xml:space="preserve">' + html.escape(text, quote=False).encode()
            + b"</" + p + b"t></" + p + b"text></" + p + b"comment>" for (r, c), text in sorted(notes.items())]
    comment_key = re.compile(rb'ref="([A-Z]+)([0-9]+)"')

    def order(item: bytes) -> tuple[int, int]:  # Excel lists comments row by row
        found = comment_key.search(item)
        area = box(found.group(1).decode() + found.group(2).decode()) if found else None
        return (area[0], area[1]) if area else (0, 0)

    entries = sorted(kept + mine, key=order)
    return (head + b"<" + p + b"authors>" + b"".join(b"<" + p + b"author>" + a + b"</" + p + b"author>" for a in authors)
            + b"</" + p + b"authors><" + p + b"commentList>" + b"".join(entries) + b"</" + p + b"commentList></"
            + p + b"comments>")


_VML_HEAD = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             b'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
             b'data="1"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
             b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
             b'o:connecttype="rect"/></v:shapetype>')
_OUR_SHAPE = re.compile(rb'<v:shape(?=[\s>])[^>]*?\sid="phoihop_[^"]*".*?</v:shape>', re.S)


def vml_xml(existing: bytes | None, notes: dict[tuple[int, int], str]) -> bytes:
    """The VML drawing with our note shapes replaced (the office's shapes kept)."""
    body = _OUR_SHAPE.sub(b"", existing) if existing else _VML_HEAD + b"</xml>"
    shapes = b"".join(
        b'<v:shape id="phoihop_' + f"{r}_{c}".encode() + b'" type="#_x0000_t202" style="position:absolute;'
        b'margin-left:80pt;margin-top:2pt;width:180pt;height:80pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
        b'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
        b'</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>'
        + f"{c + 1}, 15, {r}, 2, {c + 3}, 15, {r + 4}, 16".encode() + b"</x:Anchor><x:AutoFill>False"
        b"</x:AutoFill><x:Row>" + str(r).encode() + b"</x:Row><x:Column>" + str(c).encode()
        + b"</x:Column></x:ClientData></v:shape>" for r, c in sorted(notes))
    at = body.rindex(b"</xml>")
    return body[:at] + shapes + body[at:]


def sheet_rels_xml(existing: bytes | None, additions: list[tuple[str, bytes, str]]) -> bytes:
    """The sheet's relationships with ``(id, type, target)`` added."""
    entries = b"".join(b'<Relationship Id="' + rel_id.encode() + b'" Type="' + kind + b'" Target="' + target.encode() + b'"/>'
                       for rel_id, kind, target in additions)
    if existing is None:
        return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="'
                b'http://schemas.openxmlformats.org/package/2006/relationships">' + entries + b"</Relationships>")
    at = existing.rindex(b"</Relationships>")
    return existing[:at] + entries + existing[at:]


def content_types_xml(types: bytes, comments_part: str | None) -> bytes:
    """``[Content_Types].xml`` knowing ``.vml`` and the comments part."""
    at = types.rindex(b"</Types>")
    add = b""
    if not re.search(rb"""Extension=["']vml["']""", types, re.I):
        add += b'<Default Extension="vml" ContentType="' + VML_CONTENT + b'"/>'
    if comments_part and ("/" + comments_part).encode() not in types:
        add += b'<Override PartName="/' + comments_part.encode() + b'" ContentType="' + COMMENTS_CONTENT + b'"/>'
    return types[:at] + add + types[at:] if add else types


def legacy_drawing(tail: bytes, prefix: bytes, rel_id: str) -> bytes:
    """The tail with ``<legacyDrawing r:id=…/>`` (when it has none)."""
    if re.search(rb"<" + re.escape(prefix) + rb"legacyDrawing(?=[\s/>])", tail):
        return tail
    element = (b"<" + prefix + b'legacyDrawing xmlns:r="' + REL_NS + b'" r:id="' + rel_id.encode() + b'"/>')
    return _insert(tail, prefix, element, AFTER_LEGACY_DRAWING)


def free_part(taken: set[str], folder: str, stem: str, extension: str) -> str:
    number = next(n for n in range(1, 100_000) if f"{folder}/{stem}{n}.{extension}".lower() not in taken)
    return f"{folder}/{stem}{number}.{extension}"


def relative(from_part: str, to_part: str) -> str:
    return posixpath.relpath(to_part, posixpath.dirname(from_part))


def changes_anything(guidance: Guidance, ours: dict[tuple[int, int], str], theirs: set[tuple[int, int]]) -> bool:
    """Whether writing ``guidance`` changes the package (cells aside)."""
    return guidance.send_rules or notes_to_write(guidance.notes, theirs) != ours
