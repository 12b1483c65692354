"""Records of the contests area (spec/contests.md, "Records").

Competitions are data: a :class:`ContestKind` (a shared lookup list) has its fields
(:class:`ContestField`), prize tiers in order (:class:`PrizeTier`) and score criteria
(:class:`Criterion`, with optional weights per field); the three kinds of the spec are
created when missing (:func:`ensure_catalog`). An :class:`Edition` (kỳ, lần) of a unit
sets the rules of one contest: minimum valid scores, spread limit, scoring formula,
quotas and minimum scores per tier, prize money per tier in đồng or as a multiple of the
dated base salary (:class:`BaseSalary`), its funding and organising board.

The office's sheets fill :class:`Entry` (giải pháp, bài dự thi), :class:`Judge` (giám
khảo) and :class:`Score` (phiếu chấm) — synced records of one unit. Authors, judges and
guiding teachers are the core's ``Person`` rows of the unit, and nominating units and
workplaces its ``Organisation`` rows (one person across areas: what the conflict-of-
interest rule relies on). What phoihop decides — an entry's score, rank and prize, a
score's validity — is stored on the records by :mod:`plugins.contests.results`; the
council's override of a prize is kept beside the proposal, with who and when.
"""
import peewee

from core.db import BaseModel
from core.lookups import LookupModel, split_aliases
from core.models import Organisation, Person, Unit, name_key, now
from core.records import StampedModel, SyncedRecord
from core.vietnamese import format_money
from plugins.contests import catalog
from plugins.contests.rules import MEAN, MINIMUM_VALID_SCORES, FORMULAS

SCOPES = (("field", "Theo từng lĩnh vực"), ("edition", "Toàn cuộc thi"))
ROUNDS_TEXT = "; ".join(catalog.ROUNDS)


# -- the catalogue: kinds, fields, tiers, criteria, base salary ------------------------------------
class ContestKind(LookupModel):
    """Loại cuộc thi: a competition kind (hội thi, cuộc thi, giải thưởng), with its cycle."""

    defaults = tuple((name, aliases) for name, aliases, *_ in catalog.KINDS)
    cycle_years = peewee.IntegerField(null=True)  # chu kỳ: every N years

    class Meta:
        table_name = "contests_kind"


class KindItem(StampedModel):
    """An entry of a kind's own list (a field, a tier, a criterion): name, other spellings,
    order, active. Shared by every unit, like the kinds."""

    kind = peewee.ForeignKeyField(ContestKind, on_delete="CASCADE")
    name = peewee.CharField()
    aliases = peewee.TextField(null=True)
    sort_order = peewee.IntegerField(default=100)
    active = peewee.BooleanField(null=True, default=True)

    class Meta:
        shared = True

    def spellings(self):
        return [self.name, *split_aliases(self.aliases)]

    def __str__(self):
        return self.name


class ContestField(KindItem):
    """Lĩnh vực of a kind (an edition may choose its own: :class:`EditionField`)."""

    class Meta:
        table_name = "contests_field"
        indexes = ((("kind", "name"), True),)


class PrizeTier(KindItem):
    """Hạng giải of a kind, highest first (``sort_order``)."""

    class Meta:
        table_name = "contests_tier"
        indexes = ((("kind", "name"), True),)


class Criterion(KindItem):
    """Tiêu chí chấm: a criterion column of the score sheets, with its maximum."""

    max_points = peewee.DecimalField(max_digits=6, decimal_places=2, null=True)

    class Meta:
        table_name = "contests_criterion"
        indexes = ((("kind", "name"), True),)


class CriterionWeight(StampedModel):
    """Trọng số: the weight of a criterion for the entries of one field."""

    criterion = peewee.ForeignKeyField(Criterion, on_delete="CASCADE")
    field = peewee.ForeignKeyField(ContestField, on_delete="CASCADE")
    weight = peewee.DecimalField(max_digits=6, decimal_places=3, default=1)

    class Meta:
        table_name = "contests_criterion_weight"
        indexes = ((("criterion", "field"), True),)
        shared = True


class BaseSalary(StampedModel):
    """Mức lương cơ sở: the base salary in force from a date (a dated setting)."""

    effective_from = peewee.DateField(unique=True)
    amount = peewee.BigIntegerField()
    legal_basis = peewee.CharField(null=True)

    class Meta:
        table_name = "contests_base_salary"
        shared = True

    def __str__(self):
        return format_money(self.amount)


# -- editions --------------------------------------------------------------------------------------
class Edition(StampedModel):
    """Kỳ, lần tổ chức: one contest of a unit — its kind, number and season, standing
    body (cơ quan thường trực) and organising board, rounds, the scoring settings, prize
    settings per tier (:class:`EditionTier`) and funding. ``name`` is how the entries
    sheet's ``Cuộc thi`` column names it (``aliases``: other spellings)."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    kind = peewee.ForeignKeyField(ContestKind, on_delete="RESTRICT")
    name = peewee.CharField(max_length=500)
    name_key = peewee.CharField(max_length=500, index=True)
    aliases = peewee.TextField(null=True)
    number = peewee.IntegerField(null=True)  # lần thứ
    season_start = peewee.IntegerField(null=True)
    season_end = peewee.IntegerField(null=True)
    standing_body = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL")  # cơ quan thường trực
    board_chair = peewee.CharField(null=True)  # trưởng ban tổ chức
    board_members = peewee.TextField(null=True)  # cơ quan thành viên ban tổ chức, as written: "Sở KH&CN; Tỉnh đoàn"
    rounds = peewee.CharField(default=ROUNDS_TEXT)  # các vòng, in order: "Sơ khảo; Chung khảo"
    min_valid_scores = peewee.IntegerField(default=MINIMUM_VALID_SCORES)
    spread_limit = peewee.DecimalField(max_digits=6, decimal_places=2, default=20)
    max_score = peewee.DecimalField(max_digits=6, decimal_places=2, default=100)  # thang điểm
    quota_scope = peewee.CharField(default="field", choices=SCOPES)
    scoring = peewee.CharField(default=MEAN, choices=list(FORMULAS.items()))
    jury_points = peewee.DecimalField(max_digits=6, decimal_places=2, default=80)
    vote_points = peewee.DecimalField(max_digits=6, decimal_places=2, default=20)
    received_until = peewee.DateField(null=True)  # hạn nhận hồ sơ
    ceremony_date = peewee.DateField(null=True)  # lễ tổng kết, trao giải
    decision_number = peewee.CharField(null=True)  # quyết định khen thưởng
    decision_date = peewee.DateField(null=True)
    notes = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(null=True, default=now)

    class Meta:
        table_name = "contests_edition"
        indexes = ((("unit", "name_key"), True),)

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        return super().save(*args, **kwargs)

    def round_names(self):
        return split_aliases(self.rounds) or list(catalog.ROUNDS)

    @property
    def final_round(self):
        return self.round_names()[-1]

    @property
    def season(self):
        if self.season_start is None:
            return ""
        if self.season_end in (None, self.season_start):
            return str(self.season_start)
        return f"{self.season_start}-{self.season_end}"

    def __str__(self):
        return self.name


class EditionField(BaseModel):
    """The fields of an edition that chooses its own (the provincial award: 5 or 6, set
    per edition); an edition without any uses its kind's active fields."""

    edition = peewee.ForeignKeyField(Edition, backref="field_links", on_delete="CASCADE")
    field = peewee.ForeignKeyField(ContestField, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "contests_edition_field"
        indexes = ((("edition", "field"), True),)


class EditionBoardMember(BaseModel):
    """Ban tổ chức: a member organisation of an edition's organising board (the unit's
    organisations that ``Edition.board_members`` names, in order)."""

    edition = peewee.ForeignKeyField(Edition, backref="board_links", on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "contests_edition_board"
        indexes = ((("edition", "organisation"), True),)


class EditionTier(StampedModel):
    """An edition's settings for one prize tier: ``quota`` (số giải; per field or for
    the whole edition, as the edition's ``quota_scope`` says), ``min_score`` (điểm tối
    thiểu), and the prize money: ``money`` in đồng, or ``money_multiple`` × the base
    salary in force on the decision date."""

    edition = peewee.ForeignKeyField(Edition, backref="tier_settings", on_delete="CASCADE")
    tier = peewee.ForeignKeyField(PrizeTier, on_delete="CASCADE")
    quota = peewee.IntegerField(null=True)
    min_score = peewee.DecimalField(max_digits=6, decimal_places=2, null=True)
    money = peewee.BigIntegerField(null=True)
    money_multiple = peewee.DecimalField(max_digits=8, decimal_places=2, null=True)

    class Meta:
        table_name = "contests_edition_tier"
        indexes = ((("edition", "tier"), True),)


class EditionFunding(BaseModel):
    """Nguồn kinh phí of an edition's prizes: state budget, xã hội hóa (a sponsor)."""

    edition = peewee.ForeignKeyField(Edition, backref="funding", on_delete="CASCADE")
    source = peewee.CharField(default="ngan_sach", choices=catalog.FUNDING_SOURCES)
    sponsor = peewee.CharField(null=True)
    amount = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "contests_edition_funding"


# -- what the sheets fill --------------------------------------------------------------------------
class Entry(SyncedRecord):
    """Giải pháp, mô hình, sản phẩm, công trình dự thi — with what the office typed
    (authors as written, the nominating unit's name, the entries sheet's ``STT``) and what
    phoihop computed (score, rank, proposed prize) or the council decided (override)."""

    edition = peewee.ForeignKeyField(Edition, null=True, backref="entries", on_delete="CASCADE")
    number = peewee.CharField(null=True, max_length=20)  # STT in the entries sheet
    title = peewee.TextField()
    authors = peewee.TextField(null=True)  # as written: "PGS.TS. A; B"
    author_address = peewee.TextField(null=True)  # Đơn vị/Địa chỉ
    field = peewee.ForeignKeyField(ContestField, null=True, on_delete="RESTRICT")
    nominating_name = peewee.CharField(null=True)  # Đơn vị giới thiệu, as written
    nominating_unit = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    received_on = peewee.DateField(null=True)
    round_reached = peewee.CharField(null=True)  # vòng: "Sơ khảo" = not forwarded
    class_name = peewee.CharField(null=True)  # lớp (youth entries)
    school = peewee.CharField(null=True)  # trường
    teacher = peewee.CharField(null=True)  # giáo viên hướng dẫn, as written
    teacher_person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    votes = peewee.IntegerField(null=True)  # bình chọn của cộng đồng
    sent_national = peewee.BooleanField(default=False)  # gửi dự thi toàn quốc
    national_prize = peewee.CharField(null=True)  # giải toàn quốc
    notes = peewee.TextField(null=True)
    # computed (plugins.contests.results)
    score = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)  # Điểm: what it is ranked by
    raw_mean = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)
    normalised = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)
    rank = peewee.IntegerField(null=True)
    valid_scores = peewee.IntegerField(default=0)
    spread = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)
    large_spread = peewee.BooleanField(default=False)
    ranked = peewee.BooleanField(default=False)
    contested = peewee.BooleanField(default=False)
    held_tiers = peewee.CharField(null=True)  # the tiers a contested tie holds places of
    proposed_tier = peewee.ForeignKeyField(PrizeTier, null=True, on_delete="SET NULL", backref="proposed_entries")
    # decided by the council (rule 6), audited
    overridden = peewee.BooleanField(default=False)
    override_tier = peewee.ForeignKeyField(PrizeTier, null=True, on_delete="SET NULL", backref="override_entries")
    override_note = peewee.TextField(null=True)
    overridden_by = peewee.CharField(null=True)
    overridden_at = peewee.DateTimeField(null=True)
    # the prize as it stands (override, else the proposal) and its money
    final_tier = peewee.ForeignKeyField(PrizeTier, null=True, on_delete="SET NULL", backref="final_entries")
    prize_money = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "contests_entry"
        # the stamps' GROUP BY (plugins.contests.results) reads this index alone
        indexes = ((("edition", "field", "updated_at"), False), (("unit", "archived", "edition"), False))

    def __str__(self):
        return self.title


class EntryAuthor(BaseModel):
    """Tác giả (or pupil) of an entry, in the order written."""

    entry = peewee.ForeignKeyField(Entry, backref="author_links", on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, backref="contest_entries", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "contests_entry_author"
        indexes = ((("entry", "person"), True),)


class Judge(SyncedRecord):
    """Giám khảo of an edition: a person of the unit, the fields whose panels they sit on
    (one judge may sit on two), their workplace (for rule 1)."""

    edition = peewee.ForeignKeyField(Edition, null=True, backref="judges", on_delete="CASCADE")
    name = peewee.CharField()  # as written
    person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    fields_text = peewee.TextField(null=True)  # Lĩnh vực, as written
    workplace_name = peewee.CharField(null=True)  # Đơn vị công tác, as written
    workplace = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    email = peewee.CharField(null=True)
    edition_name = peewee.CharField(null=True, max_length=500)  # Cuộc thi, when the sheet says

    class Meta:
        table_name = "contests_judge"

    def __str__(self):
        return self.name


class JudgeField(BaseModel):
    """A judge's seat on the panel (ban giám khảo chuyên ngành) of one field."""

    judge = peewee.ForeignKeyField(Judge, backref="field_links", on_delete="CASCADE")
    field = peewee.ForeignKeyField(ContestField, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "contests_judge_field"
        indexes = ((("judge", "field"), True),)


class Score(SyncedRecord):
    """Phiếu chấm: one judge's total for one entry in one round (or its criteria,
    summed). The entry is cited by ``Mã giải pháp`` or, before IDs exist, by the entries
    sheet's STT; ``edition`` and ``field`` follow the entry. ``counted`` and ``status``
    are phoihop's verdict (valid, or rejected and why)."""

    edition = peewee.ForeignKeyField(Edition, null=True, on_delete="CASCADE")
    field = peewee.ForeignKeyField(ContestField, null=True, on_delete="SET NULL")
    entry = peewee.ForeignKeyField(Entry, null=True, backref="scores", on_delete="CASCADE")
    judge = peewee.ForeignKeyField(Judge, null=True, backref="scores", on_delete="SET NULL")
    entry_key = peewee.CharField(null=True, max_length=40)  # Mã giải pháp, as the sheet shows it
    entry_number = peewee.IntegerField(null=True)  # STT giải pháp
    judge_name = peewee.CharField()
    edition_name = peewee.CharField(null=True, max_length=500)
    round = peewee.CharField(null=True)
    given_total = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)  # Điểm, as the sheet gives it
    total = peewee.DecimalField(max_digits=7, decimal_places=2, null=True)  # what counts: Điểm, else the criteria's sum
    criteria = peewee.TextField(null=True)  # JSON {criterion id: points}
    comment = peewee.TextField(null=True)
    correction = peewee.BooleanField(default=False)  # phiếu sửa
    counted = peewee.BooleanField(null=True)
    status = peewee.TextField(null=True)

    class Meta:
        table_name = "contests_score"
        indexes = ((("edition", "field", "updated_at"), False),)


class ResultStamp(BaseModel):
    """What the stored results of one field of an edition were computed from
    (:func:`plugins.contests.results.stamps`; ``field`` 0: entries without a field)."""

    edition = peewee.ForeignKeyField(Edition, on_delete="CASCADE")
    field = peewee.IntegerField(default=0)
    stamp = peewee.TextField()

    class Meta:
        table_name = "contests_result_stamp"
        indexes = ((("edition", "field"), True),)


class Certificate(BaseModel):
    """Giấy chứng nhận of an awarded entry: its facts as issued, a verification code
    nobody can guess, and its revocation (kept, never deleted)."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    entry = peewee.ForeignKeyField(Entry, backref="certificates", on_delete="CASCADE")
    code = peewee.CharField(unique=True, max_length=40)
    edition_name = peewee.CharField(max_length=500)
    title = peewee.TextField()
    authors = peewee.TextField(null=True)
    field_name = peewee.CharField(null=True)
    nominating_name = peewee.CharField(null=True)
    tier_name = peewee.CharField()
    decision_number = peewee.CharField(null=True)
    decision_date = peewee.DateField(null=True)
    issued_at = peewee.DateTimeField(default=now)
    issued_by = peewee.CharField()
    revoked_at = peewee.DateTimeField(null=True)
    revoked_by = peewee.CharField(null=True)
    revoke_reason = peewee.TextField(null=True)

    class Meta:
        table_name = "contests_certificate"

    @property
    def revoked(self):
        return self.revoked_at is not None

    def __str__(self):
        return self.code


MODELS = [ContestKind, ContestField, PrizeTier, Criterion, CriterionWeight, BaseSalary,
          Edition, EditionField, EditionBoardMember, EditionTier, EditionFunding,
          Entry, EntryAuthor, Judge, JudgeField, Score, ResultStamp, Certificate]


# -- the catalogue's defaults -------------------------------------------------------------------------
def ensure_catalog() -> int:
    """Create what is missing of the catalogue: the three kinds with their cycle, fields,
    tiers and criteria, and the base salaries; return how many rows were added.

    A handful of small queries when nothing is missing. A default kind's list is filled
    only when the kind has no entry in that list at all (its cycle with its tiers), so
    that what an office renamed or made inactive stays as it left it."""
    added = ContestKind.ensure_defaults()
    counts = {}
    for model in (ContestField, PrizeTier, Criterion):
        for kind_id, count in model.select(model.kind, peewee.fn.COUNT(model.id)).group_by(model.kind).tuples():
            counts[(model, kind_id)] = count
    kinds = list(ContestKind.select())
    for kind_name, _aliases, cycle, fields, tiers in catalog.KINDS:
        key = name_key(kind_name)
        kind = next((k for k in kinds if name_key(k.name) == key), None)
        if kind is None:  # renamed by the office: its old name is among its aliases
            kind = next((k for k in kinds if key in {name_key(a) for a in k.alias_list()}), None)
        if kind is None:
            continue
        lists = ((ContestField, [(n, a, None) for n, a in fields]), (PrizeTier, [(n, a, None) for n, a in tiers]),
                 (Criterion, catalog.CRITERIA.get(kind_name, ())))
        for model, items in lists:
            if not items or counts.get((model, kind.id)):
                continue
            rows = [{"kind": kind.id, "name": name, "aliases": "; ".join(aliases) or None,
                     "sort_order": (i + 1) * 10, **({"max_points": top} if model is Criterion else {})}
                    for i, (name, aliases, top) in enumerate(items)]
            model.insert_many(rows).on_conflict_ignore().execute()
            added += len(rows)
            if model is PrizeTier and kind.cycle_years is None:
                ContestKind.update(cycle_years=cycle).where(ContestKind.id == kind.id).execute()
    if not BaseSalary.select().exists():
        BaseSalary.insert_many([{"effective_from": d, "amount": a, "legal_basis": basis}
                                for d, a, basis in catalog.BASE_SALARIES]).on_conflict_ignore().execute()
        added += len(catalog.BASE_SALARIES)
    return added
