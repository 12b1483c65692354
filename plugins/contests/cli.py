"""``phoihop contests …``: set editions up and list them, and sync a unit's contest sheets
in the order their references need.

    phoihop contests editions add NAME --kind KIND [--unit U] [--season 2022-2023]
        [--number N] [--quota TIER=N]… [--quota-scope field|edition] [--min-score TIER=SCORE]…
        [--money TIER=AMOUNT]… [--min-valid-scores N] [--spread-limit P] [--max-score P]
        [--scoring mean|zscore|jury_vote] [--field NAME]… [--standing-body ORG] [--board "ORG; ORG"]
        [--decision-number N] [--decision-date D]
    phoihop contests editions set NAME [same options]
    phoihop contests editions list [--unit U] [--json]
    phoihop contests sync [--unit U] [--json]

KIND and TIER are Vietnamese names (case, spacing and accents' Unicode form do not
matter; aliases such as "Giải Nhất" work). A bad kind, tier or value is exit status 2 with
one line naming the valid ones. AMOUNT is đồng ("50 triệu", "50.000.000") or a multiple of
the base salary ("2,5 lương cơ sở", "2.5x").
"""
from __future__ import annotations

import json
import re

import click

from core.cli_support import app_context, fail, find_unit_or_fail
from core.vietnamese import format_decimal, normalise
from plugins.contests import settings

SCOPES = ("field", "edition")


def find_kind_or_fail(text):
    from plugins.contests.models import ContestKind

    key = normalise(text)
    kinds = list(ContestKind.ordered())
    for kind in kinds:
        if key in {normalise(s) for s in [kind.name, *kind.alias_list()]}:
            return kind
    fail(f'Loại cuộc thi "{text}" không có; các loại: {"; ".join(k.name for k in kinds if k.active is not False)}')


def kind_tiers(kind):
    from plugins.contests.models import PrizeTier

    return list(PrizeTier.select().where(PrizeTier.kind == kind.id, PrizeTier.active != False)  # noqa: E712
                .order_by(PrizeTier.sort_order))


def parse_number(option, text):
    try:
        return settings.parse_number(text, option)
    except settings.SettingError as exc:
        fail(str(exc))


def edition_options(command):
    for decorator in reversed([
        click.option("--unit", "unit_name", help="The unit (LHH) that runs it; needed when there are several."),
        click.option("--season", help="Season: 2022-2023, or a year."),
        click.option("--number", type=int, help="Lần thứ (default: read from the name, 'lần thứ 9')."),
        click.option("--quota", "quotas", multiple=True, help="TIER=N: prizes of a tier (repeat per tier)."),
        click.option("--quota-scope", type=click.Choice(SCOPES), help="Quotas per field (default) or for the edition."),
        click.option("--min-score", "minimums", multiple=True, help="TIER=SCORE: the minimum score of a tier."),
        click.option("--money", "money", multiple=True, help="TIER=AMOUNT: prize money (đồng, or '2,5 lương cơ sở')."),
        click.option("--min-valid-scores", type=click.IntRange(1, 100), help="Valid scores needed to be ranked (3)."),
        click.option("--spread-limit", help="Largest spread of judges' totals not flagged (20)."),
        click.option("--max-score", help="The scale of a judge's total (100)."),
        click.option("--scoring", type=click.Choice(["mean", "zscore", "jury_vote"]), help="Scoring formula (mean)."),
        click.option("--field", "fields", multiple=True, help="The edition's own fields (award kinds)."),
        click.option("--standing-body", help="Cơ quan thường trực (an organisation of the unit)."),
        click.option("--board", help="Ban tổ chức: its member organisations, separated by ';'."),
        click.option("--decision-number", help="Số quyết định khen thưởng."),
        click.option("--decision-date", help="Ngày quyết định (dd/mm/yyyy): the base salary of prize money."),
    ]):
        command = decorator(command)
    return command


@click.group("contests")
def contests_group():
    """Hội thi, cuộc thi sáng tạo, giải thưởng: editions and their sheets."""


@contests_group.group("editions")
def editions_group():
    """Editions (kỳ, lần tổ chức) of the competitions."""


@editions_group.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="The competition kind, by its Vietnamese name.")
@edition_options
def add_edition(name, kind, **options):
    """Set up an edition NAME (as the entries sheet's "Cuộc thi" column names it)."""
    from core.db import database
    from plugins.contests.models import Edition, ensure_catalog

    with app_context():
        with database.atomic():
            ensure_catalog()
            unit = find_unit_or_fail(options["unit_name"])
            found = find_kind_or_fail(kind)
            clean = " ".join(name.split())
            if not clean:
                fail("Tên cuộc thi không được trống")
            if Edition.select().where(Edition.unit == unit, Edition.name_key == normalise(clean)).exists():
                fail(f'Cuộc thi "{clean}" đã có ở {unit.name}: sửa bằng phoihop contests editions set')
            edition = Edition(unit=unit, kind=found, name=clean)
            configure(edition, options, creating=True)
        click.echo(describe_line(edition))


@editions_group.command("set")
@click.argument("name")
@edition_options
def set_edition(name, **options):
    """Change an edition's settings (quotas, minimum scores, money, limits)."""
    from core.db import database
    from plugins.contests.models import Edition, ensure_catalog

    with app_context():
        with database.atomic():
            ensure_catalog()
            unit = find_unit_or_fail(options["unit_name"])
            edition = Edition.get_or_none(Edition.unit == unit, Edition.name_key == normalise(name))
            if edition is None:
                known = [e.name for e in Edition.select().where(Edition.unit == unit)]
                fail(f'Không có cuộc thi "{name}" ở {unit.name}; các cuộc thi: {", ".join(known) or "(chưa có)"}')
            configure(edition, options, creating=False)
        click.echo(describe_line(edition))


def configure(edition, options, creating):
    """Apply the command's options to ``edition`` and save it with its tier settings."""
    from core.vietnamese import ParseError as SeasonError
    from plugins.contests.models import ContestField, EditionField, EditionTier
    from plugins.contests.results import recompute
    from plugins.contests.links import link_board
    from sheets.values import parse_date, parse_list, parse_season

    if options.get("season"):
        try:
            edition.season_start, edition.season_end = parse_season(options["season"])
        except SeasonError as exc:
            fail(f"--season {options['season']!r}: {exc.reason}")
    elif creating:
        found = re.search(r"(\d{4})\s*[-–]\s*(\d{4})|\((\d{4})\)", edition.name)
        if found:
            start = int(found[1] or found[3])
            edition.season_start, edition.season_end = start, int(found[2] or start)
    if options.get("number") is not None:
        edition.number = options["number"]
    elif creating:
        found = re.search(r"lần\s+thứ\s+(\d+)", edition.name, re.IGNORECASE)
        edition.number = int(found[1]) if found else None
    for name, option in (("quota_scope", "quota_scope"), ("min_valid_scores", "min_valid_scores"),
                         ("scoring", "scoring")):
        if options.get(option) is not None:
            setattr(edition, name, options[option])
    if options.get("standing_body"):
        from core.people import match_organisations

        [edition.standing_body] = match_organisations([(edition.unit_id, options["standing_body"])])
    if options.get("board") is not None:
        edition.board_members = "; ".join(parse_list(options["board"])) or None
    if options.get("decision_number") is not None:
        edition.decision_number = options["decision_number"].strip() or None
    if options.get("decision_date") is not None:
        try:
            edition.decision_date = parse_date(options["decision_date"])
        except SeasonError as exc:
            fail(f"--decision-date {options['decision_date']!r}: {exc.reason}")
    if options.get("spread_limit") is not None:
        edition.spread_limit = parse_number("--spread-limit", options["spread_limit"])
    if options.get("max_score") is not None:
        edition.max_score = parse_number("--max-score", options["max_score"])
        if edition.max_score <= 0:
            fail("--max-score phải lớn hơn 0")
    kind = edition.kind
    tiers = kind_tiers(kind)
    chosen = {}
    for option, what, flag in (("quotas", settings.QUOTA, "--quota"), ("minimums", settings.MIN_SCORE, "--min-score"),
                               ("money", settings.MONEY, "--money")):
        try:
            found = settings.parse_settings(options.get(option) or (), tiers, kind.name, what, flag)
        except settings.SettingError as exc:
            fail(str(exc))
        for tier, value in found.items():
            row = chosen.setdefault(tier.id, {})
            if what == settings.MONEY:
                row["money"], row["money_multiple"] = value
            else:
                row[what] = value
    fields = []
    for text in options.get("fields") or ():
        key = normalise(text)
        field = next((f for f in ContestField.select().where(ContestField.kind == kind.id)
                      if key in {normalise(s) for s in f.spellings()}), None)
        if field is None:
            field = ContestField.create(kind=kind, name=" ".join(text.split()), sort_order=100 + len(fields))
        fields.append(field)
    edition.save()
    for tier_id, values in chosen.items():
        row = EditionTier.get_or_none(EditionTier.edition == edition, EditionTier.tier == tier_id)
        if row is None:
            EditionTier.create(edition=edition, tier=tier_id, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
    if options.get("board") is not None:
        link_board(edition)
    if fields:
        EditionField.delete().where(EditionField.edition == edition).execute()
        EditionField.insert_many([{"edition": edition.id, "field": f.id, "position": i}
                                  for i, f in enumerate(fields)]).execute()
    recompute([edition.id])


def describe(edition) -> dict:
    """An edition as ``editions list --json`` shows it."""
    from plugins.contests.models import EditionTier, Entry, Judge, PrizeTier, Score
    from sheets.values import parse_list

    settings = {s.tier_id: s for s in EditionTier.select().where(EditionTier.edition == edition)}
    tiers = []
    for tier in (PrizeTier.select().where(PrizeTier.kind == edition.kind_id, PrizeTier.active != False)  # noqa: E712
                 .order_by(PrizeTier.sort_order)):
        s = settings.get(tier.id)
        tiers.append({"tier": tier.name, "quota": s.quota if s else None,
                      "min_score": float(s.min_score) if s and s.min_score is not None else None,
                      "money": s.money if s else None,
                      "money_multiple": float(s.money_multiple) if s and s.money_multiple is not None else None})

    def count(model):
        return model.select().where(model.edition == edition, model.archived == False).count()  # noqa: E712

    return {
        "id": edition.id, "name": edition.name, "unit": edition.unit.name, "kind": edition.kind.name,
        "number": edition.number, "season": edition.season or None, "quota_scope": edition.quota_scope,
        "min_valid_scores": edition.min_valid_scores, "spread_limit": float(edition.spread_limit),
        "max_score": float(edition.max_score), "scoring": edition.scoring, "rounds": edition.round_names(),
        "standing_body": edition.standing_body.name if edition.standing_body_id else None,
        "board": parse_list(edition.board_members), "decision_number": edition.decision_number,
        "decision_date": edition.decision_date.isoformat() if edition.decision_date else None,
        "tiers": tiers, "entries": count(Entry), "judges": count(Judge), "scores": count(Score),
    }


def describe_line(edition) -> str:
    info = describe(edition)
    quotas = ", ".join(f"{t['tier']} {t['quota']}" for t in info["tiers"] if t["quota"] is not None) or "chưa có chỉ tiêu giải"
    season = f" ({info['season']})" if info["season"] and info["season"] not in info["name"] else ""
    return (f"#{info['id']} {info['name']}{season} — {info['kind']}, {info['unit']}; "
            f"số giải ({'mỗi lĩnh vực' if info['quota_scope'] == 'field' else 'toàn cuộc thi'}): {quotas}; "
            f"tối thiểu {info['min_valid_scores']} phiếu, chênh lệch tối đa {format_decimal(info['spread_limit'])} điểm; "
            f"{info['entries']} giải pháp, {info['judges']} giám khảo, {info['scores']} phiếu chấm")


@editions_group.command("list")
@click.option("--unit", "unit_name", help="Only this unit's editions.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_editions(unit_name, as_json):
    """List the editions with their settings and counts."""
    from plugins.contests.models import Edition

    with app_context():
        query = Edition.select().order_by(Edition.unit, Edition.season_start, Edition.number, Edition.id)
        if unit_name:
            query = query.where(Edition.unit == find_unit_or_fail(unit_name))
        editions = list(query)
        if as_json:
            click.echo(json.dumps([describe(e) for e in editions], ensure_ascii=False, indent=2))
            return
        if not editions:
            click.echo("Chưa có cuộc thi nào: phoihop contests editions add TÊN --kind LOẠI")
        for edition in editions:
            click.echo(describe_line(edition))


def changes(result):
    return result.outcome != "failed" and (result.created or result.updated or result.archived or result.restored)


@contests_group.command("sync")
@click.option("--unit", "unit_name", help="Only the sheets linked to this unit.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sync_contests(state, unit_name, as_json):
    """Sync the contest sheets in the order their references need: entries, judges,
    scores (again when they changed, for the verdicts of rows read before), then entries
    again (their Điểm, Xếp hạng and Giải as the scores left them)."""
    from flask import current_app

    from sheets.cli import echo_result
    from sheets.models import Binding
    from sheets.sync import sync

    order = ("contests.entries", "contests.judges", "contests.scores")
    results = []
    with app_context():
        declared = current_app.extensions["phoihop_bindings"]
        query = Binding.select().where(Binding.name.in_(order)).order_by(Binding.id)
        if unit_name:
            query = query.where(Binding.unit == find_unit_or_fail(unit_name))
        links = list(query)
        if not links:
            fail("Chưa liên kết bảng tính nào của cuộc thi: phoihop sheets link contests.entries …")

        def run(binding):
            result = sync(binding, declared[binding.name], pm=state.pm, actor="cli")
            results.append(result)
            if not as_json:
                echo_result(result)
            return result

        for name in order[:2]:
            for binding in [b for b in links if b.name == name]:
                run(binding)
        changed = [b for b in links if b.name == "contests.scores" and changes(run(b))]
        for binding in changed:  # the verdicts of rows read before a later row changed them
            run(binding)
        for binding in [b for b in links if b.name == "contests.entries"]:
            run(binding)
    if as_json:
        click.echo(json.dumps({"bindings": [r.as_dict() for r in results]}, ensure_ascii=False, indent=2))
    raise SystemExit(max((r.exit_code for r in results), default=0))
