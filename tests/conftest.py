"""Shared fixtures: the database (SQLite, and PostgreSQL when a server is given), the
example plugin installed through its entry point, the app, clients and the CLI runner.

What keeps the suite fast, without sharing state between tests:

- ``db_url`` is a new, empty database for each test, as always. The first app that
  :func:`make_test_app` builds on an empty database for a set of models runs ``upgrade()``
  and keeps the result as a template (a PostgreSQL database, an SQLite file); the next
  test whose models make exactly the same CREATE statements gets a copy of that template
  instead of running ``upgrade()`` again. A test with models of its own gets its own
  tables; a test that builds no app, or touched its database first, gets what it had.
- PostgreSQL: one administrative connection per session (per xdist worker) creates,
  renames and drops the databases; names are unique (uuid), so sessions and workers never
  meet. Before dropping or copying a database it waits the few ms a closed connection
  takes to go (PostgreSQL itself would wait 100 ms), and an empty database that a template
  copy replaced is kept, renamed, as the next test's empty database.
- Password hashes (scrypt, ~70 ms each) are remembered per (method, salt, password): the
  same input gives the same output it always would, computed once.
- ``make test`` runs the tests in two processes (pytest-xdist) and its PostgreSQL server
  on tmpfs: see the Makefile.
"""
import hashlib
import importlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
HELLO = REPO / "examples" / "phoihop-hello"
POSTGRES_URL = os.environ.get("PHOIHOP_TEST_POSTGRES_URL")
PASSWORD = "mat-khau-thu"


def pip_install(folder, tmp_path_factory):
    """Copy a plugin's folder and pip-install the copy, without its dependencies and with
    the test venv's setuptools (no build isolation, no network), into a new folder.
    Returns ``(copy, target)``; the target is not put on any path."""
    source = tmp_path_factory.mktemp(f"{folder.name}-source") / folder.name
    shutil.copytree(folder, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    target = tmp_path_factory.mktemp(f"{folder.name}-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        check=True, capture_output=True,
    )
    return source, target


def run_plugin_tests(folder, *sites):
    """pytest on a plugin's own tests, as its author runs them (``pytest FOLDER``): a new
    process of the test venv, with ``sites`` (where it was installed) on PYTHONPATH. The
    fixtures come from phoihop's pytest plugin; PostgreSQL runs too when a server is given."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [*map(str, sites), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(folder)],
                          cwd=folder.parent, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory):
    """The example plugin, pip-installed into a folder on sys.path (and PYTHONPATH). It is
    built from a copy: setuptools writes build/ and *.egg-info beside the sources, and two
    sessions (or xdist workers) building in one folder at once lose files."""
    _source, target = pip_install(HELLO, tmp_path_factory)
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    yield target


@pytest.fixture
def pm(plugin_site):
    """The built-ins and the example plugin, loaded through its entry point — and no other
    installed entry point: results never depend on what else is installed."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager(entry_points={"hello"})


# -- password hashes --------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def remembered_password_hashes():
    """werkzeug's ``_hash_internal(method, salt, password)`` is a pure function; remember
    its answers, so that logging in as a user just created (same salt, same password) or
    trying the same wrong password again does not pay scrypt twice. Every hash and every
    check gives exactly what it gives without this."""
    import werkzeug.security

    original = getattr(werkzeug.security, "_hash_internal", None)
    if original is None:  # another werkzeug: nothing to remember through
        yield
        return
    answers = {}

    def remembered(method, salt, password):
        key = (method, salt, password)
        if key not in answers:
            answer = answers[key] = original(method, salt, password)
            # a new hash is made with "scrypt" and checked with the method it stored,
            # "scrypt:32768:8:1": the same computation, so remember it under both names
            answers[(answer[1], salt, password)] = answer
        return answers[key]

    werkzeug.security._hash_internal = remembered
    yield
    werkzeug.security._hash_internal = original


# -- PostgreSQL -------------------------------------------------------------------------
_postgres = {}  # this process's administrative connection
ours = set()  # the PostgreSQL databases this session made for tests (only these are swapped)
spares = []  # empty databases a template copy displaced, ready for the next test (renamed)
SPARES = 4


def postgres_admin():
    """One autocommit connection to the server's maintenance database, kept for the session."""
    import psycopg2

    admin = _postgres.get("admin")
    if admin is None or admin.closed:
        admin = psycopg2.connect(POSTGRES_URL)
        admin.autocommit = True
        _postgres["admin"] = admin
    return admin


def postgres_execute(sql, params=None):
    with postgres_admin().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def postgres_url(name):
    return re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL)


def wait_until_unused(name, terminate=False, timeout=10.0):
    """Wait until nobody is connected to ``name`` (first ending every session on it, with
    ``terminate``). PostgreSQL will not drop, rename or copy a database in use, and while
    one is, it looks again only every 100 ms; a connection just closed is gone in ~3 ms."""
    if terminate:
        postgres_execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                         "AND pid <> pg_backend_pid()", (name,))
    deadline = time.monotonic() + timeout
    while postgres_execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,))[0][0]:
        if time.monotonic() > deadline:
            return  # the statement that follows says who is still there
        time.sleep(0.001)


def create_postgres_database(name, template=None):
    """CREATE DATABASE, from ``template`` when given. PostgreSQL 15+ copies a template
    file by file (FILE_COPY) faster than through the WAL; earlier versions only do that."""
    sql = f'CREATE DATABASE "{name}"'
    if template:
        sql += f' TEMPLATE "{template}"'
        if postgres_admin().server_version >= 150000:
            sql += " STRATEGY FILE_COPY"
    postgres_execute(sql)


def postgres_database():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"phoihop_test_{uuid.uuid4().hex[:12]}"
    if spares:
        postgres_execute(f'ALTER DATABASE "{spares.pop()}" RENAME TO "{name}"')
    else:
        create_postgres_database(name)
    ours.add(name)
    return postgres_url(name), lambda: drop_postgres(name)


def drop_postgres(name):
    from core.db import database

    if database.obj is not None and not database.is_closed():
        database.close()
    wait_until_unused(name, terminate=True)
    postgres_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ours.discard(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """Each database-touching test runs on SQLite and, when a server is given, PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'phoihop.sqlite3'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: set PHOIHOP_TEST_POSTGRES_URL (make test does when a server is installed)")
    url, drop = postgres_database()
    yield url
    drop()


# -- schema templates -------------------------------------------------------------------
templates = {}  # (engine, schema key) -> PostgreSQL template database name or SQLite file
template_dir = []  # where this session keeps its SQLite templates


@pytest.fixture(scope="session", autouse=True)
def schema_templates(tmp_path_factory):
    """Where SQLite templates live; drops the PostgreSQL templates at the end."""
    template_dir.append(tmp_path_factory.mktemp("schema-templates"))
    yield
    try:
        for (engine, _key), template in list(templates.items()):
            if engine == "postgresql":
                postgres_execute(f'DROP DATABASE IF EXISTS "{template}"')
        while spares:
            postgres_execute(f'DROP DATABASE IF EXISTS "{spares.pop()}"')
    finally:
        templates.clear()
        template_dir.clear()
        admin = _postgres.pop("admin", None)
        if admin is not None:
            admin.close()


def schema_key(models):
    """The statements ``upgrade()`` runs on an empty database for ``models``: the same
    key, the same tables. ``None`` when peewee cannot say (then no template is used)."""
    import peewee

    try:
        parts = []
        for model in peewee.sort_models(models):
            schema = model._schema
            parts.append(schema._create_table(safe=True).query())
            parts += [index.query() for index in schema._create_indexes(safe=True)]
            parts += [field.sequence for field in model._meta.sorted_fields if field.sequence]
    except Exception:  # noqa: BLE001 — a private peewee API changed: just run upgrade()
        return None
    return hashlib.sha256(repr(parts).encode()).hexdigest()


EMPTY_POSTGRES = """
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)')
     + (SELECT count(*) FROM pg_namespace
         WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname !~ '^pg_(toast|temp)')
     + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')
     + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
     + (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())
"""  # objects of any kind, or anyone else connected: then the database is left as it is


def database_engine(db_url):
    """``("sqlite", path)`` or ``("postgresql", name)`` for a database a template may fill."""
    parsed = urlparse(db_url)
    if parsed.scheme == "sqlite" and db_url.startswith("sqlite:///") and ":memory:" not in db_url:
        return "sqlite", db_url[len("sqlite:///"):]
    if parsed.scheme in {"postgres", "postgresql"} and POSTGRES_URL:
        name = parsed.path.lstrip("/")
        if name in ours:
            return "postgresql", name
    return None, None


def is_empty(engine):
    from core.db import database

    if engine == "sqlite":
        return database.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    return database.execute_sql(EMPTY_POSTGRES).fetchone()[0] == 0


def create_tables(db_url, models):
    """``upgrade(models)`` on the app's database — or, when the database is still empty and
    a test before made these very tables, a copy of the database that ``upgrade()`` left."""
    from core.db import database
    from core.schema import upgrade

    engine, where = database_engine(db_url)
    key = schema_key(models) if engine else None
    if key is None or not is_empty(engine):
        upgrade(models)
        return
    template = templates.get((engine, key))
    if engine == "sqlite":
        if template is None:
            upgrade(models)
            template = template_dir[0] / f"{key[:16]}.sqlite3"
            copy = sqlite3.connect(template)
            try:
                database.connection().backup(copy)
            finally:
                copy.close()
            templates[(engine, key)] = template
        else:  # SQLite's backup API writes the template's pages into the open database
            source = sqlite3.connect(template)
            try:
                source.backup(database.connection())
            finally:
                source.close()
        return
    # PostgreSQL: a database is copied whole, with nobody connected to it (is_empty saw
    # no one else; our own connection, once closed, takes a moment to go)
    if template is None:
        upgrade(models)
        database.close()
        wait_until_unused(where)
        template = f"phoihop_template_{uuid.uuid4().hex[:12]}"
        create_postgres_database(template, template=where)
        templates[(engine, key)] = template
        return
    database.close()
    wait_until_unused(where)
    if len(spares) < SPARES:  # still empty: the next test's database
        spare = f"phoihop_spare_{uuid.uuid4().hex[:12]}"
        postgres_execute(f'ALTER DATABASE "{where}" RENAME TO "{spare}"')
        spares.append(spare)
    else:
        postgres_execute(f'DROP DATABASE "{where}" WITH (FORCE)')
    create_postgres_database(where, template=template)


def make_test_app(db_url, pm):
    """An app on the test database with every table of ``pm``'s plugins created."""
    from core import create_app

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test", "TESTING": True}, plugin_manager=pm)
    with app.app_context():
        create_tables(db_url, app.extensions["phoihop_models"])
    return app


@pytest.fixture
def app(db_url, pm):
    yield make_test_app(db_url, pm)
    from core.db import database

    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(pm, db_url):
    """Invoke the phoihop CLI in-process against the test database."""
    from cli import build_cli

    def invoke(*args, input=None):
        return CliRunner().invoke(build_cli(pm), ["--db", db_url, *args], input=input)

    return invoke


@pytest.fixture
def units(app):
    """Two reporting units, A and B."""
    from core.models import Unit

    with app.app_context():
        return {
            "A": Unit.create(name="Liên hiệp hội tỉnh Bắc Giang", code="BG"),
            "B": Unit.create(name="Liên hiệp hội tỉnh Phú Thọ", code="PT"),
        }


@pytest.fixture
def make_user(app):
    from core.users import create_user

    def make(email, role, unit=None):
        with app.app_context():
            return create_user(email, PASSWORD, role, unit)

    return make


def csrf_token(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client, email, password=PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(client, make_user):
    """Create a user and log the test client in as them."""

    def do(role, unit=None, email=None):
        email = email or f"{role}{'-' + unit.code if unit else ''}@phoihop.test".lower()
        make_user(email, role, unit)
        answer = login(client, email)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        return client

    return do
