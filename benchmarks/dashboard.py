"""Dashboard benchmark: the home page and the lists behind it, 100,000 records per area.

    .venv/bin/python benchmarks/dashboard.py [--rows 100000] [--requests 60] [--clients 4]

For each database — SQLite, and PostgreSQL too when ``PHOIHOP_TEST_POSTGRES_URL`` is set
(a throw-away database is created and dropped) — builds two sites: *empty* (the schema,
the demo's units and users, no record) and *full* (the demo of ``phoihop demo``: two
units, every plugin's sample rows synced from workbooks; then each area's main table —
activities, entries, nominations, requests — grown to ``--rows`` rows by copying its rows
in SQL, ``INSERT … SELECT``). Each site is served by ``phoihop serve --production``
(waitress) in its own process on loopback, and a small load generator (``--clients``
threads, each with its own logged-in HTTP session) requests every page ``--requests``
times after a warm-up:

- the dashboard over every year of the data (``/admin/?from=2015&to=2026``);
- each area's list: its first page, filtered (``Lưu trữ`` = no) and sorted (its first
  sortable column, descending).

Prints p50 and p95 per page and site, and the ratio full/empty of each (the issue's
target: p95 ≤ 5× the empty database's). Figures, not assertions.
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from report import postgres_database  # noqa: E402 - benchmarks/report.py: a throw-away PostgreSQL database

PASSWORD = "mat-khau-do-hieu-nang"
EMAIL = "admin@phoihop.local"
DASHBOARD = "/admin/?from=2015&to=2026"
LISTS = ("training_activity", "contests_entry", "honours_nomination", "critique_request")


def plugin_manager():
    from core.plugins import DEFAULT_PLUGINS, get_plugin_manager

    return get_plugin_manager(builtins=DEFAULT_PLUGINS, entry_points=False)


def main_models():
    from plugins.contests.models import Entry
    from plugins.critique.models import Request
    from plugins.honours.models import Nomination
    from plugins.training.models import Activity

    return (Activity, Entry, Nomination, Request)


def grow(model, rows):
    """Copy the table's rows into itself (one INSERT … SELECT per doubling) until it has ``rows``."""
    fields = [f for f in model._meta.sorted_fields if not f.primary_key]
    count = model.select().count()
    if not count:
        raise SystemExit(f"{model._meta.table_name}: the demo made no row to copy")
    while count < rows:
        take = min(count, rows - count)
        source = model.select(*fields).order_by(model._meta.primary_key).limit(take)
        model.insert_from(source, fields).execute()
        count += take
    return count


def build(url, rows, directory, full):
    """An upgraded database with the demo's units and users, and (``full``) its records grown."""
    from core import create_app
    from core.db import database
    from core.demo import populate
    from core.schema import upgrade

    pm = plugin_manager()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, plugin_manager=pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
        if full:
            populate(app, pm, str(directory), PASSWORD)
            with database.atomic():
                counts = {m._meta.table_name: grow(m, rows) for m in main_models()}
        else:
            from core.demo import ADMIN_EMAIL, DEMO_UNITS
            from core.models import Unit
            from core.users import create_user

            assert ADMIN_EMAIL == EMAIL
            for name, code in DEMO_UNITS:
                Unit.create(name=name, code=code)
            create_user(EMAIL, PASSWORD, "admin")
            counts = {m._meta.table_name: 0 for m in main_models()}
        database.execute_sql("ANALYZE" if url.startswith("sqlite") else "VACUUM ANALYZE")
        pages = pages_of(app)
    return counts, pages


def pages_of(app):
    """The measured addresses: the dashboard, and each list first, filtered, sorted."""
    admin = app.extensions["phoihop_admin"]
    pages = {"dashboard": DASHBOARD}
    for endpoint in LISTS:
        view = next(v for v in admin._views if getattr(v, "endpoint", None) == endpoint)
        index = next(i for i, f in enumerate(view._filters) if str(f.name) == "Lưu trữ")
        pages[f"{endpoint} first"] = f"/admin/{endpoint}/"
        pages[f"{endpoint} filtered"] = f"/admin/{endpoint}/?flt0_{view.get_filter_arg(index, view._filters[index])}=0"
        column = next(i for i, (name, _label) in enumerate(view._list_columns) if name in view._sortable_columns)
        pages[f"{endpoint} sorted"] = f"/admin/{endpoint}/?sort={column}&desc=1"
    return pages


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url, clients):
    port = free_port()
    env = {**os.environ, "PHOIHOP_DATABASE_URL": url, "PHOIHOP_SECRET_KEY": "bench-" + uuid.uuid4().hex}
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "phoihop"), "serve", "--production", "--port", str(port),
         "--threads", str(clients)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def session(base):
    import requests

    http = requests.Session()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', http.get(f"{base}/login").text).group(1)
    answer = http.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
                       allow_redirects=False)
    assert answer.status_code == 302, answer.status_code
    return http


def load(base, path, requests_count, sessions):
    """Latencies (s) of ``requests_count`` GETs of ``path``, spread over the sessions' threads."""
    for http in sessions:  # warm-up
        assert http.get(base + path).status_code == 200, path
    latencies, lock = [], threading.Lock()
    todo = iter(range(requests_count))

    def work(http):
        while True:
            with lock:
                if next(todo, None) is None:
                    return
            start = time.perf_counter()
            answer = http.get(base + path)
            took = time.perf_counter() - start
            assert answer.status_code == 200, (path, answer.status_code)
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=work, args=(http,)) for http in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def percentiles(latencies):
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def measure(url, pages, args):
    process, base = serve(url, args.clients)
    try:
        sessions = [session(base) for _ in range(args.clients)]
        return {name: percentiles(load(base, path, args.requests, sessions)) for name, path in pages.items()}
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(label, urls, args, folder):
    results, counts = {}, {}
    for site in ("empty", "full"):
        started = time.perf_counter()
        counts[site], pages = build(urls[site], args.rows, folder / f"{label}-{site}", site == "full")
        print(f"{label}: {site} site built in {time.perf_counter() - started:.1f} s: {counts[site]}", flush=True)
        results[site] = measure(urls[site], pages, args)
    print(f"\n{label} — ms, {args.requests} requests per page, {args.clients} clients")
    print(f"{'page':<32} {'empty p50':>9} {'p95':>7} {'full p50':>9} {'p95':>7} {'p50 ×':>6} {'p95 ×':>6}")
    for name in results["empty"]:
        (e50, e95), (f50, f95) = results["empty"][name], results["full"][name]
        print(f"{name:<32} {e50 * 1000:9.1f} {e95 * 1000:7.1f} {f50 * 1000:9.1f} {f95 * 1000:7.1f} "
              f"{f50 / e50:6.2f} {f95 / e95:6.2f}")
    print(flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="records per area in the full site")
    parser.add_argument("--requests", type=int, default=60, help="requests per page and site")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (and server threads)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="phoihop-bench-") as tmp:
        folder = Path(tmp)
        run("SQLite", {site: f"sqlite:///{folder / f'{site}.sqlite3'}" for site in ("empty", "full")}, args, folder)
        server = os.environ.get("PHOIHOP_TEST_POSTGRES_URL")
        if server:
            made = {site: postgres_database(server) for site in ("empty", "full")}
            try:
                run("PostgreSQL", {site: url for site, (url, _drop) in made.items()}, args, folder)
            finally:
                for _url, drop in made.values():
                    drop()
        else:
            print("PostgreSQL: skipped (set PHOIHOP_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
