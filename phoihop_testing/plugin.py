"""phoihop's pytest plugin: the fixtures a plugin's tests need (entry point ``pytest11``).

Every fixture is named ``phoihop_…``; a plugin's ``conftest.py`` usually overrides only
:func:`phoihop_entry_points` to load its own entry point::

    @pytest.fixture
    def phoihop_entry_points():
        return {"quang_ninh"}

- ``phoihop_db_url``: a new, empty database per test — SQLite in ``tmp_path``, and the
  same test again on PostgreSQL when ``PHOIHOP_TEST_POSTGRES_URL`` names a server (its
  user may create databases; each test's database is dropped afterwards);
- ``phoihop_pm`` / ``phoihop_app``: the built-ins and the chosen entry points; the app
  with every table created (no app context is left pushed: use ``app.app_context()``);
- ``phoihop_unit``, ``phoihop_users`` (admin, an editor of the unit, a viewer; password
  :data:`phoihop_testing.PASSWORD`), ``phoihop_client`` (a test client logged in as admin),
  ``phoihop_login(client, email)``;
- ``phoihop_sync(binding, rows)``: writes an office-style workbook of ``rows`` (title
  rows, ``STT``, the header row) — or a Google spreadsheet in the emulator —, links it
  to the unit and syncs it;
- ``phoihop_sheets_emulator``: the fake Google Sheets API server, started, with
  ``PHOIHOP_SHEETS_EMULATOR`` pointing at it.

Nothing here runs at import time: pytest imports this module in every run of a
virtualenv that has phoihop, including runs that use none of it.
"""
import os
import re
import uuid
from types import SimpleNamespace

import pytest

from phoihop_testing import PASSWORD

POSTGRES_ENV = "PHOIHOP_TEST_POSTGRES_URL"


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs a PostgreSQL server (PHOIHOP_TEST_POSTGRES_URL)")


# -- the database ---------------------------------------------------------------------
def _postgres(server_url, sql):
    import psycopg2

    connection = psycopg2.connect(server_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def phoihop_db_url(request, tmp_path):
    """A new, empty database for one test: SQLite, then PostgreSQL when a server is given."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'phoihop.sqlite3'}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV} to a server's URL")
    name = f"phoihop_plugin_test_{uuid.uuid4().hex[:12]}"
    _postgres(server, f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]*$", f"/{name}", server)
    from core.db import database

    if database.obj is not None and not database.is_closed():
        database.close()
    _postgres(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- plugins and the app ----------------------------------------------------------------
@pytest.fixture
def phoihop_entry_points():
    """The ``phoihop.plugins`` entry points the app loads besides the built-ins: ``True``
    for every installed one, or a set of names. Override it in a plugin's conftest."""
    return True


@pytest.fixture
def phoihop_pm(phoihop_entry_points):
    """The plugin manager: the built-ins and :func:`phoihop_entry_points`."""
    from core.plugins import get_plugin_manager

    return get_plugin_manager(entry_points=phoihop_entry_points)


@pytest.fixture
def phoihop_app(phoihop_db_url, phoihop_pm):
    """The phoihop app on the test database, every plugin's tables created."""
    from core import create_app
    from core.db import database
    from core.schema import upgrade

    app = create_app({"DATABASE_URL": phoihop_db_url, "SECRET_KEY": "test", "TESTING": True},
                     plugin_manager=phoihop_pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
    yield app
    database.close()


@pytest.fixture
def phoihop_unit(phoihop_app):
    """A registered reporting unit."""
    from core.models import Unit

    with phoihop_app.app_context():
        return Unit.create(name="Liên hiệp hội tỉnh Thử Nghiệm", code="TN")


@pytest.fixture
def phoihop_users(phoihop_app, phoihop_unit):
    """Three users, ``.admin``, ``.editor`` (scoped to :func:`phoihop_unit`) and ``.viewer``,
    each with the password :data:`phoihop_testing.PASSWORD`."""
    from core.users import create_user

    with phoihop_app.app_context():
        return SimpleNamespace(
            admin=create_user("admin@phoihop.test", PASSWORD, "admin"),
            editor=create_user("editor@phoihop.test", PASSWORD, "editor", phoihop_unit),
            viewer=create_user("viewer@phoihop.test", PASSWORD, "viewer"),
        )


@pytest.fixture
def phoihop_login():
    """``login(client, email, password=PASSWORD)``: log a test client in (through the
    login form and its CSRF token, as a browser does); returns the response."""

    def login(client, email, password=PASSWORD):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert token, "no CSRF token on /login"
        return client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})

    return login


@pytest.fixture
def phoihop_client(phoihop_app, phoihop_users, phoihop_login):
    """A test client logged in as the admin."""
    client = phoihop_app.test_client()
    answer = phoihop_login(client, phoihop_users.admin.email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


# -- sheets -----------------------------------------------------------------------------
OFFICE_TITLE = "LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT"


def office_grid(worksheet, unit, rows):
    """Rows (dicts of header → cell) laid out as an office lays a sheet out: two title
    rows and a blank one above the header row, an ``STT`` column numbering the rows."""
    headers = list(dict.fromkeys(h for row in rows for h in row))
    grid = [[OFFICE_TITLE], [f"{worksheet.upper()} — {unit.name}"], [], ["STT", *headers]]
    return grid + [[number, *[row.get(h) for h in headers]] for number, row in enumerate(rows, start=1)]


@pytest.fixture
def phoihop_sync(phoihop_app, phoihop_unit, tmp_path):
    """``sync(binding, rows, unit=None, source=None, emulator=None)`` → ``(result, source)``.

    Writes ``rows`` (dicts of header → cell, as an office types them) in an office's
    layout (:func:`office_grid`) to a new workbook — or, given ``emulator`` (the
    :func:`phoihop_sheets_emulator`), to a new Google spreadsheet in it —, links it to
    ``unit`` (default: :func:`phoihop_unit`) and syncs it. ``result`` is the
    ``sheets.sync.SyncResult``, ``source`` the workbook's path or ``gsheet:KEY``. Given a
    ``source`` (a workbook of your own, or what an earlier call returned), that source is
    linked (once) and synced as it is, and ``rows`` is ignored."""
    from sheets.models import Binding
    from sheets.sync import sync as run_sync
    from sheets.xlsx import XlsxBackend

    def sync(binding, rows=(), unit=None, source=None, emulator=None):
        mapping = phoihop_app.extensions["phoihop_bindings"][binding]
        worksheet = mapping.title or binding.split(".")[-1]
        with phoihop_app.app_context():
            unit = unit or phoihop_unit
            if source is None:
                grid = office_grid(worksheet, unit, list(rows))
                name = f"{binding.replace('.', '-')}-{uuid.uuid4().hex[:6]}"  # a spreadsheet key: no dots
                if emulator is not None:
                    emulator.add_spreadsheet(name, {worksheet: grid})
                    source = f"gsheet:{name}"
                else:
                    source = tmp_path / f"{name}.xlsx"
                    XlsxBackend.create(source, {worksheet: grid})
            link = Binding.get_or_none(Binding.name == binding, Binding.source == str(source))
            link = link or Binding.create(name=binding, source=str(source), worksheet=worksheet, unit=unit)
            result = run_sync(link, mapping, pm=phoihop_app.extensions["phoihop_pm"], actor="test")
        return result, source

    return sync


@pytest.fixture
def phoihop_sheets_emulator(monkeypatch):
    """The fake Google Sheets API server (``phoihop_testing.sheets_emulator.FakeSheets``),
    started; ``PHOIHOP_SHEETS_EMULATOR`` points at it for the test."""
    from phoihop_testing.sheets_emulator import FakeSheets

    with FakeSheets() as fake:
        monkeypatch.setenv("PHOIHOP_SHEETS_EMULATOR", fake.url)
        yield fake
