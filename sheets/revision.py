"""Whether a binding can be skipped: neither its source nor the database changed since
the last run that found nothing to do.

A binding's *revision* is two tokens joined: the source's own (:meth:`Backend.revision`:
a workbook's size and modification time, a spreadsheet's Drive version and modification
time — one request) and the database's (:func:`database_stamp`). Both are taken before
the run reads anything, and stored only when the run changed nothing on either side
(:func:`settled`): then the sheet holds exactly what that run read, so while both tokens
stay the same, a run has nothing to do. A run that wrote or changed anything stores no
revision, and the next run reads everything again (finding nothing to do, it stores one).
A change made while a run works moves a token taken before it, so it is never skipped.
"""
from __future__ import annotations

import datetime
import hashlib

import peewee

from core.models import AuditLog
from sheets.models import Binding, Conflict


def source_revision(backend) -> str | None:
    """The backend's token, or ``None`` when it has none (then nothing is skipped)."""
    revision = getattr(backend, "revision", None)
    return revision() if revision is not None else None


def database_stamp(binding, mapping=None) -> str:
    """What the database side of a run depends on, in a few aggregate queries: every
    stamped table (``count``, ``max(updated_at)``: records of every plugin, lookup lists),
    the audit log's last entry (admin edits of people and organisations), the binding's
    conflicts, today (rules that depend on the date), and the mapping's columns (a
    plugin upgrade that adds or changes a column)."""
    from flask import current_app, has_app_context

    parts = []
    if mapping is not None:
        parts.append(("columns", [(c.field, c.header, c.kind, c.computed, c.required) for c in mapping.columns]))
    models = current_app.extensions.get("phoihop_models", []) if has_app_context() else []
    for model in models:
        stamp = model._meta.fields.get("updated_at")
        if stamp is not None:
            count, last = model.select(peewee.fn.COUNT(model._meta.primary_key), peewee.fn.MAX(stamp)).scalar(as_tuple=True)
            parts.append((model._meta.table_name, count, str(last)))
    parts.append(("audit", AuditLog.select(peewee.fn.MAX(AuditLog.id)).scalar()))
    conflicts = Conflict.select(peewee.fn.COUNT(Conflict.id), peewee.fn.MAX(Conflict.resolved_at)).where(
        Conflict.binding == binding.id).scalar(as_tuple=True)
    parts.append(("conflicts", conflicts[0], str(conflicts[1])))
    parts.append(("today", _today()))
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=12).hexdigest()


def current(binding, backend, mapping=None) -> str | None:
    """The binding's revision now, or ``None`` when the source cannot say."""
    source = source_revision(backend)
    return None if source is None else f"{source}|{database_stamp(binding, mapping)}"


def settled(result, wrote: bool) -> bool:
    """Whether a finished run changed nothing anywhere and left nothing to fix (no row
    errors, no conflicts: their report stays complete at every run)."""
    return (not wrote and result.outcome == "ok" and not result.errors and not result.conflicts and not any(
        (result.created, result.updated, result.pushed, result.archived, result.restored, result.held_back)))


def stored(binding) -> str | None:
    """The revision the last settled run stored, as the database has it now (another
    process may have synced this binding since ``binding`` was loaded)."""
    return Binding.select(Binding.revision).where(Binding.id == binding.id).scalar()


def remember(binding, revision: str | None) -> None:
    Binding.update(revision=revision).where(Binding.id == binding.id).execute()
    binding.revision = revision


def _today():
    from flask import current_app, has_app_context

    configured = current_app.config.get("TODAY") if has_app_context() else None
    return str(configured or datetime.date.today())
