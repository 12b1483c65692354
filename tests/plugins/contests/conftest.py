"""Fixtures of the contests tests: a plugin manager with the contests plugin, the CLI, the
sample workbooks copied where a test may write them, and small office-like workbooks."""
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.plugins.conftest import plugin_manager

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
TECHNICAL_BOOK = "hoi-thi-sang-tao-ky-thuat.xlsx"
YOUTH_BOOK = "cuoc-thi-sang-tao-thanh-thieu-nien.xlsx"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"
TECHNICAL = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 9 (2020-2021)"
YOUTH = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng tỉnh Bắc Giang lần thứ 16 (2022-2023)"
TECHNICAL_SCORES = ("Phiếu chấm - CNTT", "Phiếu chấm - Cơ khí", "Phiếu chấm - Vật liệu", "Phiếu chấm - Nông nghiệp",
                    "Phiếu chấm - Y dược", "Phiếu chấm - Giáo dục")
YOUTH_SCORES = ("Phiếu chấm tổ 1", "Phiếu chấm tổ 2")


@pytest.fixture
def pm():
    """The built-ins and the contests plugin (named even if the built-in list lacks it)."""
    return plugin_manager("plugins.contests")


@pytest.fixture
def sample(tmp_path):
    """``sample(name)`` → a fresh copy of a sample workbook in the test's folder."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the checkout")

    def copy(name):
        target = tmp_path / name
        if not target.exists():
            shutil.copy(SAMPLES / name, target)
        return target

    return copy


def column_of(rows, header_row, header):
    """0-based column of ``header`` in the 1-based ``header_row``."""
    return [unicodedata.normalize("NFC", str(c)).strip() if c is not None else None
            for c in rows[header_row - 1]].index(header)
