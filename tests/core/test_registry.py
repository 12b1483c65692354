"""The registry's records (core.models.Person / Organisation): the person's details, the
upgrade that adds them to an existing database, and merging duplicates (core.merge) —
on SQLite and PostgreSQL (``db_url``)."""
import json

import peewee
import pytest

from core.db import BaseModel, database
from core.merge import MergeError, link_counts, link_fields, merge, unique_groups
from core.models import CORE_MODELS, AuditLog, Organisation, OrganisationAlias, Person, PersonAlias, Unit, now
from core.schema import upgrade
from tests.core.test_people import QueryCount


@pytest.fixture
def pm():
    """The core alone: these tests declare the link tables an area would."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager(builtins=(), entry_points=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


# Links as areas declare them: a jury of people (unique per jury), a nomination by an
# organisation of a person (no unique index), a profile (one per person).
class Jury(BaseModel):
    unit = peewee.ForeignKeyField(Unit)
    title = peewee.CharField()

    class Meta:
        table_name = "test_jury"


class JuryMember(BaseModel):
    jury = peewee.ForeignKeyField(Jury, on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "test_jury_member"
        indexes = ((("jury", "person"), True),)


class Nomination(BaseModel):
    person = peewee.ForeignKeyField(Person, on_delete="CASCADE")
    nominator = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    year = peewee.IntegerField()

    class Meta:
        table_name = "test_nomination"


class Profile(BaseModel):
    person = peewee.ForeignKeyField(Person, unique=True, on_delete="CASCADE")
    note = peewee.CharField()

    class Meta:
        table_name = "test_profile"


LINKS = [Jury, JuryMember, Nomination, Profile]
MODELS = [*CORE_MODELS, *LINKS]


@pytest.fixture
def tables(ctx):
    database.obj.create_tables(LINKS)
    return ctx


# -- the person's details and the upgrade -------------------------------------------------------
def test_a_person_has_the_details_the_areas_write(ctx, units):
    workplace = Organisation.create(unit=units["B"], name="Trường Đại học Hùng Vương", kind="truong")
    person = Person.create(unit=units["B"], full_name="Nông Thanh Thắng", year_of_birth=1973, gender="nam",
                           academic_title="PGS", degree="TS", position="Trưởng khoa", workplace=workplace,
                           field="Khoa học xã hội và nhân văn", email="thang@hvu.edu.vn", phone="0354320755")
    again = Person.get_by_id(person.id)
    assert (again.year_of_birth, again.gender, again.academic_title, again.degree, again.position,
            again.workplace.name, again.field) == (1973, "nam", "PGS", "TS", "Trưởng khoa",
                                                   "Trường Đại học Hùng Vương", "Khoa học xã hội và nhân văn")
    assert str(again) == "PGS.TS Nông Thanh Thắng"  # no title written: its parts
    assert str(Person.create(unit=units["B"], full_name="Lê B", title="ThS.BS", degree="ThS")) == "ThS.BS Lê B"
    assert [p.full_name for p in workplace.people] == ["Nông Thanh Thắng"]


class OldPerson(BaseModel):
    """``person`` as the first release created it."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    full_name = peewee.CharField()
    name_key = peewee.CharField(index=True)
    title = peewee.CharField(null=True)
    organisation = peewee.ForeignKeyField(Organisation, null=True, on_delete="SET NULL")
    email = peewee.CharField(null=True)
    phone = peewee.CharField(null=True)
    created_at = peewee.DateTimeField(default=now)

    class Meta:
        table_name = "person"


def test_init_adds_the_details_to_an_existing_database_and_keeps_its_people(ctx, units):
    database.obj.drop_tables([OrganisationAlias, PersonAlias, Person])  # as the first release left them
    database.obj.create_tables([OldPerson])
    school = Organisation.create(unit=units["A"], name="Trường THPT Chuyên Bắc Giang")
    OldPerson.create(unit=units["A"], full_name="Vũ Thị Minh Loan", name_key="vũ thị minh loan", title="TS",
                     organisation=school, email="loan@bg.vn")

    done = upgrade(CORE_MODELS)

    assert done == ["tạo bảng organisation_alias", "tạo bảng person_alias"] + [
        f"thêm cột person.{name}" for name in ("year_of_birth", "gender", "academic_title", "degree", "position", "field")]
    person = Person.get()
    assert (person.full_name, person.title, person.workplace_id, person.email, person.year_of_birth) == (
        "Vũ Thị Minh Loan", "TS", school.id, "loan@bg.vn", None)
    person.year_of_birth = 1980
    person.save()
    assert Person.get().year_of_birth == 1980
    assert upgrade(CORE_MODELS) == []


# -- merging: where links are --------------------------------------------------------------------
def test_links_are_found_in_the_registered_models_metadata():
    assert link_fields(Person, MODELS) == [PersonAlias.person, JuryMember.person, Nomination.person, Profile.person]
    assert link_fields(Organisation, MODELS) == [Person.workplace, OrganisationAlias.organisation, Nomination.nominator]
    assert link_fields(Person, CORE_MODELS) == [PersonAlias.person]  # a model not registered is not looked at
    assert unique_groups(JuryMember.person) == [(JuryMember.jury,)]
    assert unique_groups(Nomination.person) == []
    assert unique_groups(Profile.person) == [()]


# -- merging: what it does --------------------------------------------------------------------------
@pytest.fixture
def twins(tables, units):
    """Two rows for one judge, linked from juries, nominations and profiles."""
    a = units["A"]
    keep = Person.create(unit=a, full_name="Nguyễn Văn An", title="TS", degree="TS")
    twin = Person.create(unit=a, full_name="Nguyễn Văn Ân", year_of_birth=1975, position="Giám đốc",
                         email="an@bg.vn", degree="ThS")
    juries = [Jury.create(unit=a, title=f"Hội đồng {n}") for n in range(3)]
    JuryMember.create(jury=juries[0], person=keep, position=0)
    JuryMember.create(jury=juries[0], person=twin, position=1)  # both sat on jury 0: one stays
    JuryMember.create(jury=juries[1], person=twin, position=0)
    Nomination.create(person=twin, year=2021)
    Nomination.create(person=keep, year=2023)
    Profile.create(person=twin, note="hồ sơ")
    return keep, twin, juries


def members(jury):
    return [m.person_id for m in JuryMember.select().where(JuryMember.jury == jury).order_by(JuryMember.position)]


def test_merge_moves_every_link_and_drops_the_repeats(twins):
    keep, twin, juries = twins
    result = merge(keep, [twin], models=MODELS, actor="admin@bg.vn")
    assert members(juries[0]) == [keep.id]  # the kept row's own link won
    assert members(juries[1]) == [keep.id]
    assert sorted(n.year for n in Nomination.select().where(Nomination.person == keep.id)) == [2021, 2023]
    assert Profile.get().person_id == keep.id
    assert not Person.select().where(Person.id == twin.id).exists()
    assert result.moved == {"test_jury_member.person_id": 1, "test_nomination.person_id": 1,
                            "test_profile.person_id": 1}
    assert result.dropped == {"test_jury_member.person_id": 1}


def test_merge_fills_the_kept_rows_empty_details_and_keeps_its_own(twins):
    keep, twin, _ = twins
    result = merge(keep, [twin], models=MODELS, actor="admin@bg.vn")
    kept = Person.get_by_id(keep.id)
    assert (kept.full_name, kept.title, kept.degree) == ("Nguyễn Văn An", "TS", "TS")  # its own
    assert (kept.year_of_birth, kept.position, kept.email) == (1975, "Giám đốc", "an@bg.vn")  # filled
    assert sorted(result.filled) == ["email", "position", "year_of_birth"]


def test_merge_is_audited_and_the_duplicates_history_stays(twins):
    keep, twin, _ = twins
    AuditLog.record(actor="cli", channel="cli", action="create", instance=twin, after={"full_name": twin.full_name})
    merge(keep, [twin], models=MODELS, actor="admin@bg.vn")
    entries = {(e.record_id, e.action): e for e in AuditLog.select().where(AuditLog.model == "person")}
    assert set(entries) == {(str(twin.id), "create"), (str(keep.id), "merge"), (str(twin.id), "merge")}
    kept = entries[(str(keep.id), "merge")]
    before, after = json.loads(kept.before), json.loads(kept.after)
    assert (before["year_of_birth"], after["year_of_birth"], after["merged_from"]) == (None, 1975, [twin.id])
    assert after["links_moved"]["test_jury_member.person_id"] == 1
    gone = entries[(str(twin.id), "merge")]
    assert json.loads(gone.before)["full_name"] == "Nguyễn Văn Ân"
    assert json.loads(gone.after) == {"merged_into": keep.id}
    assert (kept.actor, kept.channel, kept.unit_id) == ("admin@bg.vn", "admin", keep.unit_id)


def test_several_duplicates_sharing_a_link_leave_the_oldest(tables, units):
    a = units["A"]
    keep, *twins = [Person.create(unit=a, full_name=f"Trần Thị Hoa {n}") for n in range(3)]
    jury = Jury.create(unit=a, title="Hội đồng")
    for position, twin in enumerate(twins):
        JuryMember.create(jury=jury, person=twin, position=position)
        Profile.create(person=twin, note=f"hồ sơ {position}")
    merge(keep, twins, models=MODELS, actor="cli", channel="cli")
    assert members(jury) == [keep.id]
    assert JuryMember.get().position == 0  # the oldest link kept
    assert [p.note for p in Profile.select()] == ["hồ sơ 0"]
    assert Person.select().count() == 1


def test_merging_organisations_moves_the_workplaces_of_people(tables, units):
    a = units["A"]
    keep = Organisation.create(unit=a, name="Sở Khoa học và Công nghệ", kind="so_ban_nganh")
    twin = Organisation.create(unit=a, name="Sở KH&CN")
    person = Person.create(unit=a, full_name="Lê Văn Cường", workplace=twin)
    nomination = Nomination.create(person=person, nominator=twin, year=2023)
    merge(keep, [twin], models=MODELS, actor="cli", channel="cli")
    assert Person.get_by_id(person.id).workplace_id == keep.id
    assert Nomination.get_by_id(nomination.id).nominator_id == keep.id
    assert Organisation.get_by_id(keep.id).kind == "so_ban_nganh"


def test_a_default_kind_is_filled_from_the_duplicate(tables, units):
    keep = Organisation.create(unit=units["A"], name="Báo Bắc Giang")  # kind "khac", the default
    twin = Organisation.create(unit=units["A"], name="Báo Bắc Giang điện tử", kind="bao_chi")
    merge(keep, [twin], models=MODELS, actor="cli", channel="cli")
    assert Organisation.get_by_id(keep.id).kind == "bao_chi"


def test_link_counts_tell_how_linked_each_row_is(twins):
    keep, twin, _ = twins
    assert link_counts(Person, [keep.id, twin.id], MODELS) == {keep.id: 2, twin.id: 4}


@pytest.mark.parametrize("case", ["nothing", "itself", "other unit", "other model"])
def test_a_merge_that_makes_no_sense_is_refused_and_changes_nothing(tables, units, case):
    keep = Person.create(unit=units["A"], full_name="Phạm Văn Đức")
    others = {
        "nothing": [],
        "itself": [keep],
        "other unit": [Person.create(unit=units["B"], full_name="Phạm Văn Đức")],
        "other model": [Organisation.create(unit=units["A"], name="Phạm Văn Đức")],
    }[case]
    with pytest.raises(MergeError):
        merge(keep, others, models=MODELS, actor="cli", channel="cli")
    assert AuditLog.select().count() == 0
    assert Person.select().where(Person.id == keep.id).exists()


def test_a_merge_costs_the_same_statements_for_3_or_300_links(tables, units):
    a = units["A"]

    def merged(count):
        keep = Person.create(unit=a, full_name="Giữ")
        twin = Person.create(unit=a, full_name="Trùng")
        juries = [Jury.create(unit=a, title=f"Hội đồng {n}") for n in range(count)]
        for jury in juries:
            JuryMember.create(jury=jury, person=twin)
        for jury in juries[::2]:
            JuryMember.create(jury=jury, person=keep, position=1)
        with database.atomic(), QueryCount() as counted:
            merge(keep, [twin], models=MODELS, actor="cli", channel="cli")
        assert JuryMember.select().where(JuryMember.person == keep.id).count() == count
        return len(counted)

    assert merged(3) == merged(300)


# -- merging: the duplicates' names stay known ------------------------------------------------------
def test_a_merged_duplicates_name_finds_the_kept_person_from_then_on(twins, units):
    from core.people import match_organisations, match_people, people_candidates, people_lists

    keep, twin, _ = twins
    a = units["A"].id
    result = merge(keep, [twin], models=MODELS, actor="cli", channel="cli")
    assert result.aliases == ["Nguyễn Văn Ân"]
    assert [(x.name, x.name_key, x.year_of_birth) for x in Person.get_by_id(keep.id).aliases] == [
        ("Nguyễn Văn Ân", "nguyễn văn ân", 1975)]
    assert match_people([(a, "ThS. Nguyễn Văn Ân", 1975), (a, "nguyễn văn ân")]) == [keep.id, keep.id]
    assert people_lists([(a, ["Nguyễn Văn An", "Nguyễn Văn Ân"])]) == [[keep.id]]
    assert people_candidates([(a, "Nguyễn Văn Ân")]) == [[keep.id]]
    assert Person.select().count() == 1  # the sheet that still says 'Ân' brings no duplicate back
    (made,) = match_organisations([(a, "Nguyễn Văn Ân")])  # a person's alias is no organisation's
    assert Organisation.get_by_id(made).name == "Nguyễn Văn Ân"


def test_a_homonym_merged_by_a_person_keeps_its_year_as_an_alias(tables, units):
    from core.people import match_people

    a = units["A"]
    keep = Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1979)
    twin = Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1997)  # a typo for 1979
    merge(keep, [twin], models=MODELS, actor="cli", channel="cli")
    assert match_people([(a.id, "Nguyễn Văn Hùng", 1997), (a.id, "Nguyễn Văn Hùng", 1979)]) == [keep.id, keep.id]
    assert match_people([(a.id, "Nguyễn Văn Hùng", 1986)]) != [keep.id]  # another Hùng still is another


def test_a_merged_organisations_name_and_aliases_follow_the_kept_one(tables, units):
    from core.people import match_organisations

    a = units["A"]
    first = Organisation.create(unit=a, name="Sở KH&CN")
    second = Organisation.create(unit=a, name="Sở Khoa học - Công nghệ")
    keep = Organisation.create(unit=a, name="Sở Khoa học và Công nghệ")
    merge(second, [first], models=MODELS, actor="cli", channel="cli")
    merge(keep, [second], models=MODELS, actor="cli", channel="cli")
    assert sorted(x.name for x in Organisation.get_by_id(keep.id).aliases) == ["Sở KH&CN", "Sở Khoa học - Công nghệ"]
    assert match_organisations([(a.id, "sở kh&cn"), (a.id, "SỞ KHOA HỌC - CÔNG NGHỆ")]) == [keep.id, keep.id]
    assert Organisation.select().where(Organisation.unit == a).count() == 1
    (other,) = match_organisations([(units["B"].id, "Sở KH&CN")])  # aliases are the unit's
    assert Organisation.get_by_id(other).unit_id == units["B"].id
    again = Organisation.create(unit=a, name="Sở KH&CN")  # entered again by hand: a row wins over an alias
    assert match_organisations([(a.id, "Sở KH&CN")]) == [again.id]
