"""Issue 7: the "unchanged row" shortcut holds for a mapping that overrides ``read`` (the
training binding reads partners from links): an unchanged row is neither parsed nor
merged again, and a row changed on either side — including a partner renamed in the
registry, which touches no activity row — always is."""
import pytest

from tests.sheets.memory_backend import MemoryBackend

SHEET = "Hoạt động"
HEADER = ["STT", "Loại hoạt động", "Tên hoạt động", "Ngày bắt đầu", "Đơn vị phối hợp", "Báo cáo viên", "Số người tham dự"]
ROWS = [
    [1, "Hội thảo khoa học", "Hội thảo chuyển đổi số", "16/04/2022", "Sở Khoa học và Công nghệ", "TS. Lê Văn An", 60],
    [2, "Tập huấn kỹ thuật", "Tập huấn trồng vải", "29/04/2022", "UBND huyện Lục Ngạn; Hội Nông dân tỉnh",
     "ThS. Trần Bình", 35],
    [3, "Phổ biến kiến thức", "Phổ biến an toàn thực phẩm", "10/08/2023", "Sở Y tế", "", 146],
]


@pytest.fixture
def synced(ctx, kinds, pm):
    """A unit, a binding and a sheet already synced once."""
    from core.models import Unit
    from plugins.training.sheets import ActivityMapping
    from sheets.models import Binding
    from sheets.sync import sync

    unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
    backend = MemoryBackend({SHEET: [["DANH SÁCH HOẠT ĐỘNG"], [], HEADER, *[list(r) for r in ROWS]]})
    binding = Binding.create(name="training.activities", source="memory:training", worksheet=SHEET, unit=unit)
    mapping = ActivityMapping()
    assert sync(binding, mapping, backend, pm=pm).created == 3

    def run():
        from sheets.backend import RequestCount

        backend.requests = RequestCount()  # count this run's requests only
        return sync(binding, mapping, backend, pm=pm)

    return backend, run


@pytest.fixture
def parsed(monkeypatch):
    """The Excel rows the engine parses, from now on."""
    from sheets.reader import Table

    rows = []
    original = Table.parse
    monkeypatch.setattr(Table, "parse", lambda self, row: rows.append(row.excel_row) or original(self, row))
    return rows


def test_unchanged_training_rows_are_neither_parsed_nor_merged(synced, parsed):
    backend, run = synced
    result = run()
    assert parsed == [] and result.unchanged == 3 and result.requests["writes"] == 0


def test_a_row_changed_in_the_sheet_is_parsed_again(synced, parsed):
    backend, run = synced
    backend.sheets[SHEET][4][6] = 40  # Số người tham dự of the second activity
    result = run()
    assert parsed == [5] and result.updated == 1


def test_a_partner_changed_in_the_database_is_merged_again(synced, parsed):
    from plugins.training.models import Activity, set_partners

    backend, run = synced
    set_partners(Activity.get(Activity.title == "Phổ biến an toàn thực phẩm"), ["Sở Y tế", "Tỉnh đoàn"])
    result = run()
    assert parsed == [6] and result.pushed == 1
    assert backend.cell(SHEET, "Đơn vị phối hợp", 6, header_row=3) == "Sở Y tế; Tỉnh đoàn"


def test_a_partner_renamed_in_the_registry_reaches_the_sheet(synced, parsed):
    from core.models import Organisation

    backend, run = synced
    organisation = Organisation.get(Organisation.name == "Sở Y tế")
    organisation.name = "Sở Y tế tỉnh Bắc Giang"
    organisation.save()
    result = run()
    assert parsed == [6] and result.pushed == 1
    assert backend.cell(SHEET, "Đơn vị phối hợp", 6, header_row=3) == "Sở Y tế tỉnh Bắc Giang"
