"""The Google Sheets backend, through real gspread over HTTP against the fake Sheets API."""
import datetime as dt
import json
import os
import socket

import pytest
import requests

import sheets.gsheets as gsheets
from sheets.backend import Backend, BackendError, Cell, Grid, RequestCount, WorksheetNotFound
from sheets.gsheets import INSPECT_FIELDS, GoogleSheetsBackend, emulator_client, parse_source
from sheets.sources import open_backend

KEY = "1AbC-test_key_0123456789"
LIST = "Danh sách"
SCORES = "Phiếu chấm - CNTT"
SMALL = "Nhỏ"
META = ("GET", f"/v4/spreadsheets/{KEY}")
BATCH = ("POST", f"/v4/spreadsheets/{KEY}:batchUpdate")
ROWS = [
    ["STT", "Họ và tên", "Điểm"],
    [1, "Nguyễn Văn A", 85.5],
    [2, "", 78],
    [],
    [3, "Trần Thị B", None, "ghi chú"],
]


def values_path(title):
    return ("GET", f"/v4/spreadsheets/{KEY}/values/'{title}'")


def is_post(method, path):
    return method == "POST"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def fake(fake_sheets):
    fake_sheets.add_spreadsheet(
        KEY,
        {LIST: ROWS, SCORES: [["Mã", "Điểm"], ["CT-000001", 90]], SMALL: [["a", "b"], ["c", "d"]]},
        title="Hội thi sáng tạo kỹ thuật",
        sizes={SMALL: (2, 2)},
    )
    return fake_sheets


@pytest.fixture
def backend(fake, sleeps):
    return GoogleSheetsBackend.from_environment(KEY, sleep=sleeps.append)


def batch_bodies(fake):
    return [c["body"] for c in fake.calls if (c["method"], c["path"]) == BATCH]


def test_backend_implements_the_protocol(backend):
    assert isinstance(backend, Backend)


def test_read_returns_grid_with_none_for_blanks_and_numbers_as_numbers(backend):
    rows = backend.read(LIST)
    assert rows == [
        ["STT", "Họ và tên", "Điểm"],
        [1, "Nguyễn Văn A", 85.5],
        [2, None, 78],
        [],
        [3, "Trần Thị B", None, "ghi chú"],
    ]
    assert type(rows[1][0]) is int and type(rows[1][2]) is float


def test_read_asks_for_unformatted_values_and_serial_dates(backend, fake):
    backend.read(LIST)
    query = fake.calls[-1]["query"]
    assert query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert query["dateTimeRenderOption"] == ["SERIAL_NUMBER"]


def test_worksheet_title_with_spaces_and_vietnamese_diacritics_works(backend, fake):
    assert backend.read(SCORES) == [["Mã", "Điểm"], ["CT-000001", 90]]
    backend.write(SCORES, [Cell(2, 2, 95)])
    assert fake.grid(KEY, SCORES) == [["Mã", "Điểm"], ["CT-000001", 95]]


def test_worksheet_title_with_an_apostrophe_works(fake, sleeps):
    fake.add_spreadsheet("k2", {"Lan's sheet": [["x", 1]]})
    backend = GoogleSheetsBackend.from_environment("k2", sleep=sleeps.append)
    assert backend.read("Lan's sheet") == [["x", 1]]
    assert fake.requests[-1] == ("GET", "/v4/spreadsheets/k2/values/'Lan''s sheet'")


def test_unknown_worksheet_error_lists_existing_worksheets(backend):
    with pytest.raises(WorksheetNotFound) as caught:
        backend.read("Sheet1")
    message = str(caught.value)
    assert 'Không tìm thấy trang tính "Sheet1"' in message
    assert f'"{LIST}", "{SCORES}", "{SMALL}"' in message


def test_each_read_costs_one_inspecting_and_one_values_request(backend, fake):
    # Was one metadata GET per instance + one values GET per read (3 for two reads); the
    # metadata GET now also scans the worksheet for formulas, so it is asked per read.
    backend.read(LIST)
    backend.read(SCORES)
    assert fake.requests == [META, values_path(LIST), META, values_path(SCORES)]
    assert backend.requests == RequestCount(reads=4, writes=0)
    inspect = [c["query"] for c in fake.calls if (c["method"], c["path"]) == META]
    assert inspect == [{"ranges": [f"'{LIST}'"], "fields": [INSPECT_FIELDS]},
                       {"ranges": [f"'{SCORES}'"], "fields": [INSPECT_FIELDS]}]


def test_write_of_10000_cells_is_exactly_one_write_request(backend, fake):
    cells = [Cell(r, c, f"r{r}c{c}") for r in range(2, 502) for c in range(1, 21)]
    assert len(cells) == 10_000
    backend.write(LIST, cells)
    assert backend.requests.writes == 1
    assert [r for r in fake.requests if r[0] != "GET"] == [BATCH]
    grid = fake.grid(KEY, LIST)
    assert grid[1][0] == "r2c1" and grid[500][19] == "r501c20" and len(grid) == 501


def test_write_sends_a_rectangle_as_one_update(backend, fake):
    backend.write(LIST, [Cell(r, 5, f"CT-{r:06d}") for r in range(1, 101)])
    (body,) = batch_bodies(fake)
    (update,) = body["requests"]
    assert update["updateCells"]["start"] == {"sheetId": 0, "rowIndex": 0, "columnIndex": 4}
    assert len(update["updateCells"]["rows"]) == 100


def test_empty_write_sends_nothing(backend, fake):
    backend.write(LIST, [])
    assert fake.requests == []
    assert backend.requests == RequestCount()


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+84912345678", "-a", "@b"])
def test_formula_like_text_lands_as_text(backend, fake, text):
    backend.write(LIST, [Cell(2, 5, text)])
    assert fake.grid(KEY, LIST)[1][4] == text
    assert backend.read(LIST)[1][4] == text


def test_fake_turns_user_entered_text_into_formulas(fake):
    # The detector the test above relies on: USER_ENTERED text does become a formula.
    sheet = emulator_client(fake.url).open_by_key(KEY).worksheet(LIST)
    sheet.update([['=HYPERLINK("x")'], ["-a"], ["+84912345678"]], "E2:E4", raw=False)
    grid = fake.grid(KEY, LIST)
    assert [grid[r][4] for r in (1, 2, 3)] == [{"formula": '=HYPERLINK("x")'}, {"formula": "=-a"}, 84912345678]


def test_writing_beyond_the_grid_grows_it_within_the_same_request(backend, fake):
    backend.write(SMALL, [Cell(1, 3, "Mã"), Cell(2, 3, "CT-000001"), Cell(3, 1, "e")])
    assert [r for r in fake.requests if r[0] != "GET"] == [BATCH]
    assert [list(r) for r in batch_bodies(fake)[0]["requests"][:2]] == [["appendDimension"], ["appendDimension"]]
    assert fake.size(KEY, SMALL) == (3, 3)
    assert fake.grid(KEY, SMALL) == [["a", "b", "Mã"], ["c", "d", "CT-000001"], ["e"]]


def test_grown_grid_size_is_remembered(backend, fake):
    backend.write(SMALL, [Cell(1, 3, "Mã")])
    backend.write(SMALL, [Cell(2, 3, "CT-000001")])
    assert "appendDimension" not in str(batch_bodies(fake)[1])
    assert fake.size(KEY, SMALL) == (2, 3)


def test_clearing_a_cell_beyond_the_grid_sends_nothing(backend, fake):
    backend.write(SMALL, [Cell(5, 5, None)])
    assert backend.requests.writes == 0


def test_dates_are_written_as_serial_numbers_shown_as_dates(backend, fake):
    backend.write(LIST, [Cell(2, 5, dt.date(2021, 1, 1)), Cell(2, 6, "x")])
    sheet = fake.sheet(KEY, LIST)
    assert sheet["cells"][(1, 4)] == 44197
    assert sheet["formats"][(1, 4)]["numberFormat"]["pattern"] == "dd/mm/yyyy"
    assert (1, 5) not in sheet["formats"]


def test_add_worksheet_creates_it_once(backend, fake):
    backend.add_worksheet("Mới", rows=10, cols=5)
    backend.add_worksheet("Mới")
    assert fake.size(KEY, "Mới") == (10, 5)
    assert backend.read("Mới") == []
    # the listing GET, the addSheet, then a read's two GETs (before: one metadata GET in all)
    assert fake.requests == [META, BATCH, META, values_path("Mới")]


def test_429_storm_is_retried_and_sleeps_honour_retry_after(backend, fake, sleeps):
    fake.fail_next(429, count=3, retry_after=2)
    assert backend.read(LIST)[0] == ["STT", "Họ và tên", "Điểm"]
    assert sleeps == [2.0, 2.0, 2.0]
    assert backend.requests == RequestCount(reads=5, writes=0)


def test_retries_back_off_exponentially_without_retry_after(backend, fake, sleeps):
    fake.fail_next(503, count=3)
    backend.read(LIST)
    assert sleeps == [1.0, 2.0, 4.0]


def test_500_on_the_write_is_retried_and_the_write_lands_once(backend, fake, sleeps):
    fake.fail_next(500, when=is_post)
    backend.write(SMALL, [Cell(1, 3, "Mã"), Cell(2, 3, "CT-000001")])
    assert sleeps == [1.0]
    assert backend.requests.writes == 2
    assert fake.size(KEY, SMALL) == (2, 3)  # the column was appended once, not twice
    assert fake.grid(KEY, SMALL) == [["a", "b", "Mã"], ["c", "d", "CT-000001"]]


def test_exhausted_retries_raise_a_vietnamese_backend_error_and_write_nothing(fake, sleeps):
    backend = GoogleSheetsBackend.from_environment(KEY, max_retries=2, sleep=sleeps.append)
    fake.fail_next(503, count=99, when=is_post)
    with pytest.raises(BackendError) as caught:
        backend.write(LIST, [Cell(2, 2, "mới")])
    assert "Google Sheets từ chối yêu cầu sau 3 lần thử (HTTP 503)" in str(caught.value)
    assert backend.requests.writes == 3 and sleeps == [1.0, 2.0]
    assert fake.grid(KEY, LIST)[1][1] == "Nguyễn Văn A"


def test_403_fails_at_once(backend, fake, sleeps):
    fake.fail_next(403)
    with pytest.raises(BackendError) as caught:
        backend.read(LIST)
    assert "HTTP 403" in str(caught.value) and "quyền" in str(caught.value)
    assert sleeps == [] and backend.requests.reads == 1


def test_unknown_spreadsheet_is_a_clear_error(fake, sleeps):
    backend = GoogleSheetsBackend.from_environment("khong-co", sleep=sleeps.append)
    with pytest.raises(BackendError, match="Không tìm thấy bảng tính"):
        backend.read(LIST)


@pytest.mark.parametrize("source", [
    f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0",
    f"https://docs.google.com/spreadsheets/d/{KEY}",
    f"https://docs.google.com/spreadsheets/u/0/d/{KEY}/edit?usp=sharing",
    f"gsheet:{KEY}",
    f"  gsheet:{KEY}\n",
])
def test_parse_source_accepts_url_and_gsheet_key(source):
    assert parse_source(source) == KEY


@pytest.mark.parametrize("source", [
    "", "ketqua.xlsx", "gsheet:", "gsheet:co dau cach", f"https://example.com/spreadsheets/d/{KEY}",
    f"https://docs.google.com/document/d/{KEY}/edit",
])
def test_parse_source_rejects_junk(source):
    with pytest.raises(BackendError, match="không phải địa chỉ Google Sheets"):
        parse_source(source)


def test_from_environment_with_emulator_needs_no_credentials(fake, monkeypatch):
    monkeypatch.delenv("PHOIHOP_GOOGLE_CREDENTIALS", raising=False)
    assert GoogleSheetsBackend.from_environment(KEY).read(SCORES)[0] == ["Mã", "Điểm"]


def test_from_environment_without_emulator_or_credentials_explains(monkeypatch):
    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    monkeypatch.delenv("PHOIHOP_GOOGLE_CREDENTIALS", raising=False)
    with pytest.raises(BackendError, match="PHOIHOP_GOOGLE_CREDENTIALS"):
        GoogleSheetsBackend.from_environment(KEY)




def test_fake_serves_gspread_batch_get_with_quoted_titles(fake):
    spreadsheet = emulator_client(fake.url).open_by_key(KEY)
    answer = spreadsheet.values_batch_get([f"'{SCORES}'!A1:B2", f"'{LIST}'!B2:C3"])
    assert [r["values"] for r in answer["valueRanges"]] == [[["Mã", "Điểm"], ["CT-000001", "90"]],
                                                             [["Nguyễn Văn A", "85.5"], ["", "78"]]]


def test_fake_answers_unknown_routes_with_a_google_shaped_404(fake):
    answer = requests.get(f"{fake.url}/v4/khong-co", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["error"]["status"] == "NOT_FOUND"


# -- formulas, merges, far-away cells ------------------------------------------------------

FUNDS = "Kinh phí"
FUNDS_ROWS = [
    ["DANH SÁCH GIẢI PHÁP"],
    [],
    ["STT", "Tên giải pháp", "Tổng kinh phí", "Kinh phí ngân sách", "Kinh phí huy động"],
    [1, "Máy gieo hạt", 50_000_000, 20_000_000, {"formula": "=C4-D4", "value": 30_000_000}],
    [2, "Máy tách hạt", 12_000_000, 7_000_000, {"formula": "=C5-D5", "value": 5_000_000}],
    [3, "Lò sấy", 9_000_000, None, {"formula": "=C6-'Đã xóa'!D6", "value": "#REF!"}],
]


@pytest.fixture
def funds(fake):
    fake.add_spreadsheet("k-funds", {FUNDS: FUNDS_ROWS}, merges={FUNDS: ["A1:E1"]})
    return fake


@pytest.fixture
def funds_backend(funds, sleeps):
    return GoogleSheetsBackend.from_environment("k-funds", sleep=sleeps.append)


def test_formula_cells_read_as_their_results_and_are_listed(funds_backend, funds):
    grid = funds_backend.read(FUNDS)
    assert isinstance(grid, Grid)
    assert [row[4] for row in grid[3:]] == [30_000_000, 5_000_000, "#REF!"]
    assert grid.formulas == {(3, 4), (4, 4), (5, 4)}
    assert grid[3][:4] == [1, "Máy gieo hạt", 50_000_000, 20_000_000]
    assert grid.warnings == []


def test_formulas_cost_no_extra_request(funds_backend, funds):
    funds_backend.read(FUNDS)
    funds_backend.write(FUNDS, [Cell(4, 6, "GP-000001"), Cell(5, 6, "GP-000002")])
    assert funds.requests == [("GET", "/v4/spreadsheets/k-funds"),
                              ("GET", f"/v4/spreadsheets/k-funds/values/'{FUNDS}'"),
                              ("POST", "/v4/spreadsheets/k-funds:batchUpdate")]
    assert funds_backend.requests == RequestCount(reads=2, writes=1)


def test_writing_into_a_formula_cell_is_refused_and_nothing_is_sent(funds_backend, funds):
    funds_backend.read(FUNDS)
    funds.reset_log()
    with pytest.raises(BackendError) as caught:
        funds_backend.write(FUNDS, [Cell(4, 2, "Máy gieo hạt mới"), Cell(5, 5, 1), Cell(6, 5, None)])
    assert str(caught.value) == (f'Không ghi vào trang tính "{FUNDS}": ô E5, E6 chứa công thức, phoihop không '
                                 "ghi đè công thức. Không ô nào được ghi.")
    assert funds.requests == []
    assert funds.grid("k-funds", FUNDS)[4][4] == {"formula": "=C5-D5", "value": 5_000_000}


def test_cells_beside_formulas_are_written(funds_backend, funds):
    funds_backend.read(FUNDS)
    funds_backend.write(FUNDS, [Cell(4, 4, 25_000_000), Cell(4, 6, "GP-000001")])
    row = funds.grid("k-funds", FUNDS)[3]
    assert row[3:] == [25_000_000, {"formula": "=C4-D4", "value": 30_000_000}, "GP-000001"]


def test_a_write_without_a_read_still_learns_the_formulas(funds, sleeps):
    backend = GoogleSheetsBackend.from_environment("k-funds", sleep=sleeps.append)
    with pytest.raises(BackendError, match="ô E4 chứa công thức"):
        backend.write(FUNDS, [Cell(4, 5, 0)])
    assert funds.requests == [("GET", "/v4/spreadsheets/k-funds")]


def test_a_worksheet_only_listed_is_inspected_before_the_first_write(funds, sleeps):
    backend = GoogleSheetsBackend.from_environment("k-funds", sleep=sleeps.append)
    backend.add_worksheet(FUNDS)  # exists: only the listing GET, which says nothing of formulas
    with pytest.raises(BackendError, match="ô E6 chứa công thức"):
        backend.write(FUNDS, [Cell(6, 5, "")])
    assert funds.requests == [("GET", "/v4/spreadsheets/k-funds")] * 2
    assert [c["query"].get("fields") for c in funds.calls] == [[gsheets.LIST_FIELDS], [INSPECT_FIELDS]]


def test_merges_are_read_as_inclusive_boxes(fake, sleeps):
    rows = [["BÁO CÁO KINH PHÍ"], [], ["STT", "Tên", "Kinh phí", None], [None, None, "Ngân sách", "Huy động"],
            [1, "A", 10, 5]]
    fake.add_spreadsheet("k-merge", {"Báo cáo": rows}, merges={"Báo cáo": ["A1:D1", "C3:D3", "A3:A4", "B3:B4"]})
    grid = GoogleSheetsBackend.from_environment("k-merge", sleep=sleeps.append).read("Báo cáo")
    assert grid.merges == [(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 3)]
    assert grid[2] == ["STT", "Tên", "Kinh phí"] and grid[3] == [None, None, "Ngân sách", "Huy động"]
    assert grid.formulas == set()


def test_a_stray_cell_in_column_zzz_is_left_out_with_a_warning(fake, sleeps):
    far = 18_277  # ZZZ
    top = [None] * (far + 1)
    top[0], top[1], top[far] = "STT", "Tên", "ghi chú lạc"
    second = [1, "A"] + [None] * (far - 2) + [{"formula": "=A2*2", "value": 2}]
    fake.add_spreadsheet("k-wide", {"Rộng": [top, second]}, sizes={"Rộng": (10, far + 1)},
                         merges={"Rộng": ["ZZY3:ZZZ3"]})
    grid = GoogleSheetsBackend.from_environment("k-wide", sleep=sleeps.append).read("Rộng")
    assert grid == [["STT", "Tên"], [1, "A"]]
    assert grid.formulas == set() and grid.merges == []
    (warning,) = grid.warnings
    assert warning.startswith("Ô ZZZ1, ZZZ2 nằm xa bảng")


def test_a_value_at_row_1000000_is_left_out_with_a_warning(fake, sleeps):
    fake.add_spreadsheet("k-tall", {"Dài": [["STT", "Tên"], [1, "A"], [2, "B"]]}, sizes={"Dài": (1_000_000, 5)})
    sheet = fake.sheet("k-tall", "Dài")
    sheet["cells"][(999_999, 0)] = "lạc"
    sheet["cells"][(999_999, 1)] = {"formula": "=A1000000", "value": "lạc"}
    sheet["cells"][(3, 2)] = {"formula": '=IF(B4="","",B4)', "value": ""}  # pre-filled just below the table
    sheet["merges"].append((999_998, 0, 999_999, 0))
    grid = GoogleSheetsBackend.from_environment("k-tall", sleep=sleeps.append).read("Dài")
    assert grid == [["STT", "Tên"], [1, "A"], [2, "B"]]
    assert grid.formulas == {(3, 2)}  # an empty-result formula near the table is still known
    assert grid.merges == []
    (warning,) = grid.warnings
    assert warning.startswith("Ô A1000000 nằm xa bảng")


def test_fake_answers_the_inspecting_get_in_googles_shape(funds):
    answer = requests.get(f"{funds.url}/v4/spreadsheets/k-funds",
                          params={"ranges": f"'{FUNDS}'", "fields": INSPECT_FIELDS}, timeout=5).json()
    assert answer == {
        "properties": {"title": "k-funds"},
        "sheets": [{
            "properties": {"sheetId": 0, "title": FUNDS, "gridProperties": {"rowCount": 1000, "columnCount": 26}},
            "merges": [{"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 5}],
            "data": [{"rowData": [{}, {}, {},
                                  {"values": [{}, {}, {}, {}, {"userEnteredValue": {"formulaValue": "=C4-D4"}}]},
                                  {"values": [{}, {}, {}, {}, {"userEnteredValue": {"formulaValue": "=C5-D5"}}]},
                                  {"values": [{}, {}, {}, {},
                                              {"userEnteredValue": {"formulaValue": "=C6-'Đã xóa'!D6"}}]}],
                      "rowMetadata": [{}] * 1000}],  # one per row; no row carries phoihop's Mã yet
        }],
    }


def test_fake_answers_a_range_on_another_sheet_with_only_that_sheet(fake):
    answer = requests.get(f"{fake.url}/v4/spreadsheets/{KEY}",
                          params={"ranges": f"'{SCORES}'!B2:C3", "fields": INSPECT_FIELDS}, timeout=5).json()
    assert [s["properties"]["title"] for s in answer["sheets"]] == [SCORES]
    # no formula: no rowData; one (empty) rowMetadata per row of the range
    assert answer["sheets"][0]["data"] == [{"startRow": 1, "startColumn": 1, "rowMetadata": [{}, {}]}]


def test_fake_values_render_formulas_as_results_or_as_text(funds):
    client = emulator_client(funds.url).open_by_key("k-funds").worksheet(FUNDS)
    assert client.get("E4:E6", value_render_option="UNFORMATTED_VALUE") == [[30000000], [5000000], ["#REF!"]]
    assert client.get("E4:E5", value_render_option="FORMULA") == [["=C4-D4"], ["=C5-D5"]]


def test_unknown_worksheet_costs_a_listing_request_only_when_missing(backend, fake):
    with pytest.raises(WorksheetNotFound):
        backend.read("Sheet1")
    assert fake.requests == [META, META]  # the 400 for the range, then the list of titles


# -- a write Google applied but answered 5xx ----------------------------------------------

def test_growing_write_answered_500_after_it_was_applied_grows_the_sheet_once(backend, fake, sleeps):
    fake.fail_next(500, when=is_post, applied=True)
    backend.write(SMALL, [Cell(1, 3, "Mã"), Cell(2, 3, "CT-000001"), Cell(3, 1, "e")])
    assert sleeps == [1.0]
    assert fake.requests == [META, BATCH, META, BATCH]  # the size is asked for again before the retry
    first, second = batch_bodies(fake)
    assert [list(r) for r in first["requests"][:2]] == [["appendDimension"], ["appendDimension"]]
    assert "appendDimension" not in json.dumps(second)
    assert fake.size(KEY, SMALL) == (3, 3)
    assert fake.grid(KEY, SMALL) == [["a", "b", "Mã"], ["c", "d", "CT-000001"], ["e"]]
    assert backend.requests == RequestCount(reads=2, writes=2)


def test_growing_write_answered_500_before_it_was_applied_grows_the_sheet_on_retry(backend, fake, sleeps):
    fake.fail_next(503, when=is_post)
    backend.write(SMALL, [Cell(3, 3, "x")])
    assert fake.requests == [META, BATCH, META, BATCH]
    assert [list(r)[0] for r in batch_bodies(fake)[1]["requests"]] == ["appendDimension", "appendDimension",
                                                                       "updateCells"]
    assert fake.size(KEY, SMALL) == (3, 3)


def test_429_on_a_growing_write_retries_without_asking_for_the_size(backend, fake, sleeps):
    fake.fail_next(429, when=is_post)
    backend.write(SMALL, [Cell(1, 3, "Mã")])
    assert fake.requests == [META, BATCH, BATCH]
    assert fake.size(KEY, SMALL) == (2, 3)


# -- building a backend: every configuration problem is one clear sentence -------------------

def service_account_info(private_key):
    return {"type": "service_account", "project_id": "phoihop-test", "private_key_id": "abc123",
            "private_key": private_key, "client_email": "phoihop@phoihop-test.iam.gserviceaccount.com",
            "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token"}


@pytest.fixture(scope="module")
def rsa_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


@pytest.fixture
def credentials(monkeypatch, tmp_path):
    """Point PHOIHOP_GOOGLE_CREDENTIALS at a file (no emulator); returns its path."""
    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    path = tmp_path / "khoa.json"
    monkeypatch.setenv("PHOIHOP_GOOGLE_CREDENTIALS", str(path))
    return path


def from_environment():
    return GoogleSheetsBackend.from_environment(KEY)


def from_open_backend():
    return open_backend(f"gsheet:{KEY}")


BUILDERS = pytest.mark.parametrize("build", [from_environment, from_open_backend])


def refusal(build):
    """The BackendError message building the backend raises; it must be one plain sentence."""
    with pytest.raises(BackendError) as caught:
        build()
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message and "Error" not in message
    return message


@BUILDERS
def test_credentials_variable_unset(build, monkeypatch):
    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    monkeypatch.delenv("PHOIHOP_GOOGLE_CREDENTIALS", raising=False)
    assert refusal(build).startswith("Chưa cấu hình tài khoản Google: hãy đặt biến môi trường "
                                     "PHOIHOP_GOOGLE_CREDENTIALS")


@BUILDERS
def test_credentials_file_missing(build, credentials):
    assert refusal(build) == (f'Tệp khóa Google "{credentials}" (biến môi trường PHOIHOP_GOOGLE_CREDENTIALS) '
                              "không tồn tại: kiểm tra lại đường dẫn tới tệp khóa JSON của tài khoản dịch vụ "
                              "(service account).")


@BUILDERS
def test_credentials_path_is_a_directory(build, credentials):
    credentials.mkdir()
    assert "là một thư mục, không phải tệp" in refusal(build)


@BUILDERS
def test_credentials_file_unreadable(build, credentials, monkeypatch, rsa_pem):
    credentials.write_text(json.dumps(service_account_info(rsa_pem)), encoding="utf-8")
    credentials.chmod(0)
    if os.access(credentials, os.R_OK):  # root reads anything: refuse this one file the way the OS would
        real_open = open

        def guarded_open(file, *args, **kwargs):
            if os.fspath(file) == str(credentials):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(gsheets, "open", guarded_open, raising=False)
    assert "phoihop không có quyền đọc tệp này" in refusal(build)


@BUILDERS
def test_credentials_file_empty(build, credentials):
    credentials.write_text("  \n", encoding="utf-8")
    assert " rỗng: hãy tải lại tệp khóa JSON" in refusal(build)


@BUILDERS
def test_credentials_file_binary_p12(build, credentials):
    credentials.write_bytes(b"\x30\x82\x09\xb1\x02\x01\x03\x30\x82\x09\x77\x06\x09\x2a\x86\x48\x86\xf7\x0d\xff")
    assert "không phải tệp văn bản JSON (có thể là khóa dạng .p12)" in refusal(build)


@BUILDERS
def test_credentials_file_malformed_json(build, credentials):
    credentials.write_text('{\n  "type": "service_account",\n  "private_key": "-----BEGIN', encoding="utf-8")
    assert "không phải JSON hợp lệ (lỗi ở dòng 3, cột 18)" in refusal(build)


@BUILDERS
def test_credentials_json_not_an_object(build, credentials):
    credentials.write_text('["service_account"]', encoding="utf-8")
    assert "nội dung JSON không phải một đối tượng" in refusal(build)


@BUILDERS
@pytest.mark.parametrize("kind", ["installed", "web"])
def test_credentials_oauth_client_secret(build, credentials, kind):
    credentials.write_text(json.dumps({kind: {"client_id": "x.apps.googleusercontent.com", "client_secret": "s",
                                              "redirect_uris": ["http://localhost"]}}), encoding="utf-8")
    assert "là tệp OAuth client ID (client secret)" in refusal(build)


@BUILDERS
def test_credentials_authorized_user(build, credentials):
    credentials.write_text(json.dumps({"type": "authorized_user", "client_id": "x", "client_secret": "s",
                                       "refresh_token": "r"}), encoding="utf-8")
    assert "là thông tin đăng nhập của một người dùng (authorized_user" in refusal(build)


@BUILDERS
def test_credentials_without_type(build, credentials, rsa_pem):
    info = service_account_info(rsa_pem)
    del info["type"]
    credentials.write_text(json.dumps(info), encoding="utf-8")
    assert 'thiếu trường "type"' in refusal(build)


@BUILDERS
def test_credentials_of_another_type(build, credentials):
    credentials.write_text(json.dumps({"type": "external_account", "audience": "x"}), encoding="utf-8")
    assert 'có loại "external_account"' in refusal(build)


@BUILDERS
def test_credentials_service_account_missing_fields(build, credentials, rsa_pem):
    info = service_account_info(rsa_pem)
    del info["client_email"], info["token_uri"]
    credentials.write_text(json.dumps(info), encoding="utf-8")
    assert "thiếu trường client_email, token_uri" in refusal(build)


@BUILDERS
def test_credentials_service_account_with_a_broken_private_key(build, credentials, rsa_pem):
    broken = rsa_pem[:200] + rsa_pem[260:]  # a chunk of the key lost in a copy-paste
    credentials.write_text(json.dumps(service_account_info(broken)), encoding="utf-8")
    assert "khóa riêng (private_key) bị hỏng" in refusal(build)


@BUILDERS
def test_valid_service_account_builds_without_any_network_call(build, credentials, rsa_pem, monkeypatch):
    credentials.write_text(json.dumps(service_account_info(rsa_pem)), encoding="utf-8")
    attempts = []

    def no_network(*args, **kwargs):
        attempts.append(args)
        raise AssertionError("network call while building the backend")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    backend = build()
    assert isinstance(backend, GoogleSheetsBackend) and backend.key == KEY
    assert attempts == [] and backend.requests == RequestCount()


@BUILDERS
@pytest.mark.parametrize("value", ["127.0.0.1:8080", "localhost", "http://", "http://127.0.0.1:80a",
                                   "ftp://127.0.0.1/", "máy giả lập"])
def test_emulator_variable_that_is_not_a_url(build, monkeypatch, value):
    monkeypatch.setenv("PHOIHOP_SHEETS_EMULATOR", value)
    assert refusal(build) == (f'Biến môi trường PHOIHOP_SHEETS_EMULATOR = "{value}" không phải một địa chỉ URL '
                              "hợp lệ: hãy đặt dạng http://127.0.0.1:8080, hoặc bỏ biến này để dùng Google "
                              "Sheets thật.")


@pytest.mark.parametrize("source", ["gsheet:", "gsheet:co dau cach", "ketqua.csv", ""])
def test_open_backend_refuses_a_source_it_cannot_open(source):
    with pytest.raises(BackendError):
        open_backend(source)


def test_open_backend_opens_a_workbook_path(tmp_path):
    from sheets.xlsx import XlsxBackend

    assert isinstance(open_backend(str(tmp_path / "ketqua.xlsx")), XlsxBackend)
