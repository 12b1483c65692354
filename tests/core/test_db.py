"""Opening the database from a URL."""
import pytest

from core.db import bind, database, open_database
from core.errors import ConfigError


@pytest.mark.parametrize("url", ["nonsense", "sqlite://", "mysql://u@h/db", ""])
def test_malformed_database_url_is_a_clear_error(url):
    with pytest.raises(ConfigError, match="không"):
        open_database(url)


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"Không kết nối được .*postgresql://u:\*\*\*@127.0.0.1:1/db"):
        bind("postgresql://u:secret@127.0.0.1:1/db")


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    bind(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 10000
    finally:
        database.close()
