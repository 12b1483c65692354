"""Syncing a real office workbook from shared/samples (copied: samples are read-only)."""
import shutil

import pytest

from sheets.models import Binding
from sheets.sources import open_backend
from sheets.sync import sync
from tests.sheets.conftest import sheet
from tests.sheets.entries_plugin import CONTEST_MAPPING, ContestEntry
from tests.sheets.test_table import samples_dir

SHEET = "Giải pháp dự thi"


@pytest.fixture
def contest_binding(tmp_path, unit):
    folder = samples_dir()
    if folder is None:
        pytest.skip("shared/samples is not beside the checkout")
    path = tmp_path / "hoi-thi.xlsx"
    shutil.copy(folder / "hoi-thi-sang-tao-ky-thuat.xlsx", path)
    return Binding.create(name="test.contest_entries", source=str(path), worksheet=SHEET, unit=unit)


def test_sample_entries_import_with_exactly_the_documented_errors(contest_binding, sync_pm):
    result = sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    assert result.created == 57
    assert result.skipped == {"blank": 6, "section": 6, "total": 0}
    assert [(e["row"], e["column"], e["value"]) for e in result.errors] == [
        (13, "Ngày nhận", "31/02/2021"),
        (27, "Lĩnh vực", "Du lịch, dịch vụ"),
        (47, "Tên giải pháp", ""),
    ]
    assert result.errors[0]["message"] == 'Ngày nhận "31/02/2021" không phải ngày hợp lệ'


def test_sample_keeps_its_layout_and_gets_ids_in_column_k(contest_binding, sync_pm):
    before = sheet(contest_binding.source, SHEET)
    sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    after = sheet(contest_binding.source, SHEET)
    assert after[6][10:12] == ["Mã", "Trạng thái đồng bộ"]  # K and L: first free columns
    assert [row[:10] for row in after] == [row[:10] for row in before]  # nothing of the office's moved
    assert after[8][10] == "DT-000001" and after[12][10] is None  # row 13 is an error: no id


def test_sample_formula_text_imports_as_text(contest_binding, sync_pm):
    sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    title = ContestEntry.get(ContestEntry.title.startswith("=HYPERLINK")).title
    assert title == '=HYPERLINK("https://classroom.google.com","Ứng dụng Google Classroom quản lý học tập trực tuyến")'


def test_sample_field_label_with_semicolon_is_one_choice(contest_binding, sync_pm):
    sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    # 13 rows name field IV; row 47 (STT 33, no title) is an error
    assert ContestEntry.select().where(ContestEntry.field == "Nông, lâm, ngư nghiệp; tài nguyên và môi trường").count() == 12


def test_sample_resync_writes_nothing(contest_binding, sync_pm):
    sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    again = sync(contest_binding, CONTEST_MAPPING, open_backend(contest_binding.source), pm=sync_pm)
    assert (again.created, again.requests["writes"], len(again.errors)) == (0, 0, 3)
