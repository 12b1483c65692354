"""`phoihop sheets link|list` and `phoihop sync` as an office's IT person uses them."""
import json

import pytest
from click.testing import CliRunner

from tests.sheets.conftest import WORKSHEET, column, sheet


@pytest.fixture
def cli(sync_pm, db_url, sync_app):
    from cli import build_cli

    def invoke(*args):
        return CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, *args])

    return invoke


def test_link_checks_the_sheet_and_says_what_it_found(cli, unit, workbook):
    result = cli("sheets", "link", "test.entries", str(workbook()), "--worksheet", WORKSHEET, "--unit", unit.name)
    assert result.exit_code == 0, result.output
    assert "tiêu đề ở dòng 4, 3 dòng dữ liệu" in result.output


def test_link_finds_the_unit_by_code_or_name_however_written(cli, unit, workbook):
    from sheets.models import Binding

    for text, name in (("bg", "a.xlsx"), ("liên hiệp hội tỉnh  BẮC GIANG", "b.xlsx")):
        result = cli("sheets", "link", "test.entries", str(workbook(name=name)), "--unit", text)
        assert result.exit_code == 0, result.output
    assert [b.unit_id for b in Binding.select()] == [unit.id, unit.id]


def test_link_defaults_to_the_first_worksheet(cli, unit, workbook):
    result = cli("sheets", "link", "test.entries", str(workbook()), "--unit", unit.name)
    assert result.exit_code == 0 and f"[{WORKSHEET}]" in result.output


@pytest.mark.parametrize("args, message", [
    (("no.such", "x.xlsx"), "Không có liên kết 'no.such'"),
    (("test.entries", "notes.txt"), "không hợp lệ"),
    (("test.entries", "missing.xlsx", "--worksheet", "A"), 'Không tìm thấy tệp'),
    (("test.entries", "https://example.com/x"), "Google Sheets"),
])
def test_bad_link_exits_2_with_a_message(cli, unit, args, message):
    result = cli("sheets", "link", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_link_to_a_sheet_without_required_header_is_refused(cli, unit, workbook):
    from tests.sheets.conftest import SAMPLE_ROWS, office_grid

    grid = office_grid(SAMPLE_ROWS)
    grid[3][1] = "Tên"
    result = cli("sheets", "link", "test.entries", str(workbook(grid=grid)), "--unit", unit.name)
    assert result.exit_code == 2 and 'Không tìm thấy cột bắt buộc "Tên giải pháp"' in result.output


def test_list_json_shows_declared_and_linked(cli, unit, workbook):
    cli("sheets", "link", "test.entries", str(workbook()), "--unit", unit.name)
    data = json.loads(cli("sheets", "list", "--json").output)
    assert "test.entries" in data["declared"]
    assert [(l["binding"], l["worksheet"], l["unit"]) for l in data["links"]] == [("test.entries", WORKSHEET, unit.name)]


def test_sync_json_summary_and_exit_0(cli, unit, workbook):
    path = workbook()
    cli("sheets", "link", "test.entries", str(path), "--unit", unit.name)
    result = cli("sync", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["bindings"][0]
    assert {k: summary[k] for k in ("binding", "created", "updated", "unchanged", "archived", "outcome")} == {
        "binding": "test.entries", "created": 3, "updated": 0, "unchanged": 0, "archived": 0, "outcome": "ok",
    }
    assert summary["requests"] == {"reads": 1, "writes": 1}
    assert column(sheet(path), "Mã")[1] == "GP-000001"


def test_sync_with_row_errors_exits_1_and_names_row_column_value(cli, unit, workbook):
    from tests.sheets.conftest import SAMPLE_ROWS

    path = workbook(SAMPLE_ROWS + [["Máy ép", "31/02/2021", "", "", "", "", "", None]])
    cli("sheets", "link", "test.entries", str(path), "--unit", unit.name)
    result = cli("sync")
    assert result.exit_code == 1
    assert 'dòng 9: Ngày nhận "31/02/2021" không phải ngày hợp lệ' in result.output


def test_dry_run_prints_but_changes_nothing(cli, unit, workbook):
    path = workbook()
    cli("sheets", "link", "test.entries", str(path), "--unit", unit.name)
    before = path.read_bytes()
    result = cli("sync", "--dry-run")
    assert result.exit_code == 0 and "(thử, không ghi gì)" in result.output and "3 mới" in result.output
    assert path.read_bytes() == before


def test_sync_unknown_binding_exits_2(cli, unit):
    result = cli("sync", "no.such")
    assert result.exit_code == 2 and "Không có liên kết no.such" in result.output


def test_sync_with_nothing_linked_exits_2(cli, unit):
    result = cli("sync")
    assert result.exit_code == 2 and "phoihop sheets link" in result.output
