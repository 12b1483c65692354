"""``phoihop init`` on a training database made before the plugin kit: the kinds become a
lookup list (``active``, ``updated_at``) and activities synced records (``updated_at``,
source binding and ``Mã``), without losing a row."""
import datetime as dt

import peewee

from core.db import BaseModel, database
from core.models import Unit
from core.schema import upgrade
from plugins.training.models import DEFAULT_KINDS, MODELS, Activity, ActivityKind, ensure_kinds
from plugins.training.sheets import ActivityMapping

CREATED = dt.datetime(2021, 6, 1, 8, 30)


class OldKind(BaseModel):
    name = peewee.CharField(unique=True)
    aliases = peewee.TextField(null=True)
    sort_order = peewee.IntegerField(default=100)

    class Meta:
        table_name = "training_activity_kind"


class OldActivity(BaseModel):
    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    kind = peewee.ForeignKeyField(OldKind, on_delete="RESTRICT")
    title = peewee.TextField()
    field = peewee.CharField(null=True)
    start_date = peewee.DateField()
    end_date = peewee.DateField(null=True)
    venue = peewee.TextField(null=True)
    format = peewee.CharField(null=True)
    rented_venue = peewee.BooleanField(default=False)
    ordered = peewee.BooleanField(default=False)
    speakers = peewee.TextField(null=True)
    speaker_count = peewee.IntegerField(default=0)
    participants = peewee.IntegerField(null=True)
    state_budget = peewee.BigIntegerField(null=True)
    other_budget = peewee.BigIntegerField(null=True)
    notes = peewee.TextField(null=True)
    archived = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=CREATED)

    class Meta:
        table_name = "training_activity"


def test_init_upgrades_an_old_training_database_and_keeps_its_rows(ctx, units):
    database.drop_tables(MODELS)
    upgrade([OldKind, OldActivity])
    for index, (name, aliases) in enumerate(DEFAULT_KINDS):
        OldKind.create(name=name, aliases="; ".join(aliases), sort_order=(index + 1) * 10)
    fair = OldKind.create(name="Hội chợ triển lãm", aliases="Triển lãm", sort_order=200)
    OldActivity.create(unit=units["A"], kind=fair, title="Hội chợ công nghệ 2021", start_date=dt.date(2021, 9, 9),
                       participants=300, archived=True)

    done = upgrade(MODELS)

    assert done == ["tạo bảng training_activity_partner", "tạo bảng training_activity_speaker",
                    "tạo bảng training_participant", "tạo bảng training_feedback",
                    "thêm cột training_activity_kind.active", "thêm cột training_activity_kind.updated_at",
                    "thêm cột training_activity.updated_at", "thêm cột training_activity.source_binding",
                    "thêm cột training_activity.source_key",
                    # the report's index over the new columns
                    "thêm chỉ mục training_activity_start_date_unit_id_archived_kind_id_pa_1cb398f"]
    assert upgrade(MODELS) == []
    assert ensure_kinds() == 0
    assert ActivityKind.select().where(ActivityKind.active == False).count() == 0  # noqa: E712
    activity = Activity.get()
    assert (activity.title, activity.kind.name, activity.participants, activity.archived, activity.created_at) == (
        "Hội chợ công nghệ 2021", "Hội chợ triển lãm", 300, True, CREATED)
    assert activity.updated_at is not None and (activity.source_binding, activity.source_key) == (None, None)
    mapping = ActivityMapping()
    assert mapping.column("kind").parse("triển lãm") == "Hội chợ triển lãm"
    assert mapping.read_many([activity])[activity.id]["kind"] == "Hội chợ triển lãm"
