"""Joint activities gathered from every area (core/joint.py)."""
import datetime as dt

from core.joint import JointActivity, gather, totals

D = dt.date


def test_totals_add_up_every_area_and_keep_the_latest_date():
    rows = [JointActivity("training", "Tập huấn", 7, 2, D(2023, 3, 1)), JointActivity("critique", "Tư vấn", 7, 1, None),
            JointActivity("contests", "Cuộc thi", 7, 3, D(2023, 9, 2)), JointActivity("contests", "Cuộc thi", 8, 1, None)]
    assert totals(rows) == {7: (6, D(2023, 9, 2)), 8: (1, None)}


def test_gathering_for_no_organisation_asks_no_area():
    class NoHooks:
        hook = None  # any call would fail

    assert gather(NoHooks(), [None]) == []


def test_gather_reads_the_dates_an_area_gives_as_text():
    """SQLite gives MAX(date) of an expression as text: the core hands back a date."""
    import pluggy

    from core import hookimpl, hookspecs

    class TextDates:
        @hookimpl
        def phoihop_joint_activities(organisation_ids, start, end):
            return [("area", "Lĩnh vực", organisation_ids[0], 3, "2023-07-03")]

    pm = pluggy.PluginManager("phoihop")
    pm.add_hookspecs(hookspecs)
    pm.register(TextDates, name="text-dates")
    assert gather(pm, [5]) == [JointActivity("area", "Lĩnh vực", 5, 3, D(2023, 7, 3))]
