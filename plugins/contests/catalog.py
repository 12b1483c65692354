"""The competitions as data (spec/contests.md): the three recurring kinds with their
fields, prize tiers in order and cycle, the usual scoring criteria, and the dated base
salary (mức lương cơ sở) that provincial rules state prize money in.

These are the defaults :func:`plugins.contests.models.ensure_catalog` creates when they
are missing; an office adds its own kinds (a press award, a service-innovation contest),
fields, tiers and criteria in the admin, and makes an entry inactive rather than
deleting it.
"""
import datetime as dt
from decimal import Decimal

TECHNICAL = "Hội thi Sáng tạo kỹ thuật"
YOUTH = "Cuộc thi Sáng tạo thanh thiếu niên, nhi đồng"
AWARD = "Giải thưởng Khoa học và Công nghệ tỉnh"

# (name, aliases, cycle in years, fields [(name, aliases)], tiers [(name, aliases)])
KINDS = (
    (TECHNICAL, ("Hội thi sáng tạo kỹ thuật tỉnh", "Hội thi STKT", "Sáng tạo kỹ thuật"), 2,
     (("Công nghệ thông tin, điện tử, viễn thông", ("Công nghệ thông tin", "CNTT")),
      ("Cơ khí, tự động hóa, xây dựng, giao thông vận tải", ("Cơ khí",)),
      ("Vật liệu, hóa chất, năng lượng", ("Vật liệu",)),
      ("Nông, lâm, ngư nghiệp; tài nguyên và môi trường", ("Nông nghiệp", "Nông, lâm, ngư nghiệp")),
      ("Y dược", ("Y tế", "Y dược, chăm sóc sức khỏe")),
      ("Giáo dục và Đào tạo", ("Giáo dục", "Giáo dục - Đào tạo"))),
     (("Nhất", ("Giải Nhất", "Giải nhất", "Giải I")),
      ("Nhì", ("Giải Nhì", "Giải nhì", "Giải II")),
      ("Ba", ("Giải Ba", "Giải ba", "Giải III")),
      ("Khuyến khích", ("Giải Khuyến khích", "Giải khuyến khích", "KK")))),
    (YOUTH, ("Cuộc thi Sáng tạo thanh thiếu niên nhi đồng", "Cuộc thi sáng tạo TTNNĐ", "Sáng tạo thanh thiếu niên"), 1,
     (("Đồ dùng học tập", ()),
      ("Phần mềm tin học", ("Phần mềm",)),
      ("Sản phẩm thân thiện với môi trường", ()),
      ("Dụng cụ sinh hoạt gia đình, đồ dùng giải trí, đồ chơi trẻ em", ("Dụng cụ sinh hoạt gia đình",)),
      ("Mô hình ứng phó biến đổi khí hậu, bảo vệ môi trường, phát triển kinh tế",
       ("Mô hình ứng phó biến đổi khí hậu",))),
     (("Đặc biệt", ("Giải Đặc biệt", "Giải đặc biệt")),
      ("Nhất", ("Giải Nhất", "Giải nhất")),
      ("Nhì", ("Giải Nhì", "Giải nhì")),
      ("Ba", ("Giải Ba", "Giải ba")),
      ("Khuyến khích", ("Giải Khuyến khích", "Giải khuyến khích", "KK")))),
    # The award's fields are set per edition (5 or 6): none by default.
    (AWARD, ("Giải thưởng KH&CN tỉnh", "Giải thưởng khoa học công nghệ tỉnh"), 5,
     (),
     (("A", ("Giải A", "Giải thưởng A")),
      ("B", ("Giải B", "Giải thưởng B")),
      ("C", ("Giải C", "Giải thưởng C")),
      ("Khuyến khích", ("Giải Khuyến khích", "Giải khuyến khích", "KK")))),
)

# The usual criteria of a technical-innovation score sheet: (name, aliases, maximum).
CRITERIA = {
    TECHNICAL: (
        ("Tính mới, sáng tạo", ("Tính mới, sáng tạo (30)", "Tính mới, tính sáng tạo", "Tính mới"), Decimal(30)),
        ("Khả năng áp dụng", ("Khả năng áp dụng (40)", "Khả năng áp dụng, nhân rộng"), Decimal(40)),
        ("Hiệu quả kinh tế - xã hội", ("Hiệu quả kinh tế - xã hội (30)", "Hiệu quả kinh tế xã hội", "Hiệu quả"),
         Decimal(30)),
    ),
}

# Mức lương cơ sở: (in force from, đồng per month, the decree that set it).
BASE_SALARIES = (
    (dt.date(2016, 5, 1), 1_210_000, "Nghị định 47/2016/NĐ-CP"),
    (dt.date(2017, 7, 1), 1_300_000, "Nghị định 47/2017/NĐ-CP"),
    (dt.date(2018, 7, 1), 1_390_000, "Nghị định 72/2018/NĐ-CP"),
    (dt.date(2019, 7, 1), 1_490_000, "Nghị định 38/2019/NĐ-CP"),
    (dt.date(2023, 7, 1), 1_800_000, "Nghị định 24/2023/NĐ-CP"),
    (dt.date(2024, 7, 1), 2_340_000, "Nghị định 73/2024/NĐ-CP"),
)

# The rounds of an edition, in order; scores of the last one decide the prizes.
ROUNDS = ("Sơ khảo", "Chung khảo")

# Nguồn kinh phí of prize money.
FUNDING_SOURCES = (("ngan_sach", "Ngân sách nhà nước"), ("xa_hoi_hoa", "Xã hội hóa"), ("khac", "Khác"))
