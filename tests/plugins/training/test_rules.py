"""The training rules: pure functions on plain values."""
import datetime as dt

from plugins.training.rules import check_activity, check_dates, infer_format


def test_end_date_before_start_date_is_an_error_on_the_end_date():
    assert check_dates(dt.date(2021, 10, 25), dt.date(2021, 9, 23)) == [
        ("end_date", 'Ngày kết thúc "23/09/2021" trước ngày bắt đầu "25/10/2021"')
    ]


def test_end_date_equal_to_start_date_is_fine():
    assert check_dates(dt.date(2022, 3, 2), dt.date(2022, 3, 2)) == []


def test_missing_end_date_is_a_one_day_event():
    assert check_dates(dt.date(2022, 3, 2), None) == []


def test_check_activity_skips_fields_that_are_absent():
    assert check_activity({"title": "Hội thảo"}) == []


def test_check_activity_reports_the_rules_across_cells_only():
    """Not negative is the columns' check (tests/plugins/training/test_sheets.py), not a rule."""
    problems = check_activity({"start_date": dt.date(2021, 5, 2), "end_date": dt.date(2021, 5, 1),
                               "participants": -1, "state_budget": -1})
    assert [field for field, _ in problems] == ["end_date"]


def test_online_venue_implies_online_format():
    assert infer_format("Trực tuyến") == "Trực tuyến"


def test_model_site_venue_implies_on_site_format():
    assert infer_format("Tại mô hình: vườn nhãn xã Tân Quang") == "Tại mô hình"


def test_ordinary_venue_implies_nothing():
    assert infer_format("Hội trường UBND huyện Yên Thế") is None
