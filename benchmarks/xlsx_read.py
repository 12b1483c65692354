"""Read a national-size roll-up (100,000 rows × 20 columns) with calamine and with openpyxl.

    .venv/bin/python benchmarks/xlsx_read.py [--rows 100000] [--cols 20] [--skip-write]

Builds the workbook in a temp dir (openpyxl write-only), then times each reader in its own
subprocess so that its peak RSS (``resource.getrusage``) is its own. Prints figures only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHEET = "Tổng hợp"
HEADER_ROW = 4


def build(path: Path, rows: int, cols: int) -> None:
    """A title block, a header on row 4, then rows mixing text, numbers, dates and blanks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(["LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM"])
    sheet.append(["TỔNG HỢP HOẠT ĐỘNG CỦA CÁC ĐƠN VỊ"])
    sheet.append([])
    sheet.append(["STT"] + [f"Cột {c}" for c in range(2, cols + 1)])
    day = dt.date(2021, 1, 1)
    for r in range(1, rows + 1):
        date_cell = WriteOnlyCell(sheet, value=day + dt.timedelta(days=r % 1000))
        date_cell.number_format = "dd/mm/yyyy"
        row = [r, f"Hoạt động số {r} của Liên hiệp hội", f"{r % 28 + 1:02d}/0{r % 9 + 1}/2022",
               date_cell, r * 1000, (r % 200) / 2, None if r % 7 else "ghi chú", "- gạch đầu dòng"]
        row += [f"giá trị {r}-{c}" for c in range(len(row) + 1, cols + 1)]
        sheet.append(row[:cols])
    book.save(path)


def measure(mode: str, path: str) -> dict:
    """Run one reader (or the backend write) in this process; return time and peak RSS."""
    from python_calamine import CalamineWorkbook
    import openpyxl
    from sheets.backend import Cell
    from sheets.xlsx import XlsxBackend

    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if mode == "calamine (raw to_python)":
        book = CalamineWorkbook.from_path(path)
        grid = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
        book.close()
    elif mode == "XlsxBackend.read (calamine)":
        grid = XlsxBackend(path).read(SHEET)
    elif mode == "openpyxl read_only":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        grid = [list(row) for row in book[SHEET].iter_rows(values_only=True)]
        book.close()
    elif mode == "XlsxBackend.write (1 column)":
        rows = int(path.split("|")[1])
        path = path.split("|")[0]
        XlsxBackend(path).write(SHEET, [Cell(HEADER_ROW + i, 21, f"CT-{i:06d}") for i in range(rows + 1)])
        grid = [[]] * rows
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "seconds": seconds, "rows": len(grid), "peak_mb": peak_kb / 1024,
            "base_mb": base_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--skip-write", action="store_true", help="do not time XlsxBackend.write")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rollup.xlsx"
        start = time.perf_counter()
        build(path, args.rows, args.cols)
        print(f"built {args.rows:,} × {args.cols} in {time.perf_counter() - start:.1f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB on disk")
        modes = ["calamine (raw to_python)", "XlsxBackend.read (calamine)", "openpyxl read_only"]
        if not args.skip_write:
            modes.append("XlsxBackend.write (1 column)")
        print(f"{'reader':32} {'seconds':>8} {'rows':>8} {'peak RSS MB':>12} {'after imports MB':>17}")
        for mode in modes:
            target = f"{path}|{args.rows}" if "write" in mode else str(path)
            out = subprocess.run([sys.executable, __file__, "--measure", mode, target],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(f"{r['mode']:32} {r['seconds']:8.2f} {r['rows']:8,} {r['peak_mb']:12.0f} {r['base_mb']:17.0f}")


if __name__ == "__main__":
    main()
