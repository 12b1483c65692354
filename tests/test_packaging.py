"""The distribution a province installs: what plugin authors need is in the wheel, not
only in a checkout (the scaffold's templates, the test kit with its emulator, the pytest
entry point)."""
import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "cli.py", "core", "sheets", "plugins", "phoihop_testing")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """phoihop's wheel, built from a copy of the sources (setuptools writes build/ and
    *.egg-info beside them) with the test venv's setuptools, without the network."""
    source = tmp_path_factory.mktemp("phoihop-source")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, capture_output=True)
    [built] = out.glob("phoihop-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_ships_the_emulator_the_projects_tests_use(wheel):
    for name in ("sheets_emulator.py", "sheets_emulator_rows.py"):
        assert wheel.read(f"phoihop_testing/{name}") == (REPO / "phoihop_testing" / name).read_bytes()
    import tests.fake_sheets
    from phoihop_testing import sheets_emulator

    assert tests.fake_sheets is sheets_emulator  # the tests' old name is the shipped module


def test_the_wheel_ships_the_test_kit_and_every_scaffold_template(wheel):
    names = set(wheel.namelist())
    templates = {str(p.relative_to(REPO)) for p in (REPO / "core" / "scaffold" / "templates").rglob("*.tmpl")}
    assert templates and templates <= names
    assert {"phoihop_testing/__init__.py", "phoihop_testing/plugin.py", "core/contract.py"} <= names


def test_the_wheel_declares_the_pytest_plugin(wheel):
    [entry_points] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    assert dict(parser["pytest11"]) == {"phoihop": "phoihop_testing.plugin"}
