"""Records of the training area: hội thảo, hội nghị thông tin chuyên đề, tập huấn, phổ biến
kiến thức.

``ActivityKind`` (loại hoạt động) is a shared lookup list an office can extend
(``core.lookups``); the kinds of ``spec/training.md`` are its defaults, created lazily and
idempotently (``phoihop init`` needs no seed step). ``Activity`` (hoạt động) is a synced
record of one unit (``core.records``); its partners (đơn vị phối hợp) and speakers (báo
cáo viên) are the core's ``Organisation`` and ``Person`` rows of that unit, linked through
``ActivityPartner`` and ``ActivitySpeaker`` and matched by normalised name, titles split
off, created when new — set-based, through :mod:`core.people`.
"""
import peewee

from core.bulk import chunks, quoted
from core.db import BaseModel, database
from core.lookups import LookupModel
from core.models import Organisation, Person
from core.people import linked_values, organisation_lists, people_lists, replace_links
from core.records import SyncedRecord

# Hình thức tổ chức.
FORMATS = ("Tại hội trường", "Tại mô hình", "Trực tuyến")

# The kinds of spec/training.md: (name, aliases). Aliases are other spellings offices use.
DEFAULT_KINDS = (
    ("Hội thảo khoa học", ("Hội thảo",)),
    ("Hội nghị thông tin chuyên đề", ("Hội nghị chuyên đề", "Thông tin chuyên đề")),
    ("Tập huấn kỹ thuật", ("Tập huấn", "Tập huấn, chuyển giao kỹ thuật")),
    ("Phổ biến kiến thức", ("Phổ biến, tuyên truyền kiến thức",)),
    ("Lớp bồi dưỡng cập nhật kiến thức", ("Lớp bồi dưỡng", "Bồi dưỡng cập nhật kiến thức")),
    ("Diễn đàn, tọa đàm", ("Diễn đàn", "Tọa đàm", "Toạ đàm", "Diễn đàn, toạ đàm")),
    ("Hội nghị kết nối cung - cầu", ("Hội nghị kết nối cung cầu", "Kết nối cung - cầu", "Kết nối cung cầu")),
    ("Hội thảo giới thiệu, chuyển giao công nghệ", ("Chuyển giao công nghệ", "Hội thảo chuyển giao công nghệ")),
)


class ActivityKind(LookupModel):
    """Loại hoạt động: a shared list; ``aliases`` lists other spellings, separated by ';'
    or line breaks."""

    defaults = DEFAULT_KINDS

    class Meta:
        table_name = "training_activity_kind"


def ensure_kinds():
    """Create the default kinds that are missing; return how many were added (one query
    when none is). The sheet mapping's choices do the same when they first read the kinds."""
    return ActivityKind.ensure_defaults()


class Activity(SyncedRecord):
    """Hoạt động: one workshop, briefing, training course or outreach event of a unit
    (with the unit, ``archived``, timestamps and source ``Mã`` of every synced record)."""

    kind = peewee.ForeignKeyField(ActivityKind, backref="activities", on_delete="RESTRICT")
    title = peewee.TextField()  # tên hoạt động, nội dung
    field = peewee.CharField(null=True)  # lĩnh vực, chủ đề
    start_date = peewee.DateField()
    end_date = peewee.DateField(null=True)
    venue = peewee.TextField(null=True)  # địa điểm
    format = peewee.CharField(null=True, choices=[(f, f) for f in FORMATS])  # hình thức
    rented_venue = peewee.BooleanField(default=False)  # thuê địa điểm
    ordered = peewee.BooleanField(default=False)  # đặt hàng (huyện, sở, ngành)
    speakers = peewee.TextField(null=True)  # báo cáo viên, as written: "TS. A; ThS. B"
    # How many speaker links the activity has (set_speakers keeps it): the report sums it
    # from its index instead of joining the links.
    speaker_count = peewee.IntegerField(default=0)
    participants = peewee.IntegerField(null=True)  # đại biểu, học viên
    state_budget = peewee.BigIntegerField(null=True)  # ngân sách nhà nước, VND
    other_budget = peewee.BigIntegerField(null=True)  # huy động, xã hội hóa, VND
    notes = peewee.TextField(null=True)  # ghi chú, kết quả, tài liệu

    class Meta:
        table_name = "training_activity"
        # The report's index: its WHERE (period, units, archived) and every figure it sums
        # are read from the index alone; the admin's sort by date uses it too.
        indexes = ((("start_date", "unit", "archived", "kind", "participants", "state_budget", "other_budget",
                      "speaker_count"), False),)

    def partner_names(self):
        """The partners' names, in the order they were given (one record; for many, see
        :func:`partner_names_of`)."""
        return partner_names_of([self.id])[self.id]

    def __str__(self):
        return self.title


class ActivityPartner(BaseModel):
    """Đơn vị phối hợp: a partner organisation of an activity.

    A link carries copies of its activity's ``unit``, ``start_date`` and ``archived``
    (:data:`COPIED`), so that the report counts the partners in scope from the links'
    own index, without joining a million activities. They cannot go stale:
    :func:`link_partners` writes them from the activity's row, a trigger on the
    activities (:func:`install_copy_trigger`) rewrites them in the statement that
    changes an activity — whoever runs it: the sync's chunk, its archive and restore,
    the admin, raw SQL — and :func:`ensure_partner_copies`, which the report runs first,
    installs that trigger where it is missing and fills what is missing.
    """

    activity = peewee.ForeignKeyField(Activity, backref="partner_links", on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, backref="training_links", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)
    unit = peewee.IntegerField(null=True, column_name="unit_id")  # copies: nullable, added by phoihop init
    start_date = peewee.DateField(null=True)
    archived = peewee.BooleanField(null=True)

    class Meta:
        table_name = "training_activity_partner"
        # The report's index: its WHERE (period, units, archived) and its GROUP BY.
        indexes = ((("activity", "organisation"), True), (("start_date", "unit", "archived", "organisation"), False))

    @classmethod
    def create_table(cls, safe=True, **options):
        super().create_table(safe=safe, **options)
        install_copy_trigger()


class ActivitySpeaker(BaseModel):
    """Báo cáo viên, giảng viên: a speaker of an activity."""

    activity = peewee.ForeignKeyField(Activity, backref="speaker_links", on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, backref="training_links", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "training_activity_speaker"
        indexes = ((("activity", "person"), True),)


class Participant(BaseModel):
    """Học viên, đại biểu (optional, per activity): who came, from where."""

    activity = peewee.ForeignKeyField(Activity, backref="participant_list", on_delete="CASCADE")
    name = peewee.CharField()
    organisation = peewee.CharField(null=True)  # cơ quan, đơn vị
    commune = peewee.CharField(null=True)  # xã, huyện
    attended = peewee.BooleanField(default=True)

    class Meta:
        table_name = "training_participant"


class Feedback(BaseModel):
    """Phiếu đánh giá (optional): a participant's satisfaction score, 1 to 5."""

    activity = peewee.ForeignKeyField(Activity, backref="feedback", on_delete="CASCADE")
    score = peewee.DecimalField(max_digits=3, decimal_places=2,
                                constraints=[peewee.Check("score >= 1 AND score <= 5")])
    comment = peewee.TextField(null=True)

    class Meta:
        table_name = "training_feedback"


MODELS = [ActivityKind, Activity, ActivityPartner, ActivitySpeaker, Participant, Feedback]


# -- partners and speakers: core rows of the activity's unit, matched by name ------------
# Set-based through core.people: a chunk of activities costs a constant number of
# statements, whatever its lists (the sync's after_save_many, the admin's single save).
def link_partners(items):
    """Replace the partners of every ``(activity, names)`` of ``items`` by the unit's
    organisations of those names (created when new, kept in the given order, duplicates
    dropped); return ``{activity id: [organisation ids]}``."""
    items = list(items)
    groups = organisation_lists([(activity.unit_id, names) for activity, names in items])
    links = {activity.id: ids for (activity, _), ids in zip(items, groups)}
    replace_links(ActivityPartner, ActivityPartner.activity, ActivityPartner.organisation, links, copy=COPIED)
    return links


def link_speakers(items):
    """Replace the speakers of every ``(activity, names as written)`` of ``items`` by the
    unit's people those names stand for (titles split off, created when new) and keep
    each activity's ``speaker_count`` equal to its number of links; return
    ``{activity id: [person ids]}``."""
    items = list(items)
    groups = people_lists([(activity.unit_id, names) for activity, names in items])
    links = {activity.id: ids for (activity, _), ids in zip(items, groups)}
    replace_links(ActivitySpeaker, ActivitySpeaker.activity, ActivitySpeaker.person, links)
    stale = {activity.id: len(links[activity.id]) for activity, _ in items
             if activity.speaker_count != len(links[activity.id])}
    for chunk in chunks(list(stale.items()), 1000):  # usually none: apply() counts already
        (Activity.update(speaker_count=peewee.Case(Activity.id, chunk))
         .where(Activity.id.in_([activity_id for activity_id, _ in chunk])).execute())
    for activity, _ in items:
        activity.speaker_count = len(links[activity.id])
    return links


def set_partners(activity, names):
    """Replace one activity's partners by ``names`` (kept in this order); return the ids."""
    return link_partners([(activity, names or [])])[activity.id]


def set_speakers(activity, names):
    """Replace one activity's speaker links by the people ``names`` stand for, and keep
    ``speaker_count`` equal to their number; return the person ids."""
    return link_speakers([(activity, names or [])])[activity.id]


def partner_names_of(activity_ids):
    """``{activity id: [partner names in order]}`` for many activities, in one query."""
    return linked_values(ActivityPartner, ActivityPartner.activity, ActivityPartner.organisation,
                         Organisation.name, activity_ids)


# -- the activity's columns copied on its partner links ---------------------------------------
COPIED = ("unit", "start_date", "archived")
TRIGGER = "training_activity_partner_copies"


def _copy_trigger_sql():
    """The statements that create the trigger: on PostgreSQL one per UPDATE statement,
    rewriting in one join the links whose copies differ from the updated activities; on
    SQLite (row triggers only) one per activity whose copied columns changed."""
    q = quoted
    activity, links = q(Activity._meta.table_name), q(ActivityPartner._meta.table_name)
    owner = q(ActivityPartner.activity.column_name)
    columns = [q(ActivityPartner._meta.fields[name].column_name) for name in COPIED]
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        pairs = ", ".join(f"{c} = n.{c}" for c in columns)
        mine, theirs = ", ".join(f"l.{c}" for c in columns), ", ".join(f"n.{c}" for c in columns)
        return [
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {links} AS l SET {pairs} FROM new_rows AS n WHERE l.{owner} = n.{q('id')} "
            f"AND ({mine}) IS DISTINCT FROM ({theirs}); RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {activity}",
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE ON {activity} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()",
        ]
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    pairs = ", ".join(f"{c} = NEW.{c}" for c in columns)
    return [f"CREATE TRIGGER IF NOT EXISTS {TRIGGER} AFTER UPDATE OF {', '.join(columns)} ON {activity} "
            f"FOR EACH ROW WHEN {changed} BEGIN UPDATE {links} SET {pairs} WHERE {owner} = NEW.{q('id')}; END"]


def install_copy_trigger():
    """Create the trigger that keeps the partner links' copies equal to their activity
    (idempotent). ``phoihop init`` creates it with the links' table; on a database made
    before, :func:`ensure_partner_copies` does."""
    with database.atomic():
        for sql in _copy_trigger_sql():
            database.execute_sql(sql)


def ensure_partner_copies():
    """Make every partner link carry its activity's current unit, start date and archived
    flag; return what was done (``None``, ``"filled"`` or ``"installed"``). The report
    runs it first: one query when all is well.

    The trigger missing (a database made before the copies: ``phoihop init`` added the
    columns, empty; or a table rebuilt): create it and the links' report index, then copy
    every activity onto its links — one UPDATE, once. Links written by other code than
    :func:`link_partners` (copies empty): fill those — one UPDATE.
    """
    p = database.obj.param
    if isinstance(database.obj, peewee.PostgresqlDatabase):
        installed = f"SELECT 1 FROM pg_trigger WHERE tgname = {p} AND tgrelid = to_regclass({p})"
    else:
        installed = f"SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = {p} AND tbl_name = {p}"
    missing = ActivityPartner.select(peewee.SQL("1")).where(ActivityPartner.start_date.is_null()).limit(1)
    sql, params = missing.sql()
    state = database.execute_sql(f"SELECT EXISTS ({installed}), EXISTS ({sql})",
                                 [TRIGGER, Activity._meta.table_name, *params]).fetchone()
    if state[0] and not state[1]:
        return None
    with database.atomic():
        if not state[0]:
            install_copy_trigger()
            ActivityPartner._schema.create_indexes(safe=True)
        copies = {getattr(ActivityPartner, name): getattr(Activity, name) for name in COPIED}
        query = ActivityPartner.update(copies).from_(Activity).where(Activity.id == ActivityPartner.activity)
        (query if not state[0] else query.where(ActivityPartner.start_date.is_null())).execute()
    return "installed" if not state[0] else "filled"
