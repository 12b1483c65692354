"""``phoihop demo``: two rounds of the demo unit — last year's, decided and closed, and
this year's, open for the council — coming in through the sync of one nominations sheet.

Only the rounds (set up in phoihop, not in a sheet) are created here. Last year's rows
carry the council's votes and results, so the sync imports those decisions and closes
the round; this year's rows show the rules at work: a degree from the wrong year, a
"new doctor" honoured before, an outstanding intellectual honoured again (allowed), one
person nominated by two organisations, a name written without a year of birth. One of
this year's nominees is an author of the contests demo and a speaker of the training
demo: the same person in the registry, whose page shows all three.
"""
from __future__ import annotations

from plugins.honours.catalog import NEW_ASSOCIATE, NEW_DOCTOR, OUTSTANDING, SPECIALIST
from plugins.honours.models import Round, ensure_categories
from plugins.honours.rounds import OCCASION, today
from plugins.honours import rules


def rounds_of(unit) -> tuple[int, int]:
    """(last year, this year), as of today."""
    year = today().year
    return year - 1, year


def set_up_rounds(unit) -> None:
    """The two rounds, with their council (no sheet holds them)."""
    ensure_categories()
    past, current = rounds_of(unit)
    members = ("Nguyễn Văn Quân; Lê Thị Hà; Trần Minh Tuấn; Phạm Thu Hằng; Hoàng Văn Nam; Đỗ Thị Lan; "
               "Ngô Quang Huy; Vũ Thanh Bình; Dương Thị Nga; Bùi Văn Hải; Lý Thị Mai")
    for year, present in ((past, 11), (current, None)):
        Round.create(unit=unit, year=year, occasion=OCCASION, ceremony_date=rules.default_ceremony(year),
                     council_members=members, council_size=11, members_present=present,
                     province=rules.province_of(unit.name), budget=150_000_000)


def demo_rows(unit) -> dict:
    """``{binding: [rows]}`` of header → cell, as an office types them; the rounds first."""
    set_up_rounds(unit)
    past, current = rounds_of(unit)
    rows = []

    def add(year, name, born, gender, title, degree, position, workplace, field, nominator, category, achievements,
            votes=None, result=None, national=""):
        row = {"Năm": year, "Họ và tên": name, "Năm sinh": born, "Giới tính": gender, "Học hàm": title,
               "Học vị": degree, "Chức vụ": position, "Đơn vị công tác": workplace, "Lĩnh vực": field,
               "Đơn vị đề cử": nominator, "Hình thức tôn vinh": category, "Thành tích": achievements,
               "Đề xuất cấp trung ương": national}
        if year == past:
            row.update({"Số phiếu đồng ý": votes, "Kết quả": result})
        rows.append({header: value for header, value in row.items() if value not in (None, "")})

    # last year: decided by the council (11 members present), imported and closed
    add(past, "Đặng Văn Khôi", 1987, "Nam", "", "TS", "Giảng viên", "Trường Đại học Nông - Lâm Bắc Giang", "Nông nghiệp",
        "Trường Đại học Nông - Lâm Bắc Giang", NEW_DOCTOR,
        f"Bảo vệ thành công luận án tiến sĩ chuyên ngành Khoa học cây trồng ngày 12/10/{past - 1}", 10, rules.SELECTED)
    add(past, "Ngô Thị Thanh Hương", 1970, "Nữ", "", "TS", "Giám đốc", "Trung tâm Khuyến nông tỉnh", "Nông nghiệp",
        "Sở Nông nghiệp và Phát triển nông thôn", OUTSTANDING,
        "- Chủ nhiệm 02 đề tài cấp tỉnh đã nghiệm thu\n- Chuyển giao giống vải chín sớm cho 3 huyện", 11, rules.SELECTED)
    add(past, "Lương Văn Tú", 1979, "Nam", "", "BSCKII", "Trưởng khoa", "Bệnh viện Đa khoa tỉnh Bắc Giang", "Y dược",
        "Sở Y tế", SPECIALIST, f"Tốt nghiệp Bác sĩ chuyên khoa cấp II chuyên ngành Ngoại khoa năm {past - 1}", 9,
        rules.SELECTED)
    add(past, "Hà Văn Định", 1975, "Nam", "", "ThS", "Trưởng phòng", "UBND huyện Lục Ngạn", "Nông nghiệp",
        "UBND huyện Lục Ngạn", OUTSTANDING, "Tham mưu xây dựng vùng vải thiều VietGAP", 4, rules.NOT_SELECTED)
    # this year: open, for the council page
    add(current, "Trần Thị Hoa", 1976, "Nữ", "PGS", "TS", "Trưởng khoa", "Trường Đại học Nông - Lâm Bắc Giang",
        "Nông nghiệp", "Trường Đại học Nông - Lâm Bắc Giang", NEW_ASSOCIATE,
        f"Được Hội đồng Giáo sư nhà nước công nhận đạt tiêu chuẩn chức danh Phó Giáo sư "
        f"(Quyết định ngày 30/12/{current - 1})", national="x")
    add(current, "Vũ Thị Minh Loan", 1982, "Nữ", "", "TS", "Phó Giám đốc", "Trung tâm Khuyến nông tỉnh", "Nông nghiệp",
        "Sở Nông nghiệp và Phát triển nông thôn", OUTSTANDING,
        "- Quy trình ủ phân hữu cơ từ phụ phẩm vải thiều (dự thi Hội thi Sáng tạo kỹ thuật)\n"
        "- Báo cáo viên 05 lớp tập huấn kỹ thuật cho nông dân")
    add(current, "Vũ Thị Minh Loan", 1982, "Nữ", "", "TS", "Phó Giám đốc", "Trung tâm Khuyến nông tỉnh", "Nông nghiệp",
        "Hội Nông dân tỉnh", OUTSTANDING, "Hướng dẫn 12 hợp tác xã sản xuất phân hữu cơ vi sinh")
    add(current, "Ngô Thị Thanh Hương", 1970, "Nữ", "", "TS", "Giám đốc", "Trung tâm Khuyến nông tỉnh", "Nông nghiệp",
        "Sở Khoa học và Công nghệ", OUTSTANDING, "+ Chủ nhiệm 01 đề tài cấp Bộ\n+ Chọn tạo 02 giống lúa thuần")
    add(current, "Đặng Văn Khôi", 1987, "Nam", "", "TS", "Giảng viên", "Trường Đại học Nông - Lâm Bắc Giang",
        "Nông nghiệp", "Trường Đại học Nông - Lâm Bắc Giang", NEW_DOCTOR,
        f"Bảo vệ thành công luận án tiến sĩ ngày 12/10/{past - 1}")
    add(current, "Phùng Thị Yến", 1990, "Nữ", "", "TS", "Nghiên cứu viên", "Sở Khoa học và Công nghệ", "Kinh tế",
        "Sở Khoa học và Công nghệ", NEW_DOCTOR,
        f"Bảo vệ thành công luận án tiến sĩ chuyên ngành Quản lý kinh tế ngày 15/06/{current - 1}")
    add(current, "Nguyễn Đức Thịnh", 1984, "Nam", "", "TS", "Giảng viên", "Trường Cao đẳng Kỹ thuật Công nghiệp",
        "Kỹ thuật", "Sở Giáo dục và Đào tạo", NEW_DOCTOR,
        f"Bảo vệ thành công luận án tiến sĩ chuyên ngành Kỹ thuật điện ngày 20/11/{current - 3}")
    add(current, "Phùng Thị Yến", None, "Nữ", "", "ThS", "Chuyên viên", "UBND huyện Yên Thế", "Kinh tế",
        "UBND huyện Yên Thế", OUTSTANDING, "Tham mưu Đề án phát triển kinh tế đồi rừng")
    return {"honours.nominations": rows}
