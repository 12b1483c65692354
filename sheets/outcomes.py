"""Each link's last sync, for the list of links: one query for a page of links."""
from __future__ import annotations

import peewee
from flask_babel import gettext as _

from sheets.models import SyncLog

LIST_FIELDS = (SyncLog.id, SyncLog.binding, SyncLog.started_at, SyncLog.finished_at, SyncLog.outcome,
               SyncLog.error_count, SyncLog.conflict_count, SyncLog.message)


def latest_logs(binding_ids) -> dict:
    """binding id → its last run's log (dry runs aside), without the summary: one query."""
    ids = list(binding_ids)
    if not ids:
        return {}
    last = (SyncLog.select(peewee.fn.MAX(SyncLog.id))
            .where(SyncLog.binding.in_(ids), SyncLog.dry_run == False)  # noqa: E712 - SQL
            .group_by(SyncLog.binding))
    return {log.binding_id: log for log in SyncLog.select(*LIST_FIELDS).where(SyncLog.id.in_(last))}


def last_log(binding):
    """The binding's last run's log, summary included (dry runs aside), or ``None``."""
    return (SyncLog.select().where(SyncLog.binding == binding.id, SyncLog.dry_run == False)  # noqa: E712
            .order_by(SyncLog.id.desc()).first())


def outcome_label(log) -> tuple[str, str]:
    """``(text, kind)`` of a last run: kind is ``ok``, ``errors``, ``conflicts``,
    ``failed`` or ``never`` (the page colours it)."""
    if log is None:
        return _("Never synced"), "never"
    if log.outcome in ("ok", "unchanged"):  # unchanged: skipped, the last full run was ok
        return _("OK"), "ok"
    if log.outcome == "failed":
        return _("Failed"), "failed"
    parts = []
    if log.error_count:
        parts.append(_("errors: %(count)s rows", count=log.error_count))
    if log.conflict_count:
        parts.append(_("conflicts: %(count)s", count=log.conflict_count))
    if not parts:
        return _("Errors"), "errors"
    return ", ".join(parts), "errors" if log.error_count else "conflicts"
