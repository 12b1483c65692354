"""Row-level DeveloperMetadata and the requests that move rows, for :mod:`phoihop_testing.sheets_emulator`.

As the Sheets API documents DeveloperMetadata: "it will remain associated at those
locations as they move around and the spreadsheet is edited. For example, if developer
metadata is associated with row 5 and another row is then subsequently inserted above
row 5, that original metadata is still associated with the row it was first associated
with (what is now row 6). If the associated object is deleted then its metadata is
deleted too." The fake keeps row metadata only (``location.dimensionRange`` of one row,
``dimension: ROWS``; anything else is refused with a 400 naming what it lacks):

- ``createDeveloperMetadata`` (``metadataId`` positive and unique in the spreadsheet,
  given or assigned), ``updateDeveloperMetadata`` and ``deleteDeveloperMetadata`` with
  ``developerMetadataLookup`` data filters;
- ``POST spreadsheets/{id}/developerMetadata:search`` (``matchedDeveloperMetadata``), and
  ``rowMetadata[].developerMetadata`` in the ``GridData`` of ``spreadsheets.get``;
- ``insertDimension``, ``deleteDimension`` (the rows' metadata dies with them) and
  ``moveDimension`` (``destinationIndex`` in the coordinates before the move): cells,
  formats, every other per-cell map and the row metadata move with their rows;
- ``sortRange``: rows ordered by the ``sortSpecs`` (empty cells last in both orders,
  numbers before text before booleans, stable). A sort over every column of the sheet
  (what *Data → Sort sheet* sends) moves whole rows, metadata included; a sort of some
  columns moves only those cells, and the metadata stays with the row positions. (Google
  does not document the partial case; this is the fake's reading, stated here.)
- ``cutPaste``: cells (values and formats) move from the source box to the destination;
  the rows do not move, so row metadata stays where it was (Ctrl+X / Ctrl+V in the web
  page; dragging whole rows is ``moveDimension``).
"""
from __future__ import annotations

from typing import Any

DIMENSION_FIELDS = {"ROWS": "rowCount", "COLUMNS": "columnCount"}


def _fail(status: int, message: str) -> Exception:
    from phoihop_testing.sheets_emulator import ApiError

    return ApiError(status, message)


def metadata_resource(sheet_id: int, item: dict[str, Any]) -> dict[str, Any]:
    """A ``DeveloperMetadata`` as Google answers it (zero ``sheetId`` left out)."""
    dimension = {"dimension": "ROWS", "startIndex": item["row"], "endIndex": item["row"] + 1}
    location: dict[str, Any] = {"locationType": "ROW", "dimensionRange": dimension}
    if sheet_id:
        dimension["sheetId"] = location["sheetId"] = sheet_id
    answer = {"metadataId": item["metadataId"], "metadataKey": item["metadataKey"], "location": location,
              "visibility": item["visibility"]}
    if item.get("metadataValue") is not None:
        answer["metadataValue"] = item["metadataValue"]
    return answer


def row_metadata(sheet: dict[str, Any], first: int, last: int) -> list[dict[str, Any]]:
    """``GridData.rowMetadata`` for rows ``first..last`` (0-based, inclusive)."""
    by_row: dict[int, list[dict[str, Any]]] = {}
    for item in sheet.get("metadata", {}).values():
        if first <= item["row"] <= last:
            by_row.setdefault(item["row"], []).append(metadata_resource(sheet["sheetId"], item))
    answer = []
    for row in range(first, last + 1):
        entry: dict[str, Any] = {"pixelSize": 21}
        if row in by_row:
            entry["developerMetadata"] = sorted(by_row[row], key=lambda m: m["metadataId"])
        answer.append(entry)
    return answer


CELL_MAPS = ("cells", "formats", "notes", "validations")


def remap_rows(sheet: dict[str, Any], moved: dict[int, int | None], rows: int) -> None:
    """Move every row-keyed thing of a sheet: ``moved[old] = new`` (``None``: deleted);
    rows not named stay. Cells, formats and any other ``{(row, col): …}`` map move along."""
    for name, value in list(sheet.items()):
        if isinstance(value, dict) and value and all(isinstance(k, tuple) and len(k) == 2 for k in value):
            kept = {}
            for (r, c), item in value.items():
                target = moved.get(r, r)
                if target is not None:
                    kept[(target, c)] = item
            sheet[name] = kept
    for key, item in list(sheet.get("metadata", {}).items()):
        target = moved.get(item["row"], item["row"])
        if target is None:
            del sheet["metadata"][key]
        else:
            item["row"] = target
    merges = []
    for r0, c0, r1, c1 in sheet["merges"]:
        a, b = moved.get(r0, r0), moved.get(r1, r1)
        if a is not None and b is not None and b - a == r1 - r0:
            merges.append((a, c0, b, c1))
    sheet["merges"] = merges
    sheet["rowCount"] = rows


def _sort_key(value: Any) -> tuple:
    if isinstance(value, dict):  # a formula sorts by its result
        value = value.get("value")
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).casefold())


class RowsAndMetadata:
    """The batchUpdate requests and the search above; mixed into ``FakeSheets``."""

    # -- developer metadata ----------------------------------------------------------------

    def _do_createDeveloperMetadata(self, book: dict[str, Any], args: dict[str, Any], where: str) -> Any:
        wanted = args.get("developerMetadata") or {}
        if not wanted.get("metadataKey"):
            raise _fail(400, f"{where}Developer metadata must always have a key specified.")
        if wanted.get("visibility") not in ("DOCUMENT", "PROJECT"):
            raise _fail(400, f"{where}Developer metadata must always have a visibility specified.")
        dimension = (wanted.get("location") or {}).get("dimensionRange")
        if not dimension or dimension.get("dimension") != "ROWS":
            raise _fail(400, f"{where}FakeSheets keeps row metadata only (location.dimensionRange of ROWS).")
        start, end = dimension.get("startIndex", 0), dimension.get("endIndex")
        if end is None or end - start != 1:
            raise _fail(400, f"{where}The dimension range must represent a single row or column.")
        sheet = self._by_id(book, dimension.get("sheetId"), where)
        if not 0 <= start < sheet["rowCount"]:
            raise _fail(400, f"{where}Row {start} is outside the grid of {sheet['rowCount']} rows.")
        taken = {i for s in book["sheets"] for i in s.get("metadata", {})}
        ident = wanted.get("metadataId")
        if ident is not None and (ident < 1 or ident in taken):
            raise _fail(400, f"{where}metadataId {ident} must be positive and not in use.")
        if ident is None:
            ident = max(taken | {book.get("metadata_seed", 1_000_000)}) + 1
        item = {"metadataId": ident, "metadataKey": wanted["metadataKey"], "metadataValue": wanted.get("metadataValue"),
                "visibility": wanted["visibility"], "row": start}
        sheet.setdefault("metadata", {})[ident] = item
        return {"createDeveloperMetadata": {"developerMetadata": metadata_resource(sheet["sheetId"], item)}}

    def _do_updateDeveloperMetadata(self, book: dict[str, Any], args: dict[str, Any], where: str) -> Any:
        fields = [f.strip() for f in args.get("fields", "").split(",") if f.strip()]
        if not fields:
            raise _fail(400, f"{where}At least one field must be specified in 'fields'.")
        if any(f not in ("metadataKey", "metadataValue", "visibility") for f in fields):
            raise _fail(400, f"{where}FakeSheets updates metadataKey, metadataValue and visibility only.")
        changes = args.get("developerMetadata") or {}
        found = self._matching(book, args.get("dataFilters") or [], where)
        for sheet, item in found:
            for name in fields:
                item[name] = changes.get(name)
        return {"updateDeveloperMetadata": {"developerMetadata": [metadata_resource(s["sheetId"], i) for s, i in found]}}

    def _do_deleteDeveloperMetadata(self, book: dict[str, Any], args: dict[str, Any], where: str) -> Any:
        found = self._matching(book, [args.get("dataFilter") or {}], where)
        for sheet, item in found:
            del sheet["metadata"][item["metadataId"]]
        return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [metadata_resource(s["sheetId"], i)
                                                                         for s, i in found]}}

    def _developer_metadata_search(self, book: dict[str, Any], query: dict[str, list[str]], body: Any) -> Any:
        found = self._matching(book, body.get("dataFilters") or [], "")
        if not found:
            return {}
        return {"matchedDeveloperMetadata": [{"developerMetadata": metadata_resource(s["sheetId"], i)}
                                             for s, i in found]}

    def _matching(self, book: dict[str, Any], filters: list[dict[str, Any]], where: str) -> list[tuple[dict, dict]]:
        """Every row metadata some ``developerMetadataLookup`` filter matches, by id."""
        found: dict[int, tuple[dict, dict]] = {}
        for data_filter in filters:
            lookup = data_filter.get("developerMetadataLookup")
            if lookup is None:
                raise _fail(400, f"{where}FakeSheets filters metadata by developerMetadataLookup only.")
            location = lookup.get("metadataLocation") or {}
            for sheet in book["sheets"]:
                for item in sheet.get("metadata", {}).values():
                    if (lookup.get("metadataId") not in (None, item["metadataId"])
                            or lookup.get("metadataKey") not in (None, item["metadataKey"])
                            or lookup.get("metadataValue") not in (None, item["metadataValue"])
                            or lookup.get("visibility") not in (None, item["visibility"])
                            or lookup.get("locationType") not in (None, "ROW")
                            or location.get("sheetId", sheet["sheetId"]) != sheet["sheetId"]):
                        continue
                    found[item["metadataId"]] = (sheet, item)
        return [found[k] for k in sorted(found)]

    # -- requests that move rows -----------------------------------------------------------

    def _dimension(self, book: dict[str, Any], dimension: dict[str, Any], where: str) -> tuple[dict, str, int, int]:
        sheet = self._by_id(book, dimension.get("sheetId"), where)
        field = DIMENSION_FIELDS.get(dimension.get("dimension"))
        if field is None:
            raise _fail(400, f"{where}dimension must be ROWS or COLUMNS")
        start, end = dimension.get("startIndex", 0), dimension.get("endIndex", sheet[field])
        if not 0 <= start < end:
            raise _fail(400, f"{where}Invalid dimension range [{start}, {end})")
        return sheet, field, start, end

    def _do_insertDimension(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        sheet, field, start, end = self._dimension(book, args.get("range") or {}, where)
        if start > sheet[field]:
            raise _fail(400, f"{where}Cannot insert beyond the end of the grid ({sheet[field]}).")
        count = end - start
        if field == "columnCount":
            self._shift_columns(sheet, start, count)
            return
        remap_rows(sheet, {r: r + count for r in range(start, sheet["rowCount"])}, sheet["rowCount"] + count)

    def _do_deleteDimension(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        sheet, field, start, end = self._dimension(book, args.get("range") or {}, where)
        end = min(end, sheet[field])
        if start == 0 and end >= sheet[field]:
            raise _fail(400, f"{where}You can't delete all the rows on the sheet.")
        count = end - start
        if field == "columnCount":
            self._shift_columns(sheet, end, -count, deleted=range(start, end))
            return
        moved: dict[int, int | None] = {r: None for r in range(start, end)}
        moved.update({r: r - count for r in range(end, sheet["rowCount"])})
        remap_rows(sheet, moved, sheet["rowCount"] - count)

    def _do_moveDimension(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        sheet, field, start, end = self._dimension(book, args.get("source") or {}, where)
        if field != "rowCount":
            raise _fail(400, f"{where}FakeSheets moves rows only.")
        destination = args.get("destinationIndex", 0)
        if not 0 <= destination <= sheet["rowCount"]:
            raise _fail(400, f"{where}destinationIndex {destination} is outside the grid.")
        order = list(range(sheet["rowCount"]))
        block = order[start:end]
        rest = order[:start] + order[end:]
        at = destination if destination <= start else destination - len(block)
        order = rest[:at] + block + rest[at:]
        remap_rows(sheet, {old: new for new, old in enumerate(order) if old != new}, sheet["rowCount"])

    def _do_sortRange(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        box = args.get("range") or {}
        sheet = self._by_id(book, box.get("sheetId"), where)
        r0, r1 = box.get("startRowIndex", 0), min(box.get("endRowIndex", sheet["rowCount"]), sheet["rowCount"])
        c0, c1 = box.get("startColumnIndex", 0), min(box.get("endColumnIndex", sheet["columnCount"]), sheet["columnCount"])
        if any(m[0] < r1 and m[2] >= r0 and m[1] < c1 and m[3] >= c0 for m in sheet["merges"]):
            raise _fail(400, f"{where}You can't sort a range that contains merged cells.")
        specs = args.get("sortSpecs") or []
        if not specs:
            raise _fail(400, f"{where}At least one sort spec is required.")
        order = list(range(r0, r1))
        for spec in reversed(specs):  # stable sorts, last key first
            col = spec.get("dimensionIndex", 0)
            descending = spec.get("sortOrder", "ASCENDING") == "DESCENDING"
            filled = [r for r in order if sheet["cells"].get((r, col)) not in (None, "")]
            empty = [r for r in order if sheet["cells"].get((r, col)) in (None, "")]
            filled.sort(key=lambda r: _sort_key(sheet["cells"][(r, col)]), reverse=descending)
            order = filled + empty
        moved = {old: r0 + i for i, old in enumerate(order) if old != r0 + i}
        if c0 == 0 and c1 >= sheet["columnCount"]:  # whole rows: everything moves, metadata too
            remap_rows(sheet, moved, sheet["rowCount"])
            return
        for name in CELL_MAPS:  # what a cell carries moves with it: value, format, note, validation
            inside = {rc: v for rc, v in sheet[name].items() if r0 <= rc[0] < r1 and c0 <= rc[1] < c1}
            for rc in inside:
                del sheet[name][rc]
            for (r, c), value in inside.items():
                sheet[name][(moved.get(r, r), c)] = value

    def _do_cutPaste(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        box = args.get("source") or {}
        target = args.get("destination") or {}
        if args.get("pasteType", "PASTE_NORMAL") != "PASTE_NORMAL":
            raise _fail(400, f"{where}FakeSheets pastes PASTE_NORMAL only.")
        source = self._by_id(book, box.get("sheetId"), where)
        sheet = self._by_id(book, target.get("sheetId"), where)
        r0, r1 = box.get("startRowIndex", 0), box.get("endRowIndex", source["rowCount"])
        c0, c1 = box.get("startColumnIndex", 0), box.get("endColumnIndex", source["columnCount"])
        dr, dc = target.get("rowIndex", 0) - r0, target.get("columnIndex", 0) - c0
        if r1 + dr > sheet["rowCount"] or c1 + dc > sheet["columnCount"]:
            raise _fail(400, f"{where}The paste would go beyond the grid.")
        for name in CELL_MAPS:  # what a cell carries moves with it: value, format, note, validation
            cut = {rc: v for rc, v in source[name].items() if r0 <= rc[0] < r1 and c0 <= rc[1] < c1}
            for rc in cut:
                del source[name][rc]
            for (r, c) in [rc for rc in sheet[name] if r0 + dr <= rc[0] < r1 + dr and c0 + dc <= rc[1] < c1 + dc]:
                del sheet[name][(r, c)]
            for (r, c), value in cut.items():
                sheet[name][(r + dr, c + dc)] = value

    @staticmethod
    def _shift_columns(sheet: dict[str, Any], start: int, count: int, deleted: range = range(0)) -> None:
        for name, value in list(sheet.items()):
            if isinstance(value, dict) and value and all(isinstance(k, tuple) and len(k) == 2 for k in value):
                sheet[name] = {(r, c + count if c >= start else c): v for (r, c), v in value.items() if c not in deleted}
        sheet["merges"] = [m for m in sheet["merges"] if not (set(range(m[1], m[3] + 1)) & set(deleted))]
        sheet["merges"] = [(r0, c0 + count if c0 >= start else c0, r1, c1 + count if c1 >= start else c1)
                           for r0, c0, r1, c1 in sheet["merges"]]
        sheet["columnCount"] += count
