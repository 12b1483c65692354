"""``phoihop demo`` in the core: the sample data comes from ``phoihop_demo_data``, and the
files of the site from ``phoihop_demo_ready`` — the core knows no sheets."""
import os
import textwrap

import pytest

from core.plugins import get_plugin_manager

DEMO_PLUGIN = """
    from types import SimpleNamespace

    from core import hookimpl

    calls = []


    @hookimpl
    def phoihop_demo_data(unit):
        return {"demo.rows": [{"Tên": "Một", "Ngày": "01/02/2021"}]}


    @hookimpl
    def phoihop_demo_ready(app, directory, unit, rows_by_binding):
        from core.models import Unit

        calls.append((directory, unit.name, rows_by_binding, Unit.select().count()))
        path = directory + "/demo.rows.txt"
        with open(path, "w", encoding="utf-8") as out:
            out.write("x")
        return [(path, SimpleNamespace(created=1))]
"""


@pytest.fixture
def demo_plugin(tmp_path, monkeypatch):
    """A plugin module on sys.path that makes one file for the demo."""
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "demo_files_plugin.py").write_text(textwrap.dedent(DEMO_PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    return "demo_files_plugin"


def test_demo_ready_gets_every_plugins_rows_and_the_workbook_folder(tmp_path, demo_plugin, monkeypatch):
    import importlib

    from core.demo import build_demo

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "demo-mat-khau")
    pm = get_plugin_manager(plugins=[demo_plugin], builtins=(), entry_points=False)
    site = build_demo(str(tmp_path / "site"), pm)
    calls = importlib.import_module(demo_plugin).calls
    folder = os.path.join(site.directory, "workbooks")
    rows = {"demo.rows": [{"Tên": "Một", "Ngày": "01/02/2021"}]}
    assert calls == [(os.path.join(folder, "BG"), "Liên hiệp hội tỉnh Bắc Giang", rows, 2),
                     (os.path.join(folder, "PT"), "Liên hiệp hội tỉnh Phú Thọ", rows, 2)]
    assert site.workbooks == [os.path.join(folder, "BG", "demo.rows.txt"), os.path.join(folder, "PT", "demo.rows.txt")]
    assert [result.created for result in site.results] == [1, 1]
    assert f"WORKBOOK_DIR = {folder!r}" in open(site.config_file, encoding="utf-8").read()


def test_demo_without_the_sheets_plugin_makes_no_workbooks(tmp_path, plugin_site):
    from core.demo import build_demo

    pm = get_plugin_manager(disabled=["sheets.plugin"], entry_points={"hello"})
    assert not pm.has_plugin("sheets.plugin") and pm.has_plugin("hello")
    site = build_demo(str(tmp_path / "site"), pm)
    assert site.workbooks == [] and site.results == []
    assert os.path.exists(site.database_url.removeprefix("sqlite:///"))


def test_demo_has_an_editor_for_each_unit(tmp_path, plugin_site):
    from core.app import create_app
    from core.demo import build_demo
    from core.models import User

    pm = get_plugin_manager(disabled=["sheets.plugin"], entry_points={"hello"})
    site = build_demo(str(tmp_path / "site"), pm)
    with create_app({"DATABASE_URL": site.database_url}, plugin_manager=pm).app_context():
        editors = {(u.email, u.unit.code) for u in User.select().where(User.role == "editor")}
    assert editors == {("bientap.bacgiang@phoihop.local", "BG"), ("bientap.phutho@phoihop.local", "PT")}
