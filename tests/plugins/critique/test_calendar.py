"""The working-day calendar: seeded from the holidays library, then the office's table."""
import datetime as dt

from plugins.critique import calendar, rules

D = dt.date
# samples/README.md: "the 2023 holidays (02/01, 20/01, 23/01, 24/01, 25/01, 26/01, 01/05, 02/05,
# 03/05, 01/09, 04/09) and 01/01/2024" — the weekdays off the working days leave out
README_2023 = {D(2023, 1, 2), D(2023, 1, 20), D(2023, 1, 23), D(2023, 1, 24), D(2023, 1, 25), D(2023, 1, 26),
               D(2023, 5, 1), D(2023, 5, 2), D(2023, 5, 3), D(2023, 9, 1), D(2023, 9, 4)}


def weekdays_off(days):
    return {day for day, kind, _name in days if kind != "lam_bu" and day.weekday() < 5}


def test_the_library_gives_the_readmes_2023_days_off():
    days = calendar.library_days(2023)
    assert weekdays_off(days) == README_2023
    assert D(2024, 1, 1) in weekdays_off(calendar.library_days(2024))
    names = {day: (kind, name) for day, kind, name in days}
    assert names[D(2023, 1, 22)] == ("nghi_le", "Tết Nguyên Đán")  # lunar 1/1, a Sunday
    assert names[D(2023, 5, 2)][0] == "nghi_bu"  # Giỗ Tổ fell on a Saturday


def test_tet_follows_the_lunar_calendar_every_year():
    for year, first_day in ((2020, D(2020, 1, 25)), (2021, D(2021, 2, 12)), (2022, D(2022, 2, 1)),
                            (2024, D(2024, 2, 10)), (2025, D(2025, 1, 29)), (2026, D(2026, 2, 17)),
                            (2027, D(2027, 2, 6))):
        days = {day: name for day, _kind, name in calendar.library_days(year)}
        assert days[first_day] == "Tết Nguyên Đán", year


def test_a_day_off_swapped_for_a_saturday_brings_the_saturday_worked():
    days = {day: kind for day, kind, _name in calendar.library_days(2025)}
    assert days[D(2025, 5, 2)] == "hoan_doi" and days[D(2025, 4, 26)] == "lam_bu"
    days = {day: kind for day, kind, _name in calendar.library_days(2024)}
    assert days[D(2024, 4, 29)] == "hoan_doi" and days[D(2024, 5, 4)] == "lam_bu"


def test_outside_the_librarys_years_nothing_is_invented():
    assert calendar.library_days(1900) == []


def test_the_default_years_are_seeded_once(ctx):
    from plugins.critique.models import CalendarDay, CalendarYear

    assert calendar.ensure_calendar() == list(calendar.SEEDED_YEARS)
    count = CalendarDay.select().count()
    assert count == sum(len(calendar.library_days(y)) for y in calendar.SEEDED_YEARS)
    assert calendar.ensure_calendar() == []
    assert CalendarDay.select().count() == count
    assert sorted(y.year for y in CalendarYear.select()) == list(calendar.SEEDED_YEARS)
    assert {d.source for d in CalendarDay.select()} == {calendar.library_version()}


def test_what_the_office_changed_in_a_seeded_year_stays(ctx):
    from plugins.critique.models import CalendarDay

    calendar.ensure_calendar()
    CalendarDay.delete().where(CalendarDay.day == D(2023, 1, 2)).execute()  # the office worked that day
    CalendarDay.create(day=D(2023, 6, 12), kind="nghi_le", name="Nghỉ theo quyết định của tỉnh")
    calendar.ensure_calendar()
    found = calendar.load(D(2023, 1, 1), D(2023, 12, 31))
    assert D(2023, 1, 2) not in found.days_off and D(2023, 6, 12) in found.days_off
    # and the rules count with it
    assert rules.working_days(D(2023, 6, 9), D(2023, 6, 16), *found) == 4


def test_a_year_in_use_outside_the_defaults_is_seeded_when_needed(ctx):
    from plugins.critique.models import CalendarYear

    found = calendar.calendar_for([D(2030, 1, 2), None, D(2029, 12, 20)])
    assert {y.year for y in CalendarYear.select()} >= {2029, 2030}
    assert D(2030, 1, 1) in found.days_off
    assert calendar.calendar_for([]) == calendar.WorkCalendar(frozenset(), frozenset())


def test_the_loaded_calendar_splits_days_off_from_days_worked(ctx):
    calendar.ensure_calendar()
    found = calendar.load(D(2025, 1, 1), D(2025, 12, 31))
    assert D(2025, 4, 26) in found.workdays and D(2025, 4, 26) not in found.days_off
    assert {D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2)} <= found.days_off
