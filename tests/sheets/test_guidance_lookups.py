"""A dropdown over a lookup list edited in the admin (core.lookups) follows the list, on
both backends: a kind added is in the dropdown at the next sync, in that sync's one write."""
import pytest
from openpyxl import load_workbook

from core.lookups import LookupModel
from sheets.gsheets import GoogleSheetsBackend
from sheets.mapping import Column, LookupChoices, Mapping
from sheets.models import Binding
from sheets.sync import sync
from tests.sheets.entries_plugin import Entry

KEY = "1BgLhhLookups"
TAB = "Hoạt động"
GRID = [["DANH SÁCH"], ["STT", "Tên giải pháp", "Loại"], [1, "Hội thảo nông nghiệp", "Hội thảo"],
        [2, "Lớp tập huấn", "tập huấn"]]


class Kind(LookupModel):
    defaults = (("Hội thảo", ()), ("Tập huấn", ()))

    class Meta:
        table_name = "test_guidance_kind"


@pytest.fixture
def mapping(sync_app):
    from core.db import database

    database.create_tables([Kind])
    return Mapping("test.entries", Entry, [Column("title", "Tên giải pháp", required=True),
                                           Column("author_count", "Loại", kind="choice", choices=LookupChoices(Kind))],
                   key_prefix="GP")


def labels_google(fake_sheets):
    rule = fake_sheets.validation(KEY, TAB, 2, 2)
    return [v["userEnteredValue"] for v in rule["condition"]["values"]]


def test_a_kind_added_in_the_admin_reaches_the_google_dropdown(mapping, fake_sheets, unit, sync_pm):
    fake_sheets.add_spreadsheet(KEY, {TAB: GRID})
    binding = Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=TAB, unit=unit)
    sync(binding, mapping, GoogleSheetsBackend.from_environment(KEY), pm=sync_pm)
    assert labels_google(fake_sheets) == ["Hội thảo", "Tập huấn"]
    Kind.create(name="Tọa đàm")
    fake_sheets.reset_log()
    result = sync(binding, mapping, GoogleSheetsBackend.from_environment(KEY), pm=sync_pm)
    assert labels_google(fake_sheets) == ["Hội thảo", "Tập huấn", "Tọa đàm"]
    assert result.requests["writes"] == 1


def test_a_kind_added_in_the_admin_reaches_the_xlsx_dropdown(mapping, unit, sync_pm, tmp_path):
    from sheets.xlsx import XlsxBackend

    path = tmp_path / "hoat-dong.xlsx"
    XlsxBackend.create(path, {TAB: GRID})
    binding = Binding.create(name="test.entries", source=str(path), worksheet=TAB, unit=unit)
    sync(binding, mapping, XlsxBackend(path), pm=sync_pm)
    Kind.create(name="Tọa đàm")
    sync(binding, mapping, XlsxBackend(path), pm=sync_pm)
    (rule,) = load_workbook(path)[TAB].data_validations.dataValidation
    assert rule.formula1 == '"Hội thảo,Tập huấn,Tọa đàm"'


def test_an_inactive_kind_leaves_the_dropdown(mapping, fake_sheets, unit, sync_pm):
    fake_sheets.add_spreadsheet(KEY, {TAB: GRID})
    binding = Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=TAB, unit=unit)
    sync(binding, mapping, GoogleSheetsBackend.from_environment(KEY), pm=sync_pm)
    Kind.update(active=False).where(Kind.name == "Tập huấn").execute()
    sync(binding, mapping, GoogleSheetsBackend.from_environment(KEY), pm=sync_pm)
    assert labels_google(fake_sheets) == ["Hội thảo"]
