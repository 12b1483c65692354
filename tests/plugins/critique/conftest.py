"""Fixtures of the critique tests: a plugin manager with the critique plugin, the CLI, the
sample workbook copied where a test may write it, the samples' reference date, and small
office-like workbooks."""
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.plugins.conftest import plugin_manager, read_sheet

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
BOOK = "tu-van-phan-bien.xlsx"
REQUESTS_SHEET = "Nhiệm vụ TVPB 2023"
EXPERTS_SHEET = "Chuyên gia"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"


@pytest.fixture
def pm():
    """The built-ins and the critique plugin (named even if the built-in list lacks it)."""
    return plugin_manager("plugins.critique")


@pytest.fixture
def sample(tmp_path):
    """A fresh copy of the sample workbook in the test's folder."""
    if not (SAMPLES / BOOK).is_file():
        pytest.skip("shared/samples is not beside the checkout")
    target = tmp_path / BOOK
    shutil.copy(SAMPLES / BOOK, target)
    return target


def table_of(path, worksheet, header_row, key="STT"):
    """``{key cell: {header: value}}`` of a sheet as it is on disk (headers NFC, spaces
    collapsed)."""
    rows = read_sheet(path, worksheet)
    headers = [" ".join(unicodedata.normalize("NFC", str(h)).split()) if h is not None else None
               for h in rows[header_row - 1]]
    column = headers.index(key)
    found = {}
    for row in rows[header_row:]:
        if len(row) > column and row[column] not in (None, ""):
            found[row[column]] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h}
    return found
