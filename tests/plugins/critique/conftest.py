"""Fixtures of the critique tests: a plugin manager with the critique plugin, the CLI, the
sample workbook copied where a test may write it, the samples' reference date, and small
office-like workbooks."""
import json
import shutil
import traceback
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
BOOK = "tu-van-phan-bien.xlsx"
REQUESTS_SHEET = "Nhiệm vụ TVPB 2023"
EXPERTS_SHEET = "Chuyên gia"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"
SAMPLE_TODAY = "2023-12-31"  # the samples' README gives the flags as of 31/12/2023


@pytest.fixture
def pm():
    """The built-ins and the critique plugin (named even if the built-in list lacks it)."""
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=tuple(dict.fromkeys((*DEFAULT_PLUGINS, "plugins.critique"))), entry_points=False)


@pytest.fixture
def today(monkeypatch):
    """``PHOIHOP_TODAY`` set to the samples' reference date."""
    monkeypatch.setenv("PHOIHOP_TODAY", SAMPLE_TODAY)
    return SAMPLE_TODAY


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def cli(pm, db_url, app):
    """``cli("critique", "sync")`` → click's result, against the test database."""
    from cli import build_cli

    def invoke(*args, input=None):
        return CliRunner().invoke(build_cli(pm), ["--db", db_url, *args], input=input)

    return invoke


@pytest.fixture
def sample(tmp_path):
    """A fresh copy of the sample workbook in the test's folder."""
    if not (SAMPLES / BOOK).is_file():
        pytest.skip("shared/samples is not beside the checkout")
    target = tmp_path / BOOK
    shutil.copy(SAMPLES / BOOK, target)
    return target


@pytest.fixture
def bg(ctx):
    """The unit of the samples."""
    from core.models import Unit

    return Unit.create(name=UNIT, code="BG")


def read_sheet(path, worksheet):
    """The worksheet's rows as values (openpyxl, read only)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book[worksheet].iter_rows(values_only=True)]
    finally:
        book.close()


def table_of(path, worksheet, header_row, key="STT"):
    """``{key cell: {header: value}}`` of a sheet as it is on disk (headers NFC, spaces
    collapsed)."""
    rows = read_sheet(path, worksheet)
    headers = [" ".join(unicodedata.normalize("NFC", str(h)).split()) if h is not None else None
               for h in rows[header_row - 1]]
    column = headers.index(key)
    found = {}
    for row in rows[header_row:]:
        if len(row) > column and row[column] not in (None, ""):
            found[row[column]] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h}
    return found


def make_workbook(path, sheets):
    """An office-like workbook: ``{worksheet: [title rows…, header, rows…]}``."""
    from sheets.xlsx import XlsxBackend

    XlsxBackend.create(path, sheets)
    return path


def link(name, path, worksheet, unit):
    from sheets.models import Binding

    return Binding.create(name=name, source=str(path), worksheet=worksheet, unit=unit)


def run_sync(app, binding, **kwargs):
    from sheets.sync import sync

    mapping = app.extensions["phoihop_bindings"][binding.name]
    return sync(binding, mapping, pm=app.extensions["phoihop_pm"], **kwargs)


def json_of(answer):
    """The JSON a command printed; its traceback when it crashed instead."""
    if answer.exception is not None and not isinstance(answer.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(answer.exception)))
    assert answer.exit_code in (0, 1), answer.output
    return json.loads(answer.output)
