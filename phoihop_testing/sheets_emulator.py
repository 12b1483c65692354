"""A fake Google Sheets API v4 server for tests: real HTTP on 127.0.0.1, state in memory.

It serves the slice of the API that gspread 6 calls for :mod:`sheets.gsheets` (and the
common gspread read/write calls), with Google's observable behaviour where tests depend
on it:

- ``GET spreadsheets/{id}``: metadata; with ``ranges=…`` only the sheets those ranges are
  on, each with one ``GridData`` per range (``startRow``/``startColumn`` omitted when 0);
  grid data when a ``fields`` mask asks for it (or ``includeGridData=true`` without a
  mask). A ``fields`` mask (``a.b``, ``a/b``, ``a(b,c)``, ``*``) keeps only what it names:
  in ``rowData`` a cell without a named field is ``{}``, a row without any is ``{}``, and
  trailing empty cells and rows are left out, as in Google's answers. ``merges`` are
  ``GridRange`` objects with exclusive ends (``sheetId`` left out when 0, as Google does);
- ``GET spreadsheets/{id}/values/{range}`` and ``GET …/values:batchGet?ranges=…``:
  A1 ranges with quoted titles (``'Phiếu chấm - CNTT'!A1:C3``, ``''`` escaping); empty
  cells inside the data come back as ``""``, trailing empty cells and rows are trimmed,
  a range beyond the grid is a 400;
- ``PUT …/values/{range}`` and ``POST …/values:batchUpdate`` with ``RAW`` (strings stay
  strings) or ``USER_ENTERED`` (``=…``, and ``+``/``-`` followed by non-numbers, become
  formulas, stored as ``{"formula": text}`` so a test can see one was written);
- ``GET drive/v3/files/{id}`` (Drive v3 ``files.get``) with a ``fields`` mask:
  ``version`` and ``modifiedTime`` move with every change a request makes;
- row-level DeveloperMetadata, its search, and the requests that move rows
  (``insertDimension``, ``deleteDimension``, ``moveDimension``, ``sortRange``,
  ``cutPaste``): see :mod:`phoihop_testing.sheets_emulator_rows`;
- ``POST spreadsheets/{id}:batchUpdate`` with ``addSheet``, ``appendDimension``,
  ``updateCells`` (``start`` only; ``formulaValue`` stores a formula; ``note``),
  ``updateSheetProperties``, ``setDataValidation``, ``addProtectedRange`` and
  ``deleteProtectedRange``; atomic like Google's: a failing request leaves the
  spreadsheet untouched. Writes beyond the grid are a 400.

Data validation, notes and protected ranges are kept as Google documents them: a cell's
``dataValidation`` (a ``DataValidationRule``) and ``note`` come back in its ``CellData``,
a sheet's ``protectedRanges`` (with the ``protectedRangeId`` Google assigns) in its
``Sheet``. A value written into a cell whose rule is ``strict`` and that the rule does not
accept (``ONE_OF_LIST``, ``DATE_IS_VALID``, ``NUMBER_GREATER_THAN_EQ``) is refused with a
400, whichever API wrote it, as the Sheets UI refuses it; under a rule that is not strict
it is stored, and :meth:`FakeSheets.invalid_cells` lists it as the UI marks it (a red
corner). A GridRange without an end reaches the edge of the grid.

Formula cells are stored as ``{"formula": "=D6*2", "value": 100}``: the fake has no
formula engine, so the value is the result the test seeds (``add_spreadsheet`` takes such
dicts as cells). Values reads answer that result (``""`` when there is none, as for a
formula whose result is empty); ``valueRenderOption=FORMULA`` answers the formula text.

Faults: :meth:`FakeSheets.fail_next` answers the next matching requests with an error,
either instead of applying them or (``applied=True``) after applying them, like a
Google answer that was lost after the change was made.
Errors have Google's shape: ``{"error": {"code", "message", "status"}}``.
"""
from __future__ import annotations

import datetime
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from phoihop_testing.sheets_emulator_rows import RowsAndMetadata, row_metadata

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNAVAILABLE",
          503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
_REF = re.compile(r"\$?([A-Za-z]*)\$?(\d*)")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class ApiError(Exception):
    """An answer other than 200, raised inside the fake and turned into a JSON error."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": STATUS.get(status, "UNKNOWN")}}


def column_letters(index: int) -> str:
    """0-based column index → ``A``, ``Z``, ``AA``…"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def quote_title(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


class FakeSheets(RowsAndMetadata):
    """In-memory spreadsheets behind a local HTTP server that speaks Sheets API v4."""

    def __init__(self) -> None:
        self.spreadsheets: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, unquoted path) of every request
        self.calls: list[dict[str, Any]] = []  # the same, with query and JSON body
        self._faults: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self.clock: Callable[[], float] = time.monotonic  # stamps each call's "at" (tests inject one)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "FakeSheets is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeSheets:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="fake-sheets",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join(5)
            self._server = self._thread = None

    def __enter__(self) -> FakeSheets:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- helpers for tests -------------------------------------------------------------

    def add_spreadsheet(self, key: str, sheets: dict[str, list[list[Any]]], *, title: str | None = None,
                        sizes: dict[str, tuple[int, int]] | None = None,
                        merges: dict[str, list[str]] | None = None) -> None:
        """Add a spreadsheet from ``{title: rows}``; grids are 1000×26 unless ``sizes`` says
        otherwise (and at least as large as the rows given). ``None``/``""`` are empty; a
        cell ``{"formula": "=…", "value": result}`` is a formula with its computed result.
        ``merges`` gives each sheet's merged ranges in A1 notation (``"A1:E1"``); as in
        Google, only the first cell of a merged range keeps its value."""
        with self._lock:
            book = {"key": key, "title": title or key, "sheets": [], "version": 1, "modifiedTime": _rfc3339()}
            for index, (name, rows) in enumerate(sheets.items()):
                height = len(rows)
                width = max((len(r) for r in rows), default=0)
                size = (sizes or {}).get(name, (max(1000, height), max(26, width)))
                sheet = self._new_sheet(book, name, max(size[0], height), max(size[1], width), index)
                for r, row in enumerate(rows):
                    for c, value in enumerate(row):
                        if isinstance(value, dict):
                            value = {"formula": value["formula"], "value": value.get("value")}
                        if value is not None and value != "":
                            sheet["cells"][(r, c)] = value
                for text in (merges or {}).get(name, []):
                    r0, c0, r1, c1 = _a1_box(text)
                    sheet["merges"].append((r0, c0, r1, c1))
                    for cell in [rc for rc in sheet["cells"] if r0 <= rc[0] <= r1 and c0 <= rc[1] <= c1]:
                        if cell != (r0, c0):
                            del sheet["cells"][cell]
                book["sheets"].append(sheet)
            self.spreadsheets[key] = book

    def grid(self, key: str, title: str) -> list[list[Any]]:
        """Stored cells from A1 as rows (trailing blanks trimmed); formulas as
        ``{"formula": …}`` (with ``"value"`` when the test seeded a result)."""
        with self._lock:
            cells = self.sheet(key, title)["cells"]
            if not cells:
                return []
            widths: dict[int, int] = {}
            for r, c in cells:
                widths[r] = max(widths.get(r, 0), c + 1)
            rows = [[None] * widths.get(r, 0) for r in range(1 + max(widths))]
            for (r, c), value in cells.items():
                rows[r][c] = value
            return rows

    def sheet(self, key: str, title: str) -> dict[str, Any]:
        """The stored sheet: ``sheetId``, ``title``, ``rowCount``, ``columnCount``, ``cells``…"""
        return next(s for s in self.spreadsheets[key]["sheets"] if s["title"] == title)

    def size(self, key: str, title: str) -> tuple[int, int]:
        sheet = self.sheet(key, title)
        return sheet["rowCount"], sheet["columnCount"]

    def notes(self, key: str, title: str) -> dict[tuple[int, int], str]:
        """The notes of a sheet by 0-based (row, column)."""
        with self._lock:
            return dict(self.sheet(key, title)["notes"])

    def validation(self, key: str, title: str, row: int, col: int) -> dict[str, Any] | None:
        """The ``DataValidationRule`` of a cell (0-based), or ``None``."""
        with self._lock:
            return self.sheet(key, title)["validations"].get((row, col))

    def invalid_cells(self, key: str, title: str) -> list[tuple[int, int]]:
        """Cells whose value their (non-strict) rule does not accept: what the UI marks."""
        with self._lock:
            sheet = self.sheet(key, title)
            return sorted(rc for rc, rule in sheet["validations"].items()
                          if not _accepts(rule, sheet["cells"].get(rc)))

    def protected_ranges(self, key: str, title: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(p) for p in self.sheet(key, title)["protected"]]

    def set_note(self, key: str, title: str, row: int, col: int, text: str) -> None:
        """A note typed by someone in the office (0-based cell)."""
        with self._lock:
            self.sheet(key, title)["notes"][(row, col)] = text

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.calls.clear()

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None,
                  when: Callable[[str, str], bool] = lambda method, path: True, *, applied: bool = False) -> None:
        """Answer the next ``count`` requests matching ``when(method, path)`` with ``status``
        (and a ``Retry-After`` header when given): without touching any data, or, with
        ``applied=True``, after carrying the request out (the change is made, the answer lost)."""
        with self._lock:
            self._faults.append({"status": status, "left": count, "retry_after": retry_after, "when": when,
                                 "applied": applied})

    # -- HTTP --------------------------------------------------------------------------

    def handle(self, method: str, target: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
        """Answer one request: (status, JSON payload, extra headers)."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append((method, path))
            call = {"method": method, "path": path, "query": query, "body": None, "at": self.clock()}
            self.calls.append(call)
            fault = next((f for f in self._faults if f["left"] > 0 and f["when"](method, path)), None)
            injected = None
            if fault is not None:
                fault["left"] -= 1
                headers = {} if fault["retry_after"] is None else {"Retry-After": str(fault["retry_after"])}
                message = ("Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per "
                           "user' of service 'sheets.googleapis.com'." if fault["status"] == 429
                           else "Injected by FakeSheets.")
                injected = fault["status"], error_body(fault["status"], message), headers
                if not fault["applied"]:
                    return injected
            try:
                try:
                    call["body"] = json.loads(raw) if raw else {}
                except ValueError as exc:
                    raise ApiError(400, f"Invalid JSON payload received. {exc}") from exc
                answer = 200, self._route(method, parts.path, query, call["body"]), {}
            except ApiError as exc:
                answer = exc.status, error_body(exc.status, exc.message), {}
            return injected or answer

    def _route(self, method: str, raw_path: str, query: dict[str, list[str]], body: Any) -> Any:
        drive = re.fullmatch(r"/drive/v3/files/([^/:]+)", raw_path)
        if drive and method == "GET":
            return self._drive_file(self._book(unquote(drive.group(1))), query)
        found = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(.*)", raw_path)
        rest = found.group(2) if found else None
        routes = {("GET", ""): self._metadata, ("POST", ":batchUpdate"): self._batch_update,
                  ("GET", "/values:batchGet"): self._values_batch_get,
                  ("POST", "/values:batchUpdate"): self._values_batch_update,
                  ("POST", "/developerMetadata:search"): self._developer_metadata_search}
        if found and (method, rest) in routes:
            return routes[(method, rest)](self._book(unquote(found.group(1))), query, body)
        if found and method in ("GET", "PUT") and rest.startswith("/values/"):
            text = unquote(rest[len("/values/"):])
            book = self._book(unquote(found.group(1)))
            if method == "GET":
                return self._values_get(book, text, query)
            return self._values_update(book, text, query, body)
        raise ApiError(404, f"Method not found: {method} {unquote(raw_path)}")

    def _book(self, key: str) -> dict[str, Any]:
        if key not in self.spreadsheets:
            raise ApiError(404, "Requested entity was not found.")
        return self.spreadsheets[key]

    # -- Drive v3 files.get --------------------------------------------------------------

    def _drive_file(self, book: dict[str, Any], query: dict[str, list[str]]) -> Any:
        """A spreadsheet's Drive ``File``: ``version`` (a string of a number that grows with
        every change, as Drive sends int64s) and ``modifiedTime`` (RFC 3339, UTC)."""
        answer = {"kind": "drive#file", "id": book["key"], "name": book["title"],
                  "mimeType": "application/vnd.google-apps.spreadsheet", "version": str(book["version"]),
                  "modifiedTime": book["modifiedTime"]}
        fields = query.get("fields", [""])[0]
        if not fields:  # Drive v3 answers kind, id, name and mimeType when no fields are named
            return {k: answer[k] for k in ("kind", "id", "name", "mimeType")}
        return apply_fields(answer, parse_fields(fields))

    # -- spreadsheets.get --------------------------------------------------------------

    def _metadata(self, book: dict[str, Any], query: dict[str, list[str]], body: Any) -> Any:
        fields = query.get("fields", [""])[0]
        mask = parse_fields(fields) if fields else None
        if mask is not None:
            with_data = _subtree(mask, "sheets", "data") is not False
            cells = _subtree(mask, "sheets", "data", "rowData", "values")
            cells = {} if cells is False else cells  # data asked for, but no cell field: no rows
            with_rows = _subtree(mask, "sheets", "data", "rowMetadata") is not False
        else:
            cells = None
            with_data = with_rows = query.get("includeGridData", ["false"])[0].lower() == "true"
        wanted: dict[int, list[tuple[int, int, int, int]]] = {}  # sheet index -> boxes
        for text in query.get("ranges", []):
            sheet, box, _ = self._parse_range(book, text)
            self._check_grid(sheet, text, box[2], box[3])
            wanted.setdefault(book["sheets"].index(sheet), []).append(box)
        if not query.get("ranges"):
            wanted = {i: [(0, 0, s["rowCount"] - 1, s["columnCount"] - 1)] for i, s in enumerate(book["sheets"])}
        sheets = []
        for index in sorted(wanted):
            sheet = book["sheets"][index]
            entry: dict[str, Any] = {"properties": _properties(sheet, index)}
            if with_data:
                entry["data"] = [_grid_data(sheet, box, cells) for box in wanted[index]]
                if with_rows:  # row metadata (pixel size, developer metadata) of each range's rows
                    for data, box in zip(entry["data"], wanted[index]):
                        data["rowMetadata"] = row_metadata(sheet, box[0], min(box[2], sheet["rowCount"] - 1))
            if sheet["merges"]:
                entry["merges"] = [_grid_range(sheet["sheetId"], merge) for merge in sheet["merges"]]
            if sheet["protected"]:
                entry["protectedRanges"] = [dict(p) for p in sheet["protected"]]
            sheets.append(entry)
        answer = {"spreadsheetId": book["key"],
                  "properties": {"title": book["title"], "locale": "vi_VN", "autoRecalc": "ON_CHANGE",
                                 "timeZone": "Asia/Ho_Chi_Minh"},
                  "sheets": sheets,
                  "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book['key']}/edit"}
        return answer if mask is None else apply_fields(answer, mask)

    # -- A1 ranges ---------------------------------------------------------------------

    def _parse_range(self, book: dict[str, Any], text: str) -> tuple[dict[str, Any], tuple[int, int, int, int], bool]:
        """(sheet, (r0, c0, r1, c1) 0-based inclusive, whether an end was given)."""
        bad = ApiError(400, f"Unable to parse range: {text}")
        if text.startswith("'"):
            i, title = 1, ""
            while True:
                j = text.find("'", i)
                if j < 0:
                    raise bad
                title += text[i:j]
                if text[j + 1:j + 2] == "'":
                    title, i = title + "'", j + 2
                    continue
                rest = text[j + 1:]
                break
            if rest and not rest.startswith("!"):
                raise bad
            ref = rest[1:]
        elif "!" in text:
            title, ref = text.rsplit("!", 1)
        elif any(s["title"] == text for s in book["sheets"]):
            title, ref = text, ""
        else:
            title, ref = book["sheets"][0]["title"], text
        sheet = next((s for s in book["sheets"] if s["title"] == title), None)
        if sheet is None:
            raise bad
        last_row, last_col = sheet["rowCount"] - 1, sheet["columnCount"] - 1
        if not ref:
            return sheet, (0, 0, last_row, last_col), True
        start, _, end = ref.partition(":")
        a, b = _REF.fullmatch(start), _REF.fullmatch(end or start)
        if not a or not b or not (a[1] or a[2]) or not (b[1] or b[2]) or (not end and not (a[1] and a[2])):
            raise bad
        box = (int(a[2]) - 1 if a[2] else 0, column_index(a[1]) if a[1] else 0,
               int(b[2]) - 1 if b[2] else last_row, column_index(b[1]) if b[1] else last_col)
        if min(box) < 0:
            raise bad
        return sheet, box, bool(end)

    @staticmethod
    def _check_grid(sheet: dict[str, Any], text: str, last_row: int, last_col: int) -> None:
        if last_row >= sheet["rowCount"] or last_col >= sheet["columnCount"]:
            raise ApiError(400, f"Range ({text}) exceeds grid limits. Max rows: {sheet['rowCount']}, "
                                f"max columns: {sheet['columnCount']}")

    # -- values ------------------------------------------------------------------------

    def _value_range(self, book: dict[str, Any], text: str, query: dict[str, list[str]]) -> dict[str, Any]:
        if query.get("majorDimension", ["ROWS"])[0] != "ROWS":
            raise ApiError(400, "FakeSheets serves majorDimension=ROWS only.")
        render = query.get("valueRenderOption", ["FORMATTED_VALUE"])[0]
        sheet, (r0, c0, r1, c1), _ = self._parse_range(book, text)
        self._check_grid(sheet, text, r1, c1)
        rows: dict[int, dict[int, Any]] = {}
        for (r, c), value in sheet["cells"].items():
            if r0 <= r <= r1 and c0 <= c <= c1:
                shown = _render(value, render)
                if shown is not None and shown != "":
                    rows.setdefault(r - r0, {})[c - c0] = shown
        answer = {"range": f"{quote_title(sheet['title'])}!{column_letters(c0)}{r0 + 1}:"
                           f"{column_letters(c1)}{r1 + 1}", "majorDimension": "ROWS"}
        if rows:
            answer["values"] = [[rows.get(r, {}).get(c, "") for c in range(1 + max(rows[r]))] if r in rows else []
                                for r in range(1 + max(rows))]
        return answer

    def _values_get(self, book: dict[str, Any], text: str, query: dict[str, list[str]]) -> Any:
        return self._value_range(book, text, query)

    def _values_batch_get(self, book: dict[str, Any], query: dict[str, list[str]], body: Any) -> Any:
        return {"spreadsheetId": book["key"],
                "valueRanges": [self._value_range(book, text, query) for text in query.get("ranges", [])]}

    def _write_values(self, book: dict[str, Any], text: str, values: list[list[Any]], option: str) -> dict[str, Any]:
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, f"Invalid valueInputOption: {option!r}")
        sheet, (r0, c0, r1, c1), bounded = self._parse_range(book, text)
        height, width = len(values), max((len(row) for row in values), default=0)
        if bounded and (r0 + height - 1 > r1 or c0 + width - 1 > c1):
            raise ApiError(400, f"Requested writing within range [{text}], but tried writing beyond it.")
        self._check_grid(sheet, text, r0 + height - 1, c0 + width - 1)
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                if value is not None:
                    _store(sheet, r0 + i, c0 + j, value if option == "RAW" else _user_entered(value), "")
        return {"spreadsheetId": book["key"], "updatedRange": text, "updatedRows": height,
                "updatedColumns": width, "updatedCells": sum(len(row) for row in values)}

    def _values_update(self, book: dict[str, Any], text: str, query: dict[str, list[str]], body: Any) -> Any:
        option = query.get("valueInputOption", [""])[0]
        with _Transaction(book) as work:
            return self._write_values(work, text, body.get("values", []), option)

    def _values_batch_update(self, book: dict[str, Any], query: dict[str, list[str]], body: Any) -> Any:
        with _Transaction(book) as work:
            answers = [self._write_values(work, item["range"], item.get("values", []), body.get("valueInputOption", ""))
                       for item in body.get("data", [])]
        return {"spreadsheetId": book["key"], "totalUpdatedCells": sum(a["updatedCells"] for a in answers),
                "responses": answers}

    # -- spreadsheets.batchUpdate --------------------------------------------------------

    def _batch_update(self, book: dict[str, Any], query: dict[str, list[str]], body: Any) -> Any:
        replies = []
        with _Transaction(book) as work:
            for index, request in enumerate(body.get("requests", [])):
                if len(request) != 1:
                    raise ApiError(400, f"Invalid requests[{index}]: exactly one kind of request expected")
                (kind, args), = request.items()
                handler = getattr(self, "_do_" + kind, None)
                if handler is None:
                    raise ApiError(400, f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{index}]'")
                replies.append(handler(work, args, f"Invalid requests[{index}].{kind}: ") or {})
        return {"spreadsheetId": book["key"], "replies": replies}

    @staticmethod
    def _by_id(book: dict[str, Any], sheet_id: Any, where: str) -> dict[str, Any]:
        sheet = next((s for s in book["sheets"] if s["sheetId"] == (sheet_id or 0)), None)
        if sheet is None:
            raise ApiError(400, f"{where}No grid with id: {sheet_id}")
        return sheet

    def _new_sheet(self, book: dict[str, Any], title: str, rows: int, cols: int, sheet_id: int | None = None) -> dict[str, Any]:
        if any(s["title"].casefold() == title.casefold() for s in book["sheets"]):
            raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
        if sheet_id is None:
            sheet_id = 1 + max((s["sheetId"] for s in book["sheets"]), default=0)
        return {"sheetId": sheet_id, "title": title, "rowCount": rows, "columnCount": cols, "cells": {}, "formats": {},
                "merges": [], "metadata": {}, "notes": {}, "validations": {}, "protected": []}

    def _do_addSheet(self, book: dict[str, Any], args: dict[str, Any], where: str) -> Any:
        props = args.get("properties", {})
        grid = props.get("gridProperties", {})
        title = props.get("title") or f"Sheet{len(book['sheets']) + 1}"
        try:
            sheet = self._new_sheet(book, title, grid.get("rowCount", 1000), grid.get("columnCount", 26),
                                    props.get("sheetId"))
        except ApiError as exc:
            raise ApiError(400, where + exc.message) from exc
        book["sheets"].insert(props.get("index", len(book["sheets"])), sheet)
        return {"addSheet": {"properties": _properties(sheet, book["sheets"].index(sheet))}}

    def _do_appendDimension(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        sheet = self._by_id(book, args.get("sheetId"), where)
        length = args.get("length", 0)
        if length < 1:
            raise ApiError(400, f"{where}length must be at least 1")
        field = {"ROWS": "rowCount", "COLUMNS": "columnCount"}.get(args.get("dimension"))
        if field is None:
            raise ApiError(400, f"{where}dimension must be ROWS or COLUMNS")
        sheet[field] += length

    def _do_updateCells(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        if "start" not in args:
            raise ApiError(400, f"{where}FakeSheets supports updateCells with 'start' only")
        fields = [f.strip() for f in args.get("fields", "").split(",") if f.strip()]
        if not fields:
            raise ApiError(400, f"{where}At least one field must be specified in 'fields'.")
        values = any(f == "*" or f.startswith("userEnteredValue") for f in fields)
        formats = any(f == "*" or f.startswith("userEnteredFormat") for f in fields)
        start = args["start"]
        sheet = self._by_id(book, start.get("sheetId"), where)
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        for i, row in enumerate(args.get("rows", [])):
            for j, cell in enumerate(row.get("values", [])):
                r, c = r0 + i, c0 + j
                if r >= sheet["rowCount"]:
                    raise ApiError(400, f"{where}Attempting to write row: {r}, beyond the last row in the grid: {sheet['rowCount'] - 1}")
                if c >= sheet["columnCount"]:
                    raise ApiError(400, f"{where}Attempting to write column: {c}, beyond the last column in the grid: {sheet['columnCount'] - 1}")
                if values:
                    _store(sheet, r, c, _entered(cell.get("userEnteredValue"), where), where)
                if "note" in fields or "*" in fields:
                    if cell.get("note"):
                        sheet["notes"][(r, c)] = cell["note"]
                    else:
                        sheet["notes"].pop((r, c), None)
                if formats:
                    if cell.get("userEnteredFormat"):
                        sheet["formats"][(r, c)] = cell["userEnteredFormat"]
                    else:
                        sheet["formats"].pop((r, c), None)

    def _do_setDataValidation(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        grid = args.get("range", {})
        sheet = self._by_id(book, grid.get("sheetId"), where)
        r0, r1, c0, c1 = _bounds(sheet, grid)
        rule = args.get("rule")
        if rule is not None and "condition" not in rule:
            raise ApiError(400, f"{where}rule.condition is required")
        for r in range(r0, r1):
            for c in range(c0, c1):
                if rule is None:
                    sheet["validations"].pop((r, c), None)
                else:
                    sheet["validations"][(r, c)] = rule

    def _do_addProtectedRange(self, book: dict[str, Any], args: dict[str, Any], where: str) -> Any:
        found = dict(args.get("protectedRange", {}))
        self._by_id(book, found.get("range", {}).get("sheetId"), where)
        taken = {p["protectedRangeId"] for s in book["sheets"] for p in s["protected"]}
        if found.get("protectedRangeId") in taken:
            raise ApiError(400, f"{where}A protected range with ID {found['protectedRangeId']} already exists.")
        found.setdefault("protectedRangeId", 1 + max(taken, default=1000))
        grid = {k: v for k, v in found["range"].items() if not (k == "sheetId" and not v)}
        found["range"] = grid
        found.setdefault("warningOnly", False)
        if found["warningOnly"]:
            found.pop("editors", None)
        sheet = self._by_id(book, grid.get("sheetId"), where)
        sheet["protected"].append(found)
        return {"addProtectedRange": {"protectedRange": dict(found)}}

    def _do_deleteProtectedRange(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        wanted = args.get("protectedRangeId")
        for sheet in book["sheets"]:
            kept = [p for p in sheet["protected"] if p["protectedRangeId"] != wanted]
            if len(kept) != len(sheet["protected"]):
                sheet["protected"] = kept
                return
        raise ApiError(400, f"{where}No protected range with id: {wanted}")

    def _do_updateSheetProperties(self, book: dict[str, Any], args: dict[str, Any], where: str) -> None:
        props = args.get("properties", {})
        sheet = self._by_id(book, props.get("sheetId"), where)
        fields = [f.strip() for f in args.get("fields", "").split(",") if f.strip()]
        if "title" in fields:
            sheet["title"] = props["title"]
        for name in ("rowCount", "columnCount"):
            if "gridProperties" in fields or f"gridProperties.{name}" in fields:
                sheet[name] = props.get("gridProperties", {})[name]
        for name in ("cells", "formats", "notes", "validations"):
            sheet[name] = {rc: v for rc, v in sheet[name].items()
                           if rc[0] < sheet["rowCount"] and rc[1] < sheet["columnCount"]}
        sheet["merges"] = [m for m in sheet["merges"] if m[2] < sheet["rowCount"] and m[3] < sheet["columnCount"]]
        sheet["metadata"] = {k: m for k, m in sheet.get("metadata", {}).items() if m["row"] < sheet["rowCount"]}


class _Transaction:
    """Apply changes to a copy of a spreadsheet; keep the copy only if nothing failed."""

    def __init__(self, book: dict[str, Any]) -> None:
        self.book = book
        self.work = {**book, "sheets": [_copy_sheet(s) for s in book["sheets"]]}

    def __enter__(self) -> dict[str, Any]:
        return self.work

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if kind is None:
            self.book["sheets"] = self.work["sheets"]
            self.book["version"] = self.book.get("version", 1) + 1  # Drive's version moves with every change
            self.book["modifiedTime"] = _rfc3339()


def _copy_sheet(sheet: dict[str, Any]) -> dict[str, Any]:
    """A copy a request may change: its maps, lists and row metadata are new objects."""
    copy = {}
    for name, value in sheet.items():
        if name == "metadata":
            value = {k: dict(m) for k, m in value.items()}
        elif name == "protected":
            value = [dict(p) for p in value]
        elif isinstance(value, (dict, list)):
            value = type(value)(value)
        copy[name] = value
    return copy


def _rfc3339() -> str:
    """Now as Drive writes times: ``2026-11-30T14:05:09.123Z``."""
    moment = datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _properties(sheet: dict[str, Any], index: int) -> dict[str, Any]:
    return {"sheetId": sheet["sheetId"], "title": sheet["title"], "index": index, "sheetType": "GRID",
            "gridProperties": {"rowCount": sheet["rowCount"], "columnCount": sheet["columnCount"]}}


def _store(sheet: dict[str, Any], r: int, c: int, value: Any, where: str) -> None:
    rule = sheet["validations"].get((r, c))
    if rule is not None and rule.get("strict") and not _accepts(rule, value):
        raise ApiError(400, f"{where}Invalid value {value!r} at {quote_title(sheet['title'])}!{column_letters(c)}{r + 1}: "
                            "the cell's data validation rule rejects it (Input must be "
                            f"{_describe(rule['condition'])}).")
    if value is None or value == "":
        sheet["cells"].pop((r, c), None)
    else:
        sheet["cells"][(r, c)] = value


def _entered(value: dict[str, Any] | None, where: str) -> Any:
    """A stored value from an ExtendedValue (``userEnteredValue``)."""
    if not value:
        return None
    for kind in ("stringValue", "numberValue", "boolValue"):
        if kind in value:
            return value[kind]
    if "formulaValue" in value:
        return {"formula": value["formulaValue"]}
    raise ApiError(400, f"{where}unsupported userEnteredValue {value!r}")


def _user_entered(value: Any) -> Any:
    """What Sheets makes of a value typed by a user (``valueInputOption=USER_ENTERED``)."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("="):
        return {"formula": value}
    if _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    if value[:1] in ("+", "-"):
        return {"formula": "=" + value}
    return value


def _bounds(sheet: dict[str, Any], grid: dict[str, Any]) -> tuple[int, int, int, int]:
    """Row and column bounds (exclusive ends) of a GridRange; a missing end is the grid's edge."""
    return (grid.get("startRowIndex", 0), min(grid.get("endRowIndex", sheet["rowCount"]), sheet["rowCount"]),
            grid.get("startColumnIndex", 0), min(grid.get("endColumnIndex", sheet["columnCount"]), sheet["columnCount"]))


def _accepts(rule: dict[str, Any], value: Any) -> bool:
    """Whether a cell value passes a ``BooleanCondition`` of a validation rule (empty does)."""
    if value is None or value == "" or isinstance(value, dict):  # a formula: its result is not checked here
        return True
    condition = rule["condition"]
    kind = condition.get("type")
    given = [v.get("userEnteredValue", "") for v in condition.get("values", [])]
    if kind == "ONE_OF_LIST":
        return str(value).casefold() in {v.casefold() for v in given}
    if kind == "DATE_IS_VALID":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "NUMBER_GREATER_THAN_EQ":
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= float(given[0])
    raise ApiError(400, f"FakeSheets does not check condition type {kind}")


def _describe(condition: dict[str, Any]) -> str:
    given = [v.get("userEnteredValue", "") for v in condition.get("values", [])]
    return {"ONE_OF_LIST": f"an item on the specified list: {', '.join(given)}", "DATE_IS_VALID": "a valid date",
            "NUMBER_GREATER_THAN_EQ": f"a number greater than or equal to {given[0] if given else ''}"
            }.get(condition.get("type"), "valid")


def _render(value: Any, option: str) -> Any:
    if isinstance(value, dict):
        if option == "FORMULA":
            return value["formula"]
        value = value.get("value")  # the result the test seeded: the fake has no formula engine
        if value is None:
            return ""
    if option in ("UNFORMATTED_VALUE", "FORMULA"):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _a1_box(text: str) -> tuple[int, int, int, int]:
    """``"B4:C5"`` → 0-based inclusive ``(3, 1, 4, 2)``."""
    start, _, end = text.partition(":")
    a, b = _REF.fullmatch(start), _REF.fullmatch(end or start)
    return int(a[2]) - 1, column_index(a[1]), int(b[2]) - 1, column_index(b[1])


def _grid_range(sheet_id: int, box: tuple[int, int, int, int]) -> dict[str, int]:
    """A ``GridRange`` (exclusive ends) for a 0-based inclusive box; Google leaves out
    ``sheetId`` when it is 0 but always gives the indexes."""
    answer = {"sheetId": sheet_id} if sheet_id else {}
    answer.update(startRowIndex=box[0], endRowIndex=box[2] + 1, startColumnIndex=box[1], endColumnIndex=box[3] + 1)
    return answer


_ERRORS = {"#NULL!": "NULL_VALUE", "#DIV/0!": "DIVIDE_BY_ZERO", "#VALUE!": "VALUE", "#REF!": "REF",
           "#NAME?": "NAME", "#NUM!": "NUM", "#N/A": "N_A", "#ERROR!": "ERROR"}


def _extended(value: Any) -> dict[str, Any]:
    """An ``ExtendedValue`` for a plain stored value (an error text is an ``errorValue``)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if value in _ERRORS:
        return {"errorValue": {"type": _ERRORS[value], "message": f"Formula error {value}"}}
    return {"stringValue": value}


def _full_cell(value: Any, fmt: dict[str, Any] | None, note: str | None = None,
               rule: dict[str, Any] | None = None) -> dict[str, Any]:
    """A cell's ``CellData`` before any field mask."""
    data: dict[str, Any] = {}
    if note:
        data["note"] = note
    if rule is not None:
        data["dataValidation"] = rule
    if isinstance(value, dict):
        data["userEnteredValue"] = {"formulaValue": value["formula"]}
        result = value.get("value")
        if result is not None and result != "":
            data["effectiveValue"] = _extended(result)
    elif value is not None:
        data["userEnteredValue"] = data["effectiveValue"] = _extended(value)
    if fmt:
        data["userEnteredFormat"] = fmt
    return data


def _grid_data(sheet: dict[str, Any], box: tuple[int, int, int, int], cells: Any) -> dict[str, Any]:
    """One ``GridData`` for a box of a sheet, each cell kept through the ``cells`` mask
    (``None``: whole cells). A cell left empty is ``{}``, a row without any kept cell is
    ``{}``; trailing empty cells of a row and trailing empty rows are left out."""
    r0, c0 = box[0], box[1]
    r1, c1 = min(box[2], sheet["rowCount"] - 1), min(box[3], sheet["columnCount"] - 1)
    kept: dict[int, dict[int, dict[str, Any]]] = {}
    for (r, c) in set(sheet["cells"]) | set(sheet["formats"]) | set(sheet["notes"]) | set(sheet["validations"]):
        if r0 <= r <= r1 and c0 <= c <= c1:
            data = _full_cell(sheet["cells"].get((r, c)), sheet["formats"].get((r, c)), sheet["notes"].get((r, c)),
                              sheet["validations"].get((r, c)))
            if cells is not None:
                data = apply_fields(data, cells)
            if data:
                kept.setdefault(r - r0, {})[c - c0] = data
    answer: dict[str, Any] = {}
    if r0:
        answer["startRow"] = r0
    if c0:
        answer["startColumn"] = c0
    if kept:
        answer["rowData"] = [{"values": [kept[r].get(c, {}) for c in range(1 + max(kept[r]))]} if r in kept else {}
                             for r in range(1 + max(kept))]
    return answer


def parse_fields(text: str) -> dict[str, Any]:
    """A ``fields`` mask as a tree: ``"a.b,c(d,e/f)"`` → ``{"a": {"b": None}, "c": {"d": None,
    "e": {"f": None}}}``; ``None`` keeps the whole field. Paths use ``.`` or ``/``."""
    pos = 0

    def fail() -> ApiError:
        return ApiError(400, f"Invalid field selection {text}")

    def name() -> str:
        nonlocal pos
        found = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\*)\s*").match(text, pos)
        if not found:
            raise fail()
        pos = found.end()
        return found[1]

    def selection() -> dict[str, Any]:
        nonlocal pos
        tree: dict[str, Any] = {}
        while True:
            path = [name()]
            while text[pos:pos + 1] in (".", "/"):
                pos += 1
                path.append(name())
            sub = None
            if text[pos:pos + 1] == "(":
                pos += 1
                sub = selection()
                if text[pos:pos + 1] != ")":
                    raise fail()
                pos += 1
            for part in reversed(path[1:]):
                sub = {part: sub}
            _merge_fields(tree, path[0], sub)
            if text[pos:pos + 1] != ",":
                return tree
            pos += 1

    tree = selection()
    if pos != len(text):
        raise fail()
    return tree


def _merge_fields(tree: dict[str, Any], key: str, sub: Any) -> None:
    if key in tree and tree[key] is None:
        return
    if sub is None or key not in tree:
        tree[key] = sub if sub is None else dict(sub)
        return
    for child, more in sub.items():
        _merge_fields(tree[key], child, more)


def _subtree(tree: Any, *path: str) -> Any:
    """The part of a mask tree under ``path``: ``None`` (all of it) or a tree, or
    ``False`` when the mask does not reach there."""
    for key in path:
        if tree is None:
            return None
        tree = tree["*"] if "*" in tree else tree.get(key, False)
        if tree is False:
            return False
    return tree


def apply_fields(value: Any, tree: Any) -> Any:
    """Keep only what the mask tree names; empty objects are left out, but list items stay
    (as ``{}``) so positions keep their meaning."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply_fields(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    answer = {}
    for key, item in value.items():
        sub = tree["*"] if "*" in tree else tree.get(key, False)
        if sub is False:
            continue
        kept = apply_fields(item, sub)
        if kept != {}:
            answer[key] = kept
    return answer


def _handler(fake: FakeSheets) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload, headers = fake.handle(self.command, self.path, raw)
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
