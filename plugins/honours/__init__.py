"""Plugin ``honours``: tập hợp, tôn vinh trí thức khoa học và công nghệ (spec/honours.md).
Hook implementations only."""
from core import hookimpl

__version__ = "0.1.0"


@hookimpl
def phoihop_models():
    from plugins.honours.models import MODELS

    return MODELS


@hookimpl
def phoihop_sheet_bindings():
    from plugins.honours.sheets import bindings

    return bindings()


@hookimpl
def phoihop_admin_views(admin, app):
    from plugins.honours.views import blueprint, honours_views, show_history_on_person_pages

    app.register_blueprint(blueprint)  # the plugin's templates
    show_history_on_person_pages(admin, app)
    return honours_views()


@hookimpl
def phoihop_cli(cli):
    from plugins.honours.cli import honours_group

    cli.add_command(honours_group)


@hookimpl
def phoihop_report(period, units):
    from plugins.honours.reports import report_section

    return report_section(period, units)


@hookimpl
def phoihop_demo_data(unit):
    from plugins.honours.demo import demo_rows

    return demo_rows(unit)


@hookimpl
def phoihop_joint_activities(organisation_ids, start, end):
    from plugins.honours.reports import joint_activities

    return joint_activities(organisation_ids, start, end)
