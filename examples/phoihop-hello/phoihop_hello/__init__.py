"""phoihop_hello: a province plugin with a synced sheet, a lookup list, an admin view,
a command, a rule, a report section and demo rows — written with the plugin kit only."""
import click
import peewee

from core import hookimpl
from core.admin import ModelView
from core.lookups import LookupModel
from core.records import SyncedRecord
from core.reports import Figure, Section
from sheets.mapping import Column, LookupChoices, Mapping

__version__ = "1.0.0"
PHOIHOP_CONTRACT = "1"  # the plugin contract it was written for (docs/CONTRACT.md)


class Occasion(LookupModel):
    """Dịp: a shared lookup list, seeded with its defaults; offices may add more."""

    defaults = (("Tết Nguyên đán", ("Tết",)), ("Ngày Khoa học và Công nghệ", ("18/5",)))

    class Meta:
        table_name = "hello_occasion"


class Greeting(SyncedRecord):
    """Lời chào: a line of text of one unit, for one occasion (unit, archived, times and
    the row's Mã come from SyncedRecord)."""

    text = peewee.CharField()
    occasion = peewee.ForeignKeyField(Occasion, null=True)
    sent_on = peewee.DateField(null=True)

    class Meta:
        table_name = "hello_greeting"


class GreetingMapping(Mapping):
    def __init__(self):
        super().__init__(name="hello.greetings", model=Greeting, key_prefix="LC", title="Lời chào", columns=[
            Column("text", "Lời chào", required=True),
            Column("occasion", "Dịp", kind="choice", choices=LookupChoices(Occasion)),
            Column("sent_on", "Ngày gửi", kind="date"),
        ])

    def rules(self, values):
        """Cross-field rules only: a column's own checks live in its Column."""
        if values.get("occasion") == "Tết Nguyên đán" and "Tết" not in (values.get("text") or ""):
            return [("text", "Lời chào dịp Tết phải nhắc đến Tết")]
        return []


class GreetingView(ModelView):
    column_list = ["text", "occasion", "sent_on", "unit"]
    column_labels = {"text": "Lời chào", "occasion": "Dịp", "sent_on": "Ngày gửi", "unit": "Đơn vị"}


@hookimpl
def phoihop_models():
    return [Occasion, Greeting]


@hookimpl
def phoihop_sheet_bindings():
    return [GreetingMapping()]


@hookimpl
def phoihop_admin_views(admin, app):
    return [GreetingView(Greeting, name="Lời chào", category="Ví dụ", endpoint="greeting")]


@hookimpl
def phoihop_cli(cli):
    @cli.command()
    @click.argument("unit_name")
    def hello(unit_name):
        """Count the greetings of a unit (by name or code)."""
        from core.cli_support import app_context, fail
        from core.models import find_unit

        with app_context():
            unit = find_unit(unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}")
            count = Greeting.select().where(Greeting.unit == unit, Greeting.archived == False).count()  # noqa: E712
            click.echo(f"{unit.name}: {count} lời chào")


@hookimpl
def phoihop_validate(binding, record):
    if binding == "hello.greetings" and "!!" in (record.get("text") or ""):
        return [("text", "Lời chào không dùng '!!'")]
    return []


@hookimpl
def phoihop_report(period, units):
    count = Greeting.select().where(Greeting.unit.in_(units), Greeting.archived == False).count()  # noqa: E712
    return Section(key="hello", title="Lời chào", figures=[Figure("greetings", "Số lời chào", count)])


@hookimpl
def phoihop_demo_data(unit):
    return {"hello.greetings": [
        {"Lời chào": "Chúc mừng năm mới, Tết an khang", "Dịp": "Tết", "Ngày gửi": "25/01/2024"},
        {"Lời chào": "Chào mừng Ngày Khoa học và Công nghệ Việt Nam", "Dịp": "18/5", "Ngày gửi": "18/05/2024"},
    ]}
