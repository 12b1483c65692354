"""Report benchmark: the training section over 1,000,000 activities.

    .venv/bin/python benchmarks/report.py [--rows 1000000] [--partners 1.0] [--speakers 1.5]

Builds a database of 63 units (one per province), the 8 kinds, 30 organisations and 60
people per unit, ``--rows`` activities spread over 2018–2023 (2 % archived) and on
average ``--partners`` partner links and ``--speakers`` speaker links per activity. Runs on
SQLite, and on PostgreSQL too when ``PHOIHOP_TEST_POSTGRES_URL`` is set (a throw-away
database is created and dropped).

Prints, per database (figures, not assertions):
- the full training report for 2020–2022 over every unit (``report_section``: the
  ``Section`` the plugin hands the core), best of 3 after a warm-up, as a ratio to ONE
  hand-written aggregate query over the same rows (count, participants and budgets per
  kind, same WHERE) — target ≤ 3×; and, to show where the time goes, its two aggregate
  queries alone (per kind; partners) as ratios to the same baseline;
- the report's peak Python memory (tracemalloc) and the measuring process's peak RSS
  growth from after its imports to after the report runs (the database driver's own
  memory included) — target ≤ 200 MB;
- what the partner links' copies of their activity's unit, start date and archived flag
  cost the writes: an UPDATE of 1,000 activities that changes no copied column, and one
  that archives them, with the trigger that keeps the copies and without it.

Measurements run in a fresh subprocess, so that building the data does not count in
its RSS.
"""
import argparse
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UNITS, ORGS_PER_UNIT, PEOPLE_PER_UNIT = 63, 30, 60
YEARS = (2018, 2023)
PERIOD = (2020, 2022)
BATCH = 50_000

BASELINE_SQL = """
SELECT a.kind_id, COUNT(*), SUM(a.participants), SUM(a.state_budget), SUM(a.other_budget)
FROM training_activity a
WHERE a.unit_id IN ({units}) AND a.start_date BETWEEN {p} AND {p} AND a.archived = {p}
GROUP BY a.kind_id
"""


def plugin_manager():
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=tuple(dict.fromkeys((*DEFAULT_PLUGINS, "plugins.training"))),
                              entry_points=False)


def make_app(url):
    from core import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, plugin_manager=plugin_manager())


def build(url, rows, partners, speakers):
    """Fill an empty database; returns seconds taken."""
    from core.db import database
    from core.models import Organisation, Person, Unit, name_key
    from core.schema import upgrade
    from plugins.training.models import Activity, ActivityKind, ActivityPartner, ActivitySpeaker, ensure_kinds
    from sheets import bulk

    started = time.perf_counter()
    app = make_app(url)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        with database.atomic():
            ensure_kinds()
            kinds = [k.id for k in ActivityKind.select().order_by(ActivityKind.sort_order)]
            bulk.insert(Unit, [{"name": f"Liên hiệp hội tỉnh số {n:02d}", "code": f"T{n:02d}",
                                "created_at": dt.datetime(2020, 1, 1)} for n in range(UNITS)])
            units = [u.id for u in Unit.select().order_by(Unit.id)]
            orgs = [{"unit": u, "name": f"Sở ngành {k:02d}", "name_key": name_key(f"Sở ngành {k:02d}"),
                     "kind": "so_ban_nganh", "created_at": dt.datetime(2020, 1, 1)}
                    for u in units for k in range(ORGS_PER_UNIT)]
            bulk.insert(Organisation, orgs)
            people = [{"unit": u, "full_name": f"Chuyên gia {k:02d}", "name_key": name_key(f"Chuyên gia {k:02d}"),
                       "title": "TS", "workplace": None, "email": None, "phone": None,
                       "created_at": dt.datetime(2020, 1, 1)} for u in units for k in range(PEOPLE_PER_UNIT)]
            bulk.insert(Person, people)
            org_ids = {}
            for o in Organisation.select(Organisation.id, Organisation.unit):
                org_ids.setdefault(o.unit_id, []).append(o.id)
            person_ids = {}
            for p in Person.select(Person.id, Person.unit):
                person_ids.setdefault(p.unit_id, []).append(p.id)
            # kinds weighted roughly as offices report them: many trainings, few forums
            weights = [3, 1, 6, 4, 1, 1, 1, 1]
            kind_cycle = [k for k, w in zip(kinds, weights) for _ in range(w)]
            days = (dt.date(YEARS[1], 12, 31) - dt.date(YEARS[0], 1, 1)).days + 1
            made = 0
            while made < rows:
                count = min(BATCH, rows - made)
                batch = []
                for i in range(made, made + count):
                    n_speakers = int(speakers) + (i % 10 < (speakers % 1) * 10)
                    batch.append({
                        "unit": units[i % UNITS], "kind": kind_cycle[(i * 7) % len(kind_cycle)],
                        "title": f"Hoạt động số {i}", "field": "Nông nghiệp", "venue": None, "format": None,
                        "start_date": dt.date(YEARS[0], 1, 1) + dt.timedelta(days=(i * 37) % days),
                        "end_date": None, "rented_venue": False, "ordered": False, "speakers": None,
                        "speaker_count": n_speakers,
                        "participants": 20 + i % 200, "state_budget": 5_000_000 + (i % 40) * 1_000_000,
                        "other_budget": (i % 5) * 500_000 or None, "notes": None, "archived": i % 50 == 0,
                        "created_at": dt.datetime(2020, 1, 1),
                    })
                ids = bulk.insert(Activity, batch, returning=True)
                links_p, links_s = [], []
                for i, activity_id, row in zip(range(made, made + count), ids, batch):
                    unit = units[i % UNITS]
                    for j in range(int(partners) + (i % 10 < (partners % 1) * 10)):
                        links_p.append({"activity": activity_id, "position": j,
                                        "organisation": org_ids[unit][(i + j * 7) % ORGS_PER_UNIT],
                                        "unit": unit, "start_date": row["start_date"], "archived": row["archived"]})
                    for j in range(int(speakers) + (i % 10 < (speakers % 1) * 10)):
                        links_s.append({"activity": activity_id, "position": j,
                                        "person": person_ids[unit][(i + j * 11) % PEOPLE_PER_UNIT]})
                bulk.insert(ActivityPartner, links_p)
                bulk.insert(ActivitySpeaker, links_s)
                made += count
        if "sqlite" in url:
            database.execute_sql("ANALYZE")
        else:
            database.execute_sql("VACUUM ANALYZE")
        counts = {m.__name__: m.select().count() for m in (Activity, ActivityPartner, ActivitySpeaker)}
    return time.perf_counter() - started, counts


def best(fn, repeat=3):
    fn()  # warm-up: caches, query plans
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(url):
    """Run in a fresh process: time the baseline and the report; measure memory."""
    from core.db import database
    from core.models import Unit
    from core.reports import Period
    from plugins.training.reports import by_kind, in_scope, partner_counts, report_section

    import flask_admin.contrib.peewee  # noqa: F401 — everything the app imports, before the RSS mark
    import plugins.training.views  # noqa: F401

    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # imports done, no query yet
    app = make_app(url)
    with app.app_context():
        units = list(Unit.select().order_by(Unit.id))
        period = Period(*PERIOD)
        db = database.obj
        sql = BASELINE_SQL.format(units=", ".join([db.param] * len(units)), p=db.param)
        params = [u.id for u in units] + [dt.date(PERIOD[0], 1, 1), dt.date(PERIOD[1], 12, 31), False]
        baseline = best(lambda: db.execute_sql(sql, params).fetchall())
        report_time = best(lambda: report_section(period, units))
        where = in_scope(period, units)
        kinds_time = best(lambda: by_kind(where))
        partners_time = best(lambda: partner_counts(period, units))
        tracemalloc.start()
        section = report_section(period, units)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        writes = copy_costs()
    return {"baseline": baseline, "report": report_time, "kinds": kinds_time, "partners": partners_time,
            "tracemalloc_mb": peak / 2**20, "rss_growth_mb": (rss_after - rss_start) / 1024,
            "rss_peak_mb": rss_after / 1024, "activities_counted": section.table("kinds").total[1],
            "partners_ranked": len(section.table("partners").rows), **writes}


def copy_costs(count=1000):
    """What the partner links' copies cost the writes (rolled back): one UPDATE of
    ``count`` activities' participants (no copied column: the trigger rewrites nothing),
    and one that archives them (their links follow), with the trigger and without."""
    from core.db import database
    from plugins.training.models import TRIGGER, Activity, install_copy_trigger

    ids = [i for (i,) in Activity.select(Activity.id).where(Activity.archived == False)  # noqa: E712
           .order_by(Activity.id).limit(count).tuples()]
    statements = {"participants": lambda: Activity.update(participants=Activity.participants + 1),
                  "archive": lambda: Activity.update(archived=True)}

    def timed(make):
        def run():
            with database.atomic() as transaction:
                make().where(Activity.id.in_(ids)).execute()
                transaction.rollback()
        return best(run)

    found = {f"{name}_trigger": timed(make) for name, make in statements.items()}
    on = f' ON "{Activity._meta.table_name}"' if "Postgres" in type(database.obj).__name__ else ""
    database.execute_sql(f"DROP TRIGGER {TRIGGER}{on}")
    found.update({f"{name}_bare": timed(make) for name, make in statements.items()})
    install_copy_trigger()
    return found


def postgres_database(server_url):
    import psycopg2

    name = f"phoihop_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def drop():
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return re.sub(r"/[^/]*$", f"/{name}", server_url), drop


def run_one(label, url, args):
    seconds, counts = build(url, args.rows, args.partners, args.speakers)
    from core.db import database

    database.close()
    print(f"[{label}] built in {seconds:.0f} s: {counts['Activity']:,} activities, "
          f"{counts['ActivityPartner']:,} partner links, {counts['ActivitySpeaker']:,} speaker links")
    out = subprocess.run([sys.executable, __file__, "--measure", url], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"[{label}] one aggregate query: {r['baseline']:.3f} s; training report: {r['report']:.3f} s "
          f"→ {r['report'] / r['baseline']:.2f}× (target ≤ 3×); its queries: per kind "
          f"{r['kinds'] / r['baseline']:.2f}×, partners {r['partners'] / r['baseline']:.2f}×")
    print(f"[{label}] report memory: tracemalloc peak {r['tracemalloc_mb']:.2f} MB, RSS growth "
          f"{r['rss_growth_mb']:.1f} MB (process peak {r['rss_peak_mb']:.0f} MB) (target ≤ 200 MB); "
          f"{r['activities_counted']:,} activities counted, {r['partners_ranked']} partners ranked")
    print(f"[{label}] writes with the links' copies (trigger / none): UPDATE of 1,000 activities' participants "
          f"{r['participants_trigger'] * 1000:.1f} / {r['participants_bare'] * 1000:.1f} ms; archiving them "
          f"{r['archive_trigger'] * 1000:.1f} / {r['archive_bare'] * 1000:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--partners", type=float, default=1.0, help="partner links per activity (average)")
    parser.add_argument("--speakers", type=float, default=1.5, help="speaker links per activity (average)")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    with tempfile.TemporaryDirectory() as folder:
        run_one("SQLite", f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}", args)
    server = os.environ.get("PHOIHOP_TEST_POSTGRES_URL")
    if server:
        url, drop = postgres_database(server)
        try:
            run_one("PostgreSQL", url, args)
        finally:
            drop()
    else:
        print("[PostgreSQL] skipped: set PHOIHOP_TEST_POSTGRES_URL to include it")


if __name__ == "__main__":
    main()
