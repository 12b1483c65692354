"""The critique plugin through each hook it implements: models, bindings, views, the
command line, the report, the demo."""
import datetime as dt
import json

import pytest

from tests.plugins.conftest import json_of, read_sheet
from tests.plugins.critique.conftest import EXPERTS_SHEET, REQUESTS_SHEET


def test_models_are_created(ctx):
    from plugins.critique.models import MODELS

    assert all(m in ctx.extensions["phoihop_models"] and m.table_exists() for m in MODELS)


def test_bindings_and_their_columns(ctx):
    bindings = ctx.extensions["phoihop_bindings"]
    requests, experts = bindings["critique.requests"], bindings["critique.experts"]
    assert [c.header for c in requests.columns if c.computed] == ["Số ngày làm việc", "Cảnh báo"]
    assert [c.header for c in requests.required] == ["Tên nhiệm vụ", "Loại", "Hình thức"]
    assert "Tên đề án, dự án" in requests.column("title").aliases
    spec = ["Tên nhiệm vụ", "Loại", "Hình thức", "Cơ quan đề nghị", "Căn cứ", "Ngày nhận", "Hạn góp ý", "Hồ sơ đầy đủ",
            "Chuyên gia", "Trạng thái", "Ngày gửi báo cáo", "Số kiến nghị", "Số kiến nghị được tiếp thu", "Kinh phí"]
    assert set(spec) <= {c.header for c in requests.columns}
    assert [c.header for c in experts.columns if c.kind != "unit"][:7] == [
        "Họ và tên", "Học hàm, học vị", "Chuyên ngành", "Đơn vị công tác", "Hội thành viên", "Email", "Điện thoại"]
    assert (requests.key_prefix, experts.key_prefix) == ("TV", "CG")


def test_the_lookup_lists_are_the_specs_and_the_office_extends_them(ctx):
    from plugins.critique.models import RequestBasis, RequestForm, RequestKind, ensure_lists

    assert ensure_lists() == 13 and ensure_lists() == 0
    assert [e.name for e in RequestForm.entries()] == ["Tư vấn", "Phản biện", "Giám định xã hội"]
    assert [e.name for e in RequestBasis.entries()] == ["Giao nhiệm vụ", "Đặt hàng", "Tự đề xuất"]
    assert len(RequestKind.entries()) == 7
    RequestKind.create(name="Đề cương", aliases="Đề cương chi tiết")
    mapping = ctx.extensions["phoihop_bindings"]["critique.requests"]
    mapping.prepare()
    assert mapping.column("kind").parse("đề cương chi tiết") == "Đề cương"


def test_plugins_lists_the_critique_plugin(cli):
    plugins = json_of(cli("plugins", "--json"))
    found = next(p for p in plugins if p["name"] == "plugins.critique")
    assert found["status"] == "loaded" and set(found["bindings"]) == {"critique.requests", "critique.experts"}
    assert {"phoihop_models", "phoihop_report", "phoihop_demo_data", "phoihop_cli"} <= set(found["hooks"])


def test_critique_sync_needs_linked_sheets(cli):
    answer = cli("critique", "sync")
    assert answer.exit_code == 2 and "Chưa liên kết" in answer.output


def test_critique_sync_syncs_the_directory_before_the_requests(cli, sample, today):
    assert cli("units", "add", "Liên hiệp hội tỉnh Bắc Giang", "--code", "BG").exit_code == 0
    # linked in the wrong order: the requests first
    for name, worksheet in (("critique.requests", REQUESTS_SHEET), ("critique.experts", EXPERTS_SHEET)):
        assert cli("sheets", "link", name, str(sample), "--worksheet", worksheet, "--unit", "BG").exit_code == 0
    results = json_of(cli("critique", "sync", "--unit", "BG", "--json"))["bindings"]
    assert [(r["binding"], r["created"]) for r in results] == [("critique.experts", 20), ("critique.requests", 22)]
    assert cli("critique", "sync", "--unit", "Không có").exit_code == 2


def test_the_calendar_command_shows_a_year_and_seeds_one(cli):
    shown = json_of(cli("critique", "calendar", "--year", "2023", "--json"))
    days = {d["day"]: d for d in shown["days"]}
    assert days["2023-01-22"]["name"] == "Tết Nguyên Đán" and days["2023-05-02"]["kind"] == "nghi_bu"
    seeded = json_of(cli("critique", "calendar", "--seed", "2031", "--json"))
    assert seeded["seeded"] == [2031] and any(d["day"] == "2031-01-01" for d in seeded["days"])
    assert json_of(cli("critique", "calendar", "--seed", "2031", "--json"))["seeded"] == []
    text = cli("critique", "calendar", "--year", "2025")
    assert "26/04/2025  Làm bù" in text.output
    assert cli("critique", "calendar", "--seed", "1800").exit_code == 2


def test_the_report_hook_gives_a_section(ctx, units):
    from core.reports import Period, Section
    from plugins import critique

    section = critique.phoihop_report(Period(2023, 2023), [units["A"]])
    assert isinstance(section, Section) and section.key == "critique"
    assert set(section.as_json()) >= {"forms", "kinds", "bases", "on_time_share", "median_window_days",
                                      "short_window_share", "requesters", "experts"}


def test_demo_rows_come_in_through_the_sync_with_reviews(tmp_path, monkeypatch):
    from core.demo import build_demo
    from core.plugins import get_plugin_manager

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "mat-khau-demo")
    pm = get_plugin_manager(builtins=("sheets.plugin", "plugins.critique"), entry_points=False)
    site = build_demo(str(tmp_path / "demo"), pm)
    results = {r.binding: r for r in site.results}
    assert results["critique.experts"].created == 10 and results["critique.experts"].outcome == "ok"
    assert results["critique.requests"].created == 16 and results["critique.requests"].outcome == "ok"
    path = next(p for p in site.workbooks if p.endswith("critique.requests.xlsx"))
    rows = read_sheet(path, "Nhiệm vụ TVPB")
    header = rows[3]
    warnings = [r[header.index("Cảnh báo")] or "" for r in rows[4:]]
    assert sum("xung đột lợi ích: Nguyễn Thị Hòa" in w for w in warnings) == 1
    assert sum(w.startswith("thời gian góp ý quá ngắn") for w in warnings) >= 3
    from core.app import create_app
    from plugins.critique.models import Request, Review

    app = create_app({"DATABASE_URL": site.database_url}, plugin_manager=pm)
    with app.app_context():
        from core.models import Unit

        bg = Unit.get(Unit.code == "BG")  # the demo has two units, each with the same sample
        assert Review.select().count() > 10
        conflicted = Request.get(Request.title.startswith("Phương án sử dụng đất"), Request.unit == bg)
        assert [r.person.full_name for r in Review.select().where(Review.request == conflicted)] == ["Bùi Thị Thu"]
        assert Request.select().where(Request.bypassed == True, Request.unit == bg).count() == 1  # noqa: E712
        assert Request.select().where(Request.received_on >= dt.date(2024, 1, 1), Request.unit == bg).count() == 15


def test_demo_data_hook_gives_office_rows_for_each_binding(ctx, bg):
    from plugins.critique.demo import demo_rows
    from plugins.critique.models import CalendarYear

    rows = demo_rows(bg)
    assert set(rows) == {"critique.experts", "critique.requests"}
    assert all({"Tên nhiệm vụ", "Loại", "Hình thức", "Chuyên gia"} <= set(r) for r in rows["critique.requests"])
    assert CalendarYear.select().count() == 8  # no sheet holds the calendar: it is seeded here


@pytest.mark.parametrize("setting", ["CRITIQUE_MIN_WINDOW_DAYS", "CRITIQUE_UPTAKE_DAYS", "TODAY"])
def test_a_setting_that_cannot_be_read_is_a_clear_error(monkeypatch, setting):
    from core.errors import ConfigError
    from plugins.critique import settings

    monkeypatch.setenv(f"PHOIHOP_{setting}", "hai mươi")
    with pytest.raises(ConfigError, match=f"PHOIHOP_{setting}"):
        {"CRITIQUE_MIN_WINDOW_DAYS": settings.min_window_days, "CRITIQUE_UPTAKE_DAYS": settings.uptake_days,
         "TODAY": settings.today}[setting]()


def test_today_comes_from_the_app_config_first(app, monkeypatch):
    from plugins.critique import settings

    monkeypatch.setenv("PHOIHOP_TODAY", "2023-12-31")
    assert settings.today() == dt.date(2023, 12, 31)
    app.config["TODAY"] = "2024-02-29"
    with app.app_context():
        assert settings.today() == dt.date(2024, 2, 29)
    assert json.dumps(str(settings.today())) == '"2023-12-31"'
