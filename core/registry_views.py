"""The registry in the admin (menu "Danh mục"): organisations and people, shared by every
area, scoped by unit like every record.

Both views search by name (case, spacing and Unicode form do not matter), filter by unit
and by their kinds of detail (an organisation's kind; a person's học hàm, học vị, gender,
year of birth, workplace, field), and offer the **merge** bulk action: choose two or more
rows that are one person (or one organisation), then the row to keep; every link to the
others moves to it and their names become its aliases (:func:`core.merge.merge`; the
details page lists them). Merging needs the ``merge`` permission (admins and editors,
README "Roles and units").
"""
import unicodedata

from flask import abort, current_app, flash, g, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN
from wtforms.validators import Optional, ValidationError

from core.admin import RECORDS, STAFF, ModelView, scope
from core.config import today
from core.merge import MergeError, link_counts, merge
from core.models import ACADEMIC_TITLES, DEGREES, GENDERS, ORGANISATION_KINDS, Organisation, Person, Unit
from core.people import title_parts
from core.security import parse_key
from core.widgets import OrganisationLookup, YearFilter, choice_column, plain_column, unit_filters


class KeySearch:
    """A search 'column' for Flask-Admin's peewee search: the typed word is compared with
    a name key (NFC, case-folded), so 'sở y tế' finds 'Sở Y Tế' on SQLite too."""

    def __init__(self, name, key_field):
        self.name = name  # the column whose label the search box shows
        self.key_field = key_field
        self.model = key_field.model

    def __pow__(self, term):
        return self.key_field ** unicodedata.normalize("NFC", term).casefold()


def aliases_column(view, context, model, name):
    """The other ways a row was written: the names of the duplicates merged into it."""
    aliases = model.aliases.order_by(model.aliases.model.name)
    return "; ".join(f"{a.name} ({a.year_of_birth})" if getattr(a, "year_of_birth", None) else a.name
                     for a in aliases)


class RegistryView(ModelView):
    """What the registry's views share: the merge action, and lists that join the unit
    (and whatever :meth:`get_query` joins) once."""

    permissions = {**RECORDS, "merge": STAFF}
    action_permissions = {"delete": "delete", "merge": "merge"}
    key_search = None  # the KeySearch of the row's name
    merge_columns = ()  # what the merge page shows of each row

    def init_search(self):
        super().init_search()
        self._search_fields = [self.key_search, *self._search_fields]
        return True

    def _handle_join(self, query, field, joins):
        return query  # get_query joins every model a filter, sort or search uses

    # -- merging duplicates ---------------------------------------------------------------
    @action("merge", _l("Merge duplicates"))
    def action_merge(self, ids):
        rows = self._merge_rows(ids)
        if rows is None:
            return redirect(self.get_url(".index_view"))
        models = current_app.extensions["phoihop_models"]
        links = link_counts(self.model, [row.id for row in rows], models)
        columns = [(name, self.get_column_name(name)) for name in self.merge_columns]
        table = [(row, [self.get_list_value(None, row, name) for name, _label in columns], links.get(row.id, 0))
                 for row in rows]
        return self.render("phoihop/merge.html", columns=columns, table=table, keep=rows[0].id,
                           return_url=self.get_url(".index_view"))

    @expose("/merge/", methods=["POST"])
    def merge_view(self):
        """Merge the posted rows (``rowid``) into the one chosen (``keep``)."""
        if not self.allowed("merge"):
            abort(403)
        rows = self._merge_rows(request.form.getlist("rowid"))
        if rows is None:
            return redirect(self.get_url(".index_view"))
        keep_id = parse_key(self.model._meta.primary_key, request.form.get("keep"))
        keep = next((row for row in rows if row.id == keep_id), None)
        if keep is None:
            flash(_("Choose the record to keep."), "error")
            return redirect(self.get_url(".index_view"))
        others = [row for row in rows if row.id != keep.id]
        try:
            merge(keep, others, models=current_app.extensions["phoihop_models"], actor=current_user.email)
        except MergeError:
            abort(400)
        flash(_("Merged %(count)d records into “%(name)s”.", count=len(others), name=str(keep)), "success")
        return redirect(self.get_url(".details_view", id=keep.id))

    def _merge_rows(self, ids):
        """The rows ``ids`` name, oldest first, when the user may see them all (else 404),
        there are two or more and they are of one unit (else ``None``, with a message)."""
        pk = self.model._meta.primary_key
        keys = set(self.parse_ids(ids))
        rows = list(self.get_query().where(pk << list(keys)).order_by(pk)) if keys else []
        if len(rows) != len(keys):
            abort(404)
        if len(rows) < 2:
            flash(_("Choose at least two records to merge."), "error")
            return None
        if len({row.unit_id for row in rows}) > 1:
            flash(_("Records of different units cannot be merged."), "error")
            return None
        return rows


# -- organisations -----------------------------------------------------------------------------
class OrganisationView(RegistryView):
    """Cơ quan, tổ chức: departments, member associations, districts, schools, firms…"""

    column_list = ["name", "kind", "unit"]
    column_details_list = ["unit", "name", "kind", "aliases", "created_at"]
    column_export_list = ["unit", "name", "kind", "created_at"]
    column_labels = {"name": _l("Name"), "kind": _l("Kind"), "unit": _l("Unit"), "created_at": _l("Created"),
                     "aliases": _l("Other spellings")}
    column_formatters_detail = {"aliases": aliases_column}
    column_choices = {"kind": ORGANISATION_KINDS}
    column_default_sort = ("name", False)
    column_sortable_list = ["name", "kind", ("unit", Unit.name)]
    column_filters = [*unit_filters(), FilterEqual(Organisation.kind, _l("Kind"), options=ORGANISATION_KINDS)]
    key_search = KeySearch("name", Organisation.name_key)
    form_columns = ["unit", "name", "kind"]
    merge_columns = ("name", "kind", "created_at")

    def get_query(self):
        return scope(Organisation.select(Organisation, Unit).join(Unit), Organisation)


# -- people ----------------------------------------------------------------------------------------
def check_year_of_birth(form, field):
    if field.data is not None and not 1900 <= field.data <= today(current_app.config).year:
        raise ValidationError(_("Year of birth %(year)s is not a plausible year.", year=field.data))


def settle_titles(title, parts, before=None):
    """The title as written and its parts (``(academic title, degree)``) after a save,
    from the values the form gives and those the row had (``before``: ``(title, parts)``,
    ``None`` for a new row). The part the person changed wins: a new title fills the
    parts it names; new parts rewrite a title written before ('TS' → 'PGS.TS')."""
    title = (title or "").strip() or None
    parts = tuple(p or None for p in parts)
    old_title, old_parts = before or (None, (None, None))
    title_changed = title != old_title
    parts_changed = parts != tuple(old_parts)
    named = title_parts(title)
    if title and title_changed and (not parts_changed or not any(parts)) and any(named):
        return title, named
    if title and parts_changed and not title_changed:
        return ".".join(p for p in parts if p) or None, parts
    return title, parts


class PersonView(RegistryView):
    """Cá nhân: intellectuals, experts, authors, speakers, judges, nominees."""

    column_list = ["full_name", "year_of_birth", "gender", "academic_title", "degree", "position", "workplace", "unit"]
    column_details_list = ["unit", "full_name", "title", "year_of_birth", "gender", "academic_title", "degree",
                           "position", "workplace", "field", "email", "phone", "aliases", "created_at"]
    column_export_list = [c for c in column_details_list if c != "aliases"]
    column_labels = {
        "full_name": _l("Full name"), "title": _l("Title as written"), "year_of_birth": _l("Year of birth"),
        "gender": _l("Gender"), "academic_title": _l("Academic title"), "degree": _l("Degree"),
        "position": _l("Position"), "workplace": _l("Workplace"), "field": _l("Field"),
        "unit": _l("Unit"), "email": _l("Email"), "phone": _l("Phone"), "created_at": _l("Created"),
        "aliases": _l("Other spellings"),
    }
    column_formatters = {"year_of_birth": plain_column, "gender": choice_column(GENDERS)}
    column_formatters_detail = {**column_formatters, "aliases": aliases_column}
    column_formatters_export = column_formatters
    column_default_sort = ("full_name", False)
    column_sortable_list = ["full_name", "year_of_birth", "academic_title", "degree",
                            ("workplace", Organisation.name), ("unit", Unit.name)]
    column_searchable_list = ["email", "phone", "position", "field"]
    column_filters = [
        *unit_filters(),
        FilterEqual(Person.academic_title, _l("Academic title"), options=ACADEMIC_TITLES),
        FilterEqual(Person.degree, _l("Degree"), options=DEGREES),
        FilterEqual(Person.gender, _l("Gender"), options=GENDERS),
        YearFilter(Person.year_of_birth, _l("Year of birth")),
        FilterLike(Organisation.name, _l("Workplace")),
        FilterLike(Person.field, _l("Field")),
    ]
    key_search = KeySearch("full_name", Person.name_key)
    form_columns = ["unit", "full_name", "title", "year_of_birth", "gender", "academic_title", "degree",
                    "position", "workplace", "field", "email", "phone"]
    form_args = {
        "year_of_birth": {"validators": [Optional(), check_year_of_birth]},
        "title": {"description": _l("As written before the name, e.g. PGS.TS or ThS.BS")},
    }
    merge_columns = ("full_name", "year_of_birth", "academic_title", "degree", "position", "workplace", "created_at")

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"workplace": OrganisationLookup("workplace")}
        super().__init__(*args, **kwargs)

    def init_search(self):
        super().init_search()
        self._search_fields.append(KeySearch("workplace", Organisation.name_key))
        return True

    def get_query(self):
        query = (Person.select(Person, Unit, Organisation).join_from(Person, Unit)
                 .join_from(Person, Organisation, JOIN.LEFT_OUTER, on=Person.workplace))
        return scope(query, Person)

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or "workplace" not in form or "unit" not in form:
            return valid
        workplace, unit = form.workplace.data, form.unit.data
        unit_id = current_user.unit_id if current_user.unit_id is not None else getattr(unit, "id", None)
        if workplace is not None and unit_id is not None and workplace.unit_id != unit_id:
            form.workplace.errors = [*form.workplace.errors, _("The workplace must be an organisation of the same unit.")]
            return False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        before = None
        if not is_created:
            old = g.get("phoihop_before") or {}
            before = (old.get("title"), (old.get("academic_title"), old.get("degree")))
        model.title, (model.academic_title, model.degree) = settle_titles(
            model.title, (model.academic_title, model.degree), before)


def registry_views():
    """The registry's views, in the menu "Danh mục" (Catalogue)."""
    catalogue = _l("Catalogue")
    return [
        OrganisationView(Organisation, name=_l("Organisations"), category=catalogue, endpoint="organisation"),
        PersonView(Person, name=_l("People"), category=catalogue, endpoint="person"),
    ]
