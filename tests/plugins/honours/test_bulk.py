"""Setting columns of many rows in one statement (plugins/honours/bulk.py), on SQLite and
PostgreSQL: every kind of column, NULLs, the stamp kept or moved, one statement per batch."""
import datetime as dt

import pytest

from tests.core.test_people import QueryCount


@pytest.fixture
def nominations(pt):
    """1,201 nominations, last changed on 01/01/2020."""
    from plugins.honours.models import Nomination, Round

    item = Round.create(unit=pt, year=2023)
    Nomination.insert_many([{"unit": pt.id, "round": item.id, "year": 2023, "full_name": f"Người Số {n}",
                             "name_key": f"nguoi so {n}", "status": "cũ", "eligible": True, "votes_for": 1,
                             "updated_at": dt.datetime(2020, 1, 1)} for n in range(1201)]).execute()
    return list(Nomination.select().order_by(Nomination.id))


def test_every_row_gets_its_own_values_of_every_kind(nominations):
    from plugins.honours.bulk import set_values
    from plugins.honours.models import Nomination

    first = nominations[0].id
    rows = {n.id: {"status": None if n.id % 2 else f"dòng {n.id}", "eligible": n.id % 3 == 0, "votes_for": n.id % 7,
                   "merged_into": first if n.id != first else None} for n in nominations}
    assert set_values(Nomination, rows, ["status", "eligible", "votes_for", "merged_into"]) == len(rows)
    stored = {n.id: {"status": n.status, "eligible": n.eligible, "votes_for": n.votes_for,
                     "merged_into": n.merged_into_id} for n in Nomination.select()}
    assert stored == rows


def test_a_column_of_nulls_only(nominations):
    from plugins.honours.bulk import set_values
    from plugins.honours.models import Nomination

    set_values(Nomination, {n.id: {"votes_for": None, "eligible": None} for n in nominations[:3]},
               ["votes_for", "eligible"])
    assert [(n.votes_for, n.eligible) for n in Nomination.select().order_by(Nomination.id).limit(4)] == [
        (None, None)] * 3 + [(1, True)]


def test_keep_stamp_leaves_updated_at_and_otherwise_it_moves(nominations):
    from plugins.honours.bulk import set_values
    from plugins.honours.models import Nomination

    kept, moved = nominations[0].id, nominations[1].id
    set_values(Nomination, {kept: {"status": "a"}}, ["status"], keep_stamp=True)
    set_values(Nomination, {moved: {"status": "b"}}, ["status"])
    stamps = {n.id: n.updated_at for n in Nomination.select().where(Nomination.id.in_([kept, moved]))}
    assert stamps[kept] == dt.datetime(2020, 1, 1) and stamps[moved] > dt.datetime(2020, 1, 1)


def test_one_statement_per_500_rows(nominations):
    from plugins.honours.bulk import set_values
    from plugins.honours.models import Nomination

    with QueryCount() as statements:
        set_values(Nomination, {n.id: {"status": "mới", "votes_for": 3} for n in nominations}, ["status", "votes_for"])
    assert len(statements) == 3  # 1,201 rows
