"""Setting columns of many rows in one statement (``core.bulk.set_values``,
``fill_values``, ``set_column``), on SQLite and PostgreSQL: every kind of column, NULLs,
empty cells filled and others kept, the stamp kept or moved, one statement per batch."""
import datetime as dt
from decimal import Decimal

import peewee
import pytest

from core.bulk import fill_values, set_column, set_values
from core.records import StampedModel
from core.schema import upgrade
from tests.core.test_people import QueryCount

LONG_AGO = dt.datetime(2020, 1, 1)


class Card(StampedModel):
    title = peewee.CharField(null=True)
    votes = peewee.IntegerField(null=True)
    eligible = peewee.BooleanField(null=True)
    budget = peewee.DecimalField(max_digits=12, decimal_places=2, null=True)
    parent = peewee.ForeignKeyField("self", null=True, backref="children")

    class Meta:
        table_name = "test_bulk_card"


@pytest.fixture
def cards(app):
    """1,201 cards, last changed on 01/01/2020."""
    with app.app_context():
        upgrade([Card])
        Card.insert_many([{"title": f"thẻ {n}", "votes": 1, "eligible": True, "updated_at": LONG_AGO}
                          for n in range(1201)]).execute()
        yield list(Card.select().order_by(Card.id))


def stored(fields):
    """``{id: {field name: value as stored}}`` (a foreign key as its id)."""
    return {c.id: {name: c.__data__.get(name) for name in fields} for c in Card.select()}


def test_every_row_gets_its_own_values_of_every_kind(cards):
    first = cards[0].id
    rows = {c.id: {"title": None if c.id % 2 else f"dòng {c.id}", "eligible": c.id % 3 == 0, "votes": c.id % 7,
                   "budget": Decimal(c.id) / 4, "parent": first if c.id != first else None} for c in cards}
    assert set_values(Card, rows, ["title", "eligible", "votes", "budget", "parent"]) == len(rows)
    assert stored(["title", "eligible", "votes", "budget", "parent"]) == rows


def test_a_column_of_nulls_only(cards):
    set_values(Card, {c.id: {"votes": None, "eligible": None} for c in cards[:3]}, ["votes", "eligible"])
    assert [(c.votes, c.eligible) for c in Card.select().order_by(Card.id).limit(4)] == [(None, None)] * 3 + [(1, True)]


def test_keep_stamp_leaves_updated_at_and_otherwise_it_moves(cards):
    kept, moved = cards[0].id, cards[1].id
    set_values(Card, {kept: {"title": "a"}}, ["title"], keep_stamp=True)
    set_values(Card, {moved: {"title": "b"}}, ["title"])
    stamps = {c.id: c.updated_at for c in Card.select().where(Card.id.in_([kept, moved]))}
    assert stamps[kept] == LONG_AGO and stamps[moved] > LONG_AGO


def test_one_statement_per_500_rows(cards):
    with QueryCount() as statements:
        set_values(Card, {c.id: {"title": "mới", "votes": 3} for c in cards}, ["title", "votes"])
    assert len(statements) == 3  # 1,201 rows


def test_fill_values_sets_only_the_empty_cells(cards):
    empty, full = cards[0].id, cards[1].id
    Card.update(votes=None).where(Card.id == empty).execute()
    fill_values(Card, {empty: {"votes": 9}, full: {"votes": 9}}, ["votes"])
    assert {c.id: c.votes for c in Card.select().where(Card.id.in_([empty, full]))} == {empty: 9, full: 1}


def test_fill_values_keeps_a_field_the_row_does_not_name(cards):
    one = cards[0].id
    Card.update(title=None, votes=None).where(Card.id == one).execute()
    fill_values(Card, {one: {"title": "đủ"}}, ["title", "votes"])
    assert (Card.get_by_id(one).title, Card.get_by_id(one).votes) == ("đủ", None)


def test_set_column_sets_one_column_from_pairs(cards):
    pairs = ((c.id, c.id % 5) for c in cards[:10])  # a generator, read once
    assert set_column(Card, "votes", pairs) == 10
    assert {c.id: c.votes for c in Card.select().where(Card.id.in_([c.id for c in cards[:10]]))} == {
        c.id: c.id % 5 for c in cards[:10]}
