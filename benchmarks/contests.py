"""Contests benchmark: an edition of 5,000 entries × 5 judges (25,000 scores), through the
real bindings, and what a one-score change costs.

    .venv/bin/python benchmarks/contests.py [--entries 5000] [--judges 5] [--repeat 5]
        [--db postgresql://…]

The office's workbook — entries (title block, STT, six fields, nominating units), judges
(five per field) and one score sheet of every entry × judge citing entries by STT — is
synced in the order its references need (entries, judges, scores, entries again). Then:

- **load**: reading the edition's scores alone (the columns a recompute needs), p50;
- **recompute**: after a one-score change in the database, the recompute of everything it
  affects — found by the stamps: the changed field's every score verdict, entry score,
  ranks and prizes, written back where they changed — p50 over ``--repeat`` changes;
  target ≤ 2× load; and, for comparison, the full recompute of every field of the edition;
- **sheet**: one judge's total changed in the score sheet, then the score sheet and the
  entries sheet synced: the cells written, which must be exactly the computed cells
  (Điểm, Xếp hạng, Giải) of the rows whose computed values changed, plus that score
  row's own verdict when it changed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNIT = "Liên hiệp hội tỉnh Bắc Giang"
EDITION = "Hội thi Sáng tạo kỹ thuật tỉnh Bắc Giang lần thứ 10 (2022-2023)"
FIELDS = ("Công nghệ thông tin, điện tử, viễn thông", "Cơ khí, tự động hóa, xây dựng, giao thông vận tải",
          "Vật liệu, hóa chất, năng lượng", "Nông, lâm, ngư nghiệp; tài nguyên và môi trường", "Y dược",
          "Giáo dục và Đào tạo")
UNITS = ("Sở Khoa học và Công nghệ", "Sở Y tế", "Sở Công Thương", "UBND huyện Lục Ngạn", "UBND huyện Yên Thế",
         "Sở Giáo dục và Đào tạo", "Hội Nông dân tỉnh", "Liên đoàn Lao động tỉnh", "Tỉnh đoàn", "Sở Xây dựng")
TARGET = 2.0


class CountingBackend:
    """The backend the engine gets, with every written cell remembered."""

    def __init__(self, backend):
        self.backend, self.written = backend, []
        self.requests = backend.requests

    def read(self, worksheet):
        return self.backend.read(worksheet)

    def write(self, worksheet, cells):
        cells = list(cells)
        self.written.extend(cells)
        return self.backend.write(worksheet, cells)

    def __getattr__(self, name):
        return getattr(self.backend, name)


def total(entry, judge):
    """A judge's total for an entry: spread over the scale, in steps of 0,5."""
    return Decimal(40 + (entry * 37 + judge * 11) % 120) / 2


def build_workbook(path, entries, judges):
    from sheets.xlsx import XlsxBackend

    judge_names = {f: [f"Giám khảo {f + 1}.{j + 1}" for j in range(judges)] for f in range(len(FIELDS))}
    entry_rows = [[n + 1, f"Giải pháp số {n + 1}", f"Tác giả {n % 997}; Đồng tác giả {n % 389}",
                   UNITS[n % len(UNITS)], FIELDS[n % len(FIELDS)], EDITION] for n in range(entries)]
    judge_rows = [[i + 1, name, FIELDS[f], f"Viện nghiên cứu {f}"] for i, (f, name) in
                  enumerate((f, name) for f, names in judge_names.items() for name in names)]
    score_rows = [[n + 1, name, str(total(n, j)).replace(".", ",")]
                  for n in range(entries) for j, name in enumerate(judge_names[n % len(FIELDS)])]
    XlsxBackend.create(path, {
        "Giải pháp dự thi": [["DANH SÁCH GIẢI PHÁP DỰ THI"], [],
                             ["STT", "Tên giải pháp", "Tác giả", "Đơn vị giới thiệu", "Lĩnh vực", "Cuộc thi"], *entry_rows],
        "Giám khảo": [["DANH SÁCH GIÁM KHẢO"], [], ["STT", "Họ và tên", "Lĩnh vực", "Đơn vị công tác"], *judge_rows],
        "Phiếu chấm": [["PHIẾU CHẤM"], [], ["STT giải pháp", "Giám khảo", "Điểm"], *score_rows],
    })
    return len(score_rows)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def computed(edition):
    from plugins.contests.models import Entry

    return {i: rest for i, *rest in Entry.select(Entry.id, Entry.score, Entry.rank, Entry.proposed_tier,
                                                 Entry.contested, Entry.ranked)
            .where(Entry.edition == edition).tuples()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="a database URL (default: a fresh SQLite file)")
    parser.add_argument("--profile", action="store_true", help="print where one recompute spends its time")
    args = parser.parse_args()

    from core import create_app
    from core.models import Unit
    from core.plugins import get_plugin_manager
    from core.schema import upgrade
    from plugins.contests.models import (
        ContestKind, Edition, EditionTier, Entry, PrizeTier, Score, ensure_catalog,
    )
    from plugins.contests.results import SCORE_COLUMNS, raw_rows, recompute, recompute_stale
    from sheets.models import Binding
    from sheets.sync import sync
    from sheets.xlsx import XlsxBackend

    folder = Path(tempfile.mkdtemp(prefix="phoihop-contests-"))
    url = args.db or f"sqlite:///{folder / 'bench.sqlite3'}"
    pm = get_plugin_manager(builtins=("sheets.plugin", "plugins.contests"), entry_points=False)
    app = create_app({"DATABASE_URL": url}, plugin_manager=pm)
    path = folder / "hoi-thi.xlsx"
    rows = build_workbook(path, args.entries, args.judges)
    print(f"{args.entries:,} entries × {args.judges} judges = {rows:,} scores; {url.split('://')[0]}; {path}")
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        ensure_catalog()
        unit = Unit.create(name=UNIT, code="BG")
        kind = ContestKind.get(ContestKind.name == "Hội thi Sáng tạo kỹ thuật")
        edition = Edition.create(unit=unit, kind=kind, name=EDITION, season_start=2022, season_end=2023)
        for name, quota in (("Nhất", 1), ("Nhì", 3), ("Ba", 5), ("Khuyến khích", 10)):
            EditionTier.create(edition=edition, tier=PrizeTier.get(PrizeTier.kind == kind, PrizeTier.name == name),
                               quota=quota)
        mappings = app.extensions["phoihop_bindings"]
        links = {name: Binding.create(name=name, source=str(path), worksheet=sheet, unit=unit) for name, sheet in (
            ("contests.entries", "Giải pháp dự thi"), ("contests.judges", "Giám khảo"), ("contests.scores", "Phiếu chấm"))}

        def run(name, backend=None):
            result = sync(links[name], mappings[name], backend=backend, pm=pm, actor="bench")
            assert result.outcome == "ok", (name, result.outcome, result.message, result.errors[:3])
            return result

        for name in ("contests.entries", "contests.judges", "contests.scores", "contests.entries"):
            seconds, result = timed(run, name)
            print(f"  first sync {name:17} {seconds:7.2f} s  ({result.created:,} created)")
        assert Score.select().where(Score.edition == edition).count() == rows

        def load():
            """The edition's scores as the recompute reads them: its columns, straight from the driver."""
            return raw_rows(Score.select(*(getattr(Score, c) for c in SCORE_COLUMNS))
                            .where(Score.edition == edition, Score.archived == False))  # noqa: E712

        def load_models():
            return list(Score.select(*(getattr(Score, c) for c in SCORE_COLUMNS))
                        .where(Score.edition == edition, Score.archived == False).tuples())  # noqa: E712

        loads = [timed(load)[0] for _ in range(args.repeat)]
        loads_models = [timed(load_models)[0] for _ in range(args.repeat)]
        targeted, whole, changed = [], [], []
        scores = list(Score.select(Score.id, Score.total).where(Score.edition == edition).order_by(Score.id)
                      .limit(2 * args.repeat).tuples())
        for n, (score_id, old) in enumerate(scores):
            Score.update(total=old + Decimal(9)).where(Score.id == score_id).execute()  # moves updated_at
            if n % 2 == 0:
                seconds, touched = timed(recompute_stale)
                assert touched == [edition.id]
                targeted.append(seconds)
            else:
                seconds, count = timed(recompute, [edition.id])
                whole.append(seconds)
                changed.append(count)
        if args.profile:
            import cProfile
            import pstats

            Score.update(total=Score.total + 1).where(Score.id == scores[0][0]).execute()
            profiler = cProfile.Profile()
            profiler.runcall(recompute, [edition.id])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        load_p50 = statistics.median(loads)
        ratio = statistics.median(targeted) / load_p50
        ratio_whole = statistics.median(whole) / load_p50
        print(f"  load the scores alone       {load_p50 * 1000:8.1f} ms  (p50 of {args.repeat}; through peewee's models "
              f"{statistics.median(loads_models) * 1000:.1f} ms)")
        print(f"  recompute after one change  {statistics.median(targeted) * 1000:8.1f} ms  = {ratio:.2f}× load  "
              f"target ≤ {TARGET:.0f}×  {'OK' if ratio <= TARGET else 'MISSED'}  (the changed field, found by its stamp)")
        print(f"  full recompute of the edition {statistics.median(whole) * 1000:6.1f} ms  = {ratio_whole:.2f}× load  "
              f"(every field; {min(changed)}–{max(changed)} records rewritten)")

        # the same through the sheets: one judge's total changed in the score sheet
        run("contests.scores"), run("contests.entries")  # the sheets agree with the database again
        before = computed(edition)
        grid = XlsxBackend(str(path)).read("Phiếu chấm")
        row = 3 + 7  # the 8th score row: entry 2, judge 3
        old = Decimal(str(grid[row][2]).replace(",", "."))
        XlsxBackend(str(path)).write("Phiếu chấm", [_cell(row + 1, 3, str(old + 20).replace(".", ","))])
        scores_backend = CountingBackend(XlsxBackend(str(path)))
        seconds_scores, result = timed(run, "contests.scores", scores_backend)
        entries_backend = CountingBackend(XlsxBackend(str(path)))
        seconds_entries, result_entries = timed(run, "contests.entries", entries_backend)
        after = computed(edition)
        moved = {i for i in after if after[i] != before[i]}
        entries_rows = {c.row for c in entries_backend.written}
        header = XlsxBackend(str(path)).read("Giải pháp dự thi")[2]
        own = {i for i, h in enumerate(header, start=1) if h in ("Điểm", "Xếp hạng", "Giải")}
        only_computed = all(c.col in own for c in entries_backend.written)
        print(f"  sheet: score sheet synced   {seconds_scores:6.2f} s, {len(scores_backend.written)} cells written; "
              f"entries sheet synced {seconds_entries:6.2f} s, {len(entries_backend.written)} cells written in "
              f"{len(entries_rows)} rows; entries whose Điểm/Xếp hạng/Giải changed: {len(moved)}")
        print(f"  only those rows: {'OK' if len(entries_rows) == len(moved) and only_computed else 'MISSED'}"
              f" (computed columns only: {only_computed}); entries updated from the sheet: {result_entries.updated}")
        assert Entry.select().where(Entry.edition == edition).count() == args.entries
        return 0 if ratio <= TARGET and len(entries_rows) == len(moved) and only_computed else 1


def _cell(row, col, value):
    from sheets.backend import Cell

    return Cell(row, col, value)


if __name__ == "__main__":
    sys.exit(main())
