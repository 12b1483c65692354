"""``TODAY`` for the coordination rules (plugins/coordination/settings.py)."""
import datetime as dt

import pytest

from plugins.coordination import settings


def test_today_reads_phoihop_today(monkeypatch):
    monkeypatch.setenv("PHOIHOP_TODAY", "2023-12-31")
    assert settings.today() == dt.date(2023, 12, 31)


def test_the_apps_today_setting_wins_over_the_environment(monkeypatch, app):
    monkeypatch.setenv("PHOIHOP_TODAY", "2023-12-31")
    app.config["TODAY"] = "2024-06-01"
    with app.app_context():
        assert settings.today() == dt.date(2024, 6, 1)


def test_an_unreadable_today_is_a_config_error_naming_it(monkeypatch):
    from core.errors import ConfigError

    monkeypatch.setenv("PHOIHOP_TODAY", "31/12/2023")
    with pytest.raises(ConfigError, match="PHOIHOP_TODAY"):
        settings.today()
