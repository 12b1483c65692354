"""One unit lookup for every command and report: ``core.models.find_unit``."""
import unicodedata

import pytest


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.mark.parametrize("text", [
    "Liên hiệp hội tỉnh Bắc Giang", "  liên hiệp HỘI tỉnh   bắc giang ", unicodedata.normalize("NFD", "Liên hiệp hội tỉnh Bắc Giang"),
    "BG", "bg", " Bg ",
])
def test_a_unit_is_found_by_its_name_or_code_however_written(ctx, units, text):
    from core.models import find_unit

    assert find_unit(text) == units["A"]


@pytest.mark.parametrize("text", ["Liên hiệp hội tỉnh Không Có", "", "   ", None, "B G"])
def test_an_unknown_unit_is_none(ctx, units, text):
    from core.models import find_unit

    assert find_unit(text) is None


def test_a_name_wins_over_another_units_code(ctx, units):
    from core.models import Unit, find_unit

    named_pt = Unit.create(name="PT", code="X1")
    assert find_unit("pt") == named_pt and find_unit("Liên hiệp hội tỉnh Phú Thọ") == units["B"]


def test_users_add_finds_the_unit_by_code_or_spacing(runner, app, units):
    from core.models import User

    for email, unit in (("a@phoihop.test", "pt"), ("b@phoihop.test", "liên hiệp hội tỉnh  phú thọ")):
        result = runner("users", "add", email, "--role", "editor", "--unit", unit, "--password-stdin",
                        input="mat-khau-rat-dai-123\n")
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert [u.unit.code for u in User.select().order_by(User.email)] == ["PT", "PT"]


def test_users_add_with_an_unknown_unit_exits_2(runner, units):
    result = runner("users", "add", "c@phoihop.test", "--role", "editor", "--unit", "Không Có", "--password-stdin",
                    input="mat-khau-rat-dai-123\n")
    assert result.exit_code == 2 and "Không có đơn vị 'Không Có'" in result.output
