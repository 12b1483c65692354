"""End to end: link the sample register (shared/samples/quy-che-phoi-hop.xlsx) with the
real engine, sync it, and find in the database and in the sheet what samples/README.md
documents — as of 31/12/2023, on SQLite and PostgreSQL."""
import datetime as dt

import pytest

from tests.plugins.coordination.conftest import cells, sync_book

D = dt.date
OVERDUE, EXPIRED = "chưa sơ kết", "hết hiệu lực"
# README "Agreement flags as of 31/12/2023": STT → rule-1 flags
FLAGS = {1: [OVERDUE], 2: [], 3: [OVERDUE], 4: [EXPIRED], 6: [], 7: [], 8: [], 9: [OVERDUE], 10: [],
         11: [OVERDUE], 12: [OVERDUE], 14: [], 15: [OVERDUE], 16: [OVERDUE], 18: [], 19: [OVERDUE]}
# README "Invalid rows": (row, column as the sheet writes it, value — a rule across cells quotes
# the date as the sheet would show it once read, dd/mm/yyyy)
INVALID = [(9, "Ngày ký", "29/02/2023"), (17, "Hiệu lực\nđến", "15/03/2021"), (21, "Chu kỳ sơ kết (tháng)", "0"),
           (24, "Loại văn bản", "Công văn")]
NO_ACTIVITY = "chưa có hoạt động phối hợp"


@pytest.fixture
def synced(ctx, bg, sample, today):
    return sync_book(ctx, sample, bg)


def test_the_sample_gives_sixteen_agreements_and_four_row_errors(synced):
    from plugins.coordination.models import Agreement

    assert (synced.created, len(synced.errors)) == (16, 4)
    assert Agreement.select().count() == 16


def test_each_invalid_row_is_an_error_naming_its_column_and_value(synced):
    found = [(e["row"], e["column"], str(e["value"])) for e in synced.errors]
    assert [(row, " ".join(column.split()), value) for row, column, value in found] == [
        (row, " ".join(column.split()), value) for row, column, value in INVALID]


def test_the_invalid_rows_messages_say_why(synced):
    messages = {e["row"]: e["message"] for e in synced.errors}
    assert "29/02/2023" in messages[9]
    assert messages[17] == "Hiệu lực đến (15/03/2021) trước ngày ký (15/03/2022)"
    assert messages[21] == "Chu kỳ sơ kết 0 tháng: phải lớn hơn 0 tháng"
    assert messages[24].startswith('Loại văn bản "Công văn" không phải loại văn bản phối hợp')


def test_the_review_and_validity_flags_are_written_back_as_the_readme_gives_them(synced, sample):
    written = cells(sample, "Cảnh báo", 4)
    for stt, flags in FLAGS.items():
        shown = [flag for flag in (written[stt] or "").split("; ") if flag and not flag.startswith(NO_ACTIVITY)]
        assert shown == flags, stt


def test_without_other_areas_every_partner_is_flagged_idle(synced, sample):
    written = cells(sample, "Cảnh báo", 4)
    assert all(NO_ACTIVITY in (written[stt] or "") for stt in FLAGS)


def test_two_partners_of_one_programme_are_two_organisations_in_order(synced):
    from plugins.coordination.links import partners_of
    from plugins.coordination.models import Agreement

    agreement = Agreement.get(Agreement.number == "125/CTrPH-SGDĐT-TĐ-LHH")
    assert [name for _id, name in partners_of([agreement.id])[agreement.id]] == ["Sở Giáo dục và Đào tạo", "Tỉnh đoàn"]
    assert agreement.modes == "Theo giai đoạn; Theo từng năm"


def test_the_peculiar_valid_rows_are_read_as_the_readme_says(synced):
    from plugins.coordination.models import Agreement

    assert Agreement.get(Agreement.number == "03/QCPH-LHH-SKHĐT").signed_on == D(2022, 2, 20)
    assert Agreement.get(Agreement.number == "02/BBGN-MTTQ-LHH").kind.name == "Biên bản ghi nhớ"
    areas = Agreement.get(Agreement.number == "01/QCPH-LHH-SKHCN").areas
    assert areas == "Hội thi sáng tạo kỹ thuật; Tư vấn, phản biện và giám định xã hội; Phổ biến kiến thức"


def test_the_invalid_rows_change_nothing_else(synced, sample):
    from plugins.coordination.models import Agreement

    assert not Agreement.select().where(Agreement.number.in_(
        ["06/QCPH-STP-LHH", "11/CTrPH-STNMT-LHH", "03/KHPH-HLHPN-LHH", "215/SVHTTDL-QLVH"])).exists()
    assert cells(sample, "Kết quả sơ kết", 4)[1] == "Hoàn thành tốt các nội dung phối hợp"


def test_a_second_sync_changes_nothing(ctx, synced, sample, bg):
    again = sync_book(ctx, sample, bg)
    assert (again.created, again.updated, len(again.errors)) == (0, 0, 4)
