"""``phoihop plugins new`` and ``phoihop plugins check`` (``phoihop plugins [--json]``
itself: tests/core/test_plugins.py)."""
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from core.contract import CONTRACT_VERSION

TYPO = textwrap.dedent("""
    from core import hookimpl

    PHOIHOP_CONTRACT = "1"

    @hookimpl
    def phoihop_modles():
        return []
""")


@pytest.fixture
def cli(pm):
    from cli import build_cli

    def invoke(*args, env=None):
        return CliRunner().invoke(build_cli(pm), list(args), env=env)

    return invoke


@pytest.fixture
def misspelt_hook_plugin(tmp_path, monkeypatch):
    """A plugin module whose hook name is misspelled, on sys.path and PYTHONPATH."""
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "misspelt_hook_plugin.py").write_text(TYPO, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    return "misspelt_hook_plugin"


def phoihop(*args, cwd, env=None):
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=cwd,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True)


def test_plugins_new_writes_the_package_and_says_what_comes_next(cli, tmp_path):
    result = cli("plugins", "new", "lao-cai", "--dir", str(tmp_path / "lc"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "lc" / "phoihop_lao_cai" / "sheets.py").is_file()
    assert f"pip install -e {tmp_path / 'lc'}  &&  pytest {tmp_path / 'lc'}" in result.output


def test_plugins_new_defaults_to_a_folder_named_for_the_distribution(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("plugins", "new", "lao-cai").exit_code == 0
    assert (tmp_path / "phoihop-lao-cai" / "pyproject.toml").is_file()


def test_plugins_new_with_a_bad_name_exits_2_and_writes_nothing(cli, tmp_path):
    result = cli("plugins", "new", "Lào Cai", "--dir", str(tmp_path / "lc"))
    assert result.exit_code == 2
    assert "Tên plugin 'Lào Cai' không hợp lệ" in result.output
    assert not (tmp_path / "lc").exists()


def test_plugins_new_into_a_used_folder_exits_2(cli, tmp_path):
    (tmp_path / "lc").mkdir()
    (tmp_path / "lc" / "notes.txt").write_text("x")
    result = cli("plugins", "new", "lao-cai", "--dir", str(tmp_path / "lc"))
    assert result.exit_code == 2 and "không trống" in result.output


def test_plugins_check_with_nothing_to_fix_exits_0(cli):
    result = cli("plugins", "check", env={"PHOIHOP_PLUGINS": ""})
    assert result.exit_code == 0, result.output
    assert f"hello (entry point): hợp đồng 1 (phoihop: {CONTRACT_VERSION}) — không có vấn đề" in result.output.splitlines()


def test_plugins_check_prints_a_line_per_problem_and_exits_1(cli, misspelt_hook_plugin):
    result = cli("plugins", "check", env={"PHOIHOP_PLUGINS": misspelt_hook_plugin})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"misspelt_hook_plugin (setting): hợp đồng 1 (phoihop: {CONTRACT_VERSION}) — 1 vấn đề" in lines
    problems = [line for line in lines if line.startswith("misspelt_hook_plugin: ")]
    assert len(problems) == 1 and problems[0].startswith("misspelt_hook_plugin: hook phoihop_modles: không có trong hợp đồng")


def test_plugins_check_runs_when_a_plugin_keeps_phoihop_from_starting(misspelt_hook_plugin, tmp_path):
    env = {"PHOIHOP_PLUGINS": misspelt_hook_plugin}
    assert phoihop("plugins", cwd=tmp_path, env=env).returncode == 2  # the plugin stops every other command
    result = phoihop("plugins", "check", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "misspelt_hook_plugin" in result.stderr.splitlines()[0]  # why phoihop would not start
    assert any(line.startswith("misspelt_hook_plugin: hook phoihop_modles:") for line in result.stdout.splitlines())
