"""Admin views of the sheets feature: links, sync log, open conflicts."""
import os

import peewee
from flask import Blueprint, current_app, flash, g, url_for
from flask_wtf.csrf import generate_csrf
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from core.admin import ADMINS, NOBODY, READ_ONLY, RECORDS, STAFF, ModelView, ReadOnlyModelView, scope
from core.errors import ConfigError
from core.formats import format_datetime
from core.models import Unit
from sheets.models import Binding, Conflict, SyncLog
from sheets.outcomes import latest_logs, outcome_label
from sheets.pages import MAX_MINUTES, LinkPages, is_workbook

blueprint = Blueprint("sheets", __name__, template_folder="templates")


class BindingView(LinkPages, ModelView):
    """Bảng tính đã liên kết: each link with its last outcome, its "Đồng bộ ngay" button
    and its errors; staff link a sheet from here (sheets/pages.py) or with
    `phoihop sheets link`; only admins move or drop a link."""

    permissions = {**RECORDS, "create": NOBODY, "edit": ADMINS, "delete": ADMINS, "sync": STAFF, "link": STAFF}
    action_permissions = {"delete": "delete", "sync": "sync"}
    list_template = "sheets/binding_list.html"
    column_list = ["name", "source", "worksheet", "unit", "schedule_minutes", "last_outcome", "last_run", "sync_now"]
    column_labels = {
        "name": _l("Binding"), "source": _l("Source"), "worksheet": _l("Worksheet"),
        "unit": _l("Unit"), "last_synced_at": _l("Last synced"), "schedule_minutes": _l("Every (minutes)"),
        "last_outcome": _l("Last outcome"), "last_run": _l("Last run"), "sync_now": "", "created_at": _l("Created"),
    }
    column_details_list = ["name", "source", "worksheet", "unit", "schedule_minutes", "last_outcome", "last_run",
                           "created_at", "last_synced_at"]
    column_export_list = ["name", "source", "worksheet", "unit", "schedule_minutes", "last_synced_at"]
    column_formatters_export = {}  # the list's cells are HTML (badges, buttons): exports keep the values
    column_searchable_list = ["name", "source", "worksheet"]
    column_sortable_list = ["name", "source", "worksheet", "schedule_minutes"]
    form_columns = ["unit", "schedule_minutes"]
    column_formatters = {
        "source": lambda v, c, m, p: v.source_cell(m),
        "schedule_minutes": lambda v, c, m, p: m.schedule_minutes or _("off"),
        "last_outcome": lambda v, c, m, p: v.outcome_cell(m),
        "last_run": lambda v, c, m, p: v.last_run_cell(m),
        "sync_now": lambda v, c, m, p: v.sync_button(m),
    }

    def get_query(self):
        # the unit comes with its link: no query per row for the list's Unit column
        return scope(Binding.select(Binding, Unit).join(Unit, peewee.JOIN.LEFT_OUTER), Binding)

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        count, rows = super().get_list(page, sort_column, sort_desc, search, filters, execute=execute,
                                       page_size=page_size)
        if execute:
            rows = list(rows)
            g.sheets_last_logs = latest_logs(row.id for row in rows)  # one query for the page
        return count, rows

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if model.schedule_minutes is not None and not 0 <= model.schedule_minutes <= MAX_MINUTES:
            raise ValueError(_("The schedule is a number of minutes from 0 (off) to %(most)s.", most=MAX_MINUTES))

    # -- the list's own cells ----------------------------------------------------------
    def _last(self, binding):
        if "sheets_last_logs" not in g:  # a details page: its one link
            g.sheets_last_logs = latest_logs([binding.id])
        return g.sheets_last_logs.get(binding.id)

    def outcome_cell(self, binding):
        log = self._last(binding)
        text, kind = outcome_label(log)
        badge = BADGES[kind]
        if log is None:
            return Markup(f'<span class="badge {badge} sync-outcome">{escape(text)}</span>')
        url = url_for(".errors_view", id=binding.id)
        title = f' title="{escape(log.message)}"' if log.message else ""
        return Markup(f'<a href="{escape(url)}" class="badge {badge} sync-outcome"{title}>{escape(text)}</a>')

    def source_cell(self, binding):
        """A workbook by its file name (the whole path on hover), a Google link as it is."""
        if not is_workbook(binding):
            return binding.source
        return Markup(f'<span title="{escape(binding.source)}">{escape(os.path.basename(binding.source))}</span>')

    def last_run_cell(self, binding):
        log = self._last(binding)
        return format_datetime(self, log.started_at, "last_run") if log is not None else ""

    def sync_button(self, binding):
        parts = []
        if self.allowed("sync"):
            label = _("Sync now")
            parts.append(
                f'<form method="post" action="{escape(url_for(".sync_one_view"))}" class="d-inline sync-now">'
                f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
                f'<input type="hidden" name="id" value="{binding.id}">'
                f'<button type="submit" class="btn btn-sm btn-primary">{escape(label)}</button></form>'
            )
        if self.allowed("export") and is_workbook(binding):
            url, label = url_for(".download_view", id=binding.id), _("Download")
            parts.append(f'<a class="btn btn-sm btn-secondary download-workbook" href="{escape(url)}">'
                         f'{escape(label)}</a>')
        return Markup(f'<div class="text-nowrap">{" ".join(parts)}</div>') if parts else ""

    # -- syncing ---------------------------------------------------------------------------
    @action("sync", _l("Sync now"), _l("Sync the selected sheets now?"))
    def action_sync(self, ids):
        self.sync_bindings(self.get_query().where(Binding.id.in_(self.parse_ids(ids))))

    def sync_bindings(self, bindings):
        from sheets.sync import sync

        mappings = current_app.extensions["phoihop_bindings"]
        pm = current_app.extensions["phoihop_pm"]
        for binding in bindings:
            mapping = mappings.get(binding.name)
            if mapping is None:
                flash(_("No plugin declares %(name)s.", name=binding.name), "error")
                continue
            # a failure is its own outcome; a person asking for a sync gets a full one (force)
            result = sync(binding, mapping, pm=pm, actor=current_user.email, force=True)
            flash(summary_line(result), "success" if result.outcome == "ok" else "error")


BADGES = {"ok": "badge-success", "errors": "badge-danger", "conflicts": "badge-warning", "failed": "badge-danger",
          "never": "badge-secondary"}


def summary_line(result):
    """One line for a flash message, in the admin's language: plain text (a flashed lazy
    string would come back from the session as trusted HTML, sheet data and all)."""
    if result.outcome == "failed":
        return _("%(binding)s: failed — %(message)s", binding=result.binding, message=result.message)
    return _(
        "%(binding)s: %(created)s new, %(updated)s updated, %(pushed)s written to the sheet, "
        "%(conflicts)s conflicts, %(errors)s rows with errors",
        binding=result.binding, created=result.created, updated=result.updated, pushed=result.pushed,
        conflicts=len(result.conflicts), errors=len(result.errors),
    )


class SyncLogView(ReadOnlyModelView):
    column_default_sort = ("started_at", True)
    column_list = ["started_at", "binding", "direction", "dry_run", "outcome", "message"]
    column_details_list = ["started_at", "finished_at", "binding", "direction", "dry_run", "outcome", "message", "summary"]
    column_filters = ["outcome", "direction", Unit.name]
    column_labels = {
        "started_at": _l("Started"), "finished_at": _l("Finished"), "binding": _l("Binding"),
        "direction": _l("Direction"), "dry_run": _l("Dry run"), "outcome": _l("Outcome"),
        "message": _l("Message"), "summary": _l("Summary"),
    }
    column_formatters_detail = {"summary": lambda v, c, m, p: render_summary(m.summary or {})}


def render_summary(summary):
    rows = [f"<li>{escape(e['message'])}</li>" for e in summary.get("errors", [])]
    rows += [f"<li>{escape(c['column'])}: {escape(c['sheet'])} / {escape(c['database'])}</li>" for c in summary.get("conflicts", [])]
    counts = ", ".join(f"{k}: {summary.get(k, 0)}" for k in ("created", "updated", "pushed", "unchanged", "archived"))
    return Markup(f"<p>{escape(counts)}</p><ul>{''.join(rows)}</ul>")


class ConflictView(ReadOnlyModelView):
    """Conflicts change only through the resolve actions, which staff may use."""

    permissions = {**READ_ONLY, "resolve": STAFF}
    action_permissions = {"keep_sheet": "resolve", "keep_database": "resolve"}
    column_default_sort = ("created_at", True)
    column_list = ["created_at", "binding", "key", "header", "sheet_value", "db_value", "status"]
    column_filters = ["status", Unit.name]
    column_labels = {
        "created_at": _l("Time"), "binding": _l("Binding"), "key": _l("Key"), "header": _l("Column"),
        "sheet_value": _l("Sheet value"), "db_value": _l("Database value"), "status": _l("Status"),
        "base_value": _l("Last synced value"),
    }

    def resolve_selected(self, ids, choice):
        from sheets.conflicts import resolve

        mappings = current_app.extensions["phoihop_bindings"]
        done = 0
        for conflict in self.get_query().where(Conflict.id.in_(ids), Conflict.status == "open"):
            try:
                resolve(conflict, choice, mappings[conflict.binding.name], current_user.email)
                done += 1
            except (ConfigError, KeyError) as exc:
                flash(str(exc), "error")
        flash(_("%(count)s conflicts resolved; the next sync updates the sheet.", count=done), "success")

    @action("keep_sheet", _l("Keep the sheet's value"), _l("Write the sheet's value into the database?"))
    def action_keep_sheet(self, ids):
        self.resolve_selected(ids, "sheet")

    @action("keep_database", _l("Keep the database's value"), _l("Write the database's value into the sheet at the next sync?"))
    def action_keep_database(self, ids):
        self.resolve_selected(ids, "database")


def sheet_views():
    category = _l("Sheets")
    return [
        BindingView(Binding, name=_l("Linked sheets"), category=category, endpoint="binding"),
        SyncLogView(SyncLog, name=_l("Sync log"), category=category, endpoint="synclog"),
        ConflictView(Conflict, name=_l("Conflicts"), category=category, endpoint="conflict"),
    ]
