"""Admin views of the coordination area (menu "Phối hợp").

- :class:`AgreementView` — the agreements, filtered by partner, kind, flag, year signed
  and unit; each row shows its flags, computed for the page in a constant number of
  queries (:func:`plugins.coordination.links.assess`). The form takes the partners as
  written ("a; b"), linked to the unit's organisations on save, and refuses what a sheet
  row is refused for, in the same words. An agreement's page adds its flags, each
  partner's joint activities per area and its yearly items. The view's page
  ``/partners/`` is the partners page: each partner's joint activities per area and its
  agreements' status.
- :class:`AgreementItemView` — the yearly items of the agreements, done or not done.
- the lookup lists (admins only): kinds and modes.

Login, roles, unit scoping, audit and safe exports are the core's (``core.admin``).
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, request
from flask_admin import expose
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, BooleanEqualFilter, FilterEqual, FilterLike
from flask_admin.contrib.peewee.tools import parse_like_term
from flask_login import current_user
from peewee import JOIN
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from core.admin import ModelView, label_column, scope
from core.lookups import LookupView
from core.models import Organisation, Unit
from core.widgets import YearFilter, date_column, unit_filters
from plugins.coordination import rules, settings
from core.joint import gather, totals
from plugins.coordination.links import assess, link_partners, partners_of, pm
from plugins.coordination.models import Agreement, AgreementItem, AgreementKind, AgreementMode, AgreementPartner
from plugins.coordination.reports import overview
from sheets.values import format_list, normalise, parse_list

blueprint = Blueprint("coordination_admin", __name__, template_folder="templates")
CATEGORY = "Phối hợp"
FLAGS = (rules.REVIEW_OVERDUE, rules.EXPIRED, rules.NO_JOINT_ACTIVITY)

LABELS = {
    "unit": "Đơn vị", "partners_text": "Đối tác", "kind": "Loại văn bản", "number": "Số hiệu", "signed_on": "Ngày ký",
    "valid_until": "Hiệu lực đến", "areas": "Lĩnh vực phối hợp", "modes": "Phương thức",
    "review_months": "Chu kỳ sơ kết (tháng)", "last_review_on": "Ngày sơ kết gần nhất",
    "conclusions": "Kết quả sơ kết", "in_province": "Đối tác trong tỉnh", "funding": "Nguồn kinh phí",
    "notes": "Ghi chú", "warnings": "Cảnh báo", "archived": "Lưu trữ", "created_at": "Ngày tạo",
}


# -- filters -------------------------------------------------------------------------------------
class PartnerFilter(BasePeeweeFilter):
    """Đối tác có chứa …: agreements with a partner whose name holds the text."""

    def apply(self, query, value):
        linked = (AgreementPartner.select(AgreementPartner.agreement).join(Organisation)
                  .where(Organisation.name ** parse_like_term(value)))
        return query.where(Agreement.id.in_(linked))

    def operation(self):
        return "có chứa"


class FlagFilter(BasePeeweeFilter):
    """Cảnh báo: the agreements (of the user's scope) that have a flag today — computed
    by the rules for the scope's live agreements in a constant number of queries."""

    def __init__(self, column, name):
        super().__init__(column, name, options=[(flag, flag) for flag in FLAGS])

    def apply(self, query, value):
        if value not in FLAGS:
            return query.where(False)
        candidates = list(scope(Agreement.select(), Agreement).where(Agreement.archived == False))  # noqa: E712
        flagged = [agreement_id for agreement_id, flags in assess(candidates).items()
                   if any(flag.startswith(value) for flag in flags)]
        return query.where(Agreement.id.in_(flagged or [0]))

    def operation(self):
        return "là"


# -- list formatters ----------------------------------------------------------------------------
def warnings_column(view, context, model, name):
    flags = getattr(model, "_flags", None)
    if flags is None:  # one row (details, export of one): its own queries
        flags = assess([model])[model.id]
    return rules.flag_text(flags)


kind_column = label_column(AgreementKind, AgreementKind.name, "kind")


def check_list(choices_model, label):
    """A form validator: each item of a "a; b" list is a name (or alias) of the list."""
    def check(form, form_field):
        known = spellings(choices_model)
        unknown = [item for item in parse_list(form_field.data) if normalise(item) not in known]
        if unknown:
            names = [entry.name for entry in choices_model.entries() if entry.active]
            raise ValidationError(f'{label} "{unknown[0]}" không thuộc danh sách: {"; ".join(names)}')

    return check


class AgreementView(ModelView):
    """Văn bản phối hợp: quy chế, chương trình, thỏa thuận, biên bản ghi nhớ, kế hoạch."""

    list_template = "coordination/agreement_list.html"
    details_template = "coordination/agreement_details.html"
    column_list = ["signed_on", "number", "partners_text", "kind", "valid_until", "review_months", "last_review_on",
                   "warnings", "unit"]
    column_details_list = ["unit", "partners_text", "kind", "number", "signed_on", "valid_until", "areas", "modes",
                           "review_months", "last_review_on", "conclusions", "in_province", "funding", "notes",
                           "warnings", "archived", "created_at"]
    column_export_list = column_details_list
    column_labels = LABELS
    column_default_sort = ("signed_on", True)
    column_sortable_list = ["signed_on", "number", "partners_text", ("kind", AgreementKind.sort_order), "valid_until",
                            "review_months", "last_review_on", ("unit", Unit.name)]
    column_searchable_list = ["partners_text", "number", "areas"]
    column_filters = [
        *unit_filters("Đơn vị"),
        PartnerFilter(Agreement.id, "Đối tác"),
        FilterEqual(AgreementKind.name, "Loại văn bản"), FilterLike(AgreementKind.name, "Loại văn bản"),
        FlagFilter(Agreement.id, "Cảnh báo"),
        YearFilter(Agreement.signed_on, "Năm ký"),
        BooleanEqualFilter(Agreement.in_province, "Đối tác trong tỉnh"),
        BooleanEqualFilter(Agreement.archived, "Lưu trữ"),
    ]
    column_formatters = {"warnings": warnings_column, "kind": kind_column}
    column_formatters_export = {"signed_on": date_column, "valid_until": date_column, "last_review_on": date_column,
                                "warnings": warnings_column, "kind": kind_column}
    form_columns = ["unit", "partners_text", "kind", "number", "signed_on", "valid_until", "areas", "modes",
                    "review_months", "last_review_on", "conclusions", "in_province", "funding", "notes", "archived"]
    form_overrides = {"partners_text": TextAreaField, "number": StringField, "areas": TextAreaField,
                      "modes": TextAreaField, "conclusions": TextAreaField, "funding": StringField,
                      "notes": TextAreaField}
    form_args = {
        "partners_text": {"description": "Mỗi đối tác một dòng, hoặc cách nhau bằng dấu ;"},
        "areas": {"description": "Mỗi lĩnh vực một dòng, hoặc cách nhau bằng dấu ;"},
        "modes": {"description": "Một hoặc nhiều phương thức, cách nhau bằng dấu ;",
                  "validators": [check_list(AgreementMode, "Phương thức")]},
    }

    # -- queries: the kind and the unit come with every row ------------------------------------
    def get_query(self):
        query = (Agreement.select(Agreement, AgreementKind, Unit)
                 .join_from(Agreement, AgreementKind, join_type=JOIN.LEFT_OUTER).join_from(Agreement, Unit))
        return scope(query, Agreement)

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (Agreement, AgreementKind, Unit, None) or model.__name__ in joins:
            return query
        joins.add(model.__name__)
        return query.join_from(Agreement, model, join_type=JOIN.LEFT_OUTER)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            flags = assess(rows)
            for row in rows:
                row._flags = flags[row.id]
        return count, rows

    # -- an agreement's page: its partners' joint activities, its yearly items ----------------
    def render(self, template, **kwargs):
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs.update(agreement_page(kwargs["model"]))
        return super().render(template, **kwargs)

    # -- forms ---------------------------------------------------------------------------------
    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "signed_on"):
            return valid
        problems = rules.check_agreement({name: form[name].data for name in ("signed_on", "valid_until", "review_months")
                                          if name in form})
        if "partners_text" in form and not parse_list(form.partners_text.data):
            problems.append(("partners_text", "Cần ít nhất một đối tác"))  # the sheet's required columns
        if "kind" in form and form.kind.data is None:
            problems.append(("kind", "Chọn loại văn bản"))
        for name, message in problems:
            form[name].errors = [*form[name].errors, message]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.partners_text = format_list(parse_list(model.partners_text)) or None
        model.areas = format_list(parse_list(model.areas)) or None
        model.modes = format_list(canonical_modes(parse_list(model.modes))) or None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        link_partners([(model, parse_list(model.partners_text))])

    # -- the partners page ---------------------------------------------------------------------
    @expose("/partners/")
    def partners_view(self):
        """Each partner's joint activities per area — in the last 12 months, or in the years
        asked (``?from=2021&to=2023``) — and its agreements' status, for the user's units."""
        today = settings.today()
        start_year, end_year = year_arg("from"), year_arg("to")
        if start_year or end_year:
            start = dt.date(start_year or end_year, 1, 1)
            end = dt.date(end_year or start_year, 12, 31)
            if end < start:
                start, end = dt.date(end.year, 1, 1), dt.date(start.year, 12, 31)
        else:
            start, end = rules.joint_window(today)
        units = scope(Unit.select(Unit.id), Unit, current_user)
        found = overview([u.id for u in units], start, end, today)
        return self.render("coordination/partners.html", found=found, start=start, end=end, today=today,
                           flags=FLAGS, active=rules.NO_JOINT_ACTIVITY)


def agreement_page(agreement) -> dict:
    """What an agreement's page adds: its flags, each partner's joint activities per area
    in the last 12 months and in all, and the yearly items, the latest year first — a
    constant number of queries (:mod:`plugins.coordination.links`, ``core.joint``)."""
    today = settings.today()
    partners = partners_of([agreement.id])[agreement.id]
    ids = [org for org, _name in partners]
    recent, ever = gather(pm(), ids, *rules.joint_window(today)), gather(pm(), ids)
    areas = dict.fromkeys((row.key, row.label) for row in ever)
    counts = {(row.organisation_id, row.key, "recent"): row.count for row in recent}
    counts.update({(row.organisation_id, row.key, "ever"): row.count for row in ever})
    latest = totals(ever)
    rows = [(name, [(counts.get((org, key, "recent"), 0), counts.get((org, key, "ever"), 0)) for key, _label in areas],
             latest.get(org, (0, None))[1]) for org, name in partners]
    items = list(AgreementItem.select().where(AgreementItem.agreement == agreement.id)
                 .order_by(AgreementItem.year.desc(), AgreementItem.id))
    return {"flags": assess([agreement], today)[agreement.id], "areas": list(areas), "partner_rows": rows,
            "items": items, "today": today}


def year_arg(name):
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and 1900 <= int(value) <= 9999 else None


def spellings(choices_model) -> dict:
    """``{normalised name or alias: name}`` of a lookup list (its defaults made first)."""
    choices_model.ensure_defaults()
    found = {}
    for entry in choices_model.entries():
        for spelling in (entry.name, *entry.aliases):
            found.setdefault(normalise(spelling), entry.name)
    return found


def canonical_modes(items):
    """Each mode typed as its list's name (an alias → the name); unknown ones kept (the
    form's validator has refused them already)."""
    spelled = spellings(AgreementMode)
    return [spelled.get(normalise(item), item) for item in items]


class AgreementItemView(ModelView):
    """Nội dung phối hợp hằng năm: each item of an agreement's yearly plan, done or not."""

    column_list = ["year", "agreement", "content", "done", "unit"]
    column_labels = {"unit": "Đơn vị", "agreement": "Văn bản phối hợp", "year": "Năm", "content": "Nội dung",
                     "done": "Đã thực hiện", "notes": "Ghi chú"}
    column_default_sort = ("year", True)
    column_sortable_list = ["year", "content", "done"]
    column_searchable_list = ["content"]
    column_filters = [YearFilter(AgreementItem.year, "Năm"), BooleanEqualFilter(AgreementItem.done, "Đã thực hiện")]
    form_columns = ["agreement", "year", "content", "done", "notes"]
    form_overrides = {"content": TextAreaField, "notes": TextAreaField}

    def get_query(self):
        """The agreement and the unit come with every row (no query per row)."""
        query = (AgreementItem.select(AgreementItem, Agreement, Unit)
                 .join_from(AgreementItem, Agreement).join_from(AgreementItem, Unit))
        return scope(query, AgreementItem)

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (AgreementItem, Agreement, Unit, None) or model.__name__ in joins:
            return query
        joins.add(model.__name__)
        return query.join_from(AgreementItem, model, join_type=JOIN.LEFT_OUTER)

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.unit = model.agreement.unit_id  # the agreement's unit (one the user may see)


def coordination_views():
    """The views the plugin hands to the core."""
    return [
        AgreementView(Agreement, name="Văn bản phối hợp", category=CATEGORY, endpoint="coordination_agreement"),
        AgreementItemView(AgreementItem, name="Nội dung phối hợp hằng năm", category=CATEGORY,
                          endpoint="coordination_item"),
        LookupView(AgreementKind, name="Loại văn bản", category=CATEGORY, endpoint="coordination_kind"),
        LookupView(AgreementMode, name="Phương thức phối hợp", category=CATEGORY, endpoint="coordination_mode"),
    ]
