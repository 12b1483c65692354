"""The recompute of an edition: set-based (its statements do not grow with its size),
stale-aware (nothing changed, nothing recomputed), and invisible to ``updated_at``."""
import contextlib
from decimal import Decimal

import pytest

from plugins.contests.results import recompute, recompute_stale, stamps


@contextlib.contextmanager
def counting():
    """Count the statements the database runs inside the block."""
    from core.db import database

    db = database.obj
    original = db.execute_sql
    found = []

    def counted(sql, params=None, *args, **kwargs):
        found.append(sql)
        return original(sql, params, *args, **kwargs)

    db.execute_sql = counted
    try:
        yield found
    finally:
        db.execute_sql = original


def build(unit, entries, judges=3, field_names=("Y dược",)):
    """An edition with ``entries`` entries per field and ``judges`` judges each scoring all."""
    from core.models import Organisation, Person
    from plugins.contests.models import (
        ContestField, ContestKind, Edition, EditionTier, Entry, EntryAuthor, Judge, JudgeField, PrizeTier, Score,
        ensure_catalog,
    )

    ensure_catalog()
    kind = ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật")
    edition = Edition.create(unit=unit, kind=kind, name=f"Hội thi {entries}", season_start=2023, season_end=2023)
    for name, quota in (("Nhất", 1), ("Nhì", 2), ("Ba", 3)):
        EditionTier.create(edition=edition, tier=PrizeTier.get(PrizeTier.kind == kind, PrizeTier.name == name), quota=quota)
    org = Organisation.create(unit=unit, name=f"Sở {entries}")
    for f, field_name in enumerate(field_names):
        field = ContestField.get(ContestField.name == field_name)
        panel = []
        for j in range(judges):
            judge = Judge.create(unit=unit, edition=edition, name=f"GK {f}-{j}", workplace=org if j == 0 else None)
            JudgeField.create(judge=judge, field=field)
            panel.append(judge)
        for n in range(entries):
            entry = Entry.create(unit=unit, edition=edition, field=field, title=f"GP {f}-{n}", number=str(n + 1),
                                 nominating_unit=org if n % 5 == 0 else None)
            author = Person.create(unit=unit, full_name=f"Tác giả {f}-{n}")
            EntryAuthor.create(entry=entry, person=author)
            for j, judge in enumerate(panel):
                Score.create(unit=unit, edition=edition, field=field, entry=entry, judge=judge, judge_name=judge.name,
                             total=Decimal(50 + (n * 7 + j * 3) % 50))
    return edition


@pytest.fixture
def unit(bg):
    return bg


def test_statements_do_not_grow_with_the_editions_size(ctx, unit):
    small, large = build(unit, 4), build(unit, 60, field_names=("Y dược", "Giáo dục và Đào tạo"))
    with counting() as few:
        recompute([small.id])
    with counting() as many:
        recompute([large.id])
    assert len(many) == len(few) and len(few) < 30


def test_nothing_changed_nothing_recomputed_and_updated_at_kept(ctx, unit):
    from plugins.contests.models import Entry, Score

    edition = build(unit, 6)
    assert recompute_stale() == [edition.id]
    before = {e.id: e.updated_at for e in Entry.select()}
    scores_before = {s.id: s.updated_at for s in Score.select()}
    assert recompute_stale() == []  # computing wrote results, and changed no stamp
    assert {e.id: e.updated_at for e in Entry.select()} == before
    assert {s.id: s.updated_at for s in Score.select()} == scores_before
    assert stamps() == stamps([edition.id])
    score = Score.select().first()
    score.total = Decimal(99)
    score.save()
    assert recompute_stale() == [edition.id]


def test_a_change_in_one_field_recomputes_that_field_only(ctx, unit):
    from plugins.contests.models import ContestField, Entry, Score

    edition = build(unit, 5, field_names=("Y dược", "Giáo dục và Đào tạo"))
    recompute_stale()
    yd = ContestField.get(ContestField.name == "Y dược")
    score = Score.select().where(Score.field == yd).first()
    score.total = Decimal(100)
    score.save()
    with counting() as statements:
        recompute_stale()
    loaded = [sql for sql in statements if 'FROM "contests_score"' in sql and "GROUP BY" not in sql]
    assert loaded and all('"field_id" IN' in sql for sql in loaded)  # only that field's scores were read
    assert Entry.get_by_id(score.entry_id).raw_mean == (
        sum(s.total for s in Score.select().where(Score.entry == score.entry_id, Score.counted == True))  # noqa: E712
        / Score.select().where(Score.entry == score.entry_id, Score.counted == True).count()).quantize(Decimal("0.01"))
    # quotas for the whole edition make it one whole again
    edition.quota_scope = "edition"
    edition.save()
    with counting() as statements:
        recompute_stale()
    loaded = [sql for sql in statements if 'FROM "contests_score"' in sql and "GROUP BY" not in sql]
    assert loaded and not any('"field_id" IN' in sql for sql in loaded)


def test_results_of_a_built_edition(ctx, unit):
    from plugins.contests.models import Entry, Score

    edition = build(unit, 6)
    recompute([edition.id])
    entries = {e.number: e for e in Entry.select()}
    # entry n: judge j gives 50 + (7n + 3j) % 50; judge 0 works at the nominating unit of n % 5 == 0
    assert entries["1"].valid_scores == 2 and not entries["1"].ranked  # n = 0: judge 0 is rejected
    assert entries["2"].raw_mean == Decimal("60")  # 57, 60, 63
    assert Score.select().where(Score.counted == False).count() == 2  # noqa: E712 — n = 0 and n = 5
    ranks = sorted((e.rank, e.number) for e in entries.values() if e.ranked)
    assert [r for r, _ in ranks] == [1, 2, 3, 4]
    tiers = {e.number: e.final_tier.name if e.final_tier_id else None for e in entries.values()}
    best = [n for _, n in ranks]
    assert [tiers[n] for n in best] == ["Nhất", "Nhì", "Nhì", "Ba"]


def test_recompute_of_nothing_does_nothing(ctx):
    with counting() as found:
        assert recompute([]) == 0
    assert found == []
