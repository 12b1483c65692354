"""The contests section of the annual review: the spec's figures per edition and per
period, in SQL — its statements do not grow with the number of entries."""
import pytest

from core.reports import Period
from plugins.contests.reports import report_section
from tests.plugins.contests.test_results import build, counting


def entries_with(edition, rows):
    """Entries of ``edition`` from ``(field, round, national prize, sent, tier, money, nominating)``."""
    from core.models import Organisation
    from plugins.contests.models import ContestField, Entry, PrizeTier

    for n, (field, round_reached, national, sent, tier, money, nominating) in enumerate(rows):
        org = Organisation.get_or_create(unit=edition.unit, name=nominating, name_key=nominating.lower())[0]
        Entry.create(unit=edition.unit, edition=edition, title=f"GP {edition.id}-{n}",
                     field=ContestField.get(ContestField.name == field), round_reached=round_reached,
                     national_prize=national, sent_national=sent, nominating_unit=org,
                     final_tier=PrizeTier.get(PrizeTier.name == tier, PrizeTier.kind == edition.kind) if tier else None,
                     prize_money=money)


@pytest.fixture
def editions(ctx, bg):
    from plugins.contests.models import ContestKind, Edition, ensure_catalog

    ensure_catalog()
    tech = ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật")
    youth = ContestKind.get(ContestKind.name == "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng")
    first = Edition.create(unit=bg, kind=tech, name="Hội thi lần thứ 8 (2018-2019)", season_start=2018, season_end=2019)
    second = Edition.create(unit=bg, kind=tech, name="Hội thi lần thứ 9 (2020-2021)", season_start=2020, season_end=2021)
    third = Edition.create(unit=bg, kind=youth, name="Cuộc thi lần thứ 16 (2022-2023)", season_start=2022, season_end=2023)
    cntt, yd, hoc = "Công nghệ thông tin, điện tử, viễn thông", "Y dược", "Đồ dùng học tập"
    entries_with(first, [(cntt, None, None, False, "Nhất", 5_000_000, "Sở Y tế")])
    entries_with(second, [
        (cntt, "Chung khảo", "Giải Ba", True, "Nhất", 5_000_000, "Sở Y tế"),
        (cntt, "Chung khảo", "Giải Khuyến khích toàn quốc", True, "Nhì", 3_000_000, "Sở Công Thương"),
        (cntt, "Chung khảo", "Không đạt", True, None, None, "Sở Công Thương"),
        (yd, "Chung khảo", None, False, "Ba", 2_000_000, "Sở Y tế"),
        (yd, "Sơ khảo", None, False, None, None, "Sở Y tế"),
        (yd, "sơ  khảo", None, False, None, None, "UBND huyện Lục Ngạn"),
    ])
    entries_with(third, [
        (hoc, None, None, False, "Đặc biệt", 3_000_000, "Sở Giáo dục và Đào tạo"),
        (hoc, None, None, False, "Nhất", 2_000_000, "Sở Giáo dục và Đào tạo"),
    ])
    return first, second, third


def test_figures_per_edition_and_for_the_period(editions, bg):
    data = report_section(Period(2020, 2023), [bg]).as_json()
    assert {k: data[k] for k in ("editions", "entries", "entries_per_edition", "forwarded", "prizes",
                                 "prizes_per_edition", "sent_national", "national_prizes", "prize_money")} == {
        "editions": 2, "entries": 8, "entries_per_edition": 4.0, "forwarded": 6, "prizes": 5, "prizes_per_edition": 2.5,
        "sent_national": 3, "national_prizes": 2, "prize_money": 15_000_000}
    assert data["by_edition"]["Hội thi lần thứ 9 (2020-2021)"] == {
        "kind": "Hội thi Sáng tạo kỹ thuật", "entries": 6, "forwarded": 4, "prizes": 3, "sent_national": 3,
        "national_prizes": 2, "prize_money": 10_000_000}
    assert data["fields"]["Y dược"] == {"entries": 3, "forwarded": 1, "prizes": 1}
    assert list(data["tiers"]) == ["Đặc biệt", "Nhất", "Nhì", "Ba"]
    assert data["tiers"]["Nhất"] == {"prizes": 2, "money": 7_000_000}
    assert data["national"] == {"Giải Ba": {"entries": 1}, "Giải Khuyến khích toàn quốc": {"entries": 1}}
    assert data["nominating_units"][0] == {"name": "Sở Y tế", "entries": 3, "prizes": 2}


def test_an_edition_counts_in_the_period_its_season_ends_in(editions, bg):
    assert report_section(Period(2019, 2019), [bg]).as_json()["editions"] == 1
    assert report_section(Period(2024, 2025), [bg]) is None


def test_archived_entries_do_not_count(editions, bg):
    from plugins.contests.models import Entry

    Entry.update(archived=True).where(Entry.title == "GP 2-0").execute()
    data = report_section(Period(2020, 2021), [bg]).as_json()
    assert data["entries"] == 5 and data["national_prizes"] == 1


def test_the_report_runs_the_same_statements_for_ten_or_a_hundred_entries(ctx, bg):
    small = build(bg, 2)
    with counting() as few:
        report_section(Period(2023, 2023), [bg])
    from plugins.contests.models import Edition

    Edition.delete().where(Edition.id == small.id).execute()
    build(bg, 50, field_names=("Y dược", "Giáo dục và Đào tạo"))
    with counting() as many:
        report_section(Period(2023, 2023), [bg])
    assert len(few) == len(many)


def test_report_command_has_the_section(editions, bg, cli):
    import json

    data = json.loads(cli("report", "--from", "2020", "--to", "2023", "--format", "json").output)
    assert data["sections"]["contests"]["prizes"] == 5
    text = cli("report", "--from", "2020", "--to", "2023").output
    assert "HỘI THI, CUỘC THI SÁNG TẠO VÀ GIẢI THƯỞNG KHOA HỌC, CÔNG NGHỆ" in text
