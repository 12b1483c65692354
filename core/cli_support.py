"""What every ``phoihop`` command shares: the app, built once, on demand."""
import click

from core.errors import ConfigError


class State:
    """``ctx.obj`` of the CLI: the ``--db`` URL and the plugin manager."""

    def __init__(self, db_url, pm):
        self.db_url = db_url
        self.pm = pm
        self._app = None

    def app(self):
        if self._app is None:
            from core.app import create_app

            config = {"DATABASE_URL": self.db_url} if self.db_url else None
            self._app = create_app(config, plugin_manager=self.pm)
        return self._app


class Failure(click.ClickException):
    """A ConfigError on its way out: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"Lỗi: {self.format_message()}", err=True)


class RootGroup(click.Group):
    """The root group: turns a ConfigError anywhere below it into a clean exit 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise Failure(str(exc)) from exc


def app_context():
    """The phoihop app of the running command, inside an app context."""
    return click.get_current_context().find_object(State).app().app_context()


def fail(message):
    """Stop the command with a one-line message and exit status 2."""
    raise ConfigError(message)


def find_unit_or_fail(name):
    """The unit named ``name`` (its name or code), or the only unit when none is named;
    else :func:`fail` saying what to type."""
    from core.models import Unit, find_unit

    if name:
        unit = find_unit(name)
        if unit is None:
            fail(f"Không có đơn vị {name!r}. Thêm bằng: phoihop units add {name!r}")
        return unit
    units = list(Unit.select().order_by(Unit.id))
    if len(units) == 1:
        return units[0]
    if not units:
        fail("Chưa có đơn vị nào: phoihop units add TÊN")
    fail(f"Có {len(units)} đơn vị: ghi rõ --unit ({', '.join(u.name for u in units)})")
