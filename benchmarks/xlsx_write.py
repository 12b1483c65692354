"""Write a sync's columns into a national-size roll-up: package patch vs openpyxl load+save.

    .venv/bin/python benchmarks/xlsx_write.py [--rows 100000] [--cols 20]

Builds the workbook once in a temp dir (XlsxWriter, streaming): a title block, a header on
row 4, rows of text, numbers and dates, a formula column with cached results and a total.
Then writes what a first sync writes — a ``Mã`` column and a status column for every row,
plus one changed value in every tenth row — twice, each in its own subprocess so that its
peak RSS (``resource.getrusage``) is its own: with ``XlsxBackend.write`` (the patcher) and
with openpyxl (load, set the same cells, save: the baseline). Prints figures only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHEET = "Tổng hợp"
HEADER_ROW = 4
MODES = ("patch (XlsxBackend.write)", "openpyxl load+save")


def build(path: Path, rows: int, cols: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(SHEET)
    date = book.add_format({"num_format": "dd/mm/yyyy", "border": 1})
    cell = book.add_format({"border": 1})
    sheet.write(0, 0, "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT VIỆT NAM")
    sheet.write(1, 0, "TỔNG HỢP HOẠT ĐỘNG CỦA CÁC ĐƠN VỊ")
    sheet.write_row(HEADER_ROW - 1, 0, ["STT", "Tên hoạt động", "Ngày", "Kinh phí", "Điểm", "Thưởng"]
                    + [f"Cột {c}" for c in range(7, cols + 1)], cell)
    day = dt.date(2021, 1, 1)
    for r in range(rows):
        row = HEADER_ROW + r
        sheet.write_number(row, 0, r + 1, cell)
        sheet.write_string(row, 1, f"Hoạt động số {r + 1} của Liên hiệp hội", cell)
        sheet.write_datetime(row, 2, dt.datetime.combine(day + dt.timedelta(days=r % 1000), dt.time()), date)
        sheet.write_number(row, 3, (r % 500) * 100_000, cell)
        sheet.write_number(row, 4, (r % 200) / 2, cell)
        sheet.write_formula(row, 5, f"=E{row + 1}*1000", cell, (r % 200) / 2 * 1000)
        for c in range(6, cols):
            sheet.write_string(row, c, f"giá trị {r}-{c}", cell)
    total = HEADER_ROW + rows
    sheet.write_string(total, 1, "Tổng cộng", cell)
    sheet.write_formula(total, 3, f"=SUM(D{HEADER_ROW + 1}:D{total})", cell, 0)
    book.close()


def cells(rows: int, cols: int) -> list:
    from sheets.backend import Cell

    batch = [Cell(HEADER_ROW, cols + 1, "Mã"), Cell(HEADER_ROW, cols + 2, "Trạng thái đồng bộ")]
    for r in range(rows):
        row = HEADER_ROW + 1 + r
        batch += [Cell(row, cols + 1, f"CT-{r + 1:06d}"), Cell(row, cols + 2, "Mới")]
        if r % 10 == 0:
            batch.append(Cell(row, 7, f"đã sửa {r}"))
    return batch


def measure(mode: str, path: str, rows: int, cols: int) -> dict:
    """Run one writer in this process; return its time and peak RSS."""
    batch = cells(rows, cols)
    start = time.perf_counter()
    if mode == MODES[0]:
        from sheets.xlsx import XlsxBackend

        XlsxBackend(path).write(SHEET, batch)
    else:
        import openpyxl

        book = openpyxl.load_workbook(path)
        sheet = book[SHEET]
        for item in batch:
            sheet.cell(item.row, item.col).value = item.value
        book.save(path)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1], args.rows, args.cols)))
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "tong-hop.xlsx"
        start = time.perf_counter()
        build(source, args.rows, args.cols)
        print(f"workbook: {args.rows:,} rows × {args.cols} columns, {source.stat().st_size / 2**20:.1f} MB "
              f"(built in {time.perf_counter() - start:.1f} s); writing {len(cells(args.rows, args.cols)):,} cells")
        results = {}
        for mode in MODES:
            target = Path(folder) / f"{MODES.index(mode)}.xlsx"
            shutil.copyfile(source, target)
            done = subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--cols", str(args.cols),
                                   "--measure", mode, str(target)], capture_output=True, text=True, check=True)
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  {mode:28} {results[mode]['seconds']:8.2f} s   peak RSS {results[mode]['peak_rss_mb']:6} MB")
        ours, baseline = results[MODES[0]], results[MODES[1]]
        print(f"  openpyxl / patch: {baseline['seconds'] / max(ours['seconds'], 0.01):.1f}× the time, "
              f"{baseline['peak_rss_mb'] / max(ours['peak_rss_mb'], 1):.1f}× the memory")


if __name__ == "__main__":
    main()
