"""A test-only plugin with one binding that uses every kind of column (loaded by name)."""
import peewee

from core import hookimpl
from core.records import SyncedRecord
from sheets.mapping import Column, Mapping


class Entry(SyncedRecord):
    """Giải pháp dự thi, cut down to what the sync tests need."""

    title = peewee.CharField()
    received = peewee.DateField(null=True)
    amount = peewee.BigIntegerField(null=True)
    score = peewee.DecimalField(null=True, max_digits=6, decimal_places=2)
    field = peewee.CharField(null=True)
    authors = peewee.TextField(null=True)
    author_count = peewee.IntegerField(null=True)

    class Meta:
        table_name = "test_entry"


class EntryMapping(Mapping):
    def rules(self, values):
        if values.get("score") is not None and values["score"] > 100:
            return [("score", f"Điểm {values['score']} lớn hơn 100")]
        return []

    def after_save(self, record, values):
        # a computed column: phoihop decides it, the sheet only shows it
        count = len(self.read(record)["authors"])
        if record.author_count != count:
            record.author_count = count
            record.save(only=[Entry.author_count])


MAPPING = EntryMapping(
    name="test.entries",
    model=Entry,
    key_prefix="GP",
    totals=("amount",),
    columns=[
        Column("title", "Tên giải pháp", ("Tên mô hình, sản phẩm",), required=True),
        Column("received", "Ngày nhận", kind="date"),
        Column("amount", "Kinh phí", kind="money", minimum=0),
        Column("score", "Điểm", kind="decimal"),
        Column("field", "Lĩnh vực", kind="choice", choices={"Cơ khí": ["Co khi"], "Nông, lâm, ngư nghiệp; tài nguyên và môi trường": ["Nông nghiệp"]}),
        Column("authors", "Tác giả", kind="list"),
        Column("author_count", "Số tác giả", kind="int", computed=True),
    ],
)


@hookimpl
def phoihop_models():
    return [Entry]


@hookimpl
def phoihop_sheet_bindings():
    return [MAPPING]


@hookimpl
def phoihop_validate(binding, record):
    if binding == "test.entries" and (record.get("title") or "").startswith("CẤM"):
        return [("title", "Tên giải pháp bị cấm bởi plugin của tỉnh")]
    return []


class ContestEntry(SyncedRecord):
    """The sample's 'Giải pháp dự thi' sheet, read as a province would read it."""

    title = peewee.CharField()
    authors = peewee.TextField(null=True)
    field = peewee.CharField(null=True)
    received = peewee.DateField(null=True)
    sponsor = peewee.CharField(null=True)

    class Meta:
        table_name = "test_contest_entry"


FIELDS = {
    "Công nghệ thông tin, điện tử, viễn thông": [],
    "Cơ khí, tự động hóa, xây dựng, giao thông vận tải": [],
    "Vật liệu, hóa chất, năng lượng": [],
    "Nông, lâm, ngư nghiệp; tài nguyên và môi trường": [],
    "Y dược": [],
    "Giáo dục và Đào tạo": [],
}

CONTEST_MAPPING = Mapping(
    name="test.contest_entries",
    model=ContestEntry,
    key_prefix="DT",
    columns=[
        Column("title", "Tên giải pháp", ("Tên mô hình, sản phẩm", "Tên công trình"), required=True),
        Column("authors", "Tác giả", kind="list", required=True),
        Column("sponsor", "Đơn vị giới thiệu"),
        Column("field", "Lĩnh vực", kind="choice", choices=FIELDS, required=True),
        Column("received", "Ngày nhận", kind="date"),
    ],
)


@hookimpl(specname="phoihop_models")
def contest_models():
    return [ContestEntry]


@hookimpl(specname="phoihop_sheet_bindings")
def contest_bindings():
    return [CONTEST_MAPPING]


@hookimpl(specname="phoihop_demo_data")
def entries_demo_rows(unit):
    return {"test.entries": [
        {"Tên giải pháp": "Máy gieo hạt", "Ngày nhận": "05/03/2021", "Kinh phí": "50 triệu", "Tác giả": "Nguyễn Văn A; Trần Thị B"},
        {"Tên giải pháp": "Máy tách hạt", "Ngày nhận": "06/03/2021", "Kinh phí": "12.000.000", "Tác giả": "Lê Văn C"},
    ]}
