"""The partner links carry their activity's unit, start date and archived flag (issue 10,
item 11), so that the report counts partners from the links alone. These copies must never
go stale: every way an activity changes — the sync's chunk, its archive and restore, a
unit moved in the sheet, the admin form, a plain peewee ``update`` — is followed by a
report that counts the partners right; and a database made before the copies gets them
(and the trigger that keeps them) from its first report."""
import datetime as dt

import peewee
import pytest

from core.db import BaseModel, database
from core.models import Organisation
from core.reports import Period
from core.schema import upgrade
from plugins.training.models import (
    COPIED, MODELS, TRIGGER, Activity, ActivityPartner, ensure_partner_copies, set_partners,
)
from plugins.training.reports import partner_ranking, training_section
from plugins.training.sheets import ActivityMapping
from tests.core.test_people import QueryCount
from tests.plugins.training.test_views import LIST, form_data
from tests.sheets.memory_backend import MemoryBackend

PERIOD = Period(2021, 2022)
SHEET = "Hoạt động"
HEADER = ["STT", "Đơn vị", "Loại hoạt động", "Tên hoạt động", "Ngày bắt đầu", "Đơn vị phối hợp"]


def copies(activity):
    """The (unit, start date, archived) every link of ``activity`` carries."""
    fields = [getattr(ActivityPartner, name) for name in COPIED]
    return set(ActivityPartner.select(*fields).where(ActivityPartner.activity == activity.id).tuples())


def partners(*units):
    return dict(partner_ranking(PERIOD, list(units)))


def drop_trigger():
    on = f' ON "{Activity._meta.table_name}"' if isinstance(database.obj, peewee.PostgresqlDatabase) else ""
    database.execute_sql(f"DROP TRIGGER {TRIGGER}{on}")


# -- written with the links, from the activity's row ----------------------------------------
def test_links_carry_their_activitys_unit_start_date_and_archived_flag(units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"], start_date=dt.date(2021, 3, 8))
    assert copies(activity) == {(units["A"].id, dt.date(2021, 3, 8), False)}


def test_links_copy_the_row_in_the_database_not_an_older_object(units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"])
    Activity.update(archived=True).where(Activity.id == activity.id).execute()
    assert activity.archived is False  # the object in memory is older than the row
    set_partners(activity, ["Sở Y tế", "Tỉnh đoàn"])
    assert copies(activity) == {(units["A"].id, dt.date(2021, 5, 1), True)}
    assert partners(units["A"]) == {}


def test_writing_links_with_copies_costs_no_extra_statement(units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"])
    with database.atomic(), QueryCount() as count:
        set_partners(activity, ["Sở Y tế", "Tỉnh đoàn"])
    assert len(count) == 4  # match (SELECT), new name (INSERT), DELETE, INSERT … SELECT


# -- kept by the trigger, whoever changes the activity --------------------------------------
def test_a_plain_update_of_the_activities_moves_their_links(units, make_activity):
    first = make_activity(units["A"], partners=["Sở Y tế"])
    second = make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"])
    Activity.update(unit=units["B"], start_date=dt.date(2022, 2, 2)).where(Activity.id == first.id).execute()
    second.archived = True
    Activity.bulk_update([second], fields=[Activity.archived])
    assert copies(first) == {(units["B"].id, dt.date(2022, 2, 2), False)}
    assert copies(second) == {(units["A"].id, dt.date(2021, 5, 1), True)}
    assert (partners(units["A"]), partners(units["B"])) == ({}, {"Sở Y tế": 1})


# -- through the sync engine ------------------------------------------------------------------
@pytest.fixture
def synced(units, kinds, pm):
    """Three activities of two units in one sheet (no unit on the binding), synced once."""
    from sheets.models import Binding
    from sheets.sync import sync

    a, b = units["A"].name, units["B"].name
    rows = [[1, a, "Hội thảo khoa học", "Hội thảo chuyển đổi số", "16/04/2022", "Sở Y tế; Tỉnh đoàn"],
            [2, a, "Tập huấn kỹ thuật", "Tập huấn trồng vải", "29/04/2021", "Sở Y tế"],
            [3, b, "Phổ biến kiến thức", "Phổ biến an toàn thực phẩm", "10/08/2022", "Sở Y tế"]]
    backend = MemoryBackend({SHEET: [["DANH SÁCH HOẠT ĐỘNG"], [], HEADER, *rows]})
    binding = Binding.create(name="training.activities", source="memory:training", worksheet=SHEET)

    def run():
        result = sync(binding, ActivityMapping(), backend, pm=pm)
        assert result.errors == []
        return result

    assert run().created == 3
    return backend.sheets[SHEET], run


def test_an_activity_archived_by_the_sync_leaves_the_partner_counts(units, synced):
    grid, run = synced
    assert partners(units["A"]) == {"Sở Y tế": 2, "Tỉnh đoàn": 1}
    del grid[3]  # the first activity's row leaves the sheet
    assert run().archived == 1
    assert Activity.get(Activity.title == "Hội thảo chuyển đổi số").archived is True
    assert partners(units["A"]) == {"Sở Y tế": 1}


def test_an_activity_restored_by_the_sync_counts_again(units, synced):
    grid, run = synced
    row = grid.pop(3)
    run()
    assert partners(units["A"]) == {"Sở Y tế": 1}
    grid.append(row)  # pasted back, with its Mã
    run()
    assert Activity.get(Activity.title == "Hội thảo chuyển đổi số").archived is False
    assert partners(units["A"]) == {"Sở Y tế": 2, "Tỉnh đoàn": 1}


def test_an_activity_moved_to_another_unit_in_the_sheet_counts_there(units, synced):
    grid, run = synced
    grid[4][1] = units["B"].name  # only the unit changes: the partners are not relinked
    result = run()
    assert (result.updated, result.unchanged) == (1, 2)  # a move is an update, not "unchanged"
    assert Activity.get(Activity.title == "Tập huấn trồng vải").unit_id == units["B"].id
    assert partners(units["A"]) == {"Sở Y tế": 1, "Tỉnh đoàn": 1}
    assert partners(units["B"]) == {"Sở Y tế": 2}


def test_a_start_date_changed_in_the_sheet_moves_the_activity_out_of_the_period(units, synced):
    grid, run = synced
    grid[5][4] = "10/08/2023"
    assert run().updated == 1
    assert partners(units["B"]) == {}


# -- through the admin ------------------------------------------------------------------------
def test_a_start_date_changed_in_the_admin_form_moves_the_activity_out_of_the_period(login_as, units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"], start_date=dt.date(2021, 10, 14))
    make_activity(units["A"], partners=["Tỉnh đoàn"])
    client = login_as("editor", units["A"])
    path = f"{LIST}edit/?id={activity.id}"
    partner_ids = ",".join(str(o.id) for o in Organisation.select().join(ActivityPartner)
                           .where(ActivityPartner.activity == activity.id))
    data = form_data(client, path, title=activity.title, kind=activity.kind_id, unit=units["A"].id,
                     start_date="2023-01-05", end_date="", partners=partner_ids)
    assert client.post(path, data=data).status_code == 302
    assert copies(activity) == {(units["A"].id, dt.date(2023, 1, 5), False)}
    assert training_section(PERIOD, [units["A"]])["partners"] == [{"name": "Tỉnh đoàn", "activities": 1}]


def test_an_activity_archived_in_the_admin_form_leaves_the_partner_counts(login_as, units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"])
    client = login_as("editor", units["A"])
    path = f"{LIST}edit/?id={activity.id}"
    partner_ids = str(Organisation.get(Organisation.name == "Sở Y tế").id)
    data = form_data(client, path, title=activity.title, kind=activity.kind_id, unit=units["A"].id,
                     start_date="2021-05-01", end_date="", partners=partner_ids, archived="y")
    assert client.post(path, data=data).status_code == 302
    assert Activity.get_by_id(activity.id).archived is True
    assert partners(units["A"]) == {}


# -- what the report checks first -------------------------------------------------------------
def test_links_written_without_copies_are_filled_by_the_report(units, make_activity):
    activity = make_activity(units["A"])
    organisation = Organisation.create(unit=units["A"], name="Sở Y tế")
    ActivityPartner.insert(activity=activity, organisation=organisation, position=0).execute()  # no copies
    assert training_section(PERIOD, [units["A"]])["partners"] == [{"name": "Sở Y tế", "activities": 1}]
    assert copies(activity) == {(units["A"].id, dt.date(2021, 5, 1), False)}
    assert ensure_partner_copies() is None


def test_a_lost_trigger_is_put_back_and_stale_copies_are_corrected(units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"])
    drop_trigger()  # e.g. a table rebuilt by a migration
    Activity.update(archived=True).where(Activity.id == activity.id).execute()
    assert copies(activity) == {(units["A"].id, dt.date(2021, 5, 1), False)}  # stale
    assert training_section(PERIOD, [units["A"]])["partners"] == []
    Activity.update(archived=False, unit=units["B"]).where(Activity.id == activity.id).execute()
    assert copies(activity) == {(units["B"].id, dt.date(2021, 5, 1), False)}  # the trigger is back


def test_all_is_well_costs_the_report_one_query(units, make_activity):
    make_activity(units["A"], partners=["Sở Y tế"])
    with QueryCount() as count:
        assert ensure_partner_copies() is None
    assert len(count) == 1


# -- phoihop init on a database made before the copies ----------------------------------------
class OldPartner(BaseModel):
    activity = peewee.ForeignKeyField(Activity, on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "training_activity_partner"
        indexes = ((("activity", "organisation"), True),)


def test_init_adds_the_copies_and_the_first_report_fills_them(units, make_activity):
    database.drop_tables([ActivityPartner])
    drop_trigger()
    upgrade([OldPartner])
    old = make_activity(units["A"])
    archived = make_activity(units["B"], archived=True)
    health = Organisation.create(unit=units["A"], name="Sở Y tế")
    youth = Organisation.create(unit=units["B"], name="Tỉnh đoàn")
    OldPartner.insert_many([{"activity": old, "organisation": health},
                            {"activity": archived, "organisation": youth}]).execute()

    assert upgrade(MODELS) == ["thêm cột training_activity_partner.unit_id",
                               "thêm cột training_activity_partner.start_date",
                               "thêm cột training_activity_partner.archived",
                               # the report's index over the copies comes with them
                               "thêm chỉ mục training_activity_partner_start_date_unit_id_archived_or_2430f1e"]
    assert copies(old) == {(None, None, None)}
    assert training_section(PERIOD, [units["A"], units["B"]])["partners"] == [{"name": "Sở Y tế", "activities": 1}]
    assert copies(old) == {(units["A"].id, dt.date(2021, 5, 1), False)}
    assert copies(archived) == {(units["B"].id, dt.date(2021, 5, 1), True)}
    index = {tuple(i.columns) for i in database.get_indexes(ActivityPartner._meta.table_name)}
    assert ("start_date", "unit_id", "archived", "organisation_id") in index
    Activity.update(archived=False).where(Activity.id == archived.id).execute()  # kept from now on
    assert partners(units["A"], units["B"]) == {"Sở Y tế": 1, "Tỉnh đoàn": 1}
    assert upgrade(MODELS) == [] and ensure_partner_copies() is None
