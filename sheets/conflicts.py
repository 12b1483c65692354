"""Resolving a conflict: a person picks the sheet's value or the database's.

Either way the next sync makes both sides equal: keeping the sheet's value writes it to
the record now; keeping the database's value marks the sheet's value as seen, so the
next sync writes the database's value into the sheet.
"""
from core.db import database
from core.errors import ConfigError
from core.models import AuditLog, now, snapshot
from sheets.models import SyncedRow

CHOICES = ("sheet", "database")


def resolve(conflict, choice, mapping, actor):
    if choice not in CHOICES:
        raise ValueError(choice)
    if conflict.status != "open":
        raise ConfigError(f"Xung đột #{conflict.id} đã được xử lý ({conflict.status}).")
    with database.atomic():
        srow = SyncedRow.get(SyncedRow.key == conflict.key)
        if choice == "sheet":
            column = mapping.column(conflict.field)
            record = mapping.model.get_by_id(srow.record_id)
            before = snapshot(record)
            value = column.parse(conflict.sheet_value) if conflict.sheet_value else None
            mapping.apply(record, {conflict.field: value})
            record.save()
            mapping.after_save(record, {conflict.field: value})
            AuditLog.record(actor=actor, channel="admin", action="update", instance=record, before=before, after=snapshot(record))
        srow.snapshot = {**srow.snapshot, conflict.field: conflict.sheet_value or ""}
        srow.digest = None
        srow.save()
        conflict.status, conflict.resolved_at, conflict.resolved_by = choice, now(), actor
        conflict.save()
