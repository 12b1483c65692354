"""`phoihop sheets scaffold`: a ready worksheet for an office starting fresh (sheets.scaffold)."""
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheets.guidance import NOTE_PREFIX
from tests.sheets.conftest import WORKSHEET

KEY = "1BgLhhScaffold"
TAB = "Giải pháp 2024"


@pytest.fixture
def cli(sync_pm, db_url, sync_app):
    from cli import build_cli

    def invoke(*args):
        return CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, *args])

    return invoke


@pytest.fixture
def scaffolded(cli, tmp_path):
    path = tmp_path / "moi.xlsx"
    result = cli("sheets", "scaffold", "test.entries", "--out", str(path), "--worksheet", TAB)
    assert result.exit_code == 0, result.output
    return path


def test_a_new_workbook_has_title_block_headers_and_example_rows(scaffolded):
    rows = list(load_workbook(scaffolded)[TAB].iter_rows(values_only=True))
    assert rows[0][0] == "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT"
    assert rows[3] == ("STT", "Tên giải pháp", "Ngày nhận", "Kinh phí", "Điểm", "Lĩnh vực", "Tác giả", "Số tác giả", "Mã",
                       "Trạng thái đồng bộ")
    assert [row[0] for row in rows[4:]] == ["Ví dụ", "Ví dụ"]
    assert rows[4][5] == "Cơ khí"


def test_the_scaffold_carries_the_validations_and_the_owned_fill(scaffolded):
    sheet = load_workbook(scaffolded)[TAB]
    kinds = sorted((str(v.sqref), v.type) for v in sheet.data_validations.dataValidation)
    assert kinds == [("C5:C1048576", "date"), ("D5:D1048576", "decimal"), ("F5:F1048576", "list")]
    assert [sheet[c].fill.fgColor.rgb for c in ("H4", "I4", "J4")] == ["FFE7E6E6"] * 3


def test_the_scaffolds_example_rows_are_skipped_by_the_sync(scaffolded, unit, run_sync):
    from sheets.models import Binding

    binding = Binding.create(name="test.entries", source=str(scaffolded), worksheet=TAB, unit=unit)
    result = run_sync(binding)
    assert (result.outcome, result.created, result.skipped["example"]) == ("ok", 0, 2)


def test_the_cli_names_the_next_step(cli, tmp_path):
    result = cli("sheets", "scaffold", "test.entries", "--out", str(tmp_path / "b.xlsx"))
    assert result.exit_code == 0, result.output
    assert "2 dòng mẫu" in result.output and "phoihop sheets link test.entries" in result.output


def test_a_worksheet_with_data_is_never_overwritten(cli, workbook):
    path = workbook()
    before = path.read_bytes()
    result = cli("sheets", "scaffold", "test.entries", "--out", str(path), "--worksheet", WORKSHEET)
    assert result.exit_code == 2 and "đã có dữ liệu" in result.output
    assert path.read_bytes() == before


def test_a_worksheet_is_added_beside_the_offices_sheets(cli, workbook):
    path = workbook()
    result = cli("sheets", "scaffold", "test.entries", "--out", str(path), "--worksheet", TAB)
    assert result.exit_code == 0, result.output
    assert load_workbook(path).sheetnames[:3] == [WORKSHEET, "Ghi chú", TAB]


@pytest.mark.parametrize("args", [(), ("--out", "a.xlsx", "--google", KEY), ("--google", KEY)])
def test_one_destination_is_required_and_google_needs_a_worksheet(cli, args):
    assert cli("sheets", "scaffold", "test.entries", *args).exit_code == 2


def test_on_google_the_worksheet_is_made_with_one_batch_update_of_its_content(cli, fake_sheets):
    fake_sheets.add_spreadsheet(KEY, {"Trang tính 1": []})
    fake_sheets.reset_log()
    result = cli("sheets", "scaffold", "test.entries", "--google", KEY, "--worksheet", TAB)
    assert result.exit_code == 0, result.output
    posts = [call["body"]["requests"] for call in fake_sheets.calls if call["method"] == "POST"]
    assert [next(iter(r[0])) for r in posts] == ["addSheet", "updateCells"]
    grid = fake_sheets.grid(KEY, TAB)
    assert grid[3][0] == "STT" and grid[4][0] == "Ví dụ"
    assert fake_sheets.validation(KEY, TAB, 4, 5)["condition"]["type"] == "ONE_OF_LIST"
    found = fake_sheets.protected_ranges(KEY, TAB)
    assert len(found) == 3 and all(p["warningOnly"] and p["description"].startswith(NOTE_PREFIX) for p in found)


def test_every_built_in_binding_scaffolds_a_sheet_its_own_mapping_reads(app, tmp_path):
    from sheets.reader import read_table
    from sheets.scaffold import scaffold, worksheet_name
    from sheets.xlsx import XlsxBackend

    with app.app_context():
        bindings = app.extensions["phoihop_bindings"]
        assert len(bindings) >= 8
        for name, mapping in sorted(bindings.items()):
            path = tmp_path / f"{name}.xlsx"
            made = scaffold(XlsxBackend(path), mapping, worksheet_name(mapping))
            table = read_table(XlsxBackend(path).read(worksheet_name(mapping)), mapping)
            assert (made["examples"], table.rows, table.skipped.get("example")) == (2, [], 2), name
