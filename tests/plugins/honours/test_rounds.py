"""Today as the rules see it (plugins/honours/rounds.py): the ``PHOIHOP_TODAY`` setting
when it is set, so that a review of a past year gives the same outcomes whenever it runs."""
import datetime as dt

from tests.plugins.conftest import link, run_sync
from tests.plugins.honours.conftest import nominations_sheet

TS = "Bảo vệ thành công luận án tiến sĩ ngày 24/05/2022"


def row(stt, name, born=1985, votes=None):
    return [stt, 2023, name, born, "Nam", "", "TS", "Giảng viên", "Trường Đại học Hùng Vương", "Y dược", "Sở Y tế",
            "Tân Tiến sĩ", TS, votes]


def sync_book(ctx, unit, path, rows):
    nominations_sheet(path, rows, extra=("Số phiếu đồng ý",))
    return run_sync(ctx, link("honours.nominations", path, "Đề cử", unit))


def test_the_app_reads_phoihop_today(ctx, today):
    from plugins.honours.rounds import today as today_of_rules

    assert ctx.config["TODAY"] == today and today_of_rules() == dt.date(2023, 12, 31)


def test_outside_an_app_the_environment_gives_today(monkeypatch):
    from plugins.honours.rounds import today

    monkeypatch.setenv("PHOIHOP_TODAY", "2021-06-30")
    assert today() == dt.date(2021, 6, 30)


def test_without_the_setting_today_is_the_calendar_day(monkeypatch):
    from plugins.honours.rounds import today

    monkeypatch.delenv("PHOIHOP_TODAY")
    assert today() == dt.date.today()


def test_a_year_of_birth_is_judged_as_of_the_setting(ctx, pt, tmp_path):
    """Born 2025: in the future on 31/12/2023; a plausible nominee on 01/01/2045."""
    result = sync_book(ctx, pt, tmp_path / "de-cu.xlsx", [row(1, "Lê Văn An", born=2025)])
    assert [(e["row"], e["message"]) for e in result.errors] == [(3, 'Năm sinh "2025" ở tương lai')]
    ctx.config["TODAY"] = "2045-01-01"
    result = sync_book(ctx, pt, tmp_path / "de-cu-2045.xlsx", [row(1, "Lê Văn An", born=2025)])
    assert result.errors == [] and result.created == 1


def test_a_rounds_sheet_decisions_are_imported_once_its_ceremony_is_past_as_of_the_setting(ctx, cli, pt, tmp_path):
    """One 2023 sheet with votes, for two provinces: synced before the ceremony
    (01/03/2023), the votes are the council page's and the round stays open; reviewed on
    31/12/2023, it is a past round, imported with its decisions and closed."""
    from core.models import Unit
    from plugins.honours import rules
    from plugins.honours.models import Nomination, Round

    other = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
    for code in ("PT", "BG"):
        assert cli("honours", "rounds", "add", "2023", "--unit", code, "--council-size", "11").exit_code == 0
    ctx.config["TODAY"] = "2023-03-01"
    sync_book(ctx, pt, tmp_path / "before.xlsx", [row(1, "Lê Văn An", votes=9)])
    ctx.config["TODAY"] = "2023-12-31"
    sync_book(ctx, other, tmp_path / "after.xlsx", [row(1, "Lê Văn An", votes=9)])
    decided = {n.unit_id: (n.votes_for, n.result, n.round.closed) for n in Nomination.select()}
    assert decided == {pt.id: (None, None, False), other.id: (9, rules.SELECTED, True)}
    assert Round.select().count() == 2
