"""The admin shell: a base model view that enforces login, roles and unit scoping in
one place, safe exports, the audit trail, and the core's own views (the home page and
the "Hệ thống" page are :mod:`core.dashboard`'s).

Every model view a plugin returns must derive from :class:`ModelView`; the core refuses
any other (``register_views``), so no view can forget to scope.
"""
import itertools
import json
import re

from flask import Response, abort, flash, g, has_request_context, redirect, request, session, url_for
from flask_admin import Admin, expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_gettext  # Flask-Admin's own catalog
from flask_admin.contrib.peewee import ModelView as PeeweeModelView
from flask_admin.model import BaseModelView
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import PasswordField

from core.auth import SESSION_VERSION, start_session
from core.errors import ConfigError
from core.formats import DETAIL_FORMATTERS, LIST_FORMATTERS
from core.dashboard import DashboardView, SystemView
from core.security import INT64, clamp, csp_nonce, parse_key
from core.models import AuditLog, ROLES, Unit, User, snapshot
from core.widgets import ModelConverter

# -- who may do what ---------------------------------------------------------------------
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"admin", "editor"})
ADMINS = frozenset({"admin"})
NOBODY = frozenset()
ACTIONS = ("list", "create", "edit", "delete", "export")

# Defaults a view picks from (``permissions``); README "Roles and units" has the table.
RECORDS = {"list": EVERYONE, "create": STAFF, "edit": STAFF, "delete": ADMINS, "export": EVERYONE}
READ_ONLY = {"list": EVERYONE, "create": NOBODY, "edit": NOBODY, "delete": NOBODY, "export": EVERYONE}
ADMIN_ONLY = {name: ADMINS for name in ACTIONS}

# The permission each Flask-Admin endpoint needs; an endpoint not named here needs "list".
ENDPOINT_ACTIONS = {
    "index_view": "list",
    "details_view": "list",
    "export": "export",
    "create_view": "create",
    "edit_view": "edit",
    "ajax_update": "edit",
    "delete_view": "delete",
}
# Flask-Admin's switches, folded into ``permissions`` when a subclass sets one to False.
FLAGS = {"can_create": "create", "can_edit": "edit", "can_delete": "delete", "can_export": "export"}
MAX_PAGE = 10**6
MAX_LOOKUP = 100
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)*$")


def neutralise(value):
    """Make a cell value safe for Excel/Sheets: text that would run as a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def scope(query, model, user=None):
    """Restrict ``query`` on ``model`` to what ``user`` may see: the single scoping rule.

    Unscoped users (no unit) see everything. A scoped user sees the rows of their unit;
    a model declared shared (``Meta.shared``, as every ``core.lookups.LookupModel`` is)
    is seen whole by everyone; any other model with no ``unit`` field is not visible to
    scoped users at all.
    """
    user = user or current_user
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or getattr(model._meta, "shared", False) is True:
        return query
    if model is Unit:
        return query.where(Unit.id == unit_id)
    field = model._meta.fields.get("unit")
    if field is None:
        return query.where(False)
    return query.where(field == unit_id)


def names_of(model, label_field):
    """``{id: label}`` of a small table (a lookup list, the units), read once per request.

    Cached on :data:`flask.g` by model and label field, so every column showing the same
    table on a page shares one query."""
    cache = g.setdefault("phoihop_names", {})
    key = (model, label_field.name)
    if key not in cache:
        cache[key] = dict(model.select(model.id, label_field).tuples())
    return cache[key]


def label_column(model, label_field, field_name):
    """A column formatter showing, for the foreign key ``field_name``, the label
    (``label_field``) of the ``model`` row it points to: one query a page, not one a row."""
    def formatter(view, context, row, name):
        return names_of(model, label_field).get(row.__data__.get(field_name), "")

    return formatter


class ModelView(PeeweeModelView):
    """Base of every phoihop model view (Flask-Admin's peewee view, made safe).

    What each role may do is declared in one place, ``permissions``: for each of
    ``list`` (the list and the details page), ``create``, ``edit``, ``delete`` and
    ``export``, the roles allowed (default :data:`RECORDS`). A bulk action needs the
    permission ``action_permissions`` names for it (``delete`` for the delete action,
    ``edit`` for any other unless named); a view may declare extra permissions for its
    actions. ``required_role = "admin"`` narrows every permission to that role, and a
    plain ``can_delete = False`` (Flask-Admin's switch) takes that permission from everyone.
    :meth:`allowed` is the only check: it drives Flask-Admin's ``can_*`` switches, the
    menu (``is_accessible``), every endpoint and every bulk action.
    """

    permissions = RECORDS
    action_permissions = {"delete": "delete"}
    required_role = None
    column_type_formatters = LIST_FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    export_types = ["csv", "xlsx"]
    model_form_converter = ModelConverter  # the core's widgets: dd/mm/yyyy dates, scoped lookups
    can_view_details = True
    page_size = 50

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for flag, permission in FLAGS.items():
            value = cls.__dict__.get(flag)
            if isinstance(value, bool):
                if not value:
                    cls.permissions = {**cls.permissions, permission: NOBODY}
                delattr(cls, flag)

    def scaffold_form(self):
        """Form labels follow ``column_labels``, so a form speaks the list's language."""
        form_class = super().scaffold_form()
        for name, label in (self.column_labels or {}).items():
            field = getattr(form_class, name, None) if isinstance(name, str) else None
            if field is not None and hasattr(field, "kwargs") and not field.args:
                field.kwargs["label"] = label
        return form_class

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        # Flask-Admin maps ``?sort=N`` to the N-th listed column and then looks it up among the
        # sortable ones: a column that does not sort would be a KeyError (a 500). Such a
        # request gets the default order.
        if sort_column is not None and sort_column not in self._sortable_columns:
            sort_column = None
        return super().get_list(page, sort_column, sort_desc, search, filters, execute=execute, page_size=page_size)

    def search_placeholder(self):
        """The searchable columns' labels (Flask-Admin's peewee view shows "None")."""
        if not self._search_fields:
            return None
        return ", ".join(str(self.get_column_name(f.name)) for f in self._search_fields if hasattr(f, "name"))

    # -- access: the one place -------------------------------------------------------------
    def roles_for(self, permission):
        """The roles that hold ``permission`` (list, create, edit, delete, export, or one
        a bulk action names) in this view."""
        roles = frozenset(self.permissions.get(permission, NOBODY))
        if self.required_role is not None:
            roles &= {self.required_role}
        return roles

    def action_permission(self, name):
        """The permission the bulk action ``name`` needs."""
        return self.action_permissions.get(name, "edit")

    def allowed(self, permission, user=None):
        """Whether ``user`` (the current user) holds ``permission`` here."""
        if user is None:
            if not has_request_context():
                return False
            user = current_user
        if not user or not user.is_authenticated:
            return False
        if permission == "create" and self.model is Unit and user.unit_id is not None:
            return False  # a unit's user never makes another unit
        return user.role in self.roles_for(permission)

    def is_accessible(self):
        return self.allowed("list")

    def inaccessible_callback(self, name, **kwargs):
        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=request.full_path))

    def _handle_view(self, name, **kwargs):
        answer = super()._handle_view(name, **kwargs)
        if answer is not None:
            return answer
        if name == "action_view":
            if not self.is_action_allowed(request.form.get("action", "")):
                abort(403)
            self.parse_ids(request.form.getlist("rowid"))
        elif name == "ajax_lookup":
            if not (self.allowed("create") or self.allowed("edit")):
                abort(403)
        elif not self.allowed(ENDPOINT_ACTIONS.get(name, "list")):
            abort(403)
        return None

    # Flask-Admin's switches (buttons, links, its own checks) follow ``allowed``.
    @property
    def can_create(self):
        return self.allowed("create")

    @property
    def can_edit(self):
        return self.allowed("edit")

    @property
    def can_delete(self):
        return self.allowed("delete")

    @property
    def can_export(self):
        return self.allowed("export")

    def is_action_allowed(self, name):
        return super().is_action_allowed(name) and self.allowed(self.action_permission(name))

    # -- request values that name nothing are 404s or ignored, never database errors -----
    def parse_ids(self, ids):
        """Primary keys from a request; any that cannot name a row is a 404."""
        field = getattr(self.model, self._primary_key)
        keys = [parse_key(field, raw) for raw in ids]
        if any(key is None for key in keys):
            abort(404)
        return keys

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        args.page = clamp(args.page, 0, MAX_PAGE, 0)
        args.page_size = clamp(args.page_size, 0, max(self.page_size_options or [self.page_size]), 0)
        return args

    def _get_list_filter_args(self):
        """Flask-Admin's filters, less those whose value cannot be applied (a year or a
        number out of range): they are reported like any invalid filter value."""
        filters = super()._get_list_filter_args()
        if not filters:
            return filters
        kept = []
        for idx, name, value in filters:
            flt = self._filters[idx]
            try:
                cleaned = flt.clean(value)
                for item in cleaned if isinstance(cleaned, (list, tuple)) else [cleaned]:
                    if isinstance(item, int) and not -INT64 <= item <= INT64:
                        raise OverflowError(item)
                flt.apply(self.model.select(), cleaned)  # builds the query, runs nothing
            except (ValueError, TypeError, OverflowError, ArithmeticError):
                flash(self.get_invalid_value_msg(value, flt), "error")
                continue
            kept.append((idx, name, value))
        return kept

    @expose("/ajax/lookup/")
    def ajax_lookup(self):
        """Flask-Admin's Select2 lookup, with its offset and limit kept in range."""
        loader = self._form_ajax_refs.get(request.args.get("name"))
        if not loader:
            abort(404)
        offset = clamp(request.args.get("offset", type=int), 0, MAX_PAGE, 0)
        limit = clamp(request.args.get("limit", type=int), 1, MAX_LOOKUP, 10)
        data = [loader.format(m) for m in loader.get_list(request.args.get("query") or "", offset, limit)]
        return Response(json.dumps(data), mimetype="application/json")

    # -- scoping ----------------------------------------------------------------------
    def get_query(self):
        return scope(self.model.select(), self.model)

    def get_one(self, id):
        field = getattr(self.model, self._primary_key)
        key = parse_key(field, id)
        if key is None:
            abort(404)
        found = self.get_query().where(field == key).first()
        if found is None:
            abort(404)
        return found

    @action("delete", admin_gettext("Delete"), admin_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        # Flask-Admin's bulk delete selects by id alone: narrow it to the user's scope.
        pk = getattr(self.model, self._primary_key)
        keys = self.parse_ids(ids)
        allowed = [str(row.get_id()) for row in self.get_query().where(pk << keys)]
        if len(allowed) != len(set(keys)):
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
        g.phoihop_before = snapshot(model)
        return super().update_model(form, model)

    def after_model_change(self, form, model, is_created):
        before = None if is_created else g.get("phoihop_before")
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

    permissions = READ_ONLY


class UnitView(ModelView):
    column_list = ["name", "code", "created_at"]
    column_searchable_list = ["name", "code"]
    column_labels = {"name": _l("Name"), "code": _l("Code"), "created_at": _l("Created")}
    form_excluded_columns = ["created_at"]
    # Everyone reads their unit; only admins name or rename units; nobody deletes one
    # here (it would take every record of the unit with it).
    permissions = {**RECORDS, "create": ADMINS, "edit": ADMINS, "delete": NOBODY}


class UserView(ModelView):
    permissions = {**ADMIN_ONLY, "export": NOBODY}
    column_list = ["email", "role", "unit", "active"]
    column_labels = {"email": _l("Email"), "role": _l("Role"), "unit": _l("Unit"), "active": _l("Active")}
    column_choices = {"role": [(r, r) for r in ROLES]}
    form_excluded_columns = ["password_hash", "created_at", "session_version"]
    form_extra_fields = {"password": PasswordField(_l("New password"))}
    # what ends the user's login sessions when it changes
    SESSION_FIELDS = ("role", "unit", "active")

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.email = model.email.strip().lower()
        before = g.get("phoihop_before") or {}
        ends_sessions = bool(form.password.data) or any(
            before.get(name) != model.__data__.get(name) for name in self.SESSION_FIELDS
        )
        if form.password.data:
            model.set_password(form.password.data)
        elif is_created:
            raise ValueError(str(_l("A new user needs a password.")))
        if not is_created and ends_sessions:
            model.session_version = (model.session_version or 0) + 1

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        if model.id == current_user.id and session.get(SESSION_VERSION) != model.session_version:
            start_session(model)  # an admin who changed their own password stays in, here only


class AuditLogView(ReadOnlyModelView):
    column_default_sort = ("at", True)
    column_list = ["at", "actor", "channel", "action", "model", "record_id", "unit"]
    column_filters = ["channel", "action", "model", Unit.name]
    column_labels = {
        "at": _l("Time"), "actor": _l("Who"), "channel": _l("Channel"), "action": _l("Action"),
        "model": _l("Table"), "record_id": _l("Record"), "unit": _l("Unit"), "before": _l("Before"), "after": _l("After"),
    }


def core_views():
    from core.registry_views import registry_views  # the registry's views derive from ModelView

    system = _l("System")
    return [
        *registry_views(),
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
        index_view=DashboardView(pm, cache_seconds=app.config["DASHBOARD_CACHE_SECONDS"]),
        translations_path=translations_path,
        csp_nonce_generator=csp_nonce,
    )
    admin.init_app(app)
    register_views(admin, core_views(), "core")
    admin.add_view(SystemView(pm, bindings, name=_l("Plugins and sheets"), category=_l("System"), endpoint="system"))
    for plugin, views in hook_results(pm, "phoihop_admin_views", admin=admin, app=app):
        register_views(admin, views, plugin)
    app.extensions["phoihop_admin"] = admin
    return admin
