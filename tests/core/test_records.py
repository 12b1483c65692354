"""The base of synced records (``core.records.SyncedRecord``): what every area's model gets,
``updated_at`` moved by every write (the sync engine's bulk updates included), the source
``Mã`` set when a sheet row creates a record, and ``phoihop init`` upgrading old tables."""
import datetime as dt

import peewee
import pytest

from core.db import BaseModel
from core.lookups import LookupModel
from core.models import Unit
from core.records import SyncedRecord
from core.schema import upgrade
from sheets.mapping import Column, Mapping
from tests.sheets.memory_backend import MemoryBackend

LONG_AGO = dt.datetime(2001, 1, 1)
SHEET = "Giải pháp"


@pytest.fixture
def pm(plugin_site):
    """The built-ins and the test plugin whose bindings use every kind of column."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager(plugins=["tests.sheets.entries_plugin"], entry_points=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def unit(ctx):
    return Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")


class Poster(SyncedRecord):
    title = peewee.CharField()
    pages = peewee.IntegerField(default=1)

    class Meta:
        table_name = "test_records_poster"


@pytest.fixture
def posters(ctx):
    upgrade([Poster])


def aged(model):
    """Every record last changed long ago (a write that sets ``updated_at`` keeps it)."""
    model.update(updated_at=LONG_AGO).execute()
    return {r.id: r.updated_at for r in model.select()}


# -- the mapping's requirement ---------------------------------------------------------------------
class LooseRecord(BaseModel):
    """Has a unit and ``archived`` — what the mapping used to look for — but not the base."""

    unit = peewee.ForeignKeyField(Unit)
    archived = peewee.BooleanField(default=False)
    title = peewee.CharField()


@pytest.mark.parametrize("model", [LooseRecord, Unit, "not a model"])
def test_a_mapping_refuses_a_model_that_is_not_a_synced_record(model):
    name = getattr(model, "__name__", repr(model))
    with pytest.raises(TypeError, match=f"binding test.loose: model {name} must derive from core.records.SyncedRecord"):
        Mapping(name="test.loose", model=model, key_prefix="LR", columns=[Column("title", "Tên")])


def test_a_mapping_takes_a_synced_record():
    mapping = Mapping(name="test.posters", model=Poster, key_prefix="PO", columns=[Column("title", "Tên")])
    assert mapping.model is Poster


# -- the fields -------------------------------------------------------------------------------
def test_a_synced_record_has_the_kit_fields_in_its_own_table(ctx, posters, unit):
    assert [f.name for f in Poster._meta.sorted_fields] == [
        "id", "unit", "archived", "created_at", "updated_at", "source_binding", "source_key", "title", "pages"]
    poster = Poster.create(unit=unit, title="Ngày hội khoa học")
    got = Poster.get_by_id(poster.id)
    assert (got.archived, got.source_binding, got.source_key, got.unit_id) == (False, None, None, unit.id)
    assert got.created_at is not None and got.updated_at is not None
    assert not getattr(Poster._meta, "shared", False)


def test_deleting_a_unit_deletes_its_records(ctx, posters, unit):
    Poster.create(unit=unit, title="Áp phích")
    unit.delete_instance()
    assert Poster.select().count() == 0


@pytest.mark.parametrize("write", ["save", "save_only", "update", "bulk_update"])
def test_updated_at_moves_with_every_write_through_peewee(ctx, posters, unit, write):
    poster = Poster.create(unit=unit, title="Áp phích")
    other = Poster.create(unit=unit, title="Tờ rơi")
    aged(Poster)
    poster = Poster.get_by_id(poster.id)
    poster.pages = 4
    if write == "save":
        poster.save()
    elif write == "save_only":
        poster.save(only=[Poster.pages])
    elif write == "update":
        Poster.update(pages=Poster.pages + 3).where(Poster.id == poster.id).execute()
    else:
        Poster.bulk_update([poster], fields=[Poster.pages])
    got = Poster.get_by_id(poster.id)
    assert got.pages == 4 and got.updated_at > LONG_AGO
    assert Poster.get_by_id(other.id).updated_at == LONG_AGO
    if write.startswith("save"):
        assert poster.updated_at == got.updated_at  # the instance knows what it wrote


def test_a_write_that_names_updated_at_keeps_it(ctx, posters, unit):
    poster = Poster.create(unit=unit, title="Áp phích")
    Poster.update(updated_at=LONG_AGO, title="Áp phích mới").where(Poster.id == poster.id).execute()
    assert Poster.get_by_id(poster.id).updated_at == LONG_AGO


# -- the sync engine --------------------------------------------------------------------------------
@pytest.fixture
def sheet_binding(unit, tmp_path):
    from sheets.models import Binding

    binding = Binding.create(name="test.entries", source=str(tmp_path / "giai-phap.xlsx"), worksheet=SHEET, unit=unit)
    backend = MemoryBackend({SHEET: [["Tên giải pháp", "Kinh phí"], ["Máy gieo hạt", "50 triệu"],
                                     ["Máy tách hạt", "12.000.000"], ["Máy sấy", "3.000.000"]]})
    return binding, backend


def run(binding, backend):
    from sheets.sync import sync
    from tests.sheets.entries_plugin import MAPPING

    return sync(binding, MAPPING, backend)


def test_a_record_made_from_a_sheet_row_knows_its_binding_and_its_ma(sheet_binding):
    from tests.sheets.entries_plugin import Entry

    binding, backend = sheet_binding
    assert run(binding, backend).created == 3
    keys = {backend.cell(SHEET, "Tên giải pháp", n, header_row=1): backend.cell(SHEET, "Mã", n, header_row=1)
            for n in (2, 3, 4)}
    assert {e.title: (e.source_binding, e.source_key) for e in Entry.select()} == {
        title: (binding.id, key) for title, key in keys.items()}
    assert sorted(keys.values()) == ["GP-000001", "GP-000002", "GP-000003"]


def test_a_record_made_in_the_admin_has_no_source(sheet_binding, unit):
    from tests.sheets.entries_plugin import Entry

    binding, backend = sheet_binding
    run(binding, backend)
    made = Entry.create(unit=unit, title="Máy cày mini")
    assert run(binding, backend).pushed == 1
    assert (Entry.get_by_id(made.id).source_binding, Entry.get_by_id(made.id).source_key) == (None, None)


def test_the_sync_moves_updated_at_of_the_records_it_changes_or_archives_only(sheet_binding):
    from tests.sheets.entries_plugin import Entry

    binding, backend = sheet_binding
    run(binding, backend)
    before = aged(Entry)
    assert run(binding, backend).unchanged == 3
    assert {e.id: e.updated_at for e in Entry.select()} == before  # a sync that changes nothing writes nothing
    grid = backend.sheets[SHEET]
    grid[1][1] = "60 triệu"
    del grid[3]  # "Máy sấy" left the sheet
    result = run(binding, backend)
    assert (result.updated, result.archived) == (1, 1)
    got = {e.title: (e.amount, e.archived, e.updated_at > LONG_AGO) for e in Entry.select()}
    assert got == {"Máy gieo hạt": (60_000_000, False, True), "Máy tách hạt": (12_000_000, False, False),
                   "Máy sấy": (3_000_000, True, True)}


def test_the_audit_of_a_sync_update_holds_the_new_updated_at(sheet_binding):
    import json

    from core.models import AuditLog
    from tests.sheets.entries_plugin import Entry

    binding, backend = sheet_binding
    run(binding, backend)
    aged(Entry)
    backend.sheets[SHEET][1][1] = "60 triệu"
    run(binding, backend)
    (audit,) = AuditLog.select().where(AuditLog.action == "update")
    after = json.loads(audit.after)
    assert after["updated_at"] == str(Entry.get(Entry.title == "Máy gieo hạt").updated_at)
    assert json.loads(audit.before)["updated_at"] == str(LONG_AGO)


# -- phoihop init on a database made before the base existed ---------------------------------------
class OldShade(BaseModel):
    name = peewee.CharField(unique=True)
    aliases = peewee.TextField(null=True)
    sort_order = peewee.IntegerField(default=100)

    class Meta:
        table_name = "test_records_shade"


class Shade(LookupModel):
    class Meta:
        table_name = "test_records_shade"


class OldLeaflet(BaseModel):
    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    title = peewee.CharField()
    shade = peewee.ForeignKeyField(OldShade, null=True, on_delete="RESTRICT")
    archived = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=LONG_AGO)

    class Meta:
        table_name = "test_records_leaflet"


class Leaflet(SyncedRecord):
    title = peewee.CharField()
    shade = peewee.ForeignKeyField(Shade, null=True, on_delete="RESTRICT")

    class Meta:
        table_name = "test_records_leaflet"


def test_init_adds_the_new_columns_to_old_tables_and_keeps_every_row(ctx, unit):
    """The shade is referenced by a leaflet: its table cannot be rebuilt on SQLite."""
    upgrade([OldShade, OldLeaflet])
    grey = OldShade.create(name="Xám", aliases="Ghi", sort_order=5)
    OldLeaflet.create(unit=unit, title="Tờ gấp cũ", archived=True, shade=grey)
    done = upgrade([Shade, Leaflet])
    assert done == ["thêm cột test_records_shade.active", "thêm cột test_records_shade.updated_at",
                    "thêm cột test_records_leaflet.updated_at", "thêm cột test_records_leaflet.source_binding",
                    "thêm cột test_records_leaflet.source_key"]
    leaflet = Leaflet.get()
    assert (leaflet.title, leaflet.archived, leaflet.unit_id, leaflet.created_at) == (
        "Tờ gấp cũ", True, unit.id, LONG_AGO)
    assert leaflet.updated_at is not None and (leaflet.source_binding, leaflet.source_key) == (None, None)
    assert leaflet.shade.name == "Xám"
    shade = Shade.get()
    assert (shade.name, shade.alias_list(), shade.sort_order, shade.active) == ("Xám", ["Ghi"], 5, True)
    assert shade.updated_at is not None
    assert upgrade([Shade, Leaflet]) == []
    Leaflet.create(unit=unit, title="Tờ gấp mới")
    assert Leaflet.select().count() == 2
