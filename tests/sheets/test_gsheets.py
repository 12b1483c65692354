"""The Google Sheets backend, through real gspread over HTTP against the fake Sheets API."""
import datetime as dt

import pytest
import requests

from sheets.backend import Backend, BackendError, Cell, RequestCount, WorksheetNotFound
from sheets.gsheets import GoogleSheetsBackend, emulator_client, parse_source

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


def test_reading_two_worksheets_costs_one_metadata_and_two_values_requests(backend, fake):
    backend.read(LIST)
    backend.read(SCORES)
    assert fake.requests == [META, values_path(LIST), values_path(SCORES)]
    assert backend.requests == RequestCount(reads=3, writes=0)


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
    assert fake.requests == [META, BATCH, values_path("Mới")]


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


@pytest.mark.parametrize("content", [None, "không phải JSON", "{}"])
def test_from_environment_with_unreadable_credentials_file_explains(monkeypatch, tmp_path, content):
    path = tmp_path / "khoa.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.delenv("PHOIHOP_SHEETS_EMULATOR", raising=False)
    monkeypatch.setenv("PHOIHOP_GOOGLE_CREDENTIALS", str(path))
    with pytest.raises(BackendError, match="Không đọc được tệp khóa"):
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
