"""The critique section of the annual review, from raw request rows: the national
survey's per-unit-per-year figures, windows, timeliness, uptake and experts."""
import datetime as dt
import json

import pytest

from core.reports import Period

D = dt.date


@pytest.fixture
def lists(ctx):
    from plugins.critique.models import RequestBasis, RequestForm, RequestKind, ensure_lists

    ensure_lists()
    return {model: {e.name: e.id for e in model.entries()} for model in (RequestForm, RequestKind, RequestBasis)}


def insert_requests(rows):
    from core import bulk
    from plugins.critique.models import Request

    defaults = {"title": "Nhiệm vụ", "kind": None, "form": None, "basis": None, "requester": None,
                "received_on": None, "deadline": None, "report_sent_on": None, "status": None,
                "recommendations": None, "accepted": None, "bypassed": False, "mandatory": False,
                "issued_on": None, "archived": False}
    full = []
    for row in rows:
        row = {**defaults, **row}
        received, deadline = row["received_on"], row["deadline"]
        row["window_days"] = (deadline - received).days if received and deadline else None
        row["period_date"] = row["issued_on"] if row["bypassed"] else received
        full.append(row)
    bulk.insert(Request, full)


def test_the_national_surveys_averages_come_back_from_raw_rows(ctx, lists, cli):
    """50 LHH, 2020–2022: 428 critiques (2,85 per unit per year) and 24 social assessments
    (0,16), spread unevenly — 20 units have none at all — plus rows that must not count."""
    from core.models import Unit
    from plugins.critique.models import RequestForm

    units = [Unit.create(name=f"Liên hiệp hội tỉnh số {i:02d}", code=f"T{i:02d}") for i in range(50)]
    forms = lists[RequestForm]
    rows = []
    for n in range(428):
        rows.append({"unit": units[n % 30].id, "form": forms["Phản biện"], "received_on": D(2020 + n % 3, 1 + n % 12, 1 + n % 28)})
    for n in range(24):
        rows.append({"unit": units[n % 7].id, "form": forms["Giám định xã hội"], "received_on": D(2021, 3, 1 + n)})
    rows += [  # none of these count
        {"unit": units[0].id, "form": forms["Phản biện"], "received_on": D(2019, 12, 31)},
        {"unit": units[0].id, "form": forms["Phản biện"], "received_on": D(2023, 1, 1)},
        {"unit": units[1].id, "form": forms["Phản biện"], "received_on": D(2021, 5, 5), "archived": True},
        {"unit": units[2].id, "form": forms["Phản biện"], "bypassed": True, "mandatory": True,
         "issued_on": D(2021, 6, 1)},
    ]
    insert_requests(rows)
    answer = cli("report", "--from", "2020", "--to", "2022", "--format", "json")
    assert answer.exit_code == 0, answer.output
    section = json.loads(answer.output)["sections"]["critique"]
    assert section["forms"]["Phản biện"] == {"count": 428, "per_unit_per_year": 2.85}
    assert section["forms"]["Giám định xã hội"] == {"count": 24, "per_unit_per_year": 0.16}
    assert section["forms"]["Tư vấn"] == {"count": 0, "per_unit_per_year": 0.0}
    assert section["total"] == {"count": 452, "per_unit_per_year": 3.01}
    assert section["mandatory"] == {"received": 0, "missed": 1}
    # one unit alone: its own rows over one unit × three years
    one = json.loads(cli("report", "--from", "2020", "--to", "2022", "--unit", "T00", "--format", "json").output)
    mine = sum(1 for n in range(428) if n % 30 == 0)
    assert one["sections"]["critique"]["forms"]["Phản biện"]["count"] == mine
    assert one["sections"]["critique"]["forms"]["Phản biện"]["per_unit_per_year"] == round(mine / 3, 2)


def test_windows_timeliness_uptake_and_experts_per_requester(ctx, lists, units, monkeypatch):
    from core.models import Organisation, Person
    from plugins.critique.models import Request, RequestBasis, RequestForm, RequestKind, TeamMember
    from plugins.critique.reports import critique_section

    monkeypatch.setenv("PHOIHOP_TODAY", "2023-12-31")
    a = units["A"]
    build = Organisation.create(unit=a, name="Sở Xây dựng")
    build_b = Organisation.create(unit=units["B"], name="SỞ XÂY DỰNG")  # the same requester in another unit
    health = Organisation.create(unit=a, name="Sở Y tế")
    form, kind, basis = lists[RequestForm]["Phản biện"], lists[RequestKind]["Quy hoạch"], lists[RequestBasis]["Đặt hàng"]
    common = {"form": form, "kind": kind, "basis": basis}
    insert_requests([
        # Sở Xây dựng: windows 7, 21, 35 (one short); reports on time, late; 8 made / 5 accepted answered
        {**common, "unit": a.id, "requester": build.id, "received_on": D(2023, 2, 20), "deadline": D(2023, 2, 27),
         "report_sent_on": D(2023, 2, 27), "status": "Đã phản hồi", "recommendations": 8, "accepted": 5},
        {**common, "unit": a.id, "requester": build.id, "received_on": D(2023, 3, 1), "deadline": D(2023, 3, 22),
         "report_sent_on": D(2023, 3, 24), "status": "Đã gửi báo cáo", "recommendations": 6},
        {**common, "unit": units["B"].id, "requester": build_b.id, "received_on": D(2023, 5, 1),
         "deadline": D(2023, 6, 5), "status": "Đang thực hiện"},  # overdue as of 31/12/2023
        # Sở Y tế: one window of 19 days (short), not yet due; a mandatory document never sent
        {**common, "unit": a.id, "requester": health.id, "received_on": D(2023, 12, 20), "deadline": D(2024, 1, 8),
         "status": "Tiếp nhận", "mandatory": True},
        {**common, "unit": a.id, "requester": health.id, "bypassed": True, "mandatory": True,
         "issued_on": D(2023, 9, 1)},
        # a request without a requester, refused
        {**common, "unit": a.id, "received_on": D(2023, 4, 3), "deadline": D(2023, 4, 28), "status": "Từ chối"},
    ])
    requests = {r.received_on: r.id for r in Request.select()}
    people = [Person.create(unit=a, full_name=name).id for name in ("Lê Văn A", "Trần Thị B", "Ngô Văn C")]
    TeamMember.insert_many([
        {"request": requests[D(2023, 2, 20)], "person": people[0], "position": 0},
        {"request": requests[D(2023, 2, 20)], "person": people[1], "position": 1},
        {"request": requests[D(2023, 3, 1)], "person": people[0], "position": 0},
        {"request": requests[D(2023, 12, 20)], "person": people[0], "position": 0},
        {"request": requests[D(2023, 4, 3)], "person": people[2], "position": 0},
    ]).execute()
    section = critique_section(Period(2023, 2023), [units["A"], units["B"]])
    by_name = {r["name"]: r for r in section["requesters"]}
    assert by_name["Sở Xây dựng"] == {
        "name": "Sở Xây dựng", "requests": 3, "short_windows": 1, "median_window_days": 21.0,
        "short_window_share": 33.33, "recommendations": 8, "accepted": 5, "acceptance_rate": 62.5,
        "unanswered_recommendations": 6, "mandatory_missed": 0}
    assert by_name["Sở Y tế"]["requests"] == 1 and by_name["Sở Y tế"]["mandatory_missed"] == 1
    assert by_name["Sở Y tế"]["short_windows"] == 1 and by_name["Sở Y tế"]["acceptance_rate"] is None
    assert by_name["(không ghi cơ quan đề nghị)"]["requests"] == 1
    # due: two reports sent with a deadline (one on time) and one overdue; the refused and
    # the one not yet due do not count
    assert section["on_time_share"] == 33.33
    assert section["median_window_days"] == 21.0  # 7, 19, 21, 25, 35
    assert section["short_window_share"] == 40.0
    assert section["recommendations"] == {"made": 8, "accepted": 5, "acceptance_rate": 62.5, "unanswered": 6}
    assert section["mandatory"] == {"received": 1, "missed": 1}
    assert section["experts"] == {"mobilised": 3, "max_load": 3}
    assert section["expert_load"][0] == {"name": "Lê Văn A", "requests": 3}
    assert section["kinds"]["Quy hoạch"] == 5 and section["bases"]["Đặt hàng"] == 5


def test_the_minimum_window_setting_moves_the_short_share(ctx, lists, units, monkeypatch):
    from plugins.critique.models import RequestForm
    from plugins.critique.reports import critique_section

    insert_requests([{"unit": units["A"].id, "form": lists[RequestForm]["Tư vấn"], "received_on": D(2023, 1, 2),
                      "deadline": D(2023, 1, 2) + dt.timedelta(days=days)} for days in (10, 20, 25, 40)])
    assert critique_section(Period(2023, 2023), [units["A"]])["short_window_share"] == 25.0
    monkeypatch.setenv("PHOIHOP_CRITIQUE_MIN_WINDOW_DAYS", "30")
    assert critique_section(Period(2023, 2023), [units["A"]])["short_window_share"] == 75.0


def test_an_empty_period_reports_zeros_and_missing_figures(ctx, lists, units):
    from plugins.critique.reports import critique_section

    section = critique_section(Period(2020, 2022), [units["A"], units["B"]])
    assert section["forms"]["Tư vấn"] == {"count": 0, "per_unit_per_year": 0.0}
    assert (section["on_time_share"], section["median_window_days"], section["short_window_share"]) == (None, None, None)
    assert section["requesters"] == [] and section["experts"] == {"mobilised": 0, "max_load": 0}


def test_the_section_lays_out_as_text_and_xlsx(cli, ctx, lists, units, tmp_path):
    from plugins.critique.models import RequestForm

    insert_requests([{"unit": units["A"].id, "form": lists[RequestForm]["Phản biện"], "received_on": D(2022, 5, 2),
                      "deadline": D(2022, 5, 20)}])
    text = cli("report", "--from", "2022", "--to", "2022", "--format", "text")
    assert text.exit_code == 0, text.output
    assert "TƯ VẤN, PHẢN BIỆN VÀ GIÁM ĐỊNH XÃ HỘI" in text.output and "Theo hình thức:" in text.output
    out = tmp_path / "bao-cao.xlsx"
    assert cli("report", "--from", "2022", "--to", "2022", "--format", "xlsx", "--out", str(out)).exit_code == 0
    import openpyxl

    assert "Tư vấn, phản biện, giám định" in openpyxl.load_workbook(out).sheetnames


def test_the_json_shape_is_the_readmes():
    from plugins.critique.reports import FlatTable
    from core.reports import Column

    table = FlatTable("kinds", "Theo loại", [Column("name", "Loại", "text"), Column("count", "Số")],
                      [("Đề án", 3), ("Dự án", 0)], keyed=True)
    assert table.json_rows() == {"Đề án": 3, "Dự án": 0}
    with pytest.raises(ValueError):
        FlatTable("x", "x", [Column("name", "Loại", "text"), Column("count", "Số")], [], keyed=False)
