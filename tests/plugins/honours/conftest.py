"""Fixtures of the honours tests: a plugin manager with the honours plugin, the CLI, the
sample workbook copied where a test may write it, small office-like workbooks, and today
pinned to 31/12/2023 (the date the samples' README gives its flags as of)."""
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.plugins.conftest import make_workbook, plugin_manager, read_sheet

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
BOOK = "ton-vinh-tri-thuc.xlsx"
UNIT = "Liên hiệp hội tỉnh Phú Thọ"
NOMINATIONS_2023, HONOURED_2021 = "Đề cử 2023", "Tôn vinh 2021"
TODAY = "2023-12-31"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Rules that depend on today read ``PHOIHOP_TODAY``: the samples' reference date."""
    monkeypatch.setenv("PHOIHOP_TODAY", TODAY)
    return TODAY


@pytest.fixture
def pm():
    """The built-ins with the honours plugin (named even if the built-in list lacks it)."""
    return plugin_manager("plugins.honours")


@pytest.fixture
def sample(tmp_path):
    """``sample()`` → a fresh copy of the honours sample workbook in the test's folder."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the checkout")
    target = tmp_path / BOOK
    shutil.copy(SAMPLES / BOOK, target)
    return target


@pytest.fixture
def pt(ctx):
    """The samples' unit."""
    from core.models import Unit

    return Unit.create(name=UNIT, code="PT")


def table_of(path, worksheet, header_row):
    """``{excel row: {header: value}}`` of a sheet's data rows as they are on disk."""
    rows = read_sheet(path, worksheet)
    headers = [unicodedata.normalize("NFC", str(h)).strip() if h is not None else None for h in rows[header_row - 1]]
    found = {}
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        if sum(1 for v in row if v not in (None, "")) >= 2:
            found[number] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h}
    return found


HEADERS = ["STT", "Năm", "Họ và tên", "Năm sinh", "Giới tính", "Học hàm", "Học vị", "Chức vụ", "Đơn vị công tác",
           "Lĩnh vực", "Đơn vị đề cử", "Hình thức tôn vinh", "Thành tích"]


def nominations_sheet(path, rows, *, extra=(), worksheet="Đề cử"):
    """A small nominations workbook: a title row, the header (``HEADERS`` + ``extra``),
    then ``rows`` (lists in that order)."""
    return make_workbook(path, {worksheet: [["DANH SÁCH ĐỀ CỬ"], [*HEADERS, *extra], *rows]})
