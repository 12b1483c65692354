"""Plugin ``coordination``: quy chế, chương trình phối hợp — agreements with partner
organisations, their reviews and yearly items, the flags that say which are overdue,
expired or idle, the partners page and the partners section of the annual review
(spec/coordination.md). Joint activities are the other areas' records, counted through
the core (``core.joint``): this plugin imports none of them. Hook implementations only."""
from core import hookimpl

__version__ = "0.1.0"


@hookimpl
def phoihop_models():
    from plugins.coordination.models import MODELS

    return MODELS


@hookimpl
def phoihop_sheet_bindings():
    from plugins.coordination.sheets import AgreementMapping

    return [AgreementMapping()]


@hookimpl
def phoihop_admin_views(admin, app):
    from plugins.coordination.views import blueprint, coordination_views

    app.register_blueprint(blueprint)  # the plugin's templates
    return coordination_views()


@hookimpl
def phoihop_report(period, units):
    from plugins.coordination.reports import report_section

    return report_section(period, units)


@hookimpl
def phoihop_demo_data(unit):
    from plugins.coordination.demo import demo_rows

    return demo_rows(unit)


@hookimpl(trylast=True)  # after the sheets plugin has written, linked and synced the workbooks
def phoihop_demo_ready(unit):
    from plugins.coordination.demo import add_items

    add_items(unit)
