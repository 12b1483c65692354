"""Admin views of the contests area (menu "Cuộc thi, giải thưởng").

- :class:`EditionView` — editions with their tier settings (quota, minimum score, prize
  money) and funding inline; per edition a ranking page per field (each judge's score,
  flags, proposed prize, contested quotas, the council's override), the prize list as the
  decision annex (xlsx) and the follow-up lists of rule 7 (xlsx or CSV) —
  :mod:`plugins.contests.pages`;
- :class:`EntryView` — entries, filtered by edition, field, nominating unit and prize,
  searched by title and author, certificates issued for the selected;
- :class:`JudgeView`, :class:`ScoreView` — judges and scores (the sheets fill them);
- :class:`CertificateView` — certificates: print, revoke;
- the catalogue (admins only): kinds, fields, tiers, criteria and their weights, the base
  salary.

Login, roles, unit scoping, audit and safe exports are the core's (``core.admin``). Every
save recomputes the edition's results (:mod:`plugins.contests.results`).
"""
from flask import flash, request
from flask_admin.actions import action
from flask_admin.contrib.peewee.filters import BasePeeweeFilter, BooleanEqualFilter, FilterLike
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms import TextAreaField
from wtforms.validators import NumberRange, Optional

from core.admin import READ_ONLY, RECORDS, STAFF, ModelView, label_column, names_of, scope
from core.models import Unit
from core.widgets import IdFilter, MoneyField, OrganisationLookup, Options, date_column, money_column, unit_filters
from plugins.contests import catalog, certificates, rules, settings
from plugins.contests.index import Catalog
from plugins.contests.links import fill_registry, follow_entries, link_board, link_entries, link_judges, seat_judges
from plugins.contests.models import (
    BaseSalary, Certificate, ContestField, ContestKind, Criterion, CriterionWeight, Edition, EditionFunding,
    EditionTier, Entry, Judge, PrizeTier, Score, SCOPES,
)
from plugins.contests.pages import CertificatePages, EditionPages
from plugins.contests.results import recompute, recompute_stale
from sheets.values import format_list, parse_list

CATEGORY = "Cuộc thi, giải thưởng"


def tier_label(tier):
    return f"{tier.name} — {tier.kind.name}"


# -- filters whose options are read when the list is drawn ------------------------------------------
def edition_options():
    return [(str(i), name) for i, name in scope(Edition.select(Edition.id, Edition.name), Edition)
            .order_by(Edition.season_start.desc(), Edition.name).tuples()]


def field_options():
    query = (ContestField.select(ContestField.id, ContestField.name, ContestKind.name).join(ContestKind)
             .order_by(ContestKind.sort_order, ContestField.sort_order).tuples())
    return [(str(i), f"{name} ({kind})") for i, name, kind in query]


def prize_options():
    names = sorted({name for (name,) in PrizeTier.select(PrizeTier.name).tuples()})
    return [*((n, n) for n in names), ("co-giai", "Có giải"), ("khong-giai", "Không có giải"),
            ("hoi-dong", rules.COUNCIL), ("chua-du", rules.INSUFFICIENT)]


class PrizeFilter(BasePeeweeFilter):
    """Giải: a tier's name (as the prize stands), any prize, none, contested, too few scores."""

    def apply(self, query, value):
        if value == "co-giai":
            return query.where(Entry.final_tier.is_null(False))
        if value == "khong-giai":
            return query.where(Entry.final_tier.is_null())
        if value == "hoi-dong":
            return query.where(Entry.contested == True, Entry.overridden == False)  # noqa: E712
        if value == "chua-du":
            return query.where(Entry.ranked == False)  # noqa: E712
        return query.where(Entry.final_tier.in_(PrizeTier.select(PrizeTier.id).where(PrizeTier.name == value)))

    def operation(self):
        return "là"


class AuthorSearch:
    """Search by author: the authors as written (the entry's own text)."""

    name = "authors"
    model = Entry

    def __pow__(self, term):
        return Entry.authors ** term


edition_column = label_column(Edition, Edition.name, "edition")
field_column = label_column(ContestField, ContestField.name, "field")
unit_column = label_column(Unit, Unit.name, "unit")
kind_column = label_column(ContestKind, ContestKind.name, "kind")
criterion_column = label_column(Criterion, Criterion.name, "criterion")


def link_column(endpoint, label):
    def formatter(view, context, model, name):
        from flask import url_for

        return Markup(f'<a href="{escape(url_for(endpoint, id=model.id))}">{escape(label)}</a>')

    return formatter


def prize_column(view, context, model, name):
    data = model.__data__
    tiers = names_of(PrizeTier, PrizeTier.name)
    return rules.prize_label(ranked=model.ranked, tier_name=tiers.get(data.get("proposed_tier")),
                             contested=model.contested, overridden=model.overridden,
                             override_name=tiers.get(data.get("override_tier")))


# -- editions ------------------------------------------------------------------------------------------
EDITION_LABELS = {
    "unit": "Đơn vị", "kind": "Loại cuộc thi", "name": "Tên cuộc thi", "aliases": "Cách viết khác",
    "number": "Lần thứ", "season_start": "Năm bắt đầu", "season_end": "Năm kết thúc",
    "standing_body": "Cơ quan thường trực", "board_chair": "Trưởng ban tổ chức",
    "board_members": "Cơ quan thành viên ban tổ chức", "rounds": "Các vòng",
    "min_valid_scores": "Số phiếu hợp lệ tối thiểu", "spread_limit": "Chênh lệch điểm tối đa",
    "max_score": "Thang điểm", "quota_scope": "Chỉ tiêu giải tính theo", "scoring": "Cách tính điểm",
    "jury_points": "Điểm giám khảo (thang)", "vote_points": "Điểm bình chọn (thang)",
    "received_until": "Hạn nhận hồ sơ", "ceremony_date": "Ngày trao giải", "decision_number": "Số quyết định",
    "decision_date": "Ngày quyết định", "notes": "Ghi chú", "ranking": "Kết quả", "tier_settings": "Hạng giải",
    "funding": "Nguồn kinh phí", "quotas": "Số giải theo hạng", "minimums": "Điểm tối thiểu theo hạng",
    "prize_money": "Tiền thưởng theo hạng", "funding_text": "Nguồn kinh phí",
}
SETTING_FIELDS = (("quotas", settings.QUOTA), ("minimums", settings.MIN_SCORE), ("prize_money", settings.MONEY))


class EditionView(EditionPages, ModelView):
    """Kỳ, lần tổ chức: set-up (rules, quotas, money) and the results pages."""

    permissions = {**RECORDS, "override": STAFF}
    column_list = ["name", "kind", "unit", "number", "season_start", "season_end", "quota_scope", "scoring",
                   "min_valid_scores", "spread_limit", "ranking"]
    column_export_list = ["name", "kind", "unit", "number", "season_start", "season_end", "quota_scope", "scoring",
                          "min_valid_scores", "spread_limit", "max_score", "decision_number", "decision_date"]
    column_labels = EDITION_LABELS
    column_searchable_list = ["name", "aliases"]
    column_sortable_list = ["name", "number", "season_start", "season_end"]
    column_default_sort = ("season_start", True)
    column_filters = [*unit_filters("Đơn vị"), IdFilter(Edition.kind, "Loại cuộc thi", options=Options(
        lambda: [(str(i), n) for i, n in ContestKind.select(ContestKind.id, ContestKind.name).tuples()]))]
    column_choices = {"quota_scope": list(SCOPES), "scoring": list(rules.FORMULAS.items())}
    column_formatters = {"ranking": link_column("contests_edition.ranking_view", "Bảng xếp hạng"),
                         "kind": kind_column, "unit": unit_column}
    form_columns = ["unit", "kind", "name", "aliases", "number", "season_start", "season_end", "standing_body",
                    "board_chair", "board_members", "rounds", "min_valid_scores", "spread_limit", "max_score", "quota_scope", "scoring",
                    "jury_points", "vote_points", "received_until", "ceremony_date", "decision_number",
                    "decision_date", "notes"]
    form_overrides = {"aliases": TextAreaField, "notes": TextAreaField, "board_members": TextAreaField}
    form_args = {
        "board_members": {"description": "Mỗi cơ quan một dòng, hoặc cách nhau bằng dấu ;"},
        "min_valid_scores": {"validators": [NumberRange(min=1, max=100)]},
        "spread_limit": {"validators": [NumberRange(min=0)]},
        "max_score": {"validators": [NumberRange(min=1)]},
        "rounds": {"description": "Các vòng theo thứ tự, cách nhau bằng dấu ; — vòng cuối quyết định giải"},
        "aliases": {"description": "Cách viết khác trong cột \"Cuộc thi\", cách nhau bằng dấu ; hoặc xuống dòng"},
    }
    # Settings per tier as text, as on the command line ("Nhất=1; Nhì=2"): no script is
    # needed to add a row (the Content Security Policy runs none inline).
    form_extra_fields = {
        "quotas": TextAreaField(EDITION_LABELS["quotas"], description="Ví dụ: Nhất=1; Nhì=2; Ba=3 — theo từng lĩnh "
                                "vực hoặc cho toàn cuộc thi, như mục \"Chỉ tiêu giải tính theo\""),
        "minimums": TextAreaField(EDITION_LABELS["minimums"], description="Ví dụ: Khuyến khích=60"),
        "prize_money": TextAreaField(EDITION_LABELS["prize_money"],
                                     description="Ví dụ: Nhất=5 triệu; Nhì=2,5 lương cơ sở"),
        "funding_text": TextAreaField(EDITION_LABELS["funding_text"],
                                      description="Mỗi nguồn một dòng, ví dụ: Xã hội hóa (Công ty ABC): 20 triệu"),
    }

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {"standing_body": OrganisationLookup("standing_body")}
        super().__init__(*args, **kwargs)

    def on_form_prefill(self, form, id):
        edition = self.get_one(id)
        rows = {s.tier_id: s for s in EditionTier.select().where(EditionTier.edition == edition)}
        tiers = [(t.name, rows.get(t.id)) for t in PrizeTier.select().where(PrizeTier.kind == edition.kind_id)
                 .order_by(PrizeTier.sort_order)]
        for name, what in SETTING_FIELDS:
            form[name].data = settings.format_settings(tiers, what)
        form.funding_text.data = settings.format_funding(
            EditionFunding.select().where(EditionFunding.edition == edition).order_by(EditionFunding.id),
            catalog.FUNDING_SOURCES)

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "kind") or form.kind.data is None:
            return valid
        kind = form.kind.data
        tiers = list(PrizeTier.select().where(PrizeTier.kind == kind.id, PrizeTier.active != False)  # noqa: E712
                     .order_by(PrizeTier.sort_order))
        form.parsed_settings = {}
        for name, what in SETTING_FIELDS:
            try:
                form.parsed_settings[what] = settings.parse_settings(form[name].data or "", tiers, kind.name, what,
                                                                     EDITION_LABELS[name])
            except settings.SettingError as exc:
                form[name].errors = [*form[name].errors, str(exc)]
                valid = False
        try:
            form.parsed_funding = settings.parse_funding(form.funding_text.data, catalog.FUNDING_SOURCES)
        except settings.SettingError as exc:
            form.funding_text.errors = [*form.funding_text.errors, str(exc)]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.name = " ".join((model.name or "").split())
        model.board_members = format_list(parse_list(model.board_members)) or None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        parsed = getattr(form, "parsed_settings", None)
        if parsed is not None:
            rows = {}
            for what, values in parsed.items():
                for tier, value in values.items():
                    row = rows.setdefault(tier.id, {"edition": model.id, "tier": tier.id, "quota": None, "min_score": None,
                                                    "money": None, "money_multiple": None})
                    if what == settings.MONEY:
                        row["money"], row["money_multiple"] = value
                    else:
                        row[what] = value
            EditionTier.delete().where(EditionTier.edition == model.id).execute()
            if rows:
                EditionTier.insert_many(list(rows.values())).execute()
        funding = getattr(form, "parsed_funding", None)
        if funding is not None:
            EditionFunding.delete().where(EditionFunding.edition == model.id).execute()
            if funding:
                EditionFunding.insert_many([{"edition": model.id, "source": code, "sponsor": sponsor, "amount": amount}
                                            for code, sponsor, amount in funding]).execute()
        link_board(model)
        recompute([model.id])


# -- entries --------------------------------------------------------------------------------------------
ENTRY_LABELS = {
    "unit": "Đơn vị", "edition": "Cuộc thi", "number": "STT", "title": "Tên giải pháp", "authors": "Tác giả",
    "author_address": "Đơn vị/Địa chỉ", "field": "Lĩnh vực", "nominating_name": "Đơn vị giới thiệu",
    "received_on": "Ngày nhận", "round_reached": "Vòng", "class_name": "Lớp", "school": "Trường",
    "teacher": "Giáo viên hướng dẫn", "votes": "Bình chọn", "sent_national": "Gửi dự thi toàn quốc",
    "national_prize": "Giải toàn quốc", "notes": "Ghi chú", "score": "Điểm", "raw_mean": "Điểm trung bình",
    "normalised": "Điểm chuẩn hóa", "rank": "Xếp hạng", "valid_scores": "Số phiếu hợp lệ", "spread": "Chênh lệch",
    "large_spread": "Chênh lệch điểm lớn", "prize": "Giải", "prize_money": "Tiền thưởng", "archived": "Lưu trữ",
    "override_note": "Ý kiến Hội đồng", "overridden_by": "Người quyết định", "overridden_at": "Thời điểm quyết định",
}


class EntryView(ModelView):
    """Giải pháp, bài dự thi: what the entries sheet fills, with phoihop's results."""

    action_permissions = {"delete": "delete", "certificate": "edit"}
    column_list = ["number", "title", "authors", "edition", "field", "nominating_name", "score", "rank", "prize",
                   "unit"]
    column_details_list = ["unit", "edition", "number", "title", "authors", "author_address", "field",
                           "nominating_name", "received_on", "round_reached", "class_name", "school", "teacher",
                           "votes", "sent_national", "national_prize", "notes", "valid_scores", "raw_mean",
                           "normalised", "score", "spread", "large_spread", "rank", "prize", "prize_money",
                           "override_note", "overridden_by", "overridden_at", "archived"]
    column_export_list = ["number", "title", "authors", "author_address", "edition", "field", "nominating_name",
                          "received_on", "valid_scores", "score", "rank", "prize", "prize_money",
                          "sent_national", "national_prize"]
    column_labels = ENTRY_LABELS
    column_searchable_list = ["title", "number"]
    column_sortable_list = ["number", "title", "score", "rank", "nominating_name"]
    column_default_sort = [("edition", False), ("field", False), ("rank", False)]
    column_filters = [
        *unit_filters("Đơn vị"),
        IdFilter(Entry.edition, "Cuộc thi", options=Options(edition_options)),
        IdFilter(Entry.field, "Lĩnh vực", options=Options(field_options)),
        FilterLike(Entry.nominating_name, "Đơn vị giới thiệu"),
        PrizeFilter(Entry.final_tier, "Giải", options=Options(prize_options)),
        BooleanEqualFilter(Entry.sent_national, "Gửi dự thi toàn quốc"),
        BooleanEqualFilter(Entry.archived, "Lưu trữ"),
    ]
    column_formatters = {"prize": prize_column, "prize_money": money_column, "edition": edition_column,
                         "field": field_column, "unit": unit_column}
    column_formatters_export = {"prize": prize_column, "received_on": date_column, "edition": edition_column,
                                "field": field_column}
    form_columns = ["unit", "edition", "number", "title", "authors", "author_address", "field", "nominating_name",
                    "received_on", "round_reached", "class_name", "school", "teacher", "votes", "sent_national",
                    "national_prize", "notes", "archived"]
    form_overrides = {"authors": TextAreaField, "title": TextAreaField}
    form_args = {"authors": {"description": "Mỗi người một dòng, hoặc cách nhau bằng dấu ;"},
                 "field": {"get_label": lambda f: f"{f.name} ({f.kind.name})"},
                 "votes": {"validators": [Optional(), NumberRange(min=0)]}}

    def init_search(self):
        super().init_search()
        self._search_fields.append(AuthorSearch())
        return True

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "edition") or form.edition.data is None or form.field.data is None:
            return valid
        catalog = Catalog.load()
        edition = catalog.editions.get(form.edition.data.id)
        if edition is not None and not edition.has_field(form.field.data.id):
            names = "; ".join(catalog.field_names(edition))
            form.field.errors = [f'Lĩnh vực "{form.field.data.name}" không thuộc các lĩnh vực của {edition.name}: {names}']
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        model.authors = format_list(parse_list(model.authors)) or None

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        link_entries([(model, {"authors": parse_list(model.authors), "nominating_name": model.nominating_name,
                               "teacher": model.teacher})])
        follow_entries([model.id])
        if model.edition_id:
            recompute_stale([model.edition_id])

    @action("certificate", "Cấp giấy chứng nhận", "Cấp giấy chứng nhận cho các giải pháp đã chọn có giải?")
    def action_certificate(self, ids):
        keys = self.parse_ids(ids)
        entries = list(self.get_query().where(Entry.id.in_(keys)))
        made = certificates.issue(entries, current_user.email)
        flash(f"Đã cấp {len(made)} giấy chứng nhận (giải pháp chưa có giải, hoặc đã có giấy chứng nhận, được bỏ qua).",
              "success")


# -- judges and scores ------------------------------------------------------------------------------------
class JudgeView(ModelView):
    """Giám khảo: what the judges sheet fills."""

    column_list = ["name", "edition", "fields_text", "workplace_name", "email", "unit"]
    column_labels = {"name": "Họ và tên", "edition": "Cuộc thi", "fields_text": "Lĩnh vực chấm",
                     "workplace_name": "Đơn vị công tác", "email": "Email", "unit": "Đơn vị", "archived": "Lưu trữ"}
    column_searchable_list = ["name", "workplace_name", "fields_text"]
    column_filters = [*unit_filters("Đơn vị"), IdFilter(Judge.edition, "Cuộc thi", options=Options(edition_options))]
    column_formatters = {"edition": edition_column, "unit": unit_column}
    form_columns = ["unit", "edition", "name", "fields_text", "workplace_name", "email", "archived"]
    form_overrides = {"fields_text": TextAreaField}
    form_args = {"fields_text": {"description": "Mỗi lĩnh vực một dòng (một giám khảo có thể chấm hai tổ)"}}

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "edition") or form.edition.data is None:
            return valid
        catalog = Catalog.load()
        known, unknown = catalog.judge_fields(form.fields_text.data)
        edition = catalog.editions.get(form.edition.data.id)
        outside = [name for name in unknown] + [found[0].name for found in known
                                                if not any(edition.has_field(f.id) for f in found)]
        if outside:
            form.fields_text.errors = [f'Lĩnh vực "{outside[0]}" không thuộc các lĩnh vực của {edition.name}']
            valid = False
        return valid

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        link_judges([(model, {"name": model.name, "workplace_name": model.workplace_name})])
        seat_judges(Catalog.load(), [model])
        fill_registry([model])
        if model.edition_id:
            recompute_stale([model.edition_id])


class ScoreView(ModelView):
    """Phiếu chấm: what the score sheets fill, with each score's verdict."""

    column_list = ["edition", "entry", "judge_name", "total", "counted", "status", "unit"]
    column_labels = {"edition": "Cuộc thi", "entry": "Giải pháp", "judge": "Giám khảo", "judge_name": "Giám khảo",
                     "given_total": "Điểm", "total": "Điểm", "counted": "Được tính", "status": "Tình trạng phiếu",
                     "comment": "Nhận xét", "round": "Vòng", "correction": "Phiếu sửa", "unit": "Đơn vị",
                     "archived": "Lưu trữ"}
    column_searchable_list = ["judge_name", "status"]
    column_filters = [*unit_filters("Đơn vị"), IdFilter(Score.edition, "Cuộc thi", options=Options(edition_options)),
                      BooleanEqualFilter(Score.counted, "Được tính")]
    column_formatters = {"edition": edition_column, "entry": lambda v, c, m, n: getattr(m, "_title", ""),
                         "unit": unit_column}
    form_columns = ["unit", "entry", "judge", "given_total", "comment", "round", "correction", "archived"]
    form_args = {"given_total": {"validators": [Optional(), NumberRange(min=0)]},
                 "entry": {"get_label": lambda e: f"{e.number or ''} {e.title}".strip()}}

    def get_list(self, *args, **kwargs):
        count, rows = super().get_list(*args, **kwargs)
        if isinstance(rows, list) and rows:
            ids = {row.entry_id for row in rows if row.entry_id}
            titles = dict(Entry.select(Entry.id, Entry.title).where(Entry.id.in_(list(ids))).tuples()) if ids else {}
            for row in rows:
                row._title = titles.get(row.entry_id, "")
        return count, rows

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not hasattr(form, "entry") or form.entry.data is None or form.judge.data is None:
            return valid
        entry, judge = form.entry.data, form.judge.data
        catalog = Catalog.load()
        if judge.edition_id != entry.edition_id or entry.field_id not in catalog.seats(judge.edition_id, judge.fields_text):
            form.judge.errors = [f'Giám khảo "{judge.name}" không có trong tổ chấm lĩnh vực của giải pháp này']
            valid = False
        edition = catalog.editions.get(entry.edition_id)
        problem = rules.check_total(form.given_total.data, edition.max_score) if edition else None
        if problem:
            form.given_total.errors = [problem]
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if model.judge_id:
            model.judge_name = Judge.get_by_id(model.judge_id).name
        if model.entry_id:
            entry = Entry.get_by_id(model.entry_id)
            model.edition, model.field = entry.edition_id, entry.field_id
        model.total = model.given_total

    def after_model_change(self, form, model, is_created):
        super().after_model_change(form, model, is_created)
        if model.edition_id:
            recompute_stale([model.edition_id])


# -- certificates ---------------------------------------------------------------------------------------------
class CertificateView(CertificatePages, ModelView):
    """Giấy chứng nhận: issued from the entries list; printed, checked, revoked here."""

    permissions = {**READ_ONLY, "revoke": STAFF}
    action_permissions = {"delete": "delete", "revoke": "revoke"}
    column_list = ["code", "title", "tier_name", "edition_name", "issued_at", "issued_by", "revoked_at", "print"]
    column_labels = {"code": "Mã xác minh", "title": "Giải pháp", "authors": "Tác giả", "tier_name": "Giải",
                     "edition_name": "Cuộc thi", "field_name": "Lĩnh vực", "nominating_name": "Đơn vị giới thiệu",
                     "issued_at": "Ngày cấp", "issued_by": "Người cấp", "revoked_at": "Ngày thu hồi",
                     "revoked_by": "Người thu hồi", "revoke_reason": "Lý do thu hồi", "print": "In",
                     "decision_number": "Số quyết định", "decision_date": "Ngày quyết định", "unit": "Đơn vị"}
    column_searchable_list = ["code", "title", "authors"]
    column_default_sort = ("issued_at", True)
    column_formatters = {"print": link_column("contests_certificate.print_view", "In giấy chứng nhận")}
    column_export_list = ["code", "title", "authors", "tier_name", "edition_name", "issued_at", "revoked_at"]

    @action("revoke", "Thu hồi", "Thu hồi các giấy chứng nhận đã chọn?")
    def action_revoke(self, ids):
        keys = self.parse_ids(ids)
        chosen = list(self.get_query().where(Certificate.id.in_(keys)))
        reason = (request.form.get("reason") or "Thu hồi theo quyết định của Ban tổ chức").strip()[:500]
        done = certificates.revoke(chosen, current_user.email, reason)
        flash(f"Đã thu hồi {done} giấy chứng nhận.", "success")


# -- the catalogue (admins only) -------------------------------------------------------------------------------
CATALOGUE_LABELS = {"kind": "Loại cuộc thi", "name": "Tên", "aliases": "Cách viết khác", "sort_order": "Thứ tự",
                    "active": "Đang dùng", "cycle_years": "Chu kỳ (năm)", "max_points": "Điểm tối đa",
                    "criterion": "Tiêu chí", "field": "Lĩnh vực", "weight": "Trọng số",
                    "effective_from": "Áp dụng từ ngày", "amount": "Mức lương cơ sở (đồng)",
                    "legal_basis": "Căn cứ"}


class CatalogueView(ModelView):
    required_role = "admin"
    column_labels = CATALOGUE_LABELS
    form_excluded_columns = ["updated_at"]
    form_overrides = {"aliases": TextAreaField}
    form_args = {"aliases": {"description": "Cách viết khác trong bảng tính, cách nhau bằng dấu ; hoặc xuống dòng"}}


class KindView(CatalogueView):
    column_list = ["name", "aliases", "cycle_years", "sort_order", "active"]
    column_searchable_list = ["name", "aliases"]


def kind_filter(model):
    """Filter a kind's items (fields, tiers) by their kind — on that model's own column."""
    return IdFilter(model.kind, "Loại cuộc thi", options=Options(
        lambda: [(str(i), n) for i, n in ContestKind.select(ContestKind.id, ContestKind.name).tuples()]))


class FieldView(CatalogueView):
    column_list = ["kind", "name", "aliases", "sort_order", "active"]
    column_formatters = {"kind": kind_column}
    column_searchable_list = ["name", "aliases"]
    column_filters = [kind_filter(ContestField)]


class TierView(FieldView):
    column_filters = [kind_filter(PrizeTier)]


class CriterionView(CatalogueView):
    column_list = ["kind", "name", "aliases", "max_points", "sort_order", "active"]
    column_formatters = {"kind": kind_column}
    column_searchable_list = ["name", "aliases"]


class WeightView(CatalogueView):
    column_list = ["criterion", "field", "weight"]
    column_formatters = {"criterion": criterion_column, "field": field_column}
    form_args = {"field": {"get_label": lambda f: f"{f.name} ({f.kind.name})"},
                 "criterion": {"get_label": lambda c: f"{c.name} ({c.kind.name})"},
                 "weight": {"validators": [NumberRange(min=0)]}}


class BaseSalaryView(CatalogueView):
    column_list = ["effective_from", "amount", "legal_basis"]
    column_default_sort = ("effective_from", True)
    column_formatters = {"amount": money_column}
    form_overrides = {"amount": MoneyField}


def contests_views():
    """The views the plugin hands to the core."""
    return [
        EditionView(Edition, name="Cuộc thi (kỳ, lần)", category=CATEGORY, endpoint="contests_edition"),
        EntryView(Entry, name="Giải pháp dự thi", category=CATEGORY, endpoint="contests_entry"),
        JudgeView(Judge, name="Giám khảo", category=CATEGORY, endpoint="contests_judge"),
        ScoreView(Score, name="Phiếu chấm", category=CATEGORY, endpoint="contests_score"),
        CertificateView(Certificate, name="Giấy chứng nhận", category=CATEGORY, endpoint="contests_certificate"),
        KindView(ContestKind, name="Loại cuộc thi", category=CATEGORY, endpoint="contests_kind"),
        FieldView(ContestField, name="Lĩnh vực", category=CATEGORY, endpoint="contests_field"),
        TierView(PrizeTier, name="Hạng giải", category=CATEGORY, endpoint="contests_tier"),
        CriterionView(Criterion, name="Tiêu chí chấm", category=CATEGORY, endpoint="contests_criterion"),
        WeightView(CriterionWeight, name="Trọng số tiêu chí", category=CATEGORY, endpoint="contests_weight"),
        BaseSalaryView(BaseSalary, name="Mức lương cơ sở", category=CATEGORY, endpoint="contests_base_salary"),
    ]

