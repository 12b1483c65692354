"""``phoihop sheets scaffold``: a ready worksheet for an office that starts from nothing.

The worksheet has a title block, the binding's canonical headers (``STT``, the columns the
office fills in, the computed columns, ``Mã`` and ``Trạng thái đồng bộ``), a few example
rows whose ``STT`` says ``Ví dụ`` (the reader skips them: :func:`sheets.table.is_example`),
and the guidance a sync gives (:mod:`sheets.guidance`): dropdowns, date and number
validations, phoihop's columns protected. It is written through the same backend write as
a sync — one save of the workbook, or one ``batchUpdate`` on Google — and read back with
the binding's mapping before that, so a scaffold is always a sheet phoihop can read.
"""
from __future__ import annotations

from typing import Any

from sheets import guidance
from sheets.backend import BackendError, Cell
from sheets.mapping import KEY_HEADER, STATUS_HEADER
from sheets.reader import read_table
from sheets.table import EXAMPLE_LABEL
from sheets.values import normalise

TITLE = "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT"
HINT = (f'Các dòng có STT "{EXAMPLE_LABEL}" là dòng mẫu: phoihop bỏ qua khi đồng bộ. Cột có nền xám do phoihop ghi '
        "(Mã, Trạng thái đồng bộ, cột tính toán).")
EXAMPLES = 2
_STT = normalise("STT")
_SAMPLES = {
    "text": ("{header} (mẫu)", "{header} (mẫu 2)"),
    "unit": ("Liên hiệp hội tỉnh …", "Liên hiệp hội tỉnh …"),
    "date": ("05/03/2021", "20/04/2021"),
    "season": ("2020-2021", "2021"),
    "money": ("50.000.000", "12.500.000"),
    "int": ("12", "3"),
    "decimal": ("85,5", "78"),
    "bool": ("Có", "Không"),
    "list": ("Nguyễn Văn A; Trần Thị B", "Lê Văn C"),
}


def worksheet_name(mapping) -> str:
    return (mapping.title or mapping.name.split(".")[-1])[:31]


def example_value(column, number: int) -> str:
    """A value of the column's kind that the reader accepts (``number``: 0 or 1)."""
    if column.kind == "choice":
        labels = list(column.choices)
        return labels[number % len(labels)] if labels else ""
    return _SAMPLES[column.kind][number].format(header=column.header)


def numbering(mapping):
    """The mapping's own ``STT`` column (some bindings read it: references by STT), if any."""
    return next((c for c in mapping.columns if not c.computed and any(normalise(s) == _STT for s in c.spellings)), None)


def grid(mapping) -> list[list[Any]]:
    """The worksheet's rows from A1: title block, header, example rows. ``STT`` comes
    first (the mapping's own STT column when it has one), holding ``Ví dụ`` in the
    example rows."""
    stt = numbering(mapping)
    inputs = [c for c in mapping.columns if not c.computed and c is not stt]
    computed = [c for c in mapping.columns if c.computed]
    title = f"DANH SÁCH: {(mapping.title or mapping.name).upper()}"  # never a header's own text
    rows: list[list[Any]] = [[TITLE], [title], [HINT],
                             [stt.header if stt else "STT", *[c.header for c in inputs], *[c.header for c in computed],
                              KEY_HEADER, STATUS_HEADER]]
    for number in range(EXAMPLES):
        rows.append([EXAMPLE_LABEL, *[example_value(c, number) for c in inputs]])
    return rows


def scaffold(backend, mapping, worksheet: str) -> dict[str, Any]:
    """Create ``worksheet`` (or fill it when it exists and is empty) in ``backend``; return
    what was made: the header row (1-based), the example rows and the validated columns.

    Raises :class:`~sheets.backend.BackendError` when the worksheet already holds data:
    an office's sheet is never overwritten.
    """
    backend.add_worksheet(worksheet)
    present = backend.read(worksheet)
    if any(cell not in (None, "") for row in present for cell in row):
        raise BackendError(f'Trang tính "{worksheet}" đã có dữ liệu: phoihop không ghi đè. Hãy chọn tên trang tính '
                           "khác (--worksheet) hoặc một tệp mới.")
    rows = grid(mapping)
    table = read_table(rows, mapping)
    wanted = guidance.wanted(mapping, table, [])
    cells = [Cell(r + 1, c + 1, value) for r, row in enumerate(rows) for c, value in enumerate(row)
             if value not in (None, "")]
    backend.write(worksheet, cells, guidance=wanted)
    return {"worksheet": worksheet, "header_row": table.header_index + 1, "examples": table.skipped.get("example", 0),
            "validated": [rule.header for rule in wanted.rules], "protected": [p.header for p in wanted.protected]}
