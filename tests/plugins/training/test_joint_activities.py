"""The training area's answer to ``phoihop_joint_activities`` (plugins/training/reports.py):
the activities that name a partner, counted by one grouped query."""
import datetime as dt

from plugins.training.reports import joint_activities

D = dt.date


def test_activities_naming_a_partner_are_counted_with_the_latest_start(ctx, units, make_activity):
    from core.models import Organisation

    make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"], start_date=D(2023, 3, 2))
    make_activity(units["A"], partners=["Sở Y tế"], start_date=D(2023, 9, 14))
    health = Organisation.get(Organisation.name == "Sở Y tế").id
    assert joint_activities([health], None, None) == [("training", "Tập huấn, hội thảo", health, 2, D(2023, 9, 14))]


def test_archived_activities_and_those_outside_the_dates_are_not_counted(ctx, units, make_activity):
    from core.models import Organisation

    make_activity(units["A"], partners=["Sở Y tế"], start_date=D(2023, 3, 2), archived=True)
    make_activity(units["A"], partners=["Sở Y tế"], start_date=D(2022, 12, 31))
    make_activity(units["A"], partners=["Sở Y tế"], start_date=D(2023, 1, 1))
    health = Organisation.get(Organisation.name == "Sở Y tế").id
    assert joint_activities([health], D(2023, 1, 1), D(2023, 12, 31)) == [
        ("training", "Tập huấn, hội thảo", health, 1, D(2023, 1, 1))]
