"""Records of the critique area: tư vấn, phản biện và giám định xã hội (spec/critique.md).

Shared lookup lists (``core.lookups``), which an office may extend in the admin:
:class:`RequestKind` (loại), :class:`RequestForm` (hình thức), :class:`RequestBasis` (căn
cứ). The working-day calendar is data too: :class:`CalendarDay` holds the days off
(public holidays and Tết, substitute days off, days off swapped for a working Saturday)
and the compensating working days, for every unit; :class:`CalendarYear` remembers which
years were seeded from the ``holidays`` library (:mod:`plugins.critique.calendar`), so
that what the office changed in a year stays as it left it.

The office's sheets fill :class:`Expert` (the directory of experts and collaborators) and
:class:`Request` (nhiệm vụ) — synced records of one unit. A request's requesting
organisation and its experts are the core's ``Organisation`` and ``Person`` rows of that
unit: an expert who also judged a contest or was honoured is the same person, which the
conflict-of-interest rule relies on. The team is :class:`TeamMember` (the lead first);
each expert's opinion on a request is a :class:`Review`, entered in the admin.
"""
import peewee

from core.db import BaseModel
from core.lookups import LookupModel
from core.models import Organisation, Person, Unit, now
from core.records import StampedModel, SyncedRecord
from plugins.critique import rules

KINDS = (
    ("Chương trình", ("Chương trình, kế hoạch", "Kế hoạch")),
    ("Đề án", ()),
    ("Dự án", ("Dự án đầu tư", "Công trình")),
    ("Quy hoạch", ("Đồ án quy hoạch",)),
    ("Cơ chế, chính sách", ("Cơ chế chính sách", "Chính sách", "Cơ chế")),
    ("Dự thảo văn bản quy phạm pháp luật", ("Dự thảo VBQPPL", "VBQPPL", "Văn bản quy phạm pháp luật",
                                            "Dự thảo văn bản QPPL")),
    ("Báo cáo", ("Báo cáo đánh giá",)),
)
FORMS = (
    ("Tư vấn", ("TV",)),
    ("Phản biện", ("PB", "Phản biện xã hội")),
    ("Giám định xã hội", ("GĐXH", "Giám định")),
)
BASES = (
    ("Giao nhiệm vụ", ("Được giao", "UBND giao", "UBND tỉnh giao", "Giao")),
    ("Đặt hàng", ("Được đặt hàng",)),
    ("Tự đề xuất", ("LHH tự đề xuất", "Tự đề nghị")),
)
STATUS_CHOICES = [(status, status) for status in (*rules.MACHINE, rules.REFUSED)]


class RequestKind(LookupModel):
    """Loại nhiệm vụ: chương trình, đề án, dự án, quy hoạch, cơ chế chính sách…"""

    defaults = KINDS

    class Meta:
        table_name = "critique_kind"


class RequestForm(LookupModel):
    """Hình thức: tư vấn, phản biện, giám định xã hội."""

    defaults = FORMS

    class Meta:
        table_name = "critique_form"


class RequestBasis(LookupModel):
    """Căn cứ: giao nhiệm vụ (UBND giao), đặt hàng, tự đề xuất."""

    defaults = BASES

    class Meta:
        table_name = "critique_basis"


# -- the working-day calendar ----------------------------------------------------------------
DAY_KINDS = (
    ("nghi_le", "Nghỉ lễ, Tết"),
    ("nghi_bu", "Nghỉ bù"),
    ("hoan_doi", "Nghỉ hoán đổi"),
    ("lam_bu", "Làm bù"),
)
DAYS_OFF = ("nghi_le", "nghi_bu", "hoan_doi")
WORKDAY = "lam_bu"


class CalendarDay(StampedModel):
    """Ngày nghỉ, ngày làm bù: a day that is not what its weekday says — a public holiday,
    a substitute day off, a day off swapped for a Saturday (hoán đổi), or that Saturday
    worked instead (làm bù). Shared by every unit (the government's calendar)."""

    day = peewee.DateField(unique=True)
    kind = peewee.CharField(default="nghi_le", choices=DAY_KINDS)
    name = peewee.CharField()
    source = peewee.CharField(null=True)  # "holidays 0.109", or None for a day the office typed

    class Meta:
        table_name = "critique_calendar_day"
        shared = True

    @property
    def off(self):
        return self.kind in DAYS_OFF

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.name}"


class CalendarYear(BaseModel):
    """A year of the calendar seeded from the library: never seeded again."""

    year = peewee.IntegerField(unique=True)
    source = peewee.CharField(null=True)
    seeded_at = peewee.DateTimeField(default=now)

    class Meta:
        table_name = "critique_calendar_year"
        shared = True


# -- what the sheets fill ------------------------------------------------------------------------
class Expert(SyncedRecord):
    """Chuyên gia, cộng tác viên: a person of the unit with their title, speciality,
    workplace and member association, as the directory sheet gives them."""

    name = peewee.CharField()  # họ và tên as written (a title before it is split off to match it)
    person = peewee.ForeignKeyField(Person, null=True, backref="critique_experts", on_delete="SET NULL")
    title = peewee.CharField(null=True)  # học hàm, học vị as written: PGS.TS, ThS…
    speciality = peewee.CharField(null=True)  # chuyên ngành
    workplace_name = peewee.CharField(null=True)  # đơn vị công tác, as written
    workplace = peewee.ForeignKeyField(Organisation, null=True, backref="critique_experts", on_delete="SET NULL")
    association_name = peewee.CharField(null=True)  # hội thành viên, as written
    association = peewee.ForeignKeyField(Organisation, null=True, backref="critique_members", on_delete="SET NULL")
    email = peewee.CharField(null=True)
    phone = peewee.CharField(null=True)
    availability = peewee.CharField(null=True)  # khả năng tham gia: "bận đến 6/2024"…
    notes = peewee.TextField(null=True)

    class Meta:
        table_name = "critique_expert"
        indexes = ((("unit", "archived", "person"), False),)

    def __str__(self):
        return f"{self.title} {self.name}" if self.title else self.name


class Request(SyncedRecord):
    """Nhiệm vụ tư vấn, phản biện, giám định xã hội: one subject document, as the requests
    sheet gives it, with what phoihop derives from it: the comment window in calendar days
    (``window_days``) and the date it counts in the report by (``period_date``: received,
    or — for a document of the mandatory list that never reached the LHH — issued)."""

    title = peewee.TextField()  # tên nhiệm vụ: the subject document
    kind = peewee.ForeignKeyField(RequestKind, null=True, backref="requests", on_delete="RESTRICT")
    form = peewee.ForeignKeyField(RequestForm, null=True, backref="requests", on_delete="RESTRICT")
    basis = peewee.ForeignKeyField(RequestBasis, null=True, backref="requests", on_delete="RESTRICT")
    requester_name = peewee.CharField(null=True, index=True)  # cơ quan đề nghị, as written (a list filter)
    requester = peewee.ForeignKeyField(Organisation, null=True, backref="critique_requests", on_delete="SET NULL")
    mandatory = peewee.BooleanField(default=False)  # thuộc danh mục bắt buộc của tỉnh
    bypassed = peewee.BooleanField(default=False)  # không gửi LHH: issued without critique
    issued_on = peewee.DateField(null=True)  # ngày ban hành (of a document never sent)
    received_on = peewee.DateField(null=True, index=True)  # the list's default order
    deadline = peewee.DateField(null=True)  # hạn góp ý
    documents_complete = peewee.BooleanField(default=False)  # hồ sơ đầy đủ
    missing_documents = peewee.TextField(null=True)  # hồ sơ còn thiếu
    experts_text = peewee.TextField(null=True)  # chuyên gia as written, lead first: "PGS.TS. A; ThS. B"
    status = peewee.CharField(null=True, choices=STATUS_CHOICES)
    refusal_reason = peewee.TextField(null=True)
    report_sent_on = peewee.DateField(null=True)  # ngày gửi báo cáo
    recommendations = peewee.IntegerField(null=True)  # số kiến nghị
    accepted = peewee.IntegerField(null=True)  # số kiến nghị được tiếp thu
    budget = peewee.BigIntegerField(null=True)  # kinh phí, đồng
    notes = peewee.TextField(null=True)
    window_days = peewee.IntegerField(null=True)  # derived: deadline − received, calendar days
    period_date = peewee.DateField(null=True)  # derived: received, else issued

    class Meta:
        table_name = "critique_request"
        indexes = ((("period_date", "unit", "archived"), False), (("unit", "archived", "deadline"), False))

    def derive(self):
        """Set the derived fields from the record's own values (no query)."""
        self.window_days = rules.window_days(self.received_on, self.deadline)
        self.period_date = self.issued_on if self.bypassed else self.received_on

    def __str__(self):
        return self.title


class TeamMember(BaseModel):
    """An expert of a request's team, in the order the sheet names them (the lead first,
    ``position`` 0): the person, and the directory's row they were found by."""

    request = peewee.ForeignKeyField(Request, backref="team_links", on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, backref="critique_teams", on_delete="CASCADE")
    expert = peewee.ForeignKeyField(Expert, null=True, backref="team_links", on_delete="SET NULL")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "critique_team_member"
        indexes = ((("request", "person"), True), (("person", "request"), False))


class Review(StampedModel):
    """Ý kiến chuyên gia: one expert's opinion on one request — a summary, the
    recommendations made, the date submitted."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    request = peewee.ForeignKeyField(Request, backref="reviews", on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, backref="critique_reviews", on_delete="CASCADE")
    summary = peewee.TextField(null=True)
    recommendations = peewee.TextField(null=True)  # the recommendations, one per line
    recommendation_count = peewee.IntegerField(null=True)
    submitted_on = peewee.DateField(null=True)
    created_at = peewee.DateTimeField(null=True, default=now)

    class Meta:
        table_name = "critique_review"
        indexes = ((("request", "person"), True),)

    def __str__(self):
        return f"{self.person.full_name if self.person_id else ''} — {self.request.title if self.request_id else ''}"


MODELS = [RequestKind, RequestForm, RequestBasis, CalendarDay, CalendarYear, Expert, Request, TeamMember, Review]


def ensure_lists() -> int:
    """Create the default kinds, forms and bases that are missing; return how many."""
    return sum(model.ensure_defaults() for model in (RequestKind, RequestForm, RequestBasis))
