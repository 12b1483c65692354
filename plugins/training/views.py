"""Admin views of the training area (menu "Tập huấn, hội thảo").

``ActivityView`` lists activities with search over titles, partners and speakers, filters
by unit, kind, year, field and partner, money with thousands separators, CSV/XLSX export
(the core's), and a form with dd/mm/yyyy date pickers, money typed as offices write it
('12,5 triệu') and grouped while typing, and partners chosen from the unit's organisations
with Select2 search. The widgets, the unit and year filters and the formatters are the
core's (``core.widgets``). ``ActivityKindView`` manages the kinds (admins only). Unit
scoping is the core's.
"""
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, BooleanEqualFilter, FilterEqual, FilterLike
from flask_admin.contrib.peewee.tools import parse_like_term
from peewee import JOIN
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from core.admin import ModelView, scope
from core.lookups import LookupView
from core.models import Organisation, Person, Unit
from core.widgets import (
    LookupMultipleField, MoneyField, OrganisationLookup, YearFilter, date_column, money_column, unit_filters,
)
from plugins.training.models import (
    Activity, ActivityKind, ActivityPartner, ActivitySpeaker, partner_names_of, set_partners, set_speakers,
)
from plugins.training.rules import check_activity
from plugins.training.sheets import activity_columns
from sheets.values import CellError, format_list, parse_list

CATEGORY = "Tập huấn, hội thảo"

LABELS = {
    "unit": "Đơn vị", "kind": "Loại hoạt động", "title": "Tên hoạt động", "field": "Lĩnh vực",
    "start_date": "Ngày bắt đầu", "end_date": "Ngày kết thúc", "venue": "Địa điểm",
    "format": "Hình thức", "rented_venue": "Thuê địa điểm", "ordered": "Đặt hàng",
    "partners": "Đơn vị phối hợp", "speakers": "Báo cáo viên", "participants": "Số người tham dự",
    "state_budget": "Kinh phí ngân sách", "other_budget": "Kinh phí huy động", "notes": "Ghi chú",
    "archived": "Lưu trữ", "created_at": "Ngày tạo",
}


# -- form fields ---------------------------------------------------------------------------
COLUMNS = {column.field: column for column in activity_columns({})}  # the sheet's; kinds unused here


def column_check(field):
    """A form validator running the sheet column's own check (its parser, its minimum) on
    the typed value: the admin refuses what a sheet row is refused for, in the same words."""
    column = COLUMNS[field]

    def check(form, form_field):
        try:
            column.parse(form_field.data)
        except CellError as exc:
            raise ValidationError(f"{LABELS[field]} {exc.reason}") from None

    return check


def partner_field():
    """Partners picked with Select2 from the organisations the user may see; an id they
    may not see is an error, not dropped."""
    loader = OrganisationLookup("partners", placeholder="Tìm đơn vị phối hợp…")
    return loader, LookupMultipleField(loader, label=LABELS["partners"],
                                       invalid_message="Có đơn vị phối hợp không tìm thấy trong danh mục của đơn vị.")


# -- search and filters over partners and speakers (many-to-many) ---------------------------
class RelatedSearch:
    """A search 'column' for Flask-Admin's peewee search: ``column ** term`` gives the
    activities linked to an organisation or person whose name matches."""

    model = Activity

    def __init__(self, name, link, target, name_field):
        self.name = name  # the column whose label the search box shows
        self.link, self.target, self.name_field = link, target, name_field

    def __pow__(self, term):
        linked = (self.link.select(self.link.activity).join(self.target)
                  .where(self.name_field ** term))
        return Activity.id.in_(linked)


PARTNER_SEARCH = RelatedSearch("partners", ActivityPartner, Organisation, Organisation.name)
SPEAKER_SEARCH = RelatedSearch("speakers", ActivitySpeaker, Person, Person.full_name)


class PartnerFilter(BasePeeweeFilter):
    """Đơn vị phối hợp contains …"""

    def apply(self, query, value):
        return query.where(PARTNER_SEARCH ** parse_like_term(value))

    def operation(self):
        return "có chứa"


# -- list formatters ----------------------------------------------------------------------
def partners_column(view, context, model, name):
    names = getattr(model, "_partner_names", None)
    return format_list(model.partner_names() if names is None else names)


class ActivityView(ModelView):
    """Hoạt động: hội thảo, hội nghị, tập huấn, phổ biến kiến thức."""

    column_list = ["start_date", "title", "kind", "unit", "field", "partners", "participants",
                   "state_budget", "other_budget"]
    column_details_list = ["unit", "kind", "title", "field", "start_date", "end_date", "venue", "format",
                           "rented_venue", "ordered", "partners", "speakers", "participants",
                           "state_budget", "other_budget", "notes", "archived", "created_at"]
    column_export_list = column_details_list
    column_labels = LABELS
    column_default_sort = ("start_date", True)
    column_sortable_list = ["start_date", "title", ("kind", ActivityKind.sort_order), ("unit", Unit.name),
                            "field", "participants", "state_budget", "other_budget"]
    column_searchable_list = ["title", "field", "venue"]
    column_filters = [
        *unit_filters("Đơn vị"),
        FilterEqual(ActivityKind.name, "Loại hoạt động"), FilterLike(ActivityKind.name, "Loại hoạt động"),
        YearFilter(Activity.start_date, "Năm"),
        FilterEqual(Activity.field, "Lĩnh vực"), FilterLike(Activity.field, "Lĩnh vực"),
        PartnerFilter(Activity.id, "Đơn vị phối hợp"),
        BooleanEqualFilter(Activity.archived, "Lưu trữ"),
    ]
    column_formatters = {"partners": partners_column, "state_budget": money_column, "other_budget": money_column}
    # Exports keep amounts as numbers (a spreadsheet sums them); dates and lists as text.
    column_formatters_export = {"start_date": date_column, "end_date": date_column, "partners": partners_column}
    form_columns = ["unit", "kind", "title", "field", "start_date", "end_date", "venue", "format",
                    "rented_venue", "ordered", "speakers", "participants", "state_budget", "other_budget",
                    "notes", "archived"]
    form_rules = ["unit", "kind", "title", "field", "start_date", "end_date", "venue", "format",
                  "rented_venue", "ordered", "partners", "speakers", "participants", "state_budget",
                  "other_budget", "notes", "archived"]
    form_overrides = {"title": StringField, "state_budget": MoneyField, "other_budget": MoneyField,
                      "speakers": TextAreaField}
    form_args = {
        "participants": {"validators": [Optional(), column_check("participants")]},
        "speakers": {"description": "Mỗi người một dòng, hoặc cách nhau bằng dấu ;"},
        "state_budget": {"description": "Ví dụ: 12.500.000 hoặc 12,5 triệu"},
        "other_budget": {"description": "Ví dụ: 12.500.000 hoặc 12,5 triệu"},
    }

    def __init__(self, *args, **kwargs):
        loader, field = partner_field()
        self.form_ajax_refs = {"partners": loader}
        self.form_extra_fields = {"partners": field}
        super().__init__(*args, **kwargs)

    # -- queries: kind and unit come with every row; partners/speakers search by subquery
    def init_search(self):
        super().init_search()
        self._search_fields += [PARTNER_SEARCH, SPEAKER_SEARCH]
        return True

    def get_query(self):
        query = (Activity.select(Activity, ActivityKind, Unit)
                 .join_from(Activity, ActivityKind).join_from(Activity, Unit))
        return scope(query, Activity)

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (Activity, ActivityKind, Unit, None) or model.__name__ in joins:
            return query  # the kind and the unit are joined by get_query already
        joins.add(model.__name__)
        return query.join_from(Activity, model, JOIN.LEFT_OUTER)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            attach_partner_names(rows)
        return count, rows

    # -- forms (kinds are a shared lookup list: the core's scoping offers all of them) -----
    def on_form_prefill(self, form, id):
        activity = self.get_one(id)
        links = (ActivityPartner.select(ActivityPartner, Organisation).join(Organisation)
                 .where(ActivityPartner.activity == activity.id).order_by(ActivityPartner.position))
        form.partners.data = [link.organisation for link in links]

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "start_date"):
            return valid
        values = {name: form[name].data for name in ("start_date", "end_date") if name in form}
        for field, message in check_activity(values):
            form[field].errors = [*form[field].errors, message]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.speakers = format_list(parse_list(model.speakers)) or None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        chosen = form.partners.data or []
        old = [o.id for o in Organisation.select(Organisation.id).join(ActivityPartner)
               .where(ActivityPartner.activity == model.id).order_by(ActivityPartner.position)]
        rank = {org_id: i for i, org_id in enumerate(old)}
        chosen = sorted(chosen, key=lambda o: (rank.get(o.id, len(rank)), o.name))
        set_partners(model, [o.name for o in chosen])
        set_speakers(model, parse_list(model.speakers))


def attach_partner_names(rows):
    """Give each activity of a list page its partners' names, in one query."""
    names = partner_names_of([row.id for row in rows])
    for row in rows:
        row._partner_names = names[row.id]


class ActivityKindView(LookupView):
    """Loại hoạt động: the list an office extends (admins only)."""

    column_labels = {**LookupView.column_labels, "name": "Loại hoạt động"}


def training_views():
    """The views the plugin hands to the core."""
    return [
        ActivityView(Activity, name="Hoạt động", category=CATEGORY, endpoint="training_activity"),
        ActivityKindView(ActivityKind, name="Loại hoạt động", category=CATEGORY, endpoint="training_kind"),
    ]
