"""The honours area's answer to ``phoihop_joint_activities`` (plugins/honours/reports.py):
the nominations an organisation made, dated by their round, counted by one grouped query."""
import datetime as dt

from plugins.honours.reports import joint_activities

D = dt.date


def nominate(unit, organisation, round_, name, archived=False):
    from plugins.honours.models import Nomination, NominationNominator

    nomination = Nomination.create(unit=unit, round=round_, full_name=name, name_key=name.casefold(), archived=archived)
    NominationNominator.create(nomination=nomination, organisation=organisation)


def test_nominations_are_dated_by_their_rounds_ceremony(ctx, units):
    from core.models import Organisation
    from plugins.honours.models import Round

    union = Organisation.create(unit=units["A"], name="Liên đoàn Lao động tỉnh")
    first = Round.create(unit=units["A"], year=2021, ceremony_date=D(2021, 5, 18))
    second = Round.create(unit=units["A"], year=2023, deadline=D(2023, 3, 31))  # no ceremony yet: its deadline
    nominate(units["A"], union, first, "Nguyễn Văn An")
    nominate(units["A"], union, second, "Trần Thị Bình")
    nominate(units["A"], union, second, "Lê Văn Cường", archived=True)
    assert joint_activities([union.id], None, None) == [("honours", "Tôn vinh trí thức", union.id, 2, D(2023, 3, 31))]


def test_nominations_outside_the_dates_are_not_counted(ctx, units):
    from core.models import Organisation
    from plugins.honours.models import Round

    union = Organisation.create(unit=units["A"], name="Liên đoàn Lao động tỉnh")
    nominate(units["A"], union, Round.create(unit=units["A"], year=2021, ceremony_date=D(2021, 5, 18)), "Nguyễn Văn An")
    assert joint_activities([union.id], D(2023, 1, 1), D(2023, 12, 31)) == []
