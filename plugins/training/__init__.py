"""Plugin ``training``: hội thảo khoa học, hội nghị thông tin chuyên đề, tập huấn kỹ thuật,
phổ biến kiến thức (spec/training.md). Hook implementations only."""
from core import hookimpl

__version__ = "0.1.0"


@hookimpl
def phoihop_models():
    from plugins.training.models import MODELS

    return MODELS


@hookimpl
def phoihop_admin_views(admin, app):
    from plugins.training.views import training_views

    return training_views()


@hookimpl
def phoihop_sheet_bindings():
    from plugins.training.sheets import ActivityMapping

    return [ActivityMapping()]


@hookimpl
def phoihop_report(period, units):
    from plugins.training.reports import report_section

    return report_section(period, units)


@hookimpl
def phoihop_demo_data(unit):
    from plugins.training.sheets import BINDING, demo_rows

    return {BINDING: demo_rows(unit)}


@hookimpl
def phoihop_joint_activities(organisation_ids, start, end):
    from plugins.training.reports import joint_activities

    return joint_activities(organisation_ids, start, end)
