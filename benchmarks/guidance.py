"""Guidance benchmark: what dropdowns, notes and protections cost a sync (sheets.guidance).

    .venv/bin/python benchmarks/guidance.py [--rows 5000] [--errors 10] [--backend xlsx|gsheets|both] [--repeat 3]

The plain 18-column binding of ``benchmarks/sync.py`` (a choice column, two dates, money,
a count) with one row in ``--errors`` carrying a kind that is not on the list — so the
first pull writes a note on each of those cells. Each measure runs the same sync twice,
from a fresh database and a fresh copy of the source: **with guidance** (validations,
notes, protections in the write) and **without** (the backend's ``takes_guidance``
hidden, so the engine writes cells only) — the baseline, measured in the same run. It
prints, p50 of ``--repeat`` runs, the first pull and a no-change re-sync, both ways
(wall-clock, and this process's CPU time, which other load on the shared machine does not
inflate; on gsheets it includes the fake server's thread), their ratio, and the API requests
(``batchUpdate`` counted at the fake Sheets API server). Targets: first pull with
guidance ≤ 1,2× without in CPU time; the same number of writes (one); the re-sync writes
nothing either way.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import sync as base  # noqa: E402  (benchmarks/sync.py: the plain binding and its grid)

TARGET = 1.2


class Unguided:
    """A backend without guidance: the engine writes cells only."""

    takes_guidance = False

    def __init__(self, backend):
        self.backend = backend
        self.requests = backend.requests

    def read(self, worksheet):
        return self.backend.read(worksheet)

    def write(self, worksheet, cells):
        return self.backend.write(worksheet, cells)

    def add_worksheet(self, *args, **kwargs):
        return self.backend.add_worksheet(*args, **kwargs)


def grid_with_errors(rows, every):
    grid, _ = base.plain_grid(rows)
    for n in range(0, rows, every):
        grid[2 + n][1] = "Hội thảo sai tên"
    return grid


def one(kind, guided, grid, fake, run):
    from core.models import Unit
    from core.schema import upgrade
    from sheets.models import Binding
    from sheets.sources import open_backend
    from sheets.sync import sync

    folder = Path(tempfile.mkdtemp(prefix="phoihop-bench-guidance-"))
    try:
        if kind == "xlsx":
            source = str(folder / "bench.xlsx")
            base.build_workbook(source, grid)
        else:
            key = f"GUIDE{run}{int(guided)}"
            fake.add_spreadsheet(key, {base.WORKSHEET: grid}, sizes={base.WORKSHEET: (len(grid) + 10, 26)})
            source = f"gsheet:{key}"
        app, pm, name = base.open_app("plain", folder)
        with app.app_context():
            upgrade(app.extensions["phoihop_models"])
            unit = Unit.create(name=base.UNIT, code="BG")
            binding = Binding.create(name=name, source=source, worksheet=base.WORKSHEET, unit=unit)
            mapping = app.extensions["phoihop_bindings"][name]
            figures = {}
            for phase in ("pull", "resync"):
                backend = open_backend(source)
                backend = backend if guided else Unguided(backend)
                if fake is not None:
                    fake.reset_log()
                start, cpu = time.perf_counter(), time.process_time()
                result = sync(binding, mapping, backend, pm=pm)
                figures[phase] = time.perf_counter() - start
                figures[phase + "_cpu"] = time.process_time() - cpu  # this process (and the fake server's thread)
                figures[phase + "_requests"] = result.requests
                figures[phase + "_errors"] = len(result.errors)
                if fake is not None:
                    figures[phase + "_batch_updates"] = sum(1 for c in fake.calls if c["path"].endswith(":batchUpdate"))
        from core.db import database

        database.close()
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--errors", type=int, default=10, help="one row in this many has a kind not on the list")
    parser.add_argument("--backend", choices=["xlsx", "gsheets", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    grid = grid_with_errors(args.rows, args.errors)
    from tests.fake_sheets import FakeSheets

    for kind in (["xlsx", "gsheets"] if args.backend == "both" else [args.backend]):
        fake = FakeSheets().start() if kind == "gsheets" else None
        if fake is not None:
            os.environ["PHOIHOP_SHEETS_EMULATOR"] = fake.url
        try:
            runs = {True: [], False: []}
            for run in range(args.repeat):
                for guided in (False, True):
                    runs[guided].append(one(kind, guided, grid, fake, run))
        finally:
            if fake is not None:
                fake.stop()
        report(kind, args.rows, runs)


def report(kind, rows, runs):
    def p50(guided, key):
        return statistics.median(r[key] for r in runs[guided])

    ratio = statistics.median(g["pull"] / u["pull"] for g, u in zip(runs[True], runs[False]))
    cpu_ratio = statistics.median(g["pull_cpu"] / u["pull_cpu"] for g, u in zip(runs[True], runs[False]))
    last = {guided: runs[guided][-1] for guided in runs}
    print(f"\n== guidance on {kind}: {rows:,} rows, {last[True]['pull_errors']} rows in error, "
          f"p50 of {len(runs[True])} run(s) ==")
    for guided, label in ((False, "without guidance (baseline)"), (True, "with guidance")):
        f = last[guided]
        extra = (f"; batchUpdate {f['pull_batch_updates']} then {f['resync_batch_updates']}"
                 if "pull_batch_updates" in f else "")
        print(f"{label}: first pull {p50(guided, 'pull'):.2f} s (cpu {p50(guided, 'pull_cpu'):.2f} s), re-sync "
              f"{p50(guided, 'resync'):.2f} s (cpu {p50(guided, 'resync_cpu'):.2f} s); requests "
              f"{f['pull_requests']} then {f['resync_requests']}{extra}")
    same_writes = last[True]["pull_requests"]["writes"] == last[False]["pull_requests"]["writes"] == 1
    quiet = last[True]["resync_requests"]["writes"] == 0
    print(f"first pull with/without guidance: {ratio:.2f}× wall-clock, {cpu_ratio:.2f}× cpu (target ≤ {TARGET:g}× cpu: "
          f"{'met' if cpu_ratio <= TARGET else 'MISSED'}); "
          f"one write either way: {'met' if same_writes else 'MISSED'}; no-change re-sync writes nothing: "
          f"{'met' if quiet else 'MISSED'}")


if __name__ == "__main__":
    main()
