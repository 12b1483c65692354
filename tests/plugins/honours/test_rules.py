"""Every rule of spec/honours.md as a pure function (plugins/honours/rules.py): no database."""
import datetime as dt
from decimal import Decimal

import pytest

from plugins.honours import rules
from plugins.honours.rules import Conferral, Dossier, Eligibility, Honour, Listed, RoundFacts

D = dt.date
NEW_DOCTOR = Eligibility("Tân Tiến sĩ", degrees=("TS", "TSKH"), window=rules.YEAR_BEFORE_CEREMONY, province_link=True)
NEW_PROFESSOR = Eligibility("Tân Giáo sư", academic_title="GS", window=rules.SINCE_PREVIOUS_ROUND, province_link=True)
OUTSTANDING = Eligibility("Trí thức KH&CN tiêu biểu", province_link=True, min_achievements=1, repeatable=True)
ROUND_2023 = RoundFacts(2023, D(2023, 5, 18), D(2021, 5, 18), "Phú Thọ")


# -- rule 1: when a title or degree was conferred ----------------------------------------------
def test_conferral_is_the_latest_date_in_the_achievements():
    text = ("Được Hội đồng Giáo sư nhà nước công nhận đạt tiêu chuẩn chức danh Giáo sư năm 2022 "
            "(Quyết định số 37/QĐ-HĐGSNN ngày 30/12/2022)")
    assert rules.conferral_of(None, text) == Conferral(D(2022, 12, 30), 2022)
    assert rules.conferral_of(None, "Bảo vệ luận án ngày 10/12/2021, nhận bằng ngày 15/03/2022") == Conferral(
        D(2022, 3, 15), 2022)


def test_conferral_falls_back_to_the_year_after_nam():
    assert rules.conferral_of(None, "Tốt nghiệp Bác sĩ chuyên khoa cấp II tại Trường Đại học Y Hà Nội năm 2022") == \
        Conferral(None, 2022)
    assert rules.conferral_of(None, "Chủ nhiệm 02 đề tài cấp tỉnh") is None
    assert rules.conferral_of(None, "Ngày 31/02/2022 bảo vệ") is None  # an impossible date is no date


def test_the_conferral_column_wins_over_the_achievements():
    assert rules.conferral_of("2021", "bảo vệ ngày 24/05/2022") == Conferral(None, 2021)
    assert rules.conferral_of("05/03/2022", "năm 2019") == Conferral(D(2022, 3, 5), 2022)


def test_achievement_items_read_bullets_lines_and_semicolons():
    assert rules.achievement_items("- Giải Nhì Hội thi\n- Sáng kiến cấp tỉnh") == ["Giải Nhì Hội thi", "Sáng kiến cấp tỉnh"]
    assert rules.achievement_items("+ Một\n+ Hai; Ba") == ["Một", "Hai", "Ba"]
    assert rules.achievement_items("  \n - \n") == [] and rules.achievement_items(None) == []


# -- rule 1: eligibility as data ----------------------------------------------------------------
def test_a_degree_category_needs_one_of_its_degrees():
    assert rules.check_title(NEW_DOCTOR, Dossier(degree="TSKH")) == []
    assert rules.check_title(NEW_DOCTOR, Dossier(degree="ThS")) == [
        "hình thức Tân Tiến sĩ cần học vị TS hoặc TSKH (hồ sơ ghi ThS)"]
    assert "hồ sơ chưa ghi học vị" in rules.check_title(NEW_DOCTOR, Dossier())[0]


def test_a_title_category_needs_its_academic_title():
    assert rules.check_title(NEW_PROFESSOR, Dossier(academic_title="GS", degree="TS")) == []
    assert rules.check_title(NEW_PROFESSOR, Dossier(academic_title="PGS")) == [
        "hình thức Tân Giáo sư cần học hàm GS (hồ sơ ghi PGS)"]


def test_a_degree_granted_in_the_year_before_the_ceremony():
    assert rules.check_window(NEW_DOCTOR, Conferral(D(2022, 5, 24), 2022), ROUND_2023) == []
    assert rules.check_window(NEW_DOCTOR, Conferral(None, 2022), ROUND_2023) == []
    assert rules.check_window(NEW_DOCTOR, Conferral(D(2019, 11, 15), 2019), ROUND_2023) == [
        "học vị được công nhận ngày 15/11/2019, không phải trong năm 2022 (năm trước lễ tôn vinh 18/05/2023)"]
    assert rules.check_window(NEW_DOCTOR, Conferral(D(2023, 1, 5), 2023), ROUND_2023) != []
    assert "chưa rõ thời điểm công nhận học vị" in rules.check_window(NEW_DOCTOR, None, ROUND_2023)[0]


def test_a_title_conferred_since_the_previous_round_and_by_the_ceremony():
    assert rules.check_window(NEW_PROFESSOR, Conferral(D(2022, 12, 30), 2022), ROUND_2023) == []
    assert rules.check_window(NEW_PROFESSOR, Conferral(D(2021, 5, 18), 2021), ROUND_2023) == [
        "chức danh được công nhận ngày 18/05/2021, trước đợt tôn vinh trước (18/05/2021)"]
    assert rules.check_window(NEW_PROFESSOR, Conferral(D(2023, 6, 1), 2023), ROUND_2023) == [
        "chức danh được công nhận ngày 01/06/2023, sau lễ tôn vinh (18/05/2023)"]
    assert rules.check_window(NEW_PROFESSOR, Conferral(None, 2021), ROUND_2023) == []  # a year only: the round's year
    assert rules.check_window(NEW_PROFESSOR, Conferral(None, 2020), ROUND_2023) != []


def test_a_category_without_a_window_does_not_ask_when():
    assert rules.check_window(OUTSTANDING, None, ROUND_2023) == []


def test_province_link_born_there_or_five_years_there():
    assert rules.check_province(NEW_DOCTOR, Dossier(hometown="xã Tiên Kiên, huyện Lâm Thao, tỉnh Phú Thọ"), "Phú Thọ") == []
    assert rules.check_province(NEW_DOCTOR, Dossier(hometown="Hà Nội", years_in_province=5), "Phú Thọ") == []
    assert rules.check_province(NEW_DOCTOR, Dossier(hometown="Hà Nội", years_in_province=4), "Phú Thọ") == [
        "không sinh ra tại tỉnh Phú Thọ (quê quán Hà Nội) và chưa sống, làm việc tại tỉnh đủ 5 năm (4 năm)"]
    # the sheet says neither: the nominating organisation vouches for it
    assert rules.check_province(NEW_DOCTOR, Dossier(), "Phú Thọ") == []
    assert rules.check_province(Eligibility("x"), Dossier(hometown="Hà Nội", years_in_province=0), "Phú Thọ") == []


def test_an_outstanding_intellectual_lists_an_achievement():
    assert rules.check_achievements(OUTSTANDING, Dossier(achievements="- Chủ nhiệm 01 đề tài")) == []
    assert rules.check_achievements(OUTSTANDING, Dossier(achievements="")) == ["chưa có thành tích nào được liệt kê"]
    three = Eligibility("x", min_achievements=3)
    assert rules.check_achievements(three, Dossier(achievements="a; b")) == ["cần ít nhất 3 thành tích, hồ sơ có 2"]


def test_ineligibility_gives_every_reason():
    dossier = Dossier(degree="ThS", achievements="bảo vệ ngày 15/11/2019")
    reasons = rules.ineligibility(NEW_DOCTOR, dossier, ROUND_2023)
    assert len(reasons) == 2 and "cần học vị TS" in reasons[0] and "15/11/2019" in reasons[1]
    fine = Dossier(degree="TS", achievements="Bảo vệ thành công luận án tiến sĩ ngày 24/05/2022")
    assert rules.ineligibility(NEW_DOCTOR, fine, ROUND_2023) == []


def test_the_province_an_lhh_names():
    assert rules.province_of("Liên hiệp hội tỉnh Phú Thọ") == "Phú Thọ"
    assert rules.province_of("Liên hiệp các hội KH&KT thành phố Hải Phòng") == "Hải Phòng"
    assert rules.province_of("LHH Bắc Giang") is None


# -- rounds ---------------------------------------------------------------------------------------
def test_the_previous_ceremony_is_the_latest_round_before():
    known = {2019: D(2019, 5, 17), 2021: D(2021, 5, 18), 2023: D(2023, 5, 18)}
    assert rules.previous_ceremony(2023, D(2023, 5, 18), known) == D(2021, 5, 18)
    assert rules.previous_ceremony(2019, D(2019, 5, 17), known) == D(2018, 5, 17)  # none before: a year before
    assert rules.default_ceremony(2024) == D(2024, 5, 18)
    assert rules.is_past(D(2023, 5, 18), D(2023, 12, 31)) and not rules.is_past(D(2024, 5, 18), D(2023, 12, 31))


# -- rule 4: the council's vote ---------------------------------------------------------------
def test_the_threshold_is_more_than_half_of_the_members_present():
    assert rules.threshold(13, None) == Decimal("6.5")
    assert rules.threshold(13, 10) == Decimal(5)
    assert rules.threshold(None, None) is None
    assert rules.threshold(9, None, Decimal("66.67")) == Decimal("6.0003")


def test_selected_only_with_more_votes_than_the_threshold():
    assert rules.decide(7, Decimal("6.5")) == rules.SELECTED
    assert rules.decide(5, Decimal(5)) == rules.NOT_SELECTED  # equal is not more
    assert rules.decide(6, Decimal(5)) == rules.SELECTED
    assert rules.decide(12, Decimal("6.5"), eligible=False) == rules.NOT_SELECTED
    assert rules.decide(None, Decimal(5)) is None and rules.decide(9, None) is None


def test_votes_cannot_exceed_the_members_voting():
    assert rules.check_votes(13, None, 13, None) is None
    assert rules.check_votes(14, None, 13, None) == "14 phiếu đồng ý nhiều hơn số thành viên hội đồng (13)"
    assert rules.check_votes(8, 4, 13, 11) == "12 phiếu (đồng ý và không đồng ý) nhiều hơn số thành viên hội đồng (11)"
    assert rules.check_votes(20, None, None, None) is None  # council unknown: nothing to check against
    assert "trên 6,5 phiếu" in rules.describe_threshold(13, None)


@pytest.mark.parametrize("closed,role,expected", [(False, "editor", False), (False, "admin", False),
                                                    (True, "editor", True), (True, "viewer", True),
                                                    (True, None, True), (True, "admin", False)])
def test_a_closed_round_is_locked_for_everyone_but_an_admin(closed, role, expected):
    assert rules.locked(closed, role) is expected


# -- the year of birth ---------------------------------------------------------------------------
@pytest.mark.parametrize("year,problem", [(1985, None), (2031, "ở tương lai"), (2010, "chưa đủ 18 tuổi"),
                                          (1900, "đã hơn 100 tuổi"), (2005, None), (2006, "chưa đủ 18 tuổi")])
def test_a_year_of_birth_is_plausible_as_of_today(year, problem):
    found = rules.check_year_of_birth(year, D(2023, 12, 31))
    assert (found is None) if problem is None else (problem in found)


# -- rule 3: one person, two nominators --------------------------------------------------------
def row(id, name="Nguyễn Ngọc Hằng", year=1981, category=4, nominator="Sở Y tế", stt=None, round=1):
    stt = str(id) if stt is None else stt
    return Listed(id=id, group=(round, name.casefold()), order=rules.row_order(1, stt, id), ref=stt, name=name,
                  year_of_birth=year, category=category, nominator=nominator)


def test_same_name_and_year_in_one_category_is_one_nomination_with_two_nominators():
    found = rules.duplicates([row(28), row(32, nominator="Hội Y học tỉnh")])
    assert found[32] == rules.Match(merged_into=28, merged_ref="28", nominators=2)
    assert found[28].merged_into is None and found[28].nominators == 2
    assert rules.status(match=found[32]) == "Gộp với dòng 28: 2 đơn vị đề cử"


def test_the_later_row_is_merged_into_the_earlier_one_whatever_the_order_given():
    found = rules.duplicates([row(40, stt="32", nominator="B"), row(41, stt="28", nominator="A")])
    assert found[40].merged_into == 41 and found[40].merged_ref == "28"


def test_a_third_row_names_the_first_and_nominators_are_counted_once():
    found = rules.duplicates([row(1), row(2, nominator="Hội Y học tỉnh"), row(3, nominator="Sở  Y TẾ")])
    assert found[2].merged_into == 1 and found[3].merged_into == 1 and found[3].nominators == 2


def test_homonyms_born_in_different_years_are_two_people_without_a_flag():
    found = rules.duplicates([row(8, "Nguyễn Văn Hùng", 1979, 3), row(17, "Nguyễn Văn Hùng", 1986, 3)])
    assert found[8] == rules.Match() and found[17] == rules.Match()


def test_a_missing_year_of_birth_is_flagged_never_merged():
    found = rules.duplicates([row(5, "Lê Văn An", 1980), row(9, "Lê Văn An", None, nominator="Hội Nông dân")])
    assert found[9].merged_into is None and found[9].similar_to == 5
    assert rules.status(match=found[9]) == "Có thể trùng với Lê Văn An (dòng 5): cần kiểm tra"
    assert found[5].similar_to is None  # the message is on the later row


def test_the_same_person_in_another_category_is_flagged_not_merged():
    found = rules.duplicates([row(1, category=4), row(2, category=5)])
    assert found[2].merged_into is None and found[2].similar_to == 1


def test_rows_of_different_rounds_are_never_duplicates():
    found = rules.duplicates([row(1, round=1), row(2, round=2)])
    assert found[2] == rules.Match()


def test_a_row_without_stt_is_named_by_its_ma():
    assert rules.row_ref(None, "TV-000012") == "có Mã TV-000012"
    assert rules.row_ref("7", "TV-000012") == "7"
    assert rules.row_order(1, "10", 5) > rules.row_order(1, "9", 6)  # numerically, not as text
    assert rules.row_order(None, "1", 1) > rules.row_order(2, "99", 2)  # made in the admin: after the sheets


def test_nominators_without_a_name_count_one_each():
    assert rules.nominator_count([row(1, nominator=None), row(2, nominator=None), row(3, nominator="A")]) == 3


# -- rule 2: once per degree/title category -----------------------------------------------------
def test_the_year_of_a_first_honour_in_the_category():
    history = [Honour(7, 3, 2021), Honour(7, 3, 2019), Honour(7, 5, 2017), Honour(8, 3, 2015)]
    assert rules.first_honour(7, 3, 2023, history) == 2019
    assert rules.first_honour(7, 5, 2023, history) == 2017
    assert rules.first_honour(7, 3, 2019, history) is None  # only earlier rounds count
    assert rules.first_honour(9, 3, 2023, history) is None
    assert rules.first_honour(None, 3, 2023, history) is None


# -- what the office reads -----------------------------------------------------------------------
def test_the_status_starts_with_the_words_offices_filter_on():
    text = rules.status(["học vị được công nhận năm 2020"], (2021, "Tân Tiến sĩ"), rules.Match(merged_into=1, merged_ref="3"))
    assert text == ("Không đủ điều kiện: học vị được công nhận năm 2020; Đã được tôn vinh năm 2021 (Tân Tiến sĩ); "
                    "Gộp với dòng 3: 1 đơn vị đề cử")
    assert rules.status() == ""
