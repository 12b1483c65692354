"""Skipping a binding whose sheet and database did not change (sheets/revision.py), on the
Sheets API emulator and on real .xlsx files; database side on SQLite and PostgreSQL."""
import json

import pytest
import requests

from sheets.gsheets import GoogleSheetsBackend
from sheets.models import Binding
from sheets.sync import sync
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, column, office_grid
from tests.sheets.entries_plugin import Entry, MAPPING
from tests.sheets.test_sync import edit

KEY = "1RevisionBook"
BAD_DATE_ROWS = [*SAMPLE_ROWS, ["Máy sấy", "31/02/2021", "5 triệu", "Cơ khí", "Lê F", "chị Hà", "70", None]]


def serial(cell):
    import datetime

    return (cell - datetime.date(1899, 12, 30)).days if isinstance(cell, datetime.date) else cell


@pytest.fixture
def google(fake_sheets, unit):
    def link(rows=SAMPLE_ROWS):
        fake_sheets.add_spreadsheet(KEY, {WORKSHEET: [[serial(c) for c in row] for row in office_grid(rows)]})
        return Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)

    return link


def run(binding, sync_pm, **options):
    return sync(binding, MAPPING, GoogleSheetsBackend.from_environment(KEY, sleep=lambda s: None), pm=sync_pm, **options)


def settle(binding, sync_pm, fake_sheets):
    """Sync until a run finds nothing to do (the first writes Mã; the second agrees)."""
    assert run(binding, sync_pm).outcome == "ok"
    assert run(binding, sync_pm).outcome == "ok"
    fake_sheets.reset_log()


def type_into(fake_sheets, cell, value):
    """An office user's edit, through the API as the Sheets web page makes it."""
    url = f"{fake_sheets.url}/v4/spreadsheets/{KEY}/values/'{WORKSHEET}'!{cell}"
    answer = requests.put(url, params={"valueInputOption": "USER_ENTERED"}, json={"values": [[value]]}, timeout=10)
    answer.raise_for_status()


def test_an_unchanged_spreadsheet_costs_exactly_one_request(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    result = run(binding, sync_pm)
    assert (result.outcome, result.exit_code) == ("unchanged", 0)
    assert result.requests == {"reads": 1, "writes": 0}
    assert fake_sheets.requests == [("GET", f"/drive/v3/files/{KEY}")]


def test_a_change_typed_into_the_spreadsheet_is_picked_up(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    type_into(fake_sheets, "D6", "70 triệu")  # Kinh phí of "Máy gieo hạt"
    result = run(binding, sync_pm)
    assert (result.outcome, result.updated) == ("ok", 1)
    assert Entry.get(Entry.title == "Máy gieo hạt").amount == 70_000_000


def test_a_change_in_the_database_reaches_an_unchanged_spreadsheet(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    Entry.update(amount=1_000_000).where(Entry.title == "Máy tách hạt").execute()
    result = run(binding, sync_pm)
    assert (result.outcome, result.pushed) == ("ok", 1)
    assert column(fake_sheets.grid(KEY, WORKSHEET), "Kinh phí")[2] == "1.000.000"


def test_force_syncs_an_unchanged_spreadsheet(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    result = run(binding, sync_pm, force=True)
    assert (result.outcome, result.unchanged) == ("ok", 3)
    assert result.requests == {"reads": 3, "writes": 0}


def test_a_sync_that_wrote_is_followed_by_a_full_read(google, sync_pm, fake_sheets):
    binding = google()
    first = run(binding, sync_pm)
    assert first.created == 3 and Binding.get_by_id(binding.id).revision is None
    assert run(binding, sync_pm).requests == {"reads": 3, "writes": 0}


def test_rows_in_error_are_read_at_every_sync(google, sync_pm, fake_sheets):
    binding = google(BAD_DATE_ROWS)
    for _ in range(3):
        result = run(binding, sync_pm)
        assert result.outcome == "errors" and result.errors[0]["value"] == "31/02/2021"


def test_a_spreadsheet_drive_will_not_describe_is_read_every_time(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    fake_sheets.fail_next(403, count=5, when=lambda method, path: path.startswith("/drive/"))
    result = run(binding, sync_pm)
    assert (result.outcome, result.unchanged) == ("ok", 3)
    assert result.requests == {"reads": 3, "writes": 0}  # the refused revision, then the read
    assert Binding.get_by_id(binding.id).revision is None


def test_a_dry_run_neither_skips_nor_remembers(google, sync_pm, fake_sheets):
    binding = google()
    settle(binding, sync_pm, fake_sheets)
    stored = Binding.get_by_id(binding.id).revision
    result = run(binding, sync_pm, dry_run=True)
    assert (result.outcome, result.requests) == ("ok", {"reads": 2, "writes": 0})
    assert Binding.get_by_id(binding.id).revision == stored


def test_an_unchanged_workbook_is_skipped_without_being_opened(binding, run_sync):
    run_sync(binding)
    run_sync(binding)
    result = run_sync(binding)
    assert (result.outcome, result.requests) == ("unchanged", {"reads": 0, "writes": 0})


def test_a_saved_workbook_is_read_again(binding, run_sync):
    run_sync(binding)
    run_sync(binding)
    edit(binding.source, {(6, 2): "Máy gieo hạt cải tiến"})
    result = run_sync(binding)
    assert (result.outcome, result.updated) == ("ok", 1)


def test_cli_sync_force_reads_an_unchanged_workbook(binding, sync_pm, db_url, run_sync):
    from click.testing import CliRunner

    from cli import build_cli

    run_sync(binding)
    run_sync(binding)
    skipped = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync", "--json"])
    forced = CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, "sync", "--json", "--force"])
    assert skipped.exit_code == forced.exit_code == 0, skipped.output + forced.output
    assert json.loads(skipped.output)["bindings"][0]["outcome"] == "unchanged"
    assert json.loads(forced.output)["bindings"][0]["unchanged"] == 3



def test_a_changed_mapping_reads_an_unchanged_workbook_again(binding, run_sync, sync_pm):
    import dataclasses

    run_sync(binding)
    run_sync(binding)
    upgraded = dataclasses.replace(MAPPING, columns=MAPPING.columns[:-1])  # a plugin release dropped a column
    assert sync(binding, upgraded, pm=sync_pm).outcome == "ok"
    assert sync(binding, upgraded, pm=sync_pm).outcome == "unchanged"
