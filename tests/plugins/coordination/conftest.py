"""Fixtures of the coordination tests: the app context, the samples' unit and reference
date, the sample workbook copied where a test may write it, and small office-like
workbooks linked and synced with the real engine."""
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.plugins.conftest import read_sheet

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples"
BOOK = "quy-che-phoi-hop.xlsx"
SHEET = "Văn bản phối hợp"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"
HEADERS = ["STT", "Đối tác", "Loại văn bản", "Số hiệu", "Ngày ký", "Hiệu lực đến", "Lĩnh vực phối hợp", "Phương thức",
           "Chu kỳ sơ kết (tháng)", "Ngày sơ kết gần nhất"]


def sample_copy(tmp_path, name=BOOK):
    """A fresh copy of a sample workbook in the test's folder."""
    if not (SAMPLES / name).is_file():
        pytest.skip("shared/samples is not beside the checkout")
    target = tmp_path / name
    shutil.copy(SAMPLES / name, target)
    return target


@pytest.fixture
def sample(tmp_path):
    return sample_copy(tmp_path)


def make_workbook(path, rows, title="DANH MỤC VĂN BẢN PHỐI HỢP"):
    """An office-like register: a title row, a blank row, the header, ``rows``."""
    from sheets.xlsx import XlsxBackend

    XlsxBackend.create(path, {SHEET: [[title], [], HEADERS, *rows]})
    return path


def sync_book(app, path, unit, name="coordination.agreements", worksheet=SHEET):
    """Link ``path`` to ``unit`` (once) and sync it; the engine's result."""
    from sheets.models import Binding
    from sheets.sync import sync

    binding = (Binding.get_or_none(Binding.name == name, Binding.source == str(path), Binding.worksheet == worksheet)
               or Binding.create(name=name, source=str(path), worksheet=worksheet, unit=unit))
    return sync(binding, app.extensions["phoihop_bindings"][name], pm=app.extensions["phoihop_pm"])


def column_of(rows, header, header_row):
    wanted = " ".join(unicodedata.normalize("NFC", header).split()).casefold()
    heads = [" ".join(unicodedata.normalize("NFC", str(h or "")).split()).casefold() for h in rows[header_row - 1]]
    return heads.index(wanted)


def cells(path, header, header_row, worksheet=SHEET):
    """``{STT: cell of header}`` of the sheet on disk."""
    rows = read_sheet(path, worksheet)
    stt, column = column_of(rows, "STT", header_row), column_of(rows, header, header_row)
    return {int(row[stt]): (row[column] if column < len(row) else None)
            for row in rows[header_row:] if len(row) > stt and isinstance(row[stt], (int, float))}


def edit_cell(path, header, stt, value, header_row, worksheet=SHEET):
    """What an office does in Excel: type ``value`` in the row ``STT`` = ``stt``, column
    ``header`` (openpyxl, on the test's own copy)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book[worksheet]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    stt_column, column = column_of(rows, "STT", header_row), column_of(rows, header, header_row)
    index = next(i for i, r in enumerate(rows) if i >= header_row and r[stt_column] == stt)
    sheet.cell(row=index + 1, column=column + 1, value=value)
    book.save(path)
