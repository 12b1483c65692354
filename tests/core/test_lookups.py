"""Lookup lists as data (``core.lookups``) and the ``choice`` columns that read them
(``sheets.mapping.LookupChoices``): seeded lazily, shared by every unit, and re-read by
the next sync when another connection or process changed them."""
import datetime as dt
import subprocess
import sys
import textwrap
import types
import unicodedata

import peewee
import pytest

from core.admin import scope
from core.db import open_database
from core.lookups import LookupModel, split_aliases
from core.models import Unit
from core.records import SyncedRecord
from core.schema import upgrade
from sheets.mapping import Column, LookupChoices, Mapping, NamedChoices
from sheets.values import CellError
from tests.conftest import REPO
from tests.core.test_people import QueryCount
from tests.sheets.memory_backend import MemoryBackend

LONG_AGO = dt.datetime(2001, 1, 1)
SHEET = "Tranh"


class Colour(LookupModel):
    """A lookup list of the tests: màu."""

    defaults = (("Đỏ", ("Màu đỏ",)), ("Xanh lá", ("Xanh lục", "Lục")), ("Vàng", ()))

    class Meta:
        table_name = "test_lookup_colour"


class Painting(SyncedRecord):
    """A synced record whose ``colour`` is an entry of the list."""

    title = peewee.CharField()
    colour = peewee.ForeignKeyField(Colour, null=True, on_delete="RESTRICT")

    class Meta:
        table_name = "test_lookup_painting"


class PaintingMapping(Mapping):
    """Colour by name through the choices' dicts: no query per row."""

    def __init__(self):
        self.colours = LookupChoices(Colour)
        super().__init__(name="test.paintings", model=Painting, key_prefix="TR", columns=[
            Column("title", "Tên tranh", required=True),
            Column("colour", "Màu", kind="choice", choices=self.colours),
        ])

    def read_many(self, records):
        return {r.id: {"title": r.title, "colour": self.colours.name_of(r.colour_id)} for r in records}

    def apply(self, record, values):
        for name, value in values.items():
            if name == "colour":
                record.colour = self.colours.id_of(value) if value else None
            else:
                setattr(record, name, value)


class Note(peewee.Model):
    """Neither shared nor a unit's: hidden from scoped users."""

    text = peewee.CharField()


@pytest.fixture
def ctx(app):
    with app.app_context():
        upgrade([Colour, Painting])
        yield app


def statements(work):
    with QueryCount() as count:
        work()
    return len(count)


def names():
    return [c.name for c in Colour.ordered()]


def age_every_colour():
    """Every entry last changed long ago (a write that sets ``updated_at`` keeps it)."""
    Colour.update(updated_at=LONG_AGO).execute()
    assert Colour.stamp()[1] in (LONG_AGO, str(LONG_AGO))


# -- the list and its defaults --------------------------------------------------------------------
def test_defaults_are_created_once_in_their_order_with_their_aliases(ctx):
    assert Colour.ensure_defaults() == 3
    assert Colour.ensure_defaults() == 0
    assert names() == ["Đỏ", "Xanh lá", "Vàng"]
    green = Colour.get(Colour.name == "Xanh lá")
    assert (green.alias_list(), green.sort_order, green.active) == (["Xanh lục", "Lục"], 20, True)
    assert Colour.get(Colour.name == "Vàng").aliases is None


def test_ensure_defaults_is_one_query_when_nothing_is_missing(ctx):
    Colour.ensure_defaults()
    assert statements(Colour.ensure_defaults) == 1


def test_a_deleted_default_comes_back_an_inactive_one_stays_as_it_is(ctx):
    Colour.ensure_defaults()
    Colour.delete().where(Colour.name == "Đỏ").execute()
    Colour.update(active=False).where(Colour.name == "Vàng").execute()
    assert Colour.ensure_defaults() == 1
    assert Colour.select().count() == 3
    assert Colour.get(Colour.name == "Vàng").active is False


def test_a_renamed_entry_keeps_its_old_name_as_an_alias_and_is_not_seeded_again(ctx):
    Colour.ensure_defaults()
    yellow = Colour.get(Colour.name == "Vàng")
    yellow.name = "Vàng nghệ"
    yellow.save()
    assert Colour.get_by_id(yellow.id).alias_list() == ["Vàng"]
    assert Colour.ensure_defaults() == 0
    assert names() == ["Đỏ", "Xanh lá", "Vàng nghệ"]


def test_an_office_addition_is_kept_and_its_aliases_split_on_semicolons_and_lines(ctx):
    Colour.ensure_defaults()
    Colour.create(name="Tím", aliases="Màu tím;\n tím  than ;Tím", sort_order=15)
    assert Colour.ensure_defaults() == 0
    assert names() == ["Đỏ", "Tím", "Xanh lá", "Vàng"]
    assert Colour.get(Colour.name == "Tím").alias_list() == ["Màu tím", "tím than", "Tím"]
    assert split_aliases(unicodedata.normalize("NFD", "Tím ; ; tím")) == ["Tím", "tím"]


# -- shared by every unit ----------------------------------------------------------------------------
def test_lookup_lists_are_shared_by_every_unit_by_their_declaration(ctx):
    Colour.ensure_defaults()
    unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang")
    scoped = types.SimpleNamespace(unit_id=unit.id)
    assert Colour._meta.shared is True and LookupModel._meta.shared is True
    assert [c.name for c in scope(Colour.ordered(), Colour, user=scoped)] == ["Đỏ", "Xanh lá", "Vàng"]
    assert not getattr(Painting._meta, "shared", False)
    assert "WHERE" not in str(scope(Colour.select(), Colour, user=scoped).sql()[0])
    assert "WHERE" in str(scope(Painting.select(), Painting, user=scoped).sql()[0])
    assert "WHERE" in str(scope(Note.select(), Note, user=scoped).sql()[0])


# -- updated_at and the stamp ----------------------------------------------------------------------
@pytest.mark.parametrize("write", ["create", "save", "update", "bulk_update", "delete"])
def test_every_write_through_peewee_changes_the_stamp(ctx, write):
    Colour.ensure_defaults()
    age_every_colour()
    before = Colour.stamp()
    red = Colour.get(Colour.name == "Đỏ")
    if write == "create":
        Colour.create(name="Tím")
    elif write == "save":
        red.aliases = "Đỏ tươi"
        red.save()
    elif write == "update":
        Colour.update(sort_order=5).where(Colour.id == red.id).execute()
    elif write == "bulk_update":
        red.sort_order = 5
        Colour.bulk_update([red], fields=[Colour.sort_order])
    else:
        red.delete_instance()
    assert Colour.stamp() != before
    if write != "delete":
        assert max(c.updated_at for c in Colour.select()) > LONG_AGO


def test_a_write_that_sets_updated_at_keeps_its_value(ctx):
    Colour.ensure_defaults()
    Colour.update(updated_at=LONG_AGO, sort_order=1).where(Colour.name == "Đỏ").execute()
    Colour.update({Colour.updated_at: LONG_AGO}).where(Colour.name == "Vàng").execute()
    assert [c.updated_at == LONG_AGO for c in Colour.ordered()] == [True, False, True]


# -- the choices of a column ----------------------------------------------------------------------------
def test_choices_read_names_and_aliases_in_any_case_spacing_or_unicode_form(ctx):
    column = Column("colour", "Màu", kind="choice", choices=LookupChoices(Colour))
    assert column.parse("  xanh   LỤC ") == column.parse(unicodedata.normalize("NFD", "Lục")) == "Xanh lá"
    assert column.parse("Màu đỏ") == "Đỏ"
    assert column.parse("") is None
    with pytest.raises(CellError, match="không thuộc danh sách: Đỏ, Xanh lá, Vàng"):
        column.parse("Tím")


def test_named_choices_say_what_the_list_is_when_a_cell_is_not_in_it(ctx):
    choices = NamedChoices(Colour, "màu của tranh", "màu")
    assert choices.parse("màu đỏ") == "Đỏ"
    with pytest.raises(CellError, match=r"^không phải màu của tranh \(các màu: Đỏ; Xanh lá; Vàng\)$"):
        choices.parse("Tím")


def test_an_inactive_entry_is_still_read_but_no_longer_offered(ctx):
    Colour.ensure_defaults()
    Colour.update(active=False).where(Colour.name == "Vàng").execute()
    choices = LookupChoices(Colour)
    assert choices.parse("vàng") == "Vàng"
    assert list(choices) == ["Đỏ", "Xanh lá"] and len(choices) == 2
    assert choices["Vàng"] == ()
    with pytest.raises(CellError) as error:
        choices.parse("Tím")
    assert "Vàng" not in str(error.value)


def test_ids_and_names_come_from_dicts_and_an_unchanged_table_costs_one_query(ctx):
    choices = LookupChoices(Colour)
    choices.refresh()
    ids = {c.name: c.id for c in Colour.select()}

    def lookups():
        for _ in range(100):
            assert choices.id_of(choices.parse("lục")) == ids["Xanh lá"]
            assert choices.name_of(ids["Đỏ"]) == "Đỏ"

    assert statements(lookups) == 0
    assert statements(choices.refresh) == 1
    assert choices.refresh() is False


def test_choices_compare_by_identity_without_reading_the_table(ctx):
    first, second = LookupChoices(Colour), LookupChoices(Colour)
    assert statements(lambda: (first == second, hash(first), repr(first))) == 0
    assert first != second and first == first


def test_a_rename_over_another_connection_is_seen_by_the_next_refresh_only(ctx, db_url):
    Colour.create(name="Tím")
    choices = LookupChoices(Colour)
    assert choices.parse("Tím") == "Tím"
    other = open_database(db_url)  # another connection: what another process would hold
    with other.connection_context():
        p = other.param
        other.execute_sql(f"UPDATE test_lookup_colour SET name = {p}, updated_at = {p} WHERE name = {p}",
                          ("Tím than", str(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)), "Tím"))
    assert choices.parse("Tím") == "Tím"  # read once: nothing asked the table again yet
    assert choices.refresh() is True
    assert choices.parse("tím than") == "Tím than"
    with pytest.raises(CellError):
        choices.parse("Tím")  # a raw UPDATE keeps no alias: only save() does


def test_prepare_refreshes_lookup_columns_and_leaves_fixed_choices_alone(ctx):
    mapping = PaintingMapping()
    fixed = Column("size", "Khổ", kind="choice", choices={"A4": ()})
    assert statements(fixed.refresh) == 0  # nothing to re-read
    Colour.ensure_defaults()
    assert statements(mapping.prepare) == 3  # first read: the stamp, the defaults, the entries
    assert statements(mapping.prepare) == 1


# -- the sync engine re-reads the list at the start of every run ---------------------------------
@pytest.fixture
def paintings(ctx, tmp_path):
    from sheets.models import Binding

    unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
    binding = Binding.create(name="test.paintings", source=str(tmp_path / "tranh.xlsx"), worksheet=SHEET, unit=unit)
    backend = MemoryBackend({SHEET: [["Tên tranh", "Màu"], ["Hoàng hôn", "Đỏ"], ["Đồng lúa", "Tím"]]})
    return binding, backend


def add_in_another_process(db_url, name):
    """Add an entry as another phoihop process would: its own interpreter and connection."""
    code = textwrap.dedent(f"""
        from core.db import bind
        from tests.core.test_lookups import Colour
        bind({db_url!r})
        Colour.create(name={name!r})
    """)
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True, timeout=120)


def test_an_entry_added_by_another_process_is_accepted_by_the_next_sync(paintings, db_url):
    from sheets.sync import sync

    binding, backend = paintings
    mapping = PaintingMapping()  # one mapping for both runs: no restart in between
    first = sync(binding, mapping, backend)
    assert first.created == 1
    assert [e["value"] for e in first.errors] == ["Tím"]
    add_in_another_process(db_url, "Tím")
    second = sync(binding, mapping, backend)
    assert (second.created, second.errors) == (1, [])
    got = {p.title: p.colour.name for p in Painting.select()}
    assert got == {"Hoàng hôn": "Đỏ", "Đồng lúa": "Tím"}


def test_an_entry_renamed_in_the_admin_is_accepted_by_the_next_sync_under_both_names(paintings):
    from sheets.sync import sync

    binding, backend = paintings
    backend.sheets[SHEET][2][1] = "Vàng"
    mapping = PaintingMapping()
    assert sync(binding, mapping, backend).created == 2
    yellow = Colour.get(Colour.name == "Vàng")
    yellow.name = "Vàng nghệ"  # as the admin's form saves it
    yellow.save()
    backend.sheets[SHEET].append(["Cánh đồng", "vàng nghệ"])
    result = sync(binding, mapping, backend)
    assert (result.created, result.errors) == (1, [])
    assert {p.title: p.colour_id for p in Painting.select()} == {
        "Hoàng hôn": Colour.get(Colour.name == "Đỏ").id, "Đồng lúa": yellow.id, "Cánh đồng": yellow.id}
    assert not backend.cell(SHEET, "Trạng thái đồng bộ", 3, header_row=1).startswith("Lỗi")  # the old name matches
