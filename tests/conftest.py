"""Shared fixtures: the database (SQLite, and PostgreSQL when a server is given), the
example plugin installed through its entry point, the app, clients and the CLI runner."""
import importlib
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
HELLO = REPO / "examples" / "phoihop-hello"
POSTGRES_URL = os.environ.get("PHOIHOP_TEST_POSTGRES_URL")
PASSWORD = "mat-khau-thu"


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory):
    """The example plugin, pip-installed into a folder on sys.path (and PYTHONPATH)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(HELLO)],
        check=True, capture_output=True,
    )
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


def postgres_database():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg2

    name = f"phoihop_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", f"/{name}", POSTGRES_URL)
    return url, lambda: drop_postgres(admin, name)


def drop_postgres(admin, name):
    from core.db import database

    if database.obj is not None and not database.is_closed():
        database.close()
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


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


def make_test_app(db_url, pm):
    """An app on the test database with every table of ``pm``'s plugins created."""
    from core import create_app
    from core.schema import upgrade

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "test", "TESTING": True}, plugin_manager=pm)
    with app.app_context():
        upgrade(app.extensions["phoihop_models"])
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
