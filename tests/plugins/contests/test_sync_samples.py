"""End to end: link the two sample contest workbooks (shared/samples) with the real engine
and the command line, sync them, and find in the database and in the sheets what
samples/README.md documents — on SQLite and PostgreSQL.

The expected scores are computed here from the workbooks themselves (the judges' totals,
less the rows the README says are invalid or rejected), never copied from phoihop."""
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.plugins.conftest import json_of, read_sheet
from tests.plugins.contests.conftest import (
    TECHNICAL, TECHNICAL_BOOK, TECHNICAL_SCORES, UNIT, YOUTH, YOUTH_BOOK, YOUTH_SCORES, column_of,
)

TECH_KIND = "Hội thi Sáng tạo kỹ thuật"
YOUTH_KIND = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng"


def sync(cli, *names):
    return json_of(cli("sync", *names, "--json"))["bindings"]


@pytest.fixture
def technical(cli, sample):
    path = sample(TECHNICAL_BOOK)
    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0
    for name, worksheet in [("contests.entries", "Giải pháp dự thi"), ("contests.judges", "Giám khảo"),
                            *(("contests.scores", s) for s in TECHNICAL_SCORES)]:
        linked = cli("sheets", "link", name, str(path), "--worksheet", worksheet, "--unit", "BG")
        assert linked.exit_code == 0, linked.output
    return path


@pytest.fixture
def youth(cli, sample):
    path = sample(YOUTH_BOOK)
    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0
    for name, worksheet in [("contests.entries", "Bài dự thi"), ("contests.judges", "Giám khảo"),
                            *(("contests.scores", s) for s in YOUTH_SCORES)]:
        assert cli("sheets", "link", name, str(path), "--worksheet", worksheet, "--unit", "BG").exit_code == 0
    return path


def add_technical(cli, *quotas):
    answer = cli("contests", "editions", "add", TECHNICAL, "--kind", TECH_KIND, *quotas)
    assert answer.exit_code == 0, answer.output


def sync_all(cli):
    """Entries, judges, scores, entries again — what ``phoihop contests sync`` does."""
    return json_of(cli("contests", "sync", "--json"))["bindings"]


def first_by_sheet(results):
    """``{worksheet: its first summary}``: ``contests sync`` may sync a sheet twice."""
    found = {}
    for result in results:
        found.setdefault(result["worksheet"], result)
    return found


def errors_of(summary):
    return sorted((e["row"], e["column"]) for e in summary["errors"])


def entries_table(path, worksheet, header_row):
    """``{STT: {header: value}}`` of the entries sheet as it is on disk."""
    rows = read_sheet(path, worksheet)
    headers = [unicodedata.normalize("NFC", str(h)).strip() if h is not None else None for h in rows[header_row - 1]]
    stt = headers.index("STT")
    found = {}
    for row in rows[header_row:]:
        if len(row) > stt and isinstance(row[stt], (int, float)):
            found[int(row[stt])] = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers) if h}
    return found


def means_from_the_workbook(path, sheets, header_row, reference, skip):
    """``{entry STT: [totals]}`` read straight from the score sheets, less ``skip``: the
    (sheet, excel row) pairs that do not count."""
    totals = {}
    for worksheet in sheets:
        rows = read_sheet(path, worksheet)
        ref, points = column_of(rows, header_row, reference), column_of(rows, header_row, "Điểm")
        for number, row in enumerate(rows[header_row:], start=header_row + 1):
            if (worksheet, number) in skip or row[ref] is None:
                continue
            totals.setdefault(int(row[ref]), []).append(Decimal(str(row[points]).replace(",", ".")))
    return totals


def mean(values):
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def decimal_cell(text):
    return None if text in (None, "") else Decimal(str(text).replace(".", "").replace(",", "."))


# -- before the edition exists -------------------------------------------------------------------------
def test_until_the_edition_exists_every_entry_row_says_so(cli, technical):
    summary = sync(cli, "contests.entries")[0]
    assert summary["created"] == 0 and summary["outcome"] == "errors"
    missing = [e for e in summary["errors"] if e["column"] == "Cuộc thi"]
    # every row but the two whose own cells cannot be read (an impossible date, no title)
    assert sorted({e["row"] for e in summary["errors"]} - {e["row"] for e in missing}) == [13, 47]
    assert len(missing) == 58
    assert all(TECHNICAL in e["message"] and "chưa được thiết lập" in e["message"] for e in missing)
    table = entries_table(technical, "Giải pháp dự thi", 7)
    assert table[1]["Trạng thái đồng bộ"].startswith(f'Lỗi: Cuộc thi "{TECHNICAL}" chưa được thiết lập')
    add_technical(cli)
    assert sync(cli, "contests.entries")[0]["created"] == 57


# -- the technical contest ------------------------------------------------------------------------------
def test_technical_entries_import_the_57_valid_rows_and_report_the_3_invalid(cli, technical):
    add_technical(cli)
    summary = sync(cli, "contests.entries")[0]
    assert summary["created"] == 57
    assert errors_of(summary) == [(13, "Ngày nhận"), (27, "Lĩnh vực"), (47, "Tên giải pháp")]
    messages = {e["row"]: e["message"] for e in summary["errors"]}
    assert messages[13] == 'Ngày nhận "31/02/2021" không phải ngày hợp lệ'
    assert messages[27].startswith('Lĩnh vực "Du lịch, dịch vụ" không thuộc 6 lĩnh vực của ' + TECHNICAL)
    assert summary["skipped"] == {"blank": 6, "section": 6, "total": 0}


def test_technical_judges_and_score_sheets_give_the_readmes_counts_and_errors(ctx, cli, technical):
    from plugins.contests.models import ContestField, Judge, JudgeField

    add_technical(cli)
    results = first_by_sheet(sync_all(cli))
    assert results["Giám khảo"]["created"] == 23 and not results["Giám khảo"]["errors"]
    created = {s: results[s]["created"] for s in TECHNICAL_SCORES}
    assert created == {"Phiếu chấm - CNTT": 40, "Phiếu chấm - Cơ khí": 54, "Phiếu chấm - Vật liệu": 20,
                       "Phiếu chấm - Nông nghiệp": 60, "Phiếu chấm - Y dược": 36, "Phiếu chấm - Giáo dục": 24}
    assert errors_of(results["Phiếu chấm - Cơ khí"]) == [(8, "Điểm")]
    assert results["Phiếu chấm - Cơ khí"]["errors"][0]["message"] == 'Điểm "105" vượt thang điểm 100'
    assert errors_of(results["Phiếu chấm - Nông nghiệp"]) == [(25, "STT giải pháp")]
    assert results["Phiếu chấm - Nông nghiệp"]["errors"][0]["message"] == (
        "STT giải pháp 99 không có trong danh sách giải pháp dự thi")
    for worksheet in ("Phiếu chấm - CNTT", "Phiếu chấm - Vật liệu", "Phiếu chấm - Y dược", "Phiếu chấm - Giáo dục"):
        assert results[worksheet]["errors"] == [], worksheet
    # one judge on two panels: both fields, from one cell with a line break
    hien = Judge.get(Judge.name == "Nguyễn Thị Hồng Hiền")
    fields = {f.name for f in ContestField.select().join(JudgeField).where(JudgeField.judge == hien)}
    assert fields == {"Công nghệ thông tin, điện tử, viễn thông", "Giáo dục và Đào tạo"}
    # field IV's own '; ' is never a list separator
    assert {f.name for f in ContestField.select().join(JudgeField).join(Judge).where(Judge.name == "Ngô Thị Nhung")} == {
        "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"}


def test_conflict_of_interest_is_rejected_with_the_reason_in_the_score_sheet(ctx, cli, technical):
    from plugins.contests.models import Entry, Score

    add_technical(cli)
    sync_all(cli)
    rows = read_sheet(technical, "Phiếu chấm - Cơ khí")
    status = column_of(rows, 4, "Tình trạng phiếu")
    row36 = rows[35]
    assert row36[3] == "Vũ Hữu Phúc" and row36[1] == 19
    assert row36[status] == ("Bị loại: xung đột lợi ích: giám khảo Vũ Hữu Phúc công tác tại Sở Giao thông vận tải, "
                             "là đơn vị giới thiệu giải pháp")
    others = [r[status] for i, r in enumerate(rows[4:], start=5) if i not in (8, 36)]
    assert others and all(s == "Hợp lệ" for s in others)
    score = Score.get(Score.judge_name == "Vũ Hữu Phúc", Score.entry_number == 19)
    assert score.counted is False
    entry = Entry.get(Entry.number == "19", Entry.title.startswith("Giải pháp gia cố"))
    assert entry.valid_scores == 4 and entry.score == Decimal("86.25")  # (85,5 + 87 + 82,5 + 90) / 4


def test_entries_sheet_shows_score_rank_and_prize_computed_from_the_workbook(ctx, cli, technical):
    add_technical(cli, "--quota", "Nhất=1", "--quota", "Nhì=1", "--quota", "Ba=1", "--quota", "Khuyến khích=2")
    sync_all(cli)
    # what the README says counts: not row 8 of Cơ khí (105), not row 25 of Nông nghiệp (STT 99),
    # not row 36 of Cơ khí (conflict of interest)
    skip = {("Phiếu chấm - Cơ khí", 8), ("Phiếu chấm - Nông nghiệp", 25), ("Phiếu chấm - Cơ khí", 36)}
    totals = means_from_the_workbook(technical, TECHNICAL_SCORES, 4, "STT giải pháp", skip)
    table = entries_table(technical, "Giải pháp dự thi", 7)
    headers = [h for h in read_sheet(technical, "Giải pháp dự thi")[6] if h]
    # added right of the table: Mã first (column K, as the samples' README says), then the status,
    # then the computed columns the office's sheet lacked
    assert headers[-5:] == ["Mã", "Trạng thái đồng bộ", "Điểm", "Xếp hạng", "Giải"]
    assert read_sheet(technical, "Giải pháp dự thi")[6][10] == "Mã"
    for number, values in totals.items():
        row = table[number]
        if len(values) < 3:
            assert number == 25  # the README's only entry with 2 scores
            assert (row["Điểm"], row["Xếp hạng"], row["Giải"]) == (None, None, "chưa đủ phiếu chấm")
        else:
            assert decimal_cell(row["Điểm"]) == mean(values), number
    # ranks per field, 1, 2, 2, 4: Nông nghiệp has STT 32 and 34 tied at 84,5
    field_iv = {n: r for n, r in table.items() if r["Lĩnh vực"] == "Nông, lâm, ngư nghiệp; tài nguyên và môi trường"
                and r["Điểm"]}
    ranking = sorted(field_iv, key=lambda n: -decimal_cell(field_iv[n]["Điểm"]))
    assert [int(field_iv[n]["Xếp hạng"]) for n in ranking[:5]] == [1, 2, 3, 3, 5]
    assert decimal_cell(table[32]["Điểm"]) == decimal_cell(table[34]["Điểm"]) == Decimal("84.5")
    # a tie straddling the one Ba place: the council decides, and KK goes on below them
    assert table[32]["Giải"] == table[34]["Giải"] == "cần Hội đồng quyết định"
    assert [table[n]["Giải"] for n in ranking[:2]] == ["Nhất", "Nhì"]
    assert table[ranking[4]]["Giải"] == "Khuyến khích"  # one KK place left after the tie held one
    assert table[ranking[5]]["Giải"] is None
    # rule 3: entry 37's judges differ by 27,5 points
    assert decimal_cell(table[37]["Điểm"]) == mean(totals[37])
    rows = read_sheet(technical, "Phiếu chấm - Nông nghiệp")
    status = column_of(rows, 4, "Tình trạng phiếu")
    flagged = {r[status] for r in rows[4:] if r[1] == 37}
    assert flagged == {"Hợp lệ — chênh lệch điểm lớn (27,5 điểm)"}


def test_ranking_data_for_the_tie_names_the_contested_quota(ctx, cli, technical):
    from plugins.contests.models import Edition, Entry, PrizeTier

    add_technical(cli, "--quota", "Nhất=1", "--quota", "Nhì=1", "--quota", "Ba=1", "--quota", "Khuyến khích=2")
    sync_all(cli)
    tied = list(Entry.select().where(Entry.number.in_(["32", "34"])).where(
        Entry.edition == Edition.get(Edition.name == TECHNICAL)))
    assert len(tied) == 2 and all(e.contested and e.proposed_tier is None for e in tied)
    assert {e.held_tiers for e in tied} == {"Ba (1); Khuyến khích (1)"}
    kk = PrizeTier.get(PrizeTier.name == "Khuyến khích", PrizeTier.kind == tied[0].edition.kind)
    assert Entry.select().where(Entry.edition == tied[0].edition, Entry.field == tied[0].field,
                                Entry.proposed_tier == kk).count() == 1


def test_a_second_sync_of_the_whole_workbook_writes_nothing(cli, technical):
    add_technical(cli, "--quota", "Nhất=1")
    sync_all(cli)
    again = sync_all(cli)
    assert all(r["created"] == 0 and r["updated"] == 0 and r["requests"]["writes"] == 0 for r in again), [
        (r["worksheet"], r["requests"]) for r in again]


def test_a_changed_score_moves_only_the_cells_it_changes(ctx, cli, technical):
    """One judge's total changes in the sheet: the score, then the entry's Điểm (and what
    follows from it) change, and no other entry row is written."""
    from sheets.xlsx import XlsxBackend
    from sheets.backend import Cell

    add_technical(cli, "--quota", "Nhất=1", "--quota", "Nhì=1")
    sync_all(cli)
    rows = read_sheet(technical, "Phiếu chấm - Y dược")
    assert rows[4][1] == 44 and rows[4][3] == "Nguyễn Đức Lâm"
    # Y dược's Điểm is the sum of its criteria: change a criterion and the total together
    XlsxBackend(str(technical)).write("Phiếu chấm - Y dược", [Cell(5, 5, "28,5"), Cell(5, 8, "72")])
    results = sync_all(cli)
    scores = first_by_sheet(results)["Phiếu chấm - Y dược"]
    assert scores["updated"] == 1 and not scores["errors"]
    final_entries = [r for r in results if r["worksheet"] == "Giải pháp dự thi"][-1]
    assert final_entries["requests"]["writes"] == 1
    table = entries_table(technical, "Giải pháp dự thi", 7)
    # 62 → 72: (72 + 64 + 70,5 + 60) / 4
    assert decimal_cell(table[44]["Điểm"]) == Decimal("66.63")


def test_a_score_whose_criteria_do_not_add_up_is_a_row_error(ctx, cli, technical):
    from sheets.backend import Cell
    from sheets.xlsx import XlsxBackend

    add_technical(cli)
    sync_all(cli)
    XlsxBackend(str(technical)).write("Phiếu chấm - Y dược", [Cell(5, 5, "28,5")])  # Điểm still 62
    result = first_by_sheet(sync_all(cli))["Phiếu chấm - Y dược"]
    assert errors_of(result) == [(5, "Điểm")]
    assert result["errors"][0]["message"] == 'Điểm "62" khác tổng điểm các tiêu chí (72)'


# -- the youth contest ------------------------------------------------------------------------------------
def test_youth_workbook_gives_the_readmes_outcomes(ctx, cli, youth):
    from plugins.contests.models import Entry, Score

    answer = cli("contests", "editions", "add", YOUTH, "--kind", YOUTH_KIND, "--quota-scope", "edition",
                 "--quota", "Đặc biệt=1", "--quota", "Nhất=1")
    assert answer.exit_code == 0, answer.output
    results = sync_all(cli)
    entries = results[0]
    assert entries["created"] == 38 and errors_of(entries) == [(16, "Lĩnh vực"), (34, "Ngày nhận")]
    assert entries["skipped"] == {"blank": 2, "section": 5, "total": 0}
    by_sheet = first_by_sheet(results)
    assert by_sheet["Giám khảo"]["created"] == 6
    assert by_sheet["Phiếu chấm tổ 1"]["created"] == 69 and not by_sheet["Phiếu chấm tổ 1"]["errors"]
    assert by_sheet["Phiếu chấm tổ 2"]["created"] == 45
    assert errors_of(by_sheet["Phiếu chấm tổ 2"]) == [(20, "Giám khảo")]
    assert by_sheet["Phiếu chấm tổ 2"]["errors"][0]["message"].startswith(
        'Giám khảo "Nguyễn Thị Thanh Tâm" không có trong danh sách giám khảo của tổ')
    assert Score.select().where(Score.counted == False).count() == 0  # noqa: E712 — no conflicts here
    # the pupils' youth details
    entry = Entry.get(Entry.title == "Thước kẻ đa năng đo góc và vẽ đường tròn")
    assert (entry.authors, entry.class_name, entry.school, entry.teacher) == (
        "Vũ Đức Nam; Đặng Hoàng Tuấn", "7A5", "Trường THCS Tân Dĩnh", "Nguyễn Thanh Chi")
    assert entry.teacher_person.full_name == "Nguyễn Thanh Chi"
    # '@' in a comment is text, stored and left as text in the sheet
    rows = read_sheet(youth, "Phiếu chấm tổ 1")
    comment = column_of(rows, 4, "Nhận xét")
    assert rows[29][comment].startswith("@")
    assert Score.select().where(Score.comment == rows[29][comment]).count() == 1
    # quotas for the whole edition: the best two entries of all fields
    skip = {("Phiếu chấm tổ 2", 20)}
    totals = means_from_the_workbook(youth, YOUTH_SCORES, 4, "STT bài dự thi", skip)
    best = sorted(totals, key=lambda n: -mean(totals[n]))[:3]
    table = entries_table(youth, "Bài dự thi", 3)
    assert [table[n]["Giải"] for n in best] == ["Đặc biệt", "Nhất", None]


def test_both_workbooks_in_one_unit_keep_their_entries_apart(ctx, cli, sample):
    """STT 1…40 exist in both contests of Bắc Giang: each score sheet's STT resolves within
    its own edition (the one its judges sit on)."""
    from plugins.contests.models import Edition, Score

    technical, youth = sample(TECHNICAL_BOOK), sample(YOUTH_BOOK)
    assert cli("units", "add", UNIT, "--code", "BG").exit_code == 0
    add_technical(cli)
    assert cli("contests", "editions", "add", YOUTH, "--kind", YOUTH_KIND).exit_code == 0
    links = [("contests.entries", technical, "Giải pháp dự thi"), ("contests.entries", youth, "Bài dự thi"),
             ("contests.judges", technical, "Giám khảo"), ("contests.judges", youth, "Giám khảo"),
             *(("contests.scores", technical, s) for s in TECHNICAL_SCORES),
             *(("contests.scores", youth, s) for s in YOUTH_SCORES)]
    for name, path, worksheet in links:
        assert cli("sheets", "link", name, str(path), "--worksheet", worksheet, "--unit", "BG").exit_code == 0
    sync_all(cli)
    tech, young = Edition.get(Edition.name == TECHNICAL), Edition.get(Edition.name == YOUTH)
    assert Score.select().where(Score.edition == tech).count() == 234
    assert Score.select().where(Score.edition == young).count() == 114
    mismatched = Score.select().join(Score.entry.rel_model, on=(Score.entry == Score.entry.rel_model.id)).where(
        Score.edition != Score.entry.rel_model.edition)
    assert mismatched.count() == 0
