"""The request budget of a Google service account, shared by every sync in every process.

Google counts requests per minute per user (the service account) and answers 429 once
over; phoihop waits for a token instead. Each account has two buckets — reads (GET) and
writes (everything else) — of ``SHEETS_READS_PER_MINUTE`` / ``SHEETS_WRITES_PER_MINUTE``
tokens (60 each by default; 0 turns a budget off). A request takes one token; a token
is back in its bucket a minute after it was taken, so no 60 seconds ever hold more
requests than the bucket has tokens, whatever the number of bindings, plugins and
processes spending them.

The buckets are rows of the database (:class:`sheets.models.QuotaBucket`), so every
process shares them. A take is one short transaction that holds the row alone: SQLite's
``BEGIN IMMEDIATE`` (the write lock first, so two processes never both read the same
tokens) or PostgreSQL's ``SELECT … FOR UPDATE``. When the bucket is empty nothing is
held while waiting: the caller sleeps until the oldest token comes back and tries again.

The clock and the sleep are injectable: tests run a minute of budget in no time.
"""
from __future__ import annotations

import time
from typing import Callable

import peewee

from core.db import database
from sheets.models import QuotaBucket

WINDOW = 60.0  # seconds a taken token stays out of its bucket
KINDS = ("read", "write")


class QuotaBudget:
    """Requests per minute for each account: ``take(account, kind)`` waits for a token."""

    def __init__(self, reads: int = 60, writes: int = 60, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.limits = {"read": int(reads), "write": int(writes)}
        self.clock, self.sleep = clock, sleep

    @classmethod
    def from_config(cls, config) -> QuotaBudget:
        """The budget the settings give (``SHEETS_READS_PER_MINUTE``, ``SHEETS_WRITES_PER_MINUTE``)."""
        return cls(reads=int(config.get("SHEETS_READS_PER_MINUTE", 60)),
                   writes=int(config.get("SHEETS_WRITES_PER_MINUTE", 60)))

    def take(self, account: str, kind: str) -> float:
        """Take one token of ``account``'s ``kind`` bucket, waiting for one when it is
        empty; return the seconds waited."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        waited = 0.0
        while True:
            wait = self.try_take(account, kind)
            if wait <= 0:
                return waited
            self.sleep(wait)
            waited += wait

    def try_take(self, account: str, kind: str) -> float:
        """Take a token if there is one and return 0; else take nothing and return the
        seconds until the oldest token comes back."""
        limit = self.limits[kind]
        if limit <= 0:
            return 0.0
        name = f"{account}:{kind}"[:255]
        with _exclusive():
            QuotaBucket.insert(name=name, taken=[]).on_conflict_ignore().execute()
            query = QuotaBucket.select(QuotaBucket.taken).where(QuotaBucket.name == name)
            if not isinstance(database.obj, peewee.SqliteDatabase):
                query = query.for_update()
            taken = query.scalar()
            taken = QuotaBucket.taken.python_value(taken) if isinstance(taken, str) else (taken or [])
            moment = self.clock()
            live = sorted(t for t in taken if t > moment - WINDOW)
            if len(live) >= limit:
                return max(live[len(live) - limit] + WINDOW - moment, 1e-3)
            live.append(moment)
            QuotaBucket.update(taken=live).where(QuotaBucket.name == name).execute()
            return 0.0


def _exclusive():
    """A transaction that takes the write lock at once on SQLite (inside an open
    transaction: a savepoint of it); PostgreSQL locks the row with FOR UPDATE."""
    if isinstance(database.obj, peewee.SqliteDatabase) and not database.in_transaction():
        return database.atomic("IMMEDIATE")
    return database.atomic()


def app_budget() -> QuotaBudget | None:
    """The budget of the current app's settings; ``None`` outside an app (no database)."""
    from flask import current_app, has_app_context

    return QuotaBudget.from_config(current_app.config) if has_app_context() else None
