"""The sheets feature as a built-in plugin: its models, admin views, commands and the
demo's workbooks."""
from core import hookimpl


@hookimpl
def phoihop_models():
    from sheets.models import SHEET_MODELS

    return SHEET_MODELS


@hookimpl
def phoihop_admin_views(admin, app):
    from sheets.schedule import start_worker
    from sheets.views import blueprint, sheet_views

    app.register_blueprint(blueprint)  # the sheets pages' templates
    # what `phoihop serve` starts beside the web server (never create_app itself)
    app.extensions.setdefault("phoihop_background", []).append(start_worker)
    return sheet_views()


@hookimpl
def phoihop_cli(cli):
    from sheets.cli import sheets_group, sync_command

    cli.add_command(sheets_group)
    cli.add_command(sync_command)


@hookimpl
def phoihop_demo_ready(app, directory, unit, rows_by_binding):
    from sheets.demo import link_and_sync

    return link_and_sync(directory, unit, rows_by_binding, app.extensions["phoihop_bindings"],
                         app.extensions["phoihop_pm"])
