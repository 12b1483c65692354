"""End to end: link the sample workbook (shared/samples/tu-van-phan-bien.xlsx) with the
real engine and the command line, sync it, and find in the database, in the sheet and in
the report what samples/README.md documents — as of 31/12/2023, on SQLite and PostgreSQL.

The README's tables are written here as the README gives them; which dossiers are
incomplete ('Không' or blank in `Hồ sơ đầy đủ`: the flag the README predates) is read
from the workbook itself."""
import datetime as dt
import unicodedata

import pytest

from tests.plugins.conftest import json_of, read_sheet
from tests.plugins.critique.conftest import EXPERTS_SHEET, REQUESTS_SHEET, UNIT, table_of

D = dt.date
SHORT, LATE, NO_UPTAKE, CONFLICT, INCOMPLETE = (
    "thời gian góp ý quá ngắn", "quá hạn", "chưa có báo cáo tiếp thu, giải trình", "xung đột lợi ích",
    "hồ sơ chưa đầy đủ")

# README "Comment windows and derived flags, valid rows, as of 31/12/2023":
# STT: (received, deadline, calendar days, working days, without holidays, flags, report)
WINDOWS = {
    1: (D(2023, 1, 9), D(2023, 2, 13), 35, 20, 25, [], ("sent", D(2023, 2, 9), True)),
    2: (D(2023, 1, 16), D(2023, 1, 31), 15, 6, 11, [SHORT, NO_UPTAKE], ("sent", D(2023, 1, 31), True)),
    3: (D(2023, 2, 13), D(2023, 3, 6), 21, 15, 15, [], ("sent", D(2023, 3, 3), True)),
    4: (D(2023, 2, 20), D(2023, 2, 27), 7, 5, 5, [SHORT, f"{CONFLICT}: Giáp Thị Minh Linh"],
        ("sent", D(2023, 2, 27), True)),
    5: (D(2023, 3, 6), D(2023, 3, 10), 4, 4, 4, [SHORT, NO_UPTAKE], ("sent", D(2023, 3, 10), True)),
    6: (D(2023, 3, 13), D(2023, 4, 3), 21, 15, 15, [], ("sent", D(2023, 3, 29), True)),
    7: (D(2023, 3, 27), D(2023, 3, 30), 3, 3, 3, [SHORT, NO_UPTAKE], ("sent", D(2023, 3, 30), True)),
    9: (D(2023, 4, 17), D(2023, 5, 8), 21, 12, 15, [], ("sent", D(2023, 5, 5), True)),
    10: (D(2023, 5, 8), D(2023, 6, 5), 28, 20, 20, [], ("sent", D(2023, 5, 29), True)),
    12: (D(2023, 5, 22), D(2023, 5, 29), 7, 5, 5, [SHORT], ("sent", D(2023, 5, 31), False)),
    13: (D(2023, 6, 5), D(2023, 7, 10), 35, 25, 25, [], ("sent", D(2023, 7, 6), True)),
    15: (D(2023, 6, 19), D(2023, 7, 17), 28, 20, 20, [], ("sent", D(2023, 7, 11), True)),
    16: (D(2023, 7, 3), D(2023, 7, 7), 4, 4, 4, [SHORT], ("sent", D(2023, 7, 7), True)),
    17: (D(2023, 7, 19), D(2023, 8, 8), 20, 14, 14, [], ("sent", D(2023, 8, 4), True)),
    19: (D(2023, 8, 28), D(2023, 9, 6), 9, 5, 7, [SHORT], ("sent", D(2023, 9, 6), True)),
    20: (D(2023, 9, 13), D(2023, 10, 2), 19, 13, 13, [SHORT], ("sent", D(2023, 9, 27), True)),
    21: (D(2023, 9, 25), D(2023, 10, 23), 28, 20, 20, [NO_UPTAKE], ("sent", D(2023, 10, 19), True)),
    22: (D(2023, 10, 9), D(2023, 11, 13), 35, 25, 25, [NO_UPTAKE], ("sent", D(2023, 11, 6), True)),
    23: (D(2023, 10, 23), D(2023, 10, 26), 3, 3, 3, [SHORT, LATE], ("not sent", None, None)),
    24: (D(2023, 11, 13), D(2023, 12, 4), 21, 15, 15, [], ("sent", D(2023, 12, 1), True)),
    25: (D(2023, 12, 11), D(2024, 1, 9), 29, 20, 21, [], ("not sent", None, None)),
    26: (D(2023, 12, 20), D(2023, 12, 27), 7, 5, 5, [SHORT, LATE], ("not sent", None, None)),
}
# README "Invalid rows": (row, STT, column, value)
INVALID = [
    (11, 8, "Hạn góp ý", "10/03/2023"),
    (14, 11, "Số kiến nghị được tiếp thu", "6"),
    (18, 14, "Loại", "Thông tư"),
    (22, 18, "Chuyên gia", "TS. Trần Phương Lan; BSCKII. Nguyễn Duy An; ThS. Phạm Quang Vinh"),
]
# README "Requests per form, valid rows (1 unit × 1 year, 2023)"
FORMS = {"Giám định xã hội": (1, 1.0), "Phản biện": (10, 10.0), "Tư vấn": (11, 11.0)}
# README "Recommendations accepted, rows answered by the requester"
ACCEPTANCE = {
    "Sở Công Thương": (6, 4, 66.67), "Sở Giao thông vận tải": (7, 7, 100.0), "Sở Giáo dục và Đào tạo": (5, 2, 40.0),
    "Sở Khoa học và Công nghệ": (8, 8, 100.0), "Sở Kế hoạch và Đầu tư": (14, 11, 78.57),
    "Sở Nông nghiệp và Phát triển nông thôn": (14, 12, 85.71), "Sở Nội vụ": (6, 4, 66.67),
    "Sở Thông tin và Truyền thông": (9, 6, 66.67), "Sở Tài nguyên và Môi trường": (11, 6, 54.55),
    "Sở Xây dựng": (8, 5, 62.5), "UBND huyện Lục Ngạn": (10, 8, 80.0), "UBND huyện Yên Thế": (6, 3, 50.0),
}


def nfc(text):
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


@pytest.fixture
def linked(cli, sample, today):
    """The sample workbook linked as the README says: the directory and the requests,
    the unit given with --unit (it is not in the sheet)."""
    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0
    for name, worksheet in (("critique.requests", REQUESTS_SHEET), ("critique.experts", EXPERTS_SHEET)):
        answer = cli("sheets", "link", name, str(sample), "--worksheet", worksheet, "--unit", "BG")
        assert answer.exit_code == 0, answer.output
    return sample


@pytest.fixture
def synced(cli, linked):
    """``phoihop critique sync``: the directory, then the requests (linked first)."""
    results = json_of(cli("critique", "sync", "--json"))["bindings"]
    return linked, {r["binding"]: r for r in results}


def incomplete_rows(path):
    """STT of the rows whose `Hồ sơ đầy đủ` is 'Không' or blank (= Không, README)."""
    table = table_of(path, REQUESTS_SHEET, 3)
    return {stt for stt, row in table.items()
            if isinstance(stt, int) and nfc(row["Hồ sơ đầy đủ"] or "").casefold() in ("", "không")}


def test_the_directory_imports_its_20_experts(synced, ctx):
    from core.models import Person
    from plugins.critique.models import Expert

    _path, results = synced
    experts = results["critique.experts"]
    assert (experts["created"], experts["errors"], experts["outcome"]) == (20, [], "ok")
    linh = Expert.get(Expert.name == "Giáp Thị Minh Linh")
    assert linh.workplace.name == "Sở Xây dựng" and linh.title == "ThS"
    # the registry's person got the directory's title and workplace
    person = Person.get_by_id(linh.person_id)
    assert (person.degree, person.workplace_id) == ("ThS", linh.workplace_id)


def test_the_requests_import_22_rows_and_report_the_4_invalid(synced):
    _path, results = synced
    requests = results["critique.requests"]
    assert requests["created"] == 22 and requests["outcome"] == "errors"
    assert [(e["row"], e["column"], e["value"]) for e in sorted(requests["errors"], key=lambda e: e["row"])] == [
        (row, column, value) for row, _stt, column, value in INVALID]
    messages = {e["row"]: e["message"] for e in requests["errors"]}
    assert messages[11] == "Hạn góp ý (10/03/2023) trước ngày nhận (10/04/2023)"
    assert messages[14] == "6 kiến nghị được tiếp thu nhiều hơn 4 kiến nghị đã đưa ra"
    assert messages[18].startswith('Loại "Thông tư" không phải loại nhiệm vụ')
    assert messages[22] == "chuyên gia 'Phạm Quang Vinh' không có trong danh sách chuyên gia"
    assert requests["skipped"] == {"blank": 1, "section": 0, "total": 0}


def test_invalid_rows_change_nothing_else(synced, ctx):
    from core.models import Organisation
    from plugins.critique.models import Request

    path, _results = synced
    titles = {r.title for r in Request.select()}
    table = table_of(path, REQUESTS_SHEET, 3)
    for row, stt, column, _value in INVALID:
        assert table[stt]["Tên đề án, dự án"] not in titles
        assert table[stt]["Mã"] is None and table[stt]["Trạng thái đồng bộ"].startswith("Lỗi: ")
    # STT 11 was the only request of UBND huyện Lục Nam: no organisation was made for it
    assert not Organisation.select().where(Organisation.name == "UBND huyện Lục Nam").exists()


def test_windows_working_days_flags_and_reports_are_the_readmes(synced, ctx):
    from plugins.critique import rules
    from plugins.critique.models import Request

    path, _results = synced
    table = table_of(path, REQUESTS_SHEET, 3)
    incomplete = incomplete_rows(path)
    by_title = {r.title: r for r in Request.select()}
    assert len(by_title) == len(WINDOWS)
    for stt, (received, deadline, days, working, plain, flags, (sent, sent_on, in_time)) in WINDOWS.items():
        row = table[stt]
        record = by_title[row["Tên đề án, dự án"]]
        assert (record.received_on, record.deadline, record.window_days) == (received, deadline, days), stt
        assert rules.working_days(received, deadline) == plain, stt  # Mon–Fri only
        assert int(row["Số ngày làm việc"]) == working, stt
        wanted = flags + ([INCOMPLETE] if stt in incomplete else [])
        assert (row["Cảnh báo"] or "") == "; ".join(wanted), stt
        assert record.report_sent_on == sent_on, stt
        assert rules.on_time(record.report_sent_on, record.deadline) is in_time, stt
        assert row["Mã"].startswith("TV-") and row["Trạng thái đồng bộ"] == "Mới", stt


def test_the_boundaries_the_readme_names(synced, ctx):
    from plugins.critique.models import Request

    path, _results = synced
    table = table_of(path, REQUESTS_SHEET, 3)
    # STT 17 has exactly 20 days: not short; STT 20 has 19: short
    assert SHORT not in (table[17]["Cảnh báo"] or "") and SHORT in table[20]["Cảnh báo"]
    # STT 24's report went out 30 days before 31/12/2023: not yet flagged
    assert table[24]["Cảnh báo"] is None
    # STT 9's date typed yyyy-mm-dd is valid
    assert Request.get(Request.title == table[9]["Tên đề án, dự án"]).received_on == D(2023, 4, 17)


def test_the_conflict_of_interest_is_on_the_shared_registry(synced, ctx):
    from core.models import Organisation, Person
    from plugins.critique.models import Expert, Request, TeamMember

    path, _results = synced
    table = table_of(path, REQUESTS_SHEET, 3)
    request = Request.get(Request.title == table[4]["Tên đề án, dự án"])
    building = Organisation.get(Organisation.name == "Sở Xây dựng")
    assert request.requester_id == building.id
    team = [(m.person.full_name, m.position) for m in TeamMember.select().join(Person)
            .where(TeamMember.request == request.id).order_by(TeamMember.position)]
    assert team == [("Phan Thanh Thảo", 0), ("Giáp Thị Minh Linh", 1), ("Nguyễn Thu Huyền", 2)]
    assert Expert.get(Expert.name == "Giáp Thị Minh Linh").workplace_id == building.id


def test_the_sheet_keeps_what_phoihop_does_not_own(synced):
    path, _results = synced
    rows = read_sheet(path, REQUESTS_SHEET)
    headers = [nfc(h) if h is not None else None for h in rows[2]]
    # Mã is the first free column (Q), then the status, then the computed columns the sheet lacked
    assert headers[16:] == ["Mã", "Trạng thái đồng bộ", "Số ngày làm việc", "Cảnh báo"]
    assert headers[3] == "Số văn bản đề nghị" and rows[3][3] == "2565/SKHĐT-QLĐT"
    assert rows[0][0] == "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT TỈNH BẮC GIANG"
    assert all(cell is None for cell in rows[16])  # the blank row after STT 13 stays blank
    expert_headers = [nfc(h) for h in read_sheet(path, EXPERTS_SHEET)[2] if h is not None]
    assert expert_headers[-2:] == ["Mã", "Trạng thái đồng bộ"]


def test_a_sync_that_changes_nothing_writes_nothing_and_keeps_the_warnings(cli, synced):
    path, _results = synced
    before = table_of(path, REQUESTS_SHEET, 3)
    again = {r["binding"]: r for r in json_of(cli("critique", "sync", "--json"))["bindings"]}
    for name in ("critique.experts", "critique.requests"):
        summary = again[name]
        assert (summary["created"], summary["updated"], summary["pushed"], summary["requests"]["writes"]) == (0, 0, 0, 0)
    assert again["critique.requests"]["unchanged"] == 22
    after = table_of(path, REQUESTS_SHEET, 3)
    assert {k: v["Cảnh báo"] for k, v in after.items()} == {k: v["Cảnh báo"] for k, v in before.items()}


def test_the_report_gives_the_readmes_forms_and_acceptance(cli, synced):
    import json
    from collections import Counter

    from core.people import split_title
    from sheets.values import parse_list

    path, _results = synced
    answer = cli("report", "--from", "2023", "--to", "2023", "--unit", "BG", "--format", "json")
    assert answer.exit_code == 0, answer.output
    section = json.loads(answer.output)["sections"]["critique"]
    forms = {name: (f["count"], f["per_unit_per_year"]) for name, f in section["forms"].items() if f["count"]}
    assert forms == FORMS
    answered = {r["name"]: (r["recommendations"], r["accepted"], r["acceptance_rate"])
                for r in section["requesters"] if r["acceptance_rate"] is not None}
    assert answered == ACCEPTANCE
    # kinds, bases and the experts' load, counted here from the valid rows of the workbook
    table = table_of(path, REQUESTS_SHEET, 3)
    valid = [table[stt] for stt in WINDOWS]
    assert {k: n for k, n in section["kinds"].items() if n} == dict(Counter(nfc(r["Loại"]) for r in valid))
    assert {k: n for k, n in section["bases"].items() if n} == dict(Counter(nfc(r["Căn cứ"]) for r in valid))
    load = Counter(split_title(name)[1] for r in valid for name in parse_list(r["Chuyên gia"]))
    assert section["experts"] == {"mobilised": len(load), "max_load": max(load.values())}
    assert {r["name"]: r["requests"] for r in section["expert_load"]} == dict(load)


def test_the_readmes_example_is_the_samples_report(cli, synced):
    """README "Critique" shows this very report (lists cut to their first row)."""
    import json
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    part = readme.split("\n## Critique", 1)[1].split("\n## ", 1)[0]
    example = json.loads(re.search(r"```json\n(.*?)```", part, flags=re.S)[1])
    answer = cli("report", "--from", "2023", "--to", "2023", "--unit", "BG", "--format", "json")
    section = json.loads(answer.output)["sections"]["critique"]
    assert set(example) == set(section)
    for key, value in example.items():
        assert (section[key][:len(value)] if isinstance(value, list) else section[key]) == value, key
