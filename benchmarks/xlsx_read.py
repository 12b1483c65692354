"""Read a national-size roll-up (100,000 rows × 20 columns): raw calamine vs ``read_sheet``.

    .venv/bin/python benchmarks/xlsx_read.py [--rows 100000] [--cols 20] [--openpyxl] [--write]

Builds the workbook in a temp dir (openpyxl write-only), and a copy with one stray value in
``XFD1048576``. Each reader runs in its own subprocess, so that its peak RSS
(``resource.getrusage``) is its own; the stray-cell copy is also read by raw calamine under
an address-space cap (``RLIMIT_AS``, ``--cap-gb``), which shows what it would allocate.
Peak RSS is the process image's high-water mark (``VmHWM``; ``ru_maxrss`` would include the
parent's peak, inherited across fork and exec).
Prints figures only: wall time, CPU time (user + system; steadier on a shared machine),
rows, peak RSS, and the ratio to raw calamine on the same file.
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
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SHEET = "Tổng hợp"
HEADER_ROW = 4
STRAY = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>ghi chú lạc</t></is></c></row>'


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


def with_stray_cell(source: Path, target: Path) -> None:
    """A copy of ``source`` with one value typed in XFD1048576 (its used range: the sheet)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", STRAY.encode() + b"</sheetData>")
            new.writestr(info, data)


def peak_mb() -> float:
    """This process image's peak resident memory in MB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: str, cap: int) -> dict:
    """Run one reader in this process; return wall and CPU time, rows and peak RSS."""
    if cap:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    import openpyxl
    from python_calamine import CalamineWorkbook

    from sheets import xlsx_read
    from sheets.backend import Cell
    from sheets.xlsx import XlsxBackend

    base_mb = peak_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    warnings: list[str] = []
    if mode == "calamine raw":
        book = CalamineWorkbook.from_path(path)
        grid = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
        book.close()
    elif mode == "read_sheet":
        grid = XlsxBackend(path).read(SHEET)
        warnings = grid.warnings
    elif mode == "read_sheet, streamed":  # what a sheet with a far-away cell costs
        book = xlsx_read._open_book(Path(path))
        try:
            grid = xlsx_read._read_streamed(book, book.sheet_part(SHEET))
        finally:
            book.close()
        warnings = grid.warnings
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
    cpu = time.process_time() - cpu
    return {"mode": mode, "seconds": seconds, "cpu": cpu, "rows": len(grid), "peak_mb": peak_mb(),
            "base_mb": base_mb, "warnings": warnings}


def run(mode: str, target: str, cap: int = 0) -> dict:
    done = subprocess.run([sys.executable, __file__, "--measure", mode, target, str(cap)],
                          capture_output=True, text=True)
    if done.returncode:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        return {"mode": mode, "failed": f"{reason} (exit status {done.returncode})"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def show(label: str, r: dict, reference: dict | None) -> None:
    if "failed" in r:
        print(f"{label:34} failed: {r['failed']}")
        return
    ratio = f"{r['cpu'] / reference['cpu']:5.2f}×" if reference and "cpu" in reference else "     "
    print(f"{label:34} {r['seconds']:8.2f} {r['cpu']:8.2f} {ratio:>7} {r['rows']:9,} {r['peak_mb']:9.0f} "
          f"{r['base_mb']:9.0f}")
    if r.get("warnings"):
        print(f"{'':34} warning: {r['warnings'][0][:70]}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--cap-gb", type=float, default=4.0,
                        help="address-space cap for raw calamine on the stray-cell copy")
    parser.add_argument("--openpyxl", action="store_true", help="also time openpyxl read_only")
    parser.add_argument("--write", action="store_true", help="also time XlsxBackend.write")
    parser.add_argument("--measure", nargs=3, metavar=("MODE", "PATH", "CAP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        mode, path, cap = args.measure
        print(json.dumps(measure(mode, path, int(cap)), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rollup.xlsx"
        stray = Path(folder) / "rollup-xfd.xlsx"
        start = time.perf_counter()
        build(path, args.rows, args.cols)
        with_stray_cell(path, stray)
        print(f"built {args.rows:,} × {args.cols} in {time.perf_counter() - start:.1f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB on disk; a copy with a value in XFD1048576")
        print(f"{'reader':34} {'wall s':>8} {'cpu s':>8} {'cpu/raw':>7} {'rows':>9} {'peak MB':>9} "
              f"{'imports MB':>9}")
        raw = run("calamine raw", str(path))
        show("calamine raw", raw, None)
        show("read_sheet", run("read_sheet", str(path)), raw)
        show("read_sheet, streamed", run("read_sheet, streamed", str(path)), raw)
        if args.openpyxl:
            show("openpyxl read_only", run("openpyxl read_only", str(path)), raw)
        if args.write:
            show("XlsxBackend.write (1 column)", run("XlsxBackend.write (1 column)", f"{path}|{args.rows}"), raw)
        print("-- the same workbook with a value in XFD1048576")
        cap = int(args.cap_gb * (1 << 30))
        show(f"calamine raw (RLIMIT_AS {args.cap_gb:g} GB)", run("calamine raw", str(stray), cap), None)
        show("read_sheet", run("read_sheet", str(stray)), raw)


if __name__ == "__main__":
    main()
