"""The contests plugin through each hook it implements, and ``phoihop demo``."""
import pytest

from tests.plugins.conftest import read_sheet


def test_models_are_created(ctx):
    from plugins.contests.models import MODELS

    assert all(m in ctx.extensions["phoihop_models"] and m.table_exists() for m in MODELS)


def test_bindings_and_their_columns(ctx):
    bindings = ctx.extensions["phoihop_bindings"]
    entries, judges, scores = (bindings[n] for n in ("contests.entries", "contests.judges", "contests.scores"))
    assert [c.header for c in entries.columns if c.computed] == ["Điểm", "Xếp hạng", "Giải"]
    assert [c.header for c in entries.required] == ["Tên giải pháp", "Lĩnh vực"]
    assert {"Tên mô hình, sản phẩm", "Tên công trình"} <= set(entries.column("title").aliases)
    assert "STT bài dự thi" in scores.column("entry_number").aliases
    assert [c.header for c in scores.columns if c.computed] == ["Tình trạng phiếu"]
    # the criteria are data: their columns come with the catalogue, read when the engine
    # first asks the mapping what it needs (its required columns)
    from plugins.contests.models import ensure_catalog

    ensure_catalog()
    assert [c.header for c in scores.required] == ["Giám khảo"]
    headers = [c.header for c in scores.columns]
    assert {"Tính mới, sáng tạo", "Khả năng áp dụng", "Hiệu quả kinh tế - xã hội"} <= set(headers)
    assert [c.header for c in judges.columns][:3] == ["Đơn vị", "Họ và tên", "Lĩnh vực"]
    assert {m.key_prefix for m in (entries, judges, scores)} == {"CT", "GK", "PC"}


def test_catalogue_defaults_are_the_specs_three_kinds(ctx):
    from plugins.contests.models import ContestField, ContestKind, PrizeTier, ensure_catalog

    ensure_catalog()
    assert ensure_catalog() == 0  # idempotent
    kinds = {k.name: k for k in ContestKind.select()}
    assert {name: k.cycle_years for name, k in kinds.items()} == {
        "Hội thi Sáng tạo kỹ thuật": 2, "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng": 1,
        "Giải thưởng Khoa học và Công nghệ tỉnh": 5}

    def names(model, kind):
        return [x.name for x in model.select().where(model.kind == kinds[kind]).order_by(model.sort_order)]

    assert names(PrizeTier, "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng") == ["Đặc biệt", "Nhất", "Nhì", "Ba", "Khuyến khích"]
    assert names(PrizeTier, "Giải thưởng Khoa học và Công nghệ tỉnh") == ["A", "B", "C", "Khuyến khích"]
    assert len(names(ContestField, "Hội thi Sáng tạo kỹ thuật")) == 6
    assert len(names(ContestField, "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng")) == 5


def test_a_renamed_or_deactivated_default_stays_as_the_office_left_it(ctx):
    from plugins.contests.models import ContestKind, PrizeTier, ensure_catalog

    ensure_catalog()
    tier = PrizeTier.get(PrizeTier.name == "Khuyến khích", PrizeTier.kind == ContestKind.get(
        ContestKind.name == "Hội thi Sáng tạo kỹ thuật"))
    tier.active = False
    tier.save()
    kind = ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật")
    kind.name = "Hội thi Sáng tạo kỹ thuật tỉnh"
    kind.save()
    assert ensure_catalog() == 0
    assert ContestKind.select().count() == 3 and PrizeTier.get_by_id(tier.id).active is False


def test_admin_views_are_in_the_menu(ctx, login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "Cuộc thi, giải thưởng" in page
    for endpoint in ("contests_edition", "contests_entry", "contests_judge", "contests_score", "contests_certificate",
                     "contests_kind", "contests_field", "contests_tier", "contests_criterion", "contests_weight",
                     "contests_base_salary"):
        assert f"/admin/{endpoint}/" in page


def test_the_catalogue_is_for_admins_only(ctx, login_as):
    client = login_as("editor")
    assert client.get("/admin/contests_tier/").status_code == 403
    assert client.get("/admin/contests_edition/").status_code == 200


def test_demo_rows_come_in_through_the_sync_with_their_results(tmp_path, pm, monkeypatch):
    from core.demo import build_demo

    monkeypatch.setenv("PHOIHOP_DEMO_PASSWORD", "mat-khau-demo")
    site = build_demo(str(tmp_path / "demo"), pm)
    entries = next(p for p in site.workbooks if p.endswith("contests.entries.xlsx"))
    rows = read_sheet(entries, "Giải pháp dự thi")
    header = rows[3]
    prize, score, rank = (header.index(h) for h in ("Giải", "Điểm", "Xếp hạng"))
    by_title = {r[header.index("Tên giải pháp")]: r for r in rows[4:]}
    assert by_title["Quy trình ủ phân hữu cơ từ phụ phẩm vải thiều"][prize] == "Nhất"
    assert by_title["Mô hình trồng nấm sò trên rơm rạ"][prize] == "cần Hội đồng quyết định"
    assert by_title["Bả sinh học diệt chuột bảo vệ lúa"][prize] == "cần Hội đồng quyết định"
    assert by_title["Thiết bị cảnh báo sạt lở taluy đường tỉnh 291"][prize] == "chưa đủ phiếu chấm"  # rule 1 left 2
    assert by_title["Thùng phân loại rác thông minh"][prize] == "Đặc biệt"
    assert by_title["Máy tách hạt vải thiều bán tự động"][score] == "88,83" and by_title["Máy tách hạt vải thiều bán tự động"][rank] == "1"
    scores = read_sheet(next(p for p in site.workbooks if p.endswith("contests.scores.xlsx")), "Phiếu chấm")
    status = scores[3].index("Tình trạng phiếu")
    verdicts = [r[status] for r in scores[4:]]
    assert sum(v.startswith("Bị loại: xung đột lợi ích") for v in verdicts) == 1
    assert sum("chênh lệch điểm lớn" in v for v in verdicts) == 3
    assert all(r.outcome == "ok" for r in site.results if "contests" in r.binding)


@pytest.fixture
def demo_unit(ctx, bg):
    return bg


def test_demo_data_hook_gives_office_rows_for_each_binding(demo_unit):
    from plugins.contests.demo import demo_rows
    from plugins.contests.models import Edition

    rows = demo_rows(demo_unit)
    assert set(rows) == {"contests.entries", "contests.judges", "contests.scores"}
    assert Edition.select().count() == 2  # no sheet holds editions: they are set up here
    assert all({"Cuộc thi", "Tên giải pháp", "Lĩnh vực"} <= set(r) for r in rows["contests.entries"])
    assert all(isinstance(r["STT giải pháp"], int) for r in rows["contests.scores"])
