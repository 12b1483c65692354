"""``phoihop plugins new``: the names, the files, the sample workbook — and the package it
writes installs and passes its own tests."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.contract import CONTRACT_VERSION
from core.errors import ConfigError
from core.scaffold import SAMPLE_ROWS, WORKSHEET, Names, new_plugin
from tests.conftest import pip_install, run_plugin_tests

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_a_slug_gives_the_entry_point_package_distribution_and_prefix():
    names = Names.of("quang-ninh")
    assert (names.name, names.module, names.dist, names.label, names.prefix, names.contract) == (
        "quang_ninh", "phoihop_quang_ninh", "phoihop-quang-ninh", "Quang Ninh", "QN", CONTRACT_VERSION)


def test_a_one_word_name_takes_its_first_two_letters_as_prefix():
    assert Names.of("hue").prefix == "HU"


@pytest.mark.parametrize("name", ["Quang Ninh", "quảng-ninh", "1tinh", "tinh--a", "tinh_", "", "class",
                                  "a" * 41, "../tinh"])
def test_a_name_that_is_no_python_slug_is_refused(name):
    with pytest.raises(ConfigError, match="không hợp lệ|từ khóa"):
        Names.of(name)


@pytest.mark.parametrize("name", ["training", "hello"])
def test_a_name_a_loaded_plugin_uses_is_refused(pm, name, tmp_path):
    with pytest.raises(ConfigError, match=f"Tên plugin '{name}' trùng với một plugin đã cài"):
        new_plugin(name, str(tmp_path / "out"), pm=pm)
    assert not (tmp_path / "out").exists()


def test_a_name_no_loaded_plugin_uses_is_free(pm, tmp_path):
    _names, directory, _written = new_plugin("lao-cai", str(tmp_path / "out"), pm=pm)
    assert os.path.isdir(directory)


def test_a_folder_with_files_is_refused_and_left_alone(tmp_path):
    (tmp_path / "keep.txt").write_text("của văn phòng")
    with pytest.raises(ConfigError, match="không trống"):
        new_plugin("lao-cai", str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_file_in_the_way_is_refused_and_left_alone(tmp_path):
    (tmp_path / "lc").write_text("của văn phòng")
    with pytest.raises(ConfigError, match="không trống"):
        new_plugin("lao-cai", str(tmp_path / "lc"))
    assert (tmp_path / "lc").read_text() == "của văn phòng"


def test_an_empty_folder_is_used(tmp_path):
    _names, directory, written = new_plugin("lao-cai", str(tmp_path))
    assert directory == str(tmp_path) and all(path.startswith(str(tmp_path)) for path in written)


def test_the_package_has_the_rooms_pyproject_readme_sample_and_tests(tmp_path):
    _names, directory, written = new_plugin("lao-cai", str(tmp_path / "out"))
    assert sorted(os.path.relpath(path, directory) for path in written) == sorted([
        "README.md", "pyproject.toml", "samples/lao_cai.activities.xlsx",
        *[f"phoihop_lao_cai/{room}.py" for room in ("__init__", "models", "views", "sheets", "rules", "reports")],
        *[f"tests/{name}.py" for name in ("conftest", "test_plugin", "test_reports", "test_rules", "test_sheets",
                                          "test_views")],
    ])


def test_the_pyproject_declares_the_entry_point(tmp_path):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    _names, directory, _written = new_plugin("lao-cai", str(tmp_path / "out"))
    with open(os.path.join(directory, "pyproject.toml"), "rb") as source:
        project = tomllib.load(source)
    assert project["project"]["name"] == "phoihop-lao-cai"
    assert project["project"]["entry-points"]["phoihop.plugins"] == {"lao_cai": "phoihop_lao_cai"}


def test_the_readme_speaks_vietnamese_and_english(tmp_path):
    _names, directory, _written = new_plugin("lao-cai", str(tmp_path / "out"))
    readme = open(os.path.join(directory, "README.md"), encoding="utf-8").read()
    assert "## Tiếng Việt" in readme and "## English" in readme
    assert "lao_cai.activities" in readme and "$" not in readme  # every placeholder filled


def test_the_sample_workbook_is_laid_out_as_an_office_lays_it_out(tmp_path):
    from openpyxl import load_workbook

    _names, directory, _written = new_plugin("lao-cai", str(tmp_path / "out"))
    book = load_workbook(os.path.join(directory, "samples", "lao_cai.activities.xlsx"))
    rows = [list(r) for r in book[WORKSHEET].iter_rows(values_only=True)]
    headers = list(SAMPLE_ROWS[0])
    assert rows[3] == ["STT", *headers]
    assert rows[4:] == [[n, *[row[h] for h in headers]] for n, row in enumerate(SAMPLE_ROWS, start=1)]


def test_the_demo_rows_are_the_sample_rows(tmp_path, monkeypatch):
    _names, directory, _written = new_plugin("lao-cai", str(tmp_path / "out"))
    monkeypatch.syspath_prepend(directory)
    from phoihop_lao_cai import phoihop_demo_data

    assert phoihop_demo_data(unit=None) == {"lao_cai.activities": SAMPLE_ROWS}


def readme_commands():
    """The two command lines of the README's "A new plugin in two commands"."""
    section = README.split("### A new plugin in two commands", 1)[1]
    return re.search(r"```\n(.*?)```", section, flags=re.S).group(1).strip().splitlines()


def test_the_readme_gives_two_commands_new_then_install_and_test():
    new, install = readme_commands()
    name = re.fullmatch(r"phoihop plugins new (\S+)", new).group(1)
    assert install == f"pip install -e {Names.of(name).dist} && pytest {Names.of(name).dist}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The README's first command, run in a temp folder; the package it writes,
    pip-installed from there (as its second command does, without the network).
    Returns ``(names, copy, site)``."""
    from click.testing import CliRunner

    from cli import build_cli
    from core.plugins import get_plugin_manager

    new, install = readme_commands()
    where = tmp_path_factory.mktemp("scaffold")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(where)
        result = CliRunner().invoke(build_cli(get_plugin_manager(entry_points=False)), new.split()[1:])
    assert result.exit_code == 0, result.output
    folder = where / re.match(r"pip install -e (\S+)", install).group(1)
    return (Names.of(new.split()[-1]), *pip_install(folder, tmp_path_factory))


def test_the_generated_plugin_passes_its_own_tests(installed):
    _names, copy, site = installed
    run = run_plugin_tests(copy, site)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and " failed" not in run.stdout
    if os.environ.get("PHOIHOP_TEST_POSTGRES_URL"):
        assert "skipped" not in run.stdout, run.stdout  # its PostgreSQL variants ran too


def phoihop_with(site, *args, cwd):
    """The phoihop command in a new process, with ``site`` on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True)


def test_phoihop_plugins_json_lists_the_installed_plugin_with_its_binding(installed, tmp_path):
    names, _copy, site = installed
    run = phoihop_with(site, "plugins", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    mine = next(row for row in json.loads(run.stdout) if row["name"] == names.name)
    assert (mine["source"], mine["status"], mine["bindings"]) == ("entry point", "loaded", [f"{names.name}.activities"])


def test_phoihop_plugins_check_finds_nothing_to_fix_in_it(installed, tmp_path):
    names, _copy, site = installed
    run = phoihop_with(site, "plugins", "check", cwd=tmp_path)
    assert f"{names.name} (entry point): hợp đồng {CONTRACT_VERSION} (phoihop: {CONTRACT_VERSION}) — không có vấn đề" \
        in run.stdout.splitlines()
