"""The binding ``honours.nominations`` on small office-like workbooks: rounds made and
adjusted, closed rounds, votes, past decisions, the registry, what is written back."""
import datetime as dt

import pytest

from tests.plugins.conftest import link, run_sync
from tests.plugins.honours.conftest import nominations_sheet, table_of

NAME = "honours.nominations"
TS = "Bảo vệ thành công luận án tiến sĩ ngày 24/05/2022"


def ts_row(stt, name, born=1985, nominator="Sở Y tế", year=2023, achievements=TS, category="Tân Tiến sĩ"):
    return [stt, year, name, born, "Nam", "", "TS", "Giảng viên", "Trường Đại học Hùng Vương", "Y dược", nominator,
            category, achievements]


@pytest.fixture
def book(tmp_path):
    return tmp_path / "de-cu.xlsx"


def sync_rows(ctx, book, unit, rows, *, extra=(), **kwargs):
    nominations_sheet(book, rows, extra=extra)
    binding = link(NAME, book, "Đề cử", unit)
    return binding, run_sync(ctx, binding, **kwargs)


def status_of(book, stt):
    return next(v for v in table_of(book, "Đề cử", 2).values() if v["STT"] == stt)["Tình trạng hồ sơ"]


def test_the_bindings_columns(ctx):
    mapping = ctx.extensions["phoihop_bindings"][NAME]
    assert [c.header for c in mapping.columns if c.computed] == ["Số phiếu đồng ý", "Kết quả", "Tình trạng hồ sơ"]
    assert [c.header for c in mapping.required] == ["Năm", "Họ và tên", "Hình thức tôn vinh"]
    assert "Họ tên" in mapping.column("full_name").aliases and mapping.key_prefix == "TV"
    headers = [c.header for c in mapping.columns]
    for header in ("Năm sinh", "Giới tính", "Học hàm", "Học vị", "Chức vụ", "Đơn vị công tác", "Lĩnh vực",
                   "Đơn vị đề cử", "Thành tích", "Đề xuất cấp trung ương", "Ghi chú"):
        assert header in headers


def test_a_year_that_names_no_round_creates_it_with_the_defaults(ctx, pt, book):
    from core.models import AuditLog
    from plugins.honours.models import Round

    _binding, result = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An", year=2024)])
    assert result.created == 1 and result.errors == []
    made = Round.get(Round.unit == pt, Round.year == 2024)
    assert (made.ceremony_date, made.province, made.closed, made.threshold_share) == (
        dt.date(2024, 5, 18), "Phú Thọ", False, 50)
    assert AuditLog.get(AuditLog.model == "honours_round", AuditLog.record_id == str(made.id)).action == "create"


def test_a_dry_run_makes_no_round(ctx, pt, book):
    from plugins.honours.models import Nomination, Round

    _binding, result = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An", year=2024)], dry_run=True)
    assert result.created == 1
    assert Round.select().count() == 0 and Nomination.select().count() == 0


def test_a_closed_round_refuses_new_and_changed_rows_but_keeps_its_rows_in_sync(ctx, cli, pt, book):
    from plugins.honours.models import Nomination

    binding, _ = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An"), ts_row(2, "Trần Thị Bình", born=1990)])
    assert cli("honours", "rounds", "close", "2023", "--unit", "PT").exit_code == 0
    # the admin corrects a closed round's record: it still reaches the sheet
    record = Nomination.get(Nomination.full_name == "Lê Văn An")
    record.position = "Phó Trưởng khoa"
    record.save()
    result = run_sync(ctx, binding)
    assert result.errors == [] and result.pushed == 1
    assert table_of(book, "Đề cử", 2)[3]["Chức vụ"] == "Phó Trưởng khoa"
    # a new row and an edit typed in the sheet are refused, and change nothing
    from sheets.xlsx import XlsxBackend
    from sheets.backend import Cell

    backend = XlsxBackend(str(book))
    backend.write("Đề cử", [Cell(4, 8, "Trưởng khoa"), *[Cell(5, i + 1, v) for i, v in enumerate(ts_row(3, "Mới Nhập"))]])
    result = run_sync(ctx, binding)
    assert sorted((e["row"], e["column"]) for e in result.errors) == [(4, "Năm"), (5, "Năm")]
    assert all("Đợt tôn vinh năm 2023 đã khóa" in e["message"] for e in result.errors)
    assert Nomination.select().count() == 2
    assert Nomination.get(Nomination.full_name == "Trần Thị Bình").position == "Giảng viên"


def test_votes_above_the_council_size_are_a_row_error(ctx, cli, pt, book):
    assert cli("honours", "rounds", "add", "2021", "--unit", "PT", "--council-size", "13").exit_code == 0
    rows = [ts_row(1, "Lê Văn An", year=2021, achievements="bảo vệ ngày 05/05/2020") + [14, "Được tôn vinh"],
            ts_row(2, "Trần Thị Bình", year=2021, achievements="bảo vệ ngày 05/05/2020") + [12, "Được tôn vinh"]]
    _binding, result = sync_rows(ctx, book, pt, rows, extra=("Số phiếu đồng ý", "Kết quả"))
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "Số phiếu đồng ý")]
    assert result.errors[0]["message"] == "Số phiếu đồng ý: 14 phiếu đồng ý nhiều hơn số thành viên hội đồng (13)"
    assert result.created == 1


def test_a_past_rounds_votes_give_its_results_with_its_threshold_and_close_it(ctx, cli, pt, book):
    from plugins.honours import rules
    from plugins.honours.models import Nomination, Round

    assert cli("honours", "rounds", "add", "2021", "--unit", "PT", "--council-size", "11").exit_code == 0
    rows = [ts_row(1, "Lê Văn An", year=2021, achievements="bảo vệ ngày 05/05/2020") + [6],
            ts_row(2, "Trần Thị Bình", year=2021, achievements="bảo vệ ngày 05/05/2020") + [5]]
    _binding, result = sync_rows(ctx, book, pt, rows, extra=("Số phiếu đồng ý",))
    assert result.errors == []
    assert {n.full_name: n.result for n in Nomination.select()} == {"Lê Văn An": rules.SELECTED,
                                                                    "Trần Thị Bình": rules.NOT_SELECTED}
    assert Round.get(Round.year == 2021).closed
    table = table_of(book, "Đề cử", 2)
    assert [table[r]["Kết quả"] for r in (3, 4)] == [rules.SELECTED, rules.NOT_SELECTED]  # added at the right


def test_the_current_rounds_votes_come_from_the_council_not_the_sheet(ctx, cli, pt, book):
    from plugins.honours.models import Nomination, Round
    from plugins.honours.pages import council_rows, record_votes

    assert cli("honours", "rounds", "add", "2024", "--unit", "PT", "--council-size", "9").exit_code == 0
    row = ts_row(1, "Lê Văn An", year=2024, achievements="bảo vệ ngày 05/05/2023") + [9, "Được tôn vinh"]
    binding, result = sync_rows(ctx, book, pt, [row], extra=("Số phiếu đồng ý", "Kết quả"))
    record = Nomination.get()
    assert (record.votes_for, record.result) == (None, None)  # typed in computed columns: not imported
    assert result.errors == [] and table_of(book, "Đề cử", 2)[3]["Kết quả"] is None  # written back as phoihop has it
    item = Round.get(Round.year == 2024)
    record_votes(item, council_rows(item), {record.id: (5, 4)}, None, "admin@phoihop.test")
    assert Nomination.get().result == "Được tôn vinh"  # 5 > 4,5
    run_sync(ctx, binding)
    row3 = table_of(book, "Đề cử", 2)[3]
    assert (str(row3["Số phiếu đồng ý"]), row3["Kết quả"]) == ("5", "Được tôn vinh")
    before = book.read_bytes()
    again = run_sync(ctx, binding)
    assert again.requests["writes"] == 0 and book.read_bytes() == before


def test_a_name_without_a_year_of_birth_is_flagged_never_merged(ctx, pt, book):
    from plugins.honours.models import Nomination

    rows = [ts_row(1, "Lê Văn An", born=1980, nominator="Sở Y tế"),
            ts_row(2, "Lê Văn An", born=None, nominator="Hội Y học tỉnh")]
    sync_rows(ctx, book, pt, rows)
    assert status_of(book, 1) is None
    assert status_of(book, 2) == "Có thể trùng với Lê Văn An (dòng 1): cần kiểm tra"
    assert Nomination.select().where(Nomination.merged_into.is_null(False)).count() == 0


def test_the_nominee_is_the_person_another_area_already_knows(ctx, pt, book):
    from core.models import Person
    from core.people import match_people
    from plugins.honours.models import Nomination

    [author] = match_people([(pt.id, "PGS.TS. Lê Văn An")])  # as a contest's author list writes him
    sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An", born=1980)])
    assert Nomination.get().person_id == author
    person = Person.get_by_id(author)
    assert (person.year_of_birth, person.gender, person.position) == (1980, "nam", "Giảng viên")
    assert person.workplace.name == "Trường Đại học Hùng Vương" and person.academic_title == "PGS"  # kept: higher


def test_a_higher_title_replaces_a_lower_one_in_the_registry(ctx, pt, book):
    from core.models import Person
    from plugins.honours.links import better

    assert better("academic_title", "PGS", "GS") == "GS" and better("academic_title", "GS", "PGS") == "GS"
    assert better("degree", "ThS", "TS") == "TS" and better("degree", "TS", "ThS") == "TS"
    assert better("position", "Giảng viên", "Trưởng khoa") == "Giảng viên" and better("field", None, "Y dược") == "Y dược"
    Person.create(unit=pt, full_name="Lê Văn An", year_of_birth=1980, academic_title="PGS", degree="ThS")
    row = [1, 2023, "Lê Văn An", 1980, "Nam", "GS", "TS", "", "", "", "", "Tân Giáo sư", "ngày 30/12/2022"]
    sync_rows(ctx, book, pt, [row])
    person = Person.get(Person.full_name == "Lê Văn An")
    assert (person.academic_title, person.degree) == ("GS", "TS")


def test_eligibility_reads_the_optional_columns(ctx, pt, book):
    extra = ("Ngày công nhận", "Quê quán", "Số năm công tác tại tỉnh")
    rows = [ts_row(1, "Lê Văn An") + ["2021", "", ""],  # the column wins over the achievements' date
            ts_row(2, "Trần Thị Bình") + ["", "Hà Nội", 3],
            ts_row(3, "Vũ Văn Cường") + ["", "Hà Nội", 6],
            ts_row(4, "Đỗ Thị Dung") + ["", "huyện Lâm Thao, tỉnh Phú Thọ", ""]]
    sync_rows(ctx, book, pt, rows, extra=extra)
    assert status_of(book, 1).startswith("Không đủ điều kiện: học vị được công nhận năm 2021")
    assert status_of(book, 2) == ("Không đủ điều kiện: không sinh ra tại tỉnh Phú Thọ (quê quán Hà Nội) và chưa sống, "
                                  "làm việc tại tỉnh đủ 5 năm (3 năm)")
    assert status_of(book, 3) is None and status_of(book, 4) is None


def test_a_pharmacist_specialist_is_honoured_as_a_specialist(ctx, pt, book):
    rows = [ts_row(1, "Lê Văn An", category="Dược sĩ chuyên khoa II", achievements="Tốt nghiệp DSCKII năm 2022"),
            ts_row(2, "Trần Thị Bình", category="Bác sĩ chuyên khoa II", achievements="Tốt nghiệp DSCKII năm 2020")]
    for row in rows:
        row[6] = "DSCKII"
    _binding, result = sync_rows(ctx, book, pt, rows)
    assert result.errors == [] and status_of(book, 1) is None
    assert status_of(book, 2) == ("Không đủ điều kiện: học vị được công nhận năm 2020, không phải trong năm 2022 "
                                  "(năm trước lễ tôn vinh 18/05/2023)")


def test_an_eligibility_change_in_the_admin_reaches_the_sheet(ctx, pt, book):
    from plugins.honours.models import Category
    from plugins.honours.results import refresh
    from plugins.honours.models import Round

    binding, _ = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An", achievements="")])
    assert status_of(book, 1).startswith("Không đủ điều kiện: chưa rõ thời điểm công nhận học vị")
    category = Category.get(Category.name == "Tân Tiến sĩ")
    category.window = None
    category.save()
    refresh(round_ids=[r.id for r in Round.select()])
    run_sync(ctx, binding)
    assert status_of(book, 1) is None


def test_an_unknown_category_lists_the_configured_ones(ctx, pt, book):
    _binding, result = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An", category="Nhà giáo ưu tú"),
                                                 ts_row(2, "Trần Thị Bình", category="Tân TS")])
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "Hình thức tôn vinh")]
    assert "Tân Tiến sĩ; Bác sĩ chuyên khoa II" in result.errors[0]["message"]
    assert result.created == 1  # an alias is the category


def test_implausible_years_are_row_errors(ctx, pt, book):
    rows = [ts_row(1, "Lê Văn An", born=1890), ts_row(2, "Trần Thị Bình", born=2012),
            ts_row(3, "Vũ Văn Cường", year=1890), ts_row(4, "Đỗ Thị Dung", born="1985")]
    _binding, result = sync_rows(ctx, book, pt, rows)
    assert sorted((e["row"], e["column"]) for e in result.errors) == [(3, "Năm sinh"), (4, "Năm sinh"), (5, "Năm")]
    assert result.created == 1


def test_years_are_written_back_as_typed(ctx, pt, book):
    from plugins.honours.models import Nomination

    binding, _ = sync_rows(ctx, book, pt, [ts_row(1, "Lê Văn An")])
    record = Nomination.get()
    record.year_of_birth = 1984
    record.save()
    assert run_sync(ctx, binding).pushed == 1
    assert str(table_of(book, "Đề cử", 2)[3]["Năm sinh"]) == "1984"
    mapping = ctx.extensions["phoihop_bindings"][NAME]
    assert mapping.column("year").format(2023) == "2023" and mapping.column("year").parse("2.023") == 2023
