"""The records every activity area shares.

``Unit`` is the reporting unit (đơn vị: one provincial LHH); every other record belongs to
one. ``Organisation`` and ``Person`` are the partners and people that plugins refer to;
``User`` logs in; ``AuditLog`` keeps who changed what.
"""
import datetime
import json
import unicodedata

import peewee
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import BaseModel

ROLES = ("admin", "editor", "viewer")

# Loại tổ chức: kinds of partner organisation, with their Vietnamese labels.
ORGANISATION_KINDS = (
    ("so_ban_nganh", "Sở, ban, ngành"),
    ("hoi_thanh_vien", "Hội thành viên"),
    ("ubnd_huyen", "UBND huyện"),
    ("truong", "Trường"),
    ("vien", "Viện"),
    ("doanh_nghiep", "Doanh nghiệp"),
    ("bao_chi", "Cơ quan báo chí"),
    ("khac", "Khác"),
)

# How people are written in the registry (spec/honours.md: nominees, judges, experts).
GENDERS = (("nam", "Nam"), ("nu", "Nữ"))
# Học hàm: the State Professorship Council's titles.
ACADEMIC_TITLES = (("GS", "GS — Giáo sư"), ("PGS", "PGS — Phó Giáo sư"))
# Học vị and the professional degrees offices write beside them, highest first (a
# written title such as "TS.BS." gives the highest it names: core.people.title_parts).
DEGREES = (
    ("TSKH", "TSKH — Tiến sĩ khoa học"),
    ("TS", "TS — Tiến sĩ"),
    ("BSCKII", "BSCKII — Bác sĩ chuyên khoa II"),
    ("DSCKII", "DSCKII — Dược sĩ chuyên khoa II"),
    ("ThS", "ThS — Thạc sĩ"),
    ("BSCKI", "BSCKI — Bác sĩ chuyên khoa I"),
    ("DSCKI", "DSCKI — Dược sĩ chuyên khoa I"),
    ("BS", "BS — Bác sĩ"),
    ("DS", "DS — Dược sĩ"),
    ("KS", "KS — Kỹ sư"),
    ("KTS", "KTS — Kiến trúc sư"),
    ("CN", "CN — Cử nhân"),
)


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def name_key(text):
    """How names are compared: NFC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


class Unit(BaseModel):
    """Đơn vị: one LHH (a provincial Union of S&T Associations)."""

    name = peewee.CharField(unique=True)
    code = peewee.CharField(null=True, unique=True)
    created_at = peewee.DateTimeField(default=now)

    def __str__(self):
        return self.name


def find_unit(text):
    """The unit that ``text`` names — its name or its code, compared by :func:`name_key`
    (case, spacing and NFC/NFD do not matter) — or ``None``. A name wins over a code.
    Every command and report that takes a unit from a person looks it up here."""
    wanted = name_key(text)
    if not wanted:
        return None
    by_code = None
    for unit in Unit.select().order_by(Unit.id):
        if name_key(unit.name) == wanted:
            return unit
        if by_code is None and unit.code and name_key(unit.code) == wanted:
            by_code = unit
    return by_code


class Organisation(BaseModel):
    """Tổ chức: a partner — department, member association, district, school, firm…"""

    unit = peewee.ForeignKeyField(Unit, backref="organisations", on_delete="CASCADE")
    name = peewee.CharField()
    name_key = peewee.CharField(index=True)
    kind = peewee.CharField(default="khac", choices=ORGANISATION_KINDS)
    created_at = peewee.DateTimeField(default=now)

    class Meta:
        indexes = ((("unit", "name_key"), True),)

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        return super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class Person(BaseModel):
    """Cá nhân: an intellectual, expert, author, speaker, judge or nominee (one person, many
    roles), as the areas' sheets describe them: name, year of birth, gender, học hàm, học
    vị, position, workplace, field. Everything but the name may be unknown (``None``).

    Two people of a unit may share a name: a year of birth tells them apart
    (``core.people.match_people``). ``title`` keeps the title as first written before the
    name ("PGS.TS", "TS.BS"); ``academic_title`` (GS, PGS) and ``degree`` (TS, ThS, BSCKII…)
    are its parts the registry filters by.
    """

    unit = peewee.ForeignKeyField(Unit, backref="people", on_delete="CASCADE")
    full_name = peewee.CharField()
    name_key = peewee.CharField(index=True)
    title = peewee.CharField(null=True)  # as written before the name: PGS.TS, TS.BS, ThS…
    year_of_birth = peewee.IntegerField(null=True)
    gender = peewee.CharField(null=True, choices=GENDERS)
    academic_title = peewee.CharField(null=True, choices=ACADEMIC_TITLES)  # học hàm
    degree = peewee.CharField(null=True, choices=DEGREES)  # học vị
    position = peewee.CharField(null=True)  # chức vụ
    # đơn vị công tác; the column keeps its first name, so that existing databases keep it
    workplace = peewee.ForeignKeyField(Organisation, null=True, backref="people", on_delete="SET NULL",
                                       column_name="organisation_id", object_id_name="workplace_id")
    field = peewee.CharField(null=True)  # lĩnh vực, chuyên ngành
    email = peewee.CharField(null=True)
    phone = peewee.CharField(null=True)
    created_at = peewee.DateTimeField(default=now)

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.full_name)
        return super().save(*args, **kwargs)

    @property
    def written_title(self):
        """The title to write before the name: as first written, else from its parts."""
        return self.title or ".".join(filter(None, (self.academic_title, self.degree))) or None

    def __str__(self):
        title = self.written_title
        return f"{title} {self.full_name}" if title else self.full_name


class OrganisationAlias(BaseModel):
    """Another spelling of an organisation's name (a duplicate merged into it): the
    matchers find the organisation by it, so that a sheet that still writes the
    duplicate's name does not bring the duplicate back (``core.merge``)."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    name = peewee.CharField()
    name_key = peewee.CharField()
    organisation = peewee.ForeignKeyField(Organisation, backref="aliases", on_delete="CASCADE")

    class Meta:
        table_name = "organisation_alias"
        indexes = ((("unit", "name_key"), True),)


class PersonAlias(BaseModel):
    """Another way a person was written — name and year of birth — (a duplicate merged
    into them): the matchers find the person by it (``core.merge``)."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    name = peewee.CharField()
    name_key = peewee.CharField()
    year_of_birth = peewee.IntegerField(null=True)
    person = peewee.ForeignKeyField(Person, backref="aliases", on_delete="CASCADE")

    class Meta:
        table_name = "person_alias"
        indexes = ((("unit", "name_key", "year_of_birth"), True),)


class User(BaseModel):
    """Người dùng: logs in to the admin. ``unit`` None means every unit."""

    email = peewee.CharField(unique=True)
    password_hash = peewee.CharField()
    role = peewee.CharField(choices=[(r, r) for r in ROLES], default="viewer")
    unit = peewee.ForeignKeyField(Unit, null=True, backref="users", on_delete="CASCADE")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=now)
    # kept in each login session and checked on every request: raising it ends every
    # session of the user (logout, a new password, a new role or unit)
    session_version = peewee.IntegerField(default=1)

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    # flask-login's user protocol
    is_anonymous = False

    @property
    def is_authenticated(self):
        return True

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return str(self.id)

    def __str__(self):
        return self.email


class AuditLog(BaseModel):
    """Nhật ký: who changed which record, from what to what, through which channel."""

    at = peewee.DateTimeField(default=now, index=True)
    actor = peewee.CharField()  # a user's e-mail, "sync:<binding>" or "cli"
    channel = peewee.CharField(choices=[("admin", "admin"), ("sync", "sync"), ("cli", "cli")])
    action = peewee.CharField()  # create | update | delete | archive | merge
    model = peewee.CharField()
    record_id = peewee.CharField()
    unit = peewee.ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    before = peewee.TextField(null=True)
    after = peewee.TextField(null=True)

    @classmethod
    def record(cls, *, actor, channel, action, instance, before=None, after=None):
        unit_id = getattr(instance, "unit_id", None)
        if isinstance(instance, Unit):
            unit_id = instance.id
        return cls.create(
            actor=actor,
            channel=channel,
            action=action,
            model=instance._meta.table_name,
            record_id=str(instance.get_id()),
            unit=unit_id,
            before=dump(before),
            after=dump(after),
        )


class LoginFailure(BaseModel):
    """Failed logins of one e-mail address, known or not: the per-account login lock
    (``core.security``). A successful login deletes the row."""

    email = peewee.CharField(unique=True)
    failures = peewee.IntegerField(default=0)
    window_started = peewee.DateTimeField(default=now)
    last_failure_at = peewee.DateTimeField(null=True)
    lockouts = peewee.IntegerField(default=0)  # locks so far: each one lasts twice the last
    locked_until = peewee.DateTimeField(null=True)


def dump(values):
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, default=str, sort_keys=True)


def snapshot(instance):
    """A record's field values as plain data, for the audit log."""
    data = {}
    for field in instance._meta.sorted_fields:
        if field.name == "password_hash":
            continue
        value = instance.__data__.get(field.name)
        data[field.name] = value
    return data


CORE_MODELS = [Unit, Organisation, Person, OrganisationAlias, PersonAlias, User, AuditLog, LoginFailure]
