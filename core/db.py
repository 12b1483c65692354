"""The database handle: one peewee ``DatabaseProxy`` that ``create_app`` initialises.

SQLite is the default (WAL, foreign keys on, a busy timeout so that the web server and a
sync can share the file); PostgreSQL is used when the URL says so.
"""
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect as connect_url

from core.errors import ConfigError

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
}


class BaseModel(peewee.Model):
    """Base of every phoihop model: binds to the deferred database."""

    class Meta:
        database = database
        legacy_table_names = False


def open_database(url):
    """Open (lazily) the database named by ``url``; a malformed URL is a ConfigError."""
    if not url or "://" not in url:
        raise ConfigError(f"Địa chỉ cơ sở dữ liệu không hợp lệ: {url!r} (ví dụ sqlite:///phoihop.sqlite3)")
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise ConfigError(f"Địa chỉ SQLite không hợp lệ: {url!r} (ví dụ sqlite:///phoihop.sqlite3)")
        return peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS)
    if scheme in {"postgres", "postgresql"}:
        try:
            return connect_url(url)
        except Exception as exc:  # playhouse raises plain errors for bad URLs
            raise ConfigError(f"Địa chỉ PostgreSQL không hợp lệ: {url!r}: {exc}") from exc
    raise ConfigError(f"Loại cơ sở dữ liệu không hỗ trợ: {scheme!r} (chỉ sqlite hoặc postgresql)")


def bind(url):
    """Point the proxy at ``url`` and check that the server answers."""
    db = open_database(url)
    database.initialize(db)
    try:
        database.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"Không kết nối được cơ sở dữ liệu {safe_url(url)}: {message}") from exc
    return db


def safe_url(url):
    """The URL with its password hidden, for messages."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def init_app(app):
    """Bind the database and open/close a connection around each request."""
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc):
        if not database.is_closed() and not database.in_transaction():
            database.close()
