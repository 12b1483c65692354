"""The training section of the annual review: figures computed in SQL."""
import datetime as dt
import json
import re

import pytest
from peewee import chunked

from core.db import database
from core.models import Unit
from core.report_output import render_json, render_text
from core.reports import Period, collect, gather
from plugins.training.models import Activity
from plugins.training.reports import money_average, ratio, report_section, training_section

PERIOD = Period(2020, 2022)
# spec/training.md: the national figures 2020–2022 over 50 LHH. Per kind: count, and each
# activity's (state, other) budget in đồng, so that the totals are those of the table.
NATIONAL = {
    # 255 × 50 tr. = 12.750 tr.; 17 activities mobilise 5 tr. each → state share 99,33 %
    "Hội thảo khoa học": (255, [(50_000_000, 0)] * 238 + [(45_000_000, 5_000_000)] * 17),
    # 113 × 30 tr. = 3.390 tr.; each mobilises 0,2 tr. → 99,33 %
    "Hội nghị thông tin chuyên đề": (113, [(29_800_000, 200_000)] * 113),
    # 693 × 15 tr. = 10.395 tr.; each mobilises 0,15 tr. → 99,00 % (≈ 99 %)
    "Tập huấn kỹ thuật": (693, [(14_850_000, 150_000)] * 693),
}
# The table as the spec prints it: count, per unit per year, budget (million VND, 3 years),
# per unit per year (million), state share.
TABLE = {
    "Hội thảo khoa học": ("255", "1,70", "12.750", "85", "99,33"),
    "Hội nghị thông tin chuyên đề": ("113", "0,75", "3.390", "22,6", "99,33"),
    "Tập huấn kỹ thuật": ("693", "4,62", "10.395", "69,3", "99,00"),
}


@pytest.fixture
def national(ctx, kinds):
    """50 units and the raw activities of 2020–2022, bulk-inserted in one transaction."""
    with database.atomic():
        Unit.insert_many([{"name": f"Liên hiệp hội tỉnh số {n:02d}", "code": f"U{n:02d}"} for n in range(50)]).execute()
        units = list(Unit.select().order_by(Unit.id))
        rows, i = [], 0
        for kind, (count, budgets) in NATIONAL.items():
            assert len(budgets) == count
            for state, other in budgets:
                year = PERIOD.start + i % 3
                rows.append({
                    "unit": units[i % 50].id, "kind": kinds[kind].id, "title": f"{kind} số {i}",
                    "start_date": dt.date(year, 1 + i % 12, 1 + i % 28), "participants": 60,
                    "state_budget": state, "other_budget": other or None,
                })
                i += 1
        for batch in chunked(rows, 500):
            Activity.insert_many(batch).execute()
    return units


def kind_row(text, kind):
    """The cells of a kind's line in the text output."""
    line = next(line for line in text.splitlines() if line.startswith(kind + "  "))
    return re.split(r"\s{2,}", line[len(kind):].strip())


# -- the national table -----------------------------------------------------------------
def test_national_table_counts_and_averages_per_unit_per_year(national):
    kinds = training_section(PERIOD, national)["kinds"]
    assert {k: (kinds[k]["count"], kinds[k]["per_unit_per_year"]) for k in NATIONAL} == {
        "Hội thảo khoa học": (255, 1.7), "Hội nghị thông tin chuyên đề": (113, 0.75), "Tập huấn kỹ thuật": (693, 4.62)}


def test_national_table_budgets(national):
    kinds = training_section(PERIOD, national)["kinds"]
    assert {k: kinds[k]["budget"] for k in NATIONAL} == {
        "Hội thảo khoa học": {"total": 12_750_000_000, "state": 12_665_000_000, "other": 85_000_000,
                              "state_share": 99.33, "per_year": 4_250_000_000, "per_unit_per_year": 85_000_000},
        "Hội nghị thông tin chuyên đề": {"total": 3_390_000_000, "state": 3_367_400_000, "other": 22_600_000,
                                         "state_share": 99.33, "per_year": 1_130_000_000, "per_unit_per_year": 22_600_000},
        "Tập huấn kỹ thuật": {"total": 10_395_000_000, "state": 10_291_050_000, "other": 103_950_000,
                              "state_share": 99.0, "per_year": 3_465_000_000, "per_unit_per_year": 69_300_000},
    }


def test_national_table_in_json(pm, national):
    data = json.loads(render_json(collect(pm, PERIOD, national)))
    assert data["period"] == {"from": 2020, "to": 2022, "years": 3}
    assert data["units"] == 50
    kinds = data["sections"]["training"]["kinds"]
    assert kinds["Hội thảo khoa học"]["per_unit_per_year"] == 1.7
    assert kinds["Hội thảo khoa học"]["budget"]["total"] == 12750000000
    assert kinds["Hội thảo khoa học"]["budget"]["state_share"] == 99.33
    assert kinds["Hội thảo khoa học"]["budget"]["per_unit_per_year"] == 85000000
    assert [kinds[k]["per_unit_per_year"] for k in NATIONAL] == [1.7, 0.75, 4.62]
    assert [kinds[k]["budget"]["per_unit_per_year"] for k in NATIONAL] == [85000000, 22600000, 69300000]


def test_national_table_in_the_text_output(pm, national):
    text = render_text(collect(pm, PERIOD, national))
    for kind, (count, per_unit, budget, budget_per_unit, share) in TABLE.items():
        cells = kind_row(text, kind)
        # columns: count, per unit/year, participants, speakers, total, state, other, share, per year, per unit/year
        assert (cells[0], cells[1], cells[4], cells[9], cells[7]) == (count, per_unit, budget, budget_per_unit, share)


def test_text_output_states_the_period_and_units(pm, national):
    text = render_text(collect(pm, PERIOD, national))
    assert text.startswith("BÁO CÁO SƠ KẾT, TỔNG KẾT 2020–2022 (3 năm, 50 đơn vị)")
    assert "triệu đồng" in text


# -- what counts ------------------------------------------------------------------------
def test_units_without_activities_count_in_the_denominator(units, make_activity):
    make_activity(units["A"], start_date=dt.date(2021, 3, 1))
    kinds = training_section(Period(2021, 2021), [units["A"], units["B"]])["kinds"]
    assert kinds["Hội thảo khoa học"]["per_unit_per_year"] == 0.5


def test_archived_activities_do_not_count(units, make_activity):
    make_activity(units["A"])
    make_activity(units["A"], archived=True)
    assert training_section(Period(2021, 2021), [units["A"]])["kinds"]["Hội thảo khoa học"]["count"] == 1


def test_only_activities_starting_within_the_period_count(units, make_activity):
    for day in (dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2022, 12, 31), dt.date(2023, 1, 1)):
        make_activity(units["A"], start_date=day)
    assert training_section(PERIOD, [units["A"]])["total"]["count"] == 2


def test_only_units_in_scope_count(units, make_activity):
    make_activity(units["A"])
    make_activity(units["B"])
    assert training_section(Period(2021, 2021), [units["B"]])["total"]["count"] == 1


def test_participants_and_speakers_per_kind(units, make_activity):
    make_activity(units["A"], participants=40, speakers=["TS. A", "ThS. B"])
    make_activity(units["A"], participants=None, speakers=["TS. A"])
    make_activity(units["A"], kind="Tập huấn kỹ thuật", participants=7)
    kinds = training_section(Period(2021, 2021), [units["A"]])["kinds"]
    assert (kinds["Hội thảo khoa học"]["participants"], kinds["Hội thảo khoa học"]["speakers"]) == (40, 3)
    assert (kinds["Tập huấn kỹ thuật"]["participants"], kinds["Tập huấn kỹ thuật"]["speakers"]) == (7, 0)


def test_every_kind_is_listed_with_zeros(units, kinds):
    section = training_section(PERIOD, [units["A"]])
    assert list(section["kinds"]) == list(kinds)
    assert section["kinds"]["Diễn đàn, tọa đàm"]["count"] == 0


def test_state_share_is_empty_without_any_budget(units, make_activity):
    make_activity(units["A"])
    assert training_section(Period(2021, 2021), [units["A"]])["kinds"]["Hội thảo khoa học"]["budget"]["state_share"] is None


def test_total_row_adds_up_the_kinds(units, make_activity):
    make_activity(units["A"], state_budget=10_000_000)
    make_activity(units["A"], kind="Phổ biến kiến thức", state_budget=5_000_000, other_budget=5_000_000)
    total = training_section(Period(2021, 2021), [units["A"]])["total"]
    assert (total["count"], total["budget"]["total"], total["budget"]["state_share"]) == (2, 20_000_000, 75.0)


def test_partners_are_ranked_by_joint_activities_then_name(units, make_activity):
    make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"])
    make_activity(units["A"], partners=["Sở Y tế"])
    make_activity(units["A"], partners=["Báo Bắc Giang"])
    assert training_section(Period(2021, 2021), [units["A"]])["partners"] == [
        {"name": "Sở Y tế", "activities": 2}, {"name": "Báo Bắc Giang", "activities": 1},
        {"name": "Tỉnh đoàn", "activities": 1}]


def test_same_partner_in_two_units_is_one_line(units, make_activity):
    make_activity(units["A"], partners=["Sở Y tế"])
    make_activity(units["B"], partners=["Sở Y tế"])
    partners = training_section(Period(2021, 2021), [units["A"], units["B"]])["partners"]
    assert partners == [{"name": "Sở Y tế", "activities": 2}]


def test_partners_count_only_activities_in_scope(units, make_activity):
    from plugins.training.reports import partner_ranking

    make_activity(units["A"], partners=["Sở Y tế", "Tỉnh đoàn"])
    make_activity(units["B"], partners=["Sở Y tế"], archived=True)
    make_activity(units["B"], partners=["Báo Phú Thọ"], start_date=dt.date(2023, 1, 1))
    make_activity(units["B"], partners=["Sở Y tế"])
    make_activity(units["B"], partners=["Hội Nông dân"], start_date=dt.date(2019, 12, 31))
    assert partner_ranking(PERIOD, [units["A"], units["B"]]) == [("Sở Y tế", 2), ("Tỉnh đoàn", 1)]
    assert partner_ranking(PERIOD, [units["B"]]) == [("Sở Y tế", 1)]


def test_no_units_gives_no_averages(kinds):
    section = training_section(PERIOD, [])
    assert section["total"]["per_unit_per_year"] is None and section["total"]["count"] == 0


def test_the_report_runs_a_fixed_number_of_queries_whatever_the_rows(units, make_activity, monkeypatch):
    def queries():
        seen = []
        original = database.obj.execute_sql
        monkeypatch.setattr(database.obj, "execute_sql", lambda sql, *a, **k: seen.append(sql) or original(sql, *a, **k))
        training_section(PERIOD, [units["A"]])
        monkeypatch.undo()
        return len(seen)

    make_activity(units["A"], partners=["Sở Y tế"], speakers=["TS. A"])
    few = queries()
    for n in range(20):
        make_activity(units["A"], partners=[f"Đối tác {n}"], speakers=[f"TS. Người {n}"])
    assert queries() == few == 6  # kinds, per kind, the links' copies checked, partners, partner names, per year


def test_the_section_declares_kinds_of_columns_a_total_and_charts(units, make_activity):
    make_activity(units["A"], state_budget=10_000_000, partners=["Sở Y tế"])
    section = report_section(Period(2021, 2021), [units["A"]])
    kinds, partners = section.table("kinds"), section.table("partners")
    assert [c.kind for c in kinds.columns] == ["text", "count", "average", "count", "count", "money", "money",
                                               "money", "share", "money", "money"]
    assert kinds.keyed and kinds.total[:2] == ("Tổng cộng", 1)
    assert partners.numbered and partners.rows == (("Sở Y tế", 1),)
    assert [(c.kind, c.table, c.columns) for c in section.charts] == [
        ("column", "years", tuple(c.key for c in section.table("years").columns[1:-1])),
        ("column", "kinds", ("count",)), ("column", "kinds", ("budget.state", "budget.other")),
        ("pie", "kinds", ("budget.total",))]
    assert (section.key, section.sheet_title) == ("training", "Tập huấn, hội thảo")


def test_the_years_table_counts_activities_per_year_and_kind(units, make_activity):
    import datetime as dt

    make_activity(units["A"], kind="Tập huấn kỹ thuật", start_date=dt.date(2020, 3, 1))
    make_activity(units["A"], kind="Tập huấn kỹ thuật", start_date=dt.date(2022, 3, 1))
    make_activity(units["A"], kind="Hội thảo khoa học", start_date=dt.date(2022, 5, 1))
    years = report_section(Period(2019, 2023), [units["A"]]).table("years")
    head = [c.key for c in years.columns]
    rows = {row[0]: dict(zip(head[1:], row[1:])) for row in years.rows}
    assert list(rows) == ["2020", "2021", "2022"]  # from the first to the last year with an activity
    assert (rows["2020"]["Tập huấn kỹ thuật"], rows["2021"]["total"], rows["2022"]["total"]) == (1, 0, 2)
    assert rows["2022"]["Hội thảo khoa học"] == 1


def test_each_kind_links_to_the_activities_it_counts(units, make_activity):
    section = report_section(Period(2021, 2022), [units["A"]])
    kinds = section.table("kinds")
    first = kinds.links[0]
    assert first.endpoint == "training_activity"
    assert first.filters == (("Loại hoạt động", kinds.rows[0][0]), ("Năm", "2021-2022"), ("Lưu trữ", "0"))
    assert kinds.total_link.filters == (("Năm", "2021-2022"), ("Lưu trữ", "0"))


def test_text_lists_the_first_twenty_partners_and_counts_the_rest(pm, units, make_activity):
    for n in range(23):
        make_activity(units["A"], partners=[f"Đối tác {n:02d}"])
    text = render_text(collect(pm, Period(2021, 2021), [units["A"]]))
    assert "Đối tác 19" in text and "Đối tác 20" not in text and "… và 3 dòng khác" in text
    assert re.search(r"^ +1  Đối tác 00 +1$", text, flags=re.M)


def test_the_plugin_answers_the_report_hook(pm, units):
    report = gather(pm, PERIOD, [units["A"]])
    assert "training" in report["sections"] and report["units"] == 1


# -- rounding ---------------------------------------------------------------------------
def test_ratio_rounds_half_up():
    assert (ratio(113, 150), ratio(1, 8), ratio(1, 3)) == (0.75, 0.13, 0.33)


def test_money_average_rounds_to_a_hundredth_of_a_million():
    assert money_average(3_390_000_000, 150) == 22_600_000
    assert money_average(125_005_000, 1) == 125_010_000
    assert money_average(125_004_999, 1) == 125_000_000
    assert money_average(1, 0) is None
