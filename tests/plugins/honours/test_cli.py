"""``phoihop honours rounds add|list|close|reopen``."""
import datetime as dt
import json

import pytest

from tests.plugins.honours.conftest import UNIT


@pytest.fixture
def unit(cli):
    assert cli("units", "add", UNIT, "--code", "PT").exit_code == 0


def rounds(cli):
    answer = cli("honours", "rounds", "list", "--json")
    assert answer.exit_code == 0, answer.output
    return json.loads(answer.output)


def test_add_sets_a_round_up_and_list_shows_it(cli, unit):
    answer = cli("honours", "rounds", "add", "2024", "--ceremony", "17/05/2024", "--council-size", "13",
                 "--deadline", "15/03/2024", "--money", "Tân Tiến sĩ=2 triệu", "--money", "Tân GS=5.000.000",
                 "--budget", "150 triệu")
    assert answer.exit_code == 0, answer.output
    assert answer.output.startswith("Đã tạo Đợt tôn vinh năm 2024 (Liên hiệp hội tỉnh Phú Thọ): lễ tôn vinh 17/05/2024")
    assert "hạn đề cử 15/03/2024" in answer.output and "trên 6,5 phiếu" in answer.output
    [made] = rounds(cli)
    assert {k: made[k] for k in ("year", "ceremony", "deadline", "council_size", "threshold", "closed")} == {
        "year": 2024, "ceremony": "2024-05-17", "deadline": "2024-03-15", "council_size": 13, "threshold": 6.5,
        "closed": False}
    assert made["money"] == {"Tân Giáo sư": 5_000_000, "Tân Tiến sĩ": 2_000_000}


def test_add_adjusts_a_round_a_sheet_made_and_is_audited(ctx, cli, unit):
    from core.models import AuditLog, Unit
    from plugins.honours.models import Round
    from plugins.honours.rounds import new_round

    made = new_round(Unit.get().id, 2023, actor="sync:honours.nominations", channel="sync")
    assert made.ceremony_date == dt.date(2023, 5, 18) and made.council_size is None
    answer = cli("honours", "rounds", "add", "2023", "--council-size", "11", "--present", "9", "--threshold", "60")
    assert answer.exit_code == 0 and answer.output.startswith("Đã cập nhật Đợt tôn vinh năm 2023")
    assert "quá 60 % của 9 thành viên có mặt (trên 5,4 phiếu)" in answer.output
    adjusted = Round.get_by_id(made.id)
    assert (adjusted.council_size, adjusted.members_present, adjusted.ceremony_date) == (11, 9, dt.date(2023, 5, 18))
    assert AuditLog.select().where(AuditLog.model == "honours_round", AuditLog.action == "update",
                                   AuditLog.channel == "cli").count() == 1


def test_close_and_reopen(cli, unit):
    assert cli("honours", "rounds", "add", "2022").exit_code == 0
    answer = cli("honours", "rounds", "close", "2022")
    assert answer.exit_code == 0 and "đã khóa" in answer.output and rounds(cli)[0]["closed"] is True
    again = cli("honours", "rounds", "close", "2022")
    assert again.exit_code == 2 and "đã khóa từ trước" in again.output
    assert cli("honours", "rounds", "reopen", "2022").exit_code == 0 and rounds(cli)[0]["closed"] is False


@pytest.mark.parametrize("args,message", [
    (("--ceremony", "31/02/2024"), '--ceremony "31/02/2024" không phải ngày hợp lệ'),
    (("--money", "Nhà giáo ưu tú=2 triệu"), '"Nhà giáo ưu tú" không phải hình thức tôn vinh đã cấu hình'),
    (("--money", "Tân Tiến sĩ=hai triệu"), 'Số tiền "hai triệu" không phải số tiền hợp lệ'),
    (("--council-size", "9", "--present", "10"), "10 thành viên có mặt nhiều hơn hội đồng (9 thành viên)"),
    (("--threshold", "120"), "--threshold: tỉ lệ phải lớn hơn 0 và nhỏ hơn 100 (%)"),
    (("--unit", "Không có"), "Không có đơn vị 'Không có'"),
])
def test_a_bad_option_is_exit_2_with_one_line_and_changes_nothing(cli, unit, args, message):
    answer = cli("honours", "rounds", "add", "2024", *args)
    assert answer.exit_code == 2 and message in answer.output and len(answer.output.strip().splitlines()) == 1
    assert rounds(cli) == []


def test_several_units_need_unit(cli, unit):
    assert cli("units", "add", "Liên hiệp hội tỉnh Bắc Giang", "--code", "BG").exit_code == 0
    answer = cli("honours", "rounds", "add", "2024")
    assert answer.exit_code == 2 and "ghi rõ --unit" in answer.output
    assert cli("honours", "rounds", "add", "2024", "--unit", "BG").exit_code == 0
    assert cli("honours", "rounds", "close", "2023", "--unit", "BG").exit_code == 2


def test_a_council_size_given_later_decides_the_recorded_votes(ctx, cli, unit):
    from core.models import Unit
    from plugins.honours import rules
    from plugins.honours.models import Category, Nomination, Round
    from plugins.honours.results import refresh

    assert cli("honours", "rounds", "add", "2024").exit_code == 0
    item = Round.get()
    Category.ensure_defaults()
    made = Nomination.create(unit=Unit.get(), round=item, year=2024, full_name="Lê Văn An", name_key="lê văn an",
                             category=Category.get(Category.name == "Trí thức KH&CN tiêu biểu"), achievements="- Một",
                             votes_for=6)
    refresh([made.id])
    assert Nomination.get_by_id(made.id).result is None  # the council's size is not known yet
    assert cli("honours", "rounds", "add", "2024", "--council-size", "11").exit_code == 0
    assert Nomination.get_by_id(made.id).result == rules.SELECTED
    assert cli("honours", "rounds", "add", "2024", "--council-size", "12").exit_code == 0
    assert Nomination.get_by_id(made.id).result == rules.NOT_SELECTED  # 6 is not more than half of 12
