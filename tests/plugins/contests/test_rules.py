"""The rules of spec/contests.md, one by one, on plain values (no database)."""
import datetime as dt
from decimal import Decimal as D

import pytest

from plugins.contests import rules
from plugins.contests.rules import TierRule

NHAT, NHI, BA, KK = "Nhất", "Nhì", "Ba", "Khuyến khích"
TECH_TIERS = [(NHAT, ("Giải Nhất",)), (NHI, ("Giải Nhì",)), (BA, ("Giải Ba",)), (KK, ("Giải Khuyến khích",))]
YOUTH_TIERS = [("Đặc biệt", ()), *TECH_TIERS]


# -- rule 1: conflict of interest -------------------------------------------------------------------
def test_a_judge_who_is_an_author_is_in_conflict():
    reason = rules.conflict_of_interest(judge_person=7, judge_workplace=3, authors={5, 7}, nominating_unit=9,
                                        judge_name="Nguyễn Văn An")
    assert reason == "xung đột lợi ích: giám khảo Nguyễn Văn An là tác giả của giải pháp"


def test_a_judge_working_at_the_nominating_unit_is_in_conflict():
    reason = rules.conflict_of_interest(judge_person=7, judge_workplace=3, authors={5}, nominating_unit=3,
                                        judge_name="Vũ Hữu Phúc", workplace_name="Sở Giao thông vận tải")
    assert reason == ("xung đột lợi ích: giám khảo Vũ Hữu Phúc công tác tại Sở Giao thông vận tải, "
                      "là đơn vị giới thiệu giải pháp")


@pytest.mark.parametrize("person, workplace, authors, unit", [
    (7, 3, {5, 6}, 4),  # neither
    (None, None, {5}, None),  # nothing known of the judge: no conflict is invented
    (7, None, set(), None),  # no workplace and no nominating unit are not "the same"
])
def test_no_conflict(person, workplace, authors, unit):
    assert rules.conflict_of_interest(judge_person=person, judge_workplace=workplace, authors=authors,
                                      nominating_unit=unit) is None


# -- rule 2: the mean, 2 decimals, half up ---------------------------------------------------------------
@pytest.mark.parametrize("totals, mean", [
    ([D("80"), D("81"), D("81")], D("80.67")),
    ([D("85.5"), D("87"), D("82.5"), D("90")], D("86.25")),
    ([D("70.125")], D("70.13")),  # half up, not to even
    ([D("70.124")], D("70.12")),
    ([D("0.005"), D("0.005")], D("0.01")),
])
def test_mean_of_valid_scores_rounded_half_up(totals, mean):
    assert rules.mean_score(totals) == mean


def test_no_scores_no_mean():
    assert rules.mean_score([]) is None


@pytest.mark.parametrize("count, minimum, ranked", [(2, 3, False), (3, 3, True), (4, 3, True), (4, 5, False)])
def test_enough_scores_against_the_editions_minimum(count, minimum, ranked):
    assert rules.enough_scores(count, minimum) is ranked


# -- rule 3: spread ------------------------------------------------------------------------------------------
def test_spread_of_the_sample_entry_37_is_flagged():
    totals = [D("63.5"), D("63"), D("36"), D("61.5"), D("61")]
    assert rules.spread(totals) == D("27.5")
    assert rules.large_spread(totals, D(20))


def test_a_spread_equal_to_the_limit_is_not_flagged():
    assert rules.spread([D(70), D(90)]) == D(20)
    assert not rules.large_spread([D(70), D(90)], D(20))
    assert rules.large_spread([D(70), D("90.5")], D(20))


def test_one_score_has_no_spread():
    assert rules.spread([D(70)]) is None and not rules.large_spread([D(70)], 0)


# -- rule 4: standard competition ranking ---------------------------------------------------------------------
def test_equal_scores_share_a_rank_and_the_next_skips():
    ranks = rules.competition_ranks([("a", D(90)), ("b", D(85)), ("c", D(85)), ("d", D(80))])
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_ranking_ignores_input_order_and_trailing_zeros():
    ranks = rules.competition_ranks([("d", D("80")), ("b", D("85.50")), ("a", D("91")), ("c", D("85.5"))])
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


# -- rule 5: prizes ------------------------------------------------------------------------------------------
def tiers(*specs):
    return [TierRule(name, quota, None if minimum is None else D(minimum)) for name, quota, minimum in specs]


def test_prizes_go_down_the_ranking_tier_by_tier():
    found = rules.allocate_prizes([("a", D(95)), ("b", D(90)), ("c", D(85)), ("d", D(80)), ("e", D(70))],
                                  tiers((NHAT, 1, None), (NHI, 1, None), (BA, 2, None)))
    assert found.awarded == {"a": NHAT, "b": NHI, "c": BA, "d": BA}
    assert not found.contested and found.groups == []


def test_a_tier_needs_its_minimum_score_and_the_places_pass_down():
    # Nhất needs 90: nobody reaches it, so the best entry goes on to Nhì
    found = rules.allocate_prizes([("a", D(88)), ("b", D(80)), ("c", D(60))],
                                  tiers((NHAT, 1, 90), (NHI, 1, 70), (BA, 5, 65)))
    assert found.awarded == {"a": NHI, "b": BA}


def test_a_tie_inside_the_quota_gets_the_tier():
    found = rules.allocate_prizes([("a", D(90)), ("b", D(90)), ("c", D(80))], tiers((NHAT, 2, None), (NHI, 1, None)))
    assert found.awarded == {"a": NHAT, "b": NHAT, "c": NHI}


def test_a_tie_straddling_the_boundary_is_left_to_the_council():
    # Nhất 1, Nhì 2, Ba 3: B, C, D tie for the 2 places of Nhì, so they hold both and one of Ba
    found = rules.allocate_prizes([("a", D(90)), ("b", D(85)), ("c", D(85)), ("d", D(85)), ("e", D(80)),
                                   ("f", D(79)), ("g", D(78))],
                                  tiers((NHAT, 1, None), (NHI, 2, None), (BA, 3, None)))
    assert found.awarded == {"a": NHAT, "e": BA, "f": BA}  # allocation goes on below with the 2 Ba places left
    assert set(found.contested) == {"b", "c", "d"}
    group = found.groups[0]
    assert group.score == D(85) and set(group.entries) == {"b", "c", "d"}
    assert group.held == ((NHI, 2), (BA, 1))
    assert found.contested_tiers == [NHI, BA]
    assert "g" not in found.awarded and "g" not in found.contested


def test_a_straddling_tie_at_the_first_place():
    found = rules.allocate_prizes([("a", D(90)), ("b", D(90)), ("c", D(70))], tiers((NHAT, 1, None), (NHI, 1, None)))
    assert found.awarded == {}  # the tie holds Nhất and Nhì: nothing left for c
    assert found.groups[0].held == ((NHAT, 1), (NHI, 1))


def test_a_tie_larger_than_every_place_left_holds_what_there_is():
    found = rules.allocate_prizes([("a", D(80)), ("b", D(80)), ("c", D(80))], tiers((BA, 1, None), (KK, 1, None)))
    assert found.groups[0].held == ((BA, 1), (KK, 1)) and set(found.contested) == {"a", "b", "c"}


def test_a_tie_starting_right_after_a_full_tier_waits_for_the_next_one():
    found = rules.allocate_prizes([("a", D(90)), ("b", D(80)), ("c", D(80))], tiers((NHAT, 1, None), (NHI, 2, None)))
    assert found.awarded == {"a": NHAT, "b": NHI, "c": NHI} and not found.contested


def test_a_tier_without_quota_or_minimum_is_not_awarded_and_a_minimum_alone_is_unlimited():
    ranked = [("a", D(90)), ("b", D(85)), ("c", D(60))]
    assert rules.allocate_prizes(ranked, tiers((NHAT, None, None))).awarded == {}
    assert rules.allocate_prizes(ranked, tiers((NHAT, None, 80))).awarded == {"a": NHAT, "b": NHAT}


def test_a_quota_of_zero_skips_the_tier():
    found = rules.allocate_prizes([("a", D(90)), ("b", D(85))], tiers((NHAT, 0, None), (NHI, 1, None)))
    assert found.awarded == {"a": NHI}


# -- rule 6: what the sheet shows ------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, label", [
    (dict(ranked=True, tier_name=NHI, contested=False), NHI),
    (dict(ranked=True, tier_name=None, contested=False), ""),
    (dict(ranked=True, tier_name=None, contested=True), "cần Hội đồng quyết định"),
    (dict(ranked=False, tier_name=None, contested=False), "chưa đủ phiếu chấm"),
    (dict(ranked=True, tier_name=None, contested=True, overridden=True, override_name=BA), BA),
    (dict(ranked=True, tier_name=NHI, contested=False, overridden=True, override_name=None), ""),
])
def test_prize_label(kwargs, label):
    assert rules.prize_label(**kwargs) == label


# -- scoring formulas ----------------------------------------------------------------------------------------
def test_zscore_rescales_each_judge_to_the_raw_range():
    # judge X scores everything 10 points higher than Y: normalised, A and B keep their order
    # and sit on the raw scale, while a judge whose totals never vary contributes the mean
    scores = [("A", "X", D(90)), ("A", "Y", D(80)), ("B", "X", D(70)), ("B", "Y", D(60))]
    found = rules.zscore_scores(scores)
    assert found["A"] > found["B"]
    assert (found["A"] + found["B"]) / 2 == D(75)  # the raw mean of everything is kept
    # both judges put A one SD above their mean: 75 + √125 = 86,18; B one below: 63,82
    assert found == {"A": D("86.18"), "B": D("63.82")}


def test_zscore_of_a_harsh_and_a_lenient_judge_reorders_by_relative_standing():
    # A is X's best (but X is harsh), B is Y's worst (Y is lenient): raw means tie, z-scores do not
    scores = [("A", "X", D(60)), ("C", "X", D(50)), ("B", "Y", D(80)), ("D", "Y", D(90))]
    found = rules.zscore_scores(scores)
    assert found["A"] > found["B"]


def test_zscore_of_a_judge_without_variation_is_the_overall_mean():
    found = rules.zscore_scores([("A", "X", D(70)), ("B", "X", D(70)), ("A", "Y", D(90)), ("B", "Y", D(70))])
    assert found["A"] > found["B"]
    assert rules.zscore_scores([("A", "X", D(77))]) == {"A": D(77)}


@pytest.mark.parametrize("mean, votes, top, score", [
    (D(100), 1500, 1500, D("100.0")),
    (D(100), 1200, 1500, D("96.0")),
    (D("85.5"), 300, 1200, D("73.4")),  # 68,4 + 5 = 73,4
    (D("85.56"), 0, 1200, D("68.4")),  # 68,448 → 68,4
    (D(90), None, None, D("72.0")),
])
def test_jury_and_community_vote(mean, votes, top, score):
    assert rules.jury_vote_score(mean, votes, top) == score


def test_jury_vote_on_an_80_point_scale():
    assert rules.jury_vote_score(D(80), 10, 20, max_score=D(80)) == D("90.0")


def test_criteria_are_summed_with_weights_per_field():
    assert rules.criteria_total({1: D("18.5"), 2: D("24"), 3: D("19.5")}) == D("62")
    assert rules.criteria_total({1: D(20), 2: D(30)}, {1: D(2)}) == D(70)


# -- a score row's own checks -----------------------------------------------------------------------------------
def test_a_score_above_the_scale_or_negative_is_an_error():
    assert rules.check_total(D(105), D(100)) == 'Điểm "105" vượt thang điểm 100'
    assert rules.check_total(D("-1"), D(100)) == 'Điểm "-1" không được âm'
    assert rules.check_total(D(100), D(100)) is None and rules.check_total(D(0), D(100)) is None


def test_a_criterion_above_its_maximum_and_a_total_that_is_not_the_sum():
    assert rules.check_criterion(D(31), D(30), "Tính mới, sáng tạo (30)") == (
        'Tính mới, sáng tạo (30) "31" vượt số điểm tối đa 30 của tiêu chí')
    assert rules.check_criterion(D(30), D(30), "x") is None
    assert rules.check_sum(D(62), D(62)) is None
    assert rules.check_sum(D(64), D("62.5")) == 'Điểm "64" khác tổng điểm các tiêu chí (62,5)'


# -- which row of one judge for one entry counts -------------------------------------------------------------------
def test_the_first_row_counts_and_a_later_one_is_a_duplicate():
    rows = [rules.ScoreRow(1, ("e", "j"), 1, code="PC-000001"), rules.ScoreRow(2, ("e", "j"), 2)]
    assert rules.counted_scores(rows) == {1: None, 2: "trùng phiếu chấm (Mã PC-000001)"}


def test_a_correction_replaces_the_original():
    rows = [rules.ScoreRow(1, ("e", "j"), 1), rules.ScoreRow(2, ("e", "j"), 2, correction=True, code="PC-000002"),
            rules.ScoreRow(3, ("e", "k"), 3)]
    assert rules.counted_scores(rows) == {1: "đã có phiếu sửa (Mã PC-000002)", 2: None, 3: None}


# -- money ------------------------------------------------------------------------------------------------------
SALARIES = [(dt.date(2019, 7, 1), 1_490_000), (dt.date(2023, 7, 1), 1_800_000), (dt.date(2024, 7, 1), 2_340_000)]


@pytest.mark.parametrize("day, amount", [
    (dt.date(2021, 12, 31), 1_490_000), (dt.date(2023, 7, 1), 1_800_000), (dt.date(2024, 6, 30), 1_800_000),
    (dt.date(2019, 6, 30), None),
])
def test_base_salary_in_force_on_a_day(day, amount):
    assert rules.base_salary_on(day, SALARIES) == amount


def test_prize_amount_fixed_or_a_multiple_of_the_base_salary():
    assert rules.prize_amount(5_000_000, None, 1_800_000) == 5_000_000
    assert rules.prize_amount(None, D("2.5"), 1_490_000) == 3_725_000
    assert rules.prize_amount(None, D("1.5"), 1_800_000) == 2_700_000
    assert rules.prize_amount(None, None, 1_800_000) is None


# -- rule 7: national third prizes or better ---------------------------------------------------------------------
@pytest.mark.parametrize("text, better", [
    ("Giải Ba", True), ("giải nhất toàn quốc", True), ("Nhì", True), ("Giải Khuyến khích", False), ("", False),
    ("Giải phụ", False),
])
def test_third_or_better(text, better):
    assert rules.third_or_better(text, TECH_TIERS) is better


def test_third_or_better_for_a_kind_with_a_special_prize_and_a_kind_without_ba():
    assert rules.third_or_better("Giải Đặc biệt", YOUTH_TIERS)
    award = [("A", ()), ("B", ()), ("C", ()), (KK, ())]
    assert rules.third_or_better("Giải C", award) and not rules.third_or_better("Khuyến khích", award)


# -- a judge's fields ---------------------------------------------------------------------------------------------
FIELDS = ["Công nghệ thông tin, điện tử, viễn thông", "Nông, lâm, ngư nghiệp; tài nguyên và môi trường",
          "Giáo dục và Đào tạo"]


def test_a_field_with_a_semicolon_in_its_name_is_never_split():
    assert rules.split_fields("Nông, lâm, ngư nghiệp; tài nguyên và môi trường", FIELDS) == [FIELDS[1]]


def test_fields_one_per_line_or_separated_by_semicolons():
    assert rules.split_fields("Công nghệ thông tin, điện tử, viễn thông\nGiáo dục và Đào tạo", FIELDS) == [FIELDS[0], FIELDS[2]]
    assert rules.split_fields("Giáo dục và Đào tạo; Nông, lâm, ngư nghiệp; tài nguyên và môi trường", FIELDS) == [
        FIELDS[2], FIELDS[1]]
    assert rules.split_fields("Du lịch; Giáo dục và Đào tạo", FIELDS) == ["Du lịch", FIELDS[2]]
