"""The contests area's answer to ``phoihop_joint_activities`` (plugins/contests/reports.py):
the entries an organisation nominated, counted by one grouped query."""
import datetime as dt

from plugins.contests.reports import joint_activities

D = dt.date


def entries(unit, organisation, *rows):
    from plugins.contests.models import Entry

    for received, archived in rows:
        Entry.create(unit=unit, title="Giải pháp", nominating_name=organisation.name, nominating_unit=organisation,
                     received_on=received, archived=archived)


def test_entries_an_organisation_nominated_are_counted_within_the_dates(ctx, units):
    from core.models import Organisation

    school = Organisation.create(unit=units["A"], name="Sở Giáo dục và Đào tạo")
    entries(units["A"], school, (D(2023, 7, 3), False), (D(2023, 5, 2), False), (D(2022, 12, 1), False))
    assert joint_activities([school.id], D(2023, 1, 1), D(2023, 12, 31)) == [
        ("contests", "Cuộc thi, giải thưởng", school.id, 2, D(2023, 7, 3))]


def test_archived_entries_are_not_counted(ctx, units):
    from core.models import Organisation

    school = Organisation.create(unit=units["A"], name="Sở Giáo dục và Đào tạo")
    entries(units["A"], school, (D(2023, 7, 3), True))
    assert joint_activities([school.id], None, None) == []
