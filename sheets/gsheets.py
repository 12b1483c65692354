"""Google Sheets: one spreadsheet as a :class:`~sheets.backend.Backend`, through gspread.

Only gspread's low-level HTTP client is used, so the request budget is exact:

- ``read`` is two GETs. First ``GET spreadsheets/{key}?ranges='{title}'&fields=…`` with
  the mask :data:`INSPECT_FIELDS`: the worksheet's id and grid size, its merged ranges,
  and, cell by cell, whether it holds a formula (``userEnteredValue.formulaValue``; Google
  answers ``{}`` for the other cells, so this stays small). Then
  ``GET spreadsheets/{key}/values/'{title}'`` with unformatted values and dates as serial
  numbers: a formula cell reads as its computed result (Google always computes; an error
  result such as ``#REF!`` is text). The grid is then bounded by :mod:`sheets.bounds`.
- ``write`` is one ``POST spreadsheets/{key}:batchUpdate`` whatever the cell count: an
  ``appendDimension`` first when a cell lies beyond the grid, then ``updateCells`` with
  typed values (a ``str`` is a ``stringValue``, so it is never taken for a formula),
  then one ``createDeveloperMetadata`` (or ``updateDeveloperMetadata``) per row whose
  ``Mã`` is to be attached to it (key :data:`ROW_KEY`, project visibility); the read's
  inspecting GET brings them back (``rowMetadata``), at no extra request. It
  refuses to write into a cell the last read of that worksheet found holding a formula.
  Writing a worksheet never read by this instance first costs that inspecting GET.
- ``revision`` is one GET of Drive's ``files/{key}?fields=version,modifiedTime``.
- ``add_worksheet`` lists the worksheets once (``GET spreadsheets/{key}`` with
  :data:`LIST_FIELDS`) unless the title is already known, then adds it.

Every request goes through :meth:`GoogleSheetsBackend._request`, which counts it and
retries 429 and 5xx with exponential backoff. ``appendDimension`` is relative: when a
growing write is answered 5xx (Google may have applied it anyway), the grid size is asked
for again (``GET spreadsheets/{key}?ranges=…&fields=`` :data:`SIZE_FIELDS`) before the
retry, so the sheet grows once. With ``PHOIHOP_SHEETS_EMULATOR`` set,
:meth:`~GoogleSheetsBackend.from_environment` sends every request meant for Google's API
hosts to that URL instead, with anonymous credentials.

Building a backend makes no request: a credentials file is read and checked locally, and
every problem with it (or with the emulator URL) is a :class:`~sheets.backend.BackendError`
with one Vietnamese sentence, so one bad binding fails alone.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
import numbers
import os
import re
import time
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.urls import (
    DRIVE_FILES_API_V3_URL, SPREADSHEET_BATCH_UPDATE_URL, SPREADSHEET_URL, SPREADSHEET_VALUES_URL,
)
from gspread.utils import a1_to_rowcol, absolute_range_name, quote
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from sheets.guidance import Guidance

from sheets import gsheets_guidance as guide
from sheets.backend import BackendError, Cell, Grid, RequestCount, WorksheetNotFound
from sheets.bounds import FAR_ROWS, HEAD_ROWS, bound_grid, column_letter, column_limit
from sheets.quota import QuotaBudget

log = logging.getLogger(__name__)
EMULATOR_ENV = "PHOIHOP_SHEETS_EMULATOR"
CREDENTIALS_ENV = "PHOIHOP_GOOGLE_CREDENTIALS"
#: The request budget's account in emulator mode (there is no service account).
EMULATOR_ACCOUNT = "emulator"
#: Sheets to read and write; Drive metadata only to ask a spreadsheet's revision.
SCOPES = ["https://www.googleapis.com/auth/spreadsheets", "https://www.googleapis.com/auth/drive.metadata.readonly"]
#: What :meth:`GoogleSheetsBackend.revision` asks Drive (a file in a shared drive too).
DRIVE_PARAMS = {"fields": "version,modifiedTime", "supportsAllDrives": "true"}
TIMEOUT = (10, 300)  # seconds to connect, seconds to wait for an answer (a big read is slow)
#: Hosts gspread talks to; in emulator mode none of them is ever reached.
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
#: What a read asks about its worksheet besides the values: size, merges, formula cells.
INSPECT_FIELDS = ("properties.title,sheets(properties(sheetId,title,gridProperties),merges,"
                  f"{guide.PROTECTED_FIELDS},"
                  f"data(startRow,startColumn,rowData(values(userEnteredValue(formulaValue),{guide.NOTE_FIELD})),"
                  "rowMetadata(developerMetadata(metadataId,metadataKey,metadataValue))))")
#: The key of the DeveloperMetadata that carries a row's ``Mã`` (project visibility:
#: only this Cloud project's requests see it).
ROW_KEY = "phoihop.id"
#: Every worksheet's title, id and size (no grid data).
LIST_FIELDS = "properties.title,sheets.properties(sheetId,title,gridProperties)"
#: One worksheet's id and size, asked for again before retrying a write that grows it.
SIZE_FIELDS = "sheets.properties(sheetId,title,gridProperties)"
#: A service-account key file is about 2 KB; anything this big is the wrong file.
MAX_KEY_FILE = 1 << 20
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


def check_emulator_url(text: str) -> str:
    """The emulator URL if it is an ``http(s)://host[:port][/path]`` URL, else a BackendError."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or any(ch.isspace() for ch in text) or parts.query or parts.fragment):
        raise BackendError(f'Biến môi trường {EMULATOR_ENV} = "{text}" không phải một địa chỉ URL hợp lệ: '
                           "hãy đặt dạng http://127.0.0.1:8080, hoặc bỏ biến này để dùng Google Sheets thật.")
    return text


def service_account_client(path: str) -> gspread.Client:
    """A gspread client for the service-account key file at ``path``, checked locally.

    Nothing here goes to the network (the token is fetched on the first request). Every
    problem with the file is a :class:`BackendError` saying what is wrong with it.
    """
    where = f'Tệp khóa Google "{path}" (biến môi trường {CREDENTIALS_ENV})'
    full = os.path.expanduser(path)
    if not os.path.lexists(full):
        raise BackendError(f"{where} không tồn tại: kiểm tra lại đường dẫn tới tệp khóa JSON của tài khoản "
                           "dịch vụ (service account).")
    if os.path.isdir(full):
        raise BackendError(f"{where} là một thư mục, không phải tệp: hãy trỏ tới chính tệp khóa .json bên trong.")
    try:
        with open(full, "rb") as handle:
            raw = handle.read(MAX_KEY_FILE + 1)
    except PermissionError:
        raise BackendError(f"{where}: phoihop không có quyền đọc tệp này; hãy cấp quyền đọc cho người dùng "
                           "chạy phoihop.") from None
    except OSError:
        raise BackendError(f"{where}: không đọc được tệp (tệp hỏng, liên kết hỏng hoặc không phải tệp thường).") from None
    if len(raw) > MAX_KEY_FILE:
        raise BackendError(f"{where} quá lớn để là một tệp khóa JSON (tệp khóa chỉ khoảng 2 KB): "
                           "kiểm tra lại đường dẫn.")
    if not raw.strip():
        raise BackendError(f"{where} rỗng: hãy tải lại tệp khóa JSON của tài khoản dịch vụ từ Google Cloud Console.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BackendError(f"{where} không phải tệp văn bản JSON (có thể là khóa dạng .p12): hãy tạo khóa mới "
                           "loại JSON cho tài khoản dịch vụ trong Google Cloud Console.") from None
    try:
        info = json.loads(text)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", "?"), getattr(exc, "colno", "?")
        raise BackendError(f"{where} không phải JSON hợp lệ (lỗi ở dòng {line}, cột {column}): tệp có thể bị "
                           "cắt cụt hoặc sửa tay; hãy tải lại tệp khóa.") from None
    if not isinstance(info, dict):
        raise BackendError(f"{where} không phải tệp khóa tài khoản dịch vụ: nội dung JSON không phải một đối "
                           "tượng {…}.")
    if "installed" in info or "web" in info:
        raise BackendError(f"{where} là tệp OAuth client ID (client secret) dùng cho ứng dụng đăng nhập, không "
                           "phải khóa tài khoản dịch vụ: hãy vào IAM → Service Accounts → Keys → Add key → JSON.")
    kind = info.get("type")
    if kind is None:
        raise BackendError(f'{where} thiếu trường "type": đây không phải tệp khóa tài khoản dịch vụ do Google '
                           'tạo (tệp đúng có "type": "service_account").')
    if kind == "authorized_user":
        raise BackendError(f"{where} là thông tin đăng nhập của một người dùng (authorized_user, ví dụ do gcloud "
                           "tạo), không phải khóa tài khoản dịch vụ: phoihop chỉ dùng tài khoản dịch vụ.")
    if kind != "service_account":
        raise BackendError(f'{where} có loại "{kind}", nhưng phoihop cần khóa tài khoản dịch vụ '
                           '("type": "service_account").')
    missing = [name for name in ("client_email", "private_key", "token_uri")
               if not isinstance(info.get(name), str) or not info[name].strip()]
    if missing:
        raise BackendError(f"{where} thiếu trường {', '.join(missing)}: tệp khóa không đầy đủ; hãy tải lại tệp khóa.")
    try:
        credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except Exception:  # the key parser raises several kinds (ValueError, TypeError, …) for a bad key
        raise BackendError(f"{where}: khóa riêng (private_key) bị hỏng, không đọc được; tệp có thể đã bị sửa "
                           "hoặc sao chép thiếu: hãy tạo khóa mới cho tài khoản dịch vụ.") from None
    return gspread.Client(auth=credentials)


class _Refused(BackendError):
    """Google refused a request in a way retrying cannot fix; ``status`` is its HTTP code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class GoogleSheetsBackend:
    """One Google spreadsheet, read and written through an already-built gspread client."""

    row_metadata = True  # write(row_ids=…) attaches a Mã to its row; read gives them back

    def __init__(self, client: gspread.Client, key: str, *, max_retries: int = 6,
                 base_delay: float = 1.0, sleep: Callable[[float], Any] = time.sleep,
                 budget: QuotaBudget | None = None, account: str = EMULATOR_ACCOUNT) -> None:
        self.key = key
        self.requests = RequestCount()
        self.account = account  # whose request budget this spends (the service account's email)
        self._budget = budget
        self._http = client.http_client
        self._max_retries = max_retries
        self._base_delay = base_delay
        self._sleep = sleep
        self._title = key
        self._sheets: dict[str, dict[str, int]] = {}  # title -> sheetId, rows, cols
        self._listed = False  # every worksheet of the spreadsheet is in _sheets
        self._formulas: dict[str, set[tuple[int, int]]] = {}  # title -> formula cells, 0-based
        self._row_meta: dict[str, dict[int, tuple[str, int]]] = {}  # title -> 0-based row -> (Mã, metadataId)
        self._drive_refused = False  # Drive answered that it will not tell the revision
        self.notices: list[str] = []  # what a write could not do, for the sync's warnings
        self._notes: dict[str, dict[tuple[int, int], str]] = {}  # title -> notes by cell, 0-based
        self._protected: dict[str, list[dict[str, Any]]] = {}  # title -> its protected ranges

    def __repr__(self) -> str:
        return f"GoogleSheetsBackend({self.key!r})"

    @classmethod
    def from_environment(cls, key: str, **options: Any) -> GoogleSheetsBackend:
        """Build the client from the environment: the emulator if set, else a service account.

        Makes no request. Raises :class:`BackendError` (one Vietnamese sentence) for an
        emulator value that is not a URL and for every problem with the credentials.
        """
        emulator = os.environ.get(EMULATOR_ENV, "").strip()
        path = os.environ.get(CREDENTIALS_ENV, "").strip()
        account = EMULATOR_ACCOUNT
        if emulator:
            client = emulator_client(check_emulator_url(emulator))
        elif not path:
            raise BackendError(f"Chưa cấu hình tài khoản Google: hãy đặt biến môi trường {CREDENTIALS_ENV} "
                               "là đường dẫn tới tệp khóa JSON của tài khoản dịch vụ (service account).")
        else:
            client = service_account_client(path)
            account = getattr(client.http_client.auth, "service_account_email", None) or path
        client.set_timeout(TIMEOUT)
        return cls(client, key, account=account, **options)

    # -- the Backend protocol ----------------------------------------------------------

    def read(self, worksheet: str) -> Grid:
        """Return the worksheet from A1 as a bounded :class:`Grid`; blanks are ``None``.

        ``Grid.formulas`` lists the formula cells inside the table's columns down to
        :data:`~sheets.bounds.FAR_ROWS` rows below its last row: formulas with an empty
        result just below the table (pre-filled rows) are listed too, so nothing is ever
        written into them. ``Grid.merges`` lists the merged ranges starting in that area.
        """
        formulas, merges = self._inspect(worksheet)
        row_ids = {row: key for row, (key, _) in self._row_meta[worksheet].items()}
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
        rows = [[] for _ in range(top)] + rows
        grid = _bounded(rows, formulas, merges)
        grid.row_ids = row_ids
        return grid

    #: :meth:`write` takes a :class:`~sheets.guidance.Guidance` too.
    takes_guidance = True

    def write(self, worksheet: str, cells: Sequence[Cell], row_ids: dict[int, str] | None = None,
              guidance: Guidance | None = None) -> None:
        """Write every cell in one ``batchUpdate``, growing the grid first when needed;
        ``row_ids`` ({1-based row: Mã}) are attached to their rows in the same batch.

        ``guidance`` (validations, notes, protections) goes into the same ``batchUpdate``,
        as far as it differs from what the last read found (:mod:`sheets.gsheets_guidance`);
        nothing to write and nothing to change sends no request.
        """
        row_ids = dict(row_ids or {})
        if not cells and not row_ids and guidance is None:
            return
        latest: dict[tuple[int, int], Any] = {}
        for cell in cells:
            if cell.row < 1 or cell.col < 1:
                raise BackendError(f"Ô ({cell.row}, {cell.col}) không hợp lệ: hàng và cột bắt đầu từ 1.")
            latest[(cell.row, cell.col)] = cell.value
        if worksheet not in self._formulas or (guidance is not None and worksheet not in self._notes):
            self._inspect(worksheet)  # never read nor created here: learn its size, formulas and notes
        sheet = self._sheets[worksheet]
        formulas = self._formulas[worksheet]
        hit = sorted((r, c) for r, c in latest if (r - 1, c - 1) in formulas)
        if hit:
            named = ", ".join(f"{column_letter(c - 1)}{r}" for r, c in hit[:5])
            more = f" và {len(hit) - 5} ô khác" if len(hit) > 5 else ""
            raise BackendError(f'Không ghi vào trang tính "{worksheet}": ô {named}{more} chứa công thức, '
                               "phoihop không ghi đè công thức. Không ô nào được ghi.")
        # Clearing a cell beyond the grid changes nothing: do not grow the sheet for it.
        latest = {rc: v for rc, v in latest.items()
                  if v is not None or (rc[0] <= sheet["rows"] and rc[1] <= sheet["cols"])}
        known = self._row_meta.get(worksheet, {})
        row_ids = {row: key for row, key in row_ids.items() if known.get(row - 1, (None,))[0] != key}
        tags = _tag_rows(sheet["sheetId"], row_ids, known)

        def size() -> tuple[int, int]:
            rows = max([sheet["rows"] if guidance else 0, 1, *(r for r, _ in latest), *(row_ids if tags else ())])
            cols = max([sheet["cols"] if guidance else 0, 1, *(c for _, c in latest)])
            return rows, cols

        rows, cols = size()
        updates = _update_cells(sheet["sheetId"], latest, worksheet) if latest else []
        if guidance is not None:
            updates += guide.requests(sheet["sheetId"], guidance, self._notes.get(worksheet, {}),
                                      self._protected.get(worksheet, []), max(rows, sheet["rows"]),
                                      max(cols, sheet["cols"]), grown=rows > sheet["rows"])
        if not updates and not tags:
            return

        def body() -> dict[str, Any]:
            rows, cols = size()
            grow = [{"appendDimension": {"sheetId": sheet["sheetId"], "dimension": dimension, "length": extra}}
                    for dimension, extra in (("ROWS", rows - sheet["rows"]), ("COLUMNS", cols - sheet["cols"]))
                    if extra > 0]
            return {"requests": grow + updates + tags}

        def before_retry(status: int, kwargs: dict[str, Any]) -> None:
            # A 5xx may come after Google applied the batch: appendDimension is relative, so
            # ask for the size again rather than grow the sheet a second time.
            if status >= 500 and any("appendDimension" in r for r in kwargs["json"]["requests"]):
                self._refresh_size(worksheet)
                kwargs["json"] = body()

        try:
            self._request("post", SPREADSHEET_BATCH_UPDATE_URL % self.key, json=body(), before_retry=before_retry)
        except _Refused as exc:
            if exc.status != 400 or not tags:
                raise
            # Google refused the batch (all of it: a batch is atomic) and the row metadata is
            # what phoihop adds least sure of Google's limits: write the cells without it.
            log.warning("Google refused the row metadata of %s [%s] (%s): cells written without it",
                        self.key, worksheet, exc)
            self.notices.append(f'Google Sheets không nhận Mã gắn theo dòng của trang tính "{worksheet}" '
                                f"({exc}); các ô vẫn được ghi, Mã vẫn nằm ở cột Mã.")
            tags = []
            if not updates:
                return
            self._request("post", SPREADSHEET_BATCH_UPDATE_URL % self.key, json=body(), before_retry=before_retry)
        rows, cols = size()
        sheet["rows"], sheet["cols"] = max(rows, sheet["rows"]), max(cols, sheet["cols"])
        if guidance is not None:  # what the sheet now carries, should this instance write again
            self._forget_guidance(worksheet)

    def add_worksheet(self, worksheet: str, rows: int = 1000, cols: int = 26) -> None:
        """Create an empty worksheet of that size; nothing happens when it already exists."""
        if worksheet in self._sheets or worksheet in self._list():
            return
        body = {"requests": [{"addSheet": {"properties": {
            "title": worksheet, "gridProperties": {"rowCount": rows, "columnCount": cols}}}}]}
        reply = self._request("post", SPREADSHEET_BATCH_UPDATE_URL % self.key, json=body)
        self._remember(reply["replies"][0]["addSheet"]["properties"])
        self._formulas[worksheet], self._notes[worksheet], self._protected[worksheet] = set(), {}, []

    def revision(self) -> str | None:
        """Drive's ``version`` and ``modifiedTime`` of the spreadsheet: one GET of
        ``drive/v3/files/{key}``; they move with every change, anyone's. ``None`` (and no
        further try by this instance) when Drive refuses: the Drive API not enabled for
        the project, or a key without the Drive scope; syncs then read every time."""
        if self._drive_refused:
            return None
        try:
            data = self._request("get", f"{DRIVE_FILES_API_V3_URL}/{self.key}", params=DRIVE_PARAMS)
        except _Refused as exc:
            log.info("Drive cannot tell the revision of %s (HTTP %s): every sync reads", self.key, exc.status)
            self._drive_refused = True
            return None
        return f"drive:{data.get('version')}:{data.get('modifiedTime')}"

    # -- helpers -----------------------------------------------------------------------

    def worksheets(self) -> list[str]:
        """The spreadsheet's worksheet titles, in its order (one request per instance)."""
        if not self._listed:
            self._sheets.clear()  # listed afresh, in the spreadsheet's order
        return list(self._list())

    def sheet_id(self, worksheet: str) -> int | None:
        """The worksheet's id (the ``#gid=`` of its address), or ``None`` if there is none."""
        known = self._list().get(worksheet)
        return None if known is None else known.get("sheetId")

    def _inspect(self, worksheet: str) -> tuple[set[tuple[int, int]], list[tuple[int, int, int, int]]]:
        """One GET for the worksheet's id, size, merges and formula cells (0-based)."""
        params = {"ranges": absolute_range_name(worksheet), "fields": INSPECT_FIELDS}
        try:
            data = self._request("get", SPREADSHEET_URL % self.key, params=params)
        except _Refused as exc:
            # Google answers an unknown title with 400 "Unable to parse range".
            if exc.status == 400 and worksheet not in self._list():
                self._not_found(worksheet)
            raise
        self._title = data.get("properties", {}).get("title", self._title)
        found = data.get("sheets") or []
        if not found:
            self._not_found(worksheet)
        sheet = found[0]
        properties = sheet.get("properties", {})
        known = self._remember(properties)
        self._sheets[worksheet] = known  # the title as asked, should Google match another case
        formulas: set[tuple[int, int]] = set()
        notes: dict[tuple[int, int], str] = {}
        for block in sheet.get("data", []):
            top, left = block.get("startRow", 0), block.get("startColumn", 0)
            for r, row in enumerate(block.get("rowData", [])):
                for c, cell in enumerate(row.get("values", [])):
                    if "formulaValue" in (cell.get("userEnteredValue") or {}):
                        formulas.add((top + r, left + c))
                    if cell.get("note"):
                        notes[(top + r, left + c)] = cell["note"]
        self._notes[worksheet] = notes
        self._protected[worksheet] = sheet.get("protectedRanges", [])
        merges = []
        for merge in sheet.get("merges", []):
            merges.append((merge.get("startRowIndex", 0), merge.get("startColumnIndex", 0),
                           merge.get("endRowIndex", known["rows"]) - 1, merge.get("endColumnIndex", known["cols"]) - 1))
        self._formulas[worksheet] = formulas
        self._row_meta[worksheet] = _row_ids(sheet)
        return formulas, merges

    def _forget_guidance(self, worksheet: str) -> None:
        """The notes and protections of ``worksheet`` are unknown until it is read again."""
        self._notes.pop(worksheet, None)
        self._protected.pop(worksheet, None)

    def _list(self) -> dict[str, dict[str, int]]:
        """Every worksheet's title, id and size, asked for once per instance."""
        if not self._listed:
            data = self._request("get", SPREADSHEET_URL % self.key, params={"fields": LIST_FIELDS})
            self._title = data.get("properties", {}).get("title", self._title)
            for sheet in data.get("sheets", []):
                self._remember(sheet.get("properties", {}))
            self._listed = True
        return self._sheets

    def _refresh_size(self, worksheet: str) -> None:
        params = {"ranges": absolute_range_name(worksheet), "fields": SIZE_FIELDS}
        data = self._request("get", SPREADSHEET_URL % self.key, params=params)
        for sheet in data.get("sheets", [])[:1]:
            self._sheets[worksheet].update(_size(sheet.get("properties", {})))

    def _remember(self, properties: dict[str, Any]) -> dict[str, int]:
        known = self._sheets.setdefault(properties["title"], {})
        known.update(_size(properties))
        return known

    def _not_found(self, worksheet: str) -> None:
        listed = ", ".join(f'"{t}"' for t in self._list()) or "(không có)"
        raise WorksheetNotFound(f'Không tìm thấy trang tính "{worksheet}" trong bảng tính '
                                f'"{self._title}". Các trang tính hiện có: {listed}.')

    def _request(self, method: str, url: str, *,
                 before_retry: Callable[[int, dict[str, Any]], None] | None = None, **kwargs: Any) -> Any:
        """Send one API call and return its JSON body; the one place for counting, the
        request budget (:mod:`sheets.quota`: every attempt takes a token) and retries.

        429 and 5xx are retried up to ``max_retries`` times, waiting ``base_delay * 2**n``
        seconds, or what the answer's ``Retry-After`` header says; other errors fail at once.
        ``before_retry(status, kwargs)`` may change the request before it is sent again.
        """
        for attempt in range(max(0, self._max_retries) + 1):
            if self._budget is not None:  # wait for a token of the account's budget, not for a 429
                self._budget.take(self.account, "read" if method == "get" else "write")
            if method == "get":
                self.requests.reads += 1
            else:
                self.requests.writes += 1
            try:
                return self._http.request(method, url, **kwargs).json()
            except APIError as exc:
                status = exc.response.status_code
                if status != 429 and status < 500:
                    raise _Refused(self._refusal(status, _message(exc)), status) from exc
                if attempt >= self._max_retries:
                    raise BackendError(f"Google Sheets từ chối yêu cầu sau {attempt + 1} lần thử "
                                       f"(HTTP {status}): {_message(exc)}") from exc
                wait = _retry_after(exc.response)
                wait = self._base_delay * 2**attempt if wait is None else wait
                log.warning("Google Sheets answered HTTP %s; retrying in %.1f s", status, wait)
                self._sleep(wait)
                if before_retry is not None:
                    before_retry(status, kwargs)
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


def _size(properties: dict[str, Any]) -> dict[str, int]:
    grid = properties.get("gridProperties", {})
    return {"sheetId": properties.get("sheetId", 0), "rows": grid.get("rowCount", 0),
            "cols": grid.get("columnCount", 0)}


def _bounded(rows: list[list[Any]], formulas: set[tuple[int, int]],
             merges: list[tuple[int, int, int, int]]) -> Grid:
    """The grid bounded by :mod:`sheets.bounds`, with the formulas and merges of the kept
    area: the table's columns, down to ``FAR_ROWS`` rows below its last row (a value
    further down would be far away; what lies above that is not)."""
    limit = column_limit(enumerate(row) for row in rows[:HEAD_ROWS])
    rows, warnings = bound_grid(rows)
    for row in rows:  # a row cut at the limit keeps the blanks before the stray cell
        while row and row[-1] is None:
            row.pop()
    row_end = len(rows) + FAR_ROWS
    kept_merges = sorted((r1, c1, min(r2, row_end - 1), min(c2, limit - 1))
                         for r1, c1, r2, c2 in merges if r1 < row_end and c1 < limit)
    return Grid(rows, formulas={(r, c) for r, c in formulas if r < row_end and c < limit},
                warnings=warnings, merges=kept_merges)


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


def _row_ids(sheet: dict[str, Any]) -> dict[int, tuple[str, int]]:
    """0-based row → (Mã, metadataId) of the rows carrying phoihop's DeveloperMetadata
    (``GridData.rowMetadata``); a row carrying two keeps the first."""
    found: dict[int, tuple[str, int]] = {}
    for block in sheet.get("data", []):
        top = block.get("startRow", 0)
        for offset, row in enumerate(block.get("rowMetadata", [])):
            for item in row.get("developerMetadata", []):
                if item.get("metadataKey") == ROW_KEY and item.get("metadataValue"):
                    found.setdefault(top + offset, (item["metadataValue"], item.get("metadataId")))
    return found


def _tag_rows(sheet_id: int, row_ids: dict[int, str], known: dict[int, tuple[str, int]]) -> list[dict[str, Any]]:
    """Requests attaching each ``Mã`` to its 1-based row: a row already carrying another
    ``Mã`` has it updated, any other row gets a new row-level DeveloperMetadata."""
    requests_ = []
    for row, key in sorted(row_ids.items()):
        if row - 1 in known:
            requests_.append({"updateDeveloperMetadata": {
                "dataFilters": [{"developerMetadataLookup": {"metadataId": known[row - 1][1]}}],
                "developerMetadata": {"metadataValue": key}, "fields": "metadataValue"}})
        else:
            requests_.append({"createDeveloperMetadata": {"developerMetadata": {
                "metadataKey": ROW_KEY, "metadataValue": key, "visibility": "PROJECT",
                "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "ROWS",
                                                "startIndex": row - 1, "endIndex": row}}}}})
    return requests_


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
