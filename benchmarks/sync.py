"""Sync benchmark: a 100,000-row × 20-column binding on both backends.

    python benchmarks/sync.py [--rows 100000] [--backend xlsx|gsheets|both]

Prints, per backend (figures, not assertions):
- first pull time, as a ratio to a baseline measured in the same process: the backend's
  raw grid read + a raw sqlite3 ``executemany`` of the same rows (target ≤ 1.5×);
- Sheets API requests of that pull, of a no-change re-sync (target ≤ 2 reads, 0 writes)
  and of a one-row change (≤ 2 reads, 1 write of only that row's changed cells);
- the no-change re-sync time as a ratio to the first pull (target ≤ 0.5×);
- peak RSS of the measuring process (target ≤ 400 MB).

The workbook is built, and the fake Sheets server runs, outside the measuring process,
so its peak RSS is the sync's own.
"""
import argparse
import datetime
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import peewee  # noqa: E402

from core import hookimpl  # noqa: E402
from core.db import BaseModel  # noqa: E402
from core.models import Unit  # noqa: E402
from sheets.mapping import Column, Mapping  # noqa: E402

WORKSHEET = "Dữ liệu"
KINDS = ["Hội thảo khoa học", "Tập huấn kỹ thuật", "Phổ biến kiến thức"]


class Row(BaseModel):
    unit = peewee.ForeignKeyField(Unit)
    archived = peewee.BooleanField(default=False)
    title = peewee.CharField()
    kind = peewee.CharField(null=True)
    started = peewee.DateField(null=True)
    ended = peewee.DateField(null=True)
    budget = peewee.BigIntegerField(null=True)
    other = peewee.BigIntegerField(null=True)
    people = peewee.IntegerField(null=True)
    score = peewee.DecimalField(null=True, max_digits=8, decimal_places=2)
    partners = peewee.TextField(null=True)
    venue = peewee.CharField(null=True)
    field = peewee.CharField(null=True)
    note = peewee.CharField(null=True)
    t1 = peewee.CharField(null=True)
    t2 = peewee.CharField(null=True)
    t3 = peewee.CharField(null=True)
    t4 = peewee.CharField(null=True)
    t5 = peewee.CharField(null=True)
    t6 = peewee.CharField(null=True)

    class Meta:
        table_name = "bench_row"


COLUMNS = [
    Column("title", "Tên hoạt động", required=True),
    Column("kind", "Loại hoạt động", kind="choice", choices={k: [] for k in KINDS}),
    Column("started", "Ngày bắt đầu", kind="date"),
    Column("ended", "Ngày kết thúc", kind="date"),
    Column("budget", "Kinh phí ngân sách", kind="money"),
    Column("other", "Kinh phí huy động", kind="money"),
    Column("people", "Số người tham dự", kind="int"),
    Column("score", "Điểm", kind="decimal"),
    Column("partners", "Đơn vị phối hợp", kind="list"),
    Column("venue", "Địa điểm"),
    Column("field", "Lĩnh vực"),
    Column("note", "Ghi chú"),
] + [Column(f"t{n}", f"Cột {n}") for n in range(1, 7)]
MAPPING = Mapping("bench.rows", Row, COLUMNS, key_prefix="BM")
HEADERS = [c.header for c in COLUMNS]  # 18 + Mã + status = 20 columns after the first sync


@hookimpl
def phoihop_models():
    return [Row]


@hookimpl
def phoihop_sheet_bindings():
    return [MAPPING]


def make_grid(rows):
    grid = [["BẢNG SỐ LIỆU THỬ NGHIỆM"], HEADERS]
    day = datetime.date(2021, 1, 1)
    for n in range(rows):
        grid.append([
            f"Hoạt động số {n}", KINDS[n % 3], f"{(n % 28) + 1:02d}/03/2021", (day + datetime.timedelta(days=n % 300)).strftime("%d/%m/%Y"),
            f"{n % 90 + 1} triệu", f"{(n * 7) % 1000 * 1000:,}".replace(",", "."), str(n % 500), f"{n % 100},5",
            "Sở Khoa học và Công nghệ; Tỉnh đoàn", "Hội trường tỉnh", "Nông nghiệp", "", *[f"giá trị {n}-{k}" for k in range(6)],
        ])
    return grid


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(backend_name, source, rows):
    """Run in a child process: baseline, first pull, no-change re-sync, one-row change."""
    from core import create_app
    from core.plugins import get_plugin_manager
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sources import open_backend
    from sheets.sync import sync

    folder = Path(tempfile.mkdtemp(prefix="phoihop-bench-"))
    pm = get_plugin_manager(builtins=("sheets.plugin",), entry_points=False)
    pm.register(sys.modules[__name__], name="bench")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"}, plugin_manager=pm)
    figures = {"backend": backend_name, "rows": rows}
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang")
        binding = Binding.create(name="bench.rows", source=source, worksheet=WORKSHEET, unit=unit)

        start = time.perf_counter()
        grid = open_backend(source).read(WORKSHEET)
        raw = sqlite3.connect(folder / "baseline.sqlite3")
        raw.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(len(HEADERS)))})")
        with raw:
            raw.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(HEADERS))})",
                            ([None if v is None else str(v) for v in row[:len(HEADERS)]] for row in grid[2:]))
        raw.close()
        figures["baseline_s"] = time.perf_counter() - start
        del grid

        start = time.perf_counter()
        first = sync(binding, MAPPING, open_backend(source), direction="pull")
        figures["pull_s"] = time.perf_counter() - start
        figures["pull_created"] = first.created
        figures["pull_requests"] = first.requests
        figures["pull_outcome"] = first.outcome

        start = time.perf_counter()
        again = sync(binding, MAPPING, open_backend(source))
        figures["resync_s"] = time.perf_counter() - start
        figures["resync_requests"] = again.requests

        Row.update(budget=123_000_000).where(Row.title == "Hoạt động số 42").execute()
        one = open_backend(source)
        changed = sync(binding, MAPPING, one)
        figures["one_row_requests"] = changed.requests
        figures["one_row_pushed"] = changed.pushed
    figures["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def build_workbook(path, rows):
    from sheets.xlsx import XlsxBackend

    XlsxBackend.create(path, {WORKSHEET: make_grid(rows)})


def child(*args, env=None):
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        sys.exit(f"benchmark step {args} failed:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def report(f):
    ratio = f["pull_s"] / f["baseline_s"]
    print(f"\n== {f['backend']}: {f['rows']:,} rows × {len(HEADERS) + 2} columns ==")
    print(f"baseline (raw read + sqlite3 executemany): {f['baseline_s']:.2f} s")
    print(f"first pull: {f['pull_s']:.2f} s = {ratio:.2f}× baseline (target ≤ 1.5×); {f['pull_created']:,} created, {f['pull_outcome']}")
    print(f"  requests: {f['pull_requests']}")
    print(f"no-change re-sync: {f['resync_s']:.2f} s = {f['resync_s'] / f['pull_s']:.2f}× first pull (target ≤ 0.5×); requests {f['resync_requests']} (target ≤ 2 reads, 0 writes)")
    print(f"one-row change: requests {f['one_row_requests']} (target ≤ 2 reads, 1 write), rows pushed {f['one_row_pushed']}")
    print(f"peak RSS of the sync process: {f['peak_rss_mb']:.0f} MB (target ≤ 400 MB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["xlsx", "gsheets", "both"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "SOURCE"), help=argparse.SUPPRESS)
    parser.add_argument("--build", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        return build_workbook(args.build, args.rows)
    if args.child:
        return measure(args.child[0], args.child[1], args.rows)

    backends = ["xlsx", "gsheets"] if args.backend == "both" else [args.backend]
    for name in backends:
        if name == "xlsx":
            path = Path(tempfile.mkdtemp(prefix="phoihop-bench-")) / "bench.xlsx"
            child("--rows", str(args.rows), "--build", str(path))
            figures = json.loads(child("--rows", str(args.rows), "--child", "xlsx", str(path)))
        else:
            from tests.fake_sheets import FakeSheets

            with FakeSheets() as fake:
                fake.add_spreadsheet("BENCH", {WORKSHEET: make_grid(args.rows)})
                figures = json.loads(child("--rows", str(args.rows), "--child", "gsheets", "gsheet:BENCH",
                                           env={"PHOIHOP_SHEETS_EMULATOR": fake.url}))
        report(figures)


if __name__ == "__main__":
    main()
