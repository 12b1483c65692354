"""The admin of the contests area on the synced sample: the ranking page, the council's
override (audited), the decision annex and follow-up exports, certificates (print, public
check, revocation), filters and search, unit scoping and the CSP."""
import io
import re
from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import csrf_token
from tests.plugins.contests.conftest import TECHNICAL, TECHNICAL_BOOK, TECHNICAL_SCORES

TECH_KIND = "Hội thi Sáng tạo kỹ thuật"
FIELD_IV = "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"


@pytest.fixture
def synced(app, cli, sample):
    """The technical sample synced, with quotas that leave the STT 32/34 tie contested."""
    path = sample(TECHNICAL_BOOK)
    assert cli("units", "add", "Liên hiệp hội tỉnh Bắc Giang", "--code", "BG").exit_code == 0
    assert cli("units", "add", "Liên hiệp hội tỉnh Phú Thọ", "--code", "PT").exit_code == 0
    added = cli("contests", "editions", "add", TECHNICAL, "--kind", TECH_KIND, "--unit", "BG", "--quota", "Nhất=1",
                "--quota", "Nhì=1", "--quota", "Ba=1", "--quota", "Khuyến khích=2", "--money", "Nhất=5 triệu",
                "--money", "Nhì=2 lương cơ sở", "--decision-number", "125/QĐ-LHH", "--decision-date", "20/10/2021")
    assert added.exit_code == 0, added.output
    for name, worksheet in [("contests.entries", "Giải pháp dự thi"), ("contests.judges", "Giám khảo"),
                            *(("contests.scores", s) for s in TECHNICAL_SCORES)]:
        assert cli("sheets", "link", name, str(path), "--worksheet", worksheet, "--unit", "BG").exit_code == 0
    assert cli("contests", "sync").exit_code == 1  # the README's invalid rows
    with app.app_context():
        from core.models import Unit
        from plugins.contests.models import Edition

        return {"edition": Edition.get(Edition.name == TECHNICAL).id, "path": path,
                "units": {u.code: u for u in Unit.select()}}


def entry_id(app, number):
    with app.app_context():
        from plugins.contests.models import Entry

        return Entry.get(Entry.number == str(number)).id


def test_ranking_page_shows_judges_scores_flags_prizes_and_contested_quota(app, synced, login_as):
    client = login_as("editor")
    page = client.get(f"/admin/contests_edition/ranking/?id={synced['edition']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for judge in ("Vũ Hữu Phúc", "Nguyễn Thị Hồng Hậu", "Trần Đức Huy"):
        assert f"<th>{judge}</th>" in html
    assert "xung đột lợi ích" in html  # the rejected score, struck out with its reason
    assert "chênh lệch điểm lớn (27,5 điểm)" in html
    assert "chưa đủ phiếu chấm" in html
    contested = re.search(r'<div class="alert alert-warning" id="contested">(.*?)</div>', html, re.S).group(1)
    assert FIELD_IV in contested and "84,5" in contested and "STT 32" in contested and "STT 34" in contested
    assert "Ba (1); Khuyến khích (1)" in contested
    row = re.search(rf'<tr id="entry-{entry_id(app, 11)}">(.*?)</tr>', html, re.S).group(1)
    assert "89,25" in row and "<td>Nhất</td>" in row
    assert 'nonce' not in row and "style=" not in html.split("<body")[1].split("</nav>")[-1]  # no inline style
    one_field = client.get(f"/admin/contests_edition/ranking/?id={synced['edition']}&field=999999")
    assert one_field.status_code == 200 and "ranking\" id=\"panel-" not in one_field.get_data(as_text=True)


def test_override_by_the_council_is_audited_and_reaches_the_sheet(app, cli, synced, login_as):
    from core.models import AuditLog
    from plugins.contests.models import Entry, PrizeTier

    client = login_as("editor")
    token = csrf_token(client, f"/admin/contests_edition/ranking/?id={synced['edition']}")
    with app.app_context():
        ba = PrizeTier.select().join(Entry.edition.rel_model.kind.rel_model).where(PrizeTier.name == "Ba").first()
        ba_id = PrizeTier.get(PrizeTier.name == "Ba", PrizeTier.kind == Entry.get_by_id(entry_id(app, 32)).edition.kind).id
        assert ba is not None
    answer = client.post("/admin/contests_edition/override/", data={
        "csrf_token": token, "entry": entry_id(app, 32), "tier": ba_id, "note": "Hội đồng bỏ phiếu 5/7"})
    assert answer.status_code == 302
    answer = client.post("/admin/contests_edition/override/", data={
        "csrf_token": token, "entry": entry_id(app, 34), "tier": "khong-giai"})
    assert answer.status_code == 302
    with app.app_context():
        first, second = Entry.get_by_id(entry_id(app, 32)), Entry.get_by_id(entry_id(app, 34))
        assert first.overridden and first.final_tier_id == ba_id and first.overridden_by == "editor@phoihop.test"
        assert first.overridden_at is not None and first.override_note == "Hội đồng bỏ phiếu 5/7"
        assert second.overridden and second.final_tier_id is None
        audit = AuditLog.select().where(AuditLog.action == "override").order_by(AuditLog.id)
        assert [(a.actor, a.record_id) for a in audit] == [("editor@phoihop.test", str(first.id)),
                                                           ("editor@phoihop.test", str(second.id))]
        assert '"override_tier": null' in audit[0].before and f'"override_tier": {ba_id}' in audit[0].after
    cli("contests", "sync")
    from tests.plugins.contests.test_sync_samples import entries_table

    table = entries_table(synced["path"], "Giải pháp dự thi", 7)
    assert table[32]["Giải"] == "Ba" and table[34]["Giải"] is None


def test_a_viewer_may_not_override(app, synced, login_as):
    client = login_as("viewer")
    token = csrf_token(client, f"/admin/contests_edition/ranking/?id={synced['edition']}")
    page = client.get(f"/admin/contests_edition/ranking/?id={synced['edition']}").get_data(as_text=True)
    assert "override" not in page
    answer = client.post("/admin/contests_edition/override/", data={"csrf_token": token, "entry": entry_id(app, 32),
                                                                    "tier": "khong-giai"})
    assert answer.status_code == 403


def test_another_units_editor_gets_404s(app, synced, login_as):
    client = login_as("editor", synced["units"]["PT"])
    assert client.get(f"/admin/contests_edition/ranking/?id={synced['edition']}").status_code == 404
    assert client.get(f"/admin/contests_edition/annex/?id={synced['edition']}").status_code == 404
    token = csrf_token(client, "/admin/")
    answer = client.post("/admin/contests_edition/override/", data={"csrf_token": token, "entry": entry_id(app, 32),
                                                                    "tier": "khong-giai"})
    assert answer.status_code == 404
    listing = client.get("/admin/contests_entry/").get_data(as_text=True)
    assert "Hệ thống giám sát hành trình xe buýt" not in listing


def test_decision_annex_is_an_xlsx_with_vietnamese_headers_and_neutralised_cells(app, synced, login_as):
    client = login_as("viewer")
    answer = client.get(f"/admin/contests_edition/annex/?id={synced['edition']}")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(["STT", "Tên giải pháp", "Tác giả", "Đơn vị/Địa chỉ", "Đơn vị giới thiệu", "Lĩnh vực", "Điểm",
                         "Giải", "Tiền thưởng (đồng)"])
    body = rows[header + 1:]
    tiers = [r[7] for r in body]
    assert tiers == sorted(tiers, key=["Nhất", "Nhì", "Ba", "Khuyến khích"].index)  # best tier first
    assert tiers.count("Nhất") == 6  # one per field
    # the formula-looking title of STT 58 (Giáo dục's Nhất) is text, never a formula
    hyperlink = [r for r in body if str(r[1]).startswith("'=HYPERLINK")]
    assert len(hyperlink) == 1 and hyperlink[0][7] == "Nhất"
    assert {r[8] for r in body if r[7] == "Nhất"} == {5_000_000}
    assert {r[8] for r in body if r[7] == "Nhì"} == {2 * 1_490_000}  # the base salary on 20/10/2021
    assert rows[2][0] == "(Kèm theo Quyết định số 125/QĐ-LHH ngày 20/10/2021)"
    assert {r[8] for r in body if r[7] in ("Ba", "Khuyến khích")} == {None}


def body_of(data, first_header):
    """The rows below the header row (the one whose second cell is ``first_header``)."""
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == first_header)
    return rows[start + 1:]


def test_follow_up_lists_as_xlsx_and_csv(app, synced, login_as):
    from plugins.contests.models import Entry

    with app.app_context():
        winner = Entry.get_by_id(entry_id(app, 11))
        Entry.update(sent_national=True, national_prize="Giải Ba toàn quốc").where(Entry.id == winner.id).execute()
        Entry.update(sent_national=True, national_prize="Khuyến khích").where(Entry.id == entry_id(app, 7)).execute()
    client = login_as("editor")
    answer = client.get(f"/admin/contests_edition/followup/?id={synced['edition']}&list=thuong-giai-toan-quoc&format=csv")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    lines = answer.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "STT,Tên giải pháp,Tác giả,Lĩnh vực,Giải cấp tỉnh,Giải toàn quốc,Đơn vị giới thiệu"
    assert len(lines) == 2 and "Hệ thống giám sát hành trình xe buýt nội tỉnh" in lines[1] and "Giải Ba" in lines[1]
    labour = client.get(f"/admin/contests_edition/followup/?id={synced['edition']}&list=lao-dong-sang-tao")
    rows = body_of(labour.data, "Họ và tên")
    names = {r[1] for r in rows}
    assert "Nguyễn Thị Hậu" in names and "Vũ Ngọc Chiến" not in names  # an author of STT 11 (Nhất); STT 1 won nothing
    youth = client.get(f"/admin/contests_edition/followup/?id={synced['edition']}&list=tuoi-tre-sang-tao")
    rows = body_of(youth.data, "Họ và tên")
    assert rows and all(r[7] == "Chưa rõ năm sinh: cần kiểm tra độ tuổi" for r in rows)  # the sample has no birth years
    assert client.get(f"/admin/contests_edition/followup/?id={synced['edition']}&list=khac").status_code == 404
    assert login_as("viewer", email="v2@phoihop.test").get(
        f"/admin/contests_edition/followup/?id={synced['edition']}&list=lao-dong-sang-tao").status_code == 200


def test_certificates_print_check_publicly_and_revoke(app, synced, login_as):
    from plugins.contests.models import Certificate

    client = login_as("editor")
    token = csrf_token(client, "/admin/contests_entry/")
    ids = [entry_id(app, 11), entry_id(app, 1)]  # a Nhất and an entry without a prize
    answer = client.post("/admin/contests_entry/action/", data={"csrf_token": token, "action": "certificate",
                                                                  "rowid": ids})
    assert answer.status_code == 302
    with app.app_context():
        issued = list(Certificate.select())
        assert len(issued) == 1 and issued[0].tier_name == "Nhất"
        code, cert_id = issued[0].code, issued[0].id
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    printed = client.get(f"/admin/contests_certificate/print/?id={cert_id}")
    html = printed.get_data(as_text=True)
    assert printed.status_code == 200 and "GIẤY CHỨNG NHẬN" in html and code in html and f"/xac-minh/{code}" in html
    assert "<script" not in html and "style=" not in html
    public = app.test_client()  # nobody logged in
    page = public.get(f"/xac-minh/{code.lower().replace('-', '')}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Giấy chứng nhận hợp lệ" in text and "Hệ thống giám sát hành trình" in text
    assert "Content-Security-Policy" in page.headers and "<script" not in text
    assert "Tác giả" in text and "Điểm" not in text  # its own facts only
    assert public.get("/xac-minh/AAAA-BBBB-CCCC-DDDD").status_code == 404
    assert public.get("/xac-minh/%3Cscript%3E").status_code == 404
    # issuing again gives no second certificate in force
    client.post("/admin/contests_entry/action/", data={"csrf_token": token, "action": "certificate", "rowid": ids})
    with app.app_context():
        assert Certificate.select().count() == 1
    answer = client.post("/admin/contests_certificate/action/", data={"csrf_token": token, "action": "revoke",
                                                                        "rowid": [cert_id]})
    assert answer.status_code == 302
    text = public.get(f"/xac-minh/{code}").get_data(as_text=True)
    assert "đã bị thu hồi" in text and "Thu hồi theo quyết định của Ban tổ chức" in text


def test_entries_list_filters_and_search(app, synced, login_as):
    from plugins.contests.models import ContestField

    client = login_as("viewer")
    with app.app_context():
        field_iv = ContestField.get(ContestField.name == FIELD_IV).id
    page = client.get("/admin/contests_entry/").get_data(as_text=True)
    filters = re.findall(r'<a href="javascript:void\(0\)" class="dropdown-item filter">([^<]+)</a>', page)
    assert {"Cuộc thi", "Lĩnh vực", "Đơn vị giới thiệu", "Giải"} <= set(filters)

    def listed(query):
        html = client.get(f"/admin/contests_entry/?{query}").get_data(as_text=True)
        return re.findall(r'<td class="col-number">\s*(\d+)\s*</td>', html)

    view = next(v for v in app.extensions["phoihop_admin"]._views if getattr(v, "endpoint", "") == "contests_entry")
    names = {f.name: i for i, f in reversed(list(enumerate(view._filters)))}  # a name's first filter
    by_field = listed(f"flt0_{names['Lĩnh vực']}={field_iv}")
    assert sorted(map(int, by_field)) == [31, 32, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43]
    assert sorted(map(int, listed(f"flt0_{names['Giải']}=hoi-dong"))) == [32, 34]
    assert listed(f"flt0_{names['Giải']}=chua-du") == ["25"]
    assert len(listed(f"flt0_{names['Giải']}=Nhất")) == 6
    assert sorted(map(int, listed("search=Tr%E1%BA%A7n+Th%E1%BB%8B+Oanh"))) == [42]  # an author
    assert listed("search=T%C3%A1i+ch%E1%BA%BF+d%E1%BA%A7u") == ["30"]  # part of a title
    assert client.get(f"/admin/contests_entry/?flt0_{names['Cuộc thi']}=abc").status_code == 200


def test_an_editor_saves_an_entry_in_a_field_the_edition_lacks_and_is_refused(app, synced, login_as):
    from plugins.contests.models import ContestField, Entry

    client = login_as("editor")
    with app.app_context():
        youth_field = ContestField.get(ContestField.name == "Đồ dùng học tập").id
        entry = Entry.get_by_id(entry_id(app, 1))
        unit, edition = entry.unit_id, entry.edition_id
    token = csrf_token(client, f"/admin/contests_entry/edit/?id={entry_id(app, 1)}")
    answer = client.post(f"/admin/contests_entry/edit/?id={entry_id(app, 1)}", data={
        "csrf_token": token, "unit": unit, "edition": edition, "title": "Ứng dụng IoT", "field": youth_field})
    assert answer.status_code == 200 and "không thuộc các lĩnh vực của" in answer.get_data(as_text=True)


def test_editing_a_score_in_the_admin_recomputes_the_entry(app, synced, login_as):
    from plugins.contests.models import Entry, Score

    client = login_as("editor")
    with app.app_context():
        score = Score.get(Score.judge_name == "Hoàng Thị Mai", Score.entry_number == 24)
        data = {"unit": score.unit_id, "entry": score.entry_id, "judge": score.judge_id, "given_total": "91"}
        score_id = score.id
    token = csrf_token(client, f"/admin/contests_score/edit/?id={score_id}")
    answer = client.post(f"/admin/contests_score/edit/?id={score_id}", data={"csrf_token": token, **data})
    assert answer.status_code == 302
    with app.app_context():
        assert Entry.get_by_id(entry_id(app, 24)).score == Decimal("84.67")  # (84 + 79 + 91) / 3
    data["given_total"] = "101"
    answer = client.post(f"/admin/contests_score/edit/?id={score_id}", data={"csrf_token": token, **data})
    assert answer.status_code == 200 and "vượt thang điểm 100" in answer.get_data(as_text=True)


def test_an_edition_set_up_in_the_admin_with_its_tier_settings(app, login_as, units):
    from plugins.contests.models import ContestKind, Edition, EditionBoardMember, EditionFunding, EditionTier, ensure_catalog

    with app.app_context():
        ensure_catalog()
        kind = ContestKind.get(ContestKind.name == "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng")
    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/contests_edition/new/")
    form = {"csrf_token": token, "unit": units["A"].id, "kind": kind.id, "name": "Cuộc thi lần thứ 17  (2023-2024)",
            "board_members": "Sở Giáo dục và Đào tạo\nTỉnh đoàn", "rounds": "Sơ khảo; Chung khảo", "min_valid_scores": "3",
            "spread_limit": "20", "max_score": "100", "quota_scope": "edition", "scoring": "mean", "jury_points": "80",
            "vote_points": "20", "quotas": "Đặc biệt=1; Giải Nhất=2\nNhì=3", "minimums": "Khuyến khích=60,5",
            "prize_money": "Đặc biệt=3 triệu; Nhất=1,5 lương cơ sở", "funding_text": "Ngân sách nhà nước: 50 triệu\n"
            "Xã hội hóa (Công ty CP Phân đạm Hà Bắc): 20.000.000"}
    answer = client.post("/admin/contests_edition/new/", data={**form, "quotas": "Hạng A=1"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Hạng giải &#34;Hạng A&#34; không có trong Cuộc thi Sáng tạo thanh thiếu niên" in html
    answer = client.post("/admin/contests_edition/new/", data={**form, "funding_text": "Quỹ đen: 5 triệu"})
    assert answer.status_code == 200 and "cần dạng" in answer.get_data(as_text=True)
    answer = client.post("/admin/contests_edition/new/", data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    with app.app_context():
        edition = Edition.get()
        assert edition.name == "Cuộc thi lần thứ 17 (2023-2024)" and edition.unit_id == units["A"].id
        settings = {t.tier.name: (t.quota, t.min_score, t.money, t.money_multiple) for t in EditionTier.select()}
        assert settings == {"Đặc biệt": (1, None, 3_000_000, None), "Nhất": (2, None, None, Decimal("1.5")),
                            "Nhì": (3, None, None, None), "Khuyến khích": (None, Decimal("60.5"), None, None)}
        assert [(f.source, f.sponsor, f.amount) for f in EditionFunding.select().order_by(EditionFunding.id)] == [
            ("ngan_sach", None, 50_000_000), ("xa_hoi_hoa", "Công ty CP Phân đạm Hà Bắc", 20_000_000)]
        assert [m.organisation.name for m in EditionBoardMember.select().order_by(EditionBoardMember.position)] == [
            "Sở Giáo dục và Đào tạo", "Tỉnh đoàn"]
    page = client.get(f"/admin/contests_edition/edit/?id={edition.id}").get_data(as_text=True)
    assert "Đặc biệt=1; Nhất=2; Nhì=3" in page and "Nhất=1,5 lương cơ sở" in page
    assert "Xã hội hóa (Công ty CP Phân đạm Hà Bắc): 20.000.000" in page


def test_every_contests_view_shows_its_records(app, synced, login_as):
    """List, details, edit and export of a real record in every view (the roles test only
    reaches records of the core's views)."""
    from plugins.contests.models import Certificate
    from plugins.contests import certificates

    with app.app_context():
        from plugins.contests.models import Entry

        from plugins.contests.models import ContestField, Criterion, CriterionWeight

        certificates.issue([Entry.get(Entry.number == "11")], "admin@phoihop.test")
        assert Certificate.select().count() == 1
        CriterionWeight.create(criterion=Criterion.select().first(), field=ContestField.get(ContestField.name == "Y dược"),
                               weight=2)
    client = login_as("admin")
    views = [v for v in app.extensions["phoihop_admin"]._views if getattr(v, "endpoint", "").startswith("contests_")]
    assert len(views) == 11
    for view in views:
        with app.app_context():
            key = view.model.select().first().get_id()
        base = f"/admin/{view.endpoint}"
        assert client.get(f"{base}/").status_code == 200, view.endpoint
        assert client.get(f"{base}/details/?id={key}").status_code == 200, view.endpoint
        if view.can_edit:
            assert client.get(f"{base}/edit/?id={key}").status_code == 200, view.endpoint
        answer = client.get(f"{base}/export/xlsx/")
        assert answer.status_code == 200, view.endpoint
