"""The honours admin: rounds and their council page, nominations and their filters, the
honoured list as xlsx, a person's history across rounds and areas, the locked round."""
import html
import io
import re

import openpyxl
import pytest

from tests.conftest import csrf_token
from tests.plugins.conftest import link, run_sync
from tests.plugins.honours.conftest import HONOURED_2021, NOMINATIONS_2023, UNIT


@pytest.fixture
def synced(ctx, pt, sample):
    for worksheet in (HONOURED_2021, NOMINATIONS_2023):
        run_sync(ctx, link("honours.nominations", sample, worksheet, pt))
    return sample


def round_of(year):
    from plugins.honours.models import Round

    return Round.get(Round.year == year)


def nomination(name, year=2023):
    from plugins.honours.models import Nomination

    return Nomination.get(Nomination.full_name == name, Nomination.round == round_of(year))


def votes_form(client, item, votes, present=""):
    """The council page's form as a browser posts it: every input, with ``votes``
    (``{nomination id: (for, against)}``) typed in."""
    page = client.get(f"/admin/honours_round/council/?id={item.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, f"/admin/honours_round/council/?id={item.id}"), "id": item.id,
            "present": present}
    for nomination_id in re.findall(r'name="for-(\d+)"', page):
        given = votes.get(int(nomination_id), ("", ""))
        data[f"for-{nomination_id}"], data[f"against-{nomination_id}"] = given
    return data


def test_the_menu_has_the_three_views(ctx, login_as):
    page = login_as("admin").get("/admin/").get_data(as_text=True)
    assert "Tôn vinh trí thức" in page
    for endpoint in ("honours_round", "honours_nomination", "honours_category"):
        assert f"/admin/{endpoint}/" in page


def test_the_council_records_a_whole_rounds_votes_on_one_screen(ctx, synced, login_as, cli):
    from core.models import AuditLog
    from plugins.honours import rules

    assert cli("honours", "rounds", "add", "2023", "--unit", "PT", "--council-size", "13").exit_code == 0
    client = login_as("editor")
    item = round_of(2023)
    page = client.get(f"/admin/honours_round/council/?id={item.id}").get_data(as_text=True)
    assert "trên 6,5 phiếu" in page and "Dương Thế Trung" in page
    assert page.count('name="for-') == 46  # one per nomination: the merged row is not voted twice
    trung, vinh, minh = nomination("Dương Thế Trung"), nomination("Nguyễn Ngọc Vinh"), nomination("Thân Trọng Minh")
    form = votes_form(client, item, {trung.id: (12, 1), vinh.id: (6, 7), minh.id: (13, 0)}, present="13")
    answer = client.post("/admin/honours_round/council/", data=form)
    assert answer.status_code == 302
    assert nomination("Dương Thế Trung").result == rules.SELECTED
    assert nomination("Nguyễn Ngọc Vinh").result == rules.NOT_SELECTED  # 6 is not more than 6,5
    assert nomination("Thân Trọng Minh").result == rules.NOT_SELECTED  # not eligible, whatever the votes
    assert round_of(2023).members_present == 13
    lines = AuditLog.select().where(AuditLog.action == "council", AuditLog.actor == "editor@phoihop.test")
    assert {line.record_id for line in lines} >= {str(trung.id), str(vinh.id), str(minh.id)}


def test_bad_votes_change_nothing(ctx, synced, login_as, cli):
    assert cli("honours", "rounds", "add", "2023", "--unit", "PT", "--council-size", "13").exit_code == 0
    client = login_as("editor")
    item = round_of(2023)
    trung, vinh = nomination("Dương Thế Trung"), nomination("Nguyễn Ngọc Vinh")
    form = votes_form(client, item, {trung.id: (12, ""), vinh.id: (14, "")})
    answer = client.post("/admin/honours_round/council/", data=form, follow_redirects=True)
    assert "14 phiếu đồng ý nhiều hơn số thành viên hội đồng (13)" in answer.get_data(as_text=True)
    assert nomination("Dương Thế Trung").votes_for is None
    form = votes_form(client, item, {trung.id: ("mười", "")})
    assert "không phải số hợp lệ" in client.post("/admin/honours_round/council/", data=form,
                                                  follow_redirects=True).get_data(as_text=True)


def test_a_closed_round_is_changed_by_an_admin_only_and_audited(ctx, app, synced, client, make_user):
    from core.models import AuditLog
    from plugins.honours import rules
    from tests.conftest import login

    item = round_of(2021)
    nam = nomination("Thân Ngọc Nam", 2021)
    make_user("editor@phoihop.test", "editor")
    login(client, "editor@phoihop.test")
    page = client.get(f"/admin/honours_round/council/?id={item.id}").get_data(as_text=True)
    assert 'id="save-votes"' not in page and "đã khóa" in page
    form = votes_form(client, item, {nam.id: (9, "")})
    assert client.post("/admin/honours_round/council/", data=form).status_code == 403
    answer = client.post(f"/admin/honours_nomination/edit/?id={nam.id}", data={
        "csrf_token": form["csrf_token"], "unit": str(nam.unit_id), "year": "2021", "full_name": "Thân Ngọc Nam",
        "category": str(nam.category_id)}, follow_redirects=True)
    assert "đã khóa" in answer.get_data(as_text=True) and nomination("Thân Ngọc Nam", 2021).year_of_birth == 1976
    client.post("/logout", data={"csrf_token": form["csrf_token"]})
    make_user("admin@phoihop.test", "admin")
    login(client, "admin@phoihop.test")
    form = votes_form(client, item, {nam.id: (9, "")}, present="13")
    assert client.post("/admin/honours_round/council/", data=form).status_code == 302
    changed = nomination("Thân Ngọc Nam", 2021)
    assert (changed.votes_for, changed.result) == (9, rules.SELECTED)  # 9 of 13 present
    line = AuditLog.get(AuditLog.action == "council_locked", AuditLog.record_id == str(nam.id))
    assert line.actor == "admin@phoihop.test" and '"votes_for": 5' in line.before and '"votes_for": 9' in line.after


def test_closing_and_reopening_rounds_from_the_list(ctx, synced, login_as):
    from core.models import AuditLog

    client = login_as("editor")
    item = round_of(2023)
    token = csrf_token(client, "/admin/honours_round/")
    answer = client.post("/admin/honours_round/action/", data={"action": "close", "rowid": [item.id], "csrf_token": token})
    assert answer.status_code == 302 and round_of(2023).closed
    assert AuditLog.get(AuditLog.action == "close", AuditLog.record_id == str(item.id)).actor == "editor@phoihop.test"
    assert client.post("/admin/honours_round/action/", data={"action": "reopen", "rowid": [item.id],
                                                             "csrf_token": token}).status_code == 403
    admin = login_as("admin")
    token = csrf_token(admin, "/admin/honours_round/")
    admin.post("/admin/honours_round/action/", data={"action": "reopen", "rowid": [item.id], "csrf_token": token})
    assert not round_of(2023).closed


def test_the_honoured_list_exports_as_the_decisions_annex(ctx, synced, login_as, cli):
    assert cli("honours", "rounds", "add", "2021", "--unit", "PT", "--money", "Tân Tiến sĩ=2 triệu").exit_code == 0
    client = login_as("viewer")
    answer = client.get(f"/admin/honours_round/annex/?id={round_of(2021).id}")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "DANH SÁCH TRÍ THỨC KHOA HỌC VÀ CÔNG NGHỆ ĐƯỢC TÔN VINH NĂM 2021" and rows[1][0] == UNIT
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][:4] == ["STT", "Họ và tên", "Năm sinh", "Giới tính"] and "Hình thức tôn vinh" in rows[header]
    body = [r for r in rows[header + 1:] if isinstance(r[0], int)]
    assert sorted(r[1] for r in body) == sorted(["Trần Tiến Hải", "Nguyễn Thị Thanh Nhung", "Nguyễn Văn Tâm",
                                                 "Hoàng Văn Lâm", "Nguyễn Xuân Thắng", "Trần Thị Thu Trang"])
    money = rows[header].index("Tiền thưởng (đồng)")
    assert {r[1]: r[money] for r in body}["Trần Tiến Hải"] == 2_000_000
    assert rows[-1][0] == "Tổng cộng" and rows[-1][1] == "6 người"


def test_nominations_filter_by_round_category_nominator_result_gender_and_field(ctx, synced, login_as):
    client = login_as("viewer")

    def names(query):
        page = client.get(f"/admin/honours_nomination/?{query}").get_data(as_text=True)
        return set(re.findall(r'<td class="col-full_name">\s*(.*?)\s*</td>', page))

    view = next(v for v in ctx.extensions["phoihop_admin"]._views if v.endpoint == "honours_nomination")
    index = {f.name: i for i, f in enumerate(view._filters)}
    item = round_of(2021)
    assert len(names(f"flt0_{index['Đợt tôn vinh']}={item.id}")) == 7
    assert names(f"flt0_{index['Kết quả']}=khong") == {"Thân Ngọc Nam"}
    assert names(f"flt0_{index['Đơn vị đề cử']}=Hội Y học") >= {"Nguyễn Ngọc Hằng", "Hoàng Thị Chi"}
    women = names(f"flt0_{index['Giới tính']}=nu&page_size=100")
    assert "Nguyễn Thị Thanh Nhung" in women and "Dương Thế Trung" not in women
    assert "Nguyễn Văn Bình" in names(f"flt0_{index['Lĩnh vực']}=Giáo dục&page_size=100")
    from plugins.honours.models import Category

    doctors = names(f"flt0_{index['Hình thức tôn vinh']}={Category.get(Category.name == 'Tân Tiến sĩ').id}&page_size=100")
    assert "Nguyễn Văn Bình" in doctors and "Dương Thế Trung" not in doctors


def test_a_persons_history_across_rounds_and_areas(ctx, synced, login_as):
    from core.models import Person

    nhung = Person.get(Person.full_name == "Nguyễn Thị Thanh Nhung")
    client = login_as("viewer")
    page = client.get(f"/admin/honours_nomination/person/?id={nhung.id}").get_data(as_text=True)
    assert page.count("Trí thức KH&amp;CN tiêu biểu") == 2 and "2021" in page and "2023" in page
    details = client.get(f"/admin/person/details/?id={nhung.id}").get_data(as_text=True)
    assert "Lịch sử tôn vinh, giải thưởng và công việc chuyên gia" in details and "Được tôn vinh" in details
    assert client.get("/admin/honours_nomination/person/?id=987654321").status_code == 404


def test_another_areas_records_show_in_the_history(ctx, synced, login_as):
    """A contest entry's author, through the kit only: the entries binding shows the entry
    as its sheet does, prize included."""
    from core.models import Person
    from plugins.contests.models import Edition, Entry, EntryAuthor, ContestKind, ensure_catalog

    ensure_catalog()
    nhung = Person.get(Person.full_name == "Nguyễn Thị Thanh Nhung")
    edition = Edition.create(unit=nhung.unit_id, kind=ContestKind.get(), name="Hội thi Sáng tạo kỹ thuật tỉnh lần thứ 14")
    entry = Entry.create(unit=nhung.unit_id, edition=edition, title="Giống chè PH11", authors="Nguyễn Thị Thanh Nhung")
    EntryAuthor.create(entry=entry, person=nhung)
    page = login_as("viewer").get(f"/admin/honours_nomination/person/?id={nhung.id}").get_data(as_text=True)
    assert "Giống chè PH11" in page and "Giải pháp dự thi" in page


def test_expert_work_shows_in_the_history(ctx, synced, login_as):
    """A critique request's expert, through the kit only: the request as its sheet shows it."""
    from core.models import Person
    from plugins.critique.models import Expert, Request, TeamMember

    hai = Person.get(Person.full_name == "Trần Tiến Hải")
    expert = Expert.create(unit=hai.unit_id, name="Trần Tiến Hải", person=hai, title="TS")
    request = Request.create(unit=hai.unit_id, title="Dự thảo Đề án phát triển vùng chè", experts_text="TS. Trần Tiến Hải")
    TeamMember.create(request=request, person=hai, expert=expert)
    page = login_as("viewer").get(f"/admin/honours_nomination/person/?id={hai.id}").get_data(as_text=True)
    assert "Dự thảo Đề án phát triển vùng chè" in page and "Tân Tiến sĩ" in page


@pytest.fixture
def pm():
    """The built-ins with the honours, contests and critique plugins (a history across areas)."""
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    names = (*DEFAULT_PLUGINS, "plugins.honours", "plugins.contests", "plugins.critique")
    return get_plugin_manager(builtins=tuple(dict.fromkeys(names)), entry_points=False)


def test_a_user_of_another_unit_sees_neither_the_rounds_nor_the_people(ctx, synced, login_as):
    from core.models import Person, Unit

    other = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
    client = login_as("editor", other)
    assert client.get(f"/admin/honours_round/council/?id={round_of(2023).id}").status_code == 404
    nhung = Person.get(Person.full_name == "Nguyễn Thị Thanh Nhung")
    assert client.get(f"/admin/honours_nomination/person/?id={nhung.id}").status_code == 404
    assert client.get(f"/admin/honours_round/annex/?id={round_of(2021).id}").status_code == 404


def test_a_nomination_made_in_the_admin_is_linked_and_checked(ctx, synced, login_as):
    from plugins.honours.models import Category, Nomination

    client = login_as("editor")
    token = csrf_token(client, "/admin/honours_nomination/new/")
    answer = client.post("/admin/honours_nomination/new/", data={
        "csrf_token": token, "unit": str(round_of(2023).unit_id), "year": "2023", "full_name": "Nguyễn Thị Thanh Nhung",
        "year_of_birth": "1971", "category": str(Category.get(Category.name == "Trí thức KH&CN tiêu biểu").id),
        "nominator_name": "Hội Khoa học Chè tỉnh", "achievements": "- Giống chè PH12"})
    assert answer.status_code == 302
    made = Nomination.get(Nomination.nominator_name == "Hội Khoa học Chè tỉnh")
    first = Nomination.get(Nomination.source_key.is_null(False), Nomination.full_name == "Nguyễn Thị Thanh Nhung",
                           Nomination.round == round_of(2023))
    assert made.merged_into_id == first.id and made.person_id == first.person_id
    assert made.status.startswith("Gộp với dòng 39: 2 đơn vị đề cử")
    answer = client.post("/admin/honours_nomination/new/", data={
        "csrf_token": token, "unit": str(round_of(2023).unit_id), "year": "2023", "full_name": "Lê Văn Mới",
        "year_of_birth": "2031", "category": str(Category.get(Category.name == "Tân Tiến sĩ").id)})
    assert answer.status_code == 200 and "ở tương lai" in answer.get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "987654321", ""])
def test_ids_that_name_nothing_are_not_found_on_the_pages(ctx, login_as, value):
    client = login_as("admin")
    for path in ("/admin/honours_round/council/", "/admin/honours_round/annex/", "/admin/honours_nomination/person/"):
        assert client.get(f"{path}?id={value}").status_code == 404, path
    token = csrf_token(client, "/admin/")
    assert client.post("/admin/honours_round/council/", data={"id": value, "csrf_token": token}).status_code == 404


def test_a_round_with_nominations_is_not_deleted(ctx, synced, login_as):
    from plugins.honours.models import Round

    client = login_as("admin")
    token = csrf_token(client, "/admin/honours_round/")
    answer = client.post("/admin/honours_round/delete/", data={"id": round_of(2021).id, "csrf_token": token},
                         follow_redirects=True)
    assert "có 7 đề cử" in answer.get_data(as_text=True) and Round.select().count() == 2
    empty = Round.create(unit=round_of(2021).unit_id, year=2025)
    client.post("/admin/honours_round/delete/", data={"id": empty.id, "csrf_token": token})
    assert Round.select().count() == 2


def test_an_admin_changes_a_categorys_eligibility_and_the_outcomes_follow(ctx, synced, login_as):
    from plugins.honours.models import Category

    client = login_as("admin")
    category = Category.get(Category.name == "Trí thức KH&CN tiêu biểu")
    assert client.get(f"/admin/honours_category/edit/?id={category.id}").status_code == 200
    token = csrf_token(client, f"/admin/honours_category/edit/?id={category.id}")
    answer = client.post(f"/admin/honours_category/edit/?id={category.id}", data={
        "csrf_token": token, "name": category.name, "aliases": category.aliases, "academic_title": "",
        "degrees": "", "window": "", "province_link": "y", "min_achievements": "0", "repeatable": "y",
        "sort_order": "50", "active": "y"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    changed = Category.get_by_id(category.id)
    assert changed.min_achievements == 0 and changed.window in (None, "")
    assert nomination("Hoàng Đình Quân").status is None  # no achievement needed any more


def test_a_round_is_set_up_in_its_form_with_its_award_money(ctx, synced, login_as):
    from plugins.honours.rounds import money_of

    client = login_as("editor")
    item = round_of(2023)
    path = f"/admin/honours_round/edit/?id={item.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Tiền thưởng theo hình thức" in page
    form = {"csrf_token": csrf_token(client, path), "unit": str(item.unit_id), "year": "2023",
            "ceremony_date": "17/05/2023", "council_size": "13", "members_present": "", "threshold_share": "50",
            "council_members": "Nguyễn Văn A\nTrần Thị B", "budget": "150 triệu",
            "award_money": "Tân Tiến sĩ=sáu triệu"}
    answer = client.post(path, data=form)
    assert answer.status_code == 200
    assert 'Số tiền "sáu triệu" không phải số tiền hợp lệ' in html.unescape(answer.get_data(as_text=True))
    form["award_money"] = "Tân Tiến sĩ=2 triệu; Trí thức KH&CN tiêu biểu=3.000.000"
    assert client.post(path, data=form).status_code == 302
    changed = round_of(2023)
    assert (changed.council_size, changed.budget, changed.council_members, str(changed.ceremony_date)) == (
        13, 150_000_000, "Nguyễn Văn A; Trần Thị B", "2023-05-17")
    assert sorted(money_of([changed.id]).values()) == [2_000_000, 3_000_000]
    locked = round_of(2021)
    path = f"/admin/honours_round/edit/?id={locked.id}"
    form.update({"csrf_token": csrf_token(client, path), "year": "2021", "award_money": ""})
    answer = client.post(path, data=form, follow_redirects=True)
    assert "đã khóa: chỉ quản trị viên được sửa" in answer.get_data(as_text=True) and round_of(2021).council_size is None


def test_the_nominations_list_sorts_by_each_of_its_columns(ctx, synced, login_as):
    """Every ``sort=`` index a list header can send answers the list, sorted or not."""
    client = login_as("admin")
    for index in range(12):
        for desc in ("0", "1"):
            answer = client.get(f"/admin/honours_nomination/?sort={index}&desc={desc}")
            assert answer.status_code == 200, (index, desc)
