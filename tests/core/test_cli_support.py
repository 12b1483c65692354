"""What the commands share (core/cli_support.py): finding the unit a command is about."""
import pytest

from core.cli_support import find_unit_or_fail
from core.errors import ConfigError


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_a_unit_is_found_by_its_name_or_its_code(ctx, units):
    assert find_unit_or_fail("liên hiệp hội tỉnh  PHÚ THỌ").id == find_unit_or_fail("PT").id == units["B"].id


def test_an_unknown_unit_fails_saying_how_to_add_it(ctx, units):
    with pytest.raises(ConfigError, match="Không có đơn vị 'Hà Giang'. Thêm bằng: phoihop units add 'Hà Giang'"):
        find_unit_or_fail("Hà Giang")


def test_the_only_unit_is_taken_when_none_is_named(ctx):
    from core.models import Unit

    only = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
    assert find_unit_or_fail(None).id == only.id


def test_no_unit_named_among_several_fails_listing_them(ctx, units):
    with pytest.raises(ConfigError, match=r"Có 2 đơn vị: ghi rõ --unit \(Liên hiệp hội tỉnh Bắc Giang, Liên hiệp"):
        find_unit_or_fail("")


def test_no_unit_at_all_fails_saying_how_to_add_one(ctx):
    with pytest.raises(ConfigError, match="Chưa có đơn vị nào: phoihop units add TÊN"):
        find_unit_or_fail(None)
