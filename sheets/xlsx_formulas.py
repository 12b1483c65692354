"""Which formulas of a workbook may depend on the cells phoihop writes.

A formula's cached result (``<v>``) is what every reader shows until Excel or LibreOffice
recalculates. When phoihop changes a cell, the results of the formulas that may depend on
it are stale: they must be dropped (then a reader knows it has no result) rather than
kept (then a reader takes an old number for the truth). A formula whose inputs were not
written keeps its result byte for byte.

References are read from the formula text: ``A1``, ``$A$1:B5``, ``A:A``, ``3:5``,
``'Sheet name'!A1``, shared formulas (``t="shared"``, the master's references shifted to
each follower) and defined names whose definition is itself such a reference. Anything
that cannot be pinned down this way — ``INDIRECT``, ``OFFSET``, structured table
references, 3-D and external references, names with relative references, a ``:`` between
non-references — counts as "may depend on anything".

Dependencies are transitive (a formula over a stale formula is stale too), across sheets.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

MAX_ROW, MAX_COL = 1_048_576, 16_384
_MAX_NAME_DEPTH = 16

#: One token of a formula; text literals are skipped whole so that nothing inside them counts.
_TOKEN = re.compile(r"""
    (?P<text>"(?:[^"]|"")*")
  | (?P<sheet>'(?:[^']|'')+'!|[\w.]+(?::[\w.]+)?!)
  | (?P<ref>(?:\$?[A-Za-z]{1,3}\$?[0-9]+(?::\$?[A-Za-z]{1,3}\$?[0-9]+)?
            |\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}
            |\$?[0-9]+:\$?[0-9]+)(?![\w.(\[!]))
  | (?P<error>\#[A-Za-z0-9/_]+[!?]?)
  | (?P<name>(?:[^\W\d]|\\)[\w.?\\]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[Ee][+-]?[0-9]+)?|\.[0-9]+)
  | (?P<other>.)
""", re.X | re.S)
_PART = re.compile(r"(\$?)([A-Za-z]*)(\$?)([0-9]*)")
_OPAQUE_FUNCTIONS = {"INDIRECT", "OFFSET", "EVALUATE", "GETPIVOTDATA"}
_LITERALS = {"TRUE", "FALSE"}

# A reference: (sheet index, row1, col1, row2, col2, fixed) with 1-based inclusive bounds;
# ``fixed`` has a bit per coordinate that does not move when a shared formula is copied:
# 1 row1, 2 col1, 4 row2, 8 col2.
Ref = tuple[int, int, int, int, int, int]


class _Opaque(Exception):
    """The formula uses something whose cells cannot be known from its text."""


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _corner(text: str) -> tuple[int | None, int | None, int]:
    """``$B$3`` → (row 3, col 2, fixed bits {row: 1, col: 2}); a missing part is None."""
    lead, letters, middle, digits = _PART.fullmatch(text).groups()  # type: ignore[union-attr]
    # In "$B$3" the first "$" fixes the column and the second the row; in "$3" it fixes the row.
    row_fixed = middle if letters else lead
    col_fixed = lead if letters else ""
    fixed = (1 if row_fixed else 0) | (2 if col_fixed else 0)
    return int(digits) if digits else None, column_number(letters) if letters else None, fixed


def _range(sheet: int, text: str) -> Ref:
    first, _, last = text.partition(":")
    r1, c1, f1 = _corner(first)
    r2, c2, f2 = _corner(last) if last else (r1, c1, f1)
    fixed = f1 | f2 << 2
    if r1 is None:  # whole columns: rows never move
        r1, r2, fixed = 1, MAX_ROW, fixed | 5
    if c1 is None:  # whole rows
        c1, c2, fixed = 1, MAX_COL, fixed | 10
    if r1 > MAX_ROW or r2 > MAX_ROW or c1 > MAX_COL or c2 > MAX_COL:
        raise _Opaque(text)  # not a cell reference after all (a name like "ABC1234567")
    return sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2), fixed


class FormulaIndex:
    """Formulas of one workbook, added while its sheets are streamed; then :meth:`stale`.

    ``sheets``: sheet names in workbook order (their indexes identify sheets).
    ``names``: defined names as ``{name: [definition, ...]}`` (all scopes together).
    """

    def __init__(self, sheets: list[str], names: dict[str, list[str]] | None = None) -> None:
        self._sheets = {name.casefold(): index for index, name in enumerate(sheets)}
        self._names = {name.upper(): texts for name, texts in (names or {}).items()}
        self._formulas: list[tuple[int, int, int, object]] = []  # (sheet, row, col, refs | key)
        self._masters: dict[tuple[int, str], tuple[int, int, list[Ref] | None]] = {}
        self._parse = lru_cache(maxsize=4096)(self._refs)
        self._name_refs = lru_cache(maxsize=None)(self._resolve_name)

    def add(self, sheet: int, row: int, col: int, text: str, shared: str | None = None) -> None:
        """A formula cell; ``shared`` is the ``si`` of a shared formula's master."""
        refs = self._parse(text, sheet)
        if shared is not None:
            self._masters[sheet, shared] = (row, col, refs)
        self._formulas.append((sheet, row, col, refs))

    def add_opaque(self, sheet: int, row: int, col: int) -> None:
        """A formula whose inputs cannot be read from its text (a data table)."""
        self._formulas.append((sheet, row, col, None))

    def add_follower(self, sheet: int, row: int, col: int, shared: str) -> None:
        """A cell of a shared formula that carries only its ``si``."""
        self._formulas.append((sheet, row, col, (sheet, shared)))

    def __len__(self) -> int:
        return len(self._formulas)

    def _refs(self, text: str, sheet: int | None) -> list[Ref] | None:
        """The references of a formula written in ``sheet`` (None: in a defined name)."""
        try:
            return self._scan(text, sheet, 0)
        except _Opaque:
            return None

    def _scan(self, text: str, own: int | None, depth: int) -> list[Ref]:
        refs: list[Ref] = []
        qualifier: int | None | bool = False  # False: none pending; None: a sheet not in this book
        previous = ""
        for match in _TOKEN.finditer(text):
            kind, token = match.lastgroup, match.group()
            if kind == "sheet":
                name = token[:-1]
                if name.startswith("'"):
                    name = name[1:-1].replace("''", "'")
                if ":" in name or name.startswith("["):
                    raise _Opaque(token)  # 3-D or external reference
                qualifier = self._sheets.get(name.casefold())
                previous = kind
                continue
            if kind == "ref":
                sheet = own if qualifier is False else qualifier
                if qualifier is False and own is None:
                    raise _Opaque(token)  # an unqualified reference inside a defined name
                if sheet is not None:
                    refs.append(_range(sheet, token))
            elif kind == "name":
                following = text[match.end():match.end() + 1]
                upper = token.upper()
                if following == "(":
                    if upper.rsplit(".", 1)[-1] in _OPAQUE_FUNCTIONS:
                        raise _Opaque(token)
                elif following == "[" or qualifier is not False:
                    raise _Opaque(token)  # structured reference, sheet-scoped name
                elif upper not in _LITERALS:
                    refs.extend(self._name(upper, depth))
            elif kind == "other":
                if token == ":" or (token == "#" and previous == "ref") or token == "[":
                    raise _Opaque(token)  # range of computed ends, spill range, external book
            if kind != "other" or not token.isspace():
                previous = kind
            if kind != "sheet":
                qualifier = False
        return refs

    def _name(self, upper: str, depth: int) -> list[Ref]:
        if depth >= _MAX_NAME_DEPTH or upper not in self._names:
            raise _Opaque(upper)  # unknown (e.g. a LET variable) or nested too deep
        refs = self._name_refs(upper, depth)
        if refs is None:
            raise _Opaque(upper)
        return refs

    def _resolve_name(self, upper: str, depth: int) -> list[Ref] | None:
        refs: list[Ref] = []
        try:
            for text in self._names[upper]:
                for ref in self._scan(text.lstrip("="), None, depth + 1):
                    if ref[5] != 15:
                        raise _Opaque(text)  # relative to the cell that uses the name
                    refs.append(ref)
        except _Opaque:
            return None
        return refs

    def stale(self, written: dict[int, Iterable[tuple[int, int]]]) -> dict[int, set[tuple[int, int]]]:
        """Formula cells ``{sheet: {(row, col)}}`` whose result may change when the cells
        ``written`` (``{sheet: [(row, col)]}``) change, directly or through other formulas."""
        dirty: dict[int, dict[int, bytearray]] = {}

        def mark(sheet: int, row: int, col: int) -> None:
            rows = dirty.setdefault(sheet, {}).setdefault(col, bytearray())
            if len(rows) <= row:
                rows.extend(bytes(row + 1 - len(rows)))
            rows[row] = 1

        def hit(ref: Ref) -> bool:
            sheet, r1, c1, r2, c2, _ = ref
            return any(c1 <= col <= c2 and rows.find(1, r1, r2 + 1) >= 0
                       for col, rows in dirty.get(sheet, {}).items())

        for sheet, cells in written.items():
            for row, col in cells:
                mark(sheet, row, col)
        found: dict[int, set[tuple[int, int]]] = {}
        pending = list(range(len(self._formulas)))
        while pending:
            rest = []
            for index in pending:
                sheet, row, col, refs = self._formulas[index]
                if isinstance(refs, tuple):
                    refs = self._shifted(refs, row, col)
                if refs is None or any(hit(ref) for ref in refs):
                    mark(sheet, row, col)
                    found.setdefault(sheet, set()).add((row, col))
                else:
                    rest.append(index)
            if len(rest) == len(pending):
                break
            pending = rest
        return found

    def _shifted(self, key: tuple[int, str], row: int, col: int) -> list[Ref] | None:
        master = self._masters.get(key)
        if master is None or master[2] is None:
            return None
        r0, c0, refs = master
        dr, dc = row - r0, col - c0
        return [(s, r1 if f & 1 else min(max(r1 + dr, 1), MAX_ROW), c1 if f & 2 else min(max(c1 + dc, 1), MAX_COL),
                 r2 if f & 4 else min(max(r2 + dr, 1), MAX_ROW), c2 if f & 8 else min(max(c2 + dc, 1), MAX_COL), f)
                for s, r1, c1, r2, c2, f in refs]
