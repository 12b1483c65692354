"""Records of the honours area (spec/honours.md, "Records").

- :class:`Category` (hình thức tôn vinh): a shared lookup list whose entries carry their
  eligibility as data — the học hàm or học vị needed, the window of conferral, the link
  to the province, the achievements needed, whether it may be given again. The categories
  of the spec are created when missing (:func:`ensure_categories`).
- :class:`Round` (đợt tôn vinh) of a unit: year, occasion, nomination deadline, the
  council (members, size, members present, vote threshold), ceremony date, budget, award
  money per category (:class:`RoundMoney`), and whether it is closed (its results locked).
- :class:`Nomination` (đề cử): a row of the office's nominations sheet — the nominee as
  written (name, year of birth, gender, học hàm, học vị, position, workplace, field), the
  nominating organisation, category, achievements — linked to the unit's core ``Person``
  (the same row a contest author or a critique expert is) and ``Organisation`` rows; and
  what phoihop decided: its status (the rules' outcomes), eligibility, the row it was
  merged into, the council's votes and the result. The nominating organisations of a
  merged nomination are :class:`NominationNominator` links of its first row.
"""
import peewee

from core.db import BaseModel
from core.lookups import LookupModel, split_aliases
from core.models import GENDERS, Organisation, Person, Unit, name_key, now
from core.records import StampedModel, SyncedRecord
from plugins.honours import catalog
from plugins.honours.rules import DEFAULT_SHARE, WINDOWS, Eligibility

SOURCES = (("sheet", "Từ bảng tính (đợt đã xét)"), ("council", "Theo phiếu của Hội đồng"))


class Category(LookupModel):
    """Hình thức tôn vinh, with its eligibility as data (:meth:`eligibility`)."""

    defaults = tuple((name, aliases) for name, aliases, *_ in catalog.CATEGORIES)
    academic_title = peewee.CharField(null=True)  # học hàm needed: GS, PGS
    degrees = peewee.CharField(null=True)  # học vị accepted, "TS; TSKH"
    window = peewee.CharField(null=True, choices=WINDOWS)  # when it must have been conferred
    province_link = peewee.BooleanField(null=True, default=True)  # born in, or 5 years in, the province
    min_achievements = peewee.IntegerField(null=True, default=0)
    repeatable = peewee.BooleanField(null=True, default=False)  # may be given again (counted in lượt)

    class Meta:
        table_name = "honours_category"

    def eligibility(self) -> Eligibility:
        return Eligibility(name=self.name, academic_title=self.academic_title or None,
                           degrees=tuple(split_aliases(self.degrees)), window=self.window or None,
                           province_link=bool(self.province_link), min_achievements=self.min_achievements or 0,
                           repeatable=bool(self.repeatable))

    @classmethod
    def ensure_defaults(cls) -> int:
        """The spec's categories that are missing, with their conditions (one query when
        none is). A default renamed or deactivated in the admin stays as it was left."""
        have = set()
        for name, aliases in cls.select(cls.name, cls.aliases).tuples():
            have.update(name_key(s) for s in [name, *split_aliases(aliases)])
        missing = [
            {"name": name, "aliases": "; ".join(aliases) or None, "sort_order": (index + 1) * 10,
             "academic_title": title, "degrees": "; ".join(degrees) or None, "window": window,
             "province_link": link, "min_achievements": needed, "repeatable": repeatable}
            for index, (name, aliases, title, degrees, window, link, needed, repeatable) in enumerate(catalog.CATEGORIES)
            if name_key(name) not in have
        ]
        if missing:
            cls.insert_many(missing).on_conflict_ignore().execute()
        return len(missing)


def ensure_categories() -> int:
    """Create the spec's categories that are missing; return how many were added."""
    return Category.ensure_defaults()


class Round(StampedModel):
    """Đợt tôn vinh of a unit, one per year. The council's vote threshold is
    ``threshold_share`` percent of the members present (``members_present``, else
    ``council_size``, else the members listed): more than half by default. A closed round
    keeps its results: only an admin changes them, and the audit log keeps who and when."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    year = peewee.IntegerField()
    occasion = peewee.CharField(null=True, max_length=500)  # dịp: "Ngày Khoa học và Công nghệ Việt Nam 18/5"
    deadline = peewee.DateField(null=True)  # hạn nhận đề cử
    ceremony_date = peewee.DateField(null=True)  # lễ tôn vinh
    council_members = peewee.TextField(null=True)  # thành viên hội đồng xét chọn, "A; B; C"
    council_size = peewee.IntegerField(null=True)
    members_present = peewee.IntegerField(null=True)  # thành viên có mặt khi bỏ phiếu
    threshold_share = peewee.DecimalField(max_digits=5, decimal_places=2, null=True, default=DEFAULT_SHARE)
    budget = peewee.BigIntegerField(null=True)  # kinh phí, VND
    province = peewee.CharField(null=True)  # the province nominees must be linked to
    decision_number = peewee.CharField(null=True)  # quyết định tôn vinh
    decision_date = peewee.DateField(null=True)
    closed = peewee.BooleanField(default=False)
    closed_at = peewee.DateTimeField(null=True)
    closed_by = peewee.CharField(null=True)
    notes = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(null=True, default=now)

    class Meta:
        table_name = "honours_round"
        indexes = ((("unit", "year"), True),)

    @property
    def members(self):
        """The council's size: as set, else the members listed."""
        return self.council_size or len(split_aliases(self.council_members)) or None

    def __str__(self):
        return f"Đợt tôn vinh năm {self.year}"


class RoundMoney(BaseModel):
    """Tiền thưởng: the award of one category in one round, in đồng."""

    round = peewee.ForeignKeyField(Round, backref="money", on_delete="CASCADE")
    category = peewee.ForeignKeyField(Category, on_delete="CASCADE")
    amount = peewee.BigIntegerField()

    class Meta:
        table_name = "honours_round_money"
        indexes = ((("round", "category"), True),)


class Nomination(SyncedRecord):
    """Đề cử: one row of the nominations sheet (see the module docstring)."""

    round = peewee.ForeignKeyField(Round, null=True, backref="nominations", on_delete="CASCADE")
    year = peewee.IntegerField(null=True)  # Năm, as the sheet gives it: names the round
    number = peewee.CharField(null=True, max_length=20)  # STT in the office's list
    full_name = peewee.CharField()  # as written
    name_key = peewee.CharField(index=True)  # the name as matched: titles off, case-folded
    year_of_birth = peewee.IntegerField(null=True)
    gender = peewee.CharField(null=True, choices=GENDERS)
    academic_title = peewee.CharField(null=True)  # học hàm: GS, PGS
    degree = peewee.CharField(null=True)  # học vị: TS, ThS, BSCKII…
    position = peewee.CharField(null=True)  # chức vụ
    workplace_name = peewee.CharField(null=True, max_length=500)  # đơn vị công tác, as written
    field = peewee.CharField(null=True)  # lĩnh vực
    nominator_name = peewee.CharField(null=True, max_length=500)  # đơn vị đề cử, as written
    category = peewee.ForeignKeyField(Category, null=True, on_delete="RESTRICT")
    achievements = peewee.TextField(null=True)  # thành tích, as written (lists with '- ', '+ ', ';')
    conferral = peewee.CharField(null=True)  # ngày công nhận học hàm/học vị, as written
    hometown = peewee.CharField(null=True, max_length=500)  # quê quán
    years_in_province = peewee.IntegerField(null=True)  # số năm sống, làm việc tại tỉnh
    documents = peewee.TextField(null=True)  # hồ sơ kèm theo
    national = peewee.BooleanField(default=False)  # đề xuất cấp trung ương
    national_result = peewee.CharField(null=True)  # kết quả cấp trung ương
    notes = peewee.TextField(null=True)
    # linked (plugins.honours.links)
    person = peewee.ForeignKeyField(Person, null=True, backref="nominations", on_delete="SET NULL")
    workplace = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL", backref="honours_workplaces")
    nominator = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL", backref="honours_nominations")
    # decided (plugins.honours.results)
    status = peewee.TextField(null=True)  # Tình trạng hồ sơ: the rules' outcomes
    eligible = peewee.BooleanField(null=True)
    merged_into = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL", backref="merged_rows")
    similar_to = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL", backref="similar_rows")
    first_honoured = peewee.IntegerField(null=True)  # the year of a first honour in this category
    nominators_count = peewee.IntegerField(default=1)
    votes_for = peewee.IntegerField(null=True)  # Số phiếu đồng ý
    votes_against = peewee.IntegerField(null=True)
    result = peewee.CharField(null=True)  # Kết quả: rules.SELECTED / rules.NOT_SELECTED
    result_source = peewee.CharField(null=True, choices=SOURCES)

    class Meta:
        table_name = "honours_nomination"
        indexes = ((("round", "name_key"), False), (("unit", "archived", "round"), False))

    def __str__(self):
        return f"{self.full_name} ({self.year_of_birth})" if self.year_of_birth else self.full_name


class NominationNominator(BaseModel):
    """Đơn vị đề cử of a nomination, in the order of its rows: two when one person was
    nominated by two organisations (rule 3)."""

    nomination = peewee.ForeignKeyField(Nomination, backref="nominator_links", on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, backref="honours_nominator_links", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "honours_nomination_nominator"
        indexes = ((("nomination", "organisation"), True),)


MODELS = [Category, Round, RoundMoney, Nomination, NominationNominator]
