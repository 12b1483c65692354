"""What phoihop derives for a chunk of requests — comment window in calendar and working
days, conflicts of interest, the shown status and the flags — with the pure rules of
:mod:`plugins.critique.rules`, for the sheet (``Số ngày làm việc``, ``Cảnh báo``) and the
admin alike. Three queries per chunk: the teams with their workplaces, and the calendar
of the years the chunk spans (:func:`plugins.critique.calendar.calendar_for`).
"""
from __future__ import annotations

from typing import NamedTuple

from plugins.critique import rules, settings
from plugins.critique.calendar import calendar_for
from plugins.critique.links import team_of


class Assessment(NamedTuple):
    window_days: int | None
    working_days: int | None
    status: str  # as shown: Quá hạn when overdue
    conflicts: list  # names of the experts who work at the requester
    flags: list
    team: list  # [(person id, name, {workplace ids})] in team order

    @property
    def warning_text(self) -> str:
        return rules.warning_text(self.flags)


def assess(records) -> dict:
    """``{record id: Assessment}`` for requests (model instances with ids)."""
    records = list(records)
    team = team_of([record.id for record in records])
    data_of = [record.__data__ for record in records]
    calendar = calendar_for([d.get(name) for d in data_of for name in ("received_on", "deadline")])
    today, minimum, days = settings.today(), settings.min_window_days(), settings.uptake_days()
    found = {}
    for record, data in zip(records, data_of):
        received, deadline, sent = data.get("received_on"), data.get("deadline"), data.get("report_sent_on")
        status, accepted, bypassed = data.get("status"), data.get("accepted"), bool(data.get("bypassed"))
        members = team.get(record.id, [])
        conflicts = rules.conflicts_of_interest(data.get("requester"), [(name, places) for _p, name, places in members])
        window = rules.window_days(received, deadline)
        flags = rules.warnings(
            window=window, minimum=minimum, overdue=rules.is_overdue(status, deadline, sent, today, accepted),
            awaiting=rules.awaiting_uptake(status, sent, accepted, today, days), conflicts=conflicts,
            documents_complete=data.get("documents_complete"), bypassed=bypassed)
        found[record.id] = Assessment(
            window_days=None if bypassed else window,
            working_days=None if bypassed else rules.working_days(received, deadline, *calendar),
            status=rules.shown_status(status, deadline, sent, accepted, today),
            conflicts=conflicts, flags=flags, team=members)
    return found
