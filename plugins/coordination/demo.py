"""``phoihop demo``: the demo unit's register of coordination documents, as an office
types it — with the partners the other areas' demo records name (so that the partners
page and the flags have joint activities to count), two partners on one programme, a
memorandum, an expired plan, documents never reviewed and one reviewed long ago. The
rows come in through the sync of the demo's workbook; the yearly items (no sheet) are
added once they are in (:func:`add_items`)."""
from __future__ import annotations

from core import bulk
from plugins.coordination.models import Agreement, AgreementItem, ensure_lists

HEADERS = ("Đối tác", "Loại văn bản", "Số hiệu", "Ngày ký", "Hiệu lực đến", "Lĩnh vực phối hợp", "Phương thức",
           "Chu kỳ sơ kết (tháng)", "Ngày sơ kết gần nhất")
AGREEMENTS = (
    ("Sở Khoa học và Công nghệ", "Quy chế phối hợp", "01/QCPH-LHH-SKHCN", "12/03/2019", "",
     "Hội thi sáng tạo kỹ thuật; Tư vấn, phản biện và giám định xã hội; Phổ biến kiến thức", "Theo giai đoạn", "12",
     "20/12/2023"),
    ("Sở Giáo dục và Đào tạo; Tỉnh đoàn", "Chương trình phối hợp", "125/CTrPH-SGDĐT-TĐ-LHH", "15/09/2021",
     "31/12/2025", "Cuộc thi sáng tạo thanh thiếu niên, nhi đồng", "Theo giai đoạn; Theo từng năm", "12", "28/12/2023"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "Quy chế phối hợp", "02/QCPH-LHH-SNN", "05/05/2020", "",
     "Tập huấn, phổ biến kiến thức; Tư vấn, phản biện và giám định xã hội", "Theo giai đoạn", "12", ""),
    ("Sở Y tế", "Chương trình phối hợp", "45/CTrPH-SYT-LHH", "01/07/2017", "30/06/2022",
     "Tôn vinh trí thức; Phổ biến kiến thức", "Theo giai đoạn", "12", "15/06/2021"),
    ("Sở Tài nguyên và Môi trường", "Thỏa thuận hợp tác", "07/TTHT-LHH-STNMT", "10/10/2022", "10/10/2027",
     "Tư vấn, phản biện và giám định xã hội", "Trao đổi, hợp tác nội dung riêng lẻ", "24", ""),
    ("UBND huyện Lục Ngạn", "Chương trình phối hợp", "68/CTrPH-UBND-LHH", "09/03/2023", "31/12/2025",
     "Tập huấn, phổ biến kiến thức; Tư vấn, phản biện và giám định xã hội", "Theo giai đoạn", "12", "15/03/2024"),
    ("Báo Bắc Giang", "Quy chế phối hợp", "02/QCPH-BBG-LHH", "14/02/2020", "", "Truyền thông", "Theo từng năm", "12",
     "30/12/2022"),
    ("Hội Luật gia tỉnh", "Biên bản ghi nhớ", "01/BBGN-HLG-LHH", "03/08/2021", "03/08/2026",
     "Tư vấn, phản biện và giám định xã hội", "Trao đổi, hợp tác nội dung riêng lẻ", "12", "15/08/2022"),
    ("Sở Giao thông vận tải", "Kế hoạch phối hợp", "12/KHPH-SGTVT-LHH", "18/01/2024", "31/12/2024",
     "Tư vấn, phản biện và giám định xã hội", "Theo từng năm", "12", ""),
)
# (number of the agreement, year, content, done)
ITEMS = (
    ("01/QCPH-LHH-SKHCN", 2024, "Phối hợp tổ chức Hội thi sáng tạo kỹ thuật tỉnh", True),
    ("01/QCPH-LHH-SKHCN", 2024, "Tư vấn, phản biện các đề án khoa học và công nghệ của tỉnh", True),
    ("01/QCPH-LHH-SKHCN", 2024, "Hội thảo khoa học về chuyển đổi số", False),
    ("125/CTrPH-SGDĐT-TĐ-LHH", 2024, "Cuộc thi sáng tạo thanh thiếu niên, nhi đồng tỉnh", True),
    ("125/CTrPH-SGDĐT-TĐ-LHH", 2024, "Tập huấn giáo viên hướng dẫn nghiên cứu khoa học", False),
    ("02/QCPH-LHH-SNN", 2024, "Tập huấn kỹ thuật trồng cây ăn quả cho nông dân", True),
    ("02/QCPH-LHH-SNN", 2024, "Phản biện quy hoạch vùng sản xuất vải thiều", False),
    ("68/CTrPH-UBND-LHH", 2024, "Phổ biến kiến thức về an toàn thực phẩm", True),
)


def demo_rows(unit) -> dict:
    """The demo office's register (header → cell), in ``unit``'s name; the lookup lists
    (no sheet) are created here."""
    ensure_lists()
    rows = [{"Đơn vị": unit.name, **dict(zip(HEADERS, row))} for row in AGREEMENTS]
    return {"coordination.agreements": rows}


def add_items(unit) -> int:
    """The yearly items of ``unit``'s demo agreements, once the sync has brought them in;
    return how many were written. One query and one INSERT (none when they are there)."""
    agreements = dict(Agreement.select(Agreement.number, Agreement.id)
                      .where(Agreement.unit == unit.id, Agreement.archived == False).tuples())  # noqa: E712
    have = {(a, y, c) for a, y, c in AgreementItem.select(AgreementItem.agreement, AgreementItem.year,
                                                          AgreementItem.content)
            .where(AgreementItem.agreement.in_(list(agreements.values()) or [0])).tuples()}
    rows = [{"unit": unit.id, "agreement": agreements[number], "year": year, "content": content, "done": done}
            for number, year, content, done in ITEMS
            if number in agreements and (agreements[number], year, content) not in have]
    if rows:
        bulk.insert(AgreementItem, rows)
    return len(rows)
