"""Set-based matching of names to the unit's organisations and people (core.people), and
the links that areas keep to them — on SQLite and PostgreSQL (``db_url``)."""
import peewee
import pytest

from core import bulk, people
from core.db import BaseModel, database
from core.models import Organisation, Person, Unit
from core.people import (
    clean_name, linked_values, match_organisations, match_people, organisation_lists, people_candidates,
    people_lists, person_key, person_keys, replace_links, split_name, split_title, title_parts,
)


class QueryCount:
    """Counts the statements the database runs inside a ``with`` block (a hook on the
    bound database's ``execute_sql``, through which peewee and core.bulk both go)."""

    def __init__(self):
        self.statements = []

    def __enter__(self):
        db = database.obj
        original = db.execute_sql

        def counting(sql, params=None):
            self.statements.append(sql)
            return original(sql, params)

        db.execute_sql = counting
        return self

    def __exit__(self, *exc):
        del database.obj.execute_sql  # the class's method again

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def pm():
    """The core alone: these tests need no plugin."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager(builtins=(), entry_points=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


class Meeting(BaseModel):
    """An owner of links, as an area would declare one (a jury, an activity…)."""

    unit = peewee.ForeignKeyField(Unit)
    title = peewee.CharField()

    class Meta:
        table_name = "test_meeting"


class MeetingGuest(BaseModel):
    meeting = peewee.ForeignKeyField(Meeting, on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "test_meeting_guest"
        indexes = ((("meeting", "person"), True),)


@pytest.fixture
def meetings(ctx, units):
    database.obj.create_tables([Meeting, MeetingGuest])
    return [Meeting.create(unit=units["A"], title=f"Phiên họp {n}") for n in range(3)]


def guests(meeting):
    query = (MeetingGuest.select(Person.full_name).join(Person)
             .where(MeetingGuest.meeting == meeting).order_by(MeetingGuest.position))
    return [name for (name,) in query.tuples()]


# -- titles: pure ---------------------------------------------------------------------------
def test_split_title_takes_off_a_compound_title():
    assert split_title("PGS.TS. Dương Phương Dung") == ("PGS.TS", "Dương Phương Dung")


def test_split_title_knows_medical_and_engineering_titles():
    assert split_title("BSCKII. Mai Hồng An") == ("BSCKII", "Mai Hồng An")
    assert split_title("ThS.BS. Chu Duy Hiếu") == ("ThS.BS", "Chu Duy Hiếu")
    assert split_title("TS.BS. Nông Ngọc Thắng") == ("TS.BS", "Nông Ngọc Thắng")
    assert split_title("KS. Lê Tiến Việt") == ("KS", "Lê Tiến Việt")


def test_split_title_accepts_spaces_after_the_dots_and_any_case():
    assert split_title("pgs. ts.  Trần Thị Hoa") == ("pgs.ts", "Trần Thị Hoa")


def test_split_title_leaves_a_plain_name_alone():
    assert split_title("  Nguyễn   Văn An ") == (None, "Nguyễn Văn An")


def test_split_title_never_cuts_at_an_initial():
    assert split_title("H. Nguyễn Văn An") == (None, "H. Nguyễn Văn An")


def test_split_title_never_takes_the_whole_name():
    assert split_title("TS.") == (None, "TS.")


def test_person_key_ignores_title_case_spaces_and_unicode_form():
    nfd = "Nguye\u0302\u0303n Va\u0306n An"  # 'Nguyễn Văn An' typed with combining marks
    assert person_key("PGS.TS. nguyễn  văn AN") == person_key(nfd) == person_key("Nguyễn Văn An") == "nguyễn văn an"
    assert clean_name(nfd) == "Nguyễn Văn An"


def test_person_keys_are_the_distinct_people_in_order():
    assert person_keys(["TS. Nguyễn Văn An", "ThS. Lê B", "PGS.TS. nguyễn văn an", " ", None]) == [
        "nguyễn văn an", "lê b"]


@pytest.mark.parametrize("title,parts", [
    ("PGS.TS", ("PGS", "TS")), ("GS.TSKH", ("GS", "TSKH")), ("pgs. ts", ("PGS", "TS")), ("TS", (None, "TS")),
    ("TS.BS", (None, "TS")), ("ThS.BS", (None, "ThS")), ("BSCKII", (None, "BSCKII")), ("bsck2", (None, "BSCKII")),
    ("KS", (None, "KS")), ("NGƯT", (None, None)), ("", (None, None)), (None, (None, None)),
])
def test_title_parts_are_the_academic_title_and_the_highest_degree(title, parts):
    assert title_parts(title) == parts


def test_split_name_fills_the_academic_title_and_the_degree_when_it_can():
    assert split_name("PGS.TS. Dương Phương Dung") == ("PGS.TS", "PGS", "TS", "Dương Phương Dung")
    assert split_name("ThS.BS. Chu Duy Hiếu") == ("ThS.BS", None, "ThS", "Chu Duy Hiếu")
    assert split_name("Nguyễn Văn An") == (None, None, None, "Nguyễn Văn An")


# -- organisations ----------------------------------------------------------------------------
def test_organisations_match_by_normalised_name_within_the_unit(ctx, units):
    known = Organisation.create(unit=units["A"], name="Sở Y tế")
    other = Organisation.create(unit=units["B"], name="Sở Y tế")
    assert match_organisations([(units["A"].id, "  sở  Y TẾ "), (units["B"].id, "SỞ Y TẾ")]) == [known.id, other.id]
    assert Organisation.select().count() == 2


def test_new_organisations_are_created_in_their_unit_once_per_name(ctx, units):
    a, b = units["A"].id, units["B"].id
    ids = match_organisations([(a, "Tỉnh đoàn"), (b, "Tỉnh đoàn"), (a, "tỉnh  đoàn"), (a, "Báo Bắc Giang")])
    assert ids[0] == ids[2] and len({ids[0], ids[1], ids[3]}) == 3
    made = {(o.unit_id, o.name, o.name_key, o.kind) for o in Organisation.select()}
    assert made == {(a, "Tỉnh đoàn", "tỉnh đoàn", "khac"), (b, "Tỉnh đoàn", "tỉnh đoàn", "khac"),
                    (a, "Báo Bắc Giang", "báo bắc giang", "khac")}
    assert Organisation.get_by_id(ids[0]).created_at is not None


def test_blank_names_match_nothing_and_create_nothing(ctx, units):
    assert match_organisations([(units["A"].id, "  "), (units["A"].id, None)]) == [None, None]
    assert Organisation.select().count() == 0


def test_without_create_new_names_give_none(ctx, units):
    known = Organisation.create(unit=units["A"], name="Sở Y tế")
    assert match_organisations([(units["A"].id, "Sở Y tế"), (units["A"].id, "Sở Mới")], create=False) == [known.id, None]
    assert Organisation.select().count() == 1


def test_an_organisation_inserted_meanwhile_by_another_writer_is_matched(ctx, units, monkeypatch):
    known = Organisation.create(unit=units["A"], name="Sở Y tế")
    real, calls = people._existing, []

    def blind_first(model, pairs):  # the first look misses it, as if inserted just after
        calls.append(pairs)
        return {} if len(calls) == 1 else real(model, pairs)

    monkeypatch.setattr(people, "_existing", blind_first)
    assert match_organisations([(units["A"].id, "Sở Y tế"), (units["A"].id, "Sở Nội vụ")])[0] == known.id
    assert Organisation.select().count() == 2 and len(calls) == 2


# -- people -------------------------------------------------------------------------------------
def test_people_match_without_their_title(ctx, units):
    known = Person.create(unit=units["A"], full_name="Dương Phương Dung", title="TS")
    assert match_people([(units["A"].id, "PGS.TS. Dương Phương Dung")]) == [known.id]
    assert Person.get_by_id(known.id).title == "TS"  # a match never rewrites the person


def test_a_new_person_keeps_the_first_title_written_and_the_first_spelling(ctx, units):
    a = units["A"].id
    ids = match_people([(a, "Nguyễn Đức Tài"), (a, "TS.BS. nguyễn đức tài"), (a, "PGS.TS. Nguyễn Đức Tài")])
    assert len(set(ids)) == 1
    person = Person.get_by_id(ids[0])
    assert (person.title, person.full_name, person.name_key, person.unit_id) == (
        "TS.BS", "Nguyễn Đức Tài", "nguyễn đức tài", a)


def test_people_of_another_unit_are_not_matched(ctx, units):
    Person.create(unit=units["B"], full_name="Lê Thanh Tuấn")
    (found,) = match_people([(units["A"].id, "ThS. Lê Thanh Tuấn")])
    assert Person.get_by_id(found).unit_id == units["A"].id and Person.select().count() == 2


def test_of_people_sharing_a_name_the_oldest_is_the_match(ctx, units):
    older = Person.create(unit=units["A"], full_name="Trần Văn Bình")
    Person.create(unit=units["A"], full_name="trần văn bình")
    assert match_people([(units["A"].id, "KS. Trần Văn Bình")]) == [older.id]


def test_a_new_person_gets_the_titles_parts(ctx, units):
    (found,) = match_people([(units["A"].id, "PGS.TS. Nông Thanh Thắng")])
    person = Person.get_by_id(found)
    assert (person.title, person.academic_title, person.degree) == ("PGS.TS", "PGS", "TS")


# -- homonyms: a year of birth tells people apart ------------------------------------------------
def test_homonyms_with_different_years_of_birth_are_two_people(ctx, units):
    """The honours sample: two Nguyễn Văn Hùng, born 1979 and 1986, are not merged."""
    a = units["A"].id
    first = match_people([(a, "Nguyễn Văn Hùng", 1979), (a, "TS. Nguyễn Văn Hùng", 1986), (a, "nguyễn văn hùng", 1979)])
    assert first[0] == first[2] != first[1]
    assert sorted((p.full_name, p.year_of_birth) for p in Person.select()) == [
        ("Nguyễn Văn Hùng", 1979), ("Nguyễn Văn Hùng", 1986)]
    again = match_people([(a, "Nguyễn Văn Hùng", 1986), (a, "Nguyễn Văn Hùng", 1979)])
    assert again == [first[1], first[0]] and Person.select().count() == 2


def test_a_name_with_a_year_takes_the_person_whose_year_is_unknown(ctx, units):
    a = units["A"].id
    speaker = Person.create(unit=units["A"], full_name="Nguyễn Ngọc Hằng", title="BSCKII")
    assert match_people([(a, "Nguyễn Ngọc Hằng", 1981)]) == [speaker.id]
    assert Person.get_by_id(speaker.id).year_of_birth == 1981  # now known
    (other,) = match_people([(a, "Nguyễn Ngọc Hằng", 1990)])  # another Hằng, not the same
    assert other != speaker.id and Person.select().count() == 2


def test_two_years_for_one_unknown_person_are_ambiguous_and_make_two_new_people(ctx, units):
    a = units["A"].id
    unknown = Person.create(unit=units["A"], full_name="Lê Minh Loan")
    ids = match_people([(a, "Lê Minh Loan", 1979), (a, "Lê Minh Loan", 1985)])
    assert unknown.id not in ids and len(set(ids)) == 2
    assert Person.get_by_id(unknown.id).year_of_birth is None


def test_a_person_whose_year_is_unknown_is_not_taken_when_a_homonym_has_one(ctx, units):
    a = units["A"]
    Person.create(unit=a, full_name="Trần Văn Giang", year_of_birth=1992)
    unknown = Person.create(unit=a, full_name="Trần Văn Giang")
    (found,) = match_people([(a.id, "Trần Văn Giang", 1970)])
    assert found not in {unknown.id} and Person.get_by_id(found).year_of_birth == 1970
    assert Person.get_by_id(unknown.id).year_of_birth is None


def test_a_name_without_a_year_takes_the_oldest_homonym_or_the_first_made(ctx, units):
    a = units["A"].id
    made = match_people([(a, "Phạm Văn Đức", 1980), (a, "Phạm Văn Đức"), (a, "Phạm Văn Đức", 1960)])
    assert made[1] == made[0] != made[2] and Person.select().count() == 2
    assert match_people([(a, "ThS. Phạm Văn Đức")]) == [min(made)]


def test_without_create_an_unknown_year_gives_none(ctx, units):
    a = units["A"].id
    known = Person.create(unit=units["A"], full_name="Hà Kim Nga", year_of_birth=1989)
    assert match_people([(a, "Hà Kim Nga", 1989), (a, "Hà Kim Nga", 1990), (a, "Hà Kim Ngân")], create=False) == [
        known.id, None, None]
    assert Person.select().count() == 1


def test_people_lists_take_names_with_their_year(ctx, units):
    a = units["A"].id
    (ids,) = people_lists([(a, [("Nguyễn Văn Hùng", 1979), ("Nguyễn Văn Hùng", 1986), "Lê B"])])
    assert [(Person.get_by_id(i).full_name, Person.get_by_id(i).year_of_birth) for i in ids] == [
        ("Nguyễn Văn Hùng", 1979), ("Nguyễn Văn Hùng", 1986), ("Lê B", None)]


def test_people_candidates_show_an_ambiguous_name(ctx, units):
    a = units["A"]
    older = Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1979)
    younger = Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1986)
    unknown = Person.create(unit=a, full_name="Nguyễn Văn Hùng")
    Person.create(unit=units["B"], full_name="Nguyễn Văn Hùng")
    assert people_candidates([(a.id, "TS. Nguyễn Văn Hùng"), (a.id, "Nguyễn Văn Hùng", 1986),
                              (a.id, "Nguyễn Văn Hùng", 2000), (a.id, "Lê B"), (a.id, " ")]) == [
        [older.id, younger.id, unknown.id], [younger.id, unknown.id], [unknown.id], [], []]


def test_matching_with_years_costs_the_same_statements_for_10_or_600_names(ctx, units):
    a = units["A"].id

    def batch(size, tag):
        return [(a, f"Tên {tag} số {n % (size // 2)}", 1950 + n // (size // 2)) for n in range(size)]  # homonyms

    assert statements(lambda: match_people(batch(10, "nhỏ"))) == statements(lambda: match_people(batch(600, "lớn"))) == 2
    assert Person.select().count() == 610
    for n in range(5):
        Person.create(unit=a, full_name=f"Chưa rõ {n}")
    for n in range(300):
        Person.create(unit=a, full_name=f"Chưa biết {n}")
    claim_few = statements(lambda: match_people([(a, f"Chưa rõ {n}", 1970) for n in range(5)]))
    claim_many = statements(lambda: match_people([(a, f"Chưa biết {n}", 1970) for n in range(300)]))
    assert claim_few == claim_many == 2  # SELECT, UPDATE of the years now known
    assert Person.select().where(Person.year_of_birth == 1970).count() == 305


# -- lists per record ---------------------------------------------------------------------------
def test_lists_keep_the_order_first_named_and_drop_repeats(ctx, units):
    a, b = units["A"].id, units["B"].id
    groups = organisation_lists([(a, ["Sở Y tế", "Tỉnh đoàn", "sở y tế"]), (b, ["Tỉnh đoàn"]), (a, []), (a, None)])
    names = [[Organisation.get_by_id(i).name for i in ids] for ids in groups]
    assert names == [["Sở Y tế", "Tỉnh đoàn"], ["Tỉnh đoàn"], [], []]
    assert groups[0][1] != groups[1][0]  # same name, other unit


def test_people_lists_are_one_person_per_name_whatever_the_title(ctx, units):
    a = units["A"].id
    (ids,) = people_lists([(a, ["TS. Nguyễn Văn An", "ThS. Lê B", "PGS.TS. nguyễn văn an"])])
    assert [Person.get_by_id(i).full_name for i in ids] == ["Nguyễn Văn An", "Lê B"]
    assert len(ids) == len(person_keys(["TS. Nguyễn Văn An", "ThS. Lê B", "PGS.TS. nguyễn văn an"]))


def test_more_names_than_one_statement_holds_are_chunked(ctx, units, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_PARAMS", 7)  # 3 pairs per SELECT, 1 row per INSERT
    a = units["A"].id
    Organisation.create(unit=a, name="Đơn vị 3")
    names = [f"Đơn vị {n}" for n in range(10)]
    with QueryCount() as count:
        ids = match_organisations([(a, name) for name in names + names[::-1]])
    assert ids[:10] == ids[10:][::-1] and len(set(ids)) == 10
    assert sorted(Organisation.select(Organisation.name).tuples()) == sorted((name,) for name in names)
    assert len(count) > 2  # it did take several statements


# -- links --------------------------------------------------------------------------------------
def test_replace_links_sets_the_given_order_and_touches_no_other_owner(meetings, units):
    first, second, third = meetings
    a = units["A"].id
    (old,) = people_lists([(a, ["Người Cũ", "Người Ở Lại"])])
    replace_links(MeetingGuest, "meeting", "person", {first.id: old, third.id: old})
    (new,) = people_lists([(a, ["GS. Hà Minh", "Người Ở Lại", "ThS. Vũ Lan"])])
    written = replace_links(MeetingGuest, MeetingGuest.meeting, MeetingGuest.person, {first.id: new, second.id: new[:1]})
    assert written == 4
    assert guests(first) == ["Hà Minh", "Người Ở Lại", "Vũ Lan"]
    assert guests(second) == ["Hà Minh"]
    assert guests(third) == ["Người Cũ", "Người Ở Lại"]
    positions = [p for (p,) in MeetingGuest.select(MeetingGuest.position).where(MeetingGuest.meeting == first)
                 .order_by(MeetingGuest.position).tuples()]
    assert positions == [0, 1, 2]


def test_replace_links_drops_repeats_and_blanks_and_clears_with_an_empty_list(meetings, units):
    first, second, _ = meetings
    (ids,) = people_lists([(units["A"].id, ["A Một", "B Hai"])])
    replace_links(MeetingGuest, "meeting", "person", {first.id: [ids[1], None, ids[0], ids[1]], second.id: ids})
    assert guests(first) == ["B Hai", "A Một"]
    replace_links(MeetingGuest, "meeting", "person", {second.id: []})
    assert guests(second) == [] and guests(first) == ["B Hai", "A Một"]


def test_linked_values_give_every_owners_names_in_position_order(meetings, units):
    first, second, third = meetings
    (ids,) = people_lists([(units["A"].id, ["C Ba", "A Một", "B Hai"])])
    replace_links(MeetingGuest, "meeting", "person", {first.id: ids, second.id: ids[::-1]})
    found = linked_values(MeetingGuest, "meeting", "person", Person.full_name, [first.id, second.id, third.id])
    assert found == {first.id: ["C Ba", "A Một", "B Hai"], second.id: ["B Hai", "A Một", "C Ba"], third.id: []}


# -- a constant number of statements, whatever the number of names ---------------------------------
def statements(work):
    """How many statements ``work`` runs inside a transaction (as a sync chunk does)."""
    with database.atomic():
        with QueryCount() as count:
            work()
    return len(count)


@pytest.mark.parametrize("match", [match_organisations, match_people])
def test_matching_costs_the_same_statements_for_10_or_600_names(ctx, units, match):
    a, b = units["A"].id, units["B"].id

    def batch(size, tag):  # two units, titles on half the people, every name twice
        pairs = [((a, b)[n % 2], f"{'PGS.TS. ' if n % 4 == 1 else ''}Tên {tag} số {n}") for n in range(size)]
        return pairs + pairs[::-1]

    new_small = statements(lambda: match(batch(10, "nhỏ")))
    new_large = statements(lambda: match(batch(600, "lớn")))
    known_small = statements(lambda: match(batch(10, "nhỏ")))
    known_large = statements(lambda: match(batch(600, "lớn")))
    assert new_small == new_large == 2  # SELECT, INSERT … RETURNING
    assert known_small == known_large == 1  # SELECT only: nothing new
    model = Organisation if match is match_organisations else Person
    assert model.select().count() == 610


def test_replacing_links_costs_the_same_statements_for_3_or_300_owners(ctx, units):
    database.obj.create_tables([Meeting, MeetingGuest])
    owners = [Meeting.create(unit=units["A"], title=f"Phiên {n}") for n in range(300)]
    (ids,) = people_lists([(units["A"].id, [f"Khách {n}" for n in range(5)])])

    def links(count):
        return {m.id: ids[m.id % 5:] + ids[:m.id % 5] for m in owners[:count]}

    few = statements(lambda: replace_links(MeetingGuest, "meeting", "person", links(3)))
    many = statements(lambda: replace_links(MeetingGuest, "meeting", "person", links(300)))
    read_few = statements(lambda: linked_values(MeetingGuest, "meeting", "person", Person.full_name,
                                                [m.id for m in owners[:3]]))
    read_many = statements(lambda: linked_values(MeetingGuest, "meeting", "person", Person.full_name,
                                                 [m.id for m in owners]))
    assert few == many == 2  # DELETE, INSERT
    assert read_few == read_many == 1
    assert MeetingGuest.select().count() == 1500
