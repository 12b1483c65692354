"""``phoihop report``: text, JSON and xlsx outputs, and its usage errors (exit 2)."""
import datetime as dt
import json
import re

import pytest
from openpyxl import load_workbook


@pytest.fixture
def activities(units, make_activity):
    """Bắc Giang: two workshops in 2021 and a training in 2022; Phú Thọ: nothing."""
    make_activity(units["A"], start_date=dt.date(2021, 4, 16), participants=67, state_budget=60_000_000,
                  partners=["Sở Khoa học và Công nghệ"], speakers=["ThS. Lê Thanh Tuấn"])
    make_activity(units["A"], start_date=dt.date(2021, 9, 1), participants=33, state_budget=45_000_000,
                  other_budget=5_000_000, partners=["Sở Khoa học và Công nghệ"])
    make_activity(units["A"], kind="Tập huấn kỹ thuật", start_date=dt.date(2022, 3, 2), participants=40,
                  state_budget=21_500_000)


def test_text_output(report_cli, activities):
    result = report_cli("--from", "2021", "--to", "2022")
    assert result.exit_code == 0, result.output
    assert "2021–2022 (2 năm, 2 đơn vị)" in result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Hội thảo khoa học "))
    cells = re.split(r"\s{2,}", line)
    # 2 workshops over 2 units × 2 years → 0,50; 110 million đồng, state share 95,45 %
    assert cells[1:4] == ["2", "0,50", "100"] and cells[5] == "110" and cells[8] == "95,45"


def test_json_output(report_cli, activities):
    result = report_cli("--from", "2021", "--to", "2022", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == {"from": 2021, "to": 2022, "years": 2} and data["units"] == 2
    workshop = data["sections"]["training"]["kinds"]["Hội thảo khoa học"]
    assert (workshop["count"], workshop["per_unit_per_year"], workshop["participants"]) == (2, 0.5, 100)
    assert workshop["budget"] == {"total": 110_000_000, "state": 105_000_000, "other": 5_000_000,
                                  "state_share": 95.45, "per_year": 55_000_000, "per_unit_per_year": 27_500_000}
    assert data["sections"]["training"]["partners"] == [{"name": "Sở Khoa học và Công nghệ", "activities": 2}]


def test_xlsx_output_has_a_sheet_per_section_in_vietnamese_format(report_cli, activities, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    result = report_cli("--from", "2021", "--to", "2022", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames[0] == "Tổng hợp" and "Tập huấn, hội thảo" in book.sheetnames  # (other areas may report)
    rows = list(book["Tập huấn, hội thảo"].iter_rows(values_only=True))
    workshop = next(r for r in rows if r[0] == "Hội thảo khoa học")
    assert workshop[1:3] == ("2", "0,50") and workshop[8] == "95,45"
    assert ("1", "Sở Khoa học và Công nghệ", "2") in [r[:3] for r in rows]  # the ranked partners
    # the chart hints: the charted figures as numbers, and a chart of each
    charted = [r[:2] for r in rows if r[0] == "Hội thảo khoa học" and isinstance(r[1], (int, float))]
    # activities per kind, the budget by source (state budget 105 of 110), the budget's share
    assert charted == [("Hội thảo khoa học", 2), ("Hội thảo khoa học", 105), ("Hội thảo khoa học", 110)]
    # activities per year by kind, per kind, budgets by source; the budget's share per kind
    assert [type(c).__name__ for c in book["Tập huấn, hội thảo"]._charts] == ["BarChart", "BarChart", "BarChart", "PieChart"]


def test_xlsx_needs_out(report_cli):
    result = report_cli("--format", "xlsx")
    assert result.exit_code == 2
    assert "--out" in result.output


def test_unknown_unit_exits_2_with_a_vietnamese_message(report_cli, units):
    result = report_cli("--unit", "Liên hiệp hội tỉnh Không Có")
    assert result.exit_code == 2
    assert "Không có đơn vị 'Liên hiệp hội tỉnh Không Có'" in result.output


def test_unit_limits_the_scope_to_one_unit(report_cli, activities):
    result = report_cli("--from", "2021", "--unit", "liên hiệp hội tỉnh  bắc giang", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["units"] == 1
    assert data["sections"]["training"]["kinds"]["Hội thảo khoa học"]["per_unit_per_year"] == 2.0


def test_unit_can_be_given_by_its_code(report_cli, activities):
    result = report_cli("--from", "2021", "--unit", "PT", "--format", "json")
    assert json.loads(result.output)["sections"]["training"]["total"]["count"] == 0


def test_to_defaults_to_from(report_cli, activities):
    data = json.loads(report_cli("--from", "2021", "--format", "json").output)
    assert data["period"] == {"from": 2021, "to": 2021, "years": 1}


def test_period_defaults_to_this_year(report_cli, units):
    year = dt.date.today().year
    data = json.loads(report_cli("--format", "json").output)
    assert data["period"] == {"from": year, "to": year, "years": 1}


def test_to_before_from_exits_2(report_cli, units):
    result = report_cli("--from", "2022", "--to", "2020")
    assert result.exit_code == 2
    assert "trước năm bắt đầu" in result.output


def test_unknown_format_exits_2(report_cli):
    assert report_cli("--format", "pdf").exit_code == 2


def test_out_writes_text_to_a_file(report_cli, activities, tmp_path):
    out = tmp_path / "bao-cao.json"
    result = report_cli("--from", "2021", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["period"]["from"] == 2021
