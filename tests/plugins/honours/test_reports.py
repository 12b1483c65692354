"""The honours section of the review: per round and cumulative, persons and times honoured
(lượt) side by side, per category, nominating organisation, field and gender."""
import json

import pytest

from tests.plugins.conftest import json_of, link, make_workbook, run_sync

HEADERS = ["STT", "Năm", "Họ và tên", "Năm sinh", "Giới tính", "Học vị", "Lĩnh vực", "Đơn vị đề cử",
           "Hình thức tôn vinh", "Thành tích", "Số phiếu đồng ý", "Kết quả"]
OUTSTANDING, DOCTOR, SPECIALIST = "Trí thức KH&CN tiêu biểu", "Tân Tiến sĩ", "Bác sĩ chuyên khoa II"
SELECTED, NOT_SELECTED = "Được tôn vinh", "Không được tôn vinh"
ROWS = [  # three rounds: 2021 and 2022 decided (imported), 2023 voted in the admin below
    [1, 2021, "An", 1970, "Nữ", "TS", "Nông nghiệp", "Sở Nông nghiệp", OUTSTANDING, "- Giống chè", 12, SELECTED],
    [2, 2021, "Bình", 1985, "Nam", "TS", "Giáo dục", "Sở Giáo dục", DOCTOR, "bảo vệ ngày 01/06/2020", 11, SELECTED],
    [3, 2021, "Cường", 1980, "Nam", "BSCKII", "Y dược", "Sở Y tế", SPECIALIST, "năm 2020", 4, NOT_SELECTED],
    [4, 2022, "An", 1970, "Nữ", "TS", "Nông nghiệp", "Sở Nông nghiệp", OUTSTANDING, "- Giống lúa", 10, SELECTED],
    [5, 2022, "Dung", 1990, "Nữ", "TS", "Kỹ thuật", "Sở Công Thương", DOCTOR, "bảo vệ ngày 02/02/2021", 9, SELECTED],
    [6, 2023, "An", 1970, "Nữ", "TS", "Nông nghiệp", "Sở Nông nghiệp", OUTSTANDING, "- Giống bưởi", None, None],
    [7, 2023, "Em", 1988, "Nữ", "TS", "Y dược", "Sở Y tế", DOCTOR, "bảo vệ ngày 03/03/2022", None, None],
    [8, 2023, "Em", 1988, "Nữ", "TS", "Y dược", "Hội Y học tỉnh", DOCTOR, "bảo vệ ngày 03/03/2022", None, None],
    [9, 2023, "Bình", 1985, "Nam", "TS", "Giáo dục", "Sở Giáo dục", DOCTOR, "bảo vệ ngày 04/04/2022", None, None],
]


@pytest.fixture
def three_rounds(ctx, cli, pt, tmp_path):
    from plugins.honours.models import Nomination, Round
    from plugins.honours.pages import council_rows, record_votes

    for year in (2021, 2022, 2023):
        assert cli("honours", "rounds", "add", str(year), "--unit", "PT", "--council-size", "13").exit_code == 0
    book = make_workbook(tmp_path / "ton-vinh.xlsx", {"Tôn vinh": [["DANH SÁCH"], HEADERS, *ROWS]})
    result = run_sync(ctx, link("honours.nominations", book, "Tôn vinh", pt))
    assert result.errors == [] and result.created == 9
    current = Round.get(Round.year == 2023)
    rows = council_rows(current)
    votes = {n.id: ({"An": 10, "Em": 9, "Bình": 11}[n.full_name], 2) for n in rows}
    record_votes(current, rows, votes, None, "admin@phoihop.test")
    assert Nomination.get(Nomination.number == "9").first_honoured == 2021  # Bình: a new doctor again
    return pt


def section(cli, start="2021", end="2023"):
    return json_of(cli("report", "--from", start, "--to", end, "--format", "json"))["sections"]["honours"]


def test_rounds_count_nominations_persons_eligible_honoured_and_times(cli, three_rounds):
    report = section(cli)
    assert set(report["rounds"]) == {"2021", "2022", "2023"}
    counts = {year: {k: v for k, v in values.items() if not k.startswith("by_")}
              for year, values in report["rounds"].items()}
    assert counts == {
        "2021": {"nominations": 3, "persons": 3, "eligible": 3, "honoured": 2, "times_honoured": 2},
        "2022": {"nominations": 2, "persons": 2, "eligible": 2, "honoured": 2, "times_honoured": 2},
        "2023": {"nominations": 3, "persons": 3, "eligible": 2, "honoured": 2, "times_honoured": 2},
    }
    assert report["rounds"]["2023"]["by_category"] == {
        DOCTOR: {"nominations": 2, "eligible": 1, "honoured": 1},
        OUTSTANDING: {"nominations": 1, "eligible": 1, "honoured": 1}}


def test_cumulative_persons_and_times_honoured_side_by_side(cli, three_rounds):
    cumulative = section(cli)["cumulative"]
    assert {k: cumulative[k] for k in ("persons", "honoured", "times_honoured")} == {
        "persons": 5, "honoured": 4, "times_honoured": 6}
    assert cumulative["by_category"][OUTSTANDING] == {"nominations": 3, "eligible": 3, "honoured": 3}
    assert sum(c["honoured"] for c in cumulative["by_category"].values()) == cumulative["times_honoured"]
    # a later period still counts since the first round, its rounds only in "rounds"
    later = section(cli, "2023", "2023")
    assert set(later["rounds"]) == {"2023"} and later["cumulative"] == cumulative


def test_per_organisation_field_and_gender(cli, three_rounds):
    report = section(cli, "2023", "2023")
    assert report["by_organisation"] == {
        "Sở Giáo dục": {"nominations": 1, "honoured": 0}, "Sở Nông nghiệp": {"nominations": 1, "honoured": 1},
        "Sở Y tế": {"nominations": 1, "honoured": 1}, "Hội Y học tỉnh": {"nominations": 1, "honoured": 1}}
    assert report["by_field"] == {"Giáo dục": {"nominations": 1, "honoured": 0},
                                  "Nông nghiệp": {"nominations": 1, "honoured": 1},
                                  "Y dược": {"nominations": 1, "honoured": 1}}
    assert report["by_gender"] == {"Nam": {"nominations": 1, "honoured": 0}, "Nữ": {"nominations": 2, "honoured": 2}}


def test_organisations_fields_and_genders_per_round_and_since_the_first(cli, three_rounds):
    report = section(cli, "2022", "2023")
    assert report["rounds"]["2022"]["by_organisation"] == {"Sở Công Thương": {"nominations": 1, "honoured": 1},
                                                           "Sở Nông nghiệp": {"nominations": 1, "honoured": 1}}
    assert report["rounds"]["2023"]["by_gender"] == {"Nam": {"nominations": 1, "honoured": 0},
                                                     "Nữ": {"nominations": 2, "honoured": 2}}
    cumulative = report["cumulative"]  # 2021 too, before the period
    assert cumulative["by_organisation"]["Sở Nông nghiệp"] == {"nominations": 3, "honoured": 3}
    assert cumulative["by_field"]["Y dược"] == {"nominations": 2, "honoured": 1}
    assert cumulative["by_gender"] == {"Nam": {"nominations": 3, "honoured": 1}, "Nữ": {"nominations": 5, "honoured": 5}}
    assert report["by_organisation"]["Sở Nông nghiệp"] == {"nominations": 2, "honoured": 2}  # the period's


def test_archived_nominations_do_not_count_and_no_round_is_no_section(ctx, cli, three_rounds):
    from plugins.honours.models import Nomination

    Nomination.update(archived=True).where(Nomination.full_name == "Cường").execute()
    assert section(cli)["rounds"]["2021"]["nominations"] == 2
    report = json_of(cli("report", "--from", "2019", "--to", "2020", "--format", "json"))
    assert "honours" not in report["sections"]


def test_the_text_report_explains_persons_against_times(cli, three_rounds):
    answer = cli("report", "--from", "2021", "--to", "2023")
    assert answer.exit_code == 0, answer.output
    text = answer.output
    assert "TẬP HỢP, TÔN VINH TRÍ THỨC KHOA HỌC VÀ CÔNG NGHỆ" in text
    assert "6 lượt tôn vinh của 4 người: 2 lượt là người được tôn vinh lại" in text
    assert "Theo đợt tôn vinh:" in text and "2023 — Tân Tiến sĩ" in text


def test_the_xlsx_report_has_the_sections_sheet(cli, three_rounds, tmp_path):
    import openpyxl

    out = tmp_path / "bao-cao.xlsx"
    assert cli("report", "--from", "2021", "--to", "2023", "--format", "xlsx", "--out", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert "Tôn vinh trí thức" in book.sheetnames


def test_the_readme_documents_the_json(cli, three_rounds):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r'```json\n(\{\n  "honours".*?)```', readme, flags=re.S).group(1))["honours"]
    report = section(cli)
    assert set(example) == set(report)
    shown, real = next(iter(example["rounds"].values())), report["rounds"]["2023"]
    assert set(shown) == set(real) and set(next(iter(shown["by_category"].values()))) == {"nominations", "eligible", "honoured"}
    assert set(example["cumulative"]) == set(report["cumulative"])
