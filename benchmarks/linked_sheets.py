"""Linked-sheets benchmark: the list of links with each link's last outcome, and the
selection of due links, as the links and their sync history grow.

    .venv/bin/python benchmarks/linked_sheets.py [--links 1000] [--runs 20] [--repeat 30]
        [--db postgresql://…]

Two sites of ``--links`` links: the baseline with one logged run per link, the big one
with ``--runs`` runs per link, every log with ten row errors in its summary.

- **list**: ``GET /admin/binding/`` (its first page: 50 links, each with its last outcome
  and time), p50/p95 over ``--repeat`` requests. Target: big ≤ 2× baseline, and the same
  number of queries on both (the outcomes are one query for the page; summaries are never
  loaded for the list).
- **due**: :func:`sheets.schedule.due_bindings`, p50; target big ≤ 3× baseline (two
  queries; the history only grows the grouped MAX over the logs).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PASSWORD = "mat-khau-benchmark"
LIST_TARGET, DUE_TARGET = 2.0, 3.0
CONFIG = {"SYNC_OFFICE_DAYS": "1-7", "SYNC_OFFICE_HOURS": "00:00-24:00", "TIMEZONE": "Asia/Ho_Chi_Minh"}


def build_site(url, links, runs):
    """An app on ``url`` with ``links`` links of one unit and ``runs`` logged runs each."""
    from core import create_app
    from core.db import database
    from core.models import Unit
    from core.schema import upgrade
    from core.users import create_user
    from sheets.models import Binding, SyncLog

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        unit = Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG")
        create_user("admin@bg.vn", PASSWORD, "admin")
        start = dt.datetime(2026, 1, 5, 1, 0)
        errors = [{"row": 10 + i, "column": "Ngày nhận", "value": "31/02/2021",
                   "message": 'Ngày nhận "31/02/2021" không phải ngày hợp lệ'} for i in range(10)]
        with database.atomic():
            Binding.insert_many([
                {"name": "training.activities", "source": f"/srv/lhh/tap-huan-{n}.xlsx", "worksheet": "Hoạt động",
                 "unit": unit.id, "schedule_minutes": 15} for n in range(links)]).execute()
            ids = [b.id for b in Binding.select(Binding.id)]
            rows = [{"binding": b, "unit": unit.id, "started_at": start + dt.timedelta(minutes=15 * r),
                     "finished_at": start + dt.timedelta(minutes=15 * r, seconds=2), "direction": "both",
                     "outcome": "errors", "error_count": 10, "conflict_count": 0,
                     "summary": SyncLog.summary.db_value({"errors": errors, "columns": {"Ngày nhận": "C"}})}
                    for b in ids for r in range(runs)]
            for first in range(0, len(rows), 1000):
                SyncLog.insert_many(rows[first:first + 1000]).execute()
    return app


def timed(work, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def measure(app, repeat):
    from playhouse.test_utils import count_queries

    from sheets.schedule import due_bindings

    client = app.test_client()
    client.post("/login", data={"email": "admin@bg.vn", "password": PASSWORD})
    assert client.get("/admin/binding/").status_code == 200
    with app.app_context():
        with count_queries() as counted:
            client.get("/admin/binding/")
        listed = timed(lambda: client.get("/admin/binding/"), repeat)
        moment = dt.datetime(2026, 12, 1, 3, 0)
        due = timed(lambda: due_bindings(moment, CONFIG), repeat)
    return listed, due, counted.count


def postgres(base, *statements):
    import psycopg2

    admin = psycopg2.connect(base)
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    admin.close()


def database_url(base, folder, name):
    if base is None:
        return f"sqlite:///{folder}/{name}.sqlite3"
    postgres(base, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--db", help="a PostgreSQL server URL (its maintenance database); default: SQLite files")
    args = parser.parse_args()
    from core.db import database

    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for label, links, runs in (("baseline", args.links, 1), ("big", args.links, args.runs)):
            app = build_site(database_url(args.db, folder, f"phoihop_bench_links_{label}"), links, runs)
            results[label] = measure(app, args.repeat)
            database.close()
            if args.db:
                postgres(args.db, f'DROP DATABASE IF EXISTS "phoihop_bench_links_{label}" WITH (FORCE)')
    (list_small, due_small, queries_small), (list_big, due_big, queries_big) = results["baseline"], results["big"]
    print(f"list page, {args.links} links × 1 run: p50 {list_small[0] * 1000:.1f} ms, p95 {list_small[1] * 1000:.1f} ms, "
          f"{queries_small} queries")
    print(f"list page, {args.links} links × {args.runs} runs: p50 {list_big[0] * 1000:.1f} ms, "
          f"p95 {list_big[1] * 1000:.1f} ms, {queries_big} queries")
    ratio = list_big[0] / list_small[0]
    print(f"  ratio p50 {ratio:.2f}× (target ≤ {LIST_TARGET}×); queries {'equal' if queries_big == queries_small else 'DIFFER'}")
    due_ratio = due_big[0] / due_small[0]
    print(f"due selection, {args.links} links: × 1 run p50 {due_small[0] * 1000:.2f} ms; × {args.runs} runs p50 "
          f"{due_big[0] * 1000:.2f} ms; "
          f"ratio {due_ratio:.2f}× (target ≤ {DUE_TARGET}×)")
    ok = ratio <= LIST_TARGET and queries_big == queries_small and due_ratio <= DUE_TARGET
    print("OK" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
