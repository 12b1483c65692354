"""Scores, ranks and prizes, recomputed set-based — for the fields that changed.

:func:`recompute` reads what results depend on — an edition's settings and tier settings,
the entries of the fields concerned, the edition's judges with their seats and workplaces,
the judges who are also authors of an entry, the scores — in a fixed number of queries,
decides everything with the pure rules of :mod:`plugins.contests.rules` (:func:`decide`),
and writes back only the entries and scores whose computed values changed (a few ``UPDATE
… CASE`` statements).

What depends on what: ranks and prizes are per field when quotas are per field, so a
change in one field recomputes that field only; with quotas for the whole edition, or with
jury + vote (whose vote part is relative to the edition's top votes), the edition is one
whole. :func:`stamps` — ``count`` and ``max(updated_at)`` per edition and field of the
entries and scores, and per edition of its settings, tier settings and judges, and of the
lists every edition shares — tells which (edition, field) changed since its results were
computed (:class:`~plugins.contests.models.ResultStamp`), whichever process changed it;
:func:`recompute_stale` recomputes those. Writing results never moves ``updated_at``, so
computing never makes anything look changed.

Who calls it: the score sheet after every chunk it saves, the entries and score sheets at
the start of a sync (so that what they write back is current), the admin after an edit,
and the ranking page before it shows an edition.

An entry's ``Điểm`` is the mean of its valid totals; with jury + vote, the composite; with
z-score normalisation the raw mean stays in ``Điểm`` and the normalised score stands beside
it (``normalised``) and decides the ranking — never replacing the raw mean silently.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from core.config import today
from core.bulk import set_values
from core.db import database
from core.models import Organisation
from core.vietnamese import normalise
from plugins.contests import rules
from plugins.contests.models import (
    BaseSalary, ContestField, CriterionWeight, Edition, EditionTier, Entry, EntryAuthor, Judge, JudgeField, PrizeTier,
    ResultStamp, Score,
)

VALID = "Hợp lệ"
NO_FIELD = 0  # the stamp key of entries and scores without a field
COMPUTED_ENTRY_FIELDS = ("score", "raw_mean", "normalised", "rank", "valid_scores", "spread", "large_spread", "ranked",
                         "contested", "held_tiers", "proposed_tier", "final_tier", "prize_money")


# -- what the results depend on ----------------------------------------------------------------------
def stamps(edition_ids=None) -> dict[tuple[int, int], str]:
    """``{(edition id, field id or 0): stamp}``: the counts and latest changes of the
    field's entries and scores, of the edition, its tier settings and judges, and of the
    lists every edition shares (tiers, weights, base salaries). Eight aggregate queries,
    whatever the number of editions."""
    ids = None if edition_ids is None else list(edition_ids)

    def scoped(query, column):
        return query if ids is None else query.where(column.in_(ids))

    wide = defaultdict(list)
    for edition_id, updated in scoped(Edition.select(Edition.id, Edition.updated_at), Edition.id).tuples():
        wide[edition_id].append(("edition", str(updated)))
    for model in (EditionTier, Judge):
        query = (model.select(model.edition, peewee.fn.COUNT(model.id), peewee.fn.MAX(model.updated_at))
                 .where(model.edition.is_null(False)).group_by(model.edition))
        for edition_id, count, latest in scoped(query, model.edition).tuples():
            wide[edition_id].append((model._meta.table_name, count, str(latest)))
    shared = repr(tuple((m._meta.table_name, *m.select(peewee.fn.COUNT(m.id), peewee.fn.MAX(m.updated_at))
                         .scalar(as_tuple=True)) for m in (PrizeTier, CriterionWeight, BaseSalary)))
    narrow = defaultdict(list)
    for model in (Entry, Score):
        query = (model.select(model.edition, model.field, peewee.fn.COUNT(model.id), peewee.fn.MAX(model.updated_at))
                 .where(model.edition.is_null(False)).group_by(model.edition, model.field))
        for edition_id, field_id, count, latest in scoped(query, model.edition).tuples():
            narrow[(edition_id, field_id or NO_FIELD)].append((model._meta.table_name, count, str(latest)))
    return {key: repr((sorted(wide[key[0]]), sorted(found), shared)) for key, found in narrow.items() if key[0] in wide}


def recompute_stale(edition_ids=None) -> list[int]:
    """Recompute what changed since its results were computed; return the editions
    touched. Nothing to do costs :func:`stamps` and one query."""
    current = stamps(edition_ids)
    if not current:
        return []
    editions = {edition for edition, _ in current}
    stored = {(e, f): s for e, f, s in ResultStamp.select(ResultStamp.edition, ResultStamp.field, ResultStamp.stamp)
              .where(ResultStamp.edition.in_(list(editions))).tuples()}
    stale = defaultdict(set)
    for key, stamp in current.items():
        if stored.get(key) != stamp:
            stale[key[0]].add(key[1])
    for edition_id, fields in sorted(stale.items()):
        recompute([edition_id], fields=fields, stamp=current)
    return sorted(stale)


# -- the data a decision needs -----------------------------------------------------------------------
@dataclass
class EditionData:
    id: int
    kind: int
    scope: str
    scoring: str
    min_valid: int
    spread_limit: Decimal
    max_score: Decimal
    jury_points: Decimal
    vote_points: Decimal
    final_round: str
    money_day: dt.date
    tiers: list = field(default_factory=list)  # [(tier id, name, quota, min score, money)] highest first

    @property
    def whole(self) -> bool:
        """Whether a change in one field can change another's results."""
        return self.scope == "edition" or self.scoring == rules.JURY_VOTE


@dataclass
class EntryData:
    id: int
    edition: int
    field: int | None
    nominating_unit: int | None
    votes: int | None
    overridden: bool
    override_tier: int | None
    current: tuple = ()  # the computed values stored, in COMPUTED_ENTRY_FIELDS order
    authors: set = field(default_factory=set)  # the judges among its authors (people ids)


@dataclass
class JudgeData:
    id: int
    edition: int | None
    person: int | None
    workplace: int | None
    name: str
    workplace_name: str
    fields: set = field(default_factory=set)


# a score: (id, entry, judge, round, total, correction, Mã, counted, status)
SCORE_COLUMNS = ("id", "entry_id", "judge_id", "round", "total", "correction", "source_key", "counted", "status")


@dataclass
class Decision:
    """What :func:`decide` found: per entry the computed fields, per score ``(counted,
    status)``, and the contested groups of each edition."""

    entries: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    contested: dict = field(default_factory=dict)  # edition → [(field or None, ContestedGroup)]


def decide(editions: dict, entries: dict, judges: dict, scores: list, field_names=None) -> Decision:
    """Every score's verdict and every entry's score, rank and proposed prize — plain data
    in, plain data out (no database). ``scores``: tuples of :data:`SCORE_COLUMNS`."""
    field_names = field_names or {}
    decision = Decision()
    verdicts = {}
    groups = defaultdict(list)
    for score in scores:
        score_id, entry_id, judge_id, round_name, total = score[:5]
        entry, judge = entries.get(entry_id), judges.get(judge_id)
        if (entry is None or judge is None or round_name or judge.edition != entry.edition
                or entry.field not in judge.fields or judge.person in entry.authors
                or (judge.workplace is not None and judge.workplace == entry.nominating_unit)):
            edition = editions.get(entry.edition) if entry is not None else None
            reason = _rejection(round_name, entry, judge, edition, field_names)
            if reason is not None:
                verdicts[score_id] = (False, reason)
                continue
        if total is None:
            verdicts[score_id] = (False, "Không tính: chưa có điểm")
        else:
            groups[(entry_id, judge_id, normalise(round_name) if round_name else "")].append(score)
    totals = defaultdict(list)
    valid = (True, VALID)
    for key, group in groups.items():
        if len(group) == 1:
            score = group[0]
            verdicts[score[0]] = valid
            totals[key[0]].append((key[1], score[4]))
            continue
        by_id = {s[0]: s for s in group}
        rows = [rules.ScoreRow(s[0], key, s[0], bool(s[5]), s[6]) for s in group]
        for score_id, why in rules.counted_scores(rows).items():
            if why is None:
                verdicts[score_id] = valid
                totals[key[0]].append((key[1], by_id[score_id][4]))
            else:
                verdicts[score_id] = (False, f"Không tính: {why}")
    by_edition = defaultdict(list)
    for entry in entries.values():
        by_edition[entry.edition].append(entry)
    for edition_id, members in by_edition.items():
        _decide_edition(editions[edition_id], members, totals, decision)
    flagged = {entry_id: (True, f"{VALID} — {rules.LARGE_SPREAD} ({rules.show(found['spread'])} điểm)")
               for entry_id, found in decision.entries.items() if found["large_spread"]}
    for score in scores:
        verdict = verdicts[score[0]]
        decision.scores[score[0]] = flagged.get(score[1], verdict) if verdict[0] else verdict
    return decision


def _rejection(round_name, entry, judge, edition, field_names):
    if entry is None or edition is None:
        return "Không tính: giải pháp không còn trong danh sách"
    if judge is None or judge.edition != entry.edition:
        return "Không tính: giám khảo không còn trong danh sách giám khảo"
    if entry.field not in judge.fields:
        return f'Không tính: giám khảo không thuộc tổ chấm lĩnh vực "{field_names.get(entry.field, "")}"'
    if round_name and normalise(round_name) != normalise(edition.final_round):
        return f"Không tính vào kết quả {edition.final_round}: phiếu chấm vòng {round_name}"
    if judge.person in entry.authors or (judge.workplace is not None and judge.workplace == entry.nominating_unit):
        reason = rules.conflict_of_interest(judge_person=judge.person, judge_workplace=judge.workplace,
                                            authors=entry.authors, nominating_unit=entry.nominating_unit,
                                            judge_name=judge.name, workplace_name=judge.workplace_name)
        return f"Bị loại: {reason}"
    return None


def _decide_edition(edition, members, totals, decision):
    found = {}
    for entry in members:
        values = [total for _, total in totals.get(entry.id, ())]
        ranked = rules.enough_scores(len(values), edition.min_valid)
        raw = rules.mean_score(values)
        found[entry.id] = {
            "raw_mean": raw, "valid_scores": len(values), "spread": rules.spread(values),
            "large_spread": rules.large_spread(values, edition.spread_limit), "ranked": ranked,
            "normalised": None, "score": raw if ranked else None, "rank": None, "contested": False,
            "held_tiers": None, "proposed_tier": None,
        }
    ranked = [e for e in members if found[e.id]["ranked"]]
    groups = defaultdict(list)
    for entry in ranked:
        groups[entry.field].append(entry)
    if edition.scoring == rules.ZSCORE:
        for entry_list in groups.values():
            rows = [(e.id, judge, total) for e in entry_list for judge, total in totals.get(e.id, ())]
            for entry_id, value in rules.zscore_scores(rows).items():
                found[entry_id]["normalised"] = value
    elif edition.scoring == rules.JURY_VOTE:
        top = max((e.votes or 0 for e in members), default=0)
        for entry in ranked:
            found[entry.id]["score"] = rules.jury_vote_score(
                found[entry.id]["raw_mean"], entry.votes, top, max_score=edition.max_score,
                jury_points=edition.jury_points, vote_points=edition.vote_points)

    def value(entry_id):
        return found[entry_id]["normalised"] if edition.scoring == rules.ZSCORE else found[entry_id]["score"]

    for entry_list in groups.values():
        for entry_id, rank in rules.competition_ranks((e.id, value(e.id)) for e in entry_list).items():
            found[entry_id]["rank"] = rank
    tier_rules = [rules.TierRule(tier_id, quota, minimum) for tier_id, _name, quota, minimum, _money in edition.tiers]
    names = {tier_id: name for tier_id, name, *_ in edition.tiers}
    money = {tier_id: amount for tier_id, *_, amount in edition.tiers}
    pools = [(None, ranked)] if edition.scope == "edition" else sorted(groups.items(), key=lambda item: item[0] or 0)
    contested = decision.contested.setdefault(edition.id, [])
    for field_id, pool in pools:
        allocation = rules.allocate_prizes([(e.id, value(e.id)) for e in pool], tier_rules)
        for entry_id, tier_id in allocation.awarded.items():
            found[entry_id]["proposed_tier"] = tier_id
        for entry_id, group in allocation.contested.items():
            found[entry_id]["contested"] = True
            found[entry_id]["held_tiers"] = "; ".join(f"{names[t]} ({n})" for t, n in group.held) or None
        contested.extend((field_id, group) for group in allocation.groups)
    by_id = {e.id: e for e in members}
    for entry_id, values in found.items():
        entry = by_id[entry_id]
        final = entry.override_tier if entry.overridden else values["proposed_tier"]
        values["final_tier"] = final
        values["prize_money"] = money.get(final) if final is not None else None
        decision.entries[entry_id] = values


# -- reading and writing -------------------------------------------------------------------------------
def in_fields(column, fields):
    """``column`` is one of ``fields`` (0: no field)."""
    real = [f for f in fields if f != NO_FIELD]
    condition = column.in_(real) if real else None
    if NO_FIELD in fields:
        condition = column.is_null() if condition is None else (condition | column.is_null())
    return condition if condition is not None else column.in_([])


def raw_rows(query):
    """The rows of a peewee query straight from the driver (no per-row conversion)."""
    sql, params = query.sql()
    return database.execute_sql(sql, params).fetchall()


def load(edition_ids, fields=None):
    """The editions of ``edition_ids`` and, of the ``fields`` given (all when ``None``, or
    when an edition is one whole), their entries, judges and scores as plain data: ten
    queries, whatever their size. Returns ``(editions, entries, judges, scores, fields)``
    (``fields``: the fields loaded, ``None`` for all)."""
    ids = list(edition_ids)
    salaries = list(BaseSalary.select(BaseSalary.effective_from, BaseSalary.amount).tuples())
    editions = {}
    for row in Edition.select().where(Edition.id.in_(ids)):
        editions[row.id] = EditionData(
            row.id, row.kind_id, row.quota_scope or "field", row.scoring or rules.MEAN,
            row.min_valid_scores or rules.MINIMUM_VALID_SCORES, Decimal(row.spread_limit), Decimal(row.max_score),
            Decimal(row.jury_points), Decimal(row.vote_points), row.final_round, row.decision_date or today())
    if fields is not None and (len(ids) != 1 or any(e.whole for e in editions.values())):
        fields = None
    kind_tiers = defaultdict(list)
    for tier_id, kind, name in (PrizeTier.select(PrizeTier.id, PrizeTier.kind, PrizeTier.name)
                                .where(PrizeTier.kind.in_(list({e.kind for e in editions.values()})),
                                       PrizeTier.active != False)  # noqa: E712
                                .order_by(PrizeTier.sort_order, PrizeTier.name).tuples()):
        kind_tiers[kind].append((tier_id, name))
    settings = {(s.edition_id, s.tier_id): s for s in EditionTier.select().where(EditionTier.edition.in_(ids))}
    for edition in editions.values():
        salary = rules.base_salary_on(edition.money_day, salaries)
        for tier_id, name in kind_tiers[edition.kind]:
            s = settings.get((edition.id, tier_id))
            quota = s.quota if s else None
            minimum = Decimal(s.min_score) if s and s.min_score is not None else None
            amount = rules.prize_amount(s.money, s.money_multiple, salary) if s else None
            edition.tiers.append((tier_id, name, quota, minimum, amount))
    judges = {}
    query = (Judge.select(Judge.id, Judge.edition, Judge.person, Judge.workplace, Judge.name, Organisation.name)
             .join(Organisation, peewee.JOIN.LEFT_OUTER, on=(Judge.workplace == Organisation.id))
             .where(Judge.edition.in_(ids), Judge.archived == False).tuples())  # noqa: E712
    for judge_id, edition, person, workplace, name, workplace_name in query:
        judges[judge_id] = JudgeData(judge_id, edition, person, workplace, name, workplace_name or "")
    for judge_id, field_id in (JudgeField.select(JudgeField.judge, JudgeField.field).join(Judge)
                               .where(Judge.edition.in_(ids), Judge.archived == False).tuples()):  # noqa: E712
        judges[judge_id].fields.add(field_id)
    where = (Entry.edition.in_(ids)) & (Entry.archived == False)  # noqa: E712
    if fields is not None:
        where &= in_fields(Entry.field, fields)
    entries = {}
    columns = [Entry.id, Entry.edition, Entry.field, Entry.nominating_unit, Entry.votes, Entry.overridden,
               Entry.override_tier, *(getattr(Entry, name) for name in COMPUTED_ENTRY_FIELDS)]
    for row in raw_rows(Entry.select(*columns).where(where)):  # compared as they come: see _differs
        entries[row[0]] = EntryData(*row[:5], bool(row[5]), row[6], current=row[7:])
    people = {j.person for j in judges.values() if j.person is not None}
    if people and entries:  # the judges who are also authors: all rule 1 needs of the authors
        for entry_id, person in (EntryAuthor.select(EntryAuthor.entry, EntryAuthor.person).join(Entry)
                                 .where(where, EntryAuthor.person.in_(list(people))).tuples()):
            entries[entry_id].authors.add(person)
    score_where = (Score.edition.in_(ids)) & (Score.archived == False)  # noqa: E712
    if fields is not None:
        score_where &= in_fields(Score.field, fields)
    scores = [_score(row) for row in raw_rows(
        Score.select(*(getattr(Score, c) for c in SCORE_COLUMNS)).where(score_where))]
    return editions, entries, judges, scores, fields


def _score(row):
    """A score row from the driver, its total a ``Decimal``, its flags booleans."""
    score_id, entry, judge, round_name, total, correction, code, counted, status = row
    if total is not None and not isinstance(total, Decimal):
        total = Decimal(str(total))
    return (score_id, entry, judge, round_name, total, bool(correction), code,
            None if counted is None else bool(counted), status)


def recompute(edition_ids, fields=None, stamp=None) -> int:
    """Recompute the results of ``edition_ids`` — of its ``fields`` only (ids, 0 for
    entries without one) when given and the edition is not one whole — and write what
    changed; return how many entries and scores changed. ``stamp``: the stamps read
    before (else read here), remembered as what these results were computed from."""
    ids = list(dict.fromkeys(edition_ids))
    if not ids:
        return 0
    with database.atomic(), gc_paused():
        stamp = stamp if stamp is not None else stamps(ids)
        editions, entries, judges, scores, loaded = load(ids, fields)
        field_names = dict(ContestField.select(ContestField.id, ContestField.name).tuples())
        decision = decide(editions, entries, judges, scores, field_names)
        changed = _write_entries(entries, decision.entries) + _write_scores(scores, decision.scores)
        keys = [key for key in stamp if key[0] in editions and (loaded is None or key[1] in loaded)]
        _remember(keys, stamp)
    return changed


def _remember(keys, stamp):
    """Store the stamps these results were computed from (two statements)."""
    if not keys:
        return
    for edition_id in {e for e, _ in keys}:
        mine = [f for e, f in keys if e == edition_id]
        ResultStamp.delete().where(ResultStamp.edition == edition_id, ResultStamp.field.in_(mine)).execute()
    ResultStamp.insert_many([{"edition": e, "field": f, "stamp": stamp[(e, f)]} for e, f in keys]).execute()


def _write_entries(entries: dict, found: dict) -> int:
    """Write the entries whose computed values changed, keeping their ``updated_at``."""
    changed = {}
    for entry_id, wanted in found.items():
        current = entries[entry_id].current
        if any(_differs(old, wanted[name]) for name, old in zip(COMPUTED_ENTRY_FIELDS, current)):
            changed[entry_id] = wanted
    if changed:
        set_values(Entry, changed, COMPUTED_ENTRY_FIELDS, keep_stamp=True)
    return len(changed)


def _write_scores(scores: list, found: dict) -> int:
    """Write the scores whose verdict changed, keeping their ``updated_at``."""
    changed = {}
    for score in scores:
        counted, status = found[score[0]]
        if score[7] != counted or score[8] != status:
            changed[score[0]] = {"counted": counted, "status": status}
    if changed:
        set_values(Score, changed, ("counted", "status"), keep_stamp=True)
    return len(changed)


def _differs(old, new) -> bool:
    """Whether a stored value (as the driver gives it: a float or ``Decimal`` for a
    decimal, 0/1 or a ``bool`` for a flag) differs from the computed one."""
    if old is None or new is None:
        return old is not new
    if isinstance(new, Decimal):
        return Decimal(str(old)) != new
    return old != new


@contextlib.contextmanager
def gc_paused():
    """Python's cycle collector off while a recompute allocates its many small tuples (it
    creates no cycles; with a large heap the collector would cost as much as the work)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
