"""The core's admin widgets (core.widgets): money and dd/mm/yyyy fields, scoped lookups,
the year and unit filters, and the script that groups money while typing."""
import configparser
import datetime as dt
import fnmatch
from pathlib import Path

import pytest
from flask_login import login_user
from werkzeug.datastructures import MultiDict
from wtforms import Form

from core.models import Organisation, Person, Unit, User
from core.widgets import (
    DateField, IdFilter, LookupField, MoneyField, Options, OrganisationLookup, PersonLookup, UnitFilter, YearFilter,
    money_column, plain_column,
)

REPO = Path(__file__).resolve().parents[2]


class AmountForm(Form):
    amount = MoneyField()
    day = DateField()


def posted(**values):
    form = AmountForm(MultiDict(values))
    form.validate()
    return form


# -- money ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,amount", [
    ("12.500.000", 12_500_000), ("12,5 triệu", 12_500_000), ("1,5 tỷ", 1_500_000_000), ("50.000.000", 50_000_000),
    ("50,000,000", 50_000_000), ("500 nghìn", 500_000), ("12500000", 12_500_000), ("  ", None), ("", None),
])
def test_money_is_read_as_offices_write_it(typed, amount):
    form = posted(amount=typed)
    assert form.amount.data == amount and form.amount.errors == []


@pytest.mark.parametrize("typed", ["khoảng 10 triệu", "12,5", "-5.000", "1.5"])
def test_unreadable_money_is_an_error_that_names_the_value(typed):
    form = posted(amount=typed)
    assert form.amount.data is None
    assert form.amount.errors and form.amount.errors[0].startswith(f'"{typed}" ')


def test_money_is_shown_grouped_and_marked_for_the_script():
    form = AmountForm(data={"amount": 12_500_000})
    html = form.amount()
    assert 'value="12.500.000"' in html and "data-phoihop-money" in html
    assert 'value="khoảng 10 triệu"' in posted(amount="khoảng 10 triệu").amount()  # as typed, to correct


# -- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed,day", [
    ("07/12/2022", dt.date(2022, 12, 7)), ("7/12/2022", dt.date(2022, 12, 7)), ("2022-12-07", dt.date(2022, 12, 7)),
    ("07-12-2022", dt.date(2022, 12, 7)), ("", None),
])
def test_dates_are_read_day_first(typed, day):
    form = posted(day=typed)
    assert form.day.data == day and form.day.errors == []


def test_an_impossible_date_is_an_error():
    form = posted(day="31/02/2021")
    assert form.day.data is None and form.day.errors == ['"31/02/2021" không phải ngày hợp lệ']


def test_dates_are_shown_day_first_with_the_date_picker():
    html = AmountForm(data={"day": dt.date(2022, 12, 7)}).day()
    assert 'value="07/12/2022"' in html and 'data-role="datepicker"' in html and 'data-date-format="DD/MM/YYYY"' in html


def test_every_date_column_of_a_core_view_gets_the_date_field(app):
    from plugins.training.views import ActivityView

    view = next(v for v in app.extensions["phoihop_admin"]._views if isinstance(v, ActivityView))
    assert view._create_form_class.start_date.field_class is DateField
    from core.registry_views import PersonView

    person = next(v for v in app.extensions["phoihop_admin"]._views if isinstance(v, PersonView))
    assert person._create_form_class.workplace.field_class is LookupField


# -- formatters ----------------------------------------------------------------------------------
def test_formatters_group_money_and_leave_years_alone():
    row = Person(full_name="A", year_of_birth=1979)
    assert plain_column(None, None, row, "year_of_birth") == "1979"
    assert plain_column(None, None, Person(full_name="B"), "year_of_birth") == ""
    assert money_column(None, None, type("Row", (), {"budget": 21_500_000})(), "budget") == "21.500.000"


# -- lookups -------------------------------------------------------------------------------------
@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def people(ctx, units):
    a, b = units["A"], units["B"]
    return {
        "yte_a": Organisation.create(unit=a, name="Sở Y tế"),
        "yte_b": Organisation.create(unit=b, name="Sở Y tế"),
        "hung79": Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1979, title="TS"),
        "hung86": Person.create(unit=a, full_name="Nguyễn Văn Hùng", year_of_birth=1986),
        "hung_b": Person.create(unit=b, full_name="Nguyễn Văn Hùng"),
    }


def as_user(make_user, role, unit=None):
    user = make_user(f"{role}-{unit.code if unit else 'all'}@bg.vn", role, unit)
    login_user(User.get_by_id(user.id))


def test_a_units_lookup_offers_only_its_rows(people, units, make_user):
    as_user(make_user, "editor", units["A"])
    organisations = OrganisationLookup("partners")
    assert [organisations.format(o) for o in organisations.get_list("SỞ  Y")] == [(people["yte_a"].id, "Sở Y tế")]
    assert organisations.get_one(str(people["yte_b"].id)) is None
    assert organisations.get_one(str(people["yte_a"].id)).id == people["yte_a"].id
    assert organisations.get_one("abc") is None and organisations.get_one("9" * 30) is None
    lookup = PersonLookup("speakers")
    assert [lookup.format(p)[1] for p in lookup.get_list("hùng")] == ["TS Nguyễn Văn Hùng (1979)", "Nguyễn Văn Hùng (1986)"]


def test_an_admin_of_every_unit_sees_each_rows_unit(people, make_user):
    as_user(make_user, "admin")
    lookup = OrganisationLookup("partners")
    assert sorted(lookup.format(o)[1] for o in lookup.get_list("y tế")) == ["Sở Y tế — BG", "Sở Y tế — PT"]
    assert len(PersonLookup("speakers").get_list("")) == 3


# -- filters -------------------------------------------------------------------------------------
def test_the_year_filter_reads_dates_datetimes_and_years(people, units):
    Unit.update(created_at=dt.datetime(2023, 12, 31, 23, 59)).where(Unit.id == units["A"].id).execute()
    Unit.update(created_at=dt.datetime(2024, 1, 1, 0, 0)).where(Unit.id == units["B"].id).execute()
    born = YearFilter(Person.year_of_birth, "Năm sinh")
    assert [p.id for p in born.apply(Person.select(), born.clean("1986"))] == [people["hung86"].id]
    created = YearFilter(Unit.created_at, "Năm")
    assert [u.code for u in created.apply(Unit.select(), 2023)] == ["BG"]
    from plugins.training.models import Activity, ActivityKind, ensure_kinds

    ensure_kinds()
    kind = ActivityKind.select().first()
    for day in (dt.date(2021, 1, 1), dt.date(2021, 12, 31), dt.date(2022, 1, 1)):
        Activity.create(unit=units["A"], kind=kind, title=str(day), start_date=day)
    started = YearFilter(Activity.start_date, "Năm")
    assert sorted(a.title for a in started.apply(Activity.select(), 2021)) == ["2021-01-01", "2021-12-31"]
    with pytest.raises((ValueError, OverflowError)):
        started.apply(Activity.select(), 10000)


def test_the_year_filter_takes_a_range_of_years(people, units):
    from plugins.training.models import Activity, ActivityKind, ensure_kinds

    ensure_kinds()
    kind = ActivityKind.select().first()
    for day in (dt.date(2020, 12, 31), dt.date(2021, 1, 1), dt.date(2023, 12, 31), dt.date(2024, 1, 1)):
        Activity.create(unit=units["A"], kind=kind, title=str(day), start_date=day)
    started = YearFilter(Activity.start_date, "Năm")
    assert started.clean("2021-2023") == (2021, 2023) and started.clean("2021 – 2023") == (2021, 2023)
    assert sorted(a.title for a in started.apply(Activity.select(), started.clean("2021-2023"))) == [
        "2021-01-01", "2023-12-31"]
    born = YearFilter(Person.year_of_birth, "Năm sinh")
    assert [p.id for p in born.apply(Person.select(), born.clean("1985-1987"))] == [people["hung86"].id]


@pytest.mark.parametrize("value", ["2023-2021", "abc", "2021-", "0-5"])
def test_the_year_filter_refuses_what_is_not_a_year_or_a_range(value):
    assert not YearFilter(None, "Năm").validate(value)


def test_the_unit_filter_offers_the_units_the_user_may_see(ctx, units, make_user):
    flt = UnitFilter("Đơn vị")
    assert list(flt.get_options(None)) == []  # no one logged in yet: nothing to offer
    as_user(make_user, "viewer", units["B"])
    assert list(flt.get_options(None)) == [(units["B"].name, units["B"].name)]


def test_the_unit_filter_of_an_admin_of_every_unit_offers_them_all(ctx, units, make_user):
    as_user(make_user, "admin")
    assert [name for name, _ in UnitFilter().get_options(None)] == sorted(u.name for u in units.values())


def test_options_are_produced_at_each_drawing_and_only_for_a_user_logged_in(ctx, units, make_user):
    drawn = []
    options = Options(lambda: drawn.append(1) or [("1", "một")])
    assert list(options) == [] and drawn == []  # no one logged in yet
    as_user(make_user, "viewer", units["A"])
    assert list(options) == list(options) == [("1", "một")] and len(drawn) == 2


@pytest.mark.parametrize("value", ["abc", "", "-1", "1" * 10])
def test_the_id_filter_matches_no_row_for_what_is_not_an_id(people, value):
    by_unit = IdFilter(Organisation.unit, "Đơn vị")
    assert list(by_unit.apply(Organisation.select(), value)) == []


def test_the_id_filter_keeps_the_rows_of_the_id_picked(people, units):
    by_unit = IdFilter(Organisation.unit, "Đơn vị")
    assert [o.id for o in by_unit.apply(Organisation.select(), f" {units['B'].id} ")] == [people["yte_b"].id]


# -- the script ----------------------------------------------------------------------------------
def test_every_admin_page_loads_the_widgets_script_with_the_nonce(login_as):
    client = login_as("admin")
    answer = client.get("/static/phoihop/widgets.js")
    assert answer.status_code == 200 and "data-phoihop-money" in answer.get_data(as_text=True)
    for path in ("/admin/", "/admin/person/new/", "/admin/training_activity/new/"):
        answer = client.get(path)
        nonce = answer.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert f'<script nonce="{nonce}" src="/static/phoihop/widgets.js"></script>' in answer.get_data(as_text=True)


def test_the_widgets_script_ships_with_the_package():
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    patterns = config["options.package_data"]["core"].split()
    shipped = [p for p in (REPO / "core" / "static").rglob("*") if p.is_file()]
    assert shipped, "core/static holds the widgets' script"
    for path in shipped:
        relative = path.relative_to(REPO / "core").as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative
