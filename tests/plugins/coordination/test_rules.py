"""The coordination rules (plugins/coordination/rules.py): pure functions, one behaviour
per test."""
import datetime as dt

from plugins.coordination import rules

D = dt.date
TODAY = D(2023, 12, 31)


def values(signed=None, until=None, months=None, reviewed=None):
    return {"signed_on": signed, "valid_until": until, "review_months": months, "last_review_on": reviewed}


def test_adding_months_keeps_the_day_within_the_month():
    assert rules.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)


def test_adding_months_crosses_years():
    assert rules.add_months(D(2022, 11, 15), 14) == D(2024, 1, 15)


def test_subtracting_months_from_a_leap_day():
    assert rules.add_months(D(2024, 2, 29), -12) == D(2023, 2, 28)


def test_a_review_is_due_a_cycle_after_the_last_review():
    assert rules.review_due(D(2019, 3, 12), D(2022, 12, 20), 12) == D(2023, 12, 20)


def test_a_never_reviewed_agreement_is_due_a_cycle_after_its_signing():
    assert rules.review_due(D(2020, 5, 5), None, 12) == D(2021, 5, 5)


def test_no_cycle_means_no_review_due():
    assert rules.review_due(D(2020, 5, 5), None, None) is None


def test_a_review_due_yesterday_is_overdue():
    assert rules.review_overdue(None, D(2022, 12, 30), 12, TODAY)


def test_a_review_due_today_is_not_yet_overdue():
    assert not rules.review_overdue(None, D(2022, 12, 31), 12, TODAY)


def test_an_agreement_valid_until_today_has_not_expired():
    assert not rules.expired(TODAY, TODAY)


def test_an_agreement_valid_until_yesterday_has_expired():
    assert rules.expired(D(2023, 12, 30), TODAY)


def test_an_agreement_without_end_date_never_expires():
    assert not rules.expired(None, TODAY)


def test_the_joint_window_is_the_year_that_ends_today():
    assert rules.joint_window(TODAY) == (D(2023, 1, 1), TODAY)


def test_an_overdue_agreement_is_flagged_chua_so_ket():
    assert rules.agreement_flags(values(D(2019, 3, 12), None, 12, D(2022, 12, 20)), TODAY) == ["chưa sơ kết"]


def test_an_expired_agreement_is_flagged_het_hieu_luc_only():
    flags = rules.agreement_flags(values(D(2017, 7, 1), D(2022, 6, 30), 12, D(2021, 6, 15)), TODAY)
    assert flags == ["hết hiệu lực"]


def test_an_agreement_reviewed_in_time_and_in_force_has_no_flag():
    assert rules.agreement_flags(values(D(2021, 9, 15), D(2025, 12, 31), 12, D(2023, 12, 28)), TODAY) == []


def test_an_agreement_whose_only_partner_is_idle_is_flagged_without_a_name():
    flags = rules.agreement_flags(values(), TODAY, ["Sở Y tế"], ["Sở Y tế"])
    assert flags == ["chưa có hoạt động phối hợp"]


def test_an_agreement_with_one_idle_partner_of_two_names_it():
    flags = rules.agreement_flags(values(), TODAY, ["Sở Giáo dục và Đào tạo", "Tỉnh đoàn"], ["Tỉnh đoàn"])
    assert flags == ["chưa có hoạt động phối hợp: Tỉnh đoàn"]


def test_flags_are_joined_by_semicolons():
    assert rules.flag_text(["chưa sơ kết", "chưa có hoạt động phối hợp"]) == "chưa sơ kết; chưa có hoạt động phối hợp"


def test_valid_until_before_signing_is_a_problem_of_valid_until():
    assert rules.check_agreement({"signed_on": D(2022, 3, 15), "valid_until": D(2021, 3, 15)}) == [
        ("valid_until", "Hiệu lực đến (15/03/2021) trước ngày ký (15/03/2022)")]


def test_valid_until_on_the_signing_day_is_fine():
    assert rules.check_agreement({"signed_on": D(2022, 3, 15), "valid_until": D(2022, 3, 15)}) == []


def test_a_review_cycle_of_zero_months_is_a_problem():
    assert rules.check_agreement({"review_months": 0}) == [("review_months", "Chu kỳ sơ kết 0 tháng: phải lớn hơn 0 tháng")]


def test_a_negative_review_cycle_is_a_problem():
    assert [field for field, _m in rules.check_agreement({"review_months": -6})] == ["review_months"]
