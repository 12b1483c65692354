"""The sheet binding ``honours.nominations``: an office's list of nominations, one row per
nominee and nominating organisation, as spec/honours.md lays it out — and the same
binding for a past round's list with the council's decisions (``Số phiếu đồng ý``,
``Kết quả``).

What phoihop writes back, at the right of the table when the sheet lacks them:
``Số phiếu đồng ý`` and ``Kết quả`` (the council's votes, recorded in the admin, and
the result) and ``Tình trạng hồ sơ`` — the rules' outcomes, each starting with the words
an office filters on (:func:`plugins.honours.rules.status`).

A row's ``Năm`` names the unit's round; a year without one creates it with the defaults
(:func:`plugins.honours.rounds.new_round`). Bad input is a row error that changes nothing
else: an unknown category, a year of birth that is a date, in the future or
implausible, votes above the council's size, and a row for a closed round — one new or
changed in the sheet (a closed round's rows as last synced keep syncing, so that what
the admin changes still reaches the sheet).

A past round's sheet that carries the council's decisions is imported with them, and
the round is then closed. Those are computed columns, which the engine never hands to
:meth:`NominationMapping.apply`: the mapping takes them from the row's values when its
:meth:`~NominationMapping.rules` read them (keyed by the row's other values), for the
rows it creates.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field

from core.models import GENDERS
from core.people import clean_name, person_key
from core.vietnamese import format_date
from sheets.mapping import Column, LookupChoices, Mapping
from sheets.models import Binding, SyncedRow
from sheets.values import CellError, clean_text
from plugins.honours import rules
from plugins.honours.links import link_nominations
from plugins.honours.models import Category, Nomination, Round
from plugins.honours.results import refresh
from plugins.honours.rounds import ceremony_of, close_imported, limit_of, new_round, today

BINDING = "honours.nominations"
ACTOR = f"sync:{BINDING}"
GENDER_CHOICES = {"Nam": ("M", "Male", "Trai"), "Nữ": ("Nu", "F", "Female", "Gái")}
GENDER_CODES = {label: code for code, label in GENDERS}
GENDER_LABELS = {code: label for code, label in GENDERS}
ACADEMIC_CHOICES = {"GS": ("Giáo sư", "G.S", "GS."), "PGS": ("Phó Giáo sư", "P.GS", "PGS.", "Phó GS")}
DEGREE_CHOICES = {
    "TSKH": ("Tiến sĩ khoa học", "Tiến sỹ khoa học", "TS.KH"),
    "TS": ("Tiến sĩ", "Tiến sỹ", "T.S", "TS."),
    "BSCKII": ("Bác sĩ chuyên khoa II", "Bác sĩ chuyên khoa cấp II", "BSCK II", "BS CKII", "BSCK2", "CKII", "Bác sĩ CKII"),
    "DSCKII": ("Dược sĩ chuyên khoa II", "Dược sĩ chuyên khoa cấp II", "DSCK II", "DS CKII", "DSCK2"),
    "ThS": ("Thạc sĩ", "Thạc sỹ", "Th.S", "ThS."),
    "BSCKI": ("Bác sĩ chuyên khoa I", "Bác sĩ chuyên khoa cấp I", "BSCK I", "BS CKI", "BSCK1", "CKI"),
    "DSCKI": ("Dược sĩ chuyên khoa I", "Dược sĩ chuyên khoa cấp I", "DSCK I", "DSCK1"),
    "BS": ("Bác sĩ",),
    "DS": ("Dược sĩ",),
    "KS": ("Kỹ sư", "Kĩ sư"),
    "KTS": ("Kiến trúc sư",),
    "CN": ("Cử nhân",),
}
DATE_LIKE = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{1,2}-\d{1,2}")
FIRST_YEAR = 1950  # rounds before this are typing mistakes


class YearColumn(Column):
    """A year: read as a whole number, written as it is typed (2023, never 2.023)."""

    def format(self, value) -> str:
        return "" if value is None else str(value)


class YearOfBirthColumn(YearColumn):
    """``Năm sinh``: a year; a date is an error (offices type one by mistake), and so is a
    year in the future or one a nominee's age makes implausible (as of today)."""

    def parse(self, raw):
        if isinstance(raw, dt.date) or (isinstance(raw, str) and DATE_LIKE.fullmatch(raw.strip())):
            raise CellError("là một ngày, không phải một năm")
        value = super().parse(raw)
        if value is None:
            return None
        problem = rules.check_year_of_birth(value, today())
        if problem:
            raise CellError(problem)
        return value


class TitleColumn(Column):
    """``Học hàm`` / ``Học vị`` by code (GS, PGS; TS, ThS, BSCKII…), also read from a
    written title such as 'PGS.TS' (:func:`core.people.title_parts`)."""

    def parse(self, raw):
        from core.people import title_parts

        try:
            return super().parse(raw)
        except CellError:
            academic, degree = title_parts(clean_text(raw))
            found = academic if self.field == "academic_title" else degree
            if found:
                return found
            raise


class CategoryColumn(Column):
    """``Hình thức tôn vinh``: one of the categories configured (a lookup list)."""

    def parse(self, raw):
        try:
            return super().parse(raw)
        except CellError:
            raise CellError(f"không phải hình thức tôn vinh đã cấu hình (các hình thức: {'; '.join(self.choices)})") from None


def nomination_columns(categories) -> list[Column]:
    """The columns of spec/honours.md, with the aliases offices use; then the optional
    ones eligibility reads (conferral date, hometown, years in the province)."""
    return [
        Column("unit", "Đơn vị", ("Liên hiệp hội", "Tỉnh/Thành phố"), kind="unit"),
        YearColumn("year", "Năm", ("Năm tôn vinh", "Đợt tôn vinh", "Năm xét chọn", "Đợt"), kind="int", required=True),
        Column("number", "STT", ("Số TT", "TT", "Số thứ tự")),
        Column("full_name", "Họ và tên", ("Họ tên", "Họ và tên người được đề cử", "Người được đề cử",
                                          "Họ và tên trí thức"), required=True),
        YearOfBirthColumn("year_of_birth", "Năm sinh", kind="int"),
        Column("gender", "Giới tính", ("Nam/Nữ",), kind="choice", choices=GENDER_CHOICES),
        TitleColumn("academic_title", "Học hàm", kind="choice", choices=ACADEMIC_CHOICES),
        TitleColumn("degree", "Học vị", ("Trình độ", "Học vị, trình độ", "Trình độ chuyên môn"), kind="choice",
                    choices=DEGREE_CHOICES),
        Column("position", "Chức vụ", ("Chức vụ, chức danh", "Chức danh")),
        Column("workplace_name", "Đơn vị công tác", ("Cơ quan công tác", "Nơi công tác")),
        Column("field", "Lĩnh vực", ("Lĩnh vực chuyên môn", "Chuyên ngành")),
        Column("nominator_name", "Đơn vị đề cử", ("Cơ quan đề cử", "Đơn vị giới thiệu", "Đơn vị đề nghị",
                                                  "Cơ quan, đơn vị đề cử")),
        CategoryColumn("category", "Hình thức tôn vinh", ("Danh hiệu", "Hình thức", "Loại tôn vinh",
                                                          "Đối tượng tôn vinh"), kind="choice", choices=categories,
                       required=True),
        Column("achievements", "Thành tích", ("Thành tích tiêu biểu", "Thành tích nổi bật", "Thành tích, công trình",
                                              "Tóm tắt thành tích")),
        Column("conferral", "Ngày công nhận", ("Năm công nhận", "Ngày cấp bằng", "Năm cấp bằng", "Ngày bảo vệ",
                                               "Năm bảo vệ", "Thời điểm công nhận", "Năm được công nhận")),
        Column("hometown", "Quê quán", ("Nơi sinh", "Quê quán, nơi sinh")),
        Column("years_in_province", "Số năm công tác tại tỉnh", ("Số năm sống, làm việc tại tỉnh",
                                                                 "Số năm làm việc tại tỉnh",
                                                                 "Thời gian công tác tại tỉnh (năm)"),
               kind="int", minimum=0),
        Column("documents", "Hồ sơ kèm theo", ("Tài liệu kèm theo", "Hồ sơ minh chứng")),
        Column("national", "Đề xuất cấp trung ương", ("Đề xuất trung ương", "Đề nghị cấp trung ương",
                                                      "Đề xuất Liên hiệp hội Việt Nam"), kind="bool"),
        Column("national_result", "Kết quả cấp trung ương", ("Kết quả trung ương",)),
        Column("notes", "Ghi chú"),
        Column("votes_for", "Số phiếu đồng ý", ("Phiếu đồng ý", "Số phiếu tán thành"), kind="int", computed=True),
        Column("result", "Kết quả", ("Kết quả xét chọn",), kind="choice", choices=rules.RESULTS, computed=True),
        Column("status", "Tình trạng hồ sơ", computed=True),
    ]


@dataclass
class RunState:
    """What one run of the binding has seen (a run stays on its thread)."""

    rounds: dict = field(default_factory=dict)  # (unit id, year) → Round
    by_year: dict = field(default_factory=dict)  # year → [Round]
    locked: dict = field(default_factory=dict)  # year → signatures of a closed round's rows as last synced
    decisions: dict = field(default_factory=dict)  # signature → (votes for, result) the sheet gave
    created: set = field(default_factory=set)  # rounds this run created
    unverified: set = field(default_factory=set)  # … whose chunk has ended (a dry run rolls it back)
    closed_now: set = field(default_factory=set)  # rounds this run closed


class NominationMapping(Mapping):
    """``honours.nominations`` → :class:`~plugins.honours.models.Nomination` (``Mã`` TV-…)."""

    def __init__(self, categories=None):
        self.categories = categories if categories is not None else LookupChoices(Category)
        super().__init__(name=BINDING, model=Nomination, columns=nomination_columns(self.categories),
                         key_prefix="TV", title="Đề cử tôn vinh")
        self._local = threading.local()
        self._imported = [c.field for c in self.columns if not c.computed and c.kind != "unit"]

    # -- a run ------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The categories (a lookup list), the rounds, and the closed rounds' rows as last
        synced."""
        super().prepare()
        state = RunState()
        for item in Round.select():
            state.rounds[(item.unit_id, item.year)] = item
            state.by_year.setdefault(item.year, []).append(item)
        query = (SyncedRow.select(SyncedRow.snapshot, Round.year)
                 .join(Binding, on=(SyncedRow.binding == Binding.id))
                 .join(Nomination, on=(SyncedRow.record_id == Nomination.id))
                 .join(Round, on=(Nomination.round == Round.id))
                 .where(Binding.name == self.name, Round.closed == True).tuples())  # noqa: E712
        for snapshot, year in query:
            texts = SyncedRow.snapshot.python_value(snapshot) if isinstance(snapshot, str) else snapshot
            state.locked.setdefault(year, set()).add(
                frozenset((name, text) for name, text in (texts or {}).items() if name in self._imported))
        self._local.state = state

    @property
    def state(self) -> RunState:
        state = getattr(self._local, "state", None)
        if state is None:
            self.prepare()
            state = self._local.state
        return state

    def signature(self, values: dict) -> frozenset:
        """A row's imported values as canonical texts: what identifies it within a run."""
        return frozenset((name, self.column(name).format(value)) for name, value in values.items()
                         if name in self._imported)

    # -- rules --------------------------------------------------------------------------------------
    def rules(self, values: dict) -> list[tuple[str | None, str]]:
        """A plausible year; no row new or changed for a closed round; votes no more than
        the council's members. A valid row's decisions (votes, result) are kept for
        :meth:`apply`."""
        year = values.get("year")
        if year is None:
            return []
        day = today()
        if not FIRST_YEAR <= year <= day.year + 1:
            return [("year", f'Năm "{year}" không phải năm của một đợt tôn vinh')]
        state = self.state
        same_year = state.by_year.get(year, [])
        problems = []
        if same_year and all(r.closed and r.id not in state.closed_now for r in same_year):
            if self.signature(values) not in state.locked.get(year, ()):
                when = max((r.closed_at for r in same_year if r.closed_at), default=None)
                on = f" ngày {format_date(when.date())}" if when else ""
                problems.append(("year", f"Đợt tôn vinh năm {year} đã khóa{on}: không nhận đề cử mới hay sửa đổi từ "
                                         "bảng tính; quản trị viên sửa trong hệ thống"))
        votes = values.get("votes_for")
        if votes is not None:
            sizes = [r.members for r in same_year if r.members]
            present = [r.members_present for r in same_year if r.members_present]
            if votes < 0:
                problems.append(("votes_for", f'Số phiếu đồng ý "{votes}" không được âm'))
            elif sizes or present:
                problem = rules.check_votes(votes, None, max(sizes, default=None), max(present, default=None))
                if problem:
                    problems.append(("votes_for", f"Số phiếu đồng ý: {problem}"))
        if not problems and (votes is not None or values.get("result")):
            state.decisions[self.signature(values)] = (votes, values.get("result"))
        return problems

    # -- reading and writing records ---------------------------------------------------------------
    def read(self, record) -> dict:
        return self.read_many([record])[record.id]

    def read_many(self, records: list) -> dict:
        """The records as the sheet shows them (no query: the category by its id)."""
        found = {}
        for record in records:
            data = record.__data__
            found[record.id] = {
                "year": data.get("year"), "number": data.get("number"), "full_name": data.get("full_name"),
                "year_of_birth": data.get("year_of_birth"), "gender": GENDER_LABELS.get(data.get("gender")),
                "academic_title": data.get("academic_title"), "degree": data.get("degree"),
                "position": data.get("position"), "workplace_name": data.get("workplace_name"),
                "field": data.get("field"), "nominator_name": data.get("nominator_name"),
                "category": self.categories.name_of(data.get("category")), "achievements": data.get("achievements"),
                "conferral": data.get("conferral"), "hometown": data.get("hometown"),
                "years_in_province": data.get("years_in_province"), "documents": data.get("documents"),
                "national": data.get("national"), "national_result": data.get("national_result"),
                "notes": data.get("notes"), "votes_for": data.get("votes_for"), "result": data.get("result"),
                "status": data.get("status"),
            }
        return found

    def apply(self, record, values: dict) -> None:
        """The row's values on the record, its round (created when the year names none),
        and — for a new row of a past round — the decisions its sheet carries."""
        creating = record.__data__.get("id") is None
        for name, value in values.items():
            if name == "category":
                record.category = self.categories.id_of(value) if value else None
            elif name == "gender":
                record.gender = GENDER_CODES.get(value)
            elif name == "full_name":
                record.full_name = clean_name(value)
                record.name_key = person_key(value)
            else:
                setattr(record, name, value)
        if record.__data__.get("year") is not None and ("year" in values or record.__data__.get("round") is None):
            record.round = self.round_for(record.unit_id, record.__data__["year"]).id
        if creating:
            self._take_decisions(record, values)

    def round_for(self, unit_id: int, year: int) -> Round:
        """The unit's round of ``year``, created with the defaults when there is none."""
        state = self.state
        found = state.rounds.get((unit_id, year))
        if found is not None and found.id in state.unverified:
            state.unverified.discard(found.id)
            if not Round.select().where(Round.id == found.id).exists():  # a dry run's chunk rolled it back
                state.by_year[year] = [r for r in state.by_year.get(year, []) if r.id != found.id]
                found = None
        if found is None:
            found = new_round(unit_id, year, actor=ACTOR, channel="sync")
            state.rounds[(unit_id, year)] = found
            state.by_year.setdefault(year, []).append(found)
            state.created.add(found.id)
        return found

    def _take_decisions(self, record, values) -> None:
        state = self.state
        decided = state.decisions.get(self.signature(values))
        item = state.rounds.get((record.unit_id, record.__data__.get("year")))
        if decided is None or item is None or (item.closed and item.id not in state.closed_now):
            return
        if not rules.is_past(ceremony_of(item), today()):
            return  # the current round's votes are the council page's
        votes, result = decided
        record.votes_for = votes
        if result is None:
            result = rules.decide(votes, limit_of(item))
        if result is not None:
            record.result, record.result_source = result, "sheet"

    def after_save(self, record, values: dict) -> None:
        self.after_save_many([(record, values)])

    def after_save_many(self, pairs: list) -> None:
        """People and organisations linked, the rules' outcomes recomputed for what the
        chunk bears on, and past rounds whose decisions came in closed. A constant number
        of statements per chunk."""
        state = self.state
        before = {record.__data__.get("person") for record, _ in pairs}
        link_nominations(pairs)
        refresh([record.id for record, _ in pairs], people=before)
        closed = close_imported({record.__data__.get("round") for record, _ in pairs}, actor=ACTOR)
        for item in state.rounds.values():
            if item.id in closed:
                item.closed = True
        state.closed_now |= closed
        state.unverified |= state.created


def bindings() -> list[Mapping]:
    return [NominationMapping()]
