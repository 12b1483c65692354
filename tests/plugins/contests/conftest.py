"""Fixtures of the contests tests: a plugin manager with the contests plugin, the CLI, the
sample workbooks copied where a test may write them, and small office-like workbooks."""
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
TECHNICAL_BOOK = "hoi-thi-sang-tao-ky-thuat.xlsx"
YOUTH_BOOK = "cuoc-thi-sang-tao-thanh-thieu-nien.xlsx"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"
TECHNICAL = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 9 (2020-2021)"
YOUTH = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng tỉnh Bắc Giang lần thứ 16 (2022-2023)"
TECHNICAL_SCORES = ("Phiếu chấm - CNTT", "Phiếu chấm - Cơ khí", "Phiếu chấm - Vật liệu", "Phiếu chấm - Nông nghiệp",
                    "Phiếu chấm - Y dược", "Phiếu chấm - Giáo dục")
YOUTH_SCORES = ("Phiếu chấm tổ 1", "Phiếu chấm tổ 2")


@pytest.fixture
def pm():
    """The built-ins and the contests plugin (named even if the built-in list lacks it)."""
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=tuple(dict.fromkeys((*DEFAULT_PLUGINS, "plugins.contests"))), entry_points=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def cli(pm, db_url, app):
    """``cli("contests", "editions", "list")`` → click's result, against the test database."""
    from cli import build_cli

    def invoke(*args, input=None):
        return CliRunner().invoke(build_cli(pm), ["--db", db_url, *args], input=input)

    return invoke


@pytest.fixture
def sample(tmp_path):
    """``sample(name)`` → a fresh copy of a sample workbook in the test's folder."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the checkout")

    def copy(name):
        target = tmp_path / name
        if not target.exists():
            shutil.copy(SAMPLES / name, target)
        return target

    return copy


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


def column_of(rows, header_row, header):
    """0-based column of ``header`` in the 1-based ``header_row``."""
    return [unicodedata.normalize("NFC", str(c)).strip() if c is not None else None
            for c in rows[header_row - 1]].index(header)


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
    import json
    import traceback

    if answer.exception is not None and not isinstance(answer.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(answer.exception)))
    assert answer.exit_code in (0, 1), answer.output
    return json.loads(answer.output)
