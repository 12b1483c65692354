"""Fixtures for the spreadsheet backends."""
import pytest

from tests.fake_sheets import FakeSheets


@pytest.fixture
def fake_sheets(monkeypatch):
    """A started fake Sheets API server; ``PHOIHOP_SHEETS_EMULATOR`` points at it. Apps
    built from the environment get no request budget (a test of many syncs never sleeps
    for real); tests of the budget set one (tests/sheets/test_quota.py)."""
    with FakeSheets() as fake:
        monkeypatch.setenv("PHOIHOP_SHEETS_EMULATOR", fake.url)
        monkeypatch.setenv("PHOIHOP_SHEETS_READS_PER_MINUTE", "0")
        monkeypatch.setenv("PHOIHOP_SHEETS_WRITES_PER_MINUTE", "0")
        yield fake


import datetime  # noqa: E402

from openpyxl import load_workbook  # noqa: E402

WORKSHEET = "Giải pháp dự thi"
HEADER = ["STT", "Tên giải pháp", "Ngày nhận", "Kinh phí", "Lĩnh vực", "Tác giả", "Người nhập", "Điểm", "Số tác giả"]


def office_grid(rows):
    """A sheet as an office makes it: title block, header on row 4, STT, a section row."""
    grid = [
        ["LIÊN HIỆP CÁC HỘI KH&KT TỈNH BẮC GIANG", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH GIẢI PHÁP DỰ THI"],
        [],
        list(HEADER),
        ["I. LĨNH VỰC CƠ KHÍ"],
    ]
    for number, row in enumerate(rows, start=1):
        grid.append([number, *row])
    return grid


SAMPLE_ROWS = [
    ["Máy gieo hạt", "05/03/2021", "50 triệu", "Cơ khí", "Nguyễn Văn A; Trần Thị B", "chị Hà", "85,5", None],
    ["Máy tách hạt", datetime.date(2021, 3, 6), "12.000.000", "co khi", "Lê Văn C", "chị Hà", 78, None],
    ['=HYPERLINK("http://x","y")', "7/3/2021", 1000000, "Nông nghiệp", "Phạm D\nHoàng E", "anh Tú", None, None],
]


@pytest.fixture
def sync_pm(plugin_site):
    from core.plugins import get_plugin_manager

    return get_plugin_manager(plugins=["tests.sheets.entries_plugin"], entry_points=False)


@pytest.fixture
def sync_app(db_url, sync_pm):
    """The app with the test bindings, inside an app context for the whole test."""
    from tests.conftest import make_test_app

    app = make_test_app(db_url, sync_pm)
    with app.app_context():
        yield app
    from core.db import database

    database.close()


@pytest.fixture
def unit(sync_app):
    from core.models import Unit

    return Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")


@pytest.fixture
def workbook(tmp_path):
    """Write an office grid to a real .xlsx and return its path."""
    from sheets.xlsx import XlsxBackend

    def make(rows=SAMPLE_ROWS, grid=None, name="giai-phap.xlsx"):
        path = tmp_path / name
        XlsxBackend.create(path, {WORKSHEET: grid if grid is not None else office_grid(rows), "Ghi chú": [["không đụng tới"]]})
        return path

    return make


@pytest.fixture
def binding(unit, workbook):
    from sheets.models import Binding

    return Binding.create(name="test.entries", source=str(workbook()), worksheet=WORKSHEET, unit=unit)


@pytest.fixture
def run_sync(sync_pm):
    """Sync a binding through a fresh backend, as the CLI does."""
    from tests.sheets.entries_plugin import MAPPING
    from sheets.sources import open_backend
    from sheets.sync import sync

    def run(binding, backend=None, **options):
        return sync(binding, MAPPING, backend or open_backend(binding.source), pm=sync_pm, **options)

    return run


def sheet(path, title=WORKSHEET):
    """The worksheet's values as openpyxl reads them."""
    return [list(r) for r in load_workbook(path)[title].iter_rows(values_only=True)]


def column(grid, header, header_row=3):
    index = grid[header_row].index(header)
    return [row[index] if index < len(row) else None for row in grid[header_row + 1:]]
