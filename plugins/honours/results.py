"""What the rules decide for the nominations, kept on the records — set-based.

:func:`refresh` recomputes, for some nominations and every nomination they bear on, the
rules' outcomes (:mod:`plugins.honours.rules`): eligibility and its reasons, a repeat of
a category given once, the merge of one person's rows and the rows that may be one
person, the nominators of a merged nomination, and — while the round is open and the
decision is not one imported from a past round's sheet — the result of the council's
votes. The rows a change bears on are the change's own, every row of the same round and
name (the duplicate rule reads them together) and every nomination of the same people
(an honour in one round flags a later one).

Statements, whatever the number of rows: a handful of SELECTs (the rows, the groups, the
people's honours, the rounds, the categories), one UPDATE per 500 rows whose outcome
changed, and two for the nominator links.
"""
from __future__ import annotations

from collections import defaultdict

from core.bulk import chunks, quoted, select_in, set_values
from core.people import replace_links
from plugins.honours import rules
from plugins.honours.models import Category, Nomination, NominationNominator, Round
from plugins.honours.rounds import facts, limit_of

DECIDED = ("status", "eligible", "merged_into", "similar_to", "first_honoured", "nominators_count", "votes_for",
           "votes_against", "result", "result_source")
SELECT = 5000


def refresh(nomination_ids=(), *, people=(), round_ids=()) -> int:
    """Recompute the outcomes of the nominations ``nomination_ids``, of the people
    ``people`` (e.g. those a nomination was linked to before a change), of every
    nomination of the rounds ``round_ids`` and of their units' later rounds — and of what
    they bear on (the module docstring). Returns how many nominations changed."""
    seeds = set(nomination_ids)
    if round_ids:
        seeds |= _of_rounds(round_ids)
    persons = set(people) - {None}
    groups = set()
    for data in _rows(seeds, ("id", "round", "name_key", "person")):
        groups.add((data["round"], data["name_key"]))
        if data["person"] is not None:
            persons.add(data["person"])
    for part in chunks(list(persons), SELECT):
        groups.update(Nomination.select(Nomination.round, Nomination.name_key)
                      .where(Nomination.person.in_(list(part)), Nomination.archived == False)  # noqa: E712
                      .distinct().tuples())
    groups = [g for g in groups if g[0] is not None]
    if not groups:
        return 0
    ids = {row[0] for row in select_in(Nomination, ["round", "name_key"], groups, [quoted("id"), quoted("archived")])
           if not row[1]}
    work = sorted(_rows(ids), key=lambda d: d["id"])
    return _decide(work)


def _of_rounds(round_ids) -> set[int]:
    """The nominations of the rounds and of their units' later rounds."""
    chosen = list(Round.select(Round.unit, Round.year).where(Round.id.in_(list(round_ids))).tuples())
    if not chosen:
        return set()
    later = Round.select(Round.id).where(Round.unit.in_([u for u, _ in chosen]))
    first = {}
    for unit, year in chosen:
        first[unit] = min(year, first.get(unit, year))
    wanted = [r for r, u, y in Round.select(Round.id, Round.unit, Round.year).where(Round.id.in_(later)).tuples()
              if y >= first[u]]
    return {i for (i,) in Nomination.select(Nomination.id).where(Nomination.round.in_(wanted),
                                                                  Nomination.archived == False).tuples()}  # noqa: E712


def _rows(ids, names=None) -> list[dict]:
    """The nominations ``ids`` as dicts of their columns (one SELECT per 5,000)."""
    ids = [i for i in ids if i is not None]
    fields = [Nomination._meta.fields[n] for n in names] if names else [Nomination]
    found = []
    for part in chunks(ids, SELECT):
        found.extend(Nomination.select(*fields).where(Nomination.id.in_(list(part))).dicts())
    return found


def _decide(work: list[dict]) -> int:
    if not work:
        return 0
    categories = {c.id: c for c in Category.select()}
    units = {d["unit"] for d in work}
    rounds = {r.id: r for r in Round.select().where(Round.unit.in_(list(units)))}
    known = facts(rounds.values())
    work = [d for d in work if d["round"] in rounds]
    matches = rules.duplicates(
        rules.Listed(id=d["id"], group=(d["round"], d["name_key"]),
                     order=rules.row_order(d["source_binding"], d["number"], d["id"]),
                     ref=rules.row_ref(d["number"], d["source_key"], d["id"]), name=d["full_name"],
                     year_of_birth=d["year_of_birth"], category=d["category"], nominator=d["nominator_name"])
        for d in work)
    mine = {d["id"] for d in work}
    history = _honours({d["person"] for d in work if d["person"]}, exclude=mine)
    by_id = {d["id"]: d for d in work}
    decided = {}
    for data in sorted(work, key=lambda d: (rounds[d["round"]].year, d["id"])):  # earlier rounds first
        item = rounds[data["round"]]
        category = categories.get(data["category"])
        decided[data["id"]] = outcome = _outcome(data, item, category, known[item.id], matches[data["id"]], history)
        if outcome["merged_into"] is None and outcome["result"] == rules.SELECTED and data["person"] and category:
            history.append(rules.Honour(data["person"], category.id, item.year))
    for data in work:  # a merged row shows its nomination's votes and result
        primary = decided[data["id"]]["merged_into"]
        if primary is not None and primary in decided:
            for name in ("votes_for", "votes_against", "result", "result_source"):
                decided[data["id"]][name] = decided[primary][name]
    changed = {i: values for i, values in decided.items()
               if any(by_id[i].get(name) != values[name] for name in DECIDED)}
    if changed:
        set_values(Nomination, changed, DECIDED, keep_stamp=True)
    _link_nominators(work, decided)
    return len(changed)


def _outcome(data, item, category, round_facts, match, history) -> dict:
    """The decided columns of one nomination."""
    if category is None:
        reasons, repeat, first, eligible = ["chưa rõ hình thức tôn vinh"], None, None, False
    else:
        rule = category.eligibility()
        dossier = rules.Dossier(academic_title=data["academic_title"], degree=data["degree"],
                                achievements=data["achievements"], conferral=data["conferral"],
                                hometown=data["hometown"], years_in_province=data["years_in_province"])
        reasons = rules.ineligibility(rule, dossier, round_facts)
        first = rules.first_honour(data["person"], category.id, item.year, history)
        repeat = (first, category.name) if first is not None and not rule.repeatable else None
        eligible = not reasons and repeat is None
    votes_for, votes_against = data["votes_for"], data["votes_against"]
    result, source = data["result"], data["result_source"]
    if not item.closed and source != "sheet" and match.merged_into is None:
        result = rules.decide(votes_for, limit_of(item), eligible)
        source = "council" if result is not None else None
    return {
        "status": rules.status(reasons, repeat, match) or None,
        "eligible": eligible,
        "merged_into": match.merged_into,
        "similar_to": match.similar_to,
        "first_honoured": first,
        "nominators_count": match.nominators,
        "votes_for": votes_for, "votes_against": votes_against, "result": result, "result_source": source,
    }


def _honours(people, exclude) -> list[rules.Honour]:
    """The selections of these people outside the rows being decided: ``[Honour]``."""
    people = list(people)
    found = []
    for part in chunks(people, SELECT):
        query = (Nomination.select(Nomination.id, Nomination.person, Nomination.category, Round.year)
                 .join(Round, on=(Nomination.round == Round.id))
                 .where(Nomination.person.in_(list(part)), Nomination.result == rules.SELECTED,
                        Nomination.merged_into.is_null(), Nomination.archived == False,  # noqa: E712
                        Nomination.category.is_null(False))
                 .tuples())
        found += [rules.Honour(person, category, year) for nid, person, category, year in query if nid not in exclude]
    return found


def _link_nominators(work, decided) -> None:
    """A nomination's organisations: its own row's, then its merged rows', in order."""
    links = defaultdict(list)
    for data in sorted(work, key=lambda d: rules.row_order(d["source_binding"], d["number"], d["id"])):
        primary = decided[data["id"]]["merged_into"] or data["id"]
        links[primary].append(data["nominator"])
        links.setdefault(data["id"], [])
    current = defaultdict(list)
    for part in chunks(list(links), SELECT):
        query = (NominationNominator.select(NominationNominator.nomination, NominationNominator.organisation)
                 .where(NominationNominator.nomination.in_(list(part)))
                 .order_by(NominationNominator.nomination, NominationNominator.position).tuples())
        for nomination, organisation in query:
            current[nomination].append(organisation)
    wanted = {i: list(dict.fromkeys(o for o in orgs if o is not None)) for i, orgs in links.items()}
    stale = {i: orgs for i, orgs in wanted.items() if current.get(i, []) != orgs}
    if stale:
        replace_links(NominationNominator, NominationNominator.nomination, NominationNominator.organisation, stale)
