"""phoihop's pytest plugin (phoihop_testing.plugin), used here as a plugin's tests use it:
the fixtures come from the ``pytest11`` entry point, not from tests/conftest.py."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def phoihop_entry_points(plugin_site):
    """As a plugin's conftest does: load its own entry point (here the example plugin's)."""
    return {"hello"}


def test_the_plugin_is_loaded_through_its_pytest11_entry_point(request):
    from importlib import metadata

    names = {ep.name: ep.value for ep in metadata.entry_points(group="pytest11")}
    assert names["phoihop"] == "phoihop_testing.plugin"
    assert request.config.pluginmanager.has_plugin("phoihop")


def test_phoihop_db_url_is_an_empty_database_of_its_own(phoihop_db_url):
    from core.db import database, open_database

    db = open_database(phoihop_db_url)
    try:
        assert db.get_tables() == []
    finally:
        db.close()
    assert database.obj is None or database.is_closed()


def test_phoihop_pm_loads_the_built_ins_and_the_chosen_entry_point(phoihop_pm):
    from core.plugins import DEFAULT_PLUGINS

    assert sorted(name for name, _ in phoihop_pm.list_name_plugin()) == sorted([*DEFAULT_PLUGINS, "hello"])


def test_phoihop_app_has_every_plugins_tables(phoihop_app):
    from core.db import database

    with phoihop_app.app_context():
        tables = set(database.get_tables())
    assert {"unit", "hello_greeting", "hello_occasion", "binding"} <= tables


def test_phoihop_users_editor_is_scoped_to_the_unit(phoihop_users, phoihop_unit):
    assert (phoihop_users.admin.role, phoihop_users.admin.unit_id) == ("admin", None)
    assert (phoihop_users.editor.role, phoihop_users.editor.unit_id) == ("editor", phoihop_unit.id)
    assert (phoihop_users.viewer.role, phoihop_users.viewer.unit_id) == ("viewer", None)


def test_phoihop_client_is_logged_in_as_the_admin(phoihop_client):
    assert phoihop_client.get("/admin/greeting/").status_code == 200
    assert phoihop_client.get("/admin/user/").status_code == 200  # admins only


def test_phoihop_login_refuses_a_wrong_password(phoihop_app, phoihop_users, phoihop_login):
    client = phoihop_app.test_client()
    assert phoihop_login(client, phoihop_users.viewer.email, "sai-mat-khau").status_code != 302
    assert client.get("/admin/greeting/").status_code in (302, 403)


def test_phoihop_sync_writes_an_office_workbook_links_it_and_syncs_it(phoihop_app, phoihop_unit, phoihop_sync):
    from openpyxl import load_workbook
    from phoihop_hello import Greeting

    result, path = phoihop_sync("hello.greetings", [
        {"Lời chào": "Chúc mừng năm mới, Tết an khang", "Dịp": "Tết", "Ngày gửi": "25/01/2024"},
        {"Lời chào": "Chào mừng ngày 18/5", "Dịp": "18/5"},
    ])
    assert (result.outcome, result.created) == ("ok", 2)
    with phoihop_app.app_context():
        assert sorted((g.text, g.unit_id) for g in Greeting.select()) == [
            ("Chào mừng ngày 18/5", phoihop_unit.id), ("Chúc mừng năm mới, Tết an khang", phoihop_unit.id)]
    rows = [list(r) for r in load_workbook(path).active.iter_rows(values_only=True)]
    assert rows[3][:4] == ["STT", "Lời chào", "Dịp", "Ngày gửi"]  # under the office's title rows
    assert [row[rows[3].index("Mã")] for row in rows[4:]] == ["LC-000001", "LC-000002"]


def test_phoihop_sync_reports_a_bad_row_and_imports_the_rest(phoihop_app, phoihop_sync):
    from phoihop_hello import Greeting

    result, _path = phoihop_sync("hello.greetings", [{"Lời chào": "Xin chào!!"}, {"Lời chào": "Xin chào"}])
    assert result.outcome == "errors" and result.created == 1
    assert [(e["column"], e["value"]) for e in result.as_dict()["errors"]] == [("Lời chào", "Xin chào!!")]
    with phoihop_app.app_context():
        assert [g.text for g in Greeting.select()] == ["Xin chào"]


def test_phoihop_sync_again_with_the_same_path_reuses_the_binding(phoihop_app, phoihop_sync):
    from sheets.models import Binding

    _first, path = phoihop_sync("hello.greetings", [{"Lời chào": "Xin chào"}])
    again, same = phoihop_sync("hello.greetings", source=path)
    assert (same, again.outcome, again.created) == (path, "ok", 0)
    with phoihop_app.app_context():
        assert Binding.select().count() == 1


def test_phoihop_sync_with_the_emulator_syncs_a_google_spreadsheet(phoihop_app, phoihop_sync, phoihop_sheets_emulator):
    from phoihop_hello import Greeting

    result, source = phoihop_sync("hello.greetings", [{"Lời chào": "Xin chào"}], emulator=phoihop_sheets_emulator)
    assert source.startswith("gsheet:") and (result.outcome, result.created) == ("ok", 1)
    grid = phoihop_sheets_emulator.grid(source[len("gsheet:"):], "Lời chào")
    assert grid[3][:2] == ["STT", "Lời chào"] and grid[4][grid[3].index("Mã")] == "LC-000001"
    with phoihop_app.app_context():
        assert [g.source_key for g in Greeting.select()] == ["LC-000001"]


def test_phoihop_sheets_emulator_answers_gspread_through_the_environment(phoihop_sheets_emulator):
    from sheets.gsheets import GoogleSheetsBackend

    phoihop_sheets_emulator.add_spreadsheet("khoa-thu", {"Trang 1": [["STT", "Tên"], [1, "An"]]})
    backend = GoogleSheetsBackend.from_environment("khoa-thu")
    assert backend.read("Trang 1")[:2] == [["STT", "Tên"], [1, "An"]]


def test_the_emulator_ships_as_tests_fake_sheets():
    """One emulator: phoihop's own test fake is the shipped module, not a copy that drifts."""
    import phoihop_testing.sheets_emulator as shipped
    import tests.fake_sheets

    assert tests.fake_sheets is shipped
    assert Path(shipped.__file__).resolve() == (REPO / "phoihop_testing" / "sheets_emulator.py").resolve()
