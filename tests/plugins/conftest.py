"""What the plugins' tests share: the app context, the CLI, the samples' unit and
reference date, and the helpers that build, link, sync and read office-like workbooks.
Each plugin's conftest adds its own plugin manager (:func:`plugin_manager`), samples
and helpers."""
import json
import traceback

import pytest

UNIT = "Liên hiệp hội tỉnh Bắc Giang"
SAMPLE_TODAY = "2023-12-31"  # the samples' README gives the flags as of 31/12/2023


def plugin_manager(plugin):
    """The built-ins and ``plugin`` (named even if the built-in list lacks it)."""
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=tuple(dict.fromkeys((*DEFAULT_PLUGINS, plugin))), entry_points=False)


@pytest.fixture
def today(monkeypatch):
    """``PHOIHOP_TODAY`` set to the samples' reference date."""
    monkeypatch.setenv("PHOIHOP_TODAY", SAMPLE_TODAY)
    return SAMPLE_TODAY


@pytest.fixture
def ctx(app):
    """An application context for the whole test (database access outside requests)."""
    with app.app_context():
        yield app


@pytest.fixture
def cli(runner, app):
    """``cli("contests", "editions", "list")`` → click's result, against the test
    database (its tables made by ``app``)."""
    return runner


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
