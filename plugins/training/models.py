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

from core.bulk import chunks
from core.db import BaseModel
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
    """Đơn vị phối hợp: a partner organisation of an activity."""

    activity = peewee.ForeignKeyField(Activity, backref="partner_links", on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, backref="training_links", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "training_activity_partner"
        indexes = ((("activity", "organisation"), True),)


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
    replace_links(ActivityPartner, ActivityPartner.activity, ActivityPartner.organisation, links)
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
