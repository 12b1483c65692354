"""``ActivityMapping.read_many`` / ``after_save_many``: a chunk of records costs a constant
number of statements, and gives what the old per-record hooks gave."""
import datetime as dt

import pytest

from core.db import database
from core.models import Organisation, Person, name_key
from plugins.training.models import Activity, ActivityPartner, ActivitySpeaker
from plugins.training.sheets import ActivityMapping
from tests.core.test_people import QueryCount

PARTNERS = ["Sở Khoa học và Công nghệ", "Tỉnh đoàn", "Hội Nông dân tỉnh", "UBND huyện Lục Ngạn", "Báo Bắc Giang",
            "Trường Đại học Nông - Lâm Bắc Giang", "Sở Y tế"]
SPEAKERS = ["PGS.TS. Dương Phương Dung", "ThS. Lê Thanh Tuấn", "TS.BS. Nông Ngọc Thắng", "KS. Lê Tiến Việt",
            "Trần Thị Hoa", "TS. Vũ Thị Minh Loan", "BSCKII. Mai Hồng An"]
KINDS = ["Hội thảo khoa học", "Tập huấn kỹ thuật", "Phổ biến kiến thức", "Hội nghị thông tin chuyên đề"]


def values_of(n, tag=""):
    """Parsed values of an office row: 0–3 partners and 0–2 speakers, names that recur
    across rows, a repeat in another case, a speaker named twice with the same title."""
    partners = [PARTNERS[(n + k) % len(PARTNERS)] for k in range(n % 4)]
    speakers = [SPEAKERS[(n * 3 + k) % len(SPEAKERS)] for k in range(n % 3)]
    if n % 5 == 0 and partners:
        partners.append(partners[0].upper())  # 'SỞ Y TẾ' after 'Sở Y tế': one partner
    if n % 7 == 0 and speakers:
        speakers.append(speakers[0])  # the same person twice
    if n % 11 == 0:
        partners.append(f"Đơn vị mới {tag}{n}")  # a name seen once
        speakers.append(f"TS. Người mới {tag}{n}")
    return {"kind": KINDS[n % len(KINDS)], "title": f"Hoạt động {tag}{n}", "start_date": dt.date(2022, 1 + n % 12, 1),
            "partners": partners, "speakers": speakers}


def created(unit, mapping, rows):
    """Records saved as the engine saves them (apply, save), with their values."""
    pairs = []
    for values in rows:
        record = Activity(unit=unit)
        mapping.apply(record, values)
        record.save()
        pairs.append((record, values))
    return pairs


def statements(work):
    with database.atomic():
        with QueryCount() as count:
            work()
    return len(count)


@pytest.fixture
def mapping(kinds):
    return ActivityMapping()


# -- a constant number of statements per chunk ------------------------------------------------
def test_after_save_many_costs_the_same_for_10_or_200_records(units, mapping):
    small = created(units["A"], mapping, [values_of(n, "a") for n in range(10)])
    large = created(units["A"], mapping, [values_of(n, "b") for n in range(200)])
    # first time: some names are new (SELECT + INSERT for organisations and for people),
    # then DELETE + INSERT of each kind of link
    assert statements(lambda: mapping.after_save_many(small)) == statements(lambda: mapping.after_save_many(large)) == 8
    # other lists, every name known by now: no INSERT of organisations or people
    again_small = [(r, values_of(n + 1, "a")) for n, (r, _) in enumerate(small) if (n + 1) % 11]
    again_large = [(r, values_of(n + 1, "b")) for n, (r, _) in enumerate(large) if (n + 1) % 11]
    for record, values in again_small + again_large:
        mapping.apply(record, values)  # as the engine does before saving
    assert statements(lambda: mapping.after_save_many(again_small)) == 6
    assert statements(lambda: mapping.after_save_many(again_large)) == 6


def test_read_many_costs_the_same_for_10_or_200_records(units, mapping):
    pairs = created(units["A"], mapping, [values_of(n) for n in range(200)])
    mapping.after_save_many(pairs)
    records = list(Activity.select().order_by(Activity.id))
    assert statements(lambda: mapping.read_many(records[:10])) == statements(lambda: mapping.read_many(records)) == 2


def test_a_partial_change_touches_only_the_lists_it_names(units, mapping):
    pairs = created(units["A"], mapping, [values_of(n) for n in range(1, 4)])
    mapping.after_save_many(pairs)
    record = pairs[1][0]
    before = ActivitySpeaker.select().where(ActivitySpeaker.activity == record.id).count()
    assert statements(lambda: mapping.after_save_many([(record, {"partners": ["tỉnh đoàn"]})])) == 3
    assert record.partner_names() == ["Tỉnh đoàn"]
    assert ActivitySpeaker.select().where(ActivitySpeaker.activity == record.id).count() == before == 2
    assert statements(lambda: mapping.after_save_many([(record, {"title": "Đổi tên"})])) == 0


# -- the same results as the old per-record hooks ---------------------------------------------
def old_after_save(record, values):
    """The per-record hook as it was (6 statements a record, more for new names): the reference."""
    from core.people import split_title

    def unique(names, key):
        seen, result = set(), []
        for name in names or []:
            name = " ".join((name or "").split())
            k = key(name)
            if k and k not in seen:
                seen.add(k)
                result.append((k, name))
        return result

    if "partners" in values:
        wanted = unique(values["partners"], name_key)
        found = {o.name_key: o for o in Organisation.select().where(
            Organisation.unit == record.unit_id, Organisation.name_key.in_([k for k, _ in wanted]))}
        for key, name in wanted:
            if key not in found:
                found[key] = Organisation.create(unit=record.unit_id, name=name)
        ActivityPartner.delete().where(ActivityPartner.activity == record.id).execute()
        if wanted:
            ActivityPartner.insert_many([{"activity": record.id, "organisation": found[key].id, "position": i}
                                         for i, (key, _) in enumerate(wanted)]).execute()
    if "speakers" in values:
        parsed = [split_title(name) for name in values["speakers"]]
        wanted = unique([full for _, full in parsed if full], name_key)
        titles = {name_key(full): title for title, full in parsed}
        found = {}
        for person in Person.select().where(Person.unit == record.unit_id,
                                            Person.name_key.in_([k for k, _ in wanted])).order_by(Person.id):
            found.setdefault(person.name_key, person)
        for key, full in wanted:
            if key not in found:
                found[key] = Person.create(unit=record.unit_id, full_name=full, title=titles.get(key) or None)
        ActivitySpeaker.delete().where(ActivitySpeaker.activity == record.id).execute()
        if wanted:
            ActivitySpeaker.insert_many([{"activity": record.id, "person": found[key].id, "position": i}
                                         for i, (key, _) in enumerate(wanted)]).execute()
        if record.speaker_count != len(wanted):
            Activity.update(speaker_count=len(wanted)).where(Activity.id == record.id).execute()


def old_read(mapping, record):
    """The per-record read as it was: the partners' names by one query per record."""
    from sheets.values import parse_list

    names = [o.name for o in Organisation.select(Organisation.name).join(ActivityPartner)
             .where(ActivityPartner.activity == record.id).order_by(ActivityPartner.position, ActivityPartner.id)]
    return {"kind": mapping.kinds.name_of(record.kind_id), "title": record.title, "field": record.field,
            "start_date": record.start_date, "end_date": record.end_date, "venue": record.venue,
            "partners": names, "speakers": parse_list(record.speakers), "participants": record.participants,
            "state_budget": record.state_budget, "other_budget": record.other_budget, "notes": record.notes}


def linked(unit):
    """Per activity (by title): partners, speakers as (title, name), speaker_count."""
    found = {}
    for activity in Activity.select().where(Activity.unit == unit).order_by(Activity.id):
        speakers = [(p.title, p.full_name) for p in Person.select().join(ActivitySpeaker)
                    .where(ActivitySpeaker.activity == activity.id).order_by(ActivitySpeaker.position)]
        found[activity.title] = (activity.partner_names(), speakers, activity.speaker_count)
    return found


def test_a_chunk_links_exactly_what_the_old_per_record_hook_linked(units, mapping):
    for unit in units.values():  # a partner and a person the units already knew
        Organisation.create(unit=unit, name="tỉnh đoàn")
        Person.create(unit=unit, full_name="Trần Thị Hoa", title="TS")
    rows = [values_of(n) for n in range(60)]
    for record, values in created(units["A"], mapping, rows):
        old_after_save(record, values)
    mapping.after_save_many(created(units["B"], mapping, rows))
    old, new = linked(units["A"]), linked(units["B"])
    assert new == old
    # the order given, a repeat in capitals dropped, a known partner under its own spelling
    assert new["Hoạt động 10"][0] == ["UBND huyện Lục Ngạn", "Báo Bắc Giang"]
    assert new["Hoạt động 22"][0] == ["tỉnh đoàn", "Hội Nông dân tỉnh", "Đơn vị mới 22"]
    # titles split off and kept, one person named twice linked once
    assert new["Hoạt động 11"][1] == [("TS", "Vũ Thị Minh Loan"), ("BSCKII", "Mai Hồng An"), ("TS", "Người mới 11")]
    assert new["Hoạt động 14"][1:] == ([("PGS.TS", "Dương Phương Dung"), ("ThS", "Lê Thanh Tuấn")], 2)

    def rows_of(model, *fields):
        return {unit: sorted(model.select(*fields).where(model.unit == units[unit]).tuples()) for unit in "AB"}

    organisations = rows_of(Organisation, Organisation.name, Organisation.name_key)
    people = rows_of(Person, Person.full_name, Person.title)
    assert organisations["A"] == organisations["B"] and people["A"] == people["B"]
    assert ("tỉnh đoàn", "tỉnh đoàn") in organisations["B"] and ("Trần Thị Hoa", "TS") in people["B"]


def test_read_many_gives_what_the_old_read_gave(units, mapping):
    pairs = created(units["A"], mapping, [values_of(n) for n in range(40)])
    mapping.after_save_many(pairs)
    records = list(Activity.select().order_by(Activity.id)) + [Activity(unit=units["A"], kind=None)]
    found = mapping.read_many(records)
    assert {r.id: found[r.id] for r in records if r.id} == {r.id: old_read(mapping, r) for r in records if r.id}
    assert found[None]["partners"] == [] and found[None]["kind"] is None
    assert mapping.read(records[5]) == found[records[5].id]


def test_after_save_of_one_record_is_the_chunk_hook(units, mapping):
    ((record, values),) = created(units["A"], mapping, [values_of(13)])
    mapping.after_save(record, values)
    assert record.partner_names() == ["Sở Y tế"]
    fresh = Activity.get_by_id(record.id)
    assert fresh.speaker_count == fresh.speaker_links.count() == 1
