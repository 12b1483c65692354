"""The training records: kinds seeded lazily, partners and speakers as core rows."""
import datetime as dt

import peewee
import pytest

from core.db import database
from core.models import Organisation, Person
from plugins.training.models import (
    DEFAULT_KINDS, Activity, ActivityKind, ActivityPartner, ActivitySpeaker, Feedback, ensure_kinds,
    set_partners, set_speakers,
)


def test_tables_are_created_by_init(app, ctx):
    tables = set(database.obj.get_tables())
    assert {"training_activity", "training_activity_kind", "training_activity_partner",
            "training_activity_speaker", "training_participant", "training_feedback"} <= tables


def test_ensure_kinds_seeds_the_eight_kinds_of_the_spec(ctx):
    assert ensure_kinds() == 8
    assert [k.name for k in ActivityKind.select().order_by(ActivityKind.sort_order)] == [n for n, _ in DEFAULT_KINDS]


def test_ensure_kinds_is_idempotent(ctx):
    ensure_kinds()
    assert ensure_kinds() == 0
    assert ActivityKind.select().count() == 8


def test_ensure_kinds_keeps_an_offices_edits_and_additions(ctx):
    ensure_kinds()
    ActivityKind.update(aliases="Hội thảo; HT").where(ActivityKind.name == "Hội thảo khoa học").execute()
    ActivityKind.create(name="Hội chợ triển lãm", sort_order=200)
    ensure_kinds()
    assert ActivityKind.get(ActivityKind.name == "Hội thảo khoa học").alias_list() == ["Hội thảo", "HT"]
    assert ActivityKind.select().count() == 9


def test_ensure_kinds_restores_only_a_missing_default(ctx):
    ensure_kinds()
    ActivityKind.delete().where(ActivityKind.name == "Diễn đàn, tọa đàm").execute()
    assert ensure_kinds() == 1


def test_partners_match_existing_organisations_by_normalised_name(ctx, units, make_activity):
    existing = Organisation.create(unit=units["A"], name="Sở Y tế")
    activity = make_activity(units["A"])
    assert set_partners(activity, ["  sở  Y TẾ "]) == [existing.id]
    assert Organisation.select().count() == 1


def test_new_partners_are_created_in_the_activitys_unit(ctx, units, make_activity):
    Organisation.create(unit=units["B"], name="Sở Y tế")
    (found,) = set_partners(make_activity(units["A"]), ["Sở Y tế"])
    assert Organisation.get_by_id(found).unit_id == units["A"].id
    assert Organisation.select().where(Organisation.name == "Sở Y tế").count() == 2


def test_duplicate_partner_names_give_one_organisation_and_one_link(ctx, units, make_activity):
    activity = make_activity(units["A"])
    assert len(set_partners(activity, ["Tỉnh đoàn", "tỉnh đoàn"])) == 1
    assert activity.partner_names() == ["Tỉnh đoàn"]
    assert Organisation.select().count() == 1


def test_speakers_are_people_matched_without_their_title(ctx, units, make_activity):
    known = Person.create(unit=units["A"], full_name="Dương Phương Dung")
    assert set_speakers(make_activity(units["A"]), ["PGS.TS. Dương Phương Dung"]) == [known.id]


def test_a_new_speaker_keeps_the_title_in_its_own_field(ctx, units, make_activity):
    (person_id,) = set_speakers(make_activity(units["A"]), ["TS.BS. Nguyễn Đức Tài"])
    person = Person.get_by_id(person_id)
    assert (person.title, person.full_name, person.unit_id) == ("TS.BS", "Nguyễn Đức Tài", units["A"].id)


def test_set_partners_replaces_the_links_in_the_given_order(ctx, units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"])
    set_partners(activity, ["Báo Bắc Giang", "Sở Y tế"])
    assert activity.partner_names() == ["Báo Bắc Giang", "Sở Y tế"]
    assert ActivityPartner.select().count() == 2


def test_set_speakers_links_one_person_per_name(ctx, units, make_activity):
    activity = make_activity(units["A"], speakers=["ThS. Lê Thanh Tuấn", "PGS.TS. Dương Phương Dung"])
    set_speakers(activity, ["ThS. Lê Thanh Tuấn"])
    assert [link.person.full_name for link in activity.speaker_links] == ["Lê Thanh Tuấn"]


def test_speaker_count_follows_the_speaker_links(ctx, units, make_activity):
    activity = make_activity(units["A"], speakers=["TS. A", "ThS. B", "KS. C"])
    assert Activity.get_by_id(activity.id).speaker_count == 3
    set_speakers(activity, ["TS. A"])
    assert Activity.get_by_id(activity.id).speaker_count == 1 == activity.speaker_links.count()


def test_one_person_named_twice_in_a_cell_is_one_speaker(ctx, units, make_activity):
    activity = make_activity(units["A"], speakers=["TS. Nguyễn Văn An", "PGS.TS. nguyễn văn an"])
    assert Activity.get_by_id(activity.id).speaker_count == 1 == activity.speaker_links.count()


def test_deleting_an_activity_removes_its_links_not_the_partners(ctx, units, make_activity):
    activity = make_activity(units["A"], partners=["Sở Y tế"], speakers=["KS. Hà Đức Phong"])
    activity.delete_instance()
    assert ActivityPartner.select().count() == ActivitySpeaker.select().count() == 0
    assert Organisation.select().count() == 1 and Person.select().count() == 1


def test_a_new_activity_is_not_archived(ctx, units, make_activity):
    assert make_activity(units["A"]).archived is False


def test_an_activity_needs_a_start_date(ctx, units, kinds):
    with pytest.raises(peewee.IntegrityError), database.atomic():
        Activity.create(unit=units["A"], kind=kinds["Hội thảo khoa học"], title="Không ngày", start_date=None)


def test_budgets_hold_amounts_beyond_two_billion(ctx, units, make_activity):
    activity = make_activity(units["A"], state_budget=12_750_000_000)
    assert Activity.get_by_id(activity.id).state_budget == 12_750_000_000


def test_feedback_score_outside_one_to_five_is_refused(ctx, units, make_activity):
    activity = make_activity(units["A"])
    Feedback.create(activity=activity, score="4.5")
    with pytest.raises(peewee.IntegrityError), database.atomic():
        Feedback.create(activity=activity, score=6)
    assert [float(f.score) for f in Feedback.select()] == [4.5]


def test_start_date_is_a_date(ctx, units, make_activity):
    activity = make_activity(units["A"], start_date=dt.date(2020, 4, 16))
    assert Activity.get_by_id(activity.id).start_date == dt.date(2020, 4, 16)
