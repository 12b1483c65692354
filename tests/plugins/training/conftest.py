"""Fixtures of the training tests: a plugin manager with the training plugin, the kinds,
a factory of activities, and the CLI with the ``report`` command."""
import datetime as dt

import pytest
from click.testing import CliRunner

from tests.plugins.conftest import plugin_manager

SAMPLE = "/work/shared/samples/tap-huan-hoi-thao.xlsx"
SAMPLE_SHEET = "Hoạt động 2020-2022"


@pytest.fixture
def pm():
    """The built-ins and the training plugin (the built-in list may not name it yet)."""
    return plugin_manager("plugins.training")


@pytest.fixture
def kinds(ctx):
    """The default kinds, by name."""
    from plugins.training.models import ActivityKind, ensure_kinds

    ensure_kinds()
    return {k.name: k for k in ActivityKind.select()}


@pytest.fixture
def make_activity(kinds):
    """Create an activity: ``make_activity(unit, "Hội thảo khoa học", title=…, partners=[…])``."""
    from plugins.training.models import Activity, set_partners, set_speakers

    def make(unit, kind="Hội thảo khoa học", partners=(), speakers=(), **fields):
        fields.setdefault("title", f"{kind} {dt.datetime.now().timestamp()}")
        fields.setdefault("start_date", dt.date(2021, 5, 1))
        activity = Activity.create(unit=unit, kind=kinds[kind], speakers="; ".join(speakers) or None, **fields)
        set_partners(activity, list(partners))
        set_speakers(activity, list(speakers))
        return activity

    return make


@pytest.fixture
def report_cli(pm, db_url):
    """Invoke ``phoihop report …`` in-process (the command is added if cli.py lacks it)."""
    from cli import build_cli
    from core.report_output import report_command

    def invoke(*args):
        cli = build_cli(pm)
        if "report" not in cli.commands:
            cli.add_command(report_command)
        return CliRunner().invoke(cli, ["--db", db_url, "report", *args])

    return invoke
