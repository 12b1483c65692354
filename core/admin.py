"""The admin shell: a base model view that enforces login, roles and unit scoping in
one place, safe exports, the audit trail, the home page, and the core's own views.

Every model view a plugin returns must derive from :class:`ModelView`; the core refuses
any other (``register_views``), so no view can forget to scope.
"""
import itertools
import re

from flask import abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_gettext  # Flask-Admin's own catalog
from flask_admin.contrib.peewee import ModelView as PeeweeModelView
from flask_admin.model import BaseModelView
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField

from core.auth import can
from core.errors import ConfigError
from core.formats import DETAIL_FORMATTERS, LIST_FORMATTERS
from core.plugins import describe
from core.models import AuditLog, Organisation, ORGANISATION_KINDS, Person, ROLES, Unit, User, snapshot

ENDPOINT_ACTIONS = {
    "create_view": "create",
    "edit_view": "edit",
    "ajax_update": "edit",
    "delete_view": "delete",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)*$")


def neutralise(value):
    """Make a cell value safe for Excel/Sheets: text that would run as a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def scope(query, model, user=None):
    """Restrict ``query`` on ``model`` to what ``user`` may see: the single scoping rule.

    Unscoped users (no unit) see everything. A scoped user sees the rows of their unit; a
    model with no ``unit`` field is not visible to scoped users at all.
    """
    user = user or current_user
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return query
    if model is Unit:
        return query.where(Unit.id == unit_id)
    field = model._meta.fields.get("unit")
    if field is None:
        return query.where(False)
    return query.where(field == unit_id)


class ModelView(PeeweeModelView):
    """Base of every phoihop model view (Flask-Admin's peewee view, made safe).

    Class attributes a plugin may set besides Flask-Admin's own: ``required_role``
    (``"admin"`` for views only admins open).
    """

    required_role = None
    column_type_formatters = LIST_FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    can_export = True
    export_types = ["csv", "xlsx"]
    can_view_details = True
    page_size = 50

    def scaffold_form(self):
        """Form labels follow ``column_labels``, so a form speaks the list's language."""
        form_class = super().scaffold_form()
        for name, label in (self.column_labels or {}).items():
            field = getattr(form_class, name, None) if isinstance(name, str) else None
            if field is not None and hasattr(field, "kwargs") and not field.args:
                field.kwargs["label"] = label
        return form_class

    def search_placeholder(self):
        """The searchable columns' labels (Flask-Admin's peewee view shows "None")."""
        if not self._search_fields:
            return None
        return ", ".join(str(self.get_column_name(f.name)) for f in self._search_fields if hasattr(f, "name"))

    # -- access -----------------------------------------------------------------------
    def is_accessible(self):
        if not current_user.is_authenticated:
            return False
        return self.required_role is None or current_user.role == self.required_role

    def inaccessible_callback(self, name, **kwargs):
        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name, **kwargs):
        answer = super()._handle_view(name, **kwargs)
        if answer is not None:
            return answer
        action = ENDPOINT_ACTIONS.get(name)
        if action and not can(action):
            abort(403)
        if name == "action_view" and not self.is_action_allowed(request.form.get("action", "")):
            abort(403)
        if name == "create_view" and self.model is Unit and current_user.unit_id is not None:
            abort(403)
        return None

    # Buttons follow the user's role (a subclass may switch one off with a plain
    # ``can_delete = False``); _handle_view is what enforces it.
    @property
    def can_create(self):
        return can("create")

    @property
    def can_edit(self):
        return can("edit")

    @property
    def can_delete(self):
        return can("delete")

    # The permission each bulk action needs (``can``); any other action needs "edit".
    action_permissions = {"delete": "delete"}

    def is_action_allowed(self, name):
        return super().is_action_allowed(name) and can(self.action_permissions.get(name, "edit"))

    # -- scoping ----------------------------------------------------------------------
    def get_query(self):
        return scope(self.model.select(), self.model)

    def get_one(self, id):
        pk = getattr(self.model, self._primary_key)
        found = self.get_query().where(pk == id).first()
        if found is None:
            abort(404)
        return found

    @action("delete", admin_gettext("Delete"), admin_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        # Flask-Admin's bulk delete selects by id alone: narrow it to the user's scope.
        pk = getattr(self.model, self._primary_key)
        allowed = [str(row.get_id()) for row in self.get_query().where(pk << ids)]
        if len(allowed) != len(ids):
            abort(404)
        return super().action_delete(allowed)

    def _scope_form(self, form):
        for field in form:
            query = getattr(field, "query", None)
            if query is not None and hasattr(query, "model"):
                field.query = scope(query.model.select(), query.model)
            unit_field = self.model._meta.fields.get("unit")
            if field.name == "unit" and unit_field is not None and current_user.unit_id is not None:
                field.query = Unit.select().where(Unit.id == current_user.unit_id)
        return form

    def create_form(self, obj=None):
        return self._scope_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope_form(super().edit_form(obj))

    # -- audit --------------------------------------------------------------------------
    def on_model_change(self, form, model, is_created):
        if "unit" in self.model._meta.fields and current_user.unit_id is not None:
            model.unit = current_user.unit_id

    def update_model(self, form, model):
        self._before = snapshot(model)
        return super().update_model(form, model)

    def after_model_change(self, form, model, is_created):
        before = None if is_created else getattr(self, "_before", None)
        AuditLog.record(
            actor=current_user.email, channel="admin", action="create" if is_created else "update",
            instance=model, before=before, after=snapshot(model),
        )

    def on_model_delete(self, model):
        AuditLog.record(actor=current_user.email, channel="admin", action="delete", instance=model, before=snapshot(model))

    # -- exports: formula-safe values, and a BOM so Excel reads Vietnamese CSV --------
    def get_export_value(self, model, name):
        return neutralise(super().get_export_value(model, name))

    def _export_csv(self, return_url):
        response = super()._export_csv(return_url)
        response.response = itertools.chain(["\ufeff"], response.response)
        response.mimetype = "text/csv"
        response.charset = "utf-8"
        return response


class ReadOnlyModelView(ModelView):
    """A log or a list that people read and never edit by hand."""

    can_create = False
    can_edit = False
    can_delete = False


class HomeView(AdminIndexView):
    """Trang chủ: the loaded plugins and their sheet bindings."""

    def __init__(self, pm, bindings, **kwargs):
        super().__init__(name=_l("Home"), **kwargs)
        self.pm = pm
        self.bindings = [
            {"name": name, "model": mapping.model.__name__, "plugin": mapping.plugin}
            for name, mapping in sorted(bindings.items())
        ]

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        return self.render("phoihop/home.html", plugins=describe(self.pm), bindings=self.bindings)


class UnitView(ModelView):
    column_list = ["name", "code", "created_at"]
    column_searchable_list = ["name", "code"]
    column_labels = {"name": _l("Name"), "code": _l("Code"), "created_at": _l("Created")}
    form_excluded_columns = ["created_at"]
    can_delete = False


class OrganisationView(ModelView):
    column_list = ["name", "kind", "unit"]
    column_searchable_list = ["name"]
    column_filters = ["kind", Unit.name]
    column_choices = {"kind": ORGANISATION_KINDS}
    column_labels = {"name": _l("Name"), "kind": _l("Kind"), "unit": _l("Unit")}
    form_excluded_columns = ["name_key", "created_at"]


class PersonView(ModelView):
    column_list = ["full_name", "title", "organisation", "unit"]
    column_searchable_list = ["full_name", "email"]
    column_filters = [Unit.name]
    column_labels = {
        "full_name": _l("Full name"), "title": _l("Title"), "organisation": _l("Organisation"),
        "unit": _l("Unit"), "email": _l("Email"), "phone": _l("Phone"),
    }
    form_excluded_columns = ["name_key", "created_at"]


class UserView(ModelView):
    required_role = "admin"
    column_list = ["email", "role", "unit", "active"]
    column_labels = {"email": _l("Email"), "role": _l("Role"), "unit": _l("Unit"), "active": _l("Active")}
    column_choices = {"role": [(r, r) for r in ROLES]}
    form_excluded_columns = ["password_hash", "created_at"]
    form_extra_fields = {"password": PasswordField(_l("New password"))}
    can_export = False

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.email = model.email.strip().lower()
        if form.password.data:
            model.set_password(form.password.data)
        elif is_created:
            raise ValueError(_l("A new user needs a password."))


class AuditLogView(ReadOnlyModelView):
    column_default_sort = ("at", True)
    column_list = ["at", "actor", "channel", "action", "model", "record_id", "unit"]
    column_filters = ["channel", "action", "model", Unit.name]
    column_labels = {
        "at": _l("Time"), "actor": _l("Who"), "channel": _l("Channel"), "action": _l("Action"),
        "model": _l("Table"), "record_id": _l("Record"), "unit": _l("Unit"), "before": _l("Before"), "after": _l("After"),
    }


def core_views():
    system, catalogue = _l("System"), _l("Catalogue")
    return [
        OrganisationView(Organisation, name=_l("Organisations"), category=catalogue, endpoint="organisation"),
        PersonView(Person, name=_l("People"), category=catalogue, endpoint="person"),
        UnitView(Unit, name=_l("Units"), category=system, endpoint="unit"),
        UserView(User, name=_l("Users"), category=system, endpoint="user"),
        AuditLogView(AuditLog, name=_l("Audit log"), category=system, endpoint="auditlog"),
    ]


def register_views(admin, views, plugin):
    """Add a plugin's views, refusing model views that bypass the core's scoping."""
    for view in views or []:
        if isinstance(view, BaseModelView) and not isinstance(view, ModelView):
            raise ConfigError(
                f"Plugin {plugin}: view {type(view).__name__} must derive from core.admin.ModelView (unit scoping)"
            )
        admin.add_view(view)


def init_app(app, pm, bindings, translations_path):
    from core.registry import hook_results

    admin = Admin(
        name=app.config["ADMIN_NAME"],
        theme=Bootstrap4Theme(base_template="phoihop/master.html"),
        index_view=HomeView(pm, bindings),
        translations_path=translations_path,
    )
    admin.init_app(app)
    register_views(admin, core_views(), "core")
    for plugin, views in hook_results(pm, "phoihop_admin_views", admin=admin, app=app):
        register_views(admin, views, plugin)
    app.extensions["phoihop_admin"] = admin
    return admin
