"""The honours plugin through each hook it implements, and ``phoihop demo``."""
import pytest

from tests.plugins.honours.conftest import table_of


def test_models_are_created(ctx):
    from plugins.honours.models import MODELS

    assert all(m in ctx.extensions["phoihop_models"] and m.table_exists() for m in MODELS)


def test_it_is_a_built_in_plugin():
    from core.plugins import DEFAULT_PLUGINS

    assert "plugins.honours" in DEFAULT_PLUGINS


def test_the_specs_categories_are_seeded_with_their_eligibility(ctx):
    from plugins.honours import rules
    from plugins.honours.models import Category, ensure_categories

    assert ensure_categories() == 6 and ensure_categories() == 0  # idempotent
    found = {c.name: c.eligibility() for c in Category.ordered()}
    assert list(found)[:5] == ["Tân Giáo sư", "Tân Phó Giáo sư", "Tân Tiến sĩ", "Bác sĩ chuyên khoa II",
                               "Trí thức KH&CN tiêu biểu"]
    assert found["Tân Giáo sư"].academic_title == "GS" and found["Tân Giáo sư"].window == rules.SINCE_PREVIOUS_ROUND
    assert found["Tân Tiến sĩ"].degrees == ("TS", "TSKH") and found["Tân Tiến sĩ"].window == rules.YEAR_BEFORE_CEREMONY
    assert found["Bác sĩ chuyên khoa II"].degrees == ("BSCKII", "DSCKII")
    assert found["Bác sĩ chuyên khoa II"].window == rules.YEAR_BEFORE_CEREMONY
    assert found["Trí thức KH&CN tiêu biểu"].repeatable and found["Trí thức KH&CN tiêu biểu"].min_achievements == 1
    assert not found["Tân Tiến sĩ"].repeatable and all(e.province_link for e in found.values())


def test_a_renamed_or_deactivated_category_stays_as_the_office_left_it(ctx):
    from plugins.honours.models import Category, ensure_categories

    ensure_categories()
    category = Category.get(Category.name == "Bác sĩ chuyên khoa II")
    category.name, category.active = "Bác sĩ chuyên khoa cấp II", False
    category.save()
    assert ensure_categories() == 0 and Category.select().count() == 6


def test_admin_views_and_the_person_page(ctx, login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "Tôn vinh trí thức" in page and "/admin/honours_round/" in page
    view = next(v for v in ctx.extensions["phoihop_admin"]._views if v.endpoint == "person")
    assert view.details_template == "honours/person_details.html"


def test_the_categories_are_for_admins_only(ctx, login_as):
    client = login_as("editor")
    assert client.get("/admin/honours_category/").status_code == 403
    assert client.get("/admin/honours_nomination/").status_code == 200


def test_the_command_group_is_there(cli):
    answer = cli("honours", "rounds", "--help")
    assert answer.exit_code == 0 and "add" in answer.output and "close" in answer.output


def test_no_round_no_report_section(ctx, pt):
    from core.reports import Period
    from plugins.honours.reports import report_section

    assert report_section(Period(2020, 2023), [pt]) is None


def test_demo_rows_come_in_through_the_sync(tmp_path, monkeypatch):
    """Two rounds: last year's decided and closed, this year's showing each rule; one of
    its nominees is the contests demo's author and the training demo's speaker."""
    from core.demo import build_demo
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "mat-khau-demo")
    site = build_demo(str(tmp_path / "demo"), get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False))
    book = next(p for p in site.workbooks if p.endswith("honours.nominations.xlsx"))
    result = next(r for r in site.results if r.binding == "honours.nominations")  # the first unit's (BG)
    assert result.outcome == "ok" and result.created == 12
    rows = {int(v["STT"]): v for v in table_of(book, "Đề cử tôn vinh", 4).values()}
    status = {stt: row["Tình trạng hồ sơ"] or "" for stt, row in rows.items()}
    assert [rows[stt]["Họ và tên"] for stt in (6, 7, 10, 12)] == ["Vũ Thị Minh Loan"] * 2 + ["Phùng Thị Yến"] * 2
    assert status[9].startswith("Không đủ điều kiện") and "Đã được tôn vinh năm 2022 (Tân Tiến sĩ)" in status[9]
    assert status[5] == status[6] == status[8] == status[10] == ""  # an outstanding one honoured again: no flag
    assert status[7] == "Gộp với dòng 6: 2 đơn vị đề cử"
    assert status[11].startswith("Không đủ điều kiện: học vị được công nhận ngày 20/11/2020")
    assert status[12] == "Có thể trùng với Phùng Thị Yến (dòng 10): cần kiểm tra"
    assert [rows[stt]["Kết quả"] for stt in (1, 2, 3, 4)] == ["Được tôn vinh"] * 3 + ["Không được tôn vinh"]

    from core import create_app
    from core.models import Person
    from plugins.honours.models import Round

    app = create_app({"DATABASE_URL": site.database_url}, plugin_manager=get_plugin_manager(builtins=DEFAULT_PLUGINS,
                                                                                            entry_points=False))
    with app.app_context():
        from core.models import Unit

        bg = Unit.get(Unit.code == "BG")  # the demo has two units, each with the same sample
        past, current = Round.select().where(Round.unit == bg).order_by(Round.year)
        assert (past.year, past.closed, current.year, current.closed) == (2022, True, 2023, False)
        [loan] = Person.select().where(Person.full_name == "Vũ Thị Minh Loan", Person.unit == bg)
        assert loan.year_of_birth == 1982
        assert loan.nominations.count() == 2 and loan.contest_entries.count() == 1 and loan.training_links.count() == 1


@pytest.fixture
def demo_unit(ctx):
    from core.models import Unit

    return Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")


def test_demo_data_hook_sets_up_the_rounds_and_gives_office_rows(demo_unit):
    from plugins.honours.demo import demo_rows
    from plugins.honours.models import Nomination, Round

    rows = demo_rows(demo_unit)["honours.nominations"]
    assert Round.select().count() == 2 and Nomination.select().count() == 0  # the rows come in through the sync
    assert {r["Năm"] for r in rows} == {2022, 2023}
    assert all({"Họ và tên", "Hình thức tôn vinh", "Đơn vị đề cử"} <= set(r) for r in rows)
    assert all("Kết quả" in r for r in rows if r["Năm"] == 2022)
