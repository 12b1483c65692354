"""The two bindings on small office-like workbooks: what a row error is, what follows an
edit, the directory, the calendar and today — and a chunk's constant cost."""
import datetime as dt

import pytest

from core.db import database
from tests.core.test_people import QueryCount
from tests.plugins.conftest import link, make_workbook, run_sync
from tests.plugins.critique.conftest import table_of

D = dt.date
EXPERT_HEADER = ["STT", "Họ và tên", "Học hàm, học vị", "Chuyên ngành", "Đơn vị công tác", "Hội thành viên"]
EXPERTS = [
    [1, "Lê Xuân Việt", "PGS.TS", "Kinh tế nông nghiệp", "Trường Đại học Nông - Lâm Bắc Giang", "Hội Khoa học Kinh tế tỉnh"],
    [2, "Giáp Thị Minh Linh", "ThS", "Xây dựng", "Sở Xây dựng", "Hội Kiến trúc sư tỉnh"],
    [3, "Trần Thị Anh", "ThS", "Kinh tế phát triển", "Trường Đại học Nông - Lâm Bắc Giang", "Hội Khoa học Kinh tế tỉnh"],
]
REQUEST_HEADER = ["STT", "Tên nhiệm vụ", "Loại", "Hình thức", "Cơ quan đề nghị", "Căn cứ", "Ngày nhận", "Hạn góp ý",
                  "Hồ sơ đầy đủ", "Chuyên gia", "Trạng thái", "Ngày gửi báo cáo", "Số kiến nghị",
                  "Số kiến nghị được tiếp thu"]


def request_row(n, **cells):
    """A request row as header → cell: answered, 28 days, complete, unless ``cells`` say."""
    return {"STT": n, "Tên nhiệm vụ": f"Đề án số {n}", "Loại": "Đề án", "Hình thức": "Tư vấn",
            "Cơ quan đề nghị": "Sở Công Thương", "Căn cứ": "Đặt hàng", "Ngày nhận": "03/07/2023",
            "Hạn góp ý": "31/07/2023", "Hồ sơ đầy đủ": "Có", "Chuyên gia": "PGS.TS. Lê Xuân Việt; ThS. Trần Thị Anh",
            "Trạng thái": "Đã phản hồi", "Ngày gửi báo cáo": "28/07/2023", "Số kiến nghị": 4,
            "Số kiến nghị được tiếp thu": 3, **cells}


@pytest.fixture
def book(tmp_path):
    def make(rows, extra=()):
        header = REQUEST_HEADER + list(extra)
        return make_workbook(tmp_path / "tvpb.xlsx", {
            "Nhiệm vụ": [["THEO DÕI NHIỆM VỤ TƯ VẤN, PHẢN BIỆN"], header, *([row.get(h) for h in header] for row in rows)],
            "Chuyên gia": [["DANH SÁCH CHUYÊN GIA"], [], EXPERT_HEADER, *EXPERTS],
        })

    return make


@pytest.fixture
def synced(ctx, bg, book, today):
    """``synced(rows)``: the directory and the requests linked and synced; the requests'
    summary. ``synced.again()`` syncs the requests once more."""
    state = {}

    def run(rows, extra=()):
        path = book(rows, extra)
        experts = link("critique.experts", path, "Chuyên gia", bg)
        assert run_sync(ctx, experts).outcome == "ok"
        state["path"], state["binding"] = path, link("critique.requests", path, "Nhiệm vụ", bg)
        return run_sync(ctx, state["binding"])

    run.again = lambda: run_sync(ctx, state["binding"])
    run.table = lambda: table_of(state["path"], "Nhiệm vụ", 2)
    run.path = lambda: state["path"]
    return run


def errors_of(result):
    return [(e["row"], e["column"]) for e in result.errors]


def test_bad_input_is_a_row_error_naming_the_column_and_nothing_else_changes(synced):
    from core.models import Organisation
    from plugins.critique.models import Request

    result = synced([
        request_row(1),
        request_row(2, **{"Hình thức": "Thẩm định", "Cơ quan đề nghị": "Sở Mới Một"}),
        request_row(3, **{"Loại": "Thông tư", "Cơ quan đề nghị": "Sở Mới Hai"}),
        request_row(4, **{"Hạn góp ý": "01/07/2023"}),
        request_row(5, **{"Số kiến nghị": 3, "Số kiến nghị được tiếp thu": 5}),
        request_row(6, **{"Chuyên gia": "PGS.TS. Lê Xuân Việt; TS. Người Ngoài Danh Sách"}),
        request_row(7, **{"Trạng thái": "Quá hạn"}),
        request_row(8, **{"Trạng thái": "Từ chối"}),
        request_row(9, **{"Ngày nhận": None}),
    ])
    assert result.created == 1
    assert errors_of(result) == [(4, "Hình thức"), (5, "Loại"), (6, "Hạn góp ý"), (7, "Số kiến nghị được tiếp thu"),
                                 (8, "Chuyên gia"), (9, "Trạng thái"), (10, "Trạng thái"), (11, "Ngày nhận")]
    messages = [e["message"] for e in result.errors]
    assert messages[0].startswith('Hình thức "Thẩm định" không phải hình thức')
    assert messages[4] == "chuyên gia 'Người Ngoài Danh Sách' không có trong danh sách chuyên gia"
    assert messages[5].startswith('Trạng thái "Quá hạn" do phoihop tính')
    assert 'cần lý do: thêm cột "Lý do từ chối"' in messages[6]
    assert [r.title for r in Request.select()] == ["Đề án số 1"]
    assert not Organisation.select().where(Organisation.name.in_(["Sở Mới Một", "Sở Mới Hai"])).exists()


def test_a_refusal_with_its_reason_is_imported(synced):
    from plugins.critique.models import Request

    result = synced([request_row(1, **{"Trạng thái": "Từ chối", "Lý do từ chối": "Không thuộc lĩnh vực của LHH"}),
                     request_row(2, **{"Trạng thái": "Từ chối", "Lý do từ chối": None})], extra=["Lý do từ chối"])
    assert result.created == 1 and errors_of(result) == [(4, "Lý do từ chối")]
    assert Request.get().refusal_reason == "Không thuộc lĩnh vực của LHH"


def test_the_team_is_the_directorys_people_lead_first(synced):
    from core.models import Person
    from plugins.critique.models import Expert, Request, TeamMember

    synced([request_row(1, **{"Chuyên gia": "ThS. Trần Thị Anh\nPGS.TS. Lê Xuân Việt\nThS. trần thị  anh"})])
    request = Request.get()
    team = [(m.person.full_name, m.position, m.expert.name) for m in
            TeamMember.select().join(Person).switch(TeamMember).join(Expert).order_by(TeamMember.position)]
    assert team == [("Trần Thị Anh", 0, "Trần Thị Anh"), ("Lê Xuân Việt", 1, "Lê Xuân Việt")]
    assert request.experts_text == "ThS. Trần Thị Anh; PGS.TS. Lê Xuân Việt; ThS. trần thị  anh"


def test_an_edit_in_the_sheet_relinks_the_team_and_the_next_run_writes_the_new_figures(synced):
    from openpyxl import load_workbook

    from core.models import Person
    from plugins.critique.models import TeamMember

    synced([request_row(1)])
    assert synced.table()[1]["Số ngày làm việc"] == "20"
    path = synced.path()
    book = load_workbook(path)
    sheet = book["Nhiệm vụ"]
    sheet.cell(row=3, column=REQUEST_HEADER.index("Hạn góp ý") + 1, value="10/07/2023")
    sheet.cell(row=3, column=REQUEST_HEADER.index("Chuyên gia") + 1, value="ThS. Giáp Thị Minh Linh")
    sheet.cell(row=3, column=REQUEST_HEADER.index("Cơ quan đề nghị") + 1, value="Sở Xây dựng")
    book.save(path)
    assert synced.again().updated == 1
    assert [m.person.full_name for m in TeamMember.select().join(Person)] == ["Giáp Thị Minh Linh"]
    synced.again()  # the computed columns of a row updated in a run follow at the next run (the engine's order)
    row = synced.table()[1]
    assert row["Số ngày làm việc"] == "5"
    assert row["Cảnh báo"] == "thời gian góp ý quá ngắn; xung đột lợi ích: Giáp Thị Minh Linh"
    last = synced.again()
    assert (last.updated, last.pushed, last.requests["writes"]) == (0, 0, 0)


def test_a_change_of_the_experts_workplace_shows_in_the_requests_warnings(ctx, synced):
    from plugins.critique.models import Expert
    from plugins.critique.sheets import ExpertMapping
    from sheets.models import Binding

    synced([request_row(1)])
    assert synced.table()[1]["Cảnh báo"] is None
    from openpyxl import load_workbook

    path = synced.path()
    book = load_workbook(path)
    book["Chuyên gia"].cell(row=6, column=5, value="Sở Công Thương")  # Trần Thị Anh moves to the requester
    book.save(path)
    experts = Binding.get(Binding.name == "critique.experts")
    assert run_sync(ctx, experts).updated == 1
    assert Expert.get(Expert.name == "Trần Thị Anh").workplace.name == "Sở Công Thương"
    assert isinstance(ctx.extensions["phoihop_bindings"]["critique.experts"], ExpertMapping)
    assert synced.again().pushed == 0  # a computed column is not a pushed value
    assert synced.table()[1]["Cảnh báo"] == "xung đột lợi ích: Trần Thị Anh"


def test_an_edit_of_the_calendar_changes_the_working_days_at_the_next_sync(synced):
    from plugins.critique.models import CalendarDay

    synced([request_row(1)])  # 03/07 → 31/07/2023: 20 working days
    CalendarDay.create(day=D(2023, 7, 12), kind="nghi_le", name="Nghỉ theo quyết định của tỉnh")
    CalendarDay.create(day=D(2023, 7, 15), kind="lam_bu", name="Làm bù")
    CalendarDay.create(day=D(2023, 7, 22), kind="lam_bu", name="Làm bù")
    synced.again()
    assert synced.table()[1]["Số ngày làm việc"] == "21"


def test_the_flags_that_depend_on_today_follow_the_today_setting(synced, monkeypatch):
    synced([request_row(1, **{"Trạng thái": "Đã gửi báo cáo", "Số kiến nghị được tiếp thu": None}),
            request_row(2, **{"Trạng thái": "Đang thực hiện", "Ngày gửi báo cáo": None, "Số kiến nghị": None,
                              "Số kiến nghị được tiếp thu": None})])
    table = synced.table()  # as of 31/12/2023
    assert (table[1]["Cảnh báo"], table[2]["Cảnh báo"]) == ("chưa có báo cáo tiếp thu, giải trình", "quá hạn")
    monkeypatch.setenv("PHOIHOP_TODAY", "2023-08-27")  # 30 days after the report
    synced.again()
    table = synced.table()
    assert (table[1]["Cảnh báo"], table[2]["Cảnh báo"]) == (None, "quá hạn")
    monkeypatch.setenv("PHOIHOP_TODAY", "2023-07-31")  # the deadline itself
    synced.again()
    table = synced.table()
    assert (table[1]["Cảnh báo"], table[2]["Cảnh báo"]) == (None, None)


def test_the_minimum_window_is_a_setting(synced, monkeypatch):
    monkeypatch.setenv("PHOIHOP_CRITIQUE_MIN_WINDOW_DAYS", "30")
    synced([request_row(1)])  # 28 days
    assert synced.table()[1]["Cảnh báo"] == "thời gian góp ý quá ngắn"


def test_a_document_of_the_mandatory_list_never_sent_is_recorded_without_a_window(synced):
    from plugins.critique.models import Request

    extra = ["Thuộc danh mục bắt buộc", "Không gửi LHH", "Ngày ban hành"]
    result = synced([
        request_row(1, **{"Thuộc danh mục bắt buộc": "x"}),
        request_row(2, **{"Thuộc danh mục bắt buộc": "Có", "Không gửi LHH": "Có", "Ngày ban hành": "15/10/2023",
                          "Ngày nhận": None, "Hạn góp ý": None, "Chuyên gia": None, "Trạng thái": None,
                          "Ngày gửi báo cáo": None, "Số kiến nghị": None, "Số kiến nghị được tiếp thu": None}),
        request_row(3, **{"Không gửi LHH": "Có", "Ngày nhận": None}),
    ], extra=extra)
    assert result.created == 2 and errors_of(result) == [(5, "Ngày ban hành")]
    missed = Request.get(Request.bypassed == True)  # noqa: E712
    assert (missed.mandatory, missed.period_date, missed.window_days) == (True, D(2023, 10, 15), None)
    row = synced.table()[2]
    assert row["Số ngày làm việc"] is None and row["Cảnh báo"] is None


# -- a chunk costs a constant number of statements ------------------------------------------------------
def statements(work):
    with database.atomic():
        with QueryCount() as count:
            work()
    return len(count)


def test_read_many_and_after_save_many_cost_the_same_for_5_or_100_requests(synced):
    from plugins.critique.models import Request
    from plugins.critique.sheets import RequestMapping

    synced([request_row(n, **{"Ngày nhận": f"{1 + n % 28:02d}/0{1 + n % 6}/2023", "Hạn góp ý": "31/12/2023"})
            for n in range(1, 101)])
    mapping = RequestMapping()
    mapping.prepare()  # as the engine does at the start of a run: the lookup lists are read there
    records = list(Request.select().order_by(Request.id))
    assert len(records) == 100
    assert statements(lambda: mapping.read_many(records[:5])) == statements(lambda: mapping.read_many(records)) == 3

    def pairs_of(chunk, requester):  # a requester new to the unit, and a team
        pairs = [(r, {"experts": ["ThS. Trần Thị Anh", "PGS.TS. Lê Xuân Việt"], "requester_name": requester})
                 for r in chunk]
        for record, values in pairs:
            record.requester_name = values["requester_name"]
        return pairs

    small, large = pairs_of(records[:5], "Sở Y tế"), pairs_of(records[5:], "Sở Nội vụ")
    # the requester: SELECT, INSERT, UPDATE; the team: the directory, DELETE, INSERT
    assert statements(lambda: mapping.after_save_many(small)) == statements(lambda: mapping.after_save_many(large)) == 6


def test_the_expert_directory_costs_the_same_for_3_or_60_experts(ctx, bg):
    from plugins.critique.models import Expert
    from plugins.critique.sheets import ExpertMapping

    mapping = ExpertMapping()

    def made(n, tag):
        pairs = []
        for i in range(n):
            record = Expert(unit=bg, name=f"Chuyên gia {tag}{i}", title="TS", workplace_name=f"Viện {i % 4}",
                            association_name=f"Hội {tag}", email=f"cg{tag}{i}@lhh.vn")
            record.save()
            pairs.append((record, {"name": record.name, "workplace_name": record.workplace_name,
                                   "association_name": record.association_name}))
        return pairs

    small, large = made(3, "a"), made(60, "b")
    assert statements(lambda: mapping.after_save_many(small)) == statements(lambda: mapping.after_save_many(large))
    assert Expert.select().where(Expert.person.is_null()).count() == 0
