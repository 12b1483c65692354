"""One sync per binding at a time: a row in ``sync_lock``, on SQLite and PostgreSQL alike.

Taking the lock is an INSERT in its own transaction; the primary key makes a second
INSERT fail. A lock older than ``STALE_AFTER`` (a process that died) is taken over.
"""
import datetime
import os
import socket
import threading
import time
from contextlib import contextmanager

import peewee

from core.db import database
from core.models import now
from sheets.models import SyncLock

STALE_AFTER = datetime.timedelta(hours=2)


class SyncBusy(Exception):
    """Another sync of the same binding is running."""


def holder_name():
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@contextmanager
def binding_lock(binding, wait=False, poll=0.2, timeout=3600):
    """Hold the binding's lock for the ``with`` block; ``wait`` polls until it is free."""
    holder = holder_name()
    deadline = time.monotonic() + timeout
    while True:
        try:
            with database.atomic():
                SyncLock.insert(binding=binding.id, holder=holder, acquired_at=now()).execute()
            break
        except peewee.IntegrityError:
            lock = SyncLock.get_or_none(SyncLock.binding == binding.id)
            if lock is not None and lock.acquired_at < now() - STALE_AFTER:
                SyncLock.delete().where(SyncLock.binding == binding.id, SyncLock.holder == lock.holder).execute()
                continue
            if not wait or time.monotonic() > deadline:
                since = f" từ {lock.acquired_at:%H:%M:%S %d/%m/%Y} (UTC)" if lock else ""
                raise SyncBusy(
                    f"Liên kết {binding.name} [{binding.worksheet}] đang đồng bộ{since}; "
                    "chạy lại sau khi lần kia xong, hoặc dùng --wait để chờ."
                ) from None
            time.sleep(poll)
    try:
        yield
    finally:
        SyncLock.delete().where(SyncLock.binding == binding.id, SyncLock.holder == holder).execute()
