"""A :class:`~sheets.guidance.Guidance` as Sheets API requests, for the one ``batchUpdate``
a write sends (:meth:`sheets.gsheets.GoogleSheetsBackend.write`).

Only what differs from the sheet becomes a request, so a sync that changes nothing sends
nothing:

- validations: one ``setDataValidation`` per rule (a column from its first data row
  down, the range unbounded below), ``strict: false`` so that an alias typed by hand is
  still read (and reported by the sync), ``showCustomUi`` for the dropdown, and the
  Vietnamese input message. Sent when they changed (``send_rules``) or when the write
  grows the grid (Google does not extend a validation to rows appended below it);
- notes: ``updateCells`` with ``fields: "note"`` for each cell whose note of ours must
  appear, change or go; a cell with the office's own note is never touched;
- protections: when our ``warningOnly`` protected ranges differ from the wanted ones,
  ours are deleted (``deleteProtectedRange``) and the wanted added (``addProtectedRange``):
  refreshed, never duplicated; the office's protected ranges are never touched.
"""
from __future__ import annotations

from typing import Any

from sheets.guidance import Guidance, Protected, Rule, is_ours

#: What a read asks about notes and protected ranges (added to the inspecting GET's mask).
NOTE_FIELD = "note"
PROTECTED_FIELDS = "protectedRanges(protectedRangeId,range,description,warningOnly)"


def condition(rule: Rule) -> dict[str, Any]:
    if rule.kind == "list":
        return {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": value} for value in rule.values]}
    if rule.kind == "date":
        return {"type": "DATE_IS_VALID"}
    return {"type": "NUMBER_GREATER_THAN_EQ", "values": [{"userEnteredValue": "0"}]}


def validation_request(sheet_id: int, rule: Rule) -> dict[str, Any]:
    return {"setDataValidation": {
        "range": {"sheetId": sheet_id, "startRowIndex": rule.first_row,
                  "startColumnIndex": rule.col, "endColumnIndex": rule.col + 1},
        "rule": {"condition": condition(rule), "inputMessage": rule.message, "strict": False,
                 "showCustomUi": rule.kind == "list"},
    }}


def protected_range(sheet_id: int, item: Protected) -> dict[str, Any]:
    return {"range": {"sheetId": sheet_id, "startRowIndex": item.first_row,
                      "startColumnIndex": item.col, "endColumnIndex": item.col + 1},
            "description": item.description, "warningOnly": True}


def _shape(found: dict[str, Any], sheet_id: int) -> tuple:
    """A protected range as compared: Google leaves out ``sheetId`` 0 and unbounded ends."""
    grid = found.get("range", {})
    return (grid.get("sheetId", 0) or 0, grid.get("startRowIndex", 0), grid.get("endRowIndex"),
            grid.get("startColumnIndex", 0), grid.get("endColumnIndex"), found.get("description", ""),
            bool(found.get("warningOnly")))


def requests(sheet_id: int, guidance: Guidance, notes: dict[tuple[int, int], str],
             protections: list[dict[str, Any]], rows: int, cols: int, grown: bool = False) -> list[dict[str, Any]]:
    """The requests that bring a worksheet (its current ``notes`` by 0-based cell, its
    ``protections`` as Google lists them, its grid size after the write's growth) to
    ``guidance``. ``grown``: the same write adds rows, which have no validation yet."""
    found: list[dict[str, Any]] = []
    if guidance.send_rules or grown:
        found += [validation_request(sheet_id, rule) for rule in guidance.rules if rule.col < cols]
    found += _note_requests(sheet_id, guidance.notes, notes, rows, cols)
    ours = [p for p in protections if is_ours(p.get("description"))]
    wanted = [protected_range(sheet_id, item) for item in guidance.protected if item.col < cols]
    if sorted(_shape(p, sheet_id) for p in ours) != sorted(_shape(p, sheet_id) for p in wanted):
        found += [{"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}} for p in ours]
        found += [{"addProtectedRange": {"protectedRange": p}} for p in wanted]
    return found


def _note_requests(sheet_id: int, wanted: dict[tuple[int, int], str], current: dict[tuple[int, int], str],
                   rows: int, cols: int) -> list[dict[str, Any]]:
    changes: dict[tuple[int, int], str | None] = {}
    for cell, text in wanted.items():
        present = current.get(cell)
        if present == text or (present and not is_ours(present)):
            continue  # already there, or the office's own note: left alone
        if cell[0] < rows and cell[1] < cols:
            changes[cell] = text
    for cell, text in current.items():
        if is_ours(text) and cell not in wanted:
            changes[cell] = None
    return [{"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": r, "columnIndex": c},
        "rows": [{"values": [{"note": text} if text else {}]}],
        "fields": "note",
    }} for (r, c), text in sorted(changes.items())]
