"""What the contests' sheet mappings look things up in while they read a sheet: read once
per run (``Mapping.prepare``), in a few queries, so that a chunk of rows costs no query.

:class:`Catalog` holds the small lists — kinds, fields, tiers, criteria, editions — and
answers "which edition does this ``Cuộc thi`` cell name", "is this field one of the
edition's". :class:`Panels` adds the judges and entries a score sheet refers to, and
:meth:`Panels.resolve` decides which entry and which judge a score row means (the rules
of spec/contests.md, "Sheets": ``Mã giải pháp``, else the entries sheet's STT within the
same edition) and what is wrong with it — the same answer for the row check (no unit
known yet) and for the record (its unit known).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from core.lookups import split_aliases
from core.models import Person
from core.people import person_key
from core.vietnamese import format_int, normalise
from plugins.contests import rules
from plugins.contests.models import (
    ContestField, ContestKind, Criterion, CriterionWeight, Edition, EditionField, Entry, Judge, JudgeField,
    PrizeTier, Score,
)
from sheets.models import Binding, SyncedRow

ENTRIES_BINDING = "contests.entries"


@dataclass(frozen=True)
class FieldInfo:
    id: int
    kind: int
    name: str
    keys: frozenset
    active: bool


@dataclass(frozen=True)
class TierInfo:
    id: int
    kind: int
    name: str
    aliases: tuple
    order: int
    active: bool


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    kind: int
    name: str
    aliases: tuple
    maximum: Decimal | None
    active: bool


@dataclass(frozen=True)
class EditionInfo:
    id: int
    unit: int
    kind: int
    name: str
    keys: frozenset
    fields: tuple  # field ids, in order
    max_score: Decimal
    recency: tuple  # (season end, number, id): the latest edition sorts last

    def has_field(self, field_id) -> bool:
        return field_id in self.fields


def number_key(value) -> str:
    """How an entry's STT is compared: '05', 5 and 5.0 are '5'; other text normalised."""
    text = normalise(value)
    return str(int(text)) if text.isdigit() else text


@dataclass
class Catalog:
    kinds: dict = field(default_factory=dict)  # id → name
    fields: dict = field(default_factory=dict)  # id → FieldInfo
    tiers: dict = field(default_factory=dict)  # id → TierInfo
    criteria: dict = field(default_factory=dict)  # id → CriterionInfo
    weights: dict = field(default_factory=dict)  # (criterion id, field id) → weight
    editions: dict = field(default_factory=dict)  # id → EditionInfo

    @classmethod
    def load(cls) -> Catalog:
        """Every kind, field, tier, criterion, weight and edition: seven small queries."""
        found = cls()
        found.kinds = dict(ContestKind.select(ContestKind.id, ContestKind.name).tuples())
        kind_fields = {}
        for row in ContestField.select().order_by(ContestField.sort_order, ContestField.name):
            keys = frozenset(normalise(s) for s in row.spellings())
            found.fields[row.id] = FieldInfo(row.id, row.kind_id, row.name, keys, row.active is not False)
            if row.active is not False:
                kind_fields.setdefault(row.kind_id, []).append(row.id)
        for row in PrizeTier.select().order_by(PrizeTier.sort_order, PrizeTier.name):
            found.tiers[row.id] = TierInfo(row.id, row.kind_id, row.name, tuple(split_aliases(row.aliases)),
                                           row.sort_order, row.active is not False)
        for row in Criterion.select().order_by(Criterion.sort_order, Criterion.name):
            found.criteria[row.id] = CriterionInfo(row.id, row.kind_id, row.name, tuple(split_aliases(row.aliases)),
                                                   row.max_points, row.active is not False)
        found.weights = {(c, f): Decimal(w) for c, f, w in CriterionWeight.select(
            CriterionWeight.criterion, CriterionWeight.field, CriterionWeight.weight).tuples()}
        own = {}
        for edition_id, field_id in (EditionField.select(EditionField.edition, EditionField.field)
                                     .order_by(EditionField.position, EditionField.id).tuples()):
            own.setdefault(edition_id, []).append(field_id)
        for row in Edition.select():
            keys = frozenset(normalise(s) for s in [row.name, *split_aliases(row.aliases)])
            fields = tuple(own.get(row.id) or kind_fields.get(row.kind_id, ()))
            found.editions[row.id] = EditionInfo(
                row.id, row.unit_id, row.kind_id, row.name, keys, fields, Decimal(row.max_score or rules.MAX_SCORE),
                (row.season_end or row.season_start or 0, row.number or 0, row.id))
        return found

    # -- editions ------------------------------------------------------------------------------
    def editions_named(self, text, unit=None) -> list[EditionInfo]:
        """The editions (of ``unit``, or of any unit) whose name or alias ``text`` spells."""
        key = normalise(text)
        return [e for e in self.editions.values() if key in e.keys and (unit is None or e.unit == unit)]

    def latest(self, editions) -> EditionInfo | None:
        editions = list(editions)
        return max(editions, key=lambda e: e.recency) if editions else None

    def latest_of_kinds(self, kinds, unit=None) -> list[EditionInfo]:
        """The latest edition of each unit (or of ``unit``) among the editions of ``kinds``."""
        by_unit = {}
        for edition in self.editions.values():
            if edition.kind in kinds and (unit is None or edition.unit == unit):
                best = by_unit.get(edition.unit)
                if best is None or edition.recency > best.recency:
                    by_unit[edition.unit] = edition
        return list(by_unit.values())

    def edition_name(self, edition_id) -> str | None:
        found = self.editions.get(edition_id)
        return found.name if found else None

    # -- fields ----------------------------------------------------------------------------------
    def field_in(self, edition: EditionInfo, text) -> int | None:
        """The id of the edition's field that ``text`` spells (its name or an alias)."""
        key = normalise(text)
        return next((f for f in edition.fields if key in self.fields[f].keys), None)

    def field_names(self, edition: EditionInfo) -> list[str]:
        return [self.fields[f].name for f in edition.fields]

    def field_name(self, field_id) -> str | None:
        found = self.fields.get(field_id)
        return found.name if found else None

    def all_field_names(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.active]

    def fields_spelled(self, text) -> list[FieldInfo]:
        """Every field (of any kind) that ``text`` spells."""
        key = normalise(text)
        return [f for f in self.fields.values() if key in f.keys]

    def field_spellings(self):
        return [s for f in self.fields.values() for s in f.keys]

    def judge_fields(self, text) -> tuple[list, list]:
        """The fields a judge's ``Lĩnh vực`` cell lists (one per line or separated by
        '; ', a field's own '; ' kept): ``([[FieldInfo of every kind it spells]…], [unknown
        names])``."""
        names = rules.split_fields(text, self.all_field_names() + list(self.field_spellings()))
        known, unknown = [], []
        for name in names:
            found = self.fields_spelled(name)
            (known if found else unknown).append(found or name)
        return known, unknown

    def seats(self, edition_id, text) -> list[int]:
        """The ids of the edition's fields a judge's ``Lĩnh vực`` cell names, in order."""
        edition = self.editions.get(edition_id)
        if edition is None:
            return []
        known, _ = self.judge_fields(text)
        return list(dict.fromkeys(f.id for found in known for f in found if edition.has_field(f.id)))

    # -- tiers and criteria ------------------------------------------------------------------------
    def tier_name(self, tier_id) -> str | None:
        found = self.tiers.get(tier_id)
        return found.name if found else None

    def kind_tiers(self, kind_id) -> list[TierInfo]:
        return [t for t in self.tiers.values() if t.kind == kind_id]

    def kind_criteria(self, kind_id) -> list[CriterionInfo]:
        return [c for c in self.criteria.values() if c.kind == kind_id]


# -- what a score sheet refers to ------------------------------------------------------------------
@dataclass(frozen=True)
class JudgeInfo:
    id: int
    unit: int
    edition: int | None
    name: str
    fields: frozenset


@dataclass(frozen=True)
class EntryInfo:
    id: int
    unit: int
    edition: int | None
    field: int | None
    number: str | None
    code: str | None


@dataclass
class Resolution:
    """What a score row means: its entry and judge (``None`` when not found), the total
    it gives (from ``Điểm`` or its criteria), the criteria by id, and what is wrong with
    it: ``[(field, Vietnamese message)]``."""

    entry: EntryInfo | None = None
    judge: JudgeInfo | None = None
    edition: EditionInfo | None = None
    total: Decimal | None = None
    criteria: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def entry_codes(entry_ids) -> dict:
    """``{entry id: its Mã}``: the Mã of the row that created it, else the Mã phoihop gave
    it when it pushed it to the entries sheet. Two queries."""
    ids = list(entry_ids)
    codes = {}
    for start in range(0, len(ids), 10000):
        part = ids[start:start + 10000]
        codes.update((i, c) for i, c in Entry.select(Entry.id, Entry.source_key).where(Entry.id.in_(part)).tuples() if c)
    missing = [i for i in ids if i not in codes]
    for start in range(0, len(missing), 10000):
        part = missing[start:start + 10000]
        query = (SyncedRow.select(SyncedRow.record_id, SyncedRow.key).join(Binding)
                 .where(Binding.name == ENTRIES_BINDING, SyncedRow.record_id.in_(part), SyncedRow.archived == False))  # noqa: E712
        codes.update(query.tuples())
    return codes


@dataclass
class Panels:
    """The judges and entries of every edition, for reading score sheets."""

    catalog: Catalog
    judges: dict = field(default_factory=dict)  # person key → [JudgeInfo]
    by_code: dict = field(default_factory=dict)  # Mã → EntryInfo
    by_number: dict = field(default_factory=dict)  # number key → [EntryInfo]
    _live: dict | None = None  # (entry, judge, round key, correction) → [(score id, Mã)]

    @classmethod
    def load(cls, catalog: Catalog) -> Panels:
        """Judges with their fields, entries with their STT and Mã: four queries."""
        found = cls(catalog)
        seats = {}
        for judge_id, field_id in JudgeField.select(JudgeField.judge, JudgeField.field).tuples():
            seats.setdefault(judge_id, set()).add(field_id)
        query = (Judge.select(Judge.id, Judge.unit, Judge.edition, Judge.name, Person.full_name)
                 .join(Person, peewee.JOIN.LEFT_OUTER, on=(Judge.person == Person.id))
                 .where(Judge.archived == False).tuples())  # noqa: E712
        for judge_id, unit, edition, name, full_name in query:
            info = JudgeInfo(judge_id, unit, edition, name, frozenset(seats.get(judge_id, ())))
            for key in {person_key(name), person_key(full_name)} - {""}:
                found.judges.setdefault(key, []).append(info)
        rows = list(Entry.select(Entry.id, Entry.unit, Entry.edition, Entry.field, Entry.number, Entry.source_key)
                    .where(Entry.archived == False).tuples())  # noqa: E712
        pushed = {}
        if any(code is None for *_, code in rows):
            query = (SyncedRow.select(SyncedRow.record_id, SyncedRow.key).join(Binding)
                     .where(Binding.name == ENTRIES_BINDING, SyncedRow.archived == False))  # noqa: E712
            pushed = dict(query.tuples())
        for entry_id, unit, edition, field_id, number, code in rows:
            info = EntryInfo(entry_id, unit, edition, field_id, number, code or pushed.get(entry_id))
            if info.code:
                found.by_code[normalise(info.code)] = info
            if number:
                found.by_number.setdefault(number_key(number), []).append(info)
        return found

    def live(self) -> dict:
        """The scores in the database, by judge × entry × round × correction (read on
        first use, one query)."""
        if self._live is None:
            self._live = {}
            query = (Score.select(Score.id, Score.entry, Score.judge, Score.round, Score.correction, Score.source_key)
                     .where(Score.archived == False, Score.entry.is_null(False), Score.judge.is_null(False)).tuples())  # noqa: E712
            for score_id, entry, judge, round_name, correction, code in query:
                self._live.setdefault((entry, judge, normalise(round_name), bool(correction)), []).append((score_id, code))
        return self._live

    # -- the rules of a score row ------------------------------------------------------------------
    def resolve(self, values: dict, headers: dict, unit=None) -> Resolution:
        """Which entry and judge a score row means and the total it gives (see the module
        docstring); ``headers`` name the columns in messages; ``unit`` narrows every look-up
        to one unit (the record's), ``None`` looks in every unit (a row being checked)."""
        found = Resolution()
        catalog = self.catalog
        judge_name = values.get("judge_name")
        judges = [j for j in self.judges.get(person_key(judge_name), ()) if unit is None or j.unit == unit]
        editions = None
        if values.get("edition_name"):
            editions = {e.id for e in catalog.editions_named(values["edition_name"], unit)}
            if not editions:
                found.problems.append(("edition_name", f'Cuộc thi "{values["edition_name"]}" chưa có trong phoihop'))
                return found
        entry = self._entry(values, headers, judges, editions, unit, found)
        if entry is None:
            return found
        found.entry, found.edition = entry, catalog.editions.get(entry.edition)
        if found.edition is None:
            found.problems.append(("entry_number" if values.get("entry_number") is not None else "entry_key",
                                   "giải pháp này chưa thuộc cuộc thi nào trong phoihop"))
            return found
        self._judge(judge_name, headers, judges, entry, found)
        self._total(values, headers, found)
        return found

    def _entry(self, values, headers, judges, editions, unit, found):
        def allowed(info):
            return (unit is None or info.unit == unit) and (editions is None or info.edition in editions)

        code = values.get("entry_key")
        if code:
            info = self.by_code.get(normalise(code))
            if info is None or not allowed(info):
                found.problems.append(("entry_key", f'{headers.get("entry_key", "Mã giải pháp")} "{code}" '
                                                    "không có trong danh sách giải pháp dự thi"))
                return None
            number = values.get("entry_number")
            if number is not None and info.number and number_key(info.number) != number_key(number):
                found.problems.append(("entry_number", f'{headers.get("entry_number", "STT giải pháp")} {number} '
                                                       f'không khớp với Mã giải pháp "{code}" (STT {info.number})'))
                return None
            return info
        number = values.get("entry_number")
        label = headers.get("entry_number", "STT giải pháp")
        if number is None:
            found.problems.append(("entry_number", f'Thiếu "{label}" hoặc "Mã giải pháp": không biết phiếu chấm giải pháp nào'))
            return None
        candidates = [i for i in self.by_number.get(number_key(number), ()) if allowed(i)]
        seated = [i for i in candidates if any(j.edition == i.edition and i.field in j.fields for j in judges)]
        sitting = [i for i in candidates if any(j.edition == i.edition for j in judges)]
        candidates = seated or sitting or candidates
        if not candidates:
            found.problems.append(("entry_number", f"{label} {format_int(number)} không có trong danh sách giải pháp dự thi"))
            return None
        latest = self.catalog.latest(self.catalog.editions[i.edition] for i in candidates if i.edition in self.catalog.editions)
        if latest is not None:
            candidates = [i for i in candidates if i.edition == latest.id]
        if len(candidates) > 1:
            found.problems.append(("entry_number", f"{label} {format_int(number)} ứng với {len(candidates)} giải pháp của "
                                                   f'"{latest.name if latest else ""}": hãy ghi Mã giải pháp'))
            return None
        return candidates[0]

    def _judge(self, judge_name, headers, judges, entry, found):
        catalog = self.catalog
        label = headers.get("judge_name", "Giám khảo")
        field_name = catalog.field_name(entry.field) or ""
        here = [j for j in judges if j.edition == entry.edition]
        seated = [j for j in here if entry.field in j.fields]
        if seated:
            found.judge = seated[0]
            return
        if not here:
            found.problems.append(("judge_name", f'{label} "{judge_name}" không có trong danh sách giám khảo của tổ '
                                                 f'chấm lĩnh vực "{field_name}"'))
            return
        sits = "; ".join(catalog.field_name(f) or "" for f in sorted(here[0].fields)) or "chưa có lĩnh vực"
        found.problems.append(("judge_name", f'{label} "{judge_name}" không có trong tổ chấm lĩnh vực "{field_name}" '
                                             f"(chỉ chấm: {sits})"))

    def _total(self, values, headers, found):
        catalog = self.catalog
        edition = found.edition
        points = {}
        for key, value in values.items():
            if key.startswith(CRITERION_PREFIX) and value is not None:
                criterion = catalog.criteria.get(int(key[len(CRITERION_PREFIX):]))
                if criterion is None or criterion.kind != edition.kind:
                    continue
                problem = rules.check_criterion(value, criterion.maximum, headers.get(key, criterion.name))
                if problem:
                    found.problems.append((key, problem))
                points[criterion.id] = Decimal(value)
        found.criteria = points
        label = headers.get("total", "Điểm")
        total = values.get("total")
        if points:
            weights = {c: w for (c, f), w in catalog.weights.items() if f == (found.entry.field if found.entry else None)}
            summed = rules.criteria_total(points, weights)
            problem = rules.check_sum(total, summed, label)
            if problem:
                found.problems.append(("total", problem))
            total = summed if total is None else total
        if total is None:
            found.problems.append(("total", f'Thiếu "{label}"'))
            return
        problem = rules.check_total(total, edition.max_score, label)
        if problem:
            found.problems.append(("total", problem))
        found.total = Decimal(total)


CRITERION_PREFIX = "criterion_"


def criteria_json(points: dict) -> str | None:
    """Criteria points as stored on a score: ``{"12": "28.5"}``."""
    return json.dumps({str(k): str(v) for k, v in points.items()}, sort_keys=True) if points else None


def criteria_of(text) -> dict:
    """The stored criteria points, ``{criterion id: Decimal}``."""
    if not text:
        return {}
    return {int(k): Decimal(v) for k, v in json.loads(text).items()}
