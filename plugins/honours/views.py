"""Admin views of the honours area (menu "Tôn vinh trí thức").

- :class:`RoundView` — rounds: year, occasion, deadline, council, threshold, ceremony,
  budget, award money per category (typed as text: no script is needed to add a row, the
  Content Security Policy runs none inline); per round the council page (votes for the
  whole round on one screen) and the honoured list as the decision's annex (xlsx); bulk
  actions close a round (admins and editors) and reopen one (admins) — :mod:`plugins.honours.pages`;
- :class:`NominationView` — nominations, filtered by round, category, nominating
  organisation, result, gender and field; each nominee's history across rounds and
  areas on its own page, and on the person's page in the registry;
- :class:`CategoryView` — the categories and their eligibility (admins only).

A closed round is locked: only an admin changes it or its nominations, and the audit log
keeps who and when (the core's, plus the council's own lines). Every save recomputes the
outcomes it bears on (:func:`plugins.honours.results.refresh`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, url_for
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, BooleanEqualFilter, FilterEqual, FilterLike
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from core.admin import ADMINS, RECORDS, STAFF, ModelView, label_column, scope
from core.lookups import split_aliases
from core.models import GENDERS, Organisation, Person, Unit, name_key
from core.people import clean_name, person_key
from core.widgets import IdFilter, MoneyField, Options, choice_column, money_column, plain_column, unit_filters
from plugins.honours import rules
from plugins.honours.links import link_nominations
from plugins.honours.models import Category, Nomination, NominationNominator, Round
from plugins.honours.pages import NominationPages, RoundPages
from plugins.honours.results import refresh
from plugins.honours.rounds import (
    SettingError, close, format_money_settings, members_text, parse_money_settings, reopen, set_money, today,
)

CATEGORY = "Tôn vinh trí thức"
blueprint = Blueprint("honours", __name__, template_folder="templates")


def round_options():
    query = scope(Round.select(Round.id, Round.year, Unit.name).join(Unit), Round).order_by(Round.year.desc(), Unit.name)
    return [(str(i), f"{year} — {unit}") for i, year, unit in query.tuples()]


def category_options():
    return [(str(i), name) for i, name in Category.ordered().select(Category.id, Category.name).tuples()]


RESULT_OPTIONS = (("duoc", rules.SELECTED), ("khong", rules.NOT_SELECTED), ("chua", "Chưa có kết quả"))


class ResultFilter(BasePeeweeFilter):
    """Kết quả: selected, not selected, not decided yet."""

    def apply(self, query, value):
        if value == "duoc":
            return query.where(Nomination.result == rules.SELECTED)
        if value == "khong":
            return query.where(Nomination.result == rules.NOT_SELECTED)
        return query.where(Nomination.result.is_null())

    def operation(self):
        return "là"


class NominatorFilter(BasePeeweeFilter):
    """Đơn vị đề cử: any of the nomination's nominating organisations (a merged
    nomination has several) contains the words typed."""

    def apply(self, query, value):
        key = name_key(value)
        linked = (NominationNominator.select(NominationNominator.nomination)
                  .join(Organisation).where(Organisation.name_key.contains(key)))
        return query.where(Nomination.id.in_(linked) | Nomination.nominator_name.contains(value.strip()))

    def operation(self):
        return "có chứa"


unit_column = label_column(Unit, Unit.name, "unit")
round_column = label_column(Round, Round.year, "round")
category_column = label_column(Category, Category.name, "category")


def link_column(endpoint, label, key="id"):
    def formatter(view, context, model, name):
        value = model.__data__.get(key) if key != "id" else model.id
        if value is None:
            return ""
        return Markup(f'<a href="{escape(url_for(endpoint, id=value))}">{escape(label)}</a>')

    return formatter


def locked_for(user, item) -> bool:
    """A closed round's records are an admin's to change."""
    return item is not None and rules.locked(item.closed, getattr(user, "role", None))


# -- rounds ---------------------------------------------------------------------------------------
ROUND_LABELS = {
    "unit": "Đơn vị", "year": "Năm", "occasion": "Dịp tôn vinh", "deadline": "Hạn nhận đề cử",
    "ceremony_date": "Ngày lễ tôn vinh", "council_members": "Thành viên hội đồng xét chọn",
    "council_size": "Số thành viên hội đồng", "members_present": "Thành viên có mặt khi bỏ phiếu",
    "threshold_share": "Ngưỡng phiếu đồng ý (% thành viên có mặt, phải vượt quá)", "budget": "Kinh phí (đồng)",
    "province": "Tỉnh (điều kiện gắn bó)", "decision_number": "Số quyết định tôn vinh",
    "decision_date": "Ngày quyết định", "closed": "Đã khóa", "closed_at": "Khóa lúc", "closed_by": "Người khóa",
    "notes": "Ghi chú", "award_money": "Tiền thưởng theo hình thức", "council": "Hội đồng", "annex": "Danh sách",
}


class RoundView(RoundPages, ModelView):
    """Đợt tôn vinh: set-up, the council page, the honoured list."""

    permissions = {**RECORDS, "council": STAFF, "close": STAFF, "reopen": ADMINS}
    action_permissions = {"delete": "delete", "close": "close", "reopen": "reopen"}
    column_list = ["year", "unit", "occasion", "ceremony_date", "council_size", "threshold_share", "closed", "council",
                   "annex"]
    column_details_list = ["unit", "year", "occasion", "deadline", "ceremony_date", "council_members", "council_size",
                           "members_present", "threshold_share", "budget", "province", "decision_number",
                           "decision_date", "closed", "closed_at", "closed_by", "notes"]
    column_export_list = column_details_list
    column_labels = ROUND_LABELS
    column_sortable_list = ["year", "ceremony_date"]
    column_default_sort = ("year", True)
    column_filters = [*unit_filters("Đơn vị"), BooleanEqualFilter(Round.closed, "Đã khóa")]
    column_formatters = {"unit": unit_column, "year": plain_column, "budget": money_column,
                         "council": link_column("honours_round.council_view", "Bỏ phiếu"),
                         "annex": link_column("honours_round.annex_view", "Danh sách được tôn vinh (xlsx)")}
    column_formatters_export = {"year": plain_column}
    form_columns = ["unit", "year", "occasion", "deadline", "ceremony_date", "council_members", "council_size",
                    "members_present", "threshold_share", "budget", "province", "decision_number", "decision_date",
                    "notes"]
    form_overrides = {"council_members": TextAreaField, "notes": TextAreaField, "budget": MoneyField}
    form_args = {
        "year": {"validators": [NumberRange(min=1950, max=2200)]},
        "council_size": {"validators": [Optional(), NumberRange(min=1, max=1000)]},
        "members_present": {"validators": [Optional(), NumberRange(min=1, max=1000)]},
        "threshold_share": {"validators": [Optional(), NumberRange(min=1, max=99)]},
        "council_members": {"description": "Mỗi thành viên một dòng, hoặc cách nhau bằng dấu ;"},
        "province": {"description": "Để trống: lấy từ tên đơn vị (Liên hiệp hội tỉnh …)"},
    }
    form_extra_fields = {
        "award_money": TextAreaField(ROUND_LABELS["award_money"],
                                     description="Ví dụ: Tân Tiến sĩ=2 triệu; Trí thức KH&CN tiêu biểu=3.000.000"),
    }

    def on_form_prefill(self, form, id):
        form.award_money.data = format_money_settings(self.get_one(id))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "award_money"):
            return valid
        try:
            form.parsed_money = parse_money_settings(form.award_money.data, list(Category.ordered()))
        except SettingError as exc:
            form.award_money.errors = [*form.award_money.errors, str(exc)]
            valid = False
        size, present = form.council_size.data, form.members_present.data
        if size and present and present > size:
            form.members_present.errors = [*form.members_present.errors,
                                           f"{present} thành viên có mặt nhiều hơn hội đồng ({size} thành viên)"]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if not is_created and locked_for(current_user, Round.get_or_none(Round.id == model.id)):
            raise ValidationError(f"{model} đã khóa: chỉ quản trị viên được sửa")
        model.council_members = members_text(model.council_members)
        unit = Unit.get_or_none(Unit.id == model.unit_id)
        if not model.province and unit is not None:
            model.province = rules.province_of(unit.name)
        if model.ceremony_date is None:
            model.ceremony_date = rules.default_ceremony(model.year)

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        money = getattr(form, "parsed_money", None)
        if money is not None:
            set_money(model, money)
        refresh(round_ids=[model.id])

    def on_model_delete(self, model):
        count = Nomination.select().where(Nomination.round == model.id).count()
        if count:
            raise ValidationError(f"{model} có {count} đề cử: xóa đợt sẽ xóa cả các đề cử; hãy khóa đợt thay vì xóa")
        super().on_model_delete(model)

    @action("close", "Khóa đợt (khóa kết quả)", "Khóa các đợt đã chọn? Sau khi khóa, chỉ quản trị viên sửa được kết quả.")
    def action_close(self, ids):
        chosen = list(self.get_query().where(Round.id.in_(self.parse_ids(ids)), Round.closed == False))  # noqa: E712
        for item in chosen:
            close(item, actor=current_user.email, channel="admin")
        flash(f"Đã khóa {len(chosen)} đợt tôn vinh.", "success")

    @action("reopen", "Mở lại đợt", "Mở lại các đợt đã chọn? Kết quả sẽ được tính lại theo phiếu.")
    def action_reopen(self, ids):
        chosen = list(self.get_query().where(Round.id.in_(self.parse_ids(ids)), Round.closed == True))  # noqa: E712
        for item in chosen:
            reopen(item, actor=current_user.email, channel="admin")
        if chosen:
            refresh(round_ids=[item.id for item in chosen])
        flash(f"Đã mở lại {len(chosen)} đợt tôn vinh.", "success")


# -- nominations ------------------------------------------------------------------------------------
NOMINATION_LABELS = {
    "unit": "Đơn vị", "round": "Đợt (năm)", "year": "Năm", "number": "STT", "full_name": "Họ và tên",
    "year_of_birth": "Năm sinh", "gender": "Giới tính", "academic_title": "Học hàm", "degree": "Học vị",
    "position": "Chức vụ", "workplace_name": "Đơn vị công tác", "field": "Lĩnh vực", "nominator_name": "Đơn vị đề cử",
    "category": "Hình thức tôn vinh", "achievements": "Thành tích", "conferral": "Ngày công nhận",
    "hometown": "Quê quán", "years_in_province": "Số năm công tác tại tỉnh", "documents": "Hồ sơ kèm theo",
    "national": "Đề xuất cấp trung ương", "national_result": "Kết quả cấp trung ương", "notes": "Ghi chú",
    "status": "Tình trạng hồ sơ", "eligible": "Đủ điều kiện", "votes_for": "Số phiếu đồng ý",
    "votes_against": "Số phiếu không đồng ý", "result": "Kết quả", "nominators_count": "Số đơn vị đề cử",
    "history": "Lịch sử", "archived": "Lưu trữ", "person": "Cá nhân",
}


class NominationView(NominationPages, ModelView):
    """Đề cử: what the nominations sheet fills, with the rules' outcomes and the result."""

    column_list = ["round", "number", "full_name", "year_of_birth", "category", "nominator_name", "status",
                   "votes_for", "result", "history"]
    column_details_list = ["unit", "round", "number", "full_name", "year_of_birth", "gender", "academic_title", "degree",
                           "position", "workplace_name", "field", "nominator_name", "nominators_count", "category",
                           "achievements", "conferral", "hometown", "years_in_province", "documents", "national",
                           "national_result", "notes", "status", "eligible", "votes_for", "votes_against", "result",
                           "history", "archived"]
    column_export_list = ["round", "number", "full_name", "year_of_birth", "gender", "academic_title", "degree",
                          "position", "workplace_name", "field", "nominator_name", "category", "achievements",
                          "status", "votes_for", "result", "national", "national_result"]
    column_labels = NOMINATION_LABELS
    column_searchable_list = ["full_name", "nominator_name", "workplace_name"]
    column_sortable_list = ["number", "full_name", "year_of_birth", "votes_for"]
    column_default_sort = [("round", True), ("category", False), ("id", False)]
    column_filters = [
        *unit_filters("Đơn vị"),
        IdFilter(Nomination.round, "Đợt tôn vinh", options=Options(round_options)),
        IdFilter(Nomination.category, "Hình thức tôn vinh", options=Options(category_options)),
        NominatorFilter(Nomination.nominator_name, "Đơn vị đề cử"),
        ResultFilter(Nomination.result, "Kết quả", options=RESULT_OPTIONS),
        FilterEqual(Nomination.gender, "Giới tính", options=GENDERS),
        FilterLike(Nomination.field, "Lĩnh vực"),
        BooleanEqualFilter(Nomination.eligible, "Đủ điều kiện"),
        FilterLike(Nomination.status, "Tình trạng hồ sơ"),
        BooleanEqualFilter(Nomination.archived, "Lưu trữ"),
    ]
    column_formatters = {"unit": unit_column, "round": round_column, "category": category_column,
                         "year_of_birth": plain_column, "year": plain_column, "gender": choice_column(GENDERS),
                         "history": link_column("honours_nomination.person_view", "Lịch sử", key="person")}
    column_formatters_export = {"round": round_column, "category": category_column, "year_of_birth": plain_column,
                                "gender": choice_column(GENDERS)}
    form_columns = ["unit", "year", "number", "full_name", "year_of_birth", "gender", "academic_title", "degree",
                    "position", "workplace_name", "field", "nominator_name", "category", "achievements", "conferral",
                    "hometown", "years_in_province", "documents", "national", "national_result", "notes", "archived"]
    form_overrides = {"achievements": TextAreaField, "documents": TextAreaField, "notes": TextAreaField}
    form_args = {
        "year": {"validators": [NumberRange(min=1950, max=2200)]},
        "year_of_birth": {"validators": [Optional()]},
        "years_in_province": {"validators": [Optional(), NumberRange(min=0, max=100)]},
        "academic_title": {"description": "GS hoặc PGS"},
        "degree": {"description": "TS, TSKH, ThS, BSCKII, DSCKII…"},
        "achievements": {"description": "Mỗi thành tích một dòng, hoặc cách nhau bằng dấu ;"},
    }

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "year_of_birth") or form.year_of_birth.data is None:
            return valid
        problem = rules.check_year_of_birth(form.year_of_birth.data, today())
        if problem:
            form.year_of_birth.errors = [*form.year_of_birth.errors, f"Năm sinh {form.year_of_birth.data} {problem}"]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if not is_created:
            old = Nomination.get_or_none(Nomination.id == model.id)
            if old is not None and locked_for(current_user, Round.get_or_none(Round.id == old.round_id)):
                raise ValidationError(f"Đợt tôn vinh năm {old.year} đã khóa: chỉ quản trị viên được sửa")
        item = Round.get_or_none(Round.unit == model.unit_id, Round.year == model.year)
        if locked_for(current_user, item):
            raise ValidationError(f"Đợt tôn vinh năm {model.year} đã khóa: chỉ quản trị viên được thêm hay sửa đề cử")
        if item is None:
            from plugins.honours.rounds import new_round

            item = new_round(model.unit_id, model.year, actor=current_user.email, channel="admin")
        model.round = item.id
        model.full_name = clean_name(model.full_name)
        model.name_key = person_key(model.full_name)
        for name in ("academic_title", "degree"):
            setattr(model, name, (getattr(model, name) or "").strip() or None)
        g.honours_person_before = Nomination.select(Nomination.person).where(Nomination.id == model.id).scalar() \
            if not is_created else None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        link_nominations([(model, {"full_name": model.full_name, "nominator_name": model.nominator_name,
                                   "workplace_name": model.workplace_name})])
        refresh([model.id], people=[g.get("honours_person_before")])

    def on_model_delete(self, model):
        if locked_for(current_user, Round.get_or_none(Round.id == model.round_id)):
            raise ValidationError(f"Đợt tôn vinh năm {model.year} đã khóa: chỉ quản trị viên được xóa")
        g.honours_deleted = (model.round_id, model.person_id)
        super().on_model_delete(model)

    def after_model_delete(self, model):
        round_id, person_id = g.pop("honours_deleted", (None, None))
        if round_id is not None:
            refresh(round_ids=[round_id], people=[person_id])


# -- categories (admins only) ------------------------------------------------------------------------
CATEGORY_LABELS = {
    "name": "Hình thức tôn vinh", "aliases": "Cách viết khác", "sort_order": "Thứ tự", "active": "Đang dùng",
    "academic_title": "Học hàm cần có", "degrees": "Học vị được chấp nhận", "window": "Thời điểm công nhận",
    "province_link": "Cần gắn bó với tỉnh (sinh ra, hoặc sống, làm việc từ 5 năm)",
    "min_achievements": "Số thành tích tối thiểu", "repeatable": "Được tôn vinh lại (tính theo lượt)",
}


class CategoryView(ModelView):
    """Hình thức tôn vinh and their eligibility, as data."""

    required_role = "admin"
    column_list = ["name", "academic_title", "degrees", "window", "province_link", "min_achievements", "repeatable",
                   "active"]
    column_labels = CATEGORY_LABELS
    column_choices = {"window": list(rules.WINDOWS)}
    column_searchable_list = ["name", "aliases"]
    column_default_sort = ("sort_order", False)
    form_columns = ["name", "aliases", "academic_title", "degrees", "window", "province_link", "min_achievements",
                    "repeatable", "sort_order", "active"]
    form_overrides = {"aliases": TextAreaField}
    form_args = {
        "aliases": {"description": "Cách viết khác trong bảng tính, cách nhau bằng dấu ; hoặc xuống dòng"},
        "academic_title": {"description": "GS hoặc PGS; để trống nếu không cần"},
        "degrees": {"description": "Ví dụ: TS; TSKH — để trống nếu không cần"},
        "min_achievements": {"validators": [Optional(), NumberRange(min=0, max=100)]},
    }

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.degrees = "; ".join(split_aliases(model.degrees)) or None
        model.academic_title = (model.academic_title or "").strip() or None
        model.window = model.window or None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        refresh(round_ids=[i for (i,) in Round.select(Round.id).where(Round.closed == False).tuples()])  # noqa: E712


def honours_views():
    """The views the plugin hands to the core."""
    return [
        RoundView(Round, name="Đợt tôn vinh", category=CATEGORY, endpoint="honours_round"),
        NominationView(Nomination, name="Đề cử", category=CATEGORY, endpoint="honours_nomination"),
        CategoryView(Category, name="Hình thức tôn vinh", category=CATEGORY, endpoint="honours_category"),
    ]


# -- the person's page in the registry ----------------------------------------------------------------
DETAILS_BASE = "honours_person_details_base"


def show_history_on_person_pages(admin, app) -> None:
    """The registry's person page (the core's ``person`` view) shows the person's history
    across rounds and areas below its details: its details template becomes one that
    extends the template it had (Flask-Admin's ``details_template``)."""
    view = next((v for v in admin._views if getattr(v, "endpoint", None) == "person" and v.model is Person), None)
    if view is None or view.details_template == "honours/person_details.html":
        return
    app.jinja_env.globals[DETAILS_BASE] = view.details_template
    app.jinja_env.globals["honours_person_history"] = history_for_page
    view.details_template = "honours/person_details.html"


def history_for_page(person):
    """The history areas of a person the page already showed (it is scoped)."""
    from plugins.honours.history import person_history

    if not isinstance(person, Person):
        return []
    return person_history(person, current_app.extensions["phoihop_models"], current_app.extensions["phoihop_bindings"])
