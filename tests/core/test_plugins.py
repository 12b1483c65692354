"""The plugin manager: built-ins, entry points, settings, failures, tracing."""
import json
import textwrap

import pytest

from core import create_app
from core.errors import ConfigError
from core.plugins import get_plugin_manager


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    """A folder on sys.path where a test writes plugin modules."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        return name

    return write


def test_entry_point_plugin_is_loaded(pm):
    assert pm.has_plugin("hello")
    assert pm.sources["hello"] == "entry point"


def test_setting_names_a_plugin_module(module_dir, plugin_site):
    name = module_dir("extra_rules", """
        from core import hookimpl

        @hookimpl
        def phoihop_validate(binding, record):
            return [("text", "always wrong")]
    """)
    pm = get_plugin_manager(plugins=[name], entry_points={"hello"})
    assert pm.sources[name] == "setting"
    problems = pm.hook.phoihop_validate(binding="hello.greetings", record={"text": "x"})
    assert ("text", "always wrong") in [p for answer in problems for p in answer]


def test_disabled_plugin_is_left_out(plugin_site):
    pm = get_plugin_manager(disabled=["hello"], entry_points={"hello"})
    assert not pm.has_plugin("hello")


def test_plugin_raising_at_import_is_reported_and_skipped(module_dir, db_url, plugin_site):
    name = module_dir("broken_plugin", "raise RuntimeError('boom at import')\n")
    pm = get_plugin_manager(plugins=[name], entry_points={"hello"})
    assert [(f.name, f.error) for f in pm.failed] == [(name, "RuntimeError: boom at import")]
    app = create_app({"DATABASE_URL": db_url}, plugin_manager=pm)  # starts without it
    assert pm.has_plugin("hello") and not pm.has_plugin(name)
    assert app.extensions["phoihop_pm"] is pm


def test_misspelled_hook_fails_at_start_naming_the_plugin(module_dir, plugin_site):
    name = module_dir("typo_plugin", """
        from core import hookimpl

        @hookimpl
        def phoihop_modles():
            return []
    """)
    with pytest.raises(ConfigError, match="typo_plugin"):
        get_plugin_manager(plugins=[name], entry_points={"hello"})


def test_two_plugins_declaring_one_table_are_refused(module_dir, db_url, plugin_site):
    name = module_dir("twin_plugin", """
        import peewee
        from core import hookimpl
        from core.db import BaseModel

        class Greeting(BaseModel):
            text = peewee.CharField()

            class Meta:
                table_name = "hello_greeting"

        @hookimpl
        def phoihop_models():
            return [Greeting]
    """)
    with pytest.raises(ConfigError, match="hello_greeting"):
        create_app({"DATABASE_URL": db_url}, plugin_manager=get_plugin_manager(plugins=[name], entry_points={"hello"}))


def test_plain_flask_admin_model_view_is_refused(module_dir, db_url, plugin_site):
    name = module_dir("unscoped_plugin", """
        from flask_admin.contrib.peewee import ModelView
        from core import hookimpl
        from core.models import Person

        @hookimpl
        def phoihop_admin_views(admin, app):
            return [ModelView(Person, endpoint="raw_person")]
    """)
    with pytest.raises(ConfigError, match="core.admin.ModelView"):
        create_app({"DATABASE_URL": db_url}, plugin_manager=get_plugin_manager(plugins=[name], entry_points={"hello"}))


def test_trace_switch_logs_every_hook_call(capsys, plugin_site):
    pm = get_plugin_manager(trace=True, builtins=(), entry_points={"hello"})
    pm.hook.phoihop_models()
    err = capsys.readouterr().err
    assert "[phoihop] phoihop_models() -> hello" in err
    assert "phoihop_models returned [[<Model: Occasion>, <Model: Greeting>]]" in err


def test_trace_switch_reads_the_environment(monkeypatch, db_url, plugin_site):
    from core import config

    monkeypatch.setenv("PHOIHOP_TRACE_PLUGINS", "1")
    assert config.plugin_settings()["TRACE_PLUGINS"] is True


def test_plugins_json_lists_entry_point_plugin_with_models_and_version(runner):
    result = runner("plugins", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    hello = rows["hello"]
    assert hello["status"] == "loaded"
    assert hello["version"] == "1.0.0"
    assert sorted(hello["models"]) == ["hello_greeting", "hello_occasion"]
    assert hello["bindings"] == ["hello.greetings"]
    assert "phoihop_cli" in hello["hooks"] and "phoihop_sheet_bindings" in hello["hooks"]


def test_plugins_json_shows_a_failed_plugin(module_dir, db_url, plugin_site):
    from click.testing import CliRunner

    from cli import build_cli

    name = module_dir("broken_two", "import no_such_module_here\n")
    pm = get_plugin_manager(plugins=[name], entry_points={"hello"})
    result = CliRunner().invoke(build_cli(pm), ["--db", db_url, "plugins", "--json"])
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert rows[name]["status"] == "failed"
    assert "no_such_module_here" in rows[name]["error"]


def test_plugin_cli_command_runs(runner, units):
    result = runner("hello", units["A"].name)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Liên hiệp hội tỉnh Bắc Giang: 0 lời chào"


def test_plugin_cli_command_error_exits_2(runner, app):
    result = runner("hello", "Không tồn tại")
    assert result.exit_code == 2
    assert "Không có đơn vị 'Không tồn tại'" in result.output


def test_report_sections_are_gathered_from_plugins(app, units):
    from core.reports import Period, gather
    from phoihop_hello import Greeting

    only_hello = get_plugin_manager(builtins=(), entry_points={"hello"})
    with app.app_context():
        Greeting.create(unit=units["A"], text="Xin chào")
        report = gather(only_hello, Period(2020, 2022), [units["A"], units["B"]])
    assert report == {
        "period": {"from": 2020, "to": 2022, "years": 3},
        "units": 2,
        "sections": {"hello": {"greetings": 1}},
    }


def test_report_period_backwards_is_refused():
    from core.reports import Period

    with pytest.raises(ConfigError, match="2022"):
        Period(2022, 2020)


def test_binding_declared_by_two_plugins_is_refused(module_dir, db_url, plugin_site):
    source = """
        from types import SimpleNamespace
        from core import hookimpl
        from core.models import Person

        @hookimpl
        def phoihop_sheet_bindings():
            return [SimpleNamespace(name="people.directory", model=Person)]
    """
    first, second = module_dir("dir_one", source), module_dir("dir_two", source)
    with pytest.raises(ConfigError, match="people.directory"):
        create_app({"DATABASE_URL": db_url}, plugin_manager=get_plugin_manager(plugins=[first, second], entry_points={"hello"}))


def test_the_system_page_lists_each_binding_with_its_plugin(module_dir, db_url, plugin_site):
    from core.schema import upgrade
    from core.users import create_user
    from tests.conftest import PASSWORD, login

    name = module_dir("dir_three", """
        from types import SimpleNamespace
        from core import hookimpl
        from core.models import Person

        @hookimpl
        def phoihop_sheet_bindings():
            return [SimpleNamespace(name="people.directory", model=Person)]
    """)
    app = create_app({"DATABASE_URL": db_url}, plugin_manager=get_plugin_manager(plugins=[name], entry_points={"hello"}))
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        create_user("a@b.vn", PASSWORD, "admin")
    client = app.test_client()
    login(client, "a@b.vn")
    page = client.get("/admin/system/").get_data(as_text=True)
    assert "<code>people.directory</code></td><td>Person</td><td>dir_three</td>" in page.replace("\n", "")
