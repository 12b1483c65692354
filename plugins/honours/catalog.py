"""The categories of honours (hình thức tôn vinh) of spec/honours.md, with their
eligibility as data (the specialists' category takes both BSCKII and DSCKII, the two
degrees rule 1 names beside the new doctors): what :func:`plugins.honours.models.ensure_categories` creates when
missing. A province changes them, or adds its own, in the admin (*Tôn vinh trí thức →
Hình thức tôn vinh*); an unused one is made inactive rather than deleted.
"""
from plugins.honours.rules import SINCE_PREVIOUS_ROUND, YEAR_BEFORE_CEREMONY

NEW_PROFESSOR = "Tân Giáo sư"
NEW_ASSOCIATE = "Tân Phó Giáo sư"
NEW_DOCTOR = "Tân Tiến sĩ"
SPECIALIST = "Bác sĩ chuyên khoa II"
OUTSTANDING = "Trí thức KH&CN tiêu biểu"
PRIZE_AUTHOR = "Tác giả đạt giải cao về sáng tạo KH&CN"

# (name, aliases, academic title, degrees, window, province link, achievements needed, repeatable)
CATEGORIES = (
    (NEW_PROFESSOR, ("Tân GS", "Giáo sư", "GS"), "GS", (), SINCE_PREVIOUS_ROUND, True, 0, False),
    (NEW_ASSOCIATE, ("Tân PGS", "Phó Giáo sư", "PGS"), "PGS", (), SINCE_PREVIOUS_ROUND, True, 0, False),
    (NEW_DOCTOR, ("Tân TS", "Tiến sĩ", "Tân tiến sỹ", "Tiến sĩ mới"), None, ("TS", "TSKH"), YEAR_BEFORE_CEREMONY,
     True, 0, False),
    (SPECIALIST, ("BSCKII", "BSCK II", "Bác sĩ CKII", "Bác sĩ chuyên khoa cấp II", "Tân Bác sĩ chuyên khoa II",
                  "Dược sĩ chuyên khoa II", "DSCKII", "Bác sĩ, Dược sĩ chuyên khoa II"),
     None, ("BSCKII", "DSCKII"), YEAR_BEFORE_CEREMONY, True, 0, False),
    (OUTSTANDING, ("Trí thức khoa học và công nghệ tiêu biểu", "Trí thức tiêu biểu", "Trí thức KHCN tiêu biểu",
                   "Trí thức KH và CN tiêu biểu"), None, (), None, True, 1, True),
    (PRIZE_AUTHOR, ("Tác giả đạt giải cao", "Tác giả giải thưởng sáng tạo KH&CN",
                    "Tác giả đạt giải Giải thưởng Sáng tạo KH&CN Việt Nam", "Tác giả đạt giải Hội thi Sáng tạo kỹ thuật"),
     None, (), None, True, 1, True),
)
