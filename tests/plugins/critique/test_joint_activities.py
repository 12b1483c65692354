"""The critique area's answer to ``phoihop_joint_activities`` (plugins/critique/reports.py):
the requests an organisation sent the LHH, counted by one grouped query."""
import datetime as dt

from plugins.critique.reports import joint_activities

D = dt.date


def requests(unit, organisation, *rows):
    from plugins.critique.models import Request

    for received, extra in rows:
        Request.create(unit=unit, title="Đề án", requester=organisation, requester_name=organisation.name,
                       received_on=received, **extra)


def test_requests_of_an_organisation_are_counted_with_the_latest_receipt(ctx, units):
    from core.models import Organisation

    planning = Organisation.create(unit=units["A"], name="Sở Kế hoạch và Đầu tư")
    requests(units["A"], planning, (D(2023, 1, 9), {}), (D(2023, 6, 5), {}))
    assert joint_activities([planning.id], None, None) == [("critique", "Tư vấn, phản biện", planning.id, 2, D(2023, 6, 5))]


def test_a_document_never_sent_to_the_lhh_is_no_joint_activity(ctx, units):
    from core.models import Organisation

    roads = Organisation.create(unit=units["A"], name="Sở Giao thông vận tải")
    requests(units["A"], roads, (None, {"bypassed": True, "issued_on": D(2023, 10, 15)}), (D(2023, 2, 1), {"archived": True}))
    assert joint_activities([roads.id], None, None) == []
