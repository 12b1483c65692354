"""The phoihop command line: the core commands and their exit codes."""
import os
import subprocess
import sys

from core.models import Unit, User


def run_phoihop(*args, input=None, cwd=None, env=None):
    """The installed console script in a subprocess, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", *args],
        input=input, capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})},
    )


def test_units_add_registers_a_unit(runner, app):
    result = runner("units", "add", "Liên hiệp hội tỉnh  Bắc Giang ", "--code", "BG")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert [(u.name, u.code) for u in Unit.select()] == [("Liên hiệp hội tỉnh Bắc Giang", "BG")]


def test_duplicate_unit_name_exits_2_and_changes_nothing(runner, app, units):
    result = runner("units", "add", units["A"].name)
    assert result.exit_code == 2
    assert "đã có" in result.output
    with app.app_context():
        assert Unit.select().count() == 2


def test_users_add_reads_the_password_from_stdin(runner, app, units):
    result = runner("users", "add", "Ke.Toan@BG.vn", "--role", "editor", "--unit", units["A"].name,
                    "--password-stdin", input="mot-mat-khau\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = User.get()
        assert (user.email, user.role, user.unit_id) == ("ke.toan@bg.vn", "editor", units["A"].id)
        assert user.check_password("mot-mat-khau") and user.password_hash != "mot-mat-khau"


def test_users_add_unknown_role_exits_2(runner, app):
    result = runner("users", "add", "a@b.vn", "--role", "boss", "--password-stdin", input="mot-mat-khau\n")
    assert result.exit_code == 2
    assert "'boss' is not one of" in result.output
    with app.app_context():
        assert User.select().count() == 0


def test_users_add_unknown_unit_exits_2_and_creates_nothing(runner, app):
    result = runner("users", "add", "a@b.vn", "--role", "viewer", "--unit", "Đâu đó",
                    "--password-stdin", input="mot-mat-khau\n")
    assert result.exit_code == 2
    assert "Không có đơn vị 'Đâu đó'" in result.output
    with app.app_context():
        assert User.select().count() == 0


def test_users_add_short_password_exits_2(runner, app):
    result = runner("users", "add", "a@b.vn", "--role", "admin", "--password-stdin", input="ngan\n")
    assert result.exit_code == 2
    assert "ít nhất 8 ký tự" in result.output


def test_users_add_duplicate_email_exits_2(runner, app, make_user):
    make_user("a@b.vn", "admin")
    result = runner("users", "add", "A@B.vn", "--role", "viewer", "--password-stdin", input="mot-mat-khau\n")
    assert result.exit_code == 2
    assert "đã có" in result.output


def test_malformed_database_url_prints_one_line_and_exits_2(tmp_path):
    result = run_phoihop("--db", "khong-phai-url", "init", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Lỗi: Địa chỉ cơ sở dữ liệu không hợp lệ: 'khong-phai-url' (ví dụ sqlite:///phoihop.sqlite3)"
    ]


def test_unreachable_database_prints_one_line_and_exits_2(tmp_path):
    result = run_phoihop("--db", "postgresql://u:p@127.0.0.1:1/x", "units", "add", "A", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_database_defaults_to_a_sqlite_file_in_the_working_folder(tmp_path):
    env = {"PHOIHOP_DATABASE_URL": ""}
    result = run_phoihop("init", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "phoihop.sqlite3").exists()


def test_demo_builds_a_site_that_logs_in(tmp_path, pm, monkeypatch):
    from click.testing import CliRunner

    from cli import build_cli
    from core import create_app
    from phoihop_hello import Greeting
    from tests.conftest import login

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "demo-mat-khau")
    result = CliRunner().invoke(build_cli(pm), ["demo", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert "admin@phoihop.local / demo-mat-khau" in result.output
    config_file = tmp_path / "site" / "phoihop.cfg"
    app = create_app({"CONFIG_FILE": str(config_file)}, plugin_manager=pm)
    with app.app_context():
        assert Unit.select().count() == 2
        # the plugin's demo rows came in through its sheet, for each unit: a workbook written, linked, synced
        assert sorted((g.unit.code, g.text) for g in Greeting.select()) == [
            (code, text) for code in ("BG", "PT")
            for text in ("Chào mừng Ngày Khoa học và Công nghệ Việt Nam", "Chúc mừng năm mới, Tết an khang")]
        assert all(g.source_key and g.source_key.startswith("LC-") for g in Greeting.select())
    client = app.test_client()
    assert login(client, "admin@phoihop.local", "demo-mat-khau").status_code == 302
    assert client.get("/admin/greeting/").status_code == 200


def test_demo_refuses_a_used_folder_without_force(tmp_path, pm):
    from click.testing import CliRunner

    from cli import build_cli

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "keep.txt").write_text("x")
    result = CliRunner().invoke(build_cli(pm), ["demo", "--dir", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert (tmp_path / "site" / "keep.txt").exists()
