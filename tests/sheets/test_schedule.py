"""Scheduled syncs (sheets/schedule.py): office hours, which links are due at a fixed
clock, `phoihop sync --due`, and the one background worker of `phoihop serve`."""
import datetime as dt
import json

import pytest

from core.errors import ConfigError
from sheets.schedule import OfficeHours, is_due, office_hours, parse_days, parse_hours
from tests.sheets.conftest import WORKSHEET
from tests.sheets.entries_plugin import Entry

CONFIG = {"SYNC_OFFICE_DAYS": "1-5", "SYNC_OFFICE_HOURS": "07:30-17:00", "TIMEZONE": "Asia/Ho_Chi_Minh"}
# Monday 30 November 2026, 09:00 in Hà Nội (UTC+7) = 02:00 UTC; times are stored naive UTC
MONDAY_9AM = dt.datetime(2026, 11, 30, 2, 0)
HOURS = office_hours(CONFIG)


# -- office hours (pure) ----------------------------------------------------------------
def test_days_read_ranges_and_lists():
    assert parse_days("1-5") == {1, 2, 3, 4, 5} and parse_days("1-3, 6") == {1, 2, 3, 6}


@pytest.mark.parametrize("text", ["0-5", "5-1", "thứ hai", ""])
def test_bad_days_are_a_config_error(text):
    with pytest.raises(ConfigError, match="SYNC_OFFICE_DAYS"):
        parse_days(text)


def test_hours_read_a_window_and_24_00_is_the_end_of_the_day():
    assert parse_hours("07:30-17:00") == (dt.time(7, 30), dt.time(17, 0))
    assert parse_hours("00:00-24:00")[1] == dt.time.max


@pytest.mark.parametrize("text", ["17:00-07:30", "7h-17h", "07:30-25:00", "07:60-17:00"])
def test_bad_hours_are_a_config_error(text):
    with pytest.raises(ConfigError, match="SYNC_OFFICE_HOURS"):
        parse_hours(text)


def test_office_time_is_read_in_the_offices_time_zone():
    assert HOURS.contains(MONDAY_9AM)
    assert not HOURS.contains(MONDAY_9AM - dt.timedelta(hours=2))  # 07:00 in Hà Nội
    assert not HOURS.contains(MONDAY_9AM + dt.timedelta(hours=8))  # 17:00 in Hà Nội: the end is open


def test_the_weekend_is_not_office_time():
    assert not HOURS.contains(MONDAY_9AM - dt.timedelta(days=1))


@pytest.mark.parametrize("minutes, last, due", [
    (None, None, False),  # off
    (0, None, False),  # off
    (15, None, True),  # never ran
    (15, MONDAY_9AM - dt.timedelta(minutes=15), True),
    (15, MONDAY_9AM - dt.timedelta(minutes=14, seconds=59), False),
    (60, MONDAY_9AM - dt.timedelta(minutes=30), False),
])
def test_a_link_is_due_when_its_interval_has_passed(minutes, last, due):
    assert is_due(minutes, last, MONDAY_9AM, HOURS) is due


def test_a_link_is_never_due_out_of_office_hours():
    hours = OfficeHours(frozenset({1}), dt.time(8), dt.time(9), HOURS.zone)
    assert not is_due(15, None, MONDAY_9AM, hours)  # 09:00 is past the window


def test_a_google_link_is_off_by_default_until_credentials_exist():
    from sheets.schedule import default_minutes

    config = {"SYNC_DEFAULT_MINUTES": 15}
    assert default_minutes("gsheet:KEY", config, environ={}) is None
    assert default_minutes("gsheet:KEY", config, environ={"PHOIHOP_GOOGLE_CREDENTIALS": "/etc/key.json"}) == 15
    assert default_minutes("/srv/lhh/hoi-thi.xlsx", config, environ={}) == 15


# -- which links are due, against the database --------------------------------------------
@pytest.fixture
def link(unit, workbook):
    from sheets.models import Binding

    def make(name="giai-phap.xlsx", minutes=15):
        return Binding.create(name="test.entries", source=str(workbook(name=name)), worksheet=WORKSHEET, unit=unit,
                              schedule_minutes=minutes)

    return make


def ran(binding, at, dry_run=False):
    from sheets.models import SyncLog

    SyncLog.create(binding=binding, unit=binding.unit_id, started_at=at, finished_at=at, direction="both",
                   dry_run=dry_run, outcome="ok")


def due_ids(at=MONDAY_9AM, config=CONFIG, names=None):
    from sheets.schedule import due_bindings

    return [b.id for b in due_bindings(at, config, names)]


def test_a_scheduled_link_that_never_ran_is_due(link):
    first = link()
    assert due_ids() == [first.id]


def test_a_link_without_a_schedule_is_not_due(link):
    link(minutes=None)
    assert due_ids() == []


def test_a_link_that_ran_within_its_interval_is_not_due(link):
    first, second = link("a.xlsx"), link("b.xlsx")
    ran(first, MONDAY_9AM - dt.timedelta(minutes=5))
    ran(second, MONDAY_9AM - dt.timedelta(minutes=20))
    assert due_ids() == [second.id]


def test_the_last_run_counts_whatever_its_outcome_but_a_dry_run_does_not(link):
    first = link()
    ran(first, MONDAY_9AM - dt.timedelta(minutes=5), dry_run=True)
    assert due_ids() == [first.id]


def test_nothing_is_due_out_of_office_hours(link):
    link()
    assert due_ids(at=MONDAY_9AM - dt.timedelta(days=1)) == []


def test_links_of_an_undeclared_binding_are_left_out(link):
    link()
    assert due_ids(names={"training.activities"}) == []


def test_due_selection_is_two_queries_whatever_the_number_of_links(link):
    from playhouse.test_utils import count_queries

    for number in range(6):
        ran(link(f"{number}.xlsx"), MONDAY_9AM - dt.timedelta(minutes=number * 5))
    with count_queries() as counted:
        found = due_ids()
    assert len(found) == 3 and counted.count == 2


def test_run_due_syncs_the_due_links_through_the_sync_entry_point(link, sync_pm):
    from sheets.models import SyncLog
    from sheets.schedule import run_due
    from tests.sheets.entries_plugin import MAPPING

    due, recent = link("a.xlsx"), link("b.xlsx")
    ran(recent, MONDAY_9AM - dt.timedelta(minutes=1))
    results = run_due(sync_pm, {"test.entries": MAPPING}, CONFIG, moment=MONDAY_9AM)
    assert [(r.source, r.outcome, r.created) for r in results] == [(due.source, "ok", 3)]
    assert SyncLog.select().where(SyncLog.binding == due.id).count() == 1


# -- the CLI --------------------------------------------------------------------------------
@pytest.fixture
def cli(sync_app, sync_pm, db_url, monkeypatch):
    from click.testing import CliRunner

    from cli import build_cli

    def invoke(*args, hours="00:00-24:00", days="1-7"):
        monkeypatch.setenv("PHOIHOP_SYNC_OFFICE_HOURS", hours)
        monkeypatch.setenv("PHOIHOP_SYNC_OFFICE_DAYS", days)
        return CliRunner().invoke(build_cli(sync_pm), ["--db", db_url, *args])

    return invoke


def test_sync_due_runs_only_the_due_links(cli, link):
    due, off = link("a.xlsx"), link("b.xlsx", minutes=None)
    answer = cli("sync", "--due", "--json")
    assert answer.exit_code == 0, answer.output
    assert [b["source"] for b in json.loads(answer.output)["bindings"]] == [due.source]
    assert Entry.select().count() == 3


def test_sync_due_with_nothing_due_is_quiet_and_succeeds(cli, link):
    from core.models import now

    ran(link(), now())
    answer = cli("sync", "--due")
    assert (answer.exit_code, answer.output) == (0, "")
    assert Entry.select().count() == 0


def test_sheets_link_sets_the_default_schedule(cli, unit, workbook):
    from sheets.models import Binding

    answer = cli("sheets", "link", "test.entries", str(workbook()), "--unit", unit.name)
    assert answer.exit_code == 0, answer.output
    assert "mỗi 15 phút trong giờ làm việc" in answer.output
    assert Binding.get().schedule_minutes == 15


def test_sheets_link_every_0_turns_the_schedule_off(cli, unit, workbook):
    from sheets.models import Binding

    answer = cli("sheets", "link", "test.entries", str(workbook()), "--unit", unit.name, "--every", "0")
    assert answer.exit_code == 0, answer.output
    assert Binding.get().schedule_minutes is None


def test_sheets_list_shows_each_links_schedule(cli, link):
    link("a.xlsx", minutes=30)
    link("b.xlsx", minutes=None)
    listed = cli("sheets", "list", "--json")
    assert [row["schedule_minutes"] for row in json.loads(listed.output)["links"]] == [30, None]
    assert "mỗi 30 phút" in cli("sheets", "list").output


# -- the background worker ------------------------------------------------------------------
def test_create_app_starts_no_worker(sync_app):
    import threading

    assert not [t for t in threading.enumerate() if t.name == "phoihop-sync-worker"]
    assert sync_app.extensions["phoihop_background"]  # registered for serve, not started


def test_serve_runs_one_sync_worker_while_it_serves(sync_app):
    from cli import background

    sync_app.config["SYNC_WORKER_SECONDS"] = 3600
    with background(sync_app) as started:
        assert [t.name for t in started] == ["phoihop-sync-worker"] and started[0].is_alive()
    assert not started[0].is_alive()


def test_serve_starts_no_worker_when_the_setting_is_off(sync_app):
    from cli import start_background

    sync_app.config["SYNC_WORKER"] = False
    assert start_background(sync_app) == []


def test_the_worker_syncs_a_due_link_in_its_thread(sync_app, link):
    from sheets.models import SyncLog
    from sheets.schedule import start_worker

    first = link()
    sync_app.config.update(SYNC_OFFICE_HOURS="00:00-24:00", SYNC_OFFICE_DAYS="1-7", SYNC_WORKER_SECONDS=3600)
    worker = start_worker(sync_app)
    try:
        deadline = dt.datetime.now() + dt.timedelta(seconds=60)
        while worker.rounds == 0 and dt.datetime.now() < deadline:
            worker.stopped.wait(0.05)
    finally:
        worker.stop(timeout=30)
    assert not worker.is_alive()
    assert SyncLog.select().where(SyncLog.binding == first.id).count() == 1
    assert Entry.select().count() == 3
