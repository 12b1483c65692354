"""The dashboard's reviews, kept while nothing they count has changed.

A review over 400,000 records costs every section's aggregate queries (seconds on SQLite);
the dashboard asks for the same one on every visit. A kept review is used again while

- the audit trail has no new entry: every change made through the admin, a sync or the
  CLI writes one (:class:`core.models.AuditLog`), so its last id is a version the database
  holds, shared by every process, read in one indexed query;
- today is the same day (rules read today: overdue, expired, windows);
- it is younger than ``DASHBOARD_CACHE_SECONDS``, which bounds how stale a figure can be
  when something reached the database without the audit trail (a script, a restore).

Reviews are keyed by the units in scope and the period; one cache per application, in
its process, holding the ``size`` most recently used.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable

from peewee import fn


def database_version(today: dt.date) -> tuple:
    """What a review depends on besides its units and period: today and the last audit entry."""
    from core.models import AuditLog

    return today.isoformat(), AuditLog.select(fn.MAX(AuditLog.id)).scalar()


class ReportCache:
    """``get(key, version, compute)``: the value kept for ``key`` when it was computed at
    ``version`` less than ``seconds`` ago, else ``compute()`` (kept for next time)."""

    def __init__(self, seconds: float, size: int = 32, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.size, self.clock = seconds, size, clock
        self.entries: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], Any]) -> Any:
        if self.seconds <= 0:
            return compute()
        now = self.clock()
        with self.lock:
            kept = self.entries.get(key)
            if kept is not None and kept[1] == version and now - kept[0] < self.seconds:
                self.entries.move_to_end(key)
                self.hits += 1
                return kept[2]
            self.misses += 1
        value = compute()
        with self.lock:
            self.entries[key] = (now, version, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value
