"""The sync engine's entry point: one binding, one run, its lock, its failures, its log.

:func:`sync` holds the binding's lock, opens the backend, runs :class:`sheets.run.Run`
(read → identify → chunks → archive → append → write → confirm; see that module), and
turns every failure into this binding's own ``failed`` outcome with a one-line Vietnamese
message — a missing credentials file, a corrupt workbook or a busy database never stop
the other bindings and never show a traceback. A file that changed on disk while the
run worked (someone saved it, another tab's sync wrote it) is read again and the run
redone once; the committed chunks make the redo converge instead of duplicating.
"""
from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import peewee

from core.errors import ConfigError
from core.models import now
from sheets import revision
from sheets.backend import BackendError, SheetChanged
from sheets.lock import SyncBusy, binding_lock
from sheets.models import SyncLog
from sheets.reader import TableError
from sheets.run import Run

log = logging.getLogger(__name__)
DIRECTIONS = ("pull", "push", "both")
UNCHANGED = ("Bảng tính và hệ thống không thay đổi từ lần đồng bộ trước: không cần đọc lại "
             "(dùng --force để vẫn đồng bộ).")
REDONE = "Tệp thay đổi trong lúc đồng bộ (có người vừa lưu, hoặc một trang tính khác của tệp vừa được ghi): đã đọc lại và chạy lại."


@dataclass
class SyncResult:
    """The summary of one binding's sync (``phoihop sync --json`` prints these)."""

    binding: str
    source: str
    worksheet: str
    direction: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    pushed: int = 0
    unchanged: int = 0
    archived: int = 0
    restored: int = 0
    held_back: int = 0
    conflicts: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    # header as written → its column letter: kept in the sync log (links to the cells of
    # errors), not printed by ``--json``
    columns: dict = field(default_factory=dict)
    outcome: str = "ok"
    message: str | None = None

    def as_dict(self):
        found = asdict(self)
        del found["columns"]
        return found

    @property
    def exit_code(self):
        return 0 if self.outcome in ("ok", "unchanged") else 1


def settings():
    """The sync settings of the current app (defaults outside one)."""
    from flask import current_app, has_app_context

    config = current_app.config if has_app_context() else {}
    return {"mass_share": float(config.get("SYNC_MASS_ARCHIVE_SHARE", 0.2)),
            "mass_min": int(config.get("SYNC_MASS_ARCHIVE_MIN", 5))}


def sync(binding, mapping, backend=None, *, direction="both", dry_run=False, pm=None, actor=None, wait=False,
         progress=None, allow_mass_archive=False, force=False):
    """Sync one binding and return its :class:`SyncResult`; every run is logged.

    ``backend``: an open backend, or ``None`` to open the binding's source (its failure
    is then this binding's ``failed`` outcome). ``progress(done, total)``, when given, is
    called as rows are handled (a CLI bar). ``allow_mass_archive`` confirms archiving more
    than the set share of rows at once. When neither the source nor the database changed
    since the last run that found nothing to do (:mod:`sheets.revision`), the run costs
    one request and its outcome is ``unchanged``; ``force`` runs it all the same.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}")
    started = now()
    result = SyncResult(binding.name, binding.source, binding.worksheet, direction, dry_run)
    notices = []
    try:
        with nullcontext() if dry_run else binding_lock(binding, wait=wait) as held:
            if held is not None and held.notice:
                notices.append(held.notice)
            if backend is None:
                from sheets.sources import open_backend

                backend = open_backend(binding.source)
            before = None if dry_run else revision.current(binding, backend, mapping)
            if before is not None and not force and before == revision.stored(binding):
                result.outcome, result.message = "unchanged", UNCHANGED
                result.warnings.extend(notices)
            else:
                wrote = False
                for attempt in (1, 2):
                    result = SyncResult(binding.name, binding.source, binding.worksheet, direction, dry_run,
                                        warnings=list(notices))
                    run = Run(binding, mapping, backend, result, pm=pm, actor=actor, progress=progress,
                              allow_mass_archive=allow_mass_archive, **settings())
                    try:
                        run.execute()
                        wrote = wrote or run.wrote
                        break
                    except SheetChanged:
                        if attempt == 2:
                            raise
                        notices.append(REDONE)
                if not dry_run:
                    revision.remember(binding, before if revision.settled(result, wrote) else None)
    except SyncBusy as exc:
        result.outcome, result.message = "failed", str(exc)
        return result  # not logged: the running sync logs itself
    except (BackendError, TableError, ConfigError) as exc:
        result.outcome, result.message = "failed", str(exc)
    except peewee.OperationalError as exc:
        log.warning("sync of %s: database error: %s", binding.name, exc)
        result.outcome = "failed"
        result.message = f"Cơ sở dữ liệu đang bận hoặc không truy cập được ({exc}); chưa đồng bộ gì thêm, hãy chạy lại sau."
    if backend is not None:
        result.requests = backend.requests.as_dict()
    if result.outcome == "ok" and (result.errors or result.conflicts):
        result.outcome = "errors"
    SyncLog.create(
        binding=binding, unit=binding.unit_id, started_at=started, finished_at=now(), direction=direction,
        dry_run=dry_run, outcome=result.outcome, summary={**result.as_dict(), "columns": result.columns}, message=result.message,
        error_count=len(result.errors), conflict_count=len(result.conflicts),
    )
    return result
