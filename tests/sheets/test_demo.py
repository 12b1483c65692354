"""`phoihop demo` writes, links and syncs one workbook per binding and unit."""
from click.testing import CliRunner

from tests.sheets.conftest import sheet


def test_demo_workbooks_are_linked_and_synced(tmp_path, sync_pm, monkeypatch):
    from cli import build_cli
    from core import create_app
    from sheets.models import Binding
    from tests.sheets.entries_plugin import Entry

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "demo-mat-khau")
    result = CliRunner().invoke(build_cli(sync_pm), ["demo", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "site" / "workbooks" / "BG" / "test.entries.xlsx"
    assert f"bảng tính: {path}" in result.output
    assert f"bảng tính: {tmp_path / 'site' / 'workbooks' / 'PT' / 'test.entries.xlsx'}" in result.output
    grid = sheet(path, "entries")
    assert grid[3] == ["STT", "Tên giải pháp", "Ngày nhận", "Kinh phí", "Tác giả", "Mã", "Trạng thái đồng bộ", "Số tác giả"]
    assert [row[5:8:2] for row in grid[4:]] == [["GP-000001", "2"], ["GP-000002", "1"]]
    app = create_app({"CONFIG_FILE": str(tmp_path / "site" / "phoihop.cfg")}, plugin_manager=sync_pm)
    with app.app_context():
        assert sorted((e.unit.code, e.title) for e in Entry.select()) == [
            ("BG", "Máy gieo hạt"), ("BG", "Máy tách hạt"), ("PT", "Máy gieo hạt"), ("PT", "Máy tách hạt")]
        assert sorted((b.unit.code, b.worksheet) for b in Binding.select().where(Binding.name == "test.entries")) == [
            ("BG", "entries"), ("PT", "entries")]


def test_demo_workbooks_sync_on_the_default_schedule(tmp_path, sync_pm, monkeypatch):
    from cli import build_cli
    from core import create_app
    from sheets.models import Binding

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "demo-mat-khau")
    result = CliRunner().invoke(build_cli(sync_pm), ["demo", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    app = create_app({"CONFIG_FILE": str(tmp_path / "site" / "phoihop.cfg")}, plugin_manager=sync_pm)
    with app.app_context():
        assert {b.schedule_minutes for b in Binding.select()} == {15}
