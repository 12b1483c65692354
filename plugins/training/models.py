"""Records of the training area: hội thảo, hội nghị thông tin chuyên đề, tập huấn, phổ biến
kiến thức.

``ActivityKind`` (loại hoạt động) is data an office can extend; :func:`ensure_kinds` seeds
the kinds of ``spec/training.md`` lazily and idempotently (``phoihop init`` needs no seed
step). ``Activity`` (hoạt động) belongs to one unit; its partners (đơn vị phối hợp) and
speakers (báo cáo viên) are the core's ``Organisation`` and ``Person`` rows of that unit,
linked through ``ActivityPartner`` and ``ActivitySpeaker`` and matched by normalised name
(:func:`core.models.name_key`), created when new.
"""
import peewee

from core.db import BaseModel, database
from core.models import Organisation, Person, Unit, name_key, now
from plugins.training.rules import split_title

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


class ActivityKind(BaseModel):
    """Loại hoạt động. ``aliases`` lists other spellings, separated by ';' or line breaks."""

    name = peewee.CharField(unique=True)
    aliases = peewee.TextField(null=True)
    sort_order = peewee.IntegerField(default=100)

    class Meta:
        table_name = "training_activity_kind"

    def alias_list(self):
        """The aliases as a list of trimmed, non-empty spellings."""
        from sheets.values import parse_list

        return parse_list(self.aliases)

    def save(self, *args, **kwargs):
        answer = super().save(*args, **kwargs)
        bump_kinds_version()
        return answer

    def delete_instance(self, *args, **kwargs):
        answer = super().delete_instance(*args, **kwargs)
        bump_kinds_version()
        return answer

    def __str__(self):
        return self.name


_kinds_version = [0]


def bump_kinds_version():
    """Tell in-process caches of the kind list (the sheet mapping's choices) to reload."""
    _kinds_version[0] += 1


def kinds_version():
    return _kinds_version[0]


def ensure_kinds():
    """Create the default kinds that are missing (by name); return how many were added.

    Idempotent and cheap when nothing is missing (one query). Called by the sheet mapping
    and the demo, so that a fresh database knows the kinds without a seeding step.
    """
    have = {row.name for row in ActivityKind.select(ActivityKind.name)}
    missing = [
        {"name": name, "aliases": "; ".join(aliases), "sort_order": (index + 1) * 10}
        for index, (name, aliases) in enumerate(DEFAULT_KINDS)
        if name not in have
    ]
    if missing:
        with database.atomic():
            ActivityKind.insert_many(missing).on_conflict_ignore().execute()
        bump_kinds_version()
    return len(missing)


class Activity(BaseModel):
    """Hoạt động: one workshop, briefing, training course or outreach event of a unit."""

    unit = peewee.ForeignKeyField(Unit, backref="activities", on_delete="CASCADE")
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
    archived = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=now)

    class Meta:
        table_name = "training_activity"
        # The report's index: its WHERE (period, units, archived) and every figure it sums
        # are read from the index alone; the admin's sort by date uses it too.
        indexes = ((("start_date", "unit", "archived", "kind", "participants", "state_budget", "other_budget",
                      "speaker_count"), False),)

    def partner_names(self):
        """The partners' names, in the order they were given."""
        query = (Organisation.select(Organisation.name)
                 .join(ActivityPartner).where(ActivityPartner.activity == self.id)
                 .order_by(ActivityPartner.position, ActivityPartner.id))
        return [row.name for row in query]

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
def organisations_for(unit_id, names):
    """The unit's ``Organisation`` rows for ``names`` (in order, duplicates dropped),
    matched by :func:`core.models.name_key` and created when new."""
    wanted = _unique_by_key(names, name_key)
    if not wanted:
        return []
    keys = [key for key, _ in wanted]
    found = {o.name_key: o for o in Organisation.select().where(
        Organisation.unit == unit_id, Organisation.name_key.in_(keys))}
    result = []
    for key, name in wanted:
        if key not in found:
            found[key] = Organisation.create(unit=unit_id, name=name)
        result.append(found[key])
    return result


def speaker_keys(names):
    """``[(name key, full name)]`` of the distinct people that speaker names as written
    ('PGS.TS. Nguyễn Văn A') stand for: one link each."""
    return _unique_by_key([full for _, full in map(split_title, names or []) if full], name_key)


def people_for(unit_id, names):
    """The unit's ``Person`` rows for speaker names as written ('PGS.TS. Nguyễn Văn A'):
    the title prefix is left out of the match and kept as the new person's ``title``."""
    parsed = [split_title(name) for name in names]
    wanted = speaker_keys(names)
    if not wanted:
        return []
    titles = {name_key(full): title for title, full in parsed}
    keys = [key for key, _ in wanted]
    found = {}
    for person in Person.select().where(Person.unit == unit_id, Person.name_key.in_(keys)).order_by(Person.id):
        found.setdefault(person.name_key, person)
    result = []
    for key, full in wanted:
        if key not in found:
            found[key] = Person.create(unit=unit_id, full_name=full, title=titles.get(key) or None)
        result.append(found[key])
    return result


def set_partners(activity, names):
    """Replace the activity's partners by ``names`` (kept in this order)."""
    organisations = organisations_for(activity.unit_id, names)
    ActivityPartner.delete().where(ActivityPartner.activity == activity.id).execute()
    if organisations:
        ActivityPartner.insert_many([
            {"activity": activity.id, "organisation": o.id, "position": i} for i, o in enumerate(organisations)
        ]).execute()
    return organisations


def set_speakers(activity, names):
    """Replace the activity's speaker links by the people ``names`` stand for, and keep
    ``speaker_count`` equal to their number."""
    people = people_for(activity.unit_id, names)
    ActivitySpeaker.delete().where(ActivitySpeaker.activity == activity.id).execute()
    if people:
        ActivitySpeaker.insert_many([
            {"activity": activity.id, "person": p.id, "position": i} for i, p in enumerate(people)
        ]).execute()
    if activity.speaker_count != len(people):
        Activity.update(speaker_count=len(people)).where(Activity.id == activity.id).execute()
        activity.speaker_count = len(people)
    return people


def _unique_by_key(names, key):
    seen, result = set(), []
    for name in names or []:
        name = " ".join((name or "").split())
        k = key(name)
        if k and k not in seen:
            seen.add(k)
            result.append((k, name))
    return result
