"""``phoihop honours …``: set rounds up, adjust them, list them, close and reopen them.

    phoihop honours rounds add YEAR [--unit U] [--ceremony DD/MM/YYYY] [--council-size N]
        [--deadline DD/MM/YYYY] [--members "A; B; C"] [--present N] [--threshold PERCENT]
        [--occasion TEXT] [--budget AMOUNT] [--money CATEGORY=AMOUNT]…
    phoihop honours rounds list [--unit U] [--json]
    phoihop honours rounds close YEAR [--unit U]
    phoihop honours rounds reopen YEAR [--unit U]

``add`` creates the round of YEAR, or adjusts it when it exists (a sheet's ``Năm`` may
have created it with the defaults). A bad value is exit status 2 with one line saying
why. Every change is in the audit log (channel ``cli``) and the nominations' outcomes
are recomputed.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import click

from core.cli_support import app_context, fail, find_unit_or_fail
from core.vietnamese import ParseError, format_date, format_money, parse_money

ACTOR = "cli"


def find_round_or_fail(unit, year):
    from plugins.honours.models import Round

    found = Round.get_or_none(Round.unit == unit, Round.year == year)
    if found is None:
        known = ", ".join(str(y) for (y,) in Round.select(Round.year).where(Round.unit == unit).order_by(Round.year).tuples())
        fail(f"{unit.name} chưa có đợt tôn vinh năm {year} (các đợt: {known or 'chưa có'})")
    return found


def describe_line(item) -> str:
    """One line about a round, as the commands print it."""
    from plugins.honours import rules
    from plugins.honours.rounds import ceremony_of

    state = "đã khóa" if item.closed else "đang mở"
    deadline = f", hạn đề cử {format_date(item.deadline)}" if item.deadline else ""
    if item.members:
        council = (f"hội đồng {item.members} thành viên, được tôn vinh khi số phiếu đồng ý "
                   + rules.describe_threshold(item.members, item.members_present, item.threshold_share))
    else:
        council = "chưa rõ số thành viên hội đồng (--council-size)"
    return f"{item} ({item.unit.name}): lễ tôn vinh {format_date(ceremony_of(item))}{deadline}, {council}; {state}"


@click.group("honours")
def honours_group():
    """Tôn vinh trí thức KH&CN: rounds (đợt tôn vinh) and their council."""


@honours_group.group("rounds")
def rounds_group():
    """Đợt tôn vinh: one per year and unit."""


@rounds_group.command("add")
@click.argument("year", type=click.IntRange(1950, 2200))
@click.option("--unit", "unit_name", help="The unit (LHH); needed when there are several.")
@click.option("--ceremony", help="Ngày lễ tôn vinh, dd/mm/yyyy (default 18/05 of the year).")
@click.option("--council-size", type=click.IntRange(1, 1000), help="Số thành viên hội đồng xét chọn.")
@click.option("--deadline", help="Hạn nhận đề cử, dd/mm/yyyy.")
@click.option("--members", help='Thành viên hội đồng, separated by ";".')
@click.option("--present", type=click.IntRange(1, 1000), help="Thành viên có mặt khi bỏ phiếu.")
@click.option("--threshold", help="Votes for must exceed this percent of the members present (default 50).")
@click.option("--occasion", help="Dịp tôn vinh.")
@click.option("--budget", help="Kinh phí (đồng: '150 triệu', '150.000.000').")
@click.option("--money", "money", multiple=True, help="CATEGORY=AMOUNT: the award of a category (repeat).")
def add_round(year, unit_name, **options):
    """Set up the round of YEAR, or adjust it."""
    from core.db import database
    from core.models import AuditLog, snapshot
    from plugins.honours.models import Round, ensure_categories
    from plugins.honours.results import refresh
    from plugins.honours.rounds import new_round

    with app_context():
        with database.atomic():
            ensure_categories()
            unit = find_unit_or_fail(unit_name)
            item = Round.get_or_none(Round.unit == unit, Round.year == year)
            created = item is None
            if created:
                item = new_round(unit.id, year, actor=ACTOR, channel="cli")
            before = snapshot(item)
            configure(item, options)
            item.save()
            if not created or before != snapshot(item):
                AuditLog.record(actor=ACTOR, channel="cli", action="update", instance=item, before=before,
                                after=snapshot(item))
            refresh(round_ids=[item.id])
        click.echo(("Đã tạo " if created else "Đã cập nhật ") + describe_line(item))


def configure(item, options) -> None:
    """Apply the command's options to the round (and its award money)."""
    from plugins.honours.models import Category
    from plugins.honours.rounds import SettingError, members_text, parse_day, parse_money_settings, set_money

    try:
        for option, name in (("ceremony", "ceremony_date"), ("deadline", "deadline")):
            if options.get(option):
                setattr(item, name, parse_day(options[option], f"--{option}"))
        if options.get("council_size") is not None:
            item.council_size = options["council_size"]
        if options.get("members") is not None:
            item.council_members = members_text(options["members"])
        if options.get("present") is not None:
            item.members_present = options["present"]
        if options.get("occasion") is not None:
            item.occasion = " ".join(options["occasion"].split()) or None
        if options.get("threshold") is not None:
            try:
                share = Decimal(options["threshold"].strip().rstrip("%").replace(",", "."))
            except InvalidOperation:
                raise SettingError(f"--threshold {options['threshold']!r}: cần một tỉ lệ phần trăm, ví dụ 50") from None
            if not 0 < share < 100:
                raise SettingError("--threshold: tỉ lệ phải lớn hơn 0 và nhỏ hơn 100 (%)")
            item.threshold_share = share
        if options.get("budget") is not None:
            try:
                item.budget = parse_money(options["budget"])
            except ParseError as exc:
                raise SettingError(f"--budget {options['budget']!r}: {exc.reason}") from None
        if item.members and item.members_present and item.members_present > item.members:
            raise SettingError(f"--present: {item.members_present} thành viên có mặt nhiều hơn hội đồng "
                               f"({item.members} thành viên)")
        if options.get("money"):
            categories = list(Category.ordered())
            item.save()
            set_money(item, parse_money_settings("\n".join(options["money"]), categories))
    except SettingError as exc:
        fail(str(exc))


@rounds_group.command("list")
@click.option("--unit", "unit_name", help="Only this unit's rounds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_rounds(unit_name, as_json):
    """The rounds, with their council, threshold, nominations and results."""
    from peewee import fn

    from core.models import Unit, find_unit
    from plugins.honours import rules
    from plugins.honours.models import Category, Nomination, Round, RoundMoney
    from plugins.honours.rounds import ceremony_of

    with app_context():
        query = Round.select(Round, Unit).join(Unit).order_by(Unit.name, Round.year)
        if unit_name:
            unit = find_unit(unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}")
            query = query.where(Round.unit == unit)
        rounds = list(query)
        ids = [r.id for r in rounds]
        counts = {}
        if ids:
            for round_id, result, count in (Nomination.select(Nomination.round, Nomination.result, fn.COUNT(Nomination.id))
                                            .where(Nomination.round.in_(ids), Nomination.archived == False,  # noqa: E712
                                                   Nomination.merged_into.is_null())
                                            .group_by(Nomination.round, Nomination.result).tuples()):
                counts.setdefault(round_id, {})[result] = count
        money = {}
        for round_id, name, amount in (RoundMoney.select(RoundMoney.round, Category.name, RoundMoney.amount)
                                       .join(Category).where(RoundMoney.round.in_(ids)).tuples() if ids else []):
            money.setdefault(round_id, {})[name] = amount
        rows = [{
            "year": r.year, "unit": r.unit.name, "occasion": r.occasion,
            "ceremony": ceremony_of(r).isoformat(), "deadline": r.deadline.isoformat() if r.deadline else None,
            "council_size": r.members, "members_present": r.members_present,
            "threshold": float(t) if (t := rules.threshold(r.members, r.members_present, r.threshold_share)) is not None else None,
            "closed": r.closed, "nominations": sum(counts.get(r.id, {}).values()),
            "honoured": counts.get(r.id, {}).get(rules.SELECTED, 0), "money": money.get(r.id, {}),
        } for r in rounds]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo("Chưa có đợt tôn vinh nào.")
        for item, row in zip(rounds, rows):
            extra = "; ".join(f"{name}: {format_money(amount)} đ" for name, amount in row["money"].items())
            click.echo(f"{describe_line(item)} — {row['nominations']} đề cử, {row['honoured']} được tôn vinh"
                       + (f"; tiền thưởng {extra}" if extra else ""))


@rounds_group.command("close")
@click.argument("year", type=int)
@click.option("--unit", "unit_name", help="The unit (LHH); needed when there are several.")
def close_round(year, unit_name):
    """Close the round of YEAR: its results are locked."""
    from core.db import database
    from plugins.honours.rounds import close

    with app_context():
        with database.atomic():
            item = find_round_or_fail(find_unit_or_fail(unit_name), year)
            if item.closed:
                fail(f"{item} của {item.unit.name} đã khóa từ trước")
            close(item, actor=ACTOR, channel="cli")
        click.echo(f"Đã khóa {describe_line(item)}")


@rounds_group.command("reopen")
@click.argument("year", type=int)
@click.option("--unit", "unit_name", help="The unit (LHH); needed when there are several.")
def reopen_round(year, unit_name):
    """Reopen a closed round (an admin's decision, audited)."""
    from core.db import database
    from plugins.honours.results import refresh
    from plugins.honours.rounds import reopen

    with app_context():
        with database.atomic():
            item = find_round_or_fail(find_unit_or_fail(unit_name), year)
            if not item.closed:
                fail(f"{item} của {item.unit.name} đang mở")
            reopen(item, actor=ACTOR, channel="cli")
            refresh(round_ids=[item.id])
        click.echo(f"Đã mở lại {describe_line(item)}")
