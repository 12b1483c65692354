"""The example plugin, tested as a province's plugin is: with phoihop's fixtures only."""
import json

from click.testing import CliRunner

from phoihop_hello import Greeting, GreetingMapping, phoihop_validate


def test_a_tet_greeting_must_mention_tet():
    problems = GreetingMapping().rules({"text": "Chúc mừng năm mới", "occasion": "Tết Nguyên đán"})
    assert problems == [("text", "Lời chào dịp Tết phải nhắc đến Tết")]


def test_double_exclamation_marks_are_refused():
    assert phoihop_validate("hello.greetings", {"text": "Xin chào!!"}) == [("text", "Lời chào không dùng '!!'")]


def test_greetings_sync_in_from_an_office_workbook(phoihop_app, phoihop_unit, phoihop_sync):
    result, _ = phoihop_sync("hello.greetings", [
        {"Lời chào": "Chúc mừng năm mới, Tết an khang", "Dịp": "Tết", "Ngày gửi": "25/01/2024"},
        {"Lời chào": "Chúc mừng năm mới", "Dịp": "Tết"},
    ])
    assert (result.outcome, result.created) == ("errors", 1)
    assert [e["message"] for e in result.as_dict()["errors"]] == ["Lời chào dịp Tết phải nhắc đến Tết"]
    with phoihop_app.app_context():
        assert [(g.text, g.unit_id) for g in Greeting.select()] == [("Chúc mừng năm mới, Tết an khang", phoihop_unit.id)]


def test_the_admin_lists_the_greetings(phoihop_app, phoihop_unit, phoihop_client):
    with phoihop_app.app_context():
        Greeting.create(unit=phoihop_unit, text="Xin chào Bắc Giang")
    page = phoihop_client.get("/admin/greeting/")
    assert page.status_code == 200 and "Xin chào Bắc Giang" in page.get_data(as_text=True)


def test_the_hello_command_counts_a_units_greetings(phoihop_pm, phoihop_db_url, phoihop_app, phoihop_unit):
    from cli import build_cli

    with phoihop_app.app_context():
        Greeting.create(unit=phoihop_unit, text="Xin chào")
    result = CliRunner().invoke(build_cli(phoihop_pm), ["--db", phoihop_db_url, "hello", phoihop_unit.code])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{phoihop_unit.name}: 1 lời chào"


def test_phoihop_plugins_lists_it_with_its_binding(phoihop_pm, phoihop_db_url):
    from cli import build_cli

    result = CliRunner().invoke(build_cli(phoihop_pm), ["--db", phoihop_db_url, "plugins", "--json"])
    hello = next(row for row in json.loads(result.output) if row["name"] == "hello")
    assert (hello["status"], hello["bindings"]) == ("loaded", ["hello.greetings"])
