"""The coordination section of the annual review (plugins/coordination/reports.py) and
the review workbook it lands in (``phoihop report --format xlsx``), on SQLite and
PostgreSQL."""
import datetime as dt
import json
import zipfile

import pytest
from click.testing import CliRunner

from tests.plugins.coordination.conftest import UNIT, make_workbook, sync_book

D = dt.date
ROWS = [
    [1, "Sở Y tế", "Quy chế phối hợp", "45/QCPH", "01/07/2021", "", "Phổ biến kiến thức", "Theo từng năm", "12",
     "15/06/2023"],
    [2, "Sở Giáo dục và Đào tạo; Tỉnh đoàn", "Chương trình phối hợp", "125/CTrPH", "15/09/2021", "30/06/2023",
     "Cuộc thi sáng tạo", "Theo giai đoạn", "12", "20/12/2022"],
]


@pytest.fixture
def agreements(ctx, bg, tmp_path, today):
    """Two agreements of the samples' unit, and three trainings with their partners."""
    from plugins.training.models import Activity, ensure_kinds, set_partners

    sync_book(ctx, make_workbook(tmp_path / "van-ban.xlsx", ROWS), bg)
    ensure_kinds()
    for title, day, partners in (("Tập huấn sơ cứu", D(2023, 5, 4), ["Sở Y tế"]),
                                 ("Hội thảo y tế", D(2022, 3, 1), ["Sở Y tế", "Tỉnh đoàn"]),
                                 ("Tập huấn giáo viên", D(2023, 8, 1), ["Sở Giáo dục và Đào tạo"])):
        set_partners(Activity.create(unit=bg, kind=1, title=title, start_date=day), partners)
    return bg


@pytest.fixture
def section(agreements):
    from core.reports import Period
    from plugins.coordination.reports import report_section

    return report_section(Period(2022, 2023), [agreements])


def test_the_partners_table_counts_joint_activities_per_area_in_the_period(section):
    partners = section.as_json()["partners"]
    assert {name: row["activities"] for name, row in partners.items()} == {
        "Sở Y tế": {"training": 2, "total": 2}, "Sở Giáo dục và Đào tạo": {"training": 1, "total": 1},
        "Tỉnh đoàn": {"training": 1, "total": 1}}


def test_the_partners_table_gives_each_partners_documents_and_status(section):
    partners = section.as_json()["partners"]
    assert (partners["Sở Y tế"]["agreements"], partners["Sở Y tế"]["status"]) == ("45/QCPH", "Đang thực hiện")
    assert partners["Tỉnh đoàn"]["status"] == "hết hiệu lực; chưa có hoạt động phối hợp"


def test_the_section_counts_agreements_and_their_flags(section):
    data = section.as_json()
    assert (data["agreements"], data["partner_count"], data["expired"], data["review_overdue"]) == (2, 3, 1, 0)
    assert (data["joint_activities"], data["idle_partners"], data["as_of"]) == (4, 1, "31/12/2023")


def test_the_section_counts_the_yearly_items_done_in_the_periods_years(ctx, agreements):
    from core.reports import Period
    from plugins.coordination.models import Agreement, AgreementItem
    from plugins.coordination.reports import report_section

    agreement = Agreement.get(Agreement.number == "45/QCPH")
    for year, done in ((2022, True), (2023, True), (2023, False), (2021, False)):
        AgreementItem.create(unit=agreement.unit_id, agreement=agreement, year=year, content=f"Nội dung {year}", done=done)
    items = report_section(Period(2022, 2023), [agreements]).as_json()["items"]
    assert items == {"planned": 3, "done": 2, "done_share": 66.67}


def test_the_kinds_table_counts_agreements_by_kind(section):
    assert section.as_json()["kinds"] == {
        "Chương trình phối hợp": {"agreements": 1, "review_overdue": 0, "expired": 1},
        "Quy chế phối hợp": {"agreements": 1, "review_overdue": 0, "expired": 0}}


def test_the_section_hints_a_chart_of_joint_activities_per_partner(section):
    (chart,) = section.charts
    assert (chart.kind, chart.table, chart.columns) == ("bar", "partners", ("activities.training",))


def test_a_period_before_the_activities_counts_none(agreements):
    from core.reports import Period
    from plugins.coordination.reports import report_section

    data = report_section(Period(2020, 2020), [agreements]).as_json()
    assert data["joint_activities"] == 0 and data["as_of"] == "31/12/2020"


def test_units_without_agreements_have_no_section(ctx, units):
    from core.reports import Period
    from plugins.coordination.reports import report_section

    assert report_section(Period(2022, 2023), list(units.values())) is None


def test_the_section_runs_the_same_queries_for_few_or_many_agreements(ctx, bg, tmp_path, today, monkeypatch):
    from core.db import database
    from core.reports import Period
    from plugins.coordination.reports import report_section

    def queries():
        seen = []
        original = database.obj.execute_sql
        monkeypatch.setattr(database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or original(sql, *a, **k))
        report_section(Period(2022, 2023), [bg])
        monkeypatch.undo()
        return len(seen)

    path = tmp_path / "van-ban.xlsx"
    sync_book(ctx, make_workbook(path, ROWS[:1]), bg)
    few = queries()
    make_workbook(path, [[n, f"Đối tác {n}", *ROWS[0][2:]] for n in range(1, 41)])
    sync_book(ctx, path, bg)
    assert queries() == few == 13  # agreements with partners, kinds, items, per area the period and 12 months (training: 2 × 2)


# -- the review workbook ------------------------------------------------------------------------
@pytest.fixture
def workbook(pm, db_url, agreements, tmp_path):
    from cli import build_cli

    out = tmp_path / "bao-cao.xlsx"
    answer = CliRunner().invoke(build_cli(pm), ["--db", db_url, "report", "--from", "2022", "--to", "2023",
                                                "--unit", UNIT, "--format", "xlsx", "--out", str(out)])
    assert answer.exit_code == 0, answer.output
    return out


def test_the_workbook_opens_with_the_summary_then_the_partners_sheet(workbook):
    from openpyxl import load_workbook

    names = load_workbook(workbook).sheetnames
    assert names[0] == "Tổng hợp" and "Đối tác phối hợp" in names


def test_the_partners_sheet_has_vietnamese_headers(workbook):
    from openpyxl import load_workbook

    rows = list(load_workbook(workbook)["Đối tác phối hợp"].iter_rows(values_only=True))
    assert ("Đối tác", "Văn bản phối hợp", "Tình trạng", "Tập huấn, hội thảo", "Tổng số hoạt động phối hợp",
            "Gần nhất") in [r[:6] for r in rows]


def test_the_summary_gives_the_coordination_headline(workbook):
    from openpyxl import load_workbook

    rows = [r[:3] for r in load_workbook(workbook)["Tổng hợp"].iter_rows(values_only=True)]
    assert ("Phối hợp với các cơ quan, tổ chức", "Số văn bản phối hợp", "2") in rows


def test_the_workbook_holds_a_native_chart_of_joint_activities_per_partner(workbook):
    with zipfile.ZipFile(workbook) as package:
        charts = [package.read(name).decode() for name in package.namelist() if name.startswith("xl/charts/chart")]
    assert any("Hoạt động phối hợp theo đối tác" in chart and "<barChart>" in chart for chart in charts)


def test_the_json_report_has_the_coordination_section(pm, db_url, agreements):
    from cli import build_cli

    answer = CliRunner().invoke(build_cli(pm), ["--db", db_url, "report", "--from", "2022", "--to", "2023",
                                                "--format", "json"])
    section = json.loads(answer.output)["sections"]["coordination"]
    assert section["partners"]["Sở Y tế"]["latest"] == "04/05/2023"


def test_the_readmes_json_example_has_the_shape_of_the_section(section):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    part = readme.split("## Coordination (", 1)[1].split("\n## ", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)```", part, flags=re.S).group(1))
    data = json.loads(json.dumps(section.as_json()))
    assert set(example) == set(data) and set(example["kinds"]["Quy chế phối hợp"]) == set(data["kinds"]["Quy chế phối hợp"])
    shown, made = example["partners"]["Sở Giáo dục và Đào tạo"], data["partners"]["Sở Giáo dục và Đào tạo"]
    assert set(shown) == set(made) and "total" in shown["activities"] and "training" in made["activities"]
