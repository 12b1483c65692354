"""``phoihop critique …``: the critique sheets synced in order, and the working-day calendar.

::

    phoihop critique sync [--unit U] [--json]      the expert directory, then the requests
    phoihop critique calendar [--year Y] [--json]  the days off and working days of a year
    phoihop critique calendar --seed 2028          add a year from the holidays library
"""
from __future__ import annotations

import json

import click

from core.cli_support import app_context, fail

ORDER = ("critique.experts", "critique.requests")


@click.group("critique")
def critique_group():
    """Tư vấn, phản biện và giám định xã hội: its sheets and its calendar."""


@critique_group.command("sync")
@click.option("--unit", "unit_name", help="Only the sheets linked to this unit (name or code).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sync_critique(state, unit_name, as_json):
    """Sync the expert directory first, then the requests (whose teams it checks)."""
    from flask import current_app

    from core.models import find_unit
    from sheets.cli import echo_result
    from sheets.models import Binding
    from sheets.sync import sync

    results = []
    with app_context():
        declared = current_app.extensions["phoihop_bindings"]
        query = Binding.select().where(Binding.name.in_(ORDER)).order_by(Binding.id)
        if unit_name:
            unit = find_unit(unit_name)
            if unit is None:
                fail(f"Không có đơn vị {unit_name!r}")
            query = query.where(Binding.unit == unit)
        links = list(query)
        if not links:
            fail("Chưa liên kết bảng tính nào của tư vấn, phản biện: phoihop sheets link critique.experts …")
        for name in ORDER:
            for binding in [b for b in links if b.name == name]:
                result = sync(binding, declared[binding.name], pm=state.pm, actor="cli")
                results.append(result)
                if not as_json:
                    echo_result(result)
    if as_json:
        click.echo(json.dumps({"bindings": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2))
    raise SystemExit(max((r.exit_code for r in results), default=0))


@critique_group.command("calendar")
@click.option("--year", type=int, help="The year to show (default: this year, or PHOIHOP_TODAY's).")
@click.option("--seed", "seed", type=int, multiple=True, help="Add this year's days from the holidays library.")
@click.option("--json", "as_json", is_flag=True)
def calendar_command(year, seed, as_json):
    """The days off and compensating working days of a year; --seed adds a year."""
    import datetime as dt

    from plugins.critique import settings
    from plugins.critique.calendar import LIBRARY_YEARS, ensure_calendar, ensure_years
    from plugins.critique.models import DAY_KINDS, CalendarDay

    with app_context():
        ensure_calendar()
        outside = [y for y in seed if y not in LIBRARY_YEARS]
        if outside:
            fail(f"Năm {outside[0]} ngoài khoảng thư viện holidays biết ({LIBRARY_YEARS.start}–{LIBRARY_YEARS.stop - 1})")
        seeded = ensure_years(seed)
        year = year or (seed[0] if seed else settings.today().year)
        rows = list(CalendarDay.select().where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
                    .order_by(CalendarDay.day))
        kinds = dict(DAY_KINDS)
        if as_json:
            click.echo(json.dumps({"year": year, "seeded": seeded, "days": [
                {"day": r.day.isoformat(), "kind": r.kind, "name": r.name, "source": r.source} for r in rows]},
                ensure_ascii=False, indent=2))
            return
        for seeded_year in seeded:
            click.echo(f"Đã thêm lịch năm {seeded_year} từ thư viện holidays.")
        click.echo(f"Lịch ngày nghỉ, làm bù năm {year}: {len(rows)} ngày")
        for r in rows:
            click.echo(f"  {r.day:%d/%m/%Y}  {kinds.get(r.kind, r.kind):<14}  {r.name}")
