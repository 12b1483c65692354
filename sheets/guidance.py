"""What phoihop wants the office's sheet to carry besides values: validations, notes, protection.

The sheet itself can prevent most bad input: a dropdown on every ``choice`` column, a date
check with a dd/mm/yyyy hint, "a number ≥ 0" on money and counts. A row error also puts a
note on the offending cell (removed once the row reads), and the columns phoihop writes
(``Mã``, the status, computed columns) are protected with a warning.

:func:`wanted` computes it from a mapping, the table that was read and the run's errors —
plain data, no I/O. The backends turn a :class:`Guidance` into requests
(:mod:`sheets.gsheets_guidance`: in the one ``batchUpdate`` a write sends) or package parts
(:mod:`sheets.xlsx_guidance`). Each backend changes only what differs from the sheet:

- **notes** are ours when they start with :data:`NOTE_PREFIX` (a comment's author is
  :data:`AUTHOR` in ``.xlsx``); a cell that carries the office's own note is left alone;
- **protections** are ours when their description starts with :data:`NOTE_PREFIX`;
- **validations** are set on the columns phoihop reads (never on others); their
  :meth:`Guidance.rules_digest` is remembered per binding, so that they are sent again
  only when a list changes (a kind added in the admin) or the table moves
  (``send_rules``), and on Google also when the write grows the grid (new rows at the
  bottom have no validation yet).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Iterable

AUTHOR = "phoihop"
NOTE_PREFIX = "phoihop: "
LIST_LIMIT = 255  # characters: Excel's limit for a list typed into a validation
NUMBER_KINDS = ("money", "int")
LIST_MESSAGE = "Chọn trong danh sách (gõ tay tên khác cũng được đọc, nhưng sẽ bị báo lỗi nếu không có trong danh sách)."
DATE_MESSAGE = "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/03/2021."
NUMBER_MESSAGE = "Nhập một số ≥ 0 (ví dụ 50.000.000 hoặc 12)."
PROTECTED_MESSAGE = "cột do phoihop ghi; sửa tay sẽ bị ghi đè ở lần đồng bộ sau"


@dataclass(frozen=True)
class Rule:
    """A validation on one column, from ``first_row`` (0-based) down to the sheet's end.

    ``kind``: ``list`` (``values`` are the canonical labels), ``date`` or ``number``
    (≥ 0). ``message`` is the Vietnamese input message shown when the cell is selected."""

    col: int
    first_row: int
    kind: str
    header: str
    values: tuple[str, ...] = ()
    message: str = ""

    @property
    def list_text(self) -> str:
        """The list as Excel holds it inline: labels joined by commas."""
        return ",".join(self.values)


@dataclass(frozen=True)
class Protected:
    """A column phoihop writes, protected from ``first_row`` (0-based, its header) down."""

    col: int
    first_row: int
    header: str

    @property
    def description(self) -> str:
        return f"{NOTE_PREFIX}{self.header} — {PROTECTED_MESSAGE}"


@dataclass(frozen=True)
class Guidance:
    """Everything phoihop wants on a worksheet besides cell values (0-based positions).

    ``send_rules``: whether the validations must be (re)sent; when false the sheet's
    validations are left as they are. ``notes``: cell → text (with :data:`NOTE_PREFIX`)
    for every cell in error; any note of ours elsewhere is removed."""

    rules: tuple[Rule, ...] = ()
    notes: dict = field(default_factory=dict)
    protected: tuple[Protected, ...] = ()
    send_rules: bool = True

    def rules_digest(self) -> str:
        """A digest of the rules: remembered once they reached the sheet."""
        return digest(self.rules)

    def rules_unchanged(self) -> Guidance:
        """The same guidance, its validations known to be on the sheet already."""
        return replace(self, send_rules=False)


def digest(rules: Iterable[Rule]) -> str:
    text = repr(sorted((r.col, r.first_row, r.kind, r.values, r.message) for r in rules))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def note_text(messages: Iterable[str]) -> str:
    """Our note on a cell: its messages, marked as ours."""
    return NOTE_PREFIX + "\n".join(dict.fromkeys(messages))


def is_ours(note: str | None) -> bool:
    return bool(note) and note.startswith(NOTE_PREFIX)


def rules_for(mapping, columns: dict[str, int], first_row: int) -> tuple[Rule, ...]:
    """The validations of the columns present (``columns``: field → 0-based column)."""
    rules = []
    for column in mapping.columns:
        col = columns.get(column.field)
        if col is None or column.computed:
            continue
        if column.kind == "choice":
            rules.append(Rule(col, first_row, "list", column.header, tuple(column.choices), LIST_MESSAGE))
        elif column.kind == "date":
            rules.append(Rule(col, first_row, "date", column.header, message=DATE_MESSAGE))
        elif column.kind in NUMBER_KINDS:
            rules.append(Rule(col, first_row, "number", column.header, message=NUMBER_MESSAGE))
    return tuple(sorted(rules, key=lambda r: r.col))


def protected_for(mapping, table) -> tuple[Protected, ...]:
    """``Mã``, the status column and every computed column, from the header row down."""
    from sheets.mapping import KEY_HEADER, STATUS_HEADER

    found = {table.key_col: KEY_HEADER, table.status_col: STATUS_HEADER}
    for column in mapping.columns:
        if column.computed and column.field in table.columns:
            found[table.columns[column.field]] = table.headers.get(column.field, column.header)
    return tuple(Protected(col, table.header_top, header) for col, header in sorted(found.items()))


def notes_for(table, errors: Iterable[dict]) -> dict[tuple[int, int], str]:
    """A note for each cell named by a row error (its row and its column's header)."""
    from sheets.mapping import KEY_HEADER

    by_header = {header: table.columns[name] for name, header in table.headers.items() if name in table.columns}
    by_header[KEY_HEADER] = table.key_col
    messages: dict[tuple[int, int], list[str]] = {}
    for error in errors:
        col = by_header.get(error.get("column"))
        if error.get("row") is None or col is None:
            continue
        messages.setdefault((error["row"] - 1, col), []).append(error["message"])
    return {cell: note_text(found) for cell, found in messages.items()}


def wanted(mapping, table, errors: Iterable[dict]) -> Guidance:
    """The guidance for a worksheet that was just read and checked."""
    return Guidance(rules=rules_for(mapping, table.columns, table.header_index + 1),
                    notes=notes_for(table, errors), protected=protected_for(mapping, table))
