"""phoihop_hello: a province plugin with one model, one admin view and one command."""
import click
import peewee

from core import hookimpl
from core.admin import ModelView
from core.db import BaseModel
from core.models import Unit
from core.reports import Figure, Section

__version__ = "1.0.0"


class Greeting(BaseModel):
    """Lời chào: a line of text that belongs to one unit."""

    unit = peewee.ForeignKeyField(Unit, backref="greetings")
    text = peewee.CharField()


class GreetingView(ModelView):
    column_list = ["text", "unit"]
    column_labels = {"text": "Lời chào", "unit": "Đơn vị"}


@hookimpl
def phoihop_models():
    return [Greeting]


@hookimpl
def phoihop_admin_views(admin, app):
    return [GreetingView(Greeting, name="Lời chào", category="Ví dụ", endpoint="greeting")]


@hookimpl
def phoihop_cli(cli):
    @cli.command()
    @click.argument("unit_name")
    def hello(unit_name):
        """Count the greetings of a unit."""
        from core.cli_support import app_context, fail

        with app_context():
            unit = Unit.get_or_none(Unit.name == unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}")
            click.echo(f"{unit.name}: {unit.greetings.count()} lời chào")


@hookimpl
def phoihop_validate(binding, record):
    if binding == "hello.greetings" and "!!" in (record.get("text") or ""):
        return [("text", "Lời chào không dùng '!!'")]
    return []


@hookimpl
def phoihop_report(period, units):
    count = Greeting.select().where(Greeting.unit.in_(units)).count()
    return Section(key="hello", title="Lời chào", figures=[Figure("greetings", "Số lời chào", count)])


@hookimpl
def phoihop_demo_data(unit):
    Greeting.create(unit=unit, text="Xin chào")
    return {}
