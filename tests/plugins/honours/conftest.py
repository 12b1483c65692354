"""Fixtures of the honours tests: a plugin manager with the honours plugin, the CLI, the
sample workbook copied where a test may write it, small office-like workbooks, and today
pinned to 31/12/2023 (the date the samples' README gives its flags as of)."""
import json
import shutil
import traceback
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
BOOK = "ton-vinh-tri-thuc.xlsx"
UNIT = "Liên hiệp hội tỉnh Phú Thọ"
NOMINATIONS_2023, HONOURED_2021 = "Đề cử 2023", "Tôn vinh 2021"
TODAY = "2023-12-31"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Rules that depend on today read ``PHOIHOP_TODAY``: the samples' reference date."""
    monkeypatch.setenv("PHOIHOP_TODAY", TODAY)
    return TODAY


@pytest.fixture
def pm():
    """The built-ins with the honours plugin (named even if the built-in list lacks it)."""
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=tuple(dict.fromkeys((*DEFAULT_PLUGINS, "plugins.honours"))), entry_points=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def cli(pm, db_url, app):
    """``cli("honours", "rounds", "list")`` → click's result, against the test database."""
    from cli import build_cli

    def invoke(*args, input=None):
        return CliRunner().invoke(build_cli(pm), ["--db", db_url, *args], input=input)

    return invoke


@pytest.fixture
def sample(tmp_path):
    """``sample()`` → a fresh copy of the honours sample workbook in the test's folder."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is not beside the checkout")
    target = tmp_path / BOOK
    shutil.copy(SAMPLES / BOOK, target)
    return target


@pytest.fixture
def pt(ctx):
    """The samples' unit."""
    from core.models import Unit

    return Unit.create(name=UNIT, code="PT")


def json_of(answer):
    """The JSON a command printed; its traceback when it crashed instead."""
    if answer.exception is not None and not isinstance(answer.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(answer.exception)))
    assert answer.exit_code in (0, 1), answer.output
    return json.loads(answer.output)


def read_sheet(path, worksheet):
    """The worksheet's rows as values (openpyxl, read only)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in book[worksheet].iter_rows(values_only=True)]
    finally:
        book.close()


def table_of(path, worksheet, header_row):
    """``{excel row: {header: value}}`` of a sheet's data rows as they are on disk."""
    rows = read_sheet(path, worksheet)
    headers = [unicodedata.normalize("NFC", str(h)).strip() if h is not None else None for h in rows[header_row - 1]]
    found = {}
    for number, row in enumerate(rows[header_row:], start=header_row + 1):
        if sum(1 for v in row if v not in (None, "")) >= 2:
            found[number] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h}
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


HEADERS = ["STT", "Năm", "Họ và tên", "Năm sinh", "Giới tính", "Học hàm", "Học vị", "Chức vụ", "Đơn vị công tác",
           "Lĩnh vực", "Đơn vị đề cử", "Hình thức tôn vinh", "Thành tích"]


def nominations_sheet(path, rows, *, extra=(), worksheet="Đề cử"):
    """A small nominations workbook: a title row, the header (``HEADERS`` + ``extra``),
    then ``rows`` (lists in that order)."""
    return make_workbook(path, {worksheet: [["DANH SÁCH ĐỀ CỬ"], [*HEADERS, *extra], *rows]})
