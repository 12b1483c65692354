"""Sync benchmark: a real binding (or a plain one) on both backends, phase by phase.

    .venv/bin/python benchmarks/sync.py [--binding training.activities|plain] [--rows 5000]
        [--backend xlsx|gsheets|both] [--repeat 3] [--profile]

``--binding training.activities`` (the default) syncs the training plugin's own mapping:
rows as an office fills them — a title block, an ``STT`` column, kinds, dates, counts and
money in the spellings offices use ('Hội thảo', 'tập huấn kỹ thuật ', '12,5 triệu',
'50,000,000', '2022-04-26'), 1–3 partners and 1–2 speakers with their titles ('PGS.TS. …')
per row, drawn from a few hundred names, lists split by ';' or line breaks. ``--binding
plain`` is a 20-column mapping with no relations (what the engine alone costs).

Every phase runs in a fresh process, so that its time and its peak RSS are its own
(VmHWM of /proc/self/status, reset after the process has set itself up; the parent's
memory never counts): the **baseline** — the backend's raw grid read plus a raw sqlite3
``executemany`` of the same cells; the **first pull**; a **no-change re-sync**; a
**one-row change** (one record's budget and partners changed in the database, then
synced). The workbook is built, and the fake Sheets API server (tests/fake_sheets.py)
serves, in the parent process. Each run starts from a fresh database and source; the
figures printed are the p50 of ``--repeat`` runs, with the targets:

- first pull ≤ 3× the baseline through the Sheets API, ≤ 4× for .xlsx;
- no-change re-sync ≤ 0,2× the first pull, and no write;
- one-row change ≤ 0,05× the first pull, and one write of only that row's changed cells;
- peak RSS of every phase ≤ 400 MB.

``--profile`` adds one more run under cProfile (not counted in the figures) and prints,
per phase, where the time goes: the backend's read and write, the mapping's hooks
(``read_many``, ``after_save_many``, ``apply``, ``rules``), the database driver, and the
engine (the rest), with the functions that cost the most.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import peewee  # noqa: E402

from core import hookimpl  # noqa: E402
from core.records import SyncedRecord  # noqa: E402
from core.models import Unit  # noqa: E402
from sheets.mapping import Column, Mapping  # noqa: E402

WORKSHEET = "Dữ liệu"
UNIT = "Liên hiệp hội tỉnh Bắc Giang"
TRAINING = "training.activities"
PHASES = ("baseline", "pull", "resync", "change")
CHANGED_ROW = 42  # the record (0-based data row) the one-row change edits
TARGETS = {"pull": {"xlsx": 4.0, "gsheets": 3.0}, "resync": 0.2, "change": 0.05, "rss_mb": 400}


# -- the plain binding: 18 columns of plain values, no relations -----------------------------
class Row(SyncedRecord):
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


PLAIN_KINDS = ["Hội thảo khoa học", "Tập huấn kỹ thuật", "Phổ biến kiến thức"]
PLAIN_COLUMNS = [
    Column("title", "Tên hoạt động", required=True),
    Column("kind", "Loại hoạt động", kind="choice", choices={k: [] for k in PLAIN_KINDS}),
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
PLAIN = Mapping("bench.rows", Row, PLAIN_COLUMNS, key_prefix="BM")


@hookimpl
def phoihop_models():
    return [Row]


@hookimpl
def phoihop_sheet_bindings():
    return [PLAIN]


def plain_grid(rows):
    grid = [["BẢNG SỐ LIỆU THỬ NGHIỆM"], [c.header for c in PLAIN_COLUMNS]]
    day = dt.date(2021, 1, 1)
    for n in range(rows):
        grid.append([
            f"Hoạt động số {n}", PLAIN_KINDS[n % 3], f"{(n % 28) + 1:02d}/03/2021",
            (day + dt.timedelta(days=n % 300)).strftime("%d/%m/%Y"), f"{n % 90 + 1} triệu",
            f"{(n * 7) % 1000 * 1000:,}".replace(",", "."), str(n % 500), f"{n % 100},5",
            "Sở Khoa học và Công nghệ; Tỉnh đoàn", "Hội trường tỉnh", "Nông nghiệp", "",
            *[f"giá trị {n}-{k}" for k in range(6)],
        ])
    return grid, 2  # the grid, and the 0-based index of its first data row


# -- the training binding: rows as an office fills them ---------------------------------------
DISTRICTS = ["Lục Ngạn", "Lục Nam", "Yên Thế", "Tân Yên", "Hiệp Hòa", "Lạng Giang", "Sơn Động", "Yên Dũng",
             "Việt Yên", "Bắc Giang", "Chũ", "Kép", "Cao Thượng", "Đồi Ngô", "Thắng", "Bố Hạ"]
DEPARTMENTS = ["Khoa học và Công nghệ", "Y tế", "Nông nghiệp và Phát triển nông thôn", "Giáo dục và Đào tạo",
               "Công Thương", "Tài nguyên và Môi trường", "Thông tin và Truyền thông", "Nội vụ", "Tư pháp",
               "Văn hóa, Thể thao và Du lịch", "Lao động - Thương binh và Xã hội", "Xây dựng", "Giao thông vận tải",
               "Kế hoạch và Đầu tư", "Tài chính"]
ASSOCIATIONS = ["Nông dân", "Làm vườn", "Y học", "Điều dưỡng", "Dược học", "Kỹ sư xây dựng", "Tin học", "Luật gia",
                "Khuyến học", "Sinh vật cảnh", "Đông y", "Chăn nuôi", "Thủy sản", "Kiến trúc sư", "Môi trường",
                "Cựu giáo chức", "Doanh nhân trẻ", "Phụ nữ", "Cựu chiến binh", "Nhà báo"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Chu"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Hồng", "Quang", "Ngọc"]
GIVEN = ["An", "Bình", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Khánh", "Lan", "Loan", "Long", "Mai", "Nam",
         "Phong", "Phúc", "Phương", "Quân", "Tài", "Thắng", "Tuấn", "Vân", "Việt", "Yến"]
TITLES = ["PGS.TS.", "TS.", "ThS.", "KS.", "TS.BS.", "BSCKII.", "GS.TS.", "ThS.BS.", "CN.", ""]
KIND_SPELLINGS = ["Hội thảo khoa học", "Hội thảo", "Tập huấn kỹ thuật", "tập huấn kỹ thuật ", "Tập huấn",
                  "Phổ biến kiến thức", "Hội nghị thông tin chuyên đề", "Hội nghị chuyên đề", "Toạ đàm",
                  "Hội nghị kết nối cung cầu", "Lớp bồi dưỡng"]
FIELDS = ["Nông nghiệp", "Y tế", "Chuyển đổi số", "Môi trường", "Giáo dục", "Kinh tế", "Xây dựng"]
TRAINING_HEADERS = ["STT", "Đơn vị", "Loại hoạt động", "Tên hoạt động", "Lĩnh vực", "Ngày bắt đầu", "Ngày kết thúc",
                    "Địa điểm", "Đơn vị phối hợp", "Báo cáo viên", "Số người tham dự", "Kinh phí ngân sách",
                    "Kinh phí huy động", "Ghi chú"]


def organisation_names():
    """A few hundred partners: departments, districts, associations, schools, firms."""
    return ([f"Sở {d}" for d in DEPARTMENTS] + [f"UBND huyện {d}" for d in DISTRICTS]
            + [f"Hội {a} tỉnh" for a in ASSOCIATIONS] + [f"Hội {a} huyện {d}" for a in ASSOCIATIONS[:8] for d in DISTRICTS]
            + [f"Trường THPT {d}" for d in DISTRICTS] + [f"Hợp tác xã {d}" for d in DISTRICTS]
            + ["Tỉnh đoàn", "Báo Bắc Giang", "Đài Phát thanh và Truyền hình tỉnh", "Trường Đại học Nông - Lâm Bắc Giang",
               "Viện Cây ăn quả miền Bắc", "Công ty CP Giống cây trồng Bắc Giang"])


def person_names():
    """A few hundred speakers, each with the title an office writes before the name."""
    names = []
    for n in range(360):
        name = f"{FAMILY[n % len(FAMILY)]} {MIDDLE[(n // 7) % len(MIDDLE)]} {GIVEN[(n * 5) % len(GIVEN)]}"
        if name not in {full for _, full in names}:
            names.append((TITLES[n % len(TITLES)], name))
    return [f"{title} {full}".strip() for title, full in names]


def money(n, salt):
    amount = (n * salt) % 120 + 5
    style = (n + salt) % 6
    if style == 0:
        return f"{amount} triệu"
    if style == 1:
        return f"{amount},5 triệu"
    if style == 2:
        return f"{amount * 1_000_000:,}"  # 50,000,000
    if style == 3:
        return amount * 1_000_000  # a number cell
    if style == 4:
        return ""
    return f"{amount * 1_000_000:,}".replace(",", ".")  # 50.000.000


def training_grid(rows):
    organisations, people = organisation_names(), person_names()
    grid = [["LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT TỈNH BẮC GIANG"],
            ["BẢNG TỔNG HỢP HOẠT ĐỘNG TẬP HUẤN, HỘI THẢO"], [], TRAINING_HEADERS]
    start = dt.date(2018, 1, 1)
    for n in range(rows):
        day = start + dt.timedelta(days=(n * 7) % 2000)
        end = day + dt.timedelta(days=n % 3)
        date_text = day.strftime("%Y-%m-%d") if n % 10 == 3 else day.strftime("%d/%m/%Y")
        partners = [organisations[(n * 13 + k * 37) % len(organisations)] for k in range(1 + n % 3)]
        speakers = [people[(n * 17 + k * 101) % len(people)] for k in range(1 + n % 2)]
        participants = 20 + (n * 31) % 1500
        grid.append([
            n + 1, UNIT, KIND_SPELLINGS[n % len(KIND_SPELLINGS)],
            f"{KIND_SPELLINGS[n % 4].strip().capitalize()} số {n}: {FIELDS[n % len(FIELDS)].lower()} năm {day.year}",
            FIELDS[n % len(FIELDS)], date_text, end.strftime("%d/%m/%Y") if n % 4 else "",
            "Trực tuyến" if n % 9 == 0 else f"Hội trường UBND huyện {DISTRICTS[n % len(DISTRICTS)]}",
            ("\n" if n % 5 == 0 else "; ").join(partners), "; ".join(speakers),
            f"{participants:,}".replace(",", ".") if participants >= 1000 else participants,
            money(n, 7), money(n, 3), "Có tài liệu phát tay" if n % 6 == 0 else "",
        ])
    return grid, 4


def make_grid(binding, rows):
    return training_grid(rows) if binding == TRAINING else plain_grid(rows)


def build_workbook(path, grid):
    """The office's workbook, written with XlsxWriter (constant memory); text stays text."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(WORKSHEET)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


# -- one phase, in its own process ----------------------------------------------------------
def peak_rss_mb():
    """This process's peak resident memory since the last :func:`reset_peak` (Linux:
    VmHWM, which is per process image — a forked parent's memory never counts)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak():
    """Start the peak-RSS count afresh (Linux ≥ 4.0); harmless where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def open_app(binding, folder):
    from core import create_app
    from core.plugins import get_plugin_manager

    if binding == TRAINING:
        pm = get_plugin_manager(builtins=("sheets.plugin", "plugins.training"), entry_points=False)
    else:
        pm = get_plugin_manager(builtins=("sheets.plugin",), entry_points=False)
        pm.register(sys.modules[__name__], name="bench")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}"}, plugin_manager=pm)
    name = TRAINING if binding == TRAINING else PLAIN.name
    return app, pm, name


class CountingBackend:
    """The backend the engine gets, with every written cell remembered."""

    def __init__(self, backend):
        self.backend, self.written = backend, []
        self.requests = backend.requests

    def read(self, worksheet):
        return self.backend.read(worksheet)

    def write(self, worksheet, cells, **options):  # options: row_ids, guidance, for a backend that takes them
        cells = list(cells)
        self.written.extend(cells)
        return self.backend.write(worksheet, cells, **options)

    def __getattr__(self, name):
        return getattr(self.backend, name)


def run_phase(args):
    """A phase in this (fresh) process; prints its figures as one JSON line."""
    folder = Path(args.folder)
    phase, source = args.phase, args.source
    if phase == "baseline":
        return print(json.dumps(baseline(folder, source)))
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sources import open_backend
    from sheets.sync import sync

    app, pm, name = open_app(args.binding, folder)
    with app.app_context():
        mapping = app.extensions["phoihop_bindings"][name]
        if phase == "setup":
            upgrade(app.extensions["phoihop_models"])
            unit = Unit.create(name=UNIT, code="BG")
            Binding.create(name=name, source=source, worksheet=WORKSHEET, unit=unit)
            return print(json.dumps({}))
        binding = Binding.get(Binding.name == name)
        if phase == "change":
            change_one_record(args.binding, mapping)
        backend = CountingBackend(open_backend(source))
        profile = cProfile.Profile() if args.profile_out else None
        reset_peak()
        figures = {"rss_before_mb": rss_mb()}
        start, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        result = sync(binding, mapping, backend, direction="pull" if phase == "pull" else "both", pm=pm)
        if profile:
            profile.disable()
        figures["seconds"] = time.perf_counter() - start
        figures["cpu_seconds"] = time.process_time() - cpu
        figures["peak_rss_mb"] = peak_rss_mb()
        figures.update(requests=result.requests, outcome=result.outcome, message=result.message,
                       created=result.created, updated=result.updated, pushed=result.pushed,
                       unchanged=result.unchanged, errors=len(result.errors), conflicts=len(result.conflicts),
                       first_error=(result.errors or [None])[0],
                       cells=[(c.row, c.col, c.value) for c in backend.written][:50],
                       cells_written=len(backend.written))
        if phase == "change":
            figures["expected"] = expected_cells(args.binding, open_backend(source), args.data_row)
        if profile:
            profile.dump_stats(args.profile_out)
            figures["profile"] = profile_summary(args.profile_out, mapping, backend.backend)
    print(json.dumps(figures, default=str))


def baseline(folder, source):
    """The backend's raw grid read + a raw sqlite3 executemany of the same cells."""
    from sheets.sources import open_backend

    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    grid = open_backend(source).read(WORKSHEET)
    width = max(len(row) for row in grid)
    raw = sqlite3.connect(folder / "baseline.sqlite3")
    raw.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(width))})")
    with raw:
        raw.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})",
                        ([None if v is None else str(v) for v in row] + [None] * (width - len(row)) for row in grid))
    raw.close()
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "peak_rss_mb": peak_rss_mb(), "rows": len(grid)}


def change_one_record(binding, mapping):
    """Edit one record in the database (not timed): its budget, and its partners."""
    if binding == TRAINING:
        from plugins.training.models import Activity, set_partners

        record = Activity.get(Activity.title.contains(f" số {CHANGED_ROW}:"))
        Activity.update(state_budget=123_000_000).where(Activity.id == record.id).execute()
        set_partners(record, ["Sở Y tế", "Tỉnh đoàn"])
    else:
        Row.update(budget=123_000_000).where(Row.title == f"Hoạt động số {CHANGED_ROW}").execute()


def expected_cells(binding, backend, data_row):
    """The cells the one-row change must write (its changed fields) and may write (its
    status too): 1-based row and columns, as ``Cell`` has them."""
    header = next(row for row in backend.read(WORKSHEET) if "Kinh phí ngân sách" in [str(c).strip() for c in row])
    texts = [" ".join(str(c).split()) if c is not None else "" for c in header]
    changed = ["Kinh phí ngân sách", "Đơn vị phối hợp"] if binding == TRAINING else ["Kinh phí ngân sách"]
    return {"row": data_row + CHANGED_ROW + 1, "must": [texts.index(h) + 1 for h in changed],
            "cols": [texts.index(h) + 1 for h in [*changed, "Trạng thái đồng bộ"] if h in texts]}


def profile_summary(path, mapping, backend):
    """Where the phase's time went: backend, hooks, database driver, engine (the rest)."""
    stats = pstats.Stats(path)
    total = max(ct for _cc, _nc, _tt, ct, _callers in stats.stats.values())

    def cumulative(func):
        code = getattr(func, "__code__", None)
        if code is None:
            return 0.0
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        return stats.stats[key][3] if key in stats.stats else 0.0

    parts = {"backend.read": cumulative(type(backend).read), "backend.write": cumulative(type(backend).write)}
    for hook in ("read_many", "after_save_many", "apply", "rules"):
        parts[f"hook {hook}"] = cumulative(getattr(type(mapping), hook))
    driver = sum(tt for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items()
                 if filename == "~" and ("sqlite3" in name or "psycopg2" in name))
    parts["engine (the rest)"] = total - sum(parts.values())
    top = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:15]
    by_file = {}
    for (filename, _line, name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        where = name if filename == "~" else where_of(filename)
        by_file[where] = by_file.get(where, 0.0) + tt
    engine = [(f"{Path(f).name}:{line} {name}", ct) for (f, line, name), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
              if where_of(f).startswith("sheets/") and where_of(f) not in ("sheets/sync.py", "sheets/xlsx.py",
                                                                          "sheets/gsheets.py")
              and name not in ("execute", "<module>")]
    return {
        "total": total, "parts": parts, "database driver (inside all of these)": driver,
        "top": [(f"{Path(f).name}:{line} {name}", tt, ct) for (f, line, name), (_cc, _nc, tt, ct, _c) in top],
        "by_file": sorted(by_file.items(), key=lambda item: -item[1])[:12],
        "engine_steps": sorted(engine, key=lambda item: -item[1])[:12],
    }


def where_of(filename):
    """``sheets/run.py``, ``core/people.py``, ``peewee.py``…: a source file, short."""
    path = Path(filename)
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return path.name


# -- the parent: sources, runs, figures ------------------------------------------------------
def run_child(binding, name, folder, source, rows, data_row, env=None, profile_out=None):
    command = [sys.executable, __file__, "--binding", binding, "--rows", str(rows), "--phase", name,
               "--folder", str(folder), "--source", source, "--data-row", str(data_row)]
    if profile_out:
        command += ["--profile-out", str(profile_out)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        sys.exit(f"benchmark phase {name} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_run(binding, backend, rows, grid, data_row, workbook, fake, run, profile=False):
    folder = Path(tempfile.mkdtemp(prefix="phoihop-bench-"))
    env = {}
    try:
        if backend == "xlsx":
            source = str(folder / "bench.xlsx")
            shutil.copyfile(workbook, source)
        else:
            key = f"BENCH{run}"
            fake.spreadsheets.pop(f"BENCH{run - 1}", None)
            fake.add_spreadsheet(key, {WORKSHEET: grid}, sizes={WORKSHEET: (len(grid) + 10, 26)})
            source, env = f"gsheet:{key}", {"PHOIHOP_SHEETS_EMULATOR": fake.url}
        figures = {}
        for name in ("setup", *PHASES):
            out = folder / f"{name}.prof" if profile and name != "baseline" and name != "setup" else None
            figures[name] = run_child(binding, name, folder, source, rows, data_row, env, out)
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def p50(values):
    return statistics.median(values)


def mark(ok):
    return "met" if ok else "MISSED"


def report(binding, backend, rows, runs):
    def each(name, key):
        return [run[name][key] for run in runs]

    base, pull, resync, change = (each(n, "seconds") for n in PHASES)
    cpu = {n: p50(each(n, "cpu_seconds")) for n in PHASES}
    pull_ratio = p50([p / b for p, b in zip(pull, base)])
    resync_ratio = p50([r / p for r, p in zip(resync, pull)])
    change_ratio = p50([c / p for c, p in zip(change, pull)])
    last = runs[-1]
    print(f"\n== {binding} on {backend}: {rows:,} rows, p50 of {len(runs)} run(s) ==")
    print("wall-clock seconds, p50 [each run]; the process's own CPU time in (cpu …), which other load on the "
          "machine does not inflate (the Sheets API's serving time is not in it)")
    print(f"baseline (raw read + sqlite3 executemany): {p50(base):.2f} s  {fmt(base)} (cpu {cpu['baseline']:.2f} s)")
    target = TARGETS["pull"][backend]
    p = last["pull"]
    print(f"first pull: {p50(pull):.2f} s  {fmt(pull)} (cpu {cpu['pull']:.2f} s) = {pull_ratio:.2f}× baseline "
          f"(target ≤ {target:g}×: {mark(pull_ratio <= target)}); created {p['created']:,}, errors {p['errors']}, "
          f"outcome {p['outcome']}; requests {p['requests']}")
    if p["errors"]:
        print(f"  first error: {p['first_error']}")
    r = last["resync"]
    resync_ok = resync_ratio <= TARGETS["resync"] and all(run["resync"]["requests"].get("writes") == 0 for run in runs)
    print(f"no-change re-sync: {p50(resync):.2f} s  {fmt(resync)} (cpu {cpu['resync']:.2f} s) = {resync_ratio:.3f}× "
          f"first pull; requests "
          f"{r['requests']}, cells written {r['cells_written']}, unchanged {r['unchanged']:,} "
          f"(target ≤ {TARGETS['resync']:g}× and 0 writes: {mark(resync_ok)})")
    c = last["change"]
    expected = c["expected"]
    cells = [(row, col) for row, col, _ in c["cells"]]
    one_row = (c["requests"].get("writes") == 1 and c["cells_written"] == len(cells)
               and all(row == expected["row"] and col in expected["cols"] for row, col in cells)
               and all((expected["row"], col) in cells for col in expected["must"]))
    change_ok = change_ratio <= TARGETS["change"] and one_row
    print(f"one-row change: {p50(change):.2f} s  {fmt(change)} (cpu {cpu['change']:.2f} s) = {change_ratio:.3f}× "
          f"first pull; requests "
          f"{c['requests']}, cells written {c['cells_written']} {c['cells'][:6]} "
          f"(target ≤ {TARGETS['change']:g}× and one write of that row's changed cells: {mark(change_ok)})")
    rss = {name: max(each(name, "peak_rss_mb")) for name in PHASES}
    print("peak RSS per phase (max of runs): " + ", ".join(f"{n} {v:.0f} MB" for n, v in rss.items())
          + f" (target ≤ {TARGETS['rss_mb']} MB: {mark(max(rss.values()) <= TARGETS['rss_mb'])})")


def fmt(values):
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def print_profile(binding, backend, figures):
    print(f"\n-- profile of {binding} on {backend} (one extra run under cProfile, slower than the figures) --")
    for name in PHASES[1:]:
        prof = figures[name].get("profile")
        if not prof:
            continue
        total = prof["total"]
        parts = ", ".join(f"{k} {v:.2f} s ({v / total:.0%})" for k, v in prof["parts"].items())
        driver = prof["database driver (inside all of these)"]
        print(f"{name}: {total:.2f} s = {parts}; database driver {driver:.2f} s ({driver / total:.0%}) inside these")
        print("  own time by file: " + ", ".join(f"{where} {tt:.2f}" for where, tt in prof["by_file"]))
        print("  engine steps (cumulative): " + ", ".join(f"{where} {ct:.2f}" for where, ct in prof["engine_steps"]))
        print("  functions by own time:")
        for where, tt, ct in prof["top"][:10]:
            print(f"    {tt:7.2f} s own {ct:7.2f} s cumulative  {where}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binding", choices=[TRAINING, "plain"], default=TRAINING)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--backend", choices=["xlsx", "gsheets", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="one more run under cProfile: where the time goes")
    for hidden in ("--phase", "--folder", "--source", "--profile-out"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--data-row", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return run_phase(args)

    grid, data_row = make_grid(args.binding, args.rows)
    backends = ["xlsx", "gsheets"] if args.backend == "both" else [args.backend]
    for backend in backends:
        workbook, fake, scratch = None, None, Path(tempfile.mkdtemp(prefix="phoihop-bench-src-"))
        try:
            if backend == "xlsx":
                workbook = scratch / "source.xlsx"
                build_workbook(workbook, grid)
            else:
                from tests.fake_sheets import FakeSheets

                fake = FakeSheets().start()
            runs = [one_run(args.binding, backend, args.rows, grid, data_row, workbook, fake, n + 1)
                    for n in range(args.repeat)]
            report(args.binding, backend, args.rows, runs)
            if args.profile:
                extra = one_run(args.binding, backend, args.rows, grid, data_row, workbook, fake,
                                args.repeat + 1, profile=True)
                print_profile(args.binding, backend, extra)
        finally:
            if fake is not None:
                fake.stop()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
