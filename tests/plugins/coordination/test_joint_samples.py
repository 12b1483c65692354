"""Rule 2 end to end: the Bắc Giang samples of the other areas (training, critique,
contests) and the coordination register synced with the real engine through the command
line; each partner's joint activities, latest date, activities in the last 12 months
and flag as of 31/12/2023 are what samples/README.md documents ("Joint activities per
partner…"), counted through the core's hook — on SQLite and PostgreSQL."""
import datetime as dt
import json

import pytest
from click.testing import CliRunner

from tests.plugins.coordination.conftest import SHEET, UNIT, cells, sample_copy

D = dt.date
TECHNICAL = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 9 (2020-2021)"
YOUTH = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng tỉnh Bắc Giang lần thứ 16 (2022-2023)"
LINKS = (  # (workbook, binding, worksheet)
    ("tap-huan-hoi-thao.xlsx", "training.activities", "Hoạt động 2020-2022"),
    ("tu-van-phan-bien.xlsx", "critique.experts", "Chuyên gia"),
    ("tu-van-phan-bien.xlsx", "critique.requests", "Nhiệm vụ TVPB 2023"),
    ("hoi-thi-sang-tao-ky-thuat.xlsx", "contests.entries", "Giải pháp dự thi"),
    ("cuoc-thi-sang-tao-thanh-thieu-nien.xlsx", "contests.entries", "Bài dự thi"),
    ("quy-che-phoi-hop.xlsx", "coordination.agreements", SHEET),
)
# README: partner → (records, latest, in the last 12 months)
PARTNERS = {
    "Sở Khoa học và Công nghệ": (7, D(2023, 6, 19), 1),
    "Sở Giáo dục và Đào tạo": (24, D(2023, 7, 3), 16),
    "Tỉnh đoàn": (5, D(2021, 10, 20), 0),
    "Sở Nông nghiệp và Phát triển nông thôn": (13, D(2023, 9, 13), 2),
    "Sở Y tế": (10, D(2022, 10, 3), 0),
    "Sở Kế hoạch và Đầu tư": (2, D(2023, 1, 9), 1),
    "Sở Xây dựng": (2, D(2023, 2, 20), 1),
    "Hội Nông dân tỉnh": (6, D(2022, 10, 26), 0),
    "Ủy ban MTTQ Việt Nam tỉnh": (0, None, 0),
    "Liên đoàn Lao động tỉnh": (4, D(2022, 3, 28), 0),
    "Liên minh Hợp tác xã tỉnh": (2, D(2022, 5, 19), 0),
    "Báo Bắc Giang": (2, D(2022, 12, 6), 0),
    "Đài Phát thanh và Truyền hình tỉnh": (1, D(2022, 12, 5), 0),
    "Hội Luật gia tỉnh": (0, None, 0),
    "Trường Đại học Nông - Lâm Bắc Giang": (3, D(2022, 7, 25), 0),
    "UBND huyện Lục Ngạn": (7, D(2023, 12, 11), 2),
}
NO_ACTIVITY = "chưa có hoạt động phối hợp"


@pytest.fixture
def synced(pm, db_url, tmp_path, today):
    """Every workbook linked to the samples' unit, the two contest editions set up, all synced."""
    from cli import build_cli

    def cli(*args):
        answer = CliRunner().invoke(build_cli(pm), ["--db", db_url, *args])
        assert answer.exit_code in (0, 1), answer.output
        return answer

    cli("init")
    cli("units", "add", UNIT, "--code", "BG")
    cli("contests", "editions", "add", TECHNICAL, "--kind", "Hội thi Sáng tạo kỹ thuật")
    cli("contests", "editions", "add", YOUTH, "--kind", "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng")
    books = {}
    for book, name, worksheet in LINKS:
        path = books.setdefault(book, sample_copy(tmp_path, book))
        assert cli("sheets", "link", name, str(path), "--worksheet", worksheet, "--unit", "BG").exit_code == 0
    for name in ("training.activities", "critique.experts", "critique.requests", "contests.entries",
                 "coordination.agreements"):
        results = json.loads(cli("sync", name, "--json").output)["bindings"]
        assert all(result["outcome"] in ("ok", "errors") for result in results), results
    return books


@pytest.fixture
def found(app, synced):
    from plugins.coordination.reports import overview

    with app.app_context():
        from core.models import Unit

        return {p.name: p for p in overview([u.id for u in Unit.select()], None, None, D(2023, 12, 31)).partners}


def test_each_partners_joint_activities_over_every_area_are_the_readmes(found):
    assert {name: found[name].total for name in PARTNERS} == {name: n for name, (n, _l, _r) in PARTNERS.items()}


def test_each_partners_latest_joint_activity_is_the_readmes(found):
    assert {name: found[name].latest for name in PARTNERS} == {name: l for name, (_n, l, _r) in PARTNERS.items()}


def test_each_partners_joint_activities_in_the_last_12_months_are_the_readmes(found):
    assert {name: found[name].recent for name in PARTNERS} == {name: r for name, (_n, _l, r) in PARTNERS.items()}


def test_a_partner_without_joint_activity_in_12_months_is_flagged(found):
    flagged = {name for name in PARTNERS if NO_ACTIVITY in found[name].flags}
    assert flagged == {name for name, (_n, _l, recent) in PARTNERS.items() if recent == 0}


def test_the_register_names_the_idle_partner_of_a_two_partner_programme(synced):
    written = cells(synced["quy-che-phoi-hop.xlsx"], "Cảnh báo", 4)
    assert written[2] == f"{NO_ACTIVITY}: Tỉnh đoàn"
    assert written[1] == "chưa sơ kết" and written[18] is None
