"""The critique area's sheet bindings (spec/critique.md, "Sheets"):

- ``critique.experts`` → :class:`~plugins.critique.models.Expert` (``Mã`` CG-…): the
  directory of experts and collaborators, one row per person. Each becomes a ``Person``
  of the unit (the same person across areas) with a workplace and a member association.
- ``critique.requests`` → :class:`~plugins.critique.models.Request` (``Mã`` TV-…): one row
  per subject document. ``Loại``, ``Hình thức`` and ``Căn cứ`` are lookup lists
  (:class:`sheets.mapping.NamedChoices`), ``Trạng thái`` the status machine's steps, ``Chuyên gia`` the
  team (lead first), each named as the directory names them, titles allowed. phoihop
  writes back ``Số ngày làm việc`` (the comment window in working days, by the calendar)
  and ``Cảnh báo`` (the row's flags, joined by "; "), at the right of the table when the
  sheet lacks them.

Row errors name the column and change nothing else: an unknown kind, form or status, a
deadline before the day received, more recommendations accepted than made, an expert
not in the directory, a refusal without its reason. Link and sync the directory first
(``phoihop critique sync`` does both in that order).

The engine hands ``rules()`` a row's values but not its unit, so a team is checked
against the directories of every unit; linking it (``after_save_many``) takes the
experts of the request's own unit. ``read_many`` answers a chunk in a constant number of
queries: the team's names and workplaces (one), the calendar of the years the chunk
spans (two), and no query for the lookup lists (:mod:`plugins.critique.assess`).
"""
from __future__ import annotations

import threading

from sheets.mapping import Column, Mapping, NamedChoices
from sheets.values import format_list, parse_list
from plugins.critique import rules
from plugins.critique.assess import assess
from plugins.critique.calendar import ensure_calendar
from plugins.critique.links import directory_keys, link_experts, link_requesters, link_teams
from plugins.critique.models import Expert, Request, RequestBasis, RequestForm, RequestKind

REQUESTS, EXPERTS = "critique.requests", "critique.experts"
PLAIN_FIELDS = ("title", "requester_name", "mandatory", "bypassed", "issued_on", "received_on", "deadline",
                "documents_complete", "missing_documents", "status", "refusal_reason", "report_sent_on",
                "recommendations", "accepted", "budget", "notes")


# -- critique.requests ------------------------------------------------------------------------
def request_columns(kinds, forms, bases) -> list[Column]:
    """The columns of spec/critique.md with the aliases offices use, and a few optional
    ones the rules need: the province's mandatory list, a document never sent to the LHH
    and its date of issue, what the dossier lacks, why a request was refused."""
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("title", "Tên nhiệm vụ", ("Tên đề án, dự án", "Tên đề án", "Tên dự án", "Tên văn bản", "Tên hồ sơ",
                                          "Tên chương trình, đề án, dự án", "Nội dung tư vấn, phản biện"), required=True),
        Column("kind", "Loại", ("Loại nhiệm vụ", "Loại văn bản", "Loại hồ sơ", "Loại đề án"), kind="choice",
               choices=kinds, required=True),
        Column("form", "Hình thức", ("Hình thức thực hiện", "Loại hình"), kind="choice", choices=forms, required=True),
        Column("requester_name", "Cơ quan đề nghị", ("Đơn vị đề nghị", "Cơ quan đặt hàng", "Cơ quan yêu cầu",
                                                     "Đơn vị yêu cầu", "Cơ quan chủ trì")),
        Column("basis", "Căn cứ", ("Căn cứ thực hiện", "Nguồn nhiệm vụ"), kind="choice", choices=bases),
        Column("mandatory", "Thuộc danh mục bắt buộc", ("Danh mục bắt buộc", "Bắt buộc phản biện"), kind="bool"),
        Column("bypassed", "Không gửi LHH", ("Không gửi Liên hiệp hội", "Không qua LHH"), kind="bool"),
        Column("issued_on", "Ngày ban hành", ("Ngày ban hành văn bản",), kind="date"),
        Column("received_on", "Ngày nhận", ("Ngày nhận hồ sơ", "Ngày tiếp nhận"), kind="date"),
        Column("deadline", "Hạn góp ý", ("Hạn gửi ý kiến", "Hạn trả lời", "Thời hạn góp ý"), kind="date"),
        Column("documents_complete", "Hồ sơ đầy đủ", ("Hồ sơ đủ",), kind="bool"),
        Column("missing_documents", "Hồ sơ còn thiếu", ("Tài liệu còn thiếu",)),
        Column("experts", "Chuyên gia", ("Tổ chuyên gia", "Nhóm chuyên gia", "Chuyên gia tham gia"), kind="list"),
        Column("status", "Trạng thái", ("Tình trạng", "Tiến độ"), kind="choice", choices=rules.TYPED),
        Column("refusal_reason", "Lý do từ chối", ("Lý do không thực hiện",)),
        Column("report_sent_on", "Ngày gửi báo cáo", ("Ngày gửi văn bản góp ý", "Ngày hoàn thành"), kind="date"),
        Column("recommendations", "Số kiến nghị", ("Số kiến nghị đưa ra",), kind="int", minimum=0),
        Column("accepted", "Số kiến nghị được tiếp thu", ("Số kiến nghị tiếp thu", "Kiến nghị được tiếp thu"),
               kind="int", minimum=0),
        Column("budget", "Kinh phí", ("Kinh phí (đồng)", "Kinh phí thực hiện"), kind="money", minimum=0),
        Column("notes", "Ghi chú"),
        Column("working_days", "Số ngày làm việc", kind="int", computed=True),
        Column("warnings", "Cảnh báo", computed=True),
    ]


class RequestMapping(Mapping):
    """``critique.requests`` → :class:`Request` (``Mã`` TV-…)."""

    def __init__(self):
        self.kinds = NamedChoices(RequestKind, "loại nhiệm vụ", "loại")
        self.forms = NamedChoices(RequestForm, "hình thức tư vấn, phản biện, giám định", "hình thức")
        self.bases = NamedChoices(RequestBasis, "căn cứ thực hiện", "căn cứ")
        super().__init__(name=REQUESTS, model=Request, columns=request_columns(self.kinds, self.forms, self.bases),
                         key_prefix="TV", title="Nhiệm vụ TVPB", totals=("recommendations", "accepted", "budget"))
        self._run = threading.local()  # what one run read at its start (a run stays on its thread)

    def prepare(self) -> None:
        """The lookup lists, the calendar's default years, and the expert directory."""
        super().prepare()
        ensure_calendar()
        self._run.directory = directory_keys()

    def directory(self) -> frozenset:
        found = getattr(self._run, "directory", None)
        if found is None:
            found = self._run.directory = directory_keys()
        return found

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """The rules across cells (:func:`rules.check_request`) and the team against the
        expert directory."""
        return rules.check_request(values, self.directory(), reason_column="refusal_reason" in values)

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        """A chunk as the sheet shows it, with ``Số ngày làm việc`` and ``Cảnh báo``
        (:func:`plugins.critique.assess.assess`: three queries per chunk)."""
        assessed = assess(records)
        found = {}
        for record in records:
            data, derived = record.__data__, assessed[record.id]
            found[record.id] = {
                **{name: data.get(name) for name in PLAIN_FIELDS},
                "kind": self.kinds.name_of(data.get("kind")),
                "form": self.forms.name_of(data.get("form")),
                "basis": self.bases.name_of(data.get("basis")),
                "experts": parse_list(data.get("experts_text")),
                "working_days": derived.working_days,
                "warnings": derived.warning_text or None,
            }
        return found

    def apply(self, record, values: dict) -> None:
        """Put a row's values on the record: lookups by id, the team as written (linked
        in :meth:`after_save_many`), then the derived fields."""
        choices = {"kind": self.kinds, "form": self.forms, "basis": self.bases}
        for name, value in values.items():
            if name in choices:
                setattr(record, name, choices[name].id_of(value) if value else None)
            elif name == "experts":
                record.experts_text = format_list(value) or None
            else:
                setattr(record, name, value)
        record.derive()

    def after_save_many(self, pairs: list) -> None:
        """The requesting organisations and the teams of a chunk: a constant number of
        statements (:mod:`plugins.critique.links`)."""
        link_requesters(pairs)
        link_teams(pairs)


# -- critique.experts ---------------------------------------------------------------------------
def expert_columns() -> list[Column]:
    return [
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố", "Liên hiệp hội"), kind="unit"),
        Column("name", "Họ và tên", ("Họ tên", "Họ và tên chuyên gia", "Tên chuyên gia"), required=True),
        Column("title", "Học hàm, học vị", ("Học hàm học vị", "Học vị", "Trình độ")),
        Column("speciality", "Chuyên ngành", ("Lĩnh vực chuyên môn", "Chuyên môn", "Lĩnh vực")),
        Column("workplace_name", "Đơn vị công tác", ("Cơ quan công tác", "Nơi công tác")),
        Column("association_name", "Hội thành viên", ("Hội chuyên ngành", "Hội")),
        Column("email", "Email", ("Thư điện tử", "E-mail")),
        Column("phone", "Điện thoại", ("Số điện thoại", "SĐT")),
        Column("availability", "Khả năng tham gia", ("Tình trạng tham gia",)),
        Column("notes", "Ghi chú"),
    ]


EXPERT_FIELDS = ("name", "title", "speciality", "workplace_name", "association_name", "email", "phone",
                 "availability", "notes")


class ExpertMapping(Mapping):
    """``critique.experts`` → :class:`Expert` (``Mã`` CG-…)."""

    def __init__(self):
        super().__init__(name=EXPERTS, model=Expert, columns=expert_columns(), key_prefix="CG", title="Chuyên gia")

    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        return {record.id: {name: record.__data__.get(name) for name in EXPERT_FIELDS} for record in records}

    def after_save_many(self, pairs: list) -> None:
        """The person, workplace and association of each expert (set-based), and the
        registry's gaps filled from the directory."""
        link_experts(pairs)


def bindings() -> list[Mapping]:
    return [ExpertMapping(), RequestMapping()]
