"""End to end: link the sample honours workbook (shared/samples/ton-vinh-tri-thuc.xlsx)
with the real engine and the command line, sync it as of 31/12/2023, and find in the
database and in the sheet exactly what samples/README.md documents — on SQLite and
PostgreSQL."""
import openpyxl
import pytest

from tests.plugins.conftest import json_of, read_sheet
from tests.plugins.honours.conftest import HONOURED_2021, NOMINATIONS_2023, UNIT, table_of

STATUS, OWN_STATUS = "Tình trạng hồ sơ", "Trạng thái đồng bộ"
INVALID = {21: "Họ tên", 30: "Năm sinh", 46: "Năm sinh", 64: "Hình thức tôn vinh"}
# excel row → how its "Tình trạng hồ sơ" starts (README, "Rule outcomes"); every other valid row says nothing
OUTCOMES = {
    24: "Không đủ điều kiện: học vị được công nhận ngày 15/11/2019, không phải trong năm 2022",
    33: "Không đủ điều kiện: học vị được công nhận ngày 12/11/2020, không phải trong năm 2022",
    44: "Gộp với dòng 28: 2 đơn vị đề cử",
    62: "Không đủ điều kiện: chưa có thành tích nào được liệt kê",
}
DASHED = (51, 52, 54, 55, 61, 63, 65)  # Thành tích starting with '-' or '+'


def sync(cli, *names):
    return json_of(cli("sync", *names, "--json"))["bindings"]


@pytest.fixture
def linked(cli, sample):
    assert cli("units", "add", UNIT, "--code", "PT").exit_code == 0
    for worksheet in (HONOURED_2021, NOMINATIONS_2023):  # the closed round first: the history rule 2 reads
        answer = cli("sheets", "link", "honours.nominations", str(sample), "--worksheet", worksheet, "--unit", "PT")
        assert answer.exit_code == 0, answer.output
    return sample


@pytest.fixture
def synced(cli, linked):
    return {r["worksheet"]: r for r in sync(cli)}


def test_the_2023_sheet_imports_its_47_valid_rows_and_reports_the_4_invalid(synced):
    summary = synced[NOMINATIONS_2023]
    assert summary["created"] == 47
    assert sorted((e["row"], e["column"]) for e in summary["errors"]) == sorted(INVALID.items())
    messages = {e["row"]: e["message"] for e in summary["errors"]}
    assert messages[21] == 'Thiếu "Họ tên" (bắt buộc)'
    assert messages[30] == 'Năm sinh "2031" ở tương lai'
    assert messages[46] == 'Năm sinh "15/08/1978" là một ngày, không phải một năm'
    assert messages[64].startswith('Hình thức tôn vinh "Nhà giáo ưu tú" không phải hình thức tôn vinh đã cấu hình')
    assert summary["skipped"] == {"blank": 4, "section": 5, "total": 0}
    assert synced[HONOURED_2021]["created"] == 7 and synced[HONOURED_2021]["errors"] == []


def test_the_offices_cells_stay_as_they_were(cli, sample):
    """Every cell the office typed — titles, sections, the unknown `Điện thoại liên hệ`,
    the 2021 council's decisions — is as it was; phoihop's columns come at the right."""
    above = {HONOURED_2021: 3, NOMINATIONS_2023: 4}  # rows above the header
    before = {w: read_sheet(sample, w) for w in above}
    assert cli("units", "add", UNIT, "--code", "PT").exit_code == 0
    for worksheet in before:
        assert cli("sheets", "link", "honours.nominations", str(sample), "--worksheet", worksheet, "--unit", "PT").exit_code == 0
    sync(cli)
    for worksheet, rows in before.items():
        after = read_sheet(sample, worksheet)
        width = max(len(r) for r in rows)
        assert len(after) == len(rows) and [r[:width] for r in after] == rows, worksheet
        assert all(v is None for r in after[:above[worksheet]] for v in r[width:]), worksheet


def test_an_invalid_row_changes_nothing_else(ctx, synced, linked):
    from core.models import Organisation, Person
    from plugins.honours.models import Nomination

    table = table_of(linked, NOMINATIONS_2023, 5)
    for row in INVALID:
        assert table[row]["Mã"] is None and table[row][OWN_STATUS].startswith("Lỗi: ")
    for name in ("Đặng Tiến Tùng", "Nguyễn Bích Vân", "Chu Thị Thu Liên"):
        assert not Person.select().where(Person.full_name == name).exists()
        assert not Nomination.select().where(Nomination.full_name == name).exists()
    assert not Organisation.select().where(Organisation.name == "UBND huyện Lâm Thao").exists()  # row 30's only
    assert Nomination.select().count() == 47 + 7


def test_the_rule_outcomes_are_the_readmes_and_no_other(synced, linked):
    table = table_of(linked, NOMINATIONS_2023, 5)
    for row, values in table.items():
        if row in INVALID:
            continue
        assert values["Mã"] and values[OWN_STATUS] == "Mới", row
        status = values[STATUS] or ""
        if row in OUTCOMES:
            assert status.startswith(OUTCOMES[row]), (row, status)
        else:
            assert status == "", (row, status)
    assert "Đã được tôn vinh năm 2021 (Tân Tiến sĩ)" in table[33][STATUS]  # rule 2, beside rule 1
    assert "Đã được tôn vinh" not in table[24][STATUS]


def test_homonyms_are_two_people_and_one_person_with_two_nominators_is_one_nomination(ctx, synced):
    from core.models import Person
    from plugins.honours.exports import nominators_of
    from plugins.honours.models import Nomination

    hung = Nomination.select().where(Nomination.full_name == "Nguyễn Văn Hùng").order_by(Nomination.id)
    assert [(n.year_of_birth, n.merged_into_id, n.similar_to_id) for n in hung] == [(1979, None, None), (1986, None, None)]
    assert sorted(p.year_of_birth for p in Person.select().where(Person.full_name == "Nguyễn Văn Hùng")) == [1979, 1986]
    first, second = Nomination.select().where(Nomination.name_key == "nguyễn ngọc hằng").order_by(Nomination.id)
    assert second.full_name == "Nguyễn Ngọc Hằng" and second.merged_into_id == first.id  # NFD, trailing space: same
    assert first.person_id == second.person_id and first.nominators_count == 2
    assert nominators_of([first.id])[first.id] == ["Sở Y tế", "Hội Y học tỉnh"]
    assert Person.select().where(Person.name_key == "nguyễn ngọc hằng").count() == 1


def test_honoured_before_in_a_repeatable_or_another_category_or_not_selected_is_no_flag(ctx, synced):
    from plugins.honours.models import Nomination, Round

    round_2023 = Round.get(Round.year == 2023)
    for name in ("Nguyễn Thị Thanh Nhung", "Nguyễn Văn Tâm", "Thân Ngọc Nam"):
        now, before = (Nomination.select().where(Nomination.full_name == name).order_by(Nomination.round.desc()))
        assert now.round_id == round_2023.id and now.status is None and now.eligible, name
        assert now.person_id == before.person_id, name  # one person across rounds
    hai = Nomination.get(Nomination.full_name == "Trần Tiến Hải", Nomination.round == round_2023)
    assert hai.first_honoured == 2021 and not hai.eligible


def test_the_closed_2021_round_is_imported_with_its_decisions_and_closed(ctx, synced):
    from core.models import AuditLog
    from plugins.honours import rules
    from plugins.honours.models import Nomination, Round

    round_2021 = Round.get(Round.year == 2021)
    assert round_2021.closed and round_2021.closed_by == "sync:honours.nominations"
    decided = {n.full_name: (n.votes_for, n.result, n.result_source)
               for n in Nomination.select().where(Nomination.round == round_2021)}
    assert decided["Thân Ngọc Nam"] == (5, rules.NOT_SELECTED, "sheet")
    assert decided["Trần Tiến Hải"] == (12, rules.SELECTED, "sheet")
    assert sum(1 for _, result, _ in decided.values() if result == rules.SELECTED) == 6
    assert AuditLog.select().where(AuditLog.action == "close_imported", AuditLog.record_id == str(round_2021.id)).exists()
    assert not Round.get(Round.year == 2023).closed  # its sheet carries no decisions


def test_x_proposes_a_nominee_to_the_national_level(ctx, synced, linked):
    from plugins.honours.models import Nomination

    table = table_of(linked, NOMINATIONS_2023, 5)
    proposed = {n.source_key for n in Nomination.select().where(Nomination.national == True)}  # noqa: E712
    assert proposed == {table[51]["Mã"], table[54]["Mã"]}


def test_text_starting_with_a_dash_or_a_plus_is_stored_and_written_back_as_text(ctx, cli, synced, linked):
    from plugins.honours.models import Nomination

    table = table_of(linked, NOMINATIONS_2023, 5)
    stored = {n.source_key: n.achievements for n in Nomination.select()}
    for row in DASHED:
        assert stored[table[row]["Mã"]] == table[row]["Thành tích"] and stored[table[row]["Mã"]][0] in "-+", row
    record = Nomination.get(Nomination.source_key == table[51]["Mã"])
    record.achievements = "- Đã sửa trong hệ thống\n" + record.achievements
    record.save()
    summary = {r["worksheet"]: r for r in sync(cli)}[NOMINATIONS_2023]
    assert summary["pushed"] == 1 and summary["errors"] == [e for e in summary["errors"] if e["row"] in INVALID]
    book = openpyxl.load_workbook(linked)
    headers = [str(c.value or "").strip() for c in book[NOMINATIONS_2023][5]]
    cell = book[NOMINATIONS_2023].cell(51, headers.index("Thành tích") + 1)
    assert cell.data_type == "s" and cell.value.startswith("- Đã sửa trong hệ thống")


def test_a_second_sync_changes_and_writes_nothing(cli, synced, linked):
    before = linked.read_bytes()
    again = {r["worksheet"]: r for r in sync(cli)}
    for worksheet, created in ((NOMINATIONS_2023, 47), (HONOURED_2021, 7)):
        summary = again[worksheet]
        assert (summary["created"], summary["updated"], summary["pushed"], summary["unchanged"]) == (0, 0, 0, created)
        assert summary["requests"]["writes"] == 0
    assert linked.read_bytes() == before


def test_the_history_synced_after_flags_the_repeat_at_the_next_sync(cli, sample):
    """Sheets in the other order: the 2023 list first knows no 2021 honour; once the 2021
    sheet is in, the next sync of the 2023 list shows the flag, and then nothing changes."""
    assert cli("units", "add", UNIT, "--code", "PT").exit_code == 0
    for worksheet in (NOMINATIONS_2023, HONOURED_2021):
        assert cli("sheets", "link", "honours.nominations", str(sample), "--worksheet", worksheet, "--unit", "PT").exit_code == 0
    sync(cli)
    row_33 = table_of(sample, NOMINATIONS_2023, 5)[33][STATUS]
    assert "Đã được tôn vinh" not in row_33 and row_33.startswith("Không đủ điều kiện")
    pushed = {r["worksheet"]: r["pushed"] for r in sync(cli)}
    assert "Đã được tôn vinh năm 2021 (Tân Tiến sĩ)" in table_of(sample, NOMINATIONS_2023, 5)[33][STATUS]
    assert pushed[NOMINATIONS_2023] == 0  # a computed column, not a pushed value
    assert all(r["requests"]["writes"] == 0 for r in sync(cli))


def test_selected_again_as_an_outstanding_intellectual_counts_in_times_not_persons(ctx, cli, synced):
    from plugins.honours.models import Nomination, Round
    from plugins.honours.pages import council_rows, record_votes

    assert cli("honours", "rounds", "add", "2023", "--unit", "PT", "--council-size", "13").exit_code == 0
    round_2023 = Round.get(Round.year == 2023)
    rows = council_rows(round_2023)
    votes = {n.id: (13 if n.full_name == "Nguyễn Thị Thanh Nhung" else None, None) for n in rows}
    record_votes(round_2023, rows, votes, None, "admin@phoihop.test")
    assert Nomination.get(Nomination.full_name == "Nguyễn Thị Thanh Nhung", Nomination.round == round_2023).result \
        == "Được tôn vinh"
    report = json_of(cli("report", "--from", "2021", "--to", "2023", "--format", "json"))["sections"]["honours"]
    assert report["rounds"]["2023"]["times_honoured"] == 1 and report["rounds"]["2023"]["honoured"] == 1
    assert report["cumulative"]["times_honoured"] == 7 and report["cumulative"]["honoured"] == 6
    assert report["cumulative"]["by_category"]["Trí thức KH&CN tiêu biểu"]["honoured"] == 2
