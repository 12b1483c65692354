"""Plugin ``critique``: tư vấn, phản biện và giám định xã hội — requests with their comment
windows in working days, expert teams from the shared registry, reviews, recommendations
and their uptake (spec/critique.md). Hook implementations only."""
from core import hookimpl

__version__ = "0.1.0"


@hookimpl
def phoihop_models():
    from plugins.critique.models import MODELS

    return MODELS


@hookimpl
def phoihop_sheet_bindings():
    from plugins.critique.sheets import bindings

    return bindings()


@hookimpl
def phoihop_admin_views(admin, app):
    from plugins.critique.views import blueprint, critique_views

    app.register_blueprint(blueprint)  # the plugin's templates
    return critique_views()


@hookimpl
def phoihop_cli(cli):
    from plugins.critique.cli import critique_group

    cli.add_command(critique_group)


@hookimpl
def phoihop_report(period, units):
    from plugins.critique.reports import report_section

    return report_section(period, units)


@hookimpl
def phoihop_demo_data(unit):
    from plugins.critique.demo import demo_rows

    return demo_rows(unit)


@hookimpl(trylast=True)  # after the sheets plugin has written, linked and synced the workbooks
def phoihop_demo_ready(app, unit):
    from plugins.critique.demo import add_reviews

    add_reviews(app, unit)


@hookimpl
def phoihop_joint_activities(organisation_ids, start, end):
    from plugins.critique.reports import joint_activities

    return joint_activities(organisation_ids, start, end)
