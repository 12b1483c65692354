"""Agreements linked to the unit's organisations, and what the flags need of the other
areas — set-based, for a chunk of agreements at once (the sheet mapping's hooks, the
admin's list page, the partners page and the report), in a constant number of statements
whatever the chunk holds.

- :func:`link_partners` makes an agreement's partners ``Organisation`` rows of its unit
  (created when new, in the order written).
- :func:`partners_of` gives each agreement's partners ``(id, name)``, in order.
- :func:`assess` gives each agreement its flags (:mod:`plugins.coordination.rules`): one
  query for the partners and one per area for their joint activities in the last 12
  months (``core.joint``).
"""
from __future__ import annotations

from flask import current_app

from core.joint import gather, totals
from core.models import Organisation
from core.people import organisation_lists, replace_links
from plugins.coordination import rules, settings
from plugins.coordination.models import AgreementPartner


def link_partners(items) -> dict[int, list[int]]:
    """Replace the partners of every ``(agreement, names)`` of ``items`` by the unit's
    organisations of those names; return ``{agreement id: [organisation ids]}``."""
    items = list(items)
    groups = organisation_lists([(agreement.unit_id, names) for agreement, names in items])
    links = {agreement.id: ids for (agreement, _names), ids in zip(items, groups)}
    replace_links(AgreementPartner, AgreementPartner.agreement, AgreementPartner.organisation, links)
    return links


def partners_of(agreement_ids) -> dict[int, list[tuple[int, str]]]:
    """``{agreement id: [(organisation id, name)]}`` in the order written: one query."""
    ids = list(dict.fromkeys(agreement_ids))
    found = {i: [] for i in ids}
    if not ids:
        return found
    query = (AgreementPartner.select(AgreementPartner.agreement, Organisation.id, Organisation.name)
             .join(Organisation).where(AgreementPartner.agreement.in_(ids))
             .order_by(AgreementPartner.agreement, AgreementPartner.position, AgreementPartner.id))
    for agreement_id, organisation_id, name in query.tuples():
        found[agreement_id].append((organisation_id, name))
    return found


def recent_activity(organisation_ids, today) -> dict[int, int]:
    """``{organisation id: joint activities in the last 12 months}`` over every area (one
    query per area)."""
    start, end = rules.joint_window(today)
    return {org: count for org, (count, _latest) in totals(gather(pm(), organisation_ids, start, end)).items()}


def assess(agreements, today=None) -> dict[int, list[str]]:
    """``{agreement id: flags}`` of a chunk of agreements (model instances)."""
    today = today or settings.today()
    partners = partners_of([a.id for a in agreements])
    active = recent_activity({org for links in partners.values() for org, _name in links}, today)
    found = {}
    for agreement in agreements:
        links = partners[agreement.id]
        quiet = [name for org, name in links if not active.get(org)]
        found[agreement.id] = rules.agreement_flags(agreement.__data__, today, [name for _org, name in links], quiet)
    return found


def pm():
    """The app's plugin manager (the hook's callers)."""
    return current_app.extensions["phoihop_pm"]
