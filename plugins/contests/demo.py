"""``phoihop demo``: a technical-innovation contest and a youth creativity contest of the
demo unit, with their entries, judges and score sheets as an office types them.

Only the editions (set up in phoihop, not in a sheet) are created here; entries, judges
and scores come in through the sync of the demo's workbooks, in that order (the
workbooks are synced by binding name). :func:`resync_entries` then syncs the entries
workbook once more, so that it shows the ``Điểm``, ``Xếp hạng`` and ``Giải`` the scores
gave. The scores show a conflict of interest, an entry with too few scores, a large spread
and a tie left to the council.
"""
from __future__ import annotations

from plugins.contests import catalog
from plugins.contests.models import ContestKind, Edition, EditionTier, PrizeTier, ensure_catalog

TECHNICAL = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 10 (2022-2023)"
YOUTH = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng tỉnh Bắc Giang lần thứ 17 (2023-2024)"
CNTT, CO_KHI, NONG = ("Công nghệ thông tin, điện tử, viễn thông", "Cơ khí, tự động hóa, xây dựng, giao thông vận tải",
                      "Nông, lâm, ngư nghiệp; tài nguyên và môi trường")
HOC_TAP, MOI_TRUONG = "Đồ dùng học tập", "Sản phẩm thân thiện với môi trường"

# (edition, field, title, authors, address, nominating unit, received, [scores of the field's judges])
ENTRIES = (
    (TECHNICAL, CNTT, "Hệ thống quản lý văn bản điện tử liên thông cấp xã", "KS. Nguyễn Văn Tuấn; Lê Thị Hà",
     "UBND xã Tân Mỹ, thành phố Bắc Giang", "Sở Thông tin và Truyền thông", "12/04/2023", ("88", "86,5", "90")),
    (TECHNICAL, CNTT, "Ứng dụng giám sát chất lượng nước ao nuôi qua điện thoại", "Trần Quang Huy",
     "Hợp tác xã Thủy sản Yên Dũng", "UBND huyện Yên Dũng", "05/05/2023", ("81", "79,5", "83")),
    (TECHNICAL, CNTT, "Bản đồ số du lịch cộng đồng huyện Sơn Động", "Hoàng Minh Đức; Vi Thị Lan",
     "Trung tâm Văn hóa huyện Sơn Động", "UBND huyện Sơn Động", "20/05/2023", ("81", "80,5", "82,5")),
    (TECHNICAL, CNTT, "Phần mềm theo dõi tiêm chủng vật nuôi", "Đỗ Thị Mai", "Trạm Thú y huyện Lục Nam",
     "Sở Nông nghiệp và Phát triển nông thôn", "02/06/2023", ("72", "70", "")),
    (TECHNICAL, CO_KHI, "Máy tách hạt vải thiều bán tự động", "Phạm Văn Long; Ngô Đức Anh",
     "Xưởng cơ khí Phượng Sơn, huyện Lục Ngạn", "UBND huyện Lục Ngạn", "15/04/2023", ("90", "87", "89,5")),
    (TECHNICAL, CO_KHI, "Thiết bị cảnh báo sạt lở taluy đường tỉnh 291", "Nguyễn Thành Công",
     "Ban Quản lý dự án giao thông tỉnh", "Sở Giao thông vận tải", "28/04/2023", ("84", "86", "85")),
    (TECHNICAL, CO_KHI, "Xe rùa điện vận chuyển vật liệu trong công trường", "Lương Văn Hải",
     "Công ty CP Xây dựng số 2 Bắc Giang", "Sở Xây dựng", "10/05/2023", ("62", "85", "70")),
    (TECHNICAL, NONG, "Quy trình ủ phân hữu cơ từ phụ phẩm vải thiều", "TS. Vũ Thị Minh Loan",
     "Trung tâm Khuyến nông tỉnh", "Sở Nông nghiệp và Phát triển nông thôn", "18/04/2023", ("91", "89", "90,5")),
    (TECHNICAL, NONG, "Mô hình trồng nấm sò trên rơm rạ", "Nguyễn Thị Thúy", "Hợp tác xã Nấm Hiệp Hòa",
     "Hội Nông dân tỉnh", "22/05/2023", ("84", "85", "86")),
    (TECHNICAL, NONG, "Bả sinh học diệt chuột bảo vệ lúa", "Trần Văn Bình; Lê Thị Thu", "Trạm Bảo vệ thực vật huyện Tân Yên",
     "UBND huyện Tân Yên", "30/05/2023", ("85", "84", "86")),
    (YOUTH, HOC_TAP, "Thước kẻ đa năng đo góc", "Vũ Đức Nam; Đặng Hoàng Tuấn", "Trường THCS Tân Dĩnh",
     "Phòng Giáo dục và Đào tạo huyện Lạng Giang", "08/02/2024", ("82", "80", "84,5")),
    (YOUTH, HOC_TAP, "Hộp bút có đèn đọc sách", "Hoàng Đăng Hiếu", "Trường THPT Chuyên Bắc Giang",
     "Sở Giáo dục và Đào tạo", "09/02/2024", ("88", "90", "87,5")),
    (YOUTH, MOI_TRUONG, "Thùng phân loại rác thông minh", "Nguyễn Gia Minh; Nguyễn Thảo Diệp", "Trường THPT Yên Thế",
     "Sở Giáo dục và Đào tạo", "20/02/2024", ("91", "93", "92")),
    (YOUTH, MOI_TRUONG, "Gạch lát từ nhựa phế thải", "Lê Quốc Phong", "Trường THCS Ngô Sĩ Liên",
     "Phòng Giáo dục và Đào tạo thành phố Bắc Giang", "22/02/2024", ("76", "74,5", "78")),
)
YOUTH_DETAILS = {  # title → (class, school, guiding teacher)
    "Thước kẻ đa năng đo góc": ("7A5", "Trường THCS Tân Dĩnh", "Nguyễn Thanh Chi"),
    "Hộp bút có đèn đọc sách": ("11 Lý", "Trường THPT Chuyên Bắc Giang", "Trần Hồng Hiếu"),
    "Thùng phân loại rác thông minh": ("12A7", "Trường THPT Yên Thế", "Nguyễn Văn Dũng"),
    "Gạch lát từ nhựa phế thải": ("9A6", "Trường THCS Ngô Sĩ Liên", "Trần Minh Ngọc"),
}
# (name as written, fields, workplace, email)
JUDGES = (
    ("ThS. Thân Minh Giang", (CNTT,), "VNPT Bắc Giang", "giangtm@example.vn"),
    ("KS. Trịnh Hồng Nga", (CNTT,), "Viettel Bắc Giang", "ngath@example.vn"),
    ("TS. Dương Thị Liên", (CNTT,), "Sở Khoa học và Công nghệ", "liendt@example.vn"),
    ("TS. Phạm Kim Lý", (CO_KHI,), "Trường Cao đẳng Kỹ thuật Công nghiệp", "lypk@example.vn"),
    ("KS. Vũ Hữu Phúc", (CO_KHI,), "Sở Giao thông vận tải", "phucvh@example.vn"),  # rule 1: Sở GTVT's entry
    ("KS. Đặng Công Quân", (CO_KHI,), "Công ty CP Cơ khí Hà Bắc", "quandc@example.vn"),
    ("PGS.TS. Nguyễn Thị Hồng Hậu", (NONG,), "Trường Đại học Nông - Lâm Bắc Giang", "haunth@example.vn"),
    ("TS. Ngô Thị Nhung", (NONG,), "Viện Khoa học Kỹ thuật Nông Lâm nghiệp miền núi phía Bắc", "nhungnt@example.vn"),
    ("KS. Phan Kim Thảo", (NONG,), "Hội Làm vườn tỉnh", "thaopk@example.vn"),
    ("Lê Công Tâm", (HOC_TAP, MOI_TRUONG), "Văn phòng Liên hiệp hội tỉnh", "tamlc@example.vn"),
    ("Lê Kim Oanh", (HOC_TAP, MOI_TRUONG), "Trường Cao đẳng Kỹ thuật Công nghiệp", "oanhlk@example.vn"),
    ("Hà Công Sơn", (HOC_TAP, MOI_TRUONG), "Sở Khoa học và Công nghệ", "sonhc@example.vn"),
)
QUOTAS = {TECHNICAL: (("Nhất", 1), ("Nhì", 1), ("Ba", 1)), YOUTH: (("Đặc biệt", 1), ("Nhất", 1), ("Nhì", 1))}
MONEY = {TECHNICAL: (("Nhất", 5_000_000), ("Nhì", 3_000_000), ("Ba", 2_000_000)),
         YOUTH: (("Đặc biệt", 3_000_000), ("Nhất", 2_000_000), ("Nhì", 1_500_000))}


def set_up_editions(unit) -> None:
    """The demo's two editions, with quotas and prize money (no sheet holds them)."""
    ensure_catalog()
    kinds = {k.name: k for k in ContestKind.select()}
    for name, kind_name, scope in ((TECHNICAL, catalog.TECHNICAL, "field"), (YOUTH, catalog.YOUTH, "edition")):
        kind = kinds[kind_name]
        season = name[name.rindex("(") + 1:-1].split("-")
        edition = Edition.create(unit=unit, kind=kind, name=name, number=int(name.split("lần thứ ")[1].split()[0]),
                                 season_start=int(season[0]), season_end=int(season[-1]), quota_scope=scope)
        tiers = {t.name: t for t in PrizeTier.select().where(PrizeTier.kind == kind)}
        money = dict(MONEY[name])
        for tier_name, quota in QUOTAS[name]:
            EditionTier.create(edition=edition, tier=tiers[tier_name], quota=quota, money=money.get(tier_name))


def demo_rows(unit) -> dict:
    """``{binding: [rows]}`` of header → cell, as an office types them; the editions first."""
    set_up_editions(unit)
    entries, scores = [], []
    judges_of = {}
    for name, fields, _workplace, _email in JUDGES:
        for field_name in fields:
            judges_of.setdefault(field_name, []).append(name)
    for number, (edition, field_name, title, authors, address, nominating, received, marks) in enumerate(ENTRIES, 1):
        row = {"Cuộc thi": edition, "Tên giải pháp": title, "Tác giả": authors, "Đơn vị/Địa chỉ": address,
               "Lĩnh vực": field_name, "Đơn vị giới thiệu": nominating, "Ngày nhận": received}
        if title in YOUTH_DETAILS:
            row.update(zip(("Lớp", "Trường", "Giáo viên hướng dẫn"), YOUTH_DETAILS[title]))
        entries.append(row)
        for judge, mark in zip(judges_of[field_name], marks):
            if mark:
                scores.append({"STT giải pháp": number, "Tên giải pháp": title, "Giám khảo": judge, "Điểm": mark})
    judges = [{"Họ và tên": name, "Lĩnh vực": "\n".join(fields), "Đơn vị công tác": workplace, "Email": email}
              for name, fields, workplace, email in JUDGES]
    return {"contests.entries": entries, "contests.judges": judges, "contests.scores": scores}


def resync_entries(app, unit) -> list:
    """Sync the demo's entries workbook again, now that the scores are in; ``[(path, result)]``."""
    from sheets.models import Binding
    from sheets.sync import sync

    if Binding not in app.extensions["phoihop_models"]:
        return []  # no sheets plugin: no workbooks were made
    mapping = app.extensions["phoihop_bindings"]["contests.entries"]
    done = []
    for binding in Binding.select().where(Binding.name == "contests.entries", Binding.unit == unit):
        done.append((binding.source, sync(binding, mapping, pm=app.extensions["phoihop_pm"], actor="demo")))
    return done
