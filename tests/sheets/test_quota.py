"""The shared request budget (sheets/quota.py): buckets in the database, on SQLite and PostgreSQL."""
import threading

import pytest

from sheets.gsheets import GoogleSheetsBackend
from sheets.models import Binding
from sheets.quota import WINDOW, QuotaBudget
from sheets.sync import sync
from tests.sheets.conftest import SAMPLE_ROWS, WORKSHEET, office_grid
from tests.sheets.entries_plugin import MAPPING


class Clock:
    """A clock that only moves when someone sleeps: a minute of budget costs no time."""

    def __init__(self):
        self.now = 1_800_000_000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


def busiest_minute(times):
    """The most requests any 60 seconds hold."""
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + WINDOW) for i, start in enumerate(times)), default=0)


def serial(cell):
    import datetime

    return (cell - datetime.date(1899, 12, 30)).days if isinstance(cell, datetime.date) else cell


def test_fifty_bindings_never_spend_more_than_the_budget_in_any_minute(sync_app, unit, sync_pm, fake_sheets, clock):
    fake_sheets.clock = clock
    budget = QuotaBudget(reads=10, writes=4, clock=clock, sleep=clock.sleep)
    grid = [[serial(cell) for cell in row] for row in office_grid(SAMPLE_ROWS)]
    bindings = []
    for n in range(50):
        fake_sheets.add_spreadsheet(f"Book{n}", {WORKSHEET: grid})
        bindings.append(Binding.create(name="test.entries", source=f"gsheet:Book{n}", worksheet=WORKSHEET, unit=unit))
    results = [sync(b, MAPPING, GoogleSheetsBackend.from_environment(b.source[7:], budget=budget), pm=sync_pm)
               for b in bindings]
    assert [r.outcome for r in results] == ["ok"] * 50
    reads = [c["at"] for c in fake_sheets.calls if c["method"] == "GET"]
    writes = [c["at"] for c in fake_sheets.calls if c["method"] != "GET"]
    assert len(writes) == 50 and len(reads) >= 100
    assert busiest_minute(reads) == 10
    assert busiest_minute(writes) == 4


def test_a_second_process_finds_the_tokens_the_first_one_took(sync_app, clock):
    first = QuotaBudget(reads=3, writes=3, clock=clock, sleep=clock.sleep)
    other = QuotaBudget(reads=3, writes=3, clock=clock, sleep=clock.sleep)  # its own object: only the database is shared
    for _ in range(3):
        assert first.try_take("emulator", "read") == 0
    assert other.try_take("emulator", "read") == pytest.approx(WINDOW)


def test_an_empty_bucket_waits_until_its_oldest_token_comes_back(sync_app, clock):
    budget = QuotaBudget(reads=2, writes=2, clock=clock, sleep=clock.sleep)
    budget.take("emulator", "write")
    clock.now += 20
    budget.take("emulator", "write")
    assert budget.take("emulator", "write") == pytest.approx(40)
    assert clock.slept == [pytest.approx(40)]


def test_reads_and_writes_have_their_own_buckets(sync_app, clock):
    budget = QuotaBudget(reads=1, writes=1, clock=clock, sleep=clock.sleep)
    assert budget.try_take("emulator", "read") == 0
    assert budget.try_take("emulator", "write") == 0
    assert budget.try_take("emulator", "read") > 0


def test_each_service_account_has_its_own_bucket(sync_app, clock):
    budget = QuotaBudget(reads=1, writes=1, clock=clock, sleep=clock.sleep)
    assert budget.try_take("a@lhh.iam.gserviceaccount.com", "read") == 0
    assert budget.try_take("b@lhh.iam.gserviceaccount.com", "read") == 0


def test_a_budget_of_zero_never_waits(sync_app, clock):
    budget = QuotaBudget(reads=0, writes=0, clock=clock, sleep=clock.sleep)
    assert [budget.try_take("emulator", "read") for _ in range(500)] == [0] * 500


def test_concurrent_takers_never_get_more_tokens_than_the_bucket_holds(sync_app, clock):
    budget = QuotaBudget(reads=20, writes=20, clock=clock, sleep=clock.sleep)
    got = []

    def worker():
        with sync_app.app_context():
            from core.db import database

            try:
                got.extend(budget.try_take("emulator", "read") == 0 for _ in range(10))
            finally:
                database.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (got.count(True), got.count(False)) == (20, 20)


def test_syncs_spend_the_budget_the_settings_give(sync_app, unit, fake_sheets, run_sync):
    from sheets.models import QuotaBucket

    sync_app.config.update(SHEETS_READS_PER_MINUTE=100, SHEETS_WRITES_PER_MINUTE=100)
    fake_sheets.add_spreadsheet("BookS", {WORKSHEET: [[serial(c) for c in row] for row in office_grid(SAMPLE_ROWS)]})
    binding = Binding.create(name="test.entries", source="gsheet:BookS", worksheet=WORKSHEET, unit=unit)
    result = run_sync(binding)
    spent = {b.name: len(b.taken) for b in QuotaBucket.select()}
    assert spent == {"emulator:read": result.requests["reads"], "emulator:write": result.requests["writes"]}


TAKER = """
import sys
from core import create_app
from core.plugins import get_plugin_manager
from sheets.quota import QuotaBudget

app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x"},
                 plugin_manager=get_plugin_manager(builtins=("sheets.plugin",), entry_points=False))
moment = float(sys.argv[2])
with app.app_context():
    budget = QuotaBudget(reads=5, writes=5, clock=lambda: moment, sleep=lambda s: None)
    print(sum(budget.try_take("emulator", "read") == 0 for _ in range(5)))
"""


def test_another_process_gets_only_the_tokens_left(sync_app, db_url, clock):
    import subprocess
    import sys

    from core.db import database

    budget = QuotaBudget(reads=5, writes=5, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.take("emulator", "read")
    database.close()  # nothing of this process holds the database while the other works
    other = subprocess.run([sys.executable, "-c", TAKER, db_url, repr(clock.now + 1)], capture_output=True, text=True,
                           timeout=120, check=True)
    assert other.stdout.strip() == "2"
    assert budget.try_take("emulator", "read") > 0
