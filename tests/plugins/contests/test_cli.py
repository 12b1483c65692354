"""``phoihop contests editions add|set|list`` and ``phoihop contests sync``."""
import json

import pytest

from tests.plugins.conftest import json_of
from tests.plugins.contests.conftest import UNIT

TECH = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 9 (2020-2021)"


@pytest.fixture
def unit(cli):
    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0


def listed(cli, *args):
    return json_of(cli("contests", "editions", "list", "--json", *args))


def test_add_with_quotas_minimums_money_and_limits(cli, unit):
    answer = cli("contests", "editions", "add", TECH, "--kind", "hội thi  SÁNG TẠO kỹ thuật", "--quota", "Nhất=1",
                 "--quota", "Giải Nhì=2", "--quota", "KK=5", "--min-score", "Nhất=85", "--min-score", "Ba=60,5",
                 "--money", "Nhất=10 triệu", "--money", "Nhì=2,5 lương cơ sở", "--quota-scope", "edition",
                 "--min-valid-scores", "4", "--spread-limit", "15", "--scoring", "zscore")
    assert answer.exit_code == 0, answer.output
    assert answer.output.startswith(f"#1 {TECH} — Hội thi Sáng tạo kỹ thuật, {UNIT}; số giải (toàn cuộc thi): "
                                    "Nhất 1, Nhì 2, Khuyến khích 5;")
    [edition] = listed(cli)
    assert {k: edition[k] for k in ("name", "kind", "unit", "number", "season", "quota_scope", "min_valid_scores",
                                    "spread_limit", "scoring", "rounds")} == {
        "name": TECH, "kind": "Hội thi Sáng tạo kỹ thuật", "unit": UNIT, "number": 9, "season": "2020-2021",
        "quota_scope": "edition", "min_valid_scores": 4, "spread_limit": 15.0, "scoring": "zscore",
        "rounds": ["Sơ khảo", "Chung khảo"]}
    assert edition["tiers"] == [
        {"tier": "Nhất", "quota": 1, "min_score": 85.0, "money": 10_000_000, "money_multiple": None},
        {"tier": "Nhì", "quota": 2, "min_score": None, "money": None, "money_multiple": 2.5},
        {"tier": "Ba", "quota": None, "min_score": 60.5, "money": None, "money_multiple": None},
        {"tier": "Khuyến khích", "quota": 5, "min_score": None, "money": None, "money_multiple": None},
    ]
    assert (edition["entries"], edition["judges"], edition["scores"]) == (0, 0, 0)


def test_defaults_are_three_scores_and_twenty_points(cli, unit):
    assert cli("contests", "editions", "add", "Cuộc thi 2023", "--kind", "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng",
               "--season", "2023").exit_code == 0
    [edition] = listed(cli)
    assert (edition["min_valid_scores"], edition["spread_limit"], edition["quota_scope"], edition["scoring"],
            edition["season"]) == (3, 20.0, "field", "mean", "2023")
    assert [t["tier"] for t in edition["tiers"]] == ["Đặc biệt", "Nhất", "Nhì", "Ba", "Khuyến khích"]


@pytest.mark.parametrize("args, message", [
    (["--kind", "Hội thi nấu ăn"], 'Lỗi: Loại cuộc thi "Hội thi nấu ăn" không có; các loại: Hội thi Sáng tạo kỹ thuật; '
                                   "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng; Giải thưởng Khoa học và Công nghệ tỉnh"),
    (["--kind", "Hội thi Sáng tạo kỹ thuật", "--quota", "Đặc biệt=1"],
     'Lỗi: Hạng giải "Đặc biệt" không có trong Hội thi Sáng tạo kỹ thuật; các hạng giải: Nhất, Nhì, Ba, Khuyến khích'),
    (["--kind", "Hội thi Sáng tạo kỹ thuật", "--quota", "Nhất"], 'Lỗi: --quota \'Nhất\': cần dạng HẠNG=GIÁ TRỊ, ví dụ --quota "Nhất=1"'),
    (["--kind", "Hội thi Sáng tạo kỹ thuật", "--quota", "Nhất=1,5"], "Lỗi: --quota '1,5': cần số nguyên không âm"),
    (["--kind", "Hội thi Sáng tạo kỹ thuật", "--min-score", "Nhất=cao"], "Lỗi: --min-score 'cao': không phải số"),
    (["--kind", "Hội thi Sáng tạo kỹ thuật", "--season", "2021-2020"], "Lỗi: --season '2021-2020': có năm kết thúc trước năm bắt đầu"),
])
def test_a_bad_kind_tier_or_value_is_exit_2_with_one_line(cli, unit, args, message):
    answer = cli("contests", "editions", "add", "X", *args)
    assert answer.exit_code == 2
    assert answer.output.strip() == message and "Traceback" not in answer.output
    assert listed(cli) == []


def test_an_edition_twice_or_an_unknown_unit(cli, unit):
    assert cli("contests", "editions", "add", TECH, "--kind", "Hội thi Sáng tạo kỹ thuật").exit_code == 0
    again = cli("contests", "editions", "add", TECH.upper(), "--kind", "Hội thi Sáng tạo kỹ thuật")
    assert again.exit_code == 2 and "đã có" in again.output
    assert cli("units", "add", "Liên hiệp hội tỉnh Phú Thọ", "--code", "PT").exit_code == 0
    ambiguous = cli("contests", "editions", "add", "Y", "--kind", "Hội thi Sáng tạo kỹ thuật")
    assert ambiguous.exit_code == 2 and "ghi rõ --unit" in ambiguous.output
    assert cli("contests", "editions", "add", TECH, "--kind", "Hội thi Sáng tạo kỹ thuật", "--unit", "PT").exit_code == 0
    assert [e["unit"] for e in listed(cli)] == [UNIT, "Liên hiệp hội tỉnh Phú Thọ"]
    assert [e["unit"] for e in listed(cli, "--unit", "pt")] == ["Liên hiệp hội tỉnh Phú Thọ"]
    assert cli("contests", "editions", "list", "--unit", "Nowhere").exit_code == 2


def test_set_changes_quotas_later(cli, unit):
    assert cli("contests", "editions", "add", TECH, "--kind", "Hội thi Sáng tạo kỹ thuật", "--quota", "Nhất=1").exit_code == 0
    answer = cli("contests", "editions", "set", TECH, "--quota", "Nhất=2", "--min-score", "Nhì=70", "--spread-limit", "25")
    assert answer.exit_code == 0, answer.output
    [edition] = listed(cli)
    assert edition["tiers"][0]["quota"] == 2 and edition["tiers"][1]["min_score"] == 70.0
    assert edition["spread_limit"] == 25.0
    missing = cli("contests", "editions", "set", "Không có", "--quota", "Nhất=1")
    assert missing.exit_code == 2 and TECH in missing.output


def test_standing_body_board_and_decision(ctx, cli, unit):
    from plugins.contests.models import EditionBoardMember

    answer = cli("contests", "editions", "add", TECH, "--kind", "Hội thi Sáng tạo kỹ thuật",
                 "--standing-body", "Liên hiệp các hội KH&KT tỉnh", "--board", "Sở Khoa học và Công nghệ; Tỉnh đoàn",
                 "--decision-number", "125/QĐ-LHH", "--decision-date", "20/10/2021")
    assert answer.exit_code == 0, answer.output
    [edition] = listed(cli)
    assert (edition["standing_body"], edition["board"], edition["decision_number"], edition["decision_date"]) == (
        "Liên hiệp các hội KH&KT tỉnh", ["Sở Khoa học và Công nghệ", "Tỉnh đoàn"], "125/QĐ-LHH", "2021-10-20")
    board = [m.organisation.name for m in EditionBoardMember.select().order_by(EditionBoardMember.position)]
    assert board == ["Sở Khoa học và Công nghệ", "Tỉnh đoàn"]
    bad = cli("contests", "editions", "set", TECH, "--decision-date", "31/02/2021")
    assert bad.exit_code == 2 and "không phải ngày hợp lệ" in bad.output


def test_an_award_edition_takes_its_own_fields(ctx, cli, unit):
    from plugins.contests.index import Catalog

    answer = cli("contests", "editions", "add", "Giải thưởng Hoa Lư lần thứ 3 (2021-2025)", "--kind",
                 "Giải thưởng Khoa học và Công nghệ tỉnh", "--field", "Khoa học tự nhiên", "--field", "Khoa học kỹ thuật",
                 "--quota", "A=1")
    assert answer.exit_code == 0, answer.output
    catalog = Catalog.load()
    [edition] = catalog.editions.values()
    assert catalog.field_names(edition) == ["Khoa học tự nhiên", "Khoa học kỹ thuật"]


def test_list_in_text(cli, unit):
    assert cli("contests", "editions", "list").output.startswith("Chưa có cuộc thi nào")
    cli("contests", "editions", "add", TECH, "--kind", "Hội thi Sáng tạo kỹ thuật")
    assert "chưa có chỉ tiêu giải; tối thiểu 3 phiếu, chênh lệch tối đa 20 điểm" in cli("contests", "editions", "list").output


def test_contests_sync_without_links_is_exit_2(cli, unit):
    answer = cli("contests", "sync")
    assert answer.exit_code == 2 and "Chưa liên kết" in answer.output


def test_plugins_json_lists_the_contests_bindings(cli):
    plugins = {p["name"]: p for p in json.loads(cli("plugins", "--json").output)}
    found = plugins["plugins.contests"]
    assert found["status"] == "loaded"
    assert found["bindings"] == ["contests.entries", "contests.judges", "contests.scores"]
    assert "contests_entry" in found["models"] and "contests_score" in found["models"]
