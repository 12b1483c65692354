"""Admin views of the sheets feature: links, sync log, open conflicts."""
from flask import current_app, flash
from flask_admin.actions import action
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from core.admin import ADMINS, NOBODY, READ_ONLY, RECORDS, STAFF, ModelView, ReadOnlyModelView
from core.errors import ConfigError
from core.models import Unit
from sheets.models import Binding, Conflict, SyncLog


class BindingView(ModelView):
    # Links are made with `phoihop sheets link`, which checks the sheet; only admins move
    # or drop one; staff sync.
    permissions = {**RECORDS, "create": NOBODY, "edit": ADMINS, "delete": ADMINS, "sync": STAFF}
    action_permissions = {"delete": "delete", "sync": "sync"}
    column_list = ["name", "source", "worksheet", "unit", "last_synced_at"]
    column_labels = {
        "name": _l("Binding"), "source": _l("Source"), "worksheet": _l("Worksheet"),
        "unit": _l("Unit"), "last_synced_at": _l("Last synced"),
    }
    column_searchable_list = ["name", "source", "worksheet"]
    form_columns = ["unit"]

    @action("sync", _l("Sync now"), _l("Sync the selected sheets now?"))
    def action_sync(self, ids):
        from sheets.sync import sync

        mappings = current_app.extensions["phoihop_bindings"]
        pm = current_app.extensions["phoihop_pm"]
        for binding in self.get_query().where(Binding.id.in_(ids)):
            mapping = mappings.get(binding.name)
            if mapping is None:
                flash(_("No plugin declares %(name)s.", name=binding.name), "error")
                continue
            # a failure is its own outcome; a person asking for a sync gets a full one (force)
            result = sync(binding, mapping, pm=pm, actor=current_user.email, force=True)
            flash(summary_line(result), "success" if result.outcome == "ok" else "error")


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
