"""The sheets feature as a built-in plugin: its models, admin views and commands."""
from core import hookimpl


@hookimpl
def phoihop_models():
    from sheets.models import SHEET_MODELS

    return SHEET_MODELS


@hookimpl
def phoihop_admin_views(admin, app):
    from sheets.views import sheet_views

    return sheet_views()


@hookimpl
def phoihop_cli(cli):
    from sheets.cli import sheets_group, sync_command

    cli.add_command(sheets_group)
    cli.add_command(sync_command)
