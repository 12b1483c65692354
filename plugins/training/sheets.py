"""The sheet binding ``training.activities``: an office's list of hội thảo, hội nghị, tập
huấn and phổ biến kiến thức, one row per activity (``spec/training.md``).

Kinds are data (``ActivityKind``, a shared lookup list), so the ``Loại hoạt động`` column's
choices are a :class:`~sheets.mapping.LookupChoices` over that table: re-checked at the
start of every sync, so a kind added or renamed in the admin, or by another process, is
known to the next run. Partners and speakers arrive as lists and become the unit's
``Organisation`` / ``Person`` rows in :meth:`ActivityMapping.after_save_many`.

The engine hands the mapping a chunk of records at a time: :meth:`ActivityMapping.read_many`
answers a chunk in two queries (the kinds' names, the partners' names ordered by position;
speakers come from the record's own text column) and
:meth:`ActivityMapping.after_save_many` links a chunk's partners and speakers in a constant
number of statements (:mod:`core.people`). ``read`` / ``after_save`` are the same for one
record.
"""
from __future__ import annotations

from collections.abc import Mapping as AbstractMapping

from core.people import person_keys
from sheets.mapping import Column, LookupChoices, Mapping
from sheets.values import format_list, parse_list
from plugins.training.models import (
    Activity, ActivityKind, ensure_kinds, link_partners, link_speakers, partner_names_of,
)
from plugins.training.rules import check_activity, infer_format

BINDING = "training.activities"


def activity_columns(kinds: AbstractMapping) -> list[Column]:
    """The columns of spec/training.md, with every alias it lists."""
    return [
        # The LHH: the sync engine matches it against registered units and reports
        # 'đơn vị chưa đăng ký' for an unknown one — a check that needs the database.
        Column("unit", "Đơn vị", ("Tỉnh/Thành phố",), kind="unit"),
        Column("kind", "Loại hoạt động", kind="choice", choices=kinds, required=True),
        Column("title", "Tên hoạt động", ("Nội dung", "Chủ đề"), required=True),
        Column("field", "Lĩnh vực"),
        Column("start_date", "Ngày bắt đầu", ("Thời gian", "Ngày tổ chức"), kind="date", required=True),
        Column("end_date", "Ngày kết thúc", kind="date"),
        Column("venue", "Địa điểm"),
        Column("partners", "Đơn vị phối hợp", kind="list"),
        Column("speakers", "Báo cáo viên", kind="list"),
        Column("participants", "Số người tham dự", ("Số đại biểu", "Số học viên"), kind="int", minimum=0),
        Column("state_budget", "Kinh phí ngân sách", kind="money"),
        Column("other_budget", "Kinh phí huy động", kind="money"),
        Column("notes", "Ghi chú"),
    ]


class ActivityMapping(Mapping):
    """``training.activities`` → :class:`~plugins.training.models.Activity` (``Mã`` HD-…)."""

    def __init__(self, kinds: AbstractMapping | None = None):
        """``kinds``: the kinds' table by default; a plain ``{name: aliases}`` reads
        sheets without a database (records cannot be applied then)."""
        self.kinds = kinds if kinds is not None else LookupChoices(ActivityKind)
        super().__init__(
            name=BINDING,
            model=Activity,
            columns=activity_columns(self.kinds),
            key_prefix="HD",
            title="Hoạt động tập huấn, hội thảo",  # the demo's worksheet (31 characters at most)
            totals=("participants", "state_budget", "other_budget"),
        )

    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """The rules across cells (``rules.py``): the end date not before the start date.
        One cell's checks (required, choices, not negative) are the columns' own."""
        return check_activity(values)

    def read(self, record) -> dict:
        """The record as the sheet shows it: kind by name, partners and speakers as lists."""
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        """``{record.id: values}`` for a chunk: one query for the kinds' names, one for the
        partners' names of every record (in their order); speakers are the record's text."""
        kinds = {}
        kind_ids = {record.kind_id for record in records if record.kind_id}
        if kind_ids:
            kinds = dict(ActivityKind.select(ActivityKind.id, ActivityKind.name)
                         .where(ActivityKind.id.in_(list(kind_ids))).tuples())
        partners = partner_names_of([record.id for record in records if record.id])
        speakers = {}  # the speakers' text → its list: a chunk repeats the same few hundred people

        def speakers_of(text):
            if text not in speakers:
                speakers[text] = parse_list(text)
            return list(speakers[text])

        found = {}
        for record in records:
            data = record.__data__  # the record's own columns, without peewee's descriptors: 12 × a chunk
            found[record.id] = {
                "kind": kinds.get(data.get("kind")),
                "title": data.get("title"),
                "field": data.get("field"),
                "start_date": data.get("start_date"),
                "end_date": data.get("end_date"),
                "venue": data.get("venue"),
                "partners": partners.get(record.id, []),
                "speakers": speakers_of(data.get("speakers")),
                "participants": data.get("participants"),
                "state_budget": data.get("state_budget"),
                "other_budget": data.get("other_budget"),
                "notes": data.get("notes"),
            }
        return found

    def apply(self, record, values: dict) -> None:
        """Put parsed values on the record; partners wait for :meth:`after_save_many`."""
        for name, value in values.items():
            if name == "kind":
                record.kind = self.kinds.id_of(value) if value else None
            elif name == "speakers":
                record.speakers = format_list(value) or None
                record.speaker_count = len(person_keys(value))  # what link_speakers will link
            elif name != "partners":
                setattr(record, name, value)
        if "venue" in values:
            record.format = infer_format(values["venue"]) or record.format

    def after_save(self, record, values: dict) -> None:
        """Link one record's partners and speakers (see :meth:`after_save_many`)."""
        self.after_save_many([(record, values)])

    def after_save_many(self, pairs: list) -> None:
        """Link partners and speakers of a chunk of ``(record, values)``: the unit's
        organisations and people, created when new; a record whose values lack a list
        keeps its links. A constant number of statements for the whole chunk."""
        link_partners([(record, values["partners"] or []) for record, values in pairs if "partners" in values])
        link_speakers([(record, values["speakers"] or []) for record, values in pairs if "speakers" in values])


# -- phoihop demo ---------------------------------------------------------------------------
# (kind, title, field, start, end, venue, partners, speakers, participants, state, other, notes)
DEMO_ACTIVITIES = (
    ("Hội thảo khoa học", 'Hội thảo "Chuyển đổi số trong doanh nghiệp nhỏ và vừa"', "Chuyển đổi số",
     "16/04/2022", "17/04/2022", "Hội trường Liên hiệp hội tỉnh", "Sở Khoa học và Công nghệ",
     "ThS. Lê Thanh Tuấn; PGS.TS. Dương Phương Dung", "67", "60.000.000", "", ""),
    ("Tập huấn kỹ thuật", "Tập huấn kỹ thuật trồng, chăm sóc vải thiều theo tiêu chuẩn VietGAP", "Nông nghiệp",
     "29/04/2022", "30/04/2022", "Tại mô hình: vườn vải xã Giáp Sơn, huyện Lục Ngạn",
     "UBND huyện Lục Ngạn; Sở Nông nghiệp và Phát triển nông thôn", "TS. Vũ Thị Minh Loan", "35",
     "21.500.000", "3.000.000", "Có tài liệu phát tay"),
    ("Hội nghị thông tin chuyên đề", 'Hội nghị thông tin chuyên đề "Kinh tế tuần hoàn - xu hướng và giải pháp"',
     "Kinh tế", "14/10/2022", "", "Trực tuyến", "Sở Khoa học và Công nghệ", "KS. Lê Tiến Việt; TS. Đỗ Thanh Vân",
     "190", "18.000.000", "8.000.000", ""),
    ("Phổ biến kiến thức", "Phổ biến kiến thức phòng, chống đuối nước cho trẻ em", "Y tế", "20/10/2022", "",
     "Trường Tiểu học Xương Giang", "Sở Giáo dục và Đào tạo; Tỉnh đoàn", "TS.BS. Nông Ngọc Thắng", "94",
     "6.500.000", "9.000.000", ""),
    ("Tập huấn kỹ thuật", "Tập huấn kỹ thuật chăn nuôi gà đồi an toàn sinh học", "Nông nghiệp", "09/03/2023",
     "09/03/2023", "Hội trường UBND xã Đồng Lạc, huyện Yên Thế", "Hội Nông dân tỉnh", "KS. Lê Thị Thu Anh",
     "48", "18.000.000", "", ""),
    ("Hội thảo khoa học", 'Hội thảo "Ứng dụng công nghệ cao trong sản xuất nông nghiệp"', "Nông nghiệp",
     "02/06/2023", "", "Trường Đại học Nông - Lâm Bắc Giang", "Trường Đại học Nông - Lâm Bắc Giang",
     "PGS.TS. Nguyễn Bích Giang; PGS.TS. Trần Thị Hoa", "97", "50.500.000", "", ""),
    ("Phổ biến kiến thức", "Phổ biến kiến thức an toàn thực phẩm", "Y tế", "10/08/2023", "",
     "Hội trường UBND huyện Hiệp Hòa", "Sở Y tế", "TS.BS. Vũ Thanh Phúc", "146", "7.500.000", "", ""),
    ("Hội nghị kết nối cung - cầu", "Hội nghị kết nối cung - cầu nông sản an toàn năm 2023", "Nông nghiệp",
     "19/09/2023", "", "Trung tâm Hội nghị tỉnh", "Sở Nông nghiệp và Phát triển nông thôn; Báo Bắc Giang",
     "TS. Nguyễn Thị Minh Phương", "128", "34.500.000", "4.000.000", "Kết hợp tham quan mô hình"),
)
DEMO_HEADERS = ("Loại hoạt động", "Tên hoạt động", "Lĩnh vực", "Ngày bắt đầu", "Ngày kết thúc", "Địa điểm",
                "Đơn vị phối hợp", "Báo cáo viên", "Số người tham dự", "Kinh phí ngân sách", "Kinh phí huy động",
                "Ghi chú")


def demo_rows(unit):
    """The demo office's sheet of ``unit``: rows of header → cell, as an office types them.

    Only the kinds (a lookup list with no sheet) are created here; the activities come in
    through the sync of the demo workbook, as they would in an office.
    """
    ensure_kinds()
    return [{"Đơn vị": unit.name, **{h: cell for h, cell in zip(DEMO_HEADERS, raw) if cell}}
            for raw in DEMO_ACTIVITIES]
