"""Honours benchmark: ten rounds of nominations of one province, through the real binding.

    .venv/bin/python benchmarks/honours.py [--rows 20000] [--db postgresql://…]

The office's workbook — one nominations list of ``--rows`` rows over the rounds 2014–2023,
with people nominated by two organisations (merged), names written without a year of
birth (flagged), people honoured again in later rounds (repeats, flagged or counted in
lượt) — is synced once (everything created and decided), then again (nothing changed:
nothing may be written), then the council's votes of the last round are recorded (the
round and every later nomination of its people recomputed), then the review is made.

Measured in the same run, and printed as ratios:

- the **baseline**: the backend's raw grid read of the workbook plus a raw sqlite3
  ``executemany`` of the same cells (as benchmarks/sync.py), best of three; each step is printed
  as a multiple of it (the first sync also matches every nominee to the person registry
  and decides every rule);
- the **no-change re-sync** as a share of the first sync: target ≤ 0,2× and no write;
- **set-based**: the same workbook at a tenth of the rows, synced first (after a warm-up
  that pays the one-time statements), in another unit: the statements per 1,000 rows
  of the full sync must not be more than those of the tenth (a query per row would
  make them equal at best and the totals ten times larger; set-based, they fall).

Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNIT = "Liên hiệp hội tỉnh Phú Thọ"
CATEGORIES = ("Tân Tiến sĩ", "Bác sĩ chuyên khoa II", "Trí thức KH&CN tiêu biểu", "Tân Phó Giáo sư")
NOMINATORS = ("Sở Y tế", "Sở Khoa học và Công nghệ", "Trường Đại học Hùng Vương", "Hội Y học tỉnh",
              "Sở Nông nghiệp và Phát triển nông thôn", "UBND thành phố Việt Trì", "Liên đoàn Lao động tỉnh")
HEADERS = ["STT", "Năm", "Họ và tên", "Năm sinh", "Giới tính", "Học hàm", "Học vị", "Đơn vị công tác", "Lĩnh vực",
           "Đơn vị đề cử", "Hình thức tôn vinh", "Thành tích", "Số phiếu đồng ý", "Kết quả"]


def rows(count):
    found = []
    for n in range(count):
        year = 2014 + n % 10
        category = CATEGORIES[n % 4]
        degree = {"Bác sĩ chuyên khoa II": "BSCKII"}.get(category, "TS")
        title = "PGS" if category == "Tân Phó Giáo sư" else ""
        person = n // 3 if category == "Trí thức KH&CN tiêu biểu" else n  # outstanding ones recur across rounds
        votes, result = (9, "Được tôn vinh") if year < 2023 and n % 5 else ((4, "Không được tôn vinh") if year < 2023
                                                                             else (None, None))
        found.append([None, year, f"Trí Thức Số {person}", 1950 + person % 45, "Nữ" if n % 2 else "Nam", title, degree,
                      f"Đơn vị {n % 50}", "Y dược" if n % 3 else "Nông nghiệp", NOMINATORS[n % len(NOMINATORS)],
                      category, f"- Bảo vệ luận án ngày 05/06/{year - 1}\n- Chủ nhiệm 01 đề tài", votes, result])
        if n % 20 == 0:  # a second organisation nominates the same person
            found.append([*found[-1][:9], NOMINATORS[(n + 1) % len(NOMINATORS)], *found[-1][10:]])
        if n % 50 == 0:  # written without a year of birth
            found.append([*found[-1][:3], None, *found[-1][4:]])
    for number, row in enumerate(found, start=1):
        row[0] = number
    return found


RESYNC_TARGET = 0.2


def timed(label, total, work, baseline=None):
    """Run ``work`` once: its time, its statements and their count per 1,000 rows."""
    from tests.core.test_people import QueryCount

    with QueryCount() as statements:
        started = time.perf_counter()
        answer = work()
        seconds = time.perf_counter() - started
    per = len(statements) / max(total, 1) * 1000
    ratio = f"  = {seconds / baseline:5.2f}× baseline" if baseline else ""
    print(f"{label:<34} {seconds:8.2f} s{ratio}   {len(statements):7d} statements ({per:.1f} per 1,000 rows)")
    return answer, seconds, per


def workbook(folder, name, data):
    from sheets.xlsx import XlsxBackend

    path = folder / f"{name}.xlsx"
    XlsxBackend.create(path, {"Đề cử": [["DANH SÁCH ĐỀ CỬ TÔN VINH TRÍ THỨC 2014–2023"], HEADERS, *data]})
    return path


def baseline(folder, path) -> float:
    """The backend's raw grid read plus a raw sqlite3 executemany of the same cells: the
    best of three, each into a fresh file."""
    return min(baseline_once(folder / f"baseline-{n}.sqlite3", path) for n in range(3))


def baseline_once(target, path) -> float:
    from sheets.xlsx import XlsxBackend

    started = time.perf_counter()
    grid = XlsxBackend(str(path)).read("Đề cử")
    width = max(len(row) for row in grid)
    raw = sqlite3.connect(target)
    raw.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(width))})")
    with raw:
        raw.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})",
                        ([None if v is None else str(v) for v in row] + [None] * (width - len(row)) for row in grid))
    raw.close()
    return time.perf_counter() - started


def linked(app, path, name, code):
    from core.models import Unit
    from sheets.models import Binding

    unit = Unit.create(name=name, code=code)
    return unit, Binding.create(name="honours.nominations", source=str(path), worksheet="Đề cử", unit=unit)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--db", default=None)
    options = parser.parse_args()

    from core import create_app
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager
    from core.reports import Period, collect
    from core.schema import upgrade
    from sheets.sync import sync

    import os
    os.environ.setdefault("PHOIHOP_TODAY", "2023-12-31")
    folder = Path(tempfile.mkdtemp(prefix="phoihop-honours-"))
    url = options.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    pm = get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False)
    app = create_app({"DATABASE_URL": url}, plugin_manager=pm)
    data = rows(options.rows)
    path = workbook(folder, "ton-vinh", data)
    tenth = rows(max(options.rows // 10, 20))
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        mapping = app.extensions["phoihop_bindings"]["honours.nominations"]
        base = baseline(folder, path)
        print(f"{len(data):,} rows, {url.split(':')[0]}; baseline (raw read + sqlite3 executemany) {base:.2f} s")

        _, warm = linked(app, workbook(folder, "warm-up", rows(20)), "Liên hiệp hội tỉnh Hòa Bình", "HB")
        sync(warm, mapping, pm=pm)
        _, small = linked(app, workbook(folder, "tenth", tenth), "Liên hiệp hội tỉnh Tuyên Quang", "TQ")
        (_, _, small_per) = timed(f"first sync of {len(tenth):,} rows", len(tenth), lambda: sync(small, mapping, pm=pm))

        unit, binding = linked(app, path, UNIT, "PT")
        first, first_seconds, per = timed("first sync (create, decide)", len(data), lambda: sync(binding, mapping, pm=pm),
                                          base)
        print(f"  created {first.created:,}, errors {len(first.errors)}")
        again, again_seconds, _ = timed("second sync (nothing changed)", len(data), lambda: sync(binding, mapping, pm=pm),
                                        base)
        from plugins.honours.models import Round
        from plugins.honours.pages import council_rows, record_votes

        current = Round.get(Round.unit == unit, Round.year == 2023)
        current.council_size = 13
        current.save()
        nominations = council_rows(current)
        votes = {n.id: (7 + n.id % 5, 1) for n in nominations}
        timed(f"council votes of the last round ({len(nominations):,})", len(nominations),
              lambda: record_votes(current, nominations, votes, None, "benchmark"), base)
        timed("the review (2014–2023)", len(data), lambda: collect(pm, Period(2014, 2023), [unit]), base)

    resync = again_seconds / first_seconds
    resync_ok = resync <= RESYNC_TARGET and again.requests["writes"] == 0
    set_based = per <= small_per
    print(f"no-change re-sync = {resync:.3f}× the first sync, {again.requests['writes']} writes "
          f"(target ≤ {RESYNC_TARGET}×, no write): {'OK' if resync_ok else 'MISSED'}")
    print(f"statements per 1,000 rows: {per:.1f} at {len(data):,} rows against {small_per:.1f} at {len(tenth):,} "
          f"(must not grow): {'OK' if set_based else 'MISSED'}")
    return 0 if resync_ok and set_based else 1


if __name__ == "__main__":
    sys.exit(main())
