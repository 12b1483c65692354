"""Rounds (đợt tôn vinh): created with the defaults when a sheet's ``Năm`` names none,
adjusted from the command line and the admin, closed — by a person, or after a past
round's decided results were imported — and reopened by an admin; every change audited.

Today is the ``TODAY`` setting (``PHOIHOP_TODAY``, an ISO date) when it is set, so that
reviews of past years are reproducible.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from peewee import Case, fn

from core.config import today
from core.lookups import split_aliases
from core.models import AuditLog, Unit, now, snapshot
from core.vietnamese import ParseError, format_money, normalise, parse_money
from plugins.honours import rules
from plugins.honours.models import Category, Nomination, Round, RoundMoney

OCCASION = "Ngày Khoa học và Công nghệ Việt Nam 18/5"


def new_round(unit_id: int, year: int, *, actor: str, channel: str) -> Round:
    """A round of ``year`` with the defaults: the ceremony on 18/05, a threshold of more
    than half of the council present, the province the unit's name names."""
    unit_name = Unit.select(Unit.name).where(Unit.id == unit_id).scalar()
    found = Round.create(unit=unit_id, year=year, occasion=OCCASION, ceremony_date=rules.default_ceremony(year),
                         province=rules.province_of(unit_name))
    AuditLog.record(actor=actor, channel=channel, action="create", instance=found, after=snapshot(found))
    return found


def facts(rounds) -> dict[int, rules.RoundFacts]:
    """``{round id: RoundFacts}`` of the rounds given — all the rounds of their units, so
    that each knows the ceremony of the round before it."""
    ceremonies: dict[int, dict[int, dt.date]] = {}
    for item in rounds:
        ceremonies.setdefault(item.unit_id, {})[item.year] = ceremony_of(item)
    found = {}
    for item in rounds:
        ceremony = ceremony_of(item)
        found[item.id] = rules.RoundFacts(item.year, ceremony,
                                          rules.previous_ceremony(item.year, ceremony, ceremonies[item.unit_id]),
                                          item.province)
    return found


def ceremony_of(item: Round) -> dt.date:
    return item.ceremony_date or rules.default_ceremony(item.year)


def limit_of(item: Round) -> Decimal | None:
    """The number of votes a nomination of the round must exceed (``None``: unknown)."""
    return rules.threshold(item.members, item.members_present, item.threshold_share)


# -- closing ---------------------------------------------------------------------------------------
def close(item: Round, *, actor: str, channel: str, action: str = "close") -> None:
    """Lock the round's results (audited)."""
    before = snapshot(item)
    item.closed, item.closed_at, item.closed_by = True, now(), actor
    item.save()
    AuditLog.record(actor=actor, channel=channel, action=action, instance=item, before=before, after=snapshot(item))


def reopen(item: Round, *, actor: str, channel: str) -> None:
    """Unlock a closed round (an admin's decision; audited)."""
    before = snapshot(item)
    item.closed, item.closed_at, item.closed_by = False, None, None
    item.save()
    AuditLog.record(actor=actor, channel=channel, action="reopen", instance=item, before=before, after=snapshot(item))


def close_imported(round_ids, *, actor: str) -> set[int]:
    """Close the open rounds among ``round_ids`` whose ceremony is past and whose every
    nomination carries a decision imported from the sheet (a past round's results):
    one aggregate query, then one save and audit line per round closed. Returns the ids."""
    ids = [i for i in set(round_ids) if i is not None]
    if not ids:
        return set()
    day = today()
    imported = fn.SUM(Case(None, [((Nomination.result_source == "sheet") & Nomination.result.is_null(False), 1)], 0))
    counts = (Nomination.select(Nomination.round, fn.COUNT(Nomination.id), imported)
              .join(Round, on=(Nomination.round == Round.id))
              .where(Nomination.round.in_(ids), Nomination.archived == False, Nomination.merged_into.is_null(),  # noqa: E712
                     Round.closed == False, Round.ceremony_date < day)  # noqa: E712
              .group_by(Nomination.round).tuples())
    done = {round_id for round_id, total, decided in counts if total and int(decided or 0) == total}
    for item in Round.select().where(Round.id.in_(list(done))):
        close(item, actor=actor, channel="sync", action="close_imported")
    return done


# -- award money per category ----------------------------------------------------------------------
class SettingError(ValueError):
    """A setting typed by a person that cannot be read: the message says which and why."""


def parse_money_settings(text: str | None, categories) -> dict:
    """'Tân Tiến sĩ=2 triệu; Trí thức KH&CN tiêu biểu=3.000.000' → ``{Category: amount}``
    (a category by its name or an alias; one per line or separated by ';')."""
    found = {}
    spellings = {normalise(s): c for c in categories for s in [c.name, *split_aliases(c.aliases)]}
    for part in split_aliases(text):
        name, sep, amount = part.partition("=")
        if not sep:
            raise SettingError(f'"{part}": ghi theo mẫu Hình thức tôn vinh=Số tiền')
        category = spellings.get(normalise(name))
        if category is None:
            names = "; ".join(c.name for c in categories)
            raise SettingError(f'"{name.strip()}" không phải hình thức tôn vinh đã cấu hình ({names})')
        try:
            value = parse_money(amount)
        except ParseError as exc:
            raise SettingError(f'Số tiền "{amount.strip()}" {exc.reason}') from None
        if value is None:
            raise SettingError(f'"{part}": thiếu số tiền')
        found[category] = value
    return found


def format_money_settings(item: Round) -> str:
    rows = (RoundMoney.select(RoundMoney, Category).join(Category).where(RoundMoney.round == item)
            .order_by(Category.sort_order, Category.name))
    return "; ".join(f"{r.category.name}={format_money(r.amount)}" for r in rows)


def set_money(item: Round, amounts: dict) -> None:
    """Make ``amounts`` (``{Category: đồng}``) the round's award money."""
    RoundMoney.delete().where(RoundMoney.round == item).execute()
    if amounts:
        RoundMoney.insert_many([{"round": item.id, "category": c.id, "amount": a} for c, a in amounts.items()]).execute()


def money_of(round_ids) -> dict[tuple[int, int], int]:
    """``{(round id, category id): amount}`` (one query)."""
    ids = list(round_ids)
    if not ids:
        return {}
    return {(r, c): a for r, c, a in RoundMoney.select(RoundMoney.round, RoundMoney.category, RoundMoney.amount)
            .where(RoundMoney.round.in_(ids)).tuples()}


def parse_day(text: str, option: str) -> dt.date:
    """A date typed as dd/mm/yyyy (or the other spellings of core.vietnamese)."""
    from core.vietnamese import parse_date

    try:
        value = parse_date(text)
    except ParseError as exc:
        raise SettingError(f'{option} "{text}" {exc.reason}') from None
    if value is None:
        raise SettingError(f"{option}: thiếu ngày")
    return value


def members_text(text: str | None) -> str | None:
    """Council members typed one per line or separated by ';', stored as 'A; B'."""
    return "; ".join(split_aliases(text)) or None
