"""End to end: link the office's sample workbook as `training.activities`, sync it with
the real engine, and find in the database and the sheet what samples/README.md says."""
import shutil

import pytest
from click.testing import CliRunner

from tests.sheets.test_table import samples_dir

SHEET = "Hoạt động 2020-2022"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"


@pytest.fixture
def synced(tmp_path, pm, db_url, app):
    folder = samples_dir()
    if folder is None:
        pytest.skip("shared/samples is not beside the checkout")
    path = tmp_path / "tap-huan.xlsx"
    shutil.copy(folder / "tap-huan-hoi-thao.xlsx", path)
    from cli import build_cli

    def cli(*args):
        return CliRunner().invoke(build_cli(pm), ["--db", db_url, *args])

    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0
    linked = cli("sheets", "link", "training.activities", str(path), "--worksheet", SHEET)
    assert linked.exit_code == 0, linked.output
    return path, cli


def test_sample_sync_imports_the_40_valid_rows_and_reports_the_5_invalid(synced):
    import json

    path, cli = synced
    result = cli("sync", "training.activities", "--json")
    assert result.exit_code == 1  # some rows had errors
    summary = json.loads(result.output)["bindings"][0]
    assert summary["created"] == 40
    assert sorted((e["row"], e["column"]) for e in summary["errors"]) == [
        (23, "Thời gian"), (29, "Ngày kết thúc"), (31, "Số đại biểu"), (41, "Loại hoạt động"), (47, "Kinh phí ngân sách"),
    ]
    assert summary["skipped"] == {"blank": 6, "section": 6, "total": 2}
    assert [w for w in summary["warnings"] if "Kinh phí huy động" in w] == [
        'Dòng 57, cột "Kinh phí huy động": dòng tổng ghi 57.500.000, các dòng cộng lại 57.000.000 (chênh 500.000)'
    ]


def test_sample_figures_come_back_in_the_report(synced):
    import json

    path, cli = synced
    cli("sync", "training.activities")
    report = json.loads(cli("report", "--from", "2020", "--to", "2022", "--unit", UNIT, "--format", "json").output)
    kinds = report["sections"]["training"]["kinds"]
    assert kinds["Hội thảo khoa học"]["count"] == 6
    assert kinds["Tập huấn kỹ thuật"]["count"] == 17
    assert kinds["Tập huấn kỹ thuật"]["participants"] == 917
    assert kinds["Phổ biến kiến thức"]["budget"]["total"] == 113_500_000
    assert kinds["Hội nghị kết nối cung - cầu"]["budget"]["state_share"] == 89.61


def test_resync_of_the_sample_writes_nothing(synced):
    import json

    path, cli = synced
    cli("sync", "training.activities")
    again = json.loads(cli("sync", "training.activities", "--json").output)["bindings"][0]
    assert (again["created"], again["updated"], again["requests"]["writes"]) == (0, 0, 0)
