"""The three bindings on small office-like workbooks: each bad input of issue 11 as a row
error that changes nothing else, corrections, references by Mã, criteria and weights, the
formulas an edition can choose, and what follows a change."""
from decimal import Decimal

import pytest

from tests.plugins.conftest import link, make_workbook, read_sheet, run_sync

EDITION = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 10 (2022-2023)"
CNTT = "Công nghệ thông tin, điện tử, viễn thông"
YDUOC = "Y dược"
ENTRY_HEADER = ["STT", "Tên giải pháp", "Tác giả", "Đơn vị giới thiệu", "Lĩnh vực", "Cuộc thi"]
JUDGE_HEADER = ["STT", "Họ và tên", "Lĩnh vực", "Đơn vị công tác"]
SCORE_HEADER = ["STT giải pháp", "Giám khảo", "Điểm", "Nhận xét"]
JUDGES = [[1, "Thân Minh Giang", CNTT, "VNPT Bắc Giang"], [2, "Trịnh Hồng Nga", CNTT, "Viettel Bắc Giang"],
          [3, "TS. Dương Thị Liên", CNTT, "Sở Khoa học và Công nghệ"], [4, "Nguyễn Đức Lâm", YDUOC, "Hội Y học tỉnh"],
          [5, "Nguyễn Minh Oanh", YDUOC, "Sở Y tế"], [6, "Trịnh Thị Ngọc", YDUOC, "Hội Điều dưỡng tỉnh"]]


def entries(*rows):
    return [["DANH SÁCH GIẢI PHÁP DỰ THI"], [], ENTRY_HEADER, *rows]


def entry(number, title, field=CNTT, authors="Nguyễn Văn A", unit="UBND huyện Lục Ngạn", edition=EDITION):
    return [number, title, authors, unit, field, edition]


@pytest.fixture
def edition(bg):
    from plugins.contests.models import ContestKind, Edition, EditionTier, PrizeTier, ensure_catalog

    ensure_catalog()
    kind = ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật")
    found = Edition.create(unit=bg, kind=kind, name=EDITION, season_start=2022, season_end=2023)
    for tier, quota in (("Nhất", 1), ("Nhì", 1)):
        EditionTier.create(edition=found, tier=PrizeTier.get(PrizeTier.kind == kind, PrizeTier.name == tier), quota=quota)
    return found


@pytest.fixture
def office(ctx, bg, edition, tmp_path):
    """Entries, judges and scores workbooks linked to the unit; ``office.sync()`` runs them
    in order and returns ``{binding name or worksheet: result}``."""

    class Office:
        path = tmp_path / "hoi-thi.xlsx"

        def __init__(self):
            self.links = []

        def book(self, entry_rows, score_rows, score_header=SCORE_HEADER, judge_rows=JUDGES):
            make_workbook(self.path, {
                "Giải pháp": entries(*entry_rows),
                "Giám khảo": [["DANH SÁCH GIÁM KHẢO"], [], JUDGE_HEADER, *judge_rows],
                "Phiếu chấm": [["PHIẾU CHẤM"], [], score_header, *score_rows],
            })
            if not self.links:
                self.links = [link("contests.entries", self.path, "Giải pháp", bg),
                              link("contests.judges", self.path, "Giám khảo", bg),
                              link("contests.scores", self.path, "Phiếu chấm", bg)]
            return self

        def sync(self, *names):
            found = {}
            for binding in self.links + self.links[:1]:
                if not names or binding.name in names:
                    found[binding.name] = run_sync(ctx, binding)
            return found

        def write(self, worksheet, cells):
            from sheets.backend import Cell
            from sheets.xlsx import XlsxBackend

            XlsxBackend(str(self.path)).write(worksheet, [Cell(r, c, v) for r, c, v in cells])

        def sheet(self, worksheet):
            return read_sheet(self.path, worksheet)

    return Office()


def errors(result):
    return [(e["row"], e["column"], e["message"]) for e in result.errors]


def three(number, a, b, c):
    return [[number, "Thân Minh Giang", a, None], [number, "Trịnh Hồng Nga", b, None],
            [number, "TS. Dương Thị Liên", c, None]]


def entry_of(title):
    from plugins.contests.models import Entry

    return Entry.get(Entry.title == title)


# -- bad input: row errors that change nothing else -----------------------------------------------------
def test_a_judge_not_on_the_panel_of_the_entrys_field(office):
    office.book([entry(1, "Phần mềm A")], [*three(1, "80", "81", "82"), [1, "Nguyễn Đức Lâm", "90", None]])
    result = office.sync()["contests.scores"]
    assert errors(result) == [(7, "Giám khảo", f'Giám khảo "Nguyễn Đức Lâm" không có trong tổ chấm lĩnh vực "{CNTT}" '
                                              f"(chỉ chấm: {YDUOC})")]
    assert result.created == 3
    assert entry_of("Phần mềm A").score == Decimal("81")


def test_an_unknown_entry_reference_a_negative_score_and_one_above_the_maximum(office):
    office.book([entry(1, "Phần mềm A")], [*three(1, "80", "81", "82"), [7, "Thân Minh Giang", "50", None],
                                           [1, "Nguyễn Minh Oanh", "-5", None]])
    office.write("Phiếu chấm", [(5, 3, "100,5")])
    result = office.sync()["contests.scores"]
    assert errors(result) == [
        (5, "Điểm", 'Điểm "100,5" vượt thang điểm 100'),
        (7, "STT giải pháp", "STT giải pháp 7 không có trong danh sách giải pháp dự thi"),
        (8, "Điểm", 'Điểm "-5" không được âm'),
    ]
    assert result.created == 2 and entry_of("Phần mềm A").ranked is False


def test_two_rows_of_one_judge_for_one_entry_unless_one_is_the_correction(office):
    header = [*SCORE_HEADER, "Phiếu sửa"]
    rows = [*three(1, "80", "81", "82"), [1, "Trịnh Hồng Nga", "91", None, None]]
    office.book([entry(1, "Phần mềm A")], [[*r, None] if len(r) == 4 else r for r in rows], header)
    result = office.sync()["contests.scores"]
    assert errors(result) == [(7, "Giám khảo", 'Giám khảo "Trịnh Hồng Nga" đã có phiếu chấm giải pháp STT 1; '
                                              'nếu dòng này là phiếu sửa, ghi "Có" ở cột "Phiếu sửa"')]
    assert entry_of("Phần mềm A").score == Decimal("81")
    office.write("Phiếu chấm", [(7, 5, "Có")])  # the office marks it as the correction
    result = office.sync()["contests.scores"]
    assert not result.errors and result.created == 1
    assert entry_of("Phần mềm A").score == Decimal("84.33")  # (80 + 91 + 82) / 3
    # the original row's verdict changed after its row was read: written at the next sync
    assert office.sync("contests.scores")["contests.scores"].requests["writes"] == 1
    status = office.sheet("Phiếu chấm")
    column = status[2].index("Tình trạng phiếu")
    assert status[4][column].startswith("Không tính: đã có phiếu sửa (Mã PC-")
    assert status[6][column] == "Hợp lệ"


def test_a_second_row_added_after_the_first_sync_is_a_row_error_too(office):
    office.book([entry(1, "Phần mềm A")], three(1, "80", "81", "82"))
    office.sync()
    rows = office.sheet("Phiếu chấm")
    office.write("Phiếu chấm", [(len(rows) + 1, 1, 1), (len(rows) + 1, 2, "Thân Minh Giang"), (len(rows) + 1, 3, "95")])
    result = office.sync()["contests.scores"]
    assert [(row, column) for row, column, _ in errors(result)] == [(len(rows) + 1, "Giám khảo")]
    assert "(Mã PC-000001)" in result.errors[0]["message"]
    assert entry_of("Phần mềm A").score == Decimal("81")
    # the first row itself may still be edited: its own record is not a duplicate
    office.write("Phiếu chấm", [(4, 3, "83")])
    result = office.sync()["contests.scores"]
    assert result.updated == 1 and entry_of("Phần mềm A").score == Decimal("82")


def test_an_entry_in_a_field_the_kind_does_not_have(office):
    office.book([entry(1, "Phần mềm A"), entry(2, "Đồ chơi B", field="Đồ dùng học tập")], [])
    result = office.sync("contests.entries")["contests.entries"]
    assert [(r, c) for r, c, _ in errors(result)] == [(5, "Lĩnh vực")]
    assert errors(result)[0][2].startswith('Lĩnh vực "Đồ dùng học tập" không thuộc 6 lĩnh vực của ' + EDITION)


# -- references ------------------------------------------------------------------------------------
def test_mã_giải_pháp_is_filled_in_and_then_cites_the_entry(office):
    header = ["Mã giải pháp", *SCORE_HEADER]
    office.book([entry(1, "Phần mềm A"), entry(2, "Phần mềm B")], [[None, *r] for r in three(1, "80", "81", "82")],
                header)
    office.sync()
    office.sync("contests.scores")  # the Mã is written at the sheet's next sync
    rows = office.sheet("Phiếu chấm")
    code = entry_of("Phần mềm A").source_key
    assert code and [r[0] for r in rows[3:6]] == [code] * 3
    # a judge now cites entry B by its Mã alone
    code_b = entry_of("Phần mềm B").source_key
    office.write("Phiếu chấm", [(7, 1, code_b), (7, 3, "Thân Minh Giang"), (7, 4, "70")])
    result = office.sync("contests.scores")["contests.scores"]
    assert result.created == 1 and not result.errors
    assert entry_of("Phần mềm B").valid_scores == 1
    office.write("Phiếu chấm", [(8, 1, "CT-999999"), (8, 3, "Thân Minh Giang"), (8, 4, "70")])
    result = office.sync("contests.scores")["contests.scores"]
    assert errors(result) == [(8, "Mã giải pháp", 'Mã giải pháp "CT-999999" không có trong danh sách giải pháp dự thi')]


def test_a_corrected_stt_moves_the_score_to_the_right_entry(office):
    from plugins.contests.models import Score

    office.book([entry(1, "Phần mềm A"), entry(2, "Phần mềm B")], three(1, "80", "81", "82"))
    office.sync()
    office.sync("contests.scores")  # phoihop has filled in each score's Mã giải pháp (in the database)
    assert {s.entry_key for s in Score.select()} == {entry_of("Phần mềm A").source_key}
    office.write("Phiếu chấm", [(6, 1, 2)])  # Liên's row meant entry 2
    result = office.sync()["contests.scores"]
    assert not result.errors and result.updated == 1
    moved = Score.get(Score.judge_name == "TS. Dương Thị Liên")
    assert moved.entry_id == entry_of("Phần mềm B").id
    assert entry_of("Phần mềm A").valid_scores == 2 and entry_of("Phần mềm B").valid_scores == 1


def test_until_the_judges_sheet_has_a_judge_the_score_is_an_error(office):
    office.book([entry(1, "Phần mềm A")], three(1, "80", "81", "82"), judge_rows=JUDGES[:2])
    result = office.sync()["contests.scores"]
    assert errors(result) == [(6, "Giám khảo", 'Giám khảo "TS. Dương Thị Liên" không có trong danh sách giám khảo '
                                              f'của tổ chấm lĩnh vực "{CNTT}"')]


# -- rule 1 by identity, titles split off -----------------------------------------------------------------
def test_a_judge_who_is_an_author_is_rejected_with_the_reason(office):
    office.book([entry(1, "Phần mềm A", authors="Dương Thị Liên; Lê Văn B")], three(1, "80", "81", "99"))
    office.sync()
    rows = office.sheet("Phiếu chấm")
    column = rows[2].index("Tình trạng phiếu")
    assert rows[5][column] == "Bị loại: xung đột lợi ích: giám khảo TS. Dương Thị Liên là tác giả của giải pháp"
    found = entry_of("Phần mềm A")
    assert (found.valid_scores, found.ranked, found.raw_mean) == (2, False, Decimal("80.5"))


# -- criteria ------------------------------------------------------------------------------------------------
CRITERIA = ["STT giải pháp", "Giám khảo", "Tính mới, sáng tạo (30)", "Khả năng áp dụng (40)",
            "Hiệu quả kinh tế - xã hội (30)", "Nhận xét"]


def test_criteria_columns_are_summed_and_checked(office):
    rows = [[1, "Nguyễn Đức Lâm", "20", "30", "25", None], [1, "Nguyễn Minh Oanh", "22", "31,5", "26", None],
            [1, "Trịnh Thị Ngọc", "18", "41", "20", None]]
    office.book([entry(1, "Bài thuốc A", field=YDUOC)], rows, CRITERIA)
    result = office.sync()["contests.scores"]
    assert errors(result) == [(6, "Khả năng áp dụng (40)",
                               'Khả năng áp dụng "41" vượt số điểm tối đa 40 của tiêu chí')]
    assert entry_of("Bài thuốc A").raw_mean == Decimal("77.25")  # (75 + 79,5) / 2


def test_weights_per_field_multiply_the_criteria(office):
    from plugins.contests.models import ContestField, Criterion, CriterionWeight

    field = ContestField.get(ContestField.name == YDUOC)
    CriterionWeight.create(criterion=Criterion.get(Criterion.name == "Khả năng áp dụng"), field=field, weight=Decimal("0.5"))
    rows = [[1, "Nguyễn Đức Lâm", "20", "30", "25", None], [1, "Nguyễn Minh Oanh", "20", "30", "25", None],
            [1, "Trịnh Thị Ngọc", "20", "30", "25", None]]
    office.book([entry(1, "Bài thuốc A", field=YDUOC)], rows, CRITERIA)
    office.sync()
    assert entry_of("Bài thuốc A").score == Decimal(60)  # 20 + 0,5 × 30 + 25


# -- formulas and quotas -------------------------------------------------------------------------------------
def test_zscore_edition_ranks_by_the_normalised_score_beside_the_raw_mean(office, edition):
    edition.scoring = "zscore"
    edition.save()
    # Giang spreads her totals wide, Nga keeps hers close: B's lead with Giang (80 against 60)
    # is one of her usual steps, A's lead with Nga (90 against 70) is far beyond hers; Liên
    # gives A and B the same. Raw means tie at 75; normalised, A is ahead.
    rows = [[1, "Thân Minh Giang", "60", None], [1, "Trịnh Hồng Nga", "90", None], [1, "TS. Dương Thị Liên", "75", None],
            [2, "Thân Minh Giang", "80", None], [2, "Trịnh Hồng Nga", "70", None], [2, "TS. Dương Thị Liên", "75", None],
            [3, "Thân Minh Giang", "40", None], [3, "Trịnh Hồng Nga", "80", None], [3, "TS. Dương Thị Liên", "60", None]]
    office.book([entry(1, "A"), entry(2, "B"), entry(3, "C")], rows)
    office.sync()
    a, b = entry_of("A"), entry_of("B")
    assert a.raw_mean == b.raw_mean == Decimal(75) and a.score == b.score == Decimal(75)  # Điểm stays the raw mean
    assert a.normalised > b.normalised and (a.rank, b.rank) == (1, 2)
    assert a.final_tier.name == "Nhất" and b.final_tier.name == "Nhì"


def test_jury_and_vote_edition(office, edition):
    from plugins.contests.models import ContestField, Entry, Judge, JudgeField, Score
    from plugins.contests.results import recompute_stale

    edition.scoring = "jury_vote"
    edition.save()
    header = ["STT", "Tên giải pháp", "Lĩnh vực", "Cuộc thi", "Bình chọn"]
    make_workbook(office.path, {"Giải pháp": [["DANH SÁCH"], header, [1, "A", CNTT, EDITION, "1.500"],
                                              [2, "B", CNTT, EDITION, "300"]]})
    office.links = [link("contests.entries", office.path, "Giải pháp", edition.unit)]
    office.sync()
    # the judges and their totals straight in the database: the formula is what this test is about
    field = ContestField.get(ContestField.name == CNTT)
    judges = [Judge.create(unit=edition.unit, edition=edition, name=f"GK {n}") for n in range(3)]
    for judge in judges:
        JudgeField.create(judge=judge, field=field)
    for title, total in (("A", 90), ("B", 100)):
        for judge in judges:
            Score.create(unit=edition.unit, edition=edition, field=field, entry=entry_of(title), judge=judge,
                         judge_name=judge.name, total=total)
    recompute_stale()
    a, b = Entry.get(Entry.title == "A"), Entry.get(Entry.title == "B")
    assert (a.votes, b.votes) == (1500, 300)
    assert a.score == Decimal("92.0")  # 90 × 80 ÷ 100 + 20 × 1.500 ÷ 1.500
    assert b.score == Decimal("84.0")  # 100 × 80 ÷ 100 + 20 × 300 ÷ 1.500
    assert (a.rank, b.rank) == (1, 2) and (a.raw_mean, b.raw_mean) == (Decimal(90), Decimal(100))


# -- what follows a change ----------------------------------------------------------------------------------
def test_a_deleted_score_row_is_archived_and_the_entry_recomputed(office):
    office.book([entry(1, "Phần mềm A")], [*three(1, "80", "81", "82"), [1, "Nguyễn Đức Lâm", "1", None]])
    office.sync()
    assert entry_of("Phần mềm A").score == Decimal(81)
    office.write("Phiếu chấm", [(6, c, None) for c in range(1, 10)])  # Liên's row goes
    results = office.sync()
    assert results["contests.scores"].archived == 1
    found = entry_of("Phần mềm A")
    assert (found.valid_scores, found.ranked, found.score) == (2, False, None)
    rows = office.sheet("Giải pháp")
    assert rows[3][rows[2].index("Giải")] == "chưa đủ phiếu chấm"


def test_an_entry_moved_to_another_field_takes_its_scores_along(office):
    from plugins.contests.models import Score

    office.book([entry(1, "Phần mềm A")], three(1, "80", "81", "82"))
    office.sync()
    rows = office.sheet("Giải pháp")
    office.write("Giải pháp", [(4, rows[2].index("Lĩnh vực") + 1, YDUOC)])
    office.sync()
    moved = entry_of("Phần mềm A")
    assert moved.field.name == YDUOC
    assert {s.field_id for s in Score.select().where(Score.entry == moved)} == {moved.field_id}
    # the CNTT judges are not on the Y dược panel: their scores no longer count
    assert moved.valid_scores == 0
    assert {s.status for s in Score.select()} == {f'Không tính: giám khảo không thuộc tổ chấm lĩnh vực "{YDUOC}"'}


def test_an_entries_sheet_without_a_cuộc_thi_column_uses_the_units_latest_edition(ctx, bg, edition, tmp_path):
    from plugins.contests.models import ContestKind, Edition, Entry

    Edition.create(unit=bg, kind=ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật"),
                   name="Hội thi lần thứ 8", season_start=2018, season_end=2019)
    path = make_workbook(tmp_path / "a.xlsx", {"DS": [["STT", "Tên giải pháp", "Lĩnh vực"], [1, "A", "CNTT"]]})
    result = run_sync(ctx, link("contests.entries", path, "DS", bg))
    assert result.created == 1 and Entry.get().edition_id == edition.id
    assert Entry.get().field.name == CNTT  # "CNTT" is one of the field's aliases


def test_an_edition_named_by_an_alias(ctx, bg, edition, tmp_path):
    from plugins.contests.models import Entry

    edition.aliases = "Hội thi STKT lần 10"
    edition.save()
    path = make_workbook(tmp_path / "a.xlsx", {"DS": entries(entry(1, "A", edition="hội thi  STKT lần 10"))})
    binding = link("contests.entries", path, "DS", bg)
    assert run_sync(ctx, binding).created == 1 and Entry.get().edition_id == edition.id
    again = run_sync(ctx, binding)
    assert (again.updated, again.pushed, again.requests["writes"]) == (0, 0, 0)  # nothing to change in the sheet


def test_another_units_edition_of_the_same_name_is_not_this_units(ctx, bg, edition, tmp_path):
    """Two provinces may name editions alike: a row belongs to its binding's unit's."""
    from core.models import Unit
    from plugins.contests.models import Edition, Entry

    other = Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT")
    theirs = Edition.create(unit=other, kind=edition.kind, name=EDITION, season_start=2022, season_end=2023)
    path = make_workbook(tmp_path / "a.xlsx", {"DS": entries(entry(1, "A"))})
    run_sync(ctx, link("contests.entries", path, "DS", other))
    assert Entry.get().edition_id == theirs.id
