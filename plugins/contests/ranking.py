"""What the ranking page of an edition shows, read in a few queries: per field, each
entry with every judge's score (and its verdict), the valid count, raw mean, normalised
score, Điểm, rank, flags, the proposed prize and the council's decision; the contested
quotas; the edition's tier settings.

:func:`ranking` recomputes the edition first when it changed since its results were last
computed, so that the page never shows stale results.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from plugins.contests import rules
from plugins.contests.index import Catalog
from plugins.contests.models import EditionTier, Entry, Judge, JudgeField, PrizeTier, Score
from plugins.contests.results import recompute_stale


@dataclass
class Row:
    entry: Entry
    marks: dict  # judge id → (total, counted, status)
    prize: str
    flags: list


@dataclass
class Panel:
    field_id: int
    name: str
    judges: list  # [(judge id, name)]
    rows: list = field(default_factory=list)


@dataclass
class Contest:
    """A contested quota: tied entries that straddle a tier's boundary."""

    field: str
    score: object
    entries: list
    held: str


@dataclass
class Ranking:
    panels: list
    contested: list
    tiers: list  # [(tier, quota, min score, money)]
    overridable: list  # [(id, name)] of the kind's tiers


def ranking(edition, field_id=None) -> Ranking:
    """The ranking of ``edition`` (one field, or all in order)."""
    recompute_stale([edition.id])
    catalog = Catalog.load()
    info = catalog.editions[edition.id]
    fields = [f for f in info.fields if field_id is None or f == field_id]
    entries = list(Entry.select().where(Entry.edition == edition, Entry.archived == False,  # noqa: E712
                                        Entry.field.in_(fields))
                   .order_by(Entry.rank.is_null(), Entry.rank, Entry.id)) if fields else []
    seats = defaultdict(list)
    query = (JudgeField.select(JudgeField.field, Judge.id, Judge.name).join(Judge)
             .where(Judge.edition == edition, Judge.archived == False)  # noqa: E712
             .order_by(JudgeField.field, Judge.id).tuples())
    for field_id_, judge_id, name in query:
        seats[field_id_].append((judge_id, name))
    marks = defaultdict(dict)
    for entry_id, judge_id, total, counted, status in (
            Score.select(Score.entry, Score.judge, Score.total, Score.counted, Score.status)
            .where(Score.edition == edition, Score.archived == False).order_by(Score.id).tuples()):  # noqa: E712
        marks[entry_id][judge_id] = (total, counted, status)
    panels = {f: Panel(f, catalog.field_name(f), seats.get(f, [])) for f in fields}
    contested = defaultdict(list)
    for entry in entries:
        data = entry.__data__
        prize = rules.prize_label(ranked=entry.ranked, tier_name=catalog.tier_name(data["proposed_tier"]),
                                  contested=entry.contested, overridden=entry.overridden,
                                  override_name=catalog.tier_name(data["override_tier"]))
        flags = []
        if entry.large_spread:
            flags.append(f"{rules.LARGE_SPREAD} ({rules.show(entry.spread)} điểm)")
        if not entry.ranked:
            flags.append(rules.INSUFFICIENT)
        if entry.contested:
            flags.append(f"{rules.COUNCIL}: giữ suất {entry.held_tiers}")
            scope = catalog.field_name(data["field"]) if edition.quota_scope == "field" else "Toàn cuộc thi"
            contested[(scope, entry.score if edition.scoring != rules.ZSCORE else entry.normalised)].append(entry)
        if entry.overridden:
            flags.append(f"Hội đồng quyết định ({entry.overridden_by})")
        panel = panels.get(data["field"])
        if panel is not None:
            panel.rows.append(Row(entry, marks.get(entry.id, {}), prize, flags))
    settings = {s.tier_id: s for s in EditionTier.select().where(EditionTier.edition == edition)}
    kind_tiers = list(PrizeTier.select().where(PrizeTier.kind == edition.kind_id, PrizeTier.active != False)  # noqa: E712
                      .order_by(PrizeTier.sort_order))
    tiers = [(t.name, settings.get(t.id)) for t in kind_tiers]
    groups = [Contest(scope, score, members, members[0].held_tiers or "") for (scope, score), members in contested.items()]
    return Ranking([panels[f] for f in fields], groups, tiers, [(t.id, t.name) for t in kind_tiers])
