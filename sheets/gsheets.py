"""Google Sheets: one spreadsheet as a :class:`~sheets.backend.Backend`, through gspread.

Only gspread's low-level HTTP client is used, so the request budget is exact:

- the first call of an instance fetches the spreadsheet metadata once
  (``GET spreadsheets/{key}?includeGridData=false``: titles, sheet ids, grid sizes);
- ``read`` is one ``GET spreadsheets/{key}/values/'{title}'`` with unformatted values and
  dates as serial numbers;
- ``write`` is one ``POST spreadsheets/{key}:batchUpdate`` whatever the cell count: an
  ``appendDimension`` first when a cell lies beyond the grid, then ``updateCells`` with
  typed values (a ``str`` is a ``stringValue``, so it is never taken for a formula).

Every request goes through :meth:`GoogleSheetsBackend._request`, which counts it and
retries 429 and 5xx with exponential backoff. With ``PHOIHOP_SHEETS_EMULATOR`` set,
:meth:`~GoogleSheetsBackend.from_environment` sends every request meant for Google's API
hosts to that URL instead, with anonymous credentials.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import numbers
import os
import re
import time
from typing import Any, Callable, Sequence

import gspread
import requests
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from gspread.exceptions import APIError
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL, SPREADSHEET_URL, SPREADSHEET_VALUES_URL
from gspread.utils import a1_to_rowcol, absolute_range_name, quote
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from sheets.backend import BackendError, Cell, RequestCount, WorksheetNotFound

log = logging.getLogger(__name__)
EMULATOR_ENV = "PHOIHOP_SHEETS_EMULATOR"
CREDENTIALS_ENV = "PHOIHOP_GOOGLE_CREDENTIALS"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
TIMEOUT = (10, 300)  # seconds to connect, seconds to wait for an answer (a big read is slow)
#: Hosts gspread talks to; in emulator mode none of them is ever reached.
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
_SERIAL_EPOCH = dt.datetime(1899, 12, 30)
_URL_KEY = re.compile(r"^(?:https?://)?docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)(?:[/?#].*)?$")
_PREFIX_KEY = re.compile(r"^gsheet:([A-Za-z0-9_-]+)$")


def parse_source(text: str) -> str:
    """Return the spreadsheet key of a Google Sheets URL or of ``gsheet:KEY``."""
    text = (text or "").strip()
    found = _URL_KEY.match(text) or _PREFIX_KEY.match(text)
    if not found:
        raise BackendError(f'"{text}" không phải địa chỉ Google Sheets: hãy dùng đường dẫn dạng '
                           "https://docs.google.com/spreadsheets/d/MÃ/edit hoặc gsheet:MÃ.")
    return found.group(1)


class EmulatorAdapter(HTTPAdapter):
    """A ``requests`` transport that sends requests for Google's hosts to an emulator."""

    def __init__(self, emulator_url: str) -> None:
        super().__init__()
        self.base = emulator_url.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        for host in GOOGLE_HOSTS:
            if request.url.startswith(host + "/"):
                request.url = self.base + request.url[len(host):]
                # Proxies were picked for Google's host; pick them again for the emulator.
                kwargs["proxies"] = get_environ_proxies(request.url)
                break
        return super().send(request, **kwargs)


def emulator_client(emulator_url: str) -> gspread.Client:
    """A gspread client with anonymous credentials whose requests all go to the emulator."""
    client = gspread.Client(auth=AnonymousCredentials())
    adapter = EmulatorAdapter(emulator_url)
    for host in GOOGLE_HOSTS:
        client.http_client.session.mount(host + "/", adapter)
    return client


class GoogleSheetsBackend:
    """One Google spreadsheet, read and written through an already-built gspread client."""

    def __init__(self, client: gspread.Client, key: str, *, max_retries: int = 6,
                 base_delay: float = 1.0, sleep: Callable[[float], Any] = time.sleep) -> None:
        self.key = key
        self.requests = RequestCount()
        self._http = client.http_client
        self._max_retries = max_retries
        self._base_delay = base_delay
        self._sleep = sleep
        self._title = key
        self._sheets: dict[str, dict[str, int]] = {}  # title -> sheetId, rows, cols
        self._fetched = False

    def __repr__(self) -> str:
        return f"GoogleSheetsBackend({self.key!r})"

    @classmethod
    def from_environment(cls, key: str, **options: Any) -> GoogleSheetsBackend:
        """Build the client from the environment: the emulator if set, else a service account."""
        emulator = os.environ.get(EMULATOR_ENV, "").strip()
        path = os.environ.get(CREDENTIALS_ENV, "").strip()
        if emulator:
            client = emulator_client(emulator)
        elif not path:
            raise BackendError(f"Chưa cấu hình tài khoản Google: hãy đặt biến môi trường {CREDENTIALS_ENV} "
                               "là đường dẫn tới tệp khóa JSON của tài khoản dịch vụ (service account).")
        else:
            try:
                client = gspread.service_account(filename=path, scopes=SCOPES)
            except (OSError, ValueError, KeyError) as exc:
                raise BackendError(f'Không đọc được tệp khóa tài khoản dịch vụ Google "{path}" '
                                   f"({CREDENTIALS_ENV}): {exc}") from exc
        client.set_timeout(TIMEOUT)
        return cls(client, key, **options)

    # -- the Backend protocol ----------------------------------------------------------

    def read(self, worksheet: str) -> list[list[Any]]:
        """Return the worksheet from A1 as rows of plain values; blanks are ``None``."""
        self._sheet(worksheet)
        url = SPREADSHEET_VALUES_URL % (self.key, quote(absolute_range_name(worksheet)))
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
                  "majorDimension": "ROWS"}
        data = self._request("get", url, params=params)
        rows = data.get("values", [])
        for row in rows:  # in place: a 100,000-row sheet is not held twice
            for index, value in enumerate(row):
                row[index] = _plain(value)
        top, left = _range_origin(data.get("range", ""))
        if left:
            rows = [[None] * left + row if row else row for row in rows]
        return [[] for _ in range(top)] + rows

    def write(self, worksheet: str, cells: Sequence[Cell]) -> None:
        """Write every cell in one ``batchUpdate``, growing the grid first when needed."""
        if not cells:
            return
        sheet = self._sheet(worksheet)
        latest: dict[tuple[int, int], Any] = {}
        for cell in cells:
            if cell.row < 1 or cell.col < 1:
                raise BackendError(f"Ô ({cell.row}, {cell.col}) không hợp lệ: hàng và cột bắt đầu từ 1.")
            latest[(cell.row, cell.col)] = cell.value
        # Clearing a cell beyond the grid changes nothing: do not grow the sheet for it.
        latest = {rc: v for rc, v in latest.items()
                  if v is not None or (rc[0] <= sheet["rows"] and rc[1] <= sheet["cols"])}
        if not latest:
            return
        rows = max(r for r, _ in latest)
        cols = max(c for _, c in latest)
        batch = [{"appendDimension": {"sheetId": sheet["sheetId"], "dimension": dimension, "length": extra}}
                 for dimension, extra in (("ROWS", rows - sheet["rows"]), ("COLUMNS", cols - sheet["cols"]))
                 if extra > 0]
        batch += _update_cells(sheet["sheetId"], latest, worksheet)
        self._request("post", SPREADSHEET_BATCH_UPDATE_URL % self.key, json={"requests": batch})
        sheet["rows"], sheet["cols"] = max(rows, sheet["rows"]), max(cols, sheet["cols"])

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet of that size; nothing happens when it already exists."""
        if worksheet in self._metadata():
            return
        body = {"requests": [{"addSheet": {"properties": {
            "title": worksheet, "gridProperties": {"rowCount": rows, "columnCount": cols}}}}]}
        reply = self._request("post", SPREADSHEET_BATCH_UPDATE_URL % self.key, json=body)
        self._remember(reply["replies"][0]["addSheet"]["properties"])

    # -- helpers -----------------------------------------------------------------------

    def _metadata(self) -> dict[str, dict[str, int]]:
        """Titles, ids and grid sizes of the worksheets, fetched once per instance."""
        if not self._fetched:
            data = self._request("get", SPREADSHEET_URL % self.key, params={"includeGridData": "false"})
            self._title = data.get("properties", {}).get("title", self.key)
            self._fetched = True
            for sheet in data.get("sheets", []):
                self._remember(sheet.get("properties", {}))
        return self._sheets

    def _remember(self, properties: dict[str, Any]) -> None:
        grid = properties.get("gridProperties", {})
        self._sheets[properties["title"]] = {"sheetId": properties.get("sheetId", 0),
                                             "rows": grid.get("rowCount", 0),
                                             "cols": grid.get("columnCount", 0)}

    def _sheet(self, worksheet: str) -> dict[str, int]:
        sheets = self._metadata()
        if worksheet not in sheets:
            listed = ", ".join(f'"{t}"' for t in sheets) or "(không có)"
            raise WorksheetNotFound(f'Không tìm thấy trang tính "{worksheet}" trong bảng tính '
                                    f'"{self._title}". Các trang tính hiện có: {listed}.')
        return sheets[worksheet]

    def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one API call and return its JSON body; the one place for counting and retries.

        429 and 5xx are retried up to ``max_retries`` times, waiting ``base_delay * 2**n``
        seconds, or what the answer's ``Retry-After`` header says; other errors fail at once.
        """
        for attempt in range(max(0, self._max_retries) + 1):
            if method == "get":
                self.requests.reads += 1
            else:
                self.requests.writes += 1
            try:
                return self._http.request(method, url, **kwargs).json()
            except APIError as exc:
                status = exc.response.status_code
                if status != 429 and status < 500:
                    raise BackendError(self._refusal(status, _message(exc))) from exc
                if attempt >= self._max_retries:
                    raise BackendError(f"Google Sheets từ chối yêu cầu sau {attempt + 1} lần thử "
                                       f"(HTTP {status}): {_message(exc)}") from exc
                wait = _retry_after(exc.response)
                wait = self._base_delay * 2**attempt if wait is None else wait
                log.warning("Google Sheets answered HTTP %s; retrying in %.1f s", status, wait)
                self._sleep(wait)
            except requests.RequestException as exc:
                raise BackendError(f"Không kết nối được tới Google Sheets: {exc}") from exc
            except GoogleAuthError as exc:
                raise BackendError(f"Không đăng nhập được vào Google bằng tài khoản dịch vụ: {exc}") from exc
        raise AssertionError("unreachable")

    def _refusal(self, status: int, message: str) -> str:
        """A Vietnamese sentence for an answer that retrying cannot fix."""
        if status in (401, 403):
            return (f'Không có quyền truy cập bảng tính "{self.key}" (HTTP {status}): hãy chia sẻ bảng '
                    f"tính cho email của tài khoản dịch vụ. Chi tiết: {message}")
        if status == 404:
            return f'Không tìm thấy bảng tính "{self.key}" (HTTP 404): kiểm tra lại đường dẫn hoặc mã bảng tính.'
        return f"Google Sheets không chấp nhận yêu cầu (HTTP {status}): {message}"


def _message(exc: APIError) -> str:
    message = exc.error.get("message") if isinstance(exc.error, dict) else None
    return str(message or exc.response.reason or "").strip()[:300]


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a ``Retry-After: <seconds>`` header, if the answer has one."""
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


def _plain(value: Any) -> Any:
    """An API value as a backend cell: ``''`` is empty, integral floats are ``int``."""
    if value == "":
        return None
    return int(value) if value.__class__ is float and value.is_integer() else value


def _range_origin(a1_range: str) -> tuple[int, int]:
    """0-based (row, col) of the top-left cell of an answer's range, e.g. ``'X'!B3:Z9``."""
    found = re.match(r"\$?([A-Za-z]+)\$?([1-9]\d*)(:|$)", a1_range.rpartition("!")[2])
    row, col = a1_to_rowcol(found[1] + found[2]) if found else (1, 1)
    return row - 1, col - 1


def _cell_data(value: Any, where: str) -> dict[str, Any]:
    """A typed ``CellData``: text stays text, dates become serials shown as dd/mm/yyyy."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"userEnteredValue": {"stringValue": value}}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        serial = (moment.replace(tzinfo=None) - _SERIAL_EPOCH) / dt.timedelta(days=1)
        kind, pattern = ("DATE_TIME", "dd/mm/yyyy hh:mm") if isinstance(value, dt.datetime) else ("DATE", "dd/mm/yyyy")
        return {"userEnteredValue": {"numberValue": int(serial) if serial.is_integer() else serial},
                "userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}}
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        number = value if isinstance(value, int) else float(value)
        if math.isfinite(number):
            return {"userEnteredValue": {"numberValue": number}}
    raise BackendError(f"{where}: không ghi được giá trị {value!r} lên Google Sheets.")


def _update_cells(sheet_id: int, values: dict[tuple[int, int], Any], worksheet: str) -> list[dict[str, Any]]:
    """``updateCells`` requests covering ``values``: runs of adjacent cells in a row,
    stacked into one rectangle while consecutive rows have a run over the same columns."""
    runs: list[list[Any]] = []  # [row, col, dated, [CellData...]]
    for row, col in sorted(values):
        data = _cell_data(values[(row, col)], f'Ô ({row}, {col}) của trang tính "{worksheet}"')
        dated = "userEnteredFormat" in data
        last = runs[-1] if runs else None
        if last and last[0] == row and last[1] + len(last[3]) == col and last[2] == dated:
            last[3].append(data)
        else:
            runs.append([row, col, dated, [data]])
    blocks: list[dict[str, Any]] = []
    open_blocks: dict[tuple[int, int, bool], dict[str, Any]] = {}
    for row, col, dated, data in runs:
        block = open_blocks.get((col, len(data), dated))
        if block and block["row"] + len(block["rows"]) == row:
            block["rows"].append(data)
        else:
            block = open_blocks[(col, len(data), dated)] = {"row": row, "col": col, "dated": dated, "rows": [data]}
            blocks.append(block)
    return [{"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": b["row"] - 1, "columnIndex": b["col"] - 1},
        "rows": [{"values": data} for data in b["rows"]],
        "fields": "userEnteredValue,userEnteredFormat.numberFormat" if b["dated"] else "userEnteredValue",
    }} for b in blocks]
