"""Filters of the critique lists and the SQL of the rules that depend on today — the same
rules as :mod:`plugins.critique.rules`, written over columns so that a list filters and
counts in the database: overdue, awaiting the uptake report, short window, conflict of
interest, and each expert's load."""
from __future__ import annotations

import datetime as dt

from flask_admin.contrib.peewee.filters import BasePeeweeFilter
from peewee import JOIN, Case, fn

from core.admin import scope
from core.models import Person
from plugins.critique import rules, settings
from plugins.critique.models import Expert, Request, TeamMember

YES_NO = (("1", "Có"), ("0", "Không"))


def entry_options(model):
    return [(entry.name, entry.name) for entry in model.entries()]


def requester_options():
    query = scope(Request.select(Request.requester_name).where(Request.requester_name.is_null(False)), Request)
    return [(name, name) for (name,) in query.distinct().order_by(Request.requester_name).tuples()]


# -- SQL for the rules that depend on today (the same rules as rules.py, over columns) -----------------
def open_condition():
    """The effective status is Tiếp nhận or Đang thực hiện (a blank status with no
    answer and no report counts as Tiếp nhận)."""
    return (Request.status.in_(list(rules.OPEN))
            | (Request.status.is_null() & Request.accepted.is_null() & Request.report_sent_on.is_null()))


def overdue_condition(today):
    return ((Request.deadline < today) & Request.report_sent_on.is_null() & open_condition()
            & (Request.bypassed == False))  # noqa: E712


def no_uptake_condition(today, days):
    reported = (Request.status == rules.REPORTED) | (Request.status.is_null() & Request.report_sent_on.is_null(False))
    return (reported & Request.accepted.is_null() & (Request.report_sent_on < today - dt.timedelta(days=days))
            & (Request.bypassed == False))  # noqa: E712


def short_condition(minimum):
    return (Request.window_days < minimum) & (Request.bypassed == False)  # noqa: E712


def conflict_condition():
    """Some expert of the team works at the requester (the directory's workplace or the
    registry's): a correlated sub-query."""
    member = (TeamMember.select(TeamMember.request)
              .join(Person, on=(TeamMember.person == Person.id))
              .join_from(TeamMember, Expert, JOIN.LEFT_OUTER, on=(TeamMember.expert == Expert.id))
              .where((TeamMember.request == Request.id)
                     & ((Expert.workplace == Request.requester) | (Person.workplace == Request.requester))))
    return fn.EXISTS(member)


class YesNoFilter(BasePeeweeFilter):
    """A derived flag: ``Có`` gives the requests that have it, ``Không`` the others."""

    def __init__(self, name, condition):
        super().__init__(Request.id, name, options=YES_NO)
        self.condition = condition

    def apply(self, query, value):
        condition = self.condition()
        if value == "1":
            return query.where(condition)
        if value == "0":
            return query.where(~condition)
        return query.where(Request.id.is_null())  # an unknown option matches nothing

    def operation(self):
        return "là"


class StatusFilter(BasePeeweeFilter):
    """Trạng thái as shown: a typed status, or Quá hạn (derived)."""

    def __init__(self):
        super().__init__(Request.status, "Trạng thái",
                         options=[(s, s) for s in (*rules.MACHINE, rules.REFUSED, rules.OVERDUE)])

    def apply(self, query, value):
        if value == rules.OVERDUE:
            return query.where(overdue_condition(settings.today()))
        if value in (*rules.MACHINE, rules.REFUSED):
            return query.where(Request.status == value)
        return query.where(Request.id.is_null())

    def operation(self):
        return "là"


def loads_of(person_ids) -> dict[int, tuple[int, int]]:
    """``{person id: (open requests, all requests)}`` of the teams, over requests not
    archived — open: Tiếp nhận or Đang thực hiện, the report still to send. One GROUP BY
    query."""
    ids = [i for i in set(person_ids) if i is not None]
    if not ids:
        return {}
    query = (TeamMember.select(TeamMember.person,
                               fn.SUM(Case(None, [(open_condition(), 1)], 0)),
                               fn.COUNT(TeamMember.id))
             .join(Request, on=(TeamMember.request == Request.id))
             .where(TeamMember.person.in_(ids), Request.archived == False, Request.bypassed == False)  # noqa: E712
             .group_by(TeamMember.person))
    return {person: (int(opened or 0), int(total)) for person, opened, total in query.tuples()}
