"""The critique rules, one by one: pure functions, no database."""
import datetime as dt

import pytest

from plugins.critique import rules

D = dt.date
TET_2023 = {D(2023, 1, 20), D(2023, 1, 23), D(2023, 1, 24), D(2023, 1, 25), D(2023, 1, 26)}


# -- rule 1: the comment window --------------------------------------------------------------------
def test_window_days_are_calendar_days_from_received_to_deadline():
    assert rules.window_days(D(2023, 7, 19), D(2023, 8, 8)) == 20
    assert rules.window_days(D(2023, 12, 11), D(2024, 1, 9)) == 29  # across the new year
    assert rules.window_days(D(2023, 5, 1), D(2023, 5, 1)) == 0
    assert rules.window_days(None, D(2023, 5, 1)) is None and rules.window_days(D(2023, 5, 1), None) is None


def test_working_days_count_mon_to_fri_after_the_day_received_up_to_the_deadline():
    # received Monday 13/02/2023, deadline Monday 06/03/2023: 4 + 5 + 5 + 1
    assert rules.working_days(D(2023, 2, 13), D(2023, 3, 6)) == 15
    # received on a Friday, deadline the next Monday: only the Monday
    assert rules.working_days(D(2023, 3, 3), D(2023, 3, 6)) == 1
    assert rules.working_days(D(2023, 3, 6), D(2023, 3, 6)) == 0
    assert rules.working_days(D(2023, 3, 6), D(2023, 3, 1)) == 0  # a deadline before: nothing
    assert rules.working_days(None, D(2023, 3, 6)) is None


def test_working_days_leave_out_the_days_off_and_count_the_compensating_saturdays():
    assert rules.working_days(D(2023, 1, 9), D(2023, 2, 13)) == 25
    assert rules.working_days(D(2023, 1, 9), D(2023, 2, 13), TET_2023) == 20
    # 2025: Friday 02/05 off, Saturday 26/04 worked instead
    off, worked = {D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2)}, {D(2025, 4, 26)}
    assert rules.working_days(D(2025, 4, 21), D(2025, 5, 5)) == 10
    assert rules.working_days(D(2025, 4, 21), D(2025, 5, 5), off, worked) == 8


def test_working_days_are_the_days_is_working_day_counts_over_any_range():
    import random

    chance = random.Random(13)
    start = D(2019, 12, 1)
    days = [start + dt.timedelta(days=n) for n in range(900)]
    off = set(chance.sample(days, 60)) | TET_2023
    worked = set(chance.sample(days, 20)) | {D(2023, 1, 21)}  # a Saturday both off and worked: worked
    off.add(D(2023, 1, 21))
    for _ in range(300):
        received = chance.choice(days)
        deadline = received + dt.timedelta(days=chance.randrange(-3, 400))
        walked = sum(rules.is_working_day(received + dt.timedelta(days=n), off, worked)
                     for n in range(1, (deadline - received).days + 1))
        assert rules.working_days(received, deadline, off, worked) == walked, (received, deadline)
    assert rules.working_days(D(2023, 1, 1), D(9999, 12, 31)) == rules.weekdays(D(2023, 1, 2), D(9999, 12, 31))


def test_weekdays_counts_mon_to_fri_both_ends_included():
    assert rules.weekdays(D(2023, 1, 2), D(2023, 1, 8)) == 5  # Monday to Sunday
    assert rules.weekdays(D(2023, 1, 7), D(2023, 1, 8)) == 0  # a weekend
    assert rules.weekdays(D(2023, 1, 6), D(2023, 1, 9)) == 2
    assert rules.weekdays(D(2023, 1, 9), D(2023, 1, 6)) == 0


def test_a_day_is_a_working_day_on_weekdays_not_off_or_when_worked_in_compensation():
    assert rules.is_working_day(D(2023, 1, 19))  # Thursday
    assert not rules.is_working_day(D(2023, 1, 21))  # Saturday
    assert not rules.is_working_day(D(2023, 1, 20), TET_2023)
    assert rules.is_working_day(D(2025, 4, 26), workdays={D(2025, 4, 26)})  # a Saturday worked


def test_a_window_below_the_minimum_is_short_and_the_minimum_itself_is_not():
    assert rules.short_window(19) and not rules.short_window(20) and not rules.short_window(35)
    assert rules.short_window(14, minimum=15) and not rules.short_window(15, minimum=15)
    assert not rules.short_window(None)


def test_a_deadline_before_the_day_received_is_an_error_naming_both_dates():
    assert rules.check_window(D(2023, 4, 10), D(2023, 3, 10)) == [
        ("deadline", "Hạn góp ý (10/03/2023) trước ngày nhận (10/04/2023)")]
    assert rules.check_window(D(2023, 4, 10), D(2023, 4, 10)) == []
    assert rules.check_window(None, D(2023, 3, 10)) == []


def test_a_request_that_reached_the_lhh_has_its_day_received_and_no_report_before_it():
    assert rules.check_arrival(None) == [("received_on", 'Thiếu "Ngày nhận"')]
    assert rules.check_arrival(D(2023, 4, 10)) == []
    assert rules.check_arrival(D(2023, 4, 10), report_sent_on=D(2023, 4, 9)) == [
        ("report_sent_on", "Ngày gửi báo cáo (09/04/2023) trước ngày nhận (10/04/2023)")]


def test_a_document_never_sent_to_the_lhh_has_its_date_of_issue_and_no_day_received():
    assert rules.check_arrival(None, bypassed=True, issued=D(2023, 6, 1)) == []
    assert rules.check_arrival(None, bypassed=True)[0][0] == "issued_on"
    assert rules.check_arrival(D(2023, 6, 1), bypassed=True, issued=D(2023, 6, 1))[0][0] == "received_on"


# -- rule 2: the status machine ------------------------------------------------------------------------
def test_a_refusal_needs_a_reason():
    assert rules.check_refusal(rules.REFUSED, "Hồ sơ không thuộc lĩnh vực") == []
    assert rules.check_refusal(rules.REFUSED, "  ") == [
        ("refusal_reason", 'Trạng thái "Từ chối" cần ghi lý do ở cột "Lý do từ chối"')]
    assert rules.check_refusal(rules.REFUSED, None, reason_column=False)[0][0] == "status"
    assert rules.check_refusal(rules.IN_PROGRESS, None) == []


@pytest.mark.parametrize("old,new,allowed", [
    ("Tiếp nhận", "Đang thực hiện", True),
    ("Tiếp nhận", "Đã gửi báo cáo", True),  # a step may be skipped
    ("Đang thực hiện", "Đã phản hồi", True),
    ("Đã gửi báo cáo", "Đang thực hiện", False),  # never back
    ("Đã phản hồi", "Tiếp nhận", False),
    ("Đang thực hiện", "Từ chối", True),
    ("Đã gửi báo cáo", "Từ chối", False),  # not after the report
    ("Từ chối", "Tiếp nhận", False),  # a refusal stays
    ("Đã phản hồi", "Đã phản hồi", True),
    (None, "Đã phản hồi", True),
])
def test_the_status_moves_forward_through_the_machine(old, new, allowed):
    assert (rules.check_transition(old, new) == []) is allowed
    assert (new in rules.next_statuses(old)) is allowed


def test_overdue_is_never_typed():
    assert rules.check_typed_status(rules.OVERDUE)[0][0] == "status"
    assert rules.check_typed_status(rules.IN_PROGRESS) == [] and rules.check_typed_status(None) == []


def test_a_blank_status_is_read_from_the_other_cells():
    assert rules.effective_status(None) == rules.RECEIVED
    assert rules.effective_status(None, D(2023, 3, 1)) == rules.REPORTED
    assert rules.effective_status(None, D(2023, 3, 1), 4) == rules.ANSWERED
    assert rules.effective_status(rules.IN_PROGRESS, D(2023, 3, 1)) == rules.IN_PROGRESS


def test_overdue_is_a_passed_deadline_without_a_report():
    today = D(2023, 12, 31)
    assert rules.is_overdue(rules.IN_PROGRESS, D(2023, 10, 26), None, today)
    assert rules.is_overdue(rules.RECEIVED, D(2023, 12, 27), None, today)
    assert not rules.is_overdue(rules.IN_PROGRESS, D(2023, 12, 31), None, today)  # due today: not yet
    assert not rules.is_overdue(rules.IN_PROGRESS, D(2024, 1, 9), None, today)
    assert not rules.is_overdue(rules.REPORTED, D(2023, 5, 29), D(2023, 5, 31), today)  # sent late, but sent
    assert not rules.is_overdue(rules.REFUSED, D(2023, 10, 26), None, today)
    assert rules.shown_status(rules.IN_PROGRESS, D(2023, 10, 26), None, None, today) == rules.OVERDUE
    assert rules.shown_status(rules.IN_PROGRESS, D(2024, 1, 9), None, None, today) == rules.IN_PROGRESS


def test_a_report_unanswered_for_more_than_the_setting_is_awaiting_uptake():
    today = D(2023, 12, 31)
    assert rules.awaiting_uptake(rules.REPORTED, D(2023, 11, 30), None, today)  # 31 days
    assert not rules.awaiting_uptake(rules.REPORTED, D(2023, 12, 1), None, today)  # exactly 30
    assert not rules.awaiting_uptake(rules.REPORTED, D(2023, 11, 30), None, today, days=31)
    assert not rules.awaiting_uptake(rules.ANSWERED, D(2023, 1, 31), 3, today)
    assert not rules.awaiting_uptake(rules.REPORTED, D(2023, 1, 31), 3, today)  # the answer is in
    assert rules.awaiting_uptake(None, D(2023, 1, 31), None, today)  # blank status, report sent


def test_on_time_is_a_report_sent_by_the_deadline():
    assert rules.on_time(D(2023, 2, 9), D(2023, 2, 13)) is True
    assert rules.on_time(D(2023, 2, 13), D(2023, 2, 13)) is True
    assert rules.on_time(D(2023, 5, 31), D(2023, 5, 29)) is False
    assert rules.on_time(None, D(2023, 5, 29)) is None


# -- rule 3: conflict of interest ---------------------------------------------------------------------------
def test_an_expert_who_works_at_the_requester_has_a_conflict_of_interest():
    team = [("Phan Thanh Thảo", {7}), ("Giáp Thị Minh Linh", {3}), ("Nguyễn Thu Huyền", set()),
            ("Lê Văn A", {9, 3})]  # the registry knows a second workplace
    assert rules.conflicts_of_interest(3, team) == ["Giáp Thị Minh Linh", "Lê Văn A"]
    assert rules.conflicts_of_interest(5, team) == []
    assert rules.conflicts_of_interest(None, team) == []


def test_the_team_must_be_in_the_directory_titles_split_off():
    directory = {"lê xuân việt", "trần thị anh"}
    assert rules.check_experts(["PGS.TS. Lê Xuân Việt", "ThS. Trần Thị Anh"], directory) == []
    assert rules.check_experts(["PGS.TS. Lê  xuân Việt", "ThS. Phạm Quang Vinh", "KS. Bùi Văn B"], directory) == [
        ("experts", "chuyên gia 'Phạm Quang Vinh', 'Bùi Văn B' không có trong danh sách chuyên gia")]
    assert rules.check_experts([], directory) == []


# -- rule 4: recommendations ------------------------------------------------------------------------------------
def test_more_recommendations_accepted_than_made_is_an_error():
    assert rules.check_recommendations(4, 6) == [
        ("accepted", "6 kiến nghị được tiếp thu nhiều hơn 4 kiến nghị đã đưa ra")]
    assert rules.check_recommendations(4, 4) == [] and rules.check_recommendations(None, 2) == []


def test_the_acceptance_rate_is_accepted_over_made_in_percent():
    assert rules.acceptance_rate(14, 11) == 78.57
    assert rules.acceptance_rate(6, 4) == 66.67
    assert rules.acceptance_rate(8, 8) == 100.0
    assert rules.acceptance_rate(0, 0) is None and rules.acceptance_rate(None, None) is None


# -- what the office sees ------------------------------------------------------------------------------------------
def test_the_flags_come_in_a_fixed_order_each_starting_with_its_words():
    flags = rules.warnings(window=3, overdue=True, awaiting=False, conflicts=["A", "B", "A"], documents_complete=False)
    assert flags == ["thời gian góp ý quá ngắn", "quá hạn", "xung đột lợi ích: A", "xung đột lợi ích: B",
                     "hồ sơ chưa đầy đủ"]
    assert rules.warning_text(flags).count("; ") == 4
    assert rules.warnings(window=20, awaiting=True) == ["chưa có báo cáo tiếp thu, giải trình"]
    assert rules.warnings(window=25, minimum=30) == ["thời gian góp ý quá ngắn"]
    assert rules.warnings(window=3, documents_complete=False, bypassed=True) == []
    assert rules.warning_text([]) == ""


def test_check_request_runs_every_row_rule():
    values = {"received_on": D(2023, 4, 10), "deadline": D(2023, 3, 10), "recommendations": 4, "accepted": 6,
              "status": rules.REFUSED, "refusal_reason": None, "experts": ["TS. Người Lạ"]}
    assert [field for field, _ in rules.check_request(values, {"ai đó"})] == [
        "deadline", "accepted", "refusal_reason", "experts"]
    assert [f for f, _ in rules.check_request(values)] == ["deadline", "accepted", "refusal_reason"]
    assert rules.check_request({"received_on": D(2023, 4, 10), "experts": []}, set()) == []


# -- figures ---------------------------------------------------------------------------------------------------------
def test_the_median_comes_from_counts():
    assert rules.median({35: 1, 15: 1, 21: 1}) == 21.0
    assert rules.median({3: 2, 7: 1, 20: 1}) == 5.0  # 3, 3, 7, 20
    assert rules.median({4: 3}) == 4.0
    assert rules.median({}) is None and rules.median({5: 0}) is None


def test_per_unit_per_year_is_the_national_surveys_average():
    assert rules.per_unit_per_year(428, 50, 3) == 2.85
    assert rules.per_unit_per_year(24, 50, 3) == 0.16
    assert rules.per_unit_per_year(5, 0, 3) is None


def test_percent_rounds_half_up():
    assert rules.percent(1, 8) == 12.5
    assert rules.percent(2, 3) == 66.67
    assert rules.percent(1, 0) is None
