"""The coordination area's records (spec/coordination.md, "Records").

- :class:`AgreementKind` (loại văn bản) and :class:`AgreementMode` (phương thức phối
  hợp): shared lookup lists, the spec's entries by default, extended in the admin.
- :class:`Agreement` (văn bản phối hợp) of a unit: its partners as written and linked
  to the unit's ``Organisation`` rows (:class:`AgreementPartner`, in the order written),
  kind, number, signing date, valid-until date, areas covered, modes, review cycle in
  months, last review and its conclusions, whether the partner is inside the province,
  who funds it. A row of the ``coordination.agreements`` sheet, or made in the admin.
- :class:`AgreementItem` (nội dung phối hợp hằng năm): one item of an agreement's plan
  for a year, done or not done.

Joint activities are not stored here: every record of another area that names a partner
is one (``core.joint``).
"""
import peewee

from core.db import BaseModel
from core.lookups import LookupModel
from core.models import Organisation, Unit
from core.records import SyncedRecord

KINDS = (
    ("Quy chế phối hợp", ("Quy chế",)),
    ("Chương trình phối hợp", ("Chương trình",)),
    ("Thỏa thuận hợp tác", ("Thoả thuận hợp tác", "Thỏa thuận")),
    ("Biên bản ghi nhớ", ("Bản ghi nhớ", "MOU")),
    ("Kế hoạch phối hợp", ("Kế hoạch liên tịch",)),
)
MODES = (
    ("Theo nhiệm vụ cấp trên giao", ("Nhiệm vụ cấp trên giao",)),
    ("Theo giai đoạn", ()),
    ("Theo từng năm", ("Hằng năm", "Hàng năm")),
    ("Trao đổi, hợp tác nội dung riêng lẻ", ("Hợp tác nội dung riêng lẻ",)),
)


class AgreementKind(LookupModel):
    """Loại văn bản phối hợp: quy chế, chương trình, thỏa thuận, biên bản ghi nhớ, kế hoạch."""

    defaults = KINDS

    class Meta:
        table_name = "coordination_kind"


class AgreementMode(LookupModel):
    """Phương thức phối hợp: theo nhiệm vụ cấp trên giao, theo giai đoạn, theo từng năm…"""

    defaults = MODES

    class Meta:
        table_name = "coordination_mode"


class Agreement(SyncedRecord):
    """Văn bản phối hợp (see the module docstring). ``partners_text``, ``areas`` and
    ``modes`` are lists kept as "a; b" text; ``review_months`` the review cycle."""

    partners_text = peewee.TextField(null=True)  # đối tác, as written: "Sở Giáo dục và Đào tạo; Tỉnh đoàn"
    kind = peewee.ForeignKeyField(AgreementKind, null=True, backref="agreements", on_delete="RESTRICT")
    number = peewee.CharField(null=True)  # số hiệu
    signed_on = peewee.DateField(null=True)  # ngày ký
    valid_until = peewee.DateField(null=True)  # hiệu lực đến; none: no end date
    areas = peewee.TextField(null=True)  # lĩnh vực phối hợp
    modes = peewee.TextField(null=True)  # phương thức, canonical names of AgreementMode
    review_months = peewee.IntegerField(null=True)  # chu kỳ sơ kết (tháng)
    last_review_on = peewee.DateField(null=True)  # ngày sơ kết gần nhất; none: never reviewed
    conclusions = peewee.TextField(null=True)  # kết quả sơ kết gần nhất
    in_province = peewee.BooleanField(default=True)  # đối tác trong tỉnh
    funding = peewee.TextField(null=True)  # nguồn kinh phí
    notes = peewee.TextField(null=True)

    class Meta:
        table_name = "coordination_agreement"
        indexes = ((("unit", "archived"), False),)

    def __str__(self):
        return " ".join(filter(None, (self.number, self.partners_text))) or f"Văn bản #{self.id}"


class AgreementPartner(BaseModel):
    """Đối tác of an agreement: one of the unit's organisations, in the order written."""

    agreement = peewee.ForeignKeyField(Agreement, backref="partner_links", on_delete="CASCADE")
    organisation = peewee.ForeignKeyField(Organisation, backref="coordination_links", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        table_name = "coordination_agreement_partner"
        indexes = ((("agreement", "organisation"), True),)


class AgreementItem(BaseModel):
    """Nội dung phối hợp hằng năm: one item of an agreement's plan for a year. ``unit`` is
    the agreement's (unit scoping reads it)."""

    unit = peewee.ForeignKeyField(Unit, on_delete="CASCADE")
    agreement = peewee.ForeignKeyField(Agreement, backref="items", on_delete="CASCADE")
    year = peewee.IntegerField()
    content = peewee.TextField()
    done = peewee.BooleanField(default=False)
    notes = peewee.TextField(null=True)

    class Meta:
        table_name = "coordination_agreement_item"
        indexes = ((("agreement", "year"), False),)

    def __str__(self):
        return f"{self.year}: {self.content}"



def ensure_lists() -> int:
    """Create the kinds and modes that are missing; return how many were added."""
    return AgreementKind.ensure_defaults() + AgreementMode.ensure_defaults()


MODELS = [AgreementKind, AgreementMode, Agreement, AgreementPartner, AgreementItem]
