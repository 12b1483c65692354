"""Every hook, exercised through the example plugin (examples/phoihop-hello) as a
province's plugin would use it — one test per hook, named ``test_hook_<name>``
(tests/test_docs.py checks that each hookspec has one)."""
import datetime as dt

import pytest


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_hook_phoihop_models(ctx):
    from phoihop_hello import Greeting, Occasion

    models = ctx.extensions["phoihop_models"]
    assert Greeting in models and Occasion in models
    assert Greeting.table_exists() and Occasion.table_exists()


def test_hook_phoihop_admin_views(ctx, client, login_as):
    answer = login_as("admin").get("/admin/greeting/")
    assert answer.status_code == 200 and "Lời chào" in answer.get_data(as_text=True)


def test_hook_phoihop_sheet_bindings(ctx):
    from phoihop_hello import Greeting

    mapping = ctx.extensions["phoihop_bindings"]["hello.greetings"]
    assert mapping.model is Greeting and mapping.plugin == "hello"
    assert [c.header for c in mapping.columns] == ["Lời chào", "Dịp", "Ngày gửi"]


def test_hook_phoihop_cli(runner, units):
    from phoihop_hello import Greeting

    Greeting.create(unit=units["A"], text="Xin chào")
    answer = runner("hello", "BG")  # by code, through the core's one unit lookup
    assert answer.exit_code == 0 and answer.output.strip() == "Liên hiệp hội tỉnh Bắc Giang: 1 lời chào"


def test_hook_phoihop_report(ctx, units):
    from core.reports import Period, collect
    from phoihop_hello import Greeting

    Greeting.create(unit=units["A"], text="Xin chào")
    Greeting.create(unit=units["B"], text="Đã lưu trữ", archived=True)
    report = collect(ctx.extensions["phoihop_pm"], Period(2020, 2022), list(units.values()))
    assert report.as_json()["sections"]["hello"] == {"greetings": 1}


def sync_rows(ctx, unit, tmp_path, rows):
    from sheets.models import Binding
    from sheets.sync import sync
    from sheets.xlsx import XlsxBackend

    path = tmp_path / "loi-chao.xlsx"
    XlsxBackend.create(path, {"Lời chào": [["DANH SÁCH LỜI CHÀO NĂM 2024"], [], ["STT", "Lời chào", "Dịp", "Ngày gửi"], *rows]})
    binding = Binding.create(name="hello.greetings", source=str(path), worksheet="Lời chào", unit=unit)
    mapping = ctx.extensions["phoihop_bindings"]["hello.greetings"]
    return sync(binding, mapping, pm=ctx.extensions["phoihop_pm"])


def test_hook_phoihop_validate(ctx, units, tmp_path):
    from phoihop_hello import Greeting

    result = sync_rows(ctx, units["A"], tmp_path, [[1, "Chúc Tết!!", "Tết", "25/01/2024"], [2, "Chúc Tết vui", "Tết", ""]])
    assert [(e["row"], e["message"]) for e in result.errors] == [(4, "Lời chào không dùng '!!'")]
    assert [g.text for g in Greeting.select()] == ["Chúc Tết vui"]


def test_a_kit_plugin_syncs_its_lookup_column_and_cross_field_rule(ctx, units, tmp_path):
    from phoihop_hello import Greeting

    result = sync_rows(ctx, units["A"], tmp_path, [
        [1, "Chúc mừng năm mới", "Tết", "25/01/2024"],  # Tết without "Tết" in the text: the rule
        [2, "Chào mừng ngày 18/5", "18/5", "18/05/2024"],
        [3, "Chào", "Trung thu", ""],  # not in the lookup list
    ])
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "Lời chào"), (6, "Dịp")]
    greeting = Greeting.get()
    assert (greeting.occasion.name, greeting.sent_on) == ("Ngày Khoa học và Công nghệ", dt.date(2024, 5, 18))


def test_hook_phoihop_demo_data(ctx, units):
    rows = ctx.extensions["phoihop_pm"].hook.phoihop_demo_data(unit=units["A"])
    hello = next(r for r in rows if "hello.greetings" in r)
    assert {row["Dịp"] for row in hello["hello.greetings"]} == {"Tết", "18/5"}


def test_hook_phoihop_demo_ready(ctx, units, tmp_path):
    from phoihop_hello import Greeting

    rows = {"hello.greetings": [{"Lời chào": "Chúc Tết an khang", "Dịp": "Tết"}]}
    answers = ctx.extensions["phoihop_pm"].hook.phoihop_demo_ready(
        app=ctx, directory=str(tmp_path), unit=units["A"], rows_by_binding=rows)
    made = [pair for answer in answers if answer for pair in answer]
    assert len(made) == 1 and made[0][1].created == 1
    assert Greeting.get().source_key == "LC-000001"


def test_hook_phoihop_joint_activities(ctx, units):
    from core.joint import JointActivity, gather
    from core.models import Organisation
    from plugins.training.models import Activity, ensure_kinds, set_partners

    ensure_kinds()
    partner = Organisation.create(unit=units["A"], name="Sở Y tế")
    for title, day in (("Tập huấn sơ cứu", dt.date(2023, 3, 2)), ("Hội thảo y tế cơ sở", dt.date(2023, 9, 14)),
                       ("Hội thảo năm trước", dt.date(2022, 5, 1))):
        activity = Activity.create(unit=units["A"], kind=1, title=title, start_date=day)
        set_partners(activity, ["Sở Y tế"])
    rows = gather(ctx.extensions["phoihop_pm"], [partner.id], dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert rows == [JointActivity("training", "Tập huấn, hội thảo", partner.id, 2, dt.date(2023, 9, 14))]
