"""Locks for syncs, as rows of ``sync_run_lock`` — on SQLite and PostgreSQL alike.

Two syncs of one binding never run at once (``binding:<id>``), and two writers of one
file or spreadsheet never overlap (``source:<source>``: two tabs of one workbook are two
bindings but one file). Taking a lock is an INSERT in its own short transaction; the
primary key makes a second INSERT fail.

A lock names its holder (host, process id, thread) and beats a heart every
:data:`HEARTBEAT` seconds while it is held (a background thread with its own database
connection). A lock whose process is gone (same host, no such process) or whose heart
stopped more than :data:`STALE_AFTER` ago is taken over at once, and the taker is told
(:attr:`Held.notice`), so that a ``kill -9`` never blocks the next run.
"""
from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import peewee

from core.db import database
from core.models import now
from sheets.models import RunLock
from sheets.xlsx_write import process_alive  # noqa: F401 - part of this module's interface

log = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(seconds=60)
HEARTBEAT = 15.0  # seconds between heartbeats; well under STALE_AFTER


class SyncBusy(Exception):
    """Another sync holds the lock; the message is for office users."""


@dataclass
class Held:
    """A lock this process holds; ``notice`` says whose stale lock it took over, if any."""

    name: str
    holder: str
    notice: str | None = None


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def stale_reason(lock: RunLock, moment: datetime.datetime) -> str | None:
    """Why ``lock`` may be taken over, or ``None`` while its holder looks alive."""
    if lock.host == socket.gethostname() and not process_alive(lock.pid):
        return f"tiến trình {lock.pid} trên máy {lock.host} không còn chạy"
    if lock.heartbeat_at < moment - STALE_AFTER:
        return f"không có tín hiệu từ {lock.holder} từ {lock.heartbeat_at:%H:%M:%S %d/%m/%Y} (UTC)"
    return None


def _try_insert(name: str, label: str, holder: str) -> bool:
    try:
        with database.atomic():
            moment = now()
            RunLock.insert(name=name, host=socket.gethostname(), pid=os.getpid(), holder=holder, label=label,
                           started_at=moment, heartbeat_at=moment).execute()
        return True
    except peewee.IntegrityError:
        return False
    except peewee.OperationalError as exc:  # SQLite "database is locked": busy, like a held lock
        log.info("lock %s: database busy (%s)", name, exc)
        return False


def _take_over(name: str) -> str | None:
    """Remove a stale lock (only if it is still the one we judged); say whose it was."""
    lock = RunLock.get_or_none(RunLock.name == name)
    if lock is None:
        return None
    reason = stale_reason(lock, now())
    if reason is None:
        return None
    removed = RunLock.delete().where(RunLock.name == name, RunLock.holder == lock.holder,
                                     RunLock.heartbeat_at == lock.heartbeat_at).execute()
    if not removed:
        return None
    notice = f"Đã gỡ khóa cũ của {lock.label} (bắt đầu {lock.started_at:%H:%M:%S %d/%m/%Y} UTC) vì {reason}."
    log.warning(notice)
    return notice


def busy_message(name: str, label: str) -> str:
    lock = RunLock.get_or_none(RunLock.name == name)
    since = f" từ {lock.started_at:%H:%M:%S %d/%m/%Y} (UTC, {lock.host}, tiến trình {lock.pid})" if lock else ""
    return f"{label} đang đồng bộ{since}; chạy lại sau khi lần kia xong, hoặc dùng --wait để chờ."


class _Heart(threading.Thread):
    """Beats the lock's heart until stopped; uses its own database connection."""

    def __init__(self, name: str, holder: str, every: float):
        super().__init__(name=f"phoihop-lock-{name}", daemon=True)
        self.lock_name, self.holder, self.every = name, holder, every
        self.stop = threading.Event()

    def run(self):
        try:
            while not self.stop.wait(self.every):
                try:
                    RunLock.update(heartbeat_at=now()).where(
                        RunLock.name == self.lock_name, RunLock.holder == self.holder).execute()
                except peewee.PeeweeException as exc:  # a busy database: try at the next beat
                    log.info("lock %s: heartbeat skipped (%s)", self.lock_name, exc)
        finally:
            if not database.is_closed():
                database.close()


@contextmanager
def run_lock(name: str, label: str, wait: bool = False, poll: float = 0.2, timeout: float = 3600,
             heartbeat: float = HEARTBEAT):
    """Hold the lock ``name`` for the ``with`` block; ``wait`` polls until it is free.

    Raises :class:`SyncBusy` (with ``label`` in the message) when it is held by a live
    holder and ``wait`` is false, or still held after ``timeout`` seconds.
    """
    holder = holder_name()
    deadline = time.monotonic() + timeout
    notice = None
    while not _try_insert(name, label, holder):
        notice = _take_over(name) or notice
        if notice is not None and _try_insert(name, label, holder):
            break
        if not wait or time.monotonic() > deadline:
            raise SyncBusy(busy_message(name, label)) from None
        time.sleep(poll)
    heart = _Heart(name, holder, heartbeat)
    heart.start()
    try:
        yield Held(name, holder, notice)
    finally:
        heart.stop.set()
        heart.join()
        RunLock.delete().where(RunLock.name == name, RunLock.holder == holder).execute()


def binding_lock(binding, wait=False, **options):
    """One sync per binding."""
    return run_lock(f"binding:{binding.id}", f"Liên kết {binding.name} [{binding.worksheet}]", wait=wait, **options)


def source_lock(source, wait=True, timeout=600, **options):
    """One writer per file or spreadsheet (two tabs of one workbook share it)."""
    return run_lock(f"source:{source}"[:255], f'Tệp "{source}"', wait=wait, timeout=timeout, **options)
