"""``phoihop demo``: a year (2024) of the demo unit's critique work — an expert directory
and sixteen requests as an office types them — and the experts' reviews.

The directory and the requests come in through the sync of the demo's workbooks
(``critique.experts`` before ``critique.requests``: the workbooks are synced by binding
name). They show every flag: short windows, a conflict of interest (an expert of the
Sở Tài nguyên và Môi trường on one of its requests), reports the requester has not
answered, requests overdue, incomplete dossiers, a refusal with its reason and a
document of the mandatory list that never reached the LHH. The reviews have no sheet:
:func:`add_reviews` writes them once the requests are in — one per expert of each
reported request, except the conflicted expert.
"""
from __future__ import annotations

import datetime as dt

from core import bulk
from plugins.critique import rules
from plugins.critique.calendar import ensure_calendar
from plugins.critique.links import team_of
from plugins.critique.models import Request, Review, ensure_lists

# (name, title, speciality, workplace, member association, email, phone)
EXPERTS = (
    ("Lê Xuân Việt", "PGS.TS", "Kinh tế nông nghiệp", "Trường Đại học Nông - Lâm Bắc Giang",
     "Hội Khoa học Kinh tế tỉnh", "vietlx@lhhbacgiang.vn", "0912 345 678"),
    ("Phan Thanh Thảo", "KTS", "Quy hoạch đô thị", "Công ty CP Tư vấn Kiến trúc Bắc Giang", "Hội Kiến trúc sư tỉnh",
     "thaopt@lhhbacgiang.vn", "0944 536 712"),
    ("Nguyễn Thị Hòa", "ThS", "Quản lý đất đai", "Sở Tài nguyên và Môi trường", "Hội Khoa học Đất tỉnh",
     "hoant@lhhbacgiang.vn", "0204 3856 223"),
    ("Trần Hồng Yến", "TS", "Luật hành chính", "Trường Chính trị tỉnh", "Hội Luật gia tỉnh", "yenth@lhhbacgiang.vn",
     "0933 242 377"),
    ("Vũ Văn Khánh", "TS", "Y tế công cộng", "Trung tâm Kiểm soát bệnh tật tỉnh", "Hội Y học tỉnh",
     "khanhvv@lhhbacgiang.vn", "0357 448 349"),
    ("Đỗ Minh Tâm", "KS", "Thủy lợi", "Công ty TNHH MTV Khai thác công trình thủy lợi Bắc Giang", "Hội Thủy lợi tỉnh",
     "tamdm@lhhbacgiang.vn", "0204 3830 589"),
    ("Ngô Thị Lan", "ThS", "Quản lý giáo dục", "Trường Cao đẳng Ngô Gia Tự Bắc Giang", "Hội Khuyến học tỉnh",
     "lannt@lhhbacgiang.vn", "0356 364 640"),
    ("Hoàng Văn Nam", "TS", "Công nghệ thông tin", "Trường Cao đẳng Kỹ thuật Công nghiệp", "Hội Tin học tỉnh",
     "namhv@lhhbacgiang.vn", "0983 456 789"),
    ("Bùi Thị Thu", "TS", "Khoa học môi trường", "Trường Đại học Nông - Lâm Bắc Giang",
     "Hội Bảo vệ thiên nhiên và môi trường tỉnh", "thubt@lhhbacgiang.vn", "0975 745 110"),
    ("Nguyễn Văn Hưng", "ThS", "Tài chính công", "Ngân hàng Nhà nước Chi nhánh tỉnh Bắc Giang",
     "Hội Khoa học Kinh tế tỉnh", "hungnv@lhhbacgiang.vn", "0981 838 963"),
)
EXPERT_HEADERS = ("Họ và tên", "Học hàm, học vị", "Chuyên ngành", "Đơn vị công tác", "Hội thành viên", "Email",
                  "Điện thoại")

# (title, requester, kind, form, basis, mandatory, received, deadline, complete, experts, status,
#  report sent, recommendations, accepted, budget, extra cells)
REQUESTS = (
    ("Đề án phát triển kinh tế tập thể tỉnh Bắc Giang giai đoạn 2024-2030", "Sở Kế hoạch và Đầu tư", "Đề án",
     "Tư vấn", "Đặt hàng", "", "08/01/2024", "05/02/2024", "Có", "PGS.TS. Lê Xuân Việt; ThS. Nguyễn Văn Hưng",
     "Đã phản hồi", "02/02/2024", "8", "6", "15.000.000", {}),
    ("Dự thảo Nghị quyết quy định mức hỗ trợ học phí cho học sinh năm học 2024-2025", "Sở Giáo dục và Đào tạo",
     "Dự thảo văn bản quy phạm pháp luật", "Phản biện", "Giao nhiệm vụ", "Có", "22/01/2024", "31/01/2024", "Không",
     "ThS. Ngô Thị Lan; TS. Trần Hồng Yến", "Đã phản hồi", "31/01/2024", "5", "3", "5 triệu",
     {"Hồ sơ còn thiếu": "Báo cáo đánh giá tác động chính sách"}),
    ("Quy hoạch chung đô thị Vôi, huyện Lạng Giang đến năm 2045", "Sở Xây dựng", "Quy hoạch", "Phản biện", "Đặt hàng",
     "", "04/03/2024", "01/04/2024", "Có", "KTS. Phan Thanh Thảo\nThS. Nguyễn Thị Hòa", "Đã phản hồi", "28/03/2024",
     "9", "7", "20 triệu", {}),
    ("Phương án sử dụng đất mở rộng Khu công nghiệp Quang Châu", "Sở Tài nguyên và Môi trường", "Dự án",
     "Giám định xã hội", "Giao nhiệm vụ", "Có", "18/03/2024", "29/03/2024", "Có", "TS. Bùi Thị Thu; ThS. Nguyễn Thị Hòa",
     "Đã gửi báo cáo", "29/03/2024", "6", "", "15.000.000", {}),
    ("Kế hoạch chuyển đổi số ngành y tế giai đoạn 2024-2025", "Sở Y tế", "Chương trình", "Tư vấn", "Đặt hàng", "",
     "15/04/2024", "10/05/2024", "Có", "TS. Vũ Văn Khánh; TS. Hoàng Văn Nam", "Đã phản hồi", "08/05/2024", "7", "7",
     "12.000.000", {}),
    ("Dự án kè chống sạt lở bờ sông Lục Nam đoạn qua xã Cẩm Lý", "Sở Nông nghiệp và Phát triển nông thôn", "Dự án",
     "Phản biện", "Đặt hàng", "", "06/05/2024", "27/05/2024", "x", "KS. Đỗ Minh Tâm; TS. Bùi Thị Thu", "Đã phản hồi",
     "24/05/2024", "6", "5", "10 triệu", {}),
    ("Cơ chế hỗ trợ khởi nghiệp đổi mới sáng tạo tỉnh Bắc Giang", "Sở Khoa học và Công nghệ", "Cơ chế, chính sách",
     "Tư vấn", "Tự đề xuất", "", "03/06/2024", "28/06/2024", "Có", "TS. Hoàng Văn Nam; PGS.TS. Lê Xuân Việt",
     "Đã phản hồi", "25/06/2024", "5", "4", "", {}),
    ("Dự thảo Quy định quản lý cụm công nghiệp trên địa bàn tỉnh", "Sở Công Thương",
     "Dự thảo văn bản quy phạm pháp luật", "Phản biện", "Giao nhiệm vụ", "Có", "01/07/2024", "05/07/2024", "Không",
     "TS. Trần Hồng Yến", "Đã gửi báo cáo", "05/07/2024", "4", "", "5.000.000",
     {"Hồ sơ còn thiếu": "Bản tổng hợp ý kiến của các sở, ngành"}),
    ("Báo cáo đánh giá tác động môi trường Cụm công nghiệp Hợp Thịnh", "Sở Tài nguyên và Môi trường", "Báo cáo",
     "Giám định xã hội", "Giao nhiệm vụ", "", "22/07/2024", "19/08/2024", "Có", "TS. Bùi Thị Thu\nTS. Vũ Văn Khánh",
     "Đã phản hồi", "16/08/2024", "8", "5", "18 triệu", {}),
    ("Đề án phát triển vùng sản xuất vải thiều an toàn huyện Lục Ngạn", "UBND huyện Lục Ngạn", "Đề án", "Tư vấn",
     "Đặt hàng", "", "12/08/2024", "30/08/2024", "Có", "PGS.TS. Lê Xuân Việt; KS. Đỗ Minh Tâm", "Đã gửi báo cáo",
     "03/09/2024", "6", "", "10.000.000", {}),
    ("Chương trình phát triển nguồn nhân lực chất lượng cao giai đoạn 2024-2030", "Sở Nội vụ", "Chương trình", "Tư vấn",
     "Đặt hàng", "", "09/09/2024", "07/10/2024", "Có", "TS. Trần Hồng Yến; ThS. Ngô Thị Lan", "Đã phản hồi",
     "04/10/2024", "5", "4", "8.000.000", {}),
    ("Dự thảo Nghị quyết quy định mức thu phí tham quan di tích", "Sở Văn hóa, Thể thao và Du lịch",
     "Dự thảo văn bản quy phạm pháp luật", "Phản biện", "Giao nhiệm vụ", "Có", "14/10/2024", "18/10/2024", "Không",
     "TS. Trần Hồng Yến", "Từ chối", "", "", "", "",
     {"Lý do từ chối": "Hồ sơ thiếu dự thảo; 4 ngày không đủ để tổ chức phản biện"}),
    ("Quy hoạch phân khu đô thị phía Nam thành phố Bắc Giang", "Sở Xây dựng", "Quy hoạch", "Phản biện", "Đặt hàng", "",
     "04/11/2024", "02/12/2024", "Có", "KTS. Phan Thanh Thảo; TS. Bùi Thị Thu", "Đang thực hiện", "", "", "",
     "20.000.000", {}),
    ("Dự án cải tạo, nâng cấp hồ Cấm Sơn", "UBND huyện Lục Ngạn", "Dự án", "Phản biện", "Đặt hàng", "", "02/12/2024",
     "27/12/2024", "Có", "KS. Đỗ Minh Tâm; PGS.TS. Lê Xuân Việt", "Tiếp nhận", "", "", "", "12.000.000", {}),
    ("Kế hoạch ứng dụng công nghệ thông tin trong trường học năm 2024", "Sở Giáo dục và Đào tạo", "Chương trình",
     "Tư vấn", "Đặt hàng", "", "16/12/2024", "31/12/2024", "Có", "TS. Hoàng Văn Nam; ThS. Ngô Thị Lan", "Đã phản hồi",
     "27/12/2024", "4", "4", "6.000.000", {}),
    ("Quyết định phê duyệt Đề án phát triển giao thông nông thôn giai đoạn 2024-2030", "Sở Giao thông vận tải",
     "Đề án", "Phản biện", "Giao nhiệm vụ", "Có", "", "", "", "", "", "", "", "", "",
     {"Không gửi LHH": "Có", "Ngày ban hành": "15/10/2024"}),
)
REQUEST_HEADERS = ("Tên nhiệm vụ", "Cơ quan đề nghị", "Loại", "Hình thức", "Căn cứ", "Thuộc danh mục bắt buộc",
                   "Ngày nhận", "Hạn góp ý", "Hồ sơ đầy đủ", "Chuyên gia", "Trạng thái", "Ngày gửi báo cáo",
                   "Số kiến nghị", "Số kiến nghị được tiếp thu", "Kinh phí")
EXTRA_HEADERS = ("Hồ sơ còn thiếu", "Lý do từ chối", "Không gửi LHH", "Ngày ban hành")


def demo_rows(unit) -> dict:
    """The demo office's two sheets, as an office types them (header → cell). Only the
    lookup lists and the calendar (no sheet) are created here."""
    ensure_lists()
    ensure_calendar()
    experts = [dict(zip(EXPERT_HEADERS, row)) for row in EXPERTS]
    requests = []
    for *cells, extra in REQUESTS:
        row = {header: cell for header, cell in zip(REQUEST_HEADERS, cells)}
        row.update({header: extra.get(header, "") for header in EXTRA_HEADERS})
        requests.append(row)
    return {"critique.experts": experts, "critique.requests": requests}


def add_reviews(app, unit) -> int:
    """One review per expert of each request of ``unit`` whose report was sent (not the
    conflicted expert), submitted a few days before the report; return how many were
    written. Two queries and one INSERT."""
    reported = list(Request.select().where(Request.unit == unit.id, Request.report_sent_on.is_null(False),
                                           Request.archived == False))  # noqa: E712
    if not reported:
        return 0
    teams = team_of([r.id for r in reported])
    have = {(r, p) for r, p in Review.select(Review.request, Review.person)
            .where(Review.request.in_([r.id for r in reported])).tuples()}
    rows = []
    for request in reported:
        members = [(person, name) for person, name, places in teams.get(request.id, [])
                   if not rules.conflicts_of_interest(request.requester_id, [(name, places)])]
        total = request.recommendations or 0
        for index, (person, name) in enumerate(members):
            if (request.id, person) in have:
                continue
            share = total // len(members) + (1 if index < total % len(members) else 0)
            lines = [f"Kiến nghị {i + 1} của {name} về {request.title[:60]}" for i in range(share)]
            rows.append({"unit": unit.id, "request": request.id, "person": person,
                         "summary": f"Ý kiến của {name}: cơ bản thống nhất, đề nghị bổ sung, làm rõ một số nội dung.",
                         "recommendations": "\n".join(lines) or None, "recommendation_count": share,
                         "submitted_on": request.report_sent_on - dt.timedelta(days=2 + index)})
    bulk.insert(Review, rows)
    return len(rows)
