"""Admin views of the critique area (menu "Tư vấn, phản biện").

- :class:`RequestView` — the requests, filtered by requester, form, kind, basis, status,
  short window, overdue, no uptake report, conflict of interest, mandatory list; each row
  shows its comment window in calendar and working days and its flags, computed for the
  page in a constant number of queries (:mod:`plugins.critique.assess`). A request's page
  shows its team (the lead first, conflicts of interest named), the experts' reviews and
  the recommendations made and taken up.
- :class:`ExpertView` — the expert directory with each expert's open requests (their
  load) and all their requests; an expert's page lists their history and reviews.
- :class:`ReviewView` — the experts' reviews; an expert with a conflict of interest on a
  request, or not on its team, cannot review it (rule 3).
- :class:`CalendarDayView` — the working-day calendar (days off and compensating working
  days), seeded 2020–2027 from the ``holidays`` library, edited by admins.
- the lookup lists (admins only): kinds, forms, bases.

Login, roles, unit scoping, audit and safe exports are the core's (``core.admin``).
"""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_admin.contrib.peewee.filters import BooleanEqualFilter, FilterEqual, FilterLike
from flask_login import current_user
from peewee import JOIN, fn
from wtforms import StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from core import lookups
from core.admin import ADMINS, EVERYONE, ModelView, label_column, scope
from core.formats import DETAIL_FORMATTERS
from core.models import Organisation, Person, Unit
from core.security import parse_key
from core.widgets import (
    MoneyField, Options, OrganisationLookup, PersonLookup, YearFilter, date_column, money_column, unit_filters,
)
from plugins.critique import rules, settings
from plugins.critique.assess import assess
from plugins.critique.filters import (
    StatusFilter, YesNoFilter, conflict_condition, entry_options, loads_of, no_uptake_condition,
    overdue_condition, requester_options, short_condition,
)
from plugins.critique.links import directory, link_experts, set_team, team_of
from plugins.critique.models import (
    DAY_KINDS, CalendarDay, Expert, Request, RequestBasis, RequestForm, RequestKind, Review, TeamMember,
)
from sheets.values import format_list, parse_list

blueprint = Blueprint("critique_admin", __name__, template_folder="templates")
CATEGORY = "Tư vấn, phản biện"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

REQUEST_LABELS = {
    "unit": "Đơn vị", "title": "Tên nhiệm vụ", "kind": "Loại", "form": "Hình thức", "basis": "Căn cứ",
    "requester": "Cơ quan đề nghị", "requester_name": "Cơ quan đề nghị", "mandatory": "Thuộc danh mục bắt buộc",
    "bypassed": "Không gửi LHH", "issued_on": "Ngày ban hành", "received_on": "Ngày nhận", "deadline": "Hạn góp ý",
    "documents_complete": "Hồ sơ đầy đủ", "missing_documents": "Hồ sơ còn thiếu", "experts_text": "Chuyên gia",
    "status": "Trạng thái", "shown_status": "Trạng thái", "refusal_reason": "Lý do từ chối",
    "report_sent_on": "Ngày gửi báo cáo", "recommendations": "Số kiến nghị", "accepted": "Số kiến nghị được tiếp thu",
    "acceptance_rate": "Tỷ lệ tiếp thu (%)", "budget": "Kinh phí", "notes": "Ghi chú", "window_days": "Số ngày góp ý",
    "working_days": "Số ngày làm việc", "warnings": "Cảnh báo", "archived": "Lưu trữ", "created_at": "Ngày tạo",
}


# -- formatters ----------------------------------------------------------------------------------------
def assessed(model):
    found = getattr(model, "_assessed", None)
    if found is None:
        found = model._assessed = assess([model])[model.id]
    return found


def plain(value):
    return "" if value is None else str(value)


def working_days_column(view, context, model, name):
    return plain(assessed(model).working_days)


def window_column(view, context, model, name):
    return plain(assessed(model).window_days)


def warnings_column(view, context, model, name):
    return assessed(model).warning_text


def status_column(view, context, model, name):
    return assessed(model).status


def rate_column(view, context, model, name):
    rate = rules.acceptance_rate(model.recommendations, model.accepted) if model.accepted is not None else None
    return "" if rate is None else f"{rate:.2f}".replace(".", ",")


def attached(attribute):
    """What :meth:`ReviewView.get_list` attached to the row (a name read for the page)."""
    def formatter(view, context, model, name):
        found = getattr(model, attribute, None)
        if found is None:  # a single row (details, export of one): its own query
            target = getattr(model, name)
            found = getattr(target, "title", None) or getattr(target, "full_name", "")
        return found

    return formatter


def experts_column(view, context, model, name):
    return format_list(parse_list(model.experts_text))


def yes_no(view, value, name):
    return "Có" if value else "Không"


class CritiqueModelView(ModelView):
    """The area's views: yes/no shown as Có/Không on the details pages (the core's detail
    formatters know numbers, and a bool is one to them)."""

    column_type_formatters_detail = {bool: yes_no, **DETAIL_FORMATTERS}


# -- requests -------------------------------------------------------------------------------------------
class RequestView(CritiqueModelView):
    """Nhiệm vụ tư vấn, phản biện, giám định xã hội."""

    details_template = "critique/request_details.html"
    column_list = ["received_on", "title", "form", "kind", "requester_name", "deadline", "window_days",
                   "working_days", "shown_status", "warnings", "unit"]
    column_details_list = ["unit", "title", "kind", "form", "basis", "requester_name", "mandatory", "bypassed",
                           "issued_on", "received_on", "deadline", "window_days", "working_days", "documents_complete",
                           "missing_documents", "experts_text", "shown_status", "refusal_reason", "report_sent_on",
                           "recommendations", "accepted", "acceptance_rate", "budget", "warnings", "notes", "archived"]
    column_export_list = column_details_list
    column_labels = REQUEST_LABELS
    column_default_sort = ("received_on", True)
    column_sortable_list = ["received_on", "title", ("form", RequestForm.sort_order), ("kind", RequestKind.sort_order),
                            "requester_name", "deadline", "window_days", ("unit", Unit.name)]
    column_searchable_list = ["title", "requester_name", "experts_text"]
    column_filters = [
        *unit_filters("Đơn vị"),
        FilterEqual(Request.requester_name, "Cơ quan đề nghị", options=Options(requester_options)),
        FilterLike(Request.requester_name, "Cơ quan đề nghị"),
        FilterEqual(RequestForm.name, "Hình thức", options=Options(lambda: entry_options(RequestForm))),
        FilterEqual(RequestKind.name, "Loại", options=Options(lambda: entry_options(RequestKind))),
        FilterEqual(RequestBasis.name, "Căn cứ", options=Options(lambda: entry_options(RequestBasis))),
        StatusFilter(),
        YesNoFilter("Thời gian góp ý quá ngắn", lambda: short_condition(settings.min_window_days())),
        YesNoFilter("Quá hạn", lambda: overdue_condition(settings.today())),
        YesNoFilter("Chưa có báo cáo tiếp thu, giải trình",
                    lambda: no_uptake_condition(settings.today(), settings.uptake_days())),
        YesNoFilter("Xung đột lợi ích", conflict_condition),
        BooleanEqualFilter(Request.documents_complete, "Hồ sơ đầy đủ"),
        BooleanEqualFilter(Request.mandatory, "Thuộc danh mục bắt buộc"),
        BooleanEqualFilter(Request.bypassed, "Không gửi LHH"),
        YearFilter(Request.received_on, "Năm"),
        BooleanEqualFilter(Request.archived, "Lưu trữ"),
    ]
    column_formatters = {
        "form": label_column(RequestForm, RequestForm.name, "form"),
        "kind": label_column(RequestKind, RequestKind.name, "kind"),
        "basis": label_column(RequestBasis, RequestBasis.name, "basis"),
        "working_days": working_days_column, "window_days": window_column,
        "warnings": warnings_column, "shown_status": status_column, "acceptance_rate": rate_column,
        "budget": money_column, "experts_text": experts_column, "unit": label_column(Unit, Unit.name, "unit"),
    }
    column_formatters_export = {
        **column_formatters, "budget": lambda v, c, m, n: m.budget,
        **{name: date_column for name in ("issued_on", "received_on", "deadline", "report_sent_on")},
    }
    form_columns = ["unit", "title", "kind", "form", "basis", "requester", "mandatory", "bypassed", "issued_on",
                    "received_on", "deadline", "documents_complete", "missing_documents", "experts_text", "status",
                    "refusal_reason", "report_sent_on", "recommendations", "accepted", "budget", "notes", "archived"]
    form_overrides = {"title": TextAreaField, "experts_text": TextAreaField, "missing_documents": TextAreaField,
                      "refusal_reason": TextAreaField, "notes": TextAreaField, "budget": MoneyField}
    form_args = {
        "requester": {"label": REQUEST_LABELS["requester"]},
        "experts_text": {"description": "Tổ chuyên gia, chủ trì trước: mỗi người một dòng hoặc cách nhau bằng dấu ; "
                                        "(có thể kèm học hàm, học vị: PGS.TS. …), đúng tên trong danh sách chuyên gia"},
        "recommendations": {"validators": [Optional(), NumberRange(min=0, max=100000)]},
        "accepted": {"validators": [Optional(), NumberRange(min=0, max=100000)]},
        "budget": {"description": "Ví dụ: 12.000.000 hoặc 12 triệu"},
        "bypassed": {"description": "Văn bản thuộc danh mục bắt buộc nhưng cơ quan đề nghị không gửi LHH góp ý "
                                    "(ghi ngày ban hành, không ghi ngày nhận)"},
        "status": {"description": f'Trình tự: {" → ".join(rules.MACHINE)}; "Quá hạn" do phoihop tính'},
    }

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"requester": OrganisationLookup("requester", placeholder="Tìm cơ quan đề nghị…")}
        super().__init__(*args, **kwargs)

    # -- queries: the lookup lists and the unit come with every row -----------------------------------
    def get_query(self):
        query = (Request.select(Request)
                 .join_from(Request, RequestForm, JOIN.LEFT_OUTER).join_from(Request, RequestKind, JOIN.LEFT_OUTER)
                 .join_from(Request, RequestBasis, JOIN.LEFT_OUTER).join_from(Request, Unit))
        return scope(query, Request)

    def get_count_query(self):
        return self.get_query().select(fn.COUNT(Request.id))

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (Request, RequestForm, RequestKind, RequestBasis, Unit, None) or model.__name__ in joins:
            return query
        joins.add(model.__name__)
        return query.join_from(Request, model, JOIN.LEFT_OUTER)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            found = assess(rows)
            for row in rows:
                row._assessed = found[row.id]
        return count, rows

    # -- the request's page: team, reviews, recommendations -------------------------------------------
    def render(self, template, **kwargs):
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs.update(request_page(kwargs["model"]))
            kwargs["can_review"] = ReviewView.allowed_for("create")
        return super().render(template, **kwargs)

    # -- forms ------------------------------------------------------------------------------------
    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "title"):
            return valid
        names = ("received_on", "deadline", "issued_on", "bypassed", "report_sent_on", "recommendations", "accepted",
                 "status", "refusal_reason")
        values = {name: form[name].data for name in names if name in form}
        values["experts"] = parse_list(form.experts_text.data) if "experts_text" in form else []
        unit_id = current_user.unit_id or (form.unit.data.id if "unit" in form and form.unit.data else None)
        keys = {key for _unit, key in directory([unit_id])} if unit_id else set()
        for field, message in rules.check_request(values, keys):
            target = form[field] if field in form else (form.experts_text if field == "experts" else form.title)
            target.errors = [*target.errors, message]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        before = g.get("phoihop_before") or {}
        problems = [] if is_created else rules.check_transition(before.get("status"), model.status)
        if problems:
            raise ValidationError(problems[0][1])
        model.requester_name = model.requester.name if model.requester_id else None
        model.experts_text = format_list(parse_list(model.experts_text)) or None
        model.derive()

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        set_team(model, parse_list(model.experts_text))


def request_page(model) -> dict:
    """What a request's page shows beside its fields: the team with their workplaces and
    conflicts, the reviews, the recommendations."""
    found = assessed(model)
    workplaces = {}
    places = {p for _person, _name, ps in found.team for p in ps}
    if places:
        workplaces = dict(Organisation.select(Organisation.id, Organisation.name)
                          .where(Organisation.id.in_(list(places))).tuples())
    reviews = {r.person_id: r for r in Review.select(Review, Person).join(Person).where(Review.request == model.id)}
    team = []
    for position, (person_id, name, ps) in enumerate(found.team):
        team.append({"person_id": person_id, "name": name, "lead": position == 0,
                     "workplaces": sorted(workplaces.get(p, "") for p in ps),
                     "conflict": model.requester_id in ps if model.requester_id else False,
                     "review": reviews.pop(person_id, None)})
    others = list(reviews.values())  # reviews of people no longer on the team
    rate = rules.acceptance_rate(model.recommendations, model.accepted) if model.accepted is not None else None
    return {"team": team, "other_reviews": others, "assessed": found, "acceptance_rate": rate,
            "minimum": settings.min_window_days()}


# -- experts -----------------------------------------------------------------------------------------------
EXPERT_LABELS = {
    "unit": "Đơn vị", "name": "Họ và tên", "title": "Học hàm, học vị", "speciality": "Chuyên ngành",
    "workplace": "Đơn vị công tác", "workplace_name": "Đơn vị công tác", "association": "Hội thành viên",
    "association_name": "Hội thành viên", "email": "Email", "phone": "Điện thoại",
    "availability": "Khả năng tham gia", "notes": "Ghi chú", "open_requests": "Đang thực hiện",
    "total_requests": "Tổng số nhiệm vụ", "person": "Cá nhân", "archived": "Lưu trữ",
}


def load_column(index):
    def formatter(view, context, model, name):
        loads = getattr(model, "_loads", None)
        if loads is None:
            loads = loads_of([model.person_id]).get(model.person_id, (0, 0))
        return str(loads[index])

    return formatter


class ExpertView(CritiqueModelView):
    """Chuyên gia, cộng tác viên: the directory, with each expert's load."""

    details_template = "critique/expert_details.html"
    column_list = ["name", "title", "speciality", "workplace_name", "association_name", "open_requests",
                   "total_requests", "unit"]
    column_details_list = ["unit", "name", "title", "speciality", "workplace_name", "association_name", "email",
                           "phone", "availability", "notes", "open_requests", "total_requests", "archived"]
    column_export_list = column_details_list
    column_labels = EXPERT_LABELS
    column_default_sort = ("name", False)
    column_sortable_list = ["name", "title", "speciality", "workplace_name", "association_name"]
    column_searchable_list = ["name", "speciality", "workplace_name", "association_name"]
    column_filters = [*unit_filters("Đơn vị"), FilterLike(Expert.speciality, "Chuyên ngành"),
                      FilterLike(Expert.workplace_name, "Đơn vị công tác"),
                      FilterLike(Expert.association_name, "Hội thành viên"), BooleanEqualFilter(Expert.archived, "Lưu trữ")]
    column_formatters = {"open_requests": load_column(0), "total_requests": load_column(1),
                         "unit": label_column(Unit, Unit.name, "unit")}
    column_formatters_export = column_formatters
    form_columns = ["unit", "name", "title", "speciality", "workplace", "association", "email", "phone",
                    "availability", "notes", "archived"]
    form_overrides = {"notes": TextAreaField, "name": StringField}
    form_args = {"workplace": {"label": EXPERT_LABELS["workplace"]}, "association": {"label": EXPERT_LABELS["association"]},
                 "name": {"description": "Họ và tên (học hàm, học vị ghi ở ô riêng)"},
                 "title": {"description": "Ví dụ: PGS.TS, TS, ThS, KS"}}

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"workplace": OrganisationLookup("workplace"), "association": OrganisationLookup("association")}
        super().__init__(*args, **kwargs)

    def get_query(self):
        return scope(Expert.select(Expert).join_from(Expert, Unit), Expert)

    def get_count_query(self):
        return self.get_query().select(fn.COUNT(Expert.id))

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (Expert, Unit, None) or model.__name__ in joins:
            return query
        joins.add(model.__name__)
        return query.join_from(Expert, model, JOIN.LEFT_OUTER)

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            loads = loads_of([row.person_id for row in rows])
            for row in rows:
                row._loads = loads.get(row.person_id, (0, 0))
        return count, rows

    def render(self, template, **kwargs):
        if template == self.details_template and kwargs.get("model") is not None:
            kwargs.update(expert_page(kwargs["model"]))
        return super().render(template, **kwargs)

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.workplace_name = model.workplace.name if model.workplace_id else None
        model.association_name = model.association.name if model.association_id else None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        link_experts([(model, {"name": model.name})])


def expert_page(model) -> dict:
    """An expert's history: the requests of their teams (newest first) and their reviews."""
    if not model.person_id:
        return {"history": [], "reviews": []}
    links = (TeamMember.select(TeamMember.position, Request)
             .join(Request, on=(TeamMember.request == Request.id))
             .where(TeamMember.person == model.person_id, Request.archived == False)  # noqa: E712
             .order_by(Request.received_on.desc(nulls="LAST"), Request.id.desc()))
    rows = list(links)
    found = assess([link.request for link in rows])
    history = [{"request": link.request, "lead": link.position == 0, "assessed": found[link.request.id]} for link in rows]
    reviews = list(Review.select(Review, Request).join(Request).where(Review.person == model.person_id)
                   .order_by(Review.submitted_on.desc(nulls="LAST")))
    return {"history": history, "reviews": reviews}


# -- reviews ---------------------------------------------------------------------------------------------
REVIEW_LABELS = {"unit": "Đơn vị", "request": "Nhiệm vụ", "person": "Chuyên gia", "summary": "Tóm tắt ý kiến",
                 "recommendations": "Kiến nghị", "recommendation_count": "Số kiến nghị",
                 "submitted_on": "Ngày gửi ý kiến", "created_at": "Ngày tạo"}


def review_problems(request_row, person_id, review_id=None) -> list[str]:
    """Why this expert cannot review this request: not on its team, a conflict of
    interest (rule 3), or a review already there."""
    problems = []
    members = {person: (name, places) for person, name, places in team_of([request_row.id]).get(request_row.id, [])}
    if person_id not in members:
        problems.append("Chuyên gia không thuộc tổ chuyên gia của nhiệm vụ này (cột \"Chuyên gia\")")
    else:
        name, places = members[person_id]
        if rules.conflicts_of_interest(request_row.requester_id, [(name, places)]):
            problems.append(f"{rules.CONFLICT}: {name} công tác tại {request_row.requester_name}, là cơ quan đề nghị — "
                            "không được góp ý nhiệm vụ này")
    other = Review.select(Review.id).where(Review.request == request_row.id, Review.person == person_id)
    if review_id is not None:
        other = other.where(Review.id != review_id)
    if other.exists():
        problems.append("Chuyên gia đã có ý kiến cho nhiệm vụ này: sửa ý kiến đó")
    return problems


class ReviewView(CritiqueModelView):
    """Ý kiến chuyên gia: one per expert per request."""

    column_list = ["request", "person", "submitted_on", "recommendation_count", "unit"]
    column_details_list = ["unit", "request", "person", "summary", "recommendations", "recommendation_count",
                           "submitted_on", "created_at"]
    column_export_list = column_details_list
    column_labels = REVIEW_LABELS
    column_default_sort = ("submitted_on", True)
    column_sortable_list = ["submitted_on", "recommendation_count"]
    column_searchable_list = ["summary", "recommendations"]
    column_filters = [*unit_filters("Đơn vị"), YearFilter(Review.submitted_on, "Năm")]
    column_formatters = {"unit": label_column(Unit, Unit.name, "unit"), "request": attached("_request_title"),
                         "person": attached("_person_name")}
    column_formatters_export = {**column_formatters, "submitted_on": date_column}
    form_columns = ["request", "person", "summary", "recommendations", "recommendation_count", "submitted_on"]
    form_overrides = {"summary": TextAreaField, "recommendations": TextAreaField}
    form_args = {"person": {"label": REVIEW_LABELS["person"]}, "request": {"label": REVIEW_LABELS["request"]},
                 "recommendations": {"description": "Mỗi kiến nghị một dòng"},
                 "recommendation_count": {"validators": [Optional(), NumberRange(min=0, max=100000)]}}

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"person": PersonLookup("person", placeholder="Tìm chuyên gia…")}
        super().__init__(*args, **kwargs)

    @classmethod
    def allowed_for(cls, permission):
        """Whether the current user may ``permission`` here (for links on other pages)."""
        from flask import current_app

        admin = current_app.extensions.get("phoihop_admin")
        for view in getattr(admin, "_views", ()):
            if isinstance(view, cls):
                return view.allowed(permission)
        return False

    def get_query(self):
        return scope(Review.select(Review).join_from(Review, Unit), Review)

    def get_count_query(self):
        return self.get_query().select(fn.COUNT(Review.id))

    def _handle_join(self, query, field, joins):
        model = getattr(field, "model", None)
        if model in (Review, Unit, None) or model.__name__ in joins:
            return query
        joins.add(model.__name__)
        return query.join_from(Review, model, JOIN.LEFT_OUTER)

    def get_list(self, *args, **kwargs):
        """The page's request titles and expert names: two queries for the page."""
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            titles = dict(Request.select(Request.id, Request.title)
                          .where(Request.id.in_(list({r.request_id for r in rows}))).tuples())
            names = dict(Person.select(Person.id, Person.full_name)
                         .where(Person.id.in_(list({r.person_id for r in rows}))).tuples())
            for row in rows:
                row._request_title = titles.get(row.request_id, "")
                row._person_name = names.get(row.person_id, "")
        return count, rows

    def create_form(self, obj=None):
        """A review started from a request's page comes with its request and expert."""
        form = super().create_form(obj)
        if request.method == "GET" and hasattr(form, "request"):
            key = parse_key(Request.id, request.args.get("request_id")) if request.args.get("request_id") else None
            found = scope(Request.select(), Request).where(Request.id == key).first() if key is not None else None
            if found is not None:
                form.request.data = found
            person = parse_key(Person.id, request.args.get("person_id")) if request.args.get("person_id") else None
            if person is not None and hasattr(form, "person"):
                form.person.data = scope(Person.select(), Person).where(Person.id == person).first()
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "request") or form.request.data is None or form.person.data is None:
            if valid and hasattr(form, "request") and (form.request.data is None or form.person.data is None):
                target = form.request if form.request.data is None else form.person
                target.errors = [*target.errors, "Bắt buộc"]
                return False
            return valid
        review_id = parse_key(Review.id, request.args.get("id")) if request.args.get("id") else None
        problems = review_problems(form.request.data, form.person.data.id, review_id)
        if problems:
            form.person.errors = [*form.person.errors, *problems]
            return False
        return True

    def on_model_change(self, form, model, is_created):
        model.unit = model.request.unit_id
        super().on_model_change(form, model, is_created)


# -- the calendar -------------------------------------------------------------------------------------------
CALENDAR_LABELS = {"day": "Ngày", "weekday": "Thứ", "kind": "Loại ngày", "name": "Tên", "source": "Nguồn",
                   "updated_at": "Cập nhật"}


def weekday_column(view, context, model, name):
    return WEEKDAYS[model.day.weekday()] if model.day else ""


def source_column(view, context, model, name):
    return model.source or "Văn phòng nhập"


class CalendarDayView(CritiqueModelView):
    """Lịch làm việc: days off and compensating working days (everyone reads; admins edit)."""

    permissions = {"list": EVERYONE, "create": ADMINS, "edit": ADMINS, "delete": ADMINS, "export": EVERYONE}
    column_list = ["day", "weekday", "kind", "name", "source"]
    column_export_list = column_list
    column_labels = CALENDAR_LABELS
    column_default_sort = ("day", False)
    column_sortable_list = ["day", "kind", "name"]
    column_searchable_list = ["name"]
    column_choices = {"kind": list(DAY_KINDS)}
    column_filters = [YearFilter(CalendarDay.day, "Năm"), FilterEqual(CalendarDay.kind, "Loại ngày", options=DAY_KINDS)]
    column_formatters = {"weekday": weekday_column, "source": source_column}
    column_formatters_export = {**column_formatters, "day": date_column}
    form_columns = ["day", "kind", "name"]
    form_args = {"kind": {"description": "Nghỉ lễ, Tết; Nghỉ bù; Nghỉ hoán đổi (đổi với một ngày làm bù); "
                                         "Làm bù (thứ Bảy đi làm thay)"}}

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "day") or form.day.data is None:
            return valid
        same = CalendarDay.select(CalendarDay.id).where(CalendarDay.day == form.day.data)
        key = parse_key(CalendarDay.id, request.args.get("id")) if request.args.get("id") else None
        if key is not None:
            same = same.where(CalendarDay.id != key)
        if same.exists():
            form.day.errors = [*form.day.errors, f"Ngày {form.day.data:%d/%m/%Y} đã có trong lịch: sửa dòng đó"]
            return False
        return True

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.source = None  # the office's own entry


# -- lookup lists ----------------------------------------------------------------------------------------------
class LookupView(CritiqueModelView, lookups.LookupView):
    """A lookup list an office extends (admins only), yes/no shown as the area's other views do."""


def critique_views():
    """The views the plugin hands to the core."""
    return [
        RequestView(Request, name="Nhiệm vụ", category=CATEGORY, endpoint="critique_request"),
        ExpertView(Expert, name="Chuyên gia", category=CATEGORY, endpoint="critique_expert"),
        ReviewView(Review, name="Ý kiến chuyên gia", category=CATEGORY, endpoint="critique_review"),
        CalendarDayView(CalendarDay, name="Lịch ngày nghỉ, làm bù", category=CATEGORY, endpoint="critique_calendar"),
        LookupView(RequestKind, name="Loại nhiệm vụ", category=CATEGORY, endpoint="critique_kind"),
        LookupView(RequestForm, name="Hình thức", category=CATEGORY, endpoint="critique_form"),
        LookupView(RequestBasis, name="Căn cứ", category=CATEGORY, endpoint="critique_basis"),
    ]
