"""Scheduled syncs: which links are due, running them, and the one background worker.

A link's ``schedule_minutes`` (empty or 0: off) says how often it syncs during office
hours (settings ``SYNC_OFFICE_DAYS``, ``SYNC_OFFICE_HOURS``, in ``TIMEZONE``). A link is
due when it is scheduled, it is office time, and its last run (any outcome; dry runs
aside) started at least that many minutes ago, or it never ran. ``phoihop sync --due``
runs the due links once (cron, a systemd timer); ``phoihop serve`` runs them from one
thread (:class:`SyncWorker`). Both go through :func:`sheets.sync.sync`, the entry point
every sync takes.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee

from core.errors import ConfigError
from core.models import now

log = logging.getLogger(__name__)
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """Days (ISO weekdays, 1 = Monday) and a time window [start, end) in a time zone."""

    days: frozenset
    start: dt.time
    end: dt.time  # 24:00 is kept as time.max
    zone: ZoneInfo

    def contains(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` (naive UTC, as stored) falls within office hours."""
        local = moment.replace(tzinfo=dt.timezone.utc).astimezone(self.zone)
        return local.isoweekday() in self.days and self.start <= local.time() < self.end


def parse_days(text) -> frozenset:
    """``"1-5"``, ``"1-6"``, ``"1,3,5"`` or ``"1-5,7"`` → ISO weekdays."""
    days = set()
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ConfigError(f'SYNC_OFFICE_DAYS "{text}" không hợp lệ: ghi thứ trong tuần dạng 1-5 (1 là thứ Hai).')
        if not 1 <= low <= high <= 7:
            raise ConfigError(f'SYNC_OFFICE_DAYS "{text}" không hợp lệ: các ngày từ 1 (thứ Hai) đến 7 (Chủ nhật).')
        days.update(range(low, high + 1))
    if not days:
        raise ConfigError("SYNC_OFFICE_DAYS trống: ghi các ngày làm việc, ví dụ 1-5.")
    return frozenset(days)


def parse_hours(text) -> tuple[dt.time, dt.time]:
    """``"07:30-17:00"`` → (07:30, 17:00); ``"00:00-24:00"`` is the whole day."""
    found = _HOURS.match(str(text))
    problem = f'SYNC_OFFICE_HOURS "{text}" không hợp lệ: ghi dạng 07:30-17:00.'
    if not found:
        raise ConfigError(problem)
    h1, m1, h2, m2 = (int(x) for x in found.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ConfigError(problem)
    start, end = dt.time(h1, m1), dt.time.max if h2 == 24 else dt.time(h2, m2)
    if end <= start:
        raise ConfigError(problem)
    return start, end


def office_hours(config) -> OfficeHours:
    start, end = parse_hours(config.get("SYNC_OFFICE_HOURS", "07:30-17:00"))
    return OfficeHours(parse_days(config.get("SYNC_OFFICE_DAYS", "1-5")), start, end,
                       ZoneInfo(config.get("TIMEZONE") or "Asia/Ho_Chi_Minh"))


def is_due(minutes, last_run, moment, hours: OfficeHours) -> bool:
    """Whether a link synced every ``minutes`` (``None``/0: off), last run at ``last_run``
    (``None``: never), is due at ``moment``. Times are naive UTC."""
    if not minutes or minutes <= 0 or not hours.contains(moment):
        return False
    return last_run is None or moment - last_run >= dt.timedelta(minutes=minutes)


def google_ready(environ=None) -> bool:
    """Whether Google Sheets can be reached at all: credentials (or the emulator) are set."""
    import os

    from sheets.gsheets import CREDENTIALS_ENV, EMULATOR_ENV

    environ = os.environ if environ is None else environ
    return bool(environ.get(CREDENTIALS_ENV, "").strip() or environ.get(EMULATOR_ENV, "").strip())


def default_minutes(source, config, environ=None):
    """A new link's schedule: the default interval, but off for a Google link until
    credentials exist (every run would only fail)."""
    minutes = int(config.get("SYNC_DEFAULT_MINUTES") or 0) or None
    if source.startswith("gsheet:") and not google_ready(environ):
        return None
    return minutes


def last_runs(binding_ids=None) -> dict:
    """binding id → when its last run (dry runs aside) started: one query."""
    from sheets.models import SyncLog

    query = (SyncLog.select(SyncLog.binding, peewee.fn.MAX(SyncLog.started_at).alias("last"))
             .where(SyncLog.dry_run == False)  # noqa: E712 - peewee builds SQL from ==
             .group_by(SyncLog.binding))
    if binding_ids is not None:
        query = query.where(SyncLog.binding.in_(list(binding_ids)))
    return {row["binding"]: row["last"] for row in query.dicts()}


def due_bindings(moment, config, names=None) -> list:
    """The scheduled links due at ``moment`` (naive UTC) whose binding a plugin declares,
    in id order: two queries, whatever the number of links."""
    from sheets.models import Binding

    hours = office_hours(config)
    if not hours.contains(moment):
        return []
    scheduled = list(Binding.select().where(Binding.schedule_minutes > 0).order_by(Binding.id))
    if names is not None:
        scheduled = [b for b in scheduled if b.name in names]
    last = last_runs([b.id for b in scheduled]) if scheduled else {}
    return [b for b in scheduled if is_due(b.schedule_minutes, last.get(b.id), moment, hours)]


def run_due(pm, mappings, config, moment=None, actor="lịch"):
    """Sync every due link once, one after another; returns their results. A link busy
    with another sync is skipped (its ``failed`` result says so and logs nothing)."""
    from sheets.sync import sync

    results = []
    for binding in due_bindings(moment or now(), config, names=set(mappings)):
        results.append(sync(binding, mappings[binding.name], pm=pm, actor=actor))
    return results


class SyncWorker(threading.Thread):
    """The one background thread of ``phoihop serve`` that runs the due syncs.

    Every ``SYNC_WORKER_SECONDS`` it runs :func:`run_due` inside an app context; an
    unexpected error is logged and the next round goes on. :meth:`stop` ends it.
    """

    def __init__(self, app):
        super().__init__(name="phoihop-sync-worker", daemon=True)
        self.app = app
        self.seconds = max(1.0, float(app.config.get("SYNC_WORKER_SECONDS") or 60))
        self.stopped = threading.Event()
        self.rounds = 0

    def run(self):
        while not self.stopped.is_set():
            self.round()
            self.stopped.wait(self.seconds)

    def round(self):
        try:
            with self.app.app_context():  # its teardown closes this thread's connection
                results = run_due(self.app.extensions["phoihop_pm"], self.app.extensions["phoihop_bindings"],
                                  self.app.config)
            for result in results:
                log.info("scheduled sync %s [%s]: %s", result.binding, result.worksheet, result.outcome)
        except Exception:  # noqa: BLE001 - the worker outlives one bad round; the log says why
            log.exception("scheduled sync round failed")
        self.rounds += 1

    def stop(self, timeout=None):
        self.stopped.set()
        self.join(timeout)


def start_worker(app):
    """Start the background worker for ``app`` unless ``SYNC_WORKER`` is off; returns it
    (or ``None``). Called by ``phoihop serve``, never at import or in ``create_app``."""
    if not app.config.get("SYNC_WORKER", True):
        return None
    office_hours(app.config)  # a wrong setting fails serve at once, not silently in the thread
    worker = SyncWorker(app)
    worker.start()
    return worker
