"""The admin: requests with their filters, a request's page, the expert directory with its
load and history, reviews (rule 3 in the form), the calendar and the lookup lists."""
import datetime as dt
import re

import pytest

from tests.conftest import csrf_token
from tests.plugins.conftest import link, run_sync
from tests.plugins.critique.conftest import EXPERTS_SHEET, REQUESTS_SHEET

D = dt.date


@pytest.fixture
def sample_db(app, units, sample, today):
    """The sample workbook synced into unit A (Bắc Giang)."""
    with app.app_context():
        for name, worksheet in (("critique.experts", EXPERTS_SHEET), ("critique.requests", REQUESTS_SHEET)):
            run_sync(app, link(name, sample, worksheet, units["A"]))
    return sample


def request_id(app, title_start):
    from plugins.critique.models import Request

    with app.app_context():
        return Request.get(Request.title.startswith(title_start)).id


def records_on(page):
    """How many requests a list page shows (each has its details link)."""
    return len(set(re.findall(r'/admin/critique_request/details/\?id=\d+', page)))


def test_the_request_list_shows_windows_working_days_status_and_warnings(sample_db, login_as):
    client = login_as("viewer")
    page = client.get("/admin/critique_request/?page_size=50").get_data(as_text=True)
    assert "Quy hoạch chung đô thị Chũ, huyện Lục Ngạn đến năm 2040" in page
    assert "xung đột lợi ích: Giáp Thị Minh Linh" in page
    assert "Quá hạn" in page  # STT 23 and 26, as of 31/12/2023
    assert "Số ngày làm việc" in page and "Cảnh báo" in page


@pytest.mark.parametrize("flag,expected", [
    ("Thời gian góp ý quá ngắn", 10), ("Quá hạn", 2), ("Chưa có báo cáo tiếp thu, giải trình", 5),
    ("Xung đột lợi ích", 1),
])
def test_each_flag_is_a_filter(app, sample_db, login_as, flag, expected):
    view = next(v for v in app.extensions["phoihop_admin"]._views if getattr(v, "endpoint", "") == "critique_request")
    index = next(i for i, f in enumerate(view._filters) if str(f.name) == flag)
    client = login_as("viewer")
    shown = records_on(client.get(f"/admin/critique_request/?flt0_{index}=1&page_size=50").get_data(as_text=True))
    hidden = records_on(client.get(f"/admin/critique_request/?flt0_{index}=0&page_size=50").get_data(as_text=True))
    assert (shown, shown + hidden) == (expected, 22)


def test_filters_by_requester_form_kind_basis_and_status(app, sample_db, login_as):
    view = next(v for v in app.extensions["phoihop_admin"]._views if getattr(v, "endpoint", "") == "critique_request")
    client = login_as("viewer")

    def shown(name, value):
        index = next(i for i, f in enumerate(view._filters)
                     if str(f.name) == name and type(f).__name__ in ("FilterEqual", "StatusFilter"))
        page = client.get(f"/admin/critique_request/?flt0_{index}={value}&page_size=50")
        return records_on(page.get_data(as_text=True))

    assert shown("Cơ quan đề nghị", "Sở Xây dựng") == 1
    assert shown("Hình thức", "Phản biện") == 10
    assert shown("Loại", "Quy hoạch") == 2
    assert shown("Căn cứ", "Tự đề xuất") == 2
    assert shown("Trạng thái", "Quá hạn") == 2
    assert shown("Trạng thái", "Đã phản hồi") == 13


def test_a_requests_page_shows_its_team_conflicts_reviews_and_uptake(app, sample_db, login_as):
    client = login_as("editor")
    key = request_id(app, "Quy hoạch chung đô thị Chũ")
    page = client.get(f"/admin/critique_request/details/?id={key}").get_data(as_text=True)
    team = page[page.index('id="team"'):page.index("</table>", page.index('id="team"'))]
    assert team.index("Phan Thanh Thảo") < team.index("Giáp Thị Minh Linh") < team.index("Nguyễn Thu Huyền")
    assert "Chủ trì" in team and "công tác tại cơ quan đề nghị (Sở Xây dựng)" in team
    assert "7 ngày (5 ngày làm việc)" in page
    assert "8 kiến nghị" in page and "5 được tiếp thu (62,50 %)" in page
    # the conflicted expert gets no "Nhập ý kiến" link; the two others do
    assert page.count("Nhập ý kiến") == 2


def test_a_review_is_refused_for_a_conflicted_expert_and_for_one_off_the_team(app, sample_db, login_as):
    from core.models import Person
    from plugins.critique.models import Review

    client = login_as("editor")
    key = request_id(app, "Quy hoạch chung đô thị Chũ")
    with app.app_context():
        linh = Person.get(Person.full_name == "Giáp Thị Minh Linh").id
        thao = Person.get(Person.full_name == "Phan Thanh Thảo").id
        viet = Person.get(Person.full_name == "Lê Xuân Việt").id
    form = client.get(f"/admin/critique_review/new/?request_id={key}&person_id={thao}").get_data(as_text=True)
    person = re.search(r'<input[^>]*name="person"[^>]*>', form)[0]
    assert f'value="{thao}"' in person and "Chuyên gia" in form
    assert re.search(rf'<option selected value="{key}">Quy hoạch chung đô thị Chũ', form)
    token = csrf_token(client, "/admin/critique_review/new/")

    def post(person):
        return client.post("/admin/critique_review/new/", data={
            "csrf_token": token, "request": str(key), "person": str(person), "summary": "Đồng ý",
            "recommendation_count": "2", "submitted_on": "25/02/2023"}).get_data(as_text=True)

    assert "xung đột lợi ích: Giáp Thị Minh Linh công tác tại Sở Xây dựng" in post(linh)
    assert "không thuộc tổ chuyên gia" in post(viet)
    post(thao)
    with app.app_context():
        assert [(r.person_id, r.recommendation_count) for r in Review.select()] == [(thao, 2)]
    assert "đã có ý kiến cho nhiệm vụ này" in post(thao)
    page = client.get(f"/admin/critique_request/details/?id={key}").get_data(as_text=True)
    assert "25/02/2023" in page and page.count("Nhập ý kiến") == 1


def test_the_expert_directory_shows_each_experts_load_and_history(app, sample_db, login_as):
    from plugins.critique.models import Expert

    client = login_as("viewer")
    page = client.get("/admin/critique_expert/?page_size=50").get_data(as_text=True)
    assert "Trần Thị Anh" in page and "Đang thực hiện" in page and "Tổng số nhiệm vụ" in page
    with app.app_context():
        oanh = Expert.get(Expert.name == "Nguyễn Minh Oanh").id
    details = client.get(f"/admin/critique_expert/details/?id={oanh}").get_data(as_text=True)
    history = details[details.index('id="history"'):]
    # Nguyễn Minh Oanh: STT 10, 13, 20 and 25 (not sent yet), newest first
    assert history.count("/admin/critique_request/details/?id=") == 4
    assert history.index("hồ Khuôn Thần") < history.index("kè chống sạt lở bờ sông Thương")


def test_the_expert_load_counts_open_and_all_requests(app, sample_db):
    from plugins.critique.models import Expert
    from plugins.critique.filters import loads_of

    with app.app_context():
        people = {e.name: e.person_id for e in Expert.select()}
        loads = loads_of(people.values())
        # Nguyễn Minh Oanh: 10, 13, 20 (answered) and 25 (Đang thực hiện); Trần Thị Anh: 9, none open
        assert loads[people["Nguyễn Minh Oanh"]] == (1, 4)
        assert loads[people["Trần Thị Anh"]] == (0, 9)
        assert people["Nguyễn Đình Kiên"] not in loads
        # a blank status with no report is Tiếp nhận: open too
        from plugins.critique.models import Request

        Request.update(status=None).where(Request.title.startswith("Dự án kè chống sạt lở bờ sông Thương")).execute()
        Request.update(status=None, report_sent_on=None, accepted=None, recommendations=None).where(
            Request.title.startswith("Dự án Nhà máy xử lý rác thải")).execute()
        assert loads_of([people["Nguyễn Minh Oanh"]])[people["Nguyễn Minh Oanh"]] == (2, 4)


def test_a_request_made_in_the_admin_follows_the_rules(app, units, login_as, today):
    from core.models import Organisation
    from plugins.critique.models import Expert, Request, RequestForm, RequestKind, TeamMember
    from plugins.critique.models import ensure_lists

    with app.app_context():
        ensure_lists()
        org = Organisation.create(unit=units["A"], name="Sở Y tế")
        Expert.create(unit=units["A"], name="Lê Văn Bình")
        from plugins.critique.links import link_experts

        link_experts([(Expert.get(), {"name": "Lê Văn Bình"})])
        form, kind = RequestForm.get(RequestForm.name == "Tư vấn").id, RequestKind.get(RequestKind.name == "Đề án").id
    client = login_as("editor", units["A"])
    token = csrf_token(client, "/admin/critique_request/new/")
    data = {"csrf_token": token, "unit": str(units["A"].id), "title": "Đề án y tế cơ sở", "kind": str(kind),
            "form": str(form),
            "requester": str(org.id), "received_on": "10/04/2023", "deadline": "10/03/2023",
            "experts_text": "TS. Lê Văn Bình\nKS. Người Lạ", "status": "Tiếp nhận"}
    page = client.post("/admin/critique_request/new/", data=data).get_data(as_text=True)
    assert "Hạn góp ý (10/03/2023) trước ngày nhận (10/04/2023)" in page
    assert "chuyên gia &#39;Người Lạ&#39; không có trong danh sách chuyên gia" in page
    data.update(deadline="20/04/2023", experts_text="TS. Lê Văn Bình")
    assert client.post("/admin/critique_request/new/", data=data).status_code == 302
    with app.app_context():
        request = Request.get()
        assert (request.requester_name, request.window_days, request.unit_id) == ("Sở Y tế", 10, units["A"].id)
        assert [m.person.full_name for m in TeamMember.select()] == ["Lê Văn Bình"]
    # the status goes forward only
    edit = f"/admin/critique_request/edit/?id={request.id}"
    data.update(status="Đã phản hồi", report_sent_on="18/04/2023", recommendations="3", accepted="2")
    assert client.post(edit, data=data).status_code == 302
    data.update(status="Đang thực hiện")
    page = client.post(edit, data=data, follow_redirects=True).get_data(as_text=True)
    assert "không quay lại từ" in page
    with app.app_context():
        assert Request.get().status == "Đã phản hồi"


def test_the_calendar_is_read_by_everyone_and_edited_by_admins(app, units, login_as):
    from plugins.critique.calendar import ensure_calendar
    from plugins.critique.models import CalendarDay

    with app.app_context():
        ensure_calendar()
    client = login_as("admin")
    page = client.get("/admin/critique_calendar/?flt0_0=2025").get_data(as_text=True)  # Năm = 2025
    assert "Tết Nguyên Đán" in page and "26/04/2025" in page and "Làm bù" in page and "Thứ Bảy" in page
    token = csrf_token(client, "/admin/critique_calendar/new/")
    answer = client.post("/admin/critique_calendar/new/", data={"csrf_token": token, "day": "20/01/2023",
                                                                 "kind": "nghi_le", "name": "Trùng"})
    assert "đã có trong lịch" in answer.get_data(as_text=True)
    added = client.post("/admin/critique_calendar/new/", data={"csrf_token": token, "day": "12/06/2023",
                                                                "kind": "nghi_le", "name": "Nghỉ của tỉnh"})
    assert added.status_code == 302
    with app.app_context():
        added = CalendarDay.get(CalendarDay.day == D(2023, 6, 12))
        assert (added.kind, added.source) == ("nghi_le", None)


def test_the_request_list_costs_the_same_whatever_the_page(app, sample_db, login_as):
    from tests.core.test_people import QueryCount

    client = login_as("viewer")
    client.get("/admin/critique_request/?page_size=5")  # warm: the lookup lists' names
    counts = []
    for size in (5, 20):
        with QueryCount() as count:
            client.get(f"/admin/critique_request/?page_size={size}")
        counts.append(len(count))
    assert counts[0] == counts[1]


def test_a_user_of_another_unit_sees_nothing_of_unit_a(app, units, sample_db, login_as):
    from core.models import Person

    client = login_as("editor", units["B"])
    assert records_on(client.get("/admin/critique_request/?page_size=50").get_data(as_text=True)) == 0
    assert "Giáp Thị Minh Linh" not in client.get("/admin/critique_expert/").get_data(as_text=True)
    key = request_id(app, "Quy hoạch chung đô thị Chũ")
    assert client.get(f"/admin/critique_request/details/?id={key}").status_code == 404
    with app.app_context():
        thao = Person.get(Person.full_name == "Phan Thanh Thảo").id
    form = client.get(f"/admin/critique_review/new/?request_id={key}&person_id={thao}").get_data(as_text=True)
    assert "Quy hoạch chung đô thị Chũ" not in form  # neither offered nor filled in
    token = csrf_token(client, "/admin/critique_review/new/")
    answer = client.post("/admin/critique_review/new/", data={"csrf_token": token, "request": str(key),
                                                              "person": str(thao), "summary": "x"})
    assert answer.status_code == 200  # the form again, with its errors
    from plugins.critique.models import Review

    with app.app_context():
        assert Review.select().count() == 0
