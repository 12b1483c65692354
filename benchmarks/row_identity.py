"""What happens to row identity when an office sorts, inserts, deletes, moves and
cut-pastes rows of a Google spreadsheet — measured against the Sheets API emulator
(tests/fake_sheets.py, row DeveloperMetadata in tests/fake_sheets_rows.py).

    .venv/bin/python benchmarks/row_identity.py [--rows 1000] [--touched 10]

For each office action, a fresh SQLite database and spreadsheet of ``--rows`` rows is
synced (the first sync writes every ``Mã`` and attaches it to its row as metadata), the
action is sent as the browser would send it (one ``batchUpdate``), and the sheet is
synced again. Printed per action: the sync's counts, and **kept** — how many records
still have their ``Mã`` on the row holding their content (a record whose row is gone is
counted as kept when it is archived and nothing else took its ``Mã``). The baseline,
measured in the same run, is the same action with phoihop's row metadata deleted first
(identity by the ``Mã`` cell and by content only). Also printed: the bytes of the first
sync's one ``batchUpdate`` with and without the metadata requests.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import requests  # noqa: E402

KEY, WORKSHEET, FIRST = "bench-identity", "Giải pháp dự thi", 5
HEADER = ["STT", "Tên giải pháp", "Ngày nhận", "Kinh phí", "Lĩnh vực", "Tác giả", "Người nhập", "Điểm", "Số tác giả"]
KEY_COL, SCORE_COL, STATUS_COL = 9, 7, 10


def grid(count):
    rows = [["DANH SÁCH GIẢI PHÁP DỰ THI"], [], [], HEADER, ["I. LĨNH VỰC CƠ KHÍ"]]
    for n in range(count):
        rows.append([n + 1, f"Giải pháp {n:05d}", "05/03/2021", f"{n + 1} triệu", "Cơ khí", f"Tác giả {n}", "chị Hà",
                     "80", None])
    return rows


def cells(row, col, values):
    data = [{"userEnteredValue": {"stringValue": v}} if v is not None else {} for v in values]
    return {"updateCells": {"start": {"sheetId": 0, "rowIndex": row, "columnIndex": col},
                            "rows": [{"values": [d]} for d in data], "fields": "userEnteredValue"}}


def rows_range(start, end):
    return {"sheetId": 0, "dimension": "ROWS", "startIndex": start, "endIndex": end}


def actions(n, k):
    """Office actions: (name, requests). ``k`` rows are touched by the local ones."""
    middle = FIRST + n // 2
    sort = {"sortRange": {"range": {"sheetId": 0, "startRowIndex": FIRST, "endRowIndex": FIRST + n},
                          "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}]}}
    new_rows = [cells(middle, 1, [f"Giải pháp mới {i}" for i in range(k)]), cells(middle, 2, ["01/04/2021"] * k),
                cells(middle, 4, ["Cơ khí"] * k)]
    cut = {"cutPaste": {"source": {"sheetId": 0, "startRowIndex": FIRST, "endRowIndex": FIRST + k,
                                   "startColumnIndex": 0, "endColumnIndex": STATUS_COL + 1},
                        "destination": {"sheetId": 0, "rowIndex": FIRST + n + 2, "columnIndex": 0}}}
    move = {"moveDimension": {"source": rows_range(FIRST, FIRST + k), "destinationIndex": FIRST + n}}
    return [
        ("sort Z→A", [sort]),
        ("sort Z→A, Mã cleared", [cells(FIRST, KEY_COL, [None] * n), sort]),
        ("sort Z→A, Mã cleared, Điểm retyped", [cells(FIRST, KEY_COL, [None] * n), cells(FIRST, SCORE_COL, ["90"] * n),
                                               sort]),
        (f"insert {k} rows mid-table, typed", [{"insertDimension": {"range": rows_range(middle, middle + k)}}, *new_rows]),
        (f"delete {k} rows", [{"deleteDimension": {"range": rows_range(FIRST, FIRST + k)}}]),
        (f"move {k} rows to the end", [move]),
        (f"move {k} rows, Mã cleared, Điểm retyped", [cells(FIRST, KEY_COL, [None] * k), cells(FIRST, SCORE_COL, ["90"] * k),
                                                     move]),
        (f"cut-paste {k} rows below the table", [cut]),
        (f"cut-paste {k} rows, Mã cleared", [cells(FIRST, KEY_COL, [None] * k), cut]),
        (f"cut-paste {k} rows, Mã cleared, Điểm retyped", [cells(FIRST, KEY_COL, [None] * k),
                                                          cells(FIRST, SCORE_COL, ["90"] * k), cut]),
        (f"Mã of {k} rows overwritten by a neighbour's", [cells(FIRST + 1, KEY_COL, [f"GP-{1:06d}"] * k)]),
    ]


def kept(fake, titles):
    """Records whose Mã sits on the row with their title, or (row gone) that are archived."""
    from tests.sheets.entries_plugin import Entry

    rows = fake.grid(KEY, WORKSHEET)[FIRST:]
    on_sheet = {row[1]: row[KEY_COL] for row in rows if len(row) > KEY_COL and row[1]}
    count = 0
    for entry in Entry.select():
        if entry.title not in titles:
            continue
        if entry.title in on_sheet:
            count += on_sheet[entry.title] == titles[entry.title]
        else:
            count += entry.archived
    return count


def scenario(fake, folder, n, name, requests_, with_metadata):
    from core import create_app
    from core.db import database
    from core.plugins import get_plugin_manager
    from core.models import Unit
    from core.schema import upgrade
    from sheets.gsheets import GoogleSheetsBackend
    from sheets.models import Binding
    from sheets.sync import sync
    from tests.sheets.entries_plugin import Entry, MAPPING

    pm = get_plugin_manager(plugins=["tests.sheets.entries_plugin"], entry_points=False)
    db = folder / f"{abs(hash((name, with_metadata)))}.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{db}", "SHEETS_READS_PER_MINUTE": 0,
                      "SHEETS_WRITES_PER_MINUTE": 0}, plugin_manager=pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang")
        fake.add_spreadsheet(KEY, {WORKSHEET: grid(n)}, sizes={WORKSHEET: (n + 200, 26)})
        binding = Binding.create(name="test.entries", source=f"gsheet:{KEY}", worksheet=WORKSHEET, unit=unit)

        def run():
            return sync(binding, MAPPING, GoogleSheetsBackend.from_environment(KEY), pm=pm, force=True)

        fake.reset_log()
        run()
        first_write = next(c for c in fake.calls if c["method"] == "POST")["body"]
        titles = {e.title: e.source_key for e in Entry.select()}
        if not with_metadata:
            fake.sheet(KEY, WORKSHEET)["metadata"].clear()
        answer = requests.post(f"{fake.url}/v4/spreadsheets/{KEY}:batchUpdate", json={"requests": requests_}, timeout=60)
        answer.raise_for_status()
        result = run()
        counts = {k: getattr(result, k) for k in ("restored", "created", "archived", "updated")}
        counts["errors"] = len(result.errors)
        counts["kept"] = kept(fake, titles)
        database.close()
    return counts, first_write


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--touched", type=int, default=10)
    args = parser.parse_args()
    from tests.fake_sheets import FakeSheets

    n, k = args.rows, args.touched
    with tempfile.TemporaryDirectory() as tmp, FakeSheets() as fake:
        os.environ["PHOIHOP_SHEETS_EMULATOR"] = fake.url
        print(f"{n} rows; 'kept' = records whose Mã stays on their content (of {n}); baseline: no row metadata")
        print(f"{'office action':48} {'with row metadata':>44}   {'baseline':>44}")
        first = None
        for name, requests_ in actions(n, k):
            ours, first = scenario(fake, Path(tmp), n, name, requests_, True)
            base, _ = scenario(fake, Path(tmp), n, name, requests_, False)
            show = lambda c: (f"kept {c['kept']:>5}, restored {c['restored']:>4}, created {c['created']:>3}, "  # noqa: E731
                              f"archived {c['archived']:>3}, errors {c['errors']:>3}")
            print(f"{name:48} {show(ours):>44}   {show(base):>44}")
        tags = [r for r in first["requests"] if "createDeveloperMetadata" in r]
        plain = {"requests": [r for r in first["requests"] if "createDeveloperMetadata" not in r]}
        size, without = len(json.dumps(first).encode()), len(json.dumps(plain).encode())
        print(f"first sync: one batchUpdate of {size:,} bytes ({len(tags)} createDeveloperMetadata), "
              f"{without:,} bytes without them: {size / without:.2f}× ({(size - without) / n:.0f} bytes per row)")


if __name__ == "__main__":
    main()
