"""Plugin ``contests``: hội thi sáng tạo kỹ thuật, cuộc thi sáng tạo thanh thiếu niên, nhi
đồng, giải thưởng khoa học và công nghệ (spec/contests.md). Hook implementations only."""
from core import hookimpl

__version__ = "0.1.0"


@hookimpl
def phoihop_models():
    from plugins.contests.models import MODELS

    return MODELS


@hookimpl
def phoihop_sheet_bindings():
    from plugins.contests.sheets import bindings

    return bindings()


@hookimpl
def phoihop_admin_views(admin, app):
    from plugins.contests.certificates import blueprint
    from plugins.contests.views import contests_views

    app.register_blueprint(blueprint)  # the public check of certificates, and the plugin's templates
    return contests_views()


@hookimpl
def phoihop_cli(cli):
    from plugins.contests.cli import contests_group

    cli.add_command(contests_group)


@hookimpl
def phoihop_report(period, units):
    from plugins.contests.reports import report_section

    return report_section(period, units)


@hookimpl
def phoihop_demo_data(unit):
    from plugins.contests.demo import demo_rows

    return demo_rows(unit)


@hookimpl(trylast=True)  # after the sheets plugin has written, linked and synced the workbooks
def phoihop_demo_ready(app, unit):
    from plugins.contests.demo import resync_entries

    resync_entries(app, unit)


@hookimpl
def phoihop_joint_activities(organisation_ids, start, end):
    from plugins.contests.reports import joint_activities

    return joint_activities(organisation_ids, start, end)
