"""The coordination plugin through each hook it implements: models, the binding, the
command line's plugin list, the demo."""
import datetime as dt
import json

from click.testing import CliRunner


def test_models_are_created(ctx):
    from plugins.coordination.models import MODELS

    assert all(m in ctx.extensions["phoihop_models"] and m.table_exists() for m in MODELS)


def test_the_binding_has_the_specs_headers_and_computes_canh_bao(ctx):
    mapping = ctx.extensions["phoihop_bindings"]["coordination.agreements"]
    assert [c.header for c in mapping.columns] == [
        "Đơn vị", "Đối tác", "Loại văn bản", "Số hiệu", "Ngày ký", "Hiệu lực đến", "Lĩnh vực phối hợp", "Phương thức",
        "Chu kỳ sơ kết (tháng)", "Ngày sơ kết gần nhất", "Cảnh báo"]
    assert [c.header for c in mapping.columns if c.computed] == ["Cảnh báo"]
    assert (mapping.key_prefix, [c.header for c in mapping.required]) == ("VB", ["Đối tác", "Loại văn bản"])


def test_the_lookup_lists_are_the_specs(ctx):
    from plugins.coordination.models import AgreementKind, AgreementMode, ensure_lists

    assert ensure_lists() == 9 and ensure_lists() == 0
    assert [e.name for e in AgreementKind.entries()] == [
        "Quy chế phối hợp", "Chương trình phối hợp", "Thỏa thuận hợp tác", "Biên bản ghi nhớ", "Kế hoạch phối hợp"]
    assert [e.name for e in AgreementMode.entries()] == [
        "Theo nhiệm vụ cấp trên giao", "Theo giai đoạn", "Theo từng năm", "Trao đổi, hợp tác nội dung riêng lẻ"]


def test_plugins_lists_the_coordination_plugin_as_a_built_in(pm, db_url):
    from cli import build_cli

    answer = CliRunner().invoke(build_cli(pm), ["--db", db_url, "plugins", "--json"])
    found = next(p for p in json.loads(answer.output) if p["name"] == "plugins.coordination")
    assert found["status"] == "loaded" and found["bindings"] == ["coordination.agreements"]
    assert {"phoihop_models", "phoihop_report", "phoihop_demo_data", "phoihop_admin_views"} <= set(found["hooks"])


def test_demo_agreements_come_in_through_the_sync_with_their_items(tmp_path, monkeypatch):
    from core.app import create_app
    from core.demo import build_demo
    from core.models import Unit
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager
    from plugins.coordination.models import Agreement, AgreementItem
    from plugins.coordination.reports import overview

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "mat-khau-demo")
    monkeypatch.setenv("PHOIHOP_TODAY", "2024-12-31")
    pm = get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False)
    site = build_demo(str(tmp_path / "demo"), pm)
    result = next(r for r in site.results if r.binding == "coordination.agreements")
    assert (result.created, result.outcome) == (9, "ok")
    app = create_app({"DATABASE_URL": site.database_url}, plugin_manager=pm)
    with app.app_context():
        bg = Unit.get(Unit.code == "BG")  # the demo has two units, each with the same sample
        assert Agreement.select().where(Agreement.unit == bg).count() == 9
        assert AgreementItem.select().join(Agreement).where(Agreement.unit == bg).count() == 8
        assert Agreement.select().count() == 18  # and Phú Thọ's nine
        found = {p.name: p for p in overview([bg.id], None, None, dt.date(2024, 12, 31)).partners}
        assert found["Sở Giáo dục và Đào tạo"].total > 0  # the other areas' demo records name the partners
