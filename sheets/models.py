"""What phoihop remembers about sheets: bindings, the last-synced row snapshots,
conflicts, the sync log, the lock, and the counters behind ``Mã``."""
import json

import peewee

from core.db import BaseModel
from core.models import Unit, now


class JSONField(peewee.TextField):
    """JSON kept as text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class Binding(BaseModel):
    """Liên kết: a mapping (``contests.entries``) tied to one worksheet of one source."""

    name = peewee.CharField(index=True)
    source = peewee.CharField()  # a path to .xlsx, or gsheet:KEY
    worksheet = peewee.CharField()
    unit = peewee.ForeignKeyField(Unit, null=True, backref="bindings", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=now)
    last_synced_at = peewee.DateTimeField(null=True)
    # what the source and the database looked like after the last run that found nothing
    # to do (sheets.sync): while both still look so, a run costs one request and is skipped
    revision = peewee.CharField(null=True, max_length=255)
    # the digest of the validations last set on the sheet (sheets.guidance): sent again when it changes
    guidance_digest = peewee.CharField(null=True)
    # every this many minutes during office hours (sheets/schedule.py); empty or 0: off
    schedule_minutes = peewee.IntegerField(null=True)
    # a Google worksheet's id (the #gid= of its address), to link the admin to a cell
    sheet_gid = peewee.IntegerField(null=True)

    class Meta:
        indexes = ((("name", "source", "worksheet"), True),)

    def __str__(self):
        return f"{self.name} ← {self.source} [{self.worksheet}]"


class SyncedRow(BaseModel):
    """One sheet row that phoihop knows: its ``Mã``, record, and last-synced values.

    ``snapshot`` holds the canonical text of every field both sides last agreed on — the
    base of the three-way merge. ``confirmed`` turns true once the ``Mã`` is known to be
    in the sheet (a crash between the database commit and the sheet write leaves it
    false, and the next sync adopts the row by content instead of creating it again).
    """

    binding = peewee.ForeignKeyField(Binding, backref="rows", on_delete="CASCADE")
    key = peewee.CharField(unique=True)
    record_id = peewee.IntegerField()
    snapshot = JSONField()
    confirmed = peewee.BooleanField(default=False)
    origin = peewee.CharField(default="sheet")  # sheet: read from a row; database: pushed to the sheet
    archived = peewee.BooleanField(default=False)
    # who archived it: "sheet" (its row left the sheet: the row coming back restores the
    # record) or "database" (archived in the admin: never revived by the sheet)
    archived_by = peewee.CharField(null=True)
    # a digest of the row's cells and the record's columns when both last agreed: a row
    # whose digest still matches is unchanged on both sides and is not parsed again
    digest = peewee.CharField(null=True)

    class Meta:
        indexes = ((("binding", "record_id"), False),)


class Conflict(BaseModel):
    """Xung đột: a field changed differently in the sheet and in the database."""

    binding = peewee.ForeignKeyField(Binding, backref="conflicts", on_delete="CASCADE")
    unit = peewee.ForeignKeyField(Unit, null=True, on_delete="CASCADE")
    key = peewee.CharField(index=True)
    field = peewee.CharField()
    header = peewee.CharField()
    base_value = peewee.TextField(null=True)
    sheet_value = peewee.TextField(null=True)
    db_value = peewee.TextField(null=True)
    status = peewee.CharField(default="open", index=True)  # open | sheet | database
    created_at = peewee.DateTimeField(default=now)
    resolved_at = peewee.DateTimeField(null=True)
    resolved_by = peewee.CharField(null=True)


class SyncLog(BaseModel):
    """Nhật ký đồng bộ: one run of ``phoihop sync`` for one binding."""

    binding = peewee.ForeignKeyField(Binding, backref="logs", on_delete="CASCADE")
    unit = peewee.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    started_at = peewee.DateTimeField(default=now)
    finished_at = peewee.DateTimeField(null=True)
    direction = peewee.CharField()
    dry_run = peewee.BooleanField(default=False)
    outcome = peewee.CharField()  # ok | errors | failed | unchanged (skipped: nothing changed)
    summary = JSONField(null=True)
    message = peewee.TextField(null=True)
    # the summary's counts, so that a list of links shows each last outcome without
    # loading every summary
    error_count = peewee.IntegerField(null=True)
    conflict_count = peewee.IntegerField(null=True)


class RunLock(BaseModel):
    """A row per thing being synced (``binding:12``, ``source:/srv/lhh/hoi-thi.xlsx``):
    two syncs of one binding never run at once, two writers of one file never overlap.
    The holder names itself (host, process) and beats a heart while it works."""

    name = peewee.CharField(primary_key=True)
    host = peewee.CharField()
    pid = peewee.IntegerField()
    holder = peewee.CharField()  # host:pid:thread — unique to the holder
    label = peewee.CharField()  # what is locked, for the office: "hoi_thi.entries [Giải pháp dự thi]"
    started_at = peewee.DateTimeField(default=now)
    heartbeat_at = peewee.DateTimeField(default=now)

    class Meta:
        table_name = "sync_run_lock"


class KeySequence(BaseModel):
    """The last number used for each ``Mã`` prefix: keys are never reused."""

    prefix = peewee.CharField(primary_key=True)
    last = peewee.IntegerField(default=0)


class QuotaBucket(BaseModel):
    """The request budget of one service account and kind (``emulator:read``,
    ``lhh@project.iam.gserviceaccount.com:write``), shared by every process
    (:mod:`sheets.quota`): ``taken`` lists when each token in use was taken (seconds
    since the epoch); a token is back in the bucket a minute after it was taken."""

    name = peewee.CharField(primary_key=True)
    taken = JSONField(default=list)

    class Meta:
        table_name = "sync_quota_bucket"


SHEET_MODELS = [Binding, SyncedRow, Conflict, SyncLog, RunLock, KeySequence, QuotaBucket]
